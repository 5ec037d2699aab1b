"""Moderation of members, proved through HTTP (the JSON API and the pages).

- A warning reaches the member on their next page and through the API, goes once they have
  read it, and an undo retracts it before they do.
- A suspension ends every session and token; a suspended member who logs in again can read
  but not post, comment or report, is told why and until when, and a lift (or an undo of the
  suspension) lets them take part again; an undo of the lift suspends them again.
- A ban keeps the member out of the login form and the token endpoint until it is lifted.
- A bad suspension length is refused and changes nothing.
- Ranks: moderators act on members only, admins on moderators too, nobody on themselves, and
  only admins appoint or remove moderators (from the API and from the profile page's tools).
- A member action taken from a review item falls on the author of the reported post and
  resolves the item; a moderator does not judge an item about themselves.
- The audit log records every step of a scenario, with actors, reasons and states, and the
  public transparency log shows the decisions without reports, claims or reporters.
"""

from datetime import datetime, timedelta
from html import escape

import pytest
from fastapi.testclient import TestClient

from forum.kit.humanize import exact_time
from forum.kit.time import utcnow
from tests.factories import PASSWORD, post_form

API = "/api/v1"
LOG = f"{API}/moderation/log"
QUEUE = f"{API}/moderation/queue"
WARNING_BANNER = "A message from the moderators"


# --- helpers -------------------------------------------------------------------------


def _member_action(client, headers, member_id: int, action: str, reason: str = "Repeated personal attacks", **extra):
    return client.post(
        f"{API}/moderation/users/{member_id}/actions",
        headers=headers,
        json={"action": action, "reason": reason, **extra},
    )


def _item_action(client, headers, item_id: int, action: str, reason: str | None = "Looked at it carefully", **extra):
    body = {"action": action, **extra}
    if reason is not None:
        body["reason"] = reason
    return client.post(f"{API}/moderation/items/{item_id}/actions", headers=headers, json=body)


def _undo(client, headers, event_id: int, reason: str = "That was a mistake"):
    return client.post(f"{LOG}/{event_id}/undo", headers=headers, json={"reason": reason})


