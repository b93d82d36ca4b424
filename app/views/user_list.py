"""The Users page: the accounts an administrator manages, read-only for now."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.views.context import AppContext
from app.views.user_table_model import UserTableModel


class UserListPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self._loaded = False
        self.model = UserTableModel(self)

        self.count_label = QLabel()
        self.table = QTableView()
        self.table.setAccessibleName("Users")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # A few hundred accounts at most, so measuring every row is cheap.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table)

    def reload(self) -> None:
        # Imported when first read: the page is built at start-up, before the ORM is needed.
        from app.services import users

        try:
            with self._context.database.read() as session:
                rows = users.list_users(session, self._context.actor)
        except UserError as exc:
            self.count_label.setText(str(exc))
            return
        self.model.set_rows(rows)
        self.count_label.setText(
            f"{len(rows):,} user" if len(rows) == 1 else f"{len(rows):,} users"
        )
        self._loaded = True

    def refresh_if_loaded(self) -> None:
        if self._loaded:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        # Read when first looked at: most sessions never open this page.
        if not self._loaded:
            self.reload()
        super().showEvent(event)
