"""No member can make another member's browser run code.

Post bodies are Markdown: the API stores and returns exactly what was sent, while the
HTML made from it (``body_html`` and every page that shows it) must hold no executable
markup, checked by parsing it rather than by searching for strings. Everything else a
member types (titles, display names, credentials) is plain text and must reach every
page escaped.
"""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from forum.accounts.models import Member
from forum.kit.markup import LINK_REL, render_markdown
from tests.factories import Factory, post_form
from tests.security.hostile import POST_TAGS, Element, parse

# --- reading HTML the way a browser would -------------------------------------------

FORBIDDEN_ELEMENTS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "svg", "math", "img", "base"}
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcdoc", "data"})
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")

def _scheme_of(url: str) -> str:
    """A URL as a browser reads its scheme: control characters and spaces dropped, lower case."""
    return "".join(ch for ch in url if ord(ch) > 0x20).lower()


def assert_no_executable_markup(html: str) -> None:
    for element in parse(html).elements:
        assert element.tag not in FORBIDDEN_ELEMENTS, f"<{element.tag}> element in {html!r}"
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"event handler {name}={value!r} on <{element.tag}>"
            if name in URL_ATTRIBUTES:
                assert not _scheme_of(value).startswith(DANGEROUS_SCHEMES), f"{name}={value!r} on <{element.tag}>"


def assert_safe_post_html(body_html: str) -> None:
    """``body_html``: no executable markup, only allowed tags, every link marked as user content."""
    assert_no_executable_markup(body_html)
    for element in parse(body_html).elements:
        assert element.tag in POST_TAGS, f"<{element.tag}> is not allowed in a post: {body_html!r}"
        assert "style" not in element.attrs
        if element.tag == "a":
            assert element.attrs.get("rel") == LINK_REL


def post_links(html: str) -> list[Element]:
    return [e for e in parse(html).elements if e.tag == "a" and e.in_post_body]


# --- what members try ------------------------------------------------------------------

