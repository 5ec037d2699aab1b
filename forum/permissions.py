"""Who may do what: the Viewer and the pure predicates every rule is written in once.

Services call ``require(can_x(...))`` before acting; templates get the same predicates
so the check that shows a button is the check that guards the action. Lists are
filtered by the matching query builders (``threads.queries.visible_threads``), so a
members-only thread cannot leak through a list or a count either.
"""

from dataclasses import dataclass

from forum.accounts.models import Member, Role
from forum.errors import Forbidden, NotFound, Unauthorized
from forum.kit.humanize import exact_time
from forum.kit.time import utcnow
from forum.threads.models import Audience, Comment, Thread, Visibility

# Who may act on whom: a moderator on members, an admin on members and moderators.
ROLE_RANK = {Role.MEMBER: 0, Role.MODERATOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Viewer:
    """The person asking: a logged-in member, or a visitor when ``member`` is None."""

    member: Member | None = None
    auth_session_id: int | None = None

    @property
    def is_member(self) -> bool:
        return self.member is not None

    @property
    def id(self) -> int | None:
        return self.member.id if self.member else None

    @property
    def is_moderator(self) -> bool:
        return self.member is not None and self.member.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.member is not None and self.member.role == Role.ADMIN

    @property
    def is_suspended(self) -> bool:
        return self.member is not None and self.member.is_suspended(utcnow())

    @property
    def may_participate(self) -> bool:
        """Posting, commenting and reporting: members in good standing (a suspended member still reads)."""
        return self.is_member and not self.is_suspended

    @property
    def standing_message(self) -> str | None:
        """Why and until when this member may not take part, in words they are shown."""
        if self.member is None or not self.is_suspended:
            return None
        until = exact_time(self.member.suspended_until) if self.member.suspended_until else ""
        return f"Your account is suspended until {until}. The moderators' reason: {self.member.standing_reason}"


VISITOR = Viewer()


def can_see_post(viewer: Viewer, post: Thread | Comment) -> bool:
    """Moderation's part of reading: held and hidden posts are for their author and moderators,
    removed ones for moderators. ``threads.queries.shown_to`` is the same rule in SQL."""
    if post.visibility == Visibility.VISIBLE or viewer.is_moderator:
        return True
    return post.visibility != Visibility.REMOVED and viewer.is_member and post.author_id == viewer.id


def can_read_thread(viewer: Viewer, thread: Thread) -> bool:
    return (thread.audience == Audience.PUBLIC or viewer.is_member) and can_see_post(viewer, thread)


def can_start_thread(viewer: Viewer) -> bool:
    return viewer.may_participate


def can_comment(viewer: Viewer, thread: Thread) -> bool:
    return (
        viewer.may_participate
        and can_read_thread(viewer, thread)
        and not thread.is_deleted
        and (not thread.locked or viewer.is_moderator)
    )


def can_edit_post(viewer: Viewer, post: Thread | Comment) -> bool:
    """Authors edit and delete their own posts; moderators may step in on any post."""
    return (
        viewer.may_participate
        and not post.is_deleted
        and (viewer.is_moderator or (post.author_id == viewer.id and post.visibility != Visibility.REMOVED))
    )


def can_see_text(viewer: Viewer, post: Thread | Comment) -> bool:
    """Deleted and removed posts leave a placeholder; moderators still read the words."""
    return viewer.is_moderator or (not post.is_deleted and post.visibility != Visibility.REMOVED)


def can_see_history(viewer: Viewer, post: Thread | Comment) -> bool:
    """Earlier versions of a post: its author and moderators (a report must not be edited away)."""
    return viewer.is_moderator or (viewer.is_member and post.author_id == viewer.id)


def can_edit_guidelines(viewer: Viewer) -> bool:
    """The official guidelines are edited by admins only (every edit is kept as a revision)."""
    return viewer.is_admin


def can_manage_topics(viewer: Viewer) -> bool:
    """Adding, renaming, merging and retiring topics is for admins."""
    return viewer.is_admin


def can_report(viewer: Viewer) -> bool:
    return viewer.may_participate


def can_moderate(viewer: Viewer) -> bool:
    """The queue, its actions and the audit log: moderators and admins."""
    return viewer.is_moderator


def can_act_on_member(viewer: Viewer, member: Member) -> bool:
    """Warnings, suspensions and bans go down the ranks only, and never to oneself."""
    return (
        viewer.is_moderator
        and member.id != viewer.id
        and ROLE_RANK[Role(member.role)] < ROLE_RANK[Role(viewer.member.role)]  # type: ignore[union-attr]
    )


def can_release_claim(viewer: Viewer, claimed_by_id: int | None) -> bool:
    """A claimed item goes back to the queue by its claimer, or by an admin when they are away."""
    return viewer.is_moderator and (viewer.id == claimed_by_id or viewer.is_admin)


def can_appoint_moderators(viewer: Viewer) -> bool:
    """Making and unmaking moderators, and the watched-words list: admins only."""
    return viewer.is_admin


def require(allowed: bool, viewer: Viewer, message: str | None = None) -> None:
    """Stop with 401 for a visitor (who may log in) or 403 for a member who may not act."""
    if allowed:
        return
    if not viewer.is_member:
        raise Unauthorized("Please log in or join to do that.")
    # A suspended member is told why and until when, whatever they were trying to do.
    raise Forbidden(viewer.standing_message or message)


def require_visible(visible: bool) -> None:
    """What a viewer may not see is absent for them: 404, never a 403 that betrays it."""
    if not visible:
        raise NotFound()
