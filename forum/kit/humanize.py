"""Times as people read them: "2 hours ago", with the exact time kept for a tooltip."""

from datetime import datetime

from forum.kit.time import utcnow

_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    seconds = int(((now or utcnow()) - moment).total_seconds())
    if seconds < 60:
        return "just now"
    for name, size in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {name}{'s' if count != 1 else ''} ago"
    return "just now"


def exact_time(moment: datetime) -> str:
    return moment.strftime("%d %B %Y at %H:%M UTC")
