"""HTML pages for reporting, the moderation queue, actions, the logs and the watched words.

Each form posts to a route that calls the same service as the API. A refused action shows
the page again with the reason, and nothing is changed (the service checks before it writes).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from forum.answers import with_retry_after
from forum.deps import PageViewerDep, ReportQuotaPage, SessionDep, SettingsDep
from forum.errors import Conflict, Forbidden, InvalidInput, RateLimited
from forum.kit.forms import parse_form
from forum.kit.ids import MAX_ID, Cursor
from forum.moderation import service, watched_words
from forum.moderation.api import ItemId, LogFilterDep, TargetIdPath
from forum.moderation.models import (
    MEMBER_REASONS,
    Action,
    ItemStatus,
    ReportReason,
    TargetType,
    WatchMode,
)
from forum.moderation.schemas import ActionRequest, ReportCreate, UndoRequest, WatchedWordCreate
from forum.pages import redirect, render, safe_next
from forum.permissions import Viewer
from forum.topics import service as topics_service
from forum.topics.schemas import TopicSlug

router = APIRouter()

TextField = Annotated[str, Form()]
TagsField = Annotated[list[str] | None, Form()]
TargetId = Annotated[int, Query(ge=1, le=MAX_ID)]


class TargetPath(StrEnum):
    """The moderator tools' address for each kind of target, as in the API."""

    THREADS = "threads"
    COMMENTS = "comments"
    USERS = "users"


TARGET_TYPES = {
    TargetPath.THREADS: TargetType.THREAD,
    TargetPath.COMMENTS: TargetType.COMMENT,
    TargetPath.USERS: TargetType.USER,
}


def _refusal(error: InvalidInput | Conflict | Forbidden) -> str:
    if isinstance(error, InvalidInput):
        problems = "; ".join(f"{field} {problem}" for field, problem in error.fields.items())
        return f"Nothing was done: {problems}."
    return error.message


@dataclass(frozen=True)
class ActionForm:
    """The fields of every moderator action form, as typed; read as an ``ActionRequest``."""

    action: str
    reason: str
    duration_days: str
    tags: list[str] | None
    audience: str

    def parsed(self) -> ActionRequest:
        values: dict[str, object] = {"action": self.action}
        if self.reason:
            values["reason"] = self.reason
        if self.duration_days:
            values["duration_days"] = int(self.duration_days) if self.duration_days.isdigit() else self.duration_days
        if self.tags:
            values["tags"] = self.tags
        if self.audience:
            values["audience"] = self.audience
        return parse_form(ActionRequest, values)


def action_form(
    action: TextField = "",
    reason: TextField = "",
    duration_days: TextField = "",
    tags: TagsField = None,
    audience: TextField = "",
) -> ActionForm:
    return ActionForm(action, reason, duration_days, tags, audience)


ActionFormDep = Annotated[ActionForm, Depends(action_form)]


# --- reporting -----------------------------------------------------------------------


@router.get("/report", response_class=HTMLResponse)
def report_form(
    request: Request, viewer: PageViewerDep, session: SessionDep, target_type: TargetType, target_id: TargetId
) -> Response:
    service.check_reportable(session, viewer=viewer, target_type=target_type, target_id=target_id)
    values = {"target_type": target_type, "target_id": str(target_id), "reason": "", "details": ""}
    return _report_form(request, values, {})


