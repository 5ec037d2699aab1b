"""Threads carry 1 to 5 topics: chosen at the start, edited by the author, retagged by moderators,
filtered on, suggested from the words of the post, and counted only where the viewer may see."""

import pytest

from tests.factories import form_token, post_form

TOPIC = "/api/v1/threads"


def _payload(tags: object, **fields: object) -> dict[str, object]:
    return {
        "title": "Trading massages with a colleague",
        "body": "We swap sessions monthly.",
        "audience": "public",
        "tags": tags,
        **fields,
    }


def test_the_taxonomy_is_seeded_with_the_community_topics(client) -> None:
    tags = client.get("/api/v1/tags").json()
    slugs = {tag["slug"] for tag in tags}
    assert len(tags) >= 15
    assert {
        "friendships-with-clients",
        "dual-relationships",
        "trading-services",
        "stopping-a-session",
        "confidentiality",
        "scope-of-practice",
    } <= slugs
    for tag in tags:
        assert set(tag) == {"slug", "name", "description", "guideline_section", "thread_count"}
        assert tag["description"]
    stopping = next(tag for tag in tags if tag["slug"] == "stopping-a-session")
    assert stopping["guideline_section"]["document"] == "stop-session"
    assert stopping["guideline_section"]["anchor"] == "stop-any-reason"
    assert stopping["guideline_section"]["heading"]


def test_a_thread_is_started_with_its_topics(client, factory) -> None:
    response = client.post(
        TOPIC, json=_payload(["trading-services", "boundaries"]), headers=factory.headers(factory.member())
    )
    assert response.status_code == 201
    assert response.json()["tags"] == ["boundaries", "trading-services"]  # in the order of their names
    assert client.get(f"{TOPIC}/{response.json()['id']}").json()["tags"] == ["boundaries", "trading-services"]


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        ([], "no topic"),
        (
            [
                "boundaries",
                "confidentiality",
                "ethics-education",
                "power-differential",
                "scope-of-practice",
                "trading-services",
            ],
            "six topics",
        ),
        (["no-such-topic"], "unknown topic"),
        (["boundaries", "boundaries"], "the same topic twice"),
        (["Not A Slug"], "not a slug"),
        ("boundaries", "not a list"),
    ],
    ids=lambda value: value if isinstance(value, str) and " " in value else None,
)
def test_a_bad_topic_choice_is_refused_and_nothing_is_stored(client, factory, tags, why) -> None:
    headers = factory.headers(factory.member())
    before = client.get(TOPIC, headers=headers).json()["items"]
    response = client.post(TOPIC, json=_payload(tags), headers=headers)
    assert response.status_code == 422, why
    assert response.json()["detail"]
    assert client.get(TOPIC, headers=headers).json()["items"] == before


def test_missing_tags_are_refused(client, factory) -> None:
    payload = _payload(["boundaries"])
    del payload["tags"]
    response = client.post(TOPIC, json=payload, headers=factory.headers(factory.member()))
    assert response.status_code == 422


def test_the_author_edits_topics_and_a_moderator_retags_but_others_cannot(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, tags=("boundaries",))
    by_author = client.patch(
        f"{TOPIC}/{thread.id}", json={"tags": ["confidentiality"]}, headers=factory.headers(author)
    )
    assert by_author.json()["tags"] == ["confidentiality"]
    moderator = factory.member(role="moderator")
    by_moderator = client.patch(
        f"{TOPIC}/{thread.id}", json={"tags": ["scope-of-practice", "boundaries"]}, headers=factory.headers(moderator)
    )
    assert by_moderator.status_code == 200
    assert sorted(by_moderator.json()["tags"]) == ["boundaries", "scope-of-practice"]
    other = client.patch(
        f"{TOPIC}/{thread.id}", json={"tags": ["ethics-education"]}, headers=factory.headers(factory.member())
    )
    assert other.status_code == 403
    assert sorted(client.get(f"{TOPIC}/{thread.id}", headers=factory.headers(author)).json()["tags"]) == [
        "boundaries",
        "scope-of-practice",
    ]


