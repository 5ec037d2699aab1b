"""Search on PostgreSQL: the generated ``search_vector`` columns and their GIN indexes (see the search migration).

The ``english`` configuration stems words ("trading" finds "trade") and drops stop words.
Each term becomes ``plainto_tsquery`` (a word) or ``phraseto_tsquery`` (a phrase) of
plain words, joined with ``&&``: the text typed never reaches a query parser. Relevance
is ``ts_rank`` with the title weighed above bodies, discounted for long posts.
"""

from functools import reduce

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY, TSVECTOR
from sqlmodel import Session, col

from forum.search.queries import LESS_THAN_STAND_IN, MATCH_END, MATCH_START, MATCH_WINDOW, HitKind
from forum.search.terms import SearchTerms
from forum.threads.models import Comment, Thread

# 1: divide by 1 + log(length), so a passing mention in a long post ranks low; 32: scale into [0, 1).
RANK_NORMALISATION = 1 | 32
HEADLINE_OPTIONS = f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=30, MinWords=12"
_VECTORS = {
    HitKind.THREAD: literal_column("thread.search_vector", TSVECTOR),
    HitKind.COMMENT: literal_column("comment.search_vector", TSVECTOR),
}


def _config() -> ColumnElement[str]:
    return literal_column("'english'", REGCONFIG)


def tsquery(terms: SearchTerms) -> ColumnElement[str]:
    """Every term must match: a word by its stem, a phrase by its stems in order."""
    parts = [
        (func.phraseto_tsquery if len(words) > 1 else func.plainto_tsquery)(_config(), " ".join(words), type_=TSQUERY)
        for words in terms.terms
    ]
    return reduce(lambda left, right: left.op("&&", return_type=TSQUERY)(right), parts)


class PostgresSearch:
    def prepare(self, session: Session) -> None:
        """No JIT compiling: over a million posts the planner's estimates for a search pass its
        threshold, and compiling (tens to hundreds of ms) costs more than the search it speeds up."""
        session.execute(text("SET LOCAL jit = off"))

    def matches(self, kind: HitKind, terms: SearchTerms, *, ranked: bool) -> Subquery:
        """Matches newest first, cut to the window before ``ts_rank`` reads their vectors."""
        post = Thread if kind is HitKind.THREAD else Comment
        vector, query = _VECTORS[kind], tsquery(terms)
        name = f"search_{post.__tablename__}_hits"
        window = (
            select(col(post.id).label("post_id"), col(post.created_at).label("created_at"), vector.label("vector"))
            .where(vector.op("@@")(query))
            .order_by(col(post.id).desc())
            .limit(MATCH_WINDOW)
            .subquery(f"{name}_window")
        )
        if ranked:
            return select(
                window.c.post_id, func.ts_rank(window.c.vector, query, RANK_NORMALISATION).label("relevance")
            ).subquery(name)
        return select(window.c.post_id, window.c.created_at).subquery(name)

    def snippet(self, statement: Select, hits: Subquery, terms: SearchTerms) -> tuple[Select, ColumnElement[str]]:
        """ts_headline reads the whole text, so it runs only on the page's rows, fetched here."""
        statement = statement.outerjoin(
            Comment, and_(hits.c.kind == int(HitKind.COMMENT), col(Comment.id) == hits.c.post_id)
        )
        body = case((hits.c.kind == int(HitKind.THREAD), col(Thread.body)), else_=col(Comment.body))
        text = func.replace(body, "<", LESS_THAN_STAND_IN)
        return statement, func.ts_headline(_config(), text, tsquery(terms), HEADLINE_OPTIONS)
