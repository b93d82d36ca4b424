"""Two users adding activities to the same case at the same moment: the case's next due date is
right afterwards on both databases (on PostgreSQL each transaction would otherwise compute it
from its own snapshot and the later one store a stale date)."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app.core.vocabulary import ActivityStatus, ActivityType
from app.db import Database
from app.models import Activity, CompactCase
from app.services import users
from tests.conftest import fresh_database_url
from tests.factories import make_case, make_offender


@pytest.fixture
def database(tmp_path):
    with fresh_database_url(tmp_path, "race.sqlite3") as url:
        created = Database(url)
        created.migrate()
        yield created
        created.dispose()


def transmitted(case_id: int, number: str, due: date) -> Activity:
    return Activity(activity_number=number, case_id=case_id, type=ActivityType.TRANSFER_REQUEST,
                    from_state="TX", to_state="VA", status=ActivityStatus.TRANSMITTED,
                    due_date=due)  # fmt: skip


def test_the_earliest_due_date_wins_when_two_transactions_overlap(database):
    with database.read() as session:
        system = users.system_actor(session)
    with database.unit_of_work(system) as session:
        case_id = make_case(session, make_offender(session)).id

    first_flushed, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            first_flushed.wait(10)
            with database.unit_of_work(system) as session:
                # Later than the first transaction's date: alone it would make the case due then.
                session.add(transmitted(case_id, "R2", date(2027, 3, 1)))
                session.flush()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            second_done.set()

    worker = threading.Thread(target=second)
    worker.start()
    with database.unit_of_work(system) as session:
        session.add(transmitted(case_id, "R1", date(2027, 1, 15)))
        session.flush()
        first_flushed.set()
        # The second transaction is now writing the same case and must wait for this one.
        assert not second_done.wait(0.5)
    worker.join(20)
    assert errors == []
    with database.read() as session:
        assert session.get(CompactCase, case_id).next_due_date == date(2027, 1, 15)


def test_two_new_cases_of_one_profile_at_once_link_both_receiving_states(database):
    from sqlalchemy import select

    from app.models import OffenderLink
    from app.services.links import refresh_links

    with database.read() as session:
        system = users.system_actor(session)
    with database.unit_of_work(system) as session:
        offender_id = make_offender(session, created_by_state="TX").id

    first_flushed, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def new_case(receiving: str, number: str) -> None:
        with database.unit_of_work(system) as session:
            session.add(CompactCase(case_number=number, offender_id=offender_id, sending_state="TX",
                                    receiving_state=receiving, supervision_type="parole"))  # fmt: skip
            session.flush()
            refresh_links(session, [offender_id])
            if receiving == "VA":
                first_flushed.set()
                assert not second_done.wait(0.5)

    def second() -> None:
        try:
            first_flushed.wait(10)
            new_case("OH", "C-OH")
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            second_done.set()

    worker = threading.Thread(target=second)
    worker.start()
    new_case("VA", "C-VA")
    worker.join(20)
    assert errors == []
    with database.read() as session:
        states = session.scalars(
            select(OffenderLink.jurisdiction_code).where(OffenderLink.offender_id == offender_id)
        ).all()
    assert sorted(states) == ["OH", "TX", "VA"]
