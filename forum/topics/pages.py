"""HTML pages for topics: the index, a topic's threads, and the admins' taxonomy pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import StringConstraints

from forum.deps import PageViewerDep, SessionDep
from forum.errors import Conflict, InvalidInput
from forum.kit.forms import parse_form
from forum.kit.ids import Cursor
from forum.pages import redirect, render
from forum.permissions import Viewer
from forum.threads import service as threads_service
from forum.topics import service
from forum.topics.schemas import TopicFields, TopicMerge

router = APIRouter()

TextField = Annotated[str, Form()]
SlugPath = Annotated[str, StringConstraints(max_length=60)]


@router.get("/topics", response_class=HTMLResponse)
def topics_index(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    return render(request, "topics/index.html", {"topics": service.list_topics(session, viewer=viewer)})


@router.get("/topics/{slug}", response_class=HTMLResponse)
def topic_page(
    request: Request, slug: SlugPath, viewer: PageViewerDep, session: SessionDep, cursor: Cursor = None
) -> Response:
    topic, moved = service.resolve_slug(session, slug)
    if moved:  # an old name or a merged topic: the address has moved for good
        return RedirectResponse(f"/topics/{topic.slug}", status_code=301)
    entry = service.get_topic(session, viewer=viewer, topic=topic)
    page = threads_service.list_topic_threads(session, viewer=viewer, topic_id=topic.id, cursor=cursor)
    return render(request, "topics/topic.html", {"entry": entry, "page": page})


# --- administration ----------------------------------------------------------------


@router.get("/admin/topics", response_class=HTMLResponse)
def manage_topics(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    return _manage_page(request, viewer, session)


def _manage_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    topics = service.topics_for_managing(session, viewer=viewer)
    context = {"topics": topics, "values": values or {}, "errors": errors or {}}
    return render(request, "topics/manage.html", context, status_code)


def _fields(slug: str, name: str, description: str, keywords: str, guideline_section: str) -> dict[str, str]:
    return {
        "slug": slug,
        "name": name,
        "description": description,
        "keywords": keywords,
        "guideline_section": guideline_section,
    }


@router.post("/admin/topics", response_class=HTMLResponse)
def add_topic(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    slug: TextField = "",
    name: TextField = "",
    description: TextField = "",
    keywords: TextField = "",
    guideline_section: TextField = "",
) -> Response:
    service.ensure_can_manage(viewer)
    values = _fields(slug, name, description, keywords, guideline_section)
    try:
        service.add_topic(session, viewer=viewer, fields=parse_form(TopicFields, values))
    except InvalidInput as error:
        return _manage_page(request, viewer, session, values=values, errors=error.fields, status_code=422)
    except Conflict as error:
        return _manage_page(request, viewer, session, values=values, errors={"slug": error.message}, status_code=409)
    return redirect("/admin/topics")


@router.get("/admin/topics/{slug}", response_class=HTMLResponse)
def edit_topic_form(request: Request, slug: SlugPath, viewer: PageViewerDep, session: SessionDep) -> Response:
    topic = service.topic_for_managing(session, viewer=viewer, slug=slug)
    entry = service.get_topic(session, viewer=viewer, topic=topic)
    reference = f"{entry.document.slug}/{entry.section.anchor}" if entry.section and entry.document else ""
    values = _fields(topic.slug, topic.name, topic.description, topic.keywords, reference)
    return _edit_page(request, viewer, session, entry, values, {})


def _edit_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    entry: service.TopicEntry,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    others = [t for t in service.list_topics(session, viewer=viewer) if t.topic.id != entry.topic.id]
    context = {"entry": entry, "values": values, "errors": errors, "others": others}
    return render(request, "topics/edit.html", context, status_code)


@router.post("/admin/topics/{slug}", response_class=HTMLResponse)
def change_topic(
    request: Request,
    slug: SlugPath,
    viewer: PageViewerDep,
    session: SessionDep,
    new_slug: Annotated[str, Form(alias="slug")] = "",
    name: TextField = "",
    description: TextField = "",
    keywords: TextField = "",
    guideline_section: TextField = "",
) -> Response:
    topic = service.topic_for_managing(session, viewer=viewer, slug=slug)
    values = _fields(new_slug, name, description, keywords, guideline_section)
    try:
        topic = service.change_topic(session, viewer=viewer, slug=slug, fields=parse_form(TopicFields, values))
    except (InvalidInput, Conflict) as error:
        errors = error.fields if isinstance(error, InvalidInput) else {"slug": error.message}
        entry = service.get_topic(session, viewer=viewer, topic=topic)
        return _edit_page(request, viewer, session, entry, values, errors, error.status_code)
    return redirect(f"/admin/topics/{topic.slug}")


@router.post("/admin/topics/{slug}/merge", response_class=HTMLResponse)
def merge_topic(
    request: Request, slug: SlugPath, viewer: PageViewerDep, session: SessionDep, into: TextField = ""
) -> Response:
    topic = service.topic_for_managing(session, viewer=viewer, slug=slug)
    try:
        merge = parse_form(TopicMerge, {"into": into})
        target = service.merge_topic(session, viewer=viewer, slug=slug, into=merge.into)
    except InvalidInput as error:
        entry = service.get_topic(session, viewer=viewer, topic=topic)
        values = _fields(topic.slug, topic.name, topic.description, topic.keywords, "")
        return _edit_page(request, viewer, session, entry, values, error.fields, 422)
    return redirect(f"/admin/topics/{target.slug}")


@router.post("/admin/topics/{slug}/retire")
def retire_topic(slug: SlugPath, viewer: PageViewerDep, session: SessionDep) -> Response:
    service.retire_topic(session, viewer=viewer, slug=slug)
    return redirect("/admin/topics")


@router.post("/admin/topics/{slug}/restore")
def restore_topic(slug: SlugPath, viewer: PageViewerDep, session: SessionDep) -> Response:
    service.restore_topic(session, viewer=viewer, slug=slug)
    return redirect("/admin/topics")
