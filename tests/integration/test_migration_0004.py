"""Schema 0004: the deadline rules and the reminder schedule seeded, the reminders' index, and back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import func, inspect, select

from app.db import Database
from tests.conftest import fresh_database_url
from tests.integration.test_migration_0002 import _alembic

NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)

# The tables as 0003 has them (the models may have more columns since).
_offender = sa.table(
    "offender",
    *(sa.column(name) for name in (
        "id", "offender_number", "last_name", "first_name", "last_name_key", "first_name_key",
        "sex_offender", "victim_sensitive", "history_of_assault", "confidential",
        "created_by_state", "version", "created_at", "updated_at",
    )),
)  # fmt: skip
_case = sa.table(
    "compact_case",
    *(sa.column(name) for name in (
        "id", "case_number", "offender_id", "sending_state", "receiving_state",
        "supervision_type", "status", "tolling", "legacy", "version", "created_at", "updated_at",
    )),
)  # fmt: skip
_activity = sa.table(
    "activity",
    *(sa.column(name) for name in (
        "id", "activity_number", "case_id", "type", "from_state", "to_state", "status",
        "transmitted_at", "due_date", "deadline_rule_id", "version", "created_at", "updated_at",
    )),
    sa.column("content", sa.JSON),
)  # fmt: skip
_deadline_rule = sa.table("deadline_rule", sa.column("id"), sa.column("rule_key"))


@pytest.fixture
def database_at_0003(tmp_path):
    with fresh_database_url(tmp_path, "old.sqlite3") as url:
        database = Database(url)
        _alembic(database, "upgrade", "0003")
        with database.engine.begin() as connection:
            connection.execute(
                _offender.insert().values(
                    id=1, offender_number="T0000001", last_name="Doe", first_name="Jane",
                    last_name_key="DOE", first_name_key="JANE", sex_offender=False,
                    victim_sensitive=False, history_of_assault=False, confidential=False,
                    created_by_state="TX", version=1, created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
            connection.execute(
                _case.insert().values(
                    id=1, case_number="C-1", offender_id=1, sending_state="TX",
                    receiving_state="VA", supervision_type="parole", status="pending",
                    tolling=False, legacy=False, version=1, created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
            connection.execute(
                _activity.insert().values(
                    id=1, activity_number="A-1", case_id=1, type="transfer_request",
                    from_state="TX", to_state="VA", status="transmitted", transmitted_at=NOW,
                    due_date=date(2026, 4, 16), content={}, version=1, created_at=NOW,
                    updated_at=NOW,
                )
            )  # fmt: skip
        yield database
        database.dispose()


def _count(connection, table: str) -> int:
    return connection.scalar(select(func.count()).select_from(sa.table(table)))


def test_upgrading_seeds_the_rules_and_the_reminders(database_at_0003):
    database = database_at_0003
    _alembic(database, "upgrade", "0004")
    with database.engine.connect() as connection:
        keys = set(connection.scalars(select(_deadline_rule.c.rule_key)))
        assert _count(connection, "deadline_rule") == 20
        assert _count(connection, "reminder_rule") == 14
        assert _count(connection, "activity") == 1
    assert {"transfer_reply", "discretionary_retake_notice", "living_in_rs_rfri"} <= keys
    indexes = {index["name"] for index in inspect(database.engine).get_indexes("activity")}
    assert "ix_activity_type_transmitted" in indexes


def test_downgrading_to_0003_takes_the_seeds_away_and_keeps_the_due_dates(database_at_0003):
    database = database_at_0003
    _alembic(database, "upgrade", "0004")
    with database.engine.begin() as connection:
        rule_id = connection.scalar(
            select(_deadline_rule.c.id).where(_deadline_rule.c.rule_key == "transfer_reply")
        )
        connection.execute(_activity.update().values(deadline_rule_id=rule_id))
    _alembic(database, "downgrade", "0003")
    inspector = inspect(database.engine)
    assert "reminder_rule" not in inspector.get_table_names()
    assert "ix_activity_type_transmitted" not in {
        i["name"] for i in inspector.get_indexes("activity")
    }
    with database.engine.connect() as connection:
        assert _count(connection, "deadline_rule") == 0
        row = connection.execute(select(_activity.c.deadline_rule_id, _activity.c.due_date)).one()
    assert row.deadline_rule_id is None
    assert str(row.due_date) == "2026-04-16"


def test_a_reminder_is_unique_per_type_offset_and_unit(database_at_0003):
    database = database_at_0003
    _alembic(database, "upgrade", "0004")
    reminder_rule = sa.table(
        "reminder_rule", sa.column("activity_type"), sa.column("offset"), sa.column("unit"),
        sa.column("label"),
    )  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
        connection.execute(
            reminder_rule.insert().values(
                activity_type="transfer_request", offset=30, unit="calendar", label="again"
            )
        )
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
        connection.execute(
            reminder_rule.insert().values(
                activity_type="no_such_type", offset=3, unit="calendar", label="x"
            )
        )
