"""Storing the rows the reader prepared, in one transaction: references to records already in the
database and repeated ids checked against it, then the derived tables (names, links, interests,
search index) and the number counters."""

from __future__ import annotations

import itertools
import sqlite3
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Pool, bindparam, event, func, or_, select, text, update
from sqlalchemy.orm import Session

from app.core.permissions import Actor
from app.models import (
    Activity,
    Alias,
    CompactCase,
    FormerOffenderNumber,
    NumberCounter,
    Offender,
    WarrantStatusRecord,
)
from app.models.next_due import refresh_next_due_for_case_range
from app.models.special_status import (
    refresh_special_statuses_for_case_range,
    refresh_special_statuses_for_offenders,
)
from app.services.demo_data import DEFERRED_INDEXES, DEFERRED_TRIGGERS, _insert_interests
from app.services.exchange.format import (
    ACTIVITIES,
    ALIASES,
    CASES,
    FILES,
    OFFENDERS,
    WARRANTS,
    ExchangeError,
    FileSpec,
)
from app.services.exchange.reading import REFERENCES, STORED_COLUMNS, Batch
from app.services.links import add_links_for_id_range, refresh_links
from app.services.policy import case_party, offender_visible

# Rows per INSERT statement on SQLite (its limit is 32,766 bound values per statement).
SQLITE_ROWS_PER_STATEMENT = 500
# Source ids per lookup query.
LOOKUP_CHUNK = 500
# Records already in the database that rows referred to, kept for the next rows that do.
CACHE_LIMIT = 100_000
# SQLite: below this many incoming rows, or when the database already holds more than four times
# as many, indexes are kept up row by row; above, they are dropped and built once at the end
# (inside the same transaction, so a failed import puts them back with everything else).
DEFER_INDEXES_FROM_ROWS = 50_000

_MODELS = {
    OFFENDERS.name: Offender,
    ALIASES.name: Alias,
    CASES.name: CompactCase,
    ACTIVITIES.name: Activity,
    WARRANTS.name: WarrantStatusRecord,
}
_NUMBER_COLUMNS = {
    OFFENDERS.name: Offender.__table__.c.offender_number,
    CASES.name: CompactCase.__table__.c.case_number,
    ACTIVITIES.name: Activity.__table__.c.activity_number,
    WARRANTS.name: WarrantStatusRecord.__table__.c.warrant_status_id,
}
COUNTER_KINDS = {
    OFFENDERS.name: "offender",
    CASES.name: "case",
    ACTIVITIES.name: "activity",
    WARRANTS.name: "warrant_status",
}


@dataclass
class _Target:
    """What the loader knows of one file while loading it and after."""

    spec: FileSpec
    base_id: int
    last_id: int
    # Line of each id handed out, by id - base_id, to name the first of two duplicate rows.
    lines: array = field(default_factory=lambda: array("L"))
    # Source ids of refused rows, with their lines.
    rejected: dict[str, int] = field(default_factory=dict)
    # Ids handed out to rows that were not stored (refused here, or repeating an id).
    dropped: set[int] = field(default_factory=set)
    cache: dict[str, int] = field(default_factory=dict)
    usable: bool = True
    present: bool = False
    loaded: int = 0
    highest_number: int = 0

    def line_of(self, row_id: int) -> int:
        return self.lines[row_id - self.base_id]


class _Lookup:
    """A query for the rows of a list of source ids, compiled once, run LOOKUP_CHUNK ids at a
    time: building the statement for each list would cost more than running it."""

    def __init__(self, connection: Connection, statement, number_column):
        self.connection = connection
        names = [f"number_{index}" for index in range(LOOKUP_CHUNK)]
        compiled = statement.where(number_column.in_([bindparam(n) for n in names])).compile(
            dialect=connection.dialect
        )
        self.sql = str(compiled)
        self.fixed = dict(compiled.params)
        self.names = names
        self.order = compiled.positiontup if compiled.positional else None

    def rows(self, numbers: list[str]) -> list[tuple]:
        found: list[tuple] = []
        for chunk in _chunks(numbers, LOOKUP_CHUNK):
            # A short list repeats its first id: one statement serves every length.
            padded = chunk + [chunk[0]] * (LOOKUP_CHUNK - len(chunk))
            values = {**self.fixed, **dict(zip(self.names, padded, strict=True))}
            parameters = tuple(values[name] for name in self.order) if self.order else values
            found.extend(self.connection.exec_driver_sql(self.sql, parameters).all())
        return found


