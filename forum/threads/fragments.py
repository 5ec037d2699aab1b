"""A thread page's comments, rendered once per comments version and shared by every plain reader.

Rendering fifty comments (bylines, badges, forms) is most of a thread page's cost, and what they
show changes only when a comment is posted, edited, deleted or moderated: each of those moves the
thread's ``comments_version`` in the same transaction (``service._comments_changed``). The cache
key holds that number, read from the thread row every page already loads, so every worker sees a
change at once and no cache is ever cleared by hand. An entry also expires after ``TTL_SECONDS``,
so "2 minutes ago" and a renamed author do not stay stale for long.

Plain readers are visitors, and members in good standing who are not moderators and have no held
or hidden comment of their own in the thread: they all see the same comments with the same
actions. What is still theirs alone is filled in per request: the CSRF token (a placeholder in
the cached text), and the few comments they wrote or bookmarked, or where their unread ones begin,
which are rendered afresh. Everyone else (moderators, suspended members, an author of held
comments) gets the page rendered whole, as it always was.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from forum import permissions
from forum.accounts.models import Member, Role
from forum.permissions import VISITOR, Viewer
from forum.templating import templates
from forum.threads.service import CommentEntry

TTL_SECONDS = 60.0
# What a worker may keep, counted in characters of rendered comments (a page of 50 is 50-100 KB):
# bounded by size rather than by pages, so long comments cannot grow a worker past its memory.
MAX_CHARACTERS = 16 * 2**20
CSRF_PLACEHOLDER = "\x00csrf\x00"  # never in a rendered page: NUL cannot come out of the templates
TEMPLATE = "threads/_comment.html"


@dataclass(frozen=True)
class RenderedComment:
    entry: CommentEntry
    html: str


@dataclass(frozen=True)
class CommentsBlock:
    """One page of a thread's comments as a plain reader of one kind sees them."""

    items: list[RenderedComment]
    next_cursor: str | None
    made_at: float

    @property
    def size(self) -> int:
        return sum(len(item.html) for item in self.items)


class FragmentCache:
    """A small LRU of rendered comment pages, one per worker; safe across the worker's threads."""

    def __init__(self, *, max_characters: int = MAX_CHARACTERS, ttl: float = TTL_SECONDS) -> None:
        self.max_characters = max_characters
        self.ttl = ttl
        self._entries: OrderedDict[tuple, CommentsBlock] = OrderedDict()
        self._characters = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CommentsBlock | None:
        with self._lock:
            block = self._entries.get(key)
            if block is None:
                return None
            if time.monotonic() - block.made_at > self.ttl:
                self._forget(key)
                return None
            self._entries.move_to_end(key)
            return block

    def put(self, key: tuple, block: CommentsBlock) -> None:
        with self._lock:
            if key in self._entries:
                self._forget(key)
            self._entries[key] = block
            self._characters += block.size
            while self._characters > self.max_characters:
                self._forget(next(iter(self._entries)))

    def _forget(self, key: tuple) -> None:
        self._characters -= self._entries.pop(key).size


# Whom a shared rendering is made for: a member in good standing who wrote none of the comments.
PLAIN_READERS = {"visitor": VISITOR, "member": Viewer(member=Member(id=0, role=Role.MEMBER, display_name=""))}


def reader_kind(viewer: Viewer) -> str | None:
    """Which shared rendering this viewer may get ("visitor" or "member"), or None for their own."""
    if not viewer.is_member:
        return "visitor"
    if viewer.may_participate and not viewer.is_moderator:
        return "member"
    return None


def _renderer(request: Any, viewer: Viewer, csrf_token: str) -> Callable[..., str]:
    """The comment macro, with the context a page gives it."""
    context = {"request": request, "viewer": viewer, "csrf_token": csrf_token, "can": permissions}
    module = templates.get_template(TEMPLATE).make_module(context)
    return module.comment_item  # type: ignore[attr-defined]


def render_block(
    request: Any,
    viewer: Viewer,
    entries: Sequence[CommentEntry],
    next_cursor: str | None,
    *,
    here: str,
    csrf_token: str,
) -> CommentsBlock:
    """Every comment rendered as a reader who bookmarked none of them and has read them all sees it."""
    comment_item = _renderer(request, viewer, csrf_token)
    items = [RenderedComment(entry, str(comment_item(entry, here, False, None))) for entry in entries]
    return CommentsBlock(items, next_cursor, time.monotonic())


def assemble(
    request: Any,
    viewer: Viewer,
    block: CommentsBlock,
    *,
    here: str,
    csrf_token: str,
    bookmarked: set[tuple[str, int]],
    resume_at: int | None,
) -> Markup:
    """The page's comment list for this viewer: the shared rendering, with their own parts put in."""
    comment_item: Callable[..., str] | None = None
    parts = []
    for item in block.items:
        comment = item.entry.comment
        marked = ("comment", comment.id) in bookmarked
        if comment.author_id == viewer.id or marked or comment.id == resume_at:
            comment_item = comment_item or _renderer(request, viewer, csrf_token)
            parts.append(str(comment_item(item.entry, here, marked, resume_at)))
        else:
            parts.append(item.html)
    return Markup("".join(parts).replace(CSRF_PLACEHOLDER, csrf_token))  # noqa: S704 - rendered by autoescaped templates
