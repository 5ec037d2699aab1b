"""HTML pages for threads and comments; each route calls the same service as the API."""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask

from forum.answers import with_retry_after
from forum.deps import CommentQuotaPage, PageViewerDep, ScreeningDep, SessionDep, SettingsDep, ThreadQuotaPage
from forum.errors import InvalidInput, RateLimited
from forum.kit.forms import parse_form
from forum.kit.ids import MAX_ID, CommentId, Cursor, TagFilter, ThreadId
from forum.kit.pagination import encode_cursor
from forum.pages import redirect, render, safe_next
from forum.permissions import Viewer, can_moderate
from forum.templating import csrf_token_for
from forum.threads import fragments, reading, service
from forum.threads.models import Audience, BookmarkTarget, Comment, Thread
from forum.threads.schemas import CommentCreate, CommentOrder, CommentUpdate, ThreadCreate, ThreadUpdate
from forum.threads.view_counter import viewer_key
from forum.topics import service as topics_service

log = logging.getLogger(__name__)
router = APIRouter()

TextField = Annotated[str, Form()]
TagsField = Annotated[list[str] | None, Form()]


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, viewer: PageViewerDep, session: SessionDep, cursor: Cursor = None, topic: TagFilter = None
) -> Response:
    """The latest discussions; ``?topic=a&topic=b`` keeps those carrying every topic given."""
    chosen = list(dict.fromkeys(topic or []))
    threads = service.front_page(session, viewer=viewer, cursor=cursor, tags=chosen)
    topics = topics_service.list_topics(session, viewer=viewer)
    context = {"page": threads.latest, "pinned": threads.pinned, "topics": topics, "chosen": chosen}
    return render(request, "threads/home.html", context)


