"""XSS payloads from the public lists, posted to a real forum, opened in Chromium: nothing runs.

A forum of its own (uvicorn, as in production, with the rate limits raised so the posting is
not refused) receives, through its API, threads whose titles and bodies are payloads, comments
made of payloads, and an author whose name and credentials are payloads. Chromium then opens
the pages that show them, with the Content-Security-Policy bypassed: the strict policy would
stop inline script by itself, and this test is about the escaping and the sanitiser, not the
policy that backs them up.

On every page: no dialog opens; ``alert``, ``prompt``, ``confirm`` and ``print``, replaced
before any page script runs, are never called; no script error is thrown; no answer is a 5xx;
and the DOM the browser built holds no script, frame, object, SVG or image element, no event
handler attribute, no inline style and no script URL.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import drop_postgres_schema, fresh_database_url, postgres_base_url, unique_name
from tests.e2e.conftest import CHROMIUM, INSTALL_COMMANDS, running_in_ci
from tests.reliability.server import running_server, server_env
from tests.security.hostile import BODY, CREDENTIALS, DISPLAY_NAME, TITLE, XSS, TextRule, accepted, batches

PASSWORD = "a calm long passphrase"
RAISED_LIMITS = {
    f"FORUM_{action.upper()}_PER_HOUR": "100000"
    for action in ("login_attempts", "joins", "threads", "comments", "reports")
}
# As many threads as the home page lists, so the first page is all payloads.
HOSTILE_THREADS = 25
COMMENT_BATCH = TextRule(1, 2_000, multiline=True)

# Set before the page's own code: any payload that runs and calls these leaves its name behind.
SENTINEL_SCRIPT = """
window.__xss = [];
for (const name of ["alert", "prompt", "confirm", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + "(" + args.join(",") + ")"); };
}
"""
# The page as the browser built it: anything executable in it is listed.
DOM_AUDIT = """
() => {
  const forbidden = new Set(["script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "img", "image", "video", "audio", "source", "base", "style", "template", "portal"]);
  const urlAttributes = new Set(["href", "src", "action", "formaction", "data", "poster", "background",
    "xlink:href", "srcdoc", "srcset", "ping"]);
  const problems = [];
  for (const element of document.querySelectorAll("*")) {
    const tag = element.localName;
    if (forbidden.has(tag)) problems.push(`<${tag}> element: ${element.outerHTML.slice(0, 120)}`);
    if (tag === "meta" && element.httpEquiv) problems.push(`<meta http-equiv=${element.httpEquiv}>`);
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) problems.push(`${name} on <${tag}>: ${attribute.value.slice(0, 80)}`);
      if (name === "style") problems.push(`style on <${tag}>: ${attribute.value.slice(0, 80)}`);
      if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value)) {
        problems.push(`${name}=${attribute.value.slice(0, 80)} on <${tag}>`);
      }
    }
  }
  return problems;
}
"""


@pytest.fixture(scope="session")
def browser_tools() -> None:
    """Only Chromium is needed here (no axe-core): fail in CI, skip elsewhere, when it is missing."""
    if CHROMIUM.exists():
        return
    message = f"the browser tests need {CHROMIUM} (install: {INSTALL_COMMANDS[CHROMIUM]})"
    if running_in_ci():
        pytest.fail(f"{message}; in CI they never skip", pytrace=False)
    pytest.skip(message)


class HostileForum:
    """A running forum holding the payloads, and the addresses of the pages that show them."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.api = httpx.Client(base_url=f"{base_url}/api/v1", timeout=30)
        self.email = "hostile.author@example.org"
        self.paths: list[str] = []
        self.first_title = ""

    def fill(self) -> None:
        name = next(payload.text for payload in accepted(XSS, DISPLAY_NAME) if "<" in payload.text)
        credentials = next(payload.text for payload in accepted(XSS, CREDENTIALS) if '"' in payload.text)
        joined = self._post(
            "/auth/register",
            {"email": self.email, "password": PASSWORD, "display_name": name, "credentials": credentials},
        )
        token = self._post("/auth/token", {"email": self.email, "password": PASSWORD})["access_token"]
        self.api.headers["Authorization"] = f"Bearer {token}"
        titles = [payload.text for payload in accepted(XSS, TITLE)]
        bodies = list(batches([payload.text for payload in XSS], BODY))
        threads = [
            self._post(
                "/threads",
                {
                    "title": title,
                    "body": bodies[index] if index < len(bodies) else "Plain.",
                    "tags": ["boundaries"],
                    "audience": "public",
                    "confirm_identifiers": True,
                },
            )["id"]
            for index, title in enumerate(titles[:HOSTILE_THREADS])
        ]
        for body in batches(reversed([payload.text for payload in XSS]), COMMENT_BATCH):
            self._post(f"/threads/{threads[0]}/comments", {"body": body, "confirm_identifiers": True})
        self.first_title = TITLE.stored(titles[0]) or ""
        query = next(payload.text for payload in XSS if "<script" in payload.text.lower())
        self.paths = [
            *(f"/threads/{thread_id}?order=oldest" for thread_id in threads[: len(bodies)]),
            "/",
            f"/members/{joined['id']}",
            "/search?q=alert",
            f"/search?{httpx.QueryParams({'q': query})}",
            "/account",
        ]

    def _post(self, path: str, payload: dict) -> dict:
        response = self.api.post(path, json=payload)
        assert response.status_code in (200, 201), f"POST {path}: {response.status_code} {response.text[:300]}"
        return response.json()