class Loader:
    """Loads batches in file order into the session's transaction; collects every error."""

    def __init__(self, session: Session, actor: Actor):
        self.session = session
        self.connection: Connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.actor = actor
        self.errors: list[ExchangeError] = []
        self.targets: dict[str, _Target] = {}
        # Profiles that were there before and got new cases: their links are rebuilt.
        self.touched_offenders: set[int] = set()
        # Cases that were there before and got new activities, and activities that were there
        # before and got replies: those cases' next due dates are computed again.
        self.touched_cases: set[int] = set()
        self.answered_activities: set[int] = set()
        # Replies whose request comes later in the file (or nowhere): (id, request id, line).
        self.pending_replies: list[tuple[int, str, int]] = []
        self.former_numbers_exist = False
        self.lookups: dict[str, _Lookup] = {}

    # --- Setting up -----------------------------------------------------------------------
    def prepare(self) -> dict[str, int]:
        """Reserves the ids the new rows take: after the highest in use (and, on PostgreSQL,
        after the sequence), with other writers held off until the import commits. Returns the
        first id of each file."""
        connection = self.connection
        if self.dialect == "postgresql":
            tables = ", ".join(model.__tablename__ for model in _MODELS.values())
            connection.execute(text(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE"))
            # The lookups run thousands of times as the tables grow from what they held. The
            # driver prepares a statement run often, and PostgreSQL then settles on one generic
            # plan costed at the size the table had: for a new table, a scan of every row, which
            # made each lookup slower than the last (100,000 profiles: 121 s for offenders.csv).
            # Sent unprepared, a lookup is planned each time and reads the unique index whatever
            # the size. (Not plan_cache_mode = force_custom_plan: the server's foreign-key checks
            # would then be planned again for every row, which tripled the time of a COPY.)
            pooled = connection.connection
            pooled.info.setdefault(_PREPARE_THRESHOLD, pooled.driver_connection.prepare_threshold)
            pooled.driver_connection.prepare_threshold = None
        for spec in FILES:
            model = _MODELS[spec.name]
            highest = connection.scalar(select(func.max(model.id))) or 0
            if self.dialect == "postgresql":
                sequence = connection.scalar(
                    text(
                        "SELECT pg_sequence_last_value("
                        "pg_get_serial_sequence(:table, 'id')::regclass)"
                    ),
                    {"table": model.__tablename__},
                )
                highest = max(highest, sequence or 0)
            self.targets[spec.name] = _Target(spec, highest + 1, highest)
        self.former_numbers_exist = (
            connection.scalar(select(FormerOffenderNumber.number).limit(1)) is not None
        )
        return {name: target.base_id for name, target in self.targets.items()}

    def existing_rows(self) -> int:
        """An upper bound of the rows already in the tables an import writes (from their ids)."""
        return sum(target.base_id - 1 for target in self.targets.values())

    def holds_more_than(self, rows: int) -> bool:
        """Whether the tables an import writes hold more than `rows` rows, counted no further
        (ids say too much on PostgreSQL, whose sequences do not go back after a rollback)."""
        held = 0
        for model in _MODELS.values():
            left = rows + 1 - held
            held += self.connection.scalar(
                select(func.count()).select_from(select(model.id).limit(left).subquery())
            )
            if held > rows:
                return True
        return False

    # --- Loading --------------------------------------------------------------------------
    def load(self, batch: Batch) -> None:
        target = self.targets[batch.file]
        target.present = True
        self.errors.extend(batch.errors)
        for number, line in batch.rejected:
            target.rejected.setdefault(number, line)
        if not batch.usable:
            target.usable = False
        rows = batch.rows
        if rows:
            # The batch's ids follow on from the previous batch's, one per row.
            target.lines.extend(batch.lines)
            if batch.unresolved or any(
                self.targets[named].dropped for _, named in REFERENCES[batch.file]
            ):
                rows = self._settled(target, batch)
            if batch.file == OFFENDERS.name and self.former_numbers_exist:
                rows = self._without_retired_numbers(target, rows)
            self._insert(target, rows)
        if batch.finished:
            target.highest_number = batch.highest_number
            if batch.file == ACTIVITIES.name:
                self._resolve_pending_replies(self.targets[ACTIVITIES.name])

    def _settled(self, target: _Target, batch: Batch) -> list[tuple]:
        """The batch's rows with the references the reader left resolved against the database;
        rows naming nothing that exists, or rows that were not stored, are left out."""
        file = target.spec.name
        rows = list(batch.rows)
        wanted: dict[str, set[str]] = {}
        for _, _, named, number, _ in batch.unresolved:
            wanted.setdefault(named, set()).add(number)
        found = {
            named: self._resolve(self.targets[named], numbers) for named, numbers in wanted.items()
        }
        left_out: set[int] = set()
        for index, position, named, number, column in batch.unresolved:
            row = rows[index]
            row_id = found[named].get(number)
            if row_id is None:
                if named == ACTIVITIES.name:
                    # Perhaps further down the file: looked up again once it is all stored.
                    if number not in self.targets[named].rejected and self.targets[named].usable:
                        self.pending_replies.append((row[0], number, batch.lines[index]))
                    continue
                self._unresolved(self.targets[named], number, file, batch.lines[index], column)
                left_out.add(index)
                continue
            if row_id < self.targets[named].base_id:
                if named == OFFENDERS.name:
                    self.touched_offenders.add(row_id)
                elif named == CASES.name:
                    self.touched_cases.add(row_id)
                else:
                    self.answered_activities.add(row_id)
            rows[index] = (*row[:position], row_id, *row[position + 1 :])
        for index, row in enumerate(rows):
            for position, named in REFERENCES[file]:
                if row[position] is not None and row[position] in self.targets[named].dropped:
                    if named == ACTIVITIES.name:
                        rows[index] = row = (*row[:position], None, *row[position + 1 :])
                    else:
                        left_out.add(index)
        if not left_out:
            return rows
        for index in left_out:
            target.dropped.add(rows[index][0])
            if target.spec.id_column:
                target.rejected.setdefault(rows[index][1], batch.lines[index])
        return [row for index, row in enumerate(rows) if index not in left_out]

    def _without_retired_numbers(self, target: _Target, rows: list[tuple]) -> list[tuple]:
        retired = self._retired_numbers({row[1] for row in rows})
        if not retired:
            return rows
        kept = []
        for row in rows:
            if row[1] in retired:
                self._error(
                    OFFENDERS.name, target.line_of(row[0]), "offender_id",
                    f"'{row[1]}' is the former number of a merged profile",
                )  # fmt: skip
                target.dropped.add(row[0])
                target.rejected.setdefault(row[1], target.line_of(row[0]))
            else:
                kept.append(row)
        return kept

    def _resolve_pending_replies(self, target: _Target) -> None:
        if not self.pending_replies:
            return
        found = self._resolve(target, {request for _, request, _ in self.pending_replies})
        updates = []
        for activity_id, request, line in self.pending_replies:
            request_id = found.get(request)
            if request_id is not None:
                updates.append({"row_id": activity_id, "reply_to": request_id})
                if request_id < target.base_id:
                    self.answered_activities.add(request_id)
            elif request not in target.rejected and target.usable:
                self._error(ACTIVITIES.name, line, "reply_to", self._unknown(target, request))
        if updates:
            table = Activity.__table__
            self.connection.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(reply_to_id=bindparam("reply_to")),
                updates,
            )
        self.pending_replies.clear()

    # --- References -----------------------------------------------------------------------
    def _unresolved(self, target: _Target, number: str, file: str, line: int, column: str) -> None:
        """A reference that names no stored row: an error, unless its row had one already."""
        if number not in target.rejected and target.usable:
            self._error(file, line, column, self._unknown(target, number))

    def _unknown(self, target: _Target, number: str) -> str:
        source = target.spec.name if target.present else f"{target.spec.name} (absent)"
        if self.actor.sees_all_states:
            database = "the database"
        else:
            database = f"what {self.actor.jurisdiction_code} can see in the database"
        return f"'{number}' is not in {source} nor in {database}"

    def _lookup(self, target: _Target) -> _Lookup:
        """Source id to id, among the rows loaded so far and those the actor may see."""
        found = self.lookups.get(target.spec.name)
        if found is not None:
            return found
        model = _MODELS[target.spec.name]
        number = _NUMBER_COLUMNS[target.spec.name]
        statement = select(number, model.id)
        if not self.actor.sees_all_states:
            if model is Offender:
                visible = offender_visible(self.actor, Offender.id)
            elif model is CompactCase:
                visible = case_party(self.actor)
            else:
                statement = statement.join(CompactCase, CompactCase.id == Activity.case_id)
                visible = case_party(self.actor)
            statement = statement.where(or_(model.id >= target.base_id, visible))
        found = self.lookups[target.spec.name] = _Lookup(self.connection, statement, number)
        return found

    def _holders(self, target: _Target) -> _Lookup:
        """Source id to id among all stored rows, whoever may see them: ids are unique for all."""
        key = f"holders of {target.spec.name}"
        found = self.lookups.get(key)
        if found is None:
            model = _MODELS[target.spec.name]
            number = _NUMBER_COLUMNS[target.spec.name]
            found = self.lookups[key] = _Lookup(self.connection, select(number, model.id), number)
        return found

    def _resolve(self, target: _Target, numbers: set[str]) -> dict[str, int]:
        cache = target.cache
        missing = [number for number in numbers if number not in cache]
        if missing:
            if len(cache) + len(missing) > CACHE_LIMIT:
                cache.clear()
                missing = list(numbers)
            cache.update(self._lookup(target).rows(missing))
        return cache

    def _retired_numbers(self, numbers: set[str]) -> set[str]:
        column = FormerOffenderNumber.__table__.c.number
        lookup = _Lookup(self.connection, select(column, column), column)
        return {number for number, _ in lookup.rows(list(numbers))}

    def _error(self, file: str, line: int, column: str, message: str) -> None:
        self.errors.append(ExchangeError(file, line, column, message))

    # --- Inserting ------------------------------------------------------------------------
    def _insert(self, target: _Target, rows: list[tuple]) -> None:
        """Inserts rows (their ids given by the reader); a row whose source id is taken
        (earlier in the file, or in the database) is skipped and reported."""
        if not rows:
            return
        spec = target.spec
        target.last_id = max(target.last_id, rows[-1][0])
        columns = STORED_COLUMNS[spec.name]
        unique = spec.id_column is not None
        if self.dialect == "sqlite":
            skipped = self._insert_sqlite(spec.table, columns, rows, unique)
        elif unique:
            skipped = self._insert_copy(target, columns, rows)
        else:
            self._copy(spec.table, columns, rows)
            skipped = []
        target.loaded += len(rows) - len(skipped)
        if skipped:
            target.dropped.update(row[0] for row in skipped)
            self._report_duplicates(target, skipped)

    def _insert_sqlite(
        self, table: str, columns: tuple[str, ...], rows: list[tuple], unique: bool
    ) -> list[tuple]:
        """Multi-row INSERTs; with `unique`, rows whose id is taken are skipped and returned."""
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        one_row = "(" + ", ".join("?" * len(columns)) + ")"
        tail = " ON CONFLICT DO NOTHING" if unique else ""
        full = head + ", ".join([one_row] * SQLITE_ROWS_PER_STATEMENT) + tail
        skipped: list[tuple] = []
        for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
            chunk = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
            statement = (
                full
                if len(chunk) == SQLITE_ROWS_PER_STATEMENT
                else head + ", ".join([one_row] * len(chunk)) + tail
            )
            result = self.connection.exec_driver_sql(
                statement, tuple(itertools.chain.from_iterable(chunk))
            )
            if unique and result.rowcount != len(chunk):
                stored = set(
                    self.connection.exec_driver_sql(
                        f"SELECT id FROM {table} WHERE id BETWEEN ? AND ?",
                        (chunk[0][0], chunk[-1][0]),
                    ).scalars()
                )
                skipped.extend(row for row in chunk if row[0] not in stored)
        return skipped

    def _insert_copy(self, target: _Target, columns: tuple[str, ...], rows: list[tuple]) -> list:
        """PostgreSQL: COPY cannot skip a taken id, so the batch's ids are looked up first."""
        taken = dict(self._holders(target).rows(list({row[1] for row in rows})))
        seen: set[str] = set()
        keep, skipped = [], []
        for row in rows:
            if row[1] in taken or row[1] in seen:
                skipped.append(row)
            else:
                seen.add(row[1])
                keep.append(row)
        if skipped and target.spec is ACTIVITIES:
            # A reply to a skipped row would break the foreign key; the import fails anyway.
            gone = {row[0] for row in skipped}
            keep = [row if row[7] not in gone else (*row[:7], None, *row[8:]) for row in keep]
        self._copy(target.spec.table, columns, keep)
        return skipped

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _report_duplicates(self, target: _Target, skipped: list[tuple]) -> None:
        spec = target.spec
        holders = dict(self._holders(target).rows(sorted({row[1] for row in skipped})))
        first_in_file: dict[str, int] = {}
        for row in skipped:
            line = target.line_of(row[0])
            holder = holders.get(row[1])
            if holder is not None and holder >= target.base_id:
                where = f"also on line {target.line_of(holder)}"
            elif holder is not None:
                where = "already in the database"
            else:
                # Both rows were skipped in one batch on PostgreSQL: the first one names the line.
                earlier = first_in_file.setdefault(row[1], line)
                where = f"also on line {earlier}" if earlier != line else "repeated in the file"
            self._error(spec.name, line, spec.id_column or "", f"'{row[1]}' is {where}")

    # --- Afterwards -----------------------------------------------------------------------
    def new_ids(self, file: str) -> tuple[int, int]:
        target = self.targets[file]
        return target.base_id, target.last_id

    def derive_profiles(self, session: Session, bulk: BulkMode | None) -> None:
        """Names and links of the new profiles, aliases and cases (all loaded by now)."""
        first_offender, last_offender = self.new_ids(OFFENDERS.name)
        first_alias, _ = self.new_ids(ALIASES.name)
        _insert_names(self.connection, first_offender, first_alias)
        add_links_for_id_range(session, first_offender, last_offender)
        if bulk is not None:
            bulk.restore_links()
        if self.touched_offenders:
            refresh_links(session, self.touched_offenders)

    def derive_cases(self, report: Callable[[str], None] = lambda _phase: None) -> None:
        """Each state's interest in the new cases, their next due dates (from their activities)
        and special statuses (from their offenders and warrant records), the next due dates of
        cases that got activities or replies, the special statuses of the cases of profiles that
        got warrant records, the counters. `report` is told each step as it begins."""
        first_case, last_case = self.new_ids(CASES.name)
        if last_case >= first_case:
            report("Linking the cases to their states")
            _insert_interests(self.connection, first_case, last_case)
            report("Computing the cases' next due dates")
            refresh_next_due_for_case_range(self.connection, first_case, last_case)
            report("Computing the cases' special statuses")
            refresh_special_statuses_for_case_range(self.connection, first_case, last_case)
        report("Updating the cases that were there before")
        # Profiles that were there before and got new rows (warrant records among them).
        refresh_special_statuses_for_offenders(self.connection, self.touched_offenders)
        touched = set(self.touched_cases)
        answered = sorted(self.answered_activities)
        for chunk in _chunks(answered, LOOKUP_CHUNK):
            touched.update(
                self.connection.scalars(select(Activity.case_id).where(Activity.id.in_(chunk)))
            )
        for case_id in sorted(touched):
            refresh_next_due_for_case_range(self.connection, case_id, case_id)
        self._store_counters()
        if self.dialect == "postgresql":
            for model in _MODELS.values():
                name = model.__tablename__
                self.connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {name}), 1))"
                    )
                )

    def _store_counters(self) -> None:
        """Numbers of our own form among the imported ids move the counters past them."""
        counters = NumberCounter.__table__
        for file, kind in COUNTER_KINDS.items():
            highest = self.targets[file].highest_number
            if not highest:
                continue
            stored = self.connection.scalar(
                select(counters.c.next_value).where(counters.c.name == kind)
            )
            if stored is None:
                self.connection.execute(counters.insert().values(name=kind, next_value=highest + 1))
            elif stored <= highest:
                self.connection.execute(
                    update(counters).where(counters.c.name == kind).values(next_value=highest + 1)
                )


