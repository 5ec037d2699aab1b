"""Domain errors that carry their HTTP status.

Services raise these; one handler turns them into JSON for ``/api`` and another into
an HTML page with the same message (see ``forum.app``). No stack trace reaches a user.
"""


class ForumError(Exception):
    status_code = 400
    default_message = "That request could not be handled."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class BadRequest(ForumError):
    status_code = 400


class Unauthorized(ForumError):
    status_code = 401
    default_message = "Please log in first."


class Forbidden(ForumError):
    status_code = 403
    default_message = "You are not allowed to do that."


class NotFound(ForumError):
    status_code = 404
    default_message = "There is nothing here. It may have been moved, or you may need to log in."


class Conflict(ForumError):
    status_code = 409


class TryAgainLater(ForumError):
    """A refusal that passes; ``retry_after`` says in how many seconds to try again (a Retry-After header)."""

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class RateLimited(TryAgainLater):
    status_code = 429
    default_message = "Too many attempts. Please wait a little and try again."


class ServiceUnavailable(TryAgainLater):
    status_code = 503
    default_message = "The forum cannot answer this just now. Please try again in a few seconds."


class InvalidInput(ForumError):
    """A form or payload broke a rule; ``fields`` maps each field to its message."""

    status_code = 422
    default_message = "Please correct the highlighted fields."

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        self.fields = fields
        described = "; ".join(f"{name.replace('_', ' ')} {problem}" for name, problem in fields.items())
        super().__init__(message or f"Please correct: {described}.")


# The OpenAPI description of a rate-limited route's 429, for ``responses=`` on those routes.
RATE_LIMITED_RESPONSE: dict[int | str, dict] = {
    429: {
        "description": "Too many attempts: wait the seconds Retry-After gives",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    }
}
