"""JSON API of the search domain."""

from fastapi import APIRouter

from forum.accounts.schemas import MemberSummary
from forum.deps import ApiViewerDep, SessionDep
from forum.kit.ids import DEFAULT_PAGE_SIZE, Limit
from forum.search import service
from forum.search.schemas import SearchPage, SearchRequestDep, SearchResultPublic
from forum.search.service import SearchHit
from forum.search.terms import MAX_QUERY_LENGTH, MAX_WORDS

router = APIRouter(tags=["search"])


def result_public(hit: SearchHit) -> SearchResultPublic:
    return SearchResultPublic(
        type=hit.kind.name.lower(),  # type: ignore[arg-type]
        thread_id=hit.thread_id,
        comment_id=hit.comment_id,
        title=hit.title,
        snippet=str(hit.snippet),
        created_at=hit.created_at,
        author=MemberSummary(id=hit.author_id, display_name=hit.author_name),
    )


@router.get(
    "/search",
    response_model=SearchPage,
    responses={
        400: {"description": "The cursor is not one this server made"},
        401: {"description": "The token sent is not valid"},
        404: {"description": "A topic given in `tag` does not exist"},
        422: {"description": f"The query is over {MAX_QUERY_LENGTH} characters or {MAX_WORDS} words long"},
    },
)
def search_posts(
    viewer: ApiViewerDep, session: SessionDep, search: SearchRequestDep, limit: Limit = DEFAULT_PAGE_SIZE
) -> SearchPage:
    """Threads (title and body) and comments you may read that match every word and phrase of ``q``.

    Words are stemmed ("trading" finds "trade"); anything but letters and digits is ignored,
    so no character has a special meaning except double quotes around a phrase. A query
    with no words finds nothing. ``sort=relevance`` (the default) puts the best matches
    first, ``sort=newest`` the newest posts. Each ``tag`` narrows to threads with that
    topic (all must match). ``snippet`` is escaped HTML with the matches in ``<mark>``.
    A word found in more than 1,000 threads (or comments) is searched in the newest 1,000.
    """
    page = service.search(session, viewer=viewer, search=search, limit=limit)
    return SearchPage(items=[result_public(hit) for hit in page.items], next_cursor=page.next_cursor)