def _insert_names(connection: Connection, first_offender: int, first_alias: int) -> None:
    """offender_name rows of the new profiles and the new aliases, as app.models.search_index
    writes them for the ORM (full key: last key, a space, first key, trimmed)."""
    connection.execute(
        text(
            "INSERT INTO offender_name (offender_id, alias_id, last_name_key, first_name_key, "
            "full_key) "
            "SELECT id, NULL, last_name_key, first_name_key, "
            "TRIM(last_name_key || ' ' || first_name_key) FROM offender WHERE id >= :offender "
            "UNION ALL "
            "SELECT offender_id, id, last_name_key, first_name_key, "
            "TRIM(last_name_key || ' ' || first_name_key) FROM alias WHERE id >= :alias"
        ),
        {"offender": first_offender, "alias": first_alias},
    )


# Indexes of activities that cost more to keep up row by row than to build once: a few
# microseconds a row each, and an import brings millions of activities.
DEFERRED_ACTIVITY_INDEXES = (
    "ix_activity_case_created",
    "ix_activity_assigned_status",
    "ix_activity_reply_to_id",
)
# Tables whose indexes wait for the activities: derived columns of cases come from them.
_CASE_TABLES = ("activity", "compact_case")
# Links arrive in state order, so their index by profile would take them in random order.
DEFERRED_LINK_INDEXES = ("ix_offender_link_offender",)
# PostgreSQL's trigram index of names ('contains' search): each name adds a dozen entries.
POSTGRES_DEFERRED_INDEXES = ("ix_offender_name_full_key_trgm",)
# Pages SQLite keeps in memory during a large import (in KiB, as cache_size counts when negative).
BULK_CACHE_KIB = 128 * 1024
# The cache while an index is built: SQLite sorts the keys in runs of this size, each sorted by a
# second thread while the scan goes on, then merges them. Runs of 16 MiB keep both threads busy
# and sort within the processor's caches, where one run of 128 MiB sorts alone (measured at a
# million profiles: the activities' indexes 25-35% faster, the cases' ones up to half).
SORT_CACHE_KIB = 16 * 1024


