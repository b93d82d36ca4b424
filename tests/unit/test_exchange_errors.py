"""A folder with problems: each is reported as file:line: column, all of them at once, and the
database is left exactly as it was (every table's rows, the audit log included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.exchange import ImportFailed, import_folder, loading
from tests.unit.test_exchange import _schema, table_counts, valid_files, write_folder

OFFENDER = {name: index for index, name in enumerate(valid_files()["offenders.csv"][0])}


def refused(db, system, folder: Path) -> list[str]:
    """The problems of an import that must fail, after checking it changed nothing."""
    before = table_counts(db)
    with pytest.raises(ImportFailed) as failure:
        import_folder(db, system, folder)
    assert table_counts(db) == before
    assert str(failure.value).endswith("nothing was imported")
    return [str(error) for error in failure.value.errors]


def test_a_wrong_header_names_the_missing_and_the_unknown_columns(db, system, tmp_path):
    files = valid_files()
    files["offenders.csv"][0][OFFENDER["date_of_birth"]] = "birth_date"
    errors = refused(db, system, write_folder(tmp_path, files))
    assert errors[0].startswith("offenders.csv:1: birth_date: unknown column; the columns of ")
    assert errors[1] == "offenders.csv:1: date_of_birth: missing from the header"
    # The profiles could not be read: rows referring to them are not reported on top.
    assert len(errors) == 2


def test_a_bad_date(db, system, tmp_path):
    files = valid_files()
    files["offenders.csv"][2][OFFENDER["date_of_birth"]] = "1975-02-30"
    files["offenders.csv"][3][OFFENDER["date_of_birth"]] = "12/31/1975"
    assert refused(db, system, write_folder(tmp_path, files)) == [
        "offenders.csv:3: date_of_birth: '1975-02-30' is not a valid date (YYYY-MM-DD)",
        "offenders.csv:4: date_of_birth: '12/31/1975' is not a date written YYYY-MM-DD",
    ]


def test_an_unknown_state(db, system, tmp_path):
    files = valid_files()
    files["cases.csv"][1][3] = "XX"
    files["offenders.csv"][1][OFFENDER["created_by_state"]] = "tx"
    assert refused(db, system, write_folder(tmp_path, files)) == [
        "offenders.csv:2: created_by_state: 'tx' is not a member state's two-letter code, "
        "or NO (National Office)",
        "cases.csv:2: receiving_state: 'XX' is not a member state's two-letter code",
    ]


def test_a_duplicate_id_in_the_file_and_one_already_in_the_database(db, system, tmp_path):
    import_folder(db, system, write_folder(tmp_path / "first", {"offenders.csv": [
        valid_files()["offenders.csv"][0], ["OLD-7", "Older", "Ann", "", "", "", "", "", "", "",
                                            "", "", "", "", "TX", ""],
    ]}))  # fmt: skip
    files = valid_files()
    files["offenders.csv"].append(list(files["offenders.csv"][2]))  # TX-2 again, line 5
    files["offenders.csv"].append(list(files["offenders.csv"][3]))
    files["offenders.csv"][-1][0] = "OLD-7"
    files["warrants.csv"].append(list(files["warrants.csv"][1]))
    assert refused(db, system, write_folder(tmp_path / "second", files)) == [
        "offenders.csv:5: offender_id: 'TX-2' is also on line 3",
        "offenders.csv:6: offender_id: 'OLD-7' is already in the database",
        "warrants.csv:3: warrant_status_id: 'W-1' is also on line 2",
    ]


def test_a_broken_encoding_names_the_line(db, system, tmp_path):
    folder = write_folder(tmp_path, valid_files())
    path = folder / "offenders.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Smith", b"Sm\xefth")  # Latin-1, not UTF-8
    path.write_bytes(b"\n".join(lines))
    errors = refused(db, system, folder)
    assert errors == [
        "offenders.csv:3: encoding: not valid UTF-8 (byte 0xEF at byte 8 of the line); save the "
        "file as UTF-8"
    ]


def test_a_truncated_last_line(db, system, tmp_path):
    folder = write_folder(tmp_path, valid_files())
    path = folder / "offenders.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rindex(",VA,")], encoding="utf-8")  # cut in the last row
    errors = refused(db, system, folder)
    assert errors == [
        "offenders.csv:4: row: has 14 fields, the header has 16 (the last line: the file may be "
        "truncated)"
    ]


def test_an_unterminated_quote_at_the_end(db, system, tmp_path):
    folder = write_folder(tmp_path, valid_files())
    path = folder / "warrants.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("(512)")], encoding="utf-8")  # inside a quoted value
    assert refused(db, system, folder) == [
        "warrants.csv:2: row: a quoted value starting on this line never ends (the file may be "
        "truncated)"
    ]


def test_every_problem_of_a_file_is_reported(db, system, tmp_path):
    files = valid_files()
    tx1, tx2, doe = files["offenders.csv"][1:]
    tx1[OFFENDER["ssn"]] = "123-45-678"
    tx1[OFFENDER["sex"]] = "male"
    tx2[OFFENDER["sex_offender"]] = "yes"
    tx2[OFFENDER["created_at"]] = "2024-03-02T09:00:00"
    tx2[OFFENDER["last_name"]] = ""
    doe[OFFENDER["offender_id"]] = "X" * 41
    doe[OFFENDER["fbi_number"]] = "12345678901234567890X"
    files["activities.csv"][3][5] = "transmitted"  # ACT-3 has no transmitted_at
    files["activities.csv"][2][9] = "agree"  # not an outcome of a transfer request
    files["aliases.csv"][1][0] = "NOBODY"
    errors = refused(db, system, write_folder(tmp_path, files))
    assert errors == [
        "offenders.csv:2: sex: 'male' is not one of M, F, X, U",
        "offenders.csv:2: ssn: '123-45-678' is not nine digits (hyphens optional)",
        "offenders.csv:3: last_name: is required",
        "offenders.csv:3: sex_offender: 'yes' is not true or false",
        "offenders.csv:3: created_at: '2024-03-02T09:00:00' has no UTC offset (write it as in "
        "2024-03-01T14:05:00+00:00)",
        "offenders.csv:4: offender_id: must be at most 40 characters (it has 41)",
        "offenders.csv:4: fbi_number: '12345678901234567890X' is not 1 to 20 letters and digits "
        "(spaces, hyphens, dots and slashes are ignored)",
        "aliases.csv:2: offender_id: 'NOBODY' is not in offenders.csv nor in the database",
        # Its profile's row was refused for its id, so the id it names is unknown.
        "cases.csv:3: offender_id: '0000042' is not in offenders.csv nor in the database",
        "activities.csv:3: outcome: 'agree' is not an outcome of transfer_request: must be empty",
        "activities.csv:4: transmitted_at: is required when status is transmitted",
    ]


def test_a_missing_offenders_file_and_an_unknown_file(db, system, tmp_path):
    files = valid_files()
    del files["offenders.csv"]
    files["residences.csv"] = [["offender_id", "street"]]
    errors = refused(db, system, write_folder(tmp_path, files))
    assert errors[0].startswith("residences.csv:0: file: unknown file; the folder's files are")
    assert errors[1] == "offenders.csv:0: file: is missing; it is required"
    # Without the file, references to profiles are checked against the database alone.
    assert errors[2:] == [
        "aliases.csv:2: offender_id: 'TX-1' is not in offenders.csv (absent) nor in the database",
        "aliases.csv:3: offender_id: 'TX-2' is not in offenders.csv (absent) nor in the database",
        "cases.csv:2: offender_id: 'TX-1' is not in offenders.csv (absent) nor in the database",
        "cases.csv:3: offender_id: '0000042' is not in offenders.csv (absent) nor in the database",
        "warrants.csv:2: offender_id: 'TX-1' is not in offenders.csv (absent) nor in the database",
    ]


def test_a_reply_to_an_unknown_activity(db, system, tmp_path):
    files = valid_files()
    files["activities.csv"][1][8] = "ACT-404"
    files["activities.csv"][3][8] = "ACT-3"
    assert refused(db, system, write_folder(tmp_path, files)) == [
        "activities.csv:2: reply_to: 'ACT-404' is not in activities.csv nor in the database",
        "activities.csv:4: reply_to: is the activity's own activity_id",
    ]


def test_a_folder_that_is_not_there(db, system, tmp_path):
    from app.core.errors import UserError

    with pytest.raises(UserError, match="is not a folder"):
        import_folder(db, system, tmp_path / "nowhere")


def test_a_refused_large_import_leaves_every_index_and_key_in_place(
    db, system, tmp_path, monkeypatch
):
    """A large import sets indexes (and on PostgreSQL foreign keys) aside in its transaction; the
    problem is found once the profiles' ones are built again and the activities' ones are not."""
    monkeypatch.setattr(loading, "DEFER_INDEXES_FROM_ROWS", 1)
    set_aside = []
    for mode in (loading.SqliteBulkMode, loading.PostgresBulkMode):

        def noting(self, start=mode.start):
            start(self)
            set_aside.append(len(self.deferred))

        monkeypatch.setattr(mode, "start", noting)
    schema = _schema(db)
    files = valid_files()
    files["activities.csv"][1][8] = "ACT-404"
    assert refused(db, system, write_folder(tmp_path, files)) == [
        "activities.csv:2: reply_to: 'ACT-404' is not in activities.csv nor in the database",
    ]
    assert set_aside[0] > 0
    assert _schema(db) == schema
