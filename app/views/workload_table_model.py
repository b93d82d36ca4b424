"""The workload as a Qt table model: counted once, read a page at a time, sorted by the service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont

from app.core.permissions import Actor
from app.core.vocabulary import SUPERVISION_TYPE_LABELS, SupervisionType
from app.db import Database
from app.services import workload
from app.services.workload import WorkloadQuery, WorkloadRow, WorkloadSize, WorkloadSort
from app.views.columns import Column
from app.views.paged_table_model import ROW_ROLE, PagedTableModel

DEFAULT_PAGE_SIZE = 100
DEFAULT_CACHED_PAGES = 30

# The WorkloadRow of a row, for views that open the case or the profile.
WORKLOAD_ROW_ROLE = ROW_ROLE


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


class WorkloadTableModel(PagedTableModel):
    """Rows in the service's order; a click on a header asks the service for another order."""

    counted = Signal(object)  # the WorkloadSize

    _extra_roles = (Qt.ItemDataRole.FontRole,)

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
        super().__init__(
            database, actor, COLUMNS, page_size=page_size, cached_pages=cached_pages, parent=parent
        )
        self._query = query or WorkloadQuery()
        self._size = WorkloadSize(0)
        self._bold = QFont()
        self._bold.setBold(True)
        self._count_rows()

    @property
    def query(self) -> WorkloadQuery:
        return self._query

    @property
    def size(self) -> WorkloadSize:
        return self._size

    def set_query(self, query: WorkloadQuery) -> None:
        if query != self._query:
            self._reset_with(lambda: setattr(self, "_query", query))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(WORKLOAD_COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(
            replace(self._query, sort=WORKLOAD_COLUMNS[column].sort, descending=descending)
        )

    def _role_data(self, role: int, column: int, row: WorkloadRow) -> Any:
        return self._bold if column == _OVERDUE_COLUMN and row.overdue else None

    def _count_rows(self) -> None:
        super()._count_rows()
        self.counted.emit(self._size)

    def _read_count(self) -> int:
        with self._database.read() as session:
            self._size = workload.workload_size(session, self._actor, self._query)
        return self._size.count

    def _count_failed(self) -> None:
        self._size = WorkloadSize(0)

    def _read_page(self, number: int, after: tuple | None) -> list[WorkloadRow]:
        with self._database.read() as session:
            return workload.workload_page(
                session,
                self._actor,
                self._query,
                number * self._page_size,
                self._page_size,
                after=after,
                size=self._size,
            )
