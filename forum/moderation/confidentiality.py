"""Spot details in a post that could identify a client: phone numbers, email addresses,
dates of birth and street addresses.

Members talk through real cases, so a pasted intake form or a "call her on …" can slip
into a post. This module is a *safety net*: it lets the author be warned before posting.
It is not a guarantee and not a gate. It misses what it was not written for (names,
workplaces, a "born in the spring of '87", addresses outside the common US/UK/AU shapes,
numbers spelled out in words) and it will sometimes flag harmless text, such as a headline
in Title Case that happens to end in "Way", or an old event date written like a birth
date. Its job is to make the author look again, which is why the warning says "seems".

Approach: one compiled regular expression per shape, each followed by a small check in
Python for what regexes express badly (a plausible day and month, a birth cue nearby, the
number of digits in an international number). Findings of all kinds are then merged so
that overlapping matches are reported once.

Posts can be 20,000 characters, so every pattern is written to run in linear time:

* each pattern opens with a negative lookbehind for the characters its first token
  consumes, so a long run of digits or letters is tried from its first character only,
  not from each of them;
* repetitions are bounded (``{1,4}``, ``{1,64}``), and inside a repetition the parts
  are separated by a character the parts themselves cannot contain, so a text can be
  split in only one way and a failed match gives up quickly;
* the birth-cue check looks at a fixed-size window around each date.

The only dependency is the standard library. The one impure input is today's year, read
per call, which decides how old a date must be to count as a likely date of birth.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["KIND_LABELS", "Finding", "IdentifierKind", "describe", "find_identifiers"]


class IdentifierKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    DATE_OF_BIRTH = "date_of_birth"
    STREET_ADDRESS = "street_address"


KIND_LABELS: dict[IdentifierKind, str] = {
    IdentifierKind.PHONE: "a phone number",
    IdentifierKind.EMAIL: "an email address",
    IdentifierKind.DATE_OF_BIRTH: "a date of birth",
    IdentifierKind.STREET_ADDRESS: "a street address",
}

MAX_EXCERPT = 60


@dataclass(frozen=True)
class Finding:
    kind: IdentifierKind
    start: int
    end: int
    excerpt: str  # the matched text, trimmed, at most MAX_EXCERPT characters


# --- phone numbers -------------------------------------------------------------------

# US/Canada (NANP): optional +1, an area code that cannot start with 0 or 1, then 3 + 4
# digits. Separators are optional so "5551234567" counts; ranges like "2010-2015",
# times, prices and five-digit codes never have the 3-3-4 shape.
_NANP_PHONE = re.compile(
    r"""
    (?<![\w+./-])                       # start of the number, not inside a longer token
    (?:\+?1[ .-]?)?                     # country code
    (?:\([2-9]\d{2}\)[ ]?|[2-9]\d{2}[ .-]?)  # area code, bare or in brackets
    \d{3}[ .-]?\d{4}
    (?!\w|[.-]\d)                       # and not followed by more of a number
    """,
    re.VERBOSE,
)

# International: "+" and a country code other than 1, then two to five groups. Groups
# must be separated (or the digits written in one run) so that the split is unambiguous.
_INTL_PHONE = re.compile(
    r"""
    (?<![\w+])
    \+[2-9]\d{0,2}
    (?:(?:[ .-]\d{1,8}){2,5}|\d{6,12})
    (?!\w|[.-]\d)
    """,
    re.VERBOSE,
)

# E.164 allows at most 15 digits; fewer than 8 is more likely a score or a list.
_INTL_DIGITS = range(8, 16)


# --- email addresses -----------------------------------------------------------------

_EMAIL = re.compile(
    r"""
    (?<![\w.%+-])
    [\w.%+-]{1,64}                      # local part
    @
    (?:[A-Za-z0-9-]{1,63}\.){1,8}       # domain labels, each ending in a dot
    [A-Za-z]{2,24}                      # top-level domain
    (?![\w-])
    """,
    re.VERBOSE,
)


# --- dates of birth ------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"

# 04/12/1987, 4-12-87, 12.04.1987: the same separator twice, a 2- or 4-digit year.
_NUMERIC_DATE = re.compile(
    r"""
    (?<![\w/.:-])
    (?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})
    (?!\w|[/.:-]\d)
    """,
    re.VERBOSE,
)

# 1987-04-12
_ISO_DATE = re.compile(
    r"(?<![\w/.:-])(?P<year>\d{4})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\w|[/.:-]\d)"
)

# April 12, 1987 / 12 April 1987 / 12th of April 1987
_WRITTEN_DATE = re.compile(
    rf"""
    (?<!\w)
    (?:
        {_MONTH}[ \t]+(?P<day1>\d{{1,2}}){_ORDINAL},?[ \t]+(?P<year1>\d{{4}})
      | (?P<day2>\d{{1,2}}){_ORDINAL}[ \t]+(?:of[ \t]+)?{_MONTH},?[ \t]+(?P<year2>\d{{4}})
    )
    (?!\w)
    """,
    re.VERBOSE,
)

# Words that say a nearby date is a birth date. "b." is the genealogists' abbreviation.
_BIRTH_CUE = re.compile(
    r"\b(?:D\.?O\.?B\b|date[ \t]+of[ \t]+birth|birth[ \t-]?date|birthday|born)|(?<![\w.])b\.",
    re.IGNORECASE,
)
# How far (in characters) a cue may be from the date: "DOB:", "was born on", "birthday is".
_CUE_BEFORE = 30
_CUE_AFTER = 20

# The longest each month can be, with February allowing for leap years.
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_EARLIEST_BIRTH_YEAR = 1900
# A cue-less numeric date counts only if it is at least this many years old.
_MIN_AGE_WITHOUT_CUE = 5


# --- street addresses ----------------------------------------------------------------

# Abbreviations may carry a full stop; after a full word a full stop ends the sentence.
_STREET_SUFFIX = (
    r"(?i:(?:Street|Avenue|Road|Boulevard|Lane|Drive|Court|Way|Place|Terrace|Circle|Highway|Parkway)\b"
    r"|(?:St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Hwy|Pkwy)\b\.?)"
)
# A capitalised word ("Maple", "N.", "O'Connell") or an ordinal ("42nd").
_STREET_WORD = r"(?:[A-Z][A-Za-z'-]*\.?|\d{1,3}(?:st|nd|rd|th))"
_UNIT = r"(?:,?[ \t]+(?:(?i:Apt|Apartment|Suite|Ste|Unit|Flat)\.?[ \t]*\#?|\#[ \t]*)[A-Za-z0-9-]{1,6}\b)"

_STREET_ADDRESS = re.compile(
    rf"""
    (?<![\w.,/$#-])
    \d{{1,6}}[A-Za-z]?                  # house number, maybe with a letter: 221B
    (?:[ \t]+{_STREET_WORD}){{1,4}}     # one to four words of street name
    [ \t]+{_STREET_SUFFIX}
    {_UNIT}?
    """,
    re.VERBOSE,
)

_PO_BOX = re.compile(
    r"(?<!\w)(?:P\.?[ \t]?O\.?|Post[ \t]+Office)[ \t]*Box[ \t]+\d{1,7}(?!\d)",
    re.IGNORECASE,
)


# --- checks that regexes express badly ------------------------------------------------


def _is_day_and_month(day: int, month: int) -> bool:
    """Whether ``day`` can fall in ``month`` in some year."""
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _birth_cue_near(text: str, start: int, end: int) -> bool:
    """Whether a birth cue sits just before or just after the date at ``start:end``.

    Searching with ``pos`` instead of slicing keeps the word boundary at the start of the
    window true to the full text, so a "reborn" cut in half is not read as "born".
    """
    before = _BIRTH_CUE.search(text, max(0, start - _CUE_BEFORE), start)
    return before is not None or _BIRTH_CUE.search(text, end, end + _CUE_AFTER) is not None


def _plausible_birth_year(year: int, this_year: int) -> bool:
    """A four-digit year a living client could have been born in."""
    return _EARLIEST_BIRTH_YEAR <= year <= this_year


def _accept_numeric_date(match: re.Match[str], text: str, this_year: int) -> bool:
    """A numeric date is a likely date of birth with a cue, or without one when it is old.

    With a cue, two-digit years count ("DOB 4-12-87"). Without one, only a full
    MM/DD/YYYY or DD/MM/YYYY date (either order, since members write both, and with
    "/", "-" or "." between) whose year is 1900 to five years ago counts: intake forms
    list birth dates that way, while the dates members otherwise write in full are
    mostly recent appointments. An old event date written in full is flagged too; that
    false alarm costs the author a glance, a missed birth date costs the client more. A bare year ("in
    2010"), a month and year ("since March 2019") or a range never reach this check.
    """
    a, b, year_text = int(match["a"]), int(match["b"]), match["year"]
    if not (_is_day_and_month(a, b) or _is_day_and_month(b, a)):
        return False
    year = int(year_text)
    if len(year_text) == 4 and not _plausible_birth_year(year, this_year):
        return False
    if _birth_cue_near(text, match.start(), match.end()):
        return True
    return len(year_text) == 4 and year <= this_year - _MIN_AGE_WITHOUT_CUE


def _accept_iso_date(match: re.Match[str], text: str, this_year: int) -> bool:
    """A year-first date counts only beside a birth cue: it is the shape of log lines too."""
    return (
        _is_day_and_month(int(match["day"]), int(match["month"]))
        and _plausible_birth_year(int(match["year"]), this_year)
        and _birth_cue_near(text, match.start(), match.end())
    )


def _accept_written_date(match: re.Match[str], text: str, this_year: int) -> bool:
    """A date in words counts only beside a birth cue: members write these about events."""
    day = int(match["day1"] or match["day2"])
    year = int(match["year1"] or match["year2"])
    return (
        1 <= day <= 31 and _plausible_birth_year(year, this_year) and _birth_cue_near(text, match.start(), match.end())
    )


def _accept_intl_phone(match: re.Match[str], text: str, this_year: int) -> bool:
    """An international number has between 8 and 15 digits, country code included."""
    return sum(c.isdigit() for c in match.group()) in _INTL_DIGITS


def _always(match: re.Match[str], text: str, this_year: int) -> bool:
    """For patterns whose shape alone is enough."""
    return True


# --- finding and merging --------------------------------------------------------------

_Check = Callable[[re.Match[str], str, int], bool]


@dataclass(frozen=True)
class _Rule:
    kind: IdentifierKind
    pattern: re.Pattern[str]
    accept: _Check = _always


_RULES: tuple[_Rule, ...] = (
    _Rule(IdentifierKind.PHONE, _NANP_PHONE),
    _Rule(IdentifierKind.PHONE, _INTL_PHONE, _accept_intl_phone),
    _Rule(IdentifierKind.EMAIL, _EMAIL),
    _Rule(IdentifierKind.DATE_OF_BIRTH, _NUMERIC_DATE, _accept_numeric_date),
    _Rule(IdentifierKind.DATE_OF_BIRTH, _ISO_DATE, _accept_iso_date),
    _Rule(IdentifierKind.DATE_OF_BIRTH, _WRITTEN_DATE, _accept_written_date),
    _Rule(IdentifierKind.STREET_ADDRESS, _STREET_ADDRESS),
    _Rule(IdentifierKind.STREET_ADDRESS, _PO_BOX),
)


def _excerpt(matched: str) -> str:
    """The matched text, trimmed and cut to fit in a one-line warning."""
    trimmed = matched.strip()
    if len(trimmed) <= MAX_EXCERPT:
        return trimmed
    return trimmed[: MAX_EXCERPT - 1].rstrip() + "…"


def _findings_of(rule: _Rule, text: str, this_year: int) -> list[Finding]:
    """Every match of one rule that passes the rule's check."""
    return [
        Finding(rule.kind, m.start(), m.end(), _excerpt(m.group()))
        for m in rule.pattern.finditer(text)
        if rule.accept(m, text, this_year)
    ]


def _merge(findings: list[Finding]) -> list[Finding]:
    """Sorted by start; of overlapping findings keep the earliest, the longest on a tie.

    Overlaps are rare (an address that contains a number, say) and the author needs to
    see each stretch of text once, not once per pattern that liked it.
    """
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if not merged or finding.start >= merged[-1].end:
            merged.append(finding)
    return merged


def find_identifiers(text: str) -> list[Finding]:
    """Details in ``text`` that could identify a client, sorted by start.

    Overlapping findings are merged, keeping the first (and, from the same start, the
    longest). An empty list means nothing was recognised, not that the text is safe.
    """
    this_year = date.today().year
    found = [finding for rule in _RULES for finding in _findings_of(rule, text, this_year)]
    return _merge(found)


def _join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def describe(findings: list[Finding]) -> str:
    """One sentence telling the author what was spotted, or "" when nothing was.

    Each kind is named once, in order of first appearance, with its first excerpt, so
    the author can find it in their text without the warning repeating the whole post.
    """
    first_of_kind: dict[IdentifierKind, Finding] = {}
    for finding in sorted(findings, key=lambda f: f.start):
        first_of_kind.setdefault(finding.kind, finding)
    if not first_of_kind:
        return ""
    parts = [f"{KIND_LABELS[f.kind]} ({f.excerpt})" for f in first_of_kind.values()]
    return f"This post seems to contain {_join(parts)}."
