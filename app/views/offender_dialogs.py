"""The data-entry dialogs of profiles and cases: new and edited profile (with the duplicate check and
its certification), new case, case closure notice."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ConcurrencyConflict
from app.forms.activities import spec_for
from app.forms.case import CASE_FORM
from app.forms.fields import format_date
from app.forms.offender import OFFENDER_FORM
from app.models import Offender
from app.services import cases, policy, profiles
from app.services.profiles import PossibleMatch
from app.views.context import AppContext
from app.views.form_dialog import FormDialog
from app.views.service_calls import conflict_text

CERTIFY_TEXT = "None of these is the same person: create a new profile"


class PossibleMatchesDialog(QDialog):
    """Shows the profiles that may be the same person. The clerk opens one of them, or certifies that
    none is the same person (that certification is recorded on the new profile)."""

    CERTIFIED = 2
    OPEN_EXISTING = 3

    def __init__(self, matches: list[PossibleMatch], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Possible existing profiles")
        self.matches = matches
        self.chosen: PossibleMatch | None = None
        intro = QLabel(
            f"{len(matches)} existing profile(s) may be the same person. Open the right one "
            "instead of creating a duplicate, or certify that none is the same person."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(matches), 5)
        self.table.setAccessibleName("Possible matches")
        self.table.setHorizontalHeaderLabels(
            ["Offender #", "Name", "Date of birth", "Created by", "Why"]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, match in enumerate(matches):
            for column, text in enumerate(
                (
                    match.offender_number,
                    match.display_name,
                    format_date(match.date_of_birth),
                    match.created_by_state
                    + ("" if match.visible else " (ask that state's compact office)"),
                    ", ".join(match.reasons),
                )
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.selectRow(0)

        self.open_button = QPushButton("&Open the selected profile")
        self.certify_button = QPushButton(CERTIFY_TEXT)
        self.certify_button.setObjectName("certify")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.certify_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self._open_selected)
        self.certify_button.clicked.connect(lambda: self.done(self.CERTIFIED))
        self.table.itemSelectionChanged.connect(self._offer_open)
        self.table.doubleClicked.connect(self._open_selected)
        self._offer_open()

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 320)
        self.table.setFocus()

    def selected(self) -> PossibleMatch | None:
        rows = self.table.selectionModel().selectedRows()
        return self.matches[rows[0].row()] if rows else None

    def _offer_open(self) -> None:
        match = self.selected()
        self.open_button.setEnabled(bool(match and match.visible))
        self.open_button.setToolTip(
            ""
            if match is None or match.visible
            else "Not linked to your state: call "
            f"{match.created_by_state}'s compact office, or start your case on it from the profile"
        )

    def _open_selected(self, *_args) -> None:
        match = self.selected()
        if match is not None and match.visible:
            self.chosen = match
            self.done(self.OPEN_EXISTING)


class OffenderDialog(FormDialog):
    """New profile (offender_id None) or edit of an existing one."""

    open_existing = Signal(int)
    saved = Signal(int)

    def __init__(self, context: AppContext, offender_id: int | None = None, parent=None):
        values: dict[str, Any] | None = None
        self.offender_id = offender_id
        self.expected_version = 0
        if offender_id is not None:
            with context.database.read() as session:
                offender = policy.editable_offender(session, context.actor, offender_id)
                values = profiles.offender_form_values(offender)
                self.expected_version = offender.version
                title = f"Edit profile: {offender.display_name} ({offender.offender_number})"
        else:
            title = "New offender profile"
        super().__init__(
            context,
            OFFENDER_FORM,
            record_key=offender_id,
            values=values,
            title=title,
            parent=parent,
        )
        self.certified = False

    def before_save(self, values: dict[str, Any]) -> bool:
        if self.offender_id is not None:
            return True
        clean = profiles.clean_offender_values(values)  # ValidationError shows beside the fields
        with self.context.database.read() as session:
            matches = profiles.possible_matches(session, self.context.actor, clean)
        if not matches:
            return True
        choice = PossibleMatchesDialog(matches, self)
        outcome = choice.exec()
        if outcome == PossibleMatchesDialog.CERTIFIED:
            self.certified = True
            return True
        if outcome == PossibleMatchesDialog.OPEN_EXISTING and choice.chosen is not None:
            self.discard_draft()
            self.form.mark_clean()
            self.open_existing.emit(choice.chosen.offender_id)
            self.reject()
        return False

    def save(self, values: dict[str, Any]) -> bool:
        actor = self.context.actor
        with self.context.database.unit_of_work(actor) as session:
            if self.offender_id is None:
                offender = profiles.create_offender(
                    session, actor, values, certified_not_duplicate=self.certified
                )
            else:
                offender = profiles.update_offender(
                    session, actor, self.offender_id, self.expected_version, values
                )
            saved_id = offender.id
        self.context.events.changes_applied.emit({"offender_ids": {saved_id}})
        self.saved.emit(saved_id)
        return True

    def report_error(self, error: Exception) -> None:
        if isinstance(error, ConcurrencyConflict):
            # The user has now seen both versions; saving again is their informed choice.
            with self.context.database.read() as session:
                current = session.get(Offender, self.offender_id)
                self.expected_version = current.version if current else self.expected_version
            QMessageBox.warning(self, self.windowTitle(), conflict_text(error))
            return
        super().report_error(error)


class CaseDialog(FormDialog):
    """A new compact case on a profile, sent by the user's state."""

    def __init__(self, context: AppContext, offender_id: int, parent=None):
        self.offender_id = offender_id
        super().__init__(
            context,
            CASE_FORM,
            record_key=f"offender-{offender_id}",
            values={"sending_state": context.actor.jurisdiction_code},
            title="New compact case",
            parent=parent,
        )

    def save(self, values: dict[str, Any]) -> bool:
        actor = self.context.actor
        with self.context.database.unit_of_work(actor) as session:
            cases.create_case(session, actor, self.offender_id, values)
        self.context.events.changes_applied.emit({"offender_ids": {self.offender_id}})
        return True


