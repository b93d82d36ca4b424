"""Warrant status records: every bad input refused with the rule in words and nothing written, the
read-only rule, one Active record per authority and identifier, who may enter, audit and versions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import ConcurrencyConflict, NotFound, PermissionDenied, ValidationError
from app.core.vocabulary import (
    WARRANT_SPECIAL_STATUS,
    ActivityStatus,
    ActivityType,
    AuditAction,
    CaseStatus,
    Role,
    WarrantStatus,
)
from app.forms.warrant import clean_warrant_values, normalise_nic, warrant_notes
from app.models import Activity, AuditEntry, WarrantStatusRecord
from app.services import activity_print, offenders, warrants
from app.services.profile_view import load_profile
from app.services.users import actor_from_user
from app.services.warrants import WarrantActionKind, WarrantRecordReadOnly
from tests.factories import make_case, make_offender, make_user

TODAY = clock.today()


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).strftime("%m/%d/%Y")


RECORD = {
    "requested_date": day(30),
    "issued_date": day(28),
    "issuing_authority": "Judge Ana Ruiz, 3rd District Court",
    "issuing_authority_contact": "clerk@court.example, 512-555-0100",
    "warrant_identifier": "w-123 456 789",
    "ncic_entry_date": day(27),
    "comments": "Absconded after the violation report",
}


@pytest.fixture
def world(db, system):
    with db.unit_of_work(system) as session:
        people = {
            "tx.po": make_user(session, "tx.po", "TX"),
            "tx.sup": make_user(session, "tx.sup", "TX", roles=(Role.SUPERVISOR,)),
            "tx.co": make_user(session, "tx.co", "TX", roles=(Role.COMPACT_OFFICE,)),
            "tx.admin": make_user(session, "tx.admin", "TX", roles=(Role.STATE_ADMINISTRATOR,)),
            "va.po": make_user(session, "va.po", "VA"),
            "fl.po": make_user(session, "fl.po", "FL"),
            "oh.po": make_user(session, "oh.po", "OH"),
            "no.staff": make_user(session, "no.staff", "NO", roles=(Role.NATIONAL_OFFICE,)),
        }
        offender = make_offender(session, created_by_state="TX", sex_offender=True)
        make_case(session, offender, sending_state="TX", receiving_state="VA")
        # Florida sent the offender once; that case is closed (historical).
        make_case(
            session, offender, sending_state="FL", receiving_state="TX", status=CaseStatus.CLOSED
        )
        actors = {name: actor_from_user(user) for name, user in people.items()}
        return actors, offender.id


def add(db, actor, offender_id, raw=RECORD) -> int:
    with db.unit_of_work(actor) as session:
        return warrants.add_record(session, actor, offender_id, raw).id


def row(db, record_id) -> dict:
    with db.read() as session:
        table = WarrantStatusRecord.__table__
        return dict(session.execute(select(table).where(table.c.id == record_id)).one()._mapping)


def counts(db) -> tuple[int, int]:
    with db.read() as session:
        records = session.scalar(select(func.count()).select_from(WarrantStatusRecord))
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
        return records, audit


def audit_of(db, record_id) -> list[AuditEntry]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity == "warrant_status_record",
                    AuditEntry.entity_id == str(record_id),
                )
                .order_by(AuditEntry.id)
            )
        )


def refused(db, actor, work, error=ValidationError):
    """Runs `work(session)` as the actor in a unit of work that must fail; returns the error."""
    with pytest.raises(error) as caught, db.unit_of_work(actor) as session:
        work(session)
    return caught.value


# --- the form -------------------------------------------------------------------------------------
def test_the_nic_number_is_normalised_and_checked():
    assert normalise_nic(" w-123 456-789 ") == "W123456789"
    values, problems = clean_warrant_values(RECORD)
    assert problems == [] and values["warrant_identifier"] == "W123456789"
    for bad in ("W12345678", "W1234567890", "123456789W", "WW23456789", "W12345678X"):
        _values, problems = clean_warrant_values(dict(RECORD, warrant_identifier=bad))
        assert problems == [
            (
                "warrant_identifier",
                "must be an NIC number: one letter and nine digits, e.g. W123456789 "
                "(spaces and hyphens are ignored)",
            )
        ]


def test_a_letter_other_than_w_is_a_note_not_a_refusal():
    values, problems = clean_warrant_values(dict(RECORD, warrant_identifier="c123456789"))
    assert problems == []
    [(name, note)] = warrant_notes(values)
    assert name == "warrant_identifier" and note.startswith("starts with C, not W")
    assert warrant_notes(clean_warrant_values(RECORD)[0]) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"served_date": day(29)}, "served_date", "cannot be before the date the warrant was"),
        ({"withdrawn_date": day(29)}, "withdrawn_date", "cannot be before the date the warrant"),
        ({"ncic_entry_date": day(29)}, "ncic_entry_date", "a warrant is entered in NCIC only"),
        ({"requested_date": day(20)}, "requested_date", "cannot be after the date the warrant"),
        ({"issued_date": day(-2)}, "issued_date", "cannot be in the future"),
        ({"served_date": day(-1)}, "served_date", "cannot be in the future"),
        ({"served_date": day(1), "withdrawn_date": day(1)}, "withdrawn_date", "either served or"),
        ({"served_date": day(1), "ncic_entry_date": ""}, "served_date", "needs the NCIC entry"),
        ({"issued_date": "", "served_date": day(1)}, "issued_date", "is required with a date"),
        ({"issuing_authority": "  "}, "issuing_authority", "is required"),
        ({"issued_date": "13/45/2025"}, "issued_date", "must be a date written"),
    ],
)
def test_each_cross_check_names_its_field_and_rule(change, field, words):
    _values, problems = clean_warrant_values(dict(RECORD, **change))
    assert [name for name, _ in problems] == [field]
    assert words in problems[0][1]


# --- adding ---------------------------------------------------------------------------------------
def test_a_sending_state_officer_adds_a_record_audited_with_who_what_when(db, world):
    actors, offender_id = world
    before = clock.now()
    record_id = add(db, actors["tx.po"], offender_id)
    stored = row(db, record_id)
    assert stored["warrant_status_id"].startswith("WS")
    assert stored["status"] == WarrantStatus.ACTIVE.value
    assert stored["warrant_identifier"] == "W123456789"
    assert (stored["created_by"], stored["updated_by"]) == ("tx.po", "tx.po")
    assert stored["issued_date"] == TODAY - timedelta(days=28)
    assert stored["created_ts"] is not None and stored["updated_ts"] is not None
    [entry] = audit_of(db, record_id)
    assert (entry.action, entry.actor_name, entry.offender_id) == (
        AuditAction.INSERT,
        "tx.po",
        offender_id,
    )
    assert entry.at >= before
    assert entry.changes["issuing_authority"] == [None, "Judge Ana Ruiz, 3rd District Court"]
    assert entry.changes["warrant_identifier"] == [None, "W123456789"]


def test_an_issue_date_after_the_served_date_is_refused_and_nothing_is_written(db, world):
    actors, offender_id = world
    before = counts(db)
    raw = dict(RECORD, issued_date=day(5), ncic_entry_date=day(4), served_date=day(10))
    error = refused(
        db, actors["tx.po"], lambda s: warrants.add_record(s, actors["tx.po"], offender_id, raw)
    )
    assert error.problems == [
        (
            "served_date",
            f"cannot be before the date the warrant was issued ({day(5)}): a warrant is served "
            "only after it is issued",
        )
    ]
    assert counts(db) == before


def test_a_served_date_without_an_issue_date_is_refused_and_nothing_is_written(db, world):
    actors, offender_id = world
    before = counts(db)
    raw = dict(RECORD, issued_date="", served_date=day(3))
    error = refused(
        db, actors["tx.po"], lambda s: warrants.add_record(s, actors["tx.po"], offender_id, raw)
    )
    assert error.problems[0] == (
        "issued_date",
        "is required with a date served: a warrant is served once issued",
    )
    assert counts(db) == before


def test_a_malformed_nic_number_is_refused_and_nothing_is_written(db, world):
    actors, offender_id = world
    before = counts(db)
    error = refused(
        db,
        actors["tx.po"],
        lambda s: warrants.add_record(
            s, actors["tx.po"], offender_id, dict(RECORD, warrant_identifier="W-1234-5678")
        ),
    )
    assert [name for name, _ in error.problems] == ["warrant_identifier"]
    assert "one letter and nine digits" in str(error)
    assert counts(db) == before


def test_a_non_w_nic_number_is_saved_as_typed_normalised(db, world):
    actors, offender_id = world
    record_id = add(
        db, actors["tx.po"], offender_id, dict(RECORD, warrant_identifier="c 1234 56789")
    )
    assert row(db, record_id)["warrant_identifier"] == "C123456789"


def test_serving_needs_the_ncic_entry_date(db, world):
    actors, offender_id = world
    officer = actors["tx.po"]
    record_id = add(db, officer, offender_id, dict(RECORD, ncic_entry_date=""))
    before, stored = counts(db), row(db, record_id)
    error = refused(
        db,
        officer,
        lambda s: warrants.serve(s, officer, record_id, stored["version"], {"served_date": day(1)}),
    )
    assert error.problems[0][0] == "served_date"
    assert "needs the NCIC entry date" in error.problems[0][1]
    assert "mark the record withdrawn instead" in error.problems[0][1]
    assert (counts(db), row(db, record_id)) == (before, stored)


# --- updating, serving, withdrawing ---------------------------------------------------------------
def test_edit_complete_serve_then_the_record_is_read_only_even_to_a_direct_call(db, world):
    actors, offender_id = world
    officer, supervisor = actors["tx.po"], actors["tx.sup"]
    record_id = add(db, officer, offender_id, dict(RECORD, ncic_entry_date=""))
    with db.read() as session:
        [entry] = warrants.records_for_offender(session, officer, offender_id)
    assert entry.incomplete and not entry.historical

    with db.unit_of_work(supervisor) as session:
        warrants.update_record(
            session, supervisor, record_id, entry.version, dict(RECORD, ncic_entry_date=day(2))
        )
    completed = row(db, record_id)
    assert completed["ncic_entry_date"] == TODAY - timedelta(days=2)
    assert completed["updated_by"] == "tx.sup" and completed["created_by"] == "tx.po"
    update = audit_of(db, record_id)[-1]
    assert update.action is AuditAction.UPDATE and update.actor_name == "tx.sup"
    assert update.changes["ncic_entry_date"] == [None, (TODAY - timedelta(days=2)).isoformat()]

    with db.unit_of_work(officer) as session:
        warrants.serve(
            session,
            officer,
            record_id,
            completed["version"],
            {"served_date": day(1), "comment": "Arrested in Austin"},
        )
    served = row(db, record_id)
    assert served["status"] == WarrantStatus.EXECUTED.value
    assert served["served_date"] == TODAY - timedelta(days=1)
    assert served["comments"].splitlines()[-1].endswith("tx.po: Arrested in Austin")

    before = counts(db)
    for attempt in (
        lambda s: warrants.update_record(
            s, officer, record_id, served["version"], dict(RECORD, issuing_authority="Changed")
        ),
        lambda s: warrants.withdraw(
            s, officer, record_id, served["version"], {"withdrawn_date": day(0)}
        ),
        lambda s: warrants.serve(s, officer, record_id, served["version"], {"served_date": day(0)}),
    ):
        error = refused(db, officer, attempt, WarrantRecordReadOnly)
        assert str(error).startswith(
            f"Warrant status record {served['warrant_status_id']} was served on {day(1)} and is "
            "read-only: a served or withdrawn record is historical and cannot be changed"
        )
    assert (counts(db), row(db, record_id)) == (before, served)

    # A comment is still allowed, and is audited.
    with db.unit_of_work(officer) as session:
        warrants.add_comment(session, officer, record_id, {"comment": "Retaking complete"})
    commented = row(db, record_id)
    assert commented["comments"].splitlines()[-1].endswith("tx.po: Retaking complete")
    assert commented["status"] == WarrantStatus.EXECUTED.value
    assert audit_of(db, record_id)[-1].changes["comments"][1] == commented["comments"]


def test_withdrawing_makes_the_record_historical(db, world):
    actors, offender_id = world
    officer = actors["tx.co"]
    record_id = add(db, officer, offender_id)
    with db.unit_of_work(officer) as session:
        warrants.withdraw(
            session,
            officer,
            record_id,
            row(db, record_id)["version"],
            {"withdrawn_date": day(0), "comment": "Court recalled it"},
        )
    with db.read() as session:
        [entry] = warrants.records_for_offender(session, officer, offender_id)
    assert (entry.status, entry.historical, entry.incomplete) == ("Withdrawn", True, False)
    actions = {a.kind: a for a in warrants.record_actions(entry, (True, ""))}
    assert not actions[WarrantActionKind.EDIT].available
    assert "read-only" in actions[WarrantActionKind.EDIT].explanation
    assert actions[WarrantActionKind.COMMENT].available


def test_an_update_breaking_a_rule_changes_nothing(db, world):
    actors, offender_id = world
    officer = actors["tx.po"]
    record_id = add(db, officer, offender_id)
    stored, before = row(db, record_id), counts(db)
    for raw in (
        dict(RECORD, issued_date=day(3), served_date=day(5)),
        dict(RECORD, issued_date="", served_date=day(5)),
        dict(RECORD, warrant_identifier="X12"),
    ):
        refused(
            db,
            officer,
            lambda s, raw=raw: warrants.update_record(
                s, officer, record_id, stored["version"], raw
            ),
        )
    assert (counts(db), row(db, record_id)) == (before, stored)


def test_a_stale_version_is_a_conflict_and_nothing_is_written(db, world):
    actors, offender_id = world
    officer, office = actors["tx.po"], actors["tx.co"]
    record_id = add(db, officer, offender_id)
    seen = row(db, record_id)["version"]
    with db.unit_of_work(office) as session:
        warrants.update_record(
            session, office, record_id, seen, dict(RECORD, issuing_authority="Judge Ana Ruiz")
        )
    stored, before = row(db, record_id), counts(db)
    error = refused(
        db,
        officer,
        lambda s: warrants.update_record(
            s, officer, record_id, seen, dict(RECORD, comments="mine")
        ),
        ConcurrencyConflict,
    )
    assert str(error).startswith("tx.co saved this warrant status record at")
    assert (counts(db), row(db, record_id)) == (before, stored)


# --- one Active record per issuing authority and warrant identifier --------------------------------
def test_one_active_record_per_issuing_authority_and_identifier(db, world):
    actors, offender_id = world
    officer = actors["tx.po"]
    first = add(db, officer, offender_id)
    before = counts(db)
    same = dict(
        RECORD,
        issuing_authority="  judge ana ruiz,  3rd district court ",
        warrant_identifier="W123456789",
    )
    error = refused(db, officer, lambda s: warrants.add_record(s, officer, offender_id, same))
    [(name, rule)] = error.problems
    assert name == "warrant_identifier"
    assert rule.startswith(f"matches Active record {row(db, first)['warrant_status_id']}")
    assert "at most one Active record per issuing authority and warrant identifier" in rule
    assert counts(db) == before

    other = add(db, officer, offender_id, dict(RECORD, warrant_identifier="W987654321"))
    # Editing the second into the first is the same duplicate.
    stored = row(db, other)
    refused(
        db, officer, lambda s: warrants.update_record(s, officer, other, stored["version"], RECORD)
    )
    assert row(db, other) == stored

    # Once the first is withdrawn, the same warrant may be recorded again (issued anew).
    with db.unit_of_work(officer) as session:
        warrants.withdraw(
            session, officer, first, row(db, first)["version"], {"withdrawn_date": day(0)}
        )
    assert add(db, officer, offender_id, same)


# --- who may enter ----------------------------------------------------------------------------------
def test_who_may_enter_and_who_only_reads(db, world):
    actors, offender_id = world
    with db.read() as session:
        rights = {
            name: warrants.can_edit(session, actor, offender_id)
            for name, actor in actors.items()
            if name != "oh.po"
        }
        with pytest.raises(NotFound):
            warrants.can_edit(session, actors["oh.po"], offender_id)
    assert {name for name, (allowed, _) in rights.items() if allowed} == {
        "tx.po",
        "tx.sup",
        "tx.co",
        "fl.po",  # the sending state of a historical case
    }
    assert rights["va.po"][1] == (
        "only the sending state of the offender's cases (FL, TX) enters warrant status records; "
        "VA reads them"
    )
    assert rights["no.staff"][1].startswith("the National Office reads warrant status records")
    assert "officers, supervisors and compact office" in rights["tx.admin"][1]


@pytest.mark.parametrize("name", ["va.po", "no.staff", "tx.admin"])
def test_a_reader_is_refused_by_the_service_and_nothing_is_written(db, world, name):
    actors, offender_id = world
    record_id = add(db, actors["tx.po"], offender_id)
    stored, before = row(db, record_id), counts(db)
    reader = actors[name]
    for attempt in (
        lambda s: warrants.add_record(s, reader, offender_id, dict(RECORD, warrant_identifier="")),
        lambda s: warrants.update_record(s, reader, record_id, stored["version"], RECORD),
        lambda s: warrants.add_comment(s, reader, record_id, {"comment": "hello"}),
    ):
        error = refused(db, reader, attempt, PermissionDenied)
        assert str(error).startswith(f"{name} ({reader.jurisdiction_code}) may not ")
    assert (counts(db), row(db, record_id)) == (before, stored)
    with db.read() as session:
        assert [
            e.record_id for e in warrants.records_for_offender(session, reader, offender_id)
        ] == [record_id]


def test_an_unlinked_state_neither_reads_nor_writes(db, world):
    actors, offender_id = world
    record_id = add(db, actors["tx.po"], offender_id)
    ohio = actors["oh.po"]
    before = counts(db)
    refused(db, ohio, lambda s: warrants.add_record(s, ohio, offender_id, RECORD), NotFound)
    refused(db, ohio, lambda s: warrants.update_record(s, ohio, record_id, 1, RECORD), NotFound)
    assert counts(db) == before


# --- the special status -----------------------------------------------------------------------------
def test_the_warrant_status_special_status_follows_the_active_record(db, world):
    actors, offender_id = world
    officer = actors["tx.po"]
    record_id = add(db, officer, offender_id)
    with db.read() as session:
        assert load_profile(session, officer, offender_id).header.badges == (
            "Sex offender",
            WARRANT_SPECIAL_STATUS,
        )
        [listed] = [
            r
            for r in offenders.search(session, officer, offenders.OffenderSearch()).rows
            if r.id == offender_id
        ]
        assert listed.special_statuses == ("Sex offender", "Warrant Status")
    with db.unit_of_work(officer) as session:
        warrants.serve(
            session, officer, record_id, row(db, record_id)["version"], {"served_date": day(0)}
        )
    with db.read() as session:
        assert load_profile(session, officer, offender_id).header.badges == ("Sex offender",)


def test_activity_pdfs_list_the_special_statuses(db, world, system):
    actors, offender_id = world
    add(db, actors["tx.po"], offender_id)
    with db.unit_of_work(system) as session:
        from app.models import CompactCase

        case = session.scalars(
            select(CompactCase).where(CompactCase.offender_id == offender_id).limit(1)
        ).one()
        activity = Activity(
            activity_number="A-PDF",
            case_id=case.id,
            type=ActivityType.PROGRESS_REPORT,
            from_state="TX",
            to_state="VA",
            status=ActivityStatus.DRAFT,
            content={},
        )
        session.add(activity)
        session.flush()
        facts = activity_print.header_facts(session, activity)
    assert facts["special_statuses"] == ["Sex offender", "Warrant Status"]
    document = activity_print.build_document(
        ActivityType.PROGRESS_REPORT, facts, {}, day=date(2026, 1, 5), copy_label=""
    )
    assert ("Special status", "Sex offender; Warrant Status") in document.offender
