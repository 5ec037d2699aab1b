"""Moderators' actions on threads and comments, through the API and the pages.

What this file proves:

* every content action (hide, remove, restore, lock, unlock, pin, unpin, retag, set_audience)
  changes its target, leaves one event in the log with the state before and after, and is
  undone exactly once by ``POST /moderation/log/{id}/undo``; an undo after someone moved the
  same state again is refused (409) and changes nothing. The moderator tools on the thread
  page (and the undo form of the log page) do the same through CSRF forms;
* hidden and removed posts are shown to exactly the right people (visitor, another member,
  the author, a moderator, an admin) in every place they could leak: the thread and comment
  API, the thread list, the thread page, the home page, topic pages and topic counts, member
  profiles and the comment count;
* an action on a review item resolves it and tells the reporter; undoing that action reopens
  the item and the report, and puts the content back;
* bad input and impossible actions are refused with the right status and change nothing
  (neither the posts, nor the log, nor the queue);
* only moderators and admins may act (visitors 401 / sent to log in, members 403);
* the thread page and the moderation pages run a fixed number of queries however much they show.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from forum.accounts.models import Member
from forum.threads.models import Comment, Thread
from tests.factories import Factory, post_form

API = "/api/v1"
MOD = f"{API}/moderation"
REASON = "Checked against the community guidelines."
NOWHERE = 2_000_000  # no thread, comment, item or event has this id
TOPIC = "ethics-education"  # the scene's thread is the only one in this topic
ROLES = ("visitor", "member", "author", "moderator", "admin")


# --- the scene -----------------------------------------------------------------------------


@dataclass
class Scene:
    """A public thread by ``author`` with one comment by ``commenter``, and people to look at them.

    Title, body and comment each carry a marker word found nowhere else on the site.
    """

    client: TestClient
    factory: Factory
    make_client: Callable[[], TestClient]
    author: Member
    commenter: Member
    member: Member
    moderator: Member
    admin: Member
    thread: Thread
    comment: Comment
    title_mark: str
    body_mark: str
    comment_mark: str
    _headers: dict[int, dict[str, str]] = field(default_factory=dict)

    def headers(self, who: Member | None) -> dict[str, str]:
        if who is None:
            return {}
        if who.id not in self._headers:
            self._headers[who.id] = self.factory.headers(who)
        return self._headers[who.id]

    def person(self, role: str, *, author: Member | None = None) -> Member | None:
        """The member behind a role; ``author`` is whoever wrote the post being looked at."""
        return {
            "visitor": None,
            "member": self.member,
            "author": author or self.author,
            "moderator": self.moderator,
            "admin": self.admin,
        }[role]

    def browser(self, who: Member | None) -> TestClient:
        client = self.make_client()
        return self.factory.login(client, who) if who else client

    # API calls, each as someone

    def act(self, who: Member | None, kind: str, target_id: int, action: str, **fields: object):
        """POST an action on a thread or comment (``kind`` is "threads" or "comments")."""
        body: dict[str, object] = {"action": action, "reason": REASON, **fields}
        body = {key: value for key, value in body.items() if value is not None}
        return self.client.post(f"{MOD}/{kind}/{target_id}/actions", json=body, headers=self.headers(who))

    def act_on_item(self, who: Member | None, item_id: int, action: str, reason: str = REASON):
        return self.client.post(
            f"{MOD}/items/{item_id}/actions", json={"action": action, "reason": reason}, headers=self.headers(who)
        )

    def claim(self, who: Member, item_id: int):
        return self.client.post(f"{MOD}/items/{item_id}/actions", json={"action": "claim"}, headers=self.headers(who))

    def undo(self, who: Member | None, event_id: int, reason: str = "A second look changed my mind."):
        return self.client.post(f"{MOD}/log/{event_id}/undo", json={"reason": reason}, headers=self.headers(who))

    def report(self, reporter: Member, target_type: str, target_id: int, reason: str = "harassment"):
        response = self.client.post(
            f"{API}/reports",
            json={"target_type": target_type, "target_id": target_id, "reason": reason},
            headers=self.headers(reporter),
        )
        assert response.status_code == 201, response.text
        return response.json()

    def log(self, **filters: object) -> list[dict]:
        page = self.client.get(f"{MOD}/log", params=filters, headers=self.headers(self.admin)).json()
        assert page["next_cursor"] is None  # every test's log fits on one page
        return page["items"]

    def queue(self, status: str | None = None) -> list[dict]:
        params = {"status": status} if status else {}
        return self.client.get(f"{MOD}/queue", params=params, headers=self.headers(self.admin)).json()["items"]

    def thread_json(self, who: Member | str | None = "admin"):
        """The thread as ``who`` gets it (None is a visitor; by default an admin, who sees everything)."""
        viewer = self.admin if isinstance(who, str) else who
        return self.client.get(f"{API}/threads/{self.thread.id}", headers=self.headers(viewer))

    def comments_json(self, who: Member | str | None = "admin"):
        viewer = self.admin if isinstance(who, str) else who
        return self.client.get(f"{API}/threads/{self.thread.id}/comments", headers=self.headers(viewer))

    def comment_visibility(self) -> str:
        (found,) = [c for c in self.comments_json().json()["items"] if c["id"] == self.comment.id]
        return found["visibility"]


@pytest.fixture
def scene(client, make_client, factory) -> Scene:
    marker = uuid.uuid4().hex[:10]
    title_mark, body_mark, comment_mark = f"Quokka{marker}T", f"Quokka{marker}B", f"Quokka{marker}C"
    author, commenter = factory.member(), factory.member()
    thread = factory.thread(
        author,
        title=f"Can I accept a gift {title_mark}",
        body=f"A client offered {body_mark}.",
        audience="public",  # so that visitors too have something to lose
        tags=(TOPIC,),
    )
    comment = factory.comment(commenter, thread, body=f"I would decline it {comment_mark}.")
    return Scene(
        client=client,
        factory=factory,
        make_client=make_client,
        author=author,
        commenter=commenter,
        member=factory.member(),
        moderator=factory.member(role="moderator"),
        admin=factory.member(role="admin"),
        thread=thread,
        comment=comment,
        title_mark=title_mark,
        body_mark=body_mark,
        comment_mark=comment_mark,
    )


def lever_state(scene: Scene, kind: str, lever: str) -> str:
    """One piece of a post's state, read through the API as an admin, spelled as the log spells it."""
    if kind == "comments":
        assert lever == "visibility"
        return scene.comment_visibility()
    thread = scene.thread_json().json()
    return {
        "visibility": thread["visibility"],
        "lock": "locked" if thread["locked"] else "unlocked",
        "pin": "pinned" if thread["pinned"] else "unpinned",
        "topics": ",".join(sorted(thread["tags"])),
        "audience": thread["audience"],
    }[lever]


