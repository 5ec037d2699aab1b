"""A member's report reaches the queue; a moderator claims and dismisses it; the reporter learns
the outcome; every step is in the log. Visitors get 401 and members 403 on moderation calls."""

import threading

import pytest

from forum.db import Database, upgrade_to_head
from forum.errors import Conflict
from forum.moderation import service
from forum.moderation.schemas import ActionRequest, ReportCreate
from forum.permissions import Viewer
from tests.conftest import drop_postgres_schema, fresh_database_url, postgres_base_url
from tests.factories import Factory, post_form

REPORTS = "/api/v1/reports"
QUEUE = "/api/v1/moderation/queue"


def _report(client, factory, reporter, target_type: str, target_id: int, reason: str = "spam", **extra):
    return client.post(
        REPORTS,
        headers=factory.headers(reporter),
        json={"target_type": target_type, "target_id": target_id, "reason": reason, **extra},
    )


def _act(client, factory, moderator, item_id: int, action: str, reason: str = "Looked at it carefully."):
    return client.post(
        f"/api/v1/moderation/items/{item_id}/actions",
        headers=factory.headers(moderator),
        json={"action": action, "reason": reason},
    )


@pytest.fixture
def scene(factory):
    author = factory.member()
    thread = factory.thread(author, audience="members")
    comment = factory.comment(author, thread, body="A reply someone may object to.")
    return author, thread, comment


def test_a_report_is_filed_once_per_member_per_target(client, factory, scene) -> None:
    _author, _thread, comment = scene
    reporter = factory.member()
    first = _report(client, factory, reporter, "comment", comment.id, "confidentiality", details="Names a client.")
    assert first.status_code == 201
    assert first.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "created_at": "",
        "target_type": "comment",
        "target_id": comment.id,
        "reason": "confidentiality",
        "details": "Names a client.",
        "status": "open",
        "outcome": None,
    }
    second = _report(client, factory, reporter, "comment", comment.id, "spam")
    assert second.status_code == 409
    assert "already reported" in second.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"target_type": "comment", "target_id": 2_000_000, "reason": "spam"}, 404),
        ({"target_type": "thread", "target_id": 1, "reason": "not-a-reason"}, 422),
        ({"target_type": "post", "target_id": 1, "reason": "spam"}, 422),
        ({"target_type": "thread", "target_id": "1", "reason": "spam"}, 422),
        ({"target_type": "thread", "target_id": 1, "reason": "spam", "details": "x" * 1001}, 422),
    ],
    ids=["absent-target", "unknown-reason", "unknown-target-type", "id-as-text", "details-too-long"],
)
def test_bad_reports_are_refused_and_nothing_reaches_the_queue(client, factory, scene, payload, status) -> None:
    response = client.post(REPORTS, json=payload, headers=factory.headers(factory.member()))
    assert response.status_code == status
    moderator = factory.member(role="moderator")
    assert client.get(QUEUE, headers=factory.headers(moderator)).json()["items"] == []


def test_visitors_cannot_report_and_no_one_reports_their_own_post(client, factory, scene) -> None:
    author, thread, _comment = scene
    assert (
        client.post(REPORTS, json={"target_type": "thread", "target_id": thread.id, "reason": "spam"}).status_code
        == 401
    )
    assert _report(client, factory, author, "thread", thread.id).status_code == 422


def test_a_member_may_report_a_members_only_thread(client, factory) -> None:
    hidden_to_visitors = factory.thread(factory.member(), audience="members")
    member = factory.member()
    assert _report(client, factory, member, "thread", hidden_to_visitors.id).status_code == 201


def test_reporting_is_rate_limited_per_member(app, client, factory) -> None:
    reporter = factory.member()
    limit = app.state.settings.reports_per_hour
    author = factory.member()
    threads = [factory.thread(author) for _ in range(limit + 1)]
    for thread in threads[:limit]:
        assert _report(client, factory, reporter, "thread", thread.id).status_code == 201
    refused = _report(client, factory, reporter, "thread", threads[-1].id)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert _report(client, factory, factory.member(), "thread", threads[-1].id).status_code == 201


def test_reports_on_one_target_form_one_item_ordered_by_priority(client, factory, scene) -> None:
    _author, thread, comment = scene
    for reason in ("spam", "off_topic", "spam"):
        assert _report(client, factory, factory.member(), "comment", comment.id, reason).status_code == 201
    assert _report(client, factory, factory.member(), "thread", thread.id, "confidentiality").status_code == 201
    items = client.get(QUEUE, headers=factory.headers(factory.member(role="moderator"))).json()["items"]
    assert [(i["target_type"], i["report_count"]) for i in items] == [("comment", 3), ("thread", 1)]
    assert items[0]["reasons"] == ["off_topic", "spam"]
    assert set(items[0]) == {
        "id",
        "target_type",
        "target_id",
        "report_count",
        "reasons",
        "status",
        "created_at",
        "claimed_by",
        "resolution",
    }
    only_confidentiality = client.get(
        QUEUE, params={"reason": "confidentiality"}, headers=factory.headers(factory.member(role="admin"))
    ).json()["items"]
    assert [i["target_type"] for i in only_confidentiality] == ["thread"]


