"""`compact-office calendar`: the year's holidays shown, an office closure added and undone, refusals."""

from __future__ import annotations

import pytest

from app.cli import EXIT_OK, EXIT_USER_ERROR, main
from app.core.vocabulary import Role
from app.db import Database
from app.services import users
from tests.conftest import fresh_database_url
from tests.factories import make_user

PASSWORD = "correct horse battery"


@pytest.fixture
def url(tmp_path, monkeypatch):
    with fresh_database_url(tmp_path, "calendar.sqlite3") as created:
        database = Database(created)
        database.migrate()
        with database.read() as session:
            system = users.system_actor(session)
        with database.unit_of_work(system) as session:
            make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,))
            make_user(session, "tx.po", "TX", (Role.OFFICER,))
        database.dispose()
        monkeypatch.setenv("COMPACT_OFFICE_AS_PASSWORD", PASSWORD)
        yield created


def test_show_close_and_remove(capsys, url):
    assert (
        main(["calendar", "show", "--state", "TX", "--year", "2026", "--database-url", url])
        == EXIT_OK
    )
    out = capsys.readouterr().out
    assert "11/26/2026  Thu  closed" in out and "Thanksgiving" in out
    assert "Columbus Day" not in out  # Texas works it
    code = main(["calendar", "close", "01/26/2026", "--reason", "Ice storm", "--as", "tx.co",
                 "--database-url", url])  # fmt: skip
    assert code == EXIT_OK
    main(["calendar", "show", "--as", "tx.co", "--year", "2026", "--database-url", url])
    [line] = [line for line in capsys.readouterr().out.splitlines() if "Ice storm" in line]
    assert line.startswith("01/26/2026  Mon  closed") and "(office)" in line
    assert (
        main(["calendar", "remove", "2026-01-26", "--as", "tx.co", "--database-url", url])
        == EXIT_OK
    )
    main(["calendar", "show", "--state", "TX", "--year", "2026", "--database-url", url])
    assert "Ice storm" not in capsys.readouterr().out


def test_an_officer_and_a_bad_date_are_refused(capsys, url):
    code = main(
        ["calendar", "close", "01/26/2026", "--reason", "x", "--as", "tx.po", "--database-url", url]
    )
    assert code == EXIT_USER_ERROR
    assert "tx.po" in capsys.readouterr().err
    code = main(
        ["calendar", "close", "26/01/2026", "--reason", "x", "--as", "tx.co", "--database-url", url]
    )
    assert code == EXIT_USER_ERROR
    assert "DATE: must be a date" in capsys.readouterr().err