# --- 1. each action, its log entry and its undo ---------------------------------------------


@dataclass(frozen=True)
class ActionCase:
    kind: str  # "threads" or "comments"
    action: dict  # the request, without its reason
    lever: str
    before: str
    after: str
    moved_on: dict  # another action that then moves the same state elsewhere
    setup: dict | None = None  # an action that first puts the target in its starting state


ACTION_CASES = {
    "hide-thread": ActionCase("threads", {"action": "hide"}, "visibility", "visible", "hidden", {"action": "remove"}),
    "remove-thread": ActionCase(
        "threads", {"action": "remove"}, "visibility", "visible", "removed", {"action": "restore"}
    ),
    "restore-thread": ActionCase(
        "threads", {"action": "restore"}, "visibility", "hidden", "visible", {"action": "remove"}, {"action": "hide"}
    ),
    "lock": ActionCase("threads", {"action": "lock"}, "lock", "unlocked", "locked", {"action": "unlock"}),
    "unlock": ActionCase(
        "threads", {"action": "unlock"}, "lock", "locked", "unlocked", {"action": "lock"}, {"action": "lock"}
    ),
    "pin": ActionCase("threads", {"action": "pin"}, "pin", "unpinned", "pinned", {"action": "unpin"}),
    "unpin": ActionCase(
        "threads", {"action": "unpin"}, "pin", "pinned", "unpinned", {"action": "pin"}, {"action": "pin"}
    ),
    "retag": ActionCase(
        "threads",
        {"action": "retag", "tags": ["scope-of-practice", "confidentiality"]},
        "topics",
        TOPIC,
        "confidentiality,scope-of-practice",
        {"action": "retag", "tags": ["boundaries"]},
    ),
    "set-audience": ActionCase(
        "threads",
        {"action": "set_audience", "audience": "members"},
        "audience",
        "public",
        "members",
        {"action": "set_audience", "audience": "public"},
    ),
    "hide-comment": ActionCase(
        "comments", {"action": "hide"}, "visibility", "visible", "hidden", {"action": "restore"}
    ),
    "remove-comment": ActionCase(
        "comments", {"action": "remove"}, "visibility", "visible", "removed", {"action": "hide"}
    ),
    "restore-comment": ActionCase(
        "comments",
        {"action": "restore"},
        "visibility",
        "removed",
        "visible",
        {"action": "hide"},
        {"action": "remove"},
    ),
}


@pytest.mark.parametrize("case", ACTION_CASES.values(), ids=ACTION_CASES.keys())
def test_each_action_is_logged_and_undone_exactly_once(scene: Scene, case: ActionCase) -> None:
    target_id, subject = (
        (scene.thread.id, scene.author) if case.kind == "threads" else (scene.comment.id, scene.commenter)
    )
    moderator = scene.moderator

    def state() -> str:
        return lever_state(scene, case.kind, case.lever)

    if case.setup:
        assert scene.act(scene.admin, case.kind, target_id, **case.setup).status_code == 200
    assert state() == case.before

    done = scene.act(moderator, case.kind, target_id, **case.action)
    assert done.status_code == 200, done.text
    event = done.json()
    assert event | {"id": 0, "created_at": ""} == {
        "id": 0,
        "created_at": "",
        "actor_id": moderator.id,
        "action": case.action["action"],
        "target_type": case.kind.removesuffix("s"),
        "target_id": target_id,
        "subject_id": subject.id,
        "review_item_id": None,
        "undoes_event_id": None,
        "reason": REASON,
        "state_before": case.before,
        "state_after": case.after,
    }
    assert state() == case.after
    assert scene.log(target_type=case.kind.removesuffix("s"), target_id=target_id)[0] == event

    undone = scene.undo(moderator, event["id"])
    assert undone.status_code == 200, undone.text
    undo_event = undone.json()
    assert (undo_event["action"], undo_event["undoes_event_id"], undo_event["actor_id"]) == (
        "undo",
        event["id"],
        moderator.id,
    )
    assert (undo_event["state_before"], undo_event["state_after"]) == (case.after, case.before)
    assert state() == case.before
    log = scene.log()
    assert [e["id"] for e in log[:2]] == [undo_event["id"], event["id"]]

    again = scene.undo(scene.admin, event["id"])
    assert again.status_code == 409
    assert state() == case.before
    assert scene.log() == log

    # Done again, then moved on by someone else: the first action can no longer be undone.
    redone = scene.act(moderator, case.kind, target_id, **case.action)
    assert redone.status_code == 200, redone.text
    assert scene.act(scene.admin, case.kind, target_id, **case.moved_on).status_code == 200
    moved = state()
    assert moved != case.after
    log = scene.log()
    stale = scene.undo(moderator, redone.json()["id"])
    assert stale.status_code == 409
    assert "changed since" in stale.json()["detail"]
    assert state() == moved
    assert scene.log() == log


