"""Profile and case dialogs driven from the keyboard: a new profile typed and saved with Enter, the
duplicate check and its recorded certification, a conflicting edit, a new case, a closure notice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app.core.vocabulary import ActivityStatus, ActivityType, CaseStatus
from app.models import Activity, CompactCase, Offender
from app.services import profiles
from app.services.users import actor_from_user
from app.views import offender_dialogs
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.offender_dialogs import CaseClosureDialog, CaseDialog, OffenderDialog
from tests.factories import make_case, make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]


@pytest.fixture
def clerk(db, system):
    with db.unit_of_work(system) as session:
        return actor_from_user(make_user(session, "tx.clerk", "TX"))


def show(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def type_into(qtbot, dialog, values: dict[str, str]) -> None:
    for name, text in values.items():
        editor = dialog.form.editor(name)
        editor.setFocus()
        if text.isascii():
            qtbot.keyClicks(editor, text)
        else:  # QTest types ASCII keys only; a pasted name arrives whole
            editor.insert(text)


def offenders_named(db, last_name):
    with db.read() as session:
        return session.query(Offender).filter_by(last_name=last_name).all()


def test_a_new_profile_is_typed_and_saved_with_enter(qtbot, db, clerk):
    events = AppEvents()
    dialog = show(qtbot, OffenderDialog(AppContext(db, clerk, events)))
    saved = []
    dialog.saved.connect(saved.append)
    type_into(qtbot, dialog, {"last_name": "Kowalski", "first_name": "Łukasz",
                              "date_of_birth": "03/04/1975", "ssn": "212-33-4444"})  # fmt: skip
    with qtbot.waitSignal(events.changes_applied):
        qtbot.keyClick(dialog.form.editor("ssn"), Qt.Key.Key_Return)
    [offender] = offenders_named(db, "Kowalski")
    assert (offender.first_name, offender.ssn, offender.created_by_state) == (
        "Łukasz",
        "212334444",
        "TX",
    )
    assert saved == [offender.id] and not dialog.isVisible()


def test_a_bad_value_is_named_beside_its_field_and_nothing_is_saved(qtbot, db, clerk):
    dialog = show(qtbot, OffenderDialog(AppContext(db, clerk, AppEvents())))
    type_into(qtbot, dialog, {"last_name": "Bad", "first_name": "Ssn", "ssn": "999-99-9999"})
    qtbot.keyClick(dialog.form.editor("first_name"), Qt.Key.Key_Return)
    assert "never issued" in dialog.form.problem_of("ssn")
    assert dialog.isVisible() and offenders_named(db, "Bad") == []


def test_a_possible_duplicate_needs_the_certification_which_is_kept(
    qtbot, db, clerk, system, monkeypatch
):
    with db.unit_of_work(system) as session:
        make_offender(
            session, last_name="Other", first_name="Person", ssn="212334444", created_by_state="CA"
        )
    shown = []

    def certify(self):
        shown.append([(m.offender_number, m.visible, m.reasons) for m in self.matches])
        return offender_dialogs.PossibleMatchesDialog.CERTIFIED

    monkeypatch.setattr(offender_dialogs.PossibleMatchesDialog, "exec", certify)
    dialog = show(qtbot, OffenderDialog(AppContext(db, clerk, AppEvents())))
    type_into(qtbot, dialog, {"last_name": "Kowalski", "first_name": "Lukas", "ssn": "212334444"})
    qtbot.keyClick(dialog.form.editor("ssn"), Qt.Key.Key_Return)
    assert len(shown) == 1 and shown[0][0][1:] == (False, ("same SSN",))
    [offender] = offenders_named(db, "Kowalski")
    assert offender.not_duplicate_certified_by_id == clerk.user_id


def test_choosing_an_existing_profile_creates_nothing(qtbot, db, clerk, system, monkeypatch):
    with db.unit_of_work(system) as session:
        existing = make_offender(session, last_name="Kowalski", first_name="Lukas", ssn="212334444")
    existing_id = existing.id

    def open_existing(self):
        self.chosen = self.matches[0]
        return offender_dialogs.PossibleMatchesDialog.OPEN_EXISTING

    monkeypatch.setattr(offender_dialogs.PossibleMatchesDialog, "exec", open_existing)
    dialog = show(qtbot, OffenderDialog(AppContext(db, clerk, AppEvents())))
    opened = []
    dialog.open_existing.connect(opened.append)
    type_into(qtbot, dialog, {"last_name": "Kowalsky", "first_name": "Lucas", "ssn": "212-33-4444"})
    qtbot.keyClick(dialog.form.editor("ssn"), Qt.Key.Key_Return)
    assert opened == [existing_id]
    assert offenders_named(db, "Kowalsky") == [] and not dialog.isVisible()


def test_an_edit_saved_over_a_newer_version_shows_both_and_keeps_theirs(
    qtbot, db, clerk, system, monkeypatch
):
    with db.unit_of_work(system) as session:
        offender_id = make_offender(
            session, last_name="Smith", first_name="Ann", created_by_state="TX"
        ).id
    dialog = show(qtbot, OffenderDialog(AppContext(db, clerk, AppEvents()), offender_id))
    with db.unit_of_work(system) as session:
        colleague = actor_from_user(make_user(session, "tx.colleague", "TX"))
    with db.read() as session:
        values = profiles.offender_form_values(session.get(Offender, offender_id))
        version = session.get(Offender, offender_id).version
    with db.unit_of_work(colleague) as session:
        profiles.update_offender(
            session, colleague, offender_id, version, dict(values, first_name="Anne")
        )
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    editor = dialog.form.editor("middle_name")
    editor.setFocus()
    qtbot.keyClicks(editor, "Marie")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    [message] = warnings
    assert "tx.colleague" in message and "first name: Anne → Ann" in message
    with db.read() as session:
        stored = session.get(Offender, offender_id)
        assert (stored.first_name, stored.middle_name) == ("Anne", None)
    assert dialog.isVisible()


def test_a_new_case_from_the_dialog(qtbot, db, clerk, system):
    with db.unit_of_work(system) as session:
        offender_id = make_offender(session, created_by_state="TX").id
    dialog = show(qtbot, CaseDialog(AppContext(db, clerk, AppEvents()), offender_id))
    assert dialog.form.raw_values()["sending_state"] == "TX"
    type_into(qtbot, dialog, {"receiving_state": "Virginia", "sending_assigned_user": "tx.clerk"})
    dialog.form.editor("supervision_type").setCurrentIndex(1)
    qtbot.keyClick(dialog.form.editor("sending_assigned_user"), Qt.Key.Key_Return)
    with db.read() as session:
        [case] = session.query(CompactCase).filter_by(offender_id=offender_id).all()
    assert (case.receiving_state, case.status, case.sending_assigned_user_id) == (
        "VA", CaseStatus.PENDING, clerk.user_id)  # fmt: skip


def test_a_closure_notice_from_the_dialog(qtbot, db, system):
    with db.unit_of_work(system) as session:
        virginia = actor_from_user(make_user(session, "va.po", "VA"))
        case = make_case(session, make_offender(session), status=CaseStatus.ACCEPTED)
        session.add(Activity(activity_number="A9", case_id=case.id, type=ActivityType.NOTICE_OF_ARRIVAL,
                             from_state="VA", to_state="TX", status=ActivityStatus.TRANSMITTED))  # fmt: skip
        case_id, number, version = case.id, case.case_number, case.version
    dialog = show(
        qtbot, CaseClosureDialog(AppContext(db, virginia, AppEvents()), case_id, number, version)
    )
    dialog.form.editor("closure_reason").setCurrentIndex(1)
    type_into(qtbot, dialog, {"closure_date": "2026-01-15", "reason": "Discharged early"})
    qtbot.keyClick(
        dialog.form.editor("reason"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    with db.read() as session:
        notice = (
            session.query(Activity)
            .filter_by(case_id=case_id, type=ActivityType.CASE_CLOSURE_NOTICE)
            .one()
        )
    assert (notice.from_state, notice.to_state, notice.content["reason"]) == (
        "VA",
        "TX",
        "Discharged early",
    )


def test_a_draft_left_by_a_crash_is_offered_at_start_and_finished(qtbot, db, clerk, monkeypatch):
    from app.services import drafts
    from app.views import form_dialog
    from app.views.main_window import MainWindow

    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", "new",
                          {"last_name": "Crashed", "first_name": "Before", "ssn": "212-33-4444"})  # fmt: skip
    window = MainWindow(AppContext(db, clerk, AppEvents()))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "1 unsaved draft" in window.statusBar().currentMessage())

    monkeypatch.setattr(form_dialog, "choose", lambda *a, **k: 0)  # "Restore draft"
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, *_a: (items[0], True))

    def save_when_shown(dialog):
        dialog.offer_draft()
        assert dialog.form.raw_values()["last_name"] == "Crashed"
        dialog.submit()
        return 1

    monkeypatch.setattr(OffenderDialog, "exec", save_when_shown)
    window.resume_draft()
    [offender] = offenders_named(db, "Crashed")
    assert offender.ssn == "212334444"
    with db.read() as session:
        assert drafts.list_drafts(session, clerk) == []
    for profile in window.profile_windows.values():
        qtbot.addWidget(profile)
