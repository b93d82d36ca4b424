"""The special statuses of a case's offender, and `compact_case.special_statuses`, kept by that rule.

A case has a special status when its offender has it: the three flags of the profile, and 'active
warrant' while an Active warrant status record exists for the offender. The workload filters and
sorts by them over hundreds of thousands of cases, which would mean looking at each case's profile
and warrant records; the statuses are stored on the case instead, as a bit mask (one bit each), so
that the (state, status, special statuses) indexes answer a filter as a few index ranges.

It is derived data, like `next_due_date`: recomputed here for the cases whose offender's flags or
warrant records a flush changed, and for cases a flush inserted or moved to another offender; bulk
loads call `refresh_special_statuses_for_case_range` (and `..._for_offenders` for profiles that
were there before). The changes that cause it are audited; the column itself is not, and writing it
does not bump the case's version.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from itertools import chain
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    Update,
    case,
    column,
    event,
    exists,
    func,
    inspect,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.orm import Session, attributes

from app.core.vocabulary import WarrantStatus
from app.models.audit import AuditedSession
from app.models.cases import CompactCase
from app.models.derived import lock_for_recompute
from app.models.offenders import Offender


class SpecialStatus(StrEnum):
    SEX_OFFENDER = "sex_offender"
    VICTIM_SENSITIVE = "victim_sensitive"
    HISTORY_OF_ASSAULT = "history_of_assault"
    ACTIVE_WARRANT = "active_warrant"


# Stored in the database: a bit keeps its meaning for as long as rows carry it.
SPECIAL_STATUS_BITS: dict[SpecialStatus, int] = {
    SpecialStatus.SEX_OFFENDER: 1,
    SpecialStatus.VICTIM_SENSITIVE: 2,
    SpecialStatus.HISTORY_OF_ASSAULT: 4,
    SpecialStatus.ACTIVE_WARRANT: 8,
}
_ALL_MASKS = range(sum(SPECIAL_STATUS_BITS.values()) + 1)


# --- The rule, for rows in hand ------------------------------------------------------------------
def mask_of(statuses: Iterable[SpecialStatus]) -> int:
    return sum(SPECIAL_STATUS_BITS[status] for status in set(statuses))


def statuses_in(mask: int) -> tuple[SpecialStatus, ...]:
    """The statuses a stored mask holds, in declaration order."""
    return tuple(status for status, bit in SPECIAL_STATUS_BITS.items() if mask & bit)


def masks_with_all(statuses: Iterable[SpecialStatus]) -> list[int]:
    """Every mask that holds all of `statuses`: a filter names them as a list of values, which an
    index on the column reads as one range each (a bitwise test would read every entry)."""
    wanted = mask_of(statuses)
    return [mask for mask in _ALL_MASKS if mask & wanted == wanted]


def masks_with_any() -> list[int]:
    return [mask for mask in _ALL_MASKS if mask]


# --- The same rule in SQL ------------------------------------------------------------------------
# Core tables of the columns read, so that this module needs neither the warrants' mapped class
# (imported on first use, not at start-up) nor the mapped tables' on-update defaults.
_OFFENDERS = table(
    "offender",
    column("id", Integer),
    column("sex_offender", Boolean),
    column("victim_sensitive", Boolean),
    column("history_of_assault", Boolean),
)
_WARRANTS = table("warrant_status_record", column("offender_id", Integer), column("status"))
_CASES = table(
    "compact_case", column("id", Integer), column("offender_id", Integer),
    column("special_statuses", Integer),
)  # fmt: skip


def special_statuses_of(offender_id_column: Any) -> Any:
    """SQL for the mask of the offender's special statuses (0 when there is no such offender).

    The conditions are the offender's id, and the offender's id and status of the warrant records:
    each a lookup in a primary key or in the (offender, status) index.
    """
    active_warrant = exists().where(
        _WARRANTS.c.offender_id == _OFFENDERS.c.id,
        _WARRANTS.c.status == WarrantStatus.ACTIVE.value,
    )
    bits = SPECIAL_STATUS_BITS
    mask = (
        case((_OFFENDERS.c.sex_offender, bits[SpecialStatus.SEX_OFFENDER]), else_=0)
        + case((_OFFENDERS.c.victim_sensitive, bits[SpecialStatus.VICTIM_SENSITIVE]), else_=0)
        + case((_OFFENDERS.c.history_of_assault, bits[SpecialStatus.HISTORY_OF_ASSAULT]), else_=0)
        + case((active_warrant, bits[SpecialStatus.ACTIVE_WARRANT]), else_=0)
    )
    found = select(mask).where(_OFFENDERS.c.id == offender_id_column).scalar_subquery()
    return func.coalesce(found, 0)


# --- Keeping compact_case.special_statuses -------------------------------------------------------
_FLAG_COLUMNS = ("sex_offender", "victim_sensitive", "history_of_assault")
# Warrant columns whose change can move an offender's 'active warrant' status.
_WARRANT_RULE_COLUMNS = ("offender_id", "status")
# Offenders per statement when a bulk load refreshes the cases of profiles it touched.
OFFENDER_CHUNK = 500


def _recompute(where: ColumnElement[bool]) -> Update:
    """Writes only the cases whose mask changes: most cases have no special status at all."""
    fresh = special_statuses_of(_CASES.c.offender_id)
    return (
        update(_CASES)
        .where(where, _CASES.c.special_statuses != fresh)
        .values(special_statuses=fresh)
    )


def refresh_special_statuses_for_case_range(
    connection: Connection, first_id: int, last_id: int
) -> None:
    """Recomputes the cases first_id..last_id in one statement: for bulk loads, once their
    offenders and warrant records are in."""
    if first_id <= last_id:
        connection.execute(_recompute(_CASES.c.id.between(first_id, last_id)))


def refresh_special_statuses_for_offenders(
    connection: Connection, offender_ids: Iterable[int]
) -> None:
    """Recomputes every case of these offenders: for bulk loads that gave profiles already in the
    database new cases or warrant records."""
    ordered = sorted(set(offender_ids))
    for start in range(0, len(ordered), OFFENDER_CHUNK):
        chunk = ordered[start : start + OFFENDER_CHUNK]
        connection.execute(_recompute(_CASES.c.offender_id.in_(chunk)))


def _values(state: Any, key: str) -> set:
    """The attribute's value now and before the flush, without loading anything."""
    history = state.attrs[key].history
    return {value for value in chain(*history) if value is not None}