def test_the_tools_on_the_thread_page_hide_and_lock_and_the_log_page_undoes(scene: Scene) -> None:
    thread_id, comment_id = scene.thread.id, scene.comment.id
    moderator = scene.browser(scene.moderator)
    page = moderator.get(f"/threads/{thread_id}")
    assert f'action="/moderation/threads/{thread_id}/actions"' in page.text
    assert f'action="/moderation/comments/{comment_id}/actions"' in page.text
    member_page = scene.browser(scene.member).get(f"/threads/{thread_id}")
    assert "/moderation/threads/" not in member_page.text and "Moderate this" not in member_page.text

    back = f"/threads/{thread_id}"
    locked = post_form(
        moderator,
        f"/moderation/threads/{thread_id}/actions",
        {"action": "lock", "reason": "Heated; cooling off.", "audience": "members", "next": back},
    )
    assert (locked.status_code, locked.headers["location"]) == (303, back)
    assert lever_state(scene, "threads", "lock") == "locked"
    assert '<span class="badge">Locked</span>' in moderator.get(back).text
    lock_event = scene.log(action="lock")[0]
    assert (lock_event["actor_id"], lock_event["reason"], lock_event["state_before"], lock_event["state_after"]) == (
        scene.moderator.id,
        "Heated; cooling off.",
        "unlocked",
        "locked",
    )

    hidden = post_form(
        moderator,
        f"/moderation/threads/{thread_id}/actions",
        {"action": "hide", "reason": "Could identify a client", "audience": "members", "next": back},
    )
    assert (hidden.status_code, hidden.headers["location"]) == (303, back)
    assert lever_state(scene, "threads", "visibility") == "hidden"
    assert "Hidden by moderators" in moderator.get(back).text
    assert scene.browser(scene.member).get(back).status_code == 404
    hide_event = scene.log(action="hide")[0]
    assert (hide_event["state_before"], hide_event["state_after"]) == ("visible", "hidden")

    comment_back = f"/threads/{thread_id}#comment-{comment_id}"
    comment_hidden = post_form(
        moderator,
        f"/moderation/comments/{comment_id}/actions",
        {"action": "hide", "reason": "Personal attack on a member", "next": comment_back},
    )
    assert (comment_hidden.status_code, comment_hidden.headers["location"]) == (303, comment_back)
    assert scene.comment_visibility() == "hidden"

    log_page = moderator.get("/moderation/log")
    assert f'action="/moderation/log/{hide_event["id"]}/undo"' in log_page.text
    undone = post_form(moderator, f"/moderation/log/{hide_event['id']}/undo", {"reason": "Mistaken identity."})
    assert (undone.status_code, undone.headers["location"]) == (303, "/moderation/log")
    assert lever_state(scene, "threads", "visibility") == "visible"
    assert scene.browser(scene.member).get(back).status_code == 200
    assert scene.log()[0] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "created_at": "",
        "actor_id": scene.moderator.id,
        "action": "undo",
        "target_type": "thread",
        "target_id": thread_id,
        "subject_id": scene.author.id,
        "review_item_id": None,
        "undoes_event_id": hide_event["id"],
        "reason": "Mistaken identity.",
        "state_before": "hidden",
        "state_after": "visible",
    }
    assert lever_state(scene, "threads", "lock") == "locked"  # only the hide was undone


REFUSED_FORMS = {
    # (form, fields, status, what the page says)
    "lock-a-locked-thread": ("threads", {"action": "lock", "reason": REASON}, 409, "already locked"),
    "no-reason": ("threads", {"action": "pin", "reason": ""}, 422, "reason is required"),
    "lock-a-comment": ("comments", {"action": "lock", "reason": REASON}, 422, "cannot be used on a comment"),
    "undo-twice": ("undo", {"reason": "Undo it again."}, 409, "already been undone"),
    "undo-a-report": ("undo-report", {"reason": "Undo the report."}, 422, "a report cannot be undone"),
}


