"""The Warrants dashboard's counts: what each measure counts, this month's bounds, the state's rows
for a state user and every state for the National Office, each record once in the total."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.core.jurisdictions import MEMBER_CODES
from app.core.vocabulary import Role, WarrantStatus
from app.models import WarrantStatusRecord
from app.services.users import actor_from_user
from app.services.warrant_dashboard import WarrantCounts, month_bounds, warrant_dashboard
from tests.factories import make_case, make_offender, make_user

TODAY = date(2026, 11, 30)
_numbers = itertools.count(1)


def _record(session, offender, **values) -> None:
    defaults = dict(
        warrant_status_id=f"WS-D{next(_numbers)}",
        offender_id=offender.id,
        status=WarrantStatus.ACTIVE,
        issued_date=date(2026, 10, 1),
        issuing_authority="District Court",
        ncic_entry_date=date(2026, 10, 2),
        created_by="test",
        updated_by="test",
    )
    defaults.update(values)
    session.add(WarrantStatusRecord(**defaults))


@pytest.fixture
def records(db, system):
    """A TX-VA profile: two complete actives, one without NCIC entry, one with a blank authority,
    one served this month, one served last month, one withdrawn this month. An OH-VA profile:
    one active without NCIC entry."""
    with db.unit_of_work(system) as session:
        texan = make_offender(session, created_by_state="TX")
        make_case(session, texan, sending_state="TX", receiving_state="VA")
        _record(session, texan)
        _record(session, texan, issuing_authority="Parole Board")
        _record(session, texan, ncic_entry_date=None)
        _record(session, texan, issuing_authority=" ")
        _record(session, texan, status=WarrantStatus.EXECUTED, served_date=date(2026, 11, 1))
        _record(session, texan, status=WarrantStatus.EXECUTED, served_date=date(2026, 10, 31))
        _record(session, texan, status=WarrantStatus.WITHDRAWN, withdrawn_date=date(2026, 11, 30),
                ncic_entry_date=None)  # fmt: skip
        other = make_offender(session, created_by_state="OH")
        make_case(session, other, sending_state="OH", receiving_state="VA")
        _record(session, other, ncic_entry_date=None)
        users = {
            state: actor_from_user(make_user(session, state=state, roles=(role,)))
            for state, role in (("TX", Role.OFFICER), ("VA", Role.COMPACT_OFFICE),
                                ("CA", Role.OFFICER), ("NO", Role.NATIONAL_OFFICE))
        }  # fmt: skip
    return users


def test_month_bounds_cover_december_and_leap_february():
    assert month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert month_bounds(date(2028, 2, 29)) == (date(2028, 2, 1), date(2028, 3, 1))


def test_a_state_user_sees_their_state_only(db, records):
    with db.read() as session:
        board = warrant_dashboard(session, records["TX"], TODAY)
    assert board.month == date(2026, 11, 1)
    texas = WarrantCounts("TX", active=4, incomplete=2, awaiting_ncic=1, served_this_month=1,
                          withdrawn_this_month=1)  # fmt: skip
    assert board.states == (texas,)
    assert board.total == WarrantCounts("", 4, 2, 1, 1, 1)


def test_the_receiving_state_counts_the_records_of_its_profiles_too(db, records):
    with db.read() as session:
        board = warrant_dashboard(session, records["VA"], TODAY)
    assert board.states == (WarrantCounts("VA", 5, 3, 2, 1, 1),)


def test_a_state_without_records_shows_zeros(db, records):
    with db.read() as session:
        board = warrant_dashboard(session, records["CA"], TODAY)
    assert board.states == (WarrantCounts("CA"),) and board.total == WarrantCounts("")


def test_the_national_office_sees_every_state_and_each_record_once_in_the_total(db, records):
    with db.read() as session:
        board = warrant_dashboard(session, records["NO"], TODAY)
    assert [row.state for row in board.states] == list(MEMBER_CODES)
    by_state = {row.state: row for row in board.states}
    assert by_state["TX"] == WarrantCounts("TX", 4, 2, 1, 1, 1)
    assert by_state["OH"] == WarrantCounts("OH", 1, 1, 1, 0, 0)
    assert by_state["VA"] == WarrantCounts("VA", 5, 3, 2, 1, 1)
    assert by_state["CA"] == WarrantCounts("CA")
    assert board.total == WarrantCounts("", 5, 3, 2, 1, 1)


def test_next_month_the_closures_are_no_longer_counted(db, records):
    with db.read() as session:
        board = warrant_dashboard(session, records["TX"], date(2026, 12, 1))
    assert board.states == (WarrantCounts("TX", 4, 2, 1, 0, 0),)
