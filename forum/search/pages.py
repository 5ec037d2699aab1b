"""HTML pages of the search domain: the search page, which calls the same service as the API."""

from dataclasses import replace
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from forum.accounts import service as accounts_service
from forum.deps import PageViewerDep, SessionDep
from forum.errors import InvalidInput
from forum.kit.pagination import Page
from forum.pages import render
from forum.search import service
from forum.search.queries import SearchSort
from forum.search.schemas import SearchRequest, SearchRequestDep
from forum.search.terms import MAX_QUERY_LENGTH
from forum.topics import service as topics_service

router = APIRouter()

RESULTS_PER_PAGE = 20


def search_url(search: SearchRequest) -> str:
    """The address of a search, leaving out what is left at its default."""
    params: list[tuple[str, str]] = [("q", search.q), *(("tag", slug) for slug in search.tags)]
    if search.author is not None:
        params.append(("author", str(search.author)))
    if search.sort is not SearchSort.RELEVANCE:
        params.append(("sort", search.sort.value))
    if search.cursor:
        params.append(("cursor", search.cursor))
    return f"/search?{urlencode(params)}"


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, viewer: PageViewerDep, session: SessionDep, search: SearchRequestDep) -> Response:
    """Search threads and comments; visitors find public ones only."""
    errors: dict[str, str] = {}
    try:
        results = service.search(session, viewer=viewer, search=search, limit=RESULTS_PER_PAGE)
    except InvalidInput as error:
        results, errors = Page(items=[], next_cursor=None), error.fields
    next_search = replace(search, cursor=results.next_cursor)
    context = {
        "search": search,
        "errors": errors,
        "results": results,
        "author": accounts_service.get_member(session, member_id=search.author) if search.author else None,
        "topics": topics_service.list_topics(session, viewer=viewer),
        "max_length": MAX_QUERY_LENGTH,
        "sort_urls": {sort: search_url(replace(search, sort=sort, cursor=None)) for sort in SearchSort},
        "without_author_url": search_url(replace(search, author=None, cursor=None)),
        "next_url": search_url(next_search) if next_search.cursor else None,
    }
    return render(request, "search/results.html", context, 422 if errors else 200)
