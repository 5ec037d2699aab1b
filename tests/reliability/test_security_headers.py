"""Security headers on every kind of response, and templates and /docs that live within the policy."""

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from forum.app import create_app
from forum.config import PROJECT_ROOT
from forum.db import Database
from forum.kit.security_headers import CONTENT_SECURITY_POLICY
from tests import conftest
from tests.factories import Factory
from tests.reliability.server import running_server, server_env

EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def assert_secured(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{response.request.url}: {name} is {response.headers.get(name)}"


def test_the_policy_forbids_inline_script_eval_framing_and_plugins() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),  # a page
        ("GET", "/api/v1/threads", 200),  # the API
        ("GET", "/static/forum.css", 200),  # a static file
        ("GET", "/feeds/latest.atom", 200),  # a feed
        ("GET", "/docs", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/swagger-ui/swagger-ui-bundle.js", 200),
        ("GET", "/no-such-page", 404),  # error page
        ("GET", "/api/v1/threads/999999999", 404),  # API error
        ("GET", "/api/v1/threads?limit=nope", 422),
        ("GET", "/api/v1/me", 401),
        ("POST", "/login", 403),  # a form without its CSRF token
        ("GET", "/threads/new", 303),  # a redirect to log in
    ],
)
def test_every_kind_of_response_carries_the_headers(client: TestClient, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert_secured(response)
    assert "strict-transport-security" not in response.headers  # plain http: HSTS would lock people out


def test_a_member_page_and_an_unexpected_error_carry_the_headers_too(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    app = create_app(conftest.test_settings(tmp_path), database)

    @app.get("/api/v1/broken")
    def broken() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        failed = client.get("/api/v1/broken")
        assert failed.status_code == 500
        assert_secured(failed)
        member_page = factory.login(client, factory.member())
        assert_secured(member_page.get("/account"))


def test_hsts_only_over_https(client: TestClient, app) -> None:
    with TestClient(app, base_url="https://testserver") as secure:
        assert secure.get("/").headers["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" not in client.get("/").headers


def test_hsts_follows_the_scheme_a_trusted_proxy_reports(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'forum.db'}", tmp_path)
    with running_server(env, tmp_path / "server.log") as server:
        via_https_proxy = httpx.get(server.base_url + "/", headers={"X-Forwarded-Proto": "https"})
        plain = httpx.get(server.base_url + "/")
    assert "max-age" in via_https_proxy.headers["strict-transport-security"]
    assert "strict-transport-security" not in plain.headers
    assert_secured(plain)


INLINE = re.compile(r"""style=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+\s*=|javascript:""", re.IGNORECASE)


def test_no_template_has_inline_script_or_style() -> None:
    """The policy blocks them: a page using one would silently break, so none may exist."""
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in sorted((PROJECT_ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_api_docs_load_only_local_files(client: TestClient) -> None:
    docs = client.get("/docs")
    assert not INLINE.search(docs.text)
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        loaded = client.get(asset)
        assert loaded.status_code == 200, asset
        assert_secured(loaded)
    assert "/openapi.json" in client.get("/static/api-docs/start.js").text
