"""Rate limits on posting and reporting, through the API and the pages, on both stores.

Each test builds an app with small allowances, its counts in the suite's database or in Redis
(tests/limits/conftest.py). Either store is shared by every worker, so what is checked here holds
across workers; the reliability tests check it across real server processes and a restart.
"""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select, update

from forum.kit.time import utcnow
from forum.limits.models import RateLimit
from forum.threads.models import Comment
from tests.factories import post_form

API = "/api/v1"


def _comment(client: TestClient, headers: dict, thread_id: int, number: int):
    return client.post(f"{API}/threads/{thread_id}/comments", headers=headers, json={"body": f"Reply {number}"})


def _stored_comments(database, thread_id: int) -> int:
    with database.session() as session:
        return len(session.exec(select(Comment.id).where(Comment.thread_id == thread_id)).all())


def test_comments_past_the_hourly_allowance_get_429_with_retry_after(build_limited_app, database) -> None:
    client, factory = build_limited_app(comments_per_hour=3)
    member = factory.member()
    thread = factory.thread(factory.member(), audience="public")
    headers = factory.headers(member)
    assert [_comment(client, headers, thread.id, n).status_code for n in range(3)] == [201, 201, 201]
    refused = _comment(client, headers, thread.id, 4)
    assert refused.status_code == 429
    assert 3500 <= int(refused.headers["retry-after"]) <= 3600
    assert "many comments" in refused.json()["detail"]
    assert _stored_comments(database, thread.id) == 3


def test_one_members_allowance_does_not_hold_back_another(build_limited_app) -> None:
    client, factory = build_limited_app(comments_per_hour=2)
    thread = factory.thread(factory.member(), audience="public")
    first, second = factory.headers(factory.member()), factory.headers(factory.member())
    assert [_comment(client, first, thread.id, n).status_code for n in range(3)] == [201, 201, 429]
    assert _comment(client, second, thread.id, 1).status_code == 201


def test_an_address_gets_the_factor_times_one_accounts_allowance(build_limited_app) -> None:
    client, factory = build_limited_app(comments_per_hour=2, address_limit_factor=2)
    thread = factory.thread(factory.member(), audience="public")
    members = [factory.headers(factory.member()) for _ in range(3)]
    answers = [_comment(client, headers, thread.id, n).status_code for headers in members for n in range(2)]
    assert answers == [201, 201, 201, 201, 429, 429]
    # The same member from another address is limited by the account only.
    with TestClient(client.app, client=("203.0.113.7", 50000)) as elsewhere:
        assert _comment(elsewhere, members[2], thread.id, 9).status_code == 201


def test_the_allowance_comes_back_when_the_hour_is_over(build_app, database) -> None:
    client, factory = build_app(comments_per_hour=1)
    thread = factory.thread(factory.member(), audience="public")
    headers = factory.headers(factory.member())
    assert [_comment(client, headers, thread.id, n).status_code for n in range(2)] == [201, 429]
    with database.session(write=True) as session:
        session.execute(update(RateLimit).values(window_started_at=utcnow() - timedelta(hours=1, seconds=1)))
    assert _comment(client, headers, thread.id, 3).status_code == 201


def test_starting_threads_is_limited_and_the_form_keeps_what_was_typed(build_limited_app) -> None:
    client, factory = build_limited_app(threads_per_hour=1)
    factory.login(client, factory.member())
    form = {"title": "Gifts from long-time clients", "body": "Where to draw the line?", "tags": "boundaries"}
    assert post_form(client, "/threads", form).status_code == 303
    refused = post_form(client, "/threads", {**form, "title": "A second question today"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "many threads" in refused.text
    assert "A second question today" in refused.text


def test_previewing_a_comment_does_not_spend_the_allowance(build_limited_app) -> None:
    client, factory = build_limited_app(comments_per_hour=1)
    thread = factory.thread(factory.member(), audience="public")
    factory.login(client, factory.member())
    path = f"/threads/{thread.id}/comments"
    for _ in range(3):
        assert post_form(client, path, {"body": "Draft reply", "intent": "preview"}).status_code == 200
    assert post_form(client, path, {"body": "Posted reply"}).status_code == 303
    refused = post_form(client, path, {"body": "One reply too many"})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "One reply too many" in refused.text  # still in the form, not lost


def test_reports_are_limited_on_the_report_form_too(build_limited_app) -> None:
    client, factory = build_limited_app(reports_per_hour=1)
    author = factory.member()
    first, second = factory.thread(author, audience="public"), factory.thread(author, audience="public")
    factory.login(client, factory.member())
    report = {"target_type": "thread", "reason": "spam", "details": ""}
    assert post_form(client, "/reports", {**report, "target_id": str(first.id)}).status_code == 303
    refused = post_form(client, "/reports", {**report, "target_id": str(second.id)})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "many reports" in refused.text


def test_no_address_or_email_is_stored_in_clear(build_app, database) -> None:
    client, factory = build_app()
    thread = factory.thread(factory.member(), audience="public")
    assert _comment(client, factory.headers(factory.member()), thread.id, 1).status_code == 201
    with database.session() as session:
        keys = session.exec(select(RateLimit.key)).all()
    assert keys and all(len(key) == 64 and "testclient" not in key for key in keys)
