"""Schema 0003: each case's next due date, filled for the cases already there, and its indexes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

import pytest
from sqlalchemy import insert, inspect, select

from app.db import HEAD_REVISION
from app.models import Activity, CaseInterest, CompactCase
from app.services.users import system_actor
from tests.factories import make_offender
from tests.integration.test_migration_0002 import _alembic, database_at

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
_numbers = count(1)


@pytest.fixture
def database_at_0002(tmp_path):
    with database_at(tmp_path, "0002") as database:
        yield database


def _case_as_0002_stores_it(session, offender_id: int, number: str) -> int:
    """A case in the columns 0002 has (the model has more since)."""
    case_id = session.execute(
        insert(CompactCase.__table__)
        .values(
            case_number=number,
            offender_id=offender_id,
            sending_state="TX",
            receiving_state="VA",
            supervision_type="parole",
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
    return case_id


def _activity(session, case_id: int, status: str, due: date | None, reply_to=None) -> int:
    """Written past the ORM, whose flush keeps a column 0002 does not have yet."""
    return session.execute(
        insert(Activity.__table__)
        .values(
            activity_number=f"M{next(_numbers):07d}",
            case_id=case_id,
            type="progress_report",
            from_state="TX",
            to_state="VA",
            status=status,
            due_date=due,
            reply_to_id=reply_to,
            content={},
            version=1,
            created_at=NOW,
            updated_at=NOW,
        )
        .returning(Activity.__table__.c.id)
    ).scalar_one()


def test_upgrading_fills_the_next_due_date_of_every_case(database_at_0002):
    database = database_at_0002
    with database.read() as session:
        actor = system_actor(session)
    with database.unit_of_work(actor) as session:
        offender_id = make_offender(session).id
        waiting = _case_as_0002_stores_it(session, offender_id, "C-1")
        _activity(session, waiting, "transmitted", date(2026, 4, 9))
        _activity(session, waiting, "transmitted", date(2026, 4, 2))
        _activity(session, waiting, "draft", date(2026, 3, 20))
        answered = _case_as_0002_stores_it(session, offender_id, "C-2")
        request = _activity(session, answered, "transmitted", date(2026, 3, 5))
        _activity(session, answered, "transmitted", None, reply_to=request)
        drafted_reply = _case_as_0002_stores_it(session, offender_id, "C-3")
        request = _activity(session, drafted_reply, "transmitted", date(2026, 3, 7))
        _activity(session, drafted_reply, "draft", None, reply_to=request)
        quiet = _case_as_0002_stores_it(session, offender_id, "C-4")

    database.migrate()

    assert database.current_revision() == HEAD_REVISION
    with database.read() as session:
        stored = dict(session.execute(select(CompactCase.id, CompactCase.next_due_date)).all())
    assert stored == {
        waiting: date(2026, 4, 2),
        answered: None,
        drafted_reply: date(2026, 3, 7),
        quiet: None,
    }
    indexes = {index["name"] for index in inspect(database.engine).get_indexes("compact_case")}
    assert "ix_compact_case_next_due" in indexes
    assert "ix_compact_case_sending_status" not in indexes


def test_downgrading_to_0002_takes_the_column_away_and_puts_the_indexes_back(database_at_0002):
    database = database_at_0002
    database.migrate()
    _alembic(database, "downgrade", "0002")
    inspector = inspect(database.engine)
    assert "next_due_date" not in {c["name"] for c in inspector.get_columns("compact_case")}
    indexes = {index["name"] for index in inspector.get_indexes("compact_case")}
    assert {
        "ix_compact_case_sending_status",
        "ix_compact_case_receiving_status",
        "ix_compact_case_sending_assigned_user_id",
        "ix_compact_case_receiving_assigned_user_id",
    } <= indexes
    assert "ix_compact_case_next_due" not in indexes
