"""Who may do what: the Viewer and the pure predicates every rule is written in once.

Services call ``require(can_x(...))`` before acting; templates get the same predicates
so the check that shows a button is the check that guards the action. Lists are
filtered by the matching query builders (``threads.queries.visible_threads``), so a
members-only thread cannot leak through a list or a count either.
"""

from dataclasses import dataclass

from forum.accounts.models import Member, Role
from forum.errors import Forbidden, NotFound, Unauthorized
from forum.threads.models import Audience, Comment, Thread


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


VISITOR = Viewer()


def can_read_thread(viewer: Viewer, thread: Thread) -> bool:
    return thread.audience == Audience.PUBLIC or viewer.is_member


def can_start_thread(viewer: Viewer) -> bool:
    return viewer.is_member


def can_comment(viewer: Viewer, thread: Thread) -> bool:
    return (
        viewer.is_member
        and can_read_thread(viewer, thread)
        and not thread.is_deleted
        and (not thread.locked or viewer.is_moderator)
    )


def can_edit_post(viewer: Viewer, post: Thread | Comment) -> bool:
    """Authors edit and delete their own posts; moderators may step in on any post."""
    return viewer.is_member and not post.is_deleted and (post.author_id == viewer.id or viewer.is_moderator)


def can_see_deleted_text(viewer: Viewer) -> bool:
    return viewer.is_moderator


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
    return viewer.is_member


def can_moderate(viewer: Viewer) -> bool:
    """The queue, its actions and the audit log: moderators and admins."""
    return viewer.is_moderator


def require(allowed: bool, viewer: Viewer, message: str | None = None) -> None:
    """Stop with 401 for a visitor (who may log in) or 403 for a member who may not act."""
    if allowed:
        return
    if not viewer.is_member:
        raise Unauthorized("Please log in or join to do that.")
    raise Forbidden(message)


def require_visible(visible: bool) -> None:
    """What a viewer may not see is absent for them: 404, never a 403 that betrays it."""
    if not visible:
        raise NotFound()
