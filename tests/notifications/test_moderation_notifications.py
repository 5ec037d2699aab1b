"""What moderation tells members: the outcome of their reports, and warnings, suspensions and bans.

What this file proves:

* when a moderator resolves a review item, every member whose report it closes is told the
  outcome, with the thread named while they may still read it; the moderator is never named,
  the reported author is not told of the reports, and automatic flags tell nobody;
* a warning, a suspension (with its end) and a ban each tell the member, with the
  moderators' reason; a banned member finds the line when they are let back in.
"""

from datetime import datetime

from forum.kit.humanize import exact_time
from tests.factories import PASSWORD
from tests.notifications.conftest import API, comment, lines, moderate, ok

REASON = "Checked against the community guidelines."


def _report(client, headers, target_type: str, target_id: int, reason: str = "off_topic") -> None:
    body = {"target_type": target_type, "target_id": target_id, "reason": reason}
    ok(client.post(f"{API}/reports", headers=headers, json=body), 201)


def _item_about(client, moderator, target_type: str, target_id: int) -> int:
    items = ok(client.get(f"{API}/moderation/queue", headers=moderator))["items"]
    [item] = [i for i in items if (i["target_type"], i["target_id"]) == (target_type, target_id)]
    return item["id"]


def test_every_reporter_is_told_the_outcome_and_nobody_else(client, factory) -> None:
    author, first, second, moderator = (
        factory.member(display_name="Gideon Farrow"),
        factory.member(),
        factory.member(),
        factory.member(role="moderator"),
    )
    thread = factory.thread(factory.member(), title="Should I tell the clinic owner?", audience="public")
    reported = comment(client, factory.headers(author), thread.id, "Off-topic advertising.")
    for reporter in (first, second):
        _report(client, factory.headers(reporter), "comment", reported["id"])
    mod = factory.headers(moderator)
    moderate(client, mod, f"items/{_item_about(client, mod, 'comment', reported['id'])}", "hide")

    for reporter in (first, second):
        [line] = lines(client, factory.headers(reporter))
        assert line["kind"] == "report_outcome"
        assert line["text"] == (
            "Your report about a comment in “Should I tell the clinic owner?” was reviewed. Action taken: hidden."
        )
        assert line["link"] == "/reports"
        assert line["actor"] is None
    assert lines(client, factory.headers(author)) == []
    assert lines(client, mod) == []


def test_a_dismissed_report_about_a_thread_and_one_about_a_member(client, factory) -> None:
    reporter, other, moderator = factory.member(), factory.member(), factory.member(role="moderator")
    thread = factory.thread(other, title="Sharing a room with another therapist")
    headers, mod = factory.headers(reporter), factory.headers(moderator)
    _report(client, headers, "thread", thread.id)
    _report(client, headers, "user", other.id, reason="harassment")
    moderate(client, mod, f"items/{_item_about(client, mod, 'thread', thread.id)}", "dismiss")
    moderate(client, mod, f"items/{_item_about(client, mod, 'user', other.id)}", "warn")

    about_member, about_thread = lines(client, headers)
    assert about_thread["text"] == (
        "Your report about “Sharing a room with another therapist” was reviewed. "
        "Reviewed: the moderators found nothing to act on."
    )
    assert about_member["text"] == "Your report about a member was reviewed. Action taken: warned."
    assert about_member["thread_id"] is None


def test_a_report_outcome_does_not_name_a_thread_the_reporter_can_no_longer_read(client, factory) -> None:
    reporter, moderator = factory.member(), factory.member(role="moderator")
    thread = factory.thread(factory.member(), title="A title that will be removed")
    _report(client, factory.headers(reporter), "thread", thread.id, reason="confidentiality")
    mod = factory.headers(moderator)
    moderate(client, mod, f"items/{_item_about(client, mod, 'thread', thread.id)}", "remove")
    [line] = lines(client, factory.headers(reporter))
    assert line["text"] == ("Your report about a thread you can no longer see was reviewed. Action taken: removed.")


def test_automatic_flags_tell_nobody_when_resolved(client, factory) -> None:
    author, moderator = factory.member(), factory.member(role="moderator")
    thread = factory.thread(factory.member())
    held = comment(
        client, factory.headers(author), thread.id, "Call her on 555-867-5309 if she cancels.", confirm_identifiers=True
    )
    mod = factory.headers(moderator)
    moderate(client, mod, f"items/{_item_about(client, mod, 'comment', held['id'])}", "remove")
    assert [line["kind"] for line in lines(client, mod)] == []
    assert lines(client, factory.headers(author)) == []  # removal is not a notification kind of its own


def test_a_warning_tells_the_member_with_the_reason_and_never_names_the_moderator(client, factory) -> None:
    member, moderator = factory.member(), factory.member(role="moderator")
    moderate(client, factory.headers(moderator), f"users/{member.id}", "warn")
    [line] = lines(client, factory.headers(member))
    assert (line["kind"], line["text"], line["link"], line["actor"]) == (
        "warning",
        f"A moderator warned you: {REASON}",
        "/account",
        None,
    )


def test_a_suspension_tells_the_member_until_when(client, factory) -> None:
    member, moderator = factory.member(), factory.member(role="moderator")
    moderate(client, factory.headers(moderator), f"users/{member.id}", "suspend", duration_days=7)
    token = ok(client.post(f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    until = datetime.fromisoformat(ok(client.get(f"{API}/me", headers=headers))["suspended_until"])
    [line] = lines(client, headers)
    assert (line["kind"], line["text"]) == (
        "suspension",
        f"Your account is suspended until {exact_time(until)}. The moderators' reason: {REASON}",
    )


def test_a_banned_member_finds_the_ban_when_let_back_in(client, factory) -> None:
    member, moderator = factory.member(), factory.member(role="moderator")
    mod = factory.headers(moderator)
    moderate(client, mod, f"users/{member.id}", "ban")
    assert client.post(f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}).status_code == 403
    moderate(client, mod, f"users/{member.id}", "lift")
    token = ok(client.post(f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}))["access_token"]
    assert [(line["kind"], line["text"]) for line in lines(client, {"Authorization": f"Bearer {token}"})] == [
        ("ban", f"Your account has been banned. The moderators' reason: {REASON}")
    ]
