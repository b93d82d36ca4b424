"""The offender list as a Qt table model that fetches pages on demand, so a million rows cost a page."""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.core.permissions import Actor
from app.db import Database
from app.services import core_reads
from app.services.offender_rows import OffenderRow, OffenderSearch, SearchKind
from app.views.columns import Column
from app.views.paged_table_model import ROW_ROLE, PagedTableModel

DEFAULT_PAGE_SIZE = 200
# 30 pages of 200 rows: a few screens above and below wherever the user scrolled, a flat memory cost.
DEFAULT_CACHED_PAGES = 30

# The OffenderRow of a row, for views that open the profile.
OFFENDER_ROW_ROLE = ROW_ROLE


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


class OffenderTableModel(PagedTableModel):
    """The profiles the search finds, in the service's order (by name)."""

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
        super().__init__(
            database, actor, COLUMNS, page_size=page_size, cached_pages=cached_pages, parent=parent
        )
        self._search = OffenderSearch()
        self._capped = False
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

    def set_search(self, search: OffenderSearch) -> None:
        if search != self._search:
            self._reset_with(lambda: setattr(self, "_search", search))

    def _read_count(self) -> int:
        if self._search.kind is SearchKind.ALL:
            with self._database.read_connection() as connection:
                self._capped = False
                return core_reads.count_whole_list(connection, self._actor)
        # The ORM behind the search services is imported after start-up's first paint.
        from app.services import offenders

        with self._database.read() as session:
            count, self._capped = offenders.count_offenders(session, self._actor, self._search)
        return count

    def _count_failed(self) -> None:
        self._capped = False

    def _read_page(self, number: int, after: tuple | None) -> list[OffenderRow]:
        offset = number * self._page_size
        if self._search.kind is SearchKind.ALL:
            with self._database.read_connection() as connection:
                return core_reads.whole_list_page(
                    connection, self._actor, offset, self._page_size, after=after
                )
        from app.services import offenders

        with self._database.read() as session:
            return offenders.offender_page(
                session, self._actor, self._search, offset, self._page_size
            )