HOSTILE_BODIES = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "html-javascript-link": '<a href="javascript:alert(1)">x</a>',
    "markdown-javascript-link": "[x](javascript:alert(1))",
    "markdown-javascript-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "markdown-javascript-entity": "[x](&#106;avascript:alert(1))",
    "markdown-javascript-reference": "[x][1]\n\n[1]: javascript:alert(1)",
    "markdown-javascript-autolink": "<javascript:alert(1)>",
    "markdown-data-link": "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "markdown-data-image-link": "[x](data:image/png;base64,iVBORw0KGgo=)",
    "markdown-vbscript-link": "[x](vbscript:msgbox(1))",
    "markdown-image": "![x](https://example.org/x.png)",
    "markdown-image-javascript": "![x](javascript:alert(1))",
    "iframe": '<iframe src="https://example.org/frame"></iframe>',
    "style": "<style>body { display: none }</style>",
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "attribute-breaking-href": '[x](https://example.org/"onmouseover="alert(1))',
    "attribute-breaking-title": '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "attribute-breaking-quotes": "\"'><script>alert(1)</script>",
    "html-in-code-span": "`<script>alert(1)</script>`",
    "html-in-code-block": "```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```",
    "html-comment": "<!-- --><script>alert(1)</script><!-- -->",
    "object-embed": '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    "form-formaction": '<form><button formaction="javascript:alert(1)">x</button></form>',
    "table-with-html": "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "nested-markdown-link": "[<img src=x onerror=alert(1)>](https://example.org)",
}
HOSTILE = list(HOSTILE_BODIES.values())
HOSTILE_IDS = list(HOSTILE_BODIES)

# Plain-text fields: what is typed must show up as text, never as markup.
NASTY_NAME = '<script>alert("name")</script>'
NASTY_CREDENTIALS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
NASTY_TITLE = "Hello <script>alert('title')</script> there"


@dataclass
class Scene:
    factory: Factory
    client: TestClient

    def member_with_token(self) -> tuple[Member, dict[str, str]]:
        member = self.factory.member()
        return member, self.factory.headers(member)


@pytest.fixture
def scene(factory: Factory, client: TestClient) -> Scene:
    return Scene(factory, client)


def read_thread_page(client: TestClient, thread_id: int) -> str:
    page = client.get(f"/threads/{thread_id}")
    assert page.status_code == 200, page.text
    return page.text


# --- the Markdown renderer -------------------------------------------------------------


def tags_of(html: str) -> list[str]:
    return [element.tag for element in parse(html).elements]


def test_render_markdown_keeps_tables() -> None:
    html = render_markdown("| Oil | Use |\n|:----|----:|\n| Arnica | bruises |\n| Jojoba | *dry skin* |")
    tags = tags_of(html)
    for tag in ("table", "thead", "tbody", "tr", "th", "td", "em"):
        assert tag in tags, html
    assert [e.text for e in parse(html).elements if e.tag == "th"] == ["Oil", "Use"]
    assert tags.count("tr") == 3
    assert_safe_post_html(html)


def test_render_markdown_keeps_lists_and_their_start_number() -> None:
    html = render_markdown("- one\n- two\n\n3. three\n4. four")
    parsed = parse(html)
    assert [e.text for e in parsed.elements if e.tag == "li"] == ["one", "two", "three", "four"]
    ordered = next(e for e in parsed.elements if e.tag == "ol")
    assert ordered.attrs.get("start") == "3"
    assert "ul" in tags_of(html)


def test_render_markdown_keeps_code_blocks_and_escapes_their_content() -> None:
    source = '```python\nif a < b and "x" > y:\n    print("<b>")\n```\n\nand `inline <code>` too'
    html = render_markdown(source)
    parsed = parse(html)
    block = next(e for e in parsed.elements if e.tag == "pre")
    assert block.text == 'if a < b and "x" > y:\n    print("<b>")\n'
    inline = [e.text for e in parsed.elements if e.tag == "code"]
    assert "inline <code>" in inline
    assert "&lt;b&gt;" in html
    assert "<b>" not in html
    assert "class" not in html  # the language class is not on the allowlist


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ("# Heading", "h1"),
        ("###### Small heading", "h6"),
        ("> A quotation", "blockquote"),
        ("**strong**", "strong"),
        ("*emphasis*", "em"),
        ("~~struck~~", "s"),
        ("above\n\n---\n\nbelow", "hr"),
        ("first line\nsecond line", "br"),
    ],
)
def test_render_markdown_keeps_allowed_formatting(source: str, tag: str) -> None:
    html = render_markdown(source)
    assert tag in tags_of(html), html
    assert_safe_post_html(html)


def test_render_markdown_marks_every_link_as_user_content() -> None:
    html = render_markdown("[a](https://example.org/a) and https://example.org/b and <https://example.org/c>")
    links = [e for e in parse(html).elements if e.tag == "a"]
    assert [link.attrs["href"] for link in links] == [
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/c",
    ]
    assert all(link.attrs["rel"] == "nofollow ugc noopener" for link in links)


def test_render_markdown_drops_images_but_keeps_the_text_around_them() -> None:
    html = render_markdown("before ![alt](https://example.org/x.png) after")
    assert "img" not in tags_of(html)
    assert "before" in html
    assert "after" in html


@pytest.mark.parametrize("source", HOSTILE, ids=HOSTILE_IDS)
def test_render_markdown_never_produces_executable_markup(source: str) -> None:
    assert_safe_post_html(render_markdown(source))


# --- post bodies through the API ----------------------------------------------------


@pytest.mark.parametrize("source", HOSTILE, ids=HOSTILE_IDS)
def test_thread_body_via_api_is_stored_verbatim_and_rendered_safely(scene: Scene, source: str) -> None:
    member, headers = scene.member_with_token()
    created = scene.client.post(
        "/api/v1/threads", json={"title": "A hostile body", "body": source, "tags": ["boundaries"]}, headers=headers
    )
    assert created.status_code == 201, created.text
    thread = created.json()
    assert thread["body"] == source
    assert_safe_post_html(thread["body_html"])

    read_back = scene.client.get(f"/api/v1/threads/{thread['id']}", headers=headers).json()
    assert read_back["body"] == source
    assert read_back["body_html"] == thread["body_html"]

    scene.factory.login(scene.client, member)
    assert_no_executable_markup(read_thread_page(scene.client, thread["id"]))


