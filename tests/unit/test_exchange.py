"""The data-exchange folder: round trip, what an import derives, who may do what, progress."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.core.errors import PermissionDenied
from app.core.permissions import Actor
from app.core.vocabulary import ActivityStatus, ActivityType, AuditAction, InterestSide, Role
from app.db import Database
from app.models import (
    Activity,
    Alias,
    AuditEntry,
    CaseInterest,
    CompactCase,
    NumberCounter,
    Offender,
    OffenderLink,
    OffenderName,
    WarrantStatusRecord,
    load_all,
)
from app.services import users
from app.services.demo_data import generate_demo_data
from app.services.exchange import (
    FILES,
    Cancelled,
    ImportFailed,
    export_folder,
    import_folder,
    loading,
)
from app.services.exchange.format import BY_NAME
from app.services.offenders import OffenderSearch, search
from app.services.users import actor_from_user
from tests.conftest import fresh_database_url
from tests.factories import make_case, make_offender, make_user

ROOT = Path(__file__).resolve().parents[2]

# A small folder that uses every file, in the contract's columns only.
VALID: dict[str, list[list[str]]] = {
    "offenders.csv": [
        ["offender_id", "last_name", "first_name", "middle_name", "suffix", "date_of_birth",
         "sex", "race", "ssn", "fbi_number", "state_id", "sex_offender", "victim_sensitive",
         "history_of_assault", "created_by_state", "created_at"],
        ["TX-1", "Núñez-O'Brien", "José", "", "", "1980-04-02", "M", "White", "123-45-6789",
         "", "tx 123", "false", "false", "true", "TX", "2024-03-01T14:05:00+00:00"],
        ["TX-2", "Smith", "Anna", "Marie", "", "1975-12-31", "F", "", "", "123456-ab7", "",
         "true", "false", "false", "TX", "2024-03-02T09:00:00-05:00"],
        ["0000042", "Doe", "John", "", "Jr", "", "U", "", "", "", "", "false", "false", "false",
         "VA", "2024-03-03T10:00:00+00:00"],
    ],
    "aliases.csv": [
        ["offender_id", "last_name", "first_name", "middle_name", "date_of_birth"],
        ["TX-1", "Nunez", "Joe", "", ""],
        ["TX-2", "Smithers", "Annie", "", "1975-12-31"],
    ],
    "cases.csv": [
        ["case_id", "offender_id", "sending_state", "receiving_state", "supervision_type",
         "status", "created_at", "supervision_end_date"],
        ["CASE-1", "TX-1", "TX", "VA", "parole", "accepted", "2024-03-05T10:00:00+00:00",
         "2026-01-01"],
        ["CASE-2", "0000042", "VA", "TX", "probation", "pending", "2024-04-01T10:00:00+00:00",
         ""],
    ],
    "activities.csv": [
        ["activity_id", "case_id", "type", "from_state", "to_state", "status", "created_at",
         "transmitted_at", "reply_to", "outcome"],
        # The reply comes before its request: references may point down the file.
        ["ACT-2", "CASE-1", "transfer_reply", "VA", "TX", "transmitted",
         "2024-03-20T10:00:00+00:00", "2024-03-20T11:00:00+00:00", "ACT-1", "accepted"],
        ["ACT-1", "CASE-1", "transfer_request", "TX", "VA", "transmitted",
         "2024-03-06T10:00:00+00:00", "2024-03-06T12:00:00+00:00", "", ""],
        ["ACT-3", "CASE-2", "rfri", "VA", "TX", "draft", "2024-04-02T10:00:00+00:00", "", "",
         ""],
    ],
    "warrants.csv": [
        ["warrant_status_id", "created_ts", "created_by", "updated_ts", "updated_by",
         "offender_id", "warrant_status", "requested_date", "issued_date", "issuing_authority",
         "issuing_authority_contact", "warrant_identifier", "ncic_entry_date", "served_date",
         "withdrawn_date"],
        ["W-1", "2024-05-01T08:00:00+00:00", "legacy.clerk", "2024-05-02T08:00:00+00:00",
         "legacy.supervisor", "TX-1", "Active", "2024-04-28", "2024-05-01",
         "Texas Board of Pardons and Paroles", "Warrants desk, (512) 555-0100", "W123456789",
         "2024-05-02", "", ""],
    ],
}  # fmt: skip


def write_folder(folder: Path, files: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    return folder


def valid_files() -> dict[str, list[list[str]]]:
    return {name: [list(row) for row in rows] for name, rows in VALID.items()}


def table_counts(database: Database) -> dict[str, int]:
    """Rows of every table (the audit log and the search index included)."""
    with database.read() as session:
        counts = {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in load_all().sorted_tables
        }
        if database.dialect == "sqlite":
            counts["offender_name_fts"] = session.scalar(
                text("SELECT count(*) FROM offender_name_fts")
            )
    return counts


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def make_actor(db, system, state: str, roles: tuple[Role, ...], name: str) -> Actor:
    with db.unit_of_work(system) as session:
        return actor_from_user(make_user(session, name, state=state, roles=roles))


# --- Round trip -------------------------------------------------------------------------------
def _derived(database: Database) -> dict[str, list]:
    """Derived rows by source ids, comparable across databases."""
    with database.read() as session:
        names = session.execute(
            select(Offender.offender_number, OffenderName.alias_id.is_(None), OffenderName.full_key)
            .join(Offender, Offender.id == OffenderName.offender_id)
            .order_by(Offender.offender_number, OffenderName.full_key)
        ).all()
        links = session.execute(
            select(
                OffenderLink.jurisdiction_code, Offender.offender_number, OffenderLink.last_name_key
            )
            .join(Offender, Offender.id == OffenderLink.offender_id)
            .order_by(OffenderLink.jurisdiction_code, Offender.offender_number)
        ).all()
        interests = session.execute(
            select(CompactCase.case_number, CaseInterest.jurisdiction_code, CaseInterest.side,
                   CaseInterest.registered_at)
            .join(CompactCase, CompactCase.id == CaseInterest.case_id)
            .order_by(CompactCase.case_number, CaseInterest.side)
        ).all()  # fmt: skip
        counters = dict(session.execute(select(NumberCounter.name, NumberCounter.next_value)).all())
        next_due = session.execute(
            select(CompactCase.case_number, CompactCase.next_due_date).order_by(
                CompactCase.case_number
            )
        ).all()
        special_statuses = session.execute(
            select(CompactCase.case_number, CompactCase.special_statuses).order_by(
                CompactCase.case_number
            )
        ).all()
    return {
        "next_due": [tuple(r) for r in next_due],
        "special_statuses": [tuple(r) for r in special_statuses],
        "names": [tuple(r) for r in names],
        "links": [tuple(r) for r in links],
        "interests": [tuple(r) for r in interests],
        "counters": counters,
    }


def _links(database: Database) -> set[tuple]:
    with database.read() as session:
        return {
            tuple(row)
            for row in session.execute(
                select(OffenderLink.jurisdiction_code, OffenderLink.offender_id,
                       OffenderLink.last_name_key, OffenderLink.first_name_key)
            )
        }  # fmt: skip


def _expected_links(database: Database) -> set[tuple]:
    """Each profile's creator and the two states of each of its cases, with its name keys."""
    with database.read() as session:
        keys = {
            id_: (last, first)
            for id_, last, first in session.execute(
                select(Offender.id, Offender.last_name_key, Offender.first_name_key)
            )
        }
        states = set(session.execute(select(Offender.created_by_state, Offender.id)))
        for sending, receiving, offender_id in session.execute(
            select(CompactCase.sending_state, CompactCase.receiving_state, CompactCase.offender_id)
        ):
            states |= {(sending, offender_id), (receiving, offender_id)}
    return {(state, id_, *keys[id_]) for state, id_ in states}


