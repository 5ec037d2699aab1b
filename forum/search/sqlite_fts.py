"""Search on SQLite: the FTS5 tables ``search_thread`` and ``search_comment`` (see the search migration).

Their tokenizer is ``porter unicode61``: case and accents are ignored and English words are
stemmed, so "trading" finds "trade". Relevance is FTS5's BM25, with a title match weighing
ten times a body match. BM25 weighs a word by how rare it is in its own table, so threads
and comments rank alike once each table holds more than a handful of posts.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Subquery, TableClause, and_, case, column, func, select, table
from sqlmodel import Session, col

from forum.search.queries import MATCH_END, MATCH_START, MATCH_WINDOW, HitKind
from forum.search.terms import SearchTerms
from forum.threads.models import Comment, Thread

SNIPPET_TOKENS = 24
ELLIPSIS = "…"


@dataclass(frozen=True)
class _Index:
    """One FTS5 table: its name is also the hidden column that MATCH and the ranking functions take."""

    name: str
    weights: tuple[float, ...]  # BM25 weight of each indexed column
    body_column: int  # the column snippets are taken from

    def table(self, alias: str | None = None) -> TableClause:
        index = table(self.name, column("rowid"), column(self.name))
        return index.alias(alias) if alias else index  # type: ignore[return-value]


_INDEXES = {
    HitKind.THREAD: _Index("search_thread", weights=(10.0, 1.0), body_column=1),
    HitKind.COMMENT: _Index("search_comment", weights=(1.0,), body_column=0),
}


def fts5_query(terms: SearchTerms) -> str:
    """An FTS5 query in which every term is a quoted string, so nothing in it is an operator.

    Terms hold only letters and digits (see ``terms.parse_search_text``); a quote is still
    doubled, as FTS5 escapes it, so the string stays safe whatever the parser lets through.
    """
    return " ".join('"' + " ".join(words).replace('"', '""') + '"' for words in terms.terms)


class SqliteSearch:
    def prepare(self, session: Session) -> None:
        """Nothing to set: SQLite plans the statement as written."""

    def matches(self, kind: HitKind, terms: SearchTerms, *, ranked: bool) -> Subquery:
        """Read from the FTS5 table in rowid order, newest first, so the window costs its size only.

        bm25() first counts every post holding each term (its rarity), a cost that grows with
        how common the words are: it is only paid when the order needs it.
        """
        index = _INDEXES[kind].table()
        hidden = index.c[_INDEXES[kind].name]
        if ranked:  # bm25() is negative, lower for a better match
            window = select(
                index.c.rowid.label("post_id"), (-func.bm25(hidden, *_INDEXES[kind].weights)).label("relevance")
            )
        else:  # the date is the post's, read only for the newest first
            post = Thread if kind is HitKind.THREAD else Comment
            window = select(index.c.rowid.label("post_id"), col(post.created_at).label("created_at"))
            window = window.join(post, col(post.id) == index.c.rowid)
        return (
            window.where(hidden.op("MATCH")(fts5_query(terms)))
            .order_by(index.c.rowid.desc())
            .limit(MATCH_WINDOW)
            .subquery(f"{_INDEXES[kind].name}_hits")
        )

    def snippet(self, statement: Select, hits: Subquery, terms: SearchTerms) -> tuple[Select, ColumnElement[str]]:
        """snippet() needs its FTS5 table matched in the same statement: each page row is looked
        up again in its own table, by rowid (FTS5 reads one document, not the whole match)."""
        snippets = {}
        for kind, index in _INDEXES.items():
            text = index.table(f"{index.name}_text")
            hidden = text.c[index.name]
            statement = statement.outerjoin(
                text,
                and_(hits.c.kind == int(kind), text.c.rowid == hits.c.post_id, hidden.op("MATCH")(fts5_query(terms))),
            )
            snippets[kind] = func.snippet(hidden, index.body_column, MATCH_START, MATCH_END, ELLIPSIS, SNIPPET_TOKENS)
        snippet = case((hits.c.kind == int(HitKind.THREAD), snippets[HitKind.THREAD]), else_=snippets[HitKind.COMMENT])
        return statement, snippet
