"""People for the hostile-input tests: each with an API token and a logged-in browser of their own."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from forum.accounts.models import Member
from forum.app import create_app
from forum.db import Database
from tests.conftest import test_settings
from tests.factories import Factory, form_token
from tests.security.hostile import tolerant_client

# These tests send hundreds of posts, joins and reports a minute on purpose: the rate limits,
# tested in their own module, are raised here so that every refusal seen is about the input.
GENEROUS_LIMITS = {
    f"{action}_per_hour": 100_000 for action in ("login_attempts", "joins", "threads", "comments", "reports")
}


@pytest.fixture(scope="session")
def hostile_app(database: Database, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The forum on the test database, as ``app`` is, with the rate limits raised."""
    return create_app(test_settings(tmp_path_factory.mktemp("hostile"), **GENEROUS_LIMITS), database)


@dataclass
class Person:
    """A member reachable through both doors: the API (``headers``) and the forms (``browser``)."""

    member: Member
    headers: dict[str, str]
    browser: TestClient
    csrf_token: str

    def submit(self, path: str, data: dict[str, str | list[str]]):
        """Post a form the way this person's browser does, with its CSRF token."""
        return self.browser.post(path, data={"csrf_token": self.csrf_token, **data})


@pytest.fixture
def web(hostile_app: FastAPI) -> Iterator[TestClient]:
    """An API client that hands back a 500 instead of raising it."""
    with tolerant_client(hostile_app) as client:
        yield client


@pytest.fixture
def person(factory: Factory, hostile_app: FastAPI) -> Iterator[Callable[..., Person]]:
    """``person(role=...)``: a new member, logged in through the login form of a tolerant browser."""
    browsers: list[TestClient] = []

    def make(role: str = "member", **details: str) -> Person:
        member = factory.member(role=role, **details)
        browser = tolerant_client(hostile_app)
        browsers.append(browser)
        factory.login(browser, member)
        return Person(member, factory.headers(member), browser, form_token(browser))

    yield make
    for browser in browsers:
        browser.close()
