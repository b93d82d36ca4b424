"""The main window: navigation on the left, the search field on top, the chosen page, the status bar."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core import jurisdictions
from app.core.errors import UserError
from app.core.permissions import Permission, can
from app.services.offender_rows import MIN_FRAGMENT, OffenderSearch
from app.views.context import AppContext
from app.views.offender_list import OffenderListPage
from app.views.service_calls import show_refusal
from app.views.user_list import UserListPage

# Long enough to skip the searches of half-typed words, short enough to feel immediate.
SEARCH_DEBOUNCE_MS = 150
WORKLOAD_TITLE = "Workload"
APPROVALS_TITLE = "Approvals"
INBOX_TITLE = "Inbox"
WARRANTS_TITLE = "Warrants"
SEARCH_PLACEHOLDER = "Search name, offender #, FBI #, SID, SSN"
_FOCUS_SEARCH_KEYS = ("Ctrl+K", "Ctrl+F")


class SearchField(QLineEdit):
    """A line edit that lets the window's Ctrl+K and Ctrl+F through and hands Down to the results."""

    down_pressed = Signal()

    def event(self, event: QEvent) -> bool:
        # QLineEdit claims Ctrl+K (delete to end of line) before shortcuts see it; here Ctrl+K means
        # "go to the search", which from inside the field is selecting what is there.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if any(
                pressed.matches(QKeySequence(keys)) == QKeySequence.SequenceMatch.ExactMatch
                for keys in _FOCUS_SEARCH_KEYS
            ):
                event.ignore()
                return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.down_pressed.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class MainWindow(QMainWindow):
    # Once the first frame is on screen, with the offender list's first page painted in it.
    first_painted = Signal()

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        offender_count: tuple[int, bool] | None = None,
    ):
        super().__init__(parent)
        self._context = context
        self._painted_once = False
        self.setWindowTitle("Compact Office")
        self.resize(1280, 800)

        self.search_field = SearchField()
        self.search_field.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_field.setAccessibleName("Search offenders")
        self.search_field.setClearButtonEnabled(True)
        self.contains_box = QCheckBox("Contains")
        self.contains_box.setToolTip(
            f"Find the text anywhere in names, not only at their start "
            f"(at least {MIN_FRAGMENT} letters)"
        )
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DEBOUNCE_MS)

        self.offender_page = OffenderListPage(context, known_count=offender_count)
        self.user_page: UserListPage | None = None
        self.profile_windows: dict[int, QWidget] = {}
        self.navigation = QListWidget()
        self.navigation.setAccessibleName("Navigation")
        self.pages = QStackedWidget()
        # The clerk's to-do list comes first in the navigation (SCREENS); it is built when first
        # opened, so that start-up shows the search and its list without counting a workload too.
        self.workload_page: QWidget | None = None
        self._workload_holder = QWidget()
        QVBoxLayout(self._workload_holder).setContentsMargins(0, 0, 0, 0)
        self._add_page(WORKLOAD_TITLE, self._workload_holder)
        self._add_page("Offenders", self.offender_page)
        # After the offenders, so that Ctrl+1 and Ctrl+2 mean the same for every role.
        self.approvals_page: QWidget | None = None
        self._approvals_holder: QWidget | None = None
        # The National Office approves nothing: managed work is approved inside its state.
        approves = can(context.actor, Permission.APPROVE_ACTIVITIES) or can(
            context.actor, Permission.TRANSMIT_ACTIVITIES
        )
        if approves and context.actor.jurisdiction_code != jurisdictions.NATIONAL_OFFICE_CODE:
            self._approvals_holder = QWidget()
            QVBoxLayout(self._approvals_holder).setContentsMargins(0, 0, 0, 0)
            self._add_page(APPROVALS_TITLE, self._approvals_holder)
        self.inbox_page: QWidget | None = None
        self._inbox_holder = QWidget()
        QVBoxLayout(self._inbox_holder).setContentsMargins(0, 0, 0, 0)
        self._add_page(INBOX_TITLE, self._inbox_holder)
        self.warrants_page: QWidget | None = None
        self._warrants_holder = QWidget()
        QVBoxLayout(self._warrants_holder).setContentsMargins(0, 0, 0, 0)
        self._add_page(WARRANTS_TITLE, self._warrants_holder)
        if can(context.actor, Permission.MANAGE_USERS):
            self.user_page = UserListPage(context)
            self._add_page("Users", self.user_page)
        self.navigation.setCurrentRow(self.pages.indexOf(self.offender_page))
        self.pages.setCurrentWidget(self.offender_page)
        # Wide enough for the longest entry the full navigation will have ("Administration").
        self.navigation.setFixedWidth(self.navigation.fontMetrics().horizontalAdvance("M" * 12))

        self._build_central_widget()
        self._build_menus()
        self._build_status_bar()

        self.search_field.textChanged.connect(self.search_timer.start)
        self.search_field.returnPressed.connect(self._search_and_go_to_results)
        self.search_field.down_pressed.connect(self.offender_page.focus_results)
        self.contains_box.toggled.connect(self._apply_search)
        self.search_timer.timeout.connect(self._apply_search)
        self.navigation.currentRowChanged.connect(self._show_row)
        self.offender_page.model.fetch_failed.connect(self._show_fetch_problem)
        self.offender_page.open_offender.connect(self.open_profile)
        context.events.changes_applied.connect(self._refresh_pages)
        self.search_field.setFocus()

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def show_page(self, row: int) -> None:
        if 0 <= row < self.navigation.count():
            self.navigation.setCurrentRow(row)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted_once:
            self._painted_once = True
            # The children paint in this same pass (the list reads its first page); a zero timer
            # runs once the pass is done and the frame is on screen.
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.first_painted.emit()
        # Queued behind the first paint, not behind show(): Qt paints a shown window on a later
        # turn of the event loop, and whatever runs before then leaves the window an empty frame.
        if self._context.actor.user_id is not None:
            QTimer.singleShot(0, self._offer_drafts_after_start)
        QTimer.singleShot(0, self._start_background_sender)

    def _show_row(self, row: int) -> None:
        if self.pages.widget(row) is self._workload_holder:
            self._build_workload_page()
        if self._approvals_holder is not None and self.pages.widget(row) is self._approvals_holder:
            self._build_approvals_page()
        if self.pages.widget(row) is self._inbox_holder:
            self._build_inbox_page()
        if self.pages.widget(row) is self._warrants_holder:
            self._build_warrants_page()
        self.pages.setCurrentIndex(row)

    def _build_inbox_page(self) -> QWidget:
        if self.inbox_page is None:
            from app.views.inbox_view import InboxPage

            page = InboxPage(self._context)
            page.open_activity.connect(self.open_activity)
            page.count_changed.connect(self._show_inbox_count)
            self._inbox_holder.layout().addWidget(page)
            page.show()
            self.inbox_page = page
        return self.inbox_page

    def _build_warrants_page(self) -> QWidget:
        if self.warrants_page is None:
            from app.views.warrants_dashboard import WarrantsPage

            page = WarrantsPage(self._context)
            self._warrants_holder.layout().addWidget(page)
            page.show()
            self.warrants_page = page
        return self.warrants_page

    def _show_inbox_count(self, count: int) -> None:
        row = self.pages.indexOf(self._inbox_holder)
        self.navigation.item(row).setText(f"{INBOX_TITLE} ({count:,})" if count else INBOX_TITLE)

    def _build_approvals_page(self) -> QWidget:
        if self.approvals_page is None:
            from app.views.approvals_view import ApprovalsPage

            page = ApprovalsPage(self._context)
            page.open_activity.connect(self.open_activity)
            page.count_changed.connect(self._show_approvals_count)
            self._approvals_holder.layout().addWidget(page)
            page.show()
            self.approvals_page = page
            self._show_approvals_count(len(page.items))
        return self.approvals_page

    def _show_approvals_count(self, count: int) -> None:
        row = self.pages.indexOf(self._approvals_holder)
        self.navigation.item(row).setText(f"{APPROVALS_TITLE} ({count:,})")

    def open_activity(self, activity_id: int) -> None:
        from app.views.activity_dialogs import ActivityWindow

        ActivityWindow(self._context, activity_id, self).exec()

    def _build_workload_page(self) -> QWidget:
        if self.workload_page is None:
            from app.views.workload_view import WorkloadPage

            page = WorkloadPage(self._context)
            page.open_offender.connect(self.open_profile)
            page.count_changed.connect(self._show_workload_count)
            self._workload_holder.layout().addWidget(page)
            page.show()
            self.workload_page = page
            self._show_workload_count(page.live_count())
        return self.workload_page

    def _show_workload_count(self, count: int) -> None:
        row = self.pages.indexOf(self._workload_holder)
        self.navigation.item(row).setText(f"{WORKLOAD_TITLE} ({count:,})")

    def _add_page(self, title: str, page: QWidget) -> None:
        self.navigation.addItem(title)
        self.pages.addWidget(page)

    def _build_central_widget(self) -> None:
        search_bar = QHBoxLayout()
        search_label = QLabel("&Find:")
        search_label.setBuddy(self.search_field)
        search_bar.addWidget(search_label)
        search_bar.addWidget(self.search_field, 1)
        search_bar.addWidget(self.contains_box)

        body = QHBoxLayout()
        body.addWidget(self.navigation)
        body.addWidget(self.pages, 1)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(search_bar)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        new_offender_action = QAction("&New offender profile…", self)
        new_offender_action.setShortcut(QKeySequence("Ctrl+N"))
        new_offender_action.setEnabled(can(self._context.actor, Permission.EDIT_OFFENDERS))
        new_offender_action.triggered.connect(self.new_offender)
        file_menu.addAction(new_offender_action)
        self.drafts_action = QAction("Resume an unsaved &draft…", self)
        self.drafts_action.triggered.connect(self.resume_draft)
        file_menu.addAction(self.drafts_action)
        file_menu.addSeparator()
        self.import_action = QAction("&Import data folder…", self)
        self.import_action.setEnabled(can(self._context.actor, Permission.LOAD_DATA))
        if not self.import_action.isEnabled():
            self.import_action.setToolTip("Importing needs the state administrator role")
        self.import_action.triggered.connect(self.import_folder)
        file_menu.addAction(self.import_action)
        self.export_action = QAction("&Export data folder…", self)
        self.export_action.triggered.connect(self.export_folder)
        file_menu.addAction(self.export_action)
        self.export_warrants_action = QAction("Export &warrant status records…", self)
        self.export_warrants_action.triggered.connect(self.export_warrant_status)
        file_menu.addAction(self.export_warrants_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        self.find_action = QAction("&Find offender", self)
        self.find_action.setShortcuts([QKeySequence(keys) for keys in _FOCUS_SEARCH_KEYS])
        self.find_action.triggered.connect(self.focus_search)
        view_menu.addAction(self.find_action)
        refresh_action = QAction("&Refresh", self)
        refresh_action.setShortcut(QKeySequence("F5"))
        refresh_action.triggered.connect(self._refresh_pages)
        view_menu.addAction(refresh_action)
        view_menu.addSeparator()
        for row in range(self.navigation.count()):
            action = QAction(self.navigation.item(row).text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _checked=False, row=row: self.show_page(row))
            view_menu.addAction(action)

        tools_menu = self.menuBar().addMenu("&Tools")
        calendar_action = QAction("Office &calendar…", self)
        calendar_action.setToolTip("The holidays and closures that business-day deadlines skip")
        calendar_action.triggered.connect(self.show_calendar)
        tools_menu.addAction(calendar_action)

        help_menu = self.menuBar().addMenu("&Help")
        about_action = QAction("&About Compact Office", self)
        about_action.triggered.connect(self._show_about)
        help_menu.addAction(about_action)

    def _build_status_bar(self) -> None:
        actor = self._context.actor
        state = jurisdictions.BY_CODE.get(actor.jurisdiction_code)
        state_text = f"{state.name} ({state.code})" if state else actor.jurisdiction_code
        self.user_label = QLabel(f"Signed in: {actor.username}, {state_text}")
        self.database_label = QLabel(f"Database: {self._context.database.description}")
        for label in (self.database_label, self.user_label):
            # Room between the two, which otherwise read as one sentence.
            label.setContentsMargins(12, 0, 12, 0)
            self.statusBar().addPermanentWidget(label)

    def _current_search(self) -> OffenderSearch:
        return OffenderSearch(self.search_field.text(), self.contains_box.isChecked())

    def _apply_search(self) -> None:
        self.search_timer.stop()
        # Typing a search from another page means looking for an offender.
        self.navigation.setCurrentRow(self.pages.indexOf(self.offender_page))
        self.offender_page.set_search(self._current_search())

    def _search_and_go_to_results(self) -> None:
        """Enter in the search: the profile when exactly one matches, else the list of matches."""
        self._apply_search()
        if self.offender_page.model.rowCount() == 1 and self.search_field.text().strip():
            self.offender_page.open_current()
        else:
            self.offender_page.focus_results()

    def open_profile(self, offender_id: int) -> QWidget:
        """Each profile in its own window, so two can be compared side by side; opening one that
        is already open brings it to the front."""
        window = self.profile_windows.get(offender_id)
        if window is None:
            # Imported on first use: start-up shows the list and needs none of it.
            from app.views.profile_window import ProfileWindow

            window = ProfileWindow(self._context, offender_id)
            window.closed.connect(self._forget_profile)
            window.edit_requested.connect(self.edit_offender)
            window.new_case_requested.connect(self.new_case)
            self.profile_windows[offender_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def open_profile_link(self, url: str) -> QWidget | None:
        """A profile link (`compact-office://offender/NUMBER`, as e-mails carry) opened in its
        window; a link that names no visible profile is said in the status bar."""
        from app.services import profiles
        from app.services.warrant_notifications import offender_number_from_url

        number = offender_number_from_url(url)
        if number is None:
            self.statusBar().showMessage(f"Not a profile link: {url}", 15_000)
            return None
        try:
            with self._context.database.read() as session:
                offender_id = profiles.offender_id_for_number(session, self._context.actor, number)
        except UserError as error:
            self.statusBar().showMessage(str(error), 15_000)
            return None
        return self.open_profile(offender_id)

    def new_offender(self) -> None:
        from app.views.offender_dialogs import OffenderDialog

        dialog = OffenderDialog(self._context, parent=self)
        dialog.open_existing.connect(self.open_profile)
        dialog.saved.connect(self.open_profile)
        dialog.exec()

    def edit_offender(self, offender_id: int) -> None:
        from app.views.offender_dialogs import OffenderDialog

        parent = self.profile_windows.get(offender_id, self)
        try:
            dialog = OffenderDialog(self._context, offender_id, parent=parent)
        except UserError as error:
            show_refusal(parent, "Edit profile", error)
            return
        dialog.exec()

    def new_case(self, offender_id: int) -> None:
        from app.views.offender_dialogs import CaseDialog

        CaseDialog(
            self._context, offender_id, parent=self.profile_windows.get(offender_id, self)
        ).exec()

    def show_calendar(self) -> None:
        from app.views.calendar_dialog import CalendarDialog

        CalendarDialog(self._context, self).exec()

    def import_folder(self) -> None:
        from app.views.exchange_dialogs import import_folder_interactively

        import_folder_interactively(self, self._context)

    def export_folder(self) -> None:
        from app.views.exchange_dialogs import export_folder_interactively

        export_folder_interactively(self, self._context)

    def export_warrant_status(self) -> None:
        from app.views.warrants_dashboard import export_warrant_status_interactively

        export_warrant_status_interactively(self, self._context)

    def resume_draft(self) -> None:
        """Drafts outlive a crash; this lists them and opens the chosen one in its form."""
        from app.services import drafts
        from app.views.offender_dialogs import dialog_for_draft

        with self._context.database.read() as session:
            found = drafts.list_drafts(session, self._context.actor)
        if not found:
            QMessageBox.information(self, "Unsaved drafts", "You have no unsaved drafts.")
            return
        labels = [
            f"{d.form_name.replace('_', ' ').capitalize()} ({d.record_key}), saved "
            f"{d.saved_at.astimezone().strftime('%m/%d/%Y %H:%M')}"
            for d in found
        ]
        chosen, ok = QInputDialog.getItem(
            self, "Unsaved drafts", "Open the draft of:", labels, 0, False
        )
        if not ok:
            return
        draft = found[labels.index(chosen)]
        try:
            dialog = dialog_for_draft(self._context, draft.form_name, draft.record_key, self)
        except UserError as error:
            show_refusal(self, "Unsaved drafts", error)
            return
        if dialog is not None:
            if hasattr(dialog, "saved"):
                dialog.saved.connect(self.open_profile)
            dialog.exec()

    def _offer_drafts_after_start(self) -> None:
        from app.services import drafts

        with self._context.database.read() as session:
            count = len(drafts.list_drafts(session, self._context.actor))
        if count:
            self.statusBar().showMessage(
                f"{count} unsaved draft(s) from an earlier session: File > Resume an unsaved draft",
                30_000,
            )

    def _refresh_work_counts(self) -> None:
        """The navigation's counts of what waits for the user (approvals, unread messages)."""
        from app.services import activities, notifications

        with self._context.database.read() as session:
            unread = notifications.unread_count(session, self._context.actor)
            waiting = (
                activities.approval_count(session, self._context.actor)
                if self._approvals_holder is not None
                else 0
            )
        self._show_inbox_count(unread)
        if self._approvals_holder is not None:
            self._show_approvals_count(waiting)

    def _start_background_sender(self) -> None:
        self._refresh_work_counts()
        from app.views.inbox_view import BackgroundSender

        self.background_sender = BackgroundSender(self._context.database, self)
        self.background_sender.finished.connect(self._show_sent)
        self.background_sender.start()

    def _show_sent(self, text: str) -> None:
        if text and not text.startswith("sent 0,"):
            self.statusBar().showMessage(text, 10_000)

    def _forget_profile(self, offender_id: int) -> None:
        self.profile_windows.pop(offender_id, None)

    def closeEvent(self, event: QCloseEvent) -> None:
        for window in list(self.profile_windows.values()):
            if not window.close():
                event.ignore()
                return
        sender = getattr(self, "background_sender", None)
        if sender is not None:
            sender.stop()
        super().closeEvent(event)

    def _refresh_pages(self, _changes: object = None) -> None:
        self.offender_page.refresh()
        if self.workload_page is not None:
            self.workload_page.refresh()
        if self.approvals_page is not None:
            self.approvals_page.refresh()
        if self.inbox_page is not None:
            self.inbox_page.refresh()
        if self._painted_once:
            self._refresh_work_counts()
        if self.user_page is not None:
            self.user_page.refresh_if_loaded()

    def _show_fetch_problem(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Compact Office",
            f"<b>Compact Office {__version__}</b><p>Offender profiles, compact cases, "
            "activities and warrants for interstate-compact offices.</p>",
        )