CASE_CLOSURE_NOTICE_FORM = spec_for("case_closure_notice").form


class CaseClosureDialog(FormDialog):
    """The case closure notice sent to the other state; the case closes when it agrees."""

    def __init__(
        self, context: AppContext, case_id: int, case_number: str, version: int, parent=None
    ):
        self.case_id = case_id
        self.version = version
        super().__init__(
            context,
            CASE_CLOSURE_NOTICE_FORM,
            record_key=case_id,
            title=f"Case closure notice: case {case_number}",
            parent=parent,
        )

    def save(self, values: dict[str, Any]) -> bool:
        actor = self.context.actor
        with self.context.database.unit_of_work(actor) as session:
            cases.send_case_closure_notice(session, actor, self.case_id, self.version, values)
        self.context.events.changes_applied.emit(None)
        return True


def dialog_for_draft(
    context: AppContext, form_name: str, record_key: str, parent=None
) -> FormDialog | None:
    """The dialog a saved draft belongs to, so that work typed before a crash can be finished."""
    if form_name == OFFENDER_FORM.name:
        return OffenderDialog(context, None if record_key == "new" else int(record_key), parent)
    if form_name == CASE_FORM.name and record_key.startswith("offender-"):
        return CaseDialog(context, int(record_key.removeprefix("offender-")), parent)
    if form_name == CASE_CLOSURE_NOTICE_FORM.name and record_key.isdigit():
        with context.database.read() as session:
            case = cases.get_case(session, context.actor, int(record_key))
            number, version = case.case_number, case.version
        return CaseClosureDialog(context, int(record_key), number, version, parent)
    from app.views.probable_cause_dialog import dialog_for_probable_cause_draft
    from app.views.warrant_dialogs import dialog_for_warrant_draft

    dialog = dialog_for_warrant_draft(context, form_name, record_key, parent)
    if dialog is None:
        dialog = dialog_for_probable_cause_draft(context, form_name, record_key, parent)
    return dialog