@pytest.mark.parametrize("case", REFUSED_FORMS.values(), ids=REFUSED_FORMS.keys())
def test_a_refused_tools_form_says_why_and_changes_nothing(app, scene: Scene, case: tuple) -> None:
    form, fields, status, message = case
    assert scene.act(scene.admin, "threads", scene.thread.id, "lock").status_code == 200
    lock_event = _event_id(scene, "lock")
    assert scene.undo(scene.admin, lock_event).status_code == 200
    assert scene.act(scene.admin, "threads", scene.thread.id, "lock").status_code == 200
    scene.report(scene.member, "comment", scene.comment.id)
    path = {
        "threads": f"/moderation/threads/{scene.thread.id}/actions",
        "comments": f"/moderation/comments/{scene.comment.id}/actions",
        "undo": f"/moderation/log/{lock_event}/undo",
        "undo-report": f"/moderation/log/{_event_id(scene, 'report')}/undo",
    }[form]
    before = snapshot(scene)
    # A browser that gets the server's answer even when it is an error page.
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as browser:
        scene.factory.login(browser, scene.moderator)
        response = post_form(browser, path, {**fields, "next": f"/threads/{scene.thread.id}"})
    assert response.status_code == status, f"answered {response.status_code}"
    assert message in response.text
    assert snapshot(scene) == before


def test_a_tools_form_never_sends_the_moderator_off_the_site(scene: Scene) -> None:
    moderator = scene.browser(scene.moderator)
    response = post_form(
        moderator,
        f"/moderation/threads/{scene.thread.id}/actions",
        {"action": "pin", "reason": REASON, "next": "//elsewhere.example/phish"},
    )
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert lever_state(scene, "threads", "pin") == "pinned"


def _pinned_list(html: str) -> str:
    match = re.search(r'<ol class="thread-list pinned-list".*?</ol>', html, re.DOTALL)
    return match.group(0) if match else ""


def test_what_lock_pin_and_audience_do_for_members_and_how_undo_takes_it_back(scene: Scene) -> None:
    """The levers are not just flags: each changes what members and visitors can do, and undo restores it."""
    thread_id, member = scene.thread.id, scene.member

    def comment_as(who: Member):
        return scene.client.post(
            f"{API}/threads/{thread_id}/comments", json={"body": "Adding my view."}, headers=scene.headers(who)
        )

    lock = scene.act(scene.moderator, "threads", thread_id, "lock").json()
    assert comment_as(member).status_code == 403
    assert comment_as(scene.moderator).status_code == 201  # moderators may still step in
    assert scene.undo(scene.moderator, lock["id"]).status_code == 200
    assert comment_as(member).status_code == 201

    visitor = scene.browser(None)
    assert scene.title_mark not in _pinned_list(visitor.get("/").text)
    pin = scene.act(scene.moderator, "threads", thread_id, "pin").json()
    assert scene.title_mark in _pinned_list(visitor.get("/").text)
    assert scene.undo(scene.moderator, pin["id"]).status_code == 200
    assert scene.title_mark not in _pinned_list(visitor.get("/").text)
    assert scene.title_mark in visitor.get("/").text  # back in the ordinary list

    members_only = scene.act(scene.moderator, "threads", thread_id, "set_audience", audience="members").json()
    assert scene.thread_json(None).status_code == 404
    assert scene.thread_json(member).status_code == 200
    assert scene.undo(scene.moderator, members_only["id"]).status_code == 200
    assert scene.thread_json(None).status_code == 200


# --- 2. who sees hidden and removed posts ---------------------------------------------------

# For each state a moderator may put a thread in: the roles that still see the thread.
THREAD_SEEN_BY = {
    "visible": {"visitor", "member", "author", "moderator", "admin"},
    "hidden": {"author", "moderator", "admin"},
    "removed": {"moderator", "admin"},
}
# For each state of a comment: how each role gets it in the thread's comments.
COMMENT_SHOWN = {
    "visible": dict.fromkeys(ROLES, "full"),
    "hidden": {"visitor": "absent", "member": "absent", "author": "full", "moderator": "full", "admin": "full"},
    "removed": {
        "visitor": "placeholder",
        "member": "placeholder",
        "author": "placeholder",
        "moderator": "full",
        "admin": "full",
    },
}
COUNTED = {"visible": 1, "hidden": 0, "removed": 0}  # the comment's part in comment_count


def put_in_state(scene: Scene, kind: str, target_id: int, state: str) -> None:
    if state != "visible":
        action = {"hidden": "hide", "removed": "remove"}[state]
        assert scene.act(scene.moderator, kind, target_id, action).status_code == 200


def topic_counts(scene: Scene, who: Member | None, browser: TestClient) -> dict[str, int]:
    """The scene topic's thread count as ``who`` is told it on each page and in the API."""
    tags = scene.client.get(f"{API}/tags", headers=scene.headers(who)).json()
    index = browser.get("/topics").text
    topic_page = browser.get(f"/topics/{TOPIC}").text
    home = browser.get("/").text
    return {
        "api": next(t["thread_count"] for t in tags if t["slug"] == TOPIC),
        "index": int(_search(rf'href="/topics/{TOPIC}">.*?<p class="thread-meta">(\d+) thread', index)),
        "topic_page": int(_search(r'<p class="thread-meta">(\d+) thread', topic_page)),
        "home_chip": int(_search(rf'href="/\?topic={TOPIC}">[^<]*<span class="count">(\d+)</span>', home)),
    }


