"""The Workload page driven as a clerk would: scope, filters, header clicks, Enter, export, print."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import openpyxl
import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from app.core import clock
from app.core.vocabulary import ActivityStatus, ActivityType, CaseStatus, Role
from app.models import Activity
from app.services.users import actor_from_user
from app.services.workload import WorkloadScope, WorkloadSort
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.workload_table_model import COLUMNS, WorkloadTableModel
from app.views.workload_view import WorkloadPage, settings_for
from tests.factories import make_case, make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

TODAY = date(2026, 3, 10)
TITLES = [column.title for column in COLUMNS]
CASE, NAME = TITLES.index("Case #"), TITLES.index("Name")


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def world(db, system):
    """Ann (Texas) is assigned two cases; Texas is a party to a third; Virginia's own is apart."""
    with db.unit_of_work(system) as session:
        ann = make_user(session, "gw.ann", state="TX")
        ann.full_name = "Ann Archer"
        other = make_user(session, "gw.other", state="TX")
        other.full_name = "Otto Other"
        nunez = make_offender(session, last_name="Núñez", first_name="José", sex_offender=True)
        adams = make_offender(session, last_name="Adams", first_name="Amy")
        baker = make_offender(session, last_name="Baker", first_name="Bo")
        virginia = make_offender(session, last_name="Vee", first_name="Vic", created_by_state="VA")
        mine_late = make_case(session, nunez, case_number="C-0002", sending_assigned_user_id=ann.id)
        make_case(session, adams, case_number="C-0001", receiving_state="TX", sending_state="OK",
                  receiving_assigned_user_id=ann.id, status=CaseStatus.ACCEPTED)  # fmt: skip
        make_case(session, baker, case_number="C-0003", sending_assigned_user_id=other.id)
        make_case(session, baker, case_number="C-0004", status=CaseStatus.CLOSED)
        make_case(session, virginia, case_number="C-0009", sending_state="VA", receiving_state="NC")
        session.add(
            Activity(
                activity_number="GW0000001",
                case_id=mine_late.id,
                type=ActivityType.TRANSFER_REQUEST,
                from_state="TX",
                to_state="VA",
                status=ActivityStatus.TRANSMITTED,
                due_date=TODAY - timedelta(days=2),
            )
        )
        return {
            "ann": actor_from_user(ann),
            "other_id": other.id,
            "nunez_id": nunez.id,
            "adams_id": adams.id,
        }


