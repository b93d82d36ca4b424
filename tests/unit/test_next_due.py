"""compact_case.next_due_date: kept by every flush of activities, by bulk loads, and by one rule."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import func, select, update

from app.core.vocabulary import ActivityStatus, ActivityType, AuditAction
from app.models import Activity, AuditEntry, CompactCase
from app.models.next_due import (
    answers,
    awaits_reply,
    is_overdue,
    refresh_next_due_for_case_range,
)
from app.services.demo_data import generate_demo_data
from tests.factories import make_case, make_offender

DAY = date(2026, 3, 10)
_activity_numbers = count(1)


def add_activity(session, case_id, due, status=ActivityStatus.TRANSMITTED, reply_to=None):
    activity = Activity(
        activity_number=f"ND{next(_activity_numbers):07d}",
        case_id=case_id,
        type=ActivityType.PROGRESS_REPORT,
        from_state="TX",
        to_state="VA",
        status=status,
        due_date=None if due is None else DAY + timedelta(days=due),
        reply_to_id=None if reply_to is None else reply_to,
    )
    session.add(activity)
    session.flush()
    return activity.id


@pytest.fixture
def case_id(db, system):
    with db.unit_of_work(system) as session:
        return make_case(session, make_offender(session)).id


def stored(db, case_id):
    with db.read() as session:
        return session.scalar(select(CompactCase.next_due_date).where(CompactCase.id == case_id))


def day(offset):
    return DAY + timedelta(days=offset)


def test_a_transmitted_activity_with_a_due_date_sets_it(db, system, case_id):
    assert stored(db, case_id) is None
    with db.unit_of_work(system) as session:
        add_activity(session, case_id, 5)
    assert stored(db, case_id) == day(5)
    with db.unit_of_work(system) as session:
        add_activity(session, case_id, 2)
        add_activity(session, case_id, None)  # nothing due: waits for nothing
    assert stored(db, case_id) == day(2)


def test_a_transmitted_reply_moves_it_to_the_next_activity_awaiting_one(db, system, case_id):
    with db.unit_of_work(system) as session:
        first = add_activity(session, case_id, 2)
        second = add_activity(session, case_id, 7)
    with db.unit_of_work(system) as session:
        add_activity(session, case_id, None, reply_to=first)
    assert stored(db, case_id) == day(7)
    with db.unit_of_work(system) as session:
        add_activity(session, case_id, None, reply_to=second)
    assert stored(db, case_id) is None


def test_drafts_wait_for_nothing_and_answer_nothing(db, system, case_id):
    with db.unit_of_work(system) as session:
        add_activity(session, case_id, 1, status=ActivityStatus.DRAFT)
    assert stored(db, case_id) is None
    with db.unit_of_work(system) as session:
        waiting = add_activity(session, case_id, 3)
        reply = add_activity(session, case_id, None, status=ActivityStatus.DRAFT, reply_to=waiting)
    assert stored(db, case_id) == day(3)
    # Transmitting the drafted reply answers the activity.
    with db.unit_of_work(system) as session:
        session.get(Activity, reply).status = ActivityStatus.TRANSMITTED
    assert stored(db, case_id) is None


def test_a_withdrawn_activity_waits_for_nothing(db, system, case_id):
    with db.unit_of_work(system) as session:
        add_activity(session, case_id, 4, status=ActivityStatus.WITHDRAWN)
        sent = add_activity(session, case_id, 6)
    assert stored(db, case_id) == day(6)
    with db.unit_of_work(system) as session:
        session.get(Activity, sent).status = ActivityStatus.WITHDRAWN
    assert stored(db, case_id) is None


def test_a_changed_due_date_and_a_deleted_activity_count_at_once(db, system, case_id):
    with db.unit_of_work(system) as session:
        early = add_activity(session, case_id, 1)
        later = add_activity(session, case_id, 9)
    with db.unit_of_work(system) as session:
        session.get(Activity, later).due_date = day(-4)
    assert stored(db, case_id) == day(-4)
    with db.unit_of_work(system) as session:
        session.delete(session.get(Activity, later))
    assert stored(db, case_id) == day(1)
    with db.unit_of_work(system) as session:
        session.delete(session.get(Activity, early))
    assert stored(db, case_id) is None


def test_an_activity_moved_to_another_case_leaves_the_first_one(db, system, case_id):
    with db.unit_of_work(system) as session:
        other = make_case(session, make_offender(session)).id
        moved = add_activity(session, case_id, 3)
    with db.unit_of_work(system) as session:
        session.get(Activity, moved).case_id = other
    assert (stored(db, case_id), stored(db, other)) == (None, day(3))


def test_keeping_it_is_neither_an_edit_of_the_case_nor_audited(db, system, case_id):
    with db.unit_of_work(system) as session:
        case = session.get(CompactCase, case_id)
        version = case.version
        add_activity(session, case_id, 5)
        # The case read before the flush shows the new date, and is not waiting to be written.
        assert case.next_due_date == day(5)
        assert case not in session.dirty
    with db.read() as session:
        assert session.get(CompactCase, case_id).version == version
        changes = session.scalars(
            select(AuditEntry.changes).where(
                AuditEntry.entity == "compact_case",
                AuditEntry.entity_id == str(case_id),
                AuditEntry.action == AuditAction.UPDATE,
            )
        ).all()
    assert not any("next_due_date" in entry for entry in changes)


def test_an_activity_edit_that_cannot_move_it_leaves_the_case_alone(db, system, case_id):
    with db.unit_of_work(system) as session:
        sent = add_activity(session, case_id, 5)
    # Made stale by hand: only a change to what the rule reads recomputes it.
    with db.unit_of_work(system) as session:
        session.execute(
            update(CompactCase).where(CompactCase.id == case_id).values(next_due_date=None)
        )
    with db.unit_of_work(system) as session:
        session.get(Activity, sent).content = {"note": "typo fixed"}
    assert stored(db, case_id) is None
    with db.unit_of_work(system) as session:
        refresh_next_due_for_case_range(session.connection(), case_id, case_id)
    assert stored(db, case_id) == day(5)


def test_the_rule_for_rows_in_hand():
    transmitted, draft = ActivityStatus.TRANSMITTED, ActivityStatus.DRAFT
    assert awaits_reply(transmitted, DAY, answered=False)
    assert not awaits_reply(transmitted, DAY, answered=True)
    assert not awaits_reply(transmitted, None, answered=False)
    assert not awaits_reply(draft, DAY, answered=False)
    assert answers(transmitted) and not answers(draft)
    assert is_overdue(day(-1), DAY)
    assert not is_overdue(DAY, DAY)  # due today is not overdue yet
    assert not is_overdue(None, DAY)


def test_a_demo_data_load_stores_what_its_activities_say(db, system):
    generate_demo_data(db, system, offenders=300, seed=3)
    with db.read() as session:
        activities = session.execute(
            select(Activity.id, Activity.case_id, Activity.status, Activity.due_date,
                   Activity.reply_to_id)
        ).all()  # fmt: skip
        stored_dates = dict(
            session.execute(select(CompactCase.id, CompactCase.next_due_date)).all()
        )
        cases = session.scalar(select(func.count()).select_from(CompactCase))
    answered = {a.reply_to_id for a in activities if a.reply_to_id and answers(a.status)}
    expected: dict[int, date | None] = defaultdict(lambda: None)
    for a in activities:
        if awaits_reply(a.status, a.due_date, a.id in answered):
            current = expected[a.case_id]
            expected[a.case_id] = a.due_date if current is None else min(current, a.due_date)
    assert len(stored_dates) == cases
    assert stored_dates == {case_id: expected[case_id] for case_id in stored_dates}
    # The load has cases with a date and cases without.
    assert None in stored_dates.values()
    assert any(value is not None for value in stored_dates.values())
