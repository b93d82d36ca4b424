"""Offender profiles: create (after the duplicate check), edit (never overwriting somebody else's
save), reveal the SSN (audited), and read the history of changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import PermissionDenied, UserError, ValidationError
from app.core.jurisdictions import NATIONAL_OFFICE_CODE
from app.core.permissions import Actor, Permission, require
from app.core.security import mask_ssn
from app.core.text import digits_only, identifier_key, name_key
from app.core.vocabulary import AuditAction, Sex
from app.forms.offender import OFFENDER_FORM
from app.models import AuditEntry, Offender
from app.models.audit import audit_value, record_event
from app.services import policy
from app.services.concurrency import ensure_current
from app.services.links import refresh_links
from app.services.numbering import next_number

# Enough for a clerk to recognise the person; more would mean the search box is the better tool.
MATCH_LIMIT = 20


@dataclass(frozen=True)
class PossibleMatch:
    """A profile that may be the same person. Profiles the user may not open show only that they
    exist and which state to call (DECISIONS: exact identifiers reveal existence, not content)."""

    offender_id: int | None
    offender_number: str
    display_name: str
    date_of_birth: date | None
    created_by_state: str
    reasons: tuple[str, ...]

    @property
    def visible(self) -> bool:
        return self.offender_id is not None


class DuplicateCheckRequired(UserError):
    """Possible matches exist; the user must certify that none is the same person to go on."""

    def __init__(self, matches: list[PossibleMatch]):
        self.matches = matches
        super().__init__(
            f"{len(matches)} existing profile(s) may be the same person: open one of them, or "
            "certify that none is the same person"
        )


def clean_offender_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values as stored, or ValidationError naming every field and rule broken."""
    values, problems = OFFENDER_FORM.validate(raw)
    if problems:
        raise ValidationError(problems)
    values["ssn"] = digits_only(values["ssn"]) or None
    for name in ("fbi_number", "state_id"):
        values[name] = identifier_key(values[name]) or None
    values["sex"] = Sex(values["sex"]) if values["sex"] else None
    return values


def possible_matches(
    session: Session, actor: Actor, values: Mapping[str, Any], exclude_id: int | None = None
) -> list[PossibleMatch]:
    """Same last and first name with the same date of birth, or the same SSN, FBI number or SID."""
    tests = []
    last_key, first_key = name_key(values.get("last_name")), name_key(values.get("first_name"))
    if last_key and first_key and values.get("date_of_birth"):
        tests.append(
            (
                "same name and date of birth",
                and_(
                    Offender.last_name_key == last_key,
                    Offender.first_name_key == first_key,
                    Offender.date_of_birth == values["date_of_birth"],
                ),
            )
        )
    for column, label, value in (
        (Offender.ssn, "same SSN", values.get("ssn")),
        (Offender.fbi_number, "same FBI number", values.get("fbi_number")),
        (Offender.state_id, "same state ID (SID)", values.get("state_id")),
    ):
        if value:
            tests.append((label, column == value))
    if not tests:
        return []
    query = select(Offender).where(or_(*(clause for _, clause in tests)))
    if exclude_id is not None:
        query = query.where(Offender.id != exclude_id)
    found = session.scalars(query.order_by(Offender.id).limit(MATCH_LIMIT)).all()
    matches = []
    for offender in found:
        reasons = tuple(label for label, _ in tests if _matches(offender, label, values))
        visible = policy.can_see_offender(session, actor, offender.id)
        matches.append(
            PossibleMatch(
                offender_id=offender.id if visible else None,
                offender_number=offender.offender_number,
                display_name=offender.display_name if visible else "(profile of another state)",
                date_of_birth=offender.date_of_birth if visible else None,
                created_by_state=offender.created_by_state,
                reasons=reasons,
            )
        )
    return matches


def _matches(offender: Offender, label: str, values: Mapping[str, Any]) -> bool:
    if label == "same SSN":
        return offender.ssn == values.get("ssn")
    if label == "same FBI number":
        return offender.fbi_number == values.get("fbi_number")
    if label == "same state ID (SID)":
        return offender.state_id == values.get("state_id")
    return (
        offender.last_name_key == name_key(values.get("last_name"))
        and offender.first_name_key == name_key(values.get("first_name"))
        and offender.date_of_birth == values.get("date_of_birth")
    )


