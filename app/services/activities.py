"""The activity engine: draft, submit, approve or return, transmit, withdraw, acknowledge.

It reads each type's declaration (`app.forms.activities`) and nothing type-specific beyond the
effects a transmitted activity has on its case. The chain (DOMAIN 3.1, DECISIONS 'Cases and
activities'): an officer drafts and submits; the work goes to the supervisor they report to, or
to their compact office when they report to it; a supervisor approves (or passes it to another
supervisor) or returns it with a comment; the compact office approves and transmits it to the
other state. Unmanaged types (notices of departure and arrival, compact action requests) are sent
at once. Every step is a row in `activity_step`, audited like every other write, and notifies the
next person through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import NotFound, PermissionDenied, UserError, ValidationError
from app.core.jurisdictions import NATIONAL_OFFICE_CODE
from app.core.permissions import Actor, Permission, can, require
from app.core.vocabulary import (
    ActivityOutcome,
    ActivityStatus,
    ActivityType,
    ApprovalDecision,
    CaseStatus,
    Role,
)
from app.forms.activities import SPECS, ActivitySpec, Initiator, Withdrawal, spec_for
from app.models import (
    Activity,
    ActivityStep,
    CompactCase,
    Offender,
    TransmittedCopy,
    User,
    UserRole,
    WarrantStatusRecord,
)
from app.models.next_due import awaits_reply, is_overdue
from app.services import policy
from app.services.concurrency import ensure_current
from app.services.numbering import next_number


class StepKind(StrEnum):
    """What a user can do to an activity; each is offered with whether it is possible now."""

    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    TRANSMIT = "transmit"
    WITHDRAW = "withdraw"
    ACKNOWLEDGE = "acknowledge"
    DELETE_DRAFT = "delete_draft"


STEP_LABELS = {
    StepKind.EDIT: "Edit",
    StepKind.SUBMIT: "Submit",
    StepKind.APPROVE: "Approve",
    StepKind.RETURN: "Return for correction",
    StepKind.TRANSMIT: "Approve and transmit",
    StepKind.WITHDRAW: "Withdraw",
    StepKind.ACKNOWLEDGE: "Acknowledge",
    StepKind.DELETE_DRAFT: "Delete draft",
}


@dataclass(frozen=True)
class StepOption:
    kind: StepKind
    available: bool
    explanation: str

    @property
    def label(self) -> str:
        return STEP_LABELS[self.kind]


@dataclass(frozen=True)
class TypeOption:
    """An activity type the user might start on a case, with why not when it is not possible."""

    spec: ActivitySpec
    available: bool
    explanation: str
    reply_to_id: int | None = None


@dataclass(frozen=True)
class SubmitResult:
    activity: Activity
    # Seed 002: on submitting a Discretionary Retake for a profile without a warrant status
    # record, the user is prompted to add one.
    needs_warrant_record: bool = False


# --- Reading ------------------------------------------------------------------------------------
def get_activity(session: Session, actor: Actor, activity_id: int) -> Activity:
    """The activity, if the actor's state may see its profile; drafts only inside their state."""
    activity = session.get(Activity, activity_id)
    if (
        activity is not None
        and policy.can_see_offender(session, actor, activity.case.offender_id)
        and policy.sees_activity(actor, activity)
    ):
        return activity
    raise NotFound(f"Activity {activity_id} does not exist or is not visible to {actor.username}")


def find_activity_id(session: Session, number_or_id: str) -> int | None:
    """An activity by its number (as imported or shown on screen), or by its database id."""
    text = number_or_id.strip()
    found = session.scalar(select(Activity.id).where(Activity.activity_number == text))
    if found is None and text.isdigit():
        found = session.scalar(select(Activity.id).where(Activity.id == int(text)))
    return found


def _answered(session: Session, activity_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(
                Activity.reply_to_id == activity_id,
                Activity.status == ActivityStatus.TRANSMITTED,
            )
        )
        > 0
    )


def _arrived(session: Session, case_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(
                Activity.case_id == case_id,
                Activity.type == ActivityType.NOTICE_OF_ARRIVAL,
                Activity.status == ActivityStatus.TRANSMITTED,
            )
        )
        > 0
    )


