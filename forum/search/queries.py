"""The search statement: matching posts the viewer may see, ranked, one page at a time.

Who may see what comes from ``threads.queries`` (``visible_threads`` and ``shown_to``),
as it does for every other list. The engine-specific part (how a post matches, its
relevance, its snippet) comes from a ``SearchEngine``: SQLite FTS5 or PostgreSQL.

One statement answers a page, and its cost is bounded however common the words are:

* each engine reads at most ``MATCH_WINDOW`` matches of each kind, the newest first, in
  the order of its own index, and ranks only those (ranking is the costly part: a word
  in a third of a million posts would otherwise be scored a third of a million times);
* the window is put in the order of the sort and cut at the cursor before any other
  table is read; threads and comments are then looked up in that order, filtered for the
  viewer and cut to the page size each on their own, then merged (PostgreSQL stops
  reading once a page is full);
* titles, authors and snippets are added only for the rows of that page, so the snippet
  work never grows with the number of matches.
"""

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Float, Integer, Select, Subquery, case, cast, literal, union_all
from sqlmodel import Session, col, select

from forum.accounts.models import Member
from forum.permissions import Viewer
from forum.search.terms import SearchTerms
from forum.threads.models import Comment, Thread
from forum.threads.queries import shown_to, visible_threads
from forum.topics.queries import tagged_with_all


class HitKind(IntEnum):
    """What matched; the number also orders a thread before a comment of equal rank."""

    THREAD = 1
    COMMENT = 2


class SearchSort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"


# Sentinels around each match in an engine's snippet. Posts cannot contain them (the text
# rules refuse control characters), so they are turned into <mark> only after escaping.
MATCH_START = "\x02"
MATCH_END = "\x03"
# What an engine may put in a snippet's text in place of "<" (PostgreSQL's headline drops
# anything that looks like an HTML tag, and with it words a member wrote); turned back before escaping.
LESS_THAN_STAND_IN = "\x04"

# A word found in more posts than this is searched in the newest this many of each kind.
# Its cost is paid by every search of a common word (each match is read and ranked), and the
# search page must answer within 100 ms under load over a million comments: measured with
# bench/search_probe.py, a window of 10,000 cost 60-150 ms of database time, 1,000 a tenth of it.
# (The API description and the README state the number.)
MATCH_WINDOW = 1_000


class SearchEngine(Protocol):
    """How one database finds, ranks and quotes matching posts."""

    def prepare(self, session: Session) -> None:
        """Set what the database needs to run the search well, for this transaction only."""
        ...

    def matches(self, kind: HitKind, terms: SearchTerms, *, ranked: bool) -> Subquery:
        """The newest ``MATCH_WINDOW`` posts of this kind matching every term, as ``post_id`` and,
        when ``ranked``, ``relevance`` (a positive number, larger for a better match), else ``created_at``."""
        ...

    def snippet(self, statement: Select, hits: Subquery, terms: SearchTerms) -> tuple[Select, ColumnElement[str]]:
        """The statement over a page of ``hits`` joined to what it needs for a snippet, and the
        snippet: the text around the matches, each match between ``MATCH_START`` and ``MATCH_END``
        (and any "<" possibly written as ``LESS_THAN_STAND_IN``)."""
        ...


# Relevance is turned into an integer (a cursor holds integers exactly, and equal rows must
# compare equal on every page). Two scales keep the order: a fine one for the tiny scores of
# a small forum, a coarse one above it; the largest scores share the top value.
_FINE_BELOW = 1e-3
_FINE_SCALE = 1e11
_COARSE_SCALE = 1e6
_COARSE_BELOW = 2_000.0
_TOP_SCORE = 2_100_000_000


def ordered_score(relevance: ColumnElement[Any]) -> ColumnElement[int]:
    """A positive 32-bit integer that grows with ``relevance`` (never decreases)."""
    value = cast(relevance, Float)
    scaled = case(
        (value < _FINE_BELOW, value * _FINE_SCALE),
        (value < _COARSE_BELOW, _FINE_BELOW * _FINE_SCALE + value * _COARSE_SCALE),
        else_=_TOP_SCORE,
    )
    return cast(scaled, Integer) + 1


