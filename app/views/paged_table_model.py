"""A Qt table model over rows a service reads a page at a time: counted once, each page read when a
view first asks for one of its rows, and at most a fixed number of pages kept, so a million rows
cost a few pages of memory whatever the user scrolls through."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from sqlalchemy.exc import SQLAlchemyError

from app.core.permissions import Actor
from app.db import Database, explain_connection_error
from app.views.columns import Column, column_header

AnyIndex = QModelIndex | QPersistentModelIndex

# The row object itself, for views that open what a row shows.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class PagedTableModel(QAbstractTableModel):
    """Rows in the service's order; sorting and filtering happen in SQL, never here.

    A subclass reads: `_read_count()` (the number of rows, keeping whatever else it learns) and
    `_read_page(number, after)` (page `number`, starting after the key given when the page before
    is cached). Each row has a `page_key`. A failed read leaves the list empty (a page stays empty
    until the next refresh, so painting does not retry on every frame) and says why in
    `fetch_failed`.
    """

    fetch_failed = Signal(str)

    def __init__(
        self,
        database: Database,
        actor: Actor,
        columns: tuple[Column, ...],
        *,
        page_size: int,
        cached_pages: int,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self._columns = columns
        self._page_size = page_size
        self._max_cached_pages = cached_pages
        self._count = 0
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()

    # --- What a subclass reads --------------------------------------------------------------
    # Abstract, but not by abc: Qt's metaclass and ABCMeta cannot be combined in one class.
    def _read_count(self) -> int:
        raise NotImplementedError

    def _count_failed(self) -> None:
        """Forgets what `_read_count` kept besides the count, after it failed."""

    def _read_page(self, number: int, after: tuple | None) -> list[Any]:
        raise NotImplementedError

    def _role_data(self, role: int, column: int, row: Any) -> Any:
        """Data of roles other than display, tooltip and ROW_ROLE (none by default)."""
        return None

    _extra_roles: tuple[int, ...] = ()

    # --- The model --------------------------------------------------------------------------
    @property
    def cached_pages(self) -> list[int]:
        return list(self._pages)

    def refresh(self) -> None:
        """Forgets every page read and counts again (after a change, or on the user's request)."""
        self.beginResetModel()
        self._pages.clear()
        self._count_rows()
        self.endResetModel()

    def _reset_with(self, change) -> None:
        """Applies `change` (a new search or query) and starts again from the count."""
        self.beginResetModel()
        change()
        self._pages.clear()
        self._count_rows()
        self.endResetModel()

    def row_at(self, row: int) -> Any | None:
        if not 0 <= row < self._count:
            return None
        page = self._page(row // self._page_size)
        position = row % self._page_size
        # A page comes back shorter than counted when rows went meanwhile.
        return page[position] if position < len(page) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            ROW_ROLE,
            *self._extra_roles,
        ):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == ROW_ROLE:
            return row
        if role in self._extra_roles:
            return self._role_data(role, index.column(), row)
        text = self._columns[index.column()].text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            # Long names and several statuses do not fit a column; the tooltip shows them whole.
            return text or None
        return text

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        return column_header(self._columns, section, orientation, role)

    def _count_rows(self) -> None:
        try:
            self._count = self._read_count()
        except SQLAlchemyError as exc:
            self._count = 0
            self._count_failed()
            self.fetch_failed.emit(explain_connection_error(self._database.url, exc))

    def _key_before(self, number: int) -> tuple | None:
        """The last row of the page before, when cached: the next page then starts right after it
        at any depth, where an offset costs in proportion to how far down it is."""
        previous = self._pages.get(number - 1)
        if previous is None or len(previous) < self._page_size:
            return None
        return previous[-1].page_key

    def _page(self, number: int) -> list[Any]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        try:
            page = self._read_page(number, self._key_before(number))
        except SQLAlchemyError as exc:
            page = []
            self.fetch_failed.emit(explain_connection_error(self._database.url, exc))
        self._pages[number] = page
        while len(self._pages) > self._max_cached_pages:
            self._pages.popitem(last=False)
        return page
