"""Import and export from the window: the folder chosen, the work off the GUI thread behind a
progress dialog, the result shown (every problem of a refused import, copyable), cancel."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from app.services import exchange
from app.views import exchange_dialogs
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.exchange_dialogs import (
    ExchangeChanges,
    ProblemsDialog,
    export_folder_interactively,
    import_folder_interactively,
)
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS
from tests.unit.test_exchange import table_counts, valid_files, write_folder

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]


class ModalWatcher:
    """Answers the dialogs that open while an action runs, noting what each said."""

    def __init__(self, cancel_progress: bool = False):
        self.seen: list[tuple[str, str]] = []
        self.progress_shown = False
        self.cancel_progress = cancel_progress
        self.timer = QTimer()
        self.timer.timeout.connect(self._look)
        self.timer.start(20)

    def _look(self) -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, QProgressDialog) and widget.isVisible():
            self.progress_shown = True
            if self.cancel_progress:
                self.cancel_progress = False
                widget.findChild(QPushButton).click()  # as the user does
        elif isinstance(widget, ProblemsDialog):
            widget.copy_all()
            self.seen.append(("problems", widget.listing.toPlainText()))
            widget.reject()
        elif isinstance(widget, QMessageBox):
            self.seen.append(("message", widget.text()))
            widget.accept()

    def stop(self) -> None:
        self.timer.stop()


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def context(db, system) -> AppContext:
    return AppContext(database=db, actor=system, events=AppEvents())


def choose_folder(monkeypatch, folder) -> None:
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(folder))
    )


def test_import_runs_off_the_gui_thread_and_announces_the_changes(
    monkeypatch, tmp_path, window, context
):
    choose_folder(monkeypatch, write_folder(tmp_path / "in", valid_files()))
    changes = []
    context.events.changes_applied.connect(changes.append)
    watcher = ModalWatcher()
    try:
        summary = import_folder_interactively(window, context)
    finally:
        watcher.stop()
    assert summary is not None and summary.counts["offenders.csv"] == 3
    assert changes == [ExchangeChanges("import", summary.counts)]
    assert watcher.seen == [
        (
            "message",
            f"Imported from {tmp_path / 'in'}:\noffenders.csv: 3 rows\naliases.csv: 2 rows\n"
            "cases.csv: 2 rows\nactivities.csv: 3 rows\nwarrants.csv: 1 rows",
        )
    ]
    assert not watcher.progress_shown  # done within half a second: no dialog flashes up


def test_a_refused_import_lists_every_problem_to_copy(monkeypatch, tmp_path, window, context):
    files = valid_files()
    files["offenders.csv"][1][5] = "1980-02-30"
    files["cases.csv"][2][2] = "XX"
    choose_folder(monkeypatch, write_folder(tmp_path / "bad", files))
    before = table_counts(context.database)
    changes = []
    context.events.changes_applied.connect(changes.append)
    watcher = ModalWatcher()
    try:
        assert import_folder_interactively(window, context) is None
    finally:
        watcher.stop()
    expected = (
        "offenders.csv:2: date_of_birth: '1980-02-30' is not a valid date (YYYY-MM-DD)\n"
        "cases.csv:3: sending_state: 'XX' is not a member state's two-letter code"
    )
    assert watcher.seen == [("problems", expected)]
    assert QGuiApplication.clipboard().text() == expected
    assert table_counts(context.database) == before and changes == []


def test_cancelling_an_import_keeps_nothing(monkeypatch, tmp_path, window, context):
    choose_folder(monkeypatch, write_folder(tmp_path / "in", valid_files()))
    real_import = exchange.import_folder

    def slow_import(database, actor, folder, progress):
        def slowly(phase, done, total):
            time.sleep(0.2)
            progress(phase, done, total)

        return real_import(database, actor, folder, slowly)

    monkeypatch.setattr(exchange_dialogs, "import_folder", slow_import)
    before = table_counts(context.database)
    watcher = ModalWatcher(cancel_progress=True)
    try:
        assert import_folder_interactively(window, context) is None
    finally:
        watcher.stop()
    assert watcher.progress_shown
    assert watcher.seen == [("message", "Cancelled; nothing was written.")]
    assert table_counts(context.database) == before


def test_export_writes_the_folder_and_says_how_many_rows(monkeypatch, tmp_path, window, context):
    exchange.import_folder(
        context.database, context.actor, write_folder(tmp_path / "in", valid_files())
    )
    choose_folder(monkeypatch, tmp_path / "out")
    watcher = ModalWatcher()
    try:
        summary = export_folder_interactively(window, context)
    finally:
        watcher.stop()
    assert summary is not None and summary.counts["warrants.csv"] >= 1
    assert (tmp_path / "out" / "offenders.csv").exists()
    assert watcher.seen[0][1].startswith(f"Exported to {tmp_path / 'out'}:\noffenders.csv: ")


def test_no_folder_chosen_does_nothing(monkeypatch, window, context):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    assert import_folder_interactively(window, context) is None
    assert export_folder_interactively(window, context) is None