def _log(client, headers, **filters) -> list[dict]:
    response = client.get(LOG, headers=headers, params=filters)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _api_login(client, member) -> dict[str, str]:
    """A fresh token from the token endpoint, the way an API client logs in."""
    response = client.post(f"{API}/auth/token", json={"email": member.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _me(client, headers) -> dict:
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _new_thread(client, headers, title: str = "Draping for a seated session"):
    return client.post(
        f"{API}/threads",
        headers=headers,
        json={"title": title, "body": "How do you drape for seated work?", "tags": ["boundaries"]},
    )


def _new_comment(client, headers, thread_id: int):
    return client.post(f"{API}/threads/{thread_id}/comments", headers=headers, json={"body": "A reply of mine."})


def _report(client, headers, target_type: str, target_id: int, reason: str = "harassment", **extra):
    return client.post(
        f"{API}/reports",
        headers=headers,
        json={"target_type": target_type, "target_id": target_id, "reason": reason, **extra},
    )


def _is_visitor_page(page) -> bool:
    """The page header offers a login, and no logout form: nobody is logged in."""
    return (
        page.status_code == 200 and '<a href="/login">Log in</a>' in page.text and 'action="/logout"' not in page.text
    )


def _comment_form(thread_id: int) -> str:
    return f'action="/threads/{thread_id}/comments"'


def _suspension_message(until: datetime, reason: str) -> str:
    return f"Your account is suspended until {exact_time(until)}. The moderators&#39; reason: {escape(reason)}"


@pytest.fixture
def moderator(factory):
    return factory.member(role="moderator")


@pytest.fixture
def admin(factory):
    return factory.member(role="admin")


# --- 1. warnings ---------------------------------------------------------------------


def test_a_warning_shows_on_the_next_page_until_the_member_has_read_it(client, factory, make_client, moderator):
    member = factory.member()
    browser = factory.login(make_client(), member)
    member_headers = factory.headers(member)
    assert WARNING_BANNER not in browser.get("/").text

    warned = _member_action(client, factory.headers(moderator), member.id, "warn", "Please keep client names out")
    assert warned.status_code == 200, warned.text
    assert warned.json()["action"] == "warn"
    assert warned.json()["subject_id"] == member.id

    page = browser.get("/")
    assert WARNING_BANNER in page.text
    assert "Please keep client names out" in page.text
    assert WARNING_BANNER in browser.get("/topics").text  # every page, not just the home page
    warnings = client.get(f"{API}/me/warnings", headers=member_headers).json()
    assert [w["message"] for w in warnings] == ["Please keep client names out"]
    assert _me(client, member_headers)["warning_pending"] is True

    seen = post_form(browser, "/warnings/seen", {"next": "/topics"})
    assert seen.status_code == 303
    assert seen.headers["location"] == "/topics"
    page = browser.get("/")
    assert WARNING_BANNER not in page.text
    assert "Please keep client names out" not in page.text
    assert client.get(f"{API}/me/warnings", headers=member_headers).json() == []
    assert _me(client, member_headers)["warning_pending"] is False


def test_undoing_an_unread_warning_retracts_it(client, factory, make_client, moderator):
    member = factory.member()
    browser = factory.login(make_client(), member)
    member_headers = factory.headers(member)
    moderator_headers = factory.headers(moderator)
    warn = _member_action(client, moderator_headers, member.id, "warn", "Mind the tone in threads").json()
    assert "Mind the tone in threads" in browser.get("/").text

    undone = _undo(client, moderator_headers, warn["id"], "Warned the wrong member")
    assert undone.status_code == 200, undone.text
    assert undone.json()["action"] == "undo"
    assert undone.json()["undoes_event_id"] == warn["id"]

    page = browser.get("/")
    assert WARNING_BANNER not in page.text
    assert "Mind the tone in threads" not in page.text
    assert client.get(f"{API}/me/warnings", headers=member_headers).json() == []
    assert _me(client, member_headers)["warning_pending"] is False
    assert _undo(client, moderator_headers, warn["id"]).status_code == 409  # once only


def test_an_undo_retracts_only_its_own_warning(client, factory, make_client, moderator):
    member = factory.member()
    browser = factory.login(make_client(), member)
    headers = factory.headers(moderator)
    first = _member_action(client, headers, member.id, "warn", "First warning text").json()
    _member_action(client, headers, member.id, "warn", "Second warning text")

    assert _undo(client, headers, first["id"]).status_code == 200
    page = browser.get("/")
    assert "First warning text" not in page.text
    assert WARNING_BANNER in page.text
    assert "Second warning text" in page.text
    messages = [w["message"] for w in client.get(f"{API}/me/warnings", headers=factory.headers(member)).json()]
    assert messages == ["Second warning text"]


# --- 2. suspensions ------------------------------------------------------------------


def test_a_suspension_ends_the_members_sessions_and_tokens(client, factory, make_client, moderator):
    member = factory.member()
    browser = factory.login(make_client(), member)
    old_token = factory.headers(member)
    assert _me(client, old_token)["id"] == member.id
    assert not _is_visitor_page(browser.get("/"))

    suspended = _member_action(
        client, factory.headers(moderator), member.id, "suspend", "Shared a client's details", duration_days=7
    )
    assert suspended.status_code == 200, suspended.text

    assert client.get(f"{API}/me", headers=old_token).status_code == 401
    assert _is_visitor_page(browser.get("/"))
    account = browser.get("/account")
    assert account.status_code == 303
    assert account.headers["location"].startswith("/login")


SUSPENSION_REASON = "Shared identifying details about a client"


@pytest.fixture
def suspended(client, factory, moderator):
    """A member suspended for 7 days who has logged in again, and a thread with a comment by someone else."""
    member = factory.member()
    other = factory.member()
    thread = factory.thread(other, title="Working with a frozen shoulder")
    comment = factory.comment(other, thread)
    started = utcnow().replace(microsecond=0)
    event = _member_action(
        client, factory.headers(moderator), member.id, "suspend", SUSPENSION_REASON, duration_days=7
    ).json()
    finished = utcnow()
    headers = _api_login(client, member)  # a suspended member may still log in
    until = datetime.fromisoformat(_me(client, headers)["suspended_until"])
    assert started + timedelta(days=7) <= until <= finished + timedelta(days=7)
    return {"member": member, "headers": headers, "until": until, "event": event, "thread": thread, "comment": comment}


def test_a_suspended_member_can_still_read_and_sees_their_standing(client, suspended):
    headers, thread, until = suspended["headers"], suspended["thread"], suspended["until"]
    me = _me(client, headers)
    assert me["standing_reason"] == SUSPENSION_REASON
    assert suspended["event"]["state_before"] == "active"
    assert suspended["event"]["state_after"] == f"suspended until {until.isoformat(timespec='seconds')}"
    assert client.get(f"{API}/threads/{thread.id}", headers=headers).status_code == 200
    comments = client.get(f"{API}/threads/{thread.id}/comments", headers=headers).json()["items"]
    assert [c["id"] for c in comments] == [suspended["comment"].id]


@pytest.mark.parametrize("attempt", ["start a thread", "comment", "report"])
def test_a_suspended_member_may_not_take_part_and_is_told_why_and_until_when(client, suspended, attempt):
    headers, thread = suspended["headers"], suspended["thread"]
    refused = {
        "start a thread": lambda: _new_thread(client, headers),
        "comment": lambda: _new_comment(client, headers, thread.id),
        "report": lambda: _report(client, headers, "comment", suspended["comment"].id),
    }[attempt]()
    assert refused.status_code == 403, refused.text
    detail = refused.json()["detail"]
    assert "suspended until" in detail
    assert SUSPENSION_REASON in detail
    assert exact_time(suspended["until"]) in detail


def test_a_suspended_member_sees_a_banner_and_no_comment_form(client, factory, make_client, suspended):
    thread = suspended["thread"]
    browser = factory.login(make_client(), suspended["member"])
    message = _suspension_message(suspended["until"], SUSPENSION_REASON)
    home = browser.get("/")
    assert home.status_code == 200
    assert message in home.text
    thread_page = browser.get(f"/threads/{thread.id}")
    assert thread_page.status_code == 200
    assert "Working with a frozen shoulder" in thread_page.text
    assert _comment_form(thread.id) not in thread_page.text
    assert f'<p class="notice">{message}</p>' in thread_page.text
    refused_form = post_form(browser, f"/threads/{thread.id}/comments", {"body": "Posted through the page."})
    assert refused_form.status_code == 403
    comments = client.get(f"{API}/threads/{thread.id}/comments", headers=suspended["headers"]).json()["items"]
    assert [c["id"] for c in comments] == [suspended["comment"].id]


def test_lifting_a_suspension_lets_the_member_take_part_again(client, factory, make_client, moderator):
    member = factory.member()
    thread = factory.thread(factory.member())
    moderator_headers = factory.headers(moderator)
    _member_action(client, moderator_headers, member.id, "suspend", duration_days=3)
    headers = _api_login(client, member)
    browser = factory.login(make_client(), member)
    assert _new_thread(client, headers).status_code == 403

    lifted = _member_action(client, moderator_headers, member.id, "lift", "Suspended by mistake")
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["state_after"] == "active"

    me = _me(client, headers)  # lifting ends no session: the token still works
    assert me["suspended_until"] is None
    assert me["standing_reason"] == ""
    assert _new_thread(client, headers).status_code == 201
    assert _new_comment(client, headers, thread.id).status_code == 201
    assert "suspended until" not in browser.get("/").text
    assert _comment_form(thread.id) in browser.get(f"/threads/{thread.id}").text
    # Nothing left to lift.
    assert _member_action(client, moderator_headers, member.id, "lift").status_code == 409


def test_undoing_a_suspension_lifts_it(client, factory, moderator):
    member = factory.member()
    moderator_headers = factory.headers(moderator)
    suspend = _member_action(client, moderator_headers, member.id, "suspend", duration_days=10).json()

    undone = _undo(client, moderator_headers, suspend["id"], "Suspended the wrong member")
    assert undone.status_code == 200, undone.text
    assert (undone.json()["state_before"], undone.json()["state_after"]) == (suspend["state_after"], "active")

    headers = _api_login(client, member)
    assert _me(client, headers)["suspended_until"] is None
    assert _new_thread(client, headers).status_code == 201


def test_undoing_a_lift_suspends_again_until_the_same_moment(client, factory, moderator):
    member = factory.member()
    moderator_headers = factory.headers(moderator)
    suspend = _member_action(client, moderator_headers, member.id, "suspend", "Spam links", duration_days=5).json()
    headers = _api_login(client, member)
    until = _me(client, headers)["suspended_until"]
    lift = _member_action(client, moderator_headers, member.id, "lift", "Appeal accepted").json()
    assert _me(client, headers)["suspended_until"] is None

    undone = _undo(client, moderator_headers, lift["id"], "The appeal was a misunderstanding")
    assert undone.status_code == 200, undone.text
    assert undone.json()["state_after"] == suspend["state_after"]

    assert client.get(f"{API}/me", headers=headers).status_code == 401  # suspended again: tokens end again
    headers = _api_login(client, member)
    me = _me(client, headers)
    assert me["suspended_until"] == until
    refused = _new_thread(client, headers)
    assert refused.status_code == 403
    assert "suspended until" in refused.json()["detail"]


# --- 3. bans -------------------------------------------------------------------------


def test_a_ban_keeps_the_member_out_until_it_is_lifted(client, factory, make_client, moderator):
    member = factory.member()
    browser = factory.login(make_client(), member)
    old_token = factory.headers(member)
    moderator_headers = factory.headers(moderator)
    reason = "Threatened another member"

    banned = _member_action(client, moderator_headers, member.id, "ban", reason)
    assert banned.status_code == 200, banned.text
    assert (banned.json()["state_before"], banned.json()["state_after"]) == ("active", "banned")

    assert client.get(f"{API}/me", headers=old_token).status_code == 401
    assert _is_visitor_page(browser.get("/"))
    login = post_form(make_client(), "/login", {"email": member.email, "password": PASSWORD, "next": "/"})
    assert login.status_code == 403
    assert "banned" in login.text
    assert escape(reason) in login.text
    assert "forum_session" not in login.cookies
    token = client.post(f"{API}/auth/token", json={"email": member.email, "password": PASSWORD})
    assert token.status_code == 403
    assert reason in token.json()["detail"]
    # A wrong password learns nothing about the ban.
    wrong = client.post(f"{API}/auth/token", json={"email": member.email, "password": "not the password at all"})
    assert wrong.status_code == 401
    assert reason not in wrong.text

    assert _member_action(client, moderator_headers, member.id, "lift", "Ban appealed").status_code == 200
    factory.login(make_client(), member)  # asserts the 303 of a successful login
    headers = _api_login(client, member)
    assert _new_thread(client, headers).status_code == 201


# --- 4. bad durations ----------------------------------------------------------------


@pytest.mark.parametrize(
    "duration",
    [{"duration_days": 0}, {"duration_days": 10000}, {"duration_days": -1}, {"duration_days": "7"}, {}],
    ids=["zero", "too-long", "negative", "text", "missing"],
)
def test_a_bad_suspension_length_is_refused_and_changes_nothing(client, factory, moderator, duration):
    member = factory.member()
    member_headers = factory.headers(member)
    moderator_headers = factory.headers(moderator)

    refused = _member_action(client, moderator_headers, member.id, "suspend", **duration)
    assert refused.status_code == 422, refused.text
    assert "duration" in refused.text

    me = _me(client, member_headers)  # the token still works: nothing ended it
    assert me["suspended_until"] is None
    assert me["standing_reason"] == ""
    assert _log(client, moderator_headers, subject_id=member.id) == []
    assert _new_thread(client, member_headers).status_code == 201


def test_the_longest_allowed_suspension_is_accepted(client, factory, moderator):
    member = factory.member()
    response = _member_action(client, factory.headers(moderator), member.id, "suspend", duration_days=3650)
    assert response.status_code == 200, response.text
    until = datetime.fromisoformat(_me(client, _api_login(client, member))["suspended_until"])
    assert until - utcnow() > timedelta(days=3649)


# --- 5. ranks, and appointing moderators ---------------------------------------------


def test_moderators_act_on_members_only_and_never_on_themselves(client, factory, moderator, admin):
    other_moderator = factory.member(role="moderator")
    headers = factory.headers(moderator)
    for target in (other_moderator, admin, moderator):
        refused = _member_action(client, headers, target.id, "suspend", duration_days=2)
        assert refused.status_code == 403, f"{target.role}: {refused.text}"
        assert _member_action(client, headers, target.id, "warn").status_code == 403
    for target in (other_moderator, admin):
        me = _me(client, factory.headers(target))
        assert (me["suspended_until"], me["warning_pending"]) == (None, False)
    assert _me(client, headers)["suspended_until"] is None  # the refused self-suspension ended no token
    assert _log(client, headers, actor_id=moderator.id) == []


def test_an_admin_may_suspend_a_moderator_but_not_themselves(client, factory, moderator, admin):
    moderator_token = factory.headers(moderator)
    admin_headers = factory.headers(admin)
    assert _member_action(client, admin_headers, admin.id, "suspend", duration_days=2).status_code == 403

    suspended = _member_action(client, admin_headers, moderator.id, "suspend", duration_days=2)
    assert suspended.status_code == 200, suspended.text
    assert client.get(QUEUE, headers=moderator_token).status_code == 401
    headers = _api_login(client, moderator)
    assert _me(client, headers)["suspended_until"] is not None


def test_only_admins_appoint_and_remove_moderators(client, factory, moderator, admin):
    member = factory.member()
    member_headers = factory.headers(member)
    admin_headers = factory.headers(admin)
    other_moderator = factory.member(role="moderator")
    assert client.get(QUEUE, headers=member_headers).status_code == 403

    by_moderator = _member_action(client, factory.headers(moderator), member.id, "appoint_moderator")
    assert by_moderator.status_code == 403
    assert "admins" in by_moderator.json()["detail"]
    assert _member_action(client, factory.headers(moderator), other_moderator.id, "remove_moderator").status_code == 403
    assert client.get(QUEUE, headers=member_headers).status_code == 403

    appointed = _member_action(client, admin_headers, member.id, "appoint_moderator", "Trusted long-time member")
    assert appointed.status_code == 200, appointed.text
    assert (appointed.json()["state_before"], appointed.json()["state_after"]) == ("member", "moderator")
    assert _me(client, member_headers)["role"] == "moderator"
    assert client.get(QUEUE, headers=member_headers).status_code == 200

    again = _member_action(client, admin_headers, member.id, "appoint_moderator")
    assert again.status_code == 409
    assert "Nothing to do" in again.json()["detail"]

    removed = _member_action(client, admin_headers, member.id, "remove_moderator", "Stepped down")
    assert removed.status_code == 200, removed.text
    assert client.get(QUEUE, headers=member_headers).status_code == 403
    assert _member_action(client, admin_headers, member.id, "remove_moderator").status_code == 409


def test_undoing_an_appointment_takes_the_role_back(client, factory, moderator, admin):
    member = factory.member()
    member_headers = factory.headers(member)
    admin_headers = factory.headers(admin)
    appointed = _member_action(client, admin_headers, member.id, "appoint_moderator").json()
    assert client.get(QUEUE, headers=member_headers).status_code == 200

    # A moderator may not undo what only an admin may do.
    assert _undo(client, factory.headers(moderator), appointed["id"]).status_code == 403
    assert client.get(QUEUE, headers=member_headers).status_code == 200

    undone = _undo(client, admin_headers, appointed["id"], "Appointed too soon")
    assert undone.status_code == 200, undone.text
    assert (undone.json()["state_before"], undone.json()["state_after"]) == ("moderator", "member")
    assert _me(client, member_headers)["role"] == "member"
    assert client.get(QUEUE, headers=member_headers).status_code == 403


def test_the_profile_page_offers_moderator_tools_by_rank(factory, make_client, moderator, admin):
    member = factory.member()
    other_moderator = factory.member(role="moderator")
    tools = f'action="/moderation/users/{member.id}/actions"'

    as_member = factory.login(make_client(), factory.member()).get(f"/members/{member.id}")
    assert as_member.status_code == 200
    assert tools not in as_member.text

    as_moderator = factory.login(make_client(), moderator)
    page = as_moderator.get(f"/members/{member.id}").text
    assert tools in page
    assert 'value="warn"' in page
    assert 'value="suspend"' in page
    assert 'value="appoint_moderator"' not in page
    assert "/moderation/users/" not in as_moderator.get(f"/members/{other_moderator.id}").text
    assert "/moderation/users/" not in as_moderator.get(f"/members/{moderator.id}").text

    as_admin = factory.login(make_client(), admin)
    assert 'value="appoint_moderator"' in as_admin.get(f"/members/{member.id}").text
    moderator_page = as_admin.get(f"/members/{other_moderator.id}").text
    assert f'action="/moderation/users/{other_moderator.id}/actions"' in moderator_page
    assert 'value="remove_moderator"' in moderator_page


def test_the_profile_tools_form_acts_and_returns_to_the_profile(client, factory, make_client, moderator, admin):
    member = factory.member()
    member_token = factory.headers(member)
    profile = f"/members/{member.id}"
    browser = factory.login(make_client(), moderator)

    done = post_form(
        browser,
        f"/moderation/users/{member.id}/actions",
        {"action": "suspend", "duration_days": "2", "reason": "Advertising in every thread", "next": profile},
    )
    assert done.status_code == 303
    assert done.headers["location"] == profile
    page = browser.get(profile).text
    assert "Suspended until" in page
    assert "Advertising in every thread" in page
    assert client.get(f"{API}/me", headers=member_token).status_code == 401
    suspend = _log(client, factory.headers(moderator), subject_id=member.id, action="suspend")
    assert [(e["actor_id"], e["reason"]) for e in suspend] == [(moderator.id, "Advertising in every thread")]

    refused = post_form(
        browser,
        f"/moderation/users/{admin.id}/actions",
        {"action": "warn", "reason": "Moderators do not warn admins", "next": f"/members/{admin.id}"},
    )
    assert refused.status_code == 403
    assert _me(client, factory.headers(admin))["warning_pending"] is False

    admin_browser = factory.login(make_client(), admin)
    other = factory.member()
    appointed = post_form(
        admin_browser,
        f"/moderation/users/{other.id}/actions",
        {"action": "appoint_moderator", "reason": "Trusted long-time member", "next": f"/members/{other.id}"},
    )
    assert appointed.status_code == 303
    assert client.get(QUEUE, headers=factory.headers(other)).status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "explained"),
    [
        ({"action": "suspend", "duration_days": "0"}, 422, "duration days"),
        ({"action": "suspend"}, 422, "duration days"),
        ({"action": "lift"}, 409, "Nothing to do"),
    ],
    ids=["zero-days", "no-days", "nothing-to-lift"],
)
def test_a_refused_profile_tools_form_explains_and_changes_nothing(
    app, client, factory, moderator, form, status, explained
):
    member = factory.member()
    member_token = factory.headers(member)
    # A browser that reports a server error as the 500 a member would see, rather than raising it.
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as browser:
        factory.login(browser, moderator)
        refused = post_form(
            browser,
            f"/moderation/users/{member.id}/actions",
            {**form, "reason": "Advertising in every thread", "next": f"/members/{member.id}"},
        )
    assert refused.status_code == status
    assert explained in refused.text
    assert _me(client, member_token)["suspended_until"] is None
    assert _log(client, factory.headers(moderator), subject_id=member.id) == []