def _schema(database: Database) -> set[tuple[str, str]]:
    with database.read() as session:
        if database.dialect == "sqlite":
            query = "SELECT type, name FROM sqlite_master"
        else:
            query = (
                "SELECT 'index', indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "UNION ALL SELECT 'foreign key', conname FROM pg_constraint "
                "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
            )
        return {tuple(row) for row in session.execute(text(query))}


def test_export_import_export_gives_the_same_files(tmp_path, monkeypatch):
    # Indexes set aside and rebuilt (the path of large imports) on SQLite, whatever the size.
    monkeypatch.setattr(loading, "DEFER_INDEXES_FROM_ROWS", 1)
    switched = []
    importing_connections = []
    use_rollback_journal = loading.SqliteBulkMode.use_rollback_journal

    def noting_the_switch(self):
        use_rollback_journal(self)
        switched.append(self.journal_switched)
        raw = self.connection.connection.driver_connection
        importing_connections.append(raw)
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 0

    monkeypatch.setattr(loading.SqliteBulkMode, "use_rollback_journal", noting_the_switch)
    set_aside_on_server = []
    postgres_start = loading.PostgresBulkMode.start

    def noting_what_is_set_aside(self):
        postgres_start(self)
        set_aside_on_server.append({kind for kind, *_ in self.deferred})
        raw = self.connection.connection.driver_connection
        importing_connections.append(raw)
        assert raw.prepare_threshold is None  # every lookup planned as it runs

    monkeypatch.setattr(loading.PostgresBulkMode, "start", noting_what_is_set_aside)
    with (
        fresh_database_url(tmp_path, "source.sqlite3") as source_url,
        fresh_database_url(tmp_path, "target.sqlite3") as target_url,
    ):
        source, target = Database(source_url), Database(target_url)
        try:
            source.migrate()
            target.migrate()
            with source.read() as session:
                source_actor = users.system_actor(session)
            with target.read() as session:
                target_actor = users.system_actor(session)
            generate_demo_data(source, source_actor, offenders=300, seed=11)

            exported = export_folder(source, source_actor, tmp_path / "first")
            schema = _schema(target)
            imported = import_folder(target, target_actor, tmp_path / "first")
            assert _schema(target) == schema  # every index set aside is back
            again = export_folder(target, target_actor, tmp_path / "second")

            assert exported.counts == imported.counts == again.counts
            assert exported.counts["offenders.csv"] == 300
            assert all(exported.counts[spec.name] > 0 for spec in FILES)
            for spec in FILES:
                first = read_rows(tmp_path / "first" / spec.name)
                second = read_rows(tmp_path / "second" / spec.name)
                assert first[0] == list(spec.column_names)
                assert sorted(first[1:]) == sorted(second[1:])
                # Rows come in the order they were added, and an import keeps file order.
                assert first == second
            assert _derived(source) == _derived(target)
            assert _links(target) == _expected_links(target)
            if target.dialect == "sqlite":
                # A large import writes through a rollback journal, then gives the WAL back.
                assert switched == [True]
                with target.engine.connect() as connection:
                    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                # Its foreign-key checks, off while it loaded, are on again in the pool.
                (raw,) = importing_connections
                assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            else:
                # Into a new server database: indexes and foreign keys set aside, then back
                # (the schema compared above lists both).
                assert set_aside_on_server == [{"index", "constraint"}]
                # The driver prepares statements again, as it did before (its default: after
                # five runs of one statement).
                (raw,) = importing_connections
                assert raw.prepare_threshold == 5
            with source.read() as a, target.read() as b:
                for query in (
                    OffenderSearch("smi"),
                    OffenderSearch("*ARTIN"),
                    OffenderSearch("00001"),
                ):
                    assert (
                        search(a, source_actor, query).count == search(b, target_actor, query).count
                    )
        finally:
            source.dispose()
            target.dispose()


