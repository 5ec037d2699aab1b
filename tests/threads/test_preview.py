"""Markdown previews on the thread and comment forms: rendered as posting renders, nothing stored, nothing lost."""

import html

from tests.factories import post_form

RISKY_MARKDOWN = "**Held** the boundary.\n\n<script>alert(1)</script> [link](javascript:alert(2))"


def _preview_section(page_html: str) -> str:
    start = page_html.index('id="preview"')
    return page_html[start : page_html.index("</section>", start)]


def test_thread_preview_shows_the_sanitised_body_keeps_the_form_and_stores_nothing(client, factory) -> None:
    factory.login(client, factory.member())
    before = client.get("/").text
    form = {"title": "Preview before posting", "body": RISKY_MARKDOWN, "audience": "public", "tags": ["boundaries"]}

    response = post_form(client, "/threads", {**form, "intent": "preview"})

    assert response.status_code == 200
    preview = _preview_section(response.text)
    assert "<strong>Held</strong> the boundary." in preview
    assert "<script>" not in preview and 'href="javascript' not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview
    # Everything typed is still in the form, exactly as typed.
    assert 'value="Preview before posting"' in response.text
    assert html.escape(RISKY_MARKDOWN, quote=False) in response.text
    assert 'value="boundaries" checked' in response.text
    assert 'value="public" checked' in response.text
    assert "Preview before posting" not in before and "Preview before posting" not in client.get("/").text


def test_thread_preview_renders_exactly_what_the_posted_thread_shows(client, factory) -> None:
    mentioned, author = factory.member(display_name="Rosa Quill"), factory.member()
    factory.login(client, author)
    form = {"title": "Same text twice", "body": f"Asking @{mentioned.handle}:\n\n- one\n- two", "tags": ["boundaries"]}

    preview = _preview_section(post_form(client, "/threads", {**form, "intent": "preview"}).text)
    location = post_form(client, "/threads", form).headers["location"]

    posted = client.get(f"/api/v1{location}", headers=factory.headers(author)).json()
    assert (
        f'<a href="/members/{mentioned.id}" rel="nofollow ugc noopener">@{mentioned.handle}</a>' in posted["body_html"]
    )
    assert f'<div class="post-body">{posted["body_html"]}</div>' in preview


def test_preview_of_a_blank_body_says_what_posting_would_say(client, factory) -> None:
    factory.login(client, factory.member())

    response = post_form(client, "/threads", {"title": "Hi", "body": "   ", "intent": "preview"})

    assert response.status_code == 422
    assert 'id="body-error"' in response.text and "must not be blank" in response.text
    assert 'id="preview"' not in response.text
    assert 'value="Hi"' in response.text


def test_comment_preview_on_the_thread_page_stores_nothing(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public")
    factory.login(client, factory.member())

    response = post_form(client, f"/threads/{thread.id}/comments", {"body": "*Gently* put", "intent": "preview"})

    assert response.status_code == 200
    assert "<em>Gently</em> put" in _preview_section(response.text)
    assert ">*Gently* put</textarea>" in response.text
    comments = client.get(f"/api/v1/threads/{thread.id}/comments", headers=factory.headers(author)).json()
    assert comments["items"] == []


def test_comment_edit_preview_leaves_the_comment_as_it_was(client, factory) -> None:
    author = factory.member()
    comment = factory.comment(author, factory.thread(author), body="First words")
    factory.login(client, author)

    response = post_form(client, f"/comments/{comment.id}/edit", {"body": "Second **words**", "intent": "preview"})

    assert response.status_code == 200
    assert "Second <strong>words</strong>" in _preview_section(response.text)
    assert ">Second **words**</textarea>" in response.text
    stored = client.get(f"/api/v1/threads/{comment.thread_id}/comments", headers=factory.headers(author)).json()
    assert [(c["body"], c["updated_at"] == c["created_at"]) for c in stored["items"]] == [("First words", True)]


def test_a_visitor_cannot_preview(client, factory) -> None:
    thread = factory.thread(factory.member(), audience="public")

    response = post_form(client, f"/threads/{thread.id}/comments", {"body": "Hello", "intent": "preview"})

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
