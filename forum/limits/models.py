"""The rate-limit counters: one row per limited action and caller."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from forum.kit.tables import timestamp
from forum.kit.time import UTCDateTime, utcnow


class RateLimit(SQLModel, table=True):
    """How often one caller did one action in the current window.

    ``key`` is a hash of the action and the caller (an account, an email, an address), so the
    table never holds an address or an email in clear. ``last_hit_at`` times the login back-off.
    """

    __tablename__ = "rate_limit"

    key: str = Field(primary_key=True, max_length=64)
    window_started_at: datetime = timestamp()
    hits: int = 0
    # Indexed for ``forum prune-limits``, which deletes the counters no window still needs.
    last_hit_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), index=True)
