"""Search never finds what the searcher may not see.

For every role (visitor, member, author, moderator) and every state a post can be in
(public, members-only, hidden, held, removed, deleted), a thread and a comment are each
searched for by words found nowhere else; each is found exactly when that role may read
it. A comment also follows its thread: when the thread is out of sight, so are its
comments. States are reached the way the forum reaches them: moderators' actions, three
members' reports (which hold a post), and the author's delete, all through the API.
"""

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from forum.accounts.models import Member
from tests.factories import Factory
from tests.search.helpers import hits

ROLES = ("visitor", "member", "author", "moderator")
# Who finds a post in each state.
FINDERS = {
    "public": {"visitor", "member", "author", "moderator"},
    "members-only": {"member", "author", "moderator"},
    "hidden": {"author", "moderator"},
    "held": {"author", "moderator"},
    "removed": {"moderator"},
    "deleted": set(),
}
# States a post is put in after it is written (the audience is chosen when the thread is started).
CHANGED_LATER = ("hidden", "held", "removed", "deleted")


@dataclass
class Scene:
    """A thread by ``author`` with a comment by ``author`` and one by ``commenter``, each with its own word."""

    client: TestClient
    factory: Factory
    author: Member
    commenter: Member
    people: dict[str, Member | None]
    thread_id: int
    comment_id: int  # the author's comment
    other_comment_id: int  # the commenter's comment
    thread_word: str
    comment_word: str
    other_word: str

    def headers(self, role: str) -> dict[str, str]:
        person = self.people[role]
        return self.factory.headers(person) if person else {}

    def put(self, state: str, kind: str, target_id: int) -> None:
        """Bring a thread or comment (``kind``: "threads" or "comments") into a moderated or deleted state."""
        if state in ("hidden", "removed"):
            action = {"hidden": "hide", "removed": "remove"}[state]
            response = self.client.post(
                f"/api/v1/moderation/{kind}/{target_id}/actions",
                json={"action": action, "reason": "Against the guidelines."},
                headers=self.headers("moderator"),
            )
            assert response.status_code == 200, response.text
        elif state == "held":
            for _ in range(3):  # FORUM_AUTO_HIDE_REPORTS: the third member's report holds the post
                report = self.client.post(
                    "/api/v1/reports",
                    json={"target_type": kind.removesuffix("s"), "target_id": target_id, "reason": "spam"},
                    headers=self.factory.headers(self.factory.member()),
                )
                assert report.status_code == 201, report.text
        else:
            deleted = self.client.delete(f"/api/v1/{kind}/{target_id}", headers=self.headers("author"))
            assert deleted.status_code == 204, deleted.text
        assert self.state_of(kind, target_id) == state

    def state_of(self, kind: str, target_id: int) -> str:
        """The post's visibility ("deleted" once deleted), as a moderator reads it through the API."""
        staff = self.headers("moderator")
        if kind == "threads":
            post = self.client.get(f"/api/v1/threads/{target_id}", headers=staff).json()
        else:
            comments = self.client.get(f"/api/v1/threads/{self.thread_id}/comments", headers=staff).json()["items"]
            (post,) = [c for c in comments if c["id"] == target_id]
        return "deleted" if post["deleted"] else post["visibility"]

    def finders(self, word: str, expected: tuple[str, int]) -> set[str]:
        """The roles whose search for ``word`` finds exactly ``expected`` (and nobody finds anything else)."""
        found = set()
        for role in ROLES:
            result = hits(self.client, self.headers(role), q=word)
            assert result in ([], [expected]), (role, result)
            if result:
                found.add(role)
        return found


@pytest.fixture
def scene(client: TestClient, factory: Factory, request: pytest.FixtureRequest) -> Scene:
    audience = "members" if request.node.callspec.params["state"] == "members-only" else "public"
    marker = uuid.uuid4().hex[:8]
    thread_word, comment_word, other_word = (f"zq{marker}{kind}" for kind in ("thread", "mine", "other"))
    author, commenter = factory.member(), factory.member()
    thread = factory.thread(
        author, title=f"About {thread_word} and consent", body=f"Body with {thread_word}.", audience=audience
    )
    comment = factory.comment(author, thread, body=f"My own note on {comment_word}.")
    other = factory.comment(commenter, thread, body=f"A reply mentioning {other_word}.")
    people = {
        "visitor": None,
        "member": factory.member(),
        "author": author,
        "moderator": factory.member(role="moderator"),
    }
    return Scene(
        client,
        factory,
        author,
        commenter,
        people,
        thread.id,
        comment.id,
        other.id,
        thread_word,
        comment_word,
        other_word,
    )


@pytest.mark.parametrize("state", list(FINDERS))
def test_a_thread_and_its_comments_are_found_only_by_who_may_read_the_thread(scene: Scene, state: str) -> None:
    if state in CHANGED_LATER:
        scene.put(state, "threads", scene.thread_id)

    assert scene.finders(scene.thread_word, ("thread", scene.thread_id)) == FINDERS[state]
    assert scene.finders(scene.comment_word, ("comment", scene.comment_id)) == FINDERS[state]
    # Another member's visible comment is no easier to reach than the thread it is in.
    assert scene.finders(scene.other_word, ("comment", scene.other_comment_id)) == FINDERS[state]


@pytest.mark.parametrize("state", list(FINDERS))
def test_a_comment_is_found_only_by_who_may_read_it(scene: Scene, state: str) -> None:
    if state in CHANGED_LATER:
        scene.put(state, "comments", scene.comment_id)

    assert scene.finders(scene.comment_word, ("comment", scene.comment_id)) == FINDERS[state]
    # The thread and the other comment are untouched by what happened to this one.
    readers = FINDERS["members-only" if state == "members-only" else "public"]
    assert scene.finders(scene.thread_word, ("thread", scene.thread_id)) == readers
    assert scene.finders(scene.other_word, ("comment", scene.other_comment_id)) == readers


def test_the_page_never_shows_a_visitor_members_only_words(client: TestClient, factory: Factory) -> None:
    author = factory.member()
    secret = f"zq{uuid.uuid4().hex[:8]}secret"
    thread = factory.thread(author, title=f"Members talk {secret}", body=f"Only members read {secret}.")
    factory.comment(author, thread, body=f"Members reply {secret}.")

    visitor_page = client.get("/search", params={"q": secret})
    member_page = factory.login(client, factory.member()).get("/search", params={"q": secret})

    assert visitor_page.status_code == 200
    assert "Members talk" not in visitor_page.text and f"/threads/{thread.id}" not in visitor_page.text
    assert "Members talk" in member_page.text and f"/threads/{thread.id}" in member_page.text
