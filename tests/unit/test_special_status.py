"""compact_case.special_statuses: kept by every flush of profiles, warrants and cases, by bulk loads."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest
from sqlalchemy import select, update

from app.core.vocabulary import AuditAction, WarrantStatus
from app.models import AuditEntry, CompactCase, Offender, WarrantStatusRecord
from app.models.special_status import (
    SpecialStatus,
    mask_of,
    masks_with_all,
    masks_with_any,
    refresh_special_statuses_for_case_range,
    statuses_in,
)
from app.services.demo_data import generate_demo_data
from app.services.exchange import import_folder
from tests.factories import make_case, make_offender
from tests.unit.test_exchange import valid_files, write_folder

S = SpecialStatus
_warrant_numbers = count(1)


def add_warrant(session, offender_id: int, status=WarrantStatus.ACTIVE) -> int:
    record = WarrantStatusRecord(
        warrant_status_id=f"SSW{next(_warrant_numbers):07d}",
        offender_id=offender_id,
        status=status,
        issued_date=date(2025, 1, 2),
        issuing_authority="Judge Dredd",
        created_by="test",
        updated_by="test",
    )
    session.add(record)
    session.flush()
    return record.id


@pytest.fixture
def person(db, system):
    """A profile without any special status and its two cases: (offender id, case ids)."""
    with db.unit_of_work(system) as session:
        offender = make_offender(session)
        return offender.id, [make_case(session, offender).id, make_case(session, offender).id]


def stored(db, case_ids) -> list[tuple[SpecialStatus, ...]]:
    with db.read() as session:
        masks = dict(
            session.execute(
                select(CompactCase.id, CompactCase.special_statuses).where(
                    CompactCase.id.in_(case_ids)
                )
            ).all()
        )
    return [statuses_in(masks[case_id]) for case_id in case_ids]


def test_a_flag_set_on_the_profile_reaches_each_of_its_cases(db, system, person):
    offender_id, cases = person
    assert stored(db, cases) == [(), ()]
    with db.unit_of_work(system) as session:
        offender = session.get(Offender, offender_id)
        offender.sex_offender = True
        offender.history_of_assault = True
    assert stored(db, cases) == [(S.SEX_OFFENDER, S.HISTORY_OF_ASSAULT)] * 2
    with db.unit_of_work(system) as session:
        offender = session.get(Offender, offender_id)
        offender.sex_offender = False
        offender.victim_sensitive = True
    assert stored(db, cases) == [(S.VICTIM_SENSITIVE, S.HISTORY_OF_ASSAULT)] * 2


def test_an_active_warrant_counts_until_served_withdrawn_or_deleted(db, system, person):
    offender_id, cases = person
    warrant = (S.ACTIVE_WARRANT,)
    with db.unit_of_work(system) as session:
        served = add_warrant(session, offender_id)
    assert stored(db, cases) == [warrant] * 2
    with db.unit_of_work(system) as session:
        session.get(WarrantStatusRecord, served).status = WarrantStatus.EXECUTED
    assert stored(db, cases) == [(), ()]
    with db.unit_of_work(system) as session:
        withdrawn = add_warrant(session, offender_id)
        deleted = add_warrant(session, offender_id)
    with db.unit_of_work(system) as session:
        session.get(WarrantStatusRecord, withdrawn).status = WarrantStatus.WITHDRAWN
    # The other record is still Active.
    assert stored(db, cases) == [warrant] * 2
    with db.unit_of_work(system) as session:
        session.delete(session.get(WarrantStatusRecord, deleted))
    assert stored(db, cases) == [(), ()]


def test_a_record_that_is_not_active_is_no_warrant(db, system, person):
    offender_id, cases = person
    with db.unit_of_work(system) as session:
        add_warrant(session, offender_id, WarrantStatus.EXECUTED)
    assert stored(db, cases) == [(), ()]


def test_a_warrant_moved_to_another_profile_leaves_the_first_one(db, system, person):
    offender_id, cases = person
    with db.unit_of_work(system) as session:
        other = make_offender(session)
        other_case = make_case(session, other).id
        record = add_warrant(session, offender_id)
    with db.unit_of_work(system) as session:
        session.get(WarrantStatusRecord, record).offender_id = other.id
    assert stored(db, [*cases, other_case]) == [(), (), (S.ACTIVE_WARRANT,)]


def test_a_new_case_of_a_flagged_profile_has_its_statuses_at_once(db, system):
    with db.unit_of_work(system) as session:
        offender = make_offender(session, victim_sensitive=True)
        add_warrant(session, offender.id)
        case = make_case(session, offender)
        # The case in hand shows them too, without being read again.
        assert statuses_in(case.special_statuses) == (S.VICTIM_SENSITIVE, S.ACTIVE_WARRANT)
        case_id = case.id
    assert stored(db, [case_id]) == [(S.VICTIM_SENSITIVE, S.ACTIVE_WARRANT)]


def test_a_case_moved_to_another_profile_takes_that_profiles_statuses(db, system, person):
    _, cases = person
    with db.unit_of_work(system) as session:
        flagged = make_offender(session, sex_offender=True)
    with db.unit_of_work(system) as session:
        session.get(CompactCase, cases[0]).offender_id = flagged.id
    assert stored(db, cases) == [(S.SEX_OFFENDER,), ()]


def test_keeping_it_is_neither_an_edit_of_the_case_nor_audited(db, system, person):
    offender_id, cases = person
    with db.unit_of_work(system) as session:
        case = session.get(CompactCase, cases[0])
        version = case.version
        session.get(Offender, offender_id).sex_offender = True
        session.flush()
        # The case read before the flush shows the new statuses, and is not waiting to be written.
        assert case.special_statuses == mask_of([S.SEX_OFFENDER])
        assert case not in session.dirty
    with db.unit_of_work(system) as session:
        new_case = make_case(session, session.get(Offender, offender_id)).id
    with db.read() as session:
        assert session.get(CompactCase, cases[0]).version == version
        changes = session.scalars(
            select(AuditEntry.changes).where(
                AuditEntry.entity == "compact_case",
                AuditEntry.entity_id.in_([str(cases[0]), str(new_case)]),
                AuditEntry.action.in_([AuditAction.INSERT, AuditAction.UPDATE]),
            )
        ).all()
    assert changes  # the new case's insertion is audited, without the derived column
    assert not any("special_statuses" in entry for entry in changes)


def test_a_profile_edit_that_cannot_move_it_leaves_the_cases_alone(db, system, person):
    offender_id, cases = person
    # Made stale by hand: only a change to what the rule reads recomputes it.
    with db.unit_of_work(system) as session:
        session.execute(
            update(CompactCase).where(CompactCase.id == cases[0]).values(special_statuses=1)
        )
    with db.unit_of_work(system) as session:
        session.get(Offender, offender_id).race = "Other"
    assert stored(db, cases) == [(S.SEX_OFFENDER,), ()]
    with db.unit_of_work(system) as session:
        refresh_special_statuses_for_case_range(session.connection(), cases[0], cases[1])
    assert stored(db, cases) == [(), ()]


def test_the_masks_a_filter_names():
    assert statuses_in(mask_of([S.ACTIVE_WARRANT, S.SEX_OFFENDER])) == (
        S.SEX_OFFENDER,
        S.ACTIVE_WARRANT,
    )
    # Every mask with the bit, and only those.
    assert masks_with_all([S.VICTIM_SENSITIVE]) == [2, 3, 6, 7, 10, 11, 14, 15]
    assert masks_with_all([S.SEX_OFFENDER, S.HISTORY_OF_ASSAULT]) == [5, 7, 13, 15]
    assert masks_with_any() == list(range(1, 16))


def _expected_by_case(session) -> dict[int, tuple[SpecialStatus, ...]]:
    """Each case's statuses as the rule reads them from the profile and its warrant records."""
    active = set(
        session.scalars(
            select(WarrantStatusRecord.offender_id).where(
                WarrantStatusRecord.status == WarrantStatus.ACTIVE
            )
        )
    )
    rows = session.execute(
        select(CompactCase.id, Offender.id, Offender.sex_offender, Offender.victim_sensitive,
               Offender.history_of_assault)
        .join(Offender, Offender.id == CompactCase.offender_id)
    ).all()  # fmt: skip
    expected = {}
    for case_id, offender_id, sex_offender, victim, assault in rows:
        flags = (sex_offender, victim, assault, offender_id in active)
        expected[case_id] = tuple(status for status, on in zip(S, flags, strict=True) if on)
    return expected


