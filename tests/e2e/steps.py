"""What people do on the forum, step by step, the way they do it: through links, labels and buttons.

Steps find things by their role and accessible name (what a screen reader announces), so a
step that cannot find its button also means the button lost its label. Each step ends by
waiting for what the person would see next, never for a fixed time.
"""

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, expect


@dataclass(frozen=True)
class Account:
    display_name: str
    email: str
    password: str


# From forum/demo/content.toml (`forum seed-demo`).
MODERATOR = Account("Ruth Abernathy-Cole", "ruth.abernathy@example.org", "demo-moderator-pass")
DEMO_MEMBER = Account("Tessa Lindqvist", "tessa.lindqvist@example.org", "demo-member-pass")


def unique_tag() -> str:
    """A tag that keeps one test's threads and members apart from every other's (letters only)."""
    return "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))


def new_account(first_name: str) -> Account:
    tag = unique_tag()
    email = f"{first_name.lower()}.{tag}@example.org"
    return Account(f"{first_name} {tag.capitalize()}", email, "a calm long passphrase")


def site_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Account")


def join(page: Page, account: Account, *, credentials: str = "LMT, 6 years in practice") -> None:
    page.goto("/join")
    page.get_by_label("Display name").fill(account.display_name)
    page.get_by_label("Credentials (optional)").fill(credentials)
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(site_nav(page).get_by_role("link", name=account.display_name)).to_be_visible()


def log_in(page: Page, account: Account) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(site_nav(page).get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    site_nav(page).get_by_role("button", name="Log out").click()
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()


def fill_thread_form(page: Page, *, title: str, body: str, topics: list[str], public: bool) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body").fill(body)
    for topic in topics:
        page.get_by_role("checkbox", name=topic, exact=True).check()
    page.get_by_role("radio", name=re.compile("^Public" if public else "^Members only")).check()


def start_thread(page: Page, *, title: str, body: str, topics: list[str], public: bool = True) -> str:
    """Start a thread from the header's link; returns the thread's address."""
    site_nav(page).get_by_role("link", name="Start a thread").click()
    fill_thread_form(page, title=title, body=body, topics=topics, public=public)
    page.get_by_role("button", name="Start thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return urlsplit(page.url).path


def add_comment(page: Page, text: str) -> Locator:
    """Comment on the open thread; returns the new comment as the page shows it."""
    page.get_by_label("Your comment").fill(text)
    page.get_by_role("button", name="Post comment").click()
    comment = comment_containing(page, text)
    expect(comment).to_be_visible()
    return comment


def comment_containing(page: Page, text: str) -> Locator:
    return page.locator("li.comment").filter(has_text=text)