def _report_form(request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    context = {"values": values, "errors": errors, "reasons": MEMBER_REASONS}
    return render(request, "moderation/report_form.html", context, status_code)


@router.post("/reports", response_class=HTMLResponse)
def send_report(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    quota: ReportQuotaPage,
    target_type: TextField = "",
    target_id: TextField = "",
    reason: TextField = "",
    details: TextField = "",
) -> Response:
    values = {"target_type": target_type, "target_id": target_id, "reason": reason, "details": details}
    try:
        data = parse_form(ReportCreate, {**values, "target_id": int(target_id) if target_id.isdigit() else target_id})
        quota.spend()
        service.report(session, viewer=viewer, data=data, auto_hide_at=settings.auto_hide_reports)
    except InvalidInput as error:
        return _report_form(request, values, error.fields, 422)
    except (Conflict, RateLimited) as error:
        return with_retry_after(_report_form(request, values, {"reason": error.message}, error.status_code), error)
    return redirect("/reports?sent=1")


@router.get("/reports", response_class=HTMLResponse)
def my_reports(request: Request, viewer: PageViewerDep, session: SessionDep, sent: bool = False) -> Response:
    rows = service.my_reports(session, viewer=viewer)
    return render(request, "moderation/my_reports.html", {"rows": rows, "sent": sent})


# --- the queue and its items ---------------------------------------------------------


@router.get("/moderation", response_class=HTMLResponse)
def moderation_queue(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    status: ItemStatus | None = None,
    reason: ReportReason | None = None,
    topic: TopicSlug | None = None,
    cursor: Cursor = None,
    done: str | None = None,
) -> Response:
    page = service.queue(session, viewer=viewer, status=status, reason=reason, topic=topic, cursor=cursor)
    context = {
        "page": page,
        "status": status,
        "reason": reason,
        "topic": topic,
        "topics": topics_service.list_topics(session, viewer=viewer),
        "statuses": list(ItemStatus),
        "reasons": list(ReportReason),
        "done": done,
    }
    return render(request, "moderation/queue.html", context)


@router.get("/moderation/items/{item_id}", response_class=HTMLResponse)
def moderation_item(request: Request, item_id: ItemId, viewer: PageViewerDep, session: SessionDep) -> Response:
    return _item_page(request, viewer, session, item_id)


def _item_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    item_id: int,
    *,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    detail = service.item_detail(session, viewer=viewer, item_id=item_id)
    context = {
        "detail": detail,
        "message": message,
        "topics": topics_service.list_topics(session, viewer=viewer) if detail.thread else [],
    }
    return render(request, "moderation/item.html", context, status_code)


@router.post("/moderation/items/{item_id}/actions", response_class=HTMLResponse)
def act_on_item(
    request: Request, item_id: ItemId, viewer: PageViewerDep, session: SessionDep, form: ActionFormDep
) -> Response:
    service.get_item(session, viewer=viewer, item_id=item_id)
    try:
        data = form.parsed()
        service.act(session, viewer=viewer, item_id=item_id, request=data)
    except (InvalidInput, Conflict, Forbidden) as error:
        return _item_page(request, viewer, session, item_id, message=_refusal(error), status_code=error.status_code)
    if data.action == Action.CLAIM:
        return redirect(f"/moderation/items/{item_id}")
    return redirect(f"/moderation?done={item_id}")


@router.post("/moderation/{kind}/{target_id}/actions", response_class=HTMLResponse)
def act_on_target(
    request: Request,
    kind: TargetPath,
    target_id: TargetIdPath,
    viewer: PageViewerDep,
    session: SessionDep,
    form: ActionFormDep,
    next: TextField = "/",
) -> Response:
    """The moderator tools on thread, comment and member pages; back to that page when done."""
    # A refusal raises before anything is written; the error page explains it (see forum.app).
    service.act_on_target(
        session, viewer=viewer, target_type=TARGET_TYPES[kind], target_id=target_id, request=form.parsed()
    )
    return redirect(safe_next(next))


# --- the logs ------------------------------------------------------------------------


@router.get("/moderation/log", response_class=HTMLResponse)
def moderation_log(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    filters: LogFilterDep,
    cursor: Cursor = None,
) -> Response:
    page = service.events(session, viewer=viewer, filters=filters, cursor=cursor)
    context = {
        "page": page,
        "filters": filters,
        "undoable": service.UNDOABLE,
        "target_types": list(TargetType),
    }
    return render(request, "moderation/log.html", context)


@router.post("/moderation/log/{event_id}/undo", response_class=HTMLResponse)
def undo_event(
    request: Request, event_id: ItemId, viewer: PageViewerDep, session: SessionDep, reason: TextField = ""
) -> Response:
    data = parse_form(UndoRequest, {"reason": reason})
    service.undo(session, viewer=viewer, event_id=event_id, reason=data.reason)
    return redirect("/moderation/log")


@router.get("/transparency", response_class=HTMLResponse)
def transparency(request: Request, session: SessionDep, viewer: PageViewerDep, cursor: Cursor = None) -> Response:
    """Open to everyone, members or not: what moderators did and why."""
    page = service.public_events(session, cursor=cursor)
    context = {"page": page, "public_reason": service.public_reason}
    return render(request, "moderation/transparency.html", context)


# --- watched words and warnings ------------------------------------------------------


@router.get("/moderation/watched-words", response_class=HTMLResponse)
def watched_words_page(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    return _watched_words_page(request, viewer, session)


def _watched_words_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "words": watched_words.list_words(session, viewer=viewer),
        "modes": list(WatchMode),
        "values": values or {"phrase": "", "mode": WatchMode.FLAG},
        "errors": errors or {},
    }
    return render(request, "moderation/watched_words.html", context, status_code)


@router.post("/moderation/watched-words", response_class=HTMLResponse)
def add_watched_word(
    request: Request, viewer: PageViewerDep, session: SessionDep, phrase: TextField = "", mode: TextField = "flag"
) -> Response:
    values = {"phrase": phrase, "mode": mode}
    try:
        watched_words.add_word(session, viewer=viewer, data=parse_form(WatchedWordCreate, values))
    except InvalidInput as error:
        return _watched_words_page(request, viewer, session, values, error.fields, 422)
    except Conflict as error:
        return _watched_words_page(request, viewer, session, values, {"phrase": error.message}, 409)
    return redirect("/moderation/watched-words")


@router.post("/moderation/watched-words/{word_id}/delete")
def remove_watched_word(word_id: ItemId, viewer: PageViewerDep, session: SessionDep) -> Response:
    watched_words.remove_word(session, viewer=viewer, word_id=word_id)
    return redirect("/moderation/watched-words")


@router.post("/warnings/seen")
def acknowledge_warnings(viewer: PageViewerDep, session: SessionDep, next: TextField = "/") -> Response:
    service.acknowledge_warnings(session, viewer=viewer)
    return redirect(safe_next(next))
