"""The offender list as a Qt table model that fetches pages on demand, so a million rows cost a page."""

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
from app.services import core_reads
from app.services.offender_rows import OffenderRow, OffenderSearch, SearchKind
from app.views.columns import Column, column_header

DEFAULT_PAGE_SIZE = 200
# 30 pages of 200 rows: a few screens above and below wherever the user scrolled, a flat memory cost.
DEFAULT_CACHED_PAGES = 30

# The OffenderRow of a row, for views that open the profile.
OFFENDER_ROW_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


def _date_text(row: OffenderRow) -> str:
    return row.date_of_birth.strftime("%m/%d/%Y") if row.date_of_birth else ""


def _name_text(row: OffenderRow) -> str:
    if row.matched_alias:
        return f"{row.display_name} (alias: {row.matched_alias})"
    return row.display_name


OffenderColumn = Column[OffenderRow]

COLUMNS: tuple[OffenderColumn, ...] = (
    OffenderColumn("Offender #", lambda row: row.offender_number),
    OffenderColumn("Name", _name_text),
    OffenderColumn("Date of birth", _date_text),
    OffenderColumn("Sex", lambda row: str(row.sex) if row.sex else ""),
    OffenderColumn("FBI #", lambda row: row.fbi_number or ""),
    OffenderColumn("SID", lambda row: row.state_id or ""),
    OffenderColumn("Created by", lambda row: row.created_by_state),
    OffenderColumn("Special statuses", lambda row: "; ".join(row.special_statuses)),
)


class OffenderTableModel(QAbstractTableModel):
    """Rows in the service's order (by name); sorting and filtering happen in SQL, never here."""

    fetch_failed = Signal(str)

    def __init__(
        self,
        database: Database,
        actor: Actor,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        cached_pages: int = DEFAULT_CACHED_PAGES,
        known_count: tuple[int, bool] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self._page_size = page_size
        self._max_cached_pages = cached_pages
        self._search = OffenderSearch()
        self._count = 0
        self._capped = False
        self._pages: OrderedDict[int, list[OffenderRow]] = OrderedDict()
        if known_count is None:
            self._count_rows()
        else:
            # Counted while the application was starting (count_whole_list).
            self._count, self._capped = known_count

    @property
    def search(self) -> OffenderSearch:
        return self._search

    @property
    def capped(self) -> bool:
        """True when the search matched more than the service's cap and the list stops there."""
        return self._capped

    @property
    def cached_pages(self) -> list[int]:
        return list(self._pages)

    def set_search(self, search: OffenderSearch) -> None:
        if search == self._search:
            return
        self.beginResetModel()
        self._search = search
        self._pages.clear()
        self._count_rows()
        self.endResetModel()

    def refresh(self) -> None:
        """Forgets every cached page and counts again (after a change, or on the user's request)."""
        self.beginResetModel()
        self._pages.clear()
        self._count_rows()
        self.endResetModel()

    def row_at(self, row: int) -> OffenderRow | None:
        if not 0 <= row < self._count:
            return None
        page = self._page(row // self._page_size)
        position = row % self._page_size
        # A page can come back shorter than the count promised when rows were deleted meanwhile.
        return page[position] if position < len(page) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            OFFENDER_ROW_ROLE,
        ):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == OFFENDER_ROW_ROLE:
            return row
        text = COLUMNS[index.column()].text(row)
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
        return column_header(COLUMNS, section, orientation, role)

    def _count_rows(self) -> None:
        try:
            if self._search.kind is SearchKind.ALL:
                with self._database.read_connection() as connection:
                    self._count = core_reads.count_whole_list(connection, self._actor)
                    self._capped = False
            else:
                # The ORM behind the search services is imported after start-up's first paint.
                from app.services import offenders

                with self._database.read() as session:
                    self._count, self._capped = offenders.count_offenders(
                        session, self._actor, self._search
                    )
        except SQLAlchemyError as exc:
            self._count, self._capped = 0, False
            self.fetch_failed.emit(explain_connection_error(self._database.url, exc))

    def _key_before(self, number: int) -> tuple | None:
        """The last row of the page before, when cached: scrolling down then costs the same at any
        depth, where an offset costs in proportion to how far down the page is."""
        previous = self._pages.get(number - 1)
        if previous is None or len(previous) < self._page_size:
            return None
        return previous[-1].page_key

    def _page(self, number: int) -> list[OffenderRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        try:
            if self._search.kind is SearchKind.ALL:
                with self._database.read_connection() as connection:
                    page = core_reads.whole_list_page(
                        connection,
                        self._actor,
                        number * self._page_size,
                        self._page_size,
                        after=self._key_before(number),
                    )
            else:
                from app.services import offenders

                with self._database.read() as session:
                    page = offenders.offender_page(
                        session,
                        self._actor,
                        self._search,
                        number * self._page_size,
                        self._page_size,
                    )
        except SQLAlchemyError as exc:
            # Kept empty until the next refresh, so that painting does not retry on every frame.
            page = []
            self.fetch_failed.emit(explain_connection_error(self._database.url, exc))
        self._pages[number] = page
        while len(self._pages) > self._max_cached_pages:
            self._pages.popitem(last=False)
        return page
