"""The confidentiality detector flags phone numbers, email addresses, dates of birth and
street addresses in posts, and leaves the everyday numbers of massage practice alone.

Pure functions, so no database fixture is needed.
"""

from datetime import date

import pytest

from forum.moderation.confidentiality import (
    KIND_LABELS,
    Finding,
    IdentifierKind,
    describe,
    find_identifiers,
)

PHONE = IdentifierKind.PHONE
EMAIL = IdentifierKind.EMAIL
DOB = IdentifierKind.DATE_OF_BIRTH
ADDRESS = IdentifierKind.STREET_ADDRESS

THIS_YEAR = date.today().year
MAX_POST_LENGTH = 20_000


def _kinds(text: str) -> list[IdentifierKind]:
    return [finding.kind for finding in find_identifiers(text)]


POSITIVE = [
    # phone numbers
    ("Her cell is 555-123-4567 if anyone recognises the situation.", PHONE, "555-123-4567"),
    ("He told me to call the front desk at (555) 123-4567 to rebook.", PHONE, "(555) 123-4567"),
    ("He wrote 555.123.4567 on the intake form instead of his email.", PHONE, "555.123.4567"),
    ("His number is +1 555 123 4567, and he asked me to text him.", PHONE, "+1 555 123 4567"),
    ("Text her at 5551234567 about the cancellation fee?", PHONE, "5551234567"),
    ("Her husband called from 1-555-123-4567 twice during the session.", PHONE, "1-555-123-4567"),
    ("The clinic's old line (555)123-4567 still rings through.", PHONE, "(555)123-4567"),
    ("She is visiting from London, mobile +44 20 7946 0958.", PHONE, "+44 20 7946 0958"),
    ("A client from Sydney left +61 2 9876 5432 as a contact.", PHONE, "+61 2 9876 5432"),
    ("Her German number is +49 30 12345678, she is here for a month.", PHONE, "+49 30 12345678"),
    ("His number (555-987-6543) was on the gift card.", PHONE, "555-987-6543"),
    # email addresses
    ("Her email is jane.doe@example.com, she wrote a complaint.", EMAIL, "jane.doe@example.com"),
    ("He booked through mark+massage@clinic.example.org last week.", EMAIL, "mark+massage@clinic.example.org"),
    ("Reply to JSMITH@EXAMPLE.CO.UK about the refund.", EMAIL, "JSMITH@EXAMPLE.CO.UK"),
    # dates of birth, with a cue
    ("Intake form: DOB 04/12/1987, history of migraines.", DOB, "04/12/1987"),
    ("D.O.B.: 4-12-87 and she lists no allergies.", DOB, "4-12-87"),
    ("He was born 1987-04-12 so he qualifies for the senior rate soon.", DOB, "1987-04-12"),
    ("Her birthday is April 12, 1987 and she wanted a gift session.", DOB, "April 12, 1987"),
    ("The date of birth on the form was 12 April 1987.", DOB, "12 April 1987"),
    ("Client notes: b. 12/04/1987, left-handed.", DOB, "12/04/1987"),
    ("She was born on Sept. 3rd, 1990 in the same town as me.", DOB, "Sept. 3rd, 1990"),
    # dates of birth, without a cue: an old full numeric date
    ("The form just said 04/12/1987 next to her name.", DOB, "04/12/1987"),
    ("He wrote 31/12/1975 in the box, I assume day first.", DOB, "31/12/1975"),
    # street addresses
    ("She lives at 123 Main Street, near the studio.", ADDRESS, "123 Main Street"),
    ("I do home visits to 42 Maple Ave Apt 4B on Tuesdays.", ADDRESS, "42 Maple Ave Apt 4B"),
    ("Her house is 1600 Old Mill Road, the one with the blue gate.", ADDRESS, "1600 Old Mill Road"),
    ("His office is at 77 Sunset Blvd Suite 200 if you want to refer him.", ADDRESS, "77 Sunset Blvd Suite 200"),
    ("He rents 9 Elm Ct #12 from my cousin.", ADDRESS, "9 Elm Ct #12"),
    ("The mobile client is at 12 W 42nd St, third floor.", ADDRESS, "12 W 42nd St"),
    ("I went to 88 Harbour View Dr. for the outcall.", ADDRESS, "88 Harbour View Dr."),
    ("She drove in from 500 Pacific Coast Hwy every week.", ADDRESS, "500 Pacific Coast Hwy"),
    ("She lives at 221B Baker Street, of course.", ADDRESS, "221B Baker Street"),
    ("Please mail the gift certificate to PO Box 123.", ADDRESS, "PO Box 123"),
    ("Her insurer's claims go to P.O. Box 4567 in Denver.", ADDRESS, "P.O. Box 4567"),
]


@pytest.mark.parametrize(("text", "kind", "excerpt"), POSITIVE)
def test_finds_identifier(text: str, kind: IdentifierKind, excerpt: str) -> None:
    findings = find_identifiers(text)
    assert [(f.kind, f.excerpt) for f in findings] == [(kind, excerpt)]
    assert text[findings[0].start : findings[0].end] == excerpt


