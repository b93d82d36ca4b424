"""The compact workload: the cases a user is assigned to, or all the cases of their state, with the
next due date, the overdue flag and the special statuses, filtered, sorted and paged in SQL.

Two ways to page, chosen by how many cases match (counted only up to NARROW_LIMIT):

- A narrow list (one officer's cases, a small state's filtered cases) is sorted by the database and
  paged by offset.
- A wide list (a big state's or the whole country's cases, up to hundreds of thousands) is never
  sorted whole. Each sort walks an index in order and stops at the page's end: the case number
  index, the offender number and name indexes (driving the join to the cases), the activities'
  due-date index. A column with few values (state, status, supervision type, assigned user, special
  statuses) is cut into segments, one per value in display order, each in case-number order. A page
  starts after the last row of the page before (its `page_key`), so the next page costs what the
  first one did.

SQLite plans without statistics, so the wide queries tell it which index to walk (see _DrivingJoin
and _Unindexed); PostgreSQL plans from its statistics and reads them as ordinary SQL.

The next due date and the overdue flag are read from `compact_case.next_due_date`, which
app.models.next_due keeps by the one rule of what awaits a reply: the 'next due' order walks its
index, and the overdue filter and its counts are index ranges.

The special statuses are read from `compact_case.special_statuses`, the bit mask that
app.models.special_status keeps from the offender's flags and warrant records: a filter names the
masks that hold its statuses, which the (state, status, special statuses) indexes read as ranges,
so that it is counted exactly; the special-status order walks the case number index and reads the
mask from the case it is on, never from the profile.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import visitors
from sqlalchemy.sql.selectable import Join
from sqlalchemy.sql.visitors import InternalTraversal

from app.core import clock
from app.core.jurisdictions import JURISDICTIONS
from app.core.permissions import Actor, Permission, require
from app.core.vocabulary import (
    ACTIVE_CASE_STATUSES,
    SUPERVISION_TYPE_LABELS,
    WARRANT_SPECIAL_STATUS,
    CaseStatus,
)
from app.models import CompactCase, Offender, OffenderLink, User
from app.models.next_due import is_overdue, overdue
from app.models.special_status import SpecialStatus, masks_with_all, masks_with_any, statuses_in
from app.services.policy import case_party

# Up to this many matching cases the database sorts the whole list: cheaper than walking an
# index past thousands of rows of other states to find them.
NARROW_LIMIT = 5_000
# Rows per query when a whole list is streamed (export, print).
EXPORT_CHUNK = 2_000


class WorkloadScope(StrEnum):
    MINE = "mine"  # cases where the user is the sending or the receiving assigned user
    STATE = "state"  # cases where the user's state is the sending or the receiving state


SPECIAL_STATUS_LABELS = {
    SpecialStatus.SEX_OFFENDER: "Sex offender",
    SpecialStatus.VICTIM_SENSITIVE: "Victim sensitive",
    SpecialStatus.HISTORY_OF_ASSAULT: "History of assault",
    SpecialStatus.ACTIVE_WARRANT: WARRANT_SPECIAL_STATUS,
}


class WorkloadSort(StrEnum):
    CASE_NUMBER = "case_number"
    OFFENDER_NUMBER = "offender_number"
    NAME = "name"
    SENDING_STATE = "sending_state"
    RECEIVING_STATE = "receiving_state"
    SUPERVISION_TYPE = "supervision_type"
    STATUS = "status"
    SENDING_USER = "sending_user"
    RECEIVING_USER = "receiving_user"
    # Cases with nothing awaiting a reply come last in both directions (by case number), as do
    # unassigned cases when sorting by assigned user; cases due the same day by their id.
    NEXT_DUE = "next_due"
    # Ascending: the cases whose offender has a special status first.
    SPECIAL_STATUSES = "special_statuses"


@dataclass(frozen=True)
class WorkloadQuery:
    scope: WorkloadScope = WorkloadScope.MINE
    statuses: frozenset[CaseStatus] = ACTIVE_CASE_STATUSES
    # A case is kept when its offender has every one of these.
    special_statuses: frozenset[SpecialStatus] = frozenset()
    # Keeps the cases where this user is the sending or the receiving assigned user.
    assigned_user_id: int | None = None
    overdue_only: bool = False
    sort: WorkloadSort = WorkloadSort.NEXT_DUE
    descending: bool = False


@dataclass(frozen=True)
class WorkloadRow:
    case_id: int
    case_number: str
    offender_id: int
    offender_number: str
    offender_name: str
    sending_state: str
    receiving_state: str
    supervision_type: str
    status: str
    sending_user: str | None
    receiving_user: str | None
    next_due: date | None
    overdue: bool
    special_statuses: tuple[str, ...]
    # Where the row stands in its list; pass it as `after` to fetch the page that follows.
    page_key: tuple | None = None


# --- Steering SQLite's planner ---------------------------------------------------------------------
class _Unindexed(ColumnElement):
    """An expression SQLite must not look up in an index (`+column`); elsewhere the expression."""

    inherit_cache = True
    _traverse_internals = [("element", InternalTraversal.dp_clauseelement)]

    def __init__(self, element: ColumnElement):
        self.element = element
        self.type = element.type


@compiles(_Unindexed)
def _compile_unindexed(element: _Unindexed, compiler, **kw) -> str:
    return compiler.process(element.element, **kw)


@compiles(_Unindexed, "sqlite")
def _compile_unindexed_sqlite(element: _Unindexed, compiler, **kw) -> str:
    return "+" + compiler.process(element.element, **kw)


class _DrivingJoin(Join):
    """A join whose left side drives: SQLite keeps it outermost (CROSS JOIN), others plan freely.

    Without statistics SQLite would rather read every case and sort them than walk the offender
    index in order and stop at the page's end.
    """

    inherit_cache = True


@compiles(_DrivingJoin, "sqlite")
def _compile_driving_join(join: _DrivingJoin, compiler, **kw) -> str:
    kw["asfrom"] = True
    return (
        f"{compiler.process(join.left, **kw)} CROSS JOIN "
        f"{compiler.process(join.right, **kw)} ON "
        f"{compiler.process(join.onclause, **kw)}"
    )


def _cases_of(driver: Any, onclause: ColumnElement[bool]) -> _DrivingJoin:
    return _DrivingJoin(driver, CompactCase.__table__, onclause)


# Case columns with indexes of their own that a filter may name.
_INDEXED_CASE_COLUMNS = frozenset(
    {
        "sending_state",
        "receiving_state",
        "status",
        "sending_assigned_user_id",
        "receiving_assigned_user_id",
        "next_due_date",
        "special_statuses",
    }
)


def _walk_order_index(
    clauses: Sequence[ColumnElement[bool]], keep: frozenset[str] = frozenset()
) -> list[ColumnElement[bool]]:
    """The filters, with the case columns not in `keep` made unusable for index lookups.

    A wide list matches thousands of cases, so walking the sort's index finds a page's worth within
    a few thousand entries; SQLite would instead gather every case of the state from the state
    index and sort them all.
    """
    table = CompactCase.__table__

    def replace(element: Any) -> Any:
        if getattr(element, "table", None) is table and element.key in _INDEXED_CASE_COLUMNS - keep:
            return _Unindexed(element)
        return None

    return [visitors.replacement_traverse(clause, {}, replace) for clause in clauses]


# --- Special statuses ------------------------------------------------------------------------------
def _special_statuses(wanted: frozenset[SpecialStatus]) -> ColumnElement[bool]:
    """The cases whose offender has every one of `wanted`: a list of masks, not a bitwise test,
    so that an index on the column reads one range per mask."""
    return CompactCase.special_statuses.in_(masks_with_all(wanted))


def _any_special_status(flagged: bool) -> ColumnElement[bool]:
    if flagged:
        return CompactCase.special_statuses.in_(masks_with_any())
    return CompactCase.special_statuses == 0


# --- Filters ---------------------------------------------------------------------------------------
def _assigned_to(user_id: int | None) -> ColumnElement[bool]:
    if user_id is None:
        return false()
    return or_(
        CompactCase.sending_assigned_user_id == user_id,
        CompactCase.receiving_assigned_user_id == user_id,
    )


def _filters(actor: Actor, query: WorkloadQuery, today: date) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if query.scope is WorkloadScope.MINE:
        clauses.append(_assigned_to(actor.user_id))
    else:
        party = case_party(actor)
        if party is not None:
            clauses.append(party)
    if query.statuses != frozenset(CaseStatus):
        statuses = sorted(query.statuses)
        clauses.append(CompactCase.status.in_(statuses) if statuses else false())
    if query.assigned_user_id is not None:
        clauses.append(_assigned_to(query.assigned_user_id))
    if query.special_statuses:
        clauses.append(_special_statuses(query.special_statuses))
    if query.overdue_only:
        clauses.append(overdue(CompactCase.next_due_date, today))
    return clauses


def _ranged(
    actor: Actor, query: WorkloadQuery, filters: Sequence[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """The filters, with every state named when the list holds every state's cases: each case's
    sending state is a jurisdiction, and naming them all lets the database read ranges of the
    (sending state, status, ...) indexes instead of every case."""
    if query.scope is WorkloadScope.STATE and actor.sees_all_states:
        return [*filters, CompactCase.sending_state.in_(_state_codes())]
    return list(filters)


def _capped_count(session: Session, filters: Sequence[ColumnElement[bool]], cap: int) -> int:
    """How many cases match, counting no further than cap + 1."""
    matches = select(CompactCase.id).where(*filters).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(matches)) or 0


# --- The narrow list: one ORDER BY ----------------------------------------------------------------
def _binary(session: Session, expression: Any) -> Any:
    """Byte order (as Python compares strings), so that both databases and the segments agree."""
    if session.get_bind().dialect.name == "postgresql":
        return expression.collate("C")
    return expression


# Supervision types in the order of their labels ('Parole', 'Parole and probation', 'Probation').
_SUPERVISION_ORDER = sorted(SUPERVISION_TYPE_LABELS, key=SUPERVISION_TYPE_LABELS.__getitem__)

_VALUE_COLUMNS = {
    WorkloadSort.SENDING_STATE: CompactCase.sending_state,
    WorkloadSort.RECEIVING_STATE: CompactCase.receiving_state,
    WorkloadSort.STATUS: CompactCase.status,
}
_USER_COLUMNS = {
    WorkloadSort.SENDING_USER: CompactCase.sending_assigned_user_id,
    WorkloadSort.RECEIVING_USER: CompactCase.receiving_assigned_user_id,
}


def _narrow_select(session: Session, query: WorkloadQuery) -> Select:
    """Case ids in the list's order: the same order the wide plans give, sorted by the database."""

    def ordered(*keys: Any) -> list[Any]:
        return [key.desc() if query.descending else key.asc() for key in keys]

    def blank_last(column: Any) -> Any:
        return case((column.is_(None), 1), else_=0).asc()

    sort = query.sort
    base = select(CompactCase.id).join(Offender, Offender.id == CompactCase.offender_id)
    if sort is WorkloadSort.CASE_NUMBER:
        keys = ordered(CompactCase.case_number)
    elif sort is WorkloadSort.OFFENDER_NUMBER:
        keys = ordered(Offender.offender_number, CompactCase.id)
    elif sort is WorkloadSort.NAME:
        keys = ordered(Offender.last_name_key, Offender.first_name_key, Offender.id, CompactCase.id)
    elif sort in _VALUE_COLUMNS:
        keys = ordered(_binary(session, _VALUE_COLUMNS[sort]), CompactCase.case_number)
    elif sort is WorkloadSort.SUPERVISION_TYPE:
        rank = case(
            {value: index for index, value in enumerate(_SUPERVISION_ORDER)},
            value=CompactCase.supervision_type,
        )
        keys = ordered(rank, CompactCase.case_number)
    elif sort in _USER_COLUMNS:
        column = _USER_COLUMNS[sort]
        assigned = aliased(User)
        base = base.outerjoin(assigned, assigned.id == column)
        keys = [
            blank_last(column),
            *ordered(_binary(session, assigned.full_name), assigned.id, CompactCase.case_number),
        ]
    elif sort is WorkloadSort.SPECIAL_STATUSES:
        flagged = case((_any_special_status(True), 0), else_=1)
        keys = ordered(flagged, CompactCase.case_number)
    elif sort is WorkloadSort.NEXT_DUE:
        due = CompactCase.next_due_date
        blank_by_number = case((due.is_(None), CompactCase.case_number))
        keys = [blank_last(due), *ordered(due, blank_by_number, CompactCase.id)]
    else:
        raise ValueError(f"unknown sort {sort!r}")
    return base.order_by(*keys)


