"""The ``forum`` command: serve, migrate, create users, load demo content."""

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from pydantic import ValidationError
from sqlmodel import Session

from forum.accounts import passwords
from forum.accounts import service as accounts_service
from forum.accounts.models import Role
from forum.accounts.schemas import Registration
from forum.config import Settings, get_settings
from forum.db import BackupError, Database, backup_sqlite, restore_sqlite, sqlite_file, upgrade_to_head
from forum.demo.seed import demo_logins, seed_demo
from forum.errors import ForumError
from forum.guidelines import service as guidelines_service
from forum.guidelines.content import read_document_file
from forum.kit.forms import field_messages
from forum.limits import service as limits_service
from forum.notifications import mail
from forum.notifications import service as notifications_service


@contextmanager
def _write_session(settings: Settings) -> Iterator[Session]:
    """The database brought up to date, and one transaction on it, committed if the block succeeds."""
    upgrade_to_head(settings.resolved_database_url)
    database = Database(settings.resolved_database_url)
    try:
        with database.session(write=True) as session:
            yield session
    finally:
        database.dispose()


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    upgrade_to_head(settings.resolved_database_url)
    settings.resolved_secret_key  # noqa: B018 - made here, before the workers start, so they all share it
    uvicorn.run(
        "forum.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
    )
    return 0


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    upgrade_to_head(settings.resolved_database_url)
    print("The database schema is up to date.")
    return 0


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    try:
        registration = Registration(email=args.email, password=args.password, display_name=args.display_name)
    except ValidationError as error:
        for field, message in field_messages(error).items():
            print(f"error: {field.replace('_', ' ')} {message}", file=sys.stderr)
        return 2
    with _write_session(settings) as session:
        member = accounts_service.register(session, registration=registration, role=Role(args.role))
        print(f"Created {member.role} {member.display_name} <{member.email}> (id {member.id}).")
    return 0


def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    if settings.env == "production":
        print("error: demo content is not for a production forum (FORUM_ENV=production).", file=sys.stderr)
        return 2
    with _write_session(settings) as session:
        added = seed_demo(session)
    print("Demo content added." if added else "Demo content was already there.")
    print("Demo logins (email / password / role):")
    for login in demo_logins():
        print(f"  {login.email:32} {login.password:22} {login.role}")
    return 0


def _add_guideline(settings: Settings, args: argparse.Namespace) -> int:
    try:
        content = read_document_file(Path(args.file))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with _write_session(settings) as session:
        document = guidelines_service.add_document(session, content=content)
        print(f"Added the guideline “{document.title}” at /guidelines/{document.slug}.")
    return 0


EMAIL_OFF = "error: email is off: set FORUM_SMTP_HOST (and FORUM_SMTP_PORT, _USER, _PASSWORD, _FROM) first."


def _send_mail(settings: Settings, args: argparse.Namespace) -> int:
    """Send the outbox once (exit 1 if some emails wait for a retry), or every few seconds until stopped."""
    if not settings.email_enabled:
        print(EMAIL_OFF, file=sys.stderr)
        return 2
    upgrade_to_head(settings.resolved_database_url)
    database = Database(settings.resolved_database_url)
    try:
        while True:
            report = mail.send_pending(database, settings)
            if not args.loop or report != mail.SendReport():
                print(
                    f"Sent {report.sent}; {report.retrying} to try again later; "
                    f"{report.failed} given up; {report.expired} too old to send."
                )
            if not args.loop:
                return 1 if report.retrying or report.failed else 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
    finally:
        database.dispose()