def test_the_log_page_undoes_a_suspension_once(app, client, factory, moderator):
    member = factory.member()
    suspend = _member_action(client, factory.headers(moderator), member.id, "suspend", duration_days=4).json()
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as browser:
        factory.login(browser, moderator)
        log_page = browser.get(f"/moderation/log?subject_id={member.id}")
        assert f'action="/moderation/log/{suspend["id"]}/undo"' in log_page.text
        undone = post_form(browser, f"/moderation/log/{suspend['id']}/undo", {"reason": "Wrong member suspended"})
        assert undone.status_code == 303
        assert _me(client, _api_login(client, member))["suspended_until"] is None
        again = post_form(browser, f"/moderation/log/{suspend['id']}/undo", {"reason": "Wrong member suspended"})
    assert again.status_code == 409
    assert "already been undone" in again.text


# --- 6. member actions from a review item --------------------------------------------


def _reported_comment(client, factory, author, reporter, reason: str = "harassment", details: str = ""):
    thread = factory.thread(factory.member())
    comment = factory.comment(author, thread, body="You clearly never trained properly.")
    report = _report(client, factory.headers(reporter), "comment", comment.id, reason, details=details)
    assert report.status_code == 201, report.text
    items = client.get(QUEUE, headers=factory.headers(factory.member(role="moderator"))).json()["items"]
    [item] = [i for i in items if (i["target_type"], i["target_id"]) == ("comment", comment.id)]
    return comment, item


