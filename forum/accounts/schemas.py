"""Shapes of the accounts API and the validation rules of its forms."""

from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, StringConstraints

from forum.kit.ids import MAX_ID
from forum.kit.text import Credentials, DisplayName, bounded_text, must_be_text

PASSWORD_MIN = 10
PASSWORD_MAX = 256

Password = Annotated[
    str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX), AfterValidator(must_be_text)
]
# Logging in checks nothing but the match, so an old password that predates a rule still works.
AnyPassword = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX), AfterValidator(must_be_text)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
# Logging in only looks the address up, but it must still be text a database can compare.
LoginEmail = bounded_text(min_length=1, max_length=254)
# What a member calls an API token, to recognise it on their account page.
TokenName = bounded_text(min_length=1, max_length=80)
DEFAULT_TOKEN_NAME = "API token"  # noqa: S105 - a label, not a secret
# The secret of an emailed reset link; anything longer cannot be one.
ResetToken = bounded_text(min_length=1, max_length=100)
# A session's or token's number in the paths that end one.
SessionId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password
    display_name: DisplayName
    credentials: Credentials = ""


class LoginAttempt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: LoginEmail
    password: AnyPassword


class TokenRequest(LoginAttempt):
    """Logging in for an API token, with a name to tell it apart from the member's other tokens."""

    name: TokenName = DEFAULT_TOKEN_NAME


class TokenCreate(BaseModel):
    """A named token made on the account page by a member already logged in."""

    model_config = ConfigDict(extra="forbid")

    name: TokenName


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Only looked up, like logging in: a malformed address is simply not a member's.
    email: LoginEmail


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: ResetToken
    new_password: Password


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: AnyPassword
    new_password: Password


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName
    credentials: Credentials = ""


class MemberSummary(BaseModel):
    """How an author appears beside a post."""

    id: int
    display_name: str


class MemberPublic(BaseModel):
    id: int
    display_name: str
    handle: str
    role: str


class MemberSelf(MemberPublic):
    email: str
    credentials: str
    created_at: datetime
    suspended_until: datetime | None
    standing_reason: str
    warning_pending: bool


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth scheme name, not a secret


class Accepted(BaseModel):
    """A request taken in whose outcome is not told (a password reset: whether the address is a member's)."""

    detail: str


class SessionPublic(BaseModel):
    """One of the member's live browser sessions or API tokens; its secret is never shown again."""

    id: int
    kind: str
    name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool
