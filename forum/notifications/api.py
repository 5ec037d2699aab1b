"""JSON API of the notifications domain: the member's notifications, preferences, following and muting."""

from fastapi import APIRouter

from forum.accounts.schemas import MemberSummary
from forum.config import Settings
from forum.deps import ApiMemberDep, SessionDep, SettingsDep
from forum.kit.ids import DEFAULT_PAGE_SIZE, Cursor, Limit, ThreadId
from forum.notifications import service
from forum.notifications.models import Category, Delivery, SubscriptionState
from forum.notifications.schemas import (
    MarkRead,
    NotificationPage,
    NotificationPublic,
    Preferences,
    PreferencesPublic,
    ThreadSubscriptionPublic,
    TopicFollowPublic,
    UnreadCount,
)
from forum.notifications.service import NotificationEntry
from forum.topics.schemas import TopicSlug

router = APIRouter(tags=["notifications"])

_ERRORS = {
    401: {"description": "A token is needed, or the one sent is not valid"},
    404: {"description": "Absent, or not visible to you"},
}


def notification_public(entry: NotificationEntry) -> NotificationPublic:
    notification = entry.notification
    actor = entry.actor
    return NotificationPublic(
        id=notification.id or 0,
        kind=notification.kind,
        text=entry.text,
        link=entry.link,
        count=notification.count,
        thread_id=notification.thread_id if entry.thread_shown else None,
        comment_id=notification.comment_id if entry.thread_shown else None,
        actor=MemberSummary(id=actor.id or 0, display_name=actor.display_name) if actor else None,
        created_at=notification.created_at,
        updated_at=notification.updated_at,
        read=not entry.unread,
    )


@router.get("/notifications", response_model=NotificationPage, responses=_ERRORS)
def list_notifications(
    viewer: ApiMemberDep, session: SessionDep, cursor: Cursor = None, limit: Limit = DEFAULT_PAGE_SIZE
) -> NotificationPage:
    """Your notifications, most recently changed first."""
    page = service.list_notifications(session, viewer=viewer, cursor=cursor, limit=limit)
    return NotificationPage(items=[notification_public(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/notifications/unread-count", response_model=UnreadCount, responses=_ERRORS)
def unread_count(viewer: ApiMemberDep) -> UnreadCount:
    return UnreadCount(unread_count=service.unread_count(viewer=viewer))


@router.post("/notifications/read", response_model=UnreadCount, responses=_ERRORS)
def mark_read(request: MarkRead, viewer: ApiMemberDep, session: SessionDep) -> UnreadCount:
    """Mark the given notifications read (ids that are not yours are ignored), or all of them."""
    return UnreadCount(unread_count=service.mark_read(session, viewer=viewer, ids=request.ids))


def _preferences_public(choices: dict[Category, Delivery], settings: Settings) -> PreferencesPublic:
    return PreferencesPublic(
        email_available=settings.email_enabled, categories={category.value: d for category, d in choices.items()}
    )


@router.get("/notifications/preferences", response_model=PreferencesPublic, responses=_ERRORS)
def get_preferences(viewer: ApiMemberDep, session: SessionDep, settings: SettingsDep) -> PreferencesPublic:
    return _preferences_public(service.preferences(session, viewer=viewer), settings)


@router.put(
    "/notifications/preferences",
    response_model=PreferencesPublic,
    responses={**_ERRORS, 422: {"description": "An unknown choice, or email when this forum sends none"}},
)
def put_preferences(
    choices: Preferences, viewer: ApiMemberDep, session: SessionDep, settings: SettingsDep
) -> PreferencesPublic:
    """Change how each category reaches you; the categories you leave out keep their choice."""
    changes = {Category(name): delivery for name, delivery in choices.model_dump(exclude_none=True).items()}
    updated = service.update_preferences(
        session, viewer=viewer, choices=changes, email_available=settings.email_enabled
    )
    return _preferences_public(updated, settings)


def _subscribe(
    session: SessionDep, viewer: ApiMemberDep, thread_id: int, state: SubscriptionState, *, on: bool
) -> ThreadSubscriptionPublic:
    now = service.set_thread_subscription(session, viewer=viewer, thread_id=thread_id, state=state, on=on)
    return ThreadSubscriptionPublic(thread_id=thread_id, state=now)


@router.post("/threads/{thread_id}/follow", response_model=ThreadSubscriptionPublic, responses=_ERRORS)
def follow_thread(thread_id: ThreadId, viewer: ApiMemberDep, session: SessionDep) -> ThreadSubscriptionPublic:
    """Get every new comment in this thread (and stop muting it)."""
    return _subscribe(session, viewer, thread_id, SubscriptionState.FOLLOWING, on=True)


@router.delete("/threads/{thread_id}/follow", response_model=ThreadSubscriptionPublic, responses=_ERRORS)
def unfollow_thread(thread_id: ThreadId, viewer: ApiMemberDep, session: SessionDep) -> ThreadSubscriptionPublic:
    return _subscribe(session, viewer, thread_id, SubscriptionState.FOLLOWING, on=False)


@router.post("/threads/{thread_id}/mute", response_model=ThreadSubscriptionPublic, responses=_ERRORS)
def mute_thread(thread_id: ThreadId, viewer: ApiMemberDep, session: SessionDep) -> ThreadSubscriptionPublic:
    """No more reply notifications from this thread, even if you took part (mentions still reach you)."""
    return _subscribe(session, viewer, thread_id, SubscriptionState.MUTED, on=True)


@router.delete("/threads/{thread_id}/mute", response_model=ThreadSubscriptionPublic, responses=_ERRORS)
def unmute_thread(thread_id: ThreadId, viewer: ApiMemberDep, session: SessionDep) -> ThreadSubscriptionPublic:
    return _subscribe(session, viewer, thread_id, SubscriptionState.MUTED, on=False)


@router.post("/topics/{slug}/follow", response_model=TopicFollowPublic, responses=_ERRORS)
def follow_topic(slug: TopicSlug, viewer: ApiMemberDep, session: SessionDep) -> TopicFollowPublic:
    """Get a notification for each new thread in this topic."""
    topic = service.set_topic_follow(session, viewer=viewer, slug=slug, on=True)
    return TopicFollowPublic(topic=topic.slug, following=True)


@router.delete("/topics/{slug}/follow", response_model=TopicFollowPublic, responses=_ERRORS)
def unfollow_topic(slug: TopicSlug, viewer: ApiMemberDep, session: SessionDep) -> TopicFollowPublic:
    topic = service.set_topic_follow(session, viewer=viewer, slug=slug, on=False)
    return TopicFollowPublic(topic=topic.slug, following=False)
