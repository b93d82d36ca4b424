"""export_folder: what the actor may see, written as a data-exchange folder, streamed table by table."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import UserError
from app.core.permissions import Actor, Permission, require
from app.core.vocabulary import AuditAction
from app.db import Database
from app.models.audit import record_event
from app.services.exchange.format import (
    ACTIVITIES,
    ALIASES,
    CASES,
    FILES,
    OFFENDERS,
    WARRANTS,
    ColumnType,
    FileSpec,
)
from app.services.exchange.importing import Progress

# Rows fetched from the database at a time.
FETCH_ROWS = 5_000

# Each file: the expression of every column (in the spec's order), its FROM clause, the column
# holding the profile's id (for the visibility rule) and the column that orders the rows.
_SELECTS: dict[str, tuple[dict[str, str], str, str, str]] = {
    OFFENDERS.name: (
        {
            "offender_id": "o.offender_number",
            "last_name": "o.last_name",
            "first_name": "o.first_name",
            "middle_name": "o.middle_name",
            "suffix": "o.suffix",
            "date_of_birth": "o.date_of_birth",
            "sex": "o.sex",
            "race": "o.race",
            "ssn": "o.ssn",
            "fbi_number": "o.fbi_number",
            "state_id": "o.state_id",
            "sex_offender": "o.sex_offender",
            "victim_sensitive": "o.victim_sensitive",
            "history_of_assault": "o.history_of_assault",
            "created_by_state": "o.created_by_state",
            "created_at": "o.created_at",
            "confidential": "o.confidential",
            "updated_at": "o.updated_at",
        },
        "offender o",
        "o.id",
        "o.id",
    ),
    ALIASES.name: (
        {
            "offender_id": "o.offender_number",
            "last_name": "a.last_name",
            "first_name": "a.first_name",
            "middle_name": "a.middle_name",
            "date_of_birth": "a.date_of_birth",
        },
        "alias a JOIN offender o ON o.id = a.offender_id",
        "a.offender_id",
        "a.id",
    ),
    CASES.name: (
        {
            "case_id": "c.case_number",
            "offender_id": "o.offender_number",
            "sending_state": "c.sending_state",
            "receiving_state": "c.receiving_state",
            "supervision_type": "c.supervision_type",
            "status": "c.status",
            "created_at": "c.created_at",
            "supervision_end_date": "c.supervision_end_date",
            "offense_summary": "c.offense_summary",
            "status_changed_at": "c.status_changed_at",
            "tolling": "c.tolling",
            "legacy": "c.legacy",
            "updated_at": "c.updated_at",
        },
        "compact_case c JOIN offender o ON o.id = c.offender_id",
        "c.offender_id",
        "c.id",
    ),
    ACTIVITIES.name: (
        {
            "activity_id": "a.activity_number",
            "case_id": "c.case_number",
            "type": "a.type",
            "from_state": "a.from_state",
            "to_state": "a.to_state",
            "status": "a.status",
            "created_at": "a.created_at",
            "transmitted_at": "a.transmitted_at",
            "reply_to": "r.activity_number",
            "outcome": "a.outcome",
            "submitted_at": "a.submitted_at",
            "withdrawn_at": "a.withdrawn_at",
            "due_date": "a.due_date",
            "content": "CAST(a.content AS TEXT)",
            "updated_at": "a.updated_at",
        },
        "activity a JOIN compact_case c ON c.id = a.case_id "
        "LEFT JOIN activity r ON r.id = a.reply_to_id",
        "c.offender_id",
        "a.id",
    ),
    WARRANTS.name: (
        {
            "warrant_status_id": "w.warrant_status_id",
            "created_ts": "w.created_ts",
            "created_by": "w.created_by",
            "updated_ts": "w.updated_ts",
            "updated_by": "w.updated_by",
            "offender_id": "o.offender_number",
            "warrant_status": "w.status",
            "requested_date": "w.requested_date",
            "issued_date": "w.issued_date",
            "issuing_authority": "w.issuing_authority",
            "issuing_authority_contact": "w.issuing_authority_contact",
            "warrant_identifier": "w.warrant_identifier",
            "ncic_entry_date": "w.ncic_entry_date",
            "served_date": "w.served_date",
            "withdrawn_date": "w.withdrawn_date",
            "ncic_verified_date": "w.ncic_verified_date",
            "retaking_authority": "w.retaking_authority",
            "comments": "w.comments",
        },
        "warrant_status_record w JOIN offender o ON o.id = w.offender_id",
        "w.offender_id",
        "w.id",
    ),
}

_STATE_CODE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class ExportSummary:
    folder: Path
    counts: dict[str, int]

    def describe(self) -> str:
        parts = ", ".join(f"{name} {count:,}" for name, count in self.counts.items())
        return f"Exported to {self.folder}: {parts}."


def _boolean(value: Any) -> str:
    return "true" if value else "false"


def _sqlite_timestamp(value: str) -> str:
    # Stored as SQLAlchemy writes it on SQLite: UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'.
    if len(value) == 26 and value[10] == " ":
        if value.endswith(".000000"):
            return f"{value[:10]}T{value[11:19]}+00:00"
        return f"{value[:10]}T{value[11:]}+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _server_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _server_date(value: Any) -> str:
    return value.isoformat()


def _formatters(
    spec: FileSpec, dialect: str, names: Sequence[str] | None = None
) -> list[Callable[[Any], str] | None]:
    """Per column: how a stored value becomes cell text (None: it already is text)."""
    sqlite = dialect == "sqlite"
    formatters: list[Callable[[Any], str] | None] = []
    columns = spec.columns if names is None else [spec.column(name) for name in names]
    for column in columns:
        if column.type is ColumnType.BOOLEAN:
            formatters.append(_boolean)
        elif column.type is ColumnType.TIMESTAMP:
            formatters.append(_sqlite_timestamp if sqlite else _server_timestamp)
        elif column.type is ColumnType.DATE:
            formatters.append(None if sqlite else _server_date)
        else:
            formatters.append(None)
    return formatters


def _query(spec: FileSpec, actor: Actor) -> tuple[str, str]:
    """The rows' query and their count's, restricted to the profiles the actor may see."""
    return file_query(spec, None if actor.sees_all_states else actor.jurisdiction_code)


def file_query(
    spec: FileSpec, state: str | None, names: Sequence[str] | None = None
) -> tuple[str, str]:
    """One file's query (its columns, or those named, in the export's order) and its count's;
    `state` keeps the profiles linked to that state, None every profile."""
    expressions, source, profile, order = _SELECTS[spec.name]
    where = ""
    if state is not None:
        if not _STATE_CODE.fullmatch(state):
            raise UserError(f"{state} is not a state code")
        # The same rule as app.services.policy.offender_visible, in the query's own SQL.
        where = (
            " WHERE EXISTS (SELECT 1 FROM offender_link l "
            f"WHERE l.jurisdiction_code = '{state}' AND l.offender_id = {profile})"
        )
    columns = ", ".join(expressions[name] for name in (names or spec.column_names))
    return (
        f"SELECT {columns} FROM {source}{where} ORDER BY {order}",
        f"SELECT count(*) FROM {source}{where}",
    )


def iter_file_rows(
    session: Session, spec: FileSpec, state: str | None, names: Sequence[str] | None = None
) -> Iterator[list[str]]:
    """The rows of one file exactly as the export writes them (cell text, '' for no value),
    fetched FETCH_ROWS at a time: a server-side cursor on PostgreSQL, so no table is held whole."""
    dialect = session.get_bind().dialect.name
    formatters = _formatters(spec, dialect, names)
    raw = session.connection().connection.driver_connection
    if dialect == "postgresql":
        cursor = raw.cursor(name=f"rows_{spec.table}")
        cursor.itersize = FETCH_ROWS
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(file_query(spec, state, names)[0])
        while rows := cursor.fetchmany(FETCH_ROWS):
            for row in rows:
                yield [
                    "" if value is None else (value if format_ is None else format_(value))
                    for format_, value in zip(formatters, row, strict=True)
                ]
    finally:
        cursor.close()


def export_folder(
    database: Database, actor: Actor, folder: Path | str, progress: Progress | None = None
) -> ExportSummary:
    """Writes the five files (replacing any already there) with every row the actor may see, in
    the order the rows were added to this database."""
    require(actor, Permission.VIEW_OFFENDERS)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {folder}: {exc.strerror}") from exc
    report = progress or (lambda _phase, _done, _total: None)
    partials = {spec.name: folder / f".{spec.name}.partial" for spec in FILES}
    counts: dict[str, int] = {}
    try:
        with database.read() as session:
            connection = session.connection()
            if database.dialect == "postgresql" and not connection.in_nested_transaction():
                # One snapshot for all five files, so that every reference in them resolves.
                connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            queries = {spec.name: _query(spec, actor) for spec in FILES}
            total = sum(
                connection.exec_driver_sql(count).scalar() or 0 for _, count in queries.values()
            )
            done = 0
            report("Exporting", 0, total)
            raw = connection.connection.driver_connection
            for spec in FILES:
                phase = f"Writing {spec.name}"
                formatters = _formatters(spec, database.dialect)
                if database.dialect == "postgresql":
                    cursor = raw.cursor(name=f"exchange_{spec.table}")
                    cursor.itersize = FETCH_ROWS
                else:
                    cursor = raw.cursor()
                written = 0
                try:
                    cursor.execute(queries[spec.name][0])
                    with partials[spec.name].open("w", encoding="utf-8", newline="") as handle:
                        writer = csv.writer(handle, lineterminator="\n")
                        writer.writerow(spec.column_names)
                        while rows := cursor.fetchmany(FETCH_ROWS):
                            writer.writerows(
                                [
                                    ""
                                    if value is None
                                    else (value if format_ is None else format_(value))
                                    for format_, value in zip(formatters, row, strict=True)
                                ]
                                for row in rows
                            )
                            written += len(rows)
                            done += len(rows)
                            report(phase, done, total)
                finally:
                    cursor.close()
                counts[spec.name] = written
        for spec in FILES:
            partials[spec.name].replace(folder / spec.name)
    except BaseException:
        for path in partials.values():
            path.unlink(missing_ok=True)
        raise
    # Full SSNs and identities leave the application: who took them, and how many, is recorded.
    with database.unit_of_work(actor) as session:
        record_event(
            session,
            AuditAction.VIEW_SENSITIVE,
            "data_exchange",
            note=f"export to the folder {folder}",
            changes={"folder": str(folder), **counts},
        )
    return ExportSummary(folder, counts)
