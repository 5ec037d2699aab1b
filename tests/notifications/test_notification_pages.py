"""Notifications in the browser: the header count, the list, preferences, and the follow and mute forms.

What this file proves:

* the header shows a member's unread count (read from the member row: no extra query), and
  visitors see no notifications link;
* /notifications lists the lines with their links, newest first, in pages; "Mark as read" and
  "Mark all as read" are CSRF-protected forms; the page runs a fixed number of queries;
* /notifications/preferences shows every category, offers email only when the forum sends it,
  saves a choice and refuses a bad one with the form shown again;
* the thread page offers Follow and Mute, the topic page Follow, and the forms do what they say;
* visitors are sent to log in from every page and form; the account page links to preferences.
"""

import re
from html import unescape

import pytest

from tests.factories import form_token, post_form
from tests.notifications.conftest import API, comment, lines, ok

UNREAD_BADGE = re.compile(r'href="/notifications"[^>]*>Notifications <span class="badge">(\d+)<')


def submit(browser, page: str, action: str, containing: str = "", **fields: str):
    """Submit the form that ``page`` shows posting to ``action`` (the first holding ``containing``), with the
    hidden fields it carries, its CSRF token among them, the way a browser does."""
    html = browser.get(page).text
    forms = re.findall(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    chosen = [form for form in forms if containing in form]
    assert chosen, f"no form posting to {action} on {page}"
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', chosen[0]))
    return browser.post(action, data={name: unescape(value) for name, value in hidden.items()} | fields)


def _badge(html: str) -> int | None:
    match = UNREAD_BADGE.search(html)
    return int(match.group(1)) if match else None


@pytest.fixture
def amara(factory):
    return factory.member(display_name="Amara Okafor")


@pytest.fixture
def browser(client, factory, amara):
    return factory.login(client, amara)


def _replies_on_new_threads(factory, author, count: int) -> None:
    replier = factory.member(display_name="Hector Villanueva")
    for number in range(count):
        factory.comment(replier, factory.thread(author, title=f"Thread for the list, number {number}"))


# --- the header --------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_and_visitors_see_no_link(client, factory, amara, make_client) -> None:
    visitor = make_client()
    assert 'href="/notifications"' not in visitor.get("/").text
    browser = factory.login(client, amara)
    assert _badge(browser.get("/").text) is None
    assert 'href="/notifications"' in browser.get("/").text

    _replies_on_new_threads(factory, amara, 2)
    assert _badge(browser.get("/").text) == 2
    assert submit(browser, "/notifications", "/notifications/read", 'name="all"').status_code == 303
    assert _badge(browser.get("/").text) is None


def test_the_unread_count_costs_the_header_no_query(client, factory, amara, count_queries) -> None:
    browser = factory.login(client, amara)
    with count_queries() as before:
        assert browser.get("/guidelines").status_code == 200
    _replies_on_new_threads(factory, amara, 3)
    with count_queries() as after:
        page = browser.get("/guidelines")
    assert _badge(page.text) == 3
    assert after.count == before.count


# --- the list ----------------------------------------------------------------------------


def test_the_list_links_each_line_and_marks_one_or_all_read(browser, factory, amara) -> None:
    replier = factory.member(display_name="Hector Villanueva")
    first = factory.thread(amara, title="Working with a friend's partner")
    second = factory.thread(amara, title="Receipts for cash sessions")
    reply = factory.comment(replier, first)
    factory.comment(replier, second)

    page = browser.get("/notifications")
    assert page.status_code == 200
    assert page.text.index("Receipts for cash sessions") < page.text.index("Working with a friend&#39;s partner")
    assert f'href="/comments/{reply.id}"' in page.text
    assert page.text.count("Mark as read</button>") == 2

    [older_id] = re.findall(r'name="notification_id" value="(\d+)"', page.text)[1:]
    marked = submit(browser, "/notifications", "/notifications/read", f'name="notification_id" value="{older_id}"')
    assert marked.headers["location"] == "/notifications"
    page = browser.get("/notifications").text
    assert page.count("Mark as read</button>") == 1
    assert f'name="notification_id" value="{older_id}"' not in page
    submit(browser, "/notifications", "/notifications/read", 'name="all"')
    page = browser.get("/notifications")
    assert "Mark as read</button>" not in page.text and "Mark all as read" not in page.text


def test_marking_read_needs_the_forms_csrf_token(browser, factory, amara) -> None:
    _replies_on_new_threads(factory, amara, 1)
    response = browser.post("/notifications/read", data={"all": "1"})
    assert response.status_code == 403
    response = browser.post("/notifications/read", data={"all": "1", "csrf_token": "forged"})
    assert response.status_code == 403
    assert _badge(browser.get("/").text) == 1


@pytest.mark.parametrize("data", [{}, {"notification_id": "first"}, {"notification_id": "0"}])
def test_a_mark_read_form_without_a_line_is_refused(browser, factory, amara, data) -> None:
    _replies_on_new_threads(factory, amara, 1)
    assert post_form(browser, "/notifications/read", data).status_code == 422
    assert _badge(browser.get("/").text) == 1


def test_the_list_pages_and_runs_a_fixed_number_of_queries(browser, factory, amara, count_queries) -> None:
    _replies_on_new_threads(factory, amara, 3)
    with count_queries() as few:
        assert browser.get("/notifications").status_code == 200
    _replies_on_new_threads(factory, amara, 25)
    with count_queries() as many:
        page = browser.get("/notifications")
    assert many.count == few.count
    assert page.text.count('class="thread-row"') == 25
    [older] = re.findall(r'href="(/notifications\?cursor=[^"]+)"', page.text)
    assert browser.get(older).text.count('class="thread-row"') == 3


# --- preferences -------------------------------------------------------------------------


def test_the_preferences_page_saves_a_choice(browser, factory, amara) -> None:
    page = browser.get("/notifications/preferences")
    assert page.status_code == 200
    assert page.text.count('type="radio"') == 5 * 2  # off, on the site: this forum sends no email
    assert "does not send email" in page.text
    saved = submit(browser, "/notifications/preferences", "/notifications/preferences", replies="off")
    assert saved.headers["location"] == "/notifications/preferences?saved=true"
    page = browser.get("/notifications/preferences?saved=true")
    assert "Your preferences are saved." in page.text
    assert re.search(r'name="replies" value="off" checked', page.text)
    prefs = ok(browser.get(f"{API}/notifications/preferences", headers=factory.headers(amara)))
    assert prefs["categories"]["replies"] == "off"


@pytest.mark.parametrize(("choice", "message"), [("loudly", "Input should be"), ("email", "does not send email")])
def test_the_preferences_page_refuses_a_bad_choice(browser, factory, amara, choice, message) -> None:
    response = submit(browser, "/notifications/preferences", "/notifications/preferences", mentions=choice)
    assert response.status_code == 422
    assert message in response.text
    prefs = ok(browser.get(f"{API}/notifications/preferences", headers=factory.headers(amara)))
    assert prefs["categories"]["mentions"] == "site"


def test_the_preferences_page_offers_email_when_the_forum_sends_it(build_mail_app, database) -> None:
    world = build_mail_app()
    member = world.factory.member()
    browser = world.factory.login(world.client, member)
    page = browser.get("/notifications/preferences")
    assert page.text.count('type="radio"') == 5 * 4
    assert (
        post_form(browser, "/notifications/preferences", {"mentions": "email", "replies": "digest"}).status_code == 303
    )
    categories = ok(browser.get(f"{API}/notifications/preferences", headers=world.factory.headers(member)))[
        "categories"
    ]
    assert (categories["mentions"], categories["replies"]) == ("email", "digest")


def test_the_account_page_links_to_the_preferences(browser) -> None:
    assert 'href="/notifications/preferences"' in browser.get("/account").text


# --- following and muting from the pages -------------------------------------------------


def test_the_thread_page_follows_mutes_and_undoes_both(browser, factory, amara, client) -> None:
    thread = factory.thread(factory.member(), audience="public")
    path = f"/threads/{thread.id}"
    shown = f"{path}?order=oldest"  # a page, so never sent on to the first unread comment
    page = browser.get(shown).text
    assert f'action="{path}/follow"' in page and f'action="{path}/mute"' in page

    assert submit(browser, shown, f"{path}/follow").headers["location"] == path
    page = browser.get(shown).text
    assert "You follow this thread." in page and f'action="{path}/unfollow"' in page
    factory.comment(factory.member(), thread)
    assert len(lines(browser, factory.headers(amara))) == 1

    submit(browser, shown, f"{path}/mute")
    page = browser.get(shown).text
    assert "You muted this thread" in page and f'action="{path}/unmute"' in page and f'action="{path}/mute"' not in page
    submit(browser, shown, f"{path}/unmute")
    assert f'action="{path}/follow"' in browser.get(shown).text
    submit(browser, shown, f"{path}/follow")
    submit(browser, shown, f"{path}/unfollow")
    assert ok(client.post(f"{API}/threads/{thread.id}/follow", headers=factory.headers(amara)))["state"] == "following"


def test_the_topic_page_follows_a_topic(browser, factory, amara) -> None:
    page = browser.get("/topics/boundaries").text
    assert 'action="/topics/boundaries/follow"' in page
    assert submit(browser, "/topics/boundaries", "/topics/boundaries/follow").headers["location"] == (
        "/topics/boundaries"
    )
    assert "You follow this topic." in browser.get("/topics/boundaries").text
    factory.thread(factory.member(), title="Boundaries with a neighbour who books sessions")
    assert [line["kind"] for line in lines(browser, factory.headers(amara))] == ["new_thread"]
    submit(browser, "/topics/boundaries", "/topics/boundaries/unfollow")
    assert 'action="/topics/boundaries/follow"' in browser.get("/topics/boundaries").text


def test_visitors_see_no_controls_and_are_sent_to_log_in(client, factory) -> None:
    thread = factory.thread(factory.member(), audience="public")
    assert "/follow" not in client.get(f"/threads/{thread.id}").text
    assert "/follow" not in client.get("/topics/boundaries").text
    for path in ("/notifications", "/notifications/preferences"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    token = form_token(client, "/login")
    for path in (
        "/notifications/read",
        "/notifications/preferences",
        f"/threads/{thread.id}/follow",
        f"/threads/{thread.id}/mute",
        "/topics/boundaries/follow",
    ):
        response = client.post(path, data={"csrf_token": token, "all": "1"})
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_a_thread_the_member_cannot_see_cannot_be_followed_from_a_page(browser, factory) -> None:
    thread = factory.thread(factory.member())
    moderator = factory.headers(factory.member(role="moderator"))
    body = {"action": "remove", "reason": "Could identify a client"}
    ok(browser.post(f"{API}/moderation/threads/{thread.id}/actions", headers=moderator, json=body))
    assert post_form(browser, f"/threads/{thread.id}/follow").status_code == 404
    assert post_form(browser, "/topics/no-such-topic/follow").status_code == 404


def test_a_comment_form_reply_reaches_the_author(browser, factory, amara, client) -> None:
    author = factory.member(display_name="June Nakamura")
    thread = factory.thread(author, title="Massage for a family member")
    assert post_form(browser, f"/threads/{thread.id}/comments", {"body": "I would refer them on."}).status_code == 303
    [line] = lines(client, factory.headers(author))
    assert line["text"] == "Amara Okafor replied in “Massage for a family member”"
    comment(client, factory.headers(author), thread.id, "Thank you.")
    assert _badge(browser.get("/").text) == 1
