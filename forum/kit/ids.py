"""Path and query parameter types shared by pages and the API."""

from typing import Annotated

from fastapi import Path, Query
from pydantic import StringConstraints

from forum.kit.pagination import DEFAULT_PAGE_SIZE, MAX_CURSOR_LENGTH, MAX_PAGE_SIZE

# Ids are 32-bit integers in every database: a larger number is refused with a 422, not a 500.
MAX_ID = 2**31 - 1

ThreadId = Annotated[int, Path(ge=1, le=MAX_ID)]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID)]
MemberId = Annotated[int, Path(ge=1, le=MAX_ID)]
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
# Topics a list is narrowed to (every one must match).
TagFilter = Annotated[list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,60}$")]] | None, Query(max_length=5)]
__all__ = ["DEFAULT_PAGE_SIZE", "MAX_ID", "CommentId", "Cursor", "Limit", "MemberId", "TagFilter", "ThreadId"]
