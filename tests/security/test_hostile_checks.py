"""The checks the hostile-input tests rely on find what they look for (a check that cannot fail proves nothing)."""

import pytest

from tests.security.hostile import BODY, TITLE, batches, page_problems, post_html_problems, site_vocabulary

PAGE = '<html><head><title>{}</title></head><body><main><p class="x">{}</p></main></body></html>'


@pytest.mark.parametrize(
    "markup",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "<svg onload=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" java\tscript:alert(1)">x</a>',
        '<form action="https://evil.example/"><button>x</button></form>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<p onmouseover="alert(1)">x</p>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<div class="post-body"><a href="https://example.org">no rel</a></div>',
        '<div class="post-body"><input autofocus onfocus=alert(1)></div>',
    ],
)
def test_page_check_finds_executable_markup(markup: str) -> None:
    assert page_problems(PAGE.format("Title", markup))


def test_page_check_passes_escaped_text_and_links_in_posts() -> None:
    escaped = "&lt;img src=x onerror=alert(1)&gt; &quot;&gt;&lt;script&gt;"
    post = '<div class="post-body"><p><a href="https://example.org" rel="nofollow ugc noopener">x</a></p></div>'
    assert page_problems(PAGE.format(escaped, escaped + post)) == []


def test_post_check_allows_only_what_the_sanitiser_writes() -> None:
    assert post_html_problems('<p><strong>x</strong> <a href="/members/1" rel="nofollow ugc noopener">@x</a></p>') == []
    assert post_html_problems("<div>x</div>")
    assert post_html_problems('<a href="data:text/html,x" rel="nofollow ugc noopener">x</a>')


def test_the_templates_write_nothing_executable() -> None:
    """The allowlist comes from the templates: it must not already hold what a payload would add."""
    tags, attributes = site_vocabulary()
    assert {"p", "a", "form", "input", "textarea", "title", "h1"} <= tags
    assert not tags & {"script", "style", "iframe", "img", "svg", "object", "embed", "base", "math", "frame"}
    assert {"href", "value", "action", "class"} <= attributes
    assert not {name for name in attributes if name.startswith("on")} | (attributes & {"style", "srcdoc"})


def test_batches_keep_each_payload_whole_and_within_the_limit() -> None:
    texts = ["<b>a</b>", "x" * 100, "\x00 refused", "[x](javascript:alert(1))"] * 200
    made = list(batches(texts, BODY))
    assert all(BODY.stored(batch) is not None for batch in made)
    assert "\n\n".join(made).split("\n\n") == [text for text in texts if "\x00" not in text]
    assert TITLE.stored("A title\r\nwith a line break") is None and TITLE.stored("  A title\r\n") == "A title"
