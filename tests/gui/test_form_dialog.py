"""The data-entry dialog: Enter saves, Esc asks only when something changed, drafts outlive a crash."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.core.errors import UserError, ValidationError
from app.core.permissions import Actor
from app.forms.fields import Field, FieldKind, FormDefinition, Section
from app.forms.offender import OFFENDER_FORM
from app.services import drafts
from app.services.users import actor_from_user
from app.views import form_dialog
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.form_dialog import AUTOSAVE_DELAY_MS, FormDialog
from tests.factories import make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

NOTE_FORM = FormDefinition(
    name="test_note",
    title="Note",
    sections=(
        Section(
            "Note",
            (
                Field("subject", "Subject", required=True, max_length=40),
                Field("text", "Text", FieldKind.MULTILINE),
            ),
        ),
    ),
)


class RecordingDialog(FormDialog):
    """Saves into a list, or raises what the test tells it to."""

    def __init__(self, *args, refuse: Exception | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved: list[dict[str, Any]] = []
        self.refuse = refuse
        self.go_on = True
        self.asked_before_saving: list[dict[str, Any]] = []

    def before_save(self, values: dict[str, Any]) -> bool:
        self.asked_before_saving.append(values)
        return self.go_on

    def save(self, values: dict[str, Any]) -> bool:
        if self.refuse is not None:
            raise self.refuse
        self.saved.append(values)
        return True


class Answers:
    """Stands in for the user in front of message boxes: clicks the button worded as told."""

    def __init__(self, monkeypatch):
        self.questions: list[str] = []
        self.replies: list[str] = []
        self.warnings: list[str] = []
        monkeypatch.setattr(QMessageBox, "exec", lambda box: self._exec(box))
        monkeypatch.setattr(
            QMessageBox, "warning", lambda parent, title, text, *a: self.warnings.append(text)
        )

    def _exec(self, box: QMessageBox) -> int:
        self.questions.append(box.text())
        if not self.replies:
            # Unasked-for (closing the dialogs at the end of a test): the safe answer, Esc.
            (box.escapeButton() or box.buttons()[0]).click()
            return 0
        wanted = self.replies.pop(0)
        for button in box.buttons():
            if button.text() == wanted:
                button.click()
                return 0
        raise AssertionError(f"no button {wanted!r} in {[b.text() for b in box.buttons()]}")


@pytest.fixture(autouse=True)
def answers(monkeypatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def clerk(db, system) -> Actor:
    with db.unit_of_work(system) as session:
        return actor_from_user(make_user(session, "form.clerk"))


@pytest.fixture
def context(db, clerk) -> AppContext:
    return AppContext(database=db, actor=clerk, events=AppEvents())


def open_dialog(qtbot, context, definition=OFFENDER_FORM, **kwargs) -> RecordingDialog:
    dialog = RecordingDialog(context, definition, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def type_into(qtbot, dialog: FormDialog, name: str, text: str) -> None:
    editor = dialog.form.editor(name)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, text)


def stored_draft(context: AppContext, form_name: str = "offender", record_key="new"):
    with context.database.read() as session:
        return drafts.load_draft(session, context.actor, form_name, record_key)


def put_draft(context: AppContext, values, form_name: str = "offender", record_key="new"):
    with context.database.unit_of_work(context.actor) as session:
        drafts.save_draft(session, context.actor, form_name, record_key, values)


def test_enter_saves_the_values_as_typed(qtbot, context, answers):
    dialog = open_dialog(qtbot, context)
    type_into(qtbot, dialog, "last_name", "Doe")
    type_into(qtbot, dialog, "date_of_birth", "1985-03-04")
    qtbot.keyClick(dialog.form.editor("date_of_birth"), Qt.Key.Key_Return)

    assert len(dialog.saved) == 1
    assert dialog.saved[0]["last_name"] == "Doe"
    assert dialog.saved[0]["date_of_birth"] == "1985-03-04"
    assert dialog.saved[0]["sex_offender"] is False
    assert dialog.asked_before_saving == dialog.saved
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert answers.questions == []


def test_enter_on_a_list_or_a_check_box_saves_too(qtbot, context):
    dialog = open_dialog(qtbot, context)
    dialog.form.editor("sex").setFocus()
    qtbot.keyClick(dialog.form.editor("sex"), Qt.Key.Key_Return)
    assert len(dialog.saved) == 1


def test_ctrl_enter_saves_from_a_multi_line_field(qtbot, context):
    dialog = open_dialog(qtbot, context, NOTE_FORM)
    type_into(qtbot, dialog, "subject", "Call")
    type_into(qtbot, dialog, "text", "one")
    qtbot.keyClick(dialog.form.editor("text"), Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.form.editor("text"), "two")
    assert dialog.saved == []

    qtbot.keyClick(
        dialog.form.editor("text"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )

    assert dialog.saved == [{"subject": "Call", "text": "one\ntwo"}]
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_refused_save_shows_the_rules_beside_the_fields(qtbot, context):
    refusal = ValidationError([("ssn", "must be nine digits"), ("first_name", "is required")])
    dialog = open_dialog(qtbot, context, refuse=refusal)
    type_into(qtbot, dialog, "ssn", "12")
    qtbot.keyClick(dialog.form.editor("ssn"), Qt.Key.Key_Return)

    assert dialog.isVisible()
    assert dialog.form.problem_text("first_name") == "First name is required"
    assert dialog.form.problem_text("ssn") == "SSN must be nine digits"
    qtbot.waitUntil(dialog.form.editor("first_name").hasFocus)


def test_another_refusal_is_said_in_a_message_box(qtbot, context, answers):
    dialog = open_dialog(qtbot, context, refuse=UserError("Somebody else saved this profile."))
    type_into(qtbot, dialog, "last_name", "Doe")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert answers.warnings == ["Somebody else saved this profile."]
    assert dialog.isVisible()


def test_the_step_before_saving_can_stop_it(qtbot, context):
    dialog = open_dialog(qtbot, context)
    dialog.go_on = False
    type_into(qtbot, dialog, "last_name", "Doe")
    qtbot.keyClick(dialog.form.editor("last_name"), Qt.Key.Key_Return)

    assert len(dialog.asked_before_saving) == 1
    assert dialog.saved == []
    assert dialog.isVisible()


def test_esc_without_changes_closes_at_once(qtbot, context, answers):
    dialog = open_dialog(qtbot, context, values={"last_name": "Doe"}, record_key=7)
    qtbot.keyClick(dialog.form.editor("last_name"), Qt.Key.Key_Escape)

    assert answers.questions == []
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()


def test_esc_with_changes_asks_and_can_keep_editing(qtbot, context, answers):
    dialog = open_dialog(qtbot, context)
    type_into(qtbot, dialog, "last_name", "Doe")
    answers.replies.append("Keep editing")
    qtbot.keyClick(dialog.form.editor("last_name"), Qt.Key.Key_Escape)

    assert answers.questions == ["Discard your changes?"]
    assert dialog.isVisible()
    assert dialog.form.raw_values()["last_name"] == "Doe"


def test_discarding_the_changes_closes_and_deletes_the_draft(qtbot, context, answers):
    dialog = open_dialog(qtbot, context)
    type_into(qtbot, dialog, "last_name", "Doe")
    qtbot.keyClick(
        dialog.form.editor("last_name"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )
    assert stored_draft(context) is not None

    answers.replies.append("Discard changes")
    qtbot.keyClick(dialog.form.editor("last_name"), Qt.Key.Key_Escape)

    assert not dialog.isVisible()
    assert stored_draft(context) is None


def test_closing_the_window_with_changes_asks_too(qtbot, context, answers):
    dialog = open_dialog(qtbot, context)
    type_into(qtbot, dialog, "first_name", "Jane")
    answers.replies.append("Keep editing")
    dialog.close()
    assert answers.questions == ["Discard your changes?"]
    assert dialog.isVisible()


def test_ctrl_s_saves_a_draft_at_once(qtbot, context):
    dialog = open_dialog(qtbot, context)
    type_into(qtbot, dialog, "last_name", "Doe")
    qtbot.keyClick(
        dialog.form.editor("last_name"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )

    values, _ = stored_draft(context)
    assert values["last_name"] == "Doe"
    assert dialog.status_label.text().startswith("Draft saved ")


def test_a_draft_is_saved_a_second_after_typing_stops(qtbot, context):
    assert AUTOSAVE_DELAY_MS == 1000
    dialog = open_dialog(qtbot, context)
    type_into(qtbot, dialog, "last_name", "Do")
    qtbot.wait(AUTOSAVE_DELAY_MS // 2)
    qtbot.keyClicks(dialog.form.editor("last_name"), "e")
    qtbot.wait(AUTOSAVE_DELAY_MS // 2)
    assert stored_draft(context) is None, "each keystroke puts the save off again"

    qtbot.waitUntil(lambda: stored_draft(context) is not None, timeout=3 * AUTOSAVE_DELAY_MS)
    assert stored_draft(context)[0]["last_name"] == "Doe"


def test_after_a_crash_the_draft_is_offered_back_and_restored(qtbot, context, answers):
    dialog = open_dialog(qtbot, context, record_key=42)
    dialog.autosave_timer.setInterval(20)
    type_into(qtbot, dialog, "last_name", "Doe")
    type_into(qtbot, dialog, "date_of_birth", "3/4/1985")
    dialog.form.editor("sex_offender").click()
    qtbot.waitUntil(lambda: stored_draft(context, record_key=42) is not None)
    qtbot.waitUntil(lambda: stored_draft(context, record_key=42)[0]["sex_offender"] is True)
    # The process dies: no closeEvent, no reject, nothing cleaned up.
    with qtbot.waitSignal(dialog.destroyed):
        dialog.deleteLater()

    answers.replies.append("Restore draft")
    again = open_dialog(qtbot, context, values={"last_name": "Old"}, record_key=42)
    qtbot.waitUntil(lambda: answers.questions != [])

    assert "You have a draft of this form, saved " in answers.questions[0]
    assert " at " in answers.questions[0]
    restored = again.form.raw_values()
    assert restored["last_name"] == "Doe"
    assert restored["date_of_birth"] == "3/4/1985"
    assert restored["sex_offender"] is True
    assert again.form.is_dirty(), "restored typing is a change to the record"
    assert again.status_label.text().startswith("Draft restored")


def test_restored_typing_that_breaks_a_rule_is_pointed_out(qtbot, context, answers):
    put_draft(context, {"last_name": "Doe", "ssn": "666-00-1234"})
    answers.replies.append("Restore draft")
    dialog = open_dialog(qtbot, context)
    qtbot.waitUntil(lambda: dialog.form.raw_values()["ssn"] == "666-00-1234")

    assert dialog.form.problem_text("ssn").startswith("SSN area number 666 is never issued")
    assert dialog.form.problem_text("last_name") == ""
    assert dialog.form.problem_text("first_name") == "", "untouched fields wait for the save"


def test_a_draft_of_another_record_or_user_is_not_offered(qtbot, db, system, context, answers):
    put_draft(context, {"last_name": "Other record"}, record_key=1)
    with db.unit_of_work(system) as session:
        colleague = actor_from_user(make_user(session, "colleague"))
    with db.unit_of_work(colleague) as session:
        drafts.save_draft(session, colleague, "offender", 2, {"last_name": "Theirs"})

    dialog = open_dialog(qtbot, context, record_key=2)
    qtbot.wait(50)

    assert answers.questions == []
    assert dialog.form.raw_values()["last_name"] == ""


def test_a_draft_can_be_discarded_when_offered(qtbot, context, answers):
    put_draft(context, {"last_name": "Scratch"})
    answers.replies.append("Discard draft")
    dialog = open_dialog(qtbot, context)
    qtbot.waitUntil(lambda: answers.questions != [])

    assert dialog.form.raw_values()["last_name"] == ""
    assert stored_draft(context) is None


def test_a_successful_save_removes_the_draft(qtbot, context, answers):
    put_draft(context, {"last_name": "Doe", "first_name": "Jane"})
    answers.replies.append("Restore draft")
    dialog = open_dialog(qtbot, context)
    qtbot.waitUntil(lambda: dialog.form.raw_values()["last_name"] == "Doe")
    type_into(qtbot, dialog, "middle_name", "Q")
    qtbot.keyClick(dialog.form.editor("middle_name"), Qt.Key.Key_Return)

    assert dialog.saved[0]["middle_name"] == "Q"
    assert stored_draft(context) is None
    qtbot.wait(dialog.autosave_timer.interval() + 200)
    assert stored_draft(context) is None, "no autosave after the save brings it back"


def test_undoing_every_change_drops_the_draft(qtbot, context):
    dialog = open_dialog(qtbot, context)
    dialog.autosave_timer.setInterval(20)
    type_into(qtbot, dialog, "last_name", "D")
    qtbot.waitUntil(lambda: stored_draft(context) is not None)
    qtbot.keyClick(dialog.form.editor("last_name"), Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: stored_draft(context) is None)


def test_the_saved_time_reads_as_a_local_date_and_time():
    from datetime import UTC, datetime

    moment = datetime(2026, 3, 4, 15, 5, tzinfo=UTC)
    local = moment.astimezone()
    text = form_dialog.describe_moment(moment)
    assert text.startswith(local.strftime("%m/%d/%Y at "))
    assert text.endswith(("AM", "PM"))