def test_which_imports_set_indexes_aside(db, system, tmp_path, monkeypatch):
    """PostgreSQL: only a first load, since setting them aside takes the tables from every other
    user until the import ends. SQLite, whose writers wait for each other anyway: any import
    that is not a small addition to a large database."""
    monkeypatch.setattr(loading, "DEFER_INDEXES_FROM_ROWS", 1)
    deferring = []
    for mode in (loading.SqliteBulkMode, loading.PostgresBulkMode):

        def noting(self, start=mode.start):
            deferring.append(self.defer)
            start(self)

        monkeypatch.setattr(mode, "start", noting)
    import_folder(db, system, write_folder(tmp_path / "first", valid_files()))
    import_folder(db, system, write_folder(tmp_path / "again", _renumbered()))
    # The test database starts empty; the second import brings as many rows as are there.
    assert deferring == ([True, False] if db.dialect == "postgresql" else [True, True])


# --- What an import writes --------------------------------------------------------------------
def test_import_loads_every_file_with_its_derived_rows(db, system, tmp_path):
    before = table_counts(db)
    with db.read() as session:
        counter_before = session.scalar(
            select(NumberCounter.next_value).where(NumberCounter.name == "offender")
        )
    summary = import_folder(db, system, write_folder(tmp_path / "in", valid_files()))

    assert summary.counts == {
        "offenders.csv": 3, "aliases.csv": 2, "cases.csv": 2, "activities.csv": 3,
        "warrants.csv": 1,
    }  # fmt: skip
    after = table_counts(db)
    grew = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    expected = {
        "offender": 3, "alias": 2, "compact_case": 2, "activity": 3, "warrant_status_record": 1,
        "offender_name": 5, "offender_link": 5, "case_interest": 4, "audit_entry": 1,
    }  # fmt: skip
    if db.dialect == "sqlite":
        expected["offender_name_fts"] = 5
    assert grew == expected
    with db.read() as session:
        jose = session.scalar(select(Offender).where(Offender.offender_number == "TX-1"))
        assert (jose.last_name, jose.first_name, jose.last_name_key) == (
            "Núñez-O'Brien", "José", "NUNEZOBRIEN",
        )  # fmt: skip
        assert jose.ssn == "123456789" and jose.state_id == "TX123"
        assert jose.history_of_assault and not jose.sex_offender and not jose.confidential
        assert jose.created_at == datetime(2024, 3, 1, 14, 5, tzinfo=UTC) == jose.updated_at
        anna = session.scalar(select(Offender).where(Offender.offender_number == "TX-2"))
        assert anna.fbi_number == "123456AB7"
        assert anna.created_at == datetime(2024, 3, 2, 14, 0, tzinfo=UTC)
        links = set(
            session.execute(
                select(Offender.offender_number, OffenderLink.jurisdiction_code).join(
                    Offender, Offender.id == OffenderLink.offender_id
                )
            ).all()
        )
        assert {("TX-1", "TX"), ("TX-1", "VA"), ("TX-2", "TX"), ("0000042", "VA"),
                ("0000042", "TX")} <= links  # fmt: skip
        interests = dict(
            session.execute(
                select(CaseInterest.side, CaseInterest.registered_at)
                .join(CompactCase, CompactCase.id == CaseInterest.case_id)
                .where(CompactCase.case_number == "CASE-1")
            ).all()
        )
        # The receiving state joins a case when the first activity reaches it.
        assert interests[InterestSide.SENDING] == datetime(2024, 3, 5, 10, tzinfo=UTC)
        assert interests[InterestSide.RECEIVING] == datetime(2024, 3, 6, 12, tzinfo=UTC)
        reply = session.scalar(select(Activity).where(Activity.activity_number == "ACT-2"))
        assert reply.reply_to.activity_number == "ACT-1" and reply.content == {}
        warrant = session.scalar(select(WarrantStatusRecord))
        assert warrant.offender.offender_number == "TX-1"
        assert (warrant.created_by, warrant.updated_by) == ("legacy.clerk", "legacy.supervisor")
        counter = session.scalar(
            select(NumberCounter.next_value).where(NumberCounter.name == "offender")
        )
        assert counter == max(counter_before, 43)  # past the imported 0000042
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert audit.action is AuditAction.BULK_LOAD and audit.actor_name == "system"
        assert str(tmp_path / "in") in audit.note
        assert audit.changes["offenders.csv"] == 3 and audit.changes["activities.csv"] == 3
        # Names are searchable at once, by prefix and anywhere in them (aliases too).
        assert search(session, system, OffenderSearch("núñez")).count >= 1
        assert search(session, system, OffenderSearch("smithers")).count == 1
        assert search(session, system, OffenderSearch("*MITHER")).count == 1


