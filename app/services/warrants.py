"""Warrant status records of a profile (seed 002): entered by its sending states, read-only once
served or withdrawn, at most one Active record per issuing authority and warrant identifier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import NotFound, PermissionDenied, UserError, ValidationError
from app.core.permissions import Actor, Permission, can, require
from app.core.vocabulary import WARRANT_SPECIAL_STATUS, Role, WarrantStatus
from app.forms.fields import format_date
from app.forms.warrant import (
    COMMENT_FORM,
    COMMENTS_MAX,
    SERVE_FORM,
    WARRANT_FORM,
    WITHDRAW_FORM,
    clean_warrant_values,
    status_for,
)
from app.models import Offender, WarrantStatusRecord
from app.services import policy
from app.services.concurrency import ensure_current
from app.services.numbering import next_number

WHAT = "warrant status record"

# DECISIONS 'Warrant status': the assigned officer, their supervisors and the compact office.
ENTRY_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.COMPACT_OFFICE})

READ_ONLY_RULE = (
    "a served or withdrawn record is historical and cannot be changed (seed 002); a comment may "
    "still be added, and a warrant issued again needs a new record"
)


class WarrantRecordReadOnly(UserError):
    """The record was served or withdrawn; only a comment may be added to it."""


class WarrantActionKind(StrEnum):
    NEW = "new"
    EDIT = "edit"
    SERVE = "serve"
    WITHDRAW = "withdraw"
    COMMENT = "comment"


ACTION_LABELS = {
    WarrantActionKind.NEW: "New warrant status record",
    WarrantActionKind.EDIT: "Edit",
    WarrantActionKind.SERVE: "Mark served",
    WarrantActionKind.WITHDRAW: "Mark withdrawn",
    WarrantActionKind.COMMENT: "Add comment",
}


@dataclass(frozen=True)
class WarrantAction:
    kind: WarrantActionKind
    available: bool
    explanation: str


@dataclass(frozen=True)
class WarrantEntry:
    """One record as screens and exports show it."""

    record_id: int
    warrant_status_id: str
    status: str
    requested_date: date | None
    issued_date: date
    issuing_authority: str
    issuing_authority_contact: str | None
    warrant_identifier: str | None
    ncic_entry_date: date | None
    served_date: date | None
    withdrawn_date: date | None
    comments: str | None
    # DECISIONS: issuing authority or NCIC entry date blank, on an Active record.
    incomplete: bool
    # Served or withdrawn: read-only.
    historical: bool
    created_ts: datetime
    created_by: str
    updated_ts: datetime
    updated_by: str
    version: int


def warrant_incomplete(record: WarrantStatusRecord) -> bool:
    """DECISIONS: issuing authority or NCIC entry date blank (drives the 'Update Needed' e-mails)."""
    return not (record.issuing_authority or "").strip() or record.ncic_entry_date is None


def is_historical(record: WarrantStatusRecord | WarrantEntry) -> bool:
    """Seed 002: a record becomes read-only once the warrant is served or withdrawn."""
    return (
        str(record.status) != WarrantStatus.ACTIVE.value
        or record.served_date is not None
        or record.withdrawn_date is not None
    )


def entry_from(record: WarrantStatusRecord) -> WarrantEntry:
    historical = is_historical(record)
    return WarrantEntry(
        record_id=record.id,
        warrant_status_id=record.warrant_status_id,
        status=record.status.value,
        requested_date=record.requested_date,
        issued_date=record.issued_date,
        issuing_authority=record.issuing_authority,
        issuing_authority_contact=record.issuing_authority_contact,
        warrant_identifier=record.warrant_identifier,
        ncic_entry_date=record.ncic_entry_date,
        served_date=record.served_date,
        withdrawn_date=record.withdrawn_date,
        comments=record.comments,
        incomplete=not historical and warrant_incomplete(record),
        historical=historical,
        created_ts=record.created_ts,
        created_by=record.created_by,
        updated_ts=record.updated_ts,
        updated_by=record.updated_by,
        version=record.version,
    )


def newest_first(offender_id: int):
    """The profile's records in the order screens list them: the latest issued first."""
    return (
        select(WarrantStatusRecord)
        .where(WarrantStatusRecord.offender_id == offender_id)
        .order_by(WarrantStatusRecord.issued_date.desc(), WarrantStatusRecord.id.desc())
    )


