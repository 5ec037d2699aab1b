"""Validated text types for every field people type into.

Every text field goes through one of these, so length limits and the refusal of
invisible control characters (a NUL byte would also break PostgreSQL) live in one
place, with messages a person can act on.
"""

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Not text at all: an unpaired UTF-16 surrogate (a JSON escape can carry one) cannot be stored or
# encoded, and U+FFFE and U+FFFF are noncharacters that XML (the Atom feeds) forbids.
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")
# Room for surrounding white space, which is trimmed before the real limit applies.
_WHITESPACE_ALLOWANCE = 200


def _checker(*, min_length: int, max_length: int, multiline: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
        value = value.lstrip("\n").rstrip() if multiline else value.strip()
        must_be_text(value)
        control = _CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE
        if control.search(value):
            kind = "control characters" if multiline else "line breaks or control characters"
            raise ValueError(f"must not contain {kind}")
        if min_length and len(value.strip()) < min_length:
            raise ValueError("must not be blank" if min_length == 1 else f"must be at least {min_length} characters")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return value

    return check


def must_be_text(value: str) -> str:
    """Refuse what no text field may hold, whatever its other rules (passwords too)."""
    if _NOT_TEXT.search(value):
        raise ValueError("must not contain invalid characters (a lone surrogate, U+FFFE or U+FFFF)")
    return value


def _refuse_huge(max_length: int) -> Callable[[object], object]:
    """Stop a far-too-long string before any work is done on it, naming the real limit."""

    def refuse(value: object) -> object:
        if isinstance(value, str) and len(value) > max_length + _WHITESPACE_ALLOWANCE:
            raise ValueError(f"must be at most {max_length} characters")
        return value

    return refuse


def bounded_text(*, min_length: int, max_length: int, multiline: bool = False) -> Any:
    """A str type that is trimmed, NFC-normalised and held to the given length."""
    return Annotated[
        str,
        BeforeValidator(_refuse_huge(max_length)),
        AfterValidator(_checker(min_length=min_length, max_length=max_length, multiline=multiline)),
    ]


TITLE_MAX = 150
BODY_MAX = 20_000
DISPLAY_NAME_MAX = 60
CREDENTIALS_MAX = 120

Title = bounded_text(min_length=5, max_length=TITLE_MAX)
Body = bounded_text(min_length=1, max_length=BODY_MAX, multiline=True)
DisplayName = bounded_text(min_length=2, max_length=DISPLAY_NAME_MAX)
Credentials = bounded_text(min_length=0, max_length=CREDENTIALS_MAX)
