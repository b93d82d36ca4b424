"""Any list to a CSV or XLSX file, written row by row as the rows arrive, so that exporting a million
rows holds one row in memory. Every list exports through here with its own columns.

A column is a (header, value getter) pair; a getter returns the cell's value: text, a number, a date,
a bool, None, or a sequence (joined with '; ').
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from app.core.errors import UserError

RowT = TypeVar("RowT")
ExportColumn = tuple[str, Callable[[Any], Any]]
# Called with the number of rows written so far, every PROGRESS_EVERY rows; raising stops the export
# (and nothing is left behind).
Progress = Callable[[int], None]

PROGRESS_EVERY = 1_000
# A worksheet has 1,048,576 rows; one holds the header.
XLSX_MAX_ROWS = 1_048_575
# Spreadsheets run text starting with these as a formula (CSV injection); a leading apostrophe
# keeps it text, as a spreadsheet user would type it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_DATE_FORMAT = "mm/dd/yyyy"
_XLSX_DATETIME_FORMAT = "mm/dd/yyyy hh:mm"
_XLSX_MAX_WIDTH = 60


class ExportTooLarge(UserError):
    pass


def cell_text(value: Any) -> str:
    """A value as text for CSV: dates as YYYY-MM-DD (read as dates by spreadsheets everywhere)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(cell_text(item) for item in value)
    return str(value)


def _local(moment: datetime) -> datetime:
    """Timestamps are stored in UTC; a clerk reads them in the computer's time zone."""
    return moment.astimezone() if moment.tzinfo is not None else moment


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _replace_when_done(path: Path, write: Callable[[Path], int]) -> int:
    """Writes beside the target and renames at the end: a failed or cancelled export leaves no
    half-written file, and an earlier export of the same name stays whole until then."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        written = write(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


def write_csv(
    path: Path | str,
    columns: Sequence[ExportColumn],
    rows: Iterable[RowT],
    progress: Progress | None = None,
    *,
    guard_formulas: bool = True,
) -> int:
    """Writes a header and one line per row; returns the number of rows written.

    UTF-8 with a byte-order mark, which Excel needs to read 'Núñez' as written. A file that a
    program reads back (a data-exchange file) passes guard_formulas=False: its values stay as
    stored, without the apostrophe that keeps a spreadsheet from running them.
    """
    guard = _defused if guard_formulas else str

    def write(target: Path) -> int:
        written = 0
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([header for header, _ in columns])
            for row in rows:
                writer.writerow([guard(cell_text(get(row))) for _, get in columns])
                written += 1
                if progress is not None and written % PROGRESS_EVERY == 0:
                    progress(written)
        return written

    return _replace_when_done(Path(path), write)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def write_xlsx(
    path: Path | str,
    columns: Sequence[ExportColumn],
    rows: Iterable[RowT],
    progress: Progress | None = None,
    sheet_title: str = "List",
) -> int:
    """One worksheet: a bold header row that stays in view, then one row per row; dates are dates.

    Returns the number of rows written; more rows than a worksheet holds raise ExportTooLarge.
    """
    # openpyxl costs a noticeable moment to import; most sessions never export.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    def write(target: Path) -> int:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_title[:31])
        # Both must be set before the first row is written.
        sheet.freeze_panes = "A2"
        for index, (header, _) in enumerate(columns):
            width = min(max(len(header) + 4, 12), _XLSX_MAX_WIDTH)
            sheet.column_dimensions[_column_letter(index)].width = width
        bold = Font(bold=True)
        header_cells = []
        for header, _ in columns:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        written = 0
        try:
            for row in rows:
                if written >= XLSX_MAX_ROWS:
                    raise ExportTooLarge(
                        f"A worksheet holds at most {XLSX_MAX_ROWS:,} rows and the list has "
                        "more: narrow it with the filters, or export it as CSV"
                    )
                sheet.append([_xlsx_cell(sheet, get(row), WriteOnlyCell) for _, get in columns])
                written += 1
                if progress is not None and written % PROGRESS_EVERY == 0:
                    progress(written)
        except BaseException:
            # Ends the sheet's row writer; openpyxl deletes its scratch file when Python exits.
            with contextlib.suppress(Exception):
                sheet.close()
            raise
        workbook.save(target)
        return written

    return _replace_when_done(Path(path), write)


def _xlsx_cell(sheet: Any, value: Any, cell_class: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        cell = cell_class(sheet, value=_local(value).replace(tzinfo=None))
        cell.number_format = _XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = cell_class(sheet, value=value)
        cell.number_format = _XLSX_DATE_FORMAT
        return cell
    text = cell_text(value)
    if text.startswith("="):
        # openpyxl stores text starting with '=' as a formula; this one must stay text.
        cell = cell_class(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text
