"""Demo data: reproducible, every status present, the clean-up shares, coherent histories, search."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.core.errors import UserError
from app.core.text import name_key
from app.core.vocabulary import (
    ActivityOutcome,
    ActivityStatus,
    ActivityType,
    AuditAction,
    CaseStatus,
    InterestSide,
    Role,
    Sex,
    WarrantStatus,
)
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
    Setting,
    User,
    UserRole,
    WarrantStatusRecord,
)
from app.services import demo_data, users
from app.services.demo_data import REFERENCE_DATE, generate_demo_data
from app.services.offenders import OffenderSearch, search

OFFENDERS = 1500
SEED = 7
T = ActivityType
# Which state sends each type (DOMAIN.md §3.2); notices of departure and arrival go both ways.
SENT_BY_SENDING_STATE = {
    T.RFRI, T.TRANSFER_REQUEST, T.VIOLATION_RESPONSE, T.CASE_CLOSURE_REPLY,
    T.RETURN_RFRI_REPLY, T.DISCRETIONARY_RETAKE,
}  # fmt: skip
SENT_BY_RECEIVING_STATE = {
    T.RFRI_REPLY, T.TRANSFER_REPLY, T.PROGRESS_REPORT, T.VIOLATION_REPORT, T.VIOLATION_ADDENDUM,
    T.CASE_CLOSURE_NOTICE, T.RETURN_RFRI,
}  # fmt: skip
ANSWERS = {
    T.RFRI_REPLY: T.RFRI,
    T.TRANSFER_REPLY: T.TRANSFER_REQUEST,
    T.VIOLATION_RESPONSE: T.VIOLATION_REPORT,
    T.VIOLATION_ADDENDUM: T.VIOLATION_REPORT,
    T.CASE_CLOSURE_REPLY: T.CASE_CLOSURE_NOTICE,
    T.COMPACT_ACTION_REPLY: T.COMPACT_ACTION_REQUEST,
    T.RETURN_RFRI_REPLY: T.RETURN_RFRI,
}
OUTCOMES = {
    T.RFRI_REPLY: {ActivityOutcome.ACCEPTED, ActivityOutcome.REJECTED},
    T.TRANSFER_REPLY: {ActivityOutcome.ACCEPTED, ActivityOutcome.REJECTED},
    T.RETURN_RFRI_REPLY: {ActivityOutcome.ACCEPTED},
    T.VIOLATION_RESPONSE: {
        ActivityOutcome.WARRANT_ISSUED,
        ActivityOutcome.RETURN_ORDERED,
        ActivityOutcome.OTHER,
    },
    T.CASE_CLOSURE_REPLY: {ActivityOutcome.AGREE, ActivityOutcome.DISAGREE},
}


@pytest.fixture
def loaded(db, system):
    return generate_demo_data(db, system, offenders=OFFENDERS, seed=SEED)


def rows(db, model):
    with db.read() as session:
        return session.scalars(select(model)).all()


def test_every_case_status_activity_type_status_and_warrant_state_is_present(db, loaded):
    cases = rows(db, CompactCase)
    activities = rows(db, Activity)
    warrants = rows(db, WarrantStatusRecord)
    assert {c.status for c in cases} == set(CaseStatus)
    assert {a.type for a in activities} == set(ActivityType)
    assert {a.status for a in activities} == set(ActivityStatus)
    assert {w.status for w in warrants} == set(WarrantStatus)
    outcomes = defaultdict(set)
    for activity in activities:
        outcomes[activity.type].add(activity.outcome)
    assert {kind: outcomes[kind] for kind in OUTCOMES} == OUTCOMES
    active = [w for w in warrants if w.status is WarrantStatus.ACTIVE]
    assert any(w.ncic_entry_date for w in active) and any(not w.ncic_entry_date for w in active)
    for warrant in warrants:
        assert warrant.issuing_authority and warrant.issued_date
        assert warrant.created_by and warrant.updated_by
        if warrant.status is WarrantStatus.EXECUTED:
            assert warrant.served_date and warrant.ncic_entry_date and not warrant.withdrawn_date
        elif warrant.status is WarrantStatus.WITHDRAWN:
            assert warrant.withdrawn_date and not warrant.served_date
        else:
            assert not warrant.served_date and not warrant.withdrawn_date
    identifiers = [w.warrant_identifier for w in warrants if w.warrant_identifier]
    assert sum(i[0] == "W" and i[1:].isdigit() and len(i) == 10 for i in identifiers) > 0.8 * len(
        identifiers
    )


def test_summary_counts_what_was_written(db, loaded):
    with db.read() as session:

        def count(model):
            return session.scalar(select(func.count()).select_from(model))

        assert loaded.offenders == count(Offender) == OFFENDERS
        assert loaded.aliases == count(Alias)
        assert loaded.cases == count(CompactCase)
        assert loaded.activities == count(Activity)
        assert loaded.warrant_records == count(WarrantStatusRecord)
        by_status = dict(
            session.execute(
                select(CompactCase.status, func.count()).group_by(CompactCase.status)
            ).all()
        )
    assert loaded.cases_by_status == {status.value: n for status, n in by_status.items()}
    assert 1.2 < loaded.cases / loaded.offenders < 1.4
    assert 3 <= loaded.activities / loaded.cases <= 4.3
    assert 0.2 < loaded.aliases / loaded.offenders < 0.45
    described = loaded.describe()
    assert f"{OFFENDERS:,}" in described and "junk" in described


def test_clean_up_shares_are_as_generated(db, loaded):
    offenders = {o.id: o for o in rows(db, Offender)}
    cases = rows(db, CompactCase)
    activities = rows(db, Activity)
    transmitted_cases = {a.case_id for a in activities if a.status is ActivityStatus.TRANSMITTED}
    sent_at_all = {a.case_id for a in activities if a.transmitted_at is not None}
    worked = {c.offender_id for c in cases if c.id in transmitted_cases}
    ever_sent = {c.offender_id for c in cases if c.id in sent_at_all}
    cutoff = REFERENCE_DATE - timedelta(days=30)
    unworked = [o for o in offenders.values() if o.id not in worked]
    assert not {o.id for o in unworked} & ever_sent  # nothing sent and withdrawn either
    junk = [o for o in unworked if o.created_at.date() < cutoff]
    recent = [o for o in unworked if o.created_at.date() >= cutoff]
    assert len(junk) == loaded.junk_profiles
    assert len(recent) == loaded.recent_unworked_profiles > 0
    assert 0.035 < len(junk) / OFFENDERS < 0.065

    # ICOTS's possible-duplicate rule: same first and last name and the same DOB or SSN.
    first_seen: dict[tuple, int] = {}
    duplicates = set()
    for offender in sorted(offenders.values(), key=lambda o: o.id):
        keys = [("dob", offender.date_of_birth), ("ssn", offender.ssn)]
        for kind, value in keys:
            if value is None:
                continue
            key = (offender.last_name_key, offender.first_name_key, kind, value)
            if key in first_seen:
                duplicates.add(offender.id)
            first_seen.setdefault(key, offender.id)
    exact = loaded.duplicate_profiles - loaded.duplicate_profiles_with_typo
    assert len(duplicates) >= exact > 0
    assert loaded.duplicate_profiles_with_typo > 0
    assert 0.018 < loaded.duplicate_profiles / OFFENDERS < 0.042

    arrived = {a.case_id for a in activities if a.type is T.NOTICE_OF_ARRIVAL}
    never_transferred = [
        c for c in cases if c.status is CaseStatus.REJECTED and c.id not in arrived
    ]
    assert len(never_transferred) == loaded.rejected_never_transferred_cases
    assert 0.01 < len(never_transferred) / len(cases) < 0.03


def test_activity_histories_are_coherent(db, loaded):
    cases = {c.id: c for c in rows(db, CompactCase)}
    activities = rows(db, Activity)
    by_id = {a.id: a for a in activities}
    by_case = defaultdict(list)
    for activity in activities:
        by_case[activity.case_id].append(activity)
        case = cases[activity.case_id]
        assert {activity.from_state, activity.to_state} == {
            case.sending_state,
            case.receiving_state,
        }
        if activity.type in SENT_BY_SENDING_STATE:
            assert activity.from_state == case.sending_state
        if activity.type in SENT_BY_RECEIVING_STATE:
            assert activity.from_state == case.receiving_state
        if activity.status is ActivityStatus.TRANSMITTED:
            assert activity.transmitted_at is not None
            assert activity.transmitted_at >= activity.created_at
        elif activity.status is not ActivityStatus.WITHDRAWN:
            assert activity.transmitted_at is None
        if activity.status is ActivityStatus.WITHDRAWN:
            assert activity.withdrawn_at >= activity.created_at
        assert activity.updated_at >= activity.created_at
        assert activity.activity_number.startswith("A")
        if activity.type in ANSWERS:
            answered = by_id[activity.reply_to_id]
            assert answered.case_id == activity.case_id
            assert answered.type is ANSWERS[activity.type]
            assert activity.created_at >= answered.transmitted_at
        else:
            assert activity.reply_to_id is None
        if activity.type in OUTCOMES:
            assert activity.outcome in OUTCOMES[activity.type]
        else:
            assert activity.outcome is None
    for case in cases.values():
        history = by_case[case.id]
        outcomes = {(a.type, a.outcome) for a in history if a.status is ActivityStatus.TRANSMITTED}
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.CLOSED):
            assert (T.TRANSFER_REPLY, ActivityOutcome.ACCEPTED) in outcomes
        if case.status is CaseStatus.CLOSED:
            assert (T.CASE_CLOSURE_REPLY, ActivityOutcome.AGREE) in outcomes
        if case.status is CaseStatus.REJECTED:
            assert (T.TRANSFER_REPLY, ActivityOutcome.REJECTED) in outcomes
        if case.status is CaseStatus.ACCEPTED and case.supervision_end_date:
            assert case.supervision_end_date > REFERENCE_DATE
        assert all(a.created_at >= case.created_at for a in history)


def test_interests_assignments_names_and_links_are_consistent(db, loaded):
    with db.read() as session:
        user_state = dict(session.execute(select(User.id, User.jurisdiction_code)).all())
        interests = Counter(
            (i.case_id, i.jurisdiction_code, i.side) for i in session.scalars(select(CaseInterest))
        )
        links = set(
            session.execute(select(OffenderLink.jurisdiction_code, OffenderLink.offender_id))
        )
        link_keys = {
            (r.offender_id, r.last_name_key, r.first_name_key)
            for r in session.scalars(select(OffenderLink))
        }
        names = session.scalars(select(OffenderName)).all()
    offenders = rows(db, Offender)
    aliases = rows(db, Alias)
    cases = rows(db, CompactCase)
    assert sum(interests.values()) == 2 * len(cases)
    for case in cases:
        assert interests[(case.id, case.sending_state, InterestSide.SENDING)] == 1
        assert interests[(case.id, case.receiving_state, InterestSide.RECEIVING)] == 1
        assert (case.sending_state, case.offender_id) in links
        assert (case.receiving_state, case.offender_id) in links
        assert user_state[case.sending_assigned_user_id] == case.sending_state
        if case.receiving_assigned_user_id is not None:
            assert user_state[case.receiving_assigned_user_id] == case.receiving_state
    for offender in offenders:
        assert (offender.created_by_state, offender.id) in links
        assert (offender.id, offender.last_name_key, offender.first_name_key) in link_keys
        assert offender.last_name_key == name_key(offender.last_name)
        assert offender.first_name_key == name_key(offender.first_name)
    primary = Counter(n.offender_id for n in names if n.alias_id is None)
    assert primary == Counter(o.id for o in offenders)
    alias_names = {n.alias_id: n for n in names if n.alias_id is not None}
    assert set(alias_names) == {a.id for a in aliases}
    for alias in aliases:
        row = alias_names[alias.id]
        assert row.offender_id == alias.offender_id
        assert row.full_key == f"{name_key(alias.last_name)} {name_key(alias.first_name)}".strip()
    assert any(not o.last_name.isascii() for o in offenders)
    assert any("-" in o.last_name for o in offenders)
    assert any("'" in o.last_name for o in offenders)


def test_identifiers_look_real_and_some_are_wrong(db, loaded):
    offenders = rows(db, Offender)
    ssns = [o.ssn for o in offenders if o.ssn]
    assert all(len(s) == 9 and s.isdigit() for s in ssns)
    invalid = [s for s in ssns if s[:3] in ("000", "666") or s[0] == "9" or s[3:5] == "00"
               or s[5:] == "0000"]  # fmt: skip
    assert 0 < len(invalid) < 0.03 * len(offenders)
    assert 0 < sum(o.ssn is None for o in offenders) < 0.08 * len(offenders)
    assert sum(o.fbi_number is not None for o in offenders) > 0.8 * len(offenders)
    assert all(o.state_id[:2] == o.created_by_state for o in offenders if o.state_id)
    assert {o.sex for o in offenders} == set(Sex)
    for flag, low, high in (("sex_offender", 0.03, 0.15), ("victim_sensitive", 0.05, 0.2),
                            ("history_of_assault", 0.06, 0.2)):  # fmt: skip
        share = sum(getattr(o, flag) for o in offenders) / len(offenders)
        assert low < share < high, flag
    numbers = [o.offender_number for o in offenders]
    assert len(set(numbers)) == len(numbers)


def test_search_finds_generated_people_by_name_alias_and_fragment(db, system, loaded):
    offenders = rows(db, Offender)
    alias = rows(db, Alias)[0]
    accented = next(
        o
        for o in offenders
        if not o.last_name.isascii() and len(o.last_name_key) >= 6 and " " not in o.last_name_key
    )
    with db.read() as session:
        for typed in (
            f"{accented.last_name}, {accented.first_name}",
            f"{accented.last_name_key.lower()}, {accented.first_name_key.lower()}",
        ):
            found = search(session, system, OffenderSearch(typed))
            assert accented.id in {row.id for row in found.rows}, typed
        by_alias = search(session, system, OffenderSearch(f"{alias.last_name}, {alias.first_name}"))
        assert alias.offender_id in {row.id for row in by_alias.rows}
        fragment = accented.last_name_key[1:5]
        contains = search(session, system, OffenderSearch(fragment, contains=True), limit=10_000)
        assert accented.id in {row.id for row in contains.rows}
        by_number = search(session, system, OffenderSearch(accented.offender_number))
        assert [row.id for row in by_number.rows] == [accented.id]


def test_the_load_is_audited_once_per_unit(db, system, monkeypatch):
    monkeypatch.setattr(demo_data, "OFFENDERS_PER_UNIT", 40)
    progress = []
    summary = generate_demo_data(
        db, system, offenders=100, seed=3, progress=lambda done, total: progress.append(done)
    )
    assert progress == [40, 80, 100]
    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.BULK_LOAD)
        ).all()
    assert len(entries) == 3
    assert all(e.actor_name == system.username and "seed 3" in e.note for e in entries)
    assert sum(e.changes["offender"] for e in entries) == summary.offenders == 100
    assert sum(e.changes["activity"] for e in entries) == summary.activities


def test_demo_users_cannot_sign_in_without_the_password_variable(db, system):
    summary = generate_demo_data(db, system, offenders=20, seed=1)
    with db.read() as session:
        demo = session.scalars(select(User).where(User.username.like("%.%"))).all()
        by_name = {u.username: u for u in demo}
    assert summary.users_added == len(demo) > 53 * 5
    assert all(u.password_hash is None for u in demo)
    assert by_name["tx.officer1"].reports_to_id == by_name["tx.supervisor1"].id
    assert by_name["tx.officer3"].reports_to_id is None
    assert by_name["tx.compact1"].role_set == {Role.COMPACT_OFFICE}
    assert by_name["va.admin"].role_set == {Role.STATE_ADMINISTRATOR}
    assert by_name["no.national1"].jurisdiction_code == "NO"


def test_demo_users_share_one_hash_of_the_password_variable(db, system, monkeypatch):
    hashed = []
    real_hash = demo_data.hash_password
    monkeypatch.setattr(demo_data, "hash_password", lambda p: hashed.append(p) or real_hash(p))
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", "demo-password-123")
    summary = generate_demo_data(db, system, offenders=20, seed=1)
    assert len(hashed) == 1 and summary.users_got_password
    with db.unit_of_work(None) as session:
        assert users.authenticate(session, "ca.officer2", "demo-password-123") is not None
    assert "demo-password-123" not in summary.describe()


def test_a_short_password_is_refused_before_anything_is_written(db, system, monkeypatch):
    monkeypatch.setenv("COMPACT_OFFICE_PASSWORD", "short")
    with pytest.raises(UserError, match="COMPACT_OFFICE_PASSWORD"):
        generate_demo_data(db, system, offenders=20, seed=1)
    assert rows(db, Offender) == []


def test_a_second_run_adds_data_after_the_first(db, system, monkeypatch):
    first = generate_demo_data(db, system, offenders=200, seed=1)
    second = generate_demo_data(db, system, offenders=150, seed=2)
    assert second.users_added == 0 and second.users_already_present == first.users_added
    assert int(second.first_offender_number) == int(first.last_offender_number) + 1
    offenders = rows(db, Offender)
    assert len(offenders) == 350
    for model, column in (
        (Offender, "offender_number"),
        (CompactCase, "case_number"),
        (Activity, "activity_number"),
        (WarrantStatusRecord, "warrant_status_id"),
    ):
        numbers = [getattr(row, column) for row in rows(db, model)]
        assert len(set(numbers)) == len(numbers)
    with db.read() as session:
        counters = dict(session.execute(select(NumberCounter.name, NumberCounter.next_value)).all())
        highest_case = session.scalar(select(func.max(CompactCase.case_number)))
    assert counters["offender"] == 351
    assert counters["case"] == int(highest_case[1:]) + 1
    with db.unit_of_work(system) as session:  # the ORM's own inserts get fresh ids
        session.add(Offender(offender_number="X1", last_name="Doe", first_name="Jo",
                             created_by_state="TX"))  # fmt: skip
        session.flush()


def test_schema_is_restored_after_a_failed_load(db, system, dialect, monkeypatch):
    if dialect != "sqlite":
        pytest.skip("indexes and triggers are set aside on SQLite only")

    def fail(*_args):
        raise RuntimeError("disk full")

    def schema():
        with db.read() as session:
            return set(
                session.scalars(text("SELECT name FROM sqlite_master WHERE sql IS NOT NULL"))
            )

    before = schema()
    insert_names = demo_data._insert_names
    monkeypatch.setattr(demo_data, "_insert_names", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        generate_demo_data(db, system, offenders=50, seed=1)
    assert schema() == before
    with db.read() as session:
        assert session.get(Setting, demo_data.DEFERRED_SCHEMA_SETTING) is None
    # A load killed outright leaves its record: the next load puts everything back first.
    monkeypatch.setattr(demo_data, "_insert_names", insert_names)
    with db.unit_of_work(system) as session:
        session.execute(text("DROP INDEX ix_offender_ssn"))
        session.add(
            Setting(
                key=demo_data.DEFERRED_SCHEMA_SETTING,
                value='[{"type": "index", "name": "ix_offender_ssn", '
                '"sql": "CREATE INDEX ix_offender_ssn ON offender (ssn)"}]',
            )
        )
    demo_data._restore_deferred_schema(db, system)
    assert schema() == before


def test_name_search_index_matches_its_table_after_a_load(db, system, dialect, loaded):
    if dialect != "sqlite":
        pytest.skip("the FTS index exists on SQLite only")
    with db.unit_of_work(system) as session:
        session.execute(
            text(
                "INSERT INTO offender_name_fts(offender_name_fts, rank) VALUES ('integrity-check', 1)"
            )
        )
        triggers = set(
            session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        )
    assert set(demo_data.DEFERRED_TRIGGERS) <= triggers


def table_contents(url: str) -> dict[str, list[tuple]]:
    database = Database(url)
    tables = [model.__table__ for model in (Offender, Alias, CompactCase, Activity,
              WarrantStatusRecord, OffenderName, CaseInterest, OffenderLink, UserRole)]  # fmt: skip
    try:
        with database.read() as session:
            contents = {
                t.name: [tuple(r) for r in session.execute(select(t).order_by(*t.primary_key))]
                for t in tables
            }
            # All but the system account's row, which the migration stamps with the time.
            demo_users = select(User.__table__).where(User.is_system.is_(False)).order_by(User.id)
            contents["app_user"] = [tuple(r) for r in session.execute(demo_users)]
            return contents
    finally:
        database.dispose()


def load(url: str, seed: int) -> None:
    database = Database(url)
    database.migrate()
    try:
        with database.read() as session:
            actor = users.system_actor(session)
        generate_demo_data(database, actor, offenders=300, seed=seed)
    finally:
        database.dispose()


def test_the_same_seed_gives_the_same_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_data, "OFFENDERS_PER_UNIT", 120)
    first, second, other = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db", "c.db"))
    load(first, seed=11)
    # Generated in this process rather than in a child: the rows must not depend on it.
    monkeypatch.setattr(demo_data, "GENERATE_IN_CHILD_PROCESS", False)
    load(second, seed=11)
    load(other, seed=12)
    expected = table_contents(first)
    assert table_contents(second) == expected
    assert len(expected["activity"]) > 300
    assert table_contents(other)["offender"] != expected["offender"]


def test_generated_columns_cover_every_required_column():
    for name, columns in demo_data.GENERATED_TABLES.items():
        model_table = Offender.metadata.tables[name]
        assert set(columns) <= set(model_table.columns.keys()), name
        required = {c.name for c in model_table.columns if not c.nullable}
        assert required <= set(columns), name