def _stored_by_case(session) -> dict[int, tuple[SpecialStatus, ...]]:
    masks = session.execute(select(CompactCase.id, CompactCase.special_statuses)).all()
    return {case_id: statuses_in(mask) for case_id, mask in masks}


def test_a_demo_data_load_stores_what_its_profiles_and_warrants_say(db, system):
    generate_demo_data(db, system, offenders=300, seed=3)
    with db.read() as session:
        expected, found = _expected_by_case(session), _stored_by_case(session)
    assert found == expected
    # The load has cases with statuses (an active warrant among them) and cases without.
    assert () in found.values()
    assert any(S.ACTIVE_WARRANT in value for value in found.values())


def test_an_import_stores_them_for_new_cases_and_profiles_already_there(db, system, tmp_path):
    with db.unit_of_work(system) as session:
        offender = make_offender(session, offender_number="OLD-1", victim_sensitive=True)
        old_case = make_case(session, offender).id
    files = valid_files()
    # A new case and an Active warrant record for the profile already in the database.
    files["cases.csv"].append(
        ["NEW-C", "OLD-1", "TX", "OK", "parole", "pending", "2024-06-01T10:00:00+00:00", ""]
    )
    warrant = list(files["warrants.csv"][1])
    warrant[0], warrant[5] = "W-OLD", "OLD-1"
    files["warrants.csv"].append(warrant)
    import_folder(db, system, write_folder(tmp_path / "in", files))
    with db.read() as session:
        expected, found = _expected_by_case(session), _stored_by_case(session)
        number = dict(session.execute(select(CompactCase.case_number, CompactCase.id)).all())
    assert found == expected
    both = (S.VICTIM_SENSITIVE, S.ACTIVE_WARRANT)
    assert found[old_case] == both and found[number["NEW-C"]] == both
    # TX-1: history of assault and the folder's own Active warrant; TX-2's case: none here.
    assert found[number["CASE-1"]] == (S.HISTORY_OF_ASSAULT, S.ACTIVE_WARRANT)
    assert found[number["CASE-2"]] == ()
