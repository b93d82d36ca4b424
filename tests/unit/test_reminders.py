"""Reminders of replies still awaited: on the reminder_rule days, once per recipient, never for answered ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest
from sqlalchemy import delete, select

from app.core.calendar import BusinessCalendar
from app.core.vocabulary import ActivityStatus, ActivityType, DayCountUnit, Role
from app.models import Activity, Notification, ReminderRule
from app.services.calendar import add_closure
from app.services.deadlines import compute_due
from app.services.reminders import (
    REMINDER_KIND,
    DailyScheduledMessages,
    _windows,
    queue_due_reminders,
    queue_reminders_since_last_run,
    queued_through,
)
from tests.factories import make_case, make_offender, make_user

_numbers = count(1)
SENT = date(2026, 3, 2)  # a Monday
TODAY = SENT + timedelta(days=30)  # Wednesday 1 Apr 2026: the transfer reply is due in 15 days


def _local_noon(day: date) -> datetime:
    return datetime.combine(day, time(12)).astimezone(UTC)


def _transmit(session, case, kind, sent_on, from_state, to_state, rule_key=None, reply_to=None):
    due = compute_due(session, rule_key, sent_on, to_state) if rule_key else None
    activity = Activity(
        activity_number=f"R{next(_numbers):07d}",
        case_id=case.id,
        type=kind,
        from_state=from_state,
        to_state=to_state,
        status=ActivityStatus.TRANSMITTED,
        transmitted_at=_local_noon(sent_on),
        due_date=due.due_date if due else None,
        deadline_rule_id=due.rule_id if due else None,
        reply_to_id=reply_to,
    )
    session.add(activity)
    session.flush()
    return activity


def _transfer_request(session, sent_on=SENT, **case_values):
    offender = make_offender(session, first_name="John", last_name="Doe")
    case = make_case(session, offender, **case_values)
    request = _transmit(
        session, case, ActivityType.TRANSFER_REQUEST, sent_on, "TX", "VA", "transfer_reply"
    )
    return offender, case, request


def _reminders(session, activity_id: int) -> list[Notification]:
    return session.scalars(
        select(Notification)
        .where(Notification.activity_id == activity_id, Notification.kind == REMINDER_KIND)
        .order_by(Notification.id)
    ).all()


def test_a_transfer_request_30_days_old_reminds_the_assigned_user_once(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        make_user(session, state="VA", roles=(Role.COMPACT_OFFICE,))
        offender, case, request = _transfer_request(session, receiving_assigned_user_id=officer.id)
        assert queue_due_reminders(session, TODAY) == 1
        assert queue_due_reminders(session, TODAY) == 0
        (reminder,) = _reminders(session, request.id)
        assert reminder.recipient_user_id == officer.id
        assert reminder.dedup_key == f"reminder:{request.id}:30cd:u{officer.id}"
        assert reminder.subject == (
            f"A Transfer Request Reply for Texas offender John Doe ({offender.offender_number}) "
            "is due in 15 days."
        )
        for words in (
            offender.offender_number,
            case.case_number,
            request.activity_number,
            "Sending state: Texas",
            "Receiving state: Virginia",
            "Due date: 04/16/2026",
            "Transmitted: 03/02/2026",
            "Rule 3.104: 45 calendar days",
        ):
            assert words in reminder.body
        assert (reminder.offender_id, reminder.case_id) == (offender.id, case.id)


def test_only_the_listed_days_remind(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        _o, _c, request = _transfer_request(session, receiving_assigned_user_id=officer.id)
        for days in (29, 31, 43):
            assert queue_due_reminders(session, SENT + timedelta(days=days)) == 0
        for days, label in ((44, "due tomorrow"), (45, "due today"), (105, "due 60 days ago")):
            assert queue_due_reminders(session, SENT + timedelta(days=days)) == 1
            assert _reminders(session, request.id)[-1].subject.endswith(f"is {label}.")


def test_without_an_assigned_user_the_replying_states_compact_office_is_reminded(db, system):
    with db.unit_of_work(system) as session:
        first = make_user(session, state="VA", roles=(Role.COMPACT_OFFICE,))
        second = make_user(session, state="VA", roles=(Role.COMPACT_OFFICE, Role.SUPERVISOR))
        gone = make_user(session, state="VA", roles=(Role.COMPACT_OFFICE,))
        gone.active = False
        make_user(session, state="TX", roles=(Role.COMPACT_OFFICE,))  # the sending side
        make_user(session, state="VA", roles=(Role.OFFICER,))
        left = make_user(session, state="VA", roles=(Role.OFFICER,))
        left.active = False
        session.flush()
        _o, _c, unassigned = _transfer_request(session)
        _o, _c, assigned_away = _transfer_request(session, receiving_assigned_user_id=left.id)
        assert queue_due_reminders(session, TODAY) == 4
        for request in (unassigned, assigned_away):
            recipients = [n.recipient_user_id for n in _reminders(session, request.id)]
            assert recipients == [first.id, second.id]


def test_an_answered_request_is_not_reminded_but_a_drafted_answer_does_not_count(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        _o, case, answered = _transfer_request(session, receiving_assigned_user_id=officer.id)
        _transmit(
            session, case, ActivityType.TRANSFER_REPLY, SENT + timedelta(days=3), "VA", "TX",
            reply_to=answered.id,
        )  # fmt: skip
        _o, case, drafted = _transfer_request(session, receiving_assigned_user_id=officer.id)
        session.add(
            Activity(
                activity_number=f"R{next(_numbers):07d}", case_id=case.id,
                type=ActivityType.TRANSFER_REPLY, from_state="VA", to_state="TX",
                status=ActivityStatus.DRAFT, reply_to_id=drafted.id,
            )
        )  # fmt: skip
        session.flush()
        assert queue_due_reminders(session, TODAY) == 1
        assert _reminders(session, answered.id) == []
        assert len(_reminders(session, drafted.id)) == 1


def test_nothing_is_reminded_without_a_due_date_or_before_transmission(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        offender = make_offender(session)
        case = make_case(session, offender, receiving_assigned_user_id=officer.id)
        _transmit(session, case, ActivityType.TRANSFER_REQUEST, SENT, "TX", "VA")  # no due date
        session.add(
            Activity(
                activity_number=f"R{next(_numbers):07d}", case_id=case.id,
                type=ActivityType.TRANSFER_REQUEST, from_state="TX", to_state="VA",
                status=ActivityStatus.PENDING_COMPACT_OFFICE, due_date=date(2026, 4, 16),
            )
        )  # fmt: skip
        session.flush()
        assert queue_due_reminders(session, TODAY) == 0


def test_business_day_reminders_count_in_the_replying_states_calendar(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        offender = make_offender(session)
        case = make_case(session, offender, receiving_assigned_user_id=officer.id)
        # Thursday 2 Jul 2026, Virginia closed Friday 3 Jul (Independence Day observed): 2 business
        # days are Monday 6 and Tuesday 7 Jul. Saturday 4 Jul's also end on Tuesday 7.
        thursday = _transmit(
            session, case, ActivityType.RFRI, date(2026, 7, 2), "TX", "VA", "rfri_reply"
        )
        saturday = _transmit(
            session, case, ActivityType.RFRI, date(2026, 7, 4), "TX", "VA", "rfri_reply"
        )
        assert queue_due_reminders(session, date(2026, 7, 6)) == 0
        assert queue_due_reminders(session, date(2026, 7, 7)) == 2
        for request in (thursday, saturday):
            (reminder,) = _reminders(session, request.id)
            assert reminder.subject.startswith("A Reporting Instructions Reply for Texas offender")
            assert reminder.subject.endswith("is due today.")
            assert reminder.dedup_key == f"reminder:{request.id}:2bd:u{officer.id}"
            assert "Rule 3.106: 2 business days" in reminder.body


def test_an_office_closure_moves_the_reminder_day(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        offender = make_offender(session)
        case = make_case(session, offender, receiving_assigned_user_id=officer.id)
        _transmit(session, case, ActivityType.RFRI, date(2026, 3, 2), "TX", "VA", "rfri_reply")
        add_closure(session, system, "VA", date(2026, 3, 3), "Snow")
        assert queue_due_reminders(session, date(2026, 3, 4)) == 0
        assert queue_due_reminders(session, date(2026, 3, 5)) == 1


def test_every_seeded_reminder_names_what_it_awaits(db):
    with db.read() as session:
        rules = session.scalars(select(ReminderRule)).all()
    kinds = {rule.activity_type for rule in rules}
    assert kinds == {
        ActivityType.TRANSFER_REQUEST,
        ActivityType.RFRI,
        ActivityType.RETURN_RFRI,
        ActivityType.VIOLATION_REPORT,
        ActivityType.CASE_CLOSURE_NOTICE,
    }
    transfer = sorted(r.offset for r in rules if r.activity_type is ActivityType.TRANSFER_REQUEST)
    assert transfer == [30, 44, 45, 46, 75, 105]


@pytest.mark.parametrize("code", ["TX", "VA", "NO", "VI"])
@pytest.mark.parametrize("offset", [1, 2, 5, 6, 10, 17, 20])
def test_the_transmission_windows_are_exactly_the_days_that_land_on_today(code, offset):
    calendar = BusinessCalendar(code)
    rule = ReminderRule(
        activity_type=ActivityType.RFRI, offset=offset, unit=DayCountUnit.BUSINESS, label="x"
    )
    for today in (date(2026, 7, 6) + timedelta(days=i) for i in range(0, 190, 3)):
        expected = {
            day
            for day in (today - timedelta(days=i) for i in range(0, 60))
            if calendar.add_business_days(day, offset) == today
        }
        found = {
            window.first + timedelta(days=i)
            for window in _windows(rule, today, {code: calendar})
            for i in range((window.end - window.first).days)
        }
        assert found == expected, today


# --- Days without a run -------------------------------------------------------------------------
def test_days_without_a_run_are_caught_up_once_saying_where_the_due_date_stands(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        _o, _c, request = _transfer_request(session, receiving_assigned_user_id=officer.id)
        # The last run was on day 42; days 43 to 46 passed without one (44: due tomorrow, 45: due
        # today, 46: due yesterday), and today is day 47.
        assert queue_reminders_since_last_run(session, SENT + timedelta(days=42)) == 0
        today = SENT + timedelta(days=47)
        assert queue_reminders_since_last_run(session, today) == 3
        assert queue_reminders_since_last_run(session, today) == 0
        assert queued_through(session) == today
        reminders = _reminders(session, request.id)
        assert [r.dedup_key.split(":")[2] for r in reminders] == ["44cd", "45cd", "46cd"]
        # Sent on day 47, each says so: the request was due on day 45 (16 Apr 2026).
        assert {r.subject.split(" is ", 1)[1] for r in reminders} == {
            "overdue (it was due on 04/16/2026)."
        }


def test_the_first_run_queues_today_alone_and_catching_up_stops_at_two_weeks(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        _o, _c, request = _transfer_request(session, receiving_assigned_user_id=officer.id)
        # Never run before: day 46's 'due yesterday' alone, not the days before it.
        assert queue_reminders_since_last_run(session, SENT + timedelta(days=46)) == 1
        assert _reminders(session, request.id)[0].subject.endswith("is due yesterday.")
        # Then nothing for 50 days: day 75 (due 30 days ago) is more than two weeks before day 96;
        # day 105's comes on its day.
        assert queue_reminders_since_last_run(session, SENT + timedelta(days=96)) == 0
        assert queue_reminders_since_last_run(session, SENT + timedelta(days=105)) == 1
        assert [r.dedup_key.split(":")[2] for r in _reminders(session, request.id)] == [
            "46cd", "105cd",
        ]  # fmt: skip


def test_the_background_round_queues_the_days_messages_once_a_day(db, system):
    with db.unit_of_work(system) as session:
        officer = make_user(session, state="VA", roles=(Role.OFFICER,))
        _o, _c, request = _transfer_request(session, receiving_assigned_user_id=officer.id)
    daily = DailyScheduledMessages(db)
    assert daily.run(TODAY) == 1
    with db.unit_of_work(system) as session:
        session.execute(delete(Notification).where(Notification.activity_id == request.id))
    assert daily.run(TODAY) == 0  # the same day: not run again
    assert daily.run(TODAY + timedelta(days=1)) == 0  # day 31 reminds of nothing
    with db.read() as session:
        assert queued_through(session) == TODAY + timedelta(days=1)
