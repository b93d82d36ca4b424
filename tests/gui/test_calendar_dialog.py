"""The office calendar on screen: the year's holidays, a closure added, a holiday worked, undone."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.core import clock
from app.core.vocabulary import Role
from app.services.users import actor_from_user
from app.views.calendar_dialog import CalendarDialog
from app.views.context import AppContext
from app.views.events import AppEvents
from tests.factories import make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]


def names(dialog) -> list[str]:
    return [row.name for row in dialog.table.rows_model.rows]


def test_closure_added_holiday_worked_and_undone(qtbot, db, system, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 30))
    with db.unit_of_work(system) as session:
        office = actor_from_user(make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,)))
    dialog = CalendarDialog(AppContext(db, office, AppEvents()))
    qtbot.addWidget(dialog)
    assert "Thanksgiving Day" in names(dialog) and "Columbus Day" not in names(dialog)

    answers = iter([("01/26/2026", True), ("Ice storm", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    dialog.add_closure()
    assert "Ice storm" in names(dialog)

    row = names(dialog).index("Thanksgiving Day")
    dialog.table.selectRow(row)
    assert dialog.open_button.isEnabled() and not dialog.undo_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("skeleton crew", True))
    dialog.mark_open()
    [thanksgiving] = [r for r in dialog.table.rows_model.rows if r.name.startswith("Thanksgiving")]
    assert not thanksgiving.closed and thanksgiving.adjusted

    dialog.table.selectRow(names(dialog).index(thanksgiving.name))
    assert dialog.table.current_row() == thanksgiving and dialog.undo_button.isEnabled()
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: told.append(text))
    dialog.undo()
    assert told == []
    [thanksgiving] = [r for r in dialog.table.rows_model.rows if r.name.startswith("Thanksgiving")]
    assert thanksgiving.closed and not thanksgiving.adjusted


def test_an_officer_is_refused_with_the_reason(qtbot, db, system, monkeypatch):
    with db.unit_of_work(system) as session:
        officer = actor_from_user(make_user(session, "tx.po", "TX", (Role.OFFICER,)))
    dialog = CalendarDialog(AppContext(db, officer, AppEvents()))
    qtbot.addWidget(dialog)
    answers = iter([("01/26/2026", True), ("Ice storm", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: told.append(text))
    dialog.add_closure()
    assert told and "tx.po" in told[0]
    assert "Ice storm" not in names(dialog)
