"""Admins edit guideline sections; every edit is a revision with its editor and a diff.

Nobody else can edit, whether through the pages or the service, and what an admin
types is stored as sent while the HTML made from it stays harmless.
"""

import re
from html.parser import HTMLParser

import pytest
from sqlmodel import col, select

from forum.errors import Forbidden, NotFound, Unauthorized
from forum.guidelines import service
from forum.guidelines.models import GuidelineDocument, GuidelineRevision, GuidelineSection
from forum.guidelines.schemas import GuidelineSectionUpdate
from forum.permissions import VISITOR, Viewer
from tests.factories import post_form

EDIT = "/guidelines/stop-session/sections/illness/edit"
HISTORY = "/guidelines/stop-session/sections/illness/history"


def _section(database, anchor: str = "illness") -> GuidelineSection:
    with database.session() as session:
        return session.exec(select(GuidelineSection).where(GuidelineSection.anchor == anchor)).one()


def _document(database) -> GuidelineDocument:
    with database.session() as session:
        return session.exec(select(GuidelineDocument).where(GuidelineDocument.slug == "stop-session")).one()


def _revisions(database) -> list[GuidelineRevision]:
    with database.session() as session:
        return list(session.exec(select(GuidelineRevision).order_by(col(GuidelineRevision.id))))


def _changes(history_page: str) -> list[tuple[str, str]]:
    """The words a history page marks as removed and added, without the screen-reader labels."""
    return [
        (kind, re.sub(r'<span class="visually-hidden">[^<]*</span>', "", text))
        for kind, text in re.findall(r"<(del|ins)>(.*?)</\1>", history_page, re.DOTALL)
    ]


def _edit(client, section: GuidelineSection, path: str = EDIT, **fields: str):
    data = {"heading": section.heading, "body": section.body, "note": "", "version": str(section.version)}
    data.update(fields)
    return post_form(client, path, data)


@pytest.fixture
def admin(factory):
    return factory.member(role="admin", display_name="Avery Admin")


def test_admin_edit_form_shows_the_current_text(client, factory, admin, database) -> None:
    factory.login(client, admin)
    response = client.get(EDIT)
    assert response.status_code == 200
    assert "Massage therapist&#39;s should not attempt" in response.text
    assert 'name="version" value="1"' in response.text


def test_admin_edit_creates_a_revision_with_editor_and_diff(client, factory, admin, database) -> None:
    before = _section(database)
    updated_before = _document(database).updated_at
    factory.login(client, admin)
    new_body = before.body.replace("call 911", "call emergency services")
    response = _edit(client, before, body=new_body, note="Not every country uses 911")
    assert response.status_code == 303
    assert response.headers["location"] == "/guidelines/stop-session#illness"

    after = _section(database)
    assert after.body == new_body
    assert "call emergency services" in after.body_html
    assert after.version == before.version + 1
    [revision] = _revisions(database)
    assert (revision.section_id, revision.editor_id) == (before.id, admin.id)
    assert (revision.previous_body, revision.body) == (before.body, new_body)
    assert revision.note == "Not every country uses 911"
    assert _document(database).updated_at > updated_before
    assert client.get("/api/v1/guidelines/stop-session").json()["updated_at"] > updated_before.isoformat()

    history = client.get(HISTORY)
    assert history.status_code == 200
    assert "Avery Admin" in history.text
    assert "Not every country uses 911" in history.text
    assert _changes(history.text) == [("del", "911"), ("ins", "emergency services")]


def test_editing_the_heading_changes_the_table_of_contents_not_the_anchor(client, factory, admin, database) -> None:
    factory.login(client, admin)
    assert _edit(client, _section(database), heading="If the client falls ill").status_code == 303
    page = client.get("/guidelines/stop-session").text
    assert '<a href="#illness">If the client falls ill</a>' in page
    assert '<section id="illness"' in page
    assert _changes(client.get(HISTORY).text) == [
        ("del", "When"),
        ("ins", "If"),
        ("del", "becomes"),
        ("ins", "falls"),
    ]


