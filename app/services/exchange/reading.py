"""Reading the exchange files: decoding, CSV parsing and the checks a row needs no database for.

Rows come out in batches as they will be stored: each value in the form the database driver takes
(text dates and UTC timestamps on SQLite), with its id handed out here (the next after those in
use, in file order) and its references to rows read before resolved to their ids. A reference
to a record already in the database is left for the loader, which asks the database. Nothing
here touches the database, so it can run in another process while the loader writes.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app.core.jurisdictions import BY_CODE, MEMBER_CODES
from app.core.text import identifier_key, name_key
from app.core.vocabulary import ActivityStatus, CaseStatus, WarrantStatus
from app.services.exchange.format import (
    ACTIVITIES,
    ALIASES,
    CASES,
    FILES,
    OFFENDERS,
    OUTCOMES_BY_TYPE,
    WARRANTS,
    Column,
    ColumnType,
    ExchangeError,
    FileSpec,
)

# Rows per batch: enough to amortise a round trip to the database, small enough to keep memory flat.
BATCH_ROWS = 2_000
# Bounded caches of values seen before (names repeat a great deal; contents of activities too).
_CACHE_LIMIT = 200_000

# The prefix of the numbers this installation gives, per file: an imported id of that form
# (prefix and digits only) moves the counter past it, so that new numbers never collide.
NUMBER_PREFIXES = {
    "offenders.csv": "",
    "cases.csv": "C",
    "activities.csv": "A",
    "warrants.csv": "WS",
}

_IDENTIFIER = re.compile(r"[A-Z0-9]+")


# Source ids remembered per file, to resolve references without asking the database; past this
# many the memory is cleared, and the loader looks the rest up. A reply names an activity a few
# rows up, as a rule: a short memory does for activities.
KNOWN_IDS_LIMITS = {OFFENDERS.name: 2_000_000, CASES.name: 2_000_000, ACTIVITIES.name: 200_000}
# Files whose ids later files name, by the last file that names them.
_NAMED_UNTIL = {
    OFFENDERS.name: WARRANTS.name,
    CASES.name: ACTIVITIES.name,
    ACTIVITIES.name: ACTIVITIES.name,
}


@dataclass
class Batch:
    """Rows of one file ready to store, and the errors found."""

    file: str
    rows: list[tuple] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    errors: list[ExchangeError] = field(default_factory=list)
    # Source ids of rows that were refused, with their lines: references to them are not
    # reported again as unknown.
    rejected: list[tuple[str, int]] = field(default_factory=list)
    # References to leave to the loader: (row in batch, position in row, file named, source id,
    # column).
    unresolved: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    records_read: int = 0
    # Set on the last batch of a file.
    finished: bool = False
    usable: bool = True  # False when the header made the rows unreadable
    highest_number: int = 0


@dataclass(frozen=True)
class ReadOptions:
    dialect: str
    # Storage form of 'now', for rows without a creation time.
    now: Any
    username: str
    # The id of each file's first new row (the next after those in use).
    first_ids: dict[str, int]
    # A state user may load only what belongs to their state; None for those who see all.
    state: str | None = None


def count_lines(path: Path) -> int:
    """Newlines in the file: about its rows (a quoted value may hold line breaks), for progress."""
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


# --- Values -----------------------------------------------------------------------------------
class _Values:
    """Converters from cell text to stored values; each raises ValueError naming the rule."""

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"
        self.booleans = {"true": 1, "false": 0} if self.sqlite else {"true": True, "false": False}
        self.false = self.booleans["false"]
        # Each value seen before maps to the first string of it: repeated values are then one
        # object, which marshal writes once per batch (the batches take a fifth less room) and
        # a repeated date is checked once.
        self._keys: dict[str, str] = {}
        self._contents: dict[str, str] = {}
        self._dates: dict[str, str] = {}

    def key(self, name: str) -> str:
        found = self._keys.get(name)
        if found is None:
            if len(self._keys) > _CACHE_LIMIT:
                self._keys.clear()
            found = self._keys[name] = name_key(name)
        return found

    def converter(self, column: Column) -> Callable[[str], Any]:
        kind = column.type
        limit = column.max_length
        if kind in (ColumnType.ID, ColumnType.REFERENCE, ColumnType.TEXT):
            return _limited(limit) if limit else _as_is
        if kind is ColumnType.NAME:
            return _name(limit or 80)
        if kind is ColumnType.DATE:
            return self._date
        if kind is ColumnType.TIMESTAMP:
            return self._timestamp
        if kind is ColumnType.BOOLEAN:
            return self._boolean
        if kind is ColumnType.CHOICE:
            return _choice(column.choices)
        if kind is ColumnType.STATE:
            return _state(frozenset(MEMBER_CODES), "a member state's two-letter code")
        if kind is ColumnType.STATE_OR_NATIONAL_OFFICE:
            return _state(
                frozenset(BY_CODE), "a member state's two-letter code, or NO (National Office)"
            )
        if kind is ColumnType.SSN:
            return _ssn
        if kind is ColumnType.IDENTIFIER:
            return _identifier(limit or 20)
        if kind is ColumnType.JSON_OBJECT:
            return self._json_object
        raise AssertionError(kind)

    def _boolean(self, raw: str) -> Any:
        try:
            return self.booleans[raw]
        except KeyError:
            raise ValueError(f"'{raw}' is not true or false") from None

    # The common timestamp, UTC with whole seconds as exported: the test and the stored form,
    # also written out in each row converter, where a call per cell would cost about as much.
    # Every separator is checked: ISO 8601 has other forms of the same length (a week date
    # 2026-W01-1, a basic time 000000.0) that parse but would be stored rearranged wrongly.
    EXPORTED_TIMESTAMP = (
        'raw[19:] == "+00:00" and raw[10:11] == "T" and raw[4:5] == "-" and raw[7:8] == "-"'
        ' and raw[13:14] == ":" and raw[16:17] == ":"'
    )
    EXPORTED_TIMESTAMP_STORED = {True: 'raw[:10] + " " + raw[11:19] + ".000000"', False: "raw"}

    def _timestamp(self, raw: str) -> Any:
        if _is_exported_timestamp(raw):
            try:
                _from_iso(raw)
            except ValueError:
                _parse_timestamp(raw)  # raises with the rule in words
            return raw[:10] + " " + raw[11:19] + ".000000" if self.sqlite else raw
        moment = _parse_timestamp(raw).astimezone(UTC)
        if self.sqlite:
            return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond:06d}"
        return moment.isoformat()

    def _date(self, raw: str) -> str:
        found = self._dates.get(raw)
        if found is None:
            if len(self._dates) > _CACHE_LIMIT:
                self._dates.clear()
            found = self._dates[raw] = _date(raw)
        return found

    def _json_object(self, raw: str) -> str:
        found = self._contents.get(raw)
        if found is not None:
            return found
        try:
            value = json.loads(raw)
        except ValueError:
            raise ValueError("is not valid JSON") from None
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object ({...})")
        if len(self._contents) > _CACHE_LIMIT:
            self._contents.clear()
        self._contents[raw] = raw
        return raw


_is_exported_timestamp = eval(f"lambda raw: {_Values.EXPORTED_TIMESTAMP}")


def stored_timestamp(dialect: str, moment: datetime) -> str:
    """A timestamp as the driver stores it (SQLite: UTC text, as SQLAlchemy writes it there)."""
    moment = moment.astimezone(UTC)
    if dialect == "sqlite":
        return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond:06d}"
    return moment.isoformat()


def _as_is(raw: str) -> str:
    return raw


def _limited(limit: int) -> Callable[[str], str]:
    def convert(raw: str) -> str:
        if len(raw) > limit:
            raise ValueError(f"must be at most {limit} characters (it has {len(raw)})")
        return raw

    return convert


def _name(limit: int) -> Callable[[str], str]:
    def convert(raw: str) -> str:
        if len(raw) > limit:
            raise ValueError(f"must be at most {limit} characters (it has {len(raw)})")
        if raw.isspace():
            raise ValueError("is blank")
        return raw

    return convert


def _date(raw: str) -> str:
    if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        raise ValueError(f"'{raw}' is not a date written YYYY-MM-DD")
    try:
        date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{raw}' is not a valid date (YYYY-MM-DD)") from None
    return raw


_from_iso = datetime.fromisoformat


def _parse_timestamp(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"'{raw}' is not an ISO 8601 timestamp such as 2024-03-01T14:05:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"'{raw}' has no UTC offset (write it as in 2024-03-01T14:05:00+00:00)")
    return moment


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    # Each value as one string object (see _Values).
    allowed = {choice: choice for choice in choices}
    listing = ", ".join(choices)

    def convert(raw: str) -> str:
        try:
            return allowed[raw]
        except KeyError:
            raise ValueError(f"'{raw}' is not one of {listing}") from None

    return convert


def _state(codes: frozenset[str], wanted: str) -> Callable[[str], str]:
    known = {code: code for code in codes}

    def convert(raw: str) -> str:
        try:
            return known[raw]
        except KeyError:
            raise ValueError(f"'{raw}' is not {wanted}") from None

    return convert


def _ssn(raw: str) -> str:
    digits = raw.replace("-", "")
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"'{raw}' is not nine digits (hyphens optional)")
    return digits


def _identifier(limit: int) -> Callable[[str], str | None]:
    def convert(raw: str) -> str | None:
        # Most are letters and digits already, as exported: no separators to take out.
        key = raw.upper() if raw.isalnum() and raw.isascii() else identifier_key(raw)
        if not key:
            return None
        if len(key) > limit or not _IDENTIFIER.fullmatch(key):
            raise ValueError(
                f"'{raw}' is not 1 to {limit} letters and digits (spaces, hyphens, dots and "
                "slashes are ignored)"
            )
        return key

    return convert


# --- Rows -------------------------------------------------------------------------------------
class _RowProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


class _Dropped(Exception):
    """The row names a row that was refused: its own error says enough."""


class _Folder:
    """What has been read so far: the ids handed out and the rows refused, per file."""

    def __init__(self, first_ids: dict[str, int]):
        self.next_id = dict(first_ids)
        self.ids: dict[str, dict[str, int]] = {name: {} for name in first_ids}
        self.refused: dict[str, set[str]] = {name: set() for name in first_ids}
        self.unreadable: set[str] = set()

    def remember(self, file: str, number: str, row_id: int) -> None:
        known = self.ids[file]
        if len(known) >= KNOWN_IDS_LIMITS[file]:
            known.clear()
        known.setdefault(number, row_id)  # a repeated id stays the first row's (and is refused)

    def forget_after(self, file: str) -> None:
        """Once `file` is read, the ids no later file names are let go."""
        order = [spec.name for spec in FILES]
        for named, until in _NAMED_UNTIL.items():
            if order.index(until) <= order.index(file):
                self.ids[named].clear()


class _Rows:
    """Builds each file's stored row from its converted values (spec column order), applying the
    rules across columns and the defaults of empty cells."""

    def __init__(self, values: _Values, options: ReadOptions, folder: _Folder):
        self.values = values
        self.options = options
        self.folder = folder
        self.false = values.false
        self.row_id = 0
        self.unresolved: list[tuple[int, str, str, str]] = []

    def reference(self, file: str, number: str, position: int, column: str) -> int | None:
        folder = self.folder
        found = folder.ids[file].get(number)
        if found is not None:
            return found
        if number in folder.refused[file] or file in folder.unreadable:
            raise _Dropped
        self.unresolved.append((position, file, number, column))
        return None

    def offender(self, v: list) -> tuple:
        (number, last, first, middle, suffix, born, sex, race, ssn, fbi, sid, sex_offender,
         victim_sensitive, assault, creator, created, confidential, updated) = v  # fmt: skip
        state = self.options.state
        if state is not None and creator != state:
            raise _RowProblem("created_by_state", f"{state} may load only profiles it created")
        created = created or self.options.now
        false = self.false
        key = self.values.key
        return (
            self.row_id, number, last, first, middle, suffix, key(last), key(first), born, sex,
            race, ssn, fbi, sid, false if sex_offender is None else sex_offender,
            false if victim_sensitive is None else victim_sensitive,
            false if assault is None else assault,
            false if confidential is None else confidential,
            creator, created, updated or created, 1,
        )  # fmt: skip

    def alias(self, v: list) -> tuple:
        offender, last, first, middle, born = v
        offender_id = self.reference(OFFENDERS.name, offender, 1, "offender_id")
        key = self.values.key
        return (self.row_id, offender_id, last, first, middle, born, key(last), key(first), 1)

    def case(self, v: list) -> tuple:
        (number, offender, sending, receiving, supervision, status, created, end, summary,
         changed, tolling, legacy, updated) = v  # fmt: skip
        if sending == receiving:
            raise _RowProblem("receiving_state", f"'{receiving}' is also the sending state")
        state = self.options.state
        if state is not None and state not in (sending, receiving):
            raise _RowProblem("sending_state", f"{state} may load only cases it sends or receives")
        offender_id = self.reference(OFFENDERS.name, offender, 2, "offender_id")
        created = created or self.options.now
        false = self.false
        return (
            self.row_id, number, offender_id, sending, receiving, supervision,
            status or CaseStatus.PENDING.value, summary, end, false if tolling is None else tolling,
            false if legacy is None else legacy, changed, created, updated or created, 1,
        )  # fmt: skip

    def activity(self, v: list) -> tuple:
        (number, case, kind, sender, receiver, status, created, transmitted, reply_to, outcome,
         submitted, withdrawn, due, content, updated) = v  # fmt: skip
        if reply_to == number:
            raise _RowProblem("reply_to", "is the activity's own activity_id")
        status = status or ActivityStatus.DRAFT.value
        if status == ActivityStatus.TRANSMITTED and transmitted is None:
            raise _RowProblem("transmitted_at", "is required when status is transmitted")
        if outcome is not None and outcome not in OUTCOMES_BY_TYPE.get(kind, ()):
            allowed = sorted(OUTCOMES_BY_TYPE.get(kind, ()))
            rule = f"must be one of {', '.join(allowed)}" if allowed else "must be empty"
            raise _RowProblem("outcome", f"'{outcome}' is not an outcome of {kind}: {rule}")
        case_id = self.reference(CASES.name, case, 2, "case_id")
        reply_to_id = None
        # A reply to a refused request is still checked: the request's own error fails the import.
        if reply_to is not None:
            with suppress(_Dropped):
                reply_to_id = self.reference(ACTIVITIES.name, reply_to, 7, "reply_to")
        created = created or self.options.now
        return (
            self.row_id, number, case_id, kind, sender, receiver, status, reply_to_id, outcome,
            submitted, transmitted, withdrawn, due, content or "{}", created, updated or created,
            1,
        )  # fmt: skip

    def warrant(self, v: list) -> tuple:
        (number, created, author, updated, editor, offender, status, requested, issued,
         authority, contact, identifier, entered, served, withdrawn, verified, retaking,
         comments) = v  # fmt: skip
        offender_id = self.reference(OFFENDERS.name, offender, 2, "offender_id")
        created = created or self.options.now
        author = author or self.options.username
        return (
            self.row_id, number, offender_id, status or WarrantStatus.ACTIVE.value, requested,
            issued, authority, contact, identifier, entered, verified, served, withdrawn,
            retaking, comments, created, updated or created, author, editor or author, 1,
        )  # fmt: skip


# Stored columns of each file's rows, in the order _Rows gives them.
STORED_COLUMNS: dict[str, tuple[str, ...]] = {
    OFFENDERS.name: (
        "id", "offender_number", "last_name", "first_name", "middle_name", "suffix",
        "last_name_key", "first_name_key", "date_of_birth", "sex", "race", "ssn", "fbi_number",
        "state_id", "sex_offender", "victim_sensitive", "history_of_assault", "confidential",
        "created_by_state", "created_at", "updated_at", "version",
    ),
    ALIASES.name: (
        "id", "offender_id", "last_name", "first_name", "middle_name", "date_of_birth",
        "last_name_key", "first_name_key", "version",
    ),
    CASES.name: (
        "id", "case_number", "offender_id", "sending_state", "receiving_state",
        "supervision_type", "status", "offense_summary", "supervision_end_date", "tolling",
        "legacy", "status_changed_at", "created_at", "updated_at", "version",
    ),
    ACTIVITIES.name: (
        "id", "activity_number", "case_id", "type", "from_state", "to_state", "status",
        "reply_to_id", "outcome", "submitted_at", "transmitted_at", "withdrawn_at", "due_date",
        "content", "created_at", "updated_at", "version",
    ),
    WARRANTS.name: (
        "id", "warrant_status_id", "offender_id", "status", "requested_date", "issued_date",
        "issuing_authority", "issuing_authority_contact", "warrant_identifier",
        "ncic_entry_date", "ncic_verified_date", "served_date", "withdrawn_date",
        "retaking_authority", "comments", "created_ts", "updated_ts", "created_by",
        "updated_by", "version",
    ),
}  # fmt: skip
# Where each file's stored rows name other rows: (position, file named).
REFERENCES: dict[str, tuple[tuple[int, str], ...]] = {
    OFFENDERS.name: (),
    ALIASES.name: ((1, OFFENDERS.name),),
    CASES.name: ((2, OFFENDERS.name),),
    ACTIVITIES.name: ((2, CASES.name), (7, ACTIVITIES.name)),
    WARRANTS.name: ((2, OFFENDERS.name),),
}


# --- Files ------------------------------------------------------------------------------------
class _Lines:
    """The file's lines decoded, counted, with the ones that are not UTF-8 noted (and decoded
    with replacement characters so that parsing goes on)."""

    def __init__(self, handle):
        self.handle = handle
        self.number = 0
        self.undecodable: list[tuple[int, str]] = []
        self.exhausted = False

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.number += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.undecodable.append(
                    (
                        self.number,
                        f"not valid UTF-8 (byte 0x{raw[exc.start]:02X} at byte {exc.start + 1} "
                        "of the line); save the file as UTF-8",
                    )
                )
                text = raw.decode("utf-8", "replace")
            if self.number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield text
        self.exhausted = True


def _header_errors(spec: FileSpec, header: list[str]) -> tuple[list[ExchangeError], bool]:
    """Problems of the header row, and whether the rows can still be read."""
    errors: list[ExchangeError] = []
    known = set(spec.column_names)
    seen: set[str] = set()
    usable = True
    for name in header:
        if name in seen:
            errors.append(
                ExchangeError(spec.name, 1, name or "header", "appears twice in the header")
            )
            usable = False
        seen.add(name)
        if name not in known:
            label = name if name.strip() else "header"
            errors.append(
                ExchangeError(
                    spec.name,
                    1,
                    label,
                    f"unknown column{'' if name.strip() else ' (empty name)'}; the columns of "
                    f"{spec.name} are {', '.join(spec.column_names)}",
                )
            )
    for name in spec.contract_names:
        if name not in seen:
            errors.append(ExchangeError(spec.name, 1, name, "missing from the header"))
            usable = False
    return errors, usable


class FolderReader:
    """Reads the files of one folder in order, each against the ones read before it."""

    def __init__(self, options: ReadOptions):
        self.options = options
        self.values = _Values(options.dialect)
        self.folder = _Folder(options.first_ids)
        self.rows = _Rows(self.values, options, self.folder)

    def read(self, spec: FileSpec, path: Path) -> Iterator[Batch]:
        """Batches of the file's rows, in file order; the last one has `finished` set."""
        batch = Batch(spec.name)
        with path.open("rb") as handle:
            lines = _Lines(handle)
            reader = csv.reader(lines, strict=True)
            header = self._header(spec, reader, lines, batch)
            if header is None:
                self.folder.unreadable.add(spec.name)
                batch.usable = False
                batch.finished = True
                yield batch
                return
            yield from self._rows(spec, header, reader, lines, batch)

    def _header(self, spec: FileSpec, reader, lines: _Lines, batch: Batch) -> list[str] | None:
        try:
            header = next(reader)
        except StopIteration:
            batch.errors.append(ExchangeError(spec.name, 1, "header", "the file is empty"))
            header = None
        except csv.Error as exc:
            batch.errors.append(ExchangeError(spec.name, 1, "header", f"unreadable: {exc}"))
            header = None
        for number, message in lines.undecodable:
            batch.errors.append(ExchangeError(spec.name, number, "encoding", message))
        lines.undecodable.clear()
        if header is None:
            return None
        problems, usable = _header_errors(spec, header)
        batch.errors.extend(problems)
        return header if usable else None

    def _rows(
        self, spec: FileSpec, header: list[str], reader, lines: _Lines, batch: Batch
    ) -> Iterator[Batch]:
        file = spec.name
        folder = self.folder
        rows = self.rows
        build = getattr(rows, _BUILDERS[file])
        refused = folder.refused[file]
        remembered = file in (OFFENDERS.name, CASES.name, ACTIVITIES.name)
        prefix = NUMBER_PREFIXES.get(file)
        highest = 0
        width = len(header)
        position = {name: index for index, name in enumerate(header)}
        convert_row = _row_converter(
            spec,
            position,
            [self.values.converter(column) for column in spec.columns],
            self.values.sqlite,
        )
        # Where the row's own id is; aliases have none (nothing refers to them).
        id_cell = position[spec.id_column] if spec.id_column else None
        pending_width_error: ExchangeError | None = None
        records = 0

        def refuse(row: list[str], line: int) -> None:
            if id_cell is not None and id_cell < len(row) and row[id_cell]:
                refused.add(row[id_cell])
                batch.rejected.append((row[id_cell], line))

        while True:
            start = lines.number + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if pending_width_error is not None:
                    batch.errors.append(pending_width_error)
                    pending_width_error = None
                text = str(exc)
                if lines.exhausted and "unexpected end of data" in text:
                    message = (
                        "a quoted value starting on this line never ends (the file may be "
                        "truncated)"
                    )
                else:
                    message = f"unreadable: {text}"
                batch.errors.append(ExchangeError(file, start, "row", message))
                records += 1
                continue
            if pending_width_error is not None:
                batch.errors.append(pending_width_error)
                pending_width_error = None
            if not row:
                continue
            records += 1
            if lines.undecodable:
                for number, message in lines.undecodable:
                    batch.errors.append(ExchangeError(file, number, "encoding", message))
                lines.undecodable.clear()
                refuse(row, start)
                continue
            if len(row) != width:
                pending_width_error = ExchangeError(
                    file, start, "row", f"has {len(row)} fields, the header has {width}"
                )
                refuse(row, start)
                continue
            converted = convert_row(row, batch.errors, start)
            if converted is None:
                refuse(row, start)
                continue
            row_id = rows.row_id = folder.next_id[file]
            try:
                stored = build(converted)
            except _RowProblem as problem:
                batch.errors.append(ExchangeError(file, start, problem.column, problem.message))
                refuse(row, start)
                rows.unresolved.clear()
                continue
            except _Dropped:
                refuse(row, start)
                rows.unresolved.clear()
                continue
            folder.next_id[file] = row_id + 1
            if rows.unresolved:
                index = len(batch.rows)
                batch.unresolved.extend((index, *item) for item in rows.unresolved)
                rows.unresolved.clear()
            if id_cell is not None:
                number = row[id_cell]
                if remembered:
                    folder.remember(file, number, row_id)
                if prefix is not None:
                    digits = number[len(prefix) :] if number.startswith(prefix) else ""
                    if digits.isdigit() and digits.isascii():
                        highest = max(highest, int(digits))
            batch.rows.append(stored)
            batch.lines.append(start)
            if len(batch.rows) >= BATCH_ROWS:
                batch.records_read = records
                yield batch
                batch = Batch(file)
        if pending_width_error is not None:
            batch.errors.append(
                ExchangeError(
                    pending_width_error.file,
                    pending_width_error.line,
                    "row",
                    f"{pending_width_error.message} (the last line: the file may be truncated)",
                )
            )
        for number, message in lines.undecodable:
            batch.errors.append(ExchangeError(file, number, "encoding", message))
        batch.records_read = records
        batch.finished = True
        batch.highest_number = highest
        folder.forget_after(file)
        yield batch


