"""Calls the search tests share: searching through the API, as someone, and reading the answer."""

from fastapi.testclient import TestClient

SEARCH = "/api/v1/search"
MODERATION = "/api/v1/moderation"
REASON = "Checked against the community guidelines."


def search_json(client: TestClient, headers: dict[str, str] | None = None, **params: object) -> dict:
    response = client.get(SEARCH, params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def hits(client: TestClient, headers: dict[str, str] | None = None, **params: object) -> list[tuple[str, int]]:
    """What one page of a search found, in order: ("thread", thread id) or ("comment", comment id)."""
    page = search_json(client, headers, **params)
    return [(item["type"], item["comment_id"] or item["thread_id"]) for item in page["items"]]


def every_hit(client: TestClient, headers: dict[str, str] | None = None, **params: object) -> list[tuple[str, int]]:
    """Every page of a search, followed by its cursors, in order."""
    found: list[tuple[str, int]] = []
    cursor = None
    while True:
        page = search_json(client, headers, **params, **({"cursor": cursor} if cursor else {}))
        found += [(item["type"], item["comment_id"] or item["thread_id"]) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def moderate(client: TestClient, headers: dict[str, str], kind: str, target_id: int, action: str) -> None:
    """A moderator's action on a thread or comment (``kind`` is "threads" or "comments")."""
    response = client.post(
        f"{MODERATION}/{kind}/{target_id}/actions", json={"action": action, "reason": REASON}, headers=headers
    )
    assert response.status_code == 200, response.text