class BulkMode:
    """During a large import, the indexes that cost more to keep up row by row than to build once
    (those demo data defers, and the activities' ones) are dropped inside the import's own
    transaction and built again before it commits, in steps, as soon as nothing more is written
    to their table (a failed import puts them back with everything else)."""

    def __init__(self, connection: Connection, defer: bool):
        self.connection = connection
        self.defer = defer
        # (kind, name, table, the statement that makes it again)
        self.deferred: list[tuple[str, str, str, str]] = []
        self.journal_switched = False

    def start(self) -> None:
        """Sets aside what this database builds faster once than row by row (nothing here)."""

    def stop_checks_skipping(self) -> None:
        """Checks skipped while rows went in apply again (nothing by default)."""

    def close(self) -> None:
        """The connection goes back to the pool as it came (nothing by default)."""

    def restore_references(self) -> None:
        """Constraints set aside until every table is loaded (none by default)."""

    def _building(self) -> None:
        """Settings for building indexes (none by default)."""

    def _built(self) -> None:
        """Settings back as they were while rows go in (none by default)."""

    def restore_offenders(self) -> None:
        """The profiles' own indexes, once offenders.csv is stored: nothing later writes them."""
        self._restore(lambda table: table == "offender")

    def restore_links(self) -> None:
        """The links' index by profile, which rebuilding the links of existing profiles reads."""
        self._restore(lambda table: table == "offender_link")

    def restore_profiles(self) -> None:
        """The indexes of profiles, aliases, names and links (and what else waits for them)."""
        self._restore(lambda table: table not in _CASE_TABLES)

    def restore_activities(self) -> None:
        """The activities' indexes (deriving case interests reads one)."""
        self._restore(lambda table: table == "activity")

    def restore_cases(self) -> None:
        """The cases' indexes, once what is derived from the activities is written in cases."""
        self._restore(lambda table: table == "compact_case")

    def _restore(self, wanted) -> None:
        # Constraints wait for restore_references: they name other tables.
        building = [item for item in self.deferred if item[0] != "constraint" and wanted(item[2])]
        if not building:
            return
        self._building()
        for _, _, _, sql in building:
            self.connection.exec_driver_sql(sql)
        self._built()
        self.deferred = [item for item in self.deferred if item not in building]