# --- Which types a user may start ---------------------------------------------------------------
def _states(spec: ActivitySpec, case: CompactCase, actor: Actor) -> tuple[str, str]:
    """(from, to) of a new activity of this type on the case, for this actor."""
    if spec.initiator is Initiator.SENDING:
        return case.sending_state, case.receiving_state
    if spec.initiator is Initiator.RECEIVING:
        return case.receiving_state, case.sending_state
    if actor.jurisdiction_code == case.receiving_state:
        return case.receiving_state, case.sending_state
    return case.sending_state, case.receiving_state


def _open_requests(session: Session, case_id: int, request_type: ActivityType) -> list[Activity]:
    """Transmitted requests of a type on the case that no transmitted reply answers yet."""
    requests = session.scalars(
        select(Activity).where(
            Activity.case_id == case_id,
            Activity.type == request_type,
            Activity.status == ActivityStatus.TRANSMITTED,
        )
    ).all()
    return [r for r in requests if not _answered(session, r.id)]


def type_options(session: Session, actor: Actor, case: CompactCase) -> list[TypeOption]:
    """Every activity type with whether the actor may start one on this case now, and why not."""
    options = []
    party = policy.is_case_party(actor, case)
    for spec in SPECS:
        if not can(actor, Permission.DRAFT_ACTIVITIES):
            options.append(TypeOption(spec, False, "your role does not draft activities"))
            continue
        if not party:
            options.append(
                TypeOption(spec, False, "only the sending and receiving states act on this case")
            )
            continue
        options.append(_type_option(session, actor, case, spec))
    return options


def _type_option(
    session: Session, actor: Actor, case: CompactCase, spec: ActivitySpec
) -> TypeOption:
    if spec.replies_to is not None:
        waiting = [
            r
            for r in _open_requests(session, case.id, spec.replies_to)
            if policy.acts_for_state(actor, r.to_state)
        ]
        if not waiting:
            return TypeOption(spec, False, f"no {spec_for(spec.replies_to).label.lower()} awaits "
                              "your state's reply")  # fmt: skip
        if not case.is_active and spec.type is not ActivityType.COMPACT_ACTION_REPLY:
            return TypeOption(spec, False, f"the case is {case.status.value}")
        return TypeOption(spec, True, "replies to " + waiting[0].activity_number, waiting[0].id)
    from_state, _to = _states(spec, case, actor)
    if not policy.acts_for_state(actor, from_state):
        side = "sending" if from_state == case.sending_state else "receiving"
        return TypeOption(spec, False, f"sent by the {side} state ({from_state})")
    historical_allowed = spec.type is ActivityType.COMPACT_ACTION_REQUEST
    if not case.is_active and not historical_allowed:
        return TypeOption(spec, False, f"the case is {case.status.value}")
    if case.legacy and spec.type in (
        ActivityType.NOTICE_OF_DEPARTURE,
        ActivityType.NOTICE_OF_ARRIVAL,
    ):
        return TypeOption(
            spec, False, "not allowed on a legacy case; send a compact action request"
        )
    if spec.needs_arrival and not _arrived(session, case.id):
        return TypeOption(spec, False, "needs a transmitted notice of arrival first")
    return TypeOption(spec, True, "")


