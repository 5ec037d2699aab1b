"""Payloads that are hostile to encodings rather than to HTML: the Atom feeds, and JSON's own escapes.

A feed is XML, which is stricter than HTML about characters: one post must not be able to make
the whole feed unreadable for every subscriber. And JSON can spell characters (lone UTF-16
surrogates, ``"\\udbff"``) that are not Unicode text at all; the API must refuse them like any other
bad text, with a clear 4xx.
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.security.conftest import Person
from tests.security.hostile import BODY, EVEN_HALF, EVERY_PAYLOAD, TITLE, Problems, accepted, batches

ATOM = "{http://www.w3.org/2005/Atom}"
# XML 1.0 has no place for these two noncharacters (BLNS #98 holds U+FFFE).
NOT_XML = ("\ufffe", "\uffff")
FEED_THREADS = 6


def xml_text(payloads: list) -> list[str]:
    return [payload.text for payload in payloads if not any(character in payload.text for character in NOT_XML)]


def read_feed(web: TestClient, path: str) -> ET.Element:
    response = web.get(path)
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content)  # noqa: S314 - our own feed, parsed to prove it is well-formed


def test_feeds_stay_well_formed_and_carry_titles_and_posts_exactly(
    person: Callable[..., Person], web: TestClient
) -> None:
    poster = person()
    problems = Problems()
    titles = xml_text(accepted(EVEN_HALF, TITLE))
    expected: dict[str, tuple[str, str]] = {}
    for number, body in enumerate(list(batches(xml_text(EVERY_PAYLOAD), BODY))[:FEED_THREADS]):
        thread = {"title": titles[number], "body": body, "tags": ["boundaries"], "audience": "public"}
        response = web.post("/api/v1/threads", json={**thread, "confirm_identifiers": True}, headers=poster.headers)
        assert response.status_code == 201, response.text
        created = response.json()
        if created["visibility"] == "visible":  # a post held for review is not in the public feed
            expected[created["title"]] = (created["title"], created["body_html"])
    feed = read_feed(web, "/feeds/latest.atom")
    shown = {
        entry.findtext(f"{ATOM}title"): (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}content"))
        for entry in feed.iter(f"{ATOM}entry")
    }
    for title, entry in expected.items():
        if shown.get(title) != entry:
            problems.add(f"feed entry {title!r}", "title or content not carried exactly")
    assert expected, "every thread was held for review: the feed was not tested"
    problems.assert_none()


def test_a_post_with_noncharacters_leaves_the_feed_well_formed(person: Callable[..., Person], web: TestClient) -> None:
    poster = person()
    for character in NOT_XML:
        thread = {"title": f"Odd {character} title", "body": f"Odd {character} body", "tags": ["boundaries"]}
        response = web.post("/api/v1/threads", json={**thread, "audience": "public"}, headers=poster.headers)
        assert response.status_code in (201, 422), response.text
    read_feed(web, "/feeds/latest.atom")


# Fields of the API that take text, each with a JSON body holding a lone surrogate.
SURROGATE_REQUESTS = {
    "thread title": ("/api/v1/threads", '{"title": "A title \\udbff", "body": "Body", "tags": ["boundaries"]}'),
    "thread body": ("/api/v1/threads", '{"title": "A title", "body": "Body \\ud800 here", "tags": ["boundaries"]}'),
    "display name": (
        "/api/v1/auth/register",
        '{"email": "surrogate@example.org", "password": "a long password", "display_name": "Name \\udfff"}',
    ),
    "new password": (
        "/api/v1/auth/register",
        '{"email": "surrogate@example.org", "password": "a long \\ud800 password", "display_name": "Name"}',
    ),
    "password at login": ("/api/v1/auth/token", '{"email": "surrogate@example.org", "password": "pass \\udc00"}'),
}


def test_lone_surrogates_in_json_are_refused_clearly(person: Callable[..., Person], web: TestClient) -> None:
    poster = person()
    problems = Problems()
    for field, (path, body) in SURROGATE_REQUESTS.items():
        json.loads(body)  # valid JSON, as the standard allows
        response = web.post(path, content=body, headers={**poster.headers, "content-type": "application/json"})
        if response.status_code != 422:
            problems.add(field, f"POST {path} answered {response.status_code}")
    problems.assert_none()
