"""HTML pages for reporting, the moderation queue and the audit log."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from forum.deps import PageViewerDep, SessionDep, SettingsDep
from forum.errors import Conflict, Forbidden, InvalidInput, RateLimited
from forum.kit.forms import parse_form
from forum.kit.ids import MAX_ID, Cursor
from forum.moderation import service
from forum.moderation.api import ItemId
from forum.moderation.models import ItemStatus, ReportReason, TargetType
from forum.moderation.schemas import ActionRequest, ReportCreate
from forum.pages import redirect, render
from forum.permissions import Viewer

router = APIRouter()

TextField = Annotated[str, Form()]
TargetId = Annotated[int, Query(ge=1, le=MAX_ID)]


@router.get("/report", response_class=HTMLResponse)
def report_form(
    request: Request, viewer: PageViewerDep, session: SessionDep, target_type: TargetType, target_id: TargetId
) -> Response:
    service.check_reportable(session, viewer=viewer, target_type=target_type, target_id=target_id)
    values = {"target_type": target_type, "target_id": str(target_id), "reason": "", "details": ""}
    return _report_form(request, values, {})


def _report_form(request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    context = {"values": values, "errors": errors, "reasons": list(ReportReason)}
    return render(request, "moderation/report_form.html", context, status_code)


@router.post("/reports", response_class=HTMLResponse)
def send_report(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    target_type: TextField = "",
    target_id: TextField = "",
    reason: TextField = "",
    details: TextField = "",
) -> Response:
    values = {"target_type": target_type, "target_id": target_id, "reason": reason, "details": details}
    try:
        data = parse_form(ReportCreate, {**values, "target_id": int(target_id) if target_id.isdigit() else target_id})
        service.report(session, viewer=viewer, data=data, limit_per_hour=settings.reports_per_hour)
    except InvalidInput as error:
        return _report_form(request, values, error.fields, 422)
    except (Conflict, RateLimited) as error:
        return _report_form(request, values, {"reason": error.message}, error.status_code)
    return redirect("/reports?sent=1")


@router.get("/reports", response_class=HTMLResponse)
def my_reports(request: Request, viewer: PageViewerDep, session: SessionDep, sent: bool = False) -> Response:
    rows = service.my_reports(session, viewer=viewer)
    return render(request, "moderation/my_reports.html", {"rows": rows, "sent": sent})


@router.get("/moderation", response_class=HTMLResponse)
def moderation_queue(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    status: ItemStatus | None = None,
    reason: ReportReason | None = None,
    cursor: Cursor = None,
) -> Response:
    return _queue_page(request, viewer, session, status=status, reason=reason, cursor=cursor)


def _queue_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    *,
    status: ItemStatus | None = None,
    reason: ReportReason | None = None,
    cursor: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    page = service.queue(session, viewer=viewer, status=status, reason=reason, cursor=cursor)
    context = {
        "page": page,
        "status": status,
        "reason": reason,
        "message": message,
        "statuses": list(ItemStatus),
        "reasons": list(ReportReason),
    }
    return render(request, "moderation/queue.html", context, status_code)


@router.post("/moderation/items/{item_id}/actions", response_class=HTMLResponse)
def act_on_item(
    request: Request,
    item_id: ItemId,
    viewer: PageViewerDep,
    session: SessionDep,
    action: TextField = "",
    reason: TextField = "",
) -> Response:
    service.get_item(session, viewer=viewer, item_id=item_id)
    try:
        service.act(
            session,
            viewer=viewer,
            item_id=item_id,
            request=parse_form(ActionRequest, {"action": action, "reason": reason}),
        )
    except InvalidInput as error:
        message = "; ".join(f"{field} {problem}" for field, problem in error.fields.items())
        return _queue_page(request, viewer, session, message=f"Nothing was done: {message}.", status_code=422)
    except (Conflict, Forbidden) as error:
        return _queue_page(request, viewer, session, message=error.message, status_code=error.status_code)
    return redirect("/moderation")


@router.get("/moderation/log", response_class=HTMLResponse)
def moderation_log(request: Request, viewer: PageViewerDep, session: SessionDep, cursor: Cursor = None) -> Response:
    return render(request, "moderation/log.html", {"page": service.events(session, viewer=viewer, cursor=cursor)})
