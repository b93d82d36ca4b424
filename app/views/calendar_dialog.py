"""The office's business-day calendar: the legal holidays deadlines skip, and the office's changes."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import clock
from app.core.calendar import CalendarEntry
from app.forms.fields import format_date, parse_date
from app.services import calendar
from app.views.columns import Column
from app.views.context import AppContext
from app.views.row_table import RowsTable
from app.views.service_calls import run_change

CALENDAR_COLUMNS: tuple[Column[CalendarEntry], ...] = (
    Column("Date", lambda e: format_date(e.day)),
    Column("Day", lambda e: e.day.strftime("%a")),
    Column("Holiday or closure", lambda e: e.name),
    Column("Deadlines", lambda e: "skip it" if e.closed else "count it (office open)"),
    Column("Changed by the office", lambda e: "yes" if e.adjusted else ""),
)


class CalendarDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.state = context.actor.jurisdiction_code
        self.setWindowTitle(f"Office calendar: {self.state}")
        self.resize(720, 520)
        self.year = QSpinBox()
        self.year.setRange(2004, 2100)
        self.year.setValue(clock.today().year)
        self.year.setAccessibleName("Year")
        self.table = RowsTable(CALENDAR_COLUMNS, "Holidays and closures")
        self.close_button = QPushButton("Add &closure…")
        self.open_button = QPushButton("&Office open on this holiday…")
        self.undo_button = QPushButton("&Undo the office's change")
        explanation = QLabel(
            "Deadlines in business days skip weekends and these days (the state's legal holidays "
            "as published, with the office's own closures). Mark a holiday open if the office works."
        )
        explanation.setWordWrap(True)
        top = QHBoxLayout()
        year_label = QLabel("&Year:")
        year_label.setBuddy(self.year)
        top.addWidget(year_label)
        top.addWidget(self.year)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.open_button, self.undo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        done = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        done.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(done)
        self.year.valueChanged.connect(lambda _year: self.refresh())
        self.close_button.clicked.connect(self.add_closure)
        self.open_button.clicked.connect(self.mark_open)
        self.undo_button.clicked.connect(self.undo)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._offer())
        self.refresh()

    def refresh(self) -> None:
        with self.context.database.read() as session:
            entries = calendar.calendar_for(session, self.state).holidays_in(self.year.value())
        self.table.set_rows(entries)
        self._offer()

    def _offer(self) -> None:
        entry: CalendarEntry | None = self.table.current_row()
        self.open_button.setEnabled(bool(entry and entry.closed and not entry.adjusted))
        self.undo_button.setEnabled(bool(entry and entry.adjusted))

    def _change(self, title: str, work) -> None:
        # Refreshed either way: a refusal may come from a change made elsewhere meanwhile.
        run_change(self, self.context, title, work, changed={"calendar": {self.state}})
        self.refresh()

    def add_closure(self) -> None:
        text, ok = QInputDialog.getText(self, "Add closure", "Date (MM/DD/YYYY):")
        if not ok:
            return
        reason, ok = QInputDialog.getText(self, "Add closure", "Reason:")
        if not ok:
            return
        actor = self.context.actor

        def work(session):
            try:
                day = parse_date(text)
            except ValueError as error:
                from app.core.errors import ValidationError

                raise ValidationError.single("date", str(error)) from None
            return calendar.add_closure(session, actor, self.state, day, reason)

        self._change("Add closure", work)

    def mark_open(self) -> None:
        entry: CalendarEntry | None = self.table.current_row()
        if entry is None:
            return
        reason, ok = QInputDialog.getText(
            self, "Office open", f"Why does the office work on {entry.name}?"
        )
        if ok:
            actor = self.context.actor
            self._change(
                "Office open",
                lambda session: calendar.mark_open(session, actor, self.state, entry.day, reason),
            )

    def undo(self) -> None:
        entry: CalendarEntry | None = self.table.current_row()
        if entry is not None:
            actor = self.context.actor
            self._change(
                "Undo",
                lambda session: calendar.remove_adjustment(session, actor, self.state, entry.day),
            )