@pytest.mark.parametrize("source", HOSTILE, ids=HOSTILE_IDS)
def test_comment_body_via_api_is_stored_verbatim_and_rendered_safely(scene: Scene, source: str) -> None:
    member, headers = scene.member_with_token()
    thread = scene.factory.thread(member)
    created = scene.client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": source}, headers=headers)
    assert created.status_code == 201, created.text
    comment = created.json()
    assert comment["body"] == source
    assert_safe_post_html(comment["body_html"])

    listed = scene.client.get(f"/api/v1/threads/{thread.id}/comments", headers=headers).json()["items"]
    assert [(c["body"], c["body_html"]) for c in listed] == [(source, comment["body_html"])]

    scene.factory.login(scene.client, member)
    assert_no_executable_markup(read_thread_page(scene.client, thread.id))
    profile = scene.client.get(f"/members/{member.id}")  # comments are shown on the author's profile too
    assert profile.status_code == 200
    assert_no_executable_markup(profile.text)


@pytest.mark.parametrize("source", HOSTILE, ids=HOSTILE_IDS)
def test_edits_via_api_are_rendered_safely(scene: Scene, source: str) -> None:
    member, headers = scene.member_with_token()
    thread = scene.factory.thread(member)
    comment = scene.factory.comment(member, thread)

    edited_thread = scene.client.patch(f"/api/v1/threads/{thread.id}", json={"body": source}, headers=headers)
    edited_comment = scene.client.patch(f"/api/v1/comments/{comment.id}", json={"body": source}, headers=headers)

    for response in (edited_thread, edited_comment):
        assert response.status_code == 200, response.text
        assert response.json()["body"] == source
        assert_safe_post_html(response.json()["body_html"])
    scene.factory.login(scene.client, member)
    assert_no_executable_markup(read_thread_page(scene.client, thread.id))


# --- post bodies through the page forms ----------------------------------------------


def _thread_id_from(response) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].removeprefix("/threads/"))


@pytest.mark.parametrize("source", HOSTILE, ids=HOSTILE_IDS)
def test_thread_body_via_form_is_stored_verbatim_and_rendered_safely(scene: Scene, source: str) -> None:
    member, headers = scene.member_with_token()
    browser = scene.factory.login(scene.client, member)
    thread_id = _thread_id_from(
        post_form(
            browser,
            "/threads",
            {"title": "A hostile body", "body": source, "audience": "members", "tags": "boundaries"},
        )
    )

    assert_no_executable_markup(read_thread_page(browser, thread_id))
    stored = browser.get(f"/api/v1/threads/{thread_id}", headers=headers).json()
    assert stored["body"] == source
    assert_safe_post_html(stored["body_html"])


@pytest.mark.parametrize("source", HOSTILE, ids=HOSTILE_IDS)
def test_comment_body_via_form_is_stored_verbatim_and_rendered_safely(scene: Scene, source: str) -> None:
    member, headers = scene.member_with_token()
    thread = scene.factory.thread(member)
    browser = scene.factory.login(scene.client, member)
    posted = post_form(browser, f"/threads/{thread.id}/comments", {"body": source})
    assert posted.status_code == 303, posted.text

    assert_no_executable_markup(read_thread_page(browser, thread.id))
    stored = browser.get(f"/api/v1/threads/{thread.id}/comments", headers=headers).json()["items"]
    assert [c["body"] for c in stored] == [source]
    assert_safe_post_html(stored[0]["body_html"])


