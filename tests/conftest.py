"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when
COMPACT_OFFICE_TEST_DATABASE_URL names a server), each test inside a transaction rolled back at the end."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from app.core.permissions import Actor
from app.db import Database
from app.models.audit import AuditedSession
from app.services import users

TEST_SERVER_ENV = "COMPACT_OFFICE_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Nothing a test does touches the real user folders or settings."""
    monkeypatch.setenv("COMPACT_OFFICE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("COMPACT_OFFICE_DATABASE_URL", raising=False)
    monkeypatch.delenv("COMPACT_OFFICE_PASSWORD", raising=False)


def create_server_database(server_url: str) -> tuple[str, callable]:
    """A fresh database on the test server; returns its URL and a function that drops it."""
    name = f"co_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url, drop


@contextmanager
def fresh_database_url(folder: Path, name: str) -> Iterator[str]:
    """An empty database of the kind under test: a new one on the server, or a new SQLite file."""
    server = os.environ.get(TEST_SERVER_ENV)
    if server:
        url, drop = create_server_database(server)
        try:
            yield url
        finally:
            drop()
    else:
        yield f"sqlite:///{folder / name}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    with fresh_database_url(tmp_path_factory.mktemp("db"), "test.sqlite3") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_database(database_url) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


class RolledBackDatabase(Database):
    """A Database whose sessions all join one outer transaction that the test rolls back."""

    def __init__(self, parent: Database, connection):
        self.engine = parent.engine
        self.url = parent.url
        self.connection = connection
        self.session_factory = sessionmaker(
            bind=connection,
            class_=AuditedSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    @contextmanager
    def read_connection(self) -> Iterator:
        # The test's own rows are visible on its connection only; the savepoint keeps a failed
        # read from ending the outer transaction on PostgreSQL.
        savepoint = self.connection.begin_nested()
        try:
            yield self.connection
        finally:
            savepoint.rollback()


@pytest.fixture
def db(migrated_database) -> Iterator[Database]:
    connection = migrated_database.engine.connect()
    transaction = connection.begin()
    try:
        yield RolledBackDatabase(migrated_database, connection)
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def system(db) -> Actor:
    with db.read() as session:
        return users.system_actor(session)


@pytest.fixture
def dialect(migrated_database) -> str:
    return migrated_database.dialect
