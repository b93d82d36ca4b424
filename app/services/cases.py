"""Compact cases: create, and the ways off the workload the rules allow (DECISIONS 'Cases'):

- remove interest: no activity at all; the case is deleted;
- withdraw: activities exist but no notice of arrival was transmitted;
- close: after a notice of arrival, by a case closure notice that the other state replies 'agree' to;
- reopen: a closed case, by either state, with a reason.

Exactly one way off is offered at a time; `case_actions` says which, and why the others are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import NotFound, UserError, ValidationError
from app.core.permissions import Actor, Permission, can
from app.core.vocabulary import (
    ActivityStatus,
    ActivityType,
    CaseStatus,
    InterestSide,
    SupervisionType,
)
from app.forms.case import CASE_FORM
from app.models import Activity, CaseInterest, CaseNote, CompactCase, Offender, User
from app.services import activities, policy
from app.services.concurrency import ensure_current
from app.services.links import refresh_links
from app.services.numbering import next_number


class CaseActionKind(StrEnum):
    REMOVE_INTEREST = "remove_interest"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    REPLY_TO_CLOSURE = "reply_to_closure"
    REOPEN = "reopen"


ACTION_LABELS = {
    CaseActionKind.REMOVE_INTEREST: "Remove interest",
    CaseActionKind.WITHDRAW: "Withdraw",
    CaseActionKind.CLOSE: "Case closure notice",
    CaseActionKind.REPLY_TO_CLOSURE: "Reply to case closure notice",
    CaseActionKind.REOPEN: "Reopen",
}


@dataclass(frozen=True)
class CaseAction:
    kind: CaseActionKind
    available: bool
    # Why it is not available (or, when it is, what it will do): shown as the action's tooltip.
    explanation: str

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.kind]


@dataclass(frozen=True)
class CaseFacts:
    """What the rules about leaving the workload look at."""

    has_activity: bool
    arrived: bool
    open_closure_notice: Activity | None
    # A closure notice or its reply still inside its state's approval chain: another one would be
    # a second notice for the same closure.
    closure_in_chain: Activity | None = None


def facts_from(activities: Iterable[Activity]) -> CaseFacts:
    """The facts from all the activities of one case (a case has tens, not thousands)."""
    activities = list(activities)
    transmitted = [a for a in activities if a.status is ActivityStatus.TRANSMITTED]
    replied = {a.reply_to_id for a in transmitted if a.reply_to_id is not None}
    open_notices = [
        a for a in transmitted if a.type is ActivityType.CASE_CLOSURE_NOTICE and a.id not in replied
    ]
    in_chain = [
        a
        for a in activities
        if a.type in (ActivityType.CASE_CLOSURE_NOTICE, ActivityType.CASE_CLOSURE_REPLY)
        and a.status in _IN_CHAIN
    ]
    return CaseFacts(
        has_activity=bool(activities),
        arrived=any(a.type is ActivityType.NOTICE_OF_ARRIVAL for a in transmitted),
        open_closure_notice=max(open_notices, key=lambda a: a.id, default=None),
        closure_in_chain=max(in_chain, key=lambda a: a.id, default=None),
    )


_IN_CHAIN = frozenset(
    {ActivityStatus.DRAFT, ActivityStatus.PENDING_SUPERVISOR, ActivityStatus.PENDING_COMPACT_OFFICE}
)


def case_facts(session: Session, case: CompactCase) -> CaseFacts:
    return facts_from(session.scalars(select(Activity).where(Activity.case_id == case.id)))


def case_actions(
    session: Session, actor: Actor, case: CompactCase, facts: CaseFacts | None = None
) -> list[CaseAction]:
    """Every action with whether the actor may take it now and, if not, why."""
    if facts is None:
        facts = case_facts(session, case)
    actions = _rule_actions(case, facts, actor)
    if not can(actor, Permission.EDIT_OFFENDERS) or not policy.is_case_party(actor, case):
        why = (
            f"only the sending state ({case.sending_state}) and the receiving state "
            f"({case.receiving_state}) act on this case"
        )
        return [CaseAction(a.kind, False, why) for a in actions]
    return actions


def _rule_actions(case: CompactCase, facts: CaseFacts, actor: Actor) -> list[CaseAction]:
    sending_only = actor.is_system or actor.jurisdiction_code == case.sending_state
    if not case.is_active:
        closed = case.status is CaseStatus.CLOSED
        historical = f"the case is {case.status.value}"
        return [
            CaseAction(CaseActionKind.REMOVE_INTEREST, False, historical),
            CaseAction(CaseActionKind.WITHDRAW, False, historical),
            CaseAction(CaseActionKind.CLOSE, False, historical),
            CaseAction(
                CaseActionKind.REPLY_TO_CLOSURE, False, "no case closure notice awaits a reply"
            ),
            CaseAction(
                CaseActionKind.REOPEN,
                closed,
                "reopens the closed case as accepted"
                if closed
                else "a withdrawn case is not reopened: start a new case",
            ),
        ]
    reopen = CaseAction(CaseActionKind.REOPEN, False, "the case is not closed")
    if not facts.has_activity:
        return [
            CaseAction(
                CaseActionKind.REMOVE_INTEREST,
                sending_only,
                "deletes this case: it has no activity"
                if sending_only
                else f"only the sending state ({case.sending_state}) removes interest",
            ),
            CaseAction(
                CaseActionKind.WITHDRAW, False, "the case has no activity: remove interest instead"
            ),
            CaseAction(CaseActionKind.CLOSE, False, "not possible before a notice of arrival"),
            CaseAction(
                CaseActionKind.REPLY_TO_CLOSURE, False, "no case closure notice awaits a reply"
            ),
            reopen,
        ]
    if not facts.arrived:
        return [
            CaseAction(
                CaseActionKind.REMOVE_INTEREST,
                False,
                "the case has activities: withdraw it instead",
            ),
            CaseAction(
                CaseActionKind.WITHDRAW,
                sending_only,
                "withdraws the case; it becomes historical"
                if sending_only
                else f"only the sending state ({case.sending_state}) withdraws a case",
            ),
            CaseAction(
                CaseActionKind.CLOSE,
                False,
                "not possible before a notice of arrival: withdraw the case instead",
            ),
            CaseAction(
                CaseActionKind.REPLY_TO_CLOSURE, False, "no case closure notice awaits a reply"
            ),
            reopen,
        ]
    after_arrival = "not possible after a notice of arrival; send a case closure notice"
    pending = facts.closure_in_chain
    if pending is not None:
        waiting = (
            f"{pending.type.value.replace('_', ' ')} {pending.activity_number} is awaiting "
            f"approval in {pending.from_state}"
        )
        return [
            CaseAction(CaseActionKind.REMOVE_INTEREST, False, after_arrival),
            CaseAction(CaseActionKind.WITHDRAW, False, after_arrival),
            CaseAction(CaseActionKind.CLOSE, False, waiting),
            CaseAction(CaseActionKind.REPLY_TO_CLOSURE, False, waiting),
            reopen,
        ]
    notice = facts.open_closure_notice
    if notice is not None:
        replier = notice.to_state
        may_reply = actor.is_system or actor.jurisdiction_code == replier
        return [
            CaseAction(CaseActionKind.REMOVE_INTEREST, False, after_arrival),
            CaseAction(CaseActionKind.WITHDRAW, False, after_arrival),
            CaseAction(
                CaseActionKind.CLOSE,
                False,
                f"case closure notice {notice.activity_number} awaits the reply of {replier}",
            ),
            CaseAction(
                CaseActionKind.REPLY_TO_CLOSURE,
                may_reply,
                f"agree to close the case, or disagree, on notice {notice.activity_number}"
                if may_reply
                else f"{replier} replies to notice {notice.activity_number}",
            ),
            reopen,
        ]
    return [
        CaseAction(CaseActionKind.REMOVE_INTEREST, False, after_arrival),
        CaseAction(CaseActionKind.WITHDRAW, False, after_arrival),
        CaseAction(
            CaseActionKind.CLOSE,
            True,
            "sends a case closure notice; the case closes when the other state agrees",
        ),
        CaseAction(CaseActionKind.REPLY_TO_CLOSURE, False, "no case closure notice awaits a reply"),
        reopen,
    ]


def _case_for_action(
    session: Session, actor: Actor, case_id: int, expected_version: int, kind: CaseActionKind
) -> tuple[CompactCase, CaseFacts]:
    """The case, once it is the version the user saw and the rules allow this action on it."""
    case = get_case(session, actor, case_id)
    ensure_current(session, case, expected_version, "case")
    policy.require_case_party(actor, case, ACTION_LABELS[kind].lower())
    facts = case_facts(session, case)
    for action in case_actions(session, actor, case, facts):
        if action.kind is kind and not action.available:
            raise UserError(f"{action.label} case {case.case_number}: {action.explanation}")
    return case, facts


def get_case(session: Session, actor: Actor, case_id: int) -> CompactCase:
    case = session.get(CompactCase, case_id)
    if case is None or not policy.can_see_offender(session, actor, case.offender_id):
        raise NotFound(
            f"Case {case_id} does not exist or is not linked to {actor.jurisdiction_code}"
        )
    return case


def _assigned_user(session: Session, field: str, username: Any, state: str | None) -> int | None:
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == str(username).strip().lower()))
    if user is None or not user.active:
        raise ValidationError.single(field, f"user {username} does not exist or is disabled")
    if state and user.jurisdiction_code != state:
        raise ValidationError.single(
            field, f"must be a user of {state} ({username} is of {user.jurisdiction_code})"
        )
    return user.id


def create_case(
    session: Session, actor: Actor, offender_id: int, raw: Mapping[str, Any]
) -> CompactCase:
    """A new pending case on a profile, created by its sending state. A state may start a case on a
    profile another state created (found by the duplicate check): the case links it to the profile."""
    values, problems = CASE_FORM.validate(raw)
    if problems:
        raise ValidationError(problems)
    policy.require_acts_for_state(actor, values["sending_state"], "start a case")
    if session.get(Offender, offender_id) is None:
        raise NotFound(f"Offender profile {offender_id} does not exist")
    case = CompactCase(
        case_number=next_number(session, "case"),
        offender_id=offender_id,
        sending_state=values["sending_state"],
        receiving_state=values["receiving_state"],
        supervision_type=SupervisionType(values["supervision_type"]),
        status=CaseStatus.PENDING,
        offense_summary=values["offense_summary"],
        sending_assigned_user_id=_assigned_user(
            session,
            "sending_assigned_user",
            values["sending_assigned_user"],
            values["sending_state"],
        ),
        receiving_assigned_user_id=_assigned_user(
            session,
            "receiving_assigned_user",
            values["receiving_assigned_user"],
            values["receiving_state"],
        ),
        status_changed_at=clock.now(),
        interests=[
            CaseInterest(jurisdiction_code=values["sending_state"], side=InterestSide.SENDING),
            CaseInterest(jurisdiction_code=values["receiving_state"], side=InterestSide.RECEIVING),
        ],
    )
    session.add(case)
    session.flush()
    refresh_links(session, [offender_id])
    return case


def _set_status(case: CompactCase, status: CaseStatus) -> None:
    case.status = status
    case.status_changed_at = clock.now()


def _note(session: Session, actor: Actor, case: CompactCase, text: str) -> None:
    session.add(CaseNote(case_id=case.id, author_id=actor.user_id, text=text))


def _reason(reason: str | None, field: str = "reason") -> str:
    if not reason or not reason.strip():
        raise ValidationError.single(field, "is required")
    return reason.strip()


def withdraw_case(
    session: Session, actor: Actor, case_id: int, expected_version: int, reason: str
) -> CompactCase:
    case, _facts = _case_for_action(
        session, actor, case_id, expected_version, CaseActionKind.WITHDRAW
    )
    text = _reason(reason)
    _set_status(case, CaseStatus.WITHDRAWN)
    _note(session, actor, case, f"Withdrawn: {text}")
    session.flush()
    return case


def remove_interest(session: Session, actor: Actor, case_id: int, expected_version: int) -> int:
    """Deletes a case that never had an activity; returns the profile's id."""
    case, _facts = _case_for_action(
        session, actor, case_id, expected_version, CaseActionKind.REMOVE_INTEREST
    )
    offender_id = case.offender_id
    session.delete(case)
    session.flush()
    refresh_links(session, [offender_id])
    return offender_id


