"""State boundaries: the one place that decides which profiles and cases a user may see and change.

Every service asks here; nothing else compares a user's state with a record's, except
`app.services.core_reads.own_links`, the whole offender list's filter, which start-up applies
before the entity classes are imported.

- A profile is visible to the states linked to it (its creator and the sending and receiving states of
  any of its cases, kept in `offender_link`); the National Office and the local system account see all.
- A visible profile shows all its cases (the profile is one shared record), but only a party to a case
  (its sending or receiving state) acts on it.
- Editing a profile needs the edit permission and a link to it.
- Warrant status records are entered by a state that is or was the sending state of one of the
  profile's cases; the others read them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from app.core.errors import NotFound, PermissionDenied, UserError
from app.core.jurisdictions import MEMBER_CODES
from app.core.permissions import Actor, Permission, require
from app.models import CompactCase, Offender, OffenderLink

# What `report_state` takes for "every state".
ALL_STATES = "ALL"


def offender_visible(actor: Actor, offender_id_column) -> ColumnElement[bool] | None:
    """A filter keeping the profiles the actor may see; None when they see all."""
    if actor.sees_all_states:
        return None
    return exists().where(
        OffenderLink.jurisdiction_code == actor.jurisdiction_code,
        OffenderLink.offender_id == offender_id_column,
    )


def case_party(actor: Actor) -> ColumnElement[bool] | None:
    """A filter keeping the cases of which the actor's state is the sending or receiving state."""
    if actor.sees_all_states:
        return None
    return or_(
        CompactCase.sending_state == actor.jurisdiction_code,
        CompactCase.receiving_state == actor.jurisdiction_code,
    )


def report_state(actor: Actor, requested: str | None = None) -> str | None:
    """The state whose records a report or a dashboard covers: a code, or None for every state.

    By default the actor's own state; every state for the National Office and the local system
    account, which may also name any member state (or ALL). A state's users report on their own
    state only.
    """
    require(actor, Permission.VIEW_OFFENDERS)
    if requested is None:
        return None if actor.sees_all_states else actor.jurisdiction_code
    code = requested.strip().upper()
    if code != ALL_STATES and code not in MEMBER_CODES:
        raise UserError(f"{requested!r} is not a member state's two-letter code (or {ALL_STATES})")
    if actor.sees_all_states:
        return None if code == ALL_STATES else code
    if code != actor.jurisdiction_code:
        raise PermissionDenied(
            f"{actor.username} ({actor.jurisdiction_code}) may report on "
            f"{actor.jurisdiction_code} only, not on {code}"
        )
    return code


def can_see_offender(session: Session, actor: Actor, offender_id: int) -> bool:
    clause = offender_visible(actor, Offender.id)
    query = select(Offender.id).where(Offender.id == offender_id)
    if clause is not None:
        query = query.where(clause)
    return session.scalar(query) is not None


def visible_offender(session: Session, actor: Actor, offender_id: int) -> Offender:
    """The profile, or NotFound when it does not exist or the actor's state is not linked to it."""
    require(actor, Permission.VIEW_OFFENDERS)
    offender = session.get(Offender, offender_id)
    if offender is None or not can_see_offender(session, actor, offender_id):
        raise NotFound(
            f"Offender profile {offender_id} does not exist or is not linked to "
            f"{actor.jurisdiction_code}"
        )
    return offender


def editable_offender(session: Session, actor: Actor, offender_id: int) -> Offender:
    offender = visible_offender(session, actor, offender_id)
    require(actor, Permission.EDIT_OFFENDERS)
    return offender


def is_case_party(actor: Actor, case: CompactCase) -> bool:
    return actor.is_system or actor.jurisdiction_code in (case.sending_state, case.receiving_state)


def require_case_party(actor: Actor, case: CompactCase, what: str) -> None:
    require(actor, Permission.EDIT_OFFENDERS)
    if not is_case_party(actor, case):
        raise PermissionDenied(
            f"{actor.username} ({actor.jurisdiction_code}) may not {what}: only the sending state "
            f"({case.sending_state}) and the receiving state ({case.receiving_state}) act on case "
            f"{case.case_number}"
        )


def acts_for_state(actor: Actor, state_code: str) -> bool:
    """Whether work done in a state's name (an activity it sends, its queue) is the actor's."""
    return actor.is_system or actor.jurisdiction_code == state_code


def sees_activity(actor: Actor, activity) -> bool:
    """An activity of a visible profile: once it has left its state, both states see it; a draft
    or one awaiting approval only its own state (and the National Office)."""
    return (
        activity.transmitted_at is not None
        or actor.sees_all_states
        or acts_for_state(actor, activity.from_state)
    )


def require_acts_for_state(actor: Actor, state_code: str, what: str) -> None:
    """Work done in a state's name (a case it sends) is done by that state's users only."""
    require(actor, Permission.EDIT_OFFENDERS)
    if not acts_for_state(actor, state_code):
        raise PermissionDenied(
            f"{actor.username} ({actor.jurisdiction_code}) may not {what} for {state_code}"
        )


def warrant_entry_state(session: Session, actor: Actor, offender_id: int) -> tuple[bool, str]:
    """DECISIONS 'Warrant status': a state that is or was the sending state of any of the profile's
    cases (active or historical) enters its warrant status records, without the case being
    reassigned; the other linked states and the National Office read them. Returns (allowed, why)."""
    if actor.is_system:
        return True, ""
    sending = sorted(
        set(
            session.scalars(
                select(CompactCase.sending_state).where(CompactCase.offender_id == offender_id)
            )
        )
    )
    if actor.jurisdiction_code in sending:
        return True, ""
    if not sending:
        return False, (
            "no case on this profile has a sending state yet: warrant status records are "
            "entered by the sending state"
        )
    states = ", ".join(sending)
    if actor.sees_all_states:
        return False, (
            f"the National Office reads warrant status records; the sending state ({states}) "
            "enters them"
        )
    return False, (
        f"only the sending state of the offender's cases ({states}) enters warrant status "
        f"records; {actor.jurisdiction_code} reads them"
    )
