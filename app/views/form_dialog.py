"""The dialog every data-entry form opens in: Save and Cancel, drafts that outlive a crash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from app.core import clock
from app.core.errors import DatabaseUnavailable, UserError, ValidationError
from app.forms.fields import FormDefinition, format_date
from app.services import drafts
from app.views.context import AppContext
from app.views.form_widget import FormWidget

# Long enough not to write on every keystroke, short enough that a crash loses only a few words.
AUTOSAVE_DELAY_MS = 1000


def describe_moment(moment: datetime) -> str:
    """A saved time as a clerk reads it: 'today at 9:05 AM', or the local date and time of day."""
    local = moment.astimezone()
    day = "today" if local.date() == clock.today() else format_date(local.date())
    return f"{day} at {local.strftime('%I:%M %p').lstrip('0')}"


def choose(
    parent: QWidget,
    title: str,
    text: str,
    buttons: Sequence[tuple[str, QMessageBox.ButtonRole]],
    *,
    default: int = 0,
    escape: int | None = None,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
) -> int:
    """Asks with worded buttons; returns the index of the one pressed (`escape` for Esc)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    added = [box.addButton(label, role) for label, role in buttons]
    box.setDefaultButton(added[default])
    if escape is not None:
        box.setEscapeButton(added[escape])
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()  # a child of the dialog otherwise, one more for every question asked
    if clicked in added:
        return added.index(clicked)
    return escape if escape is not None else default


