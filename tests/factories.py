"""Scenario factories: short, readable set-up for tests (members, threads, comments, logins).

Rows are made through the same services the app uses, inside the test's transaction.
"""

import itertools
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, update

from forum.accounts import auth
from forum.accounts import service as accounts_service
from forum.accounts.models import Member, Role, SessionKind
from forum.accounts.schemas import Registration
from forum.db import Database
from forum.kit.time import utcnow
from forum.moderation.screening import ScreeningPolicy
from forum.permissions import Viewer
from forum.threads import service as threads_service
from forum.threads.models import Comment, Thread
from forum.threads.schemas import CommentCreate, ThreadCreate

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: TestClient, path: str | None = None) -> str:
    """The CSRF token from a page's form, as a browser would submit it."""
    if path is None:
        path = "/account" if client.cookies.get("forum_session") else "/login"
    page = client.get(path)
    match = _CSRF_FIELD.search(page.text)
    assert match, f"no form with a CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str] | None = None, **kwargs: object):
    """Submit a form the way a browser does: with this browser's CSRF token."""
    return client.post(path, data={"csrf_token": form_token(client), **(data or {})}, **kwargs)


class Factory:
    def __init__(self, database: Database, app: FastAPI) -> None:
        self.database = database
        self.app = app

    def member(
        self,
        *,
        role: str = Role.MEMBER,
        display_name: str | None = None,
        email: str | None = None,
        password: str = PASSWORD,
        credentials: str = "",
    ) -> Member:
        number = next(_numbers)
        registration = Registration(
            email=email or f"member{number}@example.org",
            password=password,
            display_name=display_name or f"Member {number}",
            credentials=credentials,
        )
        with self.database.session(write=True) as session:
            return accounts_service.register(session, registration=registration, role=Role(role))

    def thread(
        self,
        author: Member,
        *,
        title: str | None = None,
        body: str = "A question about practice.",
        audience: str = "members",
        comments: int = 0,
        deleted: bool = False,
        locked: bool = False,
        commenter: Member | None = None,
        tags: tuple[str, ...] = ("boundaries",),
    ) -> Thread:
        with self.database.session(write=True) as session:
            thread = threads_service.start_thread(
                session,
                viewer=Viewer(member=author),
                data=ThreadCreate(
                    title=title or f"Thread number {next(_numbers)}", body=body, audience=audience, tags=list(tags)
                ),
                policy=ScreeningPolicy(),
            )
            for index in range(comments):
                threads_service.add_comment(
                    session,
                    viewer=Viewer(member=commenter or author),
                    thread_id=thread.id,
                    data=CommentCreate(body=f"Comment {index + 1} on this thread."),
                    policy=ScreeningPolicy(),
                )
            if deleted or locked:
                session.execute(
                    update(Thread)
                    .where(col(Thread.id) == thread.id)
                    .values(locked=locked, deleted_at=utcnow() if deleted else None)
                )
            session.flush()
            session.refresh(thread)
            return thread

    def comment(
        self, author: Member, thread: Thread, *, body: str = "A thoughtful reply.", deleted: bool = False
    ) -> Comment:
        with self.database.session(write=True) as session:
            viewer = Viewer(member=author)
            comment = threads_service.add_comment(
                session, viewer=viewer, thread_id=thread.id, data=CommentCreate(body=body), policy=ScreeningPolicy()
            )
            if deleted:
                comment = threads_service.delete_comment(session, viewer=viewer, comment_id=comment.id)
            return comment

    def token(self, member: Member) -> str:
        with self.database.session(write=True) as session:
            return auth.open_session(session, member=member, kind=SessionKind.API, idle_days=30)

    def headers(self, member: Member | None) -> dict[str, str]:
        """API headers for a member, or none for a visitor."""
        return {"Authorization": f"Bearer {self.token(member)}"} if member else {}

    def login(self, client: TestClient, member: Member, password: str = PASSWORD) -> TestClient:
        """Log a browser in through the login form."""
        response = post_form(client, "/login", {"email": member.email, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        return client
