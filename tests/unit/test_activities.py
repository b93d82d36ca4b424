"""The activity engine: the chain of a Discretionary Retake and of a transfer, replies, withdrawal,
the immutable transmitted copy, notifications and the audit trail of each step."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.errors import ConcurrencyConflict, PermissionDenied, UserError, ValidationError
from app.core.permissions import Actor
from app.core.vocabulary import (
    ActivityOutcome,
    ActivityStatus,
    ActivityType,
    ApprovalDecision,
    CaseStatus,
    Role,
)
from app.forms.activities import SPECS
from app.models import Activity, AuditEntry, CompactCase, Notification, TransmittedCopy
from app.services import activities
from app.services.activity_print import print_activity
from app.services.users import actor_from_user
from tests.factories import make_case, make_offender, make_user

RETAKE = {
    "retake_reason": "non_compliance",
    "reason_text": "Failed to report for three months; whereabouts known.",
    "pending_felony_or_violent_charges": "no",
    "warrant_issued_date": "11/02/2026",
    "issuing_authority": "Judge Ann Smith, 147th District Court",
}
TRANSFER = {
    "transfer_reason": "resident",
    "justification": "Family and employment in Virginia",
    "residence_address": "1 Main St, Richmond VA",
    "offense_details": "Burglary of a habitation",
    "conditions": "Report monthly",
}


@pytest.fixture
def office(db, system, monkeypatch):
    """Texas (sending) with an officer reporting to a supervisor, the supervisor and the compact
    office; Virginia (receiving) with an officer and its compact office; one case between them."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 30))
    with db.unit_of_work(system) as session:
        supervisor = make_user(session, "tx.sup", "TX", (Role.SUPERVISOR,))
        officer = make_user(session, "tx.po", "TX", (Role.OFFICER,))
        officer.reports_to_id = supervisor.id
        officer.email = "po@tx.example"
        supervisor.email = "sup@tx.example"
        compact_office = make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,))
        compact_office.email = "co@tx.example"
        other_officer = make_user(session, "tx.po2", "TX", (Role.OFFICER,))
        va_officer = make_user(session, "va.po", "VA", (Role.OFFICER,))
        va_office = make_user(session, "va.co", "VA", (Role.COMPACT_OFFICE,))
        va_office.email = "co@va.example"
        offender = make_offender(session, last_name="Núñez", first_name="José")
        case = make_case(
            session,
            offender,
            status=CaseStatus.ACCEPTED,
            sending_assigned_user_id=officer.id,
            receiving_assigned_user_id=va_officer.id,
        )
        session.flush()
        users = {
            u.username: actor_from_user(u)
            for u in (supervisor, officer, compact_office, other_officer, va_officer, va_office)
        }
        return {"case_id": case.id, "offender_id": offender.id, **users}


def _version(db, activity_id: int) -> int:
    with db.read() as session:
        return session.get(Activity, activity_id).version


def _draft(db, actor, case_id, kind, raw, **extra) -> int:
    with db.unit_of_work(actor) as session:
        return activities.create_draft(session, actor, case_id, kind, raw, **extra).id


def _do(db, actor, step, activity_id, *args, **kwargs):
    with db.unit_of_work(actor) as session:
        return step(session, actor, activity_id, _version(db, activity_id), *args, **kwargs)


def test_every_type_declares_a_form_with_fields():
    assert {spec.type for spec in SPECS} == set(ActivityType)
    for spec in SPECS:
        assert spec.form.fields, spec.type
        if spec.replies_to is not None:
            assert any(s.expected_reply is spec.type for s in SPECS) or spec.type in (
                ActivityType.COMPACT_ACTION_REPLY,
                ActivityType.RETURN_RFRI_REPLY,
            )