class FormDialog(QDialog):
    """Base of the data-entry dialogs, built on FormWidget.

    Subclasses implement `save(values)`, where `values` are the fields as typed (FormWidget.
    raw_values); it returns True once the record is written. A ValidationError it raises is shown
    beside the fields, any other UserError in a message box. `before_save(values)` runs first and
    may stop the save (returning False) after asking the user something, such as certifying that
    none of the possible duplicates is the same person.

    The draft of the form (per signed-in user, form name and `record_key`: "new" or the record's
    id) is written a second after the last change and on Ctrl+S, offered back when the same form
    is opened again for the same record, and deleted after a save or when the changes are
    discarded.
    """

    def __init__(
        self,
        context: AppContext,
        definition: FormDefinition,
        *,
        record_key: str | int | None = None,
        values: Mapping[str, Any] | None = None,
        title: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.record_key = drafts.NEW_RECORD_KEY if record_key is None else str(record_key)
        self.draft_saved_at: datetime | None = None
        self._draft_offered = False
        self._saving = False
        self.setWindowTitle(title or definition.title)
        self.setObjectName(f"form_dialog_{definition.name}")

        self.form = FormWidget(definition, self)
        if values:
            self.form.set_values(values)
        self.form.mark_clean()
        self.form.changed.connect(self._on_changed)
        self.form.submit_requested.connect(self.submit)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave_timer.timeout.connect(self.save_draft_now)

        self.status_label = QLabel()
        self.status_label.setObjectName("draft_status")
        self.status_label.setAccessibleName("Draft status")

        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save (Enter; Ctrl+Enter in a multi-line field)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel (Esc)")
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        draft_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        draft_shortcut.activated.connect(self.save_draft_now)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addLayout(bottom)
        self.setMinimumWidth(48 * self.fontMetrics().averageCharWidth())

    # ---- for subclasses -------------------------------------------------------------------

    def before_save(self, values: dict[str, Any]) -> bool:
        """A step before the real save; False stops it quietly (the user chose not to go on)."""
        return True

    def save(self, values: dict[str, Any]) -> bool:
        """Writes the record from the values as typed; True when written."""
        raise NotImplementedError

    def report_error(self, error: Exception) -> None:
        """A refusal that is not about one field, in words, in a message box."""
        QMessageBox.warning(self, self.windowTitle(), str(error))

    # ---- saving ---------------------------------------------------------------------------

    def submit(self) -> None:
        """Save: Enter, Ctrl+Enter in a multi-line field, or the Save button."""
        if self._saving or self.form.is_read_only():
            return
        self._saving = True
        try:
            saved = self._try_save(self.form.raw_values())
        finally:
            self._saving = False
        if saved:
            self.autosave_timer.stop()
            self.discard_draft()
            self.form.mark_clean()
            self.accept()

    def _try_save(self, values: dict[str, Any]) -> bool:
        try:
            if not self.before_save(values):
                return False
            saved = self.save(values)
        except ValidationError as exc:
            self.form.show_errors(exc.problems)
            self.form.focus_first_error()
            return False
        except (UserError, DatabaseUnavailable) as exc:
            self.report_error(exc)
            return False
        except SQLAlchemyError as exc:
            # Kept open with what was typed (and its draft) rather than lost with a crash.
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            self.report_error(UserError(f"Nothing was saved: the database answered: {detail}"))
            return False
        if saved:
            self.form.clear_errors()
        return bool(saved)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # QDialog presses the default button only for a plain Enter; Ctrl+Enter saves too.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit()
            return
        super().keyPressEvent(event)

    # ---- leaving --------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc, Cancel and closing the window: asks first only if something was changed."""
        if self.form.is_dirty():
            answer = choose(
                self,
                self.windowTitle(),
                "Discard your changes?",
                [
                    ("Discard changes", QMessageBox.ButtonRole.DestructiveRole),
                    ("Keep editing", QMessageBox.ButtonRole.RejectRole),
                ],
                default=1,
                escape=1,
            )
            if answer != 0:
                return
        self.autosave_timer.stop()
        if self.form.is_dirty() or self.draft_saved_at is not None:
            self.discard_draft()
        super().reject()

    # ---- drafts ---------------------------------------------------------------------------

    @property
    def form_name(self) -> str:
        return self.form.definition.name

    def _on_changed(self) -> None:
        self.autosave_timer.start()

    def save_draft_now(self) -> None:
        """Keeps what is typed as this user's draft (Ctrl+S, and a second after typing stops)."""
        self.autosave_timer.stop()
        if self.form.is_read_only():
            return
        context = self.context
        try:
            with context.database.unit_of_work(context.actor) as session:
                if self.form.is_dirty():
                    self.draft_saved_at = drafts.save_draft(
                        session,
                        context.actor,
                        self.form_name,
                        self.record_key,
                        self.form.raw_values(),
                    )
                else:
                    # Back to what was loaded: nothing left worth restoring.
                    drafts.discard_draft(session, context.actor, self.form_name, self.record_key)
                    self.draft_saved_at = None
        except (UserError, DatabaseUnavailable, SQLAlchemyError) as exc:
            # Typing goes on; the next pause tries again.
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            self.status_label.setText(f"Draft not saved: {detail}")
            return
        if self.draft_saved_at is not None:
            self.status_label.setText(f"Draft saved {describe_moment(self.draft_saved_at)}")
        else:
            self.status_label.clear()

    def discard_draft(self) -> None:
        """Deletes this user's draft of this form and record (after a save, or when told to)."""
        self.autosave_timer.stop()
        context = self.context
        try:
            with context.database.unit_of_work(context.actor) as session:
                drafts.discard_draft(session, context.actor, self.form_name, self.record_key)
        except (UserError, DatabaseUnavailable, SQLAlchemyError):
            # A draft left behind is offered again next time; nothing the user must act on now.
            pass
        self.draft_saved_at = None
        self.status_label.clear()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._draft_offered:
            self._draft_offered = True
            # Asked once the dialog is on screen, so the question appears over the form it is about.
            QTimer.singleShot(0, self, self.offer_draft)

    def offer_draft(self) -> bool:
        """If this user left a draft of this form and record, asks whether to restore it."""
        self._draft_offered = True
        context = self.context
        try:
            with context.database.read() as session:
                found = drafts.load_draft(session, context.actor, self.form_name, self.record_key)
        except (UserError, DatabaseUnavailable, SQLAlchemyError):
            return False
        if found is None:
            return False
        values, saved_at = found
        answer = choose(
            self,
            self.windowTitle(),
            f"You have a draft of this form, saved {describe_moment(saved_at)} and not yet "
            "saved as a record. Restore it?",
            [
                ("Restore draft", QMessageBox.ButtonRole.AcceptRole),
                ("Discard draft", QMessageBox.ButtonRole.DestructiveRole),
            ],
            default=0,
            # Esc keeps the typing: the safe answer when the user did not choose.
            escape=0,
        )
        if answer == 1:
            self.discard_draft()
            return False
        self.form.set_values(values)
        self.form.check_changed_fields()
        self.draft_saved_at = saved_at
        self.status_label.setText(f"Draft restored (saved {describe_moment(saved_at)})")
        return True
