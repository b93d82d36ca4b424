"""The warrant status export: the seed's columns as warrants.csv names them, a state's records only,
CSV and XLSX, and a round trip through `compact-office import` that keeps every field."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from app.cli import EXIT_OK, EXIT_USER_ERROR, main
from app.core.errors import PermissionDenied, UserError
from app.core.permissions import Actor
from app.core.vocabulary import AuditAction, Role, WarrantStatus
from app.db import Database
from app.models import AuditEntry, WarrantStatusRecord
from app.services import users
from app.services.users import actor_from_user
from app.services.warrant_export import export_warrant_status, format_of
from tests.conftest import fresh_database_url
from tests.factories import make_case, make_offender, make_user

# /work/shared/design/data-exchange.md, warrants.csv: the seed's data-field table, in order.
SEED_COLUMNS = [
    "warrant_status_id", "created_ts", "created_by", "updated_ts", "updated_by", "offender_id",
    "warrant_status", "requested_date", "issued_date", "issuing_authority",
    "issuing_authority_contact", "warrant_identifier", "ncic_entry_date", "served_date",
    "withdrawn_date",
]  # fmt: skip


def _records(session) -> dict[str, int]:
    """A Texas case's profile with a full executed record and a bare active one; a profile that
    only Virginia and Ohio know, with one record."""
    texan = make_offender(session, offender_number="TX-7001", created_by_state="TX")
    make_case(session, texan, sending_state="TX", receiving_state="VA")
    other = make_offender(session, offender_number="OH-7002", created_by_state="OH")
    make_case(session, other, sending_state="OH", receiving_state="VA")
    session.add_all(
        [
            WarrantStatusRecord(
                warrant_status_id="WS-1", offender_id=texan.id, status=WarrantStatus.EXECUTED,
                requested_date=date(2026, 2, 26), issued_date=date(2026, 3, 1),
                issuing_authority="Judge Ann Smith, 147th District Court",
                # A comma, a quote, a line break and a leading '+': all must come back as written.
                issuing_authority_contact='+1 512 555 0100, "warrants desk"\n1 Main St, Austin',
                warrant_identifier="W123456789", ncic_entry_date=date(2026, 3, 2),
                ncic_verified_date=date(2026, 3, 3), served_date=date(2026, 4, 10),
                retaking_authority="TDCJ", comments="not exported: ours, not the seed's",
                created_ts=datetime(2026, 3, 1, 14, 5, 7, 123456, tzinfo=UTC),
                updated_ts=datetime(2026, 4, 10, 9, 0, tzinfo=UTC),
                created_by="J. Núñez (source system)", updated_by="tx.co",
            ),
            WarrantStatusRecord(
                warrant_status_id="WS-2", offender_id=texan.id, status=WarrantStatus.ACTIVE,
                issued_date=date(2026, 11, 2), issuing_authority="Parole Board",
                created_ts=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
                updated_ts=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
                created_by="tx.po", updated_by="tx.po",
            ),
            WarrantStatusRecord(
                warrant_status_id="WS-3", offender_id=other.id, status=WarrantStatus.WITHDRAWN,
                issued_date=date(2026, 5, 1), issuing_authority="Franklin County Court",
                withdrawn_date=date(2026, 6, 1),
                created_ts=datetime(2026, 5, 1, 8, 0, tzinfo=UTC),
                updated_ts=datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
                created_by="oh.po", updated_by="oh.po",
            ),
        ]
    )  # fmt: skip
    session.flush()
    return {"texan": texan.id, "other": other.id}


def _actor(db, system, state: str, role: Role = Role.OFFICER) -> Actor:
    with db.unit_of_work(system) as session:
        return actor_from_user(make_user(session, state=state, roles=(role,)))


def _read_csv(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_has_the_seed_columns_and_only_the_states_records(db, system, tmp_path):
    with db.unit_of_work(system) as session:
        _records(session)
    texas = _actor(db, system, "TX")
    written = export_warrant_status(db, texas, tmp_path / "tx.csv")
    assert (written.rows, written.state) == (2, "TX")
    header, *rows = _read_csv(tmp_path / "tx.csv")
    assert header == SEED_COLUMNS
    assert [row[0] for row in rows] == ["WS-1", "WS-2"]
    full = dict(zip(header, rows[0], strict=True))
    assert full == {
        "warrant_status_id": "WS-1",
        "created_ts": "2026-03-01T14:05:07.123456+00:00",
        "created_by": "J. Núñez (source system)",
        "updated_ts": "2026-04-10T09:00:00+00:00",
        "updated_by": "tx.co",
        "offender_id": "TX-7001",
        "warrant_status": "Executed",
        "requested_date": "2026-02-26",
        "issued_date": "2026-03-01",
        "issuing_authority": "Judge Ann Smith, 147th District Court",
        "issuing_authority_contact": '+1 512 555 0100, "warrants desk"\n1 Main St, Austin',
        "warrant_identifier": "W123456789",
        "ncic_entry_date": "2026-03-02",
        "served_date": "2026-04-10",
        "withdrawn_date": "",
    }
    # Virginia receives both cases, so both profiles are linked to it.
    virginia = _actor(db, system, "VA")
    assert export_warrant_status(db, virginia, tmp_path / "va.csv").rows == 3
    with db.read() as session:
        audited = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == AuditAction.VIEW_SENSITIVE)
            .order_by(AuditEntry.id)
        ).all()
    assert [entry.changes["rows"] for entry in audited] == [2, 3]
    assert audited[0].changes["state"] == "TX"


def test_xlsx_opens_in_a_spreadsheet_library_with_dates_as_dates(db, system, tmp_path):
    with db.unit_of_work(system) as session:
        _records(session)
    path = tmp_path / "all.xlsx"
    written = export_warrant_status(db, system, path)
    assert (written.rows, written.state) == (3, None)
    sheet = openpyxl.load_workbook(path).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == SEED_COLUMNS
    first = dict(zip(header, rows[0], strict=True))
    assert first["warrant_status_id"] == "WS-1" and first["offender_id"] == "TX-7001"
    assert first["issued_date"] == datetime(2026, 3, 1)  # openpyxl reads every date as a datetime
    assert first["withdrawn_date"] is None
    assert first["issuing_authority_contact"].startswith("+1 512")
    assert [row[0] for row in rows] == ["WS-1", "WS-2", "WS-3"]


def test_the_state_is_the_users_own_unless_the_national_office_asks(db, system, tmp_path):
    with db.unit_of_work(system) as session:
        _records(session)
    texas = _actor(db, system, "TX")
    with pytest.raises(PermissionDenied, match="TX only, not on OH"):
        export_warrant_status(db, texas, tmp_path / "oh.csv", state="OH")
    assert export_warrant_status(db, texas, tmp_path / "tx.csv", state="tx").rows == 2
    national = _actor(db, system, "NO", Role.NATIONAL_OFFICE)
    assert export_warrant_status(db, national, tmp_path / "oh.csv", state="OH").rows == 1
    assert export_warrant_status(db, national, tmp_path / "all.csv", state="ALL").rows == 3
    assert export_warrant_status(db, national, tmp_path / "dflt.csv").rows == 3
    with pytest.raises(UserError, match="'XX' is not a member state"):
        export_warrant_status(db, national, tmp_path / "x.csv", state="XX")
    with pytest.raises(UserError, match=".csv or .xlsx"):
        format_of(tmp_path / "records.txt")
    assert not (tmp_path / "x.csv").exists()


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_round_trip_through_the_import_keeps_every_field(capsys, tmp_path):
    with (
        fresh_database_url(tmp_path, "one.sqlite3") as one,
        fresh_database_url(tmp_path, "two.sqlite3") as two,
    ):
        database = Database(one)
        database.migrate()
        try:
            with database.read() as session:
                system = users.system_actor(session)
            with database.unit_of_work(system) as session:
                _records(session)
        finally:
            database.dispose()
        first = tmp_path / "first.csv"
        code, out, err = _run(
            capsys, "report", "warrant-status", "--format", "csv", "-o", str(first),
            "--database-url", one,
        )  # fmt: skip
        assert code == EXIT_OK, err
        assert out.strip() == f"{first}: 3 warrant status records of every state"
        code, _, err = _run(capsys, "--database-url", one, "export", str(tmp_path / "folder"))
        assert code == EXIT_OK, err

        # The profiles of the exchange export and the report as warrants.csv: nothing else.
        folder = tmp_path / "load"
        folder.mkdir()
        shutil.copy(tmp_path / "folder" / "offenders.csv", folder / "offenders.csv")
        shutil.copy(first, folder / "warrants.csv")
        code, out, err = _run(capsys, "import", str(folder), "--database-url", two)
        assert code == EXIT_OK, err
        assert "warrants.csv 3" in out

        second = tmp_path / "second.xlsx"
        code, _, err = _run(
            capsys, "report", "warrant-status", "--format", "xlsx", "-o", str(second),
            "--database-url", two,
        )  # fmt: skip
        assert code == EXIT_OK, err
        again = tmp_path / "second.csv"
        code, _, err = _run(
            capsys, "--database-url", two, "report", "warrant-status", "--state", "ALL",
            "--format", "csv", "-o", str(again),
        )  # fmt: skip
        assert code == EXIT_OK, err
    assert _read_csv(again) == _read_csv(first)
    assert openpyxl.load_workbook(second).active.max_row == 4


def test_the_command_refuses_an_unknown_state_and_a_bad_report_name(capsys, tmp_path):
    with fresh_database_url(tmp_path, "one.sqlite3") as url:
        code, _, err = _run(
            capsys, "report", "warrant-status", "--state", "ZZ", "--format", "csv",
            "-o", str(tmp_path / "x.csv"), "--database-url", url,
        )  # fmt: skip
        assert code == EXIT_USER_ERROR
        assert "'ZZ' is not a member state's two-letter code" in err
        with pytest.raises(SystemExit):
            main(["report", "nonsense", "--format", "csv", "-o", "x.csv", "--database-url", url])
