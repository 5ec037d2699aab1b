"""@mentions and handles: how a mention renders, and who it tells.

What this file proves:

* every member gets a handle made from their display name when they join ("Priya Raman" is
  ``priya-raman``, the next one ``priya-raman-2``; accents dropped), shown by the API;
* ``@handle`` becomes a link to the member's page in the rendered post, in any letter case;
  unknown handles, handles inside code and email addresses stay plain text, and the sanitiser
  still has the last word;
* a mention tells the member mentioned, in a comment or a new thread, even in a thread they
  muted, once per post (an edit that adds a mention tells the newcomer only); never the author,
  never a member who cannot see the thread, and a held post's mentions wait for its release;
* someone mentioned in a comment is not also told of it as a reply.
"""

import re

import pytest

from forum.accounts.models import Member
from forum.notifications.mentions import mentioned_handles
from tests.factories import Factory
from tests.notifications.conftest import API, comment, lines, moderate, ok, start_thread

PHONE_TEXT = "Call her on 555-867-5309 if she cancels again."


@pytest.fixture
def priya(factory: Factory) -> Member:
    return factory.member(display_name="Priya Raman")


@pytest.fixture
def hector(factory: Factory) -> Member:
    return factory.member(display_name="Hector Villanueva")


def _register(client, display_name: str, email: str) -> dict:
    payload = {"email": email, "password": "a long enough password", "display_name": display_name}
    return ok(client.post(f"{API}/auth/register", json=payload), 201)


# --- handles -----------------------------------------------------------------------------


def test_handles_are_made_from_display_names_with_a_number_when_taken(client) -> None:
    assert _register(client, "Priya Raman", "priya@example.org")["handle"] == "priya-raman"
    assert _register(client, "priya   RAMAN!", "priya2@example.org")["handle"] == "priya-raman-2"
    assert _register(client, "Priya Raman", "priya3@example.org")["handle"] == "priya-raman-3"
    assert _register(client, "José Núñez", "jose@example.org")["handle"] == "jose-nunez"
    assert _register(client, "李明", "li@example.org")["handle"] == "member"


def test_a_member_sees_their_own_handle(client, factory, priya) -> None:
    assert ok(client.get(f"{API}/me", headers=factory.headers(priya)))["handle"] == "priya-raman"


# --- rendering ---------------------------------------------------------------------------


def _body_html(client, factory, author: Member, thread_id: int, body: str) -> str:
    return comment(client, factory.headers(author), thread_id, body)["body_html"]


def test_a_mention_links_to_the_members_page_and_unknown_handles_stay_text(client, factory, priya, hector) -> None:
    thread = factory.thread(hector, audience="public")
    html = _body_html(client, factory, hector, thread.id, "Thanks @Priya-Raman, and @nobody-here too.")
    assert re.search(rf'<a href="/members/{priya.id}"[^>]*>@priya-raman</a>', html)
    assert "@nobody-here" in html
    assert html.count("<a ") == 1


def test_mentions_inside_code_stay_code_and_tell_nobody(client, factory, priya, hector) -> None:
    thread = factory.thread(hector, audience="public")
    body = "Inline `@priya-raman` here.\n\n```\n@priya-raman in a block\n```"
    html = _body_html(client, factory, hector, thread.id, body)
    assert f"/members/{priya.id}" not in html
    assert "<code>@priya-raman</code>" in html
    assert lines(client, factory.headers(priya)) == []


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("write to priya-raman@example.org", set()),
        ("see example.org/@priya-raman", set()),
        ("(@priya-raman) and @hector-villanueva.", {"priya-raman", "hector-villanueva"}),
        ("@priya-raman-", set()),
        ("@PRIYA-RAMAN's point", {"priya-raman"}),
    ],
)
def test_what_counts_as_a_mention(text: str, handles: set[str]) -> None:
    """The confidentiality check refuses posts with email addresses, so this rule is checked on its own."""
    assert mentioned_handles(text) == handles