# --- Drafting -----------------------------------------------------------------------------------
def _validated_content(spec: ActivitySpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    values, problems = spec.form.validate(raw)
    if problems:
        raise ValidationError(problems)
    return {name: _stored(value) for name, value in values.items()}


def _stored(value: Any) -> Any:
    """Content is JSON: dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else value


def create_draft(
    session: Session,
    actor: Actor,
    case_id: int,
    activity_type: ActivityType | str,
    raw: Mapping[str, Any],
    *,
    reply_to_id: int | None = None,
) -> Activity:
    """A new draft of the type on the case, its fields validated; nothing leaves the state yet."""
    require(actor, Permission.DRAFT_ACTIVITIES)
    spec = spec_for(activity_type)
    case = session.get(CompactCase, case_id)
    if case is None or not policy.can_see_offender(session, actor, case.offender_id):
        raise NotFound(
            f"Case {case_id} does not exist or is not linked to {actor.jurisdiction_code}"
        )
    policy.require_case_party(actor, case, f"start a {spec.label.lower()}")
    option = _type_option(session, actor, case, spec)
    if not option.available:
        raise UserError(f"{spec.label} on case {case.case_number}: {option.explanation}")
    content = _validated_content(spec, raw)
    if spec.replies_to is not None:
        original = session.get(Activity, reply_to_id or option.reply_to_id)
        if (
            original is None
            or original.case_id != case.id
            or original.type is not spec.replies_to
            or original.status is not ActivityStatus.TRANSMITTED
            or _answered(session, original.id)
        ):
            raise UserError(f"{spec.label}: the activity it answers is not awaiting a reply")
        from_state, to_state = original.to_state, original.from_state
        reply_to_id = original.id
    else:
        from_state, to_state = _states(spec, case, actor)
        reply_to_id = None
    activity = Activity(
        activity_number=next_number(session, "activity"),
        case_id=case.id,
        type=spec.type,
        from_state=from_state,
        to_state=to_state,
        status=ActivityStatus.DRAFT,
        author_id=actor.user_id,
        assigned_user_id=actor.user_id,
        reply_to_id=reply_to_id,
        content=content,
    )
    session.add(activity)
    session.flush()
    return activity


def update_draft(
    session: Session, actor: Actor, activity_id: int, expected_version: int, raw: Mapping[str, Any]
) -> Activity:
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.EDIT)
    activity.content = _validated_content(spec_for(activity.type), raw)
    session.flush()
    return activity


def delete_draft(session: Session, actor: Actor, activity_id: int, expected_version: int) -> None:
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.DELETE_DRAFT)
    session.delete(activity)
    session.flush()


# --- What may be done now -----------------------------------------------------------------------
def _has_role(actor: Actor, role: Role) -> bool:
    return actor.is_system or role in actor.roles or actor.jurisdiction_code == NATIONAL_OFFICE_CODE


def assigned_user_id(activity: Activity) -> int | None:
    """Whose activity it is once sent: the sending party's assigned user on the case, or the
    author when nobody is assigned. Only they may withdraw a final activity."""
    case = activity.case
    if activity.from_state == case.sending_state:
        owner = case.sending_assigned_user_id
    else:
        owner = case.receiving_assigned_user_id
    return owner or activity.author_id


def step_options(session: Session, actor: Actor, activity: Activity) -> list[StepOption]:
    """Every step with whether the actor may take it now and, if not, why."""
    spec = spec_for(activity.type)
    status = activity.status
    own_state = policy.acts_for_state(actor, activity.from_state)
    is_author = actor.is_system or actor.user_id == activity.author_id
    options: dict[StepKind, StepOption] = {}

    def offer(kind: StepKind, why_not: str | None, what: str = "") -> None:
        options[kind] = StepOption(kind, why_not is None, why_not or what)

    in_draft = status is ActivityStatus.DRAFT
    draft_why = None if in_draft else f"the activity is {status.value.replace('_', ' ')}"
    author_why = draft_why or (None if is_author else "only its author edits a draft")
    offer(StepKind.EDIT, author_why)
    offer(StepKind.DELETE_DRAFT, author_why)
    submit_why = author_why
    if submit_why is None and not can(actor, Permission.DRAFT_ACTIVITIES):
        submit_why = "your role does not draft activities"
    offer(
        StepKind.SUBMIT,
        submit_why,
        "sends it to the other state now" if not spec.managed else "sends it for approval",
    )

    at_supervisor = status is ActivityStatus.PENDING_SUPERVISOR
    supervisor_why = None
    if not at_supervisor:
        supervisor_why = "it is not waiting for a supervisor"
    elif not (actor.is_system or actor.user_id == activity.assigned_user_id):
        supervisor_why = "it waits for the supervisor it was sent to"
    elif not can(actor, Permission.APPROVE_ACTIVITIES):
        supervisor_why = "only a supervisor approves at this step"
    offer(StepKind.APPROVE, supervisor_why, "passes it to the compact office")

    at_office = status is ActivityStatus.PENDING_COMPACT_OFFICE
    office_why = None
    if not at_office:
        office_why = "it is not waiting for the compact office"
    elif not own_state or not can(actor, Permission.TRANSMIT_ACTIVITIES):
        office_why = f"only the {activity.from_state} compact office transmits"
    offer(StepKind.TRANSMIT, office_why, f"sends it to {activity.to_state}")

    if at_supervisor:
        offer(StepKind.RETURN, supervisor_why)
    elif at_office:
        offer(StepKind.RETURN, office_why)
    else:
        offer(StepKind.RETURN, "it is not waiting for approval")

    offer(StepKind.WITHDRAW, _withdraw_why(session, actor, activity, spec))

    ack_why = None
    if status is not ActivityStatus.TRANSMITTED:
        ack_why = "it has not been transmitted"
    elif not policy.acts_for_state(actor, activity.to_state) or actor.is_system:
        ack_why = f"acknowledged by the receiving state ({activity.to_state})"
    elif any(s.decision is ApprovalDecision.ACKNOWLEDGED for s in activity.steps):
        ack_why = "already acknowledged"
    offer(StepKind.ACKNOWLEDGE, ack_why)
    return [options[kind] for kind in StepKind]


def _withdraw_why(
    session: Session, actor: Actor, activity: Activity, spec: ActivitySpec
) -> str | None:
    status = activity.status
    if status is ActivityStatus.WITHDRAWN:
        return "already withdrawn"
    if status is ActivityStatus.DRAFT:
        return "a draft is deleted, not withdrawn"
    if status is not ActivityStatus.TRANSMITTED:
        # Still inside the state: its author takes it back by withdrawing it.
        if actor.is_system or actor.user_id == activity.author_id:
            return None
        return "only its author withdraws it before it is transmitted"
    if spec.withdrawal is Withdrawal.NEVER:
        return "the other state received it at once; it cannot be withdrawn (send a correction)"
    if spec.withdrawal is Withdrawal.BEFORE_REPLY and _answered(session, activity.id):
        return "the other state has replied"
    owner = assigned_user_id(activity)
    if not actor.is_system and actor.user_id != owner:
        return "only the user assigned to the case withdraws a transmitted activity"
    return None


def _require_option(session: Session, actor: Actor, activity: Activity, kind: StepKind) -> None:
    for option in step_options(session, actor, activity):
        if option.kind is kind and not option.available:
            spec = spec_for(activity.type)
            message = f"{option.label} {spec.label.lower()} {activity.activity_number}: {option.explanation}"
            raise PermissionDenied(message)


def _step(
    session: Session, actor: Actor, activity: Activity, decision: ApprovalDecision, comment=None
) -> ActivityStep:
    step = ActivityStep(decision=decision, actor_id=actor.user_id, comment=comment, at=clock.now())
    activity.steps.append(step)
    return step


def _users_with_role(session: Session, state: str, role: Role) -> list[int]:
    return list(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.jurisdiction_code == state, User.active.is_(True), UserRole.role == role)
            .order_by(User.id)
        )
    )


# --- The chain ----------------------------------------------------------------------------------
def submit(session: Session, actor: Actor, activity_id: int, expected_version: int) -> SubmitResult:
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.SUBMIT)
    spec = spec_for(activity.type)
    # The content is checked again: a draft saved before a rule changed must still pass it.
    _validated_content(spec, activity.content)
    now = clock.now()
    activity.submitted_at = now
    step = _step(session, actor, activity, ApprovalDecision.SUBMITTED)
    if not spec.managed or _has_role(actor, Role.COMPACT_OFFICE):
        # Unmanaged types go at once; the compact office's own draft is its own approval.
        _transmit(session, actor, activity)
    else:
        supervisor = _supervisor_of(session, actor)
        if supervisor is not None and not _has_role(actor, Role.SUPERVISOR):
            activity.status = ActivityStatus.PENDING_SUPERVISOR
            activity.assigned_user_id = supervisor
        else:
            activity.status = ActivityStatus.PENDING_COMPACT_OFFICE
            activity.assigned_user_id = None
        session.flush()
        _notify_next(session, activity, step)
    session.flush()
    return SubmitResult(activity, needs_warrant_record=_needs_warrant_record(session, activity))


def _supervisor_of(session: Session, actor: Actor) -> int | None:
    """The active supervisor the author reports to; None sends the work to the compact office."""
    if actor.user_id is None:
        return None
    reports_to = session.scalar(select(User.reports_to_id).where(User.id == actor.user_id))
    if reports_to is None:
        return None
    supervisor = session.get(User, reports_to)
    if supervisor is None or not supervisor.active or supervisor.on_leave:
        return None
    return supervisor.id if Role.SUPERVISOR in supervisor.role_set else None


def approve(
    session: Session,
    actor: Actor,
    activity_id: int,
    expected_version: int,
    *,
    comment: str | None = None,
    forward_to_user_id: int | None = None,
) -> Activity:
    """The supervisor's step: on to the compact office, or to another supervisor of the state."""
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.APPROVE)
    step = _step(session, actor, activity, ApprovalDecision.APPROVED, _clean(comment))
    if forward_to_user_id is not None:
        other = session.get(User, forward_to_user_id)
        if (
            other is None
            or not other.active
            or other.jurisdiction_code != activity.from_state
            or Role.SUPERVISOR not in other.role_set
        ):
            raise ValidationError.single(
                "forward_to", f"must be an active supervisor of {activity.from_state}"
            )
        activity.assigned_user_id = other.id
    else:
        activity.status = ActivityStatus.PENDING_COMPACT_OFFICE
        activity.assigned_user_id = None
    session.flush()
    _notify_next(session, activity, step)
    return activity


