"""The warrant status records of a state, or of every state, as CSV or XLSX in warrants.csv's columns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from operator import itemgetter
from pathlib import Path
from typing import Any

from app.core.errors import UserError
from app.core.permissions import Actor
from app.core.vocabulary import AuditAction
from app.db import Database
from app.models.audit import record_event
from app.services import list_export, policy
from app.services.exchange.exporting import iter_file_rows
from app.services.exchange.format import WARRANTS, ColumnType

__all__ = [
    "COLUMNS",
    "ExportFormat",
    "WarrantExport",
    "export_warrant_status",
    "format_of",
    "warrant_status_rows",
]

# The seed's data-field table, named and ordered as warrants.csv of the data-exchange contract.
COLUMNS: tuple[str, ...] = WARRANTS.contract_names


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class WarrantExport:
    path: Path
    state: str | None
    rows: int

    def describe(self) -> str:
        scope = f"of {self.state}" if self.state else "of every state"
        noun = "record" if self.rows == 1 else "records"
        return f"{self.path}: {self.rows:,} warrant status {noun} {scope}"


def format_of(path: Path | str) -> ExportFormat:
    """The format a file name asks for, from its extension."""
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return ExportFormat(suffix)
    except ValueError:
        raise UserError(f"{Path(path).name}: the file name must end in .csv or .xlsx") from None


def warrant_status_rows(session, actor: Actor, state: str | None = None) -> Iterator[list[str]]:
    """The records of profiles linked to the state policy.report_state allows (`state` None: the
    actor's own, every state for the National Office), as warrants.csv's cells, oldest first."""
    scope = policy.report_state(actor, state)
    return iter_file_rows(session, WARRANTS, scope, COLUMNS)


def _typed(kind: ColumnType) -> Callable[[str], Any]:
    """A spreadsheet cell for the exchange text: dates and times as dates, the rest as text."""
    if kind is ColumnType.DATE:
        return lambda text: date.fromisoformat(text) if text else None
    if kind is ColumnType.TIMESTAMP:
        return lambda text: datetime.fromisoformat(text) if text else None
    return lambda text: text or None


def export_warrant_status(
    database: Database,
    actor: Actor,
    path: Path | str,
    *,
    state: str | None = None,
    export_format: ExportFormat | None = None,
    progress: list_export.Progress | None = None,
) -> WarrantExport:
    """Writes the records (see warrant_status_rows) to path, streamed row by row.

    CSV holds the cells exactly as warrants.csv does, so the file imports back unchanged; XLSX
    holds the same values with dates and times as spreadsheet dates. The format comes from the
    file name unless given.
    """
    path = Path(path)
    chosen = export_format or format_of(path)
    with database.read() as session:
        scope = policy.report_state(actor, state)
        rows = warrant_status_rows(session, actor, scope or policy.ALL_STATES)
        if chosen is ExportFormat.CSV:
            columns = [(name, itemgetter(i)) for i, name in enumerate(COLUMNS)]
            written = list_export.write_csv(path, columns, rows, progress, guard_formulas=False)
        else:
            kinds = [_typed(WARRANTS.column(name).type) for name in COLUMNS]
            columns = [
                (name, lambda row, i=i, cell=cell: cell(row[i]))
                for i, (name, cell) in enumerate(zip(COLUMNS, kinds, strict=True))
            ]
            written = list_export.write_xlsx(
                path, columns, rows, progress, sheet_title="Warrant status"
            )
    # Law-enforcement data leaves the application: who took it, and how much, is recorded.
    with database.unit_of_work(actor) as session:
        record_event(
            session,
            AuditAction.VIEW_SENSITIVE,
            "warrant_status_record",
            note=f"warrant status export to {path}",
            changes={"file": str(path), "state": scope or "all", "rows": written},
        )
    return WarrantExport(path, scope, written)
