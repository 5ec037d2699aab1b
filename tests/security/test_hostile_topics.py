"""Every payload as a topic's name, description and keywords, added by an admin through the form.

Topics have no write API: the admins' form is the one door, and the tags API, the topic pages,
the home page's chips and the topic suggestions are where the text comes back.
"""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import select

from forum.db import Database
from forum.topics.models import Topic
from tests.security.conftest import Person
from tests.security.hostile import (
    BODY,
    EVEN_HALF,
    TOPIC_DESCRIPTION,
    TOPIC_KEYWORDS,
    TOPIC_NAME,
    XSS,
    Problems,
    TextRule,
    batches,
    check_page,
    fields_for,
    page_problems,
    parse,
    refused_form_problems,
    texts_of,
)

FIELDS: dict[str, TextRule] = {"name": TOPIC_NAME, "description": TOPIC_DESCRIPTION, "keywords": TOPIC_KEYWORDS}
# One in this many topics also has its own page opened (the list pages show them all).
TOPIC_PAGE_STRIDE = 5


def _stored_keywords(database: Database) -> dict[str, str]:
    with database.session() as session:
        return {topic.slug: topic.keywords for topic in session.exec(select(Topic))}


def test_topic_fields_are_stored_exactly_or_refused_clearly(
    person: Callable[..., Person], web: TestClient, database: Database
) -> None:
    admin = person(role="admin")
    problems = Problems()
    # Refusals first, while the admins' page (shown again with each) lists only a few topics.
    for index, payload in enumerate(EVEN_HALF):
        refused_fields = [field for field, rule in FIELDS.items() if rule.stored(payload.text) is None]
        if refused_fields:
            typed = {"slug": f"refused-{index}", "name": f"Refused {index}", "description": "", "keywords": ""}
            typed |= {field: payload.text for field in refused_fields}
            response = admin.submit("/admin/topics", typed)
            problems.extend(payload.origin, refused_form_problems(response, typed, refused_fields))
    expected: dict[str, dict[str, str]] = {}
    names_in_use = {entry["name"].lower() for entry in web.get("/api/v1/tags").json()}
    for index, payload in enumerate(EVEN_HALF):
        slug = f"hostile-{index}"
        typed, kept = fields_for(payload.text, FIELDS, {"name": f"Topic {index}", "description": "", "keywords": ""})
        response = admin.submit("/admin/topics", {"slug": slug, **typed})
        if kept["name"].lower() in names_in_use:
            if response.status_code != 409:
                problems.add(payload.origin, f"a name taken in another case answered {response.status_code}")
            continue
        if response.status_code != 303:
            problems.add(payload.origin, f"adding the topic answered {response.status_code}: {response.text[:300]}")
            continue
        names_in_use.add(kept["name"].lower())
        expected[slug] = kept
    _check_read_back(problems, web, admin, database, expected)
    problems.assert_none()


def _check_read_back(
    problems: Problems, web: TestClient, admin: Person, database: Database, expected: dict[str, dict[str, str]]
) -> None:
    tags = {tag["slug"]: tag for tag in web.get("/api/v1/tags", headers=admin.headers).json()}
    keywords = _stored_keywords(database)
    for slug, topic in expected.items():
        read = tags.get(slug)
        sent = (topic["name"], topic["description"], topic["keywords"])
        if read is None or (read["name"], read["description"], keywords[slug]) != sent:
            problems.add(slug, f"read back as {read!r} with keywords {keywords.get(slug)!r}, sent {topic!r}")
    for path in ("/", "/admin/topics", "/threads/new", "/search"):
        check_page(problems, admin.browser, path)
    index = parse(check_page(problems, admin.browser, "/topics") or "")
    listed = {
        e.attrs["href"].removeprefix("/topics/"): e.text
        for e in index.elements
        if e.tag == "a" and e.attrs.get("href", "").startswith("/topics/hostile-")
    }
    for number, (slug, topic) in enumerate(expected.items()):
        if listed.get(slug) != topic["name"]:
            problems.add(slug, f"the topics page shows the name as {listed.get(slug)!r}")
        if number % TOPIC_PAGE_STRIDE == 0:
            _check_topic_page(problems, admin.browser, slug, topic["name"])


def _check_topic_page(problems: Problems, browser: TestClient, slug: str, name: str) -> None:
    page = parse(check_page(problems, browser, f"/topics/{slug}") or "<title></title>")
    if texts_of(page, "h1") != [name] or not texts_of(page, "title")[0].startswith(name):
        problems.add(slug, f"topic page shows {texts_of(page, 'h1')!r} / {texts_of(page, 'title')!r}")


def test_topic_suggestions_from_hostile_text_are_inert(person: Callable[..., Person]) -> None:
    """Asking for topics from a post full of payloads runs the admins' keywords against it."""
    admin = person(role="admin")
    for index, payload in enumerate(XSS[:40]):
        if TOPIC_KEYWORDS.stored(payload.text) is not None:
            admin.submit(
                "/admin/topics", {"slug": f"suggest-{index}", "name": f"Suggested {index}", "keywords": payload.text}
            )
    problems = Problems()
    for number, body in enumerate(batches([payload.text for payload in XSS], BODY)):
        form = {"title": "Which topics fit?", "body": body, "audience": "members", "intent": "suggest"}
        response = admin.submit("/threads", form)
        if response.status_code != 200:
            problems.add(f"suggestions for batch {number}", f"answered {response.status_code}")
            continue
        problems.extend(f"suggestions for batch {number}", page_problems(response.text))
    problems.assert_none()