def test_the_sanitiser_keeps_the_last_word_around_a_mention(client, factory, priya, hector) -> None:
    thread = factory.thread(hector, audience="public")
    html = _body_html(
        client, factory, hector, thread.id, "@priya-raman<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<script" not in html and 'href="javascript' not in html
    assert f'href="/members/{priya.id}"' in html


# --- who a mention tells -----------------------------------------------------------------


def test_a_mention_in_a_comment_tells_the_member_mentioned(client, factory, priya, hector) -> None:
    thread = factory.thread(factory.member(), title="Hugging clients goodbye")
    written = comment(client, factory.headers(hector), thread.id, "@priya-raman has written about this.")
    [line] = lines(client, factory.headers(priya))
    assert line["kind"] == "mention"
    assert line["text"] == "Hector Villanueva mentioned you in “Hugging clients goodbye”"
    assert line["link"] == f"/comments/{written['id']}"


def test_a_mention_in_a_new_thread_tells_the_member_mentioned(client, factory, priya, hector) -> None:
    thread = start_thread(client, factory.headers(hector), "Advice wanted from @priya-raman", "Asking @priya-raman.")
    [line] = lines(client, factory.headers(priya))
    assert (line["kind"], line["link"]) == ("mention", f"/threads/{thread['id']}")


def test_mentioning_oneself_or_nobody_tells_nobody(client, factory, priya) -> None:
    thread = factory.thread(factory.member())
    comment(client, factory.headers(priya), thread.id, "As I (@priya-raman) said, ask @no-such-member.")
    assert lines(client, factory.headers(priya)) == []


def test_a_mention_in_a_thread_the_member_cannot_see_tells_nobody(client, factory, priya, hector) -> None:
    thread = factory.thread(hector)
    moderate(client, factory.headers(factory.member(role="moderator")), f"threads/{thread.id}", "hide")
    comment(client, factory.headers(hector), thread.id, "@priya-raman, what do you think?")  # the author still may
    assert lines(client, factory.headers(priya)) == []


def test_a_mention_reaches_a_member_who_muted_the_thread(client, factory, priya, hector) -> None:
    thread = factory.thread(priya)
    ok(client.post(f"{API}/threads/{thread.id}/mute", headers=factory.headers(priya)))
    comment(client, factory.headers(hector), thread.id, "A plain reply.")
    comment(client, factory.headers(hector), thread.id, "But @priya-raman, one question.")
    assert [line["kind"] for line in lines(client, factory.headers(priya))] == ["mention"]


def test_a_member_mentioned_in_a_reply_gets_the_mention_only(client, factory, priya, hector) -> None:
    thread = factory.thread(priya)
    comment(client, factory.headers(hector), thread.id, "@priya-raman, this is for you.")
    assert [line["kind"] for line in lines(client, factory.headers(priya))] == ["mention"]


def test_an_edit_that_adds_a_mention_tells_only_the_newcomer_once(client, factory, priya, hector) -> None:
    june = factory.member(display_name="June Nakamura")
    thread = factory.thread(factory.member())
    written = comment(client, factory.headers(hector), thread.id, "Asking @june-nakamura.")
    edit = f"{API}/comments/{written['id']}"
    body = {"body": "Asking @june-nakamura and @priya-raman."}
    ok(client.patch(edit, headers=factory.headers(hector), json=body))
    ok(client.patch(edit, headers=factory.headers(hector), json={"body": body["body"] + " (edited again)"}))
    assert [line["kind"] for line in lines(client, factory.headers(priya))] == ["mention"]
    assert [line["kind"] for line in lines(client, factory.headers(june))] == ["mention"]


def test_a_held_posts_mention_waits_for_its_release(client, factory, priya, hector) -> None:
    moderator = factory.headers(factory.member(role="moderator"))
    thread = factory.thread(factory.member())
    held = comment(client, factory.headers(hector), thread.id, f"@priya-raman: {PHONE_TEXT}", confirm_identifiers=True)
    assert lines(client, factory.headers(priya)) == []
    [item] = ok(client.get(f"{API}/moderation/queue", headers=moderator))["items"]
    assert item["target_id"] == held["id"]
    moderate(client, moderator, f"items/{item['id']}", "dismiss")
    assert [line["kind"] for line in lines(client, factory.headers(priya))] == ["mention"]
