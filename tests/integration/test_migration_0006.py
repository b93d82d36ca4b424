"""Schema 0006: the approval queue's index in place of one no query read, and transmitted copies
that the database itself refuses to change (a copy may still go with its activity)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from app.core.vocabulary import ActivityType
from app.db import HEAD_REVISION, Database
from app.models import Activity, TransmittedCopy
from app.models.base import utcnow
from tests.factories import make_activity, make_case, make_offender
from tests.integration.test_migration_0002 import _alembic, database_at


def _copy(session) -> TransmittedCopy:
    case = make_case(session, make_offender(session))
    activity = make_activity(session, case, type=ActivityType.DISCRETIONARY_RETAKE)
    copy = TransmittedCopy(
        activity_id=activity.id, transmitted_at=utcnow(), content={"reason": "as sent"}, pdf=b"%P"
    )
    session.add(copy)
    session.flush()
    return copy


def test_a_transmitted_copy_cannot_be_changed_but_goes_with_its_activity(db, system):
    with db.unit_of_work(system) as session:
        copy = _copy(session)
        activity_id = copy.activity_id
        table = TransmittedCopy.__table__
        for values in ({"content": {"reason": "rewritten"}}, {"pdf": b"%PDF-forged"}):
            refused = pytest.raises(DBAPIError, match="kept as sent; it cannot be changed")
            with refused, session.begin_nested():
                session.execute(
                    update(table).where(table.c.activity_id == activity_id).values(**values)
                )
        assert session.execute(
            select(table.c.content, table.c.pdf).where(table.c.activity_id == activity_id)
        ).one() == ({"reason": "as sent"}, b"%P")
        session.expunge(copy)
        # ON DELETE CASCADE takes the copy with the activity (the ORM leaves it to the database).
        session.execute(delete(Activity.__table__).where(Activity.id == activity_id))
        assert session.get(TransmittedCopy, activity_id) is None


@pytest.fixture
def database_at_0005(tmp_path):
    with database_at(tmp_path, "0005") as database:
        yield database


def _activity_indexes(database: Database) -> set[str]:
    return {index["name"] for index in inspect(database.engine).get_indexes("activity")}


def test_upgrading_swaps_the_index_and_downgrading_puts_everything_back(database_at_0005):
    database = database_at_0005
    assert "ix_activity_status_due" in _activity_indexes(database)
    database.migrate()
    assert database.current_revision() == HEAD_REVISION
    indexes = _activity_indexes(database)
    assert "ix_activity_status_from_submitted" in indexes
    assert "ix_activity_status_due" not in indexes

    _alembic(database, "downgrade", "0005")
    indexes = _activity_indexes(database)
    assert "ix_activity_status_due" in indexes
    assert "ix_activity_status_from_submitted" not in indexes
    with database.engine.begin() as connection:
        if database.dialect == "sqlite":
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = :name"
        else:
            query = "SELECT count(*) FROM pg_trigger WHERE tgname = :name"
        assert connection.scalar(text(query), {"name": "transmitted_copy_kept_as_sent"}) == 0
