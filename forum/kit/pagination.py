"""Keyset (cursor) pagination: pages found by the last row seen, never by OFFSET.

A cursor is an opaque, URL-safe token holding the sort key of the last row on the
previous page. Reading page 10,000 costs the same as reading page 1.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from forum.errors import BadRequest

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(*key: int | str | datetime) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds: type) -> tuple:
    """Turn a cursor back into its sort key, checking each part's type.

    Anything that is not a cursor this server made answers a clear 400.
    """
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError
        return tuple(_coerce(value, kind) for value, kind in zip(raw, kinds, strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise BadRequest("That page link is not valid; start again from the first page.") from None


def _coerce(value: object, kind: type) -> object:
    if kind is datetime and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed.astimezone(UTC)  # may overflow at the calendar's edges: a bad cursor
    if kind is int and isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    raise ValueError


def take_page(rows: list[T], limit: int, key_of: Callable[[T], Sequence[int | str | datetime]]) -> Page[T]:
    """Given up to ``limit + 1`` rows, return a page and the cursor for the next one."""
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    items = rows[:limit]
    return Page(items=items, next_cursor=encode_cursor(*key_of(items[-1])))
