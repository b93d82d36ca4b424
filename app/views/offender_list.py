"""The Offenders page: how many profiles the search found, and the list itself."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.offender_rows import MATCH_CAP, OffenderSearch, SearchKind
from app.views.context import AppContext
from app.views.offender_table_model import COLUMNS, OffenderTableModel

# Typical widest values per column, so that widths come from the font instead of from the rows:
# measuring rows would read pages the user never scrolls to.
_SAMPLE_TEXTS = {
    "Offender #": "TX0000000000",
    "Date of birth": "00/00/0000",
    "Sex": "M",
    "FBI #": "000000AA0",
    "SID": "TX00000000",
    "Created by": "TX",
    "Special statuses": "Sex offender; Victim sensitive; History of assault",
}
_CELL_PADDING = 24
# The column that takes the room the others leave; long names show whole in their tooltip.
_STRETCHING_COLUMN = "Name"


def count_text(count: int, capped: bool, kind: SearchKind) -> str:
    """'1,000,000 offenders' for the whole list, '37 matches' for a search, and the cap said in words."""
    if kind is SearchKind.ALL:
        return f"{count:,} offender" if count == 1 else f"{count:,} offenders"
    if capped:
        return f"{MATCH_CAP:,}+ matches — keep typing to narrow"
    return f"{count:,} match" if count == 1 else f"{count:,} matches"


class OffenderListPage(QWidget):
    # The database id of the profile to open (Enter or double-click on a row).
    open_offender = Signal(int)

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        known_count: tuple[int, bool] | None = None,
    ):
        super().__init__(parent)
        self.model = OffenderTableModel(
            context.database, context.actor, known_count=known_count, parent=self
        )

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.count_label.setAccessibleName("Number of offenders found")

        self.table = QTableView()
        self.table.setAccessibleName("Offenders")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        # The service orders by name; sorting a paged list in the view would sort one page only.
        self.table.setSortingEnabled(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._size_columns()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table)

        self.table.activated.connect(self._open_row)
        self.model.modelReset.connect(self._show_count)
        self._show_count()

    def set_search(self, search: OffenderSearch) -> None:
        self.model.set_search(search)

    def refresh(self) -> None:
        self.model.refresh()

    def focus_results(self) -> None:
        """Selects the first row and moves the keyboard there, so arrow keys browse the matches."""
        if self.model.rowCount() == 0:
            return
        self.table.setFocus()
        self.table.selectRow(0)

    def open_current(self) -> bool:
        """Opens the selected profile, or the only match; False when there is nothing to open."""
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rowCount() == 1:
            index = self.model.index(0, 0)
        if not index.isValid():
            return False
        self._open_row(index)
        return True

    def _open_row(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_offender.emit(row.id)

    def _show_count(self) -> None:
        self.count_label.setText(
            count_text(self.model.rowCount(), self.model.capped, self.model.search.kind)
        )

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        header_metrics = header.fontMetrics()
        for column, spec in enumerate(COLUMNS):
            if spec.title == _STRETCHING_COLUMN:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                continue
            width = max(
                metrics.horizontalAdvance(_SAMPLE_TEXTS.get(spec.title, "")),
                header_metrics.horizontalAdvance(spec.title),
            )
            self.table.setColumnWidth(column, width + _CELL_PADDING)
