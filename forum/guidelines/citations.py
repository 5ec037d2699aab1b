"""Citing a guideline inside a post: ``[[guideline:illness]]`` becomes a quote card of that section.

The card is written as Markdown and then goes through the same renderer and sanitiser as
the rest of the post, so a citation can never bring markup of its own. A citation of a
section that does not exist stays as the plain text the member typed.
"""

import re

from sqlmodel import Session

from forum.guidelines import service

DEFAULT_DOCUMENT = "stop-session"
EXCERPT_LENGTH = 280
CITATION = re.compile(r"\[\[guideline:(?:(?P<document>[a-z0-9-]{1,80})/)?(?P<anchor>[a-z0-9-]{1,40})\]\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def expand_citations(session: Session, source: str) -> str:
    """The Markdown source with every known citation replaced by a quote card."""
    return CITATION.sub(lambda match: _card(session, match), source)


def _card(session: Session, match: re.Match[str]) -> str:
    document = match.group("document") or DEFAULT_DOCUMENT
    section = service.find_section(session, document, match.group("anchor"))
    if section is None:
        return match.group(0)
    heading = _escape(section.heading)
    path = service.section_path(document, section.anchor)
    return (
        f"\n\n> **Official guideline: {heading}**\n>\n> {_escape(_excerpt(section.body))}\n>\n"
        f"> [Read the guideline]({path})\n\n"
    )


def _excerpt(markdown: str) -> str:
    first_paragraph = next((p for p in markdown.split("\n\n") if p.strip()), "")
    text = " ".join(first_paragraph.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _escape(text: str) -> str:
    """Official words shown as they are, not read as Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
