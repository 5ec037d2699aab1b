"""The official guideline texts shipped with the forum: one TOML file per document.

They are read once, by the migration that loads them into the database, and by the
tests that prove the stored words are the official ones. The running app never reads
them: after loading, the database is the reference, and admins edit it there.
"""

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


def read_document(slug: str) -> DocumentContent:
    """The document ``<slug>.toml`` as shipped; bodies lose only their surrounding blank lines."""
    raw = tomllib.loads((CONTENT_DIR / f"{slug}.toml").read_text(encoding="utf-8"))
    sections = tuple(
        SectionContent(
            anchor=section["anchor"],
            heading=section["heading"],
            body=section["body"].strip(),
            part_heading=section.get("part_heading"),
        )
        for section in raw["section"]
    )
    return DocumentContent(slug=raw["slug"], title=raw["title"], sections=sections)
