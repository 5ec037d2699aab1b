"""``[[guideline:anchor]]`` in a post renders as a quote card of the official section, safely."""

from html.parser import HTMLParser

from sqlmodel import col, update

from forum.guidelines.models import GuidelineSection


def _post(client, factory, body: str) -> dict:
    response = client.post(
        "/api/v1/threads",
        headers=factory.headers(factory.member()),
        json={"title": "Citing the guideline here", "body": body, "audience": "public", "tags": ["stopping-a-session"]},
    )
    assert response.status_code == 201, response.text
    return response.json()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def _tags(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_a_citation_becomes_a_quote_card_linking_to_the_section(client, factory) -> None:
    thread = _post(client, factory, "As the guideline says:\n\n[[guideline:illness]]\n\nSo I called a friend.")
    html = thread["body_html"]
    assert "<blockquote>" in html
    assert "Official guideline:" in html
    assert 'href="/guidelines/stop-session#illness"' in html
    assert "proper medical attention" in html  # the official words themselves
    assert thread["body"].count("[[guideline:illness]]") == 1  # the source is kept as typed
    assert "Official guideline:" in client.get(f"/threads/{thread['id']}").text


def test_a_citation_may_name_the_document(client, factory) -> None:
    html = _post(client, factory, "[[guideline:stop-session/asking-why]]")["body_html"]
    assert 'href="/guidelines/stop-session#asking-why"' in html


def test_an_unknown_section_stays_plain_text(client, factory) -> None:
    html = _post(client, factory, "See [[guideline:no-such-section]] and [[guideline:other-doc/illness]].")["body_html"]
    assert "[[guideline:no-such-section]]" in html
    assert "[[guideline:other-doc/illness]]" in html
    assert "<blockquote>" not in html and "<a " not in html


def test_a_citation_cannot_inject_markup(client, factory, database) -> None:
    with database.session(write=True) as session:  # even a hostile heading in the section itself
        session.execute(
            update(GuidelineSection)
            .where(col(GuidelineSection.anchor) == "illness")
            .values(heading="<script>alert(1)</script>[x](javascript:alert(1))")
        )
    body = '[[guideline:illness]]<script>alert(2)</script> [[guideline:illness"><img src=x onerror=alert(3)>]]'
    html = _post(client, factory, body)["body_html"]
    assert set(_tags(html)) <= {"p", "blockquote", "strong", "a", "br"}
    assert 'href="javascript' not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
