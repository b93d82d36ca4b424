"""Schema 0002: form drafts, and 'both' as a supervision type, upgraded from 0001 without losing rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from app.core.errors import DatabaseUnavailable
from app.core.vocabulary import SupervisionType
from app.db import HEAD_REVISION, MIGRATIONS_DIR, Database
from app.models import CaseInterest, CompactCase, load_all
from app.services.users import system_actor
from tests.conftest import fresh_database_url
from tests.factories import make_case, make_offender


def _alembic(database: Database, verb: str, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    sqlite = database.dialect == "sqlite"
    with database.engine.connect() as connection:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        with connection.begin():
            config.attributes["connection"] = connection
            getattr(command, verb)(config, target)
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


@contextmanager
def database_at(folder, revision: str) -> Iterator[Database]:
    """A new database of the kind under test, with the schema of an older revision."""
    with fresh_database_url(folder, "old.sqlite3") as url:
        database = Database(url)
        try:
            _alembic(database, "upgrade", revision)
            yield database
        finally:
            database.dispose()


@pytest.fixture
def database_at_0001(tmp_path):
    with database_at(tmp_path, "0001") as database:
        yield database


def _counts(database: Database) -> tuple[int, int]:
    with database.read() as session:
        return (
            session.scalar(select(func.count()).select_from(CompactCase)),
            session.scalar(select(func.count()).select_from(CaseInterest)),
        )


def _case_as_0001_stores_it(session, offender, supervision_type: str = "parole") -> None:
    """A case and both states' interests, in the columns 0001 has (the model has more since)."""
    case_id = session.execute(
        insert(CompactCase.__table__)
        .values(
            case_number="C-0001",
            offender_id=offender.id,
            sending_state="TX",
            receiving_state="VA",
            supervision_type=supervision_type,
        )
        .returning(CompactCase.__table__.c.id)
    ).scalar_one()
    session.execute(
        insert(CaseInterest.__table__),
        [
            {"case_id": case_id, "jurisdiction_code": "TX", "side": "sending"},
            {"case_id": case_id, "jurisdiction_code": "VA", "side": "receiving"},
        ],
    )


def test_upgrading_keeps_the_rows_that_point_at_cases(database_at_0001):
    database = database_at_0001
    with database.read() as session:
        actor = system_actor(session)
    with database.unit_of_work(actor) as session:
        _case_as_0001_stores_it(session, make_offender(session))
    assert _counts(database) == (1, 2)

    database.migrate()

    assert database.current_revision() == HEAD_REVISION
    # SQLite rebuilds compact_case; with foreign keys on, dropping the old copy would have
    # cascaded to every case's interests.
    assert _counts(database) == (1, 2)
    assert "form_draft" in inspect(database.engine).get_table_names()
    if database.dialect == "sqlite":
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_both_is_a_supervision_type_after_upgrading(database_at_0001):
    database = database_at_0001
    database.migrate()
    with database.read() as session:
        actor = system_actor(session)
    with database.unit_of_work(actor) as session:
        case = make_case(session, make_offender(session), supervision_type=SupervisionType.BOTH)
        case_id = case.id
    with database.read() as session:
        assert session.get(CompactCase, case_id).supervision_type is SupervisionType.BOTH
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(
            text("UPDATE compact_case SET supervision_type = 'neither' WHERE id = :id"),
            {"id": case_id},
        )


def test_downgrading_to_0001_takes_both_away_again(database_at_0001):
    database = database_at_0001
    database.migrate()
    _alembic(database, "downgrade", "0001")
    assert "form_draft" not in inspect(database.engine).get_table_names()
    with database.read() as session:
        actor = system_actor(session)
    with pytest.raises(IntegrityError), database.unit_of_work(actor) as session:
        _case_as_0001_stores_it(session, make_offender(session), SupervisionType.BOTH.value)


# Made by hand in 0001 (raw SQL), so the models do not declare them.
_RAW_SQL_OBJECTS = ("offender_name_fts", "ix_offender_name_full_key_trgm")


def _declared(obj, name, type_, reflected, compare_to) -> bool:
    return not (name or "").startswith(_RAW_SQL_OBJECTS)


def test_the_migrated_schema_is_the_one_the_models_declare(tmp_path):
    with fresh_database_url(tmp_path, "head.sqlite3") as url:
        database = Database(url)
        database.migrate()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _declared}
            )
            differences = compare_metadata(context, load_all())
        database.dispose()
    assert differences == []


def test_an_upgrade_that_would_leave_broken_references_is_not_committed(database_at_0001):
    database = database_at_0001
    if database.dialect != "sqlite":
        pytest.skip("the server checks references itself, row by row")
    with database.engine.connect() as connection:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        connection.connection.driver_connection.execute(
            "INSERT INTO case_interest (case_id, jurisdiction_code, side, registered_at) "
            "VALUES (424242, 'TX', 'sending', '2026-01-01')"
        )
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    with pytest.raises(DatabaseUnavailable, match="case_interest pointing at missing rows"):
        database.migrate()
    assert database.current_revision() == "0001"
    assert "form_draft" not in inspect(database.engine).get_table_names()
