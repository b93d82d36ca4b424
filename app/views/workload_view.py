"""The Workload page: my cases, or my state's compact workload, filtered, sorted, exported, printed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from app.core import paths
from app.core.errors import UserError
from app.core.vocabulary import ACTIVE_CASE_STATUSES, HISTORICAL_CASE_STATUSES, CaseStatus
from app.db import explain_connection_error
from app.services import list_export, workload
from app.services.workload import (
    NARROW_LIMIT,
    SPECIAL_STATUS_LABELS,
    SpecialStatus,
    WorkloadQuery,
    WorkloadScope,
    WorkloadSize,
    WorkloadSort,
)
from app.views.context import AppContext
from app.views.workload_table_model import (
    COLUMNS,
    EXPORT_COLUMNS,
    WORKLOAD_COLUMNS,
    WORKLOAD_ROW_ROLE,
    WorkloadTableModel,
    column_of_sort,
    status_label,
)

SETTINGS_FILE_NAME = "views.ini"
# Typical widest values per column, so that widths come from the font instead of from rows read
# only to measure them.
_SAMPLE_TEXTS = {
    "Case #": "C0000000000",
    "Offender #": "TX0000000000",
    "Name": "Núñez-O'Brien, María José",
    "Sending": "Sending",
    "Receiving": "Receiving",
    "Supervision": "Parole and probation",
    "Status": "Withdrawn",
    "Sending officer": "Alexandra Washington",
    "Receiving officer": "Alexandra Washington",
    "Next due": "00/00/0000",
    "Overdue": "Overdue",
    "Special statuses": "Sex offender; Victim sensitive",
}
_CELL_PADDING = 24

# (label, statuses) of the status filter, the first being the default.
STATUS_CHOICES: tuple[tuple[str, frozenset[CaseStatus]], ...] = (
    ("Active cases", ACTIVE_CASE_STATUSES),
    ("Historical cases", HISTORICAL_CASE_STATUSES),
    ("All cases", frozenset(CaseStatus)),
    *((status_label(s.value), frozenset({s})) for s in CaseStatus),
)


def settings_for(username: str) -> QSettings:
    """The user's view settings: a file in the configuration folder, one group per user, so that
    people sharing a computer keep their own column widths and sort orders."""
    settings = QSettings(
        str(paths.ensure_dir(paths.config_dir()) / SETTINGS_FILE_NAME), QSettings.Format.IniFormat
    )
    settings.beginGroup(f"workload/{username}")
    return settings


def count_text(size: WorkloadSize) -> str:
    if size.capped:
        return f"{NARROW_LIMIT:,}+ cases — narrow the filters to see them all"
    return f"{size.count:,} case" if size.count == 1 else f"{size.count:,} cases"


class _Cancelled(Exception):
    pass


class WorkloadPage(QWidget):
    """Enter (or a double click) on a row asks for the offender's profile: `open_offender(id)`."""

    open_offender = Signal(int)
    count_changed = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self._actor = context.actor
        self._settings = settings_for(self._actor.username)
        self._restoring = True

        self.mine_button = QRadioButton("&My cases")
        everyone = "All states' workload" if self._actor.sees_all_states else "My &state's workload"
        self.state_button = QRadioButton(everyone)
        self._scopes = QButtonGroup(self)
        self._scopes.addButton(self.mine_button)
        self._scopes.addButton(self.state_button)

        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("Case status")
        for label, statuses in STATUS_CHOICES:
            self.status_combo.addItem(label, statuses)
        self.special_combo = QComboBox()
        self.special_combo.setAccessibleName("Special status")
        self.special_combo.addItem("Any special status", None)
        for special, label in SPECIAL_STATUS_LABELS.items():
            self.special_combo.addItem(label, special)
        self.user_combo = QComboBox()
        self.user_combo.setAccessibleName("Assigned user")
        self.user_combo.addItem("Any assigned user", None)
        self.overdue_box = QCheckBox("&Overdue only")

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.count_label.setAccessibleName("Number of cases")
        self.message_label = QLabel()
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)

        self.export_csv_button = QPushButton("Export CSV…")
        self.export_xlsx_button = QPushButton("Export XLSX…")
        self.print_button = QPushButton("Print PDF…")

        query = self._saved_query()
        self.model = WorkloadTableModel(context.database, self._actor, query, parent=self)
        self.table = QTableView()
        self.table.setAccessibleName("Workload")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.setModel(self.model)
        self._restore_widths()
        # The indicator first, so that turning sorting on asks for the order already shown.
        header.setSortIndicator(
            self._sort_column,
            Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder,
        )
        self.table.setSortingEnabled(True)

        self._show_filters(query)
        self._layout()
        self._connect()
        self._restoring = False
        self._show_count(self.model.size)

    # --- What the main window uses --------------------------------------------------------------
    def live_count(self) -> int:
        """How many cases the list holds now (the navigation entry shows it); capped counts give
        the cap."""
        return self.model.size.count

    def refresh(self) -> None:
        self.model.refresh()

    @property
    def query(self) -> WorkloadQuery:
        return self.model.query

    def focus_list(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.table.setFocus()
        if not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    # --- Layout and wiring ------------------------------------------------------------------------
    def _layout(self) -> None:
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.mine_button)
        scope_row.addWidget(self.state_button)
        scope_row.addStretch(1)
        scope_row.addWidget(self.export_csv_button)
        scope_row.addWidget(self.export_xlsx_button)
        scope_row.addWidget(self.print_button)

        filter_row = QHBoxLayout()
        for label, widget in (
            ("Status:", self.status_combo),
            ("Special status:", self.special_combo),
            ("Assigned to:", self.user_combo),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filter_row.addWidget(caption)
            filter_row.addWidget(widget)
        filter_row.addWidget(self.overdue_box)
        filter_row.addStretch(1)
        filter_row.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(scope_row)
        layout.addLayout(filter_row)
        layout.addWidget(self.table)
        layout.addWidget(self.message_label)

    def _connect(self) -> None:
        self._scopes.buttonToggled.connect(lambda _button, on: on and self._apply_filters())
        self.status_combo.currentIndexChanged.connect(self._apply_filters)
        self.special_combo.currentIndexChanged.connect(self._apply_filters)
        self.user_combo.currentIndexChanged.connect(self._apply_filters)
        self.overdue_box.toggled.connect(self._apply_filters)
        self.model.counted.connect(self._show_count)
        self.model.fetch_failed.connect(self.message_label.setText)
        self.model.modelReset.connect(self._save_sort)
        self.table.horizontalHeader().sectionResized.connect(self._save_widths)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.installEventFilter(self)
        self.export_csv_button.clicked.connect(lambda: self.export("csv"))
        self.export_xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.print_button.clicked.connect(self.print_pdf)
        self._context.events.changes_applied.connect(self._changes_applied)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            current = self.table.currentIndex()
            if current.isValid():
                self._open_row(current.row())
                return True
        return super().eventFilter(watched, event)

    def _open_row(self, row: int) -> None:
        found = self.model.data(self.model.index(row, 0), WORKLOAD_ROW_ROLE)
        if found is not None:
            self.open_offender.emit(found.offender_id)

    def _changes_applied(self, _changes: object) -> None:
        self.model.refresh()

    # --- Filters ----------------------------------------------------------------------------------
    def _load_users(self) -> None:
        try:
            with self._context.database.read() as session:
                users = workload.assignable_users(session, self._actor)
        except (SQLAlchemyError, UserError) as exc:
            self.message_label.setText(str(exc))
            return
        for user in users:
            label = user.full_name
            if self._actor.sees_all_states:
                label = f"{user.full_name} ({user.jurisdiction_code})"
            self.user_combo.addItem(label, user.id)

    def _show_filters(self, query: WorkloadQuery) -> None:
        (self.mine_button if query.scope is WorkloadScope.MINE else self.state_button).setChecked(
            True
        )
        self._load_users()
        for combo, value in (
            (self.status_combo, query.statuses),
            (self.special_combo, next(iter(query.special_statuses), None)),
            (self.user_combo, query.assigned_user_id),
        ):
            found = combo.findData(value)
            combo.setCurrentIndex(max(found, 0))
        self.overdue_box.setChecked(query.overdue_only)

    def _apply_filters(self) -> None:
        if self._restoring:
            return
        special = self.special_combo.currentData()
        query = replace(
            self.model.query,
            scope=WorkloadScope.MINE if self.mine_button.isChecked() else WorkloadScope.STATE,
            statuses=self.status_combo.currentData(),
            special_statuses=frozenset({SpecialStatus(special)}) if special else frozenset(),
            assigned_user_id=self.user_combo.currentData(),
            overdue_only=self.overdue_box.isChecked(),
        )
        self._settings.setValue("scope", query.scope.value)
        self._settings.sync()
        with _busy():
            self.model.set_query(query)

    def filter_descriptions(self) -> list[str]:
        """The filters in words, as printed on a PDF."""
        query = self.model.query
        words = [
            self.mine_button.text().replace("&", "")
            if query.scope is WorkloadScope.MINE
            else self.state_button.text().replace("&", ""),
            self.status_combo.currentText(),
        ]
        if query.special_statuses:
            words.append(
                ", ".join(SPECIAL_STATUS_LABELS[s] for s in sorted(query.special_statuses))
            )
        if query.assigned_user_id is not None:
            words.append(f"assigned to {self.user_combo.currentText()}")
        if query.overdue_only:
            words.append("overdue only")
        header = self.table.horizontalHeader()
        direction = (
            "descending" if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder else ""
        )
        words.append(
            f"sorted by {COLUMNS[header.sortIndicatorSection()].title} {direction}".strip()
        )
        return words

    def _show_count(self, size: WorkloadSize) -> None:
        self.count_label.setText(count_text(size))
        self.count_changed.emit(size.count)

    # --- Remembered per user ----------------------------------------------------------------------
    def _saved_query(self) -> WorkloadQuery:
        """The scope and the sort this user left the page with. The first time: an officer's own
        cases, oldest due date first (a to-do list); the National Office, assigned no cases, every
        state's cases by case number (oldest-due-first over every state's cases takes seconds)."""
        settings = self._settings
        scope, sort = WorkloadScope.MINE, WorkloadSort.NEXT_DUE
        if self._actor.sees_all_states:
            scope, sort = WorkloadScope.STATE, WorkloadSort.CASE_NUMBER
        with suppress(ValueError):
            scope = WorkloadScope(str(settings.value("scope", scope.value)))
        # The column, not only the sort: 'Overdue' and 'Next due' sort alike.
        self._sort_column = column_of_sort(sort)
        with suppress(ValueError, TypeError, IndexError):
            column = int(settings.value("sort_column", self._sort_column))
            sort, self._sort_column = WORKLOAD_COLUMNS[column].sort, column
        descending = str(settings.value("descending", "false")).lower() == "true"
        return WorkloadQuery(scope=scope, sort=sort, descending=descending)

    def _save_sort(self) -> None:
        if self._restoring:
            return
        header = self.table.horizontalHeader()
        self._settings.setValue("sort_column", header.sortIndicatorSection())
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        self._settings.setValue("descending", "true" if descending else "false")
        self._settings.sync()

    def _restore_widths(self) -> None:
        saved = self._settings.value("column_widths")
        widths: list[int] = []
        if isinstance(saved, list | tuple) and len(saved) == len(COLUMNS):
            try:
                widths = [int(width) for width in saved]
            except (TypeError, ValueError):
                widths = []
        if not widths:
            metrics = self.table.fontMetrics()
            header_metrics = self.table.horizontalHeader().fontMetrics()
            widths = [
                max(
                    metrics.horizontalAdvance(_SAMPLE_TEXTS.get(c.title, "")),
                    header_metrics.horizontalAdvance(c.title),
                )
                + _CELL_PADDING
                for c in COLUMNS
            ]
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, max(width, 20))

    def _save_widths(self) -> None:
        if self._restoring:
            return
        header = self.table.horizontalHeader()
        self._settings.setValue(
            "column_widths", [header.sectionSize(column) for column in range(len(COLUMNS))]
        )
        self._settings.sync()

    # --- Export and print -------------------------------------------------------------------------
    def _ask_path(self, caption: str, extension: str, file_filter: str) -> Path | None:
        suggested = Path.home() / f"workload-{date.today().isoformat()}.{extension}"
        chosen, _ = QFileDialog.getSaveFileName(self, caption, str(suggested), file_filter)
        if not chosen:
            return None
        path = Path(chosen)
        return (
            path
            if path.suffix.lower() == f".{extension}"
            else path.with_name(f"{path.name}.{extension}")
        )

    def export(self, kind: str) -> None:
        """Writes every row of the list as it is filtered and sorted now ('csv' or 'xlsx')."""
        caption, file_filter = {
            "csv": ("Export the workload as CSV", "CSV files (*.csv)"),
            "xlsx": ("Export the workload as XLSX", "Excel workbooks (*.xlsx)"),
        }[kind]
        path = self._ask_path(caption, kind, file_filter)
        if path is None:
            return
        writer = list_export.write_csv if kind == "csv" else list_export.write_xlsx
        self._run_export(path, lambda rows, progress: writer(path, EXPORT_COLUMNS, rows, progress))

    def print_pdf(self) -> None:
        path = self._ask_path("Print the workload to PDF", "pdf", "PDF files (*.pdf)")
        if path is None:
            return
        # reportlab costs a tenth of a second to import: only when somebody prints.
        from app.pdf.list_report import write_list_pdf

        title = "Compact workload — " + self.filter_descriptions()[0]
        who = f"{self._actor.username} ({self._actor.jurisdiction_code})"

        def write(rows, _progress) -> int:
            return write_list_pdf(
                path,
                title,
                EXPORT_COLUMNS,
                rows,
                printed_by=who,
                filters=self.filter_descriptions()[1:],
                total=None if self.model.size.capped else self.model.size.count,
            )

        self._run_export(path, write)

    def _run_export(self, path: Path, write: Callable[..., int]) -> None:
        total = self.model.size.count
        dialog = QProgressDialog(f"Writing {path.name}…", "Cancel", 0, 0 if self.model.size.capped
                                 else max(total, 1), self)  # fmt: skip
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)

        def progress(written: int) -> None:
            if not self.model.size.capped:
                dialog.setValue(min(written, total))
            QApplication.processEvents()
            if dialog.wasCanceled():
                raise _Cancelled

        try:
            with _busy(), self._context.database.read() as session:
                rows = workload.iter_workload(session, self._actor, self.model.query)
                written = write(rows, progress)
        except _Cancelled:
            self.message_label.setText(f"Cancelled: {path.name} was not written.")
            return
        except UserError as exc:
            self.message_label.setText(str(exc))
            return
        except SQLAlchemyError as exc:
            self.message_label.setText(explain_connection_error(self._context.database.url, exc))
            return
        except OSError as exc:
            self.message_label.setText(f"Could not write {path}: {exc.strerror or exc}")
            return
        finally:
            dialog.reset()
            dialog.deleteLater()
        noun = "row" if written == 1 else "rows"
        self.message_label.setText(f"Wrote {written:,} {noun} to {path}.")


@contextmanager
def _busy() -> Iterator[None]:
    """A wait cursor while the database answers."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
