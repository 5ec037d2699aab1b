"""Every payload as a search query, against posts made of payloads, through the API and the page.

A query is reflected (the page's search box, its title) and parsed for the full-text index,
whose own syntax a payload could break: each must answer 200 or a clear 422, the box must hold
the query as typed, and results must carry titles as text and snippets whose only markup is <mark>.
"""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.security.conftest import Person
from tests.security.hostile import (
    BODY,
    EVEN_HALF,
    TITLE,
    XSS,
    Problems,
    accepted,
    batches,
    field_values,
    names_field,
    page_problems,
    parse,
)

DOORS = ("api", "page")
RESULT_LINK = re.compile(r"/threads/\d+([?#]|$)")


@pytest.fixture
def searcher(person: Callable[..., Person], web: TestClient) -> tuple[Person, set[str]]:
    """A member who has posted threads made of payloads; returns them and the titles they gave."""
    member = person()
    titles = [payload.text for payload in accepted(XSS, TITLE)]
    stored: set[str] = set()
    for number, body in enumerate(batches([payload.text for payload in XSS], BODY)):
        thread = {"title": titles[number], "body": body, "tags": ["boundaries"], "confirm_identifiers": True}
        response = web.post("/api/v1/threads", json=thread, headers=member.headers)
        assert response.status_code == 201, response.text
        stored.add(TITLE.stored(titles[number]))  # type: ignore[arg-type]
    return member, stored


def snippet_problems(snippet: str) -> list[str]:
    """A snippet is escaped text in which <mark> is the only element, and it has no attributes."""
    return [
        f"<{element.tag} {element.attrs!r}> in a snippet"
        for element in parse(snippet).elements
        if element.tag != "mark" or element.attrs
    ]


def test_every_payload_as_a_query_is_answered_clearly_and_shown_inert(
    searcher: tuple[Person, set[str]], web: TestClient
) -> None:
    member, titles = searcher
    problems = Problems()
    results = 0
    for index, payload in enumerate(EVEN_HALF):
        where = f"{payload.origin} as a query via {DOORS[index % 2]}"
        if DOORS[index % 2] == "api":
            results += _search_api(problems, where, web, member, payload.text, titles)
        else:
            results += _search_page(problems, where, member, payload.text, titles)
    assert results, "no query found anything: the results were not tested"
    problems.assert_none()


def _search_api(problems: Problems, where: str, web: TestClient, member: Person, query: str, titles: set[str]) -> int:
    """200 with titles as stored and snippets holding only <mark>, or a 422 naming ``q``; returns the hits."""
    response = web.get("/api/v1/search", params={"q": query}, headers=member.headers)
    if response.status_code == 422:
        if not names_field(response.json()["detail"], "q"):
            problems.add(where, f"422 without naming q: {response.text[:200]}")
        return 0
    if response.status_code != 200:
        problems.add(where, f"answered {response.status_code}")
        return 0
    for hit in response.json()["items"]:
        problems.extend(where, snippet_problems(hit["snippet"]))
        if hit["title"] not in titles:
            problems.add(where, f"a result's title reads {hit['title']!r}")
    return len(response.json()["items"])


def _search_page(problems: Problems, where: str, member: Person, query: str, titles: set[str]) -> int:
    """200 or 422, inert, the box holding the query as typed and results titled as stored; returns the hits."""
    response = member.browser.get("/search", params={"q": query})
    if response.status_code not in (200, 422):
        problems.add(where, f"answered {response.status_code}")
        return 0
    problems.extend(where, page_problems(response.text))
    page = parse(response.text)
    if field_values(page).get("q") != query:
        problems.add(where, f"the search box holds {field_values(page).get('q')!r}")
    shown = [e.text.strip() for e in page.elements if e.tag == "a" and RESULT_LINK.match(e.attrs.get("href", ""))]
    if not set(shown) <= titles | {f"Comment in “{title}”" for title in titles}:
        problems.add(where, f"results show titles {sorted(set(shown) - titles)[:3]!r}")
    return len(shown)
