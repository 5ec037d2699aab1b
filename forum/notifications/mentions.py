"""@mentions: ``@priya-raman`` in a post links to that member's page and tells them.

A mention becomes a Markdown link before the post is rendered, so it then goes through
the same renderer and sanitiser as the rest of the post and can never bring markup of its
own. An unknown handle stays the plain text the member typed, and so does anything inside
code (a code span or block), where ``@`` means something else.
"""

import re

from sqlmodel import Session, col, select

from forum.accounts.models import HANDLE_MAX, Member

_CODE = r"```.*?```|~~~.*?~~~|`[^`]*`"
# Not inside a word or an address (so "name@example.org" is no mention), and the whole handle.
_HANDLE = rf"(?<![\w@/.+-])@(?P<handle>[a-z0-9](?:[a-z0-9-]{{0,{HANDLE_MAX - 2}}}[a-z0-9])?)(?![\w-])"
_CODE_OR_MENTION = re.compile(rf"(?P<code>{_CODE})|{_HANDLE}", re.DOTALL | re.IGNORECASE)


def mentioned_handles(source: str) -> set[str]:
    """Every handle written as a mention in a post's Markdown, in lower case."""
    return {match["handle"].lower() for match in _CODE_OR_MENTION.finditer(source) if match["handle"]}


def members_by_handle(session: Session, handles: set[str]) -> dict[str, Member]:
    """The members with these handles, in one query; unknown handles are simply absent."""
    if not handles:
        return {}
    return {member.handle: member for member in session.exec(select(Member).where(col(Member.handle).in_(handles)))}


def mentioned_members(session: Session, source: str) -> list[Member]:
    return list(members_by_handle(session, mentioned_handles(source)).values())


def link_mentions(session: Session, source: str) -> str:
    """The Markdown source with each mention of a known member turned into a link to their page."""
    members = members_by_handle(session, mentioned_handles(source))
    if not members:
        return source

    def replace(match: re.Match[str]) -> str:
        member = members.get((match["handle"] or "").lower())
        if member is None:  # code, or a handle nobody has
            return match.group(0)
        return f"[@{member.handle}](/members/{member.id})"

    return _CODE_OR_MENTION.sub(replace, source)
