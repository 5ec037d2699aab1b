"""JSON API for threads and comments: each route parses, calls one service function, returns a schema."""

from fastapi import APIRouter, Response, status

from forum.accounts.schemas import MemberSummary
from forum.deps import ApiMemberDep, ApiViewerDep, CommentQuotaApi, ScreeningDep, SessionDep, ThreadQuotaApi
from forum.errors import RATE_LIMITED_RESPONSE
from forum.kit.ids import DEFAULT_PAGE_SIZE, CommentId, Cursor, Limit, TagFilter, ThreadId
from forum.threads import reading, service
from forum.threads.schemas import (
    BookmarkPage,
    BookmarkPublic,
    BookmarkRequest,
    CommentCreate,
    CommentOrder,
    CommentPage,
    CommentPublic,
    CommentUpdate,
    ReadMark,
    ReadState,
    RevisionPublic,
    ThreadCreate,
    ThreadListItem,
    ThreadPage,
    ThreadPublic,
    ThreadUpdate,
)
from forum.threads.service import CommentEntry, ThreadEntry

router = APIRouter(tags=["threads"])

_ERRORS = {
    401: {"description": "A token is needed, or the one sent is not valid"},
    403: {"description": "You may see this but not do that"},
    404: {"description": "Absent, or not visible to you"},
}


def thread_public(entry: ThreadEntry) -> ThreadPublic:
    thread = entry.thread
    return ThreadPublic(
        id=thread.id,
        title=thread.title if entry.text_shown else "",
        body=thread.body if entry.text_shown else "",
        body_html=thread.body_html if entry.text_shown else "",
        audience=thread.audience,
        author=MemberSummary(id=entry.author.id, display_name=entry.author.display_name),
        created_at=thread.created_at,
        updated_at=thread.updated_at,
        comment_count=thread.comment_count,
        view_count=thread.view_count,
        locked=thread.locked,
        pinned=thread.pinned,
        deleted=thread.is_deleted,
        visibility=thread.visibility,
        tags=[t.topic.slug for t in entry.topics],
    )


def thread_list_item(entry: ThreadEntry) -> ThreadListItem:
    unread = entry.unread
    return ThreadListItem(
        **thread_public(entry).model_dump(),
        unread_count=unread.count if unread else None,
        first_unread_comment_id=unread.first_comment_id if unread else None,
    )


def comment_public(entry: CommentEntry) -> CommentPublic:
    comment = entry.comment
    return CommentPublic(
        id=comment.id,
        thread_id=comment.thread_id,
        author=MemberSummary(id=entry.author.id, display_name=entry.author.display_name),
        body=comment.body if entry.text_shown else "",
        body_html=comment.body_html if entry.text_shown else "",
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        deleted=comment.is_deleted,
        visibility=comment.visibility,
    )


@router.get("/threads", response_model=ThreadPage, responses=_ERRORS)
def list_threads(
    viewer: ApiViewerDep,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    tag: TagFilter = None,
) -> ThreadPage:
    """Threads by latest activity; each ``tag`` given narrows to threads that carry it.

    For a member, each thread says how many comments are new since they last read it.
    """
    page = service.list_threads(session, viewer=viewer, cursor=cursor, limit=limit, tags=tag)
    return ThreadPage(items=[thread_list_item(e) for e in page.items], next_cursor=page.next_cursor)


@router.post(
    "/threads",
    status_code=status.HTTP_201_CREATED,
    response_model=ThreadPublic,
    responses=_ERRORS | RATE_LIMITED_RESPONSE,
)
def start_thread(
    data: ThreadCreate, viewer: ApiMemberDep, session: SessionDep, policy: ScreeningDep, quota: ThreadQuotaApi
) -> ThreadPublic:
    quota.spend()
    thread = service.start_thread(session, viewer=viewer, data=data, policy=policy)
    return thread_public(service.get_thread(session, viewer=viewer, thread_id=thread.id))


@router.get("/threads/{thread_id}", response_model=ThreadPublic, responses=_ERRORS)
def get_thread(thread_id: ThreadId, viewer: ApiViewerDep, session: SessionDep) -> ThreadPublic:
    return thread_public(service.get_thread(session, viewer=viewer, thread_id=thread_id))


@router.patch("/threads/{thread_id}", response_model=ThreadPublic, responses=_ERRORS)
def edit_thread(thread_id: ThreadId, data: ThreadUpdate, viewer: ApiMemberDep, session: SessionDep) -> ThreadPublic:
    service.edit_thread(session, viewer=viewer, thread_id=thread_id, data=data)
    return thread_public(service.get_thread(session, viewer=viewer, thread_id=thread_id))