def test_an_export_of_an_import_gives_back_the_rows(db, system, tmp_path):
    files = valid_files()
    import_folder(db, system, write_folder(tmp_path / "in", files))
    export_folder(db, system, tmp_path / "out")
    for name, rows in files.items():
        spec = BY_NAME[name]
        exported = read_rows(tmp_path / "out" / name)
        assert exported[0] == list(spec.column_names)
        width = len(rows[0])
        assert [row[:width] for row in exported[1:]] == [
            _normalised(name, rows[0], row) for row in rows[1:]
        ]


def _normalised(name: str, header: list[str], row: list[str]) -> list[str]:
    """A source row as stored: SSN digits, identifiers upper-case, times in UTC, replies kept."""
    values = dict(zip(header, row, strict=True))
    if name == "offenders.csv":
        values["ssn"] = values["ssn"].replace("-", "")
        values["fbi_number"] = values["fbi_number"].replace("-", "").upper()
        values["state_id"] = values["state_id"].replace(" ", "").upper()
    for key, value in values.items():
        if re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
            values[key] = datetime.fromisoformat(value).astimezone(UTC).isoformat()
    return [values[column] for column in header]


def test_references_may_name_records_already_in_the_database(db, system, tmp_path):
    with db.unit_of_work(system) as session:
        offender = make_offender(session, offender_number="OLD-1", created_by_state="TX")
        case = make_case(session, offender, case_number="OLD-C", sending_state="TX",
                         receiving_state="VA")  # fmt: skip
        session.add(Activity(activity_number="OLD-A", case_id=case.id, type=ActivityType.RFRI,
                             from_state="TX", to_state="VA", status=ActivityStatus.TRANSMITTED,
                             transmitted_at=datetime(2024, 1, 1, tzinfo=UTC),
                             due_date=date(2024, 1, 3)))  # fmt: skip
    with db.read() as session:
        assert session.get(CompactCase, case.id).next_due_date == date(2024, 1, 3)
    files = {
        "offenders.csv": [VALID["offenders.csv"][0]],
        "aliases.csv": [VALID["aliases.csv"][0], ["OLD-1", "Roe", "Richard", "", ""]],
        "cases.csv": [VALID["cases.csv"][0],
                      ["NEW-C", "OLD-1", "TX", "OK", "parole", "pending", "", ""]],
        "activities.csv": [VALID["activities.csv"][0],
                           ["NEW-A", "OLD-C", "rfri_reply", "VA", "TX", "transmitted",
                            "2024-01-02T00:00:00+00:00", "2024-01-02T01:00:00+00:00", "OLD-A",
                            "rejected"]],
    }  # fmt: skip
    summary = import_folder(db, system, write_folder(tmp_path / "in", files))
    assert summary.counts["offenders.csv"] == 0 and summary.counts["cases.csv"] == 1
    with db.read() as session:
        states = set(
            session.scalars(
                select(OffenderLink.jurisdiction_code).where(
                    OffenderLink.offender_id == offender.id
                )
            )
        )
        assert states == {"TX", "VA", "OK"}  # the new case's receiving state is linked now
        reply = session.scalar(select(Activity).where(Activity.activity_number == "NEW-A"))
        assert reply.reply_to.activity_number == "OLD-A" and reply.case_id == case.id
        assert session.get(CompactCase, case.id).next_due_date is None  # answered now
        aliases = session.scalars(select(Alias.last_name).where(Alias.offender_id == offender.id))
        assert list(aliases) == ["Roe"]
        assert search(session, system, OffenderSearch("roe, rich")).count == 1


