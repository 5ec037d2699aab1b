"""Keep secrets that travel in a URL's path out of the server's access log.

A password-reset link carries its secret in the path (``/password-reset/<secret>``), and uvicorn's
access log writes every request's path; a log read by an operator must not hold a working link.
"""

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_SECRET_IN_PATH = re.compile(r"(/password-reset/)[^/?\s]+")


class HideSecretsInPaths(logging.Filter):
    """Replaces the secret in a logged path with ``…``; uvicorn passes the path as the third argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], hide_secrets(args[2]), *args[3:])
        return True


def hide_secrets(path: str) -> str:
    return _SECRET_IN_PATH.sub(r"\1…", path)


def install() -> None:
    """Add the filter to uvicorn's access logger once per process (every app a process makes calls this)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, HideSecretsInPaths) for existing in logger.filters):
        logger.addFilter(HideSecretsInPaths())
