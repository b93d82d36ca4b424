"""Deadline rules by version: the version in force on the trigger date, and a running clock keeps its own."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.errors import NotFound
from app.core.vocabulary import DayCountUnit
from app.models import DeadlineRule
from app.services import calendar as office_calendar
from app.services.deadlines import Due, compute_due, due_with_rule, rule_in_force

SEEDED_KEYS = {
    "rfri_reply",
    "rfri_sex_offender_reply",
    "return_rfri_reply",
    "transfer_request_after_ri",
    "transfer_reply",
    "living_in_rs_rfri",
    "progress_report_on_request",
    "violation_report",
    "violation_response",
    "warrant_after_violation_report",
    "warrant_after_failure_to_return",
    "discretionary_retake_notice",
    "case_closure_notice",
    "case_closure_reply",
    "probable_cause_report",
    "probable_cause_decision",
    "retake_after_custody",
}


def test_every_rule_is_seeded_and_follows_the_counting_convention(db):
    with db.read() as session:
        rules = session.scalars(select(DeadlineRule)).all()
    assert {rule.rule_key for rule in rules} == SEEDED_KEYS
    for rule in rules:
        # Since 1 Mar 2014: under 30 days are business days, 30 or more calendar days.
        expected = DayCountUnit.BUSINESS if rule.days < 30 else DayCountUnit.CALENDAR
        assert rule.unit is expected, rule.rule_key


@pytest.mark.parametrize(
    ("key", "trigger", "days", "number"),
    [
        ("warrant_after_failure_to_return", date(2020, 6, 1), 10, "5.103(c)"),
        ("warrant_after_failure_to_return", date(2022, 3, 31), 10, "5.103(c)"),
        ("warrant_after_failure_to_return", date(2022, 4, 1), 15, "5.103(c)"),
        ("warrant_after_failure_to_return", date(2023, 1, 10), 15, "5.103(c)"),
        ("living_in_rs_rfri", date(2026, 3, 31), 7, "3.103"),
        ("living_in_rs_rfri", date(2026, 4, 1), 10, "3.103"),
        ("warrant_after_violation_report", date(2026, 3, 31), 15, "5.103(a)"),
        ("warrant_after_violation_report", date(2026, 4, 1), 15, "5.105"),
        ("discretionary_retake_notice", date(2022, 4, 1), 15, "5.101(b)"),
        ("transfer_reply", date(2010, 5, 5), 45, "3.104"),
    ],
)
def test_the_version_in_force_on_the_trigger_date_applies(db, key, trigger, days, number):
    with db.read() as session:
        rule = rule_in_force(session, key, trigger)
    assert (rule.days, rule.rule_number) == (days, number)


def test_before_a_rule_exists_no_version_is_in_force(db):
    with db.read() as session:
        assert rule_in_force(session, "discretionary_retake_notice", date(2022, 3, 31)) is None
        assert compute_due(session, "discretionary_retake_notice", date(2021, 6, 1), "TX") is None
        assert (
            compute_due(session, "warrant_after_failure_to_return", date(2014, 2, 28), "TX") is None
        )


def test_a_misspelt_rule_key_is_an_error_not_a_missing_rule(db):
    with db.read() as session, pytest.raises(ValueError, match="no deadline rule"):
        rule_in_force(session, "discretionary_retake", date(2026, 1, 5))


def test_business_days_are_counted_in_the_acting_states_calendar(db):
    with db.read() as session:
        # Warrant issued Monday 1 Jun 2026; Texas closes Friday 19 Jun (Emancipation Day).
        due = compute_due(session, "discretionary_retake_notice", date(2026, 6, 1), "TX")
        # Friday 9 Oct 2026: Virginia closes Columbus (Indigenous Peoples') Day, Texas works it.
        virginia = compute_due(session, "rfri_reply", date(2026, 10, 9), "VA")
        texas = compute_due(session, "rfri_reply", date(2026, 10, 9), "TX")
    assert due.due_date == date(2026, 6, 23)
    assert due.describe() == "Rule 5.101(b): 15 business days"
    assert (due.rule_key, due.days, due.unit) == (
        "discretionary_retake_notice",
        15,
        DayCountUnit.BUSINESS,
    )
    assert virginia.due_date == date(2026, 10, 14)
    assert texas.due_date == date(2026, 10, 13)


def test_calendar_days_add_plainly(db):
    with db.read() as session:
        due = compute_due(session, "transfer_reply", date(2026, 3, 2), "VA")
    assert due.due_date == date(2026, 4, 16)
    assert due.describe() == "Rule 3.104: 45 calendar days"


def test_a_running_clock_keeps_its_version(db):
    with db.read() as session:
        started = compute_due(session, "warrant_after_failure_to_return", date(2022, 3, 28), "TX")
        # Asked again after the 2022 amendment, the clock started under the old text stays at 10.
        kept = due_with_rule(session, started.rule_id, date(2022, 3, 28), "TX")
        fresh = compute_due(session, "warrant_after_failure_to_return", date(2022, 4, 4), "TX")
    assert started.days == kept.days == 10
    assert kept == started
    # Monday 28 Mar 2022 + 10 business days, Texas closed Thursday 31 Mar (Cesar Chavez Day):
    # 29, 30 Mar, 1, 4-8, 11, 12 Apr.
    assert started.due_date == date(2022, 4, 12)
    assert fresh.days == 15 and fresh.rule_id != started.rule_id


def test_an_unknown_rule_id_is_not_found(db):
    with db.read() as session, pytest.raises(NotFound):
        due_with_rule(session, 999_999, date(2026, 1, 5), "TX")


def test_an_office_closure_moves_a_due_date_in_the_same_unit_of_work(db, system):
    with db.unit_of_work(system) as session:
        before = compute_due(session, "rfri_reply", date(2026, 3, 3), "TX")
        office_calendar.add_closure(session, system, "TX", date(2026, 3, 4), "Ice storm")
        after = compute_due(session, "rfri_reply", date(2026, 3, 3), "TX")
    assert before.due_date == date(2026, 3, 5)
    assert after.due_date == date(2026, 3, 6)


def test_a_trigger_must_be_a_date(db):
    from datetime import datetime

    with db.read() as session, pytest.raises(TypeError):
        compute_due(session, "rfri_reply", datetime(2026, 3, 3, 9), "TX")


def test_due_describes_one_day_in_the_singular():
    due = Due(date(2026, 1, 2), 1, "k", "9.999", 1, DayCountUnit.BUSINESS)
    assert due.describe() == "Rule 9.999: 1 business day"
