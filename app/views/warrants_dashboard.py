"""The Warrants page: per state, warrant counts of this month with a total row; and the export of
the warrant status records to CSV or XLSX."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from app.core import jurisdictions
from app.core.errors import UserError
from app.core.vocabulary import WARRANT_DISCLAIMER
from app.db import explain_connection_error
from app.services.warrant_dashboard import WarrantCounts, WarrantDashboard, warrant_dashboard
from app.services.warrant_export import WarrantExport, export_warrant_status
from app.views.columns import Column
from app.views.context import AppContext
from app.views.row_table import RowsTable
from app.views.service_calls import show_refusal

TOTAL_LABEL = "Total"
EXPORT_TITLE = "Export warrant status records"


def _state_label(counts: WarrantCounts) -> str:
    if not counts.state:
        return TOTAL_LABEL
    found = jurisdictions.BY_CODE.get(counts.state)
    return f"{found.name} ({counts.state})" if found else counts.state


COLUMNS: tuple[Column[WarrantCounts], ...] = (
    Column("State", _state_label),
    Column("Active warrants", lambda c: f"{c.active:,}"),
    Column("Incomplete records", lambda c: f"{c.incomplete:,}"),
    Column("Awaiting NCIC entry", lambda c: f"{c.awaiting_ncic:,}"),
    Column("Served this month", lambda c: f"{c.served_this_month:,}"),
    Column("Withdrawn this month", lambda c: f"{c.withdrawn_this_month:,}"),
)


class WarrantsPage(QWidget):
    """Counts as of opening the page, again whenever it is shown and after a change while shown."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.dashboard: WarrantDashboard | None = None
        self.heading = QLabel()
        self.disclaimer = QLabel(WARRANT_DISCLAIMER)
        self.disclaimer.setWordWrap(True)
        self.disclaimer.setAccessibleName("Disclaimer")
        self.table = RowsTable(COLUMNS, "Warrant counts by state")
        # The total stays the last row: a click on a header would sort it in among the states.
        self.table.setSortingEnabled(False)
        self.message_label = QLabel()
        self.export_button = QPushButton("E&xport warrant status records…")
        self.export_button.clicked.connect(self.export)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.disclaimer)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        context.events.changes_applied.connect(self._changed)
        self._shown_before = False
        self.refresh()

    def refresh(self, _changes: object = None) -> None:
        # Every state's counts take up to half a second on PostgreSQL at a million profiles.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with self.context.database.read() as session:
                dashboard = warrant_dashboard(session, self.context.actor)
        except UserError as error:
            self.message_label.setText(str(error))
            return
        except SQLAlchemyError as error:
            self.message_label.setText(explain_connection_error(self.context.database.url, error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.dashboard = dashboard
        self.heading.setText(f"<b>Warrant status records, {dashboard.month:%B %Y}</b>")
        self.table.set_rows([*dashboard.states, dashboard.total])
        self.message_label.setText("")

    def _changed(self, _changes: object = None) -> None:
        # Counting every state takes a noticeable moment at a million profiles: a hidden page
        # waits until it is shown again.
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Other users' work changes the counts too, and this month ends: fresh on every visit.
        if self._shown_before:
            self.refresh()
        self._shown_before = True

    def export(self) -> None:
        written = export_warrant_status_interactively(self, self.context)
        if written is not None:
            self.message_label.setText(written.describe())


def export_warrant_status_interactively(
    parent: QWidget, context: AppContext
) -> WarrantExport | None:
    """Asks for the file (CSV or XLSX, from its extension) and writes the records of the user's
    state, or of every state for the National Office."""
    suggested = Path.home() / f"warrant-status-{date.today().isoformat()}.xlsx"
    chosen, chosen_filter = QFileDialog.getSaveFileName(
        parent, EXPORT_TITLE, str(suggested), "Excel workbooks (*.xlsx);;CSV files (*.csv)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        path = path.with_name(path.name + (".csv" if "csv" in chosen_filter.lower() else ".xlsx"))
    # A million profiles' records take seconds as XLSX: the window keeps painting meanwhile.
    dialog = QProgressDialog(f"Writing {path.name}…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle(EXPORT_TITLE)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)

    def progress(written: int) -> None:
        dialog.setLabelText(f"Writing {path.name}: {written:,} records…")
        QApplication.processEvents()
        if dialog.wasCanceled():
            raise _Cancelled

    failure: UserError | OSError | None = None
    try:
        written = export_warrant_status(context.database, context.actor, path, progress=progress)
    except _Cancelled:
        return None
    except (UserError, OSError) as error:
        failure = error
    finally:
        dialog.reset()
        dialog.deleteLater()
    if isinstance(failure, UserError):
        show_refusal(parent, EXPORT_TITLE, failure)
        return None
    if failure is not None:
        QMessageBox.warning(parent, EXPORT_TITLE, f"Could not write {path}: {failure.strerror}")
        return None
    QMessageBox.information(parent, EXPORT_TITLE, written.describe())
    return written


class _Cancelled(Exception):
    """Raised from the progress callback: the writers then remove their partial file."""
