"""Schema 0005: each case's special statuses, filled for the cases already there, and their indexes."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
from sqlalchemy import insert, inspect, select

from app.db import HEAD_REVISION
from app.models import CompactCase, WarrantStatusRecord
from app.models.special_status import SpecialStatus, statuses_in
from app.services.users import system_actor
from tests.factories import make_offender
from tests.integration.test_migration_0002 import _alembic, database_at
from tests.integration.test_migration_0003 import _case_as_0002_stores_it

S = SpecialStatus
INDEXES = {"ix_compact_case_sending_status_special", "ix_compact_case_receiving_status_special"}
_numbers = count(1)


@pytest.fixture
def database_at_0004(tmp_path):
    with database_at(tmp_path, "0004") as database:
        yield database


def _warrant(session, offender_id: int, status: str) -> None:
    """Written past the ORM, whose flush keeps a column 0004 does not have yet."""
    session.execute(
        insert(WarrantStatusRecord.__table__).values(
            warrant_status_id=f"M{next(_numbers):07d}",
            offender_id=offender_id,
            status=status,
            issued_date=date(2025, 1, 2),
            issuing_authority="Judge Dredd",
            created_by="test",
            updated_by="test",
            version=1,
        )
    )


def test_upgrading_fills_the_special_statuses_of_every_case(database_at_0004):
    database = database_at_0004
    with database.read() as session:
        actor = system_actor(session)
    with database.unit_of_work(actor) as session:
        flagged = make_offender(session, sex_offender=True, history_of_assault=True).id
        wanted = make_offender(session).id
        _warrant(session, wanted, "Active")
        _warrant(session, wanted, "Executed")
        served = make_offender(session, victim_sensitive=True).id
        _warrant(session, served, "Executed")
        plain = make_offender(session).id
        cases = {
            "flagged": _case_as_0002_stores_it(session, flagged, "C-1"),
            "flagged again": _case_as_0002_stores_it(session, flagged, "C-2"),
            "wanted": _case_as_0002_stores_it(session, wanted, "C-3"),
            "served": _case_as_0002_stores_it(session, served, "C-4"),
            "plain": _case_as_0002_stores_it(session, plain, "C-5"),
        }

    database.migrate()

    assert database.current_revision() == HEAD_REVISION
    with database.read() as session:
        stored = dict(session.execute(select(CompactCase.id, CompactCase.special_statuses)).all())
    assert {name: statuses_in(stored[case_id]) for name, case_id in cases.items()} == {
        "flagged": (S.SEX_OFFENDER, S.HISTORY_OF_ASSAULT),
        "flagged again": (S.SEX_OFFENDER, S.HISTORY_OF_ASSAULT),
        "wanted": (S.ACTIVE_WARRANT,),
        "served": (S.VICTIM_SENSITIVE,),
        "plain": (),
    }
    indexes = {index["name"] for index in inspect(database.engine).get_indexes("compact_case")}
    assert indexes >= INDEXES


def test_downgrading_to_0004_takes_the_column_and_its_indexes_away(database_at_0004):
    database = database_at_0004
    database.migrate()
    _alembic(database, "downgrade", "0004")
    inspector = inspect(database.engine)
    assert "special_statuses" not in {c["name"] for c in inspector.get_columns("compact_case")}
    assert not INDEXES & {index["name"] for index in inspector.get_indexes("compact_case")}
    assert "ix_compact_case_next_due" in {i["name"] for i in inspector.get_indexes("compact_case")}