class SqliteBulkMode(BulkMode):
    """SQLite: the search-index triggers are set aside with the indexes; CHECK constraints
    (enumerations, already checked row by row) are skipped while rows go in."""

    def __init__(self, connection: Connection, defer: bool):
        super().__init__(connection, defer)
        self.first_name_id = 0
        self.cache_kib = 0

    def use_rollback_journal(self) -> None:
        """Writes a large import through a rollback journal instead of the write-ahead log, with
        SQLite's foreign-key checks off.

        SQLite's own advice: the WAL does not suit transactions of more than about 100 MB. Each
        page read looks through the log's index, which grows with the transaction (a million
        profiles make a 3 GB log, and building the indexes at the end slowed tenfold), and every
        page is written twice, once in the log and once when it is copied back. The switch needs
        the database to itself: when another connection has it open, the import keeps the WAL.

        The loader resolves every reference itself (that is how each one is reported with its
        file and line), and a folder with any problem is not kept, so SQLite looking up each
        referenced row again as it is inserted only repeats the check (measured at a million
        profiles: a tenth of the time of inserting rows, a fifth to a quarter for the links,
        interests and cases). Both pragmas change only between transactions: this is called
        first thing in the transaction, before anything is read or written in it, and the checks
        come back when the connection goes back to the pool.
        """
        if self.connection.in_nested_transaction():
            return
        raw = self.connection.connection.driver_connection
        raw.execute("COMMIT")  # the one SQLAlchemy began; journal modes change between transactions
        waited = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute("PRAGMA busy_timeout = 0")  # others have it open: no point in waiting
        try:
            mode = raw.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            self.journal_switched = mode == "delete"
        except sqlite3.OperationalError:
            self.journal_switched = False
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(waited)}")
            self.connection.connection.info[_FOREIGN_KEYS_OFF] = True
            raw.execute("PRAGMA foreign_keys = OFF")
            raw.execute("BEGIN")

    def start(self) -> None:
        connection = self.connection
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        # A reply may be stored before its request (both in the folder): checked at commit.
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        # Sorting for the indexes built at the end may use a second core.
        connection.exec_driver_sql("PRAGMA threads = 2")
        if not self.defer:
            return
        self.cache_kib = -connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        names = (
            *DEFERRED_INDEXES,
            *DEFERRED_ACTIVITY_INDEXES,
            *DEFERRED_LINK_INDEXES,
            *DEFERRED_TRIGGERS,
        )
        marks = ", ".join("?" * len(names))
        self.deferred = list(
            connection.exec_driver_sql(
                f"SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name IN ({marks}) "
                "AND sql IS NOT NULL ORDER BY type, name",
                names,
            ).all()
        )
        self.first_name_id = (
            connection.exec_driver_sql("SELECT max(id) FROM offender_name").scalar() or 0
        ) + 1
        for kind, name, _, _ in self.deferred:
            connection.exec_driver_sql(f'DROP {kind.upper()} "{name}"')

    def stop_checks_skipping(self) -> None:
        self.connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")

    def close(self) -> None:
        """The connection goes back to the pool as it came."""
        self.connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
        self.connection.exec_driver_sql("PRAGMA threads = 0")
        if self.cache_kib:
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{self.cache_kib}")

    def restore_profiles(self) -> None:
        """The indexes of profiles, aliases, names and links, the triggers, and the new names
        in the 'contains' search index, as the triggers would have put them."""
        super().restore_profiles()
        if self.first_name_id:
            self.connection.exec_driver_sql(
                "INSERT INTO offender_name_fts(rowid, full_key) "
                "SELECT id, full_key FROM offender_name WHERE id >= ?",
                (self.first_name_id,),
            )
            self.first_name_id = 0

    def _building(self) -> None:
        self.connection.exec_driver_sql(f"PRAGMA cache_size = -{SORT_CACHE_KIB}")

    def _built(self) -> None:
        self.connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")