def open_page(qtbot, db, actor, events: AppEvents | None = None) -> WorkloadPage:
    page = WorkloadPage(AppContext(database=db, actor=actor, events=events or AppEvents()))
    qtbot.addWidget(page)
    page.resize(1400, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def column(page: WorkloadPage, index: int) -> list[str]:
    model = page.model
    return [model.data(model.index(row, index)) for row in range(model.rowCount())]


def click_header(qtbot, page: WorkloadPage, index: int) -> None:
    header = page.table.horizontalHeader()
    position = QPoint(header.sectionViewportPosition(index) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=position)


def test_the_model_passes_qt_checks_in_every_order(qtmodeltester, db, world):
    model = WorkloadTableModel(db, world["ann"])
    qtmodeltester.check(model)
    for index in range(len(COLUMNS)):
        model.sort(index, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(model)


def test_opens_on_my_cases_and_switches_to_my_states_workload(qtbot, db, world):
    page = open_page(qtbot, db, world["ann"])
    assert page.mine_button.isChecked()
    # Overdue first: C-0002's transfer request was due two days ago.
    assert column(page, CASE) == ["C-0002", "C-0001"]
    assert page.count_label.text() == "2 cases"
    assert column(page, TITLES.index("Overdue")) == ["Overdue", ""]
    assert column(page, NAME) == ["Núñez, José", "Adams, Amy"]

    page.state_button.click()
    assert page.query.scope is WorkloadScope.STATE
    assert sorted(column(page, CASE)) == ["C-0001", "C-0002", "C-0003"]
    assert page.count_label.text() == "3 cases"
    assert page.live_count() == 3


def test_each_filter_narrows_the_list(qtbot, db, world):
    page = open_page(qtbot, db, world["ann"])
    page.state_button.click()

    page.status_combo.setCurrentIndex(page.status_combo.findText("All cases"))
    assert sorted(column(page, CASE)) == ["C-0001", "C-0002", "C-0003", "C-0004"]
    page.status_combo.setCurrentIndex(page.status_combo.findText("Historical cases"))
    assert column(page, CASE) == ["C-0004"]
    page.status_combo.setCurrentIndex(page.status_combo.findText("Active cases"))

    page.special_combo.setCurrentIndex(page.special_combo.findText("Sex offender"))
    assert column(page, CASE) == ["C-0002"]
    page.special_combo.setCurrentIndex(0)

    page.user_combo.setCurrentIndex(page.user_combo.findData(world["other_id"]))
    assert column(page, CASE) == ["C-0003"]
    page.user_combo.setCurrentIndex(0)

    page.overdue_box.setChecked(True)
    assert column(page, CASE) == ["C-0002"]
    assert page.count_label.text() == "1 case"


def test_clicking_a_header_sorts_and_clicking_again_reverses(qtbot, db, world):
    page = open_page(qtbot, db, world["ann"])
    page.state_button.click()
    click_header(qtbot, page, CASE)
    assert page.query.sort is WorkloadSort.CASE_NUMBER and not page.query.descending
    assert column(page, CASE) == ["C-0001", "C-0002", "C-0003"]
    click_header(qtbot, page, CASE)
    assert page.query.descending
    assert column(page, CASE) == ["C-0003", "C-0002", "C-0001"]
    click_header(qtbot, page, NAME)
    assert page.query.sort is WorkloadSort.NAME
    assert column(page, NAME) == ["Adams, Amy", "Baker, Bo", "Núñez, José"]


def test_enter_on_a_row_asks_for_the_offenders_profile(qtbot, db, world):
    page = open_page(qtbot, db, world["ann"])
    page.focus_list()
    with qtbot.waitSignal(page.open_offender) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [world["nunez_id"]]
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.open_offender) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    assert opened.args == [world["adams_id"]]


def test_sort_and_column_widths_are_remembered_per_user(qtbot, db, world, system):
    page = open_page(qtbot, db, world["ann"])
    click_header(qtbot, page, NAME)
    click_header(qtbot, page, NAME)
    page.table.setColumnWidth(NAME, 333)
    page.state_button.click()
    page.close()

    again = open_page(qtbot, db, world["ann"])
    assert again.query.sort is WorkloadSort.NAME and again.query.descending
    assert again.query.scope is WorkloadScope.STATE
    assert again.table.columnWidth(NAME) == 333
    header = again.table.horizontalHeader()
    assert header.sortIndicatorSection() == NAME
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    click_header(qtbot, again, TITLES.index("Overdue"))
    again.close()
    once_more = open_page(qtbot, db, world["ann"])
    assert once_more.query.sort is WorkloadSort.NEXT_DUE
    assert once_more.table.horizontalHeader().sortIndicatorSection() == TITLES.index("Overdue")

    with db.unit_of_work(system) as session:
        someone_else = actor_from_user(make_user(session, "gw.someone", state="TX"))
    theirs = open_page(qtbot, db, someone_else)
    assert theirs.query.sort is WorkloadSort.NEXT_DUE
    assert theirs.table.columnWidth(NAME) != 333
    assert settings_for("gw.someone").value("sort_column") is None


def test_refreshes_when_changes_are_applied(qtbot, db, world, system):
    events = AppEvents()
    page = open_page(qtbot, db, world["ann"], events)
    counts = []
    page.count_changed.connect(counts.append)
    with db.unit_of_work(system) as session:
        offender = make_offender(session, last_name="Newman", first_name="Nell")
        make_case(session, offender, case_number="C-0005", receiving_state="TX",
                  sending_state="VA", receiving_assigned_user_id=world["ann"].user_id)  # fmt: skip
    assert page.live_count() == 2
    events.changes_applied.emit(object())
    assert page.live_count() == 3
    assert counts == [3]
    assert "C-0005" in column(page, CASE)


@pytest.fixture
def save_as(monkeypatch, tmp_path):
    """Answers the save dialog with a file in tmp_path; records what the dialog was asked."""
    asked = []

    def answer(name: str):
        def get_save_file_name(parent, caption, suggested, file_filter):
            asked.append((caption, file_filter))
            return str(tmp_path / name), file_filter

        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
        return tmp_path / name

    answer.asked = asked
    return answer


def test_export_csv_writes_the_list_as_filtered_and_sorted(qtbot, db, world, save_as):
    page = open_page(qtbot, db, world["ann"])
    page.state_button.click()
    click_header(qtbot, page, CASE)
    path = save_as("workload")  # the extension is added
    qtbot.mouseClick(page.export_csv_button, Qt.MouseButton.LeftButton)
    written = path.with_name("workload.csv")
    with written.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == TITLES
    assert [line[CASE] for line in lines[1:]] == ["C-0001", "C-0002", "C-0003"]
    assert lines[2][NAME] == "Núñez, José"
    assert lines[2][TITLES.index("Next due")] == "2026-03-08"
    assert page.message_label.text() == f"Wrote 3 rows to {written}."
    assert save_as.asked == [("Export the workload as CSV", "CSV files (*.csv)")]


def test_export_xlsx_keeps_dates_as_dates(qtbot, db, world, save_as):
    page = open_page(qtbot, db, world["ann"])
    path = save_as("mine.xlsx")
    page.export_xlsx_button.click()
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == TITLES
    assert rows[1][CASE] == "C-0002"
    assert rows[1][TITLES.index("Next due")].date() == date(2026, 3, 8)
    assert rows[1][TITLES.index("Overdue")] is True


def test_cancelling_the_dialog_writes_nothing(qtbot, db, world, monkeypatch, tmp_path):
    page = open_page(qtbot, db, world["ann"])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: ("", "")))
    page.export_csv_button.click()
    page.print_button.click()
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".csv", ".xlsx", ".pdf")]
    assert page.message_label.text() == ""


def test_print_pdf_shows_the_filters_and_the_rows(qtbot, db, world, save_as):
    page = open_page(qtbot, db, world["ann"])
    page.state_button.click()
    page.overdue_box.setChecked(True)
    path = save_as("workload.pdf")
    page.print_button.click()
    text = "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert "Compact workload — My state's workload" in text
    assert "Active cases; overdue only; sorted by Next due" in text
    assert "Printed by gw.ann (TX)" in text
    assert "Núñez, José" in text and "C-0002" in text
    assert "C-0001" not in text
    assert "Page 1 of 1" in text


def test_the_national_office_starts_on_every_states_cases_by_case_number(qtbot, db, world, system):
    with db.unit_of_work(system) as session:
        nora = make_user(session, "gw.nora", state="NO", roles=(Role.NATIONAL_OFFICE,))
        national = actor_from_user(nora)
    page = open_page(qtbot, db, national)
    assert page.state_button.isChecked()
    assert page.state_button.text() == "All states' workload"
    assert page.query.sort is WorkloadSort.CASE_NUMBER
    assert column(page, CASE) == ["C-0001", "C-0002", "C-0003", "C-0009"]
