"""Whole journeys in a real browser, each walked twice: with JavaScript and with JavaScript switched off.

The forum needs no JavaScript (server-rendered forms and links); the second run proves it the
way people would find out. Every page on the way is also held to the Content-Security-Policy
(see ``open_page`` in conftest.py).
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenPage
from tests.e2e.page_types import PUBLIC_DEMO_THREAD
from tests.e2e.steps import (
    DEMO_MEMBER,
    MODERATOR,
    add_comment,
    comment_containing,
    fill_thread_form,
    join,
    log_in,
    log_out,
    new_account,
    site_nav,
    start_thread,
    unique_tag,
)


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return request.param


def test_a_visitor_reads_a_public_thread_and_the_guidelines_and_is_invited_to_join(
    open_page: OpenPage, javascript: bool
) -> None:
    visitor = open_page(javascript=javascript)
    visitor.goto("/")
    expect(visitor.locator(".call-to-action")).to_contain_text("Most discussions are for members only")

    visitor.get_by_role("link", name=PUBLIC_DEMO_THREAD).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(PUBLIC_DEMO_THREAD)
    expect(visitor.locator("article.thread .post-body")).to_contain_text("stop")
    expect(visitor.locator("li.comment").first).to_be_visible()
    # "2 hours ago", with the exact time on hover.
    expect(visitor.locator("article.thread .byline time")).to_have_attribute("title", re.compile(r"\d{4}"))
    expect(visitor.get_by_label("Your comment")).to_have_count(0)
    invitation = visitor.locator(".call-to-action")
    expect(invitation).to_contain_text("You need to be a member")
    expect(invitation.get_by_role("link", name=re.compile("^Join"))).to_have_attribute(
        "href", re.compile(r"^/join\?next=/threads/\d+$")
    )

    visitor.get_by_role("contentinfo").get_by_role("link", name="Stop-session guidelines").click()
    expect(visitor).to_have_url(re.compile(r"/guidelines/stop-session$"))
    contents = visitor.get_by_role("navigation", name="Contents")
    first_section = contents.get_by_role("link").first
    section_name = first_section.inner_text()
    first_section.click()
    expect(visitor).to_have_url(re.compile(r"/guidelines/stop-session#.+"))
    expect(visitor.get_by_role("region", name=re.compile(re.escape(section_name)))).to_be_in_viewport()

    site_nav(visitor).get_by_role("link", name="Join", exact=True).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(re.compile("^Join"))
    expect(visitor.get_by_label("Display name")).to_be_editable()


def test_a_member_joins_starts_a_thread_comments_edits_and_is_told_of_a_reply(
    open_page: OpenPage, javascript: bool
) -> None:
    member, title = new_account("Noor"), f"Draping when a client asks to skip it ({unique_tag()})"
    page = open_page(javascript=javascript)
    join(page, member)
    log_out(page)
    log_in(page, member)

    site_nav(page).get_by_role("link", name="Start a thread").click()
    fill_thread_form(
        page,
        title=title,
        body="I keep **firm** draping rules.\n\n- ask first\n- explain why",
        topics=["Boundaries", "Stopping a session"],
        public=True,
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("firm")
    # The form comes back with the preview, and the browser lands on it.
    expect(page).to_have_url(re.compile(r"/threads#preview$"))
    expect(preview.get_by_role("listitem")).to_have_text(["ask first", "explain why"])
    # Previewing lost nothing the member typed or chose.
    expect(page.get_by_label("Title")).to_have_value(title)
    expect(page.get_by_role("checkbox", name="Stopping a session", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile("^Public"))).to_be_checked()
    page.get_by_role("button", name="Start thread").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    thread_path = urlsplit(page.url).path
    expect(page.get_by_role("list", name="Topics").get_by_role("link")).to_have_text(
        ["Boundaries", "Stopping a session"]
    )
    expect(page.locator("article.thread .credentials")).to_have_text("LMT, 6 years in practice")

    comment = add_comment(page, "Also: I say what I am about to do before I do it.")
    comment.get_by_role("link", name="Edit").click()
    page.get_by_label("Comment").fill("Also: I always say what I am about to do before I do it.")
    page.get_by_role("button", name="Save changes").click()
    edited = comment_containing(page, "I always say what I am about to do")
    expect(edited.locator(".edited")).to_have_text("(edited)")

    other = open_page(javascript=javascript)
    log_in(other, DEMO_MEMBER)
    other.goto(thread_path)
    add_comment(other, "Same here; it settles nervous clients.")

    page.goto("/")
    notifications_link = site_nav(page).get_by_role("link", name=re.compile("^Notifications"))
    expect(notifications_link).to_have_accessible_name("Notifications 1 unread")
    notifications_link.click()
    line = page.get_by_role("main").get_by_role("link", name=re.compile(re.escape(title)))
    expect(line).to_contain_text(DEMO_MEMBER.display_name)
    line.click()
    expect(comment_containing(page, "it settles nervous clients")).to_be_visible()


def test_a_reported_comment_is_hidden_by_a_moderator_and_gone_for_others(open_page: OpenPage, javascript: bool) -> None:
    author, title = new_account("Idris"), f"Talking about a hard week ({unique_tag()})"
    offending = f"Someone here is clearly incompetent ({unique_tag()})."
    author_page = open_page(javascript=javascript)
    join(author_page, author)
    thread_path = start_thread(
        author_page, title=title, body="How do you all decompress?", topics=["Ethics education"], public=True
    )
    add_comment(author_page, offending)

    reporter = open_page(javascript=javascript)
    log_in(reporter, DEMO_MEMBER)
    reporter.goto(thread_path)
    comment_containing(reporter, offending).get_by_role("link", name="Report").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Report to the moderators")
    reporter.get_by_role("group", name="Why are you reporting it?").get_by_label("Harassment").check()
    reporter.get_by_label("Details (optional)").fill("A personal attack on another member.")
    reporter.get_by_role("button", name="Send report").click()
    expect(reporter.get_by_role("status")).to_contain_text("your report is with the moderators")

    moderator = open_page(javascript=javascript)
    log_in(moderator, MODERATOR)
    site_nav(moderator).get_by_role("link", name="Moderation").click()
    moderator.get_by_role("link", name=f"Comment in: {title}").click()
    expect(moderator.locator("li.comment.reported")).to_contain_text(offending)
    moderator.get_by_role("radio", name=re.compile("^Hide")).check()
    moderator.get_by_label("Reason").fill("A personal attack: please disagree without insults")
    moderator.get_by_role("button", name="Resolve").click()
    expect(moderator.get_by_role("status")).to_contain_text("the item is resolved")

    visitor = open_page(javascript=javascript)
    visitor.goto(thread_path)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.get_by_text(offending)).to_have_count(0)
    reporter.goto(thread_path)
    expect(reporter.get_by_text(offending)).to_have_count(0)
    author_page.goto(thread_path + "?order=oldest")
    expect(comment_containing(author_page, offending).locator(".badge-moderation")).to_have_text("Hidden by moderators")
    reporter.goto("/reports")
    expect(reporter.get_by_role("table")).to_contain_text("Action taken: hidden")


def _ban(moderator: Page, profile_path: str, reason: str) -> None:
    moderator.goto(profile_path)
    moderator.get_by_text("Moderate this member").click()
    moderator.get_by_label("Action").select_option(label="Ban (cannot log in)")
    moderator.get_by_label("Reason").fill(reason)
    moderator.get_by_role("button", name="Apply").click()
    expect(moderator.locator(".profile")).to_contain_text(f"Banned: {reason}")


def test_a_banned_member_is_stopped_at_login_with_the_reason(open_page: OpenPage, javascript: bool) -> None:
    member, reason = new_account("Corin"), f"Repeated harassment after two warnings ({unique_tag()})"
    page = open_page(javascript=javascript)
    join(page, member)
    profile_path = site_nav(page).get_by_role("link", name=member.display_name).get_attribute("href")
    assert profile_path is not None and profile_path.startswith("/members/")

    moderator = open_page(javascript=javascript)
    log_in(moderator, MODERATOR)
    _ban(moderator, profile_path, reason)

    page.reload()
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/login")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(member.password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("This account has been banned")
    expect(refusal).to_contain_text(reason)
    expect(page.get_by_label("Email")).to_have_value(member.email)
    expect(site_nav(page).get_by_role("link", name="Log in")).to_be_visible()
