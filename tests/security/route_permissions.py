"""Who may call each route of the forum: the one table the route walk checks every answer against.

Each route (method and path template, as the app serves it) has a ``Rule``:

- ``allowed``: the callers who may call it, from a small vocabulary of caller sets: ``PUBLIC``
  (anyone), ``MEMBER`` (anyone logged in), ``OWNER`` (the member who owns the target: the author
  of the thread or comment, the member themself, the owner of the bookmark or the session), ``MODERATOR``
  (moderators and admins) and ``ADMIN``. Sets combine: ``OWNER | MODERATOR`` is the author or staff.
- ``refused``: how everyone else is answered. ``DENIED``: a visitor is asked to log in (401 from
  the API) and a member is refused (403). ``HIDDEN``: the target is absent for them (404; from the
  API a visitor gets 404 too). ``NOT_THEIRS``: a visitor is asked to log in, and a member is told
  there is nothing of theirs there (404). A page always sends a refused visitor (303) to
  ``/login?next=...``, whichever of these the API would answer.
- ``body``, ``query`` and ``at``: what a valid call sends, so that a refusal is about the caller and
  never about the request. Values are templates filled from the walk's world: ``"{thread}"`` is the
  owner's members-only thread (a whole-value template keeps the thing's type, so ids stay numbers in
  JSON). ``at`` names the world thing behind a path parameter when its name alone does not say
  (``target_id`` is a thread on one route and a member on another); see ``PATH_PARAMETERS``.

Page and API routes that do the same thing are listed in ``SAME_ACTION``: their rules must agree.
"""

from dataclasses import dataclass, field
from typing import Any

# --- who is calling --------------------------------------------------------------------

VISITOR = "visitor"
OWNER_MEMBER = "owner"  # the member who owns every target of the world
OTHER_MEMBER = "other-member"  # a member who owns none of them
MODERATOR_MEMBER = "moderator"
ADMIN_MEMBER = "admin"
CALLERS = (VISITOR, OWNER_MEMBER, OTHER_MEMBER, MODERATOR_MEMBER, ADMIN_MEMBER)

PUBLIC = frozenset(CALLERS)
MEMBER = PUBLIC - {VISITOR}
OWNER = frozenset({OWNER_MEMBER})
MODERATOR = frozenset({MODERATOR_MEMBER, ADMIN_MEMBER})
ADMIN = frozenset({ADMIN_MEMBER})

# --- how the others are refused --------------------------------------------------------

LOGIN = "login"  # a page's answer to a refused visitor: 303 to /login?next=...


@dataclass(frozen=True)
class Refusal:
    api_visitor: int  # the API's answer to a visitor
    member: int  # the answer to a member who may not, from the API and from pages alike


DENIED = Refusal(api_visitor=401, member=403)
HIDDEN = Refusal(api_visitor=404, member=404)
NOT_THEIRS = Refusal(api_visitor=401, member=404)


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    refused: Refusal = DENIED
    body: dict[str, Any] | None = None
    query: str = ""
    at: dict[str, str] = field(default_factory=dict)


# The world thing behind each path parameter, unless a rule's ``at`` says otherwise.
PATH_PARAMETERS = {
    "thread_id": "{thread}",
    "comment_id": "{comment}",
    "member_id": "{owner}",
    "item_id": "{item}",
    "event_id": "{event}",
    "word_id": "{word}",
    "slug": "{topic}",
    "anchor": "{section}",
    "session_id": "{owner_session}",
    "token": "{reset_token}",
}

# --- valid bodies ------------------------------------------------------------------------

REASON = "Cooling off for a day"
NEW_THREAD = {"title": "Draping a client who is cold", "body": "Which blankets work best for you?"}
THREAD_EDIT = {"title": "Edited: a client asked me out", "body": "Edited: how do I say no well?"}
COMMENT = {"body": "I would refer them to a colleague."}
REPORT = {"target_type": "thread", "target_id": "{public_thread}", "reason": "spam"}
BOOKMARK = {"target_type": "thread", "target_id": "{thread}"}
PASSWORD = {"password": "correct horse battery staple"}
NEWCOMER = {"email": "newcomer@example.org", "display_name": "A newcomer", **PASSWORD}
TOPIC_FIELDS = {"slug": "draping", "name": "Draping", "description": "Sheets, towels and consent."}
NEW_PASSWORD = {"new_password": "a brand new passphrase"}
SECTION_EDIT = {"heading": "Edited heading", "body": "Edited text of the section.", "version": "{section_version}"}

