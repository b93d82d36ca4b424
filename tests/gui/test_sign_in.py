"""Signing in and creating the first administrator, driven through the dialogs as a clerk would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import select

from app.core.errors import AuthenticationFailed
from app.core.vocabulary import AuditAction, Role
from app.models import AuditEntry, User
from app.services import users
from app.views.sign_in import FirstAdministratorDialog, SignInDialog, sign_in
from tests.factories import make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

PASSWORD = "correct horse battery"


def click_ok(qtbot, dialog: QDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def failed_sign_ins(db) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEntry.note).where(AuditEntry.action == AuditAction.SIGN_IN_FAILED)
            )
        )


@pytest.fixture
def clerk(db, system) -> str:
    with db.unit_of_work(system) as session:
        return make_user(session, "clerk", state="VA").username


@pytest.fixture
def sign_in_dialog(qtbot, db, clerk) -> SignInDialog:
    dialog = SignInDialog(db)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def test_sign_in_records_a_failed_attempt_before_refusing(db, clerk):
    with pytest.raises(AuthenticationFailed, match="Wrong user name or password"):
        sign_in(db, "clerk", "not the password")

    assert failed_sign_ins(db) == ["failed sign-in for 'clerk'"]


def test_wrong_password_keeps_the_dialog_open_and_asks_again(qtbot, db, sign_in_dialog):
    qtbot.keyClicks(sign_in_dialog.username_field, "clerk")
    qtbot.keyClicks(sign_in_dialog.password_field, "guessing wrong")
    click_ok(qtbot, sign_in_dialog)

    assert sign_in_dialog.isVisible()
    assert sign_in_dialog.problem_label.isVisible()
    assert sign_in_dialog.problem_label.text().startswith("Wrong user name or password")
    assert sign_in_dialog.username_field.text() == "clerk"
    assert sign_in_dialog.password_field.text() == ""
    assert sign_in_dialog.actor is None
    assert failed_sign_ins(db) == ["failed sign-in for 'clerk'"]


def test_right_password_accepts_with_the_signed_in_actor(qtbot, db, sign_in_dialog):
    qtbot.keyClicks(sign_in_dialog.username_field, "Clerk")
    qtbot.keyClicks(sign_in_dialog.password_field, PASSWORD)
    qtbot.keyClick(sign_in_dialog.password_field, Qt.Key.Key_Return)

    assert sign_in_dialog.result() == QDialog.DialogCode.Accepted
    assert not sign_in_dialog.isVisible()
    assert sign_in_dialog.actor is not None
    assert sign_in_dialog.actor.username == "clerk"
    assert sign_in_dialog.actor.jurisdiction_code == "VA"
    assert failed_sign_ins(db) == []


@pytest.fixture
def first_administrator_dialog(qtbot, db) -> FirstAdministratorDialog:
    with db.read() as session:
        assert users.needs_first_administrator(session)
    dialog = FirstAdministratorDialog(db)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def fill_first_administrator(
    qtbot,
    dialog: FirstAdministratorDialog,
    *,
    state: str = "Texas",
    password: str = "a long enough secret",
    repeat: str | None = None,
) -> None:
    qtbot.keyClicks(dialog.username_field, "pat.admin")
    qtbot.keyClicks(dialog.full_name_field, "Pat Admin")
    qtbot.keyClicks(dialog.state_field.lineEdit(), state)
    qtbot.keyClicks(dialog.email_field, "pat@example.org")
    qtbot.keyClicks(dialog.password_field, password)
    qtbot.keyClicks(dialog.repeat_field, password if repeat is None else repeat)


def typed_values(dialog: FirstAdministratorDialog) -> tuple[str, ...]:
    return (
        dialog.username_field.text(),
        dialog.full_name_field.text(),
        dialog.state_field.currentText(),
        dialog.email_field.text(),
    )


def administrators(db) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(User.username).where(User.is_system.is_(False))))


@pytest.mark.parametrize(
    ("values", "field", "problem"),
    [
        ({"password": "short", "repeat": "short"}, "password", "at least 10 characters"),
        ({"state": "Atlantis"}, "state", "'Atlantis' is not a member jurisdiction"),
        ({"repeat": "a long enough secreT"}, "repeat password", "two passwords differ"),
    ],
)
def test_bad_input_shows_the_problem_and_keeps_what_was_typed(
    qtbot, db, first_administrator_dialog, values, field, problem
):
    dialog = first_administrator_dialog
    fill_first_administrator(qtbot, dialog, **values)
    before = typed_values(dialog)

    click_ok(qtbot, dialog)

    assert dialog.isVisible()
    assert list(dialog.problems()) == [field]
    assert problem in dialog.problems()[field]
    assert dialog.problem_labels[field].isVisible()
    assert typed_values(dialog) == before
    assert dialog.password_field.text() == values.get("password", "a long enough secret")
    assert administrators(db) == []


def test_correcting_a_problem_clears_it(qtbot, db, first_administrator_dialog):
    dialog = first_administrator_dialog
    fill_first_administrator(qtbot, dialog, state="Atlantis")
    click_ok(qtbot, dialog)
    dialog.state_field.lineEdit().clear()
    qtbot.keyClicks(dialog.state_field.lineEdit(), "tx")

    click_ok(qtbot, dialog)

    assert dialog.problems() == {}
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_good_input_creates_the_administrator_and_signs_them_in(
    qtbot, db, first_administrator_dialog
):
    dialog = first_administrator_dialog
    fill_first_administrator(qtbot, dialog)

    click_ok(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None
    assert dialog.actor.username == "pat.admin"
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == "pat.admin"))
        assert (user.full_name, user.jurisdiction_code, user.email) == (
            "Pat Admin",
            "TX",
            "pat@example.org",
        )
        assert user.role_set == {Role.STATE_ADMINISTRATOR}


def test_state_can_be_chosen_from_the_list(qtbot, first_administrator_dialog):
    combo = first_administrator_dialog.state_field
    combo.setCurrentIndex(combo.findData("NO"))

    assert combo.currentText() == "National Office (NO)"
    assert combo.state_text() == "NO"
    assert combo.count() == 54
