"""The official guideline texts shipped with the forum: one TOML file per document.

They are read once, by the migration that loads them into the database, and by the
tests that prove the stored words are the official ones. The running app never reads
them: after loading, the database is the reference, and admins edit it there. A new
guideline (draping, consent ...) is added from a file of the same shape with
``forum guidelines add FILE``, with no change to the code.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).parent


@dataclass(frozen=True)
class SectionContent:
    anchor: str
    heading: str
    body: str
    part_heading: str | None = None


@dataclass(frozen=True)
class DocumentContent:
    slug: str
    title: str
    sections: tuple[SectionContent, ...]


ANCHOR = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def read_document(slug: str) -> DocumentContent:
    """The shipped document ``<slug>.toml``."""
    return read_document_file(CONTENT_DIR / f"{slug}.toml")


def read_document_file(path: Path) -> DocumentContent:
    """A guideline document from a TOML file; bodies lose only their surrounding blank lines.

    Raises ValueError, saying what is wrong, for a file that is not a guideline document.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        sections = tuple(
            SectionContent(
                anchor=section["anchor"],
                heading=section["heading"],
                body=section["body"].strip(),
                part_heading=section.get("part_heading"),
            )
            for section in raw["section"]
        )
        document = DocumentContent(slug=raw["slug"], title=raw["title"], sections=sections)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a guideline document: missing or wrong {error}") from None
    _check(document)
    return document


def _check(document: DocumentContent) -> None:
    anchors = [section.anchor for section in document.sections]
    if not ANCHOR.match(document.slug) or not document.title.strip() or not anchors:
        raise ValueError("a guideline needs a slug (lower-case words and hyphens), a title and sections")
    if len(set(anchors)) != len(anchors) or not all(ANCHOR.match(a) and len(a) <= 40 for a in anchors):
        raise ValueError("every section needs its own anchor of lower-case words and hyphens (40 at most)")
    if not all(section.heading.strip() and section.body for section in document.sections):
        raise ValueError("every section needs a heading and a body")
