"""Engine, sessions, units of work and schema migration for SQLite (embedded) and PostgreSQL (server)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from app.core.errors import ConcurrencyConflict, DatabaseTooNew, DatabaseUnavailable
from app.core.permissions import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

# The newest schema revision this code knows; a test checks it against the migration scripts.
HEAD_REVISION = "0006"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Written by a bulk load that set indexes and triggers aside (app.services.demo_data).
BULK_LOAD_PENDING_KEY = "demo_data.deferred_schema"


def describe_url(url: URL | str) -> str:
    """The URL as it may be shown or logged: never with its password."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparseable database URL>"
    if parsed.get_backend_name() == "sqlite":
        return f"embedded database {parsed.database or ':memory:'}"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"server {host}{port}, database {parsed.database or '?'}"


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    # The sqlite3 module would otherwise open transactions itself, lazily, and a SAVEPOINT outside
    # its transaction commits on RELEASE; SQLAlchemy's documented fix: we say BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    cursor.close()


def _begin_sqlite_transaction(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _check_sqlite_file(path: Path) -> None:
    if path.exists():
        if not os.access(path, os.R_OK):
            raise DatabaseUnavailable(
                f"The database file {path} cannot be read (permission denied)."
            )
        if not os.access(path, os.W_OK):
            raise DatabaseUnavailable(
                f"The database file {path} is read-only. Give your account write permission on it, "
                "or copy it to a folder you can write to and open the copy."
            )
        with path.open("rb") as handle:
            header = handle.read(16)
        if header and header != b"SQLite format 3\x00":
            raise DatabaseUnavailable(
                f"The file {path} is not a database (or it is damaged). Nothing was changed; "
                "restore it from a backup or choose another file."
            )
    elif not path.parent.exists():
        raise DatabaseUnavailable(f"The folder {path.parent} for the database file does not exist.")
    elif not os.access(path.parent, os.W_OK):
        raise DatabaseUnavailable(f"The folder {path.parent} cannot be written to.")


def make_engine(url_text: str) -> Engine:
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise DatabaseUnavailable(
            "The database URL is not valid. Use sqlite:///PATH for a file or "
            "postgresql+psycopg://USER@HOST:PORT/DATABASE for a server."
        ) from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_file(url)
        if path is not None:
            _check_sqlite_file(path)
        engine = create_engine(url, connect_args={"timeout": 5})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        try:
            return create_engine(
                url,
                pool_pre_ping=True,
                connect_args={"application_name": "compact-office", "connect_timeout": 5},
            )
        except NoSuchModuleError as exc:
            raise DatabaseUnavailable(
                f"No driver for {url.drivername}; use postgresql+psycopg."
            ) from exc
    raise DatabaseUnavailable(
        f"Unsupported database '{backend}'. Use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB."
    )


def explain_connection_error(url: URL | str, exc: BaseException) -> str:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else ""
    if "file is not a database" in detail or "malformed" in detail:
        return f"The {describe_url(url)} is damaged or is not a database. Nothing was changed."
    if "readonly" in detail or "read-only" in detail:
        return f"The {describe_url(url)} is read-only."
    return f"Cannot open the {describe_url(url)}: {detail}"


class Database:
    """One engine and one session factory per process."""

    def __init__(self, url_text: str):
        self.engine = make_engine(url_text)
        self.url = self.engine.url

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        # Made on the first session: the ORM and the entity classes take longer to import than the
        # rest of start-up, which opens, checks and reads the database with Core (`read_connection`).
        from sqlalchemy.orm import sessionmaker

        from app.models.audit import AuditedSession

        return sessionmaker(self.engine, class_=AuditedSession, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def description(self) -> str:
        return describe_url(self.url)

    @contextmanager
    def unit_of_work(self, actor: Actor | None) -> Iterator[Session]:
        """Commits on success, rolls back on any error; stale writes become ConcurrencyConflict.

        `actor` is None only for signing in, where the service names the actor once it is known.
        """
        session = self.session_factory()
        from sqlalchemy.orm.exc import StaleDataError  # the ORM, as `session_factory` says

        if actor is not None:
            session.info["actor"] = actor
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise ConcurrencyConflict(
                "Somebody else saved this record after you opened it. Nothing of yours was "
                "written; reload it to see their changes."
            ) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only session (no actor needed; flushing changes through it is refused)."""
        session = self.session_factory()
        try:
            yield session
        finally:
            # close() ends the transaction without expiring what was read, so rows stay usable.
            session.close()

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A short read in SQLAlchemy Core, for what runs before the ORM is imported."""
        with self.engine.connect() as connection:
            yield connection

    def check_connection(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                if self.dialect == "sqlite":
                    connection.exec_driver_sql("PRAGMA schema_version").scalar()
        except (OperationalError, DBAPIError) as exc:
            raise DatabaseUnavailable(explain_connection_error(self.url, exc)) from exc

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                tables = inspect(connection).get_table_names()
                if tables:
                    raise DatabaseUnavailable(
                        f"The {self.description} holds tables of another program "
                        f"({', '.join(sorted(tables)[:3])}…); it is not a Compact Office database."
                    )
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> str | None:
        """Brings the schema to HEAD_REVISION; returns the path of the backup made first, if any."""
        self.check_connection()
        try:
            current = self.current_revision()
        except (OperationalError, DBAPIError) as exc:
            raise DatabaseUnavailable(explain_connection_error(self.url, exc)) from exc
        if current == HEAD_REVISION:
            self._finish_interrupted_bulk_load()
            return None
        if current is not None and current not in KNOWN_REVISIONS:
            raise DatabaseTooNew(
                f"The {self.description} was written by a newer version of Compact Office "
                f"(schema {current}; this version knows up to {HEAD_REVISION}). Install the newer "
                "version; nothing was changed."
            )
        backup = self._backup_before_upgrade(current) if current is not None else None
        self._run_alembic_upgrade()
        self._finish_interrupted_bulk_load()
        return backup

    def _finish_interrupted_bulk_load(self) -> None:
        """A bulk load sets indexes and triggers aside and notes it; if it was killed, put them back."""
        with self.engine.connect() as connection:
            pending = connection.execute(
                text("SELECT 1 FROM setting WHERE key = :key"), {"key": BULK_LOAD_PENDING_KEY}
            ).first()
        if pending is not None:
            from app.services.demo_data import restore_interrupted_load

            restore_interrupted_load(self)

    def _backup_before_upgrade(self, current: str) -> str | None:
        path = _sqlite_file(self.url) if self.dialect == "sqlite" else None
        if path is None or not path.exists():
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.name}.before-{HEAD_REVISION}-from-{current}-{stamp}.bak")
        # The backup API copies a consistent image even with a WAL file beside the database.
        with sqlite3.connect(path) as source, sqlite3.connect(target) as destination:
            source.backup(destination)
        return str(target)

    def _run_alembic_upgrade(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        sqlite = self.dialect == "sqlite"
        with self.engine.connect() as connection:
            if sqlite:
                # SQLite changes a table by copying it and dropping the original, and with foreign
                # keys on that drop deletes the rows of every child table (ON DELETE CASCADE). The
                # pragma is ignored inside a transaction, so it goes to the driver before BEGIN.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if sqlite:
                        self._refuse_broken_references(connection)
            finally:
                if sqlite:
                    connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")

    def _refuse_broken_references(self, connection) -> None:
        """With the checks off during the upgrade, look once before committing it."""
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
        if broken is not None:
            raise DatabaseUnavailable(
                f"Upgrading the {self.description} would leave rows of {broken[0]} pointing at "
                f"missing rows of {broken[2]}; nothing was changed."
            )

    def dispose(self) -> None:
        self.engine.dispose()
