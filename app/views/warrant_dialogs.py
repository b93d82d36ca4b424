"""The warrant status dialogs: the record form, marking it served or withdrawn, and a comment."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.core.errors import ConcurrencyConflict
from app.core.vocabulary import WARRANT_DISCLAIMER, WarrantStatus
from app.forms.fields import FormDefinition
from app.forms.warrant import (
    COMMENT_FORM,
    NIC_PATTERN,
    SERVE_FORM,
    WARRANT_FORM,
    WITHDRAW_FORM,
    normalise_nic,
    status_for,
    warrant_notes,
)
from app.models import WarrantStatusRecord
from app.services import warrants
from app.views.context import AppContext
from app.views.form_dialog import FormDialog
from app.views.service_calls import conflict_text

# A note is advice, not a refusal: the icon and the word 'Note' say so, the colour only helps.
NOTE_COLOUR = "#1f4e79"

_STATUS_WORDS = {
    WarrantStatus.ACTIVE: "Active",
    WarrantStatus.EXECUTED: "Executed (served): the record becomes read-only once saved",
    WarrantStatus.WITHDRAWN: "Withdrawn: the record becomes read-only once saved",
}


def disclaimer_label() -> QLabel:
    """Seed 002's disclaimer, as every warrant screen shows it."""
    label = QLabel(WARRANT_DISCLAIMER)
    label.setObjectName("warrant_disclaimer")
    label.setWordWrap(True)
    label.setFrameShape(QFrame.Shape.StyledPanel)
    label.setMargin(6)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName("Warrant status disclaimer")
    return label