# --- The wide list: segments walked in index order ------------------------------------------------
@dataclass(frozen=True)
class _Segment:
    """The rows of the list with one value of the sorted column, in their own order.

    `select` returns (case id, *keys); `keys` order the segment, the last of them unique in it.
    `probe`, where given, returns the same rows through the indexes of the filters: a segment
    with few rows (a special status that is rare in it, or absent) is read and sorted from there,
    as a walk would pass every other row of the index to find them.
    """

    value: Any
    select: Select
    keys: tuple[Any, ...]
    probe: Select | None = None


def _segment(value: Any, query: Select, *keys: Any, probe: Select | None = None) -> _Segment:
    return _Segment(
        value,
        query.add_columns(*keys),
        keys,
        None if probe is None else probe.add_columns(*keys),
    )


def _state_codes() -> list[str]:
    return sorted(j.code for j in JURISDICTIONS)


def _ordered_users(session: Session) -> list[int]:
    return list(
        session.scalars(select(User.id).order_by(_binary(session, User.full_name), User.id))
    )


def _wide_segments(
    session: Session,
    actor: Actor,
    query: WorkloadQuery,
    filters: Sequence[ColumnElement[bool]],
) -> list[_Segment]:
    sort = query.sort
    walking = _walk_order_index(filters)
    cases = select(CompactCase.id).where(*walking)

    def probe(condition: ColumnElement[bool]) -> Select | None:
        """Where the filters name special statuses, the segment's rows are ranges of the (state,
        status, special statuses, next due) indexes, so its size is known at little cost."""
        if not query.special_statuses:
            return None
        return select(CompactCase.id).where(*_ranged(actor, query, filters), condition)

    def by_value(
        column: Any, values: Sequence[Any], keep: frozenset[str], blank: bool, probed: bool = False
    ) -> list:
        """One segment per value, in display order; the blank one (None) last either way.
        `probed`: the column is in the indexes a probe reads."""
        within = select(CompactCase.id).where(*_walk_order_index(filters, keep))
        ordered = list(reversed(values)) if query.descending else list(values)
        if blank:
            ordered.append(None)
        segments = []
        for value in ordered:
            condition = column.is_(None) if value is None else column == value
            segments.append(
                _segment(
                    value,
                    within.where(condition),
                    CompactCase.case_number,
                    probe=probe(condition) if probed else None,
                )
            )
        return segments

    if sort is WorkloadSort.CASE_NUMBER:
        return [_segment(None, cases, CompactCase.case_number)]
    if sort is WorkloadSort.OFFENDER_NUMBER:
        driven = cases.select_from(
            _cases_of(Offender.__table__, Offender.id == CompactCase.offender_id)
        )
        return [_segment(None, driven, Offender.offender_number, CompactCase.id)]
    if sort is WorkloadSort.NAME:
        if query.scope is WorkloadScope.STATE and not actor.sees_all_states:
            # The state's own rows of offender_link carry the name keys in an index of their own.
            driven = cases.select_from(
                _cases_of(
                    OffenderLink.__table__,
                    and_(
                        OffenderLink.jurisdiction_code == actor.jurisdiction_code,
                        OffenderLink.offender_id == CompactCase.offender_id,
                    ),
                )
            )
            keys = (
                OffenderLink.last_name_key,
                OffenderLink.first_name_key,
                OffenderLink.offender_id,
            )
        else:
            driven = cases.select_from(
                _cases_of(Offender.__table__, Offender.id == CompactCase.offender_id)
            )
            keys = (Offender.last_name_key, Offender.first_name_key, Offender.id)
        return [_segment(None, driven, *keys, CompactCase.id)]
    if sort is WorkloadSort.SENDING_STATE:
        keep = frozenset({"sending_state", "status"})
        return by_value(CompactCase.sending_state, _state_codes(), keep, False)
    if sort is WorkloadSort.RECEIVING_STATE:
        keep = frozenset({"receiving_state", "status"})
        return by_value(CompactCase.receiving_state, _state_codes(), keep, False)
    if sort is WorkloadSort.SUPERVISION_TYPE:
        return by_value(CompactCase.supervision_type, _SUPERVISION_ORDER, frozenset(), False)
    if sort is WorkloadSort.STATUS:
        return by_value(CompactCase.status, sorted(query.statuses), frozenset(), False, True)
    if sort in _USER_COLUMNS:
        column = _USER_COLUMNS[sort]
        keep = frozenset({column.key})
        return by_value(column, _ordered_users(session), keep, True)
    if sort is WorkloadSort.SPECIAL_STATUSES:
        values = [False, True] if query.descending else [True, False]
        return [
            _segment(
                value,
                # Read from the case the walk is on, as every walk's filters are.
                cases.where(*_walk_order_index([_any_special_status(value)])),
                CompactCase.case_number,
                probe=probe(_any_special_status(value)),
            )
            for value in values
        ]
    if sort is WorkloadSort.NEXT_DUE:
        due = CompactCase.next_due_date
        # The dates are walked in their own index; the filters stay unindexed as for every walk.
        by_date = select(CompactCase.id).where(*_walk_order_index(filters, frozenset({due.key})))
        return [
            _segment(
                True, by_date.where(due.is_not(None)), due, CompactCase.id,
                probe=probe(due.is_not(None)),
            ),
            # Not read from the date index: its blank range is most of the cases, unsorted.
            _segment(
                None, cases.where(_Unindexed(due).is_(None)), CompactCase.case_number,
                probe=probe(due.is_(None)),
            ),
        ]  # fmt: skip
    raise ValueError(f"unknown sort {sort!r}")