def bulk_approve(
    session: Session, actor: Actor, items: Iterable[tuple[int, int]]
) -> list[Activity]:
    """A supervisor's approval of several activities at once: all or none."""
    return [approve(session, actor, activity_id, version) for activity_id, version in items]


def return_for_correction(
    session: Session, actor: Actor, activity_id: int, expected_version: int, comment: str
) -> Activity:
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.RETURN)
    text = _clean(comment)
    if not text:
        raise ValidationError.single("comment", "is required: say what to correct")
    step = _step(session, actor, activity, ApprovalDecision.RETURNED, text)
    activity.status = ActivityStatus.DRAFT
    activity.assigned_user_id = activity.author_id
    session.flush()
    _notify_next(session, activity, step)
    return activity


def transmit(session: Session, actor: Actor, activity_id: int, expected_version: int) -> Activity:
    """The compact office's approval: the activity leaves the state and becomes final."""
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.TRANSMIT)
    _step(session, actor, activity, ApprovalDecision.APPROVED)
    _transmit(session, actor, activity)
    return activity


def _transmit(session: Session, actor: Actor, activity: Activity) -> None:
    spec = spec_for(activity.type)
    now = clock.now()
    today = now.astimezone().date()
    activity.status = ActivityStatus.TRANSMITTED
    activity.transmitted_at = now
    activity.assigned_user_id = assigned_user_id(activity)
    if spec.outcome_field and spec.outcomes:
        activity.outcome = spec.outcomes.get(activity.content.get(spec.outcome_field))
    if spec.reply_rule:
        from app.services.deadlines import compute_due

        due = compute_due(session, spec.reply_rule, today, activity.to_state)
        if due is not None:
            activity.due_date = due.due_date
            activity.deadline_rule_id = due.rule_id
    if activity.type is ActivityType.DISCRETIONARY_RETAKE:
        activity.content = {
            **activity.content,
            "compliance": retake_compliance(session, activity, today),
        }
    step = _step(session, actor, activity, ApprovalDecision.TRANSMITTED)
    _apply_to_case(session, activity)
    session.flush()
    _keep_transmitted_copy(session, activity)
    _notify_next(session, activity, step)
    from app.services.warrant_notifications import on_activity_transmitted

    on_activity_transmitted(session, activity)


