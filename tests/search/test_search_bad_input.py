"""No search text breaks the search: every query gets a 200 or a clear 422, never a 500.

The query is read into words and phrases before any engine sees it, so engine syntax
(FTS5's NEAR, column filters, prefixes, tsquery operators), quotes and brackets that do
not balance, control characters, emoji and very long strings are all just text. Each
string from the Big List of Naughty Strings and a list of our own is sent to the API
(as a visitor and as a member) and to the page, with posts to find in the database, so
the snippets are made as well. Snippets never carry markup other than ``<mark>``.
"""

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from forum.accounts.models import Member
from tests.factories import Factory
from tests.search.helpers import SEARCH

NAUGHTY = json.loads((Path(__file__).parent.parent / "data" / "naughty_strings.json").read_text(encoding="utf-8"))
HOSTILE = {
    "fts5-near": "NEAR(client gift, 2)",
    "fts5-or-not": "client OR gift NOT trade",
    "fts5-column-filter": "title:client",
    "fts5-column-set": "{title body}: client",
    "fts5-prefix": "cli*",
    "fts5-initial-token": "^client",
    "fts5-plus": "client + gift",
    "tsquery-operators": "client & !gift | (trade <-> barter)",
    "tsquery-prefix": "client:*",
    "tsquery-weight": "client:AB",
    "websearch-or-minus": 'client -gift "',
    "unbalanced-quote": '"client gift',
    "only-quotes": '"""""',
    "empty-phrase": 'client "" gift',
    "unbalanced-brackets": "((client) gift]] {",
    "sql-injection": "'; DROP TABLE thread; --",
    "sql-wildcards": "%_% \\ %",
    "nul": "client\x00gift",
    "control-characters": "\x01\x02client\x03\x04\x1b[2J\x7f",
    "sentinel-lookalikes": "\x02mark\x03 <mark>client</mark>",
    "emoji": "🧘‍♀️ client 💆🏽 gift 👐",
    "right-to-left-override": "\u202eclient gift",
    "zero-width": "cli\u200bent gi\u200dft",
    "fullwidth": "\uff43\uff4c\uff49\uff45\uff4e\uff54",  # "client" in fullwidth letters
    "combining-marks": "cli\u0301e\u0301nt",
    "only-punctuation": "!@#$%^&*()_+-=[]{};':\",./<>?",
    "lone-surrogate-escape": "\\ud800 client",
    "sixteen-words": " ".join(f"word{n}" for n in range(16)),
    "seventeen-words": " ".join(f"word{n}" for n in range(17)),
    "two-hundred-characters": "c" * 200,
    "ten-kilobytes": "client " * 1500,
    "ten-kilobytes-of-quotes": '"' * 10_000,
}
QUERIES = [entry["string"] for entry in NAUGHTY] + list(HOSTILE.values())
IDS = [f"blns-{entry['index']}" for entry in NAUGHTY] + list(HOSTILE)
_MARKUP = re.compile(r"<(?!/?mark>)")


@pytest.fixture
def reader(factory: Factory) -> Member:
    """A member, after public and members-only posts with words the queries ask for were written."""
    author = factory.member()
    for audience in ("public", "members"):
        thread = factory.thread(
            author,
            title="A client gift and a trade",
            body="The client offered a gift; <mark>trade</mark> & barter (NEAR) title:body.",
            audience=audience,
        )
        factory.comment(author, thread, body="Client gifts: say no, or trade? <script>alert(1)</script>")
    return factory.member()


def assert_clear_answer(response) -> None:
    """A page of results with nothing but <mark> as markup in its snippets, or a 422 that names the query."""
    assert response.status_code in (200, 422), (response.status_code, response.text[:500])
    if response.status_code == 422:
        assert "q" in response.json()["detail"]
        return
    for item in response.json()["items"]:
        assert not _MARKUP.search(item["snippet"]), item["snippet"]


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_any_query_text_gets_results_or_a_clear_refusal(
    client: TestClient, factory: Factory, reader: Member, query: str
) -> None:
    for headers in ({}, factory.headers(reader)):
        for sort in ("relevance", "newest"):
            assert_clear_answer(client.get(SEARCH, params={"q": query, "sort": sort}, headers=headers))

    page = client.get("/search", params={"q": query})
    assert page.status_code in (200, 422)
    assert "<script>alert" not in page.text


def test_engine_syntax_is_searched_as_plain_words(client: TestClient, factory: Factory, reader: Member) -> None:
    """Operators, prefixes and stray quotes do nothing: what is left is the words typed."""
    headers = factory.headers(reader)

    def found(query: str) -> list[dict]:
        return client.get(SEARCH, params={"q": query}, headers=headers).json()["items"]

    plain = found("client gift")
    assert len(plain) == 4  # the two threads and the two comments
    for key in ("unbalanced-quote", "unbalanced-brackets", "emoji", "empty-phrase", "websearch-or-minus"):
        assert found(HOSTILE[key]) == plain, key
    for key in ("tsquery-prefix", "fts5-initial-token"):  # "client:*" and "^client" are the word "client"
        assert len(found(HOSTILE[key])) == 4, key
    assert found(HOSTILE["fts5-prefix"]) == []  # "cli*" is the word "cli", which no post has


def test_a_nul_or_control_character_splits_words_instead_of_failing(
    client: TestClient, factory: Factory, reader: Member
) -> None:
    headers = factory.headers(reader)
    for key in ("nul", "control-characters", "zero-width"):
        response = client.get(SEARCH, params={"q": HOSTILE[key]}, headers=headers)
        assert response.status_code == 200, key
    fullwidth = client.get(SEARCH, params={"q": HOSTILE["fullwidth"]}, headers=headers).json()["items"]
    assert len(fullwidth) == 4  # the same letters, in their ordinary width


def test_over_long_queries_are_refused_with_their_limit(client: TestClient) -> None:
    for key, message in (
        ("ten-kilobytes", "q must be at most 200 characters"),
        ("ten-kilobytes-of-quotes", "q must be at most 200 characters"),
        ("seventeen-words", "q has too many words: use at most 16"),
    ):
        response = client.get(SEARCH, params={"q": HOSTILE[key]})
        assert response.status_code == 422, key
        assert message in response.json()["detail"]
    assert client.get(SEARCH, params={"q": HOSTILE["sixteen-words"]}).status_code == 200
