"""Members-only threads leak to no visitor, through any page or API endpoint; deleted text stays hidden.

The scene: a members-only thread whose title, body and comment each hold a marker that
appears nowhere else, a public thread with a public comment by the same author, and
enough public threads by someone else that every list runs to several pages.

A visitor walks the whole site from its entry points and from the members-only thread's
own addresses (as if someone had shared a link), following every link, redirect and
next page on the pages and in the API: no marker may appear in any body or header. The
same walk by a logged-in member finds every marker, so the walk really reaches them.
Direct requests for the members-only thread and its comment answer a visitor exactly as
requests for ones that do not exist. Deleted posts keep their text from everyone but
moderators and admins.
"""

import html
import json
import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from forum.accounts.models import Member, Role
from forum.kit.ids import MAX_ID
from forum.threads.models import Comment, Thread
from tests.factories import PASSWORD, Factory, post_form

TITLE_MARK = "ZEBRA-SECRET-TITLE"
BODY_MARK = "ZEBRA-SECRET-BODY"
COMMENT_MARK = "ZEBRA-SECRET-COMMENT"
MARKERS = {TITLE_MARK, BODY_MARK, COMMENT_MARK}
FILLER_THREADS = 28  # with the author's public thread, more than one page (25) of public threads
NOWHERE = MAX_ID  # an id no thread or comment has
MAX_WALK = 2000  # a walk that visits more addresses than this is going round in circles
_ROLE_OF = {"member": Role.MEMBER, "moderator": Role.MODERATOR, "admin": Role.ADMIN}


@dataclass
class Scene:
    factory: Factory
    make_client: Callable[[], TestClient]
    client: TestClient  # for the API
    author: Member
    secret: Thread
    secret_comment: Comment
    public: Thread
    public_comment: Comment
    fillers: list[Thread]
    people: dict[str, Member] = field(default_factory=dict)

    def person(self, role: str) -> Member | None:
        if role == "visitor":
            return None
        if role == "author":
            return self.author
        if role not in self.people:
            self.people[role] = self.factory.member(role=_ROLE_OF[role], display_name=f"The {role}")
        return self.people[role]

    def browser(self, role: str) -> TestClient:
        browser = self.make_client()
        person = self.person(role)
        return self.factory.login(browser, person) if person else browser

    def headers(self, role: str) -> dict[str, str]:
        return self.factory.headers(self.person(role))

    def api_get(self, address: str, role: str) -> Any:
        response = self.client.get(address, headers=self.headers(role))
        assert response.status_code == 200, response.text
        return response.json()

    def public_ids(self) -> set[int]:
        return {self.public.id, *(thread.id for thread in self.fillers)}


@pytest.fixture
def scene(factory: Factory, make_client: Callable[[], TestClient], client: TestClient) -> Scene:
    author = factory.member(display_name="Dana Author")
    # The oldest thread, so that members meet it only by following the lists to their last page.
    secret = factory.thread(author, title=f"Members only {TITLE_MARK}", body=f"Between us: {BODY_MARK}.")
    secret_comment = factory.comment(author, secret, body=f"A reply for members: {COMMENT_MARK}.")
    public = factory.thread(author, title="Public: choosing a table height", body="Hip height?", audience="public")
    public_comment = factory.comment(author, public, body="Wrist height, with the arms hanging.")
    someone_else = factory.member(display_name="Filler Poster")
    fillers = [
        factory.thread(someone_else, title=f"Public filler thread {n}", audience="public")
        for n in range(FILLER_THREADS)
    ]
    return Scene(factory, make_client, client, author, secret, secret_comment, public, public_comment, fillers)


# --- walking the site ------------------------------------------------------------------

_HREF = re.compile(r'href="([^"]*)"')


def _worth_following(link: str) -> bool:
    """A link on this site, leaving out combined filters (``?topic=a&topic=b``), which only narrow
    lists whose single filters the walk follows anyway (and would otherwise multiply without end)."""
    if not link.startswith("/") or link.startswith(("//", "/static/")):
        return False
    names = [name for name, _value in parse_qsl(urlsplit(link).query)]
    return len(names) == len(set(names))


def _page_links(response: httpx.Response) -> list[str]:
    links = [response.headers["location"]] if "location" in response.headers else []
    if response.headers.get("content-type", "").startswith("text/html"):
        links += [html.unescape(href) for href in _HREF.findall(response.text)]
    return [link.split("#")[0] for link in links if _worth_following(link)]