def _send_digest(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.email_enabled:
        print(EMAIL_OFF, file=sys.stderr)
        return 2
    with _write_session(settings) as session:
        queued = notifications_service.write_digests(session)
    print(f"Queued {queued} digest email{'' if queued == 1 else 's'}; the outbox sender delivers them.")
    return 0


def _prune_limits(settings: Settings, args: argparse.Namespace) -> int:
    with _write_session(settings) as session:
        deleted = limits_service.prune(session)
    print(f"Deleted {deleted} rate-limit counter{'' if deleted == 1 else 's'} no longer needed.")
    return 0


POSTGRES_BACKUP = """error: `forum backup` and `forum restore` copy SQLite databases. For PostgreSQL use its own tools
(the URL as in FORUM_DATABASE_URL, without "+psycopg"), for example:
  pg_dump --format=custom --file=forum.dump postgresql://USER@HOST:5432/DBNAME
  pg_restore --clean --if-exists --no-owner --dbname=postgresql://USER@HOST:5432/DBNAME forum.dump"""


def _on_sqlite_file(settings: Settings, copy: Callable[[Path], str]) -> int:
    """Run a backup or restore on the SQLite file and print its outcome; PostgreSQL has its own tools."""
    database_file = sqlite_file(settings.resolved_database_url)
    if database_file is None:
        print(POSTGRES_BACKUP, file=sys.stderr)
        return 2
    try:
        print(copy(database_file))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    """A consistent copy of the live SQLite database, taken while the forum keeps serving."""

    def copy(database_file: Path) -> str:
        pages = backup_sqlite(database_file, Path(args.path))
        return f"Backed up {database_file} to {args.path} ({pages} pages, integrity check ok)."

    return _on_sqlite_file(settings, copy)


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    def copy(database_file: Path) -> str:
        restore_sqlite(Path(args.path), database_file, replace=args.replace)
        return f"Restored {args.path} into {database_file} (integrity check ok)."

    return _on_sqlite_file(settings, copy)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="forum", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="upgrade the database, then serve the forum")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply every migration not applied yet").set_defaults(run=_db_upgrade)

    create_user = commands.add_parser("create-user", help="add a member, moderator or admin")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--display-name", required=True)
    create_user.add_argument("--role", choices=[r.value for r in Role], default=Role.MEMBER.value)
    create_user.set_defaults(run=_create_user)

    commands.add_parser("seed-demo", help="add demo members, threads and comments").set_defaults(run=_seed_demo)

    guidelines = commands.add_parser("guidelines", help="official guideline documents")
    guideline_commands = guidelines.add_subparsers(dest="guidelines_command", required=True)
    add = guideline_commands.add_parser("add", help="load a new guideline document from a TOML file")
    add.add_argument("file", help="a file shaped like forum/guidelines/content/stop-session.toml")
    add.set_defaults(run=_add_guideline)

    send_mail = commands.add_parser("send-mail", help="send the emails waiting in the outbox")
    send_mail.add_argument("--loop", action="store_true", help="keep sending every --interval seconds")
    send_mail.add_argument("--interval", type=float, default=30.0)
    send_mail.set_defaults(run=_send_mail)
    commands.add_parser("send-digest", help="queue each member's daily summary email (run once a day)").set_defaults(
        run=_send_digest
    )

    commands.add_parser(
        "prune-limits", help="delete rate-limit counters idle for a day (run daily; not needed with Redis)"
    ).set_defaults(run=_prune_limits)

    backup = commands.add_parser("backup", help="copy the live SQLite database to a new file (for PostgreSQL: pg_dump)")
    backup.add_argument("path", help="the backup file to create; an existing file is never overwritten")
    backup.set_defaults(run=_backup)
    restore = commands.add_parser("restore", help="bring the SQLite database back from a backup (stop the forum first)")
    restore.add_argument("path", help="a file made by `forum backup`")
    restore.add_argument("--replace", action="store_true", help="overwrite a database that already holds a forum")
    restore.set_defaults(run=_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as error:
        print(f"error: the configuration is not valid:\n{error}", file=sys.stderr)
        return 2
    passwords.configure(settings)
    try:
        return args.run(settings, args)
    except ForumError as error:  # a rule of the forum said no: say which, nothing was written
        print(f"error: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
