"""The Warrants page: a row per state and a total, the disclaimer, fresh counts after a change, and
the export of the records from the page and from the File menu."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.core import clock
from app.core.jurisdictions import MEMBER_CODES
from app.core.vocabulary import WARRANT_DISCLAIMER, Role, WarrantStatus
from app.models import WarrantStatusRecord
from app.services.users import actor_from_user
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.main_window import MainWindow
from app.views.warrants_dashboard import WarrantsPage
from tests.factories import make_case, make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]


@pytest.fixture
def people(db, system, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 30))
    with db.unit_of_work(system) as session:
        offender = make_offender(session)
        make_case(session, offender, sending_state="TX", receiving_state="VA")
        session.add(
            WarrantStatusRecord(
                warrant_status_id="WS-G1", offender_id=offender.id, status=WarrantStatus.ACTIVE,
                issued_date=date(2026, 11, 2), issuing_authority="District Court",
                created_by="t", updated_by="t",
            )
        )  # fmt: skip
        officer = actor_from_user(make_user(session, "tx.po", "TX", (Role.OFFICER,)))
        national = actor_from_user(make_user(session, "no.user", "NO", (Role.NATIONAL_OFFICE,)))
        return {"officer": officer, "national": national, "offender_id": offender.id}


def _texts(page: WarrantsPage) -> list[list[str]]:
    model = page.table.model()
    return [
        [model.data(model.index(row, column)) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_a_state_user_sees_their_state_and_the_total(qtbot, db, people):
    page = WarrantsPage(AppContext(db, people["officer"], AppEvents()))
    qtbot.addWidget(page)
    page.show()
    assert page.heading.text() == "<b>Warrant status records, November 2026</b>"
    assert page.disclaimer.text() == WARRANT_DISCLAIMER
    assert _texts(page) == [
        ["Texas (TX)", "1", "1", "1", "0", "0"],
        ["Total", "1", "1", "1", "0", "0"],
    ]
    model = page.table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert headers == [
        "State", "Active warrants", "Incomplete records", "Awaiting NCIC entry",
        "Served this month", "Withdrawn this month",
    ]  # fmt: skip


def test_a_change_refreshes_the_counts(qtbot, db, system, people):
    events = AppEvents()
    page = WarrantsPage(AppContext(db, people["officer"], events))
    qtbot.addWidget(page)
    page.show()
    with db.unit_of_work(system) as session:
        record = session.query(WarrantStatusRecord).filter_by(warrant_status_id="WS-G1").one()
        record.ncic_entry_date = date(2026, 11, 3)
    events.changes_applied.emit(object())
    assert _texts(page)[0] == ["Texas (TX)", "1", "0", "0", "0", "0"]

    # Hidden, the page leaves the counting until it is shown again.
    page.hide()
    with db.unit_of_work(system) as session:
        record = session.query(WarrantStatusRecord).filter_by(warrant_status_id="WS-G1").one()
        record.status = WarrantStatus.WITHDRAWN
        record.withdrawn_date = date(2026, 11, 29)
    events.changes_applied.emit(object())
    assert _texts(page)[0] == ["Texas (TX)", "1", "0", "0", "0", "0"]
    page.show()
    assert _texts(page)[0] == ["Texas (TX)", "0", "0", "0", "0", "1"]


def test_the_national_office_sees_every_state(qtbot, db, people):
    page = WarrantsPage(AppContext(db, people["national"], AppEvents()))
    qtbot.addWidget(page)
    rows = _texts(page)
    assert len(rows) == len(MEMBER_CODES) + 1
    assert rows[-1] == ["Total", "1", "1", "1", "0", "0"]
    assert ["Virginia (VA)", "1", "1", "1", "0", "0"] in rows
    assert ["California (CA)", "0", "0", "0", "0", "0"] in rows


def test_the_page_exports_the_records(qtbot, db, people, tmp_path, monkeypatch):
    target = tmp_path / "records"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV files (*.csv)")
    )
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    page = WarrantsPage(AppContext(db, people["officer"], AppEvents()))
    qtbot.addWidget(page)
    page.export_button.click()
    written = tmp_path / "records.csv"
    with written.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "warrant_status_id" and rows[1][0] == "WS-G1"
    assert told == [f"{written}: 1 warrant status record of TX"]
    assert page.message_label.text() == told[0]


def test_the_file_menu_exports_and_the_navigation_opens_the_page(
    qtbot, db, people, tmp_path, monkeypatch
):
    target = tmp_path / "all.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *args: None)
    window = MainWindow(AppContext(db, people["national"], AppEvents()))
    qtbot.addWidget(window)
    window.export_warrants_action.trigger()
    assert target.exists()
    import openpyxl

    sheet = openpyxl.load_workbook(target).active
    assert sheet["A2"].value == "WS-G1"
    titles = [window.navigation.item(r).text() for r in range(window.navigation.count())]
    assert titles.index("Warrants") == titles.index("Inbox") + 1
    assert window.warrants_page is None
    window.show_page(titles.index("Warrants"))
    assert window.warrants_page is not None
    assert _texts(window.warrants_page)[-1][0] == "Total"