def _with_cursor(address: str, cursor: str) -> str:
    parts = urlsplit(address)
    query = {**{k: v[0] for k, v in parse_qs(parts.query).items()}, "cursor": cursor}
    return f"{parts.path}?{urlencode(query)}"


def _api_links(address: str, response: httpx.Response) -> list[str]:
    """The API's links: the next page of a list, and each listed thread with its comments."""
    if not address.startswith("/api/") or response.status_code != 200 or "items" not in response.json():
        return []
    page = response.json()
    links = [_with_cursor(address, page["next_cursor"])] if page["next_cursor"] else []
    if urlsplit(address).path == "/api/v1/threads":
        for thread in page["items"]:
            links += [f"/api/v1/threads/{thread['id']}", f"/api/v1/threads/{thread['id']}/comments?limit=10"]
    return links


def walk(client: TestClient, seeds: list[str], headers: dict[str, str]) -> dict[str, httpx.Response]:
    """GET every address reachable from the seeds; returns each address with its response."""
    seen: dict[str, httpx.Response] = {}
    queue = deque(seeds)
    while queue:
        address = queue.popleft()
        if address in seen:
            continue
        response = client.get(address, headers=headers)
        assert response.status_code < 500, f"{address}: {response.status_code}"
        seen[address] = response
        queue.extend(_page_links(response) + _api_links(address, response))
        assert len(seen) <= MAX_WALK
    return seen


def markers_in(response: httpx.Response) -> set[str]:
    """The markers anywhere in a response: its body or any header (a Location, say)."""
    everything = "\n".join([response.text, *response.headers.values()])
    return {marker for marker in MARKERS if marker in everything}


def seeds(scene: Scene) -> list[str]:
    """Where the site starts, and the members-only thread's own addresses, as if shared by a member."""
    return [
        "/",
        "/api/v1/threads?limit=10",
        "/api/v1/tags",
        "/openapi.json",
        "/docs",
        f"/threads/{scene.secret.id}",
        f"/comments/{scene.secret_comment.id}",
        f"/api/v1/threads/{scene.secret.id}",
        f"/api/v1/threads/{scene.secret.id}/comments",
        f"/members/{scene.author.id}",
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param("visitor", set(), id="visitor-sees-no-marker"),
        pytest.param("member", MARKERS, id="member-sees-all"),
    ],
)
def test_walking_the_whole_site(scene: Scene, role: str, expected: set[str]) -> None:
    seen = walk(scene.browser(role), seeds(scene), scene.headers(role))

    found = {address: markers_in(response) for address, response in seen.items() if markers_in(response)}
    assert set().union(*found.values()) == expected, found
    # The walk went everywhere a visitor may go: every list page, the public thread, its comment, the profile.
    for address in ("/openapi.json", f"/threads/{scene.public.id}", f"/comments/{scene.public_comment.id}"):
        assert seen[address].status_code in (200, 303), address
    assert seen[f"/members/{scene.author.id}"].status_code == 200
    assert any(address.startswith("/?cursor=") for address in seen)
    assert sum(address.startswith("/api/v1/threads?") and "cursor=" in address for address in seen) >= 2
    assert {f"/threads/{thread_id}" for thread_id in scene.public_ids()} <= set(seen)


# --- lists and profiles hold exactly what the viewer may read -----------------------------


def home_page_thread_ids(browser: TestClient) -> tuple[set[int], int]:
    ids: set[int] = set()
    address: str | None = "/"
    pages = 0
    while address:
        page = browser.get(address)
        assert page.status_code == 200
        pages += 1
        ids |= {int(n) for n in re.findall(r'href="/threads/(\d+)"', page.text)}
        older = re.search(r'href="(/\?cursor=[^"]+)"', page.text)
        address = html.unescape(older.group(1)) if older else None
    return ids, pages