def test_a_reply_may_come_batches_before_its_request(db, system, tmp_path, monkeypatch):
    from app.services.exchange import reading

    monkeypatch.setattr(reading, "BATCH_ROWS", 1)
    import_folder(db, system, write_folder(tmp_path / "in", valid_files()))
    with db.read() as session:
        reply = session.scalar(select(Activity).where(Activity.activity_number == "ACT-2"))
        assert reply.reply_to.activity_number == "ACT-1"


def test_documented_columns_may_be_given_and_empty_cells_take_defaults(db, system, tmp_path):
    files = valid_files()
    files["offenders.csv"][0] += ["confidential", "updated_at"]
    for row in files["offenders.csv"][1:]:
        row += ["true", "2025-01-01T00:00:00+00:00"]
    files["offenders.csv"][3][15] = ""  # no created_at: the time of the import
    files["activities.csv"][0] += ["content", "due_date"]
    files["activities.csv"][1] += ['{"decision": "accepted"}', "2024-04-01"]
    files["activities.csv"][2] += ["", ""]
    files["activities.csv"][3] += ["", ""]
    started = datetime.now(UTC)
    import_folder(db, system, write_folder(tmp_path / "in", files))
    with db.read() as session:
        doe = session.scalar(select(Offender).where(Offender.offender_number == "0000042"))
        assert doe.confidential and doe.updated_at == datetime(2025, 1, 1, tzinfo=UTC)
        assert doe.created_at >= started.replace(microsecond=0)
        reply = session.scalar(select(Activity).where(Activity.activity_number == "ACT-2"))
        assert reply.content == {"decision": "accepted"} and str(reply.due_date) == "2024-04-01"
        draft = session.scalar(select(Activity).where(Activity.activity_number == "ACT-3"))
        assert draft.status == "draft" and draft.content == {}
        # The reply is due an answer by its due date; the request has its answer.
        case = session.scalar(select(CompactCase).where(CompactCase.case_number == "CASE-1"))
        assert str(case.next_due_date) == "2024-04-01"


