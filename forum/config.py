"""Configuration: one Settings object read from ``FORUM_*`` environment variables.

Development needs no configuration at all: the database is an SQLite file and the
secret key is generated once and kept in the data directory. Production refuses to
start without an explicit, strong secret.
"""

import os
import secrets
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FORUM_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    secret_key: str = Field(default="", repr=False)

    community_name: str = "Massage & Bodywork Professionals"
    tagline: str = "A community of practitioners talking through the ethics of their work"

    session_idle_days: int = Field(default=14, ge=1, le=365)
    api_token_idle_days: int = Field(default=90, ge=1, le=3650)
    # How long an emailed password-reset link works.
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    view_window_hours: int = Field(default=24, ge=1, le=24 * 30)
    view_flush_seconds: float = Field(default=2.0, ge=0)

    # Rate limits, per account (or per email) and hour; an address may do address_limit_factor
    # times as much, since a clinic's members can share one.
    login_attempts_per_hour: int = Field(default=30, ge=1, le=100_000)
    joins_per_hour: int = Field(default=3, ge=1, le=100_000)
    threads_per_hour: int = Field(default=10, ge=1, le=100_000)
    comments_per_hour: int = Field(default=60, ge=1, le=100_000)
    reports_per_hour: int = Field(default=20, ge=1, le=100_000)
    password_resets_per_hour: int = Field(default=5, ge=1, le=100_000)
    address_limit_factor: int = Field(default=5, ge=1, le=1000)
    # Wrong passwords past this many make the next login wait, doubling from login_backoff_seconds.
    login_failures_before_backoff: int = Field(default=5, ge=1, le=1000)
    login_backoff_seconds: int = Field(default=30, ge=1, le=3600)
    # Keep the rate-limit counts in Redis instead of the database (e.g. redis://127.0.0.1:6379/0).
    redis_url: str = Field(default="", repr=False)
    redis_prefix: str = "forum:limits:"
    # Content reported by this many different members is hidden until a moderator looks.
    auto_hide_reports: int = Field(default=3, ge=1, le=1000)
    # A new member's first posts wait for a moderator's approval; 0 turns this off.
    approve_first_posts: int = Field(default=0, ge=0, le=100)

    # Email goes out only when an SMTP server is named; requests only write to the outbox.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_from: str = "forum@localhost"
    smtp_starttls: bool = True
    # How often the app's own sender looks at the outbox; 0 leaves sending to `forum send-mail`.
    mail_send_seconds: float = Field(default=30.0, ge=0)
    # The forum's public address, for the links in emails.
    site_url: str = "http://127.0.0.1:8000"

    # argon2id cost: OWASP's recommended m=19 MiB, t=2, p=1. RFC 9106's 64 MiB profile costs each
    # worker 64 MiB more at every login (and at start-up), which pushed a worker past 150 MB; hashes
    # made with other costs are redone at the member's next login.
    password_hash_time_cost: int = Field(default=2, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=19456, ge=8, le=4 * 1024 * 1024)
    password_hash_parallelism: int = Field(default=1, ge=1, le=16)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.env == "production" and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"FORUM_SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} random characters "
                "when FORUM_ENV=production (generate one with: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return self

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @cached_property
    def resolved_database_url(self) -> str:
        """The configured URL, or an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'forum.db'}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated on first use and kept in the data directory.

        Kept on disk so that sessions and CSRF tokens survive a restart in development.
        """
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if key_file.exists():
            return key_file.read_text().strip()
        # Written whole to a private file, then linked into place: of several workers starting
        # at once exactly one key wins, and nobody ever reads a half-written one.
        with tempfile.NamedTemporaryFile("w", dir=self.data_dir, prefix=".secret_key.", delete=False) as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(handle.name, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(handle.name)
        return key_file.read_text().strip()


def get_settings() -> Settings:
    return Settings()