def test_discretionary_retake_from_draft_to_transmitted_with_a_return(db, office):
    officer, supervisor, co = office["tx.po"], office["tx.sup"], office["tx.co"]
    activity_id = _draft(db, officer, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, RETAKE)

    result = _do(db, officer, activities.submit, activity_id)
    assert result.activity.status is ActivityStatus.PENDING_SUPERVISOR
    assert result.activity.assigned_user_id == supervisor.user_id
    assert result.needs_warrant_record  # the profile has no warrant status record yet

    with pytest.raises(PermissionDenied, match="not waiting for the compact office"):
        _do(db, co, activities.transmit, activity_id)
    with pytest.raises(ValidationError, match="comment"):
        _do(db, supervisor, activities.return_for_correction, activity_id, "  ")
    returned = _do(db, supervisor, activities.return_for_correction, activity_id, "Name the court")
    assert returned.status is ActivityStatus.DRAFT
    assert returned.assigned_user_id == officer.user_id

    corrected = dict(RETAKE, issuing_authority="Judge Ann Smith, 147th District Court, Austin")
    _do(db, officer, activities.update_draft, activity_id, corrected)
    _do(db, officer, activities.submit, activity_id)
    approved = _do(db, supervisor, activities.approve, activity_id)
    assert approved.status is ActivityStatus.PENDING_COMPACT_OFFICE
    sent = _do(db, co, activities.transmit, activity_id)
    assert sent.status is ActivityStatus.TRANSMITTED
    assert sent.assigned_user_id == officer.user_id

    with db.read() as session:
        activity = session.get(Activity, activity_id)
        decisions = [step.decision for step in activity.steps]
        assert decisions == [
            ApprovalDecision.SUBMITTED,
            ApprovalDecision.RETURNED,
            ApprovalDecision.SUBMITTED,
            ApprovalDecision.APPROVED,
            ApprovalDecision.APPROVED,
            ApprovalDecision.TRANSMITTED,
        ]
        compliance = activity.content["compliance"]
        # Issued Monday 11/02/2026: Texas closes on Veterans Day, Thanksgiving and the day after,
        # so the 15th business day after it is Tuesday 11/24/2026; sent on 11/30, it is late.
        assert compliance["due_date"] == "2026-11-24"
        assert compliance["on_time"] is False
        copy = session.get(TransmittedCopy, activity_id)
        assert copy.pdf.startswith(b"%PDF")
        assert copy.content["content"]["issuing_authority"].endswith("Austin")
        assert copy.content["header"]["offender"]["name"] == "José Núñez"
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "activity_step")
        ).all()
        assert len(audited) == 6
        actors = {entry.actor_name for entry in audited}
        assert actors == {"tx.po", "tx.sup", "tx.co"}
        mail = session.scalars(
            select(Notification).where(Notification.activity_id == activity_id)
        ).all()
        kinds = [(n.kind, n.recipient_user_id) for n in mail]
        assert ("activity_pending_supervisor", supervisor.user_id) in kinds
        assert ("activity_draft", officer.user_id) in kinds
        assert ("activity_pending_compact_office", co.user_id) in kinds
        assert ("activity_transmitted", office["va.po"].user_id) in kinds


def test_transmitted_retake_is_final_except_for_the_assigned_user(db, office):
    officer, co = office["tx.po"], office["tx.co"]
    activity_id = _draft(db, co, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, RETAKE)
    sent = _do(db, co, activities.submit, activity_id).activity
    assert sent.status is ActivityStatus.TRANSMITTED  # the compact office's own draft

    with pytest.raises(PermissionDenied):
        _do(db, co, activities.update_draft, activity_id, RETAKE)
    for outsider in ("tx.co", "tx.sup", "tx.po2", "va.co"):
        with pytest.raises((PermissionDenied, UserError), match="assigned|receiving|withdraw"):
            _do(db, office[outsider], activities.withdraw, activity_id, "no longer needed")
    withdrawn = _do(db, officer, activities.withdraw, activity_id, "Warrant recalled")
    assert withdrawn.status is ActivityStatus.WITHDRAWN
    with db.read() as session:
        printed = print_activity(session, officer, activity_id)
        assert printed.as_sent and "withdrawn" in printed.label
        current = print_activity(session, officer, activity_id, current=True)
        assert not current.as_sent and current.pdf != printed.pdf


