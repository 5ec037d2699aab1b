"""Load the demo content through the same services members use, then backdate it.

Running it twice adds nothing the second time: demo members are found by email.
"""

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, update

from forum.accounts import service as accounts_service
from forum.accounts.models import Member, Role
from forum.accounts.schemas import Registration
from forum.kit.time import utcnow
from forum.moderation import service as moderation_service
from forum.moderation import watched_words
from forum.moderation.models import Action, TargetType
from forum.moderation.schemas import ActionRequest, ReportCreate, WatchedWordCreate
from forum.moderation.screening import ScreeningPolicy
from forum.permissions import Viewer
from forum.threads import service as threads_service
from forum.threads.models import Comment, Thread
from forum.threads.schemas import CommentCreate, ThreadCreate
from forum.topics import service as topics_service

CONTENT_FILE = Path(__file__).with_name("content.toml")


@dataclass(frozen=True)
class DemoLogin:
    display_name: str
    email: str
    password: str
    role: str


def demo_logins() -> list[DemoLogin]:
    content = tomllib.loads(CONTENT_FILE.read_text(encoding="utf-8"))
    return [DemoLogin(m["display_name"], m["email"], m["password"], m["role"]) for m in content["member"]]


def seed_demo(session: Session) -> bool:
    """Add the demo members, threads and comments; False if they were already there."""
    content = tomllib.loads(CONTENT_FILE.read_text(encoding="utf-8"))
    if accounts_service.find_by_email(session, content["member"][0]["email"]) is not None:
        return False
    now = utcnow()
    members = {entry["key"]: _add_member(session, entry, now) for entry in content["member"]}
    for entry in content["thread"]:
        _add_thread(session, entry, members, now)
    admin = Viewer(member=members["admin"])
    for entry in content.get("watched_word", []):
        watched_words.add_word(
            session, viewer=admin, data=WatchedWordCreate(phrase=entry["phrase"], mode=entry["mode"])
        )
    return True


def _add_member(session: Session, entry: dict, now: object) -> Member:
    registration = Registration(
        email=entry["email"],
        password=entry["password"],
        display_name=entry["display_name"],
        credentials=entry.get("credentials", ""),
    )
    member = accounts_service.register(session, registration=registration, role=Role(entry["role"]))
    member.created_at = now - timedelta(days=entry["joined_days_ago"])  # type: ignore[operator]
    return member


def _add_thread(session: Session, entry: dict, members: dict[str, Member], now: object) -> None:
    started = now - timedelta(days=entry["started_days_ago"])  # type: ignore[operator]
    author = Viewer(member=members[entry["author"]])
    thread = threads_service.start_thread(
        session,
        viewer=author,
        data=ThreadCreate(title=entry["title"], body=entry["body"], audience=entry["audience"], tags=entry["topics"]),
        policy=ScreeningPolicy(),
    )
    last_activity = started
    for reply in entry.get("comment", []):
        comment = threads_service.add_comment(
            session,
            viewer=Viewer(member=members[reply["author"]]),
            thread_id=thread.id,
            data=CommentCreate(body=reply["body"]),
            policy=ScreeningPolicy(),
        )
        last_activity = started + timedelta(hours=reply["hours_after_start"])
        session.execute(
            update(Comment)
            .where(col(Comment.id) == comment.id)
            .values(created_at=last_activity, updated_at=last_activity)
        )
    session.execute(
        update(Thread)
        .where(col(Thread.id) == thread.id)
        .values(created_at=started, updated_at=started, last_activity_at=last_activity)
    )
    topics_service.record_activity(session, thread_id=thread.id, at=last_activity)
    _moderate(session, entry, members, thread)


def _moderate(session: Session, entry: dict, members: dict[str, Member], thread: Thread) -> None:
    """Pins and reports the demo asks for, made through the moderation service like any other."""
    assert thread.id is not None
    if reason := entry.get("pinned_because"):
        moderation_service.act_on_target(
            session,
            viewer=Viewer(member=members["moderator"]),
            target_type=TargetType.THREAD,
            target_id=thread.id,
            request=ActionRequest(action=Action.PIN, reason=reason),
        )
    for report in entry.get("report", []):
        moderation_service.report(
            session,
            viewer=Viewer(member=members[report["reporter"]]),
            data=ReportCreate(
                target_type=TargetType.THREAD, target_id=thread.id, reason=report["reason"], details=report["details"]
            ),
            auto_hide_at=1000,
        )