# --- the table ---------------------------------------------------------------------------

ROUTES: dict[tuple[str, str], Rule] = {
    # accounts
    ("POST", "/api/v1/auth/register"): Rule(PUBLIC, body=NEWCOMER),
    ("POST", "/api/v1/auth/token"): Rule(PUBLIC, body={"email": "{owner_email}", **PASSWORD}),
    ("DELETE", "/api/v1/auth/token"): Rule(MEMBER),
    ("GET", "/api/v1/me"): Rule(MEMBER),
    ("GET", "/join"): Rule(PUBLIC),
    ("POST", "/join"): Rule(PUBLIC, body=NEWCOMER),
    ("GET", "/login"): Rule(PUBLIC),
    ("POST", "/login"): Rule(PUBLIC, body={"email": "{owner_email}", **PASSWORD}),
    ("POST", "/logout"): Rule(PUBLIC),
    ("GET", "/account"): Rule(MEMBER),
    ("POST", "/account/profile"): Rule(MEMBER, body={"display_name": "A new name", "credentials": "LMT"}),
    ("POST", "/account/password"): Rule(MEMBER, body={"current_password": PASSWORD["password"], **NEW_PASSWORD}),
    ("GET", "/api/v1/auth/sessions"): Rule(MEMBER),
    ("DELETE", "/api/v1/auth/sessions/{session_id}"): Rule(OWNER, NOT_THEIRS),
    ("POST", "/account/sessions/{session_id}/end"): Rule(OWNER, NOT_THEIRS),
    ("POST", "/account/sessions/end-others"): Rule(MEMBER),
    ("POST", "/account/tokens"): Rule(MEMBER, body={"name": "My phone"}),
    ("POST", "/api/v1/auth/password-reset"): Rule(PUBLIC, body={"email": "{owner_email}"}),
    ("POST", "/api/v1/auth/password-reset/confirm"): Rule(PUBLIC, body={"token": "{reset_token}", **NEW_PASSWORD}),
    ("GET", "/password-reset"): Rule(PUBLIC),
    ("POST", "/password-reset"): Rule(PUBLIC, body={"email": "{owner_email}"}),
    ("GET", "/password-reset/{token}"): Rule(PUBLIC),
    ("POST", "/password-reset/{token}"): Rule(PUBLIC, body=NEW_PASSWORD),
    ("GET", "/members/{member_id}"): Rule(PUBLIC),
    # threads and comments
    ("GET", "/api/v1/threads"): Rule(PUBLIC),
    ("POST", "/api/v1/threads"): Rule(MEMBER, body={**NEW_THREAD, "tags": ["{topic}"]}),
    ("GET", "/api/v1/threads/{thread_id}"): Rule(MEMBER, HIDDEN),
    ("PATCH", "/api/v1/threads/{thread_id}"): Rule(OWNER | MODERATOR, body=THREAD_EDIT),
    ("DELETE", "/api/v1/threads/{thread_id}"): Rule(OWNER | MODERATOR),
    ("GET", "/api/v1/threads/{thread_id}/comments"): Rule(MEMBER, HIDDEN),
    ("POST", "/api/v1/threads/{thread_id}/comments"): Rule(MEMBER, body=COMMENT),
    ("PATCH", "/api/v1/comments/{comment_id}"): Rule(OWNER | MODERATOR, body=COMMENT),
    ("DELETE", "/api/v1/comments/{comment_id}"): Rule(OWNER | MODERATOR),
    ("GET", "/api/v1/threads/{thread_id}/revisions"): Rule(OWNER | MODERATOR),
    ("GET", "/api/v1/comments/{comment_id}/revisions"): Rule(OWNER | MODERATOR),
    ("POST", "/api/v1/threads/{thread_id}/read"): Rule(MEMBER),
    ("GET", "/api/v1/bookmarks"): Rule(MEMBER),
    ("POST", "/api/v1/bookmarks"): Rule(MEMBER, body=BOOKMARK),
    ("DELETE", "/api/v1/bookmarks"): Rule(OWNER, NOT_THEIRS, body=BOOKMARK),
    ("GET", "/"): Rule(PUBLIC),
    ("GET", "/threads/new"): Rule(MEMBER),
    ("POST", "/threads"): Rule(MEMBER, body={**NEW_THREAD, "audience": "members", "tags": "{topic}"}),
    ("GET", "/threads/{thread_id}"): Rule(MEMBER, HIDDEN),
    ("GET", "/threads/{thread_id}/edit"): Rule(OWNER | MODERATOR),
    ("POST", "/threads/{thread_id}/edit"): Rule(
        OWNER | MODERATOR, body={**THREAD_EDIT, "audience": "members", "tags": "{topic}"}
    ),
    ("POST", "/threads/{thread_id}/delete"): Rule(OWNER | MODERATOR),
    ("POST", "/threads/{thread_id}/comments"): Rule(MEMBER, body=COMMENT),
    ("GET", "/comments/{comment_id}"): Rule(MEMBER, HIDDEN),
    ("GET", "/comments/{comment_id}/edit"): Rule(OWNER | MODERATOR),
    ("POST", "/comments/{comment_id}/edit"): Rule(OWNER | MODERATOR, body=COMMENT),
    ("POST", "/comments/{comment_id}/delete"): Rule(OWNER | MODERATOR),
    ("POST", "/bookmarks"): Rule(MEMBER, body={**BOOKMARK, "next": "/"}),
    # guidelines
    ("GET", "/api/v1/guidelines"): Rule(PUBLIC),
    ("GET", "/api/v1/guidelines/{slug}"): Rule(PUBLIC, at={"slug": "{document}"}),
    ("GET", "/guidelines"): Rule(PUBLIC),
    ("GET", "/guidelines/{slug}"): Rule(PUBLIC, at={"slug": "{document}"}),
    ("GET", "/guidelines/{slug}/sections/{anchor}/edit"): Rule(ADMIN, at={"slug": "{document}"}),
    ("POST", "/guidelines/{slug}/sections/{anchor}/edit"): Rule(ADMIN, body=SECTION_EDIT, at={"slug": "{document}"}),
    ("GET", "/guidelines/{slug}/sections/{anchor}/history"): Rule(ADMIN, at={"slug": "{document}"}),
    # topics
    ("GET", "/api/v1/tags"): Rule(PUBLIC),
    ("GET", "/topics"): Rule(PUBLIC),
    ("GET", "/topics/{slug}"): Rule(PUBLIC),
    ("GET", "/admin/topics"): Rule(ADMIN),
    ("POST", "/admin/topics"): Rule(ADMIN, body=TOPIC_FIELDS),
    ("GET", "/admin/topics/{slug}"): Rule(ADMIN),
    ("POST", "/admin/topics/{slug}"): Rule(ADMIN, body={**TOPIC_FIELDS, "slug": "{topic}"}),
    ("POST", "/admin/topics/{slug}/merge"): Rule(ADMIN, body={"into": "{other_topic}"}),
    ("POST", "/admin/topics/{slug}/retire"): Rule(ADMIN),
    ("POST", "/admin/topics/{slug}/restore"): Rule(ADMIN, at={"slug": "{retired_topic}"}),
    # reports and moderation
    ("POST", "/api/v1/reports"): Rule(MEMBER, body=REPORT),
    ("GET", "/api/v1/reports/mine"): Rule(MEMBER),
    ("GET", "/api/v1/moderation/queue"): Rule(MODERATOR),
    ("GET", "/api/v1/moderation/items/{item_id}"): Rule(MODERATOR),
    ("POST", "/api/v1/moderation/items/{item_id}/actions"): Rule(
        MODERATOR, body={"action": "dismiss", "reason": REASON}
    ),
    ("POST", "/api/v1/moderation/threads/{target_id}/actions"): Rule(
        MODERATOR, body={"action": "lock", "reason": REASON}, at={"target_id": "{thread}"}
    ),
    ("POST", "/api/v1/moderation/comments/{target_id}/actions"): Rule(
        MODERATOR, body={"action": "hide", "reason": REASON}, at={"target_id": "{comment}"}
    ),
    ("POST", "/api/v1/moderation/users/{target_id}/actions"): Rule(
        MODERATOR, body={"action": "warn", "reason": REASON}, at={"target_id": "{owner}"}
    ),
    ("POST", "/api/v1/moderation/log/{event_id}/undo"): Rule(MODERATOR, body={"reason": REASON}),
    ("GET", "/api/v1/moderation/log"): Rule(MODERATOR),
    ("GET", "/api/v1/transparency"): Rule(PUBLIC),
    ("GET", "/api/v1/moderation/watched-words"): Rule(MODERATOR),
    ("POST", "/api/v1/moderation/watched-words"): Rule(ADMIN, body={"phrase": "miracle cure", "mode": "flag"}),
    ("DELETE", "/api/v1/moderation/watched-words/{word_id}"): Rule(ADMIN),
    ("GET", "/api/v1/me/warnings"): Rule(MEMBER),
    ("POST", "/api/v1/me/warnings/seen"): Rule(MEMBER),
    ("GET", "/report"): Rule(MEMBER, query="target_type=thread&target_id={public_thread}"),
    ("POST", "/reports"): Rule(MEMBER, body=REPORT),
    ("GET", "/reports"): Rule(MEMBER),
    ("GET", "/moderation"): Rule(MODERATOR),
    ("GET", "/moderation/items/{item_id}"): Rule(MODERATOR),
    ("POST", "/moderation/items/{item_id}/actions"): Rule(MODERATOR, body={"action": "dismiss", "reason": REASON}),
    ("POST", "/moderation/{kind}/{target_id}/actions"): Rule(
        MODERATOR,
        body={"action": "lock", "reason": REASON, "next": "/"},
        at={"kind": "threads", "target_id": "{thread}"},
    ),
    ("GET", "/moderation/log"): Rule(MODERATOR),
    ("POST", "/moderation/log/{event_id}/undo"): Rule(MODERATOR, body={"reason": REASON}),
    ("GET", "/transparency"): Rule(PUBLIC),
    ("GET", "/moderation/watched-words"): Rule(MODERATOR),
    ("POST", "/moderation/watched-words"): Rule(ADMIN, body={"phrase": "miracle cure", "mode": "flag"}),
    ("POST", "/moderation/watched-words/{word_id}/delete"): Rule(ADMIN),
    ("POST", "/warnings/seen"): Rule(MEMBER, body={"next": "/"}),
    # search
    ("GET", "/api/v1/search"): Rule(PUBLIC, query="q=client"),
    ("GET", "/search"): Rule(PUBLIC, query="q=client"),
    # notifications, following and muting
    ("GET", "/api/v1/notifications"): Rule(MEMBER),
    ("GET", "/api/v1/notifications/unread-count"): Rule(MEMBER),
    ("POST", "/api/v1/notifications/read"): Rule(MEMBER, body={"ids": ["{notification}"]}),
    ("GET", "/api/v1/notifications/preferences"): Rule(MEMBER),
    ("PUT", "/api/v1/notifications/preferences"): Rule(MEMBER, body={"replies": "off"}),
    ("POST", "/api/v1/threads/{thread_id}/follow"): Rule(MEMBER),
    ("DELETE", "/api/v1/threads/{thread_id}/follow"): Rule(MEMBER),
    ("POST", "/api/v1/threads/{thread_id}/mute"): Rule(MEMBER),
    ("DELETE", "/api/v1/threads/{thread_id}/mute"): Rule(MEMBER),
    ("POST", "/api/v1/topics/{slug}/follow"): Rule(MEMBER),
    ("DELETE", "/api/v1/topics/{slug}/follow"): Rule(MEMBER),
    ("GET", "/notifications"): Rule(MEMBER),
    ("POST", "/notifications/read"): Rule(MEMBER, body={"notification_id": "{notification}"}),
    ("GET", "/notifications/preferences"): Rule(MEMBER),
    ("POST", "/notifications/preferences"): Rule(MEMBER, body={"replies": "off"}),
    ("POST", "/threads/{thread_id}/follow"): Rule(MEMBER),
    ("POST", "/threads/{thread_id}/unfollow"): Rule(MEMBER),
    ("POST", "/threads/{thread_id}/mute"): Rule(MEMBER),
    ("POST", "/threads/{thread_id}/unmute"): Rule(MEMBER),
    ("POST", "/topics/{slug}/follow"): Rule(MEMBER),
    ("POST", "/topics/{slug}/unfollow"): Rule(MEMBER),
    # feeds: public discussions only (a members-only thread has no feed, for anyone)
    ("GET", "/feeds/latest.atom"): Rule(PUBLIC),
    ("GET", "/topics/{slug}/feed.atom"): Rule(PUBLIC),
    ("GET", "/threads/{thread_id}/feed.atom"): Rule(PUBLIC, at={"thread_id": "{public_thread}"}),
}