@pytest.mark.parametrize("path", [QUEUE, "/api/v1/moderation/log"])
def test_moderation_calls_are_401_for_visitors_and_403_for_members(client, factory, path) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers=factory.headers(factory.member())).status_code == 403
    assert client.get(path, headers=factory.headers(factory.member(role="moderator"))).status_code == 200


def test_claim_then_dismiss_and_the_reporter_learns_the_outcome(client, factory, scene) -> None:
    _author, _thread, comment = scene
    reporter = factory.member()
    _report(client, factory, reporter, "comment", comment.id, "harassment")
    first, second = factory.member(role="moderator"), factory.member(role="moderator")
    item_id = client.get(QUEUE, headers=factory.headers(first)).json()["items"][0]["id"]

    claimed = _act(client, factory, first, item_id, "claim")
    assert (claimed.status_code, claimed.json()["status"], claimed.json()["claimed_by"]) == (200, "claimed", first.id)
    assert _act(client, factory, second, item_id, "claim").status_code == 409
    assert _act(client, factory, second, item_id, "dismiss").status_code == 409  # claimed by another
    dismissed = _act(client, factory, first, item_id, "dismiss", "Robust disagreement, not an attack.")
    assert (dismissed.json()["status"], dismissed.json()["resolution"]) == ("resolved", "dismiss")
    assert _act(client, factory, first, item_id, "dismiss").status_code == 409  # acting on a resolved item

    mine = client.get("/api/v1/reports/mine", headers=factory.headers(reporter)).json()
    assert [(r["status"], r["outcome"]) for r in mine] == [("closed", "dismiss")]
    log = client.get("/api/v1/moderation/log", headers=factory.headers(first)).json()["items"]
    assert [(e["action"], e["actor_id"], e["state_before"], e["state_after"]) for e in log] == [
        ("dismiss", first.id, "claimed", "resolved"),
        ("claim", first.id, "open", "claimed"),
        ("report", reporter.id, "", ""),
    ]
    assert log[0]["reason"] == "Robust disagreement, not an attack."


@pytest.mark.parametrize(("action", "reason"), [("obliterate", "x" * 10), ("dismiss", ""), ("dismiss", "  ")])
def test_an_unknown_action_or_a_missing_reason_changes_nothing(client, factory, scene, action, reason) -> None:
    _author, thread, _comment = scene
    _report(client, factory, factory.member(), "thread", thread.id)
    moderator = factory.member(role="moderator")
    item_id = client.get(QUEUE, headers=factory.headers(moderator)).json()["items"][0]["id"]
    assert _act(client, factory, moderator, item_id, action, reason).status_code == 422
    assert client.get(QUEUE, headers=factory.headers(moderator)).json()["items"][0]["status"] == "open"


def test_a_moderator_does_not_judge_their_own_content_or_their_own_report(client, factory) -> None:
    moderator, other = factory.member(role="moderator"), factory.member(role="moderator")
    own_thread = factory.thread(moderator)
    _report(client, factory, factory.member(), "thread", own_thread.id)
    reported_by_other = factory.thread(factory.member())
    _report(client, factory, other, "thread", reported_by_other.id)
    items = {i["target_id"]: i["id"] for i in client.get(QUEUE, headers=factory.headers(moderator)).json()["items"]}
    assert _act(client, factory, moderator, items[own_thread.id], "dismiss").status_code == 403
    assert _act(client, factory, other, items[reported_by_other.id], "dismiss").status_code == 403
    assert _act(client, factory, other, items[own_thread.id], "dismiss").status_code == 200


def test_a_new_report_reopens_a_resolved_item(client, factory, scene) -> None:
    _author, thread, _comment = scene
    _report(client, factory, factory.member(), "thread", thread.id)
    moderator = factory.member(role="moderator")
    item_id = client.get(QUEUE, headers=factory.headers(moderator)).json()["items"][0]["id"]
    _act(client, factory, moderator, item_id, "dismiss")
    assert client.get(QUEUE, headers=factory.headers(moderator)).json()["items"] == []
    _report(client, factory, factory.member(), "thread", thread.id, "unsafe_advice")
    (item,) = client.get(QUEUE, headers=factory.headers(moderator)).json()["items"]
    assert (item["id"], item["status"], item["report_count"], item["reasons"]) == (
        item_id,
        "open",
        1,
        ["unsafe_advice"],
    )