def _locate(session: Session, segments: Sequence[_Segment], offset: int) -> tuple[int, int]:
    """The segment holding row `offset`, and the row's position in it."""
    for index, segment in enumerate(segments[:-1]):
        counted = segment.select if segment.probe is None else segment.probe
        size = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        if offset < size:
            return index, offset
        offset -= size
    return len(segments) - 1, offset


def _is_small(session: Session, probe: Select) -> bool:
    counted = probe.with_only_columns(CompactCase.id).limit(NARROW_LIMIT + 1).subquery()
    return (session.scalar(select(func.count()).select_from(counted)) or 0) <= NARROW_LIMIT


def _wide_page_ids(
    session: Session,
    segments: Sequence[_Segment],
    descending: bool,
    offset: int,
    limit: int,
    after: tuple | None,
) -> list[tuple[int, tuple]]:
    start, inner_after, inner_offset = 0, None, 0
    positions = {segment.value: index for index, segment in enumerate(segments)}
    if after is not None and after[0] in positions:
        start, inner_after = positions[after[0]], tuple(after[1:])
    elif offset:
        start, inner_offset = _locate(session, segments, offset)
    found: list[tuple[int, tuple]] = []
    for segment in segments[start:]:
        select_, order_keys = segment.select, segment.keys
        if segment.probe is not None and _is_small(session, segment.probe):
            # Sorted by the database from the filters' indexes: the order's index must not drive.
            select_, order_keys = segment.probe, tuple(_Unindexed(key) for key in segment.keys)
        if inner_after is not None:
            keys = tuple_(*segment.keys)
            select_ = select_.where(
                keys < tuple_(*inner_after) if descending else keys > tuple_(*inner_after)
            )
        order = [key.desc() if descending else key.asc() for key in order_keys]
        rows = session.execute(
            select_.order_by(*order).offset(inner_offset).limit(limit - len(found))
        ).all()
        found.extend((row[0], (segment.value, *row[1:])) for row in rows)
        if len(found) >= limit:
            break
        inner_after, inner_offset = None, 0
    return found


