"""The workload as a Qt table model: counted once, read a page at a time, sorted by the service."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from sqlalchemy.exc import SQLAlchemyError

from app.core.permissions import Actor
from app.core.vocabulary import SUPERVISION_TYPE_LABELS, SupervisionType
from app.db import Database, explain_connection_error
from app.services import workload
from app.services.workload import WorkloadQuery, WorkloadRow, WorkloadSize, WorkloadSort
from app.views.columns import Column, column_header

DEFAULT_PAGE_SIZE = 100
DEFAULT_CACHED_PAGES = 30

# The WorkloadRow of a row, for views that open the case or the profile.
WORKLOAD_ROW_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


def _us_date(value: Any) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def supervision_label(value: str) -> str:
    try:
        return SUPERVISION_TYPE_LABELS[SupervisionType(value)]
    except ValueError:
        return value


def status_label(value: str) -> str:
    return value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class WorkloadColumn:
    """A column as shown (text), as exported (a typed value: dates stay dates), and its sort."""

    title: str
    text: Callable[[WorkloadRow], str]
    value: Callable[[WorkloadRow], Any]
    sort: WorkloadSort


WORKLOAD_COLUMNS: tuple[WorkloadColumn, ...] = (
    WorkloadColumn("Case #", lambda r: r.case_number, lambda r: r.case_number,
                   WorkloadSort.CASE_NUMBER),
    WorkloadColumn("Offender #", lambda r: r.offender_number, lambda r: r.offender_number,
                   WorkloadSort.OFFENDER_NUMBER),
    WorkloadColumn("Name", lambda r: r.offender_name, lambda r: r.offender_name,
                   WorkloadSort.NAME),
    WorkloadColumn("Sending", lambda r: r.sending_state, lambda r: r.sending_state,
                   WorkloadSort.SENDING_STATE),
    WorkloadColumn("Receiving", lambda r: r.receiving_state, lambda r: r.receiving_state,
                   WorkloadSort.RECEIVING_STATE),
    WorkloadColumn("Supervision", lambda r: supervision_label(r.supervision_type),
                   lambda r: supervision_label(r.supervision_type), WorkloadSort.SUPERVISION_TYPE),
    WorkloadColumn("Status", lambda r: status_label(r.status), lambda r: status_label(r.status),
                   WorkloadSort.STATUS),
    WorkloadColumn("Sending officer", lambda r: r.sending_user or "", lambda r: r.sending_user,
                   WorkloadSort.SENDING_USER),
    WorkloadColumn("Receiving officer", lambda r: r.receiving_user or "",
                   lambda r: r.receiving_user, WorkloadSort.RECEIVING_USER),
    WorkloadColumn("Next due", lambda r: _us_date(r.next_due), lambda r: r.next_due,
                   WorkloadSort.NEXT_DUE),
    # Sorting by it puts the oldest due date first, which is where the overdue cases are.
    WorkloadColumn("Overdue", lambda r: "Overdue" if r.overdue else "", lambda r: r.overdue,
                   WorkloadSort.NEXT_DUE),
    WorkloadColumn("Special statuses", lambda r: "; ".join(r.special_statuses),
                   lambda r: list(r.special_statuses), WorkloadSort.SPECIAL_STATUSES),
)  # fmt: skip

COLUMNS: tuple[Column[WorkloadRow], ...] = tuple(
    Column[WorkloadRow](spec.title, spec.text) for spec in WORKLOAD_COLUMNS
)
# (header, value) pairs for app.services.list_export and app.pdf.list_report.
EXPORT_COLUMNS = [(spec.title, spec.value) for spec in WORKLOAD_COLUMNS]
_OVERDUE_COLUMN = [spec.title for spec in WORKLOAD_COLUMNS].index("Overdue")


def column_of_sort(sort: WorkloadSort) -> int:
    return next(i for i, spec in enumerate(WORKLOAD_COLUMNS) if spec.sort is sort)


class WorkloadTableModel(QAbstractTableModel):
    """Rows in the service's order; a click on a header asks the service for another order."""

    fetch_failed = Signal(str)
    counted = Signal(object)  # the WorkloadSize

    def __init__(
        self,
        database: Database,
        actor: Actor,
        query: WorkloadQuery | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        cached_pages: int = DEFAULT_CACHED_PAGES,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._database = database
        self._actor = actor
        self._query = query or WorkloadQuery()
        self._page_size = page_size
        self._max_cached_pages = cached_pages
        self._size = WorkloadSize(0)
        self._pages: OrderedDict[int, list[WorkloadRow]] = OrderedDict()
        self._bold = QFont()
        self._bold.setBold(True)
        self._count_rows()

    @property
    def query(self) -> WorkloadQuery:
        return self._query

    @property
    def size(self) -> WorkloadSize:
        return self._size

    @property
    def cached_pages(self) -> list[int]:
        return list(self._pages)

    def set_query(self, query: WorkloadQuery) -> None:
        if query == self._query:
            return
        self.beginResetModel()
        self._query = query
        self._pages.clear()
        self._count_rows()
        self.endResetModel()

    def refresh(self) -> None:
        """Forgets every page read and counts again (after a change, or on request)."""
        self.beginResetModel()
        self._pages.clear()
        self._count_rows()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(WORKLOAD_COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(
            replace(self._query, sort=WORKLOAD_COLUMNS[column].sort, descending=descending)
        )

    def row_at(self, row: int) -> WorkloadRow | None:
        if not 0 <= row < self._size.count:
            return None
        page = self._page(row // self._page_size)
        position = row % self._page_size
        # A page comes back shorter than counted when cases left the list meanwhile.
        return page[position] if position < len(page) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._size.count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.FontRole,
            WORKLOAD_ROW_ROLE,
        ):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == WORKLOAD_ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if index.column() == _OVERDUE_COLUMN and row.overdue else None
        text = COLUMNS[index.column()].text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
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
            with self._database.read() as session:
                self._size = workload.workload_size(session, self._actor, self._query)
        except SQLAlchemyError as exc:
            self._size = WorkloadSize(0)
            self.fetch_failed.emit(explain_connection_error(self._database.url, exc))
        self.counted.emit(self._size)

    def _key_before(self, number: int) -> tuple | None:
        """The last row of the page before, when cached: the next page then starts right after it
        at any depth, where an offset costs in proportion to how far down it is."""
        previous = self._pages.get(number - 1)
        if previous is None or len(previous) < self._page_size:
            return None
        return previous[-1].page_key

    def _page(self, number: int) -> list[WorkloadRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        try:
            with self._database.read() as session:
                page = workload.workload_page(
                    session,
                    self._actor,
                    self._query,
                    number * self._page_size,
                    self._page_size,
                    after=self._key_before(number),
                    size=self._size,
                )
        except SQLAlchemyError as exc:
            # Kept empty until the next refresh, so that painting does not retry on every frame.
            page = []
            self.fetch_failed.emit(explain_connection_error(self._database.url, exc))
        self._pages[number] = page
        while len(self._pages) > self._max_cached_pages:
            self._pages.popitem(last=False)
        return page
