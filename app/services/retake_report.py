"""How often each state invokes Rule 5.101(b) through the Discretionary Retake, and how often it told
the receiving state later than 15 business days after the warrant was issued (seed 002)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.permissions import Actor, Permission, require
from app.core.vocabulary import ActivityStatus, ActivityType
from app.models import Activity

REPORT_COLUMNS = ("state", "invoked", "on_time", "late", "no_warrant_date")
# Withdrawn ones were transmitted too: the notice reached the receiving state on time or late.
_SENT = (ActivityStatus.TRANSMITTED, ActivityStatus.WITHDRAWN)


@dataclass
class RetakeSummary:
    state: str
    invoked: int = 0
    on_time: int = 0
    late: int = 0
    # Transmitted before the warrant's date was known, or under no rule in force (before 2022).
    no_warrant_date: int = 0

    def as_row(self) -> tuple:
        return (self.state, self.invoked, self.on_time, self.late, self.no_warrant_date)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def retake_summary(
    session: Session, actor: Actor, start: date, end: date, state: str | None = None
) -> list[RetakeSummary]:
    """Per sending state, the Discretionary Retakes transmitted from `start` to `end` (both
    included). A state's users see their own state; the National Office every state or one."""
    require(actor, Permission.VIEW_OFFENDERS)
    if not actor.sees_all_states:
        state = actor.jurisdiction_code
    query = select(Activity.from_state, Activity.content).where(
        Activity.type == ActivityType.DISCRETIONARY_RETAKE,
        Activity.status.in_(_SENT),
        Activity.transmitted_at >= _day_start(start),
        Activity.transmitted_at < _day_start(end + timedelta(days=1)),
    )
    if state:
        query = query.where(Activity.from_state == state)
    by_state: dict[str, RetakeSummary] = {}
    # Streamed: only the small compliance part of each row is kept.
    for from_state, content in session.execute(query.execution_options(yield_per=2000)):
        summary = by_state.setdefault(from_state, RetakeSummary(from_state))
        summary.invoked += 1
        compliance = (content or {}).get("compliance") or {}
        if "on_time" not in compliance:
            summary.no_warrant_date += 1
        elif compliance["on_time"]:
            summary.on_time += 1
        else:
            summary.late += 1
    return [by_state[code] for code in sorted(by_state)]


def report_rows(summaries: list[RetakeSummary]) -> Iterator[tuple]:
    yield from (summary.as_row() for summary in summaries)