def test_timestamps_in_other_iso_forms_keep_their_moment(db, system, tmp_path):
    """Written as exported (UTC, whole seconds), a timestamp is stored as it is read; any other
    ISO 8601 form of the same length is converted, not rearranged."""
    files = valid_files()
    files["offenders.csv"][0] += ["updated_at"]
    moments = ["2026-W01-1T00:00:00+00:00", "2026-01-02T101112.5+00:00",
               "2026-01-03T05:06:07-05:00"]  # fmt: skip
    for row, moment in zip(files["offenders.csv"][1:], moments, strict=True):
        row.append(moment)
    import_folder(db, system, write_folder(tmp_path / "in", files))
    with db.read() as session:
        stored = session.scalars(
            select(Offender.updated_at).order_by(Offender.offender_number)
        ).all()
    assert sorted(moment.astimezone(UTC) for moment in stored) == [
        datetime(2025, 12, 29, tzinfo=UTC),
        datetime(2026, 1, 2, 10, 11, 12, 500000, tzinfo=UTC),
        datetime(2026, 1, 3, 10, 6, 7, tzinfo=UTC),
    ]


def test_implausible_legacy_values_are_imported(db, system, tmp_path):
    """The form's plausibility rules are for typing; the data-quality reports find these."""
    files = valid_files()
    files["offenders.csv"][1][8] = "666-12-3456"  # area 666 is never issued
    files["offenders.csv"][2][5] = "2020-01-01"  # a child: a mistyped year
    import_folder(db, system, write_folder(tmp_path / "in", files))
    with db.read() as session:
        assert session.scalar(select(Offender.ssn).where(Offender.offender_number == "TX-1")) == (
            "666123456"
        )


# --- Who may do what --------------------------------------------------------------------------
def test_importing_needs_the_load_data_permission(db, system, tmp_path):
    officer = make_actor(db, system, "TX", (Role.OFFICER,), "tx.officer.exchange")
    before = table_counts(db)
    with pytest.raises(PermissionDenied):
        import_folder(db, officer, write_folder(tmp_path / "in", valid_files()))
    assert table_counts(db) == before


