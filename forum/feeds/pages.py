"""Atom feeds of public discussions: the latest threads, a topic's threads, a thread's comments."""

from collections.abc import Callable

from fastapi import APIRouter, Request, Response

from forum.config import Settings
from forum.deps import SessionDep, SettingsDep
from forum.errors import NotFound
from forum.feeds import service
from forum.feeds.service import Feed
from forum.kit.ids import ThreadId
from forum.templating import templates
from forum.topics.pages import SlugPath

router = APIRouter()

ATOM = "application/atom+xml; charset=utf-8"


def _atom(request: Request, settings: Settings, make_feed: Callable[[], Feed]) -> Response:
    """The feed as Atom XML (autoescaped like every template), with absolute links to this site.

    A feed that does not exist for visitors is a plain 404: a feed reader has no login page to go to.
    """
    try:
        feed = make_feed()
    except NotFound:
        return Response("There is no public feed here.", status_code=404, media_type="text/plain")
    base = str(request.base_url).rstrip("/")
    body = templates.get_template("feeds/atom.xml").render(feed=feed, base=base, community_name=settings.community_name)
    return Response(body, media_type=ATOM)


@router.get("/feeds/latest.atom")
def latest_feed(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    return _atom(request, settings, lambda: service.latest_threads(session, community_name=settings.community_name))


@router.get("/topics/{slug}/feed.atom")
def topic_feed(request: Request, slug: SlugPath, session: SessionDep, settings: SettingsDep) -> Response:
    return _atom(
        request, settings, lambda: service.topic_threads(session, slug=slug, community_name=settings.community_name)
    )


@router.get("/threads/{thread_id}/feed.atom")
def thread_feed(request: Request, thread_id: ThreadId, session: SessionDep, settings: SettingsDep) -> Response:
    return _atom(request, settings, lambda: service.thread_comments(session, thread_id=thread_id))
