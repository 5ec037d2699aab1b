"""Reading HTML forms through the same pydantic schemas the API uses.

A form that breaks a rule becomes ``InvalidInput`` with one plain message per field,
so the page can show the form again with what the member typed and what to fix.
"""

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from forum.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def field_messages(error: ValidationError) -> dict[str, str]:
    messages: dict[str, str] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "form"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "string_too_short" and "min_length" in problem.get("ctx", {}):
            message = f"must be at least {problem['ctx']['min_length']} characters"
        elif problem["type"] == "string_too_long" and "max_length" in problem.get("ctx", {}):
            message = f"must be at most {problem['ctx']['max_length']} characters"
        elif problem["type"] == "missing":
            message = "is required"
        elif field == "email":
            message = "is not a valid email address"
        messages.setdefault(field, message)
    return messages


def parse_form(schema: type[M], values: dict[str, object]) -> M:
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        raise InvalidInput(field_messages(error)) from None
