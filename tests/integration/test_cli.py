"""The command line end to end: version, user add/list/disable, --as, --database-url, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from app.cli import EXIT_DATABASE, EXIT_OK, EXIT_USER_ERROR, main
from app.db import Database
from app.models import AuditEntry, User
from tests.conftest import fresh_database_url

PASSWORD = "correct horse battery"


@pytest.fixture
def url(tmp_path):
    """A database of its own: the CLI commits for real."""
    with fresh_database_url(tmp_path, "cli.sqlite3") as created:
        yield created


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert "compact-office 0.1.0" in capsys.readouterr().out


def test_python_dash_m_app_runs():
    completed = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, check=True
    )
    assert completed.stdout.startswith("compact-office ")


def test_user_add_list_disable_as_system(capsys, monkeypatch, url):
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", PASSWORD)
    code, out, _ = run(capsys, "user", "add", "ann.admin", "--state", "TX", "--role",
                       "state_administrator", "--full-name", "Ann Admin", "--database-url", url)  # fmt: skip
    assert code == EXIT_OK and "Added ann.admin" in out and PASSWORD not in out
    code, out, _ = run(capsys, "user", "list", "--database-url", url)
    assert code == EXIT_OK and "ann.admin" in out and "1 user(s)" in out
    code, out, _ = run(capsys, "user", "disable", "ann.admin", "--database-url", url)
    assert code == EXIT_OK
    database = Database(url)
    with database.read() as session:
        user = session.scalar(select(User).where(User.username == "ann.admin"))
        assert not user.active
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "app_user")).all()
        assert {e.actor_name for e in audit} == {"system"}
    database.dispose()


def test_the_database_url_can_come_from_the_environment(capsys, monkeypatch, url):
    monkeypatch.setenv("COMPACT_OFFICE_DATABASE_URL", url)
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", PASSWORD)
    code, _, _ = run(capsys, "user", "add", "env.user", "--state", "VA", "--role", "officer")
    assert code == EXIT_OK
    code, out, _ = run(capsys, "user", "list")
    assert "env.user" in out


def test_acting_as_a_user_needs_their_password(capsys, monkeypatch, url):
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", PASSWORD)
    run(capsys, "user", "add", "tx.admin", "--state", "TX", "--role", "state_administrator",
        "--database-url", url)  # fmt: skip
    monkeypatch.setenv("COMPACT_OFFICE_AS_PASSWORD", "not the password")
    code, _, err = run(capsys, "user", "list", "--as", "tx.admin", "--database-url", url)
    assert code == EXIT_USER_ERROR and "Wrong user name or password" in err
    assert "not the password" not in err
    monkeypatch.setenv("COMPACT_OFFICE_AS_PASSWORD", PASSWORD)
    code, _, _ = run(capsys, "user", "add", "tx.po", "--state", "TX", "--role", "officer",
                     "--as", "tx.admin", "--database-url", url)  # fmt: skip
    assert code == EXIT_OK
    database = Database(url)
    with database.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "app_user", AuditEntry.action == "insert")
            .order_by(AuditEntry.id.desc())
        ).first()  # fmt: skip
        assert entry.actor_name == "tx.admin"
    database.dispose()


def test_bad_input_is_named_and_nothing_is_written(capsys, monkeypatch, url):
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", "short")
    code, _, err = run(capsys, "user", "add", "bob", "--state", "ZZ", "--role", "officer",
                       "--database-url", url)  # fmt: skip
    assert code == EXIT_USER_ERROR
    assert "state: 'ZZ' is not a member jurisdiction" in err and "password:" in err
    code, _, err = run(capsys, "user", "add", "bob", "--state", "TX", "--role", "wizard",
                       "--database-url", url)  # fmt: skip
    assert code == EXIT_USER_ERROR and "role: must be one of" in err
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", PASSWORD)
    run(capsys, "user", "add", "bob", "--state", "TX", "--role", "officer", "--database-url", url)
    code, _, err = run(capsys, "user", "add", "bob", "--state", "TX", "--role", "officer",
                       "--database-url", url)  # fmt: skip
    assert code == EXIT_USER_ERROR and "already taken" in err
    code, out, _ = run(capsys, "user", "list", "--database-url", url)
    assert "1 user(s)" in out


def test_no_password_and_no_terminal_is_explained(capsys, monkeypatch, url):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _, err = run(capsys, "user", "add", "nopw", "--state", "TX", "--role", "officer",
                       "--database-url", url)  # fmt: skip
    assert code == EXIT_USER_ERROR and "COMPACT_OFFICE_PASSWORD" in err


@pytest.mark.parametrize(
    "bad_url, expected",
    [
        (
            "postgresql+psycopg://clerk:hunter2-pw@127.0.0.1:1/office",
            "Cannot open the server 127.0.0.1:1",
        ),
        ("nosuch://x", "Unsupported database"),
    ],
)
def test_unusable_database_urls_exit_with_a_message(capsys, bad_url, expected):
    code, _, err = run(capsys, "user", "list", "--database-url", bad_url)
    assert code == EXIT_DATABASE and expected in err and "hunter2" not in err


def test_a_corrupt_database_file_is_left_alone(capsys, tmp_path):
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a database")
    before = path.read_bytes()
    code, _, err = run(capsys, "user", "list", "--database-url", f"sqlite:///{path}")
    assert code == EXIT_DATABASE and "not a database" in err
    assert path.read_bytes() == before


def test_default_database_lives_in_the_user_data_folder(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", PASSWORD)
    code, _, _ = run(capsys, "user", "add", "home.user", "--state", "TX", "--role", "officer")
    assert code == EXIT_OK
    assert (tmp_path / "home" / "data" / "compact-office.sqlite3").exists()


def test_the_default_database_can_be_set_and_reset(capsys, tmp_path):
    target = tmp_path / "office.sqlite3"
    code, out, _ = run(capsys, "database", f"sqlite:///{target}")
    assert code == EXIT_OK and str(target) in out and "set in" in out
    code, out, _ = run(capsys, "database")
    assert str(target) in out
    code, out, err = run(capsys, "database", "postgresql+psycopg://u:pw-secret@127.0.0.1:1/x")
    assert code == EXIT_DATABASE and "pw-secret" not in err
    code, out, _ = run(capsys, "database")
    assert str(target) in out, "a URL that cannot be opened is not saved"
    code, out, _ = run(capsys, "database", "--embedded")
    assert "compact-office.sqlite3 (default)" in out


def test_common_options_work_before_and_after_the_sub_command(capsys, monkeypatch, url):
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", PASSWORD)
    code, _, _ = run(capsys, "--database-url", url, "user", "add", "early.bird", "--state", "TX",
                     "--role", "officer")  # fmt: skip
    assert code == EXIT_OK
    code, out, _ = run(capsys, "user", "list", "--database-url", url)
    assert "early.bird" in out
    from app.cli import build_parser

    parsed = build_parser().parse_args(["--exit-after-shown", "gui"])
    assert parsed.exit_after_shown is True