def test_a_state_loads_only_its_own_profiles_and_cases(db, system, tmp_path):
    admin = make_actor(db, system, "TX", (Role.STATE_ADMINISTRATOR,), "tx.admin.exchange")
    files = valid_files()
    files["cases.csv"].append(["CASE-3", "TX-2", "VA", "OK", "parole", "pending", "", ""])
    with pytest.raises(ImportFailed) as failure:
        import_folder(db, admin, write_folder(tmp_path / "in", files))
    assert [str(e) for e in failure.value.errors] == [
        "offenders.csv:4: created_by_state: TX may load only profiles it created",
        "cases.csv:4: sending_state: TX may load only cases it sends or receives",
    ]


def test_an_export_holds_what_the_actor_may_see(db, system, tmp_path):
    with db.unit_of_work(system) as session:
        texan = make_offender(session, offender_number="SEE-TX", created_by_state="TX")
        make_offender(session, offender_number="SEE-VA", created_by_state="VA")
        shared = make_offender(session, offender_number="SEE-OK", created_by_state="OK")
        make_case(session, shared, case_number="SEE-C", sending_state="OK", receiving_state="TX")
        session.add(Alias(offender_id=texan.id, last_name="Hidden", first_name="Not"))
    admin = make_actor(db, system, "TX", (Role.STATE_ADMINISTRATOR,), "tx.admin.export")
    summary = export_folder(db, admin, tmp_path / "out")
    offenders = {row[0] for row in read_rows(tmp_path / "out" / "offenders.csv")[1:]}
    assert {"SEE-TX", "SEE-OK"} <= offenders and "SEE-VA" not in offenders
    assert summary.counts["offenders.csv"] == len(offenders)
    everything = {row[0] for row in read_rows(_export_all(db, system, tmp_path))[1:]}
    assert "SEE-VA" in everything
    with db.read() as session:
        audit = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == AuditAction.VIEW_SENSITIVE)
            .order_by(AuditEntry.id.desc())
        ).first()
        assert audit.entity == "data_exchange" and audit.actor_name == "system"


def _export_all(db, system, tmp_path) -> Path:
    export_folder(db, system, tmp_path / "all")
    return tmp_path / "all" / "offenders.csv"


# --- Progress ---------------------------------------------------------------------------------
def test_progress_is_reported_and_a_cancel_keeps_nothing(db, system, tmp_path):
    folder = write_folder(tmp_path / "in", valid_files())
    seen = []

    def progress(phase: str, done: int, total: int | None) -> None:
        seen.append((phase, done, total))

    import_folder(db, system, folder, progress)
    assert seen[0] == ("Checking the folder", 0, 11)
    assert ("Checking and loading activities.csv", 10, 11) in seen
    phases = [phase for phase, _, _ in seen]
    tail = phases[phases.index("Linking the cases to their states") :]
    assert tail == [
        "Linking the cases to their states",
        "Computing the cases' next due dates",
        "Computing the cases' special statuses",
        "Updating the cases that were there before",
        "Saving",
    ]
    assert seen[-1] == ("Saving", 11, 11)

    def cancel_when_loading_cases(phase: str, done: int, total: int | None) -> None:
        if "cases.csv" in phase:
            raise Cancelled("stopped")

    before = table_counts(db)
    with pytest.raises(Cancelled):
        import_folder(
            db, system, write_folder(tmp_path / "again", _renumbered()), cancel_when_loading_cases
        )
    assert table_counts(db) == before


def _renumbered() -> dict[str, list[list[str]]]:
    files = valid_files()
    for rows in files.values():
        for row in rows[1:]:
            row[0] = "R" + row[0]
    return files


def test_the_documentation_names_every_file_and_column():
    documented = (ROOT / "docs" / "data-exchange.md").read_text(encoding="utf-8")
    for spec in FILES:
        assert f"## {spec.name}" in documented
        for column in spec.columns:
            assert f"`{column.name}`" in documented, (spec.name, column.name)