@pytest.mark.parametrize("source", HOSTILE, ids=HOSTILE_IDS)
def test_edits_via_forms_are_rendered_safely(scene: Scene, source: str) -> None:
    member, headers = scene.member_with_token()
    thread = scene.factory.thread(member)
    comment = scene.factory.comment(member, thread)
    browser = scene.factory.login(scene.client, member)

    edited_thread = post_form(
        browser,
        f"/threads/{thread.id}/edit",
        {"title": thread.title, "body": source, "audience": "members", "tags": "boundaries"},
    )
    edited_comment = post_form(browser, f"/comments/{comment.id}/edit", {"body": source})
    assert edited_thread.status_code == 303, edited_thread.text
    assert edited_comment.status_code == 303, edited_comment.text

    assert_no_executable_markup(read_thread_page(browser, thread.id))
    # The edit forms show the stored Markdown again: as text inside the textarea, never as markup.
    for edit_page in (f"/threads/{thread.id}/edit", f"/comments/{comment.id}/edit"):
        form = browser.get(edit_page)
        assert form.status_code == 200
        assert_no_executable_markup(form.text)
        textarea = next(e for e in parse(form.text).elements if e.tag == "textarea")
        assert textarea.text == source
    stored = browser.get(f"/api/v1/threads/{thread.id}/comments", headers=headers).json()["items"]
    assert [c["body"] for c in stored] == [source]


# --- links in posts ------------------------------------------------------------------


def test_links_in_posts_are_marked_nofollow_ugc_noopener_on_the_page(scene: Scene) -> None:
    member, headers = scene.member_with_token()
    body = "See [the guide](https://example.org/guide), https://example.org/bare and <https://example.org/auto>."
    thread = scene.client.post(
        "/api/v1/threads", json={"title": "Useful links", "body": body, "tags": ["boundaries"]}, headers=headers
    )
    assert thread.status_code == 201
    thread_id = thread.json()["id"]
    comment = scene.client.post(f"/api/v1/threads/{thread_id}/comments", json={"body": body}, headers=headers)
    assert comment.status_code == 201

    for html in (thread.json()["body_html"], comment.json()["body_html"]):
        links = [e for e in parse(html).elements if e.tag == "a"]
        assert len(links) == 3
        assert all(link.attrs.get("rel") == "nofollow ugc noopener" for link in links)

    scene.factory.login(scene.client, member)
    links = post_links(read_thread_page(scene.client, thread_id))
    assert len(links) == 6
    assert {link.attrs["rel"] for link in links} == {"nofollow ugc noopener"}
    assert {link.attrs["href"] for link in links} == {
        "https://example.org/guide",
        "https://example.org/bare",
        "https://example.org/auto",
    }


# --- plain-text fields on every page -------------------------------------------------


def assert_escaped(html: str) -> None:
    assert "&lt;script&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert_no_executable_markup(html)


def texts_of_links_to(html: str, href: str) -> list[str]:
    return [e.text.strip() for e in parse(html).elements if e.tag == "a" and e.attrs.get("href") == href]


@pytest.fixture
def nasty_member(factory: Factory):
    return factory.member(display_name=NASTY_NAME, credentials=NASTY_CREDENTIALS)


@pytest.fixture
def nasty_thread(factory: Factory, nasty_member):
    thread = factory.thread(nasty_member, title=NASTY_TITLE, audience="public")
    factory.comment(nasty_member, thread, body="A reply by the same member.")
    return thread


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_home_page_escapes_titles_and_names(scene: Scene, nasty_member, nasty_thread, logged_in: bool) -> None:
    if logged_in:
        scene.factory.login(scene.client, scene.factory.member())
    home = scene.client.get("/")
    assert home.status_code == 200
    assert_escaped(home.text)
    assert texts_of_links_to(home.text, f"/threads/{nasty_thread.id}") == [NASTY_TITLE]
    assert NASTY_NAME in texts_of_links_to(home.text, f"/members/{nasty_member.id}")


def test_thread_page_escapes_title_names_and_credentials(scene: Scene, nasty_member, nasty_thread) -> None:
    page = read_thread_page(scene.client, nasty_thread.id)
    assert_escaped(page)
    parsed = parse(page)
    assert next(e for e in parsed.elements if e.tag == "title").text.startswith(NASTY_TITLE)
    assert next(e for e in parsed.elements if e.tag == "h1").text == NASTY_TITLE
    # once in the thread's byline and once in the comment's
    assert texts_of_links_to(page, f"/members/{nasty_member.id}") == [NASTY_NAME, NASTY_NAME]
    credentials = [e.text for e in parsed.elements if "credentials" in e.attrs.get("class", "").split()]
    assert credentials == [NASTY_CREDENTIALS, NASTY_CREDENTIALS]