class _Note(QWidget):
    """An information icon and a remark beside a field; saving goes ahead regardless."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.icon = icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        pixmap = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        if pixmap.isNull():
            icon.setText("\u2139")
        else:
            icon.setPixmap(pixmap.pixmap(size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setObjectName("note_text")
        self.text.setWordWrap(True)
        self.text.setStyleSheet(f"color: {NOTE_COLOUR};")
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)

    def icon_width(self) -> int:
        layout = self.layout()
        return self.icon.sizeHint().width() + (layout.spacing() if layout else 0)


class _WarrantDialog(FormDialog):
    """What the warrant dialogs share: the disclaimer on top, the refusal of a stale save."""

    saved = Signal(int)

    def __init__(
        self,
        context: AppContext,
        definition: FormDefinition,
        *,
        offender_id: int,
        record_id: int | None,
        expected_version: int,
        record_key: str | int,
        values: dict[str, Any] | None,
        title: str,
        intro: str = "",
        parent: QWidget | None = None,
    ):
        self.offender_id = offender_id
        self.record_id = record_id
        self.expected_version = expected_version
        super().__init__(
            context, definition, record_key=record_key, values=values, title=title, parent=parent
        )
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, disclaimer_label())
        if intro:
            explained = QLabel(intro)
            explained.setObjectName("warrant_intro")
            explained.setWordWrap(True)
            layout.insertWidget(1, explained)

    def write(self, session: Session, values: dict[str, Any]) -> WarrantStatusRecord:
        """The service call of the dialog; returns the record written."""
        raise NotImplementedError

    def save(self, values: dict[str, Any]) -> bool:
        actor = self.context.actor
        with self.context.database.unit_of_work(actor) as session:
            record_id = self.write(session, values).id
        self.context.events.changes_applied.emit({"offender_ids": {self.offender_id}})
        self.saved.emit(record_id)
        return True

    def report_error(self, error: Exception) -> None:
        if isinstance(error, ConcurrencyConflict) and self.record_id is not None:
            # The user has now seen both versions; saving again is their informed choice.
            with self.context.database.read() as session:
                current = warrants.get_record(session, self.context.actor, self.record_id)
                self.expected_version = current.version
            QMessageBox.warning(self, self.windowTitle(), conflict_text(error))
            return
        super().report_error(error)


class WarrantRecordDialog(_WarrantDialog):
    """A new record on a profile (record_id None) or the edit of an Active one."""

    def __init__(
        self,
        context: AppContext,
        *,
        offender_id: int | None = None,
        record_id: int | None = None,
        parent: QWidget | None = None,
    ):
        values = None
        version = 0
        if record_id is not None:
            with context.database.read() as session:
                record = warrants.get_record(session, context.actor, record_id)
                values = warrants.form_values(record)
                version = record.version
                offender_id = record.offender_id
                title = f"Edit warrant status record {record.warrant_status_id}"
        else:
            title = "New warrant status record"
        if offender_id is None:
            raise ValueError("a new warrant status record needs the profile it belongs to")
        super().__init__(
            context,
            WARRANT_FORM,
            offender_id=offender_id,
            record_id=record_id,
            expected_version=version,
            record_key=record_id if record_id is not None else f"offender-{offender_id}",
            values=values,
            title=title,
            parent=parent,
        )
        self.status_line = QLabel()
        self.status_line.setObjectName("warrant_status_line")
        self.status_line.setAccessibleName("Status")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.status_line)

        self.nic_note = _Note()
        self.nic_note.setObjectName("warrant_identifier_note")
        identifier = self.form.editor("warrant_identifier")
        assert isinstance(identifier, QLineEdit)
        box = identifier.parentWidget()
        rows = box.layout() if box is not None else None
        assert isinstance(rows, QFormLayout)
        row, _role = rows.getWidgetPosition(identifier)
        # Below the field's problem line, so that a refusal and a remark never share a line.
        rows.insertRow(row + 2, "", self.nic_note)
        identifier.editingFinished.connect(self._tidy_identifier)
        box.installEventFilter(self)
        self.form.changed.connect(self.refresh_notes)
        self.refresh_notes()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            # Once the rows have their new geometry.
            QTimer.singleShot(0, self, self._fit_note)
        return super().eventFilter(watched, event)

    def _fit_note(self) -> None:
        """A wrapped note gets the height its lines need at the field's width: QFormLayout guesses
        a width for wrapped text and would cut the second line off (as FormWidget does for its
        problems)."""
        text = self.nic_note.text
        width = text.width() if text.isVisible() else 0
        if width <= 0:
            width = self.form.editor("warrant_identifier").width() - self.nic_note.icon_width()
        if width > 0 and text.text():
            height = text.heightForWidth(width)
            text.setMinimumHeight(height)
            self.nic_note.setMinimumHeight(height)
            layout = self.layout()
            if layout is not None:
                layout.activate()
            # A taller note must not push the form's last rows out of a dialog already shown.
            needed = self.sizeHint().height()
            if self.isVisible() and self.height() < needed:
                self.resize(self.width(), needed)

    def _tidy_identifier(self) -> None:
        editor = self.form.editor("warrant_identifier")
        assert isinstance(editor, QLineEdit)
        tidy = normalise_nic(editor.text())
        if tidy and NIC_PATTERN.fullmatch(tidy) and tidy != editor.text():
            editor.setText(tidy)

    def _parsed(self, name: str) -> Any:
        try:
            return WARRANT_FORM.field(name).parse(self.form.raw_values().get(name))
        except ValueError:
            return None

    def note_text(self) -> str:
        """The remark shown beside the warrant identifier ('' when none)."""
        notes = dict(warrant_notes({"warrant_identifier": self._parsed("warrant_identifier")}))
        note = notes.get("warrant_identifier", "")
        return f"Note: {note}." if note else ""

    def refresh_notes(self) -> None:
        text = self.note_text()
        self.nic_note.text.setText(text)
        rows = self.nic_note.parentWidget().layout() if self.nic_note.parentWidget() else None
        if isinstance(rows, QFormLayout):
            rows.setRowVisible(self.nic_note, bool(text))
        QTimer.singleShot(0, self, self._fit_note)
        self.form.editor("warrant_identifier").setAccessibleDescription(text)
        status = status_for(self._parsed("served_date"), self._parsed("withdrawn_date"))
        self.status_line.setText(
            f"Status: {_STATUS_WORDS[status]} (it follows from the dates served and withdrawn)"
        )

    def write(self, session: Session, values: dict[str, Any]) -> WarrantStatusRecord:
        actor = self.context.actor
        if self.record_id is None:
            return warrants.add_record(session, actor, self.offender_id, values)
        return warrants.update_record(session, actor, self.record_id, self.expected_version, values)


class WarrantCloseDialog(_WarrantDialog):
    """Mark served or Mark withdrawn: one date (and a comment); the record is read-only after."""

    def __init__(
        self,
        context: AppContext,
        entry: warrants.WarrantEntry,
        *,
        served: bool,
        offender_id: int,
        parent: QWidget | None = None,
    ):
        self.served = served
        definition = SERVE_FORM if served else WITHDRAW_FORM
        verb = "served" if served else "withdrawn"
        intro = (
            f"Record {entry.warrant_status_id} ({entry.issuing_authority}, issued "
            f"{entry.issued_date.strftime('%m/%d/%Y')}) becomes read-only once marked {verb}: "
            "only comments can be added to it afterwards."
        )
        super().__init__(
            context,
            definition,
            offender_id=offender_id,
            record_id=entry.record_id,
            expected_version=entry.version,
            record_key=entry.record_id,
            values=None,
            title=f"{definition.title}: warrant status record {entry.warrant_status_id}",
            intro=intro,
            parent=parent,
        )

    def write(self, session: Session, values: dict[str, Any]) -> WarrantStatusRecord:
        service = warrants.serve if self.served else warrants.withdraw
        assert self.record_id is not None
        return service(session, self.context.actor, self.record_id, self.expected_version, values)


class WarrantCommentDialog(_WarrantDialog):
    """A dated, signed comment; also on a served or withdrawn record."""

    def __init__(
        self,
        context: AppContext,
        entry: warrants.WarrantEntry,
        *,
        offender_id: int,
        parent: QWidget | None = None,
    ):
        super().__init__(
            context,
            COMMENT_FORM,
            offender_id=offender_id,
            record_id=entry.record_id,
            expected_version=entry.version,
            record_key=entry.record_id,
            values=None,
            title=f"Add comment: warrant status record {entry.warrant_status_id}",
            intro="The comment is kept with your name and the time; it cannot be changed later.",
            parent=parent,
        )

    def write(self, session: Session, values: dict[str, Any]) -> WarrantStatusRecord:
        assert self.record_id is not None
        return warrants.add_comment(session, self.context.actor, self.record_id, values)


def dialog_for_warrant_draft(
    context: AppContext, form_name: str, record_key: str, parent: QWidget | None = None
) -> FormDialog | None:
    """The warrant dialog a saved draft belongs to, or None when the draft is not of one."""
    if form_name == WARRANT_FORM.name:
        if record_key.startswith("offender-"):
            offender_id = int(record_key.removeprefix("offender-"))
            return WarrantRecordDialog(context, offender_id=offender_id, parent=parent)
        if record_key.isdigit():
            return WarrantRecordDialog(context, record_id=int(record_key), parent=parent)
        return None
    if form_name not in (SERVE_FORM.name, WITHDRAW_FORM.name, COMMENT_FORM.name):
        return None
    if not record_key.isdigit():
        return None
    with context.database.read() as session:
        record = warrants.get_record(session, context.actor, int(record_key))
        entry = warrants.entry_from(record)
        offender_id = record.offender_id
    if form_name == COMMENT_FORM.name:
        return WarrantCommentDialog(context, entry, offender_id=offender_id, parent=parent)
    return WarrantCloseDialog(
        context,
        entry,
        served=form_name == SERVE_FORM.name,
        offender_id=offender_id,
        parent=parent,
    )
