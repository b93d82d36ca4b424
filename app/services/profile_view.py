"""Everything the profile window shows, read in a handful of indexed queries and handed over as plain
values, so that the window never touches the ORM and a script can print the same profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.permissions import Actor, Permission, can
from app.core.vocabulary import (
    ACTIVITY_TYPE_LABELS,
    SUPERVISION_TYPE_LABELS,
    WARRANT_SPECIAL_STATUS,
    WarrantStatus,
)
from app.forms.validators import age_on
from app.models import (
    Activity,
    Alias,
    CaseNote,
    CompactCase,
    ProbableCauseRecord,
    User,
)
from app.models.next_due import answers, awaits_reply, is_overdue
from app.services import policy, probable_cause, warrants
from app.services.cases import CaseAction, case_actions, facts_from
from app.services.deadlines import Due
from app.services.profiles import offender_form_values
from app.services.warrants import WarrantEntry
from app.services.warrants import warrant_incomplete as warrant_incomplete


@dataclass(frozen=True)
class ProfileHeader:
    offender_id: int
    offender_number: str
    display_name: str
    date_of_birth: date | None
    age: int | None
    badges: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class AliasLine:
    display_name: str
    date_of_birth: date | None


@dataclass(frozen=True)
class CaseLine:
    case_id: int
    case_number: str
    sending_state: str
    receiving_state: str
    supervision: str
    status: str
    is_active: bool
    sending_officer: str
    receiving_officer: str
    opened: datetime
    version: int
    actions: tuple[CaseAction, ...]


@dataclass(frozen=True)
class ActivityLine:
    activity_id: int
    activity_number: str
    case_number: str
    kind: str
    from_state: str
    to_state: str
    status: str
    created_at: datetime
    transmitted_at: datetime | None
    due_date: date | None
    overdue: bool


# A warrant status record as its service lists it (ids, versions and the read-only mark included);
# the 'incomplete' rule moved there with it and is still importable from here.
WarrantLine = WarrantEntry


@dataclass(frozen=True)
class ProbableCauseLine:
    case_number: str
    hearing_date: date | None
    established: bool | None
    waived: bool
    description: str | None
    record_id: int = 0
    case_id: int = 0
    version: int = 0
    report_received_date: date | None = None
    # Rule 5.108(f): the sending state's decision, 15 business days from the report.
    decision_due: Due | None = None


@dataclass(frozen=True)
class NoteLine:
    case_number: str
    author: str
    at: datetime
    text: str


@dataclass(frozen=True)
class Profile:
    header: ProfileHeader
    identity: dict[str, Any]
    created_by_state: str
    aliases: tuple[AliasLine, ...]
    cases: tuple[CaseLine, ...]
    activities: tuple[ActivityLine, ...]
    warrants: tuple[WarrantLine, ...]
    probable_cause: tuple[ProbableCauseLine, ...]
    notes: tuple[NoteLine, ...]
    # Whether the user may add and update warrant status records, and why not.
    warrant_entry: tuple[bool, str] = (False, "")
    # The cases (id, number) on which the user's state may record probable cause.
    probable_cause_cases: tuple[tuple[int, str], ...] = ()


def load_profile(session: Session, actor: Actor, offender_id: int) -> Profile:
    offender = policy.visible_offender(session, actor, offender_id)
    today = clock.today()
    cases = session.scalars(
        select(CompactCase).where(CompactCase.offender_id == offender_id).order_by(CompactCase.id)
    ).all()
    case_numbers = {case.id: case.case_number for case in cases}
    user_ids = {
        uid
        for case in cases
        for uid in (case.sending_assigned_user_id, case.receiving_assigned_user_id)
        if uid
    }
    names = (
        dict(session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    activities = session.scalars(
        select(Activity)
        .where(Activity.case_id.in_(case_numbers))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
    ).all()
    # A reply belongs to the case of what it answers, so the activities read above hold every reply
    # (a query on reply_to_id would make SQLite walk that index across all activities).
    replied = {a.reply_to_id for a in activities if a.reply_to_id is not None and answers(a.status)}
    warrant_records = session.scalars(warrants.newest_first(offender_id)).all()
    badges = [
        label
        for flag, label in (
            (offender.sex_offender, "Sex offender"),
            (offender.victim_sensitive, "Victim sensitive"),
            (offender.history_of_assault, "History of assault"),
            (
                any(w.status is WarrantStatus.ACTIVE for w in warrant_records),
                WARRANT_SPECIAL_STATUS,
            ),
            (offender.confidential, "Confidential"),
        )
        if flag
    ]
    header = ProfileHeader(
        offender_id=offender.id,
        offender_number=offender.offender_number,
        display_name=offender.display_name,
        date_of_birth=offender.date_of_birth,
        age=age_on(offender.date_of_birth, today) if offender.date_of_birth else None,
        badges=tuple(badges),
        version=offender.version,
    )
    case_lines = tuple(
        sorted(
            (
                CaseLine(
                    case_id=case.id,
                    case_number=case.case_number,
                    sending_state=case.sending_state,
                    receiving_state=case.receiving_state,
                    supervision=SUPERVISION_TYPE_LABELS[case.supervision_type],
                    status=case.status.value.capitalize(),
                    is_active=case.is_active,
                    sending_officer=names.get(case.sending_assigned_user_id, ""),
                    receiving_officer=names.get(case.receiving_assigned_user_id, ""),
                    opened=case.created_at,
                    version=case.version,
                    actions=tuple(
                        case_actions(
                            session,
                            actor,
                            case,
                            facts_from(a for a in activities if a.case_id == case.id),
                        )
                    ),
                )
                for case in cases
            ),
            key=lambda line: (not line.is_active, -line.case_id),
        )
    )
    activity_lines = tuple(
        ActivityLine(
            activity_id=a.id,
            activity_number=a.activity_number,
            case_number=case_numbers[a.case_id],
            kind=ACTIVITY_TYPE_LABELS[a.type],
            from_state=a.from_state,
            to_state=a.to_state,
            status=a.status.value.replace("_", " ").capitalize(),
            created_at=a.created_at,
            transmitted_at=a.transmitted_at,
            due_date=a.due_date,
            overdue=awaits_reply(a.status, a.due_date, a.id in replied)
            and is_overdue(a.due_date, today),
        )
        for a in activities
        if policy.sees_activity(actor, a)
    )
    probable = session.scalars(
        select(ProbableCauseRecord)
        .where(ProbableCauseRecord.case_id.in_(case_numbers))
        .order_by(ProbableCauseRecord.id.desc())
    ).all()
    notes = session.execute(
        select(CaseNote, User.full_name)
        .outerjoin(User, User.id == CaseNote.author_id)
        .where(CaseNote.case_id.in_(case_numbers))
        .order_by(CaseNote.id.desc())
    ).all()
    aliases = session.scalars(
        select(Alias).where(Alias.offender_id == offender_id).order_by(Alias.id)
    ).all()
    return Profile(
        header=header,
        identity=offender_form_values(offender),
        created_by_state=offender.created_by_state,
        aliases=tuple(
            AliasLine(
                ", ".join(
                    p
                    for p in (a.last_name, " ".join(filter(None, (a.first_name, a.middle_name))))
                    if p
                ),
                a.date_of_birth,
            )
            for a in aliases
        ),
        cases=case_lines,
        activities=activity_lines,
        warrants=tuple(warrants.entry_from(w) for w in warrant_records),
        probable_cause=tuple(
            ProbableCauseLine(
                case_numbers[p.case_id],
                p.hearing_date,
                p.established,
                p.waived,
                p.description,
                record_id=p.id,
                case_id=p.case_id,
                version=p.version,
                report_received_date=p.report_received_date,
                decision_due=probable_cause.decision_due(session, p),
            )
            for p in probable
        ),
        notes=tuple(
            NoteLine(case_numbers[note.case_id], author or "", note.created_at, note.text)
            for note, author in notes
        ),
        warrant_entry=warrants.can_edit(session, actor, offender_id),
        probable_cause_cases=tuple(
            (case.id, case.case_number)
            for case in cases
            if can(actor, Permission.EDIT_OFFENDERS) and policy.is_case_party(actor, case)
        ),
    )