def _apply_to_case(session: Session, activity: Activity) -> None:
    """What a transmitted activity does to its case (the rest of the engine knows no types)."""
    case = activity.case
    outcome = activity.outcome
    changed_status = None
    if activity.type is ActivityType.TRANSFER_REPLY and outcome is not None:
        accepted = outcome is ActivityOutcome.ACCEPTED
        changed_status = CaseStatus.ACCEPTED if accepted else CaseStatus.REJECTED
    elif activity.type is ActivityType.CASE_CLOSURE_REPLY and outcome is ActivityOutcome.AGREE:
        changed_status = CaseStatus.CLOSED
    if changed_status is not None and case.status is not changed_status:
        case.status = changed_status
        case.status_changed_at = clock.now()
    else:
        # Bumps the case's version, so that an action on the case from an older screen is refused.
        case.updated_at = clock.now()


def retake_compliance(session: Session, activity: Activity, notified_on: date) -> dict[str, Any]:
    """Rule 5.101(b): the receiving state is told within 15 business days of the warrant's issue."""
    from app.services.deadlines import compute_due

    issued = _warrant_issue_date(session, activity)
    if issued is None:
        return {"warrant_issued_date": None, "notified_date": notified_on.isoformat()}
    due = compute_due(session, "discretionary_retake_notice", issued, activity.from_state)
    result: dict[str, Any] = {
        "warrant_issued_date": issued.isoformat(),
        "notified_date": notified_on.isoformat(),
    }
    if due is not None:
        result.update(
            due_date=due.due_date.isoformat(),
            rule=due.describe(),
            on_time=notified_on <= due.due_date,
        )
    return result