@router.delete("/threads/{thread_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def delete_thread(thread_id: ThreadId, viewer: ApiMemberDep, session: SessionDep) -> Response:
    service.delete_thread(session, viewer=viewer, thread_id=thread_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/threads/{thread_id}/comments", response_model=CommentPage, responses=_ERRORS)
def list_comments(
    thread_id: ThreadId,
    viewer: ApiViewerDep,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    order: CommentOrder = "oldest",
) -> CommentPage:
    page = service.list_comments(session, viewer=viewer, thread_id=thread_id, cursor=cursor, order=order, limit=limit)
    return CommentPage(items=[comment_public(e) for e in page.items], next_cursor=page.next_cursor)


@router.post(
    "/threads/{thread_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentPublic,
    responses=_ERRORS | RATE_LIMITED_RESPONSE,
)
def add_comment(
    thread_id: ThreadId,
    data: CommentCreate,
    viewer: ApiMemberDep,
    session: SessionDep,
    policy: ScreeningDep,
    quota: CommentQuotaApi,
) -> CommentPublic:
    quota.spend()
    comment = service.add_comment(session, viewer=viewer, thread_id=thread_id, data=data, policy=policy)
    return comment_public(service.get_comment(session, viewer=viewer, comment_id=comment.id))


@router.patch("/comments/{comment_id}", response_model=CommentPublic, responses=_ERRORS)
def edit_comment(
    comment_id: CommentId, data: CommentUpdate, viewer: ApiMemberDep, session: SessionDep
) -> CommentPublic:
    comment = service.edit_comment(session, viewer=viewer, comment_id=comment_id, data=data)
    return comment_public(service.get_comment(session, viewer=viewer, comment_id=comment.id))


@router.delete("/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def delete_comment(comment_id: CommentId, viewer: ApiMemberDep, session: SessionDep) -> Response:
    service.delete_comment(session, viewer=viewer, comment_id=comment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/threads/{thread_id}/revisions", response_model=list[RevisionPublic], responses=_ERRORS)
def thread_revisions(thread_id: ThreadId, viewer: ApiMemberDep, session: SessionDep) -> list[RevisionPublic]:
    """Earlier versions of a thread, newest first: for its author and moderators."""
    revisions = service.revisions_of(session, viewer=viewer, thread_id=thread_id)
    return [RevisionPublic.model_validate(r, from_attributes=True) for r in revisions]


@router.get("/comments/{comment_id}/revisions", response_model=list[RevisionPublic], responses=_ERRORS)
def comment_revisions(comment_id: CommentId, viewer: ApiMemberDep, session: SessionDep) -> list[RevisionPublic]:
    """Earlier versions of a comment, newest first: for its author and moderators."""
    revisions = service.revisions_of(session, viewer=viewer, comment_id=comment_id)
    return [RevisionPublic.model_validate(r, from_attributes=True) for r in revisions]


@router.post("/threads/{thread_id}/read", response_model=ReadState, responses=_ERRORS)
def mark_read(
    thread_id: ThreadId, viewer: ApiMemberDep, session: SessionDep, data: ReadMark | None = None
) -> ReadState:
    """Mark a thread read up to one of its comments, or up to its latest; the mark never moves back.

    Reading comments through the API marks nothing by itself: a client calls this for what it showed.
    """
    up_to = data.up_to_comment_id if data else None
    unread = reading.mark_thread_read(session, viewer=viewer, thread_id=thread_id, up_to_comment_id=up_to)
    return ReadState(
        thread_id=thread_id,
        last_read_comment_id=unread.last_read_comment_id,
        read_at=unread.read_at,
        unread_count=unread.count,
        first_unread_comment_id=unread.first_comment_id,
    )


def bookmark_public(entry: reading.BookmarkEntry) -> BookmarkPublic:
    bookmark = entry.bookmark
    return BookmarkPublic(
        id=bookmark.id,
        target_type=bookmark.target_type,
        target_id=bookmark.target_id,
        thread_id=entry.thread.id,
        thread_title=entry.thread.title,
        comment_body=entry.comment.body if entry.comment else None,
        created_at=bookmark.created_at,
    )


@router.get("/bookmarks", response_model=BookmarkPage, responses=_ERRORS)
def list_bookmarks(
    viewer: ApiMemberDep, session: SessionDep, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> BookmarkPage:
    """Your bookmarks, newest first; those of something you can no longer see are left out."""
    page = reading.list_bookmarks(session, viewer=viewer, cursor=cursor, limit=limit)
    return BookmarkPage(items=[bookmark_public(e) for e in page.items], next_cursor=page.next_cursor)


@router.post(
    "/bookmarks",
    status_code=status.HTTP_201_CREATED,
    response_model=BookmarkPublic,
    responses={**_ERRORS, 200: {"description": "Already bookmarked: nothing changed", "model": BookmarkPublic}},
)
def add_bookmark(
    data: BookmarkRequest, response: Response, viewer: ApiMemberDep, session: SessionDep
) -> BookmarkPublic:
    """Bookmark a thread or a comment: 201 when new, 200 with the same bookmark when it was already there."""
    entry, created = reading.add_bookmark(
        session, viewer=viewer, target_type=data.target_type, target_id=data.target_id
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return bookmark_public(entry)


@router.delete("/bookmarks", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def remove_bookmark(data: BookmarkRequest, viewer: ApiMemberDep, session: SessionDep) -> Response:
    """Remove a bookmark (404 when there is none of that target)."""
    reading.remove_bookmark(session, viewer=viewer, target_type=data.target_type, target_id=data.target_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