def _search(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.DOTALL)
    assert match, f"nothing matches {pattern!r}"
    return match.group(1)


@pytest.mark.parametrize("pinned", [False, True], ids=["in-the-list", "pinned-above-it"])
@pytest.mark.parametrize("state", THREAD_SEEN_BY.keys())
def test_a_moderated_thread_is_seen_by_exactly_the_right_people(scene: Scene, state: str, pinned: bool) -> None:
    thread_id = scene.thread.id
    if pinned:  # the home page shows pinned threads in a list of their own, read by another query
        assert scene.act(scene.moderator, "threads", thread_id, "pin").status_code == 200
    put_in_state(scene, "threads", thread_id, state)
    for role in ROLES:
        who = scene.person(role)
        browser = scene.browser(who)
        sees = role in THREAD_SEEN_BY[state]
        context = f"{role} on a {state} thread"

        assert scene.thread_json(who).status_code == (200 if sees else 404), context
        assert scene.comments_json(who).status_code == (200 if sees else 404), context
        listed = scene.client.get(f"{API}/threads", headers=scene.headers(who)).json()["items"]
        assert [t["id"] for t in listed] == ([thread_id] if sees else []), context
        tagged = scene.client.get(f"{API}/threads", params={"tag": TOPIC}, headers=scene.headers(who)).json()
        assert [t["id"] for t in tagged["items"]] == ([thread_id] if sees else []), context

        page = browser.get(f"/threads/{thread_id}")
        if sees:
            assert page.status_code == 200, context
            assert scene.title_mark in page.text and scene.body_mark in page.text, context
        elif who is None:
            assert (page.status_code, page.headers["location"].startswith("/login")) == (303, True), context
        else:
            assert page.status_code == 404, context
            assert scene.title_mark not in page.text and scene.body_mark not in page.text, context

        for path in ("/", f"/topics/{TOPIC}", f"/members/{scene.author.id}"):
            listing = browser.get(path)
            assert listing.status_code == 200, f"{context}: {path}"
            assert (scene.title_mark in listing.text) == sees, f"{context}: {path}"
        assert (scene.title_mark in _pinned_list(browser.get("/").text)) == (sees and pinned), context
        assert topic_counts(scene, who, browser) == dict.fromkeys(
            ("api", "index", "topic_page", "home_chip"), 1 if sees else 0
        ), context


@pytest.mark.parametrize("state", COMMENT_SHOWN.keys())
def test_a_moderated_comment_is_seen_by_exactly_the_right_people(scene: Scene, state: str) -> None:
    thread_id, comment_id = scene.thread.id, scene.comment.id
    put_in_state(scene, "comments", comment_id, state)
    for role in ROLES:
        who = scene.person(role, author=scene.commenter)
        browser = scene.browser(who)
        shown = COMMENT_SHOWN[state][role]
        context = f"{role} on a {state} comment"

        comments = scene.comments_json(who)
        assert comments.status_code == 200, context
        found = [c for c in comments.json()["items"] if c["id"] == comment_id]
        if shown == "absent":
            assert found == [], context
        else:
            (comment,) = found
            assert comment["visibility"] == state, context
            assert (scene.comment_mark in comment["body"]) == (shown == "full"), context
            assert (scene.comment_mark in comment["body_html"]) == (shown == "full"), context
            if shown == "placeholder":
                assert (comment["body"], comment["body_html"]) == ("", ""), context

        page = browser.get(f"/threads/{thread_id}")
        assert page.status_code == 200, context
        assert (scene.comment_mark in page.text) == (shown == "full"), context
        assert (f'id="comment-{comment_id}"' in page.text) == (shown != "absent"), context
        assert ("This comment was removed by the moderators" in page.text) == (state == "removed"), context

        link = browser.get(f"/comments/{comment_id}")
        if shown != "absent":
            assert link.status_code == 303 and link.headers["location"].startswith(f"/threads/{thread_id}"), context
        elif who is None:
            assert link.status_code == 303 and link.headers["location"].startswith("/login"), context
        else:
            assert link.status_code == 404, context

        profile = browser.get(f"/members/{scene.commenter.id}")
        assert profile.status_code == 200, context
        assert (scene.comment_mark in profile.text) == (shown == "full"), context

        count = COUNTED[state]
        assert scene.thread_json(who).json()["comment_count"] == count, context
        listed = scene.client.get(f"{API}/threads", headers=scene.headers(who)).json()["items"]
        assert [t["comment_count"] for t in listed] == [count], context
        plural = "comment" if count == 1 else "comments"
        assert f"<span>{count} {plural}</span>" in page.text, context
        assert f"<span>{count} {plural}</span>" in browser.get("/").text, context


def test_restoring_a_comment_counts_it_again(scene: Scene) -> None:
    for action, count in (("hide", 0), ("restore", 1), ("remove", 0), ("restore", 1)):
        assert scene.act(scene.moderator, "comments", scene.comment.id, action).status_code == 200
        assert scene.thread_json(scene.member).json()["comment_count"] == count, action
    last_restore, first_restore = scene.log(action="restore")
    assert scene.undo(scene.moderator, last_restore["id"]).status_code == 200
    assert scene.comment_visibility() == "removed"
    assert scene.thread_json(scene.member).json()["comment_count"] == 0
    # The earlier steps left states that have moved on since.
    assert scene.undo(scene.moderator, first_restore["id"]).status_code == 409
    assert scene.undo(scene.moderator, scene.log(action="hide")[0]["id"]).status_code == 409
    assert scene.comment_visibility() == "removed"