def _warrant_issue_date(session: Session, activity: Activity) -> date | None:
    content = activity.content
    record_id = content.get("warrant_status_id")
    if record_id:
        issued = session.scalar(
            select(WarrantStatusRecord.issued_date).where(
                WarrantStatusRecord.warrant_status_id == record_id,
                WarrantStatusRecord.offender_id == activity.case.offender_id,
            )
        )
        if issued is not None:
            return issued
    text = content.get("warrant_issued_date")
    return date.fromisoformat(text) if text else None


def _needs_warrant_record(session: Session, activity: Activity) -> bool:
    if activity.type is not ActivityType.DISCRETIONARY_RETAKE:
        return False
    found = session.scalar(
        select(func.count())
        .select_from(WarrantStatusRecord)
        .where(WarrantStatusRecord.offender_id == activity.case.offender_id)
    )
    return not found


def _keep_transmitted_copy(session: Session, activity: Activity) -> None:
    """The immutable copy of what was sent: the content and the PDF as the other state got it."""
    from app.services.activity_print import render_transmitted

    snapshot, pdf, digest = render_transmitted(session, activity)
    session.add(
        TransmittedCopy(
            activity_id=activity.id,
            transmitted_at=activity.transmitted_at,
            content=snapshot,
            pdf=pdf,
            pdf_sha256=digest,
        )
    )


def withdraw(
    session: Session, actor: Actor, activity_id: int, expected_version: int, reason: str
) -> Activity:
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.WITHDRAW)
    text = _clean(reason)
    if not text:
        raise ValidationError.single("reason", "is required")
    was_sent = activity.status is ActivityStatus.TRANSMITTED
    step = _step(session, actor, activity, ApprovalDecision.WITHDRAWN, text)
    activity.status = ActivityStatus.WITHDRAWN
    activity.withdrawn_at = clock.now()
    activity.case.updated_at = clock.now()
    session.flush()
    if was_sent:
        _notify_next(session, activity, step)
    return activity


def acknowledge(
    session: Session, actor: Actor, activity_id: int, expected_version: int, comment=None
) -> Activity:
    activity = get_activity(session, actor, activity_id)
    ensure_current(session, activity, expected_version, "activity")
    _require_option(session, actor, activity, StepKind.ACKNOWLEDGE)
    _step(session, actor, activity, ApprovalDecision.ACKNOWLEDGED, _clean(comment))
    activity.updated_at = clock.now()
    session.flush()
    return activity


