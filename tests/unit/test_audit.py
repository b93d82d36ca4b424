"""Every insert, update and delete of every entity writes an audit row naming who, what, old, new."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.core.vocabulary import (
    ActivityStatus,
    ActivityType,
    ApprovalDecision,
    AuditAction,
    CalendarAdjustmentKind,
    DayCountUnit,
    InterestSide,
    ManagementKind,
    WarrantStatus,
)
from app.models import (
    ActivityStep,
    Alias,
    AuditEntry,
    Base,
    CalendarAdjustment,
    CaseInterest,
    CaseNote,
    DeadlineRule,
    FormDraft,
    FormerOffenderNumber,
    Jurisdiction,
    ManagementApproval,
    ManagementRequest,
    Notification,
    NumberCounter,
    OffenderLink,
    OffenderName,
    ProbableCauseRecord,
    ReminderRule,
    Residence,
    RetentionSnapshot,
    Setting,
    TransmittedCopy,
    User,
    UserRole,
    WarrantStatusRecord,
)
from app.models.base import utcnow
from tests.factories import make_activity, make_case, make_offender, make_user

# Derived tables kept by the application itself (from offenders, aliases and cases, which are
# audited); auditing them again would double every entry.
DERIVED = {OffenderLink, OffenderName}
# A user's unsaved typing, deliberately left out of the log (tests/unit/test_drafts.py).
NOT_AUDITED = {FormDraft}


def _builders():
    """For each entity: (build a new row, the column changed by the update, its new value)."""

    def offender(s):
        return make_offender(s, last_name="Audit", first_name="Ann")

    return {
        "Jurisdiction": (lambda s: Jurisdiction(code="ZQ", name="Test land", kind="state"), "office_phone", "555-0100"),
        "User": (lambda s: make_user(s, "audited.user"), "full_name", "Renamed User"),
        "UserRole": (lambda s: UserRole(user_id=make_user(s).id, role="supervisor"), None, None),
        "Offender": (offender, "last_name", "Changed"),
        "Alias": (lambda s: Alias(offender_id=offender(s).id, last_name="A", first_name="B"), "first_name", "C"),
        "FormerOffenderNumber": (lambda s: FormerOffenderNumber(number="OLD1", offender_id=offender(s).id, retired_at=utcnow()), "number", None),
        "Residence": (lambda s: Residence(offender_id=offender(s).id, city="Austin"), "city", "Dallas"),
        "CompactCase": (lambda s: make_case(s, offender(s)), "offense_summary", "Theft"),
        "CaseInterest": (lambda s: CaseInterest(case_id=make_case(s, offender(s)).id, jurisdiction_code="OK", side=InterestSide.RECEIVING), "jurisdiction_code", "NM"),
        "CaseNote": (lambda s: CaseNote(case_id=make_case(s, offender(s)).id, text="called"), "text", "called back"),
        "Activity": (lambda s: _activity(s, offender(s)), "status", ActivityStatus.PENDING_SUPERVISOR),
        "ActivityStep": (lambda s: ActivityStep(activity_id=_activity(s, offender(s)).id, decision=ApprovalDecision.SUBMITTED), "comment", "ok"),
        "TransmittedCopy": (lambda s: TransmittedCopy(activity_id=_activity(s, offender(s)).id, transmitted_at=utcnow(), content={"a": 1}), None, None),  # never updated: tests/integration/test_migration_0006.py
        "ProbableCauseRecord": (lambda s: ProbableCauseRecord(case_id=make_case(s, offender(s)).id, hearing_date=date(2026, 1, 5)), "established", True),
        "WarrantStatusRecord": (lambda s: WarrantStatusRecord(warrant_status_id="WS1", offender_id=offender(s).id, issued_date=date(2026, 1, 2), issuing_authority="Travis County Court", created_by="x", updated_by="x", status=WarrantStatus.ACTIVE), "ncic_entry_date", date(2026, 1, 3)),
        "ManagementRequest": (lambda s: ManagementRequest(kind=ManagementKind.DELETE, requesting_state="TX", source_offender_number="T1"), "reason", "junk"),
        "ManagementApproval": (lambda s: ManagementApproval(request_id=_request(s).id, jurisdiction_code="VA"), "approved", True),
        "RetentionSnapshot": (lambda s: RetentionSnapshot(offender_number="T1", jurisdiction_code="TX", file_name="t.pdf", pdf=b"%PDF", pdf_sha256="00"), "file_name", "u.pdf"),
        "Notification": (lambda s: Notification(kind="test", dedup_key="k1", subject="s", body="b"), "subject", "s2"),
        "DeadlineRule": (lambda s: DeadlineRule(rule_key="k", rule_number="5.101", description="d", effective_from=date(2022, 4, 1), days=15, unit=DayCountUnit.BUSINESS), "days", 10),
        "ReminderRule": (lambda s: ReminderRule(activity_type=ActivityType.PROGRESS_REPORT, offset=3, unit=DayCountUnit.BUSINESS, label="due in 3 days"), "label", "due soon"),
        "CalendarAdjustment": (lambda s: CalendarAdjustment(jurisdiction_code="TX", day=date(2026, 3, 2), kind=CalendarAdjustmentKind.OPEN), "reason", "worked"),
        "Setting": (lambda s: Setting(key="labels", value="offender"), "value", "supervised_individual"),
        "NumberCounter": (lambda s: NumberCounter(name="test", next_value=1), "next_value", 2),
    }  # fmt: skip


def _activity(session, offender):
    return make_activity(session, make_case(session, offender))


def _request(session):
    request = ManagementRequest(
        kind=ManagementKind.MERGE, requesting_state="TX", source_offender_number="T9"
    )
    session.add(request)
    session.flush()
    return request


def _entries(session, entity, entity_id, action):
    return session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == entity,
            AuditEntry.entity_id == entity_id,
            AuditEntry.action == action,
        )
    ).all()


def test_every_entity_has_a_builder():
    mapped = {m.class_.__name__ for m in Base.registry.mappers}
    covered = set(_builders()) | {c.__name__ for c in DERIVED | NOT_AUDITED} | {"AuditEntry"}
    assert mapped == covered


@pytest.mark.parametrize("entity_name", sorted(_builders()))
def test_insert_update_delete_are_audited(db, system, entity_name):
    build, column, new_value = _builders()[entity_name]
    with db.unit_of_work(system) as session:
        row = build(session)
        session.add(row)
        session.flush()
        table = type(row).__tablename__
        from sqlalchemy import inspect

        key = ",".join(str(p) for p in inspect(row).identity)
        inserted = _entries(session, table, key, AuditAction.INSERT)
        assert len(inserted) == 1
        assert inserted[0].actor_name == "system"
        assert inserted[0].actor_user_id == system.user_id
        assert inserted[0].changes, "an insert records the new values"

        if column is not None and new_value is not None:
            old_value = getattr(row, column)
            setattr(row, column, new_value)
            session.flush()
            updated = _entries(session, table, key, AuditAction.UPDATE)
            assert len(updated) == 1
            old, new = updated[0].changes[column]
            assert new != old
            assert old == (old_value.value if hasattr(old_value, "value") else _plain(old_value))

        session.delete(row)
        session.flush()
        deleted = _entries(session, table, key, AuditAction.DELETE)
        assert len(deleted) == 1
        assert all(pair[1] is None for pair in deleted[0].changes.values())


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def test_audit_names_the_acting_user_and_the_profile(db, system):
    with db.unit_of_work(system) as session:
        clerk = make_user(session, "clerk.one")
    from app.services.users import actor_from_user

    with db.unit_of_work(system) as session:
        actor = actor_from_user(session.get(User, clerk.id))
    with db.unit_of_work(actor) as session:
        offender = make_offender(session, last_name="Who", first_name="Did")
        case = make_case(session, offender)
        offender_id, case_id = offender.id, case.id
    with db.read() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.offender_id == offender_id)
        ).all()
    entities = {(r.entity, r.actor_name) for r in rows}
    assert ("offender", "clerk.one") in entities
    assert ("compact_case", "clerk.one") in entities
    assert any(r.entity == "case_interest" for r in rows), "children resolve to their profile"
    assert case_id


def test_ssn_and_password_never_reach_the_audit_log(db, system):
    with db.unit_of_work(system) as session:
        offender = make_offender(session, ssn="123456789")
        user = make_user(session, "secretive")
        offender.ssn = "987654321"
        session.flush()
        changes = [
            e.changes
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.entity.in_(["offender", "app_user"]))
            )
        ]
    text_form = repr(changes)
    assert "123456789" not in text_form and "987654321" not in text_form
    assert "***6789" in text_form and "***4321" in text_form
    assert "password_hash" not in text_form
    assert user.password_hash


def test_changes_without_an_actor_are_refused(db):
    session = db.session_factory()
    try:
        session.add(Setting(key="x", value="y"))
        with pytest.raises(RuntimeError, match="without an acting user"):
            session.flush()
    finally:
        session.rollback()
        session.close()


def test_the_database_refuses_to_alter_the_audit_log(db, system):
    with db.unit_of_work(system) as session:
        session.add(Setting(key="append", value="only"))
    for statement in ("UPDATE audit_entry SET note = 'tampered'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"), db.unit_of_work(system) as session:
            session.execute(text(statement))
