"""Fixtures for the accounts tests: the mail-enabled app and loopback SMTP server of the notifications tests."""

from tests.notifications.conftest import build_mail_app

__all__ = ["build_mail_app"]
