"""`compact-office export DIR` and `compact-office import DIR` end to end, on databases of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.cli import EXIT_OK, EXIT_USER_ERROR, main
from app.db import Database
from app.models import AuditEntry, Offender
from tests.conftest import fresh_database_url
from tests.unit.test_exchange import valid_files, write_folder

PASSWORD = "correct horse battery"


@pytest.fixture
def urls(tmp_path):
    """Two empty databases: the CLI commits for real."""
    with (
        fresh_database_url(tmp_path, "one.sqlite3") as one,
        fresh_database_url(tmp_path, "two.sqlite3") as two,
    ):
        yield one, two


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def count_offenders(url: str) -> int:
    database = Database(url)
    try:
        with database.read() as session:
            return session.scalar(select(func.count()).select_from(Offender))
    finally:
        database.dispose()


def test_import_then_export_then_import_elsewhere(capsys, tmp_path, urls):
    one, two = urls
    folder = write_folder(tmp_path / "in", valid_files())
    code, out, err = run(capsys, "import", str(folder), "--database-url", one)
    assert code == EXIT_OK, err
    assert out.strip() == (
        f"Imported from {folder}: offenders.csv 3, aliases.csv 2, cases.csv 2, "
        "activities.csv 3, warrants.csv 1."
    )
    # Not a terminal: progress comes as plain lines, never carriage returns.
    assert "Checking and loading offenders.csv" in err and "\r" not in err

    code, out, err = run(capsys, "--database-url", one, "export", str(tmp_path / "out"))
    assert code == EXIT_OK, err
    assert out.startswith(f"Exported to {tmp_path / 'out'}: offenders.csv 3,")
    assert "Writing activities.csv" in err

    code, out, _ = run(capsys, "import", str(tmp_path / "out"), "--database-url", two)
    assert code == EXIT_OK
    assert count_offenders(two) == 3
    database = Database(two)
    try:
        with database.read() as session:
            audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "data_exchange"))
            assert [(a.action, a.actor_name) for a in audit] == [("bulk_load", "system")]
    finally:
        database.dispose()


def test_a_refused_import_prints_every_problem_and_exits_non_zero(capsys, tmp_path, urls):
    one, _ = urls
    files = valid_files()
    files["offenders.csv"][1][5] = "1980-02-30"
    files["cases.csv"][2][3] = "ZZ"
    folder = write_folder(tmp_path / "bad", files)
    code, out, err = run(capsys, "import", str(folder), "--database-url", one)
    assert code == EXIT_USER_ERROR and out == ""
    lines = err.splitlines()
    assert "offenders.csv:2: date_of_birth: '1980-02-30' is not a valid date (YYYY-MM-DD)" in lines
    assert "cases.csv:3: receiving_state: 'ZZ' is not a member state's two-letter code" in lines
    assert lines[-1] == f"compact-office: 2 problems in {folder}; nothing was imported"
    assert count_offenders(one) == 0


def test_an_officer_may_not_import(capsys, monkeypatch, tmp_path, urls):
    one, _ = urls
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", PASSWORD)
    run(capsys, "user", "add", "tx.officer", "--state", "TX", "--role", "officer",
        "--database-url", one)  # fmt: skip
    monkeypatch.setenv("COMPACT_OFFICE_AS_PASSWORD", PASSWORD)
    folder = write_folder(tmp_path / "in", valid_files())
    code, _, err = run(capsys, "import", str(folder), "--as", "tx.officer", "--database-url", one)
    assert code == EXIT_USER_ERROR and "tx.officer may not load data" in err
    assert count_offenders(one) == 0
