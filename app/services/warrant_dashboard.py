"""The Warrants dashboard: per state, active warrants, incomplete records, records awaiting NCIC entry,
and those served or withdrawn this month, counted in one grouped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Integer, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.jurisdictions import MEMBER_CODES
from app.core.permissions import Actor
from app.core.vocabulary import WarrantStatus
from app.models import OffenderLink, WarrantStatusRecord
from app.services import policy

__all__ = ["WarrantCounts", "WarrantDashboard", "month_bounds", "warrant_dashboard"]

_W = WarrantStatusRecord


@dataclass(frozen=True)
class WarrantCounts:
    state: str  # a two-letter code; "" on the total row
    active: int = 0
    incomplete: int = 0
    awaiting_ncic: int = 0
    served_this_month: int = 0
    withdrawn_this_month: int = 0


@dataclass(frozen=True)
class WarrantDashboard:
    month: date  # its first day
    # One row per state in scope (every member state for the National Office), zeros included.
    states: tuple[WarrantCounts, ...]
    # Each record once: a profile linked to two states counts in both rows, and once here.
    total: WarrantCounts


def month_bounds(day: date) -> tuple[date, date]:
    """The first day of day's month and of the next."""
    first = day.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return first, following


def _counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_NAMES = ("active", "incomplete", "awaiting_ncic", "served_this_month", "withdrawn_this_month")


def _measures(first: date, following: date) -> list[ColumnElement[int]]:
    """In the order of _NAMES."""
    active = _W.status == WarrantStatus.ACTIVE
    no_ncic = _W.ncic_entry_date.is_(None)
    # The rule of app.services.profile_view.warrant_incomplete, in SQL.
    incomplete = and_(active, or_(no_ncic, func.trim(_W.issuing_authority) == ""))
    served = and_(
        _W.status == WarrantStatus.EXECUTED, _W.served_date >= first, _W.served_date < following
    )
    withdrawn = and_(
        _W.status == WarrantStatus.WITHDRAWN,
        _W.withdrawn_date >= first,
        _W.withdrawn_date < following,
    )
    return [
        _counted(active),
        _counted(incomplete),
        _counted(and_(active, no_ncic)),
        _counted(served),
        _counted(withdrawn),
    ]


def _relevant(first: date, following: date) -> ColumnElement[bool]:
    """Only the rows some measure counts: active ones and this month's closures."""
    return or_(
        _W.status == WarrantStatus.ACTIVE,
        and_(_W.served_date >= first, _W.served_date < following),
        and_(_W.withdrawn_date >= first, _W.withdrawn_date < following),
    )


def _linked_to(state: str) -> ColumnElement[bool]:
    # A state's records are those of the profiles linked to it, as in every list and export.
    return exists().where(
        OffenderLink.jurisdiction_code == state, OffenderLink.offender_id == _W.offender_id
    )


def _per_state(session: Session, first: date, following: date) -> dict[str, WarrantCounts]:
    """Every state's counts in one grouped query.

    The records are summed per profile first and only those profiles' links are read: the
    warrant table is small beside offender_link, and the plain join led SQLite (without table
    statistics) to walk every link of a million profiles instead.
    """
    measures = _measures(first, following)
    per_profile = (
        select(
            _W.offender_id.label("offender_id"),
            *(m.label(n) for m, n in zip(measures, _NAMES, strict=True)),
        )
        .where(_relevant(first, following))
        .group_by(_W.offender_id)
        .subquery()
    )
    query = (
        select(
            OffenderLink.jurisdiction_code,
            # PostgreSQL's sum of a bigint is a numeric: back to an integer.
            *(cast(func.sum(per_profile.c[n]), Integer) for n in _NAMES),
        )
        .select_from(per_profile)
        .join(OffenderLink, OffenderLink.offender_id == per_profile.c.offender_id)
        .group_by(OffenderLink.jurisdiction_code)
    )
    return {code: WarrantCounts(code, *values) for code, *values in session.execute(query)}


def _counts(session: Session, first: date, following: date, state: str | None) -> tuple[int, ...]:
    query = select(*_measures(first, following)).select_from(_W).where(_relevant(first, following))
    if state is not None:
        query = query.where(_linked_to(state))
    return tuple(session.execute(query).one())


def warrant_dashboard(
    session: Session, actor: Actor, today: date | None = None
) -> WarrantDashboard:
    """The actor's state (policy.report_state), or every state for the National Office."""
    state = policy.report_state(actor)
    first, following = month_bounds(today or clock.today())
    if state is not None:
        counts = _counts(session, first, following, state)
        return WarrantDashboard(first, (WarrantCounts(state, *counts),), WarrantCounts("", *counts))
    found = _per_state(session, first, following)
    rows = tuple(found.get(code, WarrantCounts(code)) for code in MEMBER_CODES)
    # Each record once, not the sum of the rows: a profile is linked to two states or more.
    total = WarrantCounts("", *_counts(session, first, following, None))
    return WarrantDashboard(first, rows, total)
