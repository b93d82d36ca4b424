"""Due dates from the versioned deadline rules, counted in the calendar of the state that acts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.vocabulary import DayCountUnit
from app.models import DeadlineRule
from app.services.calendar import calendar_for

__all__ = ["Due", "compute_due", "due_with_rule", "rule_in_force"]


@dataclass(frozen=True)
class Due:
    due_date: date
    rule_id: int
    rule_key: str
    rule_number: str
    days: int
    unit: DayCountUnit

    def describe(self) -> str:
        """E.g. 'Rule 5.101(b): 15 business days'."""
        noun = "day" if self.days == 1 else "days"
        return f"Rule {self.rule_number}: {self.days} {self.unit.value} {noun}"


def _plain_date(value: date) -> date:
    # A datetime is a date too; its time would silently shift nothing but confuse comparisons.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"a trigger date is a date, not {type(value).__name__}")
    return value


def rule_in_force(session: Session, rule_key: str, trigger_date: date) -> DeadlineRule | None:
    """The version of the rule in force on the trigger date: the latest that took effect by then."""
    rule = session.scalar(
        select(DeadlineRule)
        .where(
            DeadlineRule.rule_key == rule_key,
            DeadlineRule.effective_from <= _plain_date(trigger_date),
        )
        .order_by(DeadlineRule.effective_from.desc())
        .limit(1)
    )
    if (
        rule is None
        and session.scalar(
            select(DeadlineRule.id).where(DeadlineRule.rule_key == rule_key).limit(1)
        )
        is None
    ):
        # A misspelt key must not pass for 'no rule in force yet'.
        raise ValueError(f"no deadline rule is called {rule_key!r}")
    return rule


def _due(session: Session, rule: DeadlineRule, trigger_date: date, acting_state: str) -> Due:
    trigger = _plain_date(trigger_date)
    if rule.unit is DayCountUnit.BUSINESS:
        due_date = calendar_for(session, acting_state).add_business_days(trigger, rule.days)
    else:
        due_date = calendar_for(session, acting_state).add_calendar_days(trigger, rule.days)
    return Due(
        due_date=due_date,
        rule_id=rule.id,
        rule_key=rule.rule_key,
        rule_number=rule.rule_number,
        days=rule.days,
        unit=rule.unit,
    )


def compute_due(
    session: Session, rule_key: str, trigger_date: date, acting_state: str
) -> Due | None:
    """When the acting state must have done it; None when no version is in force on that date."""
    rule = rule_in_force(session, rule_key, trigger_date)
    if rule is None:
        return None
    return _due(session, rule, trigger_date, acting_state)


def due_with_rule(session: Session, rule_id: int, trigger_date: date, acting_state: str) -> Due:
    """The due date by a given version: a clock that started under it keeps it after a new one."""
    rule = session.get(DeadlineRule, rule_id)
    if rule is None:
        raise NotFound(f"Deadline rule {rule_id} does not exist.")
    return _due(session, rule, trigger_date, acting_state)
