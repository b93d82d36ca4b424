"""The compact workload: scopes, filters, the overdue rule, state boundaries, sorting and paging."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.vocabulary import (
    ACTIVE_CASE_STATUSES,
    ActivityStatus,
    ActivityType,
    CaseStatus,
    Role,
    SupervisionType,
    WarrantStatus,
)
from app.models import Activity, CompactCase, Offender, WarrantStatusRecord
from app.services import workload
from app.services.users import actor_from_user
from app.services.workload import (
    SpecialStatus,
    WorkloadQuery,
    WorkloadScope,
    WorkloadSize,
    WorkloadSort,
    count_workload,
    iter_workload,
    workload_page,
    workload_size,
)
from tests.factories import make_activity, make_case, make_offender, make_user

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def add_activity(session, case, due, status=ActivityStatus.TRANSMITTED, reply_to=None, **values):
    return make_activity(
        session,
        case,
        type=ActivityType.PROGRESS_REPORT,
        status=status,
        due_date=None if due is None else TODAY + timedelta(days=due),
        reply_to_id=None if reply_to is None else reply_to.id,
        **values,
    )


def add_warrant(session, offender, status):
    session.add(
        WarrantStatusRecord(
            warrant_status_id=f"WSW{offender.id:07d}{status.value[:2]}",
            offender_id=offender.id,
            status=status,
            issued_date=date(2025, 1, 2),
            issuing_authority="Judge Dredd",
            created_by="test",
            updated_by="test",
        )
    )
    session.flush()


@pytest.fixture
def world(db, system):
    """Users of Texas, Virginia and Wyoming, the National Office, and eight cases between them."""
    with db.unit_of_work(system) as session:
        people = {}
        for username, state, role, full_name in (
            ("ann", "TX", Role.OFFICER, "Ann Archer"),
            ("bob", "VA", Role.OFFICER, "Bob Baker"),
            ("cy", "TX", Role.OFFICER, "Cy Cole"),
            ("wyatt", "WY", Role.OFFICER, "Wyatt Young"),
            ("nora", "NO", Role.NATIONAL_OFFICE, "Nora North"),
        ):
            user = make_user(session, f"wl.{username}", state=state, roles=(role,))
            user.full_name = full_name
            people[username] = user
        ann, bob, cy = people["ann"], people["bob"], people["cy"]

        nunez = make_offender(session, last_name="Núñez", first_name="José", sex_offender=True)
        adams = make_offender(session, last_name="Adams", first_name="Amy", victim_sensitive=True)
        zeller = make_offender(session, last_name="Zeller", first_name="Zed",
                               history_of_assault=True)  # fmt: skip
        miller = make_offender(session, last_name="Miller", first_name="Max")
        brown = make_offender(session, last_name="Brown", first_name="Ben")
        add_warrant(session, miller, WarrantStatus.ACTIVE)
        add_warrant(session, brown, WarrantStatus.EXECUTED)

        def new_case(number, offender, sending, receiving, status, supervision, sent_by, got_by):
            return make_case(
                session,
                offender,
                case_number=number,
                sending_state=sending,
                receiving_state=receiving,
                status=status,
                supervision_type=supervision,
                sending_assigned_user_id=sent_by.id if sent_by else None,
                receiving_assigned_user_id=got_by.id if got_by else None,
            )

        parole, probation = SupervisionType.PAROLE, SupervisionType.PROBATION
        cases = {
            "c1": new_case("C-0800", nunez, "TX", "VA", CaseStatus.PENDING, parole, ann, bob),
            "c2": new_case("C-0300", adams, "VA", "TX", CaseStatus.ACCEPTED, probation, bob, ann),
            "c3": new_case("C-0500", zeller, "TX", "OK", CaseStatus.REJECTED, probation, cy, None),
            "c4": new_case("C-0100", miller, "CA", "TX", CaseStatus.PENDING, parole, None, cy),
            "c5": new_case("C-0700", brown, "TX", "VA", CaseStatus.CLOSED, parole, ann, None),
            "c6": new_case("C-0200", adams, "CA", "VA", CaseStatus.PENDING, parole, None, None),
            "c7": new_case("C-0600", zeller, "VA", "TX", CaseStatus.WITHDRAWN, parole, None, ann),
            "c8": new_case("C-0400", nunez, "TX", "FL", CaseStatus.ACCEPTED, parole, ann, None),
        }
        # c1: due yesterday, unanswered: overdue.
        add_activity(session, cases["c1"], -1)
        # c2: the old one was answered; the next one is due in five days.
        answered = add_activity(session, cases["c2"], -10)
        add_activity(session, cases["c2"], None, reply_to=answered)
        add_activity(session, cases["c2"], 5)
        # c3: only a draft reply, which answers nothing yet: overdue.
        waiting = add_activity(session, cases["c3"], -3)
        add_activity(session, cases["c3"], None, status=ActivityStatus.DRAFT, reply_to=waiting)
        # c4: a draft is not awaiting anything; due today is not overdue yet.
        add_activity(session, cases["c4"], -20, status=ActivityStatus.DRAFT)
        add_activity(session, cases["c4"], 0)
        # c5: overdue, but the case is closed.
        add_activity(session, cases["c5"], -30)
        # c6: a withdrawn activity waits for nothing.
        add_activity(session, cases["c6"], -2, status=ActivityStatus.WITHDRAWN)
        actors = {name: actor_from_user(user) for name, user in people.items()}
        return {
            "actors": actors,
            "cases": {key: case.id for key, case in cases.items()},
            "users": {key: user.id for key, user in people.items()},
            "offenders": {"nunez": (nunez.id, nunez.offender_number)},
        }


def numbers(db, actor, query, **paging):
    with db.read() as session:
        return [row.case_number for row in workload_page(session, actor, query, **paging)]


def rows_by_number(db, actor, query):
    with db.read() as session:
        return {row.case_number: row for row in workload_page(session, actor, query, limit=100)}


ALL_STATUSES = frozenset(CaseStatus)
STATE = WorkloadScope.STATE
BY_NUMBER = WorkloadSort.CASE_NUMBER


def state_query(**values) -> WorkloadQuery:
    return WorkloadQuery(scope=STATE, sort=BY_NUMBER, **values)


# --- Scopes and state boundaries --------------------------------------------------------------------
def test_my_cases_are_those_i_am_assigned_to_on_either_side(db, world):
    ann = world["actors"]["ann"]
    query = WorkloadQuery(scope=WorkloadScope.MINE, sort=BY_NUMBER)
    assert numbers(db, ann, query) == ["C-0300", "C-0400", "C-0800"]
    historical_too = WorkloadQuery(scope=WorkloadScope.MINE, sort=BY_NUMBER, statuses=ALL_STATUSES)
    assert numbers(db, ann, historical_too) == ["C-0300", "C-0400", "C-0600", "C-0700", "C-0800"]


def test_my_states_workload_is_every_case_it_sends_or_receives(db, world):
    ann = world["actors"]["ann"]
    assert numbers(db, ann, state_query()) == ["C-0100", "C-0300", "C-0400", "C-0500", "C-0800"]
    with db.read() as session:
        assert count_workload(session, ann, state_query()) == 5


def test_a_user_of_an_unrelated_state_sees_nothing(db, world):
    wyatt = world["actors"]["wyatt"]
    for query in (state_query(), state_query(statuses=ALL_STATUSES),
                  WorkloadQuery(scope=WorkloadScope.MINE, statuses=ALL_STATUSES)):  # fmt: skip
        assert numbers(db, wyatt, query) == []
        with db.read() as session:
            assert count_workload(session, wyatt, query) == 0


def test_the_national_office_sees_every_state(db, world):
    nora = world["actors"]["nora"]
    assert numbers(db, nora, state_query()) == [
        "C-0100", "C-0200", "C-0300", "C-0400", "C-0500", "C-0800",
    ]  # fmt: skip
    # Nobody assigned the National Office user a case.
    assert numbers(db, nora, WorkloadQuery(scope=WorkloadScope.MINE)) == []


def test_the_system_account_has_no_cases_of_its_own(db, world, system):
    assert numbers(db, system, WorkloadQuery(scope=WorkloadScope.MINE)) == []
    with db.read() as session:
        assert count_workload(session, system, state_query(statuses=ALL_STATUSES)) == 8


# --- Filters ----------------------------------------------------------------------------------------
def test_historical_statuses_only_on_request(db, world):
    nora = world["actors"]["nora"]
    historical = frozenset({CaseStatus.WITHDRAWN, CaseStatus.CLOSED})
    assert numbers(db, nora, state_query(statuses=historical)) == ["C-0600", "C-0700"]
    assert numbers(db, nora, state_query(statuses=frozenset({CaseStatus.REJECTED}))) == ["C-0500"]
    assert numbers(db, nora, state_query(statuses=frozenset())) == []
    assert WorkloadQuery().statuses == ACTIVE_CASE_STATUSES


@pytest.mark.parametrize(
    "special, expected",
    [
        (SpecialStatus.SEX_OFFENDER, ["C-0400", "C-0800"]),
        (SpecialStatus.VICTIM_SENSITIVE, ["C-0200", "C-0300"]),
        (SpecialStatus.HISTORY_OF_ASSAULT, ["C-0500", "C-0600"]),
        # Brown's warrant was executed: only Miller's is active.
        (SpecialStatus.ACTIVE_WARRANT, ["C-0100"]),
    ],
)
def test_each_special_status_filters(db, world, special, expected):
    query = state_query(statuses=ALL_STATUSES, special_statuses=frozenset({special}))
    assert numbers(db, world["actors"]["nora"], query) == expected


def test_several_special_statuses_must_all_apply(db, world):
    both = frozenset({SpecialStatus.SEX_OFFENDER, SpecialStatus.VICTIM_SENSITIVE})
    query = state_query(statuses=ALL_STATUSES, special_statuses=both)
    assert numbers(db, world["actors"]["nora"], query) == []


def test_special_status_filters_follow_the_profile_and_its_warrants(db, world, system, monkeypatch):
    nora = world["actors"]["nora"]
    warrants = state_query(
        statuses=ALL_STATUSES, special_statuses=frozenset({SpecialStatus.ACTIVE_WARRANT})
    )
    flagged_first = WorkloadQuery(
        scope=STATE, statuses=ALL_STATUSES, sort=WorkloadSort.SPECIAL_STATUSES
    )
    nunez_id = world["offenders"]["nunez"][0]
    with db.unit_of_work(system) as session:
        brown = session.get(CompactCase, world["cases"]["c5"]).offender_id
        add_warrant(session, session.get(Offender, brown), WarrantStatus.ACTIVE)
    # Brown's case (C-0700) now has an active warrant, and comes among the flagged ones.
    assert both_ways(monkeypatch, db, nora, warrants) == ["C-0100", "C-0700"]
    assert both_ways(monkeypatch, db, nora, flagged_first)[-1] == "C-0800"
    with db.unit_of_work(system) as session:
        record = session.scalar(
            select(WarrantStatusRecord).where(
                WarrantStatusRecord.offender_id == brown,
                WarrantStatusRecord.status == WarrantStatus.ACTIVE,
            )
        )
        record.status = WarrantStatus.WITHDRAWN
        nunez = session.get(Offender, nunez_id)
        nunez.sex_offender, nunez.victim_sensitive = False, True
        late = make_case(session, nunez, case_number="C-0900")
        # In hand, right after the flush that stored it.
        assert workload._special_labels(late.special_statuses) == ("Victim sensitive",)
    victims = state_query(
        statuses=ALL_STATUSES, special_statuses=frozenset({SpecialStatus.VICTIM_SENSITIVE})
    )
    assert both_ways(monkeypatch, db, nora, warrants) == ["C-0100"]
    assert both_ways(monkeypatch, db, nora, victims) == [
        "C-0200", "C-0300", "C-0400", "C-0800", "C-0900",
    ]  # fmt: skip
    with db.read() as session:
        assert workload_size(session, nora, victims) == WorkloadSize(5)
        rows = {r.case_number: r for r in workload_page(session, nora, victims)}
    assert rows["C-0900"].special_statuses == ("Victim sensitive",)


def test_assigned_user_filter_matches_either_side(db, world):
    query = state_query(statuses=ALL_STATUSES, assigned_user_id=world["users"]["cy"])
    assert numbers(db, world["actors"]["nora"], query) == ["C-0100", "C-0500"]
    # For Ann, only those of Bob's cases that Texas sends or receives.
    query = state_query(statuses=ALL_STATUSES, assigned_user_id=world["users"]["bob"])
    assert numbers(db, world["actors"]["ann"], query) == ["C-0300", "C-0800"]


def test_overdue_only(db, world):
    nora = world["actors"]["nora"]
    assert numbers(db, nora, state_query(overdue_only=True)) == ["C-0500", "C-0800"]
    assert numbers(db, nora, state_query(overdue_only=True, statuses=ALL_STATUSES)) == [
        "C-0500", "C-0700", "C-0800",
    ]  # fmt: skip
    with db.read() as session:
        assert count_workload(session, nora, state_query(overdue_only=True)) == 2


# --- The overdue rule and the next due date ------------------------------------------------------------
def test_overdue_and_next_due_per_case(db, world):
    rows = rows_by_number(db, world["actors"]["nora"], state_query(statuses=ALL_STATUSES))
    facts = {number: (row.next_due, row.overdue) for number, row in rows.items()}
    day = lambda offset: TODAY + timedelta(days=offset)  # noqa: E731
    assert facts == {
        "C-0800": (day(-1), True),  # unanswered, due yesterday
        "C-0300": (day(5), False),  # the overdue one was answered by a transmitted reply
        "C-0500": (day(-3), True),  # a draft reply answers nothing
        "C-0100": (day(0), False),  # due today is not overdue; drafts wait for nothing
        "C-0700": (day(-30), True),
        "C-0200": (None, False),  # withdrawn activities wait for nothing
        "C-0600": (None, False),
        "C-0400": (None, False),
    }


def test_a_case_becomes_overdue_the_day_after_its_due_date(db, world, monkeypatch):
    nora = world["actors"]["nora"]
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=1))
    assert rows_by_number(db, nora, state_query())["C-0100"].overdue


def test_a_transmitted_reply_takes_the_case_off_the_overdue_list(db, world, system):
    nora = world["actors"]["nora"]
    with db.unit_of_work(system) as session:
        waiting = session.query(Activity).filter_by(case_id=world["cases"]["c1"]).one()
        add_activity(session, waiting.case, None, reply_to=waiting)
    row = rows_by_number(db, nora, state_query())["C-0800"]
    assert (row.overdue, row.next_due) == (False, None)


def test_rows_carry_what_the_list_shows(db, world):
    row = rows_by_number(db, world["actors"]["ann"], state_query())["C-0800"]
    assert row.offender_name == "Núñez, José"
    assert (row.sending_state, row.receiving_state) == ("TX", "VA")
    assert (row.supervision_type, row.status) == ("parole", "pending")
    assert (row.sending_user, row.receiving_user) == ("Ann Archer", "Bob Baker")
    assert row.special_statuses == ("Sex offender",)
    assert (row.offender_id, row.offender_number) == world["offenders"]["nunez"]
    miller = rows_by_number(db, world["actors"]["ann"], state_query())["C-0100"]
    assert miller.special_statuses == ("Warrant Status",)
    assert miller.sending_user is None


# --- Sorting ----------------------------------------------------------------------------------------
EXPECTED_ASCENDING = {
    WorkloadSort.CASE_NUMBER: ["C-0100", "C-0200", "C-0300", "C-0400", "C-0500", "C-0600",
                               "C-0700", "C-0800"],
    # Adams (two cases, in case order), Brown, Miller, Núñez, Zeller.
    WorkloadSort.NAME: ["C-0300", "C-0200", "C-0700", "C-0100", "C-0800", "C-0400", "C-0500",
                        "C-0600"],
    WorkloadSort.SENDING_STATE: ["C-0100", "C-0200", "C-0400", "C-0500", "C-0700", "C-0800",
                                 "C-0300", "C-0600"],
    WorkloadSort.RECEIVING_STATE: ["C-0400", "C-0500", "C-0100", "C-0300", "C-0600", "C-0200",
                                   "C-0700", "C-0800"],
    WorkloadSort.SUPERVISION_TYPE: ["C-0100", "C-0200", "C-0400", "C-0600", "C-0700", "C-0800",
                                    "C-0300", "C-0500"],
    WorkloadSort.STATUS: ["C-0300", "C-0400", "C-0700", "C-0100", "C-0200", "C-0800", "C-0500",
                          "C-0600"],
    # Ann Archer, Bob Baker, Cy Cole; unassigned last.
    WorkloadSort.SENDING_USER: ["C-0400", "C-0700", "C-0800", "C-0300", "C-0500", "C-0100",
                                "C-0200", "C-0600"],
    # Oldest due first; nothing awaiting a reply last, by case number.
    WorkloadSort.NEXT_DUE: ["C-0700", "C-0500", "C-0800", "C-0100", "C-0300", "C-0200", "C-0400",
                            "C-0600"],
    # Any special status (Brown's executed warrant is none) first.
    WorkloadSort.SPECIAL_STATUSES: ["C-0100", "C-0200", "C-0300", "C-0400", "C-0500", "C-0600",
                                    "C-0800", "C-0700"],
}  # fmt: skip


def both_ways(monkeypatch, db, actor, query, **paging):
    """The list sorted by the database (narrow) and walked in index order (wide): they must agree."""
    monkeypatch.setattr(workload, "NARROW_LIMIT", 10_000)
    narrow = numbers(db, actor, query, **paging)
    monkeypatch.setattr(workload, "NARROW_LIMIT", 0)
    wide = numbers(db, actor, query, **paging)
    assert narrow == wide
    return wide


@pytest.mark.parametrize("sort", list(EXPECTED_ASCENDING))
def test_sort_order(db, world, monkeypatch, sort):
    nora = world["actors"]["nora"]
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=sort)
    assert both_ways(monkeypatch, db, nora, query) == EXPECTED_ASCENDING[sort]


@pytest.mark.parametrize("sort", list(EXPECTED_ASCENDING))
def test_descending_reverses_but_keeps_blanks_last(db, world, monkeypatch, sort):
    nora = world["actors"]["nora"]
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=sort, descending=True)
    ascending = EXPECTED_ASCENDING[sort]
    blanks = {WorkloadSort.SENDING_USER: 3, WorkloadSort.NEXT_DUE: 3}.get(sort, 0)
    # Blank rows keep their place at the end, in reversed case order among themselves.
    expected = list(reversed(ascending[: len(ascending) - blanks]))
    expected += list(reversed(ascending[len(ascending) - blanks :]))
    assert both_ways(monkeypatch, db, nora, query) == expected


@pytest.mark.parametrize("sort", list(WorkloadSort))
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_agrees_both_ways_for_a_state_user(db, world, monkeypatch, sort, descending):
    ann = world["actors"]["ann"]
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=sort, descending=descending)
    found = both_ways(monkeypatch, db, ann, query)
    assert sorted(found) == ["C-0100", "C-0300", "C-0400", "C-0500", "C-0600", "C-0700", "C-0800"]


def test_receiving_user_sort(db, world, monkeypatch):
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=WorkloadSort.RECEIVING_USER)
    # Ann Archer (C-0300, C-0600), Bob Baker (C-0800), Cy Cole (C-0100); unassigned last.
    assert both_ways(monkeypatch, db, world["actors"]["nora"], query) == [
        "C-0300", "C-0600", "C-0800", "C-0100", "C-0200", "C-0400", "C-0500", "C-0700",
    ]  # fmt: skip


def test_offender_number_sort(db, world, monkeypatch):
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=WorkloadSort.OFFENDER_NUMBER)
    found = both_ways(monkeypatch, db, world["actors"]["nora"], query)
    rows = rows_by_number(db, world["actors"]["nora"], query)
    assert [(rows[n].offender_number, rows[n].case_id) for n in found] == sorted(
        (row.offender_number, row.case_id) for row in rows.values()
    )


# --- Paging -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sort", list(WorkloadSort))
def test_pages_after_a_row_and_at_an_offset_give_the_whole_list(db, world, monkeypatch, sort):
    monkeypatch.setattr(workload, "NARROW_LIMIT", 0)
    nora = world["actors"]["nora"]
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=sort)
    whole = numbers(db, nora, query)
    with db.read() as session:
        by_key, after = [], None
        while True:
            page = workload_page(session, nora, query, len(by_key), 3, after=after)
            by_key += [row.case_number for row in page]
            if len(page) < 3:
                break
            after = page[-1].page_key
        by_offset = []
        for offset in range(0, 9, 3):
            by_offset += [r.case_number for r in workload_page(session, nora, query, offset, 3)]
    assert by_key == whole
    assert by_offset == whole


def test_iter_workload_streams_everything_in_order(db, world, monkeypatch):
    nora = world["actors"]["nora"]
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=WorkloadSort.NAME)
    for limit in (10_000, 0):
        monkeypatch.setattr(workload, "NARROW_LIMIT", limit)
        with db.read() as session:
            streamed = [row.case_number for row in iter_workload(session, nora, query, chunk=3)]
        assert streamed == EXPECTED_ASCENDING[WorkloadSort.NAME]


def test_supervision_types_sort_by_their_labels(db, world, system, monkeypatch):
    with db.unit_of_work(system) as session:
        offender = make_offender(session, last_name="Both")
        make_case(session, offender, case_number="C-0900", supervision_type=SupervisionType.BOTH)
    query = WorkloadQuery(scope=STATE, statuses=ALL_STATUSES, sort=WorkloadSort.SUPERVISION_TYPE)
    found = both_ways(monkeypatch, db, world["actors"]["nora"], query)
    # Parole, Parole and probation, Probation.
    assert found == ["C-0100", "C-0200", "C-0400", "C-0600", "C-0700", "C-0800", "C-0900",
                     "C-0300", "C-0500"]  # fmt: skip


def test_size_is_exact_for_every_filter(db, world, monkeypatch):
    monkeypatch.setattr(workload, "NARROW_LIMIT", 1)
    nora = world["actors"]["nora"]
    overdue = state_query(statuses=ALL_STATUSES, overdue_only=True)
    victims = state_query(special_statuses=frozenset({SpecialStatus.VICTIM_SENSITIVE}))
    with db.read() as session:
        assert workload_size(session, nora, state_query()) == WorkloadSize(6)
        # Overdue is a range of the stored next due dates: counted exactly.
        assert workload_size(session, nora, overdue) == WorkloadSize(3)
        # So are special statuses, ranges of the masks stored on the cases.
        assert workload_size(session, nora, victims) == WorkloadSize(2)
        assert count_workload(session, nora, victims) == 2
        # The page trusts the size it is given instead of counting again.
        for query in (state_query(), overdue, victims):
            size = workload_size(session, nora, query)
            given = workload_page(session, nora, query, size=size)
            assert [r.case_number for r in given] == numbers(db, nora, query)


def test_assignable_users_are_the_states_own_or_everyone_for_the_national_office(db, world):
    with db.read() as session:
        texas = workload.assignable_users(session, world["actors"]["ann"])
        everyone = workload.assignable_users(session, world["actors"]["nora"])
    assert [(u.full_name, u.jurisdiction_code) for u in texas if u.username.startswith("wl.")] == [
        ("Ann Archer", "TX"),
        ("Cy Cole", "TX"),
    ]
    assert {u.jurisdiction_code for u in texas} == {"TX"}
    names = [u.full_name for u in everyone if u.username.startswith("wl.")]
    assert names == ["Ann Archer", "Bob Baker", "Cy Cole", "Nora North", "Wyatt Young"]
    assert "system" not in {u.username for u in everyone}
