"""Every moderation form needs this browser's CSRF token: a forged one is refused and changes nothing.

The forms of the moderation pages (reporting, deciding an item, the tools on thread, comment and
member pages, undo, watched words, acknowledging a warning) are posted by a logged-in moderator
without a token and with another browser's token; each must answer 403 and leave the moderation
tables exactly as they were. The same form with the browser's own token then works.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from forum.accounts.models import Member
from forum.db import Database
from forum.kit import csrf
from forum.moderation.models import MemberNotice, ModerationEvent, Report, ReviewItem, WatchedWord
from forum.threads.models import Thread
from tests.factories import Factory, form_token


@dataclass
class Scene:
    admin: Member
    member: Member
    thread: Thread
    comment_id: int
    item_id: int
    event_id: int
    word_id: int


@pytest.fixture
def scene(factory: Factory, client: TestClient) -> Scene:
    admin, member, reporter = factory.member(role="admin"), factory.member(), factory.member()
    thread = factory.thread(member)
    comment = factory.comment(member, thread)
    report = client.post(
        "/api/v1/reports",
        headers=factory.headers(reporter),
        json={"target_type": "comment", "target_id": comment.id, "reason": "spam"},
    )
    lock = client.post(
        f"/api/v1/moderation/threads/{thread.id}/actions",
        headers=factory.headers(admin),
        json={"action": "pin", "reason": "Worth reading"},
    )
    word = client.post(
        "/api/v1/moderation/watched-words",
        headers=factory.headers(admin),
        json={"phrase": "snake oil", "mode": "flag"},
    )
    warned = client.post(
        f"/api/v1/moderation/users/{member.id}/actions",
        headers=factory.headers(admin),
        json={"action": "warn", "reason": "A test warning"},
    )
    assert (report.status_code, lock.status_code, word.status_code, warned.status_code) == (201, 200, 201, 200)
    item_id = client.get("/api/v1/moderation/queue", headers=factory.headers(admin)).json()["items"][0]["id"]
    return Scene(admin, member, thread, comment.id, item_id, lock.json()["id"], word.json()["id"])


FORMS: dict[str, Callable[[Scene], tuple[str, dict[str, str]]]] = {
    "report": lambda s: ("/reports", {"target_type": "user", "target_id": str(s.member.id), "reason": "spam"}),
    "decide-item": lambda s: (f"/moderation/items/{s.item_id}/actions", {"action": "hide", "reason": "Spam link"}),
    "thread-tools": lambda s: (
        f"/moderation/threads/{s.thread.id}/actions",
        {"action": "lock", "reason": "Cooling off", "next": "/"},
    ),
    "comment-tools": lambda s: (
        f"/moderation/comments/{s.comment_id}/actions",
        {"action": "remove", "reason": "Off-topic", "next": "/"},
    ),
    "member-tools": lambda s: (
        f"/moderation/users/{s.member.id}/actions",
        {"action": "suspend", "duration_days": "2", "reason": "Please keep it kind", "next": "/"},
    ),
    "undo": lambda s: (f"/moderation/log/{s.event_id}/undo", {"reason": "Pinned by mistake"}),
    "add-watched-word": lambda s: ("/moderation/watched-words", {"phrase": "guaranteed results", "mode": "hold"}),
    "remove-watched-word": lambda s: (f"/moderation/watched-words/{s.word_id}/delete", {}),
    "acknowledge-warning": lambda s: ("/warnings/seen", {"next": "/"}),
}


def snapshot(database: Database, scene: Scene) -> tuple:
    """What any moderation form could change."""
    with database.session() as session:
        counts = tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (ModerationEvent, Report, ReviewItem, WatchedWord)
        )
        seen = session.exec(select(func.count()).select_from(MemberNotice).where(MemberNotice.seen_at != None)).one()  # noqa: E711
        member = session.get(Member, scene.member.id)
        assert member is not None
        return counts, seen, member.warning_pending


@pytest.mark.parametrize("form", list(FORMS))
def test_moderation_forms_refuse_a_forged_token_and_accept_the_real_one(
    form: str, scene: Scene, factory: Factory, database: Database, make_client: Callable[..., TestClient]
) -> None:
    # The warned member acknowledges their warning; the admin sends every other form.
    browser = factory.login(make_client(), scene.member if form == "acknowledge-warning" else scene.admin)
    other = factory.login(make_client(), factory.member())
    path, data = FORMS[form](scene)
    before = snapshot(database, scene)

    for forged in ({}, {csrf.FIELD_NAME: form_token(other)}):
        refused = browser.post(path, data={**data, **forged})
        assert refused.status_code == 403, (form, refused.text)
        assert snapshot(database, scene) == before

    accepted = browser.post(path, data={**data, csrf.FIELD_NAME: form_token(browser)})
    assert accepted.status_code == 303, (form, accepted.text)
    assert snapshot(database, scene) != before
