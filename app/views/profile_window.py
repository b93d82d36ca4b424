"""The offender profile: a header always in sight (name, number, age, photo, special statuses) and
tabs for identity, cases, activities, warrant status, probable cause, notes and history."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.forms.fields import format_date
from app.forms.offender import OFFENDER_FORM
from app.services import cases, profiles, warrants
from app.services.cases import CaseActionKind
from app.services.profile_view import (
    ActivityLine,
    CaseLine,
    NoteLine,
    ProbableCauseLine,
    Profile,
    WarrantLine,
    load_profile,
)
from app.services.profiles import HistoryEntry
from app.services.warrants import WarrantActionKind
from app.views.columns import Column
from app.views.context import AppContext
from app.views.row_table import RowsTable
from app.views.service_calls import run_change, show_refusal

HISTORY_PAGE = 200


def _date(value) -> str:
    return format_date(value) if value else ""


def _stamp(value) -> str:
    return value.astimezone().strftime("%m/%d/%Y %H:%M") if value else ""


CASE_COLUMNS = (
    Column[CaseLine]("Case #", lambda c: c.case_number),
    Column[CaseLine]("Status", lambda c: c.status),
    Column[CaseLine]("Sending", lambda c: c.sending_state),
    Column[CaseLine]("Receiving", lambda c: c.receiving_state),
    Column[CaseLine]("Supervision", lambda c: c.supervision),
    Column[CaseLine]("Sending officer", lambda c: c.sending_officer),
    Column[CaseLine]("Receiving officer", lambda c: c.receiving_officer),
    Column[CaseLine]("Opened", lambda c: _stamp(c.opened)),
)
ACTIVITY_COLUMNS = (
    Column[ActivityLine]("Activity #", lambda a: a.activity_number),
    Column[ActivityLine]("Case #", lambda a: a.case_number),
    Column[ActivityLine]("Type", lambda a: a.kind),
    Column[ActivityLine]("From", lambda a: a.from_state),
    Column[ActivityLine]("To", lambda a: a.to_state),
    Column[ActivityLine]("Status", lambda a: a.status),
    Column[ActivityLine]("Created", lambda a: _stamp(a.created_at)),
    Column[ActivityLine]("Due", lambda a: _date(a.due_date)),
    Column[ActivityLine]("Overdue", lambda a: "OVERDUE" if a.overdue else ""),
)


def _warrant_state(line: WarrantLine) -> str:
    """The status in words, with the marks a clerk acts on: historical (served or withdrawn, so
    read-only) and incomplete."""
    if line.historical:
        return f"{line.status} \u2014 historical"
    if line.incomplete:
        return f"{line.status} \u2014 incomplete"
    return line.status


WARRANT_COLUMNS = (
    Column[WarrantLine]("Warrant status #", lambda w: w.warrant_status_id),
    Column[WarrantLine]("Status", _warrant_state),
    Column[WarrantLine]("Issued", lambda w: _date(w.issued_date)),
    Column[WarrantLine]("Issuing authority", lambda w: w.issuing_authority),
    Column[WarrantLine]("Warrant #", lambda w: w.warrant_identifier or ""),
    Column[WarrantLine]("NCIC entry", lambda w: _date(w.ncic_entry_date)),
    Column[WarrantLine]("Served", lambda w: _date(w.served_date)),
    Column[WarrantLine]("Withdrawn", lambda w: _date(w.withdrawn_date)),
)
PROBABLE_CAUSE_COLUMNS = (
    Column[ProbableCauseLine]("Case #", lambda p: p.case_number),
    Column[ProbableCauseLine]("Hearing", lambda p: _date(p.hearing_date)),
    Column[ProbableCauseLine](
        "Probable cause",
        lambda p: (
            "Waived"
            if p.waived
            else {True: "Established", False: "Not established"}.get(p.established, "")
        ),
    ),
    Column[ProbableCauseLine]("Report received", lambda p: _date(p.report_received_date)),
    # Rule 5.108(f): the sending state's decision, counted from the hearing report's receipt.
    Column[ProbableCauseLine](
        "Decision due (5.108(f))",
        lambda p: _date(p.decision_due.due_date) if p.decision_due else "",
    ),
    Column[ProbableCauseLine]("Description", lambda p: p.description or ""),
)
# Keys the warrant buttons answer to (Alt+letter), chosen clear of the toolbar's (E, N, R, C) and
# the tabs' (I, C, T, W, P, O, S); the probable cause tab uses the same two for the same actions.
WARRANT_BUTTON_TEXTS = {
    WarrantActionKind.NEW: "New warrant stat&us record…",
    WarrantActionKind.EDIT: "E&dit…",
    WarrantActionKind.SERVE: "&Mark served…",
    WarrantActionKind.WITHDRAW: "Mar&k withdrawn…",
    WarrantActionKind.COMMENT: "&Add comment…",
}
WARRANT_BUTTON_HINTS = {
    WarrantActionKind.NEW: "Add a warrant status record to this profile",
    WarrantActionKind.EDIT: "Change the selected record while it is Active (double-click a row)",
    WarrantActionKind.SERVE: "Record the date the warrant was served; the record becomes read-only",
    WarrantActionKind.WITHDRAW: "Record the date the warrant was withdrawn; the record becomes "
    "read-only",
    WarrantActionKind.COMMENT: "Add a dated comment to the selected record, even a historical one",
}
NOTE_COLUMNS = (
    Column[NoteLine]("When", lambda n: _stamp(n.at)),
    Column[NoteLine]("Case #", lambda n: n.case_number),
    Column[NoteLine]("By", lambda n: n.author),
    Column[NoteLine]("Note", lambda n: n.text),
)
HISTORY_COLUMNS = (
    Column[HistoryEntry]("When", lambda h: _stamp(h.at)),
    Column[HistoryEntry]("Who", lambda h: h.actor_name),
    Column[HistoryEntry]("Action", lambda h: h.action.replace("_", " ")),
    Column[HistoryEntry]("Record", lambda h: f"{h.entity.replace('_', ' ')} {h.entity_id or ''}"),
    Column[HistoryEntry]("Field", lambda h: (h.field or h.note or "").replace("_", " ")),
    Column[HistoryEntry]("From", lambda h: "" if h.old is None else str(h.old)),
    Column[HistoryEntry]("To", lambda h: "" if h.new is None else str(h.new)),
)


def _badge(text: str) -> QLabel:
    """Text in a frame: the words carry the meaning, the colour only draws the eye."""
    label = QLabel(text)
    label.setObjectName("badge")
    label.setStyleSheet(
        "QLabel#badge { border: 1px solid #8a1c1c; border-radius: 3px; padding: 2px 6px;"
        " color: #8a1c1c; font-weight: bold; }"
    )
    return label


class ProfileWindow(QWidget):
    """One profile; several can be open side by side. Reloads when any view reports a change."""

    closed = Signal(int)
    edit_requested = Signal(int)
    new_case_requested = Signal(int)

    def __init__(self, context: AppContext, offender_id: int, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.context = context
        self.offender_id = offender_id
        self.profile: Profile | None = None
        self._history_before: int | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1100, 720)

        self.name_label = QLabel()
        self.name_label.setObjectName("profileName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.number_label = QLabel()
        self.age_label = QLabel()
        self.photo = QLabel("No photo")
        self.photo.setFixedSize(72, 90)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setFrameShape(QFrame.Shape.Box)
        self.badges = QHBoxLayout()

        self.tabs = QTabWidget()
        self.identity_form = QFormLayout()
        self.identity_values: dict[str, QLabel] = {}
        self.aliases_label = QLabel()
        self.reveal_button = QPushButton("Re&veal SSN")
        self.case_table = RowsTable(CASE_COLUMNS, "Compact cases")
        self.show_historical = QCheckBox("Show &historical cases")
        self.case_buttons: dict[CaseActionKind, QPushButton] = {}
        self.activity_table = RowsTable(ACTIVITY_COLUMNS, "Activities")
        self.warrant_table = RowsTable(WARRANT_COLUMNS, "Warrant status records")
        self.warrant_buttons: dict[WarrantActionKind, QPushButton] = {}
        self.warrant_details = QPlainTextEdit()
        self.probable_cause_table = RowsTable(PROBABLE_CAUSE_COLUMNS, "Probable cause records")
        self.note_table = RowsTable(NOTE_COLUMNS, "Notes")
        self.history_table = RowsTable(HISTORY_COLUMNS, "History")
        self.older_button = QPushButton("Load &older changes")
        self._history: list[HistoryEntry] = []

        self._build()
        context.events.changes_applied.connect(self._on_changes)
        self.reload()

    # --- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        toolbar = QToolBar()
        for text, keys, slot in (
            ("&Edit profile…", "Ctrl+E", lambda: self.edit_requested.emit(self.offender_id)),
            ("&New case…", "Ctrl+N", lambda: self.new_case_requested.emit(self.offender_id)),
            ("&Refresh", "F5", self.reload),
            ("&Close", "Ctrl+W", self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({keys})")
            action.triggered.connect(slot)
            toolbar.addAction(action)
            self.addAction(action)
        self.toolbar = toolbar

        header_text = QVBoxLayout()
        header_text.addWidget(self.name_label)
        header_text.addWidget(self.number_label)
        header_text.addWidget(self.age_label)
        header_text.addLayout(self.badges)
        header = QHBoxLayout()
        header.addWidget(self.photo)
        header.addLayout(header_text, 1)

        self.tabs.addTab(self._identity_tab(), "&Identity")
        self.tabs.addTab(self._cases_tab(), "Compact &cases")
        self.tabs.addTab(self.activity_table, "Ac&tivities")
        self.activity_table.activated.connect(lambda _index: self.open_selected_activity())
        self.tabs.addTab(self._warrant_tab(), "&Warrant status")
        self.tabs.addTab(self._probable_cause_tab(), "&Probable cause")
        self.tabs.addTab(self.note_table, "N&otes")
        self.tabs.addTab(self._history_tab(), "Hi&story")
        for index in range(self.tabs.count()):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Alt+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            self.addAction(action)

        layout = QVBoxLayout(self)
        layout.setMenuBar(toolbar)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)

    def _identity_tab(self) -> QWidget:
        page = QWidget()
        for form_field in OFFENDER_FORM.fields:
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(form_field.label)
            self.identity_values[form_field.name] = value
            if form_field.name == "ssn":
                row = QHBoxLayout()
                row.addWidget(value)
                row.addWidget(self.reveal_button)
                row.addStretch(1)
                self.identity_form.addRow(form_field.label + ":", row)
            else:
                self.identity_form.addRow(form_field.label + ":", value)
        self.created_by_label = QLabel()
        self.identity_form.addRow("Created by:", self.created_by_label)
        self.identity_form.addRow("Aliases:", self.aliases_label)
        self.reveal_button.setToolTip("Shows the full SSN; every reveal is recorded in the history")
        self.reveal_button.clicked.connect(self.reveal_ssn)
        page.setLayout(self.identity_form)
        return page

    def _cases_tab(self) -> QWidget:
        page = QWidget()
        buttons = QHBoxLayout()
        for kind in CaseActionKind:
            button = QPushButton(cases.ACTION_LABELS[kind] + "…")
            button.setObjectName(f"case_{kind.value}")
            button.clicked.connect(lambda _=False, k=kind: self.run_case_action(k))
            self.case_buttons[kind] = button
            buttons.addWidget(button)
        self.new_activity_button = QPushButton("New &activity…")
        self.new_activity_button.setObjectName("new_activity")
        self.new_activity_button.setToolTip("Start an activity on the selected case (Ctrl+Shift+A)")
        self.new_activity_button.clicked.connect(self.start_activity)
        buttons.addWidget(self.new_activity_button)
        new_activity = QAction(self)
        new_activity.setShortcut(QKeySequence("Ctrl+Shift+A"))
        new_activity.triggered.connect(self.start_activity)
        self.addAction(new_activity)
        buttons.addStretch(1)
        buttons.addWidget(self.show_historical)
        layout = QVBoxLayout(page)
        layout.addWidget(self.case_table, 1)
        layout.addLayout(buttons)
        self.show_historical.toggled.connect(self._show_cases)
        self.case_table.selectionModel().currentRowChanged.connect(self._offer_case_actions)
        return page

    def _warrant_tab(self) -> QWidget:
        from app.views.warrant_dialogs import disclaimer_label

        page = QWidget()
        buttons = QHBoxLayout()
        for kind, text in WARRANT_BUTTON_TEXTS.items():
            button = QPushButton(text)
            button.setObjectName(f"warrant_{kind.value}")
            button.clicked.connect(lambda _=False, k=kind: self.run_warrant_action(k))
            self.warrant_buttons[kind] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.warrant_details.setReadOnly(True)
        self.warrant_details.setObjectName("warrant_details")
        self.warrant_details.setAccessibleName("Selected warrant status record")
        lines = self.warrant_details.fontMetrics().lineSpacing() * 7
        self.warrant_details.setFixedHeight(lines + 2 * self.warrant_details.frameWidth() + 8)
        details = QGroupBox("Selected record")
        details_layout = QVBoxLayout(details)
        details_layout.addWidget(self.warrant_details)
        layout = QVBoxLayout(page)
        layout.addWidget(disclaimer_label())
        layout.addLayout(buttons)
        layout.addWidget(self.warrant_table, 1)
        layout.addWidget(details)
        self.warrant_table.selectionModel().currentRowChanged.connect(self._offer_warrant_actions)
        self.warrant_table.activated.connect(lambda _index: self._edit_on_activation())
        return page

    def _probable_cause_tab(self) -> QWidget:
        page = QWidget()
        self.new_probable_cause_button = QPushButton("New probable ca&use record…")
        self.new_probable_cause_button.setObjectName("probable_cause_new")
        self.new_probable_cause_button.clicked.connect(self.new_probable_cause)
        self.edit_probable_cause_button = QPushButton("E&dit…")
        self.edit_probable_cause_button.setObjectName("probable_cause_edit")
        self.edit_probable_cause_button.clicked.connect(self.edit_probable_cause)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_probable_cause_button)
        buttons.addWidget(self.edit_probable_cause_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(buttons)
        layout.addWidget(self.probable_cause_table, 1)
        self.probable_cause_table.selectionModel().currentRowChanged.connect(
            self._offer_probable_cause_actions
        )
        self.probable_cause_table.activated.connect(lambda _index: self.edit_probable_cause())
        return page

    def _history_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.history_table, 1)
        layout.addWidget(self.older_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.older_button.clicked.connect(self.load_older_history)
        return page

    # --- showing -----------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            with self.context.database.read() as session:
                profile = load_profile(session, self.context.actor, self.offender_id)
                history = profiles.history(
                    session, self.context.actor, self.offender_id, limit=HISTORY_PAGE
                )
        except UserError as error:
            show_refusal(self, "Offender profile", error)
            self.close()
            return
        self.profile = profile
        self._history = list(history)
        self._show(profile)

    def _show(self, profile: Profile) -> None:
        header = profile.header
        self.setWindowTitle(f"{header.display_name} — {header.offender_number}")
        self.name_label.setText(header.display_name)
        self.number_label.setText(f"Offender # {header.offender_number}")
        born = _date(header.date_of_birth)
        self.age_label.setText(
            f"Age {header.age} (born {born})" if header.age is not None else "Date of birth unknown"
        )
        while self.badges.count():
            item = self.badges.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for text in header.badges:
            self.badges.addWidget(_badge(text))
        self.badges.addStretch(1)
        for name, label in self.identity_values.items():
            label.setText(self._identity_text(name, profile.identity.get(name)))
        self.created_by_label.setText(profile.created_by_state)
        self.aliases_label.setText(
            "; ".join(
                a.display_name + (f" (born {_date(a.date_of_birth)})" if a.date_of_birth else "")
                for a in profile.aliases
            )
            or "none"
        )
        self.reveal_button.setEnabled(bool(profile.identity.get("ssn")))
        self._show_cases()
        self.activity_table.set_rows(profile.activities)
        self._show_warrants()
        self._show_probable_cause()
        self.note_table.set_rows(profile.notes)
        self.history_table.set_rows(self._history)
        self.older_button.setEnabled(len(self._history) >= HISTORY_PAGE)

    @staticmethod
    def _identity_text(name: str, value) -> str:
        form_field = OFFENDER_FORM.field(name)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if hasattr(value, "strftime"):
            return _date(value)
        labels = dict(form_field.choices)
        return labels.get(value, str(value))

    def _show_cases(self) -> None:
        if self.profile is None:
            return
        shown = [c for c in self.profile.cases if c.is_active or self.show_historical.isChecked()]
        self.case_table.set_rows(shown)
        if shown:
            self.case_table.selectRow(0)
        self._offer_case_actions()

    def _show_warrants(self, select_id: int | None = None) -> None:
        if self.profile is None:
            return
        current = self.selected_warrant()
        wanted = select_id if select_id is not None else (current.record_id if current else None)
        self.warrant_table.set_rows(self.profile.warrants)
        self._select_row(self.warrant_table, lambda w: w.record_id == wanted)
        self._offer_warrant_actions()

    @staticmethod
    def _select_row(table: RowsTable, matches) -> None:
        """Keeps the row the user was on across a reload (the first row when it is gone)."""
        rows = table.rows_model.rows
        found = next((i for i, row in enumerate(rows) if matches(row)), 0 if rows else None)
        if found is not None:
            index = table.proxy.mapFromSource(table.rows_model.index(found, 0))
            table.selectRow(index.row())

    def selected_warrant(self) -> WarrantLine | None:
        return self.warrant_table.current_row()

    def warrant_actions(self) -> dict[WarrantActionKind, warrants.WarrantAction]:
        right = self.profile.warrant_entry if self.profile else (False, "")
        return {a.kind: a for a in warrants.record_actions(self.selected_warrant(), right)}

    def _offer_warrant_actions(self, *_args) -> None:
        actions = self.warrant_actions()
        for kind, button in self.warrant_buttons.items():
            action = actions[kind]
            button.setEnabled(action.available)
            label = warrants.ACTION_LABELS[kind]
            key = WARRANT_BUTTON_TEXTS[kind].split("&", 1)[1][0].upper()
            reason = WARRANT_BUTTON_HINTS[kind] if action.available else action.explanation
            button.setToolTip(f"{label}: {reason} (Alt+{key})")
        self.warrant_details.setPlainText(self._warrant_text(self.selected_warrant()))

    @staticmethod
    def _warrant_text(line: WarrantLine | None) -> str:
        if line is None:
            return "No warrant status record on this profile."
        state = _warrant_state(line)
        missing = [
            what
            for what, blank in (
                ("issuing authority", not line.issuing_authority.strip()),
                ("NCIC entry date", line.ncic_entry_date is None),
            )
            if blank
        ]
        if line.incomplete:
            state += f" (missing: {', '.join(missing)})"
        elif line.historical:
            ended = (
                f"served {_date(line.served_date)}"
                if line.served_date
                else f"withdrawn {_date(line.withdrawn_date)}"
            )
            state += f" ({ended}; read-only, comments may still be added)"
        lines = [
            f"{line.warrant_status_id}: {state}",
            f"Requested {_date(line.requested_date) or '—'}; issued {_date(line.issued_date)} by "
            f"{line.issuing_authority}",
            f"Contact: {line.issuing_authority_contact or '—'}",
            f"Created {_stamp(line.created_ts)} by {line.created_by}; last updated "
            f"{_stamp(line.updated_ts)} by {line.updated_by}",
            "Comments:",
            line.comments or "—",
        ]
        return "\n".join(lines)

    def _show_probable_cause(self) -> None:
        if self.profile is None:
            return
        current = self.probable_cause_table.current_row()
        wanted = current.record_id if current else None
        self.probable_cause_table.set_rows(self.profile.probable_cause)
        self._select_row(self.probable_cause_table, lambda p: p.record_id == wanted)
        self._offer_probable_cause_actions()

    def _offer_probable_cause_actions(self, *_args) -> None:
        own = dict(self.profile.probable_cause_cases) if self.profile else {}
        new = self.new_probable_cause_button
        new.setEnabled(bool(own))
        new.setToolTip(
            "New probable cause record: a hearing or its waiver, on one of this profile's cases "
            "(Alt+U)"
            if own
            else "New probable cause record: only the sending and receiving states of a case "
            "record its probable cause hearings, and none of this profile's cases is your state's"
        )
        line = self.probable_cause_table.current_row()
        edit = self.edit_probable_cause_button
        edit.setEnabled(line is not None and line.case_id in own)
        if line is None:
            edit.setToolTip("Edit: select a probable cause record")
        elif line.case_id in own:
            edit.setToolTip("Edit: change the selected probable cause record (Alt+D)")
        else:
            edit.setToolTip(
                f"Edit: only the sending and receiving states of case {line.case_number} change "
                "its probable cause records"
            )

    def selected_case(self) -> CaseLine | None:
        return self.case_table.current_row()

    def _offer_case_actions(self, *_args) -> None:
        case = self.selected_case()
        actions = {a.kind: a for a in case.actions} if case else {}
        for kind, button in self.case_buttons.items():
            action = actions.get(kind)
            button.setEnabled(bool(action and action.available))
            label = cases.ACTION_LABELS[kind]
            button.setToolTip(f"{label}: {action.explanation}" if action else "Select a case")

    # --- acting ------------------------------------------------------------------------------

    def reveal_ssn(self) -> None:
        ssn = run_change(
            self,
            self.context,
            "Reveal SSN",
            lambda session: profiles.reveal_ssn(session, self.context.actor, self.offender_id),
            changed={"offender_ids": {self.offender_id}},
        )
        if ssn:
            self.identity_values["ssn"].setText(f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}")

    def run_case_action(self, kind: CaseActionKind) -> None:
        case = self.selected_case()
        if case is None:
            return
        actor = self.context.actor
        title = f"{cases.ACTION_LABELS[kind]}: case {case.case_number}"
        if kind is CaseActionKind.REMOVE_INTEREST:
            answer = QMessageBox.question(
                self, title, f"Remove interest in case {case.case_number}? The case is deleted."
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            work = lambda s: cases.remove_interest(s, actor, case.case_id, case.version)  # noqa: E731
        elif kind in (CaseActionKind.WITHDRAW, CaseActionKind.REOPEN):
            reason, ok = QInputDialog.getMultiLineText(self, title, "Reason (required):")
            if not ok:
                return
            service = cases.withdraw_case if kind is CaseActionKind.WITHDRAW else cases.reopen_case
            work = lambda s: service(s, actor, case.case_id, case.version, reason)  # noqa: E731
        elif kind is CaseActionKind.CLOSE:
            from app.views.offender_dialogs import CaseClosureDialog

            dialog = CaseClosureDialog(
                self.context, case.case_id, case.case_number, case.version, self
            )
            dialog.exec()
            return
        else:
            agree = self._ask_agreement(title)
            if agree is None:
                return
            comment = ""
            if not agree:
                comment, ok = QInputDialog.getMultiLineText(
                    self, title, "Why do you disagree? (required)"
                )
                if not ok:
                    return
            work = lambda s: cases.reply_to_case_closure(  # noqa: E731
                s, actor, case.case_id, case.version, agree, comment
            )
        done = run_change(
            self, self.context, title, work, changed={"offender_ids": {self.offender_id}}
        )
        if done is None:
            # Refused (perhaps somebody changed the case meanwhile): show what is true now.
            self.reload()

    def start_activity(self) -> None:
        """Offers the activity types the rules allow on the selected case; the others, why not."""
        case = self.selected_case()
        if case is None:
            QMessageBox.information(self, "New activity", "Select a case first.")
            return
        from app.services import activities
        from app.views.activity_dialogs import ActivityFormDialog

        with self.context.database.read() as session:
            options = activities.type_options(
                session,
                self.context.actor,
                cases.get_case(session, self.context.actor, case.case_id),
            )
        allowed = [option for option in options if option.available]
        if not allowed:
            reasons = "\n".join(f"{o.spec.label}: {o.explanation}" for o in options)
            QMessageBox.information(self, "New activity", f"No activity can be started:\n{reasons}")
            return
        labels = [option.spec.label for option in allowed]
        chosen, ok = QInputDialog.getItem(
            self, f"New activity: case {case.case_number}", "Activity:", labels, 0, False
        )
        if not ok:
            return
        option = allowed[labels.index(chosen)]
        dialog = ActivityFormDialog(
            self.context,
            option.spec.type,
            case_id=case.case_id,
            case_number=case.case_number,
            reply_to_id=option.reply_to_id,
            parent=self,
        )
        dialog.saved.connect(self.open_activity)
        dialog.exec()

    def open_selected_activity(self) -> None:
        line = self.activity_table.current_row()
        if line is not None:
            self.open_activity(line.activity_id)

    def open_activity(self, activity_id: int) -> None:
        from app.views.activity_dialogs import ActivityWindow

        ActivityWindow(self.context, activity_id, self).exec()

    def _ask_agreement(self, title: str) -> bool | None:
        box = QMessageBox(
            QMessageBox.Icon.Question, title, "Do you agree to close the case?", parent=self
        )
        agree = box.addButton("&Agree", QMessageBox.ButtonRole.YesRole)
        disagree = box.addButton("&Disagree", QMessageBox.ButtonRole.NoRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is agree:
            return True
        if clicked is disagree:
            return False
        return None

    def run_warrant_action(self, kind: WarrantActionKind) -> None:
        """Opens the dialog of a warrant action the rules allow (the buttons say when not)."""
        from app.views.warrant_dialogs import (
            WarrantCloseDialog,
            WarrantCommentDialog,
            WarrantRecordDialog,
        )

        action = self.warrant_actions()[kind]
        if not action.available:
            return
        line = self.selected_warrant()
        try:
            if kind is WarrantActionKind.NEW:
                dialog = WarrantRecordDialog(
                    self.context, offender_id=self.offender_id, parent=self
                )
            elif line is None:
                return
            elif kind is WarrantActionKind.EDIT:
                dialog = WarrantRecordDialog(self.context, record_id=line.record_id, parent=self)
            elif kind is WarrantActionKind.COMMENT:
                dialog = WarrantCommentDialog(
                    self.context, line, offender_id=self.offender_id, parent=self
                )
            else:
                dialog = WarrantCloseDialog(
                    self.context,
                    line,
                    served=kind is WarrantActionKind.SERVE,
                    offender_id=self.offender_id,
                    parent=self,
                )
        except UserError as error:
            show_refusal(self, warrants.ACTION_LABELS[kind], error)
            self.reload()
            return
        dialog.saved.connect(lambda record_id: self._show_warrants(select_id=record_id))
        dialog.exec()

    def _edit_on_activation(self) -> None:
        if self.warrant_actions()[WarrantActionKind.EDIT].available:
            self.run_warrant_action(WarrantActionKind.EDIT)

    def new_probable_cause(self) -> None:
        from app.views.probable_cause_dialog import ProbableCauseDialog

        if self.profile is None or not self.profile.probable_cause_cases:
            return
        dialog = ProbableCauseDialog(
            self.context,
            offender_id=self.offender_id,
            cases=self.profile.probable_cause_cases,
            parent=self,
        )
        dialog.exec()

    def edit_probable_cause(self) -> None:
        from app.views.probable_cause_dialog import ProbableCauseDialog

        line = self.probable_cause_table.current_row()
        own = dict(self.profile.probable_cause_cases) if self.profile else {}
        if line is None or line.case_id not in own:
            return
        try:
            dialog = ProbableCauseDialog(
                self.context, offender_id=self.offender_id, record_id=line.record_id, parent=self
            )
        except UserError as error:
            show_refusal(self, "Edit probable cause record", error)
            return
        dialog.exec()

    def load_older_history(self) -> None:
        if not self._history:
            return
        with self.context.database.read() as session:
            older = profiles.history(
                session,
                self.context.actor,
                self.offender_id,
                before_id=self._history[-1].id,
                limit=HISTORY_PAGE,
            )
        self._history.extend(older)
        self.history_table.set_rows(self._history)
        self.older_button.setEnabled(len(older) >= HISTORY_PAGE)

    def _on_changes(self, _changes: object) -> None:
        if self.isVisible():
            self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit(self.offender_id)
        super().closeEvent(event)
