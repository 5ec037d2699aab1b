"""JSON API for reports and moderation. Visitors get 401 and members 403 on every moderation call."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from forum.deps import ApiMemberDep, SessionDep, SettingsDep
from forum.kit.ids import MAX_ID, Cursor
from forum.moderation import service
from forum.moderation.models import ItemStatus, Report, ReportReason, ReviewItem
from forum.moderation.schemas import (
    ActionRequest,
    EventPage,
    EventPublic,
    ReportCreate,
    ReportPublic,
    ReviewItemPage,
    ReviewItemPublic,
)
from forum.moderation.service import QueueEntry

router = APIRouter(tags=["moderation"])

ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
_ERRORS = {
    401: {"description": "A token is needed"},
    403: {"description": "For moderators only, or not for you to handle"},
    404: {"description": "Absent, or not visible to you"},
    409: {"description": "Already reported by you, or already handled by another moderator"},
    429: {"description": "Too many reports this hour"},
}


def report_public(report: Report, item: ReviewItem) -> ReportPublic:
    return ReportPublic(
        id=report.id,
        target_type=item.target_type,
        target_id=item.target_id,
        reason=report.reason,
        details=report.details,
        created_at=report.created_at,
        status="closed" if report.closed_at else "open",
        outcome=report.outcome,
    )


def item_public(entry: QueueEntry) -> ReviewItemPublic:
    item = entry.item
    return ReviewItemPublic(
        id=item.id,
        target_type=item.target_type,
        target_id=item.target_id,
        report_count=item.report_count,
        reasons=entry.reasons,
        status=item.status,
        created_at=item.created_at,
        claimed_by=item.claimed_by_id,
        resolution=item.resolution,
    )


@router.post("/reports", status_code=status.HTTP_201_CREATED, response_model=ReportPublic, responses=_ERRORS)
def create_report(data: ReportCreate, viewer: ApiMemberDep, session: SessionDep, settings: SettingsDep) -> ReportPublic:
    report = service.report(session, viewer=viewer, data=data, limit_per_hour=settings.reports_per_hour)
    item = session.get(ReviewItem, report.review_item_id)
    assert item is not None
    return report_public(report, item)


@router.get("/reports/mine", response_model=list[ReportPublic], responses=_ERRORS)
def my_reports(viewer: ApiMemberDep, session: SessionDep) -> list[ReportPublic]:
    """Your reports, newest first, with their outcome."""
    return [report_public(report, item) for report, item in service.my_reports(session, viewer=viewer)]


@router.get("/moderation/queue", response_model=ReviewItemPage, responses=_ERRORS)
def moderation_queue(
    viewer: ApiMemberDep,
    session: SessionDep,
    status: ItemStatus | None = None,
    reason: ReportReason | None = None,
    cursor: Cursor = None,
) -> ReviewItemPage:
    page = service.queue(session, viewer=viewer, status=status, reason=reason, cursor=cursor)
    return ReviewItemPage(items=[item_public(e) for e in page.items], next_cursor=page.next_cursor)


@router.post("/moderation/items/{item_id}/actions", response_model=ReviewItemPublic, responses=_ERRORS)
def act_on_item(item_id: ItemId, request: ActionRequest, viewer: ApiMemberDep, session: SessionDep) -> ReviewItemPublic:
    return item_public(service.act(session, viewer=viewer, item_id=item_id, request=request))


@router.get("/moderation/log", response_model=EventPage, responses=_ERRORS)
def moderation_log(viewer: ApiMemberDep, session: SessionDep, cursor: Cursor = None) -> EventPage:
    page = service.events(session, viewer=viewer, cursor=cursor)
    return EventPage(
        items=[EventPublic.model_validate(e, from_attributes=True) for e in page.items], next_cursor=page.next_cursor
    )