def create_offender(
    session: Session,
    actor: Actor,
    raw: Mapping[str, Any],
    *,
    certified_not_duplicate: bool = False,
) -> Offender:
    """A new profile created by the actor's state. When possible matches exist it is created only
    once the actor certifies that none is the same person, and who certified it is kept."""
    require(actor, Permission.EDIT_OFFENDERS)
    if actor.jurisdiction_code == NATIONAL_OFFICE_CODE and not actor.is_system:
        raise PermissionDenied(
            "The National Office does not create offender profiles: a member state creates them "
            "with its first case"
        )
    values = clean_offender_values(raw)
    matches = possible_matches(session, actor, values)
    if matches and not certified_not_duplicate:
        raise DuplicateCheckRequired(matches)
    offender = Offender(
        offender_number=next_number(session, "offender"),
        created_by_state=actor.jurisdiction_code,
        created_by_user_id=actor.user_id,
        **values,
    )
    if certified_not_duplicate:
        offender.not_duplicate_certified_by_id = actor.user_id
        offender.not_duplicate_certified_at = clock.now()
    session.add(offender)
    session.flush()
    refresh_links(session, [offender.id])
    return offender


def offender_form_values(offender: Offender) -> dict[str, Any]:
    """The stored profile as the form's values (the SSN stays masked: revealing it is audited)."""
    values = {f.name: getattr(offender, f.name) for f in OFFENDER_FORM.fields}
    values["ssn"] = mask_ssn(offender.ssn) if offender.ssn else None
    if offender.sex is not None:
        values["sex"] = offender.sex.value
    return values


def update_offender(
    session: Session,
    actor: Actor,
    offender_id: int,
    expected_version: int,
    raw: Mapping[str, Any],
) -> Offender:
    """Saves the edited identity. If somebody saved the profile since it was read, nothing is written
    and ConcurrencyConflict says who, when, and carries both versions."""
    offender = policy.editable_offender(session, actor, offender_id)
    submitted = dict(raw)
    if _is_unchanged_mask(submitted.get("ssn"), offender.ssn):
        submitted["ssn"] = offender.ssn
    values = clean_offender_values(submitted)
    ensure_current(
        session,
        offender,
        expected_version,
        "profile",
        theirs={name: _shown(name, getattr(offender, name)) for name in values},
        mine={name: _shown(name, value) for name, value in values.items()},
    )
    names_changed = (offender.last_name, offender.first_name) != (
        values["last_name"],
        values["first_name"],
    )
    for name, value in values.items():
        if getattr(offender, name) != value:
            setattr(offender, name, value)
    # A save racing this one between the check above and here fails the versioned UPDATE;
    # unit_of_work turns that into ConcurrencyConflict.
    session.flush()
    if names_changed:
        refresh_links(session, [offender.id])
    return offender


def _is_unchanged_mask(submitted: Any, stored: str | None) -> bool:
    return bool(stored) and isinstance(submitted, str) and submitted.strip() == mask_ssn(stored)


def _shown(name: str, value: Any) -> Any:
    if name == "ssn":
        return mask_ssn(value) if value else None
    return audit_value(value)


def reveal_ssn(session: Session, actor: Actor, offender_id: int) -> str | None:
    """The full SSN, for a user who may see the profile; every reveal is audited."""
    offender = policy.visible_offender(session, actor, offender_id)
    record_event(
        session,
        AuditAction.VIEW_SENSITIVE,
        "offender",
        entity_id=str(offender.id),
        offender_id=offender.id,
        note="SSN revealed",
    )
    return offender.ssn


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    actor_name: str
    action: str
    entity: str
    entity_id: str | None
    field: str | None
    old: Any
    new: Any
    note: str | None


def history(
    session: Session,
    actor: Actor,
    offender_id: int,
    *,
    before_id: int | None = None,
    limit: int = 200,
) -> list[HistoryEntry]:
    """The profile's audit trail, newest first, one line per field changed (paged by audit id)."""
    policy.visible_offender(session, actor, offender_id)
    query = select(AuditEntry).where(AuditEntry.offender_id == offender_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    entries = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
    lines: list[HistoryEntry] = []
    for entry in entries:
        changes = entry.changes or {}
        common = dict(
            id=entry.id,
            at=entry.at,
            actor_name=entry.actor_name,
            action=entry.action.value,
            entity=entry.entity,
            entity_id=entry.entity_id,
            note=entry.note,
        )
        if not changes:
            lines.append(HistoryEntry(field=None, old=None, new=None, **common))
        for field_name, (old, new) in sorted(changes.items()):
            lines.append(HistoryEntry(field=field_name, old=old, new=new, **common))
    return lines


def offender_id_for_number(session: Session, actor: Actor, number: str) -> int:
    """The profile an offender number names (its own or a number retired by a merge), if the
    actor may see it: what a profile link in an e-mail opens."""
    from app.core.errors import NotFound
    from app.models import FormerOffenderNumber

    text = number.strip()
    found = session.scalar(select(Offender.id).where(Offender.offender_number == text))
    if found is None:
        found = session.scalar(
            select(FormerOffenderNumber.offender_id).where(FormerOffenderNumber.number == text)
        )
    if found is None or not policy.can_see_offender(session, actor, found):
        raise NotFound(f"No offender profile numbered {text} is visible to {actor.username}")
    return found
