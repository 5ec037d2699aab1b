"""HTML pages of the notifications domain: the list, preferences, and the follow and mute forms."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from forum.deps import PageViewerDep, SessionDep, SettingsDep
from forum.errors import InvalidInput
from forum.kit.forms import parse_form
from forum.kit.ids import MAX_ID, Cursor, ThreadId
from forum.notifications import service
from forum.notifications.models import Category, Delivery, SubscriptionState
from forum.notifications.schemas import Preferences
from forum.pages import redirect, render, safe_next
from forum.permissions import Viewer
from forum.templating import templates
from forum.topics.schemas import TopicSlug

router = APIRouter()

TextField = Annotated[str, Form()]
NotificationIdField = Annotated[int | None, Form(ge=1, le=MAX_ID)]
ChoiceField = Annotated[str | None, Form(max_length=16)]


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, viewer: PageViewerDep, session: SessionDep, cursor: Cursor = None) -> Response:
    page = service.list_notifications(session, viewer=viewer, cursor=cursor)
    return render(request, "notifications/list.html", {"page": page, "cursor": cursor})


@router.post("/notifications/read")
def mark_read(
    viewer: PageViewerDep,
    session: SessionDep,
    notification_id: NotificationIdField = None,
    every_line: Annotated[str, Form(alias="all")] = "",
    next: TextField = "/notifications",
) -> Response:
    """One line (``notification_id``) or every line (``all``)."""
    if notification_id is None and not every_line:
        raise InvalidInput({"notification_id": "is needed, or ask to mark all of them read"})
    service.mark_read(session, viewer=viewer, ids=None if every_line else [notification_id or 0])
    return redirect(safe_next(next))


@router.get("/notifications/preferences", response_class=HTMLResponse)
def preferences_page(
    request: Request, viewer: PageViewerDep, session: SessionDep, settings: SettingsDep, saved: bool = False
) -> Response:
    choices = service.preferences(session, viewer=viewer)
    return _preferences_form(request, settings.email_enabled, {c.value: d.value for c, d in choices.items()}, {}, saved)


def _preferences_form(
    request: Request, email_available: bool, values: dict[str, str], errors: dict[str, str], saved: bool = False
) -> Response:
    deliveries = [d for d in Delivery if email_available or d not in service.BY_EMAIL]
    context = {
        "categories": service.CATEGORY_LABELS,
        "deliveries": {d.value: service.DELIVERY_LABELS[d] for d in deliveries},
        "email_available": email_available,
        "values": values,
        "errors": errors,
        "saved": saved,
    }
    return render(request, "notifications/preferences.html", context, 422 if errors else 200)


@router.post("/notifications/preferences", response_class=HTMLResponse)
def save_preferences(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    replies: ChoiceField = None,
    following: ChoiceField = None,
    mentions: ChoiceField = None,
    reports: ChoiceField = None,
    moderation: ChoiceField = None,
) -> Response:
    service.preferences(session, viewer=viewer)  # a visitor is sent to log in before the form is read
    sent = {
        Category.REPLIES: replies,
        Category.FOLLOWING: following,
        Category.MENTIONS: mentions,
        Category.REPORTS: reports,
        Category.MODERATION: moderation,
    }
    values = {category.value: value for category, value in sent.items() if value is not None}
    try:
        choices = parse_form(Preferences, values)
        changes = {Category(name): delivery for name, delivery in choices.model_dump(exclude_none=True).items()}
        service.update_preferences(session, viewer=viewer, choices=changes, email_available=settings.email_enabled)
    except InvalidInput as error:
        return _preferences_form(request, settings.email_enabled, values, error.fields)
    return redirect("/notifications/preferences?saved=true")


def _thread_form(
    session: SessionDep, viewer: Viewer, thread_id: int, state: SubscriptionState, *, on: bool
) -> Response:
    service.set_thread_subscription(session, viewer=viewer, thread_id=thread_id, state=state, on=on)
    return redirect(f"/threads/{thread_id}")


@router.post("/threads/{thread_id}/follow")
def follow_thread(thread_id: ThreadId, viewer: PageViewerDep, session: SessionDep) -> Response:
    return _thread_form(session, viewer, thread_id, SubscriptionState.FOLLOWING, on=True)


@router.post("/threads/{thread_id}/unfollow")
def unfollow_thread(thread_id: ThreadId, viewer: PageViewerDep, session: SessionDep) -> Response:
    return _thread_form(session, viewer, thread_id, SubscriptionState.FOLLOWING, on=False)


@router.post("/threads/{thread_id}/mute")
def mute_thread(thread_id: ThreadId, viewer: PageViewerDep, session: SessionDep) -> Response:
    return _thread_form(session, viewer, thread_id, SubscriptionState.MUTED, on=True)


@router.post("/threads/{thread_id}/unmute")
def unmute_thread(thread_id: ThreadId, viewer: PageViewerDep, session: SessionDep) -> Response:
    return _thread_form(session, viewer, thread_id, SubscriptionState.MUTED, on=False)


@router.post("/topics/{slug}/follow")
def follow_topic(slug: TopicSlug, viewer: PageViewerDep, session: SessionDep) -> Response:
    topic = service.set_topic_follow(session, viewer=viewer, slug=slug, on=True)
    return redirect(f"/topics/{topic.slug}")


@router.post("/topics/{slug}/unfollow")
def unfollow_topic(slug: TopicSlug, viewer: PageViewerDep, session: SessionDep) -> Response:
    topic = service.set_topic_follow(session, viewer=viewer, slug=slug, on=False)
    return redirect(f"/topics/{topic.slug}")


# --- what the thread and topic pages ask while rendering --------------------------------


def _thread_subscription(request: Request, thread_id: int) -> str | None:
    """The member's following or muting of a thread, for its controls (one query, members only)."""
    viewer: Viewer = request.state.viewer
    if not viewer.is_member:
        return None
    with request.app.state.database.session() as session:
        return service.thread_subscription(session, viewer=viewer, thread_id=thread_id)


def _follows_topic(request: Request, topic_id: int) -> bool:
    viewer: Viewer = request.state.viewer
    if not viewer.is_member:
        return False
    with request.app.state.database.session() as session:
        return service.follows_topic(session, viewer=viewer, topic_id=topic_id)


templates.env.globals["thread_subscription"] = _thread_subscription
templates.env.globals["follows_topic"] = _follows_topic
