"""Small lists shown whole (a profile's cases, activities, history page): a table model over a tuple of
rows, sortable by clicking a header, with the same Column type as the paged lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.views.columns import Column, RowT, column_header

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
_ROWS_MEASURED = 200
_CELL_PADDING = 24
# Long texts (a note, a description) show whole in their tooltip rather than pushing columns away.
_WIDEST_COLUMN = 420
_AnyIndex = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel, Generic[RowT]):
    def __init__(self, columns: Sequence[Column[RowT]], parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: tuple[RowT, ...] = ()

    def set_rows(self, rows: Sequence[RowT]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()].text(self.rows[index.row()])
        if role == ROW_ROLE:
            return self.rows[index.row()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        return column_header(self.columns, section, orientation, role)


class RowsTable(QTableView):
    """A read-only, row-selecting, sortable table of a RowsModel."""

    def __init__(
        self, columns: Sequence[Column[Any]], accessible_name: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.rows_model: RowsModel[Any] = RowsModel(columns, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.rows_model)
        self.setModel(self.proxy)
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setSortingEnabled(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Shown in the order the service gives until the user clicks a header (and no header claims
        # an order it does not have).
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.rows_model.set_rows(rows)
        self._size_columns()

    def _size_columns(self) -> None:
        """Widths from the longest text of each column, measured once: Qt's resizeColumnsToContents
        asks the model for every cell in several roles, which made a profile take half a second."""
        metrics = self.fontMetrics()
        header_metrics = self.horizontalHeader().fontMetrics()
        rows = self.rows_model.rows[:_ROWS_MEASURED]
        for number, column in enumerate(self.rows_model.columns):
            longest = max((column.text(row) for row in rows), key=len, default="")
            width = max(
                metrics.horizontalAdvance(longest), header_metrics.horizontalAdvance(column.title)
            )
            self.setColumnWidth(number, min(width + _CELL_PADDING, _WIDEST_COLUMN))

    def current_row(self) -> Any:
        index = self.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def row_count(self) -> int:
        return self.proxy.rowCount()