@router.get("/threads/new", response_class=HTMLResponse)
def new_thread_form(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    service.ensure_can_start_thread(viewer)
    return _thread_form(request, session, viewer, {"audience": Audience.MEMBERS, "tags": []}, {}, action="/threads")


def _thread_form(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    values: dict,
    errors: dict,
    *,
    action: str,
    status_code: int = 200,
    thread_id: int | None = None,
    suggested: list[str] | None = None,
    preview_html: str = "",
) -> Response:
    """The form to start or edit a thread, offering every topic still offered (and any the thread keeps)."""
    offered = [
        entry
        for entry in topics_service.list_topics(session, viewer=viewer, include_retired=True)
        if not entry.topic.is_retired or entry.topic.slug in values.get("tags", [])
    ]
    context = {
        "values": values,
        "errors": errors,
        "action": action,
        "thread_id": thread_id,
        "offered": offered,
        "suggested": suggested or [],
        "preview_html": preview_html,
    }
    return render(request, "threads/thread_form.html", context, status_code)


def _preview(session: SessionDep, body: str) -> tuple[str, dict[str, str]]:
    """The body as its post would show it, or the errors posting it would meet; nothing is stored.

    The body is held to the rules of a post's body first (a comment's and a thread's are the same
    ``Body``), so a preview never renders more than a post may hold.
    """
    try:
        data = parse_form(CommentCreate, {"body": body})
    except InvalidInput as error:
        return "", error.fields
    return service.render_preview(session, source=data.body), {}


NO_TOPIC_CHOSEN = "needs at least one topic: check the suggestions or choose others"


def _form_again_if_asked(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    values: dict,
    intent: str,
    *,
    action: str,
    thread_id: int | None = None,
) -> Response | None:
    """The form again, nothing posted, when the member asks for a preview or for topic suggestions.

    Without any topic chosen the suggestions come unasked, ticked: the member checks them and submits.
    Everything typed comes back as it was typed.
    """
    suggested: list[str] = []
    preview_html = ""
    if intent == "preview":
        preview_html, errors = _preview(session, values["body"])
    elif intent == "suggest" or not values["tags"]:
        suggested = [t.slug for t in topics_service.suggest(session, f"{values['title']}\n{values['body']}")]
        values = {**values, "tags": values["tags"] or suggested}
        errors = {} if intent == "suggest" else {"tags": NO_TOPIC_CHOSEN}
    else:
        return None
    return _thread_form(
        request,
        session,
        viewer,
        values,
        errors,
        action=action,
        thread_id=thread_id,
        status_code=422 if errors else 200,
        suggested=suggested,
        preview_html=preview_html,
    )


@router.post("/threads", response_class=HTMLResponse)
def start_thread(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    policy: ScreeningDep,
    quota: ThreadQuotaPage,
    title: TextField = "",
    body: TextField = "",
    audience: TextField = Audience.MEMBERS,
    tags: TagsField = None,
    intent: TextField = "post",
    confirm_identifiers: TextField = "",
) -> Response:
    service.ensure_can_start_thread(viewer)
    values = {"title": title, "body": body, "audience": audience, "tags": tags or []}
    if (again := _form_again_if_asked(request, session, viewer, values, intent, action="/threads")) is not None:
        return again
    try:
        data = parse_form(ThreadCreate, {**values, "confirm_identifiers": bool(confirm_identifiers)})
        quota.spend()
        thread = service.start_thread(session, viewer=viewer, data=data, policy=policy)
    except InvalidInput as error:
        return _thread_form(request, session, viewer, values, error.fields, action="/threads", status_code=422)
    except RateLimited as error:
        refused = {"body": error.message}
        return with_retry_after(
            _thread_form(request, session, viewer, values, refused, action="/threads", status_code=429), error
        )
    return redirect(f"/threads/{thread.id}")


COMMENTS_PER_PAGE = 50


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
def thread_page(
    request: Request,
    thread_id: ThreadId,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    cursor: Cursor = None,
    order: CommentOrder | None = None,
) -> Response:
    """A thread and a page of its comments; the comments shown count as read for a member.

    A member coming back to a thread by its plain address is sent on (303) to the page that starts
    at the first comment they have not read. Only the plain address does that: the address they
    land on names its page, so reloading, Back and a saved address keep showing that page, and the
    order links and "Back to the first comments" (which name an order) always show the start.
    """
    entry = service.get_thread(session, viewer=viewer, thread_id=thread_id)
    unread = reading.unread_in_thread(session, viewer=viewer, thread_id=thread_id)
    if cursor is None and order is None and unread is not None and unread.resume_at is not None:
        return redirect(_comment_url(thread_id, unread.resume_at))
    _count_view(request, viewer, settings.resolved_secret_key, thread_id)
    return _render_thread(request, viewer, session, entry, cursor=cursor, order=order or "oldest", unread=unread)


def _render_thread(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    entry: service.ThreadEntry,
    *,
    cursor: str | None = None,
    order: CommentOrder = "oldest",
    comment_values: dict[str, str] | None = None,
    comment_errors: dict[str, str] | None = None,
    comment_preview: str = "",
    status_code: int = 200,
    unread: reading.Unread | None = None,
) -> Response:
    """The thread page; also shown again, with the member's text, when a comment is refused or previewed.

    ``unread`` is the member's read state before this view: given, it marks the first unread
    comment, and the comments shown then count as read.
    """
    thread_id = entry.thread.id
    # Where a bookmark form sends the member back to: this very page, never the jump to the first unread comment.
    here = f"/threads/{thread_id}?order={order}" + (f"&cursor={cursor}" if cursor else "")
    csrf_token = csrf_token_for(request)
    block = _comments_block(request, viewer, session, entry.thread, cursor=cursor, order=order, here=here)
    shown_ids = [item.entry.comment.id for item in block.items]
    bookmarked = reading.bookmarked_in_thread(session, viewer=viewer, thread_id=thread_id, comment_ids=shown_ids)
    resume_at = unread.resume_at if unread else None
    moderating = can_moderate(viewer)
    context = {
        "entry": entry,
        "comments_html": fragments.assemble(
            request, viewer, block, here=here, csrf_token=csrf_token, bookmarked=bookmarked, resume_at=resume_at
        ),
        "shown_ids": shown_ids,
        "next_cursor": block.next_cursor,
        "unread": unread,
        "bookmarked": bookmarked,
        "here": here,
        "mod_topics": topics_service.list_topics(session, viewer=viewer) if moderating else [],
        "order": order,
        "cursor": cursor,
        "comment_values": comment_values or {},
        "comment_errors": comment_errors or {},
        "comment_preview": comment_preview,
    }
    response = render(request, "threads/thread.html", context, status_code)
    if unread is not None:
        response.background = _mark_shown_read(request, viewer, thread_id, unread, shown_ids)
    return response


def _comments_block(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    thread: Thread,
    *,
    cursor: str | None,
    order: CommentOrder,
    here: str,
) -> fragments.CommentsBlock:
    """The page of comments, rendered: shared by every plain reader of a kind (see fragments), else for this viewer."""
    kind = fragments.reader_kind(viewer)
    if kind == "member" and service.sees_own_comments_out_of_view(session, viewer=viewer, thread_id=thread.id):
        kind = None
    reader = fragments.PLAIN_READERS[kind] if kind else viewer
    # The creation time too: after a restore from backup, or a test's rollback, an id and a version can recur.
    key = (thread.id, thread.created_at, thread.comments_version, order, cursor, kind)
    cache: fragments.FragmentCache = request.app.state.comment_fragments
    block = cache.get(key) if kind else None
    if block is None:
        page = service.comments_page(
            session, viewer=reader, thread_id=thread.id, cursor=cursor, order=order, limit=COMMENTS_PER_PAGE
        )
        token = fragments.CSRF_PLACEHOLDER if kind else csrf_token_for(request)
        block = fragments.render_block(request, reader, page.items, page.next_cursor, here=here, csrf_token=token)
        if kind:
            cache.put(key, block)
    return block


def _mark_shown_read(
    request: Request, viewer: Viewer, thread_id: int, unread: reading.Unread, shown_ids: list[int]
) -> BackgroundTask | None:
    """Move the read position once the page is sent, in a short transaction of its own.

    After the response, so the request's own connection is back in the pool first: a request
    never holds one connection while waiting for another, and reading never holds the write lock.
    """
    position = reading.position_after_showing(unread, shown_ids)
    if position is None:
        return None
    database = request.app.state.database

    def mark() -> None:
        try:
            with database.session(write=True) as write_session:
                reading.mark_read(write_session, viewer=viewer, thread_id=thread_id, up_to_comment_id=position)
        except SQLAlchemyError:  # the page is sent; the next view marks it instead
            log.warning("could not mark thread %s read for member %s", thread_id, viewer.id)

    return BackgroundTask(mark)


def _count_view(request: Request, viewer: Viewer, secret: str, thread_id: int) -> None:
    address = request.client.host if request.client else ""
    key = viewer_key(viewer, address=address, user_agent=request.headers.get("user-agent", ""), secret=secret)
    request.app.state.view_counter.record(thread_id, key)


@router.get("/threads/{thread_id}/edit", response_class=HTMLResponse)
def edit_thread_form(request: Request, thread_id: ThreadId, viewer: PageViewerDep, session: SessionDep) -> Response:
    thread = service.thread_for_editing(session, viewer=viewer, thread_id=thread_id)
    topics = topics_service.topics_by_thread(session, [thread_id]).get(thread_id, [])
    values = {
        "title": thread.title,
        "body": thread.body,
        "audience": thread.audience,
        "tags": [t.topic.slug for t in topics],
    }
    return _thread_form(request, session, viewer, values, {}, action=f"/threads/{thread_id}/edit", thread_id=thread_id)


@router.post("/threads/{thread_id}/edit", response_class=HTMLResponse)
def edit_thread(
    request: Request,
    thread_id: ThreadId,
    viewer: PageViewerDep,
    session: SessionDep,
    title: TextField = "",
    body: TextField = "",
    audience: TextField = Audience.MEMBERS,
    tags: TagsField = None,
    intent: TextField = "post",
    confirm_identifiers: TextField = "",
) -> Response:
    service.thread_for_editing(session, viewer=viewer, thread_id=thread_id)
    action = f"/threads/{thread_id}/edit"
    values = {"title": title, "body": body, "audience": audience, "tags": tags or []}
    again = _form_again_if_asked(request, session, viewer, values, intent, action=action, thread_id=thread_id)
    if again is not None:
        return again
    try:
        data = parse_form(ThreadUpdate, {**values, "confirm_identifiers": bool(confirm_identifiers)})
        service.edit_thread(session, viewer=viewer, thread_id=thread_id, data=data)
    except InvalidInput as error:
        return _thread_form(
            request, session, viewer, values, error.fields, action=action, status_code=422, thread_id=thread_id
        )
    return redirect(f"/threads/{thread_id}")


@router.post("/threads/{thread_id}/delete")
def delete_thread(thread_id: ThreadId, viewer: PageViewerDep, session: SessionDep) -> Response:
    service.delete_thread(session, viewer=viewer, thread_id=thread_id)
    return redirect(f"/threads/{thread_id}")


@router.post("/threads/{thread_id}/comments", response_class=HTMLResponse)
def add_comment(
    request: Request,
    thread_id: ThreadId,
    viewer: PageViewerDep,
    session: SessionDep,
    policy: ScreeningDep,
    quota: CommentQuotaPage,
    body: TextField = "",
    confirm_identifiers: TextField = "",
    intent: TextField = "post",
) -> Response:
    """Post a comment; with ``intent=preview``, show the thread again with the comment previewed and not posted."""
    service.thread_for_commenting(session, viewer=viewer, thread_id=thread_id)
    preview_html, refusal = "", None
    if intent == "preview":
        preview_html, errors = _preview(session, body)
    else:
        try:
            data = parse_form(CommentCreate, {"body": body, "confirm_identifiers": bool(confirm_identifiers)})
            quota.spend()
            comment = service.add_comment(session, viewer=viewer, thread_id=thread_id, data=data, policy=policy)
            return redirect(_comment_url(thread_id, comment.id or 0))
        except InvalidInput as error:
            errors = error.fields
        except RateLimited as error:
            errors, refusal = {"body": error.message}, error
    entry = service.get_thread(session, viewer=viewer, thread_id=thread_id)
    response = _render_thread(
        request,
        viewer,
        session,
        entry,
        comment_values={"body": body},
        comment_errors=errors,
        comment_preview=preview_html,
        status_code=refusal.status_code if refusal else 422 if errors else 200,
    )
    return with_retry_after(response, refusal) if refusal else response


def _comment_url(thread_id: int, comment_id: int) -> str:
    """The thread page that starts at this comment (the cursor means 'after the one before').

    It always names a page or an order, so it is never sent on to the first unread comment.
    """
    return (
        f"/threads/{thread_id}?cursor={encode_cursor(comment_id - 1)}#comment-{comment_id}"
        if comment_id > 1
        else f"/threads/{thread_id}?order=oldest#comment-{comment_id}"
    )


@router.get("/comments/{comment_id}")
def comment_link(comment_id: CommentId, viewer: PageViewerDep, session: SessionDep) -> Response:
    entry = service.get_comment(session, viewer=viewer, comment_id=comment_id)
    return redirect(_comment_url(entry.comment.thread_id, comment_id))


@router.get("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit_comment_form(request: Request, comment_id: CommentId, viewer: PageViewerDep, session: SessionDep) -> Response:
    comment = service.comment_for_editing(session, viewer=viewer, comment_id=comment_id)
    return _comment_form(request, comment, {"body": comment.body}, {})


def _comment_form(
    request: Request,
    comment: Comment,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    preview_html: str = "",
) -> Response:
    context = {"comment": comment, "values": values, "errors": errors, "preview_html": preview_html}
    return render(request, "threads/comment_form.html", context, status_code)


@router.post("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit_comment(
    request: Request,
    comment_id: CommentId,
    viewer: PageViewerDep,
    session: SessionDep,
    body: TextField = "",
    confirm_identifiers: TextField = "",
    intent: TextField = "post",
) -> Response:
    comment = service.comment_for_editing(session, viewer=viewer, comment_id=comment_id)
    if intent == "preview":
        preview_html, errors = _preview(session, body)
        return _comment_form(request, comment, {"body": body}, errors, 422 if errors else 200, preview_html)
    try:
        data = parse_form(CommentUpdate, {"body": body, "confirm_identifiers": bool(confirm_identifiers)})
        service.edit_comment(session, viewer=viewer, comment_id=comment_id, data=data)
    except InvalidInput as error:
        return _comment_form(request, comment, {"body": body}, error.fields, 422)
    return redirect(_comment_url(comment.thread_id, comment_id))


@router.post("/comments/{comment_id}/delete")
def delete_comment(comment_id: CommentId, viewer: PageViewerDep, session: SessionDep) -> Response:
    comment = service.delete_comment(session, viewer=viewer, comment_id=comment_id)
    return redirect(_comment_url(comment.thread_id, comment_id))


@router.post("/bookmarks")
def bookmark(
    viewer: PageViewerDep,
    session: SessionDep,
    # A target that is not one is a 422, like any invalid form.
    target_type: Annotated[BookmarkTarget, Form()],
    target_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    remove: TextField = "",
    next: TextField = "/",
) -> Response:
    """Bookmark a thread or a comment from its page, or with ``remove`` take the bookmark away; then go back."""
    if remove:
        reading.remove_bookmark(session, viewer=viewer, target_type=target_type, target_id=target_id)
    else:
        reading.add_bookmark(session, viewer=viewer, target_type=target_type, target_id=target_id)
    return redirect(safe_next(next))
