"""JSON API for reports and moderation. Visitors get 401 and members 403 on every moderation call."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status
from sqlmodel import Session

from forum.deps import ApiMemberDep, ReportQuotaApi, SessionDep, SettingsDep
from forum.kit.ids import MAX_ID, Cursor
from forum.moderation import service, watched_words
from forum.moderation.models import ItemStatus, ModerationEvent, Report, ReportReason, ReviewItem, TargetType
from forum.moderation.schemas import (
    ActionRequest,
    EventPage,
    EventPublic,
    ItemDetailPublic,
    MemberActionRequest,
    NoticePublic,
    ReportCreate,
    ReportOnItem,
    ReportPublic,
    ReviewItemPage,
    ReviewItemPublic,
    RevisionOnItem,
    TransparencyEntry,
    TransparencyPage,
    UndoRequest,
    WatchedWordCreate,
    WatchedWordPublic,
)
from forum.moderation.service import LogFilter, QueueEntry
from forum.permissions import Viewer
from forum.topics.schemas import TopicSlug

router = APIRouter(tags=["moderation"])

ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
TargetIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
ActionQuery = Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")]
_ERRORS = {
    401: {"description": "A token is needed"},
    403: {"description": "For moderators only, or not for you to handle"},
    404: {"description": "Absent, or not visible to you"},
    409: {"description": "Already reported, already handled by another moderator, or nothing to change"},
    429: {"description": "Too many reports this hour"},
}


def log_filter(
    action: ActionQuery = None,
    actor_id: IdQuery = None,
    subject_id: IdQuery = None,
    target_type: TargetType | None = None,
    target_id: IdQuery = None,
) -> LogFilter:
    """The log's filters, read from the query string the same way by the API and the page."""
    return LogFilter(
        action=action or None, actor_id=actor_id, subject_id=subject_id, target_type=target_type, target_id=target_id
    )


LogFilterDep = Annotated[LogFilter, Depends(log_filter)]


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


def event_public(event: ModerationEvent) -> EventPublic:
    return EventPublic.model_validate(event, from_attributes=True)


