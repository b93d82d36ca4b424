"""Probable-cause records (Rule 5.108): the waiver rule, who may record, versions, audit and the
decision clock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.errors import ConcurrencyConflict, NotFound, PermissionDenied, ValidationError
from app.core.vocabulary import AuditAction
from app.forms.probable_cause import PROBABLE_CAUSE_FORM
from app.models import AuditEntry, CompactCase, ProbableCauseRecord
from app.services import probable_cause
from app.services.users import actor_from_user
from tests.factories import make_case, make_offender, make_user

HEARING = {
    "hearing_date": "05/14/2025",
    "established": "yes",
    "description": "Hearing complete: new arrest for burglary admitted in testimony",
    "report_received_date": "2025-05-16",
}
WAIVER = {"waived": True, "admission_of_revocable_violation": True, "established": "yes",
          "hearing_date": "2025-05-14", "description": "Waiver signed with admission"}  # fmt: skip


@pytest.fixture
def world(db, system):
    with db.unit_of_work(system) as session:
        texas = actor_from_user(make_user(session, "tx.po", "TX"))
        virginia = actor_from_user(make_user(session, "va.po", "VA"))
        ohio = actor_from_user(make_user(session, "oh.po", "OH"))
        offender = make_offender(session, created_by_state="TX")
        case = make_case(session, offender, sending_state="TX", receiving_state="VA")
        return {"TX": texas, "VA": virginia, "OH": ohio, "case": case.id}


def add(db, world, actor="VA", raw=HEARING, attachment=None) -> int:
    with db.unit_of_work(world[actor]) as session:
        record = probable_cause.add_record(session, world[actor], world["case"], raw, attachment)
        return record.id


def stored(db):
    with db.read() as session:
        records = session.scalars(
            select(ProbableCauseRecord).order_by(ProbableCauseRecord.id)
        ).all()
        audit = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "probable_cause_record")
            .order_by(AuditEntry.id)
        ).all()
        return records, audit


def test_the_form_refuses_a_waiver_without_an_admission_quoting_rule_5_108_b():
    _values, problems = PROBABLE_CAUSE_FORM.validate(
        {"waived": "yes", "hearing_date": "2025-05-14"}
    )
    assert [name for name, _ in problems] == ["waived"]
    rule = problems[0][1]
    assert "Rule 5.108(b)" in rule
    assert "admission by the offender to one or more violations" in rule
    assert "would result in the pursuance of revocation" in rule


def test_the_service_refuses_a_waiver_without_an_admission_and_writes_nothing(db, world):
    raw = dict(WAIVER, admission_of_revocable_violation=False)
    with pytest.raises(ValidationError) as raised:
        add(db, world, raw=raw)
    assert "waived" in dict(raised.value.problems)
    assert "Rule 5.108(b)" in dict(raised.value.problems)["waived"]
    assert stored(db) == ([], [])


def test_a_waiver_with_an_admission_is_recorded(db, world):
    record_id = add(db, world, raw=WAIVER)
    with db.read() as session:
        record = session.get(ProbableCauseRecord, record_id)
        assert (record.waived, record.admission_of_revocable_violation, record.established) == (
            True,
            True,
            True,
        )
        assert record.hearing_date == date(2025, 5, 14)


@pytest.mark.parametrize(
    "change, field, rule",
    [
        ({"hearing_date": "2999-01-04"}, "hearing_date", "cannot be in the future"),
        ({"report_received_date": "05/13/2025"}, "report_received_date",
         "cannot be before the hearing date (05/14/2025)"),
        ({"report_received_date": "2999-01-04"}, "report_received_date", "cannot be in the future"),
        ({"established": "maybe"}, "established", "must be one of Yes, No, Unknown"),
        ({"attachment_name": "photo.jpg"}, "attachment_name", "must be a PDF, DOC"),
    ],
)  # fmt: skip
def test_dates_and_choices_are_checked_by_the_form(change, field, rule):
    _values, problems = PROBABLE_CAUSE_FORM.validate(dict(HEARING, **change))
    assert field in dict(problems) and rule in dict(problems)[field]


def test_the_decision_is_due_on_the_15th_business_day_after_the_report_in_the_sending_state(
    db, world
):
    # Received Friday 16 May 2025: weekends and Memorial Day (26 May) are not counted.
    record_id = add(db, world)
    with db.read() as session:
        due = probable_cause.decision_due(session, session.get(ProbableCauseRecord, record_id))
        listed = probable_cause.records_for_case(session, world["TX"], world["case"])
    assert due is not None
    assert due.due_date == date(2025, 6, 9)
    assert (due.rule_number, due.days) == ("5.108(f)", 15)
    assert due.describe() == "Rule 5.108(f): 15 business days"
    assert [entry.decision_due for entry in listed] == [due]


@pytest.mark.parametrize(
    "change",
    [{"report_received_date": ""}, {"established": "no"}],
)
def test_no_decision_is_due_without_a_report_or_without_probable_cause(db, world, change):
    record_id = add(db, world, raw=dict(HEARING, **change))
    with db.read() as session:
        assert (
            probable_cause.decision_due(session, session.get(ProbableCauseRecord, record_id))
            is None
        )


def test_a_user_of_a_third_state_may_neither_add_nor_edit(db, world, system):
    with pytest.raises(NotFound):
        add(db, world, actor="OH")
    # Linked to the profile by a case of its own, Ohio sees the case but is no party to it.
    with db.unit_of_work(system) as session:
        offender = session.get(CompactCase, world["case"]).offender
        make_case(session, offender, sending_state="OH", receiving_state="TX")
    with pytest.raises(PermissionDenied) as raised:
        add(db, world, actor="OH")
    assert "only the sending state (TX) and the receiving state (VA)" in str(raised.value)
    record_id = add(db, world, actor="VA")
    with db.unit_of_work(world["OH"]) as session, pytest.raises(PermissionDenied):
        probable_cause.update_record(session, world["OH"], record_id, 1, HEARING)
    records, audit = stored(db)
    assert [r.id for r in records] == [record_id]
    assert [(r.description, r.version) for r in records] == [(HEARING["description"], 1)]
    assert [a.actor_name for a in audit] == ["va.po"]


def test_both_states_of_the_case_may_record_and_edit(db, world):
    record_id = add(db, world, actor="TX", raw={"hearing_date": "2025-05-14"})
    with db.unit_of_work(world["VA"]) as session:
        record = probable_cause.update_record(session, world["VA"], record_id, 1, HEARING)
        assert (record.version, record.established) == (2, True)


def test_a_save_on_a_stale_version_is_refused_and_writes_nothing(db, world):
    record_id = add(db, world)
    with db.unit_of_work(world["TX"]) as session:
        probable_cause.update_record(
            session, world["TX"], record_id, 1, dict(HEARING, description="Retake decided")
        )
    with db.unit_of_work(world["VA"]) as session, pytest.raises(ConcurrencyConflict) as raised:
        probable_cause.update_record(
            session, world["VA"], record_id, 1, dict(HEARING, description="Mine")
        )
    assert "tx.po saved this probable-cause record" in str(raised.value)
    assert raised.value.theirs["description"] == "Retake decided"
    assert raised.value.mine["description"] == "Mine"
    with db.read() as session:
        record = session.get(ProbableCauseRecord, record_id)
        assert (record.version, record.description) == (2, "Retake decided")


def test_every_change_is_audited_with_who_and_what(db, world):
    record_id = add(db, world)
    with db.unit_of_work(world["TX"]) as session:
        probable_cause.update_record(session, world["TX"], record_id, 1, dict(HEARING, established="no"))  # fmt: skip
    _records, audit = stored(db)
    assert [(a.action, a.actor_name, a.entity_id) for a in audit] == [
        (AuditAction.INSERT, "va.po", str(record_id)),
        (AuditAction.UPDATE, "tx.po", str(record_id)),
    ]
    assert audit[0].changes["report_received_date"] == [None, "2025-05-16"]
    assert audit[1].changes == {"established": [True, False]}
    assert audit[0].offender_id is not None


def test_an_attachment_needs_its_name_and_is_listed_without_its_content(db, world):
    with pytest.raises(ValidationError) as raised:
        add(db, world, attachment=b"%PDF-1.4 report")
    assert dict(raised.value.problems) == {"attachment_name": "is required with an attached file"}
    with pytest.raises(ValidationError) as raised:
        add(db, world, raw=dict(HEARING, attachment_name="report.pdf"))
    assert "names no attached file" in dict(raised.value.problems)["attachment_name"]
    add(db, world, raw=dict(HEARING, attachment_name="report.pdf"), attachment=b"%PDF-1.4 report")
    add(db, world, raw=dict(HEARING, description="Second"))
    with db.read() as session:
        listed = probable_cause.records_for_case(session, world["VA"], world["case"])
    assert [(e.description, e.attachment_name, e.has_attachment) for e in listed] == [
        ("Second", None, False),
        (HEARING["description"], "report.pdf", True),
    ]


def test_a_state_not_linked_to_the_profile_does_not_see_the_records(db, world):
    add(db, world)
    with db.read() as session, pytest.raises(NotFound):
        probable_cause.records_for_case(session, world["OH"], world["case"])
