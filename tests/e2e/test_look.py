"""How the pages look: screenshots at phone and desktop widths, no sideways scrolling, dark mode, print.

The screenshots are saved in tests/e2e/artifacts/ (kept by CI, ignored by git) for people to
look at; what the tests assert is what a person would notice without looking closely: a page
wider than the phone, a dark mode that is not dark, a printed guideline full of navigation.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenPage
from tests.e2e.page_types import GUIDELINES, HOME, MAIN_PAGES, THREAD, PageType

PHONE_WIDTH = 375
DESKTOP_WIDTH = 1280
# The narrowest screen the forum promises to fit (issue 6, point 4).
NARROWEST_WIDTH = 360


def page_width_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def background_lightness(page: Page) -> float:
    """The page background's mean RGB value, 0 (black) to 255 (white); the stylesheet paints it on <html>."""
    channels = page.evaluate(
        "() => getComputedStyle(document.documentElement).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)"
    )
    return sum(channels) / 3


@pytest.mark.parametrize("page_type", MAIN_PAGES, ids=[page_type.name for page_type in MAIN_PAGES])
def test_main_pages_fit_phones_and_desktops(open_page: OpenPage, page_type: PageType, artifacts: Path) -> None:
    phone = open_page(width=PHONE_WIDTH)
    page_type.visit(phone)
    phone.screenshot(path=artifacts / f"{page_type.name}-{PHONE_WIDTH}.png", full_page=True)
    assert page_width_overflow(phone) == 0, f"{page_type.name} scrolls sideways at {PHONE_WIDTH} px"
    phone.set_viewport_size({"width": NARROWEST_WIDTH, "height": 800})
    assert page_width_overflow(phone) == 0, f"{page_type.name} scrolls sideways at {NARROWEST_WIDTH} px"

    desktop = open_page(width=DESKTOP_WIDTH)
    page_type.visit(desktop)
    desktop.screenshot(path=artifacts / f"{page_type.name}-{DESKTOP_WIDTH}.png", full_page=True)
    assert page_width_overflow(desktop) == 0
    main_box = desktop.get_by_role("main").bounding_box()
    assert main_box is not None and main_box["width"] < DESKTOP_WIDTH * 0.9, "lines run the whole width of the screen"


@pytest.mark.parametrize("page_type", [HOME, THREAD], ids=[HOME.name, THREAD.name])
def test_dark_mode_follows_the_system_setting(open_page: OpenPage, page_type: PageType, artifacts: Path) -> None:
    light, dark = open_page(color_scheme="light"), open_page(color_scheme="dark")
    page_type.visit(light)
    page_type.visit(dark)
    dark.screenshot(path=artifacts / f"{page_type.name}-dark-{DESKTOP_WIDTH}.png", full_page=True)
    assert background_lightness(light) > 200
    assert background_lightness(dark) < 60


def test_printed_guidelines_show_the_guideline_alone(open_page: OpenPage, artifacts: Path) -> None:
    page = open_page()
    GUIDELINES.visit(page)
    page.emulate_media(media="print")
    page.screenshot(path=artifacts / "guidelines-print.png", full_page=True)

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".guideline-section").first).to_be_visible()
    for chrome in ("banner", "contentinfo"):
        expect(page.get_by_role(chrome)).to_be_hidden()
    expect(page.locator(".guideline-toc")).to_be_hidden()
    assert background_lightness(page) == 255


def test_pages_are_styled_under_the_strict_content_security_policy(open_page: OpenPage) -> None:
    page = open_page()
    response = page.goto("/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    # The stylesheet, a file of this site, was allowed and applied.
    assert background_lightness(page) > 200
    expect(page.locator("a.skip-link")).not_to_be_in_viewport()