@router.post("/reports", status_code=status.HTTP_201_CREATED, response_model=ReportPublic, responses=_ERRORS)
def create_report(
    data: ReportCreate, viewer: ApiMemberDep, session: SessionDep, settings: SettingsDep, quota: ReportQuotaApi
) -> ReportPublic:
    quota.spend()
    report = service.report(session, viewer=viewer, data=data, auto_hide_at=settings.auto_hide_reports)
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
    topic: TopicSlug | None = None,
    cursor: Cursor = None,
) -> ReviewItemPage:
    page = service.queue(session, viewer=viewer, status=status, reason=reason, topic=topic, cursor=cursor)
    return ReviewItemPage(items=[item_public(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/moderation/items/{item_id}", response_model=ItemDetailPublic, responses=_ERRORS)
def moderation_item(item_id: ItemId, viewer: ApiMemberDep, session: SessionDep) -> ItemDetailPublic:
    """An item with its reports, the content now and before each edit, and the author's history."""
    detail = service.item_detail(session, viewer=viewer, item_id=item_id)
    post = detail.comment or detail.thread
    return ItemDetailPublic(
        item=item_public(detail.entry),
        reports=[ReportOnItem.model_validate(r, from_attributes=True) for r in detail.reports],
        author_id=post.author_id if post else (detail.member.id if detail.member else None),
        title=detail.thread.title if detail.thread else None,
        body=post.body if post else None,
        visibility=post.visibility if post else None,
        revisions=[RevisionOnItem.model_validate(r, from_attributes=True) for r in detail.revisions],
        author_history=[event_public(e) for e in detail.author_history],
    )


@router.post("/moderation/items/{item_id}/actions", response_model=ReviewItemPublic, responses=_ERRORS)
def act_on_item(item_id: ItemId, request: ActionRequest, viewer: ApiMemberDep, session: SessionDep) -> ReviewItemPublic:
    return item_public(service.act(session, viewer=viewer, item_id=item_id, request=request))


def _act_on(
    target_type: TargetType, target_id: int, request: ActionRequest, viewer: Viewer, session: Session
) -> EventPublic:
    return event_public(
        service.act_on_target(session, viewer=viewer, target_type=target_type, target_id=target_id, request=request)
    )


@router.post("/moderation/threads/{target_id}/actions", response_model=EventPublic, responses=_ERRORS)
def act_on_thread(
    target_id: TargetIdPath, request: ActionRequest, viewer: ApiMemberDep, session: SessionDep
) -> EventPublic:
    """Hide, remove, restore, lock, pin, retag or change the audience of a thread, reported or not."""
    return _act_on(TargetType.THREAD, target_id, request, viewer, session)


@router.post("/moderation/comments/{target_id}/actions", response_model=EventPublic, responses=_ERRORS)
def act_on_comment(
    target_id: TargetIdPath, request: ActionRequest, viewer: ApiMemberDep, session: SessionDep
) -> EventPublic:
    """Hide, remove or restore a comment, reported or not."""
    return _act_on(TargetType.COMMENT, target_id, request, viewer, session)


@router.post("/moderation/users/{target_id}/actions", response_model=EventPublic, responses=_ERRORS)
def act_on_member(
    target_id: TargetIdPath, request: MemberActionRequest, viewer: ApiMemberDep, session: SessionDep
) -> EventPublic:
    """Warn, suspend, ban or lift; admins also appoint and remove moderators."""
    return _act_on(TargetType.USER, target_id, ActionRequest.model_validate(request.model_dump()), viewer, session)


@router.post("/moderation/log/{event_id}/undo", response_model=EventPublic, responses=_ERRORS)
def undo_event(event_id: ItemId, request: UndoRequest, viewer: ApiMemberDep, session: SessionDep) -> EventPublic:
    """Reverse one logged action, if nothing has changed it since."""
    return event_public(service.undo(session, viewer=viewer, event_id=event_id, reason=request.reason))


@router.get("/moderation/log", response_model=EventPage, responses=_ERRORS)
def moderation_log(
    viewer: ApiMemberDep, session: SessionDep, filters: LogFilterDep, cursor: Cursor = None
) -> EventPage:
    page = service.events(session, viewer=viewer, filters=filters, cursor=cursor)
    return EventPage(items=[event_public(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/transparency", response_model=TransparencyPage)
def transparency(session: SessionDep, cursor: Cursor = None) -> TransparencyPage:
    """The public moderation log: what was done and why, without reporters or removed words."""
    page = service.public_events(session, cursor=cursor)
    return TransparencyPage(
        items=[
            TransparencyEntry(
                id=e.id,
                action=e.action,
                target_type=e.target_type,
                reason=service.public_reason(e),
                automatic=e.actor_id is None,
                created_at=e.created_at,
            )
            for e in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/moderation/watched-words", response_model=list[WatchedWordPublic], responses=_ERRORS)
def list_watched_words(viewer: ApiMemberDep, session: SessionDep) -> list[WatchedWordPublic]:
    return [
        WatchedWordPublic.model_validate(w, from_attributes=True)
        for w in watched_words.list_words(session, viewer=viewer)
    ]


@router.post(
    "/moderation/watched-words",
    status_code=status.HTTP_201_CREATED,
    response_model=WatchedWordPublic,
    responses=_ERRORS,
)
def add_watched_word(data: WatchedWordCreate, viewer: ApiMemberDep, session: SessionDep) -> WatchedWordPublic:
    """Admins only: posts with the phrase are flagged, or held until approved."""
    return WatchedWordPublic.model_validate(
        watched_words.add_word(session, viewer=viewer, data=data), from_attributes=True
    )


@router.delete("/moderation/watched-words/{word_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def remove_watched_word(word_id: ItemId, viewer: ApiMemberDep, session: SessionDep) -> Response:
    watched_words.remove_word(session, viewer=viewer, word_id=word_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/warnings", response_model=list[NoticePublic], responses=_ERRORS)
def my_warnings(viewer: ApiMemberDep, session: SessionDep) -> list[NoticePublic]:
    """Warnings from moderators you have not acknowledged yet."""
    notices = service.pending_warnings(session, member_id=viewer.id or 0)
    return [NoticePublic.model_validate(n, from_attributes=True) for n in notices]


@router.post("/me/warnings/seen", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def acknowledge_warnings(viewer: ApiMemberDep, session: SessionDep) -> Response:
    service.acknowledge_warnings(session, viewer=viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
