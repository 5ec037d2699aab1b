"""Automatic help for moderators: what is checked when a post is written, before anyone reads it.

Three checks run on every new or edited post:

- the confidentiality check (phone numbers, email addresses, dates of birth, street
  addresses): the author is asked first, and a post sent anyway waits for a moderator;
- the watched words admins keep: a match is flagged, or held until approved;
- a new member's first posts, when the forum asks for them to be approved.

This module knows only moderation's own tables, so the threads service can call it
without the two domains importing each other in a circle.
"""

import re
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from forum.accounts.models import Member
from forum.errors import InvalidInput
from forum.moderation import records
from forum.moderation.confidentiality import KIND_LABELS, describe, find_identifiers
from forum.moderation.models import SEVERITY, Report, ReportReason, TargetType, WatchedWord, WatchMode
from forum.threads.models import Comment, Thread, Visibility


class NeedsConfirmation(InvalidInput):
    """The post looks as if it names a client; the author should edit, or confirm to send it to review."""

    def __init__(self, explanation: str) -> None:
        super().__init__(
            {
                "body": f"may identify a client. {explanation} Please edit these details out.",
                "confirm_identifiers": "must be ticked to post it anyway; it will then wait for a moderator "
                "before others can read it",
            }
        )


@dataclass(frozen=True)
class ScreeningPolicy:
    """The forum's settings for automatic help (see ``Settings``)."""

    approve_first_posts: int = 0


@dataclass(frozen=True)
class Flag:
    reason: ReportReason
    details: str


@dataclass
class Verdict:
    """What the checks found: flags for the queue, and whether the post waits for approval."""

    hold: bool = False
    flags: list[Flag] = field(default_factory=list)


def screen(
    session: Session, *, author: Member, text: str, policy: ScreeningPolicy, confirmed: bool, is_new: bool
) -> Verdict:
    """Check a post's words (title and body) before it is stored."""
    verdict = Verdict()
    findings = find_identifiers(text)
    if findings:
        if not confirmed:
            raise NeedsConfirmation(describe(findings))
        verdict.hold = True
        # The queue names the kinds, not the details: those stay in the post, which can be removed.
        kinds = ", ".join(dict.fromkeys(KIND_LABELS[finding.kind] for finding in findings))
        verdict.flags.append(Flag(ReportReason.CONFIDENTIALITY, f"Automatic: the author confirmed a post with {kinds}"))
    trusted = author.role != "member"
    if not trusted:
        _check_watched_words(session, text, verdict)
        if is_new and _is_among_first_posts(session, author, policy):
            verdict.hold = True
            verdict.flags.append(
                Flag(ReportReason.NEW_MEMBER, f"Automatic: among the first {policy.approve_first_posts} posts")
            )
    return verdict


def _check_watched_words(session: Session, text: str, verdict: Verdict) -> None:
    for word in session.exec(select(WatchedWord).order_by(col(WatchedWord.phrase))).all():
        if re.search(rf"(?<!\w){re.escape(word.phrase)}(?!\w)", text, re.IGNORECASE):
            verdict.hold = verdict.hold or word.mode == WatchMode.HOLD
            verdict.flags.append(Flag(ReportReason.WATCHED_WORD, f'Automatic: contains "{word.phrase}"'))


def _is_among_first_posts(session: Session, author: Member, policy: ScreeningPolicy) -> bool:
    if policy.approve_first_posts <= 0:
        return False
    threads = session.exec(select(func.count()).select_from(Thread).where(Thread.author_id == author.id)).one()
    comments = session.exec(select(func.count()).select_from(Comment).where(Comment.author_id == author.id)).one()
    return threads + comments < policy.approve_first_posts


def file_flags(
    session: Session, *, target_type: TargetType, target_id: int, author_id: int, verdict: Verdict, held: bool
) -> None:
    """Put what the checks found in the queue, as flags raised by the forum itself."""
    if not verdict.flags:
        return
    item = records.open_item(session, target_type, target_id)
    for flag in verdict.flags:
        session.add(Report(review_item_id=item.id, reporter_id=None, reason=flag.reason, details=flag.details))
        item.severity = max(item.severity, SEVERITY[flag.reason])
    item.priority = item.report_count * 10 + item.severity
    records.log_event(
        session,
        actor_id=None,
        action="hold" if held else "flag",
        target_type=target_type,
        target_id=target_id,
        subject_id=author_id,
        item=item,
        reason="; ".join(flag.details for flag in verdict.flags),
        # A held post would otherwise have been visible: undoing the hold approves it.
        before=Visibility.VISIBLE if held else "",
        after=Visibility.HELD if held else "",
        lever="visibility" if held else "",
    )