def send_case_closure_notice(
    session: Session, actor: Actor, case_id: int, expected_version: int, raw: Mapping[str, Any]
) -> Activity:
    """A case closure notice, through the activity engine: managed, so it goes up the sender's
    chain and leaves the state when its compact office transmits it."""
    case, _facts = _case_for_action(session, actor, case_id, expected_version, CaseActionKind.CLOSE)
    notice = activities.create_draft(session, actor, case.id, ActivityType.CASE_CLOSURE_NOTICE, raw)
    activities.submit(session, actor, notice.id, notice.version)
    case.updated_at = clock.now()  # bumps the case's version: a concurrent action on it is refused
    session.flush()
    return notice


def reply_to_case_closure(
    session: Session,
    actor: Actor,
    case_id: int,
    expected_version: int,
    agree: bool,
    comment: str | None = None,
) -> Activity:
    """The other state's reply to the open notice; the case closes once an 'agree' is transmitted."""
    case, facts = _case_for_action(
        session, actor, case_id, expected_version, CaseActionKind.REPLY_TO_CLOSURE
    )
    notice = facts.open_closure_notice
    assert notice is not None  # _case_for_action checked that one awaits a reply
    if not agree:
        comment = _reason(comment, "comment")
    values = {"decision": "agree" if agree else "disagree", "comment": (comment or "").strip()}
    reply = activities.create_draft(
        session, actor, case.id, ActivityType.CASE_CLOSURE_REPLY, values, reply_to_id=notice.id
    )
    activities.submit(session, actor, reply.id, reply.version)
    case.updated_at = clock.now()
    session.flush()
    return reply


def reopen_case(
    session: Session, actor: Actor, case_id: int, expected_version: int, reason: str
) -> CompactCase:
    case, _facts = _case_for_action(
        session, actor, case_id, expected_version, CaseActionKind.REOPEN
    )
    text = _reason(reason)
    _set_status(case, CaseStatus.ACCEPTED)
    _note(session, actor, case, f"Reopened: {text}")
    session.flush()
    return case
