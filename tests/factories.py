"""Builders of test data with sensible defaults; every one goes through an audited session."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from app.core.security import hash_password
from app.core.vocabulary import ActivityType, CaseStatus, InterestSide, Role, SupervisionType
from app.models import Activity, CaseInterest, CompactCase, Offender, User, UserRole
from app.services.links import refresh_links

_numbers = itertools.count(1)
_FAST_HASH = None


def _fast_hash() -> str:
    global _FAST_HASH
    if _FAST_HASH is None:
        _FAST_HASH = hash_password("correct horse battery")
    return _FAST_HASH


def make_user(
    session: Session, username: str | None = None, state: str = "TX", roles=(Role.OFFICER,)
) -> User:
    """Password is always 'correct horse battery'."""
    user = User(
        username=username or f"user{next(_numbers)}",
        full_name="Test User",
        jurisdiction_code=state,
        password_hash=_fast_hash(),
        roles=[UserRole(role=r) for r in roles],
    )
    session.add(user)
    session.flush()
    return user


def make_offender(session: Session, **values) -> Offender:
    n = next(_numbers)
    defaults = dict(
        offender_number=f"T{n:07d}",
        last_name="Doe",
        first_name=f"John{n}",
        date_of_birth=date(1980, 1, 1),
        created_by_state="TX",
    )
    defaults.update(values)
    offender = Offender(**defaults)
    session.add(offender)
    session.flush()
    refresh_links(session, [offender.id])
    return offender


def make_case(session: Session, offender: Offender, **values) -> CompactCase:
    n = next(_numbers)
    defaults = dict(
        case_number=f"C{n:07d}",
        offender_id=offender.id,
        sending_state="TX",
        receiving_state="VA",
        supervision_type=SupervisionType.PAROLE,
        status=CaseStatus.PENDING,
    )
    defaults.update(values)
    case = CompactCase(**defaults)
    case.interests = [
        CaseInterest(jurisdiction_code=case.sending_state, side=InterestSide.SENDING),
        CaseInterest(jurisdiction_code=case.receiving_state, side=InterestSide.RECEIVING),
    ]
    session.add(case)
    session.flush()
    refresh_links(session, [offender.id])
    return case


def make_activity(session: Session, case: CompactCase, **values) -> Activity:
    """A draft activity on the case, from its sending state to its receiving state."""
    defaults = dict(
        activity_number=f"A{next(_numbers):07d}",
        case_id=case.id,
        type=ActivityType.TRANSFER_REQUEST,
        from_state=case.sending_state,
        to_state=case.receiving_state,
    )
    defaults.update(values)
    activity = Activity(**defaults)
    session.add(activity)
    session.flush()
    return activity
