"""Browser tests: the real forum served by uvicorn, driven by Debian's Chromium through Playwright.

One server for the whole run, on a free loopback port, with a fresh database holding the demo
content (`forum seed-demo`). Every test opens browser contexts of its own (one per person, so
nobody shares cookies) and makes the members and threads it needs under names of its own, so
the tests do not depend on each other's order.

Chromium comes from Debian and axe-core from the npm registry; neither is a Python package.
In CI (``CI=true``) a missing one fails every browser test with what to install; elsewhere the
tests skip with the same instructions.

Every page a test opens is watched: a Content-Security-Policy violation, a script error or a 5xx
answer fails the test, so the journeys also prove that the pages live within the strict policy.
Only the accessibility checks bypass the policy, to inject axe-core.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, Protocol

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright

from tests.conftest import drop_postgres_schema, fresh_database_url, postgres_base_url, unique_name
from tests.reliability.server import forum_command, running_server, server_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_DIR = Path(__file__).parent
AXE_SCRIPT = E2E_DIR / ".node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = E2E_DIR / "artifacts"
INSTALL_COMMANDS = {
    CHROMIUM: "apt-get install -y chromium",
    AXE_SCRIPT: "npm install --prefix tests/e2e/.node axe-core@4",
}
DESKTOP_WIDTH = 1280
VIEWPORT_HEIGHT = 900
# How long a click or a fill waits for its element: a page of this forum answers in milliseconds.
ACTION_TIMEOUT_MS = 10_000

ColorScheme = Literal["light", "dark"]


def running_in_ci() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def browser_tools() -> None:
    """Fail in CI, skip elsewhere, when Chromium or axe-core is not installed."""
    missing = [f"{path} (install: {command})" for path, command in INSTALL_COMMANDS.items() if not path.exists()]
    if not missing:
        return
    message = "the browser tests need " + " and ".join(missing)
    if running_in_ci():
        pytest.fail(f"{message}; in CI they never skip", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser(browser_tools: None) -> Iterator[Browser]:
    """Chromium, for one test module at a time.

    Playwright's synchronous API keeps an asyncio event loop running in the main thread while it
    is open; closed at the end of each module, it cannot stop later tests from running a loop.
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def forum_url(browser_tools: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a running forum with the demo content, on the run's kind of database."""
    directory = tmp_path_factory.mktemp("e2e")
    schema = unique_name("forum_e2e")
    env = server_env(fresh_database_url(directory, schema), directory / "data")
    seeded = forum_command(env, "seed-demo")
    assert seeded.returncode == 0, f"forum seed-demo failed:\n{seeded.stdout}\n{seeded.stderr}"
    with running_server(env, directory / "server.log") as server:
        yield server.base_url
    if (base := postgres_base_url()) is not None:
        drop_postgres_schema(base, schema)


class OpenPage(Protocol):
    def __call__(
        self,
        *,
        javascript: bool = True,
        width: int = DESKTOP_WIDTH,
        color_scheme: ColorScheme = "light",
        bypass_csp: bool = False,
    ) -> Page: ...


def _watch(page: Page, problems: list[str]) -> None:
    """Record what a page must never do: break the Content-Security-Policy, throw, or answer 5xx."""

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 500:
            problems.append(f"{response.request.method} {response.url} answered {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error {error}"))
    page.on("response", on_response)


@pytest.fixture
def open_page(browser: Browser, forum_url: str) -> Iterator[OpenPage]:
    """Open a page in a browser context of its own: one person, with their own cookies."""
    contexts = []
    problems: list[str] = []

    def open_(
        *,
        javascript: bool = True,
        width: int = DESKTOP_WIDTH,
        color_scheme: ColorScheme = "light",
        bypass_csp: bool = False,
    ) -> Page:
        context = browser.new_context(
            base_url=forum_url,
            java_script_enabled=javascript,
            viewport={"width": width, "height": VIEWPORT_HEIGHT},
            color_scheme=color_scheme,
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        _watch(page, problems)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not problems, "the pages broke the Content-Security-Policy, threw or failed:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored): CI keeps them as the run's artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
