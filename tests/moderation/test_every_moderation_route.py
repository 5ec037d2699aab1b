"""Every moderation route, found by walking the app's routes, turns away visitors and members.

The list is not written by hand: each route under ``/moderation`` and ``/api/v1/moderation`` is
taken from the moderation routers themselves, so a route added later is checked without anyone
remembering to add it here. Visitors get 401 from the API and are sent to log in by pages;
members get 403 from both; and nothing is written by any refused call.
"""

import re

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from sqlmodel import func, select

from forum.moderation import api as moderation_api
from forum.moderation import pages as moderation_pages
from forum.moderation.models import ModerationEvent, WatchedWord
from tests.factories import form_token

BODIES = {
    "/api/v1/moderation/items/{item_id}/actions": {"action": "dismiss", "reason": "Nothing wrong here"},
    "/api/v1/moderation/threads/{target_id}/actions": {"action": "lock", "reason": "Cooling off"},
    "/api/v1/moderation/comments/{target_id}/actions": {"action": "hide", "reason": "Cooling off"},
    "/api/v1/moderation/users/{target_id}/actions": {"action": "warn", "reason": "Please be kind"},
    "/api/v1/moderation/log/{event_id}/undo": {"reason": "A mistake"},
    "/api/v1/moderation/watched-words": {"phrase": "snake oil", "mode": "flag"},
}


def moderation_routes(router: APIRouter, mount: str) -> list[tuple[str, str]]:
    """(method, path) of every route of a router under ``/moderation``, as the app serves it."""
    found = set()
    for route in router.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/moderation"):
            found.update((method, mount + route.path) for method in route.methods - {"HEAD"})
    return sorted(found)


def concrete(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


@pytest.fixture
def ids(client, factory) -> dict[str, int]:
    """Real targets for every path parameter, so a refusal is about the caller and not a 404."""
    moderator, author = factory.member(role="moderator"), factory.member()
    thread = factory.thread(author)
    comment = factory.comment(author, thread)
    client.post(
        "/api/v1/reports",
        headers=factory.headers(factory.member()),
        json={"target_type": "comment", "target_id": comment.id, "reason": "spam"},
    )
    item_id = client.get("/api/v1/moderation/queue", headers=factory.headers(moderator)).json()["items"][0]["id"]
    event = client.post(
        f"/api/v1/moderation/threads/{thread.id}/actions",
        headers=factory.headers(factory.member(role="admin")),
        json={"action": "pin", "reason": "Worth reading"},
    ).json()
    return {
        "item_id": item_id,
        "target_id": thread.id,
        "event_id": event["id"],
        "word_id": 1,
        "kind": "threads",
    }


def writes(database) -> tuple[int, int]:
    with database.session() as session:
        return (
            session.exec(select(func.count()).select_from(ModerationEvent)).one(),
            session.exec(select(func.count()).select_from(WatchedWord)).one(),
        )


API_ROUTES = moderation_routes(moderation_api.router, "/api/v1")
PAGE_ROUTES = moderation_routes(moderation_pages.router, "")


def test_the_walk_finds_the_routes_it_should() -> None:
    """A guard on the guard: if the walk found nothing, the matrix below would pass vacuously."""
    assert ("POST", "/api/v1/moderation/users/{target_id}/actions") in API_ROUTES
    assert ("GET", "/moderation/items/{item_id}") in PAGE_ROUTES
    assert len(API_ROUTES) >= 10 and len(PAGE_ROUTES) >= 8


@pytest.mark.parametrize(("method", "path"), API_ROUTES, ids=[f"{m} {p}" for m, p in API_ROUTES])
def test_every_moderation_api_route_is_401_for_visitors_and_403_for_members(
    client, factory, database, ids, method, path
) -> None:
    url = concrete(path, ids)
    body = BODIES.get(path)
    before = writes(database)
    visitor = client.request(method, url, json=body)
    member = client.request(method, url, json=body, headers=factory.headers(factory.member()))
    assert (visitor.status_code, member.status_code) == (401, 403), (visitor.text, member.text)
    assert writes(database) == before


@pytest.mark.parametrize(("method", "path"), PAGE_ROUTES, ids=[f"{m} {p}" for m, p in PAGE_ROUTES])
def test_every_moderation_page_sends_visitors_to_log_in_and_refuses_members(
    make_client, factory, database, ids, method, path
) -> None:
    url = concrete(path, ids)
    before = writes(database)
    visitor, member = make_client(), factory.login(make_client(), factory.member())
    responses = []
    for browser in (visitor, member):
        data = {"csrf_token": form_token(browser, "/login" if browser is visitor else "/account")}
        data |= {"action": "lock", "reason": "Cooling off", "phrase": "snake oil", "next": "/"}
        responses.append(browser.request(method, url, data=data) if method == "POST" else browser.get(url))
    visitor_response, member_response = responses
    assert visitor_response.status_code == 303 and visitor_response.headers["location"].startswith("/login")
    assert member_response.status_code == 403, member_response.text
    assert writes(database) == before
