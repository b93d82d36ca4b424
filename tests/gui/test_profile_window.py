"""The profile window as a clerk uses it: header and badges, tabs by keyboard, the one case action
the rules allow (the others disabled with the reason), the audited SSN reveal, the history."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app.core.vocabulary import ActivityStatus, ActivityType, CaseStatus
from app.models import Activity, CompactCase
from app.services.cases import CaseActionKind
from app.services.users import actor_from_user
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.profile_window import ProfileWindow
from tests.factories import make_case, make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]


@pytest.fixture
def setup(db, system):
    with db.unit_of_work(system) as session:
        clerk = actor_from_user(make_user(session, "tx.clerk", "TX"))
        offender = make_offender(session, last_name="Núñez", first_name="José", ssn="123456789",
                                 sex_offender=True, victim_sensitive=True)  # fmt: skip
        active = make_case(session, offender)
        session.add(Activity(activity_number="A1", case_id=active.id, type=ActivityType.TRANSFER_REQUEST,
                             from_state="TX", to_state="VA", status=ActivityStatus.TRANSMITTED))  # fmt: skip
        make_case(session, offender, status=CaseStatus.CLOSED)
        return clerk, offender.id, active.id


def open_profile(qtbot, db, actor, offender_id) -> ProfileWindow:
    window = ProfileWindow(AppContext(database=db, actor=actor, events=AppEvents()), offender_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def test_header_shows_name_number_and_badges_as_words(qtbot, db, setup):
    clerk, offender_id, _ = setup
    window = open_profile(qtbot, db, clerk, offender_id)
    assert window.name_label.text() == "Núñez, José"
    assert window.number_label.text().startswith("Offender # T")
    badges = [window.badges.itemAt(i).widget() for i in range(window.badges.count())]
    assert [b.text() for b in badges if b] == ["Sex offender", "Victim sensitive"]
    assert window.identity_values["ssn"].text() == "***-**-6789"


def test_alt_digits_switch_tabs(qtbot, db, setup):
    clerk, offender_id, _ = setup
    window = open_profile(qtbot, db, clerk, offender_id)
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 6
    assert window.history_table.row_count() > 0
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == 1


def test_only_withdraw_is_offered_and_the_others_say_why(qtbot, db, setup, monkeypatch):
    clerk, offender_id, case_id = setup
    window = open_profile(qtbot, db, clerk, offender_id)
    assert window.case_table.row_count() == 1  # the closed case is historical, hidden
    window.show_historical.setChecked(True)
    assert window.case_table.row_count() == 2
    window.show_historical.setChecked(False)
    enabled = {kind for kind, button in window.case_buttons.items() if button.isEnabled()}
    assert enabled == {CaseActionKind.WITHDRAW}
    assert "withdraw it instead" in window.case_buttons[CaseActionKind.REMOVE_INTEREST].toolTip()

    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("moved back home", True))
    qtbot.mouseClick(window.case_buttons[CaseActionKind.WITHDRAW], Qt.MouseButton.LeftButton)
    with db.read() as session:
        assert session.get(CompactCase, case_id).status is CaseStatus.WITHDRAWN
    assert window.case_table.row_count() == 0
    window.show_historical.setChecked(True)
    assert {line.status for line in window.case_table.rows_model.rows} == {"Withdrawn", "Closed"}


def test_a_refused_action_is_explained_and_nothing_changes(qtbot, db, setup, monkeypatch):
    clerk, offender_id, case_id = setup
    window = open_profile(qtbot, db, clerk, offender_id)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("   ", True))
    window.run_case_action(CaseActionKind.WITHDRAW)
    assert warnings == ["reason: is required"]
    with db.read() as session:
        assert session.get(CompactCase, case_id).status is CaseStatus.PENDING


def test_revealing_the_ssn_shows_it_and_adds_a_history_line(qtbot, db, setup):
    clerk, offender_id, _ = setup
    window = open_profile(qtbot, db, clerk, offender_id)
    before = window.history_table.row_count()
    qtbot.mouseClick(window.reveal_button, Qt.MouseButton.LeftButton)
    assert window.identity_values["ssn"].text() == "123-45-6789"
    assert window.history_table.row_count() == before + 1
    newest = window.history_table.rows_model.rows[0]
    assert (newest.actor_name, newest.action, newest.note) == (
        "tx.clerk",
        "view_sensitive",
        "SSN revealed",
    )


def test_a_case_action_is_reached_and_pressed_with_the_keyboard(qtbot, db, setup, monkeypatch):
    clerk, offender_id, case_id = setup
    window = open_profile(qtbot, db, clerk, offender_id)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    window.case_table.setFocus()
    # Disabled actions are skipped: Tab from the list lands on the one the rules allow.
    qtbot.keyClick(window.case_table, Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert focused is window.case_buttons[CaseActionKind.WITHDRAW]
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("returned home", True))
    qtbot.keyClick(focused, Qt.Key.Key_Space)
    with db.read() as session:
        assert session.get(CompactCase, case_id).status is CaseStatus.WITHDRAWN
