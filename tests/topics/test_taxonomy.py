"""Admins keep the taxonomy: add, rename (the old address redirects), describe, merge
(every thread moves, counts stay right, nothing is lost) and retire topics."""

import pytest

from tests.factories import post_form


@pytest.fixture
def admin_browser(client, factory):
    factory.login(client, factory.member(role="admin"))
    return client


def _topic_fields(**fields: str) -> dict[str, str]:
    values = {
        "name": "Draping and consent",
        "slug": "draping-and-consent",
        "description": "Draping, undressing and consent to each area worked.",
        "keywords": "drape draping undress consent",
        "guideline_section": "",
    }
    values.update(fields)
    return values


def _tag(client, slug: str, headers: dict[str, str] | None = None) -> dict | None:
    return next((t for t in client.get("/api/v1/tags", headers=headers or {}).json() if t["slug"] == slug), None)


def test_admin_adds_a_topic(admin_browser) -> None:
    response = post_form(admin_browser, "/admin/topics", _topic_fields(guideline_section="stop-session/asking-why"))
    assert response.status_code == 303
    tag = _tag(admin_browser, "draping-and-consent")
    assert tag["name"] == "Draping and consent"
    assert tag["guideline_section"]["anchor"] == "asking-why"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"name": "boundaries"}, 409),  # a name that exists, in other letters' case
        ({"slug": "boundaries"}, 409),
        ({"slug": "Not a slug"}, 422),
        ({"name": ""}, 422),
        ({"guideline_section": "stop-session/no-such-anchor"}, 422),
    ],
    ids=["duplicate-name", "duplicate-slug", "bad-slug", "empty-name", "unknown-section"],
)
def test_a_bad_new_topic_is_refused_and_nothing_changes(admin_browser, fields, status) -> None:
    before = admin_browser.get("/api/v1/tags").json()
    response = post_form(admin_browser, "/admin/topics", _topic_fields(**fields))
    assert response.status_code == status
    assert 'class="error' in response.text
    assert admin_browser.get("/api/v1/tags").json() == before


def test_renaming_keeps_the_old_address_working(admin_browser, factory) -> None:
    thread = factory.thread(factory.member(), audience="public", tags=("confidentiality",))
    response = post_form(
        admin_browser,
        "/admin/topics/confidentiality",
        _topic_fields(
            name="Client confidentiality", slug="client-confidentiality", description="Keeping client details private."
        ),
    )
    assert response.status_code == 303
    old = admin_browser.get("/topics/confidentiality")
    assert old.status_code == 301
    assert old.headers["location"] == "/topics/client-confidentiality"
    page = admin_browser.get("/topics/client-confidentiality")
    assert "Client confidentiality" in page.text and f'href="/threads/{thread.id}"' in page.text
    assert admin_browser.get(f"/api/v1/threads/{thread.id}").json()["tags"] == ["client-confidentiality"]


def test_merging_moves_every_thread_and_keeps_counts_right(admin_browser, factory) -> None:
    author = factory.member()
    only_source = [factory.thread(author, audience="public", tags=("friendships-with-clients",)) for _ in range(3)]
    in_both = factory.thread(author, audience="public", tags=("friendships-with-clients", "dual-relationships"))
    only_target = factory.thread(author, audience="public", tags=("dual-relationships",))

    response = post_form(admin_browser, "/admin/topics/friendships-with-clients/merge", {"into": "dual-relationships"})
    assert response.status_code == 303

    assert _tag(admin_browser, "dual-relationships")["thread_count"] == 5
    assert _tag(admin_browser, "friendships-with-clients") is None  # no longer offered
    for thread in [*only_source, in_both, only_target]:
        assert admin_browser.get(f"/api/v1/threads/{thread.id}").json()["tags"] == ["dual-relationships"]
    moved = admin_browser.get("/topics/friendships-with-clients")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/topics/dual-relationships"


def test_merging_a_topic_into_itself_is_refused(admin_browser, factory) -> None:
    thread = factory.thread(factory.member(), tags=("boundaries",))
    response = post_form(admin_browser, "/admin/topics/boundaries/merge", {"into": "boundaries"})
    assert response.status_code == 422
    assert _tag(admin_browser, "boundaries") is not None
    assert admin_browser.get(f"/api/v1/threads/{thread.id}", headers=factory.headers(factory.member())).json()[
        "tags"
    ] == ["boundaries"]


def test_a_retired_topic_is_no_longer_offered_but_stays_on_old_threads(admin_browser, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public", tags=("ethics-education",))
    assert post_form(admin_browser, "/admin/topics/ethics-education/retire").status_code == 303

    assert _tag(admin_browser, "ethics-education") is None
    assert 'value="ethics-education"' not in admin_browser.get("/threads/new").text
    headers = factory.headers(author)
    refused = admin_browser.post(
        "/api/v1/threads",
        headers=headers,
        json={"title": "A new question here", "body": "Body", "tags": ["ethics-education"]},
    )
    assert refused.status_code == 422
    assert admin_browser.get(f"/api/v1/threads/{thread.id}").json()["tags"] == ["ethics-education"]
    kept = admin_browser.patch(
        f"/api/v1/threads/{thread.id}", headers=headers, json={"tags": ["ethics-education", "boundaries"]}
    )
    assert kept.status_code == 200  # a thread may keep a retired topic it already had
    assert "retired" in admin_browser.get("/topics/ethics-education").text

    assert post_form(admin_browser, "/admin/topics/ethics-education/restore").status_code == 303
    assert _tag(admin_browser, "ethics-education") is not None


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_admins_manage_topics(make_client, factory, role) -> None:
    browser = factory.login(make_client(), factory.member(role=role))
    assert browser.get("/admin/topics").status_code == 403
    assert post_form(browser, "/admin/topics", _topic_fields()).status_code == 403
    assert post_form(browser, "/admin/topics/boundaries/retire").status_code == 403
    assert _tag(browser, "boundaries") is not None
    assert _tag(browser, "draping-and-consent") is None


def test_visitors_are_sent_to_log_in_for_topic_administration(client) -> None:
    response = client.get("/admin/topics")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/admin/topics")
