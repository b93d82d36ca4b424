"""The approval queue: what waits for this supervisor or this compact office, oldest first, with
one key to approve (or transmit) and one to return; several rows approved at once by a supervisor."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import clock
from app.core.vocabulary import ActivityStatus
from app.forms.fields import format_date
from app.services import activities
from app.services.activities import QueueItem
from app.views.columns import Column
from app.views.context import AppContext
from app.views.row_table import RowsTable
from app.views.service_calls import run_change


def _age(item: QueueItem) -> str:
    days = item.age_days(clock.today())
    return "" if days is None else f"{days} d"


QUEUE_COLUMNS: tuple[Column[QueueItem], ...] = (
    Column("Activity", lambda i: i.activity_number),
    Column("Type", lambda i: i.type_label),
    Column(
        "Waiting for",
        lambda i: (
            "Supervisor" if i.status is ActivityStatus.PENDING_SUPERVISOR else "Compact office"
        ),
    ),  # fmt: skip
    Column("Offender", lambda i: i.offender_name),
    Column("Offender #", lambda i: i.offender_number),
    Column("Case", lambda i: i.case_number),
    Column("To", lambda i: i.to_state),
    Column("By", lambda i: i.author),
    Column("Age", _age),
    Column("Reply due", lambda i: format_date(i.due_date)),
)


class ApprovalsPage(QWidget):
    count_changed = Signal(int)
    open_activity = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.table = RowsTable(QUEUE_COLUMNS, "Approval queue")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.count_label = QLabel()
        self.approve_button = QPushButton("&Approve selected")
        self.approve_button.setToolTip("Approve, or approve and transmit at the compact office (A)")
        self.return_button = QPushButton("&Return for correction…")
        self.return_button.setToolTip("Back to its author with a comment (R)")
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Open the activity (Enter)")
        self.approve_button.clicked.connect(self.approve_selected)
        self.return_button.clicked.connect(self.return_current)
        self.open_button.clicked.connect(self.open_current)
        self.table.activated.connect(lambda _index: self.open_current())
        for keys, slot in (("A", self.approve_selected), ("R", self.return_current)):
            action = QAction(self.table)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.table.addAction(action)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        for button in (self.open_button, self.return_button, self.approve_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.items: list[QueueItem] = []
        self.refresh()

    def refresh(self, _changes: object = None) -> None:
        with self.context.database.read() as session:
            self.items = activities.approval_queue(session, self.context.actor)
        self.table.set_rows(self.items)
        count = len(self.items)
        self.count_label.setText(f"{count:,} waiting" if count else "Nothing waits for you")
        self.count_changed.emit(count)

    def selected_items(self) -> list[QueueItem]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows and self.table.currentIndex().isValid():
            rows = {self.table.currentIndex().row()}
        return [self.table.proxy.index(row, 0).data(self.table_row_role()) for row in sorted(rows)]

    @staticmethod
    def table_row_role() -> int:
        from app.views.row_table import ROW_ROLE

        return ROW_ROLE

    def approve_selected(self) -> None:
        chosen = self.selected_items()
        if not chosen:
            return
        actor = self.context.actor

        def work(session):
            for item in chosen:
                if item.status is ActivityStatus.PENDING_SUPERVISOR:
                    activities.approve(session, actor, item.activity_id, item.version)
                else:
                    activities.transmit(session, actor, item.activity_id, item.version)
            return len(chosen)

        ids = {item.activity_id for item in chosen}
        if run_change(self, self.context, "Approve", work, changed={"activity_ids": ids}):
            self.refresh()

    def return_current(self) -> None:
        chosen = self.selected_items()
        if len(chosen) != 1:
            return
        item = chosen[0]
        comment, ok = QInputDialog.getMultiLineText(
            self, "Return for correction", f"What should {item.author} correct?"
        )
        if not ok:
            return
        actor = self.context.actor
        done = run_change(
            self,
            self.context,
            "Return for correction",
            lambda session: activities.return_for_correction(
                session, actor, item.activity_id, item.version, comment
            ),
            changed={"activity_ids": {item.activity_id}},
        )
        if done is not None:
            self.refresh()

    def open_current(self) -> None:
        chosen = self.selected_items()
        if chosen:
            self.open_activity.emit(chosen[0].activity_id)
