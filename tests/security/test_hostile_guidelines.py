"""Every payload as an official guideline section's heading, edit note and text, edited by an admin.

Guidelines are edited through the admins' form only (the API reads them). The section's text is
Markdown rendered like a post's; its heading also lands in attributes (``aria-label``) of the
thread pages that cite it; the history page shows every note and a diff of every change.
"""

from collections.abc import Callable

from fastapi.testclient import TestClient

from forum.guidelines.models import HEADING_MAX, NOTE_MAX
from tests.security.conftest import Person
from tests.security.hostile import (
    BODY,
    EVEN_HALF,
    EVERY_PAYLOAD,
    Problems,
    TextRule,
    batches,
    check_page,
    fields_for,
    parse,
    refused_form_problems,
)

FIELDS = {"heading": TextRule(3, HEADING_MAX), "note": TextRule(0, NOTE_MAX)}
# One edit in this many is also read back on the document's page (the history shows them all).
DOCUMENT_PAGE_STRIDE = 10


def test_guideline_edits_are_stored_exactly_or_refused_clearly(person: Callable[..., Person], web: TestClient) -> None:
    admin = person(role="admin")
    document = web.get("/api/v1/guidelines").json()[0]
    slug, anchor = document["slug"], document["sections"][0]["anchor"]
    edit_path = f"/guidelines/{slug}/sections/{anchor}/edit"
    form = parse(admin.browser.get(edit_path).text)
    version = int(next(e.attrs["value"] for e in form.elements if e.attrs.get("name") == "version"))
    problems = Problems()
    # Refusals first, while the section's history is short.
    for payload in EVEN_HALF:
        refused_fields = [field for field, rule in FIELDS.items() if rule.stored(payload.text) is None]
        if refused_fields:
            typed = {"heading": "A heading", "note": ""} | {field: payload.text for field in refused_fields}
            response = admin.submit(edit_path, {**typed, "body": "Text.", "version": str(version)})
            problems.extend(payload.origin, refused_form_problems(response, typed, refused_fields))
    bodies = list(batches([payload.text for payload in EVERY_PAYLOAD], BODY))
    notes: list[str] = []
    heading = ""
    for index, payload in enumerate(EVEN_HALF):
        typed, kept = fields_for(payload.text, FIELDS, {"heading": f"Heading {index}", "note": ""})
        body = bodies[index] if index < len(bodies) else f"The text as of edit {index}."
        response = admin.submit(edit_path, {**typed, "body": body, "version": str(version)})
        if response.status_code != 303:
            problems.add(payload.origin, f"editing the section answered {response.status_code}: {response.text[:300]}")
            continue
        version += 1
        heading = kept["heading"]
        notes.append(kept["note"])
        if index < len(bodies) or index % DOCUMENT_PAGE_STRIDE == 0:
            _check_document(problems, payload.origin, web, admin, slug, anchor, heading)
    history = parse(check_page(problems, admin.browser, f"/guidelines/{slug}/sections/{anchor}/history") or "")
    shown = [e.text for e in history.elements if "guideline-revision-note" in e.attrs.get("class", "").split()]
    written = [note for note in reversed(notes) if note]
    if shown[: len(written)] != written:
        problems.add("history page", "the edit notes are not shown as they were written")
    _check_citing_thread(problems, web, admin, anchor, heading)
    problems.assert_none()


def _check_citing_thread(problems: Problems, web: TestClient, admin: Person, anchor: str, heading: str) -> None:
    """A thread in a topic tied to the section names the heading in an attribute (``aria-label``)."""
    tags = web.get("/api/v1/tags").json()
    topic = next(tag["slug"] for tag in tags if (tag["guideline_section"] or {}).get("anchor") == anchor)
    thread = {"title": "Which guideline applies?", "body": "Asking.", "tags": [topic]}
    thread_id = web.post("/api/v1/threads", json=thread, headers=admin.headers).json()["id"]
    page = parse(check_page(problems, admin.browser, f"/threads/{thread_id}") or "")
    labels = [e.attrs["aria-label"] for e in page.elements if e.tag == "aside" and "aria-label" in e.attrs]
    if labels != [f"Relevant guideline: {heading}"]:
        problems.add("citing thread", f"the guideline box is labelled {labels!r}")


def _check_document(
    problems: Problems, where: str, web: TestClient, admin: Person, slug: str, anchor: str, heading: str
) -> None:
    """The API gives the heading exactly; the document page lists it as text and shows the section's HTML as is."""
    section = next(s for s in web.get(f"/api/v1/guidelines/{slug}").json()["sections"] if s["anchor"] == anchor)
    if section["heading"] != heading:
        problems.add(where, f"the heading reads back as {section['heading']!r}, sent {heading!r}")
    html = check_page(problems, admin.browser, f"/guidelines/{slug}", where) or ""
    contents = [e.text for e in parse(html).elements if e.tag == "a" and e.attrs.get("href") == f"#{anchor}"]
    if section["body_html"] not in html or heading not in contents:
        problems.add(where, "the document page does not show the section as the API gives it")
