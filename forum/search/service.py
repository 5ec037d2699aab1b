"""Searching threads and comments: read the query, pick the engine, return one page of hits.

A hit is something the viewer could open: the statement is filtered by the same rules as
every list (``threads.queries``), and a hit's snippet is the viewer's to read.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlmodel import Session

from forum.kit.pagination import DEFAULT_PAGE_SIZE, Page, decode_cursor, take_page
from forum.permissions import Viewer
from forum.search import queries
from forum.search.postgres_fts import PostgresSearch
from forum.search.queries import LESS_THAN_STAND_IN, MATCH_END, MATCH_START, HitKind, SearchEngine, SearchSort
from forum.search.schemas import SearchRequest
from forum.search.sqlite_fts import SqliteSearch
from forum.search.terms import parse_search_text
from forum.topics import service as topics_service

_MARKED = re.compile(f"{MATCH_START}(.*?){MATCH_END}", re.DOTALL)


@dataclass(frozen=True)
class SearchHit:
    """A matching thread or comment as the viewer may see it."""

    kind: HitKind
    thread_id: int
    comment_id: int | None
    title: str  # the thread's title (for a comment, the thread it is in)
    snippet: Markup
    created_at: datetime
    author_id: int
    author_name: str
    visibility: str
    audience: str
    score: int

    @property
    def path(self) -> str:
        return f"/comments/{self.comment_id}" if self.comment_id else f"/threads/{self.thread_id}"

    @property
    def post_id(self) -> int:
        return self.comment_id or self.thread_id

    def position(self, sort: SearchSort) -> tuple[int | datetime, int, int]:
        """Where this hit stands in a sort, as the cursor of the page after it holds it."""
        return (self.score if sort is SearchSort.RELEVANCE else self.created_at, int(self.kind), self.post_id)


def highlighted(snippet: str) -> Markup:
    """An engine's snippet as HTML: everything escaped, then each match marked.

    The engine marks matches with control characters that posts cannot contain, so no
    text a member wrote can become markup.
    """
    escaped = str(escape(snippet.replace(LESS_THAN_STAND_IN, "<")))
    marked = _MARKED.sub(lambda match: f"<mark>{match.group(1)}</mark>", escaped)
    return Markup(marked.replace(MATCH_START, "").replace(MATCH_END, ""))  # noqa: S704 - escaped above


def _engine(session: Session) -> SearchEngine:
    return SqliteSearch() if session.get_bind().dialect.name == "sqlite" else PostgresSearch()


def search(
    session: Session, *, viewer: Viewer, search: SearchRequest, limit: int = DEFAULT_PAGE_SIZE
) -> Page[SearchHit]:
    """Threads and comments matching every word and phrase searched for, best match (or newest) first.

    Text with no words in it finds nothing; text over the length limit is a 422 (see
    ``terms.parse_search_text``); an unknown topic is a 404, as on the thread list.
    """
    terms = parse_search_text(search.q)
    sort = search.sort
    after_kinds = (int if sort is SearchSort.RELEVANCE else datetime, int, int)
    after = decode_cursor(search.cursor, *after_kinds) if search.cursor else None
    if not terms:
        return Page(items=[], next_cursor=None)
    topic_ids = topics_service.topic_ids_for_filter(session, search.tags) if search.tags else []
    engine = _engine(session)
    engine.prepare(session)
    statement = queries.search_page(
        engine,
        viewer,
        terms,
        topic_ids=topic_ids,
        author_id=search.author,
        sort=sort,
        after=after,
        limit=limit + 1,
    )
    hits = [
        SearchHit(
            kind=HitKind(row.kind),
            thread_id=row.thread_id,
            comment_id=row.post_id if row.kind == HitKind.COMMENT else None,
            title=row.title,
            snippet=highlighted(row.snippet or ""),
            created_at=row.created_at,
            author_id=row.author_id,
            author_name=row.author_name,
            visibility=row.visibility,
            audience=row.audience,
            score=row.score,
        )
        for row in session.exec(statement).all()  # type: ignore[call-overload]
    ]
    return take_page(hits, limit, lambda hit: hit.position(sort))
