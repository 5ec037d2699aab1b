"""HTML pages for the guidelines: the index, a document, and the admins' edit and history pages."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from forum.deps import PageViewerDep, SessionDep
from forum.errors import Conflict, InvalidInput, NotFound
from forum.guidelines import service
from forum.guidelines.paths import DocumentSlug, SectionAnchor
from forum.guidelines.schemas import GuidelineSectionUpdate
from forum.kit.forms import parse_form
from forum.pages import redirect, render

router = APIRouter()

TextField = Annotated[str, Form()]


@router.get("/guidelines", response_class=HTMLResponse)
def guidelines_index(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    return render(request, "guidelines/index.html", {"entries": service.list_documents(session)})


@router.get("/guidelines/{slug}", response_class=HTMLResponse)
def guideline_page(request: Request, slug: DocumentSlug, viewer: PageViewerDep, session: SessionDep) -> Response:
    try:
        entry = service.get_document(session, slug=slug)
    except NotFound:
        # Guidelines are public: logging in would not make a missing one appear, so a plain 404
        # for everyone, never the login redirect that a visitor gets for other absent pages.
        raise HTTPException(status_code=404) from None
    return render(request, "guidelines/document.html", {"entry": entry})


def _edit_form(
    request: Request,
    entry: service.SectionEntry,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "guidelines/edit_section.html",
        {"entry": entry, "values": values, "errors": errors, "conflict": conflict},
        status_code,
    )


@router.get("/guidelines/{slug}/sections/{anchor}/edit", response_class=HTMLResponse)
def edit_section_form(
    request: Request, slug: DocumentSlug, anchor: SectionAnchor, viewer: PageViewerDep, session: SessionDep
) -> Response:
    entry = service.section_for_editing(session, viewer=viewer, slug=slug, anchor=anchor)
    section = entry.section
    values = {"heading": section.heading, "body": section.body, "note": "", "version": str(section.version)}
    return _edit_form(request, entry, values, {})


@router.post("/guidelines/{slug}/sections/{anchor}/edit", response_class=HTMLResponse)
def edit_section(
    request: Request,
    slug: DocumentSlug,
    anchor: SectionAnchor,
    viewer: PageViewerDep,
    session: SessionDep,
    heading: TextField = "",
    body: TextField = "",
    note: TextField = "",
    version: TextField = "",
) -> Response:
    values = {"heading": heading, "body": body, "note": note, "version": version}
    try:
        data = parse_form(GuidelineSectionUpdate, values)
        service.edit_section(session, viewer=viewer, slug=slug, anchor=anchor, data=data)
    except InvalidInput as error:
        entry = service.section_for_editing(session, viewer=viewer, slug=slug, anchor=anchor)
        return _edit_form(request, entry, values, error.fields, status_code=422)
    except Conflict as error:
        entry = service.section_for_editing(session, viewer=viewer, slug=slug, anchor=anchor)
        # Saving again now is a deliberate choice to replace the other edit, which stays in the history.
        values["version"] = str(entry.section.version)
        return _edit_form(request, entry, values, {}, conflict=error.message, status_code=409)
    return redirect(service.section_path(slug, anchor))


@router.get("/guidelines/{slug}/sections/{anchor}/history", response_class=HTMLResponse)
def section_history(
    request: Request, slug: DocumentSlug, anchor: SectionAnchor, viewer: PageViewerDep, session: SessionDep
) -> Response:
    history = service.section_history(session, viewer=viewer, slug=slug, anchor=anchor)
    return render(request, "guidelines/history.html", {"history": history})
