"""Activities on screen: the form that drafts one, and the window that shows one with its steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import clock
from app.core.errors import UserError
from app.forms.activities import spec_for
from app.forms.fields import format_date
from app.services import activities
from app.services.activities import ActivityDetail, StepKind
from app.views.context import AppContext
from app.views.form_dialog import FormDialog
from app.views.service_calls import run_change, show_refusal

# The one forward step available at a time (submit, approve, transmit) answers the same keys.
FORWARD_KEYS = "Ctrl+Return"
_KEYS = {
    StepKind.EDIT: "Ctrl+E",
    StepKind.RETURN: "Ctrl+R",
    StepKind.WITHDRAW: "Ctrl+Shift+W",
    StepKind.ACKNOWLEDGE: "Ctrl+K",
    StepKind.DELETE_DRAFT: "Ctrl+Shift+Delete",
}
_FORWARD = (StepKind.SUBMIT, StepKind.APPROVE, StepKind.TRANSMIT)


class ActivityFormDialog(FormDialog):
    """Drafts a new activity of one type on a case, or edits a draft; nothing is sent from here."""

    saved = Signal(int)

    def __init__(
        self,
        context: AppContext,
        activity_type,
        *,
        case_id: int | None = None,
        case_number: str = "",
        reply_to_id: int | None = None,
        detail: ActivityDetail | None = None,
        parent: QWidget | None = None,
    ):
        self.spec = spec_for(activity_type)
        self.case_id = case_id if detail is None else detail.case_id
        self.reply_to_id = reply_to_id
        self.detail = detail
        self.activity_id: int | None = detail.activity_id if detail else None
        number = detail.case_number if detail else case_number
        super().__init__(
            context,
            self.spec.form,
            record_key=detail.activity_id if detail else f"case-{self.case_id}",
            values=detail.raw_content if detail else None,
            title=f"{self.spec.label}: case {number}",
            parent=parent,
        )
        self.save_button.setText("Save draft")
        # Rule hints (a transfer request's 'resident' tests) under the form, as the user types.
        self.hint_label = QLabel()
        self.hint_label.setObjectName("activity_hints")
        self.hint_label.setWordWrap(True)
        self.layout().insertWidget(1, self.hint_label)
        self._receiving_state = self._other_state(context)
        self.form.changed.connect(self.show_hints)
        self.show_hints()

    def _other_state(self, context: AppContext) -> str:
        with context.database.read() as session:
            from app.models import CompactCase

            case = session.get(CompactCase, self.case_id)
            return case.receiving_state if case else ""

    def show_hints(self) -> None:
        hints = activities.activity_hints(
            self.spec.type, self.form.raw_values(), self._receiving_state, clock.today()
        )
        self.hint_label.setText("\n".join(hints))
        self.hint_label.setVisible(bool(hints))

    def save(self, values: dict[str, Any]) -> bool:
        actor = self.context.actor
        with self.context.database.unit_of_work(actor) as session:
            if self.detail is None:
                activity = activities.create_draft(
                    session, actor, self.case_id, self.spec.type, values,
                    reply_to_id=self.reply_to_id,
                )  # fmt: skip
            else:
                activity = activities.update_draft(
                    session, actor, self.detail.activity_id, self.detail.version, values
                )
            self.activity_id = activity.id
        self.context.events.changes_applied.emit({"activity_ids": {self.activity_id}})
        self.saved.emit(self.activity_id)
        return True


class ActivityWindow(QDialog):
    """One activity: its content, its steps and the steps the user may take now (the others
    disabled, saying why), with its PDF to preview, print or save."""

    changed = Signal(int)

    def __init__(self, context: AppContext, activity_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.activity_id = activity_id
        self.detail: ActivityDetail | None = None
        self.setObjectName("activity_window")
        self.resize(760, 640)
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.content_area = QScrollArea()
        self.content_area.setWidgetResizable(True)
        self.hints_label = QLabel()
        self.hints_label.setWordWrap(True)
        self.hints_label.setObjectName("activity_hints")
        self.steps_label = QLabel()
        self.steps_label.setWordWrap(True)
        self.steps_label.setAccessibleName("Steps")
        self.step_buttons: dict[StepKind, QPushButton] = {}
        buttons = QHBoxLayout()
        for kind in StepKind:
            button = QPushButton(activities.STEP_LABELS[kind])
            button.setObjectName(f"step_{kind.value}")
            button.clicked.connect(lambda _=False, k=kind: self.take_step(k))
            self.step_buttons[kind] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        forward = QAction(self)
        forward.setShortcuts([QKeySequence(FORWARD_KEYS), QKeySequence("Ctrl+Enter")])
        forward.triggered.connect(self.take_forward_step)
        self.addAction(forward)
        for kind, keys in _KEYS.items():
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, k=kind: self.take_step(k))
            self.addAction(action)

        self.preview_button = QPushButton("Pre&view")
        self.print_button = QPushButton("&Print…")
        self.save_pdf_button = QPushButton("Save as P&DF…")
        self.current_button = QPushButton("PDF from &current data…")
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_pdf)
        self.save_pdf_button.clicked.connect(lambda: self.save_pdf())
        self.current_button.clicked.connect(lambda: self.save_pdf(current=True))
        print_action = QAction(self)
        print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        print_action.triggered.connect(self.print_pdf)
        self.addAction(print_action)
        printing = QHBoxLayout()
        for button in (
            self.preview_button,
            self.print_button,
            self.save_pdf_button,
            self.current_button,
        ):
            printing.addWidget(button)
        printing.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        printing.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.content_area, 1)
        layout.addWidget(self.hints_label)
        layout.addWidget(self.steps_label)
        layout.addLayout(buttons)
        layout.addLayout(printing)
        context.events.changes_applied.connect(lambda _changes: self.reload())
        self.reload()

    # --- showing ---------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            with self.context.database.read() as session:
                detail = activities.activity_detail(session, self.context.actor, self.activity_id)
        except UserError as error:
            show_refusal(self, "Activity", error)
            return
        self.detail = detail
        self.setWindowTitle(f"{detail.type_label} {detail.activity_number}")
        self.heading.setText(f"{detail.type_label} {detail.activity_number}")
        due = f"; reply due {format_date(detail.due_date)}" if detail.due_date else ""
        if detail.overdue:
            due += " (OVERDUE)"
        self.summary.setText(
            f"{detail.offender_name}, case {detail.case_number}: {detail.from_state} to "
            f"{detail.to_state}. Status: {detail.status.value.replace('_', ' ')}{due}"
        )
        content = QWidget()
        content_layout = QVBoxLayout(content)
        for title, rows in detail.sections:
            box = QGroupBox(title)
            form = QFormLayout(box)
            for label, value in rows:
                shown = QLabel(value or "—")
                shown.setWordWrap(True)
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                shown.setAccessibleName(label)
                form.addRow(label if label.endswith("?") else label + ":", shown)
            content_layout.addWidget(box)
        content_layout.addStretch(1)
        self.content_area.setWidget(content)
        lines = [
            f"{step.at.astimezone():%m/%d/%Y %H:%M} {step.decision} by {step.actor}"
            + (f": {step.comment}" if step.comment else "")
            for step in detail.steps
        ]
        self.steps_label.setText("Steps: " + ("; ".join(lines) if lines else "none yet"))
        self.hints_label.setText("\n".join(detail.hints))
        self.hints_label.setVisible(bool(detail.hints))
        for option in detail.options:
            button = self.step_buttons[option.kind]
            button.setEnabled(option.available)
            keys = FORWARD_KEYS if option.kind in _FORWARD else _KEYS.get(option.kind, "")
            suffix = f" ({keys})" if keys else ""
            button.setToolTip((option.explanation or option.label) + suffix)
            # Only what can be done shows among the workflow buttons; the rest say why in
            # their tooltips when hovered in the disabled state.
            button.setVisible(option.available or option.kind in _FORWARD)

    # --- steps -----------------------------------------------------------------------------

    def take_forward_step(self) -> None:
        if self.detail is None:
            return
        for kind in _FORWARD:
            if self.detail.option(kind).available:
                self.take_step(kind)
                return

    def take_step(self, kind: StepKind) -> None:
        detail = self.detail
        if detail is None:
            return
        option = detail.option(kind)
        if not option.available:
            QMessageBox.information(self, option.label, f"{option.label}: {option.explanation}")
            return
        if kind is StepKind.EDIT:
            dialog = ActivityFormDialog(
                self.context, detail.activity_type, detail=detail, parent=self
            )
            dialog.exec()
            return
        comment = None
        if kind in (StepKind.RETURN, StepKind.WITHDRAW):
            prompt = "What should be corrected?" if kind is StepKind.RETURN else "Reason:"
            comment, ok = QInputDialog.getMultiLineText(self, option.label, prompt)
            if not ok:
                return
        if kind is StepKind.DELETE_DRAFT:
            answer = QMessageBox.question(self, option.label, "Delete this draft?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        result = run_change(
            self,
            self.context,
            option.label,
            lambda session: _STEP_CALLS[kind](session, self.context.actor, detail, comment),
            changed={"activity_ids": {detail.activity_id}},
        )
        if result is None:
            return
        self.changed.emit(detail.activity_id)
        if kind is StepKind.DELETE_DRAFT:
            self.accept()
            return
        if getattr(result, "needs_warrant_record", False):
            QMessageBox.information(
                self,
                "Warrant status record",
                "This offender has no warrant status record yet. Add one on the profile's "
                "Warrant status tab so that the warrant can be tracked.",
            )

    # --- printing --------------------------------------------------------------------------

    def _pdf(self, current: bool = False):
        try:
            with self.context.database.read() as session:
                from app.services.activity_print import print_activity

                return print_activity(
                    session, self.context.actor, self.activity_id, current=current
                )
        except UserError as error:
            show_refusal(self, "Print", error)
            return None

    def save_pdf(self, current: bool = False, path: str | None = None) -> Path | None:
        printed = self._pdf(current)
        if printed is None or self.detail is None:
            return None
        if path is None:
            suggested = f"{self.detail.activity_number}.pdf"
            path, _ = QFileDialog.getSaveFileName(self, "Save as PDF", suggested, "PDF (*.pdf)")
            if not path:
                return None
        target = Path(path)
        target.write_bytes(printed.pdf)
        return target

    def preview(self) -> None:
        printed = self._pdf()
        if printed is not None:
            from app.views.pdf_preview import PdfPreview

            PdfPreview(printed.pdf, f"{self.windowTitle()} ({printed.label})", self).exec()

    def print_pdf(self) -> None:
        printed = self._pdf()
        if printed is not None:
            from app.views.pdf_preview import print_pdf_bytes

            print_pdf_bytes(self, printed.pdf)


def _forward(step):
    return lambda session, actor, detail, _comment: step(
        session, actor, detail.activity_id, detail.version
    )


def _with_comment(step):
    return lambda session, actor, detail, comment: step(
        session, actor, detail.activity_id, detail.version, comment or ""
    )


_STEP_CALLS = {
    StepKind.SUBMIT: _forward(activities.submit),
    StepKind.APPROVE: _forward(activities.approve),
    StepKind.TRANSMIT: _forward(activities.transmit),
    StepKind.ACKNOWLEDGE: _forward(activities.acknowledge),
    StepKind.DELETE_DRAFT: _forward(activities.delete_draft),
    StepKind.RETURN: _with_comment(activities.return_for_correction),
    StepKind.WITHDRAW: _with_comment(activities.withdraw),
}