def test_saving_unchanged_text_adds_no_revision(client, factory, admin, database) -> None:
    factory.login(client, admin)
    assert _edit(client, _section(database)).status_code == 303
    assert _revisions(database) == []
    assert "has not been edited" in client.get(HISTORY).text


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def _elements(markup: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(markup)
    return parser.tags


def test_hostile_input_is_stored_as_sent_and_rendered_harmless(client, factory, admin, database) -> None:
    hostile = (
        '<script>alert("guideline")</script>\n\n'
        "[Read more](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n"
        '<a href="javascript:alert(3)">click</a> [safe](https://example.org/)'
    )
    factory.login(client, admin)
    assert _edit(client, _section(database), body=hostile, heading="<b>Ill</b> clients").status_code == 303

    section = _section(database)
    assert section.body == hostile
    assert section.heading == "<b>Ill</b> clients"
    page = client.get("/guidelines/stop-session").text
    for markup in (section.body_html, page):
        elements = _elements(markup)
        assert not [tag for tag, _ in elements if tag in {"script", "img", "b"}]
        hrefs = [attrs.get("href", "") for tag, attrs in elements if tag == "a"]
        assert not [href for href in hrefs if href.strip().lower().startswith("javascript")]
        assert not [attrs for _, attrs in elements if any(name.startswith("on") for name in attrs)]
    assert 'href="https://example.org/"' in section.body_html
    assert "&lt;b&gt;Ill&lt;/b&gt; clients" in page

    history = client.get(HISTORY).text
    assert "<script>" not in history
    assert "&lt;script&gt;alert(&#34;guideline&#34;)&lt;/script&gt;" in history


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": "   "}, "body", "Text must not be blank"),
        ({"heading": "x"}, "heading", "Heading must be at least 3 characters"),
        ({"note": "n" * 201}, "note", "What changed and why must be at most 200 characters"),
        ({"version": "latest"}, "version", "valid integer"),
    ],
)
def test_invalid_edit_shows_the_form_again_with_messages(
    client, factory, admin, database, fields, field, message
) -> None:
    factory.login(client, admin)
    response = _edit(client, _section(database), **fields)
    assert response.status_code == 422
    assert message in response.text
    assert f'href="#{field}"' in response.text
    assert _revisions(database) == []
    assert _section(database).version == 1


def test_a_stale_edit_is_refused_and_keeps_the_admins_text(client, factory, make_client, admin, database) -> None:
    opened = _section(database)
    other = factory.login(make_client(), factory.member(role="admin"))
    assert _edit(other, opened, body="The other admin's text.").status_code == 303

    factory.login(client, admin)
    response = _edit(client, opened, body="My own text, started from version 1.")
    assert response.status_code == 409
    assert "Someone else changed this section" in response.text
    assert "My own text, started from version 1." in response.text
    assert 'name="version" value="2"' in response.text
    assert _section(database).body == "The other admin's text."
    assert len(_revisions(database)) == 1

    # Saving again from the re-shown form is deliberate, and the other edit stays in the history.
    assert _edit(client, _section(database), body="My own text, started from version 1.").status_code == 303
    assert [r.previous_body for r in _revisions(database)][-1] == "The other admin's text."


# --- who may edit --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "moderator"])
@pytest.mark.parametrize("path", [EDIT, HISTORY])
def test_members_and_moderators_cannot_open_the_edit_pages(client, factory, role, path) -> None:
    factory.login(client, factory.member(role=role))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_and_moderators_cannot_post_an_edit(client, factory, database, role) -> None:
    factory.login(client, factory.member(role=role))
    response = _edit(client, _section(database), body="Changed by someone who may not.")
    assert response.status_code == 403
    assert _section(database).body != "Changed by someone who may not."
    assert _revisions(database) == []