def active_record_exists(offender_id_column: Any) -> ColumnElement[bool]:
    """The 'Warrant Status' special status as a filter or a column (one index probe per profile)."""
    return exists().where(
        WarrantStatusRecord.offender_id == offender_id_column,
        WarrantStatusRecord.status == WarrantStatus.ACTIVE,
    )


def special_status_labels(session: Session, offender: Offender) -> tuple[str, ...]:
    """The profile's special statuses in the words of the lists and the profile header."""
    from app.services.workload import SPECIAL_STATUS_LABELS, SpecialStatus

    warrant = session.scalar(select(active_record_exists(offender.id)))
    flags = (
        (offender.sex_offender, SPECIAL_STATUS_LABELS[SpecialStatus.SEX_OFFENDER]),
        (offender.victim_sensitive, SPECIAL_STATUS_LABELS[SpecialStatus.VICTIM_SENSITIVE]),
        (offender.history_of_assault, SPECIAL_STATUS_LABELS[SpecialStatus.HISTORY_OF_ASSAULT]),
        (warrant, WARRANT_SPECIAL_STATUS),
    )
    return tuple(label for on, label in flags if on)


# --- Who may enter ---------------------------------------------------------------------------------
def can_edit(session: Session, actor: Actor, offender_id: int) -> tuple[bool, str]:
    """Whether the actor may add and update the profile's warrant status records, and why not.

    NotFound when the profile is not visible to them at all.
    """
    policy.visible_offender(session, actor, offender_id)
    allowed, why = policy.warrant_entry_state(session, actor, offender_id)
    if not allowed:
        return False, why
    if actor.is_system:
        return True, ""
    if not can(actor, Permission.EDIT_OFFENDERS) or not actor.roles & ENTRY_ROLES:
        return False, (
            "warrant status records are entered by the sending state's officers, supervisors "
            "and compact office"
        )
    return True, ""


def _require_entry(session: Session, actor: Actor, offender_id: int, what: str) -> None:
    require(actor, Permission.VIEW_OFFENDERS)
    allowed, why = can_edit(session, actor, offender_id)
    if not allowed:
        raise PermissionDenied(
            f"{actor.username} ({actor.jurisdiction_code}) may not {what}: {why}"
        )


def _refuse_if_historical(record: WarrantStatusRecord) -> None:
    if not is_historical(record):
        return
    if record.served_date is not None:
        how = f"was served on {format_date(record.served_date)}"
    elif record.withdrawn_date is not None:
        how = f"was withdrawn on {format_date(record.withdrawn_date)}"
    else:
        how = f"is {record.status.value}"
    raise WarrantRecordReadOnly(
        f"Warrant status record {record.warrant_status_id} {how} and is read-only: {READ_ONLY_RULE}"
    )


def record_actions(
    entry: WarrantEntry | None, entry_right: tuple[bool, str]
) -> tuple[WarrantAction, ...]:
    """Every action on the profile's records, available or not with the reason in words."""
    allowed, why = entry_right
    actions: list[WarrantAction] = [
        WarrantAction(WarrantActionKind.NEW, allowed, "" if allowed else why)
    ]
    for kind in (
        WarrantActionKind.EDIT,
        WarrantActionKind.SERVE,
        WarrantActionKind.WITHDRAW,
        WarrantActionKind.COMMENT,
    ):
        if not allowed:
            actions.append(WarrantAction(kind, False, why))
        elif entry is None:
            actions.append(WarrantAction(kind, False, "select a warrant status record"))
        elif kind is not WarrantActionKind.COMMENT and entry.historical:
            verb = "served" if entry.served_date else "withdrawn"
            actions.append(
                WarrantAction(
                    kind,
                    False,
                    f"record {entry.warrant_status_id} was {verb} and is read-only "
                    "(a served or withdrawn record is historical); add a comment instead",
                )
            )
        elif kind is WarrantActionKind.SERVE and entry.ncic_entry_date is None:
            actions.append(
                WarrantAction(
                    kind,
                    False,
                    "needs the NCIC entry date first (Edit the record); if the warrant was never "
                    "entered in NCIC, add a comment and mark the record withdrawn",
                )
            )
        else:
            actions.append(WarrantAction(kind, True, ""))
    return tuple(actions)


