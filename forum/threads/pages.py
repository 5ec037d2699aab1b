"""HTML pages for threads and comments; each route calls the same service as the API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from forum.deps import PageViewerDep, ScreeningDep, SessionDep, SettingsDep
from forum.errors import InvalidInput
from forum.kit.forms import parse_form
from forum.kit.ids import CommentId, Cursor, TagFilter, ThreadId
from forum.kit.pagination import encode_cursor
from forum.pages import redirect, render
from forum.permissions import Viewer, can_moderate
from forum.threads import service
from forum.threads.models import Audience, Comment
from forum.threads.schemas import CommentCreate, CommentOrder, CommentUpdate, ThreadCreate, ThreadUpdate
from forum.threads.view_counter import viewer_key
from forum.topics import service as topics_service

router = APIRouter()

TextField = Annotated[str, Form()]
TagsField = Annotated[list[str] | None, Form()]


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, viewer: PageViewerDep, session: SessionDep, cursor: Cursor = None, topic: TagFilter = None
) -> Response:
    """The latest discussions; ``?topic=a&topic=b`` keeps those carrying every topic given."""
    chosen = list(dict.fromkeys(topic or []))
    pinned = [] if cursor else service.pinned_threads(session, viewer=viewer, tags=chosen)
    page = service.list_threads(session, viewer=viewer, cursor=cursor, tags=chosen, pinned=False)
    topics = topics_service.list_topics(session, viewer=viewer)
    context = {"page": page, "pinned": pinned, "topics": topics, "chosen": chosen}
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
    }
    return render(request, "threads/thread_form.html", context, status_code)


def _suggest_if_asked(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    values: dict,
    intent: str,
    *,
    action: str,
    thread_id: int | None = None,
) -> Response | None:
    """When the member asks for suggestions (or chose no topic), show the form with them ticked.

    Suggestions never post anything: the member checks them and submits.
    """
    if intent != "suggest" and values["tags"]:
        return None
    suggested = [t.slug for t in topics_service.suggest(session, f"{values['title']}\n{values['body']}")]
    values = {**values, "tags": values["tags"] or suggested}
    errors = {} if intent == "suggest" else {"tags": "needs at least one topic: check the suggestions or choose others"}
    return _thread_form(
        request,
        session,
        viewer,
        values,
        errors,
        action=action,
        thread_id=thread_id,
        status_code=200 if intent == "suggest" else 422,
        suggested=suggested,
    )


@router.post("/threads", response_class=HTMLResponse)
def start_thread(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    policy: ScreeningDep,
    title: TextField = "",
    body: TextField = "",
    audience: TextField = Audience.MEMBERS,
    tags: TagsField = None,
    intent: TextField = "post",
    confirm_identifiers: TextField = "",
) -> Response:
    service.ensure_can_start_thread(viewer)
    values = {"title": title, "body": body, "audience": audience, "tags": tags or []}
    if (suggestions := _suggest_if_asked(request, session, viewer, values, intent, action="/threads")) is not None:
        return suggestions
    try:
        data = parse_form(ThreadCreate, {**values, "confirm_identifiers": bool(confirm_identifiers)})
        thread = service.start_thread(session, viewer=viewer, data=data, policy=policy)
    except InvalidInput as error:
        return _thread_form(request, session, viewer, values, error.fields, action="/threads", status_code=422)
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
    order: CommentOrder = "oldest",
) -> Response:
    entry = service.get_thread(session, viewer=viewer, thread_id=thread_id)
    _count_view(request, viewer, settings.resolved_secret_key, thread_id)
    return _render_thread(request, viewer, session, entry, cursor=cursor, order=order)


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
    status_code: int = 200,
) -> Response:
    """The thread page; also shown again, with the member's text, when a comment is refused."""
    comments = service.comments_page(
        session, viewer=viewer, thread_id=entry.thread.id, cursor=cursor, order=order, limit=COMMENTS_PER_PAGE
    )
    moderating = can_moderate(viewer)
    context = {
        "entry": entry,
        "comments": comments,
        "mod_topics": topics_service.list_topics(session, viewer=viewer) if moderating else [],
        "order": order,
        "cursor": cursor,
        "comment_values": comment_values or {},
        "comment_errors": comment_errors or {},
    }
    return render(request, "threads/thread.html", context, status_code)


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
    suggestions = _suggest_if_asked(request, session, viewer, values, intent, action=action, thread_id=thread_id)
    if suggestions is not None:
        return suggestions
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
    body: TextField = "",
    confirm_identifiers: TextField = "",
) -> Response:
    service.thread_for_commenting(session, viewer=viewer, thread_id=thread_id)
    try:
        data = parse_form(CommentCreate, {"body": body, "confirm_identifiers": bool(confirm_identifiers)})
        comment = service.add_comment(session, viewer=viewer, thread_id=thread_id, data=data, policy=policy)
    except InvalidInput as error:
        entry = service.get_thread(session, viewer=viewer, thread_id=thread_id)
        return _render_thread(
            request, viewer, session, entry, comment_values={"body": body}, comment_errors=error.fields, status_code=422
        )
    return redirect(_comment_url(thread_id, comment.id or 0))


def _comment_url(thread_id: int, comment_id: int) -> str:
    """The thread page that starts at this comment (the cursor means 'after the one before')."""
    return (
        f"/threads/{thread_id}?cursor={encode_cursor(comment_id - 1)}#comment-{comment_id}"
        if comment_id > 1
        else f"/threads/{thread_id}#comment-{comment_id}"
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
    request: Request, comment: Comment, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    context = {"comment": comment, "values": values, "errors": errors}
    return render(request, "threads/comment_form.html", context, status_code)


@router.post("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit_comment(
    request: Request,
    comment_id: CommentId,
    viewer: PageViewerDep,
    session: SessionDep,
    body: TextField = "",
    confirm_identifiers: TextField = "",
) -> Response:
    comment = service.comment_for_editing(session, viewer=viewer, comment_id=comment_id)
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
