"""Probable-cause records of Rule 5.108, recorded by the case's two states, and the sending
state's decision clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationError
from app.core.permissions import Actor, Permission, require
from app.forms.probable_cause import (
    ESTABLISHED_VALUES,
    PROBABLE_CAUSE_FORM,
    established_choice,
)
from app.models import CompactCase, ProbableCauseRecord
from app.services import deadlines, policy
from app.services.cases import get_case
from app.services.concurrency import ensure_current
from app.services.deadlines import Due

DECISION_RULE_KEY = "probable_cause_decision"
WHAT = "probable-cause record"


@dataclass(frozen=True)
class ProbableCauseEntry:
    """One record as a screen lists it; the attached file itself is read only when opened."""

    record_id: int
    case_id: int
    hearing_date: date | None
    established: bool | None
    waived: bool
    admission_of_revocable_violation: bool
    description: str | None
    report_received_date: date | None
    attachment_name: str | None
    has_attachment: bool
    created_at: datetime
    version: int
    decision_due: Due | None


def form_values(record: ProbableCauseRecord) -> dict[str, Any]:
    """The stored record as the form's values."""
    values = {f.name: getattr(record, f.name) for f in PROBABLE_CAUSE_FORM.fields}
    values["established"] = established_choice(record.established)
    return values


def _clean(raw: Mapping[str, Any], has_file: bool) -> dict[str, Any]:
    values, problems = PROBABLE_CAUSE_FORM.validate(raw)
    named = values.get("attachment_name")
    if has_file and not named:
        problems.append(("attachment_name", "is required with an attached file"))
    elif named and not has_file:
        problems.append(("attachment_name", "names no attached file: attach the file"))
    if problems:
        raise ValidationError(problems)
    values["established"] = ESTABLISHED_VALUES[values["established"] or "unknown"]
    return values


def _apply(record: ProbableCauseRecord, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def add_record(
    session: Session,
    actor: Actor,
    case_id: int,
    raw: Mapping[str, Any],
    attachment: bytes | None = None,
) -> ProbableCauseRecord:
    """Records a hearing or its waiver on a case; only the case's two states may."""
    case = get_case(session, actor, case_id)
    policy.require_case_party(actor, case, f"record a probable-cause hearing on {case.case_number}")
    if attachment is not None and not attachment:
        raise ValidationError.single("attachment_name", "the attached file is empty")
    values = _clean(raw, attachment is not None)
    record = ProbableCauseRecord(case_id=case.id, attachment=attachment)
    _apply(record, values)
    session.add(record)
    session.flush()
    return record


def update_record(
    session: Session,
    actor: Actor,
    record_id: int,
    expected_version: int,
    raw: Mapping[str, Any],
) -> ProbableCauseRecord:
    """Saves the edited record; refused, with nothing written, if somebody saved it meanwhile."""
    record = session.get(ProbableCauseRecord, record_id)
    if record is None:
        raise NotFound(f"Probable-cause record {record_id} does not exist")
    case = get_case(session, actor, record.case_id)
    ensure_current(
        session, record, expected_version, WHAT, theirs=form_values(record), mine=dict(raw)
    )
    policy.require_case_party(actor, case, f"change a probable-cause record on {case.case_number}")
    _apply(record, _clean(raw, record.attachment is not None))
    session.flush()
    return record


def _decision_due(
    session: Session, established: bool | None, received: date | None, sending_state: str
) -> Due | None:
    # 5.108(f) runs on a finding of probable cause; an unrecorded finding still shows the clock,
    # since a missed decision costs more than a clock that turns out not to apply.
    if received is None or established is False:
        return None
    return deadlines.compute_due(session, DECISION_RULE_KEY, received, sending_state)


def decision_due(session: Session, record: ProbableCauseRecord) -> Due | None:
    """Rule 5.108(f): the sending state notifies the receiving state of its decision to retake, or
    other action, within 15 business days of receiving the hearing officer's report."""
    case = session.get(CompactCase, record.case_id)
    if case is None:
        raise NotFound(f"Case {record.case_id} does not exist")
    return _decision_due(
        session, record.established, record.report_received_date, case.sending_state
    )


def records_for_case(session: Session, actor: Actor, case_id: int) -> list[ProbableCauseEntry]:
    """The case's records, newest first, for anyone who sees its profile."""
    require(actor, Permission.VIEW_OFFENDERS)
    case = get_case(session, actor, case_id)
    rows = session.execute(
        select(
            ProbableCauseRecord.id,
            ProbableCauseRecord.hearing_date,
            ProbableCauseRecord.established,
            ProbableCauseRecord.waived,
            ProbableCauseRecord.admission_of_revocable_violation,
            ProbableCauseRecord.description,
            ProbableCauseRecord.report_received_date,
            ProbableCauseRecord.attachment_name,
            ProbableCauseRecord.attachment.is_not(None).label("has_attachment"),
            ProbableCauseRecord.created_at,
            ProbableCauseRecord.version,
        )
        .where(ProbableCauseRecord.case_id == case.id)
        .order_by(ProbableCauseRecord.id.desc())
    ).all()
    return [
        ProbableCauseEntry(
            record_id=row.id,
            case_id=case.id,
            hearing_date=row.hearing_date,
            established=row.established,
            waived=row.waived,
            admission_of_revocable_violation=row.admission_of_revocable_violation,
            description=row.description,
            report_received_date=row.report_received_date,
            attachment_name=row.attachment_name,
            has_attachment=bool(row.has_attachment),
            created_at=row.created_at,
            version=row.version,
            decision_due=_decision_due(
                session, row.established, row.report_received_date, case.sending_state
            ),
        )
        for row in rows
    ]