def _row_converter(
    spec: FileSpec,
    position: dict[str, int],
    converters: list[Callable[[str], Any]],
    sqlite: bool,
) -> Callable[[list[str], list[ExchangeError], int], list | None]:
    """A function converting one row's cells (in the header's order) to a list of values (in the
    spec's order), or None after adding its errors to the list given.

    Written out column by column and compiled once per file: a loop over the columns costs more
    than the conversions themselves, and a million-row file pays it twenty million times.
    `sqlite`: whether the converters store for SQLite (the common timestamp is written out).
    """
    lines = ["def convert_row(row, errors, line):", "    failed = False"]
    for index, column in enumerate(spec.columns):
        value = f"v{index}"
        cell = position.get(column.name)
        if cell is None:
            lines.append(f"    {value} = None")
            continue
        if column.type is ColumnType.TIMESTAMP:
            # The exported form tested and stored inline; any other goes to the converter.
            conversion = [
                f"            if {_Values.EXPORTED_TIMESTAMP}:",
                "                try:",
                "                    from_iso(raw)",
                f"                    {value} = {_Values.EXPORTED_TIMESTAMP_STORED[sqlite]}",
                "                except ValueError:",
                f"                    {value} = c{index}(raw)  # raises with the rule in words",
                "            else:",
                f"                {value} = c{index}(raw)",
            ]
        elif converters[index] is _as_is:
            lines += [f"    {value} = row[{cell}] or None"]
            if column.required:
                lines += [
                    f"    if {value} is None:",
                    f"        errors.append(Error(FILE, line, {column.name!r}, 'is required'))",
                    "        failed = True",
                ]
            continue
        else:
            conversion = [f"            {value} = c{index}(raw)"]
        lines += [
            f"    raw = row[{cell}]",
            "    if raw:",
            "        try:",
            *conversion,
            "        except ValueError as exc:",
            f"            errors.append(Error(FILE, line, {column.name!r}, str(exc)))",
            f"            failed, {value} = True, None",
            "    else:",
            f"        {value} = None",
        ]
        if column.required:
            lines += [
                f"        errors.append(Error(FILE, line, {column.name!r}, 'is required'))",
                "        failed = True",
            ]
    values = ", ".join(f"v{index}" for index in range(len(spec.columns)))
    lines.append(f"    return None if failed else [{values}]")
    namespace: dict[str, Any] = {f"c{index}": c for index, c in enumerate(converters)}
    namespace.update(Error=ExchangeError, FILE=spec.name, from_iso=_from_iso)
    exec(compile("\n".join(lines), f"<row converter of {spec.name}>", "exec"), namespace)
    return namespace["convert_row"]


_BUILDERS = {
    OFFENDERS.name: "offender",
    ALIASES.name: "alias",
    CASES.name: "case",
    ACTIVITIES.name: "activity",
    WARRANTS.name: "warrant",
}
