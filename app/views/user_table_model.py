"""The list of user accounts an administrator may manage, as a read-only Qt table model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.core.vocabulary import ROLE_LABELS, Role
from app.views.columns import Column, column_header

if TYPE_CHECKING:
    # For annotations only: the users service brings the ORM, which start-up imports after the
    # first paint, and this model is built before it.
    from app.services.users import UserRow

AnyIndex = QModelIndex | QPersistentModelIndex


def _roles_text(row: UserRow) -> str:
    return ", ".join(ROLE_LABELS.get(Role(role), role) for role in row.roles)


UserColumn = Column["UserRow"]

COLUMNS: tuple[UserColumn, ...] = (
    UserColumn("User name", lambda row: row.username),
    UserColumn("Full name", lambda row: row.full_name),
    UserColumn("State", lambda row: row.jurisdiction_code),
    UserColumn("Roles", _roles_text),
    UserColumn("Status", lambda row: "Active" if row.active else "Disabled"),
    UserColumn("E-mail", lambda row: row.email or ""),
)


class UserTableModel(QAbstractTableModel):
    """Holds the rows it is given; the page that owns it reads them through the users service."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[UserRow] = []

    def set_rows(self, rows: list[UserRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        return COLUMNS[index.column()].text(self._rows[index.row()])

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        return column_header(COLUMNS, section, orientation, role)