def test_pending_charges_and_missing_warrant_are_refused_with_nothing_written(db, office):
    officer = office["tx.po"]
    with db.read() as session:
        before = session.scalar(select(Activity.id).order_by(Activity.id.desc()).limit(1))
    pending = dict(RETAKE, pending_felony_or_violent_charges="yes")
    with pytest.raises(ValidationError, match="Rule 5.101-1"):
        _draft(db, officer, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, pending)
    no_warrant = dict(RETAKE, warrant_issued_date="", issuing_authority="")
    with pytest.raises(ValidationError) as refused:
        _draft(db, officer, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, no_warrant)
    assert {field for field, _rule in refused.value.problems} == {
        "warrant_issued_date",
        "issuing_authority",
    }
    with db.read() as session:
        after = session.scalar(select(Activity.id).order_by(Activity.id.desc()).limit(1))
    assert after == before


def test_receiving_state_cannot_start_a_sending_state_activity(db, office):
    options = {}
    with db.read() as session:
        case = session.get(CompactCase, office["case_id"])
        for option in activities.type_options(session, office["va.po"], case):
            options[option.spec.type] = option
    retake = options[ActivityType.DISCRETIONARY_RETAKE]
    assert not retake.available and "sending state (TX)" in retake.explanation
    assert options[ActivityType.PROGRESS_REPORT].available
    violation = options[ActivityType.VIOLATION_REPORT]
    assert not violation.available and "notice of arrival" in violation.explanation
    with pytest.raises(UserError, match="sending state"):
        _draft(db, office["va.po"], office["case_id"], ActivityType.DISCRETIONARY_RETAKE, RETAKE)


def test_transfer_request_reply_sets_the_due_date_and_the_case_status(db, office):
    officer, co, va_co = office["tx.po"], office["tx.co"], office["va.co"]
    request_id = _draft(db, officer, office["case_id"], ActivityType.TRANSFER_REQUEST, TRANSFER)
    _do(db, officer, activities.submit, request_id)
    _do(db, office["tx.sup"], activities.approve, request_id)
    sent = _do(db, co, activities.transmit, request_id)
    assert sent.due_date == date(2027, 1, 14)  # 45 calendar days after 11/30/2026
    with db.read() as session:
        assert session.get(CompactCase, office["case_id"]).next_due_date == date(2027, 1, 14)

    reply = {"decision": "rejected", "rejection_reasons": ""}
    with pytest.raises(ValidationError, match="specific reasons"):
        _draft(db, va_co, office["case_id"], ActivityType.TRANSFER_REPLY, reply)
    reply["rejection_reasons"] = "Home not suitable"
    reply_id = _draft(db, va_co, office["case_id"], ActivityType.TRANSFER_REPLY, reply)
    replied = _do(db, va_co, activities.submit, reply_id).activity
    assert replied.reply_to_id == request_id
    assert replied.outcome is ActivityOutcome.REJECTED
    with db.read() as session:
        case = session.get(CompactCase, office["case_id"])
        assert case.status is CaseStatus.REJECTED
        assert case.next_due_date is None
    with pytest.raises(PermissionDenied, match="replied"):
        _do(db, officer, activities.withdraw, request_id, "changed our mind")


def test_unmanaged_notice_is_sent_at_once_and_never_withdrawn(db, office):
    va_po = office["va.po"]
    notice_id = _draft(
        db, va_po, office["case_id"], ActivityType.NOTICE_OF_ARRIVAL, {"arrival_date": "11/20/2026"}
    )
    sent = _do(db, va_po, activities.submit, notice_id).activity
    assert sent.status is ActivityStatus.TRANSMITTED
    assert (sent.from_state, sent.to_state) == ("VA", "TX")
    with pytest.raises(PermissionDenied, match="cannot be withdrawn"):
        _do(db, va_po, activities.withdraw, notice_id, "typo")