@pytest.fixture(scope="module")
def hostile_forum(browser_tools: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileForum]:
    directory: Path = tmp_path_factory.mktemp("hostile-e2e")
    schema = unique_name("forum_hostile_e2e")
    env = {**server_env(fresh_database_url(directory, schema), directory / "data"), **RAISED_LIMITS}
    with running_server(env, directory / "server.log") as server:
        forum = HostileForum(server.base_url)
        forum.fill()
        yield forum
        forum.api.close()
    if (base := postgres_base_url()) is not None:
        drop_postgres_schema(base, schema)


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _open(browser: Browser, base_url: str, events: list[str]) -> Page:
    """A page whose dialogs, script errors, 5xx answers and sentinel calls end up in ``events``."""
    context = browser.new_context(base_url=base_url, bypass_csp=True)
    context.add_init_script(SENTINEL_SCRIPT)
    page = context.new_page()
    page.on("dialog", lambda dialog: (events.append(f"dialog {dialog.type}: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: events.append(f"{page.url}: script error {error}"))
    page.on("response", lambda r: r.status >= 500 and events.append(f"{r.url} answered {r.status}"))
    return page


def _visit(page: Page, path: str, events: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    page.wait_for_load_state("load")
    events.extend(f"{path}: {problem}" for problem in page.evaluate(DOM_AUDIT))
    events.extend(f"{path}: called {call}" for call in page.evaluate("window.__xss"))


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "author"])
def test_no_payload_runs_in_the_browser(browser: Browser, hostile_forum: HostileForum, logged_in: bool) -> None:
    events: list[str] = []
    page = _open(browser, hostile_forum.base_url, events)
    try:
        if logged_in:
            _log_in(page, hostile_forum.email)
        for path in hostile_forum.paths if logged_in else [p for p in hostile_forum.paths if p != "/account"]:
            _visit(page, path, events)
        page.goto(hostile_forum.paths[0])
        assert page.locator("h1").inner_text() == hostile_forum.first_title  # the payload is there, as text
    finally:
        page.context.close()
    assert not events, "payloads ran or left executable markup in the browser:\n" + "\n".join(events[:40])


def test_the_checks_catch_a_payload_that_runs(browser: Browser, hostile_forum: HostileForum) -> None:
    """The same watchers, on a page that does not escape: they must see it, or they prove nothing."""
    events: list[str] = []
    page = _open(browser, hostile_forum.base_url, events)
    unescaped = "<p>Hello</p><img src=x onerror=alert(1)><a href='javascript:alert(2)'>x</a>"
    page.route("**/unescaped", lambda route: route.fulfill(body=unescaped, content_type="text/html"))
    try:
        _visit(page, "/unescaped", events)
    finally:
        page.context.close()
    assert any("called alert(1)" in event for event in events), events
    assert any("onerror on <img>" in event for event in events), events
    assert any("href=javascript:alert(2)" in event for event in events), events
