"""Forms drawn from their declarations, driven from the keyboard as a clerk fills them in."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.core.vocabulary import Sex
from app.forms.fields import Field, FieldKind, FormDefinition, Section
from app.forms.offender import OFFENDER_FORM
from app.views.form_widget import PROBLEM_COLOUR, FormWidget
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

TRANSFER_FORM = FormDefinition(
    name="test_transfer",
    title="Transfer",
    sections=(
        Section(
            "Where",
            (
                Field("receiving_state", "Receiving state", FieldKind.STATE, required=True),
                Field("reported_on", "Reported on", FieldKind.DATE),
                Field("kind", "Kind", FieldKind.CHOICE, choices=(("a", "Alpha"), ("b", "Beta"))),
            ),
        ),
        Section(
            "Who",
            (
                Field("officer", "Officer", max_length=64, help="user name"),
                Field("notes", "Notes", FieldKind.MULTILINE, max_length=40),
                Field("urgent", "Urgent", FieldKind.FLAG),
            ),
        ),
    ),
)


def show(qtbot, definition: FormDefinition) -> FormWidget:
    form = FormWidget(definition)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    return form


@pytest.fixture
def offender_form(qtbot) -> FormWidget:
    return show(qtbot, OFFENDER_FORM)


@pytest.fixture
def transfer_form(qtbot) -> FormWidget:
    return show(qtbot, TRANSFER_FORM)


def type_into(qtbot, form: FormWidget, name: str, text: str) -> QWidget:
    editor = form.editor(name)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, text)
    return editor


def leave(qtbot, form: FormWidget, name: str) -> None:
    editor = form.editor(name)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not editor.hasFocus())


def test_a_bad_ssn_is_explained_beside_the_field_once_it_is_left(qtbot, offender_form):
    type_into(qtbot, offender_form, "ssn", "666-12-3456")
    assert offender_form.problem_text("ssn") == "", "nothing is said while the clerk types"

    leave(qtbot, offender_form, "ssn")

    message = "SSN area number 666 is never issued (000, 666 and 900-999 are invalid)"
    assert offender_form.problem_text("ssn") == message
    problem = offender_form.findChild(QWidget, "ssn_problem")
    assert problem.isVisible()
    icon = problem.findChild(QWidget, "problem_icon")
    assert icon.isVisible(), "an icon, not the colour alone, marks the problem"
    assert PROBLEM_COLOUR in problem.findChild(QWidget, "problem_text").styleSheet()
    assert offender_form.editor("ssn").accessibleDescription() == message


def test_the_problem_goes_as_soon_as_the_value_is_fixed(qtbot, offender_form):
    editor = type_into(qtbot, offender_form, "ssn", "12345")
    leave(qtbot, offender_form, "ssn")
    assert offender_form.problem_text("ssn") == "SSN must be nine digits (hyphens allowed)"

    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End)
    qtbot.keyClicks(editor, "678")
    assert offender_form.problem_text("ssn") == "SSN must be nine digits (hyphens allowed)"
    qtbot.keyClicks(editor, "9")

    assert offender_form.problem_text("ssn") == ""
    assert not offender_form.findChild(QWidget, "ssn_problem").isVisible()


def test_tabbing_through_an_empty_required_field_is_not_an_error(qtbot, offender_form):
    offender_form.editor("last_name").setFocus()
    leave(qtbot, offender_form, "last_name")
    assert offender_form.problem_text("last_name") == ""

    type_into(qtbot, offender_form, "last_name", "D")
    qtbot.keyClick(offender_form.editor("last_name"), Qt.Key.Key_Backspace)
    leave(qtbot, offender_form, "last_name")
    assert offender_form.problem_text("last_name") == "Last name is required"


def test_validators_see_the_other_fields_and_name_the_rule(qtbot, offender_form):
    type_into(qtbot, offender_form, "date_of_birth", "2024-01-01")
    leave(qtbot, offender_form, "date_of_birth")
    assert offender_form.problem_text("date_of_birth") == (
        "Date of birth gives an age under 14; check the year"
    )


@pytest.mark.parametrize(
    "typed, shown",
    [("1985-03-04", "03/04/1985"), ("3/4/1985", "03/04/1985"), ("03/04/1985", "03/04/1985")],
)
def test_dates_are_shown_the_us_way_once_left(qtbot, transfer_form, typed, shown):
    editor = type_into(qtbot, transfer_form, "reported_on", typed)
    leave(qtbot, transfer_form, "reported_on")
    assert editor.text() == shown
    assert transfer_form.problem_text("reported_on") == ""


def test_a_date_that_cannot_be_read_stays_as_typed_with_the_accepted_forms(qtbot, transfer_form):
    editor = type_into(qtbot, transfer_form, "reported_on", "31/12/1985")
    leave(qtbot, transfer_form, "reported_on")
    assert editor.text() == "31/12/1985"
    assert transfer_form.problem_text("reported_on") == (
        "Reported on must be a date written MM/DD/YYYY or YYYY-MM-DD"
    )


@pytest.mark.parametrize(
    "typed, code", [("texas", "TX"), ("New York", "NY"), ("va", "VA"), ("Ohio (OH)", "OH")]
)
def test_a_state_name_or_code_becomes_the_code(qtbot, transfer_form, typed, code):
    editor = type_into(qtbot, transfer_form, "receiving_state", typed)
    popup = editor.completer().popup()
    if popup.isVisible():
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
    leave(qtbot, transfer_form, "receiving_state")
    assert editor.text() == code
    assert transfer_form.problem_text("receiving_state") == ""


def test_the_state_completer_offers_names_and_puts_the_code_in(qtbot, transfer_form):
    editor = type_into(qtbot, transfer_form, "receiving_state", "Caro")
    popup = editor.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    offered = [popup.model().index(row, 0).data() for row in range(popup.model().rowCount())]
    assert offered == ["North Carolina (NC)", "South Carolina (SC)"]

    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)

    assert editor.text() == "SC"


def test_an_unknown_state_is_explained(qtbot, transfer_form):
    type_into(qtbot, transfer_form, "receiving_state", "Atlantis")
    leave(qtbot, transfer_form, "receiving_state")
    assert transfer_form.problem_text("receiving_state") == (
        "Receiving state must be a member state's two-letter code or name"
    )


def test_each_kind_of_field_gets_its_editor(transfer_form):
    kinds = {name: type(transfer_form.editor(name)) for name in transfer_form.field_names()}
    assert kinds == {
        "receiving_state": QLineEdit,
        "reported_on": QLineEdit,
        "kind": QComboBox,
        "officer": QLineEdit,
        "notes": QPlainTextEdit,
        "urgent": QCheckBox,
    }
    kind = transfer_form.editor("kind")
    assert [kind.itemText(i) for i in range(kind.count())] == ["", "Alpha", "Beta"]
    assert transfer_form.editor("officer").maxLength() == 64
    assert transfer_form.editor("officer").placeholderText() == "user name"
    assert transfer_form.editor("reported_on").placeholderText() == "MM/DD/YYYY"


def test_labels_carry_a_mnemonic_and_mark_required_fields(offender_form):
    texts = [offender_form.label(name).text() for name in offender_form.field_names()]
    letters = [text[text.index("&") + 1].lower() for text in texts]
    assert len(set(letters)) == len(letters), "every Alt key is different"
    assert offender_form.label("last_name").text() == "&Last name *:"
    assert offender_form.label("middle_name").text() == "&Middle name:"
    assert offender_form.label("last_name").buddy() is offender_form.editor("last_name")
    assert offender_form.editor("last_name").accessibleName() == "Last name (required)"
    assert offender_form.editor("suffix").accessibleName() == "Suffix"


def test_tab_follows_reading_order(qtbot, offender_form):
    names = offender_form.field_names()
    offender_form.editor(names[0]).setFocus()
    visited = [names[0]]
    for _ in names[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget().objectName())
    assert visited == names


def test_values_as_stored_are_shown_and_read_back_as_typed(transfer_form, offender_form):
    offender_form.set_values(
        {
            "last_name": "Núñez",
            "date_of_birth": date(1979, 12, 31),
            "sex": Sex.FEMALE,
            "race": None,
            "sex_offender": True,
            "not_a_field": "ignored",
        }
    )
    raw = offender_form.raw_values()
    assert raw["last_name"] == "Núñez"
    assert raw["date_of_birth"] == "12/31/1979"
    assert raw["sex"] == "F"
    assert offender_form.editor("sex").currentText() == "Female"
    assert raw["race"] == ""
    assert raw["sex_offender"] is True
    assert raw["victim_sensitive"] is False

    transfer_form.set_values({"kind": "Beta", "notes": "line one\nline two", "urgent": "yes"})
    assert transfer_form.raw_values() == {
        "receiving_state": "",
        "reported_on": "",
        "kind": "b",
        "officer": "",
        "notes": "line one\nline two",
        "urgent": True,
    }


def test_a_stored_choice_outside_the_list_is_kept(transfer_form):
    transfer_form.set_values({"kind": "z"})
    assert transfer_form.raw_values()["kind"] == "z"


def test_dirty_means_different_from_what_was_loaded(qtbot, offender_form):
    changes = []
    offender_form.changed.connect(lambda: changes.append(1))
    offender_form.set_values({"last_name": "Doe"})
    offender_form.mark_clean()
    assert changes == [], "loading values is not a change by the user"
    assert not offender_form.is_dirty()

    editor = type_into(qtbot, offender_form, "last_name", "s")
    assert offender_form.is_dirty()
    assert changes

    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert not offender_form.is_dirty(), "typing a letter and taking it back changes nothing"

    offender_form.editor("victim_sensitive").click()
    assert offender_form.is_dirty()
    offender_form.mark_clean()
    assert not offender_form.is_dirty()


def test_errors_from_a_save_are_shown_and_the_first_gets_the_cursor(qtbot, offender_form):
    offender_form.show_errors(
        [
            ("ssn", "is already on profile TX0000101"),
            ("first_name", "is required"),
            ("offender_number", "is taken"),
        ]
    )
    assert offender_form.problem_text("first_name") == "First name is required"
    assert offender_form.problem_text("ssn") == "SSN is already on profile TX0000101"
    assert offender_form.form_problem.isVisible()
    assert offender_form.has_errors()

    assert offender_form.focus_first_error()
    qtbot.waitUntil(offender_form.editor("first_name").hasFocus)

    offender_form.show_errors([])
    assert not offender_form.has_errors()
    assert not offender_form.focus_first_error()


def test_a_save_error_on_an_untouched_field_stays_when_tabbing_past(qtbot, offender_form):
    offender_form.show_errors([("last_name", "is required")])
    offender_form.editor("last_name").setFocus()
    leave(qtbot, offender_form, "last_name")
    assert offender_form.problem_text("last_name") == "Last name is required"


def test_a_masked_value_loaded_from_the_record_is_not_judged_when_left(qtbot, offender_form):
    offender_form.set_values({"ssn": "***-**-6789"})
    offender_form.mark_clean()
    offender_form.editor("ssn").setFocus()
    leave(qtbot, offender_form, "ssn")
    assert offender_form.problem_text("ssn") == ""


def test_validate_runs_every_rule_with_run_time_choices(transfer_form):
    transfer_form.set_choices("kind", [("c", "Gamma")])
    transfer_form.set_values({"kind": "c", "receiving_state": "Texas"})
    values, problems = transfer_form.validate()
    assert problems == []
    assert values["kind"] == "c" and values["receiving_state"] == "TX"

    transfer_form.set_values({"receiving_state": ""})
    _, problems = transfer_form.validate()
    assert problems == [("receiving_state", "is required")]
    assert transfer_form.problem_text("receiving_state") == "Receiving state is required"


def test_choices_given_at_run_time_replace_the_list_and_keep_the_choice(transfer_form):
    transfer_form.set_values({"kind": "b"})
    transfer_form.set_choices("kind", [("b", "Bravo"), ("c", "Charlie")])
    kind = transfer_form.editor("kind")
    assert [kind.itemText(i) for i in range(kind.count())] == ["", "Bravo", "Charlie"]
    assert kind.currentText() == "Bravo"


def test_a_text_field_with_run_time_choices_completes_to_the_value(qtbot, transfer_form):
    transfer_form.set_choices("officer", [("jsmith", "Jane Smith"), ("bjones", "Bob Jones")])
    editor = type_into(qtbot, transfer_form, "officer", "smi")
    popup = editor.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert editor.text() == "jsmith"


def test_ctrl_enter_in_a_multi_line_field_asks_to_save_and_enter_adds_a_line(qtbot, transfer_form):
    requests = []
    transfer_form.submit_requested.connect(lambda: requests.append(1))
    notes = type_into(qtbot, transfer_form, "notes", "first")
    qtbot.keyClick(notes, Qt.Key.Key_Return)
    qtbot.keyClicks(notes, "second")
    assert notes.toPlainText() == "first\nsecond"
    assert requests == []

    qtbot.keyClick(notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert requests == [1]
    assert notes.toPlainText() == "first\nsecond"


def test_read_only_forms_cannot_be_edited(qtbot, transfer_form):
    transfer_form.set_read_only(True)
    assert transfer_form.editor("officer").isReadOnly()
    assert transfer_form.editor("notes").isReadOnly()
    assert not transfer_form.editor("kind").isEnabled()
    assert not transfer_form.editor("urgent").isEnabled()
    transfer_form.set_read_only(False)
    assert not transfer_form.editor("officer").isReadOnly()
    assert transfer_form.editor("urgent").isEnabled()
