"""What start-up does before Qt is imported: it opens the database and, for a password given on the
command line, starts checking it and counting the list on threads while Qt loads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.errors import DatabaseUnavailable
from app.core.permissions import Actor
from app.core.security import verify_password
from app.core.settings import resolve_database_url
from app.db import Database
from app.services import core_reads


def open_database(url: str) -> Database:
    """Raises DatabaseUnavailable (or DatabaseTooNew) with a message fit to show."""
    database = Database(url)
    try:
        database.migrate()
    except BaseException:
        database.dispose()
        raise
    return database


class Background:
    """Runs one function on a plain thread and hands back its result or raises its exception."""

    def __init__(self, function: Callable[[], Any]):
        self._outcome: tuple[bool, Any] = (False, RuntimeError("not finished"))

        def run() -> None:
            try:
                self._outcome = (True, function())
            except BaseException as exc:  # re-raised on the caller's thread by result()
                self._outcome = (False, exc)

        self._thread = threading.Thread(target=run, name="start-up", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        self._thread.join()
        succeeded, value = self._outcome
        if not succeeded:
            raise value
        return value


class PasswordCheck:
    """The account a password given at start names, its check by argon2 and the whole list's count,
    both on threads: argon2 and the database driver release the GIL, so they overlap with Qt's
    import and the main window's construction."""

    def __init__(self, database: Database, username: str, password: str):
        self.username = username
        with database.read_connection() as connection:
            self.candidate = core_reads.sign_in_candidate(connection, username)
        candidate = self.candidate
        self._counting = Background(
            lambda: _count_whole_list(database, candidate.actor) if candidate is not None else None
        )
        self._checking = Background(
            lambda: candidate is not None and verify_password(candidate.password_hash, password)
        )

    def offender_count(self) -> tuple[int, bool] | None:
        """The whole list's count, or None when it failed (the list then counts and says why)."""
        return self._counting.result()

    def password_is_right(self) -> bool:
        return self._checking.result()


@dataclass(frozen=True)
class Start:
    """The opened database or why it could not be opened; the password check when one was given."""

    database: Database | None
    refusal: DatabaseUnavailable | None = None
    password_check: PasswordCheck | None = None


def begin(
    database_url: str | None,
    sign_in_as: str | None,
    password: str | None,
    opener: Callable[[str], Database] = open_database,
) -> Start:
    try:
        database = opener(resolve_database_url(database_url))
    except DatabaseUnavailable as exc:
        return Start(None, refusal=exc)
    if not sign_in_as or password is None:
        return Start(database)
    try:
        return Start(database, password_check=PasswordCheck(database, sign_in_as, password))
    except BaseException:
        database.dispose()
        raise


def _count_whole_list(database: Database, actor: Actor) -> tuple[int, bool] | None:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with database.read_connection() as connection:
            return core_reads.count_whole_list(connection, actor), False
    except SQLAlchemyError:
        return None