def _page_ids(
    session: Session,
    actor: Actor,
    query: WorkloadQuery,
    offset: int,
    limit: int,
    after: tuple | None,
    today: date,
    size: WorkloadSize | None,
) -> list[tuple[int, tuple | None]]:
    """(case id, page key) of the page's rows, in order."""
    if limit <= 0:
        return []
    filters = _filters(actor, query, today)
    if size is None:
        size = WorkloadSize.of(_capped_count(session, filters, NARROW_LIMIT))
    if size.narrow:
        # A special-status list's rows are ranges of the state indexes (for every state too).
        where = _ranged(actor, query, filters) if query.special_statuses else filters
        ids = session.scalars(
            _narrow_select(session, query).where(*where).offset(offset).limit(limit)
        )
        return [(case_id, None) for case_id in ids]
    segments = _wide_segments(session, actor, query, filters)
    return list(_wide_page_ids(session, segments, query.descending, offset, limit, after))


# --- Rows ------------------------------------------------------------------------------------------
def _special_labels(mask: int) -> tuple[str, ...]:
    return tuple(SPECIAL_STATUS_LABELS[status] for status in statuses_in(mask))


def _display_name(row: Any) -> str:
    given = " ".join(p for p in (row.first_name, row.middle_name) if p)
    name = f"{row.last_name}, {given}" if given else row.last_name
    return f"{name} {row.suffix}" if row.suffix else name