def test_profile_page_escapes_name_credentials_and_titles(scene: Scene, nasty_member, nasty_thread) -> None:
    page = scene.client.get(f"/members/{nasty_member.id}")
    assert page.status_code == 200
    assert_escaped(page.text)
    parsed = parse(page.text)
    assert next(e for e in parsed.elements if e.tag == "h1").text == NASTY_NAME
    assert next(e for e in parsed.elements if e.tag == "title").text.startswith(NASTY_NAME)
    assert [e.text for e in parsed.elements if "credentials" in e.attrs.get("class", "").split()] == [NASTY_CREDENTIALS]
    # the thread in the list of threads, and the thread a comment was made on
    titles = [
        e.text.strip()
        for e in parsed.elements
        if e.tag == "a" and e.attrs["href"].startswith(("/threads/", "/comments/"))
    ]
    assert titles.count(NASTY_TITLE) == 2


@pytest.mark.parametrize("path", ["/", "/account", "/threads/new", "/members/{id}"])
def test_header_escapes_the_logged_in_members_name(scene: Scene, nasty_member, path: str) -> None:
    scene.factory.login(scene.client, nasty_member)
    page = scene.client.get(path.format(id=nasty_member.id))
    assert page.status_code == 200
    assert_escaped(page.text)
    nav = [
        e for e in parse(page.text).elements if e.tag == "a" and e.attrs.get("href") == f"/members/{nasty_member.id}"
    ]
    assert NASTY_NAME in [e.text.strip() for e in nav]


def test_account_form_shows_the_name_and_credentials_as_field_values(scene: Scene, nasty_member) -> None:
    scene.factory.login(scene.client, nasty_member)
    page = scene.client.get("/account")
    assert_escaped(page.text)
    inputs = {e.attrs.get("id"): e.attrs.get("value") for e in parse(page.text).elements if e.tag == "input"}
    assert inputs["display_name"] == NASTY_NAME
    assert inputs["credentials"] == NASTY_CREDENTIALS


def test_names_changed_through_the_account_form_are_escaped(scene: Scene) -> None:
    member = scene.factory.member()
    browser = scene.factory.login(scene.client, member)
    saved = post_form(browser, "/account/profile", {"display_name": NASTY_NAME, "credentials": NASTY_CREDENTIALS})
    assert saved.status_code == 303, saved.text
    assert_escaped(browser.get(saved.headers["location"]).text)
    scene.factory.thread(member, title=NASTY_TITLE)
    for path in ("/", f"/members/{member.id}"):
        page = browser.get(path)
        assert page.status_code == 200
        assert_escaped(page.text)
        assert NASTY_NAME in texts_of_links_to(page.text, f"/members/{member.id}")


def test_names_given_when_joining_through_the_api_are_escaped_on_pages(scene: Scene) -> None:
    joined = scene.client.post(
        "/api/v1/auth/register",
        json={"email": "nasty@example.org", "password": "a long enough password", "display_name": NASTY_NAME},
    )
    assert joined.status_code == 201, joined.text
    assert joined.json()["display_name"] == NASTY_NAME  # the API gives the text back as it was typed
    page = scene.client.get(f"/members/{joined.json()['id']}")
    assert page.status_code == 200
    assert_escaped(page.text)


@pytest.mark.parametrize("path", ["/login", "/join"])
def test_the_next_parameter_is_escaped_where_it_is_reflected(client: TestClient, path: str) -> None:
    page = client.get(path, params={"next": '/"><script>alert(1)</script>'})
    assert page.status_code == 200
    assert "<script" not in page.text.lower()
    assert_no_executable_markup(page.text)
    hidden = next(e for e in parse(page.text).elements if e.tag == "input" and e.attrs.get("name") == "next")
    assert hidden.attrs["value"] == '/"><script>alert(1)</script>'


def test_error_pages_do_not_reflect_the_address(client: TestClient) -> None:
    page = client.get("/%3Cscript%3Ealert(1)%3C/script%3E")
    assert page.status_code == 404
    assert "<script" not in page.text.lower()
    assert_no_executable_markup(page.text)
