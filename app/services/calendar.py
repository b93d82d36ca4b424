"""Each jurisdiction's business calendar as its office keeps it: closures and worked holidays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.calendar import BusinessCalendar, listed_holidays
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.jurisdictions import BY_CODE
from app.core.permissions import Actor, require_same_state
from app.core.vocabulary import CalendarAdjustmentKind, Role
from app.models import CalendarAdjustment

__all__ = [
    "add_closure",
    "calendar_for",
    "calendars_for",
    "mark_open",
    "remove_adjustment",
]

# Who keeps a state's calendar: its compact office and its administrators (the National Office and
# the system account anywhere).
EDITING_ROLES = frozenset({Role.COMPACT_OFFICE, Role.STATE_ADMINISTRATOR, Role.NATIONAL_OFFICE})
_CACHE_KEY = "business_calendars"
_REASON_LENGTH = 200


def _code(state_code: str) -> str:
    code = (state_code or "").strip().upper()
    if code not in BY_CODE:
        raise ValidationError.single("state", f"'{state_code}' is not a compact jurisdiction")
    return code


def _cache(session: Session) -> dict[str, BusinessCalendar]:
    # Per session only: another user's change must be seen by the next unit of work.
    return session.info.setdefault(_CACHE_KEY, {})


def calendars_for(session: Session, state_codes: Iterable[str]) -> dict[str, BusinessCalendar]:
    """The calendars of several jurisdictions, their adjustments read in one query."""
    codes = {_code(code) for code in state_codes}
    cache = _cache(session)
    missing = sorted(codes - set(cache))
    if missing:
        closed: dict[str, dict[date, str | None]] = {code: {} for code in missing}
        opened: dict[str, dict[date, str | None]] = {code: {} for code in missing}
        rows = session.execute(
            select(
                CalendarAdjustment.jurisdiction_code,
                CalendarAdjustment.day,
                CalendarAdjustment.kind,
                CalendarAdjustment.reason,
            ).where(CalendarAdjustment.jurisdiction_code.in_(missing))
        )
        for code, day, kind, reason in rows:
            target = closed if kind is CalendarAdjustmentKind.CLOSED else opened
            target[code][day] = reason
        for code in missing:
            cache[code] = BusinessCalendar(code, closed[code], opened[code])
    return {code: cache[code] for code in codes}


def calendar_for(session: Session, state_code: str) -> BusinessCalendar:
    """The jurisdiction's business days: the package's legal holidays with its office's changes."""
    code = _code(state_code)
    return calendars_for(session, [code])[code]


def _require_calendar_keeper(actor: Actor, code: str) -> None:
    if not actor.is_system and not (actor.roles & EDITING_ROLES):
        raise PermissionDenied(
            f"{actor.username} may not change the calendar of {code}: only its compact office "
            "or a state administrator may"
        )
    require_same_state(actor, code, "change the office calendar")


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError.single(
            "reason", "is required: say why the office departs from the list"
        )
    if len(text) > _REASON_LENGTH:
        raise ValidationError.single("reason", f"is at most {_REASON_LENGTH} characters")
    return text


def _day(day: date) -> date:
    # A datetime is a date too, and would be stored with its time on some backends.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError.single("day", "must be a date")
    return day


def _find(session: Session, code: str, day: date) -> CalendarAdjustment | None:
    return session.scalar(
        select(CalendarAdjustment).where(
            CalendarAdjustment.jurisdiction_code == code, CalendarAdjustment.day == day
        )
    )


def _save(
    session: Session, code: str, day: date, kind: CalendarAdjustmentKind, reason: str
) -> CalendarAdjustment:
    adjustment = _find(session, code, day)
    if adjustment is None:
        adjustment = CalendarAdjustment(jurisdiction_code=code, day=day, kind=kind, reason=reason)
        session.add(adjustment)
    else:
        # The kind can differ only if the package's list changed since the day was adjusted.
        adjustment.kind, adjustment.reason = kind, reason
    session.flush()
    _cache(session).pop(code, None)
    return adjustment


def add_closure(
    session: Session, actor: Actor, state_code: str, day: date, reason: str
) -> CalendarAdjustment:
    """The office is closed on a day it would work (weather, a declared closure); deadlines skip it.

    Giving a closure again replaces its reason.
    """
    code = _code(state_code)
    _require_calendar_keeper(actor, code)
    day, text = _day(day), _reason(reason)
    if day.weekday() >= 5:
        raise ValidationError.single(
            "day", f"{day:%m/%d/%Y} is a weekend day: never a business day"
        )
    listed = listed_holidays(code, day.year).get(day)
    if listed is not None:
        raise ValidationError.single(
            "day", f"{day:%m/%d/%Y} is already a holiday in {code} ({listed})"
        )
    return _save(session, code, day, CalendarAdjustmentKind.CLOSED, text)


def mark_open(
    session: Session, actor: Actor, state_code: str, day: date, reason: str
) -> CalendarAdjustment:
    """The office works on a listed holiday (an optional or skeleton-crew day); deadlines count it.

    Marking it again replaces its reason.
    """
    code = _code(state_code)
    _require_calendar_keeper(actor, code)
    day, text = _day(day), _reason(reason)
    listed = listed_holidays(code, day.year).get(day)
    if listed is None:
        raise ValidationError.single(
            "day", f"{day:%m/%d/%Y} is not a listed holiday in {code}: it is worked already"
        )
    if day.weekday() >= 5:
        raise ValidationError.single(
            "day", f"{day:%m/%d/%Y} ({listed}) falls on a weekend: never a business day"
        )
    return _save(session, code, day, CalendarAdjustmentKind.OPEN, text)


def remove_adjustment(session: Session, actor: Actor, state_code: str, day: date) -> None:
    """Back to the package's list for that day."""
    code = _code(state_code)
    _require_calendar_keeper(actor, code)
    adjustment = _find(session, code, _day(day))
    if adjustment is None:
        raise NotFound(f"{code} has no change to its calendar on {day:%m/%d/%Y}.")
    session.delete(adjustment)
    session.flush()
    _cache(session).pop(code, None)