def test_suspending_from_an_item_suspends_the_author_and_resolves_it(client, factory, moderator):
    author = factory.member()
    reporter = factory.member()
    author_token = factory.headers(author)
    comment, item = _reported_comment(client, factory, author, reporter)
    headers = factory.headers(moderator)

    resolved = _item_action(client, headers, item["id"], "suspend", "Personal attack on a member", duration_days=3)
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", "suspend")

    assert client.get(f"{API}/me", headers=author_token).status_code == 401
    me = _me(client, _api_login(client, author))
    assert datetime.fromisoformat(me["suspended_until"]) - utcnow() > timedelta(days=2, hours=23)
    assert me["standing_reason"] == "Personal attack on a member"
    [event] = _log(client, headers, action="suspend", subject_id=author.id)
    assert (event["target_type"], event["target_id"], event["review_item_id"]) == ("user", author.id, item["id"])
    mine = client.get(f"{API}/reports/mine", headers=factory.headers(reporter)).json()
    assert [(r["target_id"], r["status"], r["outcome"]) for r in mine] == [(comment.id, "closed", "suspend")]
    assert _me(client, factory.headers(reporter))["suspended_until"] is None  # the reporter is untouched
    detail = client.get(f"{API}/moderation/items/{item['id']}", headers=headers).json()
    assert detail["visibility"] == "visible"  # the post itself is left as it was
    assert _item_action(client, headers, item["id"], "warn").status_code == 409  # already resolved


