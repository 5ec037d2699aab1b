"""What the benchmark loads, and as whom.

Members log in the way people and programs do: through the ``/login`` form (its CSRF token
read from the page) for pages, and ``POST /api/v1/auth/token`` for the API. Each scenario
sends its requests in turn, spread over several members, threads and queries, so no single
row or cached entry serves them all.

Thread pages are asked for with ``?order=oldest``: a member coming back by the plain address
is sent (303) to the first comment they have not read, and a page that names its order is
shown as it is: the first 50 comments.
"""

import json
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlmodel import func, select

from bench.load import Load, Request
from bench.seed import SeededForum
from bench.text import TextMaker
from forum.db import Database
from forum.kit.pagination import DEFAULT_PAGE_SIZE, encode_cursor
from forum.permissions import VISITOR
from forum.threads.models import Comment
from forum.topics import queries as topics_queries
from forum.topics.models import Topic

PAGE_SESSIONS = 8
API_TOKENS = 32
WRITE_REQUESTS = 4_000
LOGINS_AT_ONCE = 2
LOGIN_ATTEMPTS = 5
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    load: Load


@dataclass(frozen=True)
class SignedIn:
    """Cookie headers of members logged in through the form, and API bearer tokens of others."""

    page_cookies: list[str]
    api_tokens: list[str]


def _post(client: httpx.Client, path: str, expected_status: int, **content: Any) -> httpx.Response:
    """POST, trying again while the forum answers 503 (its database busy: a login holds the write lock)."""
    for _ in range(LOGIN_ATTEMPTS):
        answer = client.post(path, **content)
        if answer.status_code != 503:
            break
        time.sleep(float(answer.headers.get("retry-after", 1)))
    if answer.status_code != expected_status:
        raise RuntimeError(f"POST {path} answered {answer.status_code}, not {expected_status}")
    return answer


def _page_session(base_url: str, email: str, password: str) -> str:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        token = CSRF_FIELD.search(client.get("/login").text)
        if token is None:
            raise RuntimeError("the login page has no CSRF field")
        form = {"csrf_token": token.group(1), "email": email, "password": password, "next": "/"}
        _post(client, "/login", 303, data=form)
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def _api_token(base_url: str, email: str, password: str) -> str:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        answer = _post(client, "/api/v1/auth/token", 200, json={"email": email, "password": password})
        return answer.json()["access_token"]


def sign_in(base_url: str, forum: SeededForum, *, pages: int = PAGE_SESSIONS, tokens: int = API_TOKENS) -> SignedIn:
    """Log members in (argon2id makes each login slow on purpose, so a few at once)."""
    page_emails = forum.login_emails[:pages]
    api_emails = forum.login_emails[pages : pages + tokens] or page_emails
    with ThreadPoolExecutor(LOGINS_AT_ONCE) as pool:
        cookies = pool.map(lambda email: _page_session(base_url, email, forum.password), page_emails)
        tokens = pool.map(lambda email: _api_token(base_url, email, forum.password), api_emails)
        return SignedIn(list(cookies), list(tokens))


def last_topic_page(database_url: str, slug: str) -> tuple[str | None, int]:
    """The cursor that opens the last page of a topic as a visitor sees it, and how many pages it has.

    Found with the forum's own query for the topic page, so the visitor's visibility rules are
    the forum's; walking thousands of pages over HTTP to get there would take minutes.
    """
    database = Database(database_url)
    try:
        with database.session() as session:
            topic = session.exec(select(Topic).where(Topic.slug == slug)).one()
            pages = ceil(topic.public_thread_count / DEFAULT_PAGE_SIZE)
            if pages <= 1:
                return None, pages
            before_last = topics_queries.threads_in_topic(VISITOR, topic_id=topic.id, after=None, limit=1)
            thread, _author = session.exec(before_last.offset((pages - 1) * DEFAULT_PAGE_SIZE - 1)).one()
            return encode_cursor(thread.last_activity_at, thread.id), pages
    finally:
        database.dispose()


def check_last_page(base_url: str, slug: str, cursor: str | None) -> None:
    """The same cursor through the API must give a last page: some threads, and no next page."""
    params = {"tag": slug} | ({"cursor": cursor} if cursor else {})
    page = httpx.get(f"{base_url}/api/v1/threads", params=params, timeout=60).json()
    if not page.get("items") or page.get("next_cursor") is not None:
        raise RuntimeError(f"the cursor found for the last page of /topics/{slug} does not lead to the last page")


def _thread_path(thread_id: int) -> str:
    return f"/threads/{thread_id}?order=oldest"


def read_scenarios(
    forum: SeededForum, signed_in: SignedIn, last_page_cursor: str | None, connections: int
) -> list[Scenario]:
    """The page loads, in the order they run; each sends its requests in turn over ``connections``."""
    cookies = [{"Cookie": cookie} for cookie in signed_in.page_cookies]
    bearers = [{"Authorization": f"Bearer {token}"} for token in signed_in.api_tokens]
    topic = f"/topics/{forum.big_topic_slug}"
    last_page = f"{topic}?{urlencode({'cursor': last_page_cursor})}" if last_page_cursor else topic
    comments = forum.comments_on_showcase_page

    def scenario(key: str, title: str, requests: list[Request]) -> Scenario:
        return Scenario(key, title, Load(requests, connections))

    return [
        scenario("home_visitor", "Home page (visitor)", [Request("GET", "/")]),
        scenario("home_member", "Home page (member)", [Request("GET", "/", c) for c in cookies]),
        scenario(
            "thread_member",
            f"Members-only thread, {comments} comments (member)",
            [Request("GET", _thread_path(t), c) for t in forum.member_threads for c in cookies],
        ),
        scenario(
            "thread_visitor",
            f"Public thread, {comments} comments (visitor)",
            [Request("GET", _thread_path(t)) for t in forum.public_threads],
        ),
        scenario("topic_first", "Largest topic, first page (visitor)", [Request("GET", topic)]),
        scenario("topic_last", "Largest topic, last page (visitor)", [Request("GET", last_page)]),
        scenario(
            "search",
            "Search (member)",
            [Request("GET", f"/search?{urlencode({'q': q})}", c) for q in forum.search_queries for c in cookies],
        ),
        scenario(
            "api_thread",
            "GET /api/v1/threads/{id} (token)",
            [Request("GET", f"/api/v1/threads/{t}", b) for t in forum.member_threads for b in bearers],
        ),
    ]


def comment_posting(forum: SeededForum, signed_in: SignedIn, connections: int, rng: random.Random) -> Load:
    """New comments from many members on many open threads, each answered 201 once stored."""
    text = TextMaker(rng, paragraphs=200, rare_words=300)
    requests = []
    for _ in range(WRITE_REQUESTS):
        body, _html = text.body(most_paragraphs=2)
        requests.append(
            Request(
                "POST",
                f"/api/v1/threads/{rng.choice(forum.writable_threads)}/comments",
                {"Authorization": f"Bearer {rng.choice(signed_in.api_tokens)}", "Content-Type": "application/json"},
                json.dumps({"body": body}),
            )
        )
    return Load(requests, connections, expected_status=201)


def count_comments(database_url: str) -> int:
    """Every comment row: the counts before and after a write load differ by exactly the acknowledged posts."""
    database = Database(database_url)
    try:
        with database.session() as session:
            return session.exec(select(func.count()).select_from(Comment)).one()
    finally:
        database.dispose()
