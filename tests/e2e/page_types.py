"""Every kind of page the forum serves, and how a person gets to one: who is logged in, where they go.

The accessibility checks run on all of them; the screenshots on the main ones. Pages whose
address depends on the data (a thread, a review item, a member's own profile) are reached the
way people reach them: from a fixed page, by following links by their names.
"""

from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.e2e.steps import DEMO_MEMBER, MODERATOR, Account, log_in

# A public thread of the demo content (forum/demo/content.toml).
PUBLIC_DEMO_THREAD = "Guest asked to stop 20 minutes into a 90-minute session. Did I handle it right?"


@dataclass(frozen=True)
class PageType:
    name: str
    path: str
    account: Account | None = None
    follow: tuple[str, ...] = ()  # link names to follow from ``path``, in order
    status: int = 200

    def visit(self, page: Page) -> None:
        """Log in if the page is someone's, then go there; fails if the page answers anything unexpected."""
        if self.account is not None:
            log_in(page, self.account)
        response = page.goto(self.path)
        assert response is not None
        if not self.follow:
            assert response.status == self.status, f"{self.path} answered {response.status}"
        for link_name in self.follow:
            page.get_by_role("main").get_by_role("link", name=link_name, exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()


HOME = PageType("home", "/")
THREAD = PageType("thread", "/", follow=(PUBLIC_DEMO_THREAD,))
GUIDELINES = PageType("guidelines", "/guidelines/stop-session")
TOPICS = PageType("topic-list", "/topics")
JOIN = PageType("join", "/join")
NOTIFICATIONS = PageType("notifications", "/notifications", DEMO_MEMBER)
MODERATION_QUEUE = PageType("moderation-queue", "/moderation", MODERATOR)
MODERATION_ITEM = PageType("moderation-item", "/moderation", MODERATOR, follow=("Review",))

# The main pages people see: screenshotted at phone and desktop widths.
MAIN_PAGES = [HOME, THREAD, GUIDELINES, TOPICS, JOIN, NOTIFICATIONS, MODERATION_QUEUE, MODERATION_ITEM]

ALL_PAGES = [
    *MAIN_PAGES,
    PageType("thread-as-moderator", "/", MODERATOR, follow=(PUBLIC_DEMO_THREAD,)),
    PageType("topic", "/topics/stopping-a-session"),
    PageType("guidelines-index", "/guidelines"),
    PageType("search", "/search?q=boundaries"),
    PageType("login", "/login"),
    PageType("password-reset", "/password-reset"),
    PageType("password-reset-link-spent", "/password-reset/no-such-link", status=400),
    PageType("transparency", "/transparency"),
    PageType("error", "/no-such-page", status=404),
    PageType("new-thread", "/threads/new", DEMO_MEMBER),
    PageType("report-form", "/", DEMO_MEMBER, follow=(PUBLIC_DEMO_THREAD, "Report an issue")),
    PageType("account", "/account", DEMO_MEMBER),
    PageType("profile", "/members/1", DEMO_MEMBER),
    PageType("notification-preferences", "/notifications/preferences", DEMO_MEMBER),
    PageType("your-reports", "/reports", DEMO_MEMBER),
    PageType("moderation-log", "/moderation/log", MODERATOR),
    PageType("watched-words", "/moderation/watched-words", MODERATOR),
]