def test_the_whole_journey_through_the_pages(client, make_client, factory, scene) -> None:
    _author, thread, comment = scene
    reporter = factory.login(make_client(), factory.member())
    assert "Report" in reporter.get(f"/threads/{thread.id}").text
    form = reporter.get(f"/report?target_type=comment&target_id={comment.id}")
    assert form.status_code == 200
    sent = post_form(
        reporter,
        "/reports",
        {"target_type": "comment", "target_id": str(comment.id), "reason": "harassment", "details": "Unkind."},
    )
    assert sent.status_code == 303
    assert "your report is with the moderators" in reporter.get(sent.headers["location"]).text
    again = post_form(reporter, "/reports", {"target_type": "comment", "target_id": str(comment.id), "reason": "spam"})
    assert again.status_code == 409

    moderator = factory.login(make_client(), factory.member(role="moderator"))
    queue_page = moderator.get("/moderation")
    assert f"Comment in: {thread.title}" in queue_page.text and "Harassment" in queue_page.text
    item_id = client.get(QUEUE, headers=factory.headers(factory.member(role="admin"))).json()["items"][0]["id"]
    refused = post_form(moderator, f"/moderation/items/{item_id}/actions", {"action": "dismiss", "reason": ""})
    assert refused.status_code == 422
    done = post_form(
        moderator, f"/moderation/items/{item_id}/actions", {"action": "dismiss", "reason": "Firm but fair."}
    )
    assert done.status_code == 303
    assert "Firm but fair." in moderator.get("/moderation/log").text
    assert "found nothing to act on" in reporter.get("/reports").text


def test_moderation_pages_are_for_moderators(make_client, factory) -> None:
    visitor = make_client()
    assert visitor.get("/moderation").headers["location"].startswith("/login")
    member = factory.login(make_client(), factory.member())
    assert member.get("/moderation").status_code == 403
    assert member.get("/moderation/log").status_code == 403


@pytest.fixture
def committed_database(tmp_path, app):
    """A migrated database of its own whose writes really commit (for racing moderators)."""
    url = fresh_database_url(tmp_path, "forum_race_test")
    upgrade_to_head(url)
    database = Database(url)
    yield database
    database.dispose()
    if postgres_base_url():
        drop_postgres_schema(postgres_base_url(), "forum_race_test")


def test_two_moderators_acting_at_once_exactly_one_wins(committed_database) -> None:
    factory = Factory(committed_database, None)  # type: ignore[arg-type]
    author, reporter = factory.member(), factory.member()
    first, second = factory.member(role="moderator"), factory.member(role="moderator")
    thread = factory.thread(author)
    with committed_database.session(write=True) as session:
        item_id = service.report(
            session,
            viewer=Viewer(member=reporter),
            auto_hide_at=3,
            data=ReportCreate(target_type="thread", target_id=thread.id, reason="spam"),
        ).review_item_id

    barrier, outcomes = threading.Barrier(2), []

    def dismiss(moderator) -> None:
        barrier.wait()
        try:
            with committed_database.session(write=True) as session:
                service.act(
                    session,
                    viewer=Viewer(member=moderator),
                    item_id=item_id,
                    request=ActionRequest(action="dismiss", reason="Seen at the same moment."),
                )
            outcomes.append("applied")
        except Conflict:
            outcomes.append("told")

    workers = [threading.Thread(target=dismiss, args=(m,)) for m in (first, second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes) == ["applied", "told"]
    with committed_database.session() as session:
        log = service.events(session, viewer=Viewer(member=first)).items
    assert [event.action for event in log].count("dismiss") == 1


def test_a_claim_is_released_by_its_moderator_or_an_admin_and_then_anyone_may_take_it(client, factory, scene) -> None:
    _author, _thread, comment = scene
    _report(client, factory, factory.member(), "comment", comment.id)
    first, second, admin = (
        factory.member(role="moderator"),
        factory.member(role="moderator"),
        factory.member(role="admin"),
    )
    item_id = client.get(QUEUE, headers=factory.headers(first)).json()["items"][0]["id"]
    assert _act(client, factory, first, item_id, "claim").status_code == 200
    log = client.get("/api/v1/moderation/log?action=claim", headers=factory.headers(first)).json()["items"]
    release = f"/api/v1/moderation/log/{log[0]['id']}/undo"

    refused = client.post(release, headers=factory.headers(second), json={"reason": "Taking it over"})
    assert refused.status_code == 403
    released = client.post(release, headers=factory.headers(admin), json={"reason": "They are away this week"})
    assert released.status_code == 200
    assert client.get(QUEUE, headers=factory.headers(second)).json()["items"][0]["status"] == "open"
    assert _act(client, factory, second, item_id, "claim").json()["claimed_by"] == second.id
    assert client.post(release, headers=factory.headers(admin), json={"reason": "Again"}).status_code == 409
