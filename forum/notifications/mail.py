"""The outbox sender: takes emails that requests queued and sends them with smtplib.

Requests only add rows to ``outbox_email``; this is the only code that talks SMTP, in
``forum send-mail`` or in a background thread of the app. Each round:

1. claims due rows in one guarded ``UPDATE ... WHERE status = 'pending' ... RETURNING``, so of
   several senders (workers, servers, the command) each row goes to exactly one, on SQLite
   and PostgreSQL alike; a row claimed by a sender that died is claimable again after a lease;
2. sends them with no transaction open, so a slow mail server holds no lock;
3. marks each sent, or records the error and tries again later with a growing wait, giving up
   after ``MAX_ATTEMPTS``. An email that waited longer than ``MAX_AGE`` is dropped unsent.

A mail server that is down loses nothing: the rows wait. Delivery is at least once: a
sender that dies between sending and marking sends that email again after the lease.
"""

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import case, update
from sqlmodel import Session, col, select

from forum.config import Settings
from forum.db import Database
from forum.kit.time import utcnow
from forum.notifications.models import ERROR_MAX, MailCategory, MailStatus, OutboxEmail

log = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_ATTEMPTS = 12  # about a day of trying, with the waits below
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=10)
MAX_AGE = timedelta(days=2)
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Letter:
    """A claimed outbox row: what the SMTP step needs, with no database object attached."""

    id: int
    to_address: str
    subject: str
    body: str
    link_path: str
    attempts: int


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0


def retry_wait(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 2, 4 … minutes, at most six hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def send_pending(database: Database, settings: Settings, *, now: datetime | None = None) -> SendReport:
    """Send everything due now, batch after batch; returns what became of it."""
    now = now or utcnow()
    report = SendReport()
    with database.session(write=True) as session:
        report.expired = _expire_stale(session, now)
    while True:
        with database.session(write=True) as session:
            letters = _claim(session, now)
        if not letters:
            return report
        errors = _send(settings, letters)
        with database.session(write=True) as session:
            _record(session, letters, errors, now, report)
        if len(letters) < BATCH_SIZE or any(errors.values()):  # a failing server gets no more tries this round
            return report


def _due(now: datetime) -> object:
    """Pending and its time has come, or claimed by a sender that has not finished within the lease."""
    waiting = (col(OutboxEmail.status) == MailStatus.PENDING) & (col(OutboxEmail.next_attempt_at) <= now)
    abandoned = (col(OutboxEmail.status) == MailStatus.SENDING) & (col(OutboxEmail.claimed_at) < now - CLAIM_LEASE)
    return waiting | abandoned


def _claim(session: Session, now: datetime) -> list[Letter]:
    """Take up to a batch of due rows. The guard is checked again on each row as it is updated, so a
    row another sender took in the meantime is skipped, never sent twice."""
    due_ids = select(OutboxEmail.id).where(_due(now)).order_by(col(OutboxEmail.id)).limit(BATCH_SIZE)
    statement = (
        update(OutboxEmail)
        .where(col(OutboxEmail.id).in_(due_ids.scalar_subquery()), _due(now))
        .values(status=MailStatus.SENDING, claimed_at=now, attempts=col(OutboxEmail.attempts) + 1)
        .returning(
            col(OutboxEmail.id),
            col(OutboxEmail.to_address),
            col(OutboxEmail.subject),
            col(OutboxEmail.body),
            col(OutboxEmail.link_path),
            col(OutboxEmail.attempts),
        )
    )
    rows = session.execute(statement, execution_options={"synchronize_session": False}).all()
    return sorted((Letter(*row) for row in rows), key=lambda letter: letter.id)


def _expire_stale(session: Session, now: datetime) -> int:
    result = session.execute(
        update(OutboxEmail)
        .where(col(OutboxEmail.status) == MailStatus.PENDING, col(OutboxEmail.created_at) < now - MAX_AGE)
        .values(status=MailStatus.EXPIRED, last_error="Waited too long to be worth sending."),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount


def _send(settings: Settings, letters: list[Letter]) -> dict[int, str | None]:
    """Send over one SMTP connection; for each letter, None when sent or the error that stopped it."""
    errors: dict[int, str | None] = {}
    try:
        with _connect(settings) as smtp:
            for letter in letters:
                try:
                    smtp.send_message(_message(settings, letter))
                    errors[letter.id] = None
                except (smtplib.SMTPException, OSError) as error:
                    errors[letter.id] = _describe(error)
    except (smtplib.SMTPException, OSError) as error:  # no connection, or it broke: the rest wait
        for letter in letters:
            errors.setdefault(letter.id, _describe(error))
    return errors


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _message(settings: Settings, letter: Letter) -> EmailMessage:
    site = settings.site_url.rstrip("/")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = letter.to_address
    message["Subject"] = letter.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{site}/notifications/preferences>"
    message.set_content(
        f"{letter.body}\n\n{site}{letter.link_path}\n\n-- \n{settings.community_name}\n"
        f"Choose what we email you: {site}/notifications/preferences\n"
    )
    return message


def _describe(error: BaseException) -> str:
    """The error as kept on the row: the server's reply or the network failure, never the message."""
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


# Once sent, or given up, an account email's link (a password-reset secret) is no longer kept in the outbox.
_FORGET_SECRETS = {
    "link_path": case((col(OutboxEmail.category) == MailCategory.ACCOUNT, ""), else_=col(OutboxEmail.link_path))
}


def _record(
    session: Session, letters: list[Letter], errors: dict[int, str | None], now: datetime, report: SendReport
) -> None:
    for letter in letters:
        error = errors.get(letter.id)
        if error is None:
            values: dict[str, object] = {"status": MailStatus.SENT, "sent_at": now, "last_error": "", **_FORGET_SECRETS}
            report.sent += 1
        elif letter.attempts >= MAX_ATTEMPTS:
            values = {"status": MailStatus.FAILED, "last_error": error, **_FORGET_SECRETS}
            report.failed += 1
        else:
            values = {
                "status": MailStatus.PENDING,
                "last_error": error,
                "next_attempt_at": now + retry_wait(letter.attempts),
            }
            report.retrying += 1
        session.execute(
            update(OutboxEmail).where(col(OutboxEmail.id) == letter.id).values(**values),
            execution_options={"synchronize_session": False},
        )


class MailSender:
    """Runs ``send_pending`` every few seconds in a background thread of the app."""

    def __init__(self, database: Database, settings: Settings, *, interval: float) -> None:
        self.database = database
        self.settings = settings
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=SMTP_TIMEOUT_SECONDS + 5)

    def send_now(self) -> None:
        try:
            send_pending(self.database, self.settings)
        except Exception:  # a failed round must never take the server down; the rows wait
            log.exception("could not send the outbox")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.send_now()
