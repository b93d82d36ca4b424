"""An office's changes to its calendar: who may make them, what they refuse, and the audit of each."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.vocabulary import AuditAction, CalendarAdjustmentKind, Role
from app.models import AuditEntry, CalendarAdjustment, User
from app.services.calendar import (
    add_closure,
    calendar_for,
    calendars_for,
    mark_open,
    remove_adjustment,
)
from app.services.users import actor_from_user
from tests.factories import make_user

ICE_STORM = date(2026, 3, 4)  # a Wednesday Texas works
CESAR_CHAVEZ = date(2026, 3, 31)  # a Tuesday the package lists for Texas


def _actor(db, system, state: str, *roles: Role):
    with db.unit_of_work(system) as session:
        user = make_user(session, state=state, roles=roles)
        user_id = user.id
    with db.read() as session:
        return actor_from_user(session.get(User, user_id))


def _audit(session, adjustment_id: int, action: AuditAction) -> list[AuditEntry]:
    return session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "calendar_adjustment",
            AuditEntry.entity_id == str(adjustment_id),
            AuditEntry.action == action,
        )
    ).all()


def test_the_compact_office_adds_a_closure_and_it_is_audited(db, system):
    clerk = _actor(db, system, "TX", Role.COMPACT_OFFICE)
    with db.unit_of_work(clerk) as session:
        adjustment = add_closure(session, clerk, "TX", ICE_STORM, " Ice storm ")
        adjustment_id = adjustment.id
        entries = _audit(session, adjustment_id, AuditAction.INSERT)
        assert len(entries) == 1
        assert entries[0].actor_name == clerk.username
        assert entries[0].changes["kind"][1] == "closed"
        assert entries[0].changes["reason"][1] == "Ice storm"
    with db.read() as session:
        texas = calendar_for(session, "TX")
    assert not texas.is_business_day(ICE_STORM)
    assert texas.holiday_name(ICE_STORM) == "Ice storm"


def test_a_state_administrator_marks_a_holiday_open_and_removes_it_again(db, system):
    admin = _actor(db, system, "TX", Role.STATE_ADMINISTRATOR)
    with db.unit_of_work(admin) as session:
        adjustment = mark_open(session, admin, "TX", CESAR_CHAVEZ, "Offices open on optional day")
        adjustment_id = adjustment.id
        assert adjustment.kind is CalendarAdjustmentKind.OPEN
        assert calendar_for(session, "TX").is_business_day(CESAR_CHAVEZ)
    with db.unit_of_work(admin) as session:
        remove_adjustment(session, admin, "TX", CESAR_CHAVEZ)
        assert not calendar_for(session, "TX").is_business_day(CESAR_CHAVEZ)
        deleted = _audit(session, adjustment_id, AuditAction.DELETE)
        assert len(deleted) == 1 and deleted[0].actor_name == admin.username
        assert session.get(CalendarAdjustment, adjustment_id) is None


def test_giving_a_closure_again_replaces_its_reason(db, system):
    with db.unit_of_work(system) as session:
        first = add_closure(session, system, "TX", ICE_STORM, "Ice storm")
        again = add_closure(session, system, "TX", ICE_STORM, "Ice storm, second day of it")
        assert again.id == first.id
        updated = _audit(session, first.id, AuditAction.UPDATE)
        assert [entry.changes["reason"] for entry in updated] == [
            ["Ice storm", "Ice storm, second day of it"]
        ]


def test_the_national_office_and_the_system_change_any_state(db, system):
    national = _actor(db, system, "NO", Role.NATIONAL_OFFICE)
    with db.unit_of_work(national) as session:
        add_closure(session, national, "VA", ICE_STORM, "State closure")
    with db.unit_of_work(system) as session:
        add_closure(session, system, "DC", ICE_STORM, "Snow")
        assert not calendars_for(session, ["VA", "DC"])["VA"].is_business_day(ICE_STORM)
        assert not calendar_for(session, "DC").is_business_day(ICE_STORM)


@pytest.mark.parametrize(
    ("state", "roles", "message"),
    [
        ("TX", (Role.OFFICER,), "only its compact office or a state administrator"),
        ("TX", (Role.SUPERVISOR,), "only its compact office or a state administrator"),
        ("VA", (Role.COMPACT_OFFICE,), "may not change the office calendar in TX"),
        ("VA", (Role.STATE_ADMINISTRATOR,), "may not change the office calendar in TX"),
    ],
)
def test_others_may_not_change_a_states_calendar(db, system, state, roles, message):
    actor = _actor(db, system, state, *roles)
    with db.unit_of_work(system) as session:
        add_closure(session, system, "TX", date(2026, 3, 5), "Power cut")
    for change in (
        lambda s: add_closure(s, actor, "TX", ICE_STORM, "Ice storm"),
        lambda s: mark_open(s, actor, "TX", CESAR_CHAVEZ, "Open"),
        lambda s: remove_adjustment(s, actor, "TX", date(2026, 3, 5)),
    ):
        with pytest.raises(PermissionDenied, match=message), db.unit_of_work(actor) as session:
            change(session)
    with db.read() as session:
        assert calendar_for(session, "TX").is_business_day(ICE_STORM)
        assert not calendar_for(session, "TX").is_business_day(date(2026, 3, 5))


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda s, a: add_closure(s, a, "TX", date(2026, 3, 7), "Saturday"), "day", "weekend"),
        (lambda s, a: add_closure(s, a, "TX", date(2026, 4, 21), "x"), "day", "San Jacinto Day"),
        (lambda s, a: add_closure(s, a, "TX", ICE_STORM, "  "), "reason", "is required"),
        (lambda s, a: add_closure(s, a, "TX", ICE_STORM, "x" * 201), "reason", "at most 200"),
        (lambda s, a: add_closure(s, a, "ZZ", ICE_STORM, "x"), "state", "not a compact"),
        (
            lambda s, a: add_closure(s, a, "TX", datetime(2026, 3, 4, 9), "x"),
            "day",
            "must be a date",
        ),
        (
            lambda s, a: mark_open(s, a, "TX", date(2026, 10, 12), "x"),
            "day",
            "not a listed holiday",
        ),
        (lambda s, a: mark_open(s, a, "TX", date(2026, 7, 4), "x"), "day", "falls on a weekend"),
    ],
)
def test_changes_that_mean_nothing_are_refused_in_words(db, system, change, field, words):
    with pytest.raises(ValidationError, match=words) as raised, db.unit_of_work(system) as session:
        change(session, system)
    assert raised.value.problems[0][0] == field


def test_removing_what_is_not_there_is_not_found(db, system):
    with (
        pytest.raises(NotFound, match="no change to its calendar"),
        db.unit_of_work(system) as session,
    ):
        remove_adjustment(session, system, "TX", ICE_STORM)


def test_a_new_session_sees_a_change_made_elsewhere(db, system):
    with db.read() as session:
        assert calendar_for(session, "TX").is_business_day(ICE_STORM)
    with db.unit_of_work(system) as session:
        add_closure(session, system, "TX", ICE_STORM, "Ice storm")
    with db.read() as session:
        assert not calendar_for(session, "TX").is_business_day(ICE_STORM)


def test_the_screen_listing_shows_the_adjusted_days(db, system):
    with db.unit_of_work(system) as session:
        add_closure(session, system, "TX", ICE_STORM, "Ice storm")
        mark_open(session, system, "TX", CESAR_CHAVEZ, "Open")
        listing = {entry.day: entry for entry in calendar_for(session, "TX").holidays_in(2026)}
    assert listing[ICE_STORM].adjusted and listing[ICE_STORM].closed
    assert listing[CESAR_CHAVEZ].adjusted and not listing[CESAR_CHAVEZ].closed
    assert not listing[date(2026, 4, 21)].adjusted