def _rows(
    session: Session, keyed: list[tuple[int, tuple | None]], today: date
) -> list[WorkloadRow]:
    if not keyed:
        return []
    sending_user, receiving_user = aliased(User), aliased(User)
    details = session.execute(
        select(
            CompactCase.id,
            CompactCase.case_number,
            CompactCase.offender_id,
            Offender.offender_number,
            Offender.last_name,
            Offender.first_name,
            Offender.middle_name,
            Offender.suffix,
            CompactCase.sending_state,
            CompactCase.receiving_state,
            CompactCase.supervision_type,
            CompactCase.status,
            sending_user.full_name.label("sending_user"),
            receiving_user.full_name.label("receiving_user"),
            CompactCase.next_due_date,
            CompactCase.special_statuses,
        )
        .join(Offender, Offender.id == CompactCase.offender_id)
        .outerjoin(sending_user, sending_user.id == CompactCase.sending_assigned_user_id)
        .outerjoin(receiving_user, receiving_user.id == CompactCase.receiving_assigned_user_id)
        .where(CompactCase.id.in_([case_id for case_id, _ in keyed]))
    ).all()
    by_id = {row.id: row for row in details}
    rows = []
    for case_id, page_key in keyed:
        row = by_id.get(case_id)
        if row is None:  # deleted between the two reads
            continue
        rows.append(
            WorkloadRow(
                case_id=row.id,
                case_number=row.case_number,
                offender_id=row.offender_id,
                offender_number=row.offender_number,
                offender_name=_display_name(row),
                sending_state=row.sending_state,
                receiving_state=row.receiving_state,
                supervision_type=str(row.supervision_type),
                status=str(row.status),
                sending_user=row.sending_user,
                receiving_user=row.receiving_user,
                next_due=row.next_due_date,
                overdue=is_overdue(row.next_due_date, today),
                special_statuses=_special_labels(row.special_statuses),
                page_key=page_key,
            )
        )
    return rows