NEGATIVE = [
    "She has been coming to me for 22 years.",
    "she is 22 years old and training for a marathon",
    "I qualified in 2010 and have worked in spas since.",
    "I hold licences in WA and NC.",
    "A 60-minute session is the most she can tolerate.",
    "I charge $120 for 90 minutes.",
    "He comes in 3 sessions a week after the surgery.",
    "I worked at that clinic between 2015 and 2018.",
    "I worked there 2010-2015, then went independent.",
    "We use room 4 for prenatal clients.",
    "She asked for a level 2 massage, whatever that means.",
    "Pain radiating from C5-C6 vertebrae, according to her chiropractor.",
    "Could this be T4 syndrome?",
    "I only offer a 1:1 session, never couples.",
    "Her appointment was at 10:30 am.",
    "Her appointment was at 10:30.",
    "Session lengths are 60 minutes or 90 minutes.",
    "Dr Smith said the bruising was unrelated.",
    "I read the 5 Ways to Protect Your Hands article.",
    "The on-call line is not 24/7.",
    "Split the fee 50/50 with the studio.",
    "Take a 1/2 hour break between clients.",
    "I billed 97124 for that visit.",
    "The studio is in the 98101 zip code.",
    "The clinic zip is 98101-1234.",
    "I've been doing this since March 2019.",
    "She was born in 1987, the same year as me.",
    "The booking app updated to version 2.10.11 and Python 3.11.7 broke.",
    "About 85% of my clients mention desk posture; 12.5% mention driving.",
    "See https://example.com/massage/ethics?page=2 for the article.",
    "Her blog is https://medium.com/@bodyworkjane/posts-1, nothing private.",
    "Thanks @jane for the tip about draping.",
    "I have seen 1,200 clients and earned $1,250.00 on a good week.",
    "She had 2 Dr appointments the same week.",
    "Sessions run 9-5 on weekdays, 10-2 on Saturdays.",
    "The ISO standard 9001 and 2.5 mm needles came up.",
    f"Her first session was on 03/04/{THIS_YEAR}.",
    "The table is 72 inches long and 30 inches wide.",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert find_identifiers(text) == []


def test_several_kinds_are_sorted_by_position() -> None:
    text = "Call 555-123-4567 or email jane@example.com; she lives at 12 Oak Lane, DOB 04/12/1987."
    assert _kinds(text) == [PHONE, EMAIL, ADDRESS, DOB]


def test_recent_date_needs_a_cue() -> None:
    recent = f"03/04/{THIS_YEAR - 1}"
    assert find_identifiers(f"We met on {recent} for the first time.") == []
    assert _kinds(f"Her baby was born {recent}, so she is on leave.") == [DOB]


def test_future_or_impossible_dates_are_not_birth_dates() -> None:
    assert find_identifiers(f"DOB 04/12/{THIS_YEAR + 1}") == []
    assert find_identifiers("DOB 13/13/1987") == []
    assert find_identifiers("born 1987-02-31") == []


def test_cue_must_be_a_whole_word() -> None:
    assert find_identifiers("The stubborn knot released, see 1987-04-12 in my log.") == []


def test_cue_cut_at_the_window_edge_is_not_a_whole_word() -> None:
    # The cue window opens 30 characters before the date, here exactly at "born": the
    # "born" of "Reborn" must not count, a plain "Born" in the same place must.
    gap = " energy after the retreat "
    assert len("born" + gap) == 30
    assert find_identifiers(f"Reborn{gap}1987-04-12") == []
    assert _kinds(f"Born{gap}1987-04-12") == [DOB]


def test_long_excerpt_is_cut_to_sixty_characters() -> None:
    text = "She is at 12345 Northwestern Southeastern Longfellowshire Mountainview Boulevard Suite 200."
    (finding,) = find_identifiers(text)
    assert finding.kind == ADDRESS
    assert len(finding.excerpt) == 60
    assert finding.excerpt.endswith("…")


def test_overlapping_findings_are_merged() -> None:
    text = "Her DOB 04/12/1987 is on file."
    assert len(find_identifiers(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "1-" * 10000,
        "a@" * 10000,
        "12 " * 7000,
        "1" * 20000,
        "a" * 19999 + "@",
        "a." * 9999 + "@b",
        "b." * 9999 + "a@",
        "+1 " * 6700,
        "1/" * 10000,
        "12 Main " * 2500,
        "Born " * 4000,
        "April 12, " * 2000,
    ],
)
def test_adversarial_input_completes(text: str) -> None:
    assert isinstance(find_identifiers(text[:MAX_POST_LENGTH]), list)


def test_describe_names_each_kind_once_in_order_of_appearance() -> None:
    findings = find_identifiers("Call 555-123-4567 or 555-987-6543, or email a@b.example, she is at 12 Oak Lane.")
    assert describe(findings) == (
        "This post seems to contain a phone number (555-123-4567), an email address (a@b.example)"
        " and a street address (12 Oak Lane)."
    )


def test_describe_two_kinds() -> None:
    findings = [
        Finding(EMAIL, 20, 31, "a@b.example"),
        Finding(PHONE, 0, 12, "555-123-4567"),
    ]
    assert describe(findings) == (
        "This post seems to contain a phone number (555-123-4567) and an email address (a@b.example)."
    )


def test_describe_nothing_found() -> None:
    assert describe([]) == ""


def test_every_kind_has_a_label() -> None:
    assert set(KIND_LABELS) == set(IdentifierKind)
