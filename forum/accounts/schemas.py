"""Shapes of the accounts API and the validation rules of its forms."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints

from forum.kit.text import Credentials, DisplayName, bounded_text

PASSWORD_MIN = 10
PASSWORD_MAX = 256

Password = Annotated[str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
# Logging in checks nothing but the match, so an old password that predates a rule still works.
AnyPassword = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
# Logging in only looks the address up, but it must still be text a database can compare.
LoginEmail = bounded_text(min_length=1, max_length=254)


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