# --- The service -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkloadSize:
    """How many cases the list holds: exact, or `capped` when there are more than `count`."""

    count: int
    capped: bool = False

    @classmethod
    def of(cls, counted: int) -> WorkloadSize:
        """From a count that stopped at NARROW_LIMIT + 1."""
        if counted > NARROW_LIMIT:
            return cls(NARROW_LIMIT, True)
        return cls(counted)

    @property
    def narrow(self) -> bool:
        return not self.capped and self.count <= NARROW_LIMIT


def _counting_filters(actor: Actor, query: WorkloadQuery) -> list[ColumnElement[bool]]:
    return _ranged(actor, query, _filters(actor, query, clock.today()))


def count_workload(session: Session, actor: Actor, query: WorkloadQuery) -> int:
    """The exact number of cases in the list."""
    require(actor, Permission.VIEW_OFFENDERS)
    filters = _counting_filters(actor, query)
    return session.scalar(select(func.count()).select_from(CompactCase).where(*filters)) or 0


def workload_size(session: Session, actor: Actor, query: WorkloadQuery) -> WorkloadSize:
    """What a screen shows as the count, always exact: every filter (overdue and special statuses
    too) is a range of an index on the cases. Pass it to `workload_page` to spare the page its
    own count."""
    require(actor, Permission.VIEW_OFFENDERS)
    return WorkloadSize(count_workload(session, actor, query))