def test_a_moderator_does_not_judge_an_item_about_themselves(client, factory, moderator):
    _comment, item = _reported_comment(client, factory, moderator, factory.member())
    headers = factory.headers(moderator)
    for action, extra in (("suspend", {"duration_days": 3}), ("warn", {}), ("dismiss", {})):
        refused = _item_action(client, headers, item["id"], action, **extra)
        assert refused.status_code == 403, f"{action}: {refused.text}"
    assert _item_action(client, headers, item["id"], "claim", reason=None).status_code == 403
    still = client.get(f"{API}/moderation/items/{item['id']}", headers=headers).json()["item"]
    assert (still["status"], still["resolution"]) == ("open", None)
    assert _me(client, headers)["suspended_until"] is None


# --- 7. who may act on members -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"action": "warn", "reason": "Keep it civil"},
        {"action": "suspend", "reason": "Keep it civil", "duration_days": 3},
        {"action": "ban", "reason": "Keep it civil"},
        {"action": "appoint_moderator", "reason": "Keep it civil"},
    ],
    ids=lambda body: body["action"],
)
def test_visitors_and_members_may_not_act_on_members(client, factory, body):
    target = factory.member()
    target_token = factory.headers(target)
    url = f"{API}/moderation/users/{target.id}/actions"
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=factory.headers(factory.member())).status_code == 403
    me = _me(client, target_token)
    assert (me["suspended_until"], me["warning_pending"], me["role"]) == (None, False, "member")