# The tables an import writes, whose foreign keys PostgreSQL's bulk mode sets aside.
_LOADED_TABLES = (
    "offender", "alias", "compact_case", "activity", "warrant_status_record", "offender_name",
    "offender_link", "case_interest",
)  # fmt: skip
# PostgreSQL's memory for sorting an index build, within the import's transaction only.
POSTGRES_BUILD_MEMORY = "256MB"


class PostgresBulkMode(BulkMode):
    """PostgreSQL: the deferred indexes (and the trigram index of names, the costliest to keep up)
    are built once at the end, and the foreign keys between the tables written are set aside and
    checked once, each in one pass over its table, when every table is in (measured on 500,000
    activities: 16.2 s to insert them with every index and foreign key, 9.6 s without the keys,
    0.7 s with neither).

    Dropping an index or a key takes its table for the import alone until it commits: other
    users' reads of profiles, cases and activities wait. So it is done only where the import is
    most of what there will be (a first load into a new server), never into a working one.
    Foreign keys to the tables nobody writes here (states, users, rules) stay: dropping them
    would lock those tables too, and every screen reads them.
    """

    def start(self) -> None:
        if not self.defer:
            return
        connection = self.connection
        names = (*DEFERRED_INDEXES, *DEFERRED_ACTIVITY_INDEXES, *DEFERRED_LINK_INDEXES,
                 *POSTGRES_DEFERRED_INDEXES)  # fmt: skip
        indexes = connection.execute(
            text(
                "SELECT indexname, tablename, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND indexname IN :names ORDER BY indexname"
            ).bindparams(bindparam("names", expanding=True)),
            {"names": list(names)},
        ).all()
        keys = connection.execute(
            text(
                "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid "
                "JOIN pg_class AS r ON r.oid = c.confrelid "
                "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace "
                "AND t.relname IN :tables AND r.relname IN :tables ORDER BY c.conname"
            ).bindparams(bindparam("tables", expanding=True)),
            {"tables": list(_LOADED_TABLES)},
        ).all()
        for name, table, definition in keys:
            self.deferred.append(
                ("constraint", name, table,
                 f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            )  # fmt: skip
            connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, table, definition in indexes:
            self.deferred.append(("index", name, table, definition))
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        if self.deferred:
            connection.exec_driver_sql(
                f"SET LOCAL maintenance_work_mem = '{POSTGRES_BUILD_MEMORY}'"
            )

    def restore_references(self) -> None:
        keys = [item for item in self.deferred if item[0] == "constraint"]
        for _, _, _, sql in keys:
            self.connection.exec_driver_sql(sql)
        self.deferred = [item for item in self.deferred if item[0] != "constraint"]


# Set in the pool's record of a connection whose foreign-key checks an import turned off.
_FOREIGN_KEYS_OFF = "exchange: foreign keys off"


# Set in the pool's record of a PostgreSQL connection whose statements an import sends unprepared:
# the driver's setting before.
_PREPARE_THRESHOLD = "exchange: prepare threshold"


@event.listens_for(Pool, "checkin")
def _connection_settings_back(dbapi_connection, record) -> None:
    """Whichever way the import's transaction ended, it has ended by now (the pool rolls back
    before it takes a connection in), so the pragma takes effect."""
    if record.info.pop(_FOREIGN_KEYS_OFF, False) and dbapi_connection is not None:
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
    if _PREPARE_THRESHOLD in record.info:
        threshold = record.info.pop(_PREPARE_THRESHOLD)
        if dbapi_connection is not None:
            dbapi_connection.prepare_threshold = threshold


def restore_write_ahead_log(engine) -> None:
    """After an import that used a rollback journal: the WAL again, as every connection sets it
    (a connection opened meanwhile, or the next one, does it otherwise)."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass
    finally:
        raw.close()


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