def _clean(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


# --- Notifying the next person ------------------------------------------------------------------
def next_recipients(session: Session, activity: Activity) -> list[int]:
    """Who has the activity in their workload now."""
    status = activity.status
    if status is ActivityStatus.PENDING_SUPERVISOR or status is ActivityStatus.DRAFT:
        return [activity.assigned_user_id] if activity.assigned_user_id else []
    if status is ActivityStatus.PENDING_COMPACT_OFFICE:
        return _users_with_role(session, activity.from_state, Role.COMPACT_OFFICE)
    # Transmitted or withdrawn after transmission: the other state's assigned user, else its office.
    case = activity.case
    other = (
        case.receiving_assigned_user_id
        if activity.to_state == case.receiving_state
        else case.sending_assigned_user_id
    )
    return [other] if other else _users_with_role(session, activity.to_state, Role.COMPACT_OFFICE)


_STEP_WORDS = {
    ActivityStatus.PENDING_SUPERVISOR: "awaits your approval",
    ActivityStatus.PENDING_COMPACT_OFFICE: "awaits compact office approval",
    ActivityStatus.DRAFT: "was returned to you for correction",
    ActivityStatus.TRANSMITTED: "was transmitted to your state",
    ActivityStatus.WITHDRAWN: "was withdrawn",
}


def _notify_next(session: Session, activity: Activity, step: ActivityStep) -> None:
    from app.services.notifications import enqueue_for_users

    recipients = next_recipients(session, activity)
    if not recipients:
        return
    case = activity.case
    offender = session.get(Offender, case.offender_id)
    spec = spec_for(activity.type)
    name = f"{offender.first_name} {offender.last_name}"
    subject = (
        f"{spec.label} {activity.activity_number} for {case.sending_state} offender {name} "
        f"({offender.offender_number}) {_STEP_WORDS[activity.status]}"
    )
    lines = [
        subject + ".",
        "",
        f"Offender Name: {name}",
        f"Offender #: {offender.offender_number}",
        f"Case #: {case.case_number}",
        f"Sending State: {case.sending_state}",
        f"Receiving State: {case.receiving_state}",
        f"Activity: {spec.label} {activity.activity_number} ({activity.from_state} to {activity.to_state})",
    ]
    if step.comment:
        lines.append(f"Comment: {step.comment}")
    if activity.due_date:
        lines.append(f"Reply due: {activity.due_date:%m/%d/%Y}")
    session.flush()  # the step's id names the message, so that a retried step sends nothing new
    enqueue_for_users(
        session,
        recipients,
        kind=f"activity_{activity.status.value}",
        dedup_base=f"activity:{activity.id}:step:{step.id}",
        subject=subject,
        body="\n".join(lines),
        offender_id=offender.id,
        case_id=case.id,
        activity_id=activity.id,
    )


# --- Queues -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueItem:
    activity_id: int
    version: int
    activity_number: str
    type_label: str
    status: ActivityStatus
    offender_id: int
    offender_name: str
    offender_number: str
    case_number: str
    from_state: str
    to_state: str
    author: str
    submitted_at: datetime | None
    due_date: date | None

    def age_days(self, today: date) -> int | None:
        if self.submitted_at is None:
            return None
        return (today - self.submitted_at.astimezone().date()).days


def _queue_conditions(actor: Actor) -> list[ColumnElement[bool]]:
    """One condition per queue the actor works: their own as a supervisor, their state's as its
    compact office. Each is a range of its own index (assigned user and status; status), so they
    are read apart rather than joined by OR, which would make the database read every activity.
    The National Office approves nothing: managed work is approved inside its state."""
    conditions: list[ColumnElement[bool]] = []
    if can(actor, Permission.APPROVE_ACTIVITIES) and actor.user_id is not None:
        conditions.append(
            and_(
                Activity.assigned_user_id == actor.user_id,
                Activity.status == ActivityStatus.PENDING_SUPERVISOR,
            )
        )
    if can(actor, Permission.TRANSMIT_ACTIVITIES):
        if actor.is_system:
            conditions.append(Activity.status == ActivityStatus.PENDING_COMPACT_OFFICE)
        elif actor.jurisdiction_code != NATIONAL_OFFICE_CODE:
            conditions.append(
                and_(
                    Activity.status == ActivityStatus.PENDING_COMPACT_OFFICE,
                    Activity.from_state == actor.jurisdiction_code,
                )
            )
    return conditions


def approval_count(session: Session, actor: Actor, cap: int = 999) -> int:
    """How many activities wait for the actor, counted no further than cap + 1 in each queue."""
    total = 0
    for condition in _queue_conditions(actor):
        waiting = select(Activity.id).where(condition).limit(cap + 1).subquery()
        total += session.scalar(select(func.count()).select_from(waiting)) or 0
    return total


def approval_queue(session: Session, actor: Actor, *, limit: int = 500) -> list[QueueItem]:
    """What waits for this user's approval, oldest first (at most `limit` rows)."""
    author = User.__table__.alias("author")
    rows = []
    for condition in _queue_conditions(actor):
        rows.extend(
            session.execute(
                select(
                    Activity.id,
                    Activity.version,
                    Activity.activity_number,
                    Activity.type,
                    Activity.status,
                    Offender.id.label("offender_id"),
                    Offender.first_name,
                    Offender.last_name,
                    Offender.offender_number,
                    CompactCase.case_number,
                    Activity.from_state,
                    Activity.to_state,
                    author.c.username,
                    Activity.submitted_at,
                    Activity.due_date,
                )
                .join(CompactCase, CompactCase.id == Activity.case_id)
                .join(Offender, Offender.id == CompactCase.offender_id)
                .outerjoin(author, author.c.id == Activity.author_id)
                .where(condition)
                .order_by(Activity.submitted_at, Activity.id)
                .limit(limit)
            ).all()
        )
    oldest_first = datetime.min.replace(tzinfo=UTC)
    rows.sort(key=lambda row: (row.submitted_at or oldest_first, row.id))
    del rows[limit:]
    return [
        QueueItem(
            activity_id=row.id,
            version=row.version,
            activity_number=row.activity_number,
            type_label=spec_for(row.type).label,
            status=row.status,
            offender_id=row.offender_id,
            offender_name=f"{row.last_name}, {row.first_name}",
            offender_number=row.offender_number,
            case_number=row.case_number,
            from_state=row.from_state,
            to_state=row.to_state,
            author=row.username or "",
            submitted_at=row.submitted_at,
            due_date=row.due_date,
        )
        for row in rows
    ]


# --- Hints shown beside a form ------------------------------------------------------------------
def activity_hints(
    activity_type: ActivityType | str, raw: Mapping[str, Any], receiving_state: str, on: date
) -> tuple[str, ...]:
    """What the rules say about the content so far, in words: for a transfer request, whether the
    person is a 'resident' or has 'resident family' in the receiving state (Rule 1.101 as amended
    in 2022). Hints only: the definitions are not printed on the transfer forms."""
    if ActivityType(activity_type) is not ActivityType.TRANSFER_REQUEST:
        return ()
    from app.forms.transfer_request import residence_hints

    values, problems = spec_for(activity_type).form.validate(raw)
    broken = {name for name, _rule in problems}
    if broken & {"residence_history", "resident_family", "supervision_start_date", "sentence_date"}:
        return ("Residence: correct the residence lines to see the Rule 1.101 tests",)
    if not values.get("residence_history") and not values.get("resident_family"):
        return ()
    resident, family = residence_hints(values, receiving_state, on)
    return (
        ("Resident: " if resident.qualifies else "Not a resident: ") + resident.explanation,
        ("Resident family: " if family.qualifies else "No resident family: ") + family.explanation,
    )


# --- What a screen shows of one activity --------------------------------------------------------
@dataclass(frozen=True)
class StepLine:
    decision: str
    actor: str
    at: datetime
    comment: str


@dataclass(frozen=True)
class ActivityDetail:
    activity_id: int
    version: int
    activity_number: str
    activity_type: ActivityType
    type_label: str
    case_id: int
    case_number: str
    offender_id: int
    offender_name: str
    from_state: str
    to_state: str
    status: ActivityStatus
    due_date: date | None
    transmitted_at: datetime | None
    # The content as the form shows it: (section title, ((label, value), ...)).
    sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    raw_content: dict[str, Any]
    steps: tuple[StepLine, ...]
    options: tuple[StepOption, ...]
    hints: tuple[str, ...] = ()
    # Awaiting its reply past the due date (app.models.next_due's rule).
    overdue: bool = False

    def option(self, kind: StepKind) -> StepOption:
        return next(option for option in self.options if option.kind is kind)


def activity_detail(session: Session, actor: Actor, activity_id: int) -> ActivityDetail:
    from app.services.activity_print import content_sections

    activity = get_activity(session, actor, activity_id)
    case = activity.case
    offender = session.get(Offender, case.offender_id)
    names = dict(
        session.execute(
            select(User.id, User.username).where(
                User.id.in_({s.actor_id for s in activity.steps if s.actor_id})
            )
        ).all()
    )
    steps = tuple(
        StepLine(
            decision=step.decision.value,
            actor=names.get(step.actor_id, "system"),
            at=step.at,
            comment=step.comment or "",
        )
        for step in activity.steps
    )
    return ActivityDetail(
        activity_id=activity.id,
        version=activity.version,
        activity_number=activity.activity_number,
        activity_type=activity.type,
        type_label=spec_for(activity.type).label,
        case_id=case.id,
        case_number=case.case_number,
        offender_id=offender.id,
        offender_name=f"{offender.last_name}, {offender.first_name}",
        from_state=activity.from_state,
        to_state=activity.to_state,
        status=activity.status,
        due_date=activity.due_date,
        transmitted_at=activity.transmitted_at,
        sections=content_sections(activity.type, activity.content),
        raw_content=dict(activity.content),
        steps=steps,
        options=tuple(step_options(session, actor, activity)),
        overdue=awaits_reply(activity.status, activity.due_date, _answered(session, activity.id))
        and is_overdue(activity.due_date, clock.today()),
        hints=activity_hints(
            activity.type,
            activity.content,
            activity.to_state,
            (activity.transmitted_at or clock.now()).astimezone().date(),
        ),
    )