@pytest.mark.parametrize("path", [EDIT, HISTORY])
def test_visitors_are_sent_to_log_in(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_visitor_cannot_post_an_edit(client, database) -> None:
    response = _edit(client, _section(database), path=EDIT, body="Changed by a visitor.")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert _revisions(database) == []


@pytest.mark.parametrize(("role", "status"), [(None, 303), ("member", 403), ("moderator", 403)])
def test_who_may_not_edit_is_refused_before_the_form_is_checked(client, factory, database, role, status) -> None:
    if role:
        factory.login(client, factory.member(role=role))
    response = _edit(client, _section(database), body="", heading="")
    assert response.status_code == status
    assert "Please check the form" not in response.text


def test_an_edit_without_the_csrf_token_is_refused(client, factory, admin, database) -> None:
    factory.login(client, admin)
    section = _section(database)
    response = client.post(EDIT, data={"heading": section.heading, "body": "Forged.", "version": "1"})
    assert response.status_code == 403
    assert _section(database).body != "Forged."


@pytest.mark.parametrize(("role", "error"), [(None, Unauthorized), ("member", Forbidden), ("moderator", Forbidden)])
def test_the_service_refuses_anyone_but_an_admin(factory, database, role, error) -> None:
    viewer = Viewer(member=factory.member(role=role)) if role else VISITOR
    data = GuidelineSectionUpdate(heading="When the client becomes ill", body="Rewritten.", version=1)
    with database.session(write=True) as session, pytest.raises(error):
        service.edit_section(session, viewer=viewer, slug="stop-session", anchor="illness", data=data)
    with database.session() as session, pytest.raises(error):
        service.section_history(session, viewer=viewer, slug="stop-session", anchor="illness")
    assert _section(database).body != "Rewritten."


def test_the_service_records_the_admin_as_editor(factory, database) -> None:
    admin = factory.member(role="admin")
    data = GuidelineSectionUpdate(heading="When the client becomes ill", body="Rewritten.", version=1)
    with database.session(write=True) as session:
        entry = service.edit_section(
            session, viewer=Viewer(member=admin), slug="stop-session", anchor="illness", data=data
        )
        assert entry.section.body_html == "<p>Rewritten.</p>\n"
    [revision] = _revisions(database)
    assert revision.editor_id == admin.id


@pytest.mark.parametrize(
    "path",
    [
        "/guidelines/no-such-guideline/sections/illness/edit",
        "/guidelines/stop-session/sections/no-such-section/edit",
        "/guidelines/stop-session/sections/no-such-section/history",
    ],
)
def test_unknown_document_or_section_is_not_found(client, factory, admin, path) -> None:
    factory.login(client, admin)
    assert client.get(path).status_code == 404


def test_unknown_section_cannot_be_edited_through_the_service(factory, database) -> None:
    data = GuidelineSectionUpdate(heading="A heading", body="Text.", version=1)
    with database.session(write=True) as session, pytest.raises(NotFound):
        service.edit_section(
            session, viewer=Viewer(member=factory.member(role="admin")), slug="stop-session", anchor="nope", data=data
        )


# --- citing and diffing --------------------------------------------------------------


def test_find_section_for_citations(database) -> None:
    with database.session() as session:
        illness = service.find_section(session, "stop-session", "illness")
        assert illness is not None
        assert illness.heading == "When the client becomes ill"
        assert illness.body_html.startswith("<p>If the client wants to stop because they have become ill")
        assert service.find_section(session, "stop-session", "no-such-section") is None
        assert service.find_section(session, "no-such-guideline", "illness") is None
    assert service.section_path("stop-session", "illness") == "/guidelines/stop-session#illness"


def test_text_diff_marks_whole_words_and_phrases() -> None:
    diff = service.text_diff("Offer to call 911 now, please.", "Offer to call emergency services now.")
    assert [(s.kind, s.text) for s in diff] == [
        ("same", "Offer to call "),
        ("removed", "911 now, please."),
        ("added", "emergency services now."),
    ]


def test_text_diff_keeps_line_breaks_as_they_were() -> None:
    diff = service.text_diff("- offering water\n- rest", "- offering water and a chair\n- rest")
    assert [(s.kind, s.text) for s in diff] == [
        ("same", "- offering water"),
        ("added", " and a chair"),
        ("same", "\n- rest"),
    ]