def test_supervisor_bulk_approve_and_queues(db, office):
    officer, supervisor, co = office["tx.po"], office["tx.sup"], office["tx.co"]
    ids = []
    for _ in range(3):
        activity_id = _draft(
            db, officer, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, RETAKE
        )
        _do(db, officer, activities.submit, activity_id)
        ids.append(activity_id)
    with db.read() as session:
        queue = activities.approval_queue(session, supervisor)
        assert [item.activity_id for item in queue] == ids
        assert activities.approval_queue(session, co) == []
        assert activities.approval_queue(session, officer) == []
        assert activities.approval_count(session, supervisor) == 3
        assert activities.approval_count(session, co) == 0
        national = Actor(None, "no.admin", "NO", frozenset({Role.NATIONAL_OFFICE}))
        assert activities.approval_queue(session, national) == []
    with db.unit_of_work(supervisor) as session:
        activities.bulk_approve(session, supervisor, [(i.activity_id, i.version) for i in queue])
    with db.read() as session:
        assert [item.activity_id for item in activities.approval_queue(session, co)] == ids
        assert activities.approval_queue(session, supervisor) == []
        assert activities.approval_count(session, co) == 3
        assert [i.activity_id for i in activities.approval_queue(session, co, limit=2)] == ids[:2]


def test_stale_version_is_refused(db, office):
    officer = office["tx.po"]
    activity_id = _draft(db, officer, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, RETAKE)
    stale = _version(db, activity_id)
    _do(db, officer, activities.update_draft, activity_id, dict(RETAKE, reason_text="Absconded"))
    with pytest.raises(ConcurrencyConflict), db.unit_of_work(officer) as session:
        activities.submit(session, officer, activity_id, stale)


def test_drafts_are_not_visible_to_the_other_state(db, office):
    activity_id = _draft(
        db, office["tx.po"], office["case_id"], ActivityType.DISCRETIONARY_RETAKE, RETAKE
    )
    with db.read() as session, pytest.raises(UserError, match="not visible"):
        activities.get_activity(session, office["va.po"], activity_id)


def test_transfer_request_hints_apply_the_2022_resident_test():
    values = dict(
        TRANSFER,
        sentence_date="2026-03-01",
        residence_history="VA 2024-01-01 present",
        resident_family="parent VA 2026-09-01",
    )
    resident, family = activities.activity_hints(
        ActivityType.TRANSFER_REQUEST, values, "VA", date(2026, 11, 30)
    )
    assert resident.startswith("Resident: ")
    assert family.startswith("No resident family: ")  # 90 days, not the 180 the rule asks
    broken = dict(values, residence_history="Virginia since forever")
    assert activities.activity_hints(
        ActivityType.TRANSFER_REQUEST, broken, "VA", date(2026, 11, 30)
    ) == ("Residence: correct the residence lines to see the Rule 1.101 tests",)
    assert (
        activities.activity_hints(
            ActivityType.DISCRETIONARY_RETAKE, RETAKE, "VA", date(2026, 11, 30)
        )
        == ()
    )


def test_retake_report_counts_invocations_and_late_notices_by_state(db, office, monkeypatch):
    from app.services.retake_report import retake_summary

    co = office["tx.co"]
    on_time = dict(RETAKE, warrant_issued_date="11/20/2026")  # 15th business day: 12/14/2026
    for content in (RETAKE, on_time, on_time):
        activity_id = _draft(db, co, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, content)
        _do(db, co, activities.submit, activity_id)
    drafted = _draft(db, co, office["case_id"], ActivityType.DISCRETIONARY_RETAKE, on_time)
    with db.read() as session:
        [texas] = retake_summary(session, co, date(2026, 11, 1), date(2026, 11, 30))
        assert texas.as_row() == ("TX", 3, 2, 1, 0)
        assert retake_summary(session, office["va.co"], date(2026, 11, 1), date(2026, 11, 30)) == []
        assert retake_summary(session, co, date(2026, 12, 1), date(2026, 12, 31)) == []
    assert drafted  # a draft is never counted


def test_a_request_past_its_reply_date_shows_as_overdue(db, office, monkeypatch):
    co = office["tx.co"]
    request_id = _draft(db, co, office["case_id"], ActivityType.TRANSFER_REQUEST, TRANSFER)
    _do(db, co, activities.submit, request_id)
    with db.read() as session:
        assert not activities.activity_detail(session, co, request_id).overdue
    monkeypatch.setattr(clock, "today", lambda: date(2027, 1, 15))  # due 01/14/2027
    with db.read() as session:
        assert activities.activity_detail(session, co, request_id).overdue
