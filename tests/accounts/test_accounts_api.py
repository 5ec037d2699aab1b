"""The accounts JSON API: register, token, me, revoke."""

from tests.factories import PASSWORD


def test_register_returns_the_new_member(client) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "New.Member@Example.org", "password": "a long enough password", "display_name": "New Member"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "display_name", "handle", "role"}
    assert body["display_name"] == "New Member"
    assert body["handle"].startswith("new-member")
    assert body["role"] == "member"


def test_register_refuses_a_taken_email_with_409(client, factory) -> None:
    factory.member(email="someone@example.org")
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "SOMEONE@example.org", "password": "a long enough password", "display_name": "Someone Else"},
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


def test_register_refuses_invalid_input_with_422_and_no_password_echo(client) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "bad", "password": "short-secret", "display_name": "X"}
    )
    assert response.status_code == 422
    assert "short-secret" not in response.text
    fields = {tuple(error["loc"])[-1] for error in response.json()["detail"]}
    assert fields == {"email", "display_name"}


def test_token_then_me(client, factory) -> None:
    member = factory.member(display_name="Token Holder")
    response = client.post("/api/v1/auth/token", json={"email": member.email, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200
    assert me.json()["display_name"] == "Token Holder"
    assert me.json()["email"] == member.email


def test_token_refuses_wrong_credentials_with_401(client, factory) -> None:
    member = factory.member()
    assert client.post("/api/v1/auth/token", json={"email": member.email, "password": "wrong one"}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": "no@example.org", "password": PASSWORD}).status_code == 401


def test_me_needs_a_valid_token(client) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_revoked_token_stops_working(client, factory) -> None:
    member = factory.member()
    headers = factory.headers(member)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
