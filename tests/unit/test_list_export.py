"""Lists to CSV, XLSX and PDF: what a spreadsheet or a reader gets back."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import openpyxl
import pytest
from pypdf import PdfReader

from app.pdf.list_report import write_list_pdf
from app.services import list_export
from app.services.list_export import ExportTooLarge, write_csv, write_xlsx
from tests.unit.test_activity_pdf import zlib_streams

COLUMNS = [
    ("Name", lambda row: row["name"]),
    ("Due", lambda row: row["due"]),
    ("Overdue", lambda row: row["overdue"]),
    ("Cases", lambda row: row["cases"]),
    ("Statuses", lambda row: row["statuses"]),
]
ROWS = [
    {"name": "Núñez, José", "due": date(2026, 3, 1), "overdue": True, "cases": 2,
     "statuses": ("Sex offender", "Active warrant")},
    {"name": "=HYPERLINK(\"http://x\")", "due": None, "overdue": False, "cases": 0,
     "statuses": ()},
]  # fmt: skip


def one_pass(rows):
    """The exports must read their rows once, as they come: a generator, never a list."""
    yield from rows


def test_csv_reads_back_with_dates_flags_and_lists_as_text(tmp_path):
    path = tmp_path / "list.csv"
    assert write_csv(path, COLUMNS, one_pass(ROWS)) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the mark to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines == [
        ["Name", "Due", "Overdue", "Cases", "Statuses"],
        ["Núñez, José", "2026-03-01", "Yes", "2", "Sex offender; Active warrant"],
        # A spreadsheet would run this as a formula; the apostrophe keeps it text.
        ['\'=HYPERLINK("http://x")', "", "No", "0", ""],
    ]


def test_xlsx_has_a_bold_frozen_header_and_real_dates(tmp_path):
    path = tmp_path / "list.xlsx"
    assert write_xlsx(path, COLUMNS, one_pass(ROWS)) == 2
    sheet = openpyxl.load_workbook(path).active
    assert [cell.value for cell in sheet[1]] == ["Name", "Due", "Overdue", "Cases", "Statuses"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    name, due, overdue, cases, statuses = sheet[2]
    assert name.value == "Núñez, José"
    assert due.value == datetime(2026, 3, 1) and due.is_date
    assert due.number_format == "mm/dd/yyyy"
    assert (overdue.value, cases.value, statuses.value) == (True, 2, "Sex offender; Active warrant")
    formula_like = sheet["A3"]
    assert (formula_like.value, formula_like.data_type) == ('=HYPERLINK("http://x")', "s")
    assert sheet["B3"].value is None


def test_timestamps_are_shown_in_local_time(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/Chicago")
    import time

    time.tzset()
    try:
        moment = datetime(2026, 1, 15, 18, 30, tzinfo=UTC)
        assert list_export.cell_text(moment) == "2026-01-15 12:30"
        path = tmp_path / "times.xlsx"
        write_xlsx(path, [("At", lambda row: row)], [moment])
        assert openpyxl.load_workbook(path).active["A2"].value == datetime(2026, 1, 15, 12, 30)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_progress_is_reported_and_can_stop_the_export_without_leaving_a_file(tmp_path, writer):
    path = tmp_path / "big.out"
    path.write_text("an earlier export")
    rows = ({"name": f"Row {n}", "due": None, "overdue": False, "cases": n, "statuses": ()}
            for n in range(2_500))  # fmt: skip
    seen = []

    def progress(written: int) -> None:
        seen.append(written)
        if written >= 2_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        writer(path, COLUMNS, rows, progress=progress)
    assert seen == [1_000, 2_000]
    assert path.read_text() == "an earlier export"
    assert [p.name for p in tmp_path.iterdir()] == ["big.out"]


def test_xlsx_refuses_more_rows_than_a_worksheet_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(list_export, "XLSX_MAX_ROWS", 1)
    path = tmp_path / "list.xlsx"
    with pytest.raises(ExportTooLarge, match="CSV"):
        write_xlsx(path, COLUMNS, one_pass(ROWS))
    assert not path.exists()


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def test_pdf_prints_title_filters_who_and_when_and_non_ascii_names(tmp_path):
    path = tmp_path / "list.pdf"
    printed = write_list_pdf(
        path,
        "Compact workload",
        COLUMNS,
        one_pass(ROWS),
        printed_by="Ann Archer (tx.ann)",
        filters=["My state's workload", "Overdue only"],
        printed_at=datetime(2026, 3, 10, 14, 5),
    )
    assert printed == 2
    (text,) = pdf_pages(path)
    assert "Compact workload" in text
    assert "My state's workload; Overdue only" in text
    assert "Printed by Ann Archer (tx.ann) on 03/10/2026 at 14:05" in text
    assert "Núñez, José" in text
    assert "03/01/2026" in text
    assert "Page 1 of 1" in text
    reader = PdfReader(str(path))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape


def test_pdf_repeats_the_header_on_every_page_and_numbers_them(tmp_path):
    path = tmp_path / "long.pdf"
    rows = [{"name": f"Name {n:03d}", "due": None, "overdue": False, "cases": n, "statuses": ()}
            for n in range(150)]  # fmt: skip
    write_list_pdf(path, "Long list", COLUMNS, rows, printed_by="tester")
    pages = pdf_pages(path)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert "Statuses" in text and "Overdue" in text
        assert f"Page {number} of {len(pages)}" in text
    everything = "\n".join(pages)
    assert "Name 000" in everything and "Name 149" in everything
    # Only the embedded faces, on every page (a cell's default font would be Helvetica).
    pdf = path.read_bytes()
    assert b"Helvetica" not in pdf and b"Helvetica" not in zlib_streams(pdf)
    for page in PdfReader(str(path)).pages:
        fonts = page["/Resources"]["/Font"]
        names = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
        assert names == {"DejaVuSans", "DejaVuSans-Bold"}


def test_pdf_stops_at_its_limit_and_says_so(tmp_path):
    path = tmp_path / "cut.pdf"
    rows = ({"name": f"Name {n}", "due": None, "overdue": False, "cases": n, "statuses": ()}
            for n in range(30))  # fmt: skip
    printed = write_list_pdf(path, "Cut", COLUMNS, rows, printed_by="tester", total=30, max_rows=10)
    assert printed == 10
    text = "\n".join(pdf_pages(path))
    assert "The first 10 of 30 rows" in text
    assert "Name 9" in text and "Name 10" not in text


def test_an_empty_list_still_prints_its_header(tmp_path):
    path = tmp_path / "empty.pdf"
    assert write_list_pdf(path, "Nothing", COLUMNS, [], printed_by="tester") == 0
    (text,) = pdf_pages(path)
    assert "0 rows" in text and "Statuses" in text
