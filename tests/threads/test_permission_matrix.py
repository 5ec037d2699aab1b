"""The permission matrix: every role against every action, on the JSON API and on the HTML pages.

Roles: a visitor (not logged in), a member who did not write the post, the post's author,
a moderator and an admin. Each test starts from the same small world, all written by the
author: a public thread and a members-only thread, each with one comment, and a locked
members-only thread. Writes aim at the members-only thread and its comment (threads are
members-only unless their author opens them).

Each row of the tables below is one test, named like ``member-cannot-edit-others-thread``.
An allowed write is checked through what readers then see; a refused attempt must leave
everything a moderator can see through the API exactly as it was.

API: 401 when a token is needed and missing or invalid, 403 when the caller may see the
thing but not do that, 404 when it is absent or hidden from the caller, 200/201/204 on
success. Pages: a visitor is sent (303) to ``/login?next=...``, a member who may not act
gets a 403 page, and a successful form redirects (303) to a page that opens.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from forum.accounts.models import Member, Role
from forum.threads.models import Comment, Thread
from tests.factories import PASSWORD, Factory, form_token, post_form

ROLES = ("visitor", "member", "author", "moderator", "admin")
LOGIN = "login"  # a page's answer to a visitor: 303 to /login?next=...

# --- the matrix ------------------------------------------------------------------------
# "{whose}" reads "own" for the author and "others" for everyone else.

API_READS = {
    #                                       visitor member author moderator admin
    "read-public-thread":                   (200,    200,   200,   200,      200),
    "read-members-only-thread":             (404,    200,   200,   200,      200),
    "list-threads":                         (200,    200,   200,   200,      200),
    "read-comments-on-public-thread":       (200,    200,   200,   200,      200),
    "read-comments-on-members-only-thread": (404,    200,   200,   200,      200),
}  # fmt: skip

API_WRITES = {
    #                                       visitor member author moderator admin
    "start-thread":                         (401,    201,   201,   201,      201),
    "edit-{whose}-thread":                  (401,    403,   200,   200,      200),
    "delete-{whose}-thread":                (401,    403,   204,   204,      204),
    "comment-on-{whose}-thread":            (401,    201,   201,   201,      201),
    "comment-on-{whose}-locked-thread":     (401,    403,   403,   201,      201),
    "edit-{whose}-comment":                 (401,    403,   200,   200,      200),
    "delete-{whose}-comment":               (401,    403,   204,   204,      204),
}  # fmt: skip

PAGE_READS = {
    #                                       visitor member author moderator admin
    "read-public-thread":                   (200,    200,   200,   200,      200),
    "read-members-only-thread":             (LOGIN,  200,   200,   200,      200),
    "list-threads":                         (200,    200,   200,   200,      200),
    "open-edit-form-of-{whose}-thread":     (LOGIN,  403,   200,   200,      200),
    "open-edit-form-of-{whose}-comment":    (LOGIN,  403,   200,   200,      200),
}  # fmt: skip

PAGE_WRITES = {
    #                                       visitor member author moderator admin
    "start-thread":                         (LOGIN,  303,   303,   303,      303),
    "edit-{whose}-thread":                  (LOGIN,  403,   303,   303,      303),
    "delete-{whose}-thread":                (LOGIN,  403,   303,   303,      303),
    "comment-on-{whose}-thread":            (LOGIN,  303,   303,   303,      303),
    "comment-on-{whose}-locked-thread":     (LOGIN,  403,   403,   303,      303),
    "edit-{whose}-comment":                 (LOGIN,  403,   303,   303,      303),
    "delete-{whose}-comment":               (LOGIN,  403,   303,   303,      303),
}  # fmt: skip

# The forms a visitor can send about a thread.
VISITOR_FORMS = [
    "edit-{whose}-thread",
    "delete-{whose}-thread",
    "comment-on-{whose}-thread",
    "edit-{whose}-comment",
    "delete-{whose}-comment",
]

# --- the world -------------------------------------------------------------------------

STARTED_TITLE = "Started: draping and consent"
STARTED_BODY = "How do you explain draping to a new client?"
EDITED_TITLE = "Edited: when a client asks for a date"
EDITED_BODY = "Edited body: say no, kindly and clearly."
TOPIC = "boundaries"  # every thread needs a topic; the migrations create this one
NEW_COMMENT = "New comment: I would refer them on."
EDITED_COMMENT = "Edited comment: on reflection, it depends."
_ROLE_OF = {"member": Role.MEMBER, "moderator": Role.MODERATOR, "admin": Role.ADMIN}


@dataclass
class World:
    """The threads every test starts from, and the people who act on them (made when first needed)."""

    factory: Factory
    make_client: Callable[[], TestClient]
    client: TestClient  # the API caller, who never sends a cookie that matters
    author: Member
    public_thread: Thread
    public_comment: Comment
    thread: Thread  # the target of every write: members-only
    comment: Comment  # the author's comment on ``thread``
    locked_thread: Thread
    people: dict[str, Member] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def person(self, role: str) -> Member | None:
        if role == "visitor":
            return None
        if role == "author":
            return self.author
        if role not in self.people:
            self.people[role] = self.factory.member(role=_ROLE_OF[role], display_name=f"The {role}")
        return self.people[role]

    def headers(self, role: str) -> dict[str, str]:
        person = self.person(role)
        if person is None:
            return {}
        if role not in self.tokens:
            self.tokens[role] = self.factory.token(person)
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def browser(self, role: str) -> TestClient:
        """A browser of its own (cookies and all), logged in unless a visitor."""
        browser = self.make_client()
        person = self.person(role)
        return self.factory.login(browser, person) if person else browser

    def api_get(self, path: str, role: str = "member") -> dict:
        response = self.client.get(path, headers=self.headers(role))
        assert response.status_code == 200, response.text
        return response.json()

    def thread_as(self, thread: Thread, role: str = "member") -> dict:
        return self.api_get(f"/api/v1/threads/{thread.id}", role)

    def comments_as(self, thread: Thread, role: str = "member") -> list[dict]:
        return self.api_get(f"/api/v1/threads/{thread.id}/comments?limit=100", role)["items"]

    def listed_as(self, role: str = "member") -> list[dict]:
        threads: list[dict] = []
        cursor = None
        while True:
            page = self.api_get("/api/v1/threads?limit=100" + (f"&cursor={cursor}" if cursor else ""), role)
            threads += page["items"]
            if not (cursor := page["next_cursor"]):
                return threads

    def snapshot(self) -> dict:
        """Everything a moderator can see of the world through the API."""
        targets = (self.public_thread, self.thread, self.locked_thread)
        return {
            # Reading pages moves the moderator's own read marks, so those are left out of the world.
            "listed": [
                {key: value for key, value in thread.items() if key not in ("unread_count", "first_unread_comment_id")}
                for thread in self.listed_as("moderator")
            ],
            "threads": [self.thread_as(thread, "moderator") for thread in targets],
            "comments": [self.comments_as(thread, "moderator") for thread in targets],
        }


@pytest.fixture
def world(factory: Factory, make_client: Callable[[], TestClient], client: TestClient) -> World:
    author = factory.member(display_name="The author")
    public_thread = factory.thread(
        author, title="Public: draping for a prone client", body="Which sheets do you use?", audience="public"
    )
    thread = factory.thread(author, title="Members only: a client asked me out", body="How do I say no well?")
    return World(
        factory=factory,
        make_client=make_client,
        client=client,
        author=author,
        public_thread=public_thread,
        public_comment=factory.comment(author, public_thread, body="Flannel in winter, cotton in summer."),
        thread=thread,
        comment=factory.comment(author, thread, body="Update: I said no and referred them on."),
        locked_thread=factory.thread(author, title="Locked: settled long ago", body="Closed.", locked=True),
    )


# --- reads: what each asks for, and what it shows when allowed -------------------------


@dataclass(frozen=True)
class Read:
    path: Callable[[World], str]
    shows: Callable[[World, str], tuple[list[str], list[str]]]  # (role) -> texts shown, texts never shown


def _thread_texts(thread_of: Callable[[World], Thread], comment_of: Callable[[World], Comment] | None = None):
    def shows(world: World, _role: str) -> tuple[list[str], list[str]]:
        thread = thread_of(world)
        texts = [thread.title, thread.body] + ([comment_of(world).body] if comment_of else [])
        return texts, []

    return shows


def _comment_texts(comment_of: Callable[[World], Comment]):
    return lambda world, _role: ([comment_of(world).body], [])


def _listed_titles(world: World, role: str) -> tuple[list[str], list[str]]:
    members_only = [world.thread.title, world.locked_thread.title]
    if role == "visitor":
        return [world.public_thread.title], members_only
    return [world.public_thread.title, *members_only], []


def _public(world: World) -> Thread:
    return world.public_thread


def _public_comment(world: World) -> Comment:
    return world.public_comment


def _target(world: World) -> Thread:
    return world.thread


def _target_comment(world: World) -> Comment:
    return world.comment


API_READ_ACTIONS = {
    "read-public-thread": Read(lambda w: f"/api/v1/threads/{w.public_thread.id}", _thread_texts(_public)),
    "read-members-only-thread": Read(lambda w: f"/api/v1/threads/{w.thread.id}", _thread_texts(_target)),
    "list-threads": Read(lambda w: "/api/v1/threads?limit=100", _listed_titles),
    "read-comments-on-public-thread": Read(
        lambda w: f"/api/v1/threads/{w.public_thread.id}/comments", _comment_texts(_public_comment)
    ),
    "read-comments-on-members-only-thread": Read(
        lambda w: f"/api/v1/threads/{w.thread.id}/comments", _comment_texts(_target_comment)
    ),
}

PAGE_READ_ACTIONS = {
    "read-public-thread": Read(lambda w: f"/threads/{w.public_thread.id}", _thread_texts(_public, _public_comment)),
    "read-members-only-thread": Read(lambda w: f"/threads/{w.thread.id}", _thread_texts(_target, _target_comment)),
    "list-threads": Read(lambda w: "/", _listed_titles),
    "open-edit-form-of-{whose}-thread": Read(lambda w: f"/threads/{w.thread.id}/edit", _thread_texts(_target)),
    "open-edit-form-of-{whose}-comment": Read(
        lambda w: f"/comments/{w.comment.id}/edit", _comment_texts(_target_comment)
    ),
}

# --- writes: how each is done on either surface, and what an allowed one changes --------


@dataclass(frozen=True)
class Write:
    api: Callable[[World, dict[str, str]], httpx.Response]
    page: Callable[[World, TestClient], httpx.Response]
    effect: Callable[[World, str], None]  # asserts what readers see after the actor (a role) succeeded


def _started(world: World, role: str) -> None:
    [started] = [t for t in world.listed_as() if t["title"] == STARTED_TITLE]
    assert started["author"]["id"] == world.person(role).id
    assert (started["body"], started["audience"], started["deleted"]) == (STARTED_BODY, "members", False)


def _thread_edited(world: World, _role: str) -> None:
    seen = world.thread_as(world.thread)
    assert (seen["title"], seen["body"], seen["audience"]) == (EDITED_TITLE, EDITED_BODY, world.thread.audience)
    assert EDITED_TITLE in [t["title"] for t in world.listed_as()]


def _thread_deleted(world: World, _role: str) -> None:
    as_member = world.thread_as(world.thread)
    assert as_member["deleted"] is True
    assert (as_member["title"], as_member["body"], as_member["body_html"]) == ("", "", "")
    as_moderator = world.thread_as(world.thread, "moderator")
    assert (as_moderator["deleted"], as_moderator["title"]) == (True, world.thread.title)
    assert world.thread.id not in [t["id"] for t in world.listed_as()]


def _commented_on(thread_of: Callable[[World], Thread]) -> Callable[[World, str], None]:
    def effect(world: World, role: str) -> None:
        thread = thread_of(world)
        comments = world.comments_as(thread)
        assert (comments[-1]["body"], comments[-1]["author"]["id"]) == (NEW_COMMENT, world.person(role).id)
        assert world.thread_as(thread)["comment_count"] == len(comments)

    return effect


def _comment_seen(world: World, role: str = "member") -> dict:
    [seen] = [c for c in world.comments_as(world.thread, role) if c["id"] == world.comment.id]
    return seen


def _comment_edited(world: World, _role: str) -> None:
    assert (_comment_seen(world)["body"], _comment_seen(world)["deleted"]) == (EDITED_COMMENT, False)


def _comment_deleted(world: World, _role: str) -> None:
    as_member = _comment_seen(world)
    assert (as_member["deleted"], as_member["body"], as_member["body_html"]) == (True, "", "")
    as_moderator = _comment_seen(world, "moderator")
    assert (as_moderator["deleted"], as_moderator["body"]) == (True, world.comment.body)
    assert world.thread_as(world.thread)["comment_count"] == 0


def _thread_form(world: World) -> dict[str, str]:
    return {"title": EDITED_TITLE, "body": EDITED_BODY, "audience": world.thread.audience, "tags": TOPIC}


WRITE_ACTIONS = {
    "start-thread": Write(
        api=lambda w, h: w.client.post(
            "/api/v1/threads", json={"title": STARTED_TITLE, "body": STARTED_BODY, "tags": [TOPIC]}, headers=h
        ),
        page=lambda w, b: post_form(
            b, "/threads", {"title": STARTED_TITLE, "body": STARTED_BODY, "audience": "members", "tags": TOPIC}
        ),
        effect=_started,
    ),
    "edit-{whose}-thread": Write(
        api=lambda w, h: w.client.patch(
            f"/api/v1/threads/{w.thread.id}", json={"title": EDITED_TITLE, "body": EDITED_BODY}, headers=h
        ),
        page=lambda w, b: post_form(b, f"/threads/{w.thread.id}/edit", _thread_form(w)),
        effect=_thread_edited,
    ),
    "delete-{whose}-thread": Write(
        api=lambda w, h: w.client.delete(f"/api/v1/threads/{w.thread.id}", headers=h),
        page=lambda w, b: post_form(b, f"/threads/{w.thread.id}/delete"),
        effect=_thread_deleted,
    ),
    "comment-on-{whose}-thread": Write(
        api=lambda w, h: w.client.post(
            f"/api/v1/threads/{w.thread.id}/comments", json={"body": NEW_COMMENT}, headers=h
        ),
        page=lambda w, b: post_form(b, f"/threads/{w.thread.id}/comments", {"body": NEW_COMMENT}),
        effect=_commented_on(_target),
    ),
    "comment-on-{whose}-locked-thread": Write(
        api=lambda w, h: w.client.post(
            f"/api/v1/threads/{w.locked_thread.id}/comments", json={"body": NEW_COMMENT}, headers=h
        ),
        page=lambda w, b: post_form(b, f"/threads/{w.locked_thread.id}/comments", {"body": NEW_COMMENT}),
        effect=_commented_on(lambda w: w.locked_thread),
    ),
    "edit-{whose}-comment": Write(
        api=lambda w, h: w.client.patch(f"/api/v1/comments/{w.comment.id}", json={"body": EDITED_COMMENT}, headers=h),
        page=lambda w, b: post_form(b, f"/comments/{w.comment.id}/edit", {"body": EDITED_COMMENT}),
        effect=_comment_edited,
    ),
    "delete-{whose}-comment": Write(
        api=lambda w, h: w.client.delete(f"/api/v1/comments/{w.comment.id}", headers=h),
        page=lambda w, b: post_form(b, f"/comments/{w.comment.id}/delete"),
        effect=_comment_deleted,
    ),
}

# --- turning the tables into test cases ------------------------------------------------


def _allowed(expected: int | str) -> bool:
    return isinstance(expected, int) and expected < 400


def cases(matrix: dict[str, tuple], actions: dict) -> list:
    """One test per cell of a matrix, with an id like ``member-cannot-edit-others-thread``."""
    params = []
    for action, row in matrix.items():
        for role, expected in zip(ROLES, row, strict=True):
            name = action.format(whose="own" if role == "author" else "others")
            verb = "can" if _allowed(expected) else "cannot"
            params.append(pytest.param(role, actions[action], expected, id=f"{role}-{verb}-{name}"))
    return params


def assert_api_refusal(response: httpx.Response, expected: int) -> None:
    assert response.status_code == expected, response.text
    assert list(response.json()) == ["detail"]
    if expected == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def assert_page_refusal(response: httpx.Response, expected: int | str) -> None:
    if expected == LOGIN:
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith("/login?next=/")
    else:
        assert response.status_code == expected, response.text
        assert "Not allowed" in response.text


def assert_shows(response: httpx.Response, shown: list[str], hidden: list[str]) -> None:
    for text in shown:
        assert text in response.text
    for text in hidden:
        assert text not in response.text


# --- the tests -------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "read", "expected"), cases(API_READS, API_READ_ACTIONS))
def test_api_read(world: World, role: str, read: Read, expected: int) -> None:
    before = world.snapshot()
    response = world.client.get(read.path(world), headers=world.headers(role))
    shown, hidden = read.shows(world, role)
    if _allowed(expected):
        assert response.status_code == expected, response.text
        assert_shows(response, shown, hidden)
    else:
        assert_api_refusal(response, expected)
        assert_shows(response, [], shown + hidden)
    assert world.snapshot() == before


@pytest.mark.parametrize(("role", "read", "expected"), cases(PAGE_READS, PAGE_READ_ACTIONS))
def test_page_read(world: World, role: str, read: Read, expected: int | str) -> None:
    before = world.snapshot()
    response = world.browser(role).get(read.path(world))
    shown, hidden = read.shows(world, role)
    if _allowed(expected):
        assert response.status_code == expected, response.text
        assert_shows(response, shown, hidden)
    else:
        assert_page_refusal(response, expected)
        assert_shows(response, [], shown + hidden)
    assert world.snapshot() == before


@pytest.mark.parametrize(("role", "write", "expected"), cases(API_WRITES, WRITE_ACTIONS))
def test_api_write(world: World, role: str, write: Write, expected: int) -> None:
    before = world.snapshot()
    response = write.api(world, world.headers(role))
    if _allowed(expected):
        assert response.status_code == expected, response.text
        write.effect(world, role)
    else:
        assert_api_refusal(response, expected)
        assert world.snapshot() == before


@pytest.mark.parametrize(("role", "write", "expected"), cases(PAGE_WRITES, WRITE_ACTIONS))
def test_page_write(world: World, role: str, write: Write, expected: int | str) -> None:
    before = world.snapshot()
    browser = world.browser(role)
    response = write.page(world, browser)
    if _allowed(expected):
        assert response.status_code == expected, response.text
        location = response.headers["location"]
        assert urlsplit(location).path.startswith("/threads/")
        assert browser.get(location).status_code == 200
        write.effect(world, role)
    else:
        assert_page_refusal(response, expected)
        assert world.snapshot() == before


def _all_api_actions() -> list:
    actions = {**API_READ_ACTIONS, **WRITE_ACTIONS}
    return [pytest.param(action, id=f"bad-token-cannot-{name.format(whose='a')}") for name, action in actions.items()]


@pytest.mark.parametrize("action", _all_api_actions())
def test_api_refuses_a_token_that_is_not_valid(world: World, action: Read | Write) -> None:
    """A token that is sent but not valid is a 401 on every call, reads included: never a silent visitor."""
    before = world.snapshot()
    headers = {"Authorization": "Bearer this-is-not-a-token-we-issued"}
    response = (
        world.client.get(action.path(world), headers=headers)
        if isinstance(action, Read)
        else action.api(world, headers)
    )
    assert_api_refusal(response, 401)
    assert world.snapshot() == before


# --- a visitor on the forms of a public thread ------------------------------------------


def on_public_thread(world: World) -> World:
    """The same world with the writes aimed at the public thread and its comment."""
    return dataclasses.replace(world, thread=world.public_thread, comment=world.public_comment)


@pytest.mark.parametrize(
    "write",
    [pytest.param(WRITE_ACTIONS[name], id=f"visitor-cannot-{name.format(whose='public')}") for name in VISITOR_FORMS],
)
def test_visitor_on_a_public_thread_form_is_sent_to_login(world: World, write: Write) -> None:
    world = on_public_thread(world)
    before = world.snapshot()
    assert_page_refusal(write.page(world, world.browser("visitor")), LOGIN)
    assert world.snapshot() == before


FORM_PAGES = {  # the page each form is on, which a browser names in the Referer header
    "start-thread": "/threads/new",
    "edit-{whose}-thread": "/threads/{thread}/edit",
    "delete-{whose}-thread": "/threads/{thread}",
    "comment-on-{whose}-thread": "/threads/{thread}",
    "edit-{whose}-comment": "/comments/{comment}/edit",
    "delete-{whose}-comment": "/threads/{thread}",
}


@pytest.mark.parametrize(
    ("write", "form_page"),
    [
        pytest.param(WRITE_ACTIONS[name], page, id=f"login-after-refused-{name.format(whose='public')}")
        for name, page in FORM_PAGES.items()
    ],
)
def test_logging_in_after_a_refused_form_returns_to_the_form(world: World, write: Write, form_page: str) -> None:
    """A visitor (say, a member whose session ended) who sends a form logs in and is back where the form was."""
    world = on_public_thread(world)
    form_page = form_page.format(thread=world.thread.id, comment=world.comment.id)
    browser = world.browser("visitor")
    browser.headers["referer"] = f"http://testserver{form_page}"

    refused = write.page(world, browser)
    assert_page_refusal(refused, LOGIN)
    [next_page] = parse_qs(urlsplit(refused.headers["location"]).query)["next"]
    login = post_form(browser, "/login", {"email": world.author.email, "password": PASSWORD, "next": next_page})

    assert (login.status_code, login.headers["location"]) == (303, form_page)
    assert browser.get(form_page).status_code == 200


EMPTY_FORMS = {
    # id                                                  role       form                          expected
    "visitor-cannot-start-thread-with-empty-form":        ("visitor", "/threads",                   LOGIN),
    "visitor-cannot-comment-with-empty-form":             ("visitor", "/threads/{public}/comments", LOGIN),
    "member-cannot-edit-others-thread-with-empty-form":   ("member",  "/threads/{public}/edit",     403),
    "member-cannot-edit-others-comment-with-empty-form":  ("member",  "/comments/{comment}/edit",   403),
    "member-cannot-comment-on-locked-thread-with-empty-form": ("member", "/threads/{locked}/comments", 403),
}  # fmt: skip


@pytest.mark.parametrize(("role", "path", "expected"), list(EMPTY_FORMS.values()), ids=list(EMPTY_FORMS))
def test_who_may_not_act_is_refused_before_the_form_is_checked(
    world: World, role: str, path: str, expected: int | str
) -> None:
    """Someone who may not act is refused as such, not shown what is wrong with a form they may not send."""
    browser = world.browser(role)
    before = world.snapshot()
    path = path.format(public=world.public_thread.id, comment=world.public_comment.id, locked=world.locked_thread.id)
    response = post_form(browser, path, {"title": "", "body": ""})
    assert_page_refusal(response, expected)
    assert world.snapshot() == before


def test_page_forms_carry_this_browsers_csrf_token(world: World) -> None:
    """The page matrix posts real forms: a write without this browser's token is refused and changes nothing."""
    browser = world.browser("author")
    before = world.snapshot()
    other_token = form_token(world.browser("moderator"))
    response = browser.post(f"/threads/{world.thread.id}/delete", data={"csrf_token": other_token})
    assert response.status_code == 403
    assert world.snapshot() == before