def test_lists_filter_by_several_topics_all_of_which_must_match(client, factory) -> None:
    author = factory.member()
    both = factory.thread(author, audience="public", tags=("trading-services", "boundaries"))
    only_trading = factory.thread(author, audience="public", tags=("trading-services",))
    factory.thread(author, audience="public", tags=("confidentiality",))

    def ids(params: list[tuple[str, str]]) -> set[int]:
        return {t["id"] for t in client.get(TOPIC, params=params).json()["items"]}

    assert ids([("tag", "trading-services")]) == {both.id, only_trading.id}
    assert ids([("tag", "trading-services"), ("tag", "boundaries")]) == {both.id}
    assert client.get(TOPIC, params=[("tag", "no-such-topic")]).status_code == 404
    page = client.get("/", params=[("topic", "trading-services"), ("topic", "boundaries")]).text
    assert f'href="/threads/{both.id}"' in page
    assert f'href="/threads/{only_trading.id}"' not in page


def test_topic_counts_include_only_what_the_viewer_may_see(client, factory) -> None:
    author = factory.member()
    factory.thread(author, audience="public", tags=("power-differential",))
    factory.thread(author, audience="members", tags=("power-differential",))
    factory.thread(author, audience="public", tags=("power-differential",), deleted=True)

    def count(headers: dict[str, str]) -> int:
        tags = client.get("/api/v1/tags", headers=headers).json()
        return next(tag["thread_count"] for tag in tags if tag["slug"] == "power-differential")

    assert count({}) == 1
    assert count(factory.headers(factory.member())) == 2
    topic_page = client.get("/topics/power-differential")
    assert "1 thread you can read" in topic_page.text


def test_topic_page_lists_threads_by_latest_activity_in_pages(client, factory) -> None:
    author = factory.member()
    threads = [factory.thread(author, audience="public", tags=("ethics-education",)) for _ in range(30)]
    factory.comment(author, threads[0])  # the oldest becomes the most recently active
    first = client.get("/topics/ethics-education")
    assert first.status_code == 200
    assert first.text.index(f'href="/threads/{threads[0].id}"') < first.text.index(f'href="/threads/{threads[29].id}"')
    assert 'rel="next"' in first.text
    next_url = first.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_url)
    shown = [t.id for t in threads if f'href="/threads/{t.id}"' in first.text + second.text]
    assert sorted(shown) == sorted(t.id for t in threads)
    assert 'rel="next"' not in second.text


def test_thread_page_shows_topics_and_the_relevant_guideline(client, factory) -> None:
    thread = factory.thread(factory.member(), audience="public", tags=("stopping-a-session", "boundaries"))
    page = client.get(f"/threads/{thread.id}").text
    assert 'href="/topics/stopping-a-session"' in page
    assert "Relevant guideline" in page
    assert 'href="/guidelines/stop-session#stop-any-reason"' in page
    plain = factory.thread(factory.member(), audience="public", tags=("boundaries",))
    assert "Relevant guideline" not in client.get(f"/threads/{plain.id}").text


def test_the_form_suggests_topics_from_the_words_of_the_post(client, factory) -> None:
    factory.login(client, factory.member())
    response = post_form(
        client,
        "/threads",
        {
            "title": "Trading massages with a former client",
            "audience": "members",
            "intent": "suggest",
            "body": "A former client, now a therapist, wants to trade sessions with me. Is trading okay?",
        },
    )
    assert response.status_code == 200
    assert 'value="trading-services" checked' in response.text
    assert "Suggested from your text" in response.text
    assert "Trading massages with a former client" in response.text  # nothing typed is lost


def test_submitting_without_topics_shows_suggestions_and_stores_nothing(client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    response = post_form(
        client,
        "/threads",
        {
            "title": "A client felt dizzy and ill on the table",
            "body": "She felt sick halfway through.",
            "audience": "members",
        },
    )
    assert response.status_code == 422
    assert 'value="illness-and-emergencies" checked' in response.text
    assert client.get(f"/members/{member.id}").text.count('class="thread-row"') == 0


def test_the_form_starts_a_thread_with_the_checked_topics(client, factory) -> None:
    factory.login(client, factory.member())
    token = form_token(client, "/threads/new")
    response = client.post(
        "/threads",
        data={
            "csrf_token": token,
            "title": "Dual roles in a small town",
            "body": "My landlord booked a session.",
            "audience": "public",
            "tags": ["dual-relationships", "boundaries"],
            "intent": "post",
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert 'href="/topics/dual-relationships"' in page and 'href="/topics/boundaries"' in page