def workload_page(
    session: Session,
    actor: Actor,
    query: WorkloadQuery,
    offset: int = 0,
    limit: int = 100,
    after: tuple | None = None,
    size: WorkloadSize | None = None,
) -> list[WorkloadRow]:
    """Rows [offset, offset + limit) of the list; or, when `after` is the `page_key` of a row, the
    `limit` rows that follow it (a narrow list's rows have no key and page by offset).

    `size` (from `workload_size`, for the same query) saves counting the matches again."""
    require(actor, Permission.VIEW_OFFENDERS)
    today = clock.today()
    keyed = _page_ids(session, actor, query, offset, limit, after, today, size)
    return _rows(session, keyed, today)


def iter_workload(
    session: Session, actor: Actor, query: WorkloadQuery, chunk: int = EXPORT_CHUNK
) -> Iterator[WorkloadRow]:
    """Every row of the list, in order, read `chunk` rows at a time (for export and printing)."""
    filters = _filters(actor, query, clock.today())
    size = WorkloadSize.of(_capped_count(session, filters, NARROW_LIMIT))
    offset, after = 0, None
    while True:
        rows = workload_page(session, actor, query, offset, chunk, after, size)
        yield from rows
        if len(rows) < chunk:
            return
        offset += len(rows)
        after = rows[-1].page_key


@dataclass(frozen=True)
class AssignableUser:
    id: int
    full_name: str
    username: str
    jurisdiction_code: str


def assignable_users(session: Session, actor: Actor) -> list[AssignableUser]:
    """The users the 'assigned user' filter offers: the actor's state's (every state's for the
    National Office), active, by name."""
    require(actor, Permission.VIEW_OFFENDERS)
    query = select(User.id, User.full_name, User.username, User.jurisdiction_code).where(
        User.active.is_(True), User.is_system.is_(False)
    )
    if not actor.sees_all_states:
        query = query.where(User.jurisdiction_code == actor.jurisdiction_code)
    query = query.order_by(_binary(session, User.full_name), User.id)
    return [AssignableUser(*row) for row in session.execute(query)]
