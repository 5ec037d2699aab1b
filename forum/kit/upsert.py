"""INSERT … ON CONFLICT for whichever database the session is on.

SQLite and PostgreSQL spell ``on_conflict_do_nothing`` / ``on_conflict_do_update`` alike, but each
dialect has its own ``insert``; this picks the right one so callers write the statement once.
"""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def upsert(session: Session, model: type) -> Any:
    """An INSERT into ``model``'s table that can say what to do on a conflict."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)