# --- Reading ---------------------------------------------------------------------------------------
def get_record(session: Session, actor: Actor, record_id: int) -> WarrantStatusRecord:
    require(actor, Permission.VIEW_OFFENDERS)
    record = session.get(WarrantStatusRecord, record_id)
    if record is None or not policy.can_see_offender(session, actor, record.offender_id):
        raise NotFound(
            f"Warrant status record {record_id} does not exist or is not linked to "
            f"{actor.jurisdiction_code}"
        )
    return record


def records_for_offender(session: Session, actor: Actor, offender_id: int) -> list[WarrantEntry]:
    """The profile's records, latest issued first, for anyone who sees the profile."""
    policy.visible_offender(session, actor, offender_id)
    return [entry_from(record) for record in session.scalars(newest_first(offender_id))]


def form_values(record: WarrantStatusRecord) -> dict[str, Any]:
    """The stored record as the form's values."""
    return {f.name: getattr(record, f.name) for f in WARRANT_FORM.fields}


# --- Writing ---------------------------------------------------------------------------------------
def _clean(raw: Mapping[str, Any]) -> dict[str, Any]:
    values, problems = clean_warrant_values(raw)
    if problems:
        raise ValidationError(problems)
    values["status"] = status_for(values["served_date"], values["withdrawn_date"])
    return values


def _authority_key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _refuse_second_active(
    session: Session, offender_id: int, values: Mapping[str, Any], exclude_id: int | None = None
) -> None:
    """DECISIONS: at most one Active record per issuing authority and warrant identifier."""
    if values["status"] is not WarrantStatus.ACTIVE:
        return
    # Two clerks saving the same warrant at once queue on the profile's row (PostgreSQL; SQLite
    # has one writer at a time anyway), so the second one sees the first one's record.
    session.execute(select(Offender.id).where(Offender.id == offender_id).with_for_update())
    authority = _authority_key(values["issuing_authority"])
    identifier = values["warrant_identifier"]
    others = session.scalars(
        select(WarrantStatusRecord).where(
            WarrantStatusRecord.offender_id == offender_id,
            WarrantStatusRecord.status == WarrantStatus.ACTIVE,
        )
    )
    for other in others:
        if other.id == exclude_id or _authority_key(other.issuing_authority) != authority:
            continue
        if (other.warrant_identifier or None) != identifier:
            continue
        which = f"warrant {identifier}" if identifier else "no warrant identifier"
        raise ValidationError.single(
            "warrant_identifier" if identifier else "issuing_authority",
            f"matches Active record {other.warrant_status_id} ({other.issuing_authority}, "
            f"{which}): a profile has at most one Active record per issuing authority and warrant "
            "identifier; update that record instead",
        )


def _stamp(record: WarrantStatusRecord, actor: Actor) -> None:
    record.updated_by = actor.username
    record.updated_ts = clock.now()


def _apply(record: WarrantStatusRecord, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)


def add_record(
    session: Session, actor: Actor, offender_id: int, raw: Mapping[str, Any]
) -> WarrantStatusRecord:
    """A new record on the profile, numbered by this installation."""
    _require_entry(session, actor, offender_id, "add a warrant status record")
    values = _clean(raw)
    _refuse_second_active(session, offender_id, values)
    now = clock.now()
    record = WarrantStatusRecord(
        warrant_status_id=next_number(session, "warrant_status"),
        offender_id=offender_id,
        created_by=actor.username,
        updated_by=actor.username,
        created_ts=now,
        updated_ts=now,
    )
    _apply(record, values)
    session.add(record)
    session.flush()
    return record


