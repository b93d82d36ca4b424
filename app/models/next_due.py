"""What 'awaiting a reply' and 'overdue' mean, and `compact_case.next_due_date`, kept by that rule.

An activity awaits a reply when it was transmitted with a due date and no transmitted reply answers
it yet; a case's next due date is the earliest due date among its activities awaiting a reply, and
the case is overdue once that date has passed. Whether an activity is answered is known only by
looking for a reply pointing at it, which no index can turn into a range, so the workload would
read every answered activity to sort or filter by it; the date is kept on the case instead.

It is derived data, like `offender_link`: recomputed here for the cases whose activities a flush
inserted, changed or deleted (whoever writes them), and by `refresh_next_due_for_case_range` after a
bulk load. The changes to activities that cause it are audited; the column itself is not, and
writing it does not bump the case's version (it is nobody's edit, and must not make a user's open
copy of the case stale).
"""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Update,
    and_,
    case,
    column,
    event,
    func,
    inspect,
    select,
    table,
    update,
)
from sqlalchemy.orm import Session, aliased, attributes

from app.core.vocabulary import ActivityStatus
from app.models.activities import Activity
from app.models.audit import AuditedSession
from app.models.cases import CompactCase
from app.models.derived import lock_for_recompute


# --- The rule, for rows in hand ------------------------------------------------------------------
def answers(reply_status: ActivityStatus) -> bool:
    """A reply answers what it points at once transmitted; a draft reply answers nothing yet."""
    return reply_status is ActivityStatus.TRANSMITTED


def awaits_reply(status: ActivityStatus, due_date: date | None, answered: bool) -> bool:
    """`answered`: a reply that `answers` points at the activity."""
    return status is ActivityStatus.TRANSMITTED and due_date is not None and not answered


def is_overdue(due_date: date | None, today: date) -> bool:
    """Due today is not overdue yet."""
    return due_date is not None and due_date < today


# --- The same rule in SQL ------------------------------------------------------------------------
def overdue(next_due_column: Any, today: date) -> ColumnElement[bool]:
    """SQL for `is_overdue` of a case's next due date (NULL, nothing awaited, is never overdue)."""
    return next_due_column < today


def next_due_of(case_id_column: Any) -> Any:
    """SQL for the earliest due date among the case's activities that `awaits_reply`.

    The only conditions in WHERE are the case's and the answered activity's ids, so each lookup
    is a range of its own index. A condition on the status there would let a planner without
    statistics (SQLite always, PostgreSQL until its first ANALYZE of freshly loaded rows) range
    over every transmitted activity for each case instead, which makes a bulk load quadratic.
    """
    pending, reply = aliased(Activity), aliased(Activity)
    transmitted = ActivityStatus.TRANSMITTED
    answering_replies = (
        select(func.count(case((reply.status == transmitted, 1))))
        .where(reply.reply_to_id == pending.id)
        .scalar_subquery()
    )
    awaiting = and_(
        pending.status == transmitted, pending.due_date.is_not(None), answering_replies == 0
    )
    return (
        select(func.min(case((awaiting, pending.due_date))))
        .where(pending.case_id == case_id_column)
        .scalar_subquery()
    )


# --- Keeping compact_case.next_due_date ------------------------------------------------------------
# Only the two columns: the mapped table's `updated_at` would be set by its on-update default.
_CASES = table("compact_case", column("id"), column("next_due_date", Date))
# Activity columns whose change can move a case's next due date.
_RULE_COLUMNS = ("case_id", "status", "due_date", "reply_to_id")


def _recompute(where: ColumnElement[bool]) -> Update:
    """Writes only the cases whose date changes: most cases of a bulk load have none to store, and
    most activity changes (drafts, content) leave the date as it was."""
    fresh = next_due_of(_CASES.c.id)
    return (
        update(_CASES)
        .where(where, _CASES.c.next_due_date.is_distinct_from(fresh))
        .values(next_due_date=fresh)
    )


def refresh_next_due_for_case_range(connection: Connection, first_id: int, last_id: int) -> None:
    """Recomputes the cases first_id..last_id in one statement: for bulk loads, once their
    activities are in."""
    if first_id <= last_id:
        connection.execute(_recompute(_CASES.c.id.between(first_id, last_id)))


def _values(state: Any, key: str) -> set:
    """The attribute's value now and before the flush, without loading anything."""
    history = state.attrs[key].history
    return {value for value in chain(*history) if value is not None}


@event.listens_for(AuditedSession, "after_flush")
def _refresh_touched_cases(session: Session, _flush_context) -> None:
    case_ids: set[int] = set()
    answered: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if not isinstance(obj, Activity):
            continue
        state = inspect(obj)
        if obj in session.dirty and not any(
            state.attrs[key].history.has_changes() for key in _RULE_COLUMNS
        ):
            continue
        case_ids |= _values(state, "case_id")
        answered |= _values(state, "reply_to_id")
    if not case_ids and not answered:
        return
    where = _CASES.c.id.in_(sorted(case_ids))
    if answered:
        # A reply belongs to the case of what it answers; looking that case up costs little and
        # keeps the date right even if one did not.
        answered_cases = select(Activity.case_id).where(Activity.id.in_(sorted(answered)))
        where = where | _CASES.c.id.in_(answered_cases)
    lock_for_recompute(session, _CASES, where)
    statement = _recompute(where).returning(_CASES.c.id, _CASES.c.next_due_date)
    mapper = inspect(CompactCase)
    for case_id, next_due in session.connection().execute(statement):
        # A case already in the session shows the new date without being read again; set as
        # loaded, not as a change, so that the case is not written (nor its version bumped).
        case = session.identity_map.get(mapper.identity_key_from_primary_key((case_id,)))
        if case is not None:
            attributes.set_committed_value(case, "next_due_date", next_due)
