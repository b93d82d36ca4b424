"""The probable-cause record dialog of the profile (Rule 5.108): new on a chosen case, or edited."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox, QPushButton, QWidget

from app.core.errors import ConcurrencyConflict, ValidationError
from app.forms.fields import Field, FieldKind, Section
from app.forms.probable_cause import ATTACHMENT_TYPES, PROBABLE_CAUSE_FORM
from app.models import ProbableCauseRecord
from app.services import probable_cause
from app.services.cases import get_case
from app.services.profile_view import load_profile
from app.views.context import AppContext
from app.views.form_dialog import FormDialog
from app.views.service_calls import conflict_text

# A new record is made on one of the profile's cases: the case leads the same declaration (and
# keeps its name, so a draft of either comes back in this dialog).
NEW_PROBABLE_CAUSE_FORM = dataclasses.replace(
    PROBABLE_CAUSE_FORM,
    sections=(
        Section("Case", (Field("case_id", "Case", FieldKind.CHOICE, required=True),)),
        *PROBABLE_CAUSE_FORM.sections,
    ),
)


class ProbableCauseDialog(FormDialog):
    """New (`cases` to choose from) or the edit of a record (`record_id`)."""

    def __init__(
        self,
        context: AppContext,
        *,
        offender_id: int,
        cases: Sequence[tuple[int, str]] = (),
        record_id: int | None = None,
        parent: QWidget | None = None,
    ):
        self.offender_id = offender_id
        self.record_id = record_id
        self.expected_version = 0
        self.attachment: bytes | None = None
        values: dict[str, Any] | None = None
        if record_id is not None:
            with context.database.read() as session:
                record = session.get(ProbableCauseRecord, record_id)
                if record is None:
                    raise ValueError(f"no probable-cause record {record_id}")
                case = get_case(session, context.actor, record.case_id)
                values = probable_cause.form_values(record)
                self.expected_version = record.version
                title = f"Edit probable cause record: case {case.case_number}"
            definition = PROBABLE_CAUSE_FORM
            key: str | int = record_id
        else:
            definition = NEW_PROBABLE_CAUSE_FORM
            key = f"offender-{offender_id}"
            title = "New probable cause record"
            if len(cases) == 1:
                values = {"case_id": str(cases[0][0])}
        super().__init__(
            context, definition, record_key=key, values=values, title=title, parent=parent
        )
        if record_id is None:
            self.form.set_choices("case_id", [(str(case_id), number) for case_id, number in cases])
            if len(cases) == 1:
                self.form.set_values({"case_id": str(cases[0][0])})
            self.form.mark_clean()
            self.attach_button = QPushButton("Attach &file…")
            self.attach_button.setToolTip(
                "Attach the hearing officer's report ("
                + ", ".join(t[1:].upper() for t in ATTACHMENT_TYPES)
                + ")"
            )
            self.attach_button.clicked.connect(self.choose_attachment)
            self.buttons.addButton(self.attach_button, QDialogButtonBox.ButtonRole.ActionRole)

    def choose_attachment(self) -> None:
        patterns = " ".join(f"*{t}" for t in ATTACHMENT_TYPES)
        path, _ = QFileDialog.getOpenFileName(self, "Attach a file", "", f"Documents ({patterns})")
        if path:
            self.attach(Path(path).name, Path(path).read_bytes())

    def attach(self, name: str, content: bytes) -> None:
        self.attachment = content
        self.form.set_values({"attachment_name": name})
        self.form.check_changed_fields()

    def save(self, values: dict[str, Any]) -> bool:
        actor = self.context.actor
        with self.context.database.unit_of_work(actor) as session:
            if self.record_id is None:
                if not values.get("case_id"):
                    raise ValidationError.single(
                        "case_id", "is required: choose the case the hearing belongs to"
                    )
                probable_cause.add_record(
                    session, actor, int(values["case_id"]), values, self.attachment
                )
            else:
                probable_cause.update_record(
                    session, actor, self.record_id, self.expected_version, values
                )
        self.context.events.changes_applied.emit({"offender_ids": {self.offender_id}})
        return True

    def report_error(self, error: Exception) -> None:
        if isinstance(error, ConcurrencyConflict) and self.record_id is not None:
            with self.context.database.read() as session:
                current = session.get(ProbableCauseRecord, self.record_id)
                if current is not None:
                    self.expected_version = current.version
            QMessageBox.warning(self, self.windowTitle(), conflict_text(error))
            return
        super().report_error(error)


def dialog_for_probable_cause_draft(
    context: AppContext, form_name: str, record_key: str, parent: QWidget | None = None
) -> FormDialog | None:
    """The dialog a saved probable-cause draft belongs to, or None when the draft is not of one."""
    if form_name != PROBABLE_CAUSE_FORM.name:
        return None
    if record_key.isdigit():
        with context.database.read() as session:
            record = session.get(ProbableCauseRecord, int(record_key))
            if record is None:
                return None
            offender_id = get_case(session, context.actor, record.case_id).offender_id
        return ProbableCauseDialog(
            context, offender_id=offender_id, record_id=int(record_key), parent=parent
        )
    if record_key.startswith("offender-"):
        offender_id = int(record_key.removeprefix("offender-"))
        with context.database.read() as session:
            cases = load_profile(session, context.actor, offender_id).probable_cause_cases
        return ProbableCauseDialog(context, offender_id=offender_id, cases=cases, parent=parent)
    return None
