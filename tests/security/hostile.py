"""Hostile input from public corpora, what the forum promises to store, and how to check its pages.

The payloads come from lists no one here wrote (see ``tests/data/README.md``): XSS vectors from
the OWASP filter-evasion cheat sheet, PayloadsAllTheThings and payloadbox, and the whole Big
List of Naughty Strings. A few Markdown tricks, which those lists do not know about, are written
here. Each payload keeps where it came from, so a failure names the line to look at.

``TextRule`` restates, independently of the code, the normalisation ``forum/kit/text.py``
documents; a test compares what the forum stored with it exactly. ``page_problems`` reads a
whole page the way a browser would and lists anything in it that the site's own templates and
the post sanitiser could not have written: an element or attribute no template has, an event
handler, a script URL, a link off the site outside a post.
"""

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from forum.accounts.schemas import PASSWORD_MAX
from forum.kit.markup import LINK_REL
from forum.kit.text import BODY_MAX, CREDENTIALS_MAX, DISPLAY_NAME_MAX, TITLE_MAX
from forum.moderation.models import DETAILS_MAX, PHRASE_MAX, REASON_TEXT_MAX
from forum.topics.models import DESCRIPTION_MAX, KEYWORDS_MAX, NAME_MAX

DATA = Path(__file__).parents[1] / "data"
TEMPLATES = Path(__file__).parents[2] / "templates"


# --- the payloads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    text: str
    origin: str


def _xss_payloads() -> list[Payload]:
    payloads = []
    for entry in json.loads((DATA / "xss_payloads.json").read_text(encoding="utf-8")):
        position = f"block {entry['block']}" if "block" in entry else f"line {entry['line']}"
        payloads.append(Payload(entry["payload"], f"{entry['source']} {position}"))
    return payloads


def _naughty_strings() -> list[Payload]:
    strings = json.loads((DATA / "blns.json").read_text(encoding="utf-8"))
    return [Payload(text, f"blns.json #{index}") for index, text in enumerate(strings)]


def _naughty_sample() -> list[Payload]:
    """The 44 strings of naughty_strings.json, picked to keep every kind of trouble in the list."""
    entries = json.loads((DATA / "naughty_strings.json").read_text(encoding="utf-8"))
    return [Payload(entry["string"], f"blns.json #{entry['index']}") for entry in entries]


# What a Markdown renderer could be tricked with; the XSS lists are written for raw HTML.
_MARKDOWN_TRICKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6a%61%76%61%73%63%72%69%70%74:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '![x](https://example.org/x.png"onerror="alert(1))',
    '[x](https://example.org/"onmouseover="alert(1))',
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "[x](<javascript:alert(1)>)",
    "| a | <img src=x onerror=alert(1)> |\n|---|---|\n| [x](javascript:alert(1)) | `<script>` |",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "> <svg onload=alert(1)>\n> [x](javascript:alert(1))",
    "www.example.org/<script>alert(1)</script>",
    "mailto:x@example.org?body=<script>alert(1)</script>",
]


def _markdown_tricks() -> list[Payload]:
    return [Payload(text, f"markdown trick #{index} (written here)") for index, text in enumerate(_MARKDOWN_TRICKS)]


def _distinct(payloads: Iterable[Payload]) -> list[Payload]:
    seen: set[str] = set()
    kept = []
    for payload in payloads:
        if payload.text not in seen:
            seen.add(payload.text)
            kept.append(payload)
    return kept


XSS = _distinct([*_xss_payloads(), *_markdown_tricks()])
# Fields that take many payloads at once (post bodies, comments, report details, reasons) and the
# renderer get every payload. A field that takes one payload per request costs a request (and a
# page to read) for each, and the suite runs twice in CI: those fields are split in two groups,
# one taking the even and one the odd XSS payloads (each with the 44-string naughty sample), so
# every payload still meets several one-line fields.
EVERY_PAYLOAD = _distinct([*XSS, *_naughty_strings()])
EVEN_HALF = _distinct([*XSS[0::2], *_naughty_sample()])
ODD_HALF = _distinct([*XSS[1::2], *_naughty_sample()])


# --- what the forum promises to store ------------------------------------------------------

_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates and the noncharacters U+FFFE and U+FFFF, which XML forbids, are not text.
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")
# forum/kit/text.py refuses text this much longer than the limit before trimming it.
_WHITESPACE_ALLOWANCE = 200


@dataclass(frozen=True)
class TextRule:
    """The documented rule for one text field (forum/kit/text.py), written out again on its own:

    CRLF becomes LF and the text is NFC-normalised; a one-line field is trimmed at both ends, a
    multi-line one loses leading line breaks and trailing white space; then it is refused if it
    holds lone surrogates, U+FFFE or U+FFFF, or control characters (a one-line field: also tabs and
    line breaks), if it is shorter than
    ``min_length`` once trimmed, or longer than ``max_length``.
    """

    min_length: int
    max_length: int
    multiline: bool = False

    def stored(self, text: str) -> str | None:
        """The text as the forum must store it, or None when it must refuse it."""
        if len(text) > self.max_length + _WHITESPACE_ALLOWANCE:
            return None
        value = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
        value = value.lstrip("\n").rstrip() if self.multiline else value.strip()
        control = _CONTROL_IN_TEXT if self.multiline else _CONTROL_IN_LINE
        if _NOT_TEXT.search(value) or control.search(value):
            return None
        if len(value.strip()) < self.min_length or len(value) > self.max_length:
            return None
        return value