def test_visitors_and_members_may_not_use_the_profile_tools(factory, make_client):
    target = factory.member()
    url = f"/moderation/users/{target.id}/actions"
    form = {"action": "ban", "reason": "Keep it civil", "next": "/"}
    visitor = post_form(make_client(), url, form)
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/login")
    member = factory.login(make_client(), factory.member())
    assert post_form(member, url, form).status_code == 403
    factory.login(make_client(), target)  # still not banned


# --- 8. the audit log and the public log ---------------------------------------------


def _scenario(client, factory):
    """report → claim → warn from the item → suspend → lift → undo of the lift."""
    author = factory.member(display_name="Author Under Review")
    reporter = factory.member(display_name="Quiet Reporter", email="quiet.reporter@example.org")
    moderator = factory.member(role="moderator")
    comment, item = _reported_comment(client, factory, author, reporter, "harassment", "Reporter note: insulted me")
    headers = factory.headers(moderator)
    assert _item_action(client, headers, item["id"], "claim", reason=None).status_code == 200
    assert _item_action(client, headers, item["id"], "warn", "Personal attack on a member").status_code == 200
    suspend = _member_action(client, headers, author.id, "suspend", "Attacked members again", duration_days=3)
    assert suspend.status_code == 200, suspend.text
    lift = _member_action(client, headers, author.id, "lift", "Apologised to the member")
    assert lift.status_code == 200, lift.text
    assert _undo(client, headers, lift.json()["id"], "The apology was withdrawn").status_code == 200
    return author, reporter, moderator, comment, item, suspend.json()["state_after"]


