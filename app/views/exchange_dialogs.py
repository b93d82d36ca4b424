"""Import and export of a data-exchange folder from the screens: choose it, watch the work, see
the result (every problem of a refused import, in a list one can copy)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QThread, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.services.exchange import (
    Cancelled,
    ExportSummary,
    ImportFailed,
    ImportSummary,
    export_folder,
    import_folder,
)
from app.views.context import AppContext

# Short work finishes without a progress dialog flashing up.
PROGRESS_DELAY_MS = 500


@dataclass(frozen=True)
class ExchangeChanges:
    """What an import changed, for the views listening to AppEvents.changes_applied."""

    kind: str
    counts: dict[str, int]


class _Work(QThread):
    """Runs one import or export off the GUI thread; ORM objects never leave it."""

    progressed = Signal(str, int, object)

    def __init__(self, job: Callable[[Callable[[str, int, int | None], None]], Any], parent=None):
        super().__init__(parent)
        self._job = job
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, phase: str, done: int, total: int | None) -> None:
        if self._cancel.is_set():
            raise Cancelled("Cancelled; nothing was written.")
        self.progressed.emit(phase, done, total)

    def run(self) -> None:
        try:
            self.result = self._job(self._progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, shown there
            self.error = exc


class ProblemsDialog(QDialog):
    """Every problem of a refused import, one per line (`file:line: column: message`)."""

    def __init__(self, failure: ImportFailed, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import refused")
        self.resize(760, 420)
        summary = QLabel(f"{failure}. Correct the files and import the folder again.")
        summary.setWordWrap(True)
        self.listing = QPlainTextEdit("\n".join(str(error) for error in failure.errors))
        self.listing.setReadOnly(True)
        self.listing.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.listing.setFont(QFont("monospace"))
        self.listing.setAccessibleName("Problems")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy all")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_all)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.listing, 1)
        layout.addWidget(buttons)

    def copy_all(self) -> None:
        QGuiApplication.clipboard().setText(self.listing.toPlainText())


def _run_with_progress(parent: QWidget, title: str, job) -> tuple[Any, BaseException | None]:
    """Runs the job on a thread behind a cancellable progress dialog that appears after half a
    second; returns the job's result and error once it has ended (the window keeps painting
    meanwhile)."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    work = _Work(job, parent)

    def show_progress(phase: str, done: int, total: object) -> None:
        dialog.setLabelText(phase)
        if isinstance(total, int) and total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        else:
            dialog.setMaximum(0)

    def cancel() -> None:
        dialog.setLabelText("Cancelling…")
        work.cancel()

    work.progressed.connect(show_progress)
    dialog.canceled.connect(cancel)
    loop = QEventLoop()
    work.finished.connect(loop.quit)
    work.start()
    if work.isRunning():
        loop.exec()
    work.wait()
    dialog.reset()  # also stops the timer that would show it
    dialog.close()
    dialog.deleteLater()
    outcome = (work.result, work.error)
    work.deleteLater()
    return outcome


def _show_failure(parent: QWidget, title: str, error: BaseException) -> None:
    if isinstance(error, ImportFailed):
        ProblemsDialog(error, parent).exec()
    elif isinstance(error, Cancelled):
        QMessageBox.information(parent, title, str(error))
    elif isinstance(error, UserError):
        QMessageBox.warning(parent, title, str(error))
    else:
        raise error


def import_folder_interactively(parent: QWidget, context: AppContext) -> ImportSummary | None:
    """Asks for a folder, imports it (all or nothing) and says what happened."""
    title = "Import a data-exchange folder"
    folder = QFileDialog.getExistingDirectory(parent, title)
    if not folder:
        return None
    summary, error = _run_with_progress(
        parent,
        "Importing",
        lambda progress: import_folder(context.database, context.actor, folder, progress),
    )
    if error is not None:
        _show_failure(parent, title, error)
        return None
    context.events.changes_applied.emit(ExchangeChanges("import", summary.counts))
    QMessageBox.information(parent, title, _counts_text(f"Imported from {folder}:", summary.counts))
    return summary


def export_folder_interactively(parent: QWidget, context: AppContext) -> ExportSummary | None:
    """Asks for a folder and writes what the signed-in user may see into it."""
    title = "Export a data-exchange folder"
    folder = QFileDialog.getExistingDirectory(parent, title)
    if not folder:
        return None
    summary, error = _run_with_progress(
        parent,
        "Exporting",
        lambda progress: export_folder(context.database, context.actor, folder, progress),
    )
    if error is not None:
        _show_failure(parent, title, error)
        return None
    QMessageBox.information(parent, title, _counts_text(f"Exported to {folder}:", summary.counts))
    return summary


def _counts_text(heading: str, counts: dict[str, int]) -> str:
    return "\n".join([heading, *(f"{name}: {count:,} rows" for name, count in counts.items())])