def _writable(
    session: Session, actor: Actor, record_id: int, expected_version: int, what: str, raw: Any
) -> WarrantStatusRecord:
    record = get_record(session, actor, record_id)
    _require_entry(session, actor, record.offender_id, f"{what} {record.warrant_status_id}")
    _refuse_if_historical(record)
    ensure_current(
        session, record, expected_version, WHAT, theirs=form_values(record), mine=dict(raw)
    )
    return record


def update_record(
    session: Session,
    actor: Actor,
    record_id: int,
    expected_version: int,
    raw: Mapping[str, Any],
) -> WarrantStatusRecord:
    """Saves the edited record; refused, with nothing written, when it is read-only or somebody
    saved it since `expected_version`."""
    record = _writable(
        session, actor, record_id, expected_version, "change warrant status record", raw
    )
    values = _clean(raw)
    _refuse_second_active(session, record.offender_id, values, exclude_id=record.id)
    _apply(record, values)
    _stamp(record, actor)
    session.flush()
    return record


def _comment_line(actor: Actor, text: str) -> str:
    at = clock.now().astimezone().strftime("%m/%d/%Y %H:%M")
    return f"{at} {actor.username}: {text.strip()}"


def _with_comment(existing: str | None, actor: Actor, text: str | None) -> str | None:
    if not text or not text.strip():
        return existing
    combined = "\n".join(p for p in (existing, _comment_line(actor, text)) if p)
    if len(combined) > COMMENTS_MAX:
        raise ValidationError.single(
            "comment",
            f"would make the record's comments longer than {COMMENTS_MAX:,} characters; shorten it",
        )
    return combined


def _close(
    session: Session,
    actor: Actor,
    record_id: int,
    expected_version: int,
    raw: Mapping[str, Any],
    date_field: str,
    what: str,
) -> WarrantStatusRecord:
    record = _writable(session, actor, record_id, expected_version, what, raw)
    form = SERVE_FORM if date_field == "served_date" else WITHDRAW_FORM
    typed, problems = form.validate(raw)
    if problems:
        raise ValidationError(problems)
    values = dict(form_values(record), **{date_field: typed[date_field]})
    values["comments"] = _with_comment(record.comments, actor, typed["comment"])
    values = _clean(values)
    _apply(record, values)
    _stamp(record, actor)
    session.flush()
    return record


def serve(
    session: Session,
    actor: Actor,
    record_id: int,
    expected_version: int,
    raw: Mapping[str, Any],
) -> WarrantStatusRecord:
    """The warrant was served (executed): needs the NCIC entry date; the record becomes read-only.
    `raw` holds SERVE_FORM's fields: the date served and an optional comment."""
    return _close(session, actor, record_id, expected_version, raw, "served_date", "serve")


def withdraw(
    session: Session,
    actor: Actor,
    record_id: int,
    expected_version: int,
    raw: Mapping[str, Any],
) -> WarrantStatusRecord:
    """The warrant was withdrawn; the record becomes read-only. `raw` holds WITHDRAW_FORM's fields."""
    return _close(session, actor, record_id, expected_version, raw, "withdrawn_date", "withdraw")


def add_comment(
    session: Session, actor: Actor, record_id: int, raw: Mapping[str, Any]
) -> WarrantStatusRecord:
    """Appends a dated, signed comment; allowed on a read-only record too. A comment only adds to
    what is there, so it needs no version: it cannot overwrite anybody's change."""
    record = get_record(session, actor, record_id)
    _require_entry(
        session,
        actor,
        record.offender_id,
        f"comment on warrant status record {record.warrant_status_id}",
    )
    typed, problems = COMMENT_FORM.validate(raw)
    if problems:
        raise ValidationError(problems)
    record.comments = _with_comment(record.comments, actor, typed["comment"])
    _stamp(record, actor)
    session.flush()
    return record
