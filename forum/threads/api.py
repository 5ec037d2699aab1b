"""JSON API for threads and comments: each route parses, calls one service function, returns a schema."""

from fastapi import APIRouter, Response, status

from forum.accounts.schemas import MemberSummary
from forum.deps import ApiMemberDep, ApiViewerDep, ScreeningDep, SessionDep
from forum.kit.ids import DEFAULT_PAGE_SIZE, CommentId, Cursor, Limit, TagFilter, ThreadId
from forum.threads import service
from forum.threads.schemas import (
    CommentCreate,
    CommentOrder,
    CommentPage,
    CommentPublic,
    CommentUpdate,
    RevisionPublic,
    ThreadCreate,
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
    """Threads by latest activity; each ``tag`` given narrows to threads that carry it."""
    page = service.list_threads(session, viewer=viewer, cursor=cursor, limit=limit, tags=tag)
    return ThreadPage(items=[thread_public(e) for e in page.items], next_cursor=page.next_cursor)


@router.post("/threads", status_code=status.HTTP_201_CREATED, response_model=ThreadPublic, responses=_ERRORS)
def start_thread(data: ThreadCreate, viewer: ApiMemberDep, session: SessionDep, policy: ScreeningDep) -> ThreadPublic:
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
    responses=_ERRORS,
)
def add_comment(
    thread_id: ThreadId, data: CommentCreate, viewer: ApiMemberDep, session: SessionDep, policy: ScreeningDep
) -> CommentPublic:
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
