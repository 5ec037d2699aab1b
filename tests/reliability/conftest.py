"""Fixtures of the reliability tests: a fresh database each, and figures shown in every run."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import drop_postgres_schema, fresh_database_url, postgres_base_url, unique_name


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the run's kind (SQLite file, or a PostgreSQL schema dropped afterwards)."""
    schema = unique_name("forum_reliability")
    yield fresh_database_url(tmp_path, schema)
    base = postgres_base_url()
    if base is not None:
        drop_postgres_schema(base, schema)


@pytest.fixture
def report_figures(capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Write a test's figures (requests, errors, stored counts) to the terminal, even when it passes."""

    def report(figures: str) -> None:
        with capsys.disabled():
            print(f"\n[{request.node.name}] {figures}")

    return report