# --- 3. actions on review items -------------------------------------------------------------


def test_hiding_a_reported_comment_resolves_the_item_and_undo_reopens_it(scene: Scene) -> None:
    reporter = scene.factory.member()
    scene.report(reporter, "comment", scene.comment.id, "harassment")
    (item,) = scene.queue()
    assert (item["target_type"], item["target_id"], item["status"]) == ("comment", scene.comment.id, "open")

    hidden = scene.act_on_item(scene.moderator, item["id"], "hide", "Personal attack on a member")
    assert hidden.status_code == 200, hidden.text
    assert (hidden.json()["status"], hidden.json()["resolution"]) == ("resolved", "hide")
    assert scene.queue() == []
    assert scene.comment_visibility() == "hidden"
    assert scene.comment.id not in [c["id"] for c in scene.comments_json(scene.member).json()["items"]]
    mine = scene.client.get(f"{API}/reports/mine", headers=scene.headers(reporter)).json()
    assert [(r["target_id"], r["status"], r["outcome"]) for r in mine] == [(scene.comment.id, "closed", "hide")]

    (event,) = scene.log(action="hide")
    assert (event["review_item_id"], event["subject_id"], event["state_before"], event["state_after"]) == (
        item["id"],
        scene.commenter.id,
        "visible",
        "hidden",
    )
    assert scene.undo(scene.admin, event["id"]).status_code == 200

    detail = scene.client.get(f"{MOD}/items/{item['id']}", headers=scene.headers(scene.admin)).json()
    assert (detail["item"]["status"], detail["item"]["resolution"], detail["item"]["claimed_by"]) == (
        "open",
        None,
        None,
    )
    assert [(r["reporter_id"], r["outcome"]) for r in detail["reports"]] == [(reporter.id, None)]
    assert detail["visibility"] == "visible"
    mine = scene.client.get(f"{API}/reports/mine", headers=scene.headers(reporter)).json()
    assert [(r["status"], r["outcome"]) for r in mine] == [("open", None)]
    assert [i["id"] for i in scene.queue()] == [item["id"]]
    assert scene.comment.id in [c["id"] for c in scene.comments_json(scene.member).json()["items"]]
    assert scene.thread_json(scene.member).json()["comment_count"] == 1

    # Reopened, it can be decided again.
    dismissed = scene.act_on_item(scene.moderator, item["id"], "dismiss", "Robust, not a personal attack.")
    assert (dismissed.status_code, dismissed.json()["resolution"]) == (200, "dismiss")


def test_a_claimed_item_resolved_by_an_action_reopens_unclaimed(scene: Scene) -> None:
    scene.report(scene.factory.member(), "thread", scene.thread.id, "off_topic")
    (item,) = scene.queue()
    assert scene.claim(scene.moderator, item["id"]).json()["status"] == "claimed"
    locked = scene.act_on_item(scene.moderator, item["id"], "lock", "Off-topic for this community")
    assert (locked.status_code, locked.json()["resolution"]) == (200, "lock")
    assert lever_state(scene, "threads", "lock") == "locked"
    (event,) = scene.log(action="lock")
    assert scene.undo(scene.moderator, event["id"]).status_code == 200
    assert lever_state(scene, "threads", "lock") == "unlocked"
    (reopened,) = scene.queue()
    assert (reopened["id"], reopened["status"], reopened["claimed_by"], reopened["resolution"]) == (
        item["id"],
        "open",
        None,
        None,
    )


# --- 4. bad input changes nothing -----------------------------------------------------------


def snapshot(scene: Scene) -> tuple:
    """Everything a refused action must leave as it was: both posts, the whole log, the queue."""
    return (
        scene.thread_json().json(),
        scene.comments_json().json(),
        scene.log(),
        [scene.queue(status) for status in ("open", "claimed", "resolved")],
    )


def _resolved_item(scene: Scene) -> int:
    scene.report(scene.factory.member(), "comment", scene.comment.id, "spam")
    (item,) = scene.queue()
    assert scene.act_on_item(scene.moderator, item["id"], "dismiss").status_code == 200
    return item["id"]


def _event_id(scene: Scene, action: str) -> int:
    return scene.log(action=action)[0]["id"]


@dataclass(frozen=True)
class BadCase:
    status: int
    send: Callable[[Scene, dict], object]  # (scene, what setup made) -> response
    setup: Callable[[Scene], dict] = lambda _scene: {}


def _on_thread(action: str | None, **fields: object) -> Callable[[Scene, dict], object]:
    return lambda s, _made: s.act(s.moderator, "threads", s.thread.id, action, **fields)


def _on_comment(action: str | None, **fields: object) -> Callable[[Scene, dict], object]:
    return lambda s, _made: s.act(s.moderator, "comments", s.comment.id, action, **fields)


def _setup_report(scene: Scene) -> dict:
    scene.report(scene.factory.member(), "thread", scene.thread.id, "spam")
    return {"event": _event_id(scene, "report")}


