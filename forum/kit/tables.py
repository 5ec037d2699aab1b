"""What every table shares: the constraint naming convention and column helpers.

Named constraints make migrations identical on SQLite and PostgreSQL and let Alembic
alter them later (SQLite batch mode needs the names).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from forum.kit.time import UTCDateTime, utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def timestamp(*, nullable: bool = False, default_now: bool = True) -> Any:
    """A UTC timestamp column (``..._at``)."""
    return Field(
        default_factory=utcnow if default_now and not nullable else None,
        sa_type=UTCDateTime(),
        nullable=nullable,
    )


def long_text() -> Any:
    """A text column without a length limit in the database (limits live in the schemas)."""
    return Field(sa_column=Column(Text, nullable=False))


__all__ = ["SQLModel", "datetime", "long_text", "timestamp"]
