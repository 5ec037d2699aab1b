"""The API fuzzed: schemathesis builds requests from /openapi.json and checks every answer.

Every operation is called by a visitor, a member and a moderator (bearer tokens), in-process
over ASGI, on the suite's database (rolled back after each operation). No answer may be a 500,
and every answer must match what the schema documents: status, content type, headers, body,
and the Allow header of a 405. Examples are bounded (FORUM_FUZZ_EXAMPLES, 10 by default) so
the whole run stays short.

The checks are the ones about answers. Those about how exactly requests are judged are left
out: schemathesis would count a 422 for a display name of blanks (valid by the JSON schema,
refused by the forum's own rule) as a failure, and reads the optional bearer token of the
public reads as a required one.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forum.app import create_app
from forum.db import Database
from tests import conftest
from tests.factories import Factory

EXAMPLES = int(os.environ.get("FORUM_FUZZ_EXAMPLES", "10"))
ANSWER_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    allow_header_conformance,
]


def _load_schema() -> schemathesis.BaseSchema:
    """The schema as the app serves it at /openapi.json (read at collection, so no database is needed)."""
    with tempfile.TemporaryDirectory() as data_dir:
        documenting_app = create_app(conftest.test_settings(Path(data_dir)), Database("sqlite://"))
        return schemathesis.openapi.from_asgi("/openapi.json", documenting_app)


schema = _load_schema()


def fuzzed(test: Callable[..., None]) -> Callable[..., None]:
    """One test per API operation, with bounded examples."""
    bounded = settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,  # no saved examples: each run starts fresh, the same on every machine
        # The fixtures (the database transaction, the callers) are made once per operation on purpose.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    return schema.parametrize()(bounded(test))


@pytest.fixture
def member_headers(factory: Factory) -> dict[str, str]:
    return factory.headers(factory.member())


@pytest.fixture
def moderator_headers(factory: Factory) -> dict[str, str]:
    return factory.headers(factory.member(role="moderator"))


@fuzzed
def test_a_visitor_gets_documented_answers_and_no_500(case: schemathesis.Case, app: FastAPI) -> None:
    case.call_and_validate(app=app, checks=ANSWER_CHECKS)


@fuzzed
def test_a_member_gets_documented_answers_and_no_500(
    case: schemathesis.Case, app: FastAPI, member_headers: dict[str, str]
) -> None:
    case.call_and_validate(app=app, headers=member_headers, checks=ANSWER_CHECKS)


@fuzzed
def test_a_moderator_gets_documented_answers_and_no_500(
    case: schemathesis.Case, app: FastAPI, moderator_headers: dict[str, str]
) -> None:
    case.call_and_validate(app=app, headers=moderator_headers, checks=ANSWER_CHECKS)