def _setup_claim(scene: Scene) -> dict:
    scene.report(scene.factory.member(), "thread", scene.thread.id, "spam")
    (item,) = scene.queue()
    assert scene.claim(scene.admin, item["id"]).status_code == 200
    return {"event": _event_id(scene, "claim")}


def _setup_undo(scene: Scene) -> dict:
    assert scene.act(scene.admin, "threads", scene.thread.id, "pin").status_code == 200
    assert scene.undo(scene.admin, _event_id(scene, "pin")).status_code == 200
    return {"event": _event_id(scene, "undo")}


def _setup(action: str, kind: str = "threads") -> Callable[[Scene], dict]:
    def setup(scene: Scene) -> dict:
        target_id = scene.thread.id if kind == "threads" else scene.comment.id
        assert scene.act(scene.admin, kind, target_id, action).status_code == 200
        return {}

    return setup


BAD_CASES = {
    "lock-on-a-comment": BadCase(422, _on_comment("lock")),
    "pin-on-a-comment": BadCase(422, _on_comment("pin")),
    "retag-a-comment": BadCase(422, _on_comment("retag", tags=["boundaries"])),
    "retag-without-tags": BadCase(422, _on_thread("retag")),
    "retag-with-no-tags": BadCase(422, _on_thread("retag", tags=[])),
    "retag-with-an-unknown-topic": BadCase(422, _on_thread("retag", tags=["boundaries", "no-such-topic"])),
    "retag-with-a-topic-twice": BadCase(422, _on_thread("retag", tags=["boundaries", "boundaries"])),
    "retag-with-six-topics": BadCase(
        422,
        _on_thread(
            "retag",
            tags=[
                "boundaries",
                "confidentiality",
                "scope-of-practice",
                "trading-services",
                "power-differential",
                TOPIC,
            ],
        ),
    ),
    "set-audience-without-audience": BadCase(422, _on_thread("set_audience")),
    "set-audience-to-nobody-known": BadCase(422, _on_thread("set_audience", audience="everyone")),
    "unknown-action": BadCase(422, _on_thread("obliterate")),
    "claim-is-for-items": BadCase(422, _on_thread("claim")),
    "dismiss-is-for-items": BadCase(422, _on_comment("dismiss")),
    "warn-a-thread": BadCase(422, _on_thread("warn")),
    "ban-a-comment": BadCase(422, _on_comment("ban")),
    "missing-reason": BadCase(422, _on_thread("lock", reason=None)),
    "too-short-reason": BadCase(422, _on_thread("lock", reason="ok")),
    "blank-reason": BadCase(422, _on_thread("hide", reason="     ")),
    "unknown-field": BadCase(422, _on_thread("hide", force=True)),
    "lock-a-locked-thread": BadCase(409, _on_thread("lock"), _setup("lock")),
    "pin-a-pinned-thread": BadCase(409, _on_thread("pin"), _setup("pin")),
    "hide-a-hidden-comment": BadCase(409, _on_comment("hide"), _setup("hide", "comments")),
    "restore-a-visible-thread": BadCase(409, _on_thread("restore")),
    "audience-already-set": BadCase(409, _on_thread("set_audience", audience="public")),
    "retag-to-the-same-topics": BadCase(409, _on_thread("retag", tags=[TOPIC])),
    "act-on-a-resolved-item": BadCase(
        409,
        lambda s, made: s.act_on_item(s.moderator, made["item"], "hide"),
        lambda s: {"item": _resolved_item(s)},
    ),
    "act-on-an-absent-item": BadCase(404, lambda s, _made: s.act_on_item(s.moderator, NOWHERE, "hide")),
    "absent-thread": BadCase(404, lambda s, _made: s.act(s.moderator, "threads", NOWHERE, "lock")),
    "absent-comment": BadCase(404, lambda s, _made: s.act(s.moderator, "comments", NOWHERE, "hide")),
    "undo-a-report": BadCase(422, lambda s, made: s.undo(s.moderator, made["event"]), _setup_report),
    "undo-another-moderators-claim": BadCase(403, lambda s, made: s.undo(s.moderator, made["event"]), _setup_claim),
    "undo-an-undo": BadCase(422, lambda s, made: s.undo(s.moderator, made["event"]), _setup_undo),
    "undo-an-absent-event": BadCase(404, lambda s, _made: s.undo(s.moderator, NOWHERE)),
    "undo-without-a-reason": BadCase(
        422,
        lambda s, _made: s.client.post(
            f"{MOD}/log/{_event_id(s, 'lock')}/undo", json={}, headers=s.headers(s.moderator)
        ),
        _setup("lock"),
    ),
}


@pytest.mark.parametrize("case", BAD_CASES.values(), ids=BAD_CASES.keys())
def test_bad_input_is_refused_and_changes_nothing(scene: Scene, case: BadCase) -> None:
    made = case.setup(scene)
    before = snapshot(scene)
    response = case.send(scene, made)
    assert response.status_code == case.status, response.text
    assert "detail" in response.json()
    assert snapshot(scene) == before


# --- 5. who may act -------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One moderation call: where it goes and what it sends, and whether it has taken effect."""

    path: str
    body: dict
    took_effect: Callable[[], bool]