def _candidates(
    engine: SearchEngine, kind: HitKind, terms: SearchTerms, *, sort: SearchSort, after: tuple[Any, int, int] | None
) -> Subquery:
    """The window's matches after the cursor, in the order of the sort, as ``post_id`` and ``sort_key``.

    Everything here comes from the window itself, before any other table is read; the limit
    (never reached: the window is no larger) keeps PostgreSQL from planning it into the joins,
    so the joins can read the candidates in order and stop once a page is full.
    """
    matches = engine.matches(kind, terms, ranked=sort is SearchSort.RELEVANCE)
    key = ordered_score(matches.c.relevance) if sort is SearchSort.RELEVANCE else matches.c.created_at
    candidates = select(matches.c.post_id, key.label("sort_key"))
    if after is not None:
        candidates = candidates.where(_after(key, matches.c.post_id, kind, after))
    return candidates.order_by(key.desc(), matches.c.post_id.desc()).limit(MATCH_WINDOW).subquery("candidates")


def _side(
    engine: SearchEngine,
    kind: HitKind,
    viewer: Viewer,
    terms: SearchTerms,
    *,
    topic_ids: list[int],
    author_id: int | None,
    sort: SearchSort,
    after: tuple[Any, int, int] | None,
    limit: int,
) -> Select:
    """The first ``limit`` matching threads, or comments, that the viewer may see, after a cursor."""
    if kind is HitKind.THREAD:
        statement, post = visible_threads(viewer), Thread
    else:
        # A comment is found only where both it and its thread are shown to the viewer.
        statement = visible_threads(viewer).join(Comment, col(Comment.thread_id) == Thread.id)
        statement, post = statement.where(col(Comment.deleted_at).is_(None), shown_to(Comment, viewer)), Comment
    candidates = _candidates(engine, kind, terms, sort=sort, after=after)
    statement = statement.join(candidates, candidates.c.post_id == col(post.id))
    if author_id is not None:
        statement = statement.where(post.author_id == author_id)
    if topic_ids:
        statement = tagged_with_all(statement, topic_ids)
    columns = (
        literal(int(kind)).label("kind"),
        col(post.id).label("post_id"),
        col(Thread.id).label("thread_id"),
        col(post.author_id).label("author_id"),
        col(post.created_at).label("created_at"),
        col(post.visibility).label("visibility"),
        (candidates.c.sort_key if sort is SearchSort.RELEVANCE else literal(0)).label("score"),
    )
    ordered = statement.with_only_columns(*columns).order_by(candidates.c.sort_key.desc(), candidates.c.post_id.desc())
    return select(*ordered.limit(limit).subquery().c)


def _after(key: Any, post_id: Any, kind: HitKind, after: tuple[Any, int, int]) -> ColumnElement[bool]:
    """Rows after the cursor's row in the order (key descending, kind, post id descending)."""
    last_key, last_kind, last_id = after
    if kind > last_kind:
        return key <= last_key
    if kind < last_kind:
        return key < last_key
    return (key < last_key) | ((key == last_key) & (post_id < last_id))


def _in_order(rows: Subquery, sort: SearchSort) -> tuple[ColumnElement[Any], ...]:
    """The order of hits: sort value descending, then threads before comments, then newest id first."""
    key = rows.c.score if sort is SearchSort.RELEVANCE else rows.c.created_at
    return (key.desc(), rows.c.kind.asc(), rows.c.post_id.desc())


def search_page(
    engine: SearchEngine,
    viewer: Viewer,
    terms: SearchTerms,
    *,
    topic_ids: list[int],
    author_id: int | None,
    sort: SearchSort,
    after: tuple[datetime | int, int, int] | None,
    limit: int,
) -> Select:
    """Up to ``limit`` hits after the cursor, with their thread's title, author and snippet."""
    filters = {"topic_ids": topic_ids, "author_id": author_id, "sort": sort, "after": after, "limit": limit}
    hits = union_all(*(_side(engine, kind, viewer, terms, **filters) for kind in HitKind)).subquery("hits")
    page = select(hits).order_by(*_in_order(hits, sort)).limit(limit).subquery("page")
    statement = (
        select(page, col(Thread.title), col(Thread.audience), col(Member.display_name).label("author_name"))
        .join(Thread, col(Thread.id) == page.c.thread_id)
        .join(Member, col(Member.id) == page.c.author_id)
    )
    statement, snippet = engine.snippet(statement, page, terms)
    return statement.add_columns(snippet.label("snippet")).order_by(*_in_order(page, sort))
