"""Opening databases: new, upgraded, newer than the code, damaged, read-only, unreachable, wrong URL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.core.errors import DatabaseTooNew, DatabaseUnavailable
from app.db import HEAD_REVISION, KNOWN_REVISIONS, MIGRATIONS_DIR, Database, describe_url


def test_head_revision_matches_the_migration_scripts():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    assert script.get_heads() == [HEAD_REVISION]
    assert {rev.revision for rev in script.walk_revisions()} == set(KNOWN_REVISIONS)


def test_a_new_file_is_created_and_migrated(tmp_path):
    path = tmp_path / "new.sqlite3"
    database = Database(f"sqlite:///{path}")
    assert database.migrate() is None
    assert database.current_revision() == HEAD_REVISION
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM jurisdiction").fetchone() == (54,)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    database.dispose()


def test_sqlite_connections_enforce_foreign_keys(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    database.migrate()
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


def test_a_database_newer_than_the_code_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer version"):
        Database(f"sqlite:///{path}").migrate()
    assert path.read_bytes() == before


def test_an_older_schema_is_copied_aside_before_upgrading(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    # Pretend the code is one revision ahead of the file.
    import app.db as db_module

    monkeypatch.setattr(db_module, "HEAD_REVISION", "9998")
    monkeypatch.setattr(db_module, "KNOWN_REVISIONS", (*KNOWN_REVISIONS, "9998"))
    upgraded = Database(f"sqlite:///{path}")
    monkeypatch.setattr(upgraded, "_run_alembic_upgrade", lambda: None)
    backup = upgraded.migrate()
    assert backup is not None and Path(backup).exists()
    with sqlite3.connect(backup) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            HEAD_REVISION,
        )
    upgraded.dispose()


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n")
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="is not a database"):
        Database(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_a_damaged_database_is_refused(tmp_path):
    path = tmp_path / "damaged.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(DatabaseUnavailable, match="damaged|not a database|Cannot open"):
        Database(f"sqlite:///{path}").migrate()


def test_a_read_only_database_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "ro.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    path.chmod(0o444)
    real_access = os.access
    # Root may write anyway, so ask the check as an ordinary account would be answered.
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode: False if (Path(p) == path and mode == os.W_OK) else real_access(p, mode),
    )
    with pytest.raises(DatabaseUnavailable, match="read-only"):
        Database(f"sqlite:///{path}")


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        Database(f"sqlite:///{tmp_path / 'nowhere' / 'x.sqlite3'}")


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "not valid"),
        ("mysql://u@h/db", "Unsupported database 'mysql'"),
        ("oracle+cx://u@h/db", "Unsupported database"),
    ],
)
def test_wrong_urls_are_explained(url, message):
    with pytest.raises(DatabaseUnavailable, match=message):
        Database(url)


def test_an_unreachable_server_is_explained_without_the_password():
    database = Database("postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:1/compact")
    with pytest.raises(DatabaseUnavailable) as caught:
        database.migrate()
    message = str(caught.value)
    assert "127.0.0.1:1" in message and "compact" in message
    assert "s3cret-pw" not in message


def test_describe_url_hides_passwords():
    assert "pw" not in describe_url("postgresql+psycopg://u:pw@db.example:5432/office")
    assert describe_url("sqlite:////tmp/x.sqlite3") == "embedded database /tmp/x.sqlite3"


def test_tables_of_another_program_are_not_taken_over(tmp_path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseUnavailable, match="not a Compact Office database"):
        Database(f"sqlite:///{path}").migrate()


def test_opening_puts_back_what_a_killed_bulk_load_set_aside(tmp_path):
    path = tmp_path / "killed.sqlite3"
    Database(f"sqlite:///{path}").migrate()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP INDEX ix_offender_ssn")
        connection.execute("DROP TRIGGER offender_name_fts_insert")
        connection.execute(
            "INSERT INTO setting (key, value, version) VALUES ('demo_data.deferred_schema', ?, 1)",
            (
                '[{"type": "index", "name": "ix_offender_ssn", '
                '"sql": "CREATE INDEX ix_offender_ssn ON offender (ssn)"}, '
                '{"type": "trigger", "name": "offender_name_fts_insert", "sql": '
                '"CREATE TRIGGER offender_name_fts_insert AFTER INSERT ON offender_name BEGIN '
                "INSERT INTO offender_name_fts(rowid, full_key) VALUES (new.id, new.full_key); "
                'END"}]',
            ),
        )
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        pending = connection.execute("SELECT count(*) FROM setting").fetchone()[0]
    assert {"ix_offender_ssn", "offender_name_fts_insert"} <= names
    assert pending == 0