def _changed(state: Any, keys: Iterable[str]) -> bool:
    return any(state.attrs[key].history.has_changes() for key in keys)


def _is_warrant(obj: object) -> bool:
    return getattr(type(obj), "__tablename__", None) == "warrant_status_record"


@event.listens_for(AuditedSession, "after_flush")
def _refresh_touched_cases(session: Session, _flush_context) -> None:
    case_ids: set[int] = set()
    offender_ids: set[int] = set()
    # Inserted cases join the identity map only once the flush is over.
    inserted: dict[int, CompactCase] = {}
    new, dirty = session.new, session.dirty
    for obj in chain(new, dirty, session.deleted):
        if isinstance(obj, CompactCase):
            if obj in new:
                inserted[obj.id] = obj
                case_ids.add(obj.id)
            elif obj in dirty and _changed(inspect(obj), ("offender_id",)):
                case_ids.add(obj.id)
        elif isinstance(obj, Offender):
            if obj in dirty and _changed(inspect(obj), _FLAG_COLUMNS):
                offender_ids.add(obj.id)
        elif _is_warrant(obj):
            state = inspect(obj)
            if obj in dirty and not _changed(state, _WARRANT_RULE_COLUMNS):
                continue
            offender_ids |= _values(state, "offender_id")
    if not case_ids and not offender_ids:
        return
    where = []
    if case_ids:
        where.append(_CASES.c.id.in_(sorted(case_ids)))
    if offender_ids:
        where.append(_CASES.c.offender_id.in_(sorted(offender_ids)))
    lock_for_recompute(session, _CASES, or_(*where))
    statement = _recompute(or_(*where)).returning(_CASES.c.id, _CASES.c.special_statuses)
    mapper = inspect(CompactCase)
    for case_id, mask in session.connection().execute(statement):
        # A case already in the session shows the new mask without being read again; set as
        # loaded, not as a change, so that the case is not written (nor its version bumped).
        held = inserted.get(case_id) or session.identity_map.get(
            mapper.identity_key_from_primary_key((case_id,))
        )
        if held is not None:
            attributes.set_committed_value(held, "special_statuses", mask)