def test_the_audit_log_holds_every_step_with_actor_reason_and_state(client, factory):
    author, reporter, moderator, comment, item, suspended = _scenario(client, factory)
    headers = factory.headers(moderator)

    about_author = list(reversed(_log(client, headers, subject_id=author.id)))
    assert [
        (e["action"], e["actor_id"], e["reason"], e["state_before"], e["state_after"], e["target_type"])
        for e in about_author
    ] == [
        ("report", reporter.id, "harassment", "", "", "comment"),
        ("warn", moderator.id, "Personal attack on a member", "", "warned", "user"),
        ("suspend", moderator.id, "Attacked members again", "active", suspended, "user"),
        ("lift", moderator.id, "Apologised to the member", suspended, "active", "user"),
        ("undo", moderator.id, "The apology was withdrawn", "active", suspended, "user"),
    ]
    report, warn, _suspend, lift, undo = about_author
    assert undo["undoes_event_id"] == lift["id"]
    assert (report["review_item_id"], warn["review_item_id"]) == (item["id"], item["id"])
    assert [e["id"] for e in about_author] == sorted(e["id"] for e in about_author)

    # The claim concerns the item, not the member: it is found by its target and its actor.
    on_comment = list(reversed(_log(client, headers, target_type="comment", target_id=comment.id)))
    assert [(e["action"], e["actor_id"], e["state_before"], e["state_after"]) for e in on_comment] == [
        ("report", reporter.id, "", ""),
        ("claim", moderator.id, "open", "claimed"),
    ]
    whole = sorted({e["id"]: e for e in about_author + on_comment}.values(), key=lambda e: e["id"])
    assert [e["action"] for e in whole] == ["report", "claim", "warn", "suspend", "lift", "undo"]


