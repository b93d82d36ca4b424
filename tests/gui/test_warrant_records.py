"""Warrant status records through the profile window: a sending-state officer creates, edits,
completes, serves and withdraws them by keyboard; a served record is read-only; the receiving state
and a third state read only; probable cause records with the 5.108(b) waiver rule beside its field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.core import clock
from app.core.errors import PermissionDenied
from app.core.vocabulary import WARRANT_DISCLAIMER, CaseStatus, Role, WarrantStatus
from app.models import CompactCase, ProbableCauseRecord, WarrantStatusRecord
from app.services import probable_cause, warrants
from app.services.users import actor_from_user
from app.services.warrants import WarrantActionKind, WarrantRecordReadOnly
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.probable_cause_dialog import ProbableCauseDialog
from app.views.profile_window import ProfileWindow
from app.views.warrant_dialogs import WarrantCloseDialog, WarrantCommentDialog, WarrantRecordDialog
from tests.factories import make_case, make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

WARRANT_TAB = 3
PROBABLE_CAUSE_TAB = 4
ALT = Qt.KeyboardModifier.AltModifier


def day(days_ago: int) -> str:
    return (clock.today() - timedelta(days=days_ago)).strftime("%m/%d/%Y")


@pytest.fixture
def setup(db, system):
    with db.unit_of_work(system) as session:
        people = {
            "tx.po": make_user(session, "tx.po", "TX"),
            "tx.sup": make_user(session, "tx.sup", "TX", roles=(Role.SUPERVISOR,)),
            "va.po": make_user(session, "va.po", "VA"),
            "oh.po": make_user(session, "oh.po", "OH"),
        }
        # Ohio made the profile (so it sees it) but is neither case's sending or receiving state.
        offender = make_offender(
            session, last_name="Brandt", first_name="Ilse", created_by_state="OH"
        )
        case = make_case(session, offender, sending_state="TX", receiving_state="VA")
        make_case(
            session, offender, sending_state="TX", receiving_state="CO", status=CaseStatus.CLOSED
        )
        actors = {name: actor_from_user(user) for name, user in people.items()}
        return actors, offender.id, case.id


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget


def open_profile(qtbot, db, actor, offender_id) -> ProfileWindow:
    window = shown(qtbot, ProfileWindow(AppContext(db, actor, AppEvents()), offender_id))
    qtbot.keyClick(window, Qt.Key.Key_4, ALT)
    assert window.tabs.currentIndex() == WARRANT_TAB
    return window


def capture(monkeypatch, dialog_class) -> list:
    """Dialogs of that class opened by the window, shown modeless instead of blocking the test."""
    opened: list = []
    monkeypatch.setattr(dialog_class, "exec", lambda dialog: opened.append(dialog))
    return opened


def press_alt(qtbot, window, key: Qt.Key, opened: list):
    """Alt+letter on a button: Qt animates the click, so the dialog opens a moment later."""
    count = len(opened)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, key, ALT)
    qtbot.waitUntil(lambda: len(opened) > count)
    return opened[-1]


def type_into(qtbot, dialog, values: dict[str, str]) -> None:
    for name, text in values.items():
        editor = dialog.form.editor(name)
        editor.setFocus()
        editor.selectAll()
        qtbot.keyClicks(editor, text)


def save_with_enter(qtbot, dialog, field: str) -> None:
    dialog.form.editor(field).setFocus()
    qtbot.keyClick(dialog.form.editor(field), Qt.Key.Key_Return)


def the_records(db) -> list[WarrantStatusRecord]:
    with db.read() as session:
        records = list(
            session.scalars(select(WarrantStatusRecord).order_by(WarrantStatusRecord.id))
        )
        for record in records:
            session.expunge(record)
        return records


def badges(window) -> list[str]:
    found = [window.badges.itemAt(i).widget() for i in range(window.badges.count())]
    return [b.text() for b in found if b]


def test_create_edit_complete_serve_and_withdraw_through_the_screens(qtbot, db, setup, monkeypatch):
    actors, offender_id, _case_id = setup
    window = open_profile(qtbot, db, actors["tx.po"], offender_id)
    buttons = window.warrant_buttons
    assert window.findChild(type(window.name_label), "warrant_disclaimer").text() == (
        WARRANT_DISCLAIMER
    )
    assert buttons[WarrantActionKind.NEW].isEnabled()
    assert not buttons[WarrantActionKind.EDIT].isEnabled()
    assert "select a warrant status record" in buttons[WarrantActionKind.EDIT].toolTip()

    # New (Alt+U): the NIC number of another NCIC file gets a note, and saves regardless.
    records = capture(monkeypatch, WarrantRecordDialog)
    form = press_alt(qtbot, window, Qt.Key.Key_U, records)
    shown(qtbot, form)
    assert form.findChild(type(window.name_label), "warrant_disclaimer") is not None
    type_into(
        qtbot,
        form,
        {
            "requested_date": day(12),
            "issued_date": day(10),
            "issuing_authority": "Judge Ana Ruiz",
            "warrant_identifier": "c-123 456 789",
        },
    )
    assert form.note_text().startswith("Note: starts with C, not W")
    assert form.nic_note.isVisibleTo(form)
    assert form.status_line.text().startswith("Status: Active")
    save_with_enter(qtbot, form, "issuing_authority")
    [record] = the_records(db)
    assert (record.status, record.warrant_identifier, record.created_by) == (
        WarrantStatus.ACTIVE,
        "C123456789",
        "tx.po",
    )
    assert not form.isVisible()
    assert window.warrant_table.row_count() == 1
    assert window.warrant_table.current_row().record_id == record.id
    assert window.warrant_table.rows_model.columns[1].text(window.warrant_table.current_row()) == (
        "Active \u2014 incomplete"
    )
    assert "Warrant Status" in badges(window)
    # Not served before the NCIC entry is recorded: the button says so.
    assert not buttons[WarrantActionKind.SERVE].isEnabled()
    assert "needs the NCIC entry date" in buttons[WarrantActionKind.SERVE].toolTip()

    # Edit (Alt+D): completes it with the NCIC entry date and the W number.
    edit = press_alt(qtbot, window, Qt.Key.Key_D, records)
    shown(qtbot, edit)
    assert edit.form.raw_values()["issuing_authority"] == "Judge Ana Ruiz"
    type_into(qtbot, edit, {"warrant_identifier": "W123456789", "ncic_entry_date": day(9)})
    assert edit.note_text() == "" and not edit.nic_note.isVisibleTo(edit)
    save_with_enter(qtbot, edit, "ncic_entry_date")
    [record] = the_records(db)
    assert (record.warrant_identifier, record.ncic_entry_date) == (
        "W123456789",
        clock.today() - timedelta(days=9),
    )
    assert not window.warrant_table.current_row().incomplete
    assert buttons[WarrantActionKind.SERVE].isEnabled()

    # Mark served (Alt+M): the record becomes historical and read-only; the badge goes.
    closes = capture(monkeypatch, WarrantCloseDialog)
    serve = press_alt(qtbot, window, Qt.Key.Key_M, closes)
    shown(qtbot, serve)
    type_into(qtbot, serve, {"served_date": day(2)})
    save_with_enter(qtbot, serve, "served_date")
    [record] = the_records(db)
    assert (record.status, record.served_date) == (
        WarrantStatus.EXECUTED,
        clock.today() - timedelta(days=2),
    )
    line = window.warrant_table.current_row()
    assert window.warrant_table.rows_model.columns[1].text(line) == ("Executed \u2014 historical")
    assert "Warrant Status" not in badges(window)
    for kind in (WarrantActionKind.EDIT, WarrantActionKind.SERVE, WarrantActionKind.WITHDRAW):
        assert not buttons[kind].isEnabled()
        assert "read-only" in buttons[kind].toolTip()

    # A comment is still allowed (Alt+A).
    comments = capture(monkeypatch, WarrantCommentDialog)
    comment = press_alt(qtbot, window, Qt.Key.Key_A, comments)
    shown(qtbot, comment)
    type_into(qtbot, comment, {"comment": "Retaken to Texas"})
    qtbot.keyClick(
        comment.form.editor("comment"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    [record] = the_records(db)
    assert record.comments.endswith("tx.po: Retaken to Texas")
    assert "Retaken to Texas" in window.warrant_details.toPlainText()

    # A second warrant, withdrawn (Alt+K).
    second = press_alt(qtbot, window, Qt.Key.Key_U, records)
    shown(qtbot, second)
    type_into(qtbot, second, {"issued_date": day(1), "issuing_authority": "Parole Board"})
    save_with_enter(qtbot, second, "issuing_authority")
    assert window.warrant_table.current_row().issuing_authority == "Parole Board"
    withdraw = press_alt(qtbot, window, Qt.Key.Key_K, closes)
    shown(qtbot, withdraw)
    type_into(qtbot, withdraw, {"withdrawn_date": day(0)})
    save_with_enter(qtbot, withdraw, "withdrawn_date")
    assert [r.status for r in the_records(db)] == [WarrantStatus.EXECUTED, WarrantStatus.WITHDRAWN]


def test_a_bad_date_order_is_shown_beside_the_field_and_nothing_is_saved(
    qtbot, db, setup, monkeypatch
):
    actors, offender_id, _case_id = setup
    window = open_profile(qtbot, db, actors["tx.po"], offender_id)
    records = capture(monkeypatch, WarrantRecordDialog)
    qtbot.mouseClick(window.warrant_buttons[WarrantActionKind.NEW], Qt.MouseButton.LeftButton)
    [form] = records
    shown(qtbot, form)
    type_into(
        qtbot,
        form,
        {
            "issued_date": day(3),
            "issuing_authority": "Judge Lee",
            "ncic_entry_date": day(3),
            "served_date": day(5),
        },
    )
    save_with_enter(qtbot, form, "served_date")
    assert form.isVisible() and the_records(db) == []
    assert form.form.problem_text("served_date") == (
        f"Date served cannot be before the date the warrant was issued ({day(3)}): a warrant is "
        "served only after it is issued"
    )
    type_into(qtbot, form, {"warrant_identifier": "W12"})
    form.form.editor("issued_date").setFocus()
    assert "one letter and nine digits" in form.form.problem_text("warrant_identifier")
    form.form.mark_clean()  # leaves without the 'discard your changes?' question
    form.reject()


def test_a_served_record_is_read_only_on_screen_and_to_a_direct_call(qtbot, db, setup, monkeypatch):
    actors, offender_id, _case_id = setup
    officer = actors["tx.po"]
    with db.unit_of_work(officer) as session:
        record = warrants.add_record(
            session,
            officer,
            offender_id,
            {
                "issued_date": day(5),
                "issuing_authority": "Judge Lee",
                "ncic_entry_date": day(4),
                "served_date": day(1),
            },
        )
        record_id, version = record.id, record.version
    window = open_profile(qtbot, db, actors["tx.sup"], offender_id)
    assert window.warrant_table.current_row().historical
    for kind in (WarrantActionKind.EDIT, WarrantActionKind.SERVE, WarrantActionKind.WITHDRAW):
        button = window.warrant_buttons[kind]
        assert not button.isEnabled()
        assert "was served and is read-only" in button.toolTip()
    assert window.warrant_buttons[WarrantActionKind.COMMENT].isEnabled()
    # Double-clicking a historical row opens no editor.
    opened = capture(monkeypatch, WarrantRecordDialog)
    window.warrant_table.activated.emit(window.warrant_table.currentIndex())
    assert opened == []
    refusal = pytest.raises(WarrantRecordReadOnly, match="is read-only")
    with refusal, db.unit_of_work(officer) as session:
        warrants.update_record(
            session,
            officer,
            record_id,
            version,
            {"issued_date": day(5), "issuing_authority": "Changed"},
        )
    [stored] = the_records(db)
    assert (stored.issuing_authority, stored.version) == ("Judge Lee", version)


@pytest.mark.parametrize(("name", "state"), [("va.po", "VA"), ("oh.po", "OH")])
def test_the_receiving_state_and_a_third_state_read_only(qtbot, db, setup, name, state):
    actors, offender_id, _case_id = setup
    officer = actors["tx.po"]
    with db.unit_of_work(officer) as session:
        record = warrants.add_record(
            session, officer, offender_id, {"issued_date": day(5), "issuing_authority": "Judge Lee"}
        )
        record_id, version = record.id, record.version
    reader = actors[name]
    window = open_profile(qtbot, db, reader, offender_id)
    assert window.warrant_table.row_count() == 1  # they read it
    why = (
        "only the sending state of the offender's cases (TX) enters warrant status records; "
        f"{state} reads them"
    )
    for kind, button in window.warrant_buttons.items():
        assert not button.isEnabled(), kind
        assert why in button.toolTip()
    refusal = pytest.raises(PermissionDenied, match=f"{name} \\({state}\\) may not change")
    with refusal, db.unit_of_work(reader) as session:
        warrants.update_record(
            session,
            reader,
            record_id,
            version,
            {"issued_date": day(5), "issuing_authority": "Changed"},
        )
    assert the_records(db)[0].issuing_authority == "Judge Lee"


def test_probable_cause_record_added_with_the_waiver_rule_beside_its_field(
    qtbot, db, setup, monkeypatch
):
    actors, offender_id, case_id = setup
    receiving = actors["va.po"]
    window = open_profile(qtbot, db, receiving, offender_id)
    qtbot.keyClick(window, Qt.Key.Key_5, ALT)
    assert window.tabs.currentIndex() == PROBABLE_CAUSE_TAB
    assert window.new_probable_cause_button.isEnabled()
    assert not window.edit_probable_cause_button.isEnabled()
    opened = capture(monkeypatch, ProbableCauseDialog)
    form = press_alt(qtbot, window, Qt.Key.Key_U, opened)
    shown(qtbot, form)
    # The one case Virginia is party to is chosen already (the closed case went to Colorado).
    with db.read() as session:
        case_number = session.get(CompactCase, case_id).case_number
    assert form.form.editor("case_id").currentText() == case_number
    type_into(qtbot, form, {"hearing_date": day(8), "report_received_date": day(6)})
    form.form.editor("waived").setChecked(True)
    save_with_enter(qtbot, form, "hearing_date")
    assert form.isVisible()
    assert "Rule 5.108(b)" in form.form.problem_text("waived")
    assert form.form.problem_text("waived").startswith("Hearing waived cannot be accepted")
    with db.read() as session:
        assert session.scalars(select(ProbableCauseRecord)).all() == []

    form.form.editor("admission_of_revocable_violation").setChecked(True)
    form.form.editor("established").setCurrentIndex(1)  # Yes
    save_with_enter(qtbot, form, "hearing_date")
    assert not form.isVisible()
    with db.read() as session:
        [record] = session.scalars(select(ProbableCauseRecord)).all()
        due = probable_cause.decision_due(session, record)
    assert record.waived and record.admission_of_revocable_violation
    [line] = window.probable_cause_table.rows_model.rows
    assert line.decision_due == due and due is not None
    decision = window.probable_cause_table.rows_model.columns[4]
    assert decision.title == "Decision due (5.108(f))"
    assert decision.text(line) == due.due_date.strftime("%m/%d/%Y")
    assert window.edit_probable_cause_button.isEnabled()


def test_a_state_not_party_to_any_case_cannot_record_probable_cause(qtbot, db, setup):
    actors, offender_id, _case_id = setup
    window = open_profile(qtbot, db, actors["oh.po"], offender_id)
    assert not window.new_probable_cause_button.isEnabled()
    assert "only the sending and receiving states" in window.new_probable_cause_button.toolTip()


def test_a_draft_left_in_the_warrant_form_comes_back_in_it(qtbot, db, setup, monkeypatch):
    from app.services import drafts
    from app.views import form_dialog
    from app.views.offender_dialogs import dialog_for_draft

    actors, offender_id, _case_id = setup
    officer = actors["tx.po"]
    with db.unit_of_work(officer) as session:
        drafts.save_draft(
            session,
            officer,
            "warrant_status_record",
            f"offender-{offender_id}",
            {"issued_date": day(2), "issuing_authority": "Judge Crash"},
        )
    dialog = dialog_for_draft(
        AppContext(db, officer, AppEvents()), "warrant_status_record", f"offender-{offender_id}"
    )
    assert isinstance(dialog, WarrantRecordDialog)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(form_dialog, "choose", lambda *a, **k: 0)  # "Restore draft"
    assert dialog.offer_draft()
    assert dialog.form.raw_values()["issuing_authority"] == "Judge Crash"
    dialog.submit()
    [record] = the_records(db)
    assert (record.issuing_authority, record.offender_id) == ("Judge Crash", offender_id)
