"""The pieces of state a moderator can change, each readable as a short string.

Every action sets one lever to a new state. The log keeps the state before and after,
so an undo is the same lever set back, and only if nobody has moved it since. New
actions need a lever here and a line in ``ACTIONS``; the rest of moderation follows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from forum.accounts import auth
from forum.accounts.models import Member, Role
from forum.errors import InvalidInput
from forum.kit.time import utcnow
from forum.moderation.models import TargetType
from forum.threads import service as threads_service
from forum.threads.models import Audience, Comment, Thread, Visibility
from forum.topics import service as topics_service

Target = Thread | Comment | Member
ACTIVE = "active"
BANNED = "banned"
SUSPENDED_PREFIX = "suspended until "


@dataclass(frozen=True)
class Lever:
    name: str
    applies_to: frozenset[TargetType]
    read: Callable[[Session, Target], str]
    write: Callable[[Session, Target, str, str], None]  # (session, target, state, reason)


def _write_visibility(session: Session, post: Target, state: str, _reason: str) -> None:
    assert isinstance(post, Thread | Comment)
    threads_service.set_visibility(session, post, Visibility(state))


def _flag(attribute: str, on: str, off: str) -> tuple[Callable[[Session, Target], str], Callable[..., None]]:
    """Read and write a thread's boolean (locked, pinned) as two words."""

    def read(_session: Session, thread: Target) -> str:
        return on if getattr(thread, attribute) else off

    def write(_session: Session, thread: Target, state: str, _reason: str) -> None:
        setattr(thread, attribute, state == on)

    return read, write


def _read_topics(session: Session, thread: Target) -> str:
    return ",".join(
        sorted(entry.topic.slug for entry in topics_service.topics_by_thread(session, [thread.id])[thread.id])
    )


def check_topics(session: Session, thread: Target, state: str) -> list:
    """The topics a retag would set, each one existing and offered (or already on the thread)."""
    assert isinstance(thread, Thread) and thread.id is not None
    already = topics_service.topic_ids_of(session, thread.id)
    return topics_service.topics_for_tagging(session, state.split(","), already=already)


def _write_topics(session: Session, thread: Target, state: str, _reason: str) -> None:
    assert isinstance(thread, Thread)
    topics_service.set_thread_topics(session, thread=thread, topics=check_topics(session, thread, state))


def _write_audience(_session: Session, thread: Target, state: str, _reason: str) -> None:
    assert isinstance(thread, Thread)
    thread.audience = Audience(state)


def suspended_state(until: datetime) -> str:
    return f"{SUSPENDED_PREFIX}{until.isoformat(timespec='seconds')}"


def _read_standing(_session: Session, member: Target) -> str:
    assert isinstance(member, Member)
    if member.is_banned:
        return BANNED
    if member.suspended_until is not None and member.is_suspended(utcnow()):
        return suspended_state(member.suspended_until)
    return ACTIVE


def _write_standing(session: Session, member: Target, state: str, reason: str) -> None:
    """Suspending or banning ends every session and token at once; lifting ends neither."""
    assert isinstance(member, Member) and member.id is not None
    member.banned_at = utcnow() if state == BANNED else None
    member.suspended_until = (
        datetime.fromisoformat(state.removeprefix(SUSPENDED_PREFIX)) if state.startswith(SUSPENDED_PREFIX) else None
    )
    member.standing_reason = reason if state != ACTIVE else ""
    if state != ACTIVE:
        auth.end_all_sessions(session, member_id=member.id)


def _write_role(_session: Session, member: Target, state: str, _reason: str) -> None:
    assert isinstance(member, Member)
    member.role = Role(state)


POSTS = frozenset({TargetType.THREAD, TargetType.COMMENT})
THREADS = frozenset({TargetType.THREAD})
MEMBERS = frozenset({TargetType.USER})

VISIBILITY = Lever("visibility", POSTS, lambda _s, post: post.visibility, _write_visibility)  # type: ignore[union-attr]
LOCK = Lever("lock", THREADS, *_flag("locked", "locked", "unlocked"))
PIN = Lever("pin", THREADS, *_flag("pinned", "pinned", "unpinned"))
TOPICS = Lever("topics", THREADS, _read_topics, _write_topics)
AUDIENCE = Lever("audience", THREADS, lambda _s, thread: thread.audience, _write_audience)  # type: ignore[union-attr]
STANDING = Lever("standing", MEMBERS, _read_standing, _write_standing)
ROLE = Lever("role", MEMBERS, lambda _s, member: member.role, _write_role)  # type: ignore[union-attr]

LEVERS = {lever.name: lever for lever in (VISIBILITY, LOCK, PIN, TOPICS, AUDIENCE, STANDING, ROLE)}


def suspension_end(days: int | None) -> datetime:
    if days is None:
        raise InvalidInput({"duration_days": "is needed to suspend: a number of days from 1 to 3650"})
    return utcnow().replace(microsecond=0) + timedelta(days=days)