def test_the_audit_log_filters_by_action_and_actor(client, factory):
    author, reporter, moderator, _comment, _item, _suspended = _scenario(client, factory)
    headers = factory.headers(moderator)

    suspensions = _log(client, headers, action="suspend")
    assert suspensions
    assert {e["action"] for e in suspensions} == {"suspend"}
    assert author.id in {e["subject_id"] for e in suspensions}

    by_moderator = list(reversed(_log(client, headers, actor_id=moderator.id)))
    assert [e["action"] for e in by_moderator] == ["claim", "warn", "suspend", "lift", "undo"]
    by_reporter = _log(client, headers, actor_id=reporter.id)
    assert [(e["action"], e["actor_id"]) for e in by_reporter] == [("report", reporter.id)]
    lifts = _log(client, headers, action="lift", actor_id=moderator.id)
    assert [(e["action"], e["reason"]) for e in lifts] == [("lift", "Apologised to the member")]
    assert _log(client, headers, action="ban", subject_id=author.id) == []


def _values_by_key(data, key: str = "") -> list[tuple[str, object]]:
    """Every (key, value) pair in a JSON document, however deeply nested."""
    if isinstance(data, dict):
        return [pair for k, v in data.items() for pair in [(k, v), *_values_by_key(v, k)]]
    if isinstance(data, list):
        return [pair for v in data for pair in _values_by_key(v, key)]
    return []


def test_the_public_log_shows_decisions_but_never_reports_or_reporters(client, factory, make_client):
    _author, reporter, _moderator, _comment, _item, _suspended = _scenario(client, factory)

    response = client.get(f"{API}/transparency")
    assert response.status_code == 200
    entries = list(reversed(response.json()["items"]))
    assert [(e["action"], e["target_type"], e["reason"], e["automatic"]) for e in entries] == [
        ("warn", "user", "Personal attack on a member", False),
        ("suspend", "user", "Attacked members again", False),
        ("lift", "user", "Apologised to the member", False),
        ("undo", "user", "The apology was withdrawn", False),
    ]
    for entry in entries:
        assert set(entry) == {"id", "action", "target_type", "reason", "automatic", "created_at"}
    pairs = _values_by_key(response.json())
    assert not [k for k, _v in pairs if any(word in k for word in ("reporter", "actor", "subject", "member"))]
    assert not [(k, v) for k, v in pairs if k != "id" and v == reporter.id]
    assert not {"report", "claim", "flag"} & {v for k, v in pairs if k == "action"}
    for secret in ("Quiet Reporter", "quiet.reporter@example.org", "Reporter note", "harassment"):
        assert secret not in response.text

    page = make_client().get("/transparency")
    assert page.status_code == 200
    for label in ("Warned", "Suspended", "Suspension or ban lifted", "Undone"):
        assert f"<td>{label}</td>" in page.text
    for hidden in ("Reported", "Claimed"):
        assert f"<td>{hidden}</td>" not in page.text
    assert "Apologised to the member" in page.text
    assert "Quiet Reporter" not in page.text
    assert "Reporter note" not in page.text