def api_threads(client: TestClient, headers: dict[str, str]) -> tuple[list[dict], int]:
    threads: list[dict] = []
    cursor, pages = None, 0
    while True:
        query = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/threads", params=query, headers=headers)
        assert page.status_code == 200
        pages += 1
        threads += page.json()["items"]
        if not (cursor := page.json()["next_cursor"]):
            return threads, pages


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_thread_lists_hold_exactly_what_the_viewer_may_read(scene: Scene, client: TestClient, role: str) -> None:
    expected = scene.public_ids() | ({scene.secret.id} if role == "member" else set())
    home_ids, home_pages = home_page_thread_ids(scene.browser(role))
    api_listed, api_pages = api_threads(client, scene.headers(role))
    assert home_ids == expected
    assert {thread["id"] for thread in api_listed} == expected
    assert home_pages >= 2
    assert api_pages >= 4
    # Counts per topic count only those threads too: a members-only thread is not even a number to a visitor.
    counts = {tag["slug"]: tag["thread_count"] for tag in scene.api_get("/api/v1/tags", role) if tag["thread_count"]}
    assert counts == Counter(tag for thread in api_listed for tag in thread["tags"])


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_the_authors_profile_lists_only_what_the_viewer_may_read(scene: Scene, role: str) -> None:
    page = scene.browser(role).get(f"/members/{scene.author.id}")
    assert page.status_code == 200
    threads = {int(n) for n in re.findall(r'href="/threads/(\d+)"', page.text)}
    comments = {int(n) for n in re.findall(r'href="/comments/(\d+)"', page.text)}
    if role == "visitor":
        assert (threads, comments) == ({scene.public.id}, {scene.public_comment.id})
        assert markers_in(page) == set()
    else:
        assert (threads, comments) == (
            {scene.public.id, scene.secret.id},
            {scene.public_comment.id, scene.secret_comment.id},
        )
        assert markers_in(page) == {TITLE_MARK, COMMENT_MARK}  # a profile lists titles and comments, not bodies


# --- asking for the members-only thread directly ----------------------------------------

LOGIN = "login"  # 303 to /login?next=<the address asked for>
EITHER = "404 or login"  # either answer hides the thread, as long as a missing one gets the same

PROBES = {
    # id                          method  address                                           a visitor's answer
    "api-thread":                 ("GET",  "/api/v1/threads/{thread}",                      404),
    "api-comments":               ("GET",  "/api/v1/threads/{thread}/comments",             404),
    "api-comments-newest-first":  ("GET",  "/api/v1/threads/{thread}/comments?order=newest", 404),
    "thread-page":                ("GET",  "/threads/{thread}",                             LOGIN),
    "thread-page-newest-first":   ("GET",  "/threads/{thread}?order=newest",                LOGIN),
    "comment-link":               ("GET",  "/comments/{comment}",                           LOGIN),
    "thread-edit-form":           ("GET",  "/threads/{thread}/edit",                        EITHER),
    "comment-edit-form":          ("GET",  "/comments/{comment}/edit",                      EITHER),
    "post-comment":               ("POST", "/threads/{thread}/comments",                    EITHER),
    "post-thread-edit":           ("POST", "/threads/{thread}/edit",                        EITHER),
    "post-thread-delete":         ("POST", "/threads/{thread}/delete",                      EITHER),
    "post-comment-edit":          ("POST", "/comments/{comment}/edit",                      EITHER),
    "post-comment-delete":        ("POST", "/comments/{comment}/delete",                    EITHER),
}  # fmt: skip

_VALID_FORM = {"title": "A perfectly valid title", "body": "A perfectly valid body.", "audience": "members"}


def ask(browser: TestClient, method: str, address: str) -> httpx.Response:
    return browser.get(address) if method == "GET" else post_form(browser, address, _VALID_FORM)


def _without_ids(address: str) -> str:
    return re.sub(r"/\d+", "/{id}", address)


def _login_for(address: str) -> str:
    return f"/login?next={urlsplit(address).path}"


@pytest.mark.parametrize(("method", "address", "answer"), list(PROBES.values()), ids=list(PROBES))
def test_a_visitor_is_answered_as_if_the_thread_did_not_exist(
    scene: Scene, method: str, address: str, answer: int | str
) -> None:
    browser = scene.browser("visitor")
    secret_address = address.format(thread=scene.secret.id, comment=scene.secret_comment.id)
    secret = ask(browser, method, secret_address)
    missing = ask(browser, method, address.format(thread=NOWHERE, comment=NOWHERE))

    assert markers_in(secret) == set()
    assert secret.status_code == missing.status_code
    assert secret.text == missing.text
    assert _without_ids(secret.headers.get("location", "")) == _without_ids(missing.headers.get("location", ""))
    if answer == LOGIN:
        assert (secret.status_code, secret.headers["location"]) == (303, _login_for(secret_address))
    elif answer == EITHER:
        assert secret.status_code == 404 or (
            secret.status_code == 303 and secret.headers["location"].startswith("/login?next=")
        )
    else:
        assert secret.status_code == answer
    if secret.status_code == 303:  # the login page it leads to shows nothing either
        assert markers_in(browser.get(secret.headers["location"])) == set()