# Served by the app but not walked, each for its reason. Anything else that is not an API route
# (a plain route, a mount) is reported as missing from the table.
NOT_WALKED = {
    "/openapi.json": "the API's description, public by design and generated by FastAPI",
    "/docs": "the API documentation page: one static HTML file",
    "/static": "stylesheets, scripts and images",
    "/swagger-ui": "the documentation page's scripts",
}

# --- one action, two doors ---------------------------------------------------------------
# (API route, page route) pairs doing the same thing: their ``allowed`` and their members'
# refusals must agree. A visitor's refusal differs by design (401 versus the login page).

SAME_ACTION = [
    (("POST", "/api/v1/auth/register"), ("POST", "/join")),
    (("POST", "/api/v1/auth/token"), ("POST", "/login")),
    (("GET", "/api/v1/me"), ("GET", "/account")),
    (("DELETE", "/api/v1/auth/sessions/{session_id}"), ("POST", "/account/sessions/{session_id}/end")),
    (("POST", "/api/v1/auth/password-reset"), ("POST", "/password-reset")),
    (("POST", "/api/v1/auth/password-reset/confirm"), ("POST", "/password-reset/{token}")),
    (("GET", "/api/v1/threads"), ("GET", "/")),
    (("POST", "/api/v1/threads"), ("POST", "/threads")),
    (("GET", "/api/v1/threads/{thread_id}"), ("GET", "/threads/{thread_id}")),
    (("PATCH", "/api/v1/threads/{thread_id}"), ("POST", "/threads/{thread_id}/edit")),
    (("DELETE", "/api/v1/threads/{thread_id}"), ("POST", "/threads/{thread_id}/delete")),
    (("POST", "/api/v1/threads/{thread_id}/comments"), ("POST", "/threads/{thread_id}/comments")),
    (("PATCH", "/api/v1/comments/{comment_id}"), ("POST", "/comments/{comment_id}/edit")),
    (("DELETE", "/api/v1/comments/{comment_id}"), ("POST", "/comments/{comment_id}/delete")),
    (("POST", "/api/v1/bookmarks"), ("POST", "/bookmarks")),
    (("GET", "/api/v1/guidelines"), ("GET", "/guidelines")),
    (("GET", "/api/v1/guidelines/{slug}"), ("GET", "/guidelines/{slug}")),
    (("GET", "/api/v1/tags"), ("GET", "/topics")),
    (("POST", "/api/v1/reports"), ("POST", "/reports")),
    (("GET", "/api/v1/reports/mine"), ("GET", "/reports")),
    (("GET", "/api/v1/moderation/queue"), ("GET", "/moderation")),
    (("GET", "/api/v1/moderation/items/{item_id}"), ("GET", "/moderation/items/{item_id}")),
    (("POST", "/api/v1/moderation/items/{item_id}/actions"), ("POST", "/moderation/items/{item_id}/actions")),
    (("POST", "/api/v1/moderation/threads/{target_id}/actions"), ("POST", "/moderation/{kind}/{target_id}/actions")),
    (("POST", "/api/v1/moderation/log/{event_id}/undo"), ("POST", "/moderation/log/{event_id}/undo")),
    (("GET", "/api/v1/moderation/log"), ("GET", "/moderation/log")),
    (("GET", "/api/v1/transparency"), ("GET", "/transparency")),
    (("GET", "/api/v1/moderation/watched-words"), ("GET", "/moderation/watched-words")),
    (("POST", "/api/v1/moderation/watched-words"), ("POST", "/moderation/watched-words")),
    (("DELETE", "/api/v1/moderation/watched-words/{word_id}"), ("POST", "/moderation/watched-words/{word_id}/delete")),
    (("POST", "/api/v1/me/warnings/seen"), ("POST", "/warnings/seen")),
    (("GET", "/api/v1/search"), ("GET", "/search")),
    (("GET", "/api/v1/notifications"), ("GET", "/notifications")),
    (("POST", "/api/v1/notifications/read"), ("POST", "/notifications/read")),
    (("GET", "/api/v1/notifications/preferences"), ("GET", "/notifications/preferences")),
    (("PUT", "/api/v1/notifications/preferences"), ("POST", "/notifications/preferences")),
    (("POST", "/api/v1/threads/{thread_id}/follow"), ("POST", "/threads/{thread_id}/follow")),
    (("DELETE", "/api/v1/threads/{thread_id}/follow"), ("POST", "/threads/{thread_id}/unfollow")),
    (("POST", "/api/v1/threads/{thread_id}/mute"), ("POST", "/threads/{thread_id}/mute")),
    (("DELETE", "/api/v1/threads/{thread_id}/mute"), ("POST", "/threads/{thread_id}/unmute")),
    (("POST", "/api/v1/topics/{slug}/follow"), ("POST", "/topics/{slug}/follow")),
    (("DELETE", "/api/v1/topics/{slug}/follow"), ("POST", "/topics/{slug}/unfollow")),
]
