"""Starting the application: a database that cannot be opened, signing in, the start-up report."""

from __future__ import annotations

import re
import sqlite3

import pytest
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from app.core.vocabulary import AuditAction
from app.models import AuditEntry
from app.views import application, start_up
from app.views.sign_in import FirstAdministratorDialog, SignInDialog
from tests.factories import make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

PASSWORD = "correct horse battery"


class RecordedMessages:
    """Stands in for QMessageBox so that no modal box waits for a click."""

    def __init__(self) -> None:
        self.critical_texts: list[str] = []

    def critical(self, _parent, _title: str, text: str) -> None:
        self.critical_texts.append(text)


@pytest.fixture
def messages(monkeypatch) -> RecordedMessages:
    recorded = RecordedMessages()
    monkeypatch.setattr(application, "QMessageBox", recorded)
    return recorded


@pytest.fixture
def test_database(db, monkeypatch):
    """run_gui opens the test's rolled-back database whatever URL it is given."""
    monkeypatch.setattr(application, "open_database", lambda _url: db)
    # The engine belongs to the whole test run; the application must not close it.
    monkeypatch.setattr(db, "dispose", lambda: None)
    return db


@pytest.fixture
def clerk(db, system) -> str:
    with db.unit_of_work(system) as session:
        return make_user(session, "clerk").username


def audited_actions(db) -> list[AuditAction]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.action.in_([AuditAction.SIGN_IN, AuditAction.SIGN_IN_FAILED])
                )
            )
        )


def test_a_database_folder_that_does_not_exist_is_shown_and_ends_with_3(qtbot, tmp_path, messages):
    url = f"sqlite:///{tmp_path / 'missing' / 'office.sqlite3'}"

    assert application.run_gui(url, None, None, exit_after_shown=True) == 3

    assert messages.critical_texts == [
        f"The folder {tmp_path / 'missing'} for the database file does not exist."
    ]


def test_an_unreachable_server_is_shown_and_ends_with_3(qtbot, messages):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/office"

    assert application.run_gui(url, "clerk", PASSWORD, exit_after_shown=True) == 3

    assert len(messages.critical_texts) == 1
    assert messages.critical_texts[0].startswith(
        "Cannot open the server 127.0.0.1:1, database office"
    )


def test_a_database_of_a_newer_version_is_refused(qtbot, tmp_path, messages):
    path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('9999')")

    assert application.run_gui(f"sqlite:///{path}", None, None, exit_after_shown=True) == 3

    assert "written by a newer version of Compact Office" in messages.critical_texts[0]


def test_a_wrong_password_given_at_start_is_shown_and_ends_with_1(
    qtbot, test_database, clerk, messages
):
    assert application.run_gui("ignored", "clerk", "wrong password", exit_after_shown=True) == 1

    assert messages.critical_texts == ["Wrong user name or password, or the account is disabled."]
    assert audited_actions(test_database) == [AuditAction.SIGN_IN_FAILED]


def test_signs_in_shows_the_window_and_reports_when_it_was_shown(
    qtbot, test_database, clerk, messages, capsys
):
    assert application.run_gui("ignored", "clerk", PASSWORD, exit_after_shown=True) == 0

    output = capsys.readouterr().out
    assert re.fullmatch(r"shown_after_ms=\d+\.\d\n", output)
    assert float(output.split("=")[1]) > 0
    assert messages.critical_texts == []
    assert audited_actions(test_database) == [AuditAction.SIGN_IN]


def test_a_start_begun_before_qt_signs_in_the_same_way(
    qtbot, test_database, clerk, messages, capsys
):
    # The command line opens the database and starts the password check before importing Qt.
    started = start_up.begin("ignored", "clerk", PASSWORD, opener=lambda _url: test_database)

    assert application.run_gui("ignored", "clerk", PASSWORD, True, started=started) == 0

    assert capsys.readouterr().out.startswith("shown_after_ms=")
    assert messages.critical_texts == []
    assert audited_actions(test_database) == [AuditAction.SIGN_IN]


def test_a_sign_in_the_database_does_not_record_closes_the_window_and_ends_with_1(
    qtbot, test_database, clerk, messages, monkeypatch
):
    # Recorded once the window is painted; a database that refuses it then ends the session.
    monkeypatch.setattr(application, "_record_sign_in", lambda *_args: "The database is full.")

    assert application.run_gui("ignored", "clerk", PASSWORD, exit_after_shown=False) == 1

    assert messages.critical_texts == ["The database is full."]


def test_a_new_database_asks_for_the_first_administrator(qtbot, test_database, monkeypatch):
    asked: list[str] = []

    def cancel(dialog: QDialog) -> int:
        asked.append(type(dialog).__name__)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(FirstAdministratorDialog, "exec", cancel)

    assert application.run_gui("ignored", None, None, exit_after_shown=True) == 0
    assert asked == ["FirstAdministratorDialog"]


def test_without_a_password_the_sign_in_dialog_asks_for_it(
    qtbot, test_database, clerk, monkeypatch, capsys
):
    prefilled: list[str] = []

    def type_the_password(dialog: SignInDialog) -> int:
        prefilled.append(dialog.username_field.text())
        dialog.password_field.setText(PASSWORD)
        dialog.buttons.accepted.emit()
        return dialog.result()

    monkeypatch.setattr(SignInDialog, "exec", type_the_password)

    assert application.run_gui("ignored", "clerk", None, exit_after_shown=True) == 0
    assert prefilled == ["clerk"]
    assert capsys.readouterr().out.startswith("shown_after_ms=")


def test_start_up_time_counts_from_the_start_of_the_process():
    seconds = application.seconds_since_process_start()

    assert 0 < seconds < 24 * 3600