@pytest.mark.parametrize("shared", ["/threads/{thread}", "/comments/{comment}"], ids=["thread-link", "comment-link"])
def test_logging_in_from_the_redirect_lands_on_the_thread(scene: Scene, shared: str) -> None:
    browser = scene.browser("visitor")
    address = shared.format(thread=scene.secret.id, comment=scene.secret_comment.id)
    sent = browser.get(address)
    assert (sent.status_code, sent.headers["location"]) == (303, _login_for(address))
    [next_field] = re.findall(r'name="next" value="([^"]*)"', browser.get(sent.headers["location"]).text)
    assert html.unescape(next_field) == address

    member = scene.person("member")
    form = {"email": member.email, "password": PASSWORD, "next": html.unescape(next_field)}
    logged_in = post_form(browser, "/login", form)
    assert (logged_in.status_code, logged_in.headers["location"]) == (303, address)

    page = browser.get(address, follow_redirects=True)
    assert (page.status_code, page.url.path) == (200, f"/threads/{scene.secret.id}")
    assert markers_in(page) == MARKERS


# --- deleted posts ----------------------------------------------------------------------

DELETED_THREAD_MARK = "GONE-THREAD-TEXT"
DELETED_COMMENT_MARK = "GONE-COMMENT-TEXT"


@dataclass(frozen=True)
class Deleted:
    thread: Thread  # deleted, public so that visitors can ask for it too
    comment: Comment  # deleted, on a live public thread


@pytest.fixture
def deleted(scene: Scene) -> Deleted:
    thread = scene.factory.thread(
        scene.author, title=f"Deleted {DELETED_THREAD_MARK}", body=DELETED_THREAD_MARK, audience="public", deleted=True
    )
    comment = scene.factory.comment(scene.author, scene.public, body=f"Regret: {DELETED_COMMENT_MARK}", deleted=True)
    return Deleted(thread, comment)


def _api_thread(scene: Scene, deleted: Deleted, role: str) -> tuple[bool, str]:
    seen = scene.api_get(f"/api/v1/threads/{deleted.thread.id}", role)
    return seen["deleted"], json.dumps(seen)


def _api_comment(scene: Scene, deleted: Deleted, role: str) -> tuple[bool, str]:
    items = scene.api_get(f"/api/v1/threads/{scene.public.id}/comments", role)["items"]
    [seen] = [item for item in items if item["id"] == deleted.comment.id]
    return seen["deleted"], json.dumps(seen)


def _thread_page(scene: Scene, deleted: Deleted, role: str) -> tuple[bool, str]:
    page = scene.browser(role).get(f"/threads/{deleted.thread.id}")
    assert page.status_code == 200
    return "This thread was deleted" in page.text, page.text


def _comment_on_thread_page(scene: Scene, deleted: Deleted, role: str) -> tuple[bool, str]:
    page = scene.browser(role).get(f"/threads/{scene.public.id}")
    assert page.status_code == 200
    return "This comment was deleted" in page.text, page.text


DELETED_SURFACES = {
    # id: how a role reads it -> (shown as deleted?, everything it shows), the deleted text
    "api-thread": (_api_thread, DELETED_THREAD_MARK),
    "api-comments": (_api_comment, DELETED_COMMENT_MARK),
    "thread-page": (_thread_page, DELETED_THREAD_MARK),
    "comment-on-thread-page": (_comment_on_thread_page, DELETED_COMMENT_MARK),
}
TEXT_SHOWN = {"visitor": False, "member": False, "author": False, "moderator": True, "admin": True}


@pytest.mark.parametrize("surface", list(DELETED_SURFACES))
@pytest.mark.parametrize("role", list(TEXT_SHOWN))
def test_deleted_text_is_shown_to_moderators_only(scene: Scene, deleted: Deleted, role: str, surface: str) -> None:
    read, deleted_text = DELETED_SURFACES[surface]
    shown_as_deleted, everything = read(scene, deleted, role)
    assert shown_as_deleted
    assert (deleted_text in everything) is TEXT_SHOWN[role]