TITLE = TextRule(5, TITLE_MAX)
BODY = TextRule(1, BODY_MAX, multiline=True)
DISPLAY_NAME = TextRule(2, DISPLAY_NAME_MAX)
CREDENTIALS = TextRule(0, CREDENTIALS_MAX)
TOPIC_NAME = TextRule(2, NAME_MAX)
TOPIC_DESCRIPTION = TextRule(0, DESCRIPTION_MAX)
TOPIC_KEYWORDS = TextRule(0, KEYWORDS_MAX)
REPORT_DETAILS = TextRule(0, DETAILS_MAX, multiline=True)
ACTION_REASON = TextRule(3, REASON_TEXT_MAX, multiline=True)
WATCHED_PHRASE = TextRule(2, PHRASE_MAX)
PASSWORD_LIMIT = PASSWORD_MAX


def fields_for(text: str, rules: dict[str, TextRule], plain: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A form whose fields each take ``text`` when their rule accepts it, and their ``plain`` value when not.

    Returns what to type and what must then be stored; the refused fields are tried on their own.
    """
    typed, kept = dict(plain), dict(plain)
    for name, rule in rules.items():
        if (stored := rule.stored(text)) is not None:
            typed[name], kept[name] = text, stored
    return typed, kept


def batches(texts: Iterable[str], rule: TextRule, *, separator: str = "\n\n") -> Iterator[str]:
    """Texts the rule accepts, joined into as few values as the field's limit allows.

    Only texts the field accepts on their own go in, so one refused payload cannot take a whole
    batch down with it; each batch is itself one the rule accepts.
    """
    current = ""
    for text in texts:
        if rule.stored(text) is None:
            continue
        joined = f"{current}{separator}{text}" if current else text
        if rule.stored(joined) is not None:
            current = joined
            continue
        if current:
            yield current
        current = text
    if current:
        yield current


def accepted(payloads: Iterable[Payload], rule: TextRule) -> list[Payload]:
    return [payload for payload in payloads if rule.stored(payload.text) is not None]


def refused(payloads: Iterable[Payload], rule: TextRule) -> list[Payload]:
    return [payload for payload in payloads if rule.stored(payload.text) is None]


# What markup.py allows in a post; anything else in ``body_html`` is a leak.
POST_TAGS = frozenset(
    {"p", "br", "hr", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"strong", "em", "del", "s", "code", "a"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)


# --- reading pages the way a browser does ------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    in_post_body: bool
    # The classes of the elements it sits in, to find "the paragraphs of the warning box".
    within: frozenset[str]
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's text, character references decoded, as a browser shows it."""
        return "".join(self.chunks)


class ParsedPage(HTMLParser):
    """Every element of a page, whether it sits in a ``post-body`` block, and its text.

    Text is kept in chunks and joined on demand: pages listing hundreds of posts stay quick to read.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self._post_body_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "div" and (self._post_body_depth or "post-body" in values.get("class", "").split()):
            self._post_body_depth += 1
        within = frozenset(name for parent in self._open for name in parent.attrs.get("class", "").split())
        element = Element(tag, values, in_post_body=self._post_body_depth > 0, within=within)
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._post_body_depth:
            self._post_body_depth -= 1
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.chunks.append(data)


VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def parse(html: str) -> ParsedPage:
    page = ParsedPage()
    page.feed(html)
    page.close()
    return page


# Attributes whose value a browser follows or submits to.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset", "ping", "cite"}
)
POST_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
POST_SCHEMES = ("http:", "https:", "mailto:")
# Search snippets wrap each match in <mark>, the one element the search service adds itself.
SERVICE_TAGS = frozenset({"mark"})


@cache
def site_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """Every element and attribute name the templates can write (Jinja tags blanked out first)."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.html"))
    markup = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.DOTALL)
    tags = {tag.lower() for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", markup)}
    attributes: set[str] = set()
    for start_tag in re.findall(r"<[a-zA-Z][^<>]*>", markup):
        unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", "", start_tag)
        attributes |= {name.lower() for name in re.findall(r"\s([a-zA-Z][a-zA-Z0-9:_-]*)", unquoted)}
    return frozenset(tags), frozenset(attributes)


def _url_as_browser_reads(url: str) -> str:
    """Browsers drop leading control characters and spaces and every tab and line break in a URL."""
    return re.sub(r"[\t\n\r]", "", url.lstrip("".join(map(chr, range(0x21))))).lower()


def _element_problems(tag: str, attrs: dict[str, str], in_post_body: bool) -> Iterator[str]:
    tags, attributes = site_vocabulary()
    if in_post_body and "post-body" not in attrs.get("class", "").split():
        allowed_tags, allowed_attributes = POST_TAGS, POST_ATTRIBUTES.get(tag, set())
    else:
        allowed_tags, allowed_attributes = tags | SERVICE_TAGS, attributes
    if tag not in allowed_tags:
        yield f"<{tag}> element"
    for name, value in attrs.items():
        if name not in allowed_attributes or name.startswith("on"):
            yield f"{name}={value!r} on <{tag}>"
        if name in URL_ATTRIBUTES:
            yield from _url_problems(name, value, tag, in_post_body)
    if in_post_body and tag == "a" and attrs.get("rel") != LINK_REL:
        yield f"link without rel={LINK_REL!r}: {attrs!r}"


def _url_problems(name: str, value: str, tag: str, in_post_body: bool) -> Iterator[str]:
    """Outside posts every link stays on the site; in a post it may leave it, but never run code."""
    url = _url_as_browser_reads(value)
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", url)
    on_site = url.startswith(("/", "#", "?")) and not url.startswith("//")
    if in_post_body and (scheme is None or f"{scheme.group(1)}:" in POST_SCHEMES):
        return
    if not on_site:
        yield f"{name}={value!r} on <{tag}> leads off the site or runs code"


def page_problems(html: str) -> list[str]:
    """Anything on the page that neither the templates nor the post sanitiser could have written."""
    return [
        problem
        for element in parse(html).elements
        for problem in _element_problems(element.tag, element.attrs, element.in_post_body)
    ]


def post_html_problems(body_html: str) -> list[str]:
    """``body_html`` as a post shows it: only the sanitiser's elements, attributes and links."""
    return [
        problem
        for element in parse(body_html).elements
        for problem in _element_problems(element.tag, element.attrs, in_post_body=True)
    ]


def texts_of(page: ParsedPage, tag: str, css_class: str | None = None) -> list[str]:
    """The text of every ``tag`` element (with ``css_class``, if given), as a browser would show it."""
    return [
        element.text
        for element in page.elements
        if element.tag == tag and (css_class is None or css_class in element.attrs.get("class", "").split())
    ]


TEXT_INPUTS = frozenset({"text", "search", "email", "password", "url"})


def field_values(page: ParsedPage) -> dict[str, str]:
    """What each named form field holds: an input's value, a textarea's text."""
    values: dict[str, str] = {}
    for element in page.elements:
        name = element.attrs.get("name")
        if name and element.tag == "input" and element.attrs.get("type", "text") in TEXT_INPUTS:
            values[name] = element.attrs.get("value", "")
        elif name and element.tag == "textarea":
            # A browser drops one line break right after <textarea>; the template writes none.
            values[name] = element.text
    return values


def names_field(detail: object, field: str) -> bool:
    """Whether an API refusal names ``field``: in the list of a 422's problems, or in its sentence."""
    if isinstance(detail, list):
        return field in {str(problem["loc"][-1]) for problem in detail}
    return isinstance(detail, str) and f"{field.replace('_', ' ')} " in detail


def refused_form_problems(response, typed: dict[str, str], fields: Iterable[str]) -> list[str]:
    """A form refused as it should be: a 4xx page, inert, each refused field marked invalid and
    every field still holding what was typed."""
    if not 400 <= response.status_code < 500:
        return [f"answered {response.status_code}, expected the form again with a 4xx"]
    problems = page_problems(response.text)
    page = parse(response.text)
    invalid = {element.attrs.get("name") for element in page.elements if element.attrs.get("aria-invalid") == "true"}
    problems += [f"the refused {name} is not marked invalid" for name in fields if name not in invalid]
    values = field_values(page)
    problems += [
        f"{name} shown again as {values.get(name)!r}, typed {value!r}"
        for name, value in typed.items()
        if values.get(name) != value
    ]
    return problems


# --- browsers and forms --------------------------------------------------------------------


def tolerant_client(app: FastAPI) -> TestClient:
    """A client that returns a 500 as a response, so one run can name every payload that causes one."""
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


@dataclass
class Problems:
    """What went wrong, per payload: a run reports all of them, not just the first."""

    found: list[str] = field(default_factory=list)

    def add(self, payload_origin: str, message: str) -> None:
        self.found.append(f"{payload_origin}: {message}")

    def extend(self, where: str, messages: Iterable[str]) -> None:
        self.found.extend(f"{where}: {message}" for message in messages)

    def assert_none(self) -> None:
        shown = "\n".join(self.found[:40])
        more = f"\n... and {len(self.found) - 40} more" if len(self.found) > 40 else ""
        assert not self.found, f"{len(self.found)} problems:\n{shown}{more}"


def check_page(problems: Problems, browser: TestClient, path: str, where: str = "") -> str | None:
    """GET a page: it must answer 200 and be inert. Returns its HTML, or None when it did not answer 200."""
    response = browser.get(path)
    where = f"{where} GET {path}".strip()
    if response.status_code != 200:
        problems.add(where, f"answered {response.status_code}")
        return None
    problems.extend(where, page_problems(response.text))
    return response.text
