"""How a refused request is answered over HTTP, written once for the error handlers and for the
routes that answer a refusal instead of raising it (so that what the request wrote stays committed)."""

from fastapi import Response
from fastapi.responses import JSONResponse

from forum.errors import ForumError, TryAgainLater, Unauthorized


def with_retry_after(response: Response, error: ForumError) -> Response:
    """An answer to a refusal that passes (429, 503) says when to try again: a form shown again too."""
    if isinstance(error, TryAgainLater):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def error_json(error: ForumError) -> Response:
    """The API's answer to a domain error: ``{"detail": message}`` with its status and headers."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    answer = JSONResponse({"detail": error.message}, status_code=error.status_code, headers=headers)
    return with_retry_after(answer, error)
