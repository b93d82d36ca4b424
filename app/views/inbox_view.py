"""The in-app inbox (the outbox rows addressed to the signed-in user), and the e-mail sender that
runs in the background while the application is open."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from app.services import notifications
from app.services.notifications import InboxItem
from app.views.columns import Column
from app.views.context import AppContext
from app.views.row_table import RowsTable

INBOX_PAGE = 200
# Often enough that a hand-off reaches the next person within a minute or two.
SEND_INTERVAL_MS = 60_000

INBOX_COLUMNS: tuple[Column[InboxItem], ...] = (
    Column("", lambda i: "●" if i.unread else ""),
    Column("Received", lambda i: i.created_at.astimezone().strftime("%m/%d/%Y %H:%M")),
    Column("Subject", lambda i: i.subject),
)


class InboxPage(QWidget):
    count_changed = Signal(int)
    open_activity = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.table = RowsTable(INBOX_COLUMNS, "Inbox")
        self.body = QPlainTextEdit()
        self.body.setReadOnly(True)
        self.body.setAccessibleName("Message")
        self.count_label = QLabel()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_current())
        self.table.activated.connect(lambda _index: self.open_current())
        self.refresh()

    def refresh(self, _changes: object = None) -> None:
        with self.context.database.read() as session:
            items = notifications.inbox(session, self.context.actor, limit=INBOX_PAGE)
            unread = notifications.unread_count(session, self.context.actor)
        self.table.set_rows(items)
        self._show_count(unread)

    def _show_count(self, unread: int) -> None:
        self.count_label.setText(f"{unread:,} unread" if unread else "No unread messages")
        self.count_changed.emit(unread)

    def show_current(self) -> None:
        item: InboxItem | None = self.table.current_row()
        if item is None:
            return
        self.body.setPlainText(item.body)
        if item.unread:
            with self.context.database.unit_of_work(self.context.actor) as session:
                notifications.mark_read(session, self.context.actor, item.id)
            with self.context.database.read() as session:
                self._show_count(notifications.unread_count(session, self.context.actor))

    def open_current(self) -> None:
        item: InboxItem | None = self.table.current_row()
        if item is not None and item.activity_id is not None:
            self.open_activity.emit(item.activity_id)


class _SendJob(QRunnable):
    def __init__(self, database, scheduled, done):
        super().__init__()
        self.database = database
        self.scheduled = scheduled
        self.done = done

    def run(self) -> None:
        from app.services import mailer

        try:
            self.scheduled.run()
            report = mailer.send_pending(self.database)
            self.done.emit(report.describe() if report.configured else "")
        except Exception as error:  # noqa: BLE001 - the next round tries again; say why once
            self.done.emit(f"E-mail not sent: {error}")


class BackgroundSender(QObject):
    """Sends the outbox every minute on a worker thread (its own sessions, nothing shared),
    having queued the day's reminders first on the first round of each day."""

    finished = Signal(str)

    def __init__(self, database, parent: QObject | None = None):
        super().__init__(parent)
        # Imported here: the reminders bring the calendars and holidays, needed after start-up.
        from app.services.reminders import DailyScheduledMessages

        self.database = database
        self.scheduled = DailyScheduledMessages(database)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.timer = QTimer(self)
        self.timer.setInterval(SEND_INTERVAL_MS)
        self.timer.timeout.connect(self.send_now)

    def start(self) -> None:
        self.timer.start()

    def send_now(self) -> None:
        if self.pool.activeThreadCount() == 0:
            self.pool.start(_SendJob(self.database, self.scheduled, self.finished))

    def stop(self) -> None:
        self.timer.stop()
        self.pool.waitForDone(10_000)
