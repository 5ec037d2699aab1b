"""Shapes of the search API, and the query parameters the API and the page share."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from forum.accounts.schemas import MemberSummary
from forum.kit.ids import MAX_ID, Cursor, TagFilter
from forum.search.queries import SearchSort
from forum.search.terms import MAX_QUERY_LENGTH, MAX_WORDS

# Not limited here: the service checks the length, so the page and the API give the same message.
SearchText = Annotated[
    str,
    Query(
        description=f'Words (all must match) and "quoted phrases"; at most {MAX_QUERY_LENGTH} characters '
        f"and {MAX_WORDS} words."
    ),
]
AuthorFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only posts by this member (their id).")]


@dataclass(frozen=True)
class SearchRequest:
    """A search as its address spells it, read the same way by the page and the API."""

    q: SearchText = ""
    tag: TagFilter = None
    author: AuthorFilter = None
    sort: SearchSort = SearchSort.RELEVANCE
    cursor: Cursor = None

    @property
    def tags(self) -> list[str]:
        """The topics asked for, each once, in the order given."""
        return list(dict.fromkeys(self.tag or []))


SearchRequestDep = Annotated[SearchRequest, Depends()]


class SearchResultPublic(BaseModel):
    type: Literal["thread", "comment"]
    thread_id: int
    comment_id: int | None = Field(description="Set when a comment matched; null for a thread.")
    title: str = Field(description="The thread's title (for a comment, the title of its thread). Plain text.")
    snippet: str = Field(
        description=(
            "HTML: the text around the matched words, HTML-escaped, with each match wrapped in "
            "<mark>...</mark>. <mark> is the only markup it holds, so it may be inserted into a page as is."
        )
    )
    created_at: datetime
    author: MemberSummary


class SearchPage(BaseModel):
    items: list[SearchResultPublic]
    next_cursor: str | None