def endpoint(scene: Scene, name: str) -> Endpoint:
    if name == "thread-action":
        return Endpoint(
            f"/moderation/threads/{scene.thread.id}/actions",
            {"action": "lock", "reason": REASON},
            lambda: lever_state(scene, "threads", "lock") == "locked",
        )
    if name == "comment-action":
        return Endpoint(
            f"/moderation/comments/{scene.comment.id}/actions",
            {"action": "hide", "reason": REASON},
            lambda: scene.comment_visibility() == "hidden",
        )
    if name == "item-action":
        scene.report(scene.factory.member(), "comment", scene.comment.id)
        (item,) = scene.queue()
        return Endpoint(
            f"/moderation/items/{item['id']}/actions",
            {"action": "hide", "reason": REASON},
            lambda: scene.queue("resolved") != [] and scene.comment_visibility() == "hidden",
        )
    assert name == "undo"
    other_moderator = scene.factory.member(role="moderator")
    assert scene.act(other_moderator, "threads", scene.thread.id, "lock").status_code == 200
    return Endpoint(
        f"/moderation/log/{_event_id(scene, 'lock')}/undo",
        {"reason": REASON},
        lambda: lever_state(scene, "threads", "lock") == "unlocked",
    )


ENDPOINTS = ("thread-action", "comment-action", "item-action", "undo")
API_STATUS = {"visitor": 401, "member": 403, "author": 403, "moderator": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_only_moderators_and_admins_may_act_through_the_api(scene: Scene, name: str, role: str) -> None:
    target = endpoint(scene, name)
    log = scene.log()
    response = scene.client.post(f"{API}{target.path}", json=target.body, headers=scene.headers(scene.person(role)))
    assert response.status_code == API_STATUS[role], response.text
    if API_STATUS[role] == 200:
        assert target.took_effect()
        assert len(scene.log()) == len(log) + 1
    else:
        assert not target.took_effect()
        assert scene.log() == log


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_only_moderators_and_admins_may_act_through_the_pages(scene: Scene, name: str, role: str) -> None:
    target = endpoint(scene, name)
    log = scene.log()
    browser = scene.browser(scene.person(role))
    response = post_form(browser, target.path, {**target.body, "next": f"/threads/{scene.thread.id}"})
    if role == "visitor":
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    elif role in ("member", "author"):
        assert response.status_code == 403
    else:
        assert response.status_code == 303, response.text
    allowed = role in ("moderator", "admin")
    assert target.took_effect() == allowed
    assert len(scene.log()) == len(log) + (1 if allowed else 0)


# --- 6. a fixed number of queries -----------------------------------------------------------


def queries_for(browser: TestClient, count_queries, path: str, headers: dict[str, str] | None = None) -> int:
    assert browser.get(path, headers=headers).status_code == 200  # warm: once-per-session work is done here
    with count_queries() as counter:
        response = browser.get(path, headers=headers)
    assert response.status_code == 200
    return counter.count


def _thread_with_comments(scene: Scene, how_many: int) -> int:
    """A public thread with comments by several members, one hidden and one removed."""
    thread = scene.factory.thread(scene.author, audience="public")
    comments = [scene.factory.comment(scene.factory.member(), thread) for _ in range(how_many)]
    assert scene.act(scene.moderator, "comments", comments[0].id, "hide").status_code == 200
    assert scene.act(scene.moderator, "comments", comments[1].id, "remove").status_code == 200
    return thread.id


@pytest.mark.parametrize("role", ["visitor", "member", "moderator"])
def test_the_thread_page_runs_the_same_queries_for_2_or_12_comments(scene: Scene, count_queries, role) -> None:
    small, large = _thread_with_comments(scene, 2), _thread_with_comments(scene, 12)
    browser = scene.browser(scene.person(role))
    assert queries_for(browser, count_queries, f"/threads/{large}") == queries_for(
        browser, count_queries, f"/threads/{small}"
    )


def _items(scene: Scene, reporter: Member, how_many: int) -> None:
    """Review items about threads, comments and members, in turn."""
    for index in range(how_many):
        kind = ("comment", "thread", "user")[index % 3]
        if kind == "thread":
            target_id = scene.factory.thread(scene.factory.member(), audience="public").id
        elif kind == "comment":
            target_id = scene.factory.comment(scene.factory.member(), scene.thread).id
        else:
            target_id = scene.factory.member().id
        scene.report(reporter, kind, target_id, ("spam", "harassment", "off_topic")[index % 3])


def test_the_moderation_pages_run_the_same_queries_for_2_or_12_items(scene: Scene, count_queries) -> None:
    reporter = scene.factory.member()
    browser = scene.browser(scene.moderator)
    api, headers = scene.client, scene.headers(scene.moderator)
    paths = ("/moderation", "/moderation/log")

    _items(scene, reporter, 2)
    assert len(scene.queue()) == 2
    few = {path: queries_for(browser, count_queries, path) for path in paths}
    few["api"] = queries_for(api, count_queries, f"{MOD}/queue", headers)

    _items(scene, reporter, 10)
    assert len(scene.queue()) == 12
    many = {path: queries_for(browser, count_queries, path) for path in paths}
    many["api"] = queries_for(api, count_queries, f"{MOD}/queue", headers)

    assert many == few
