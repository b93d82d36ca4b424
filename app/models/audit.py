"""The one place that writes the audit log: every flush of an entity records who, when, what, old, new."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from app.core.vocabulary import AuditAction
from app.models.base import Base, utcnow
from app.models.cases import CompactCase
from app.models.offenders import Offender
from app.models.system import AuditEntry

# Bookkeeping columns whose change says nothing a reviewer needs.
_NOISE = frozenset({"version", "updated_at", "updated_ts"})

# Rows the log does not describe declare `__audited__ = False`: the log itself, and form drafts,
# which are a user's unsaved scratch (see docs/decisions.md).


def _audited(obj: object) -> bool:
    return getattr(type(obj), "__audited__", True)


class AuditedSession(Session):
    """Session class of the application; refuses to write without knowing who acts."""


def audit_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict | list):
        return value
    return str(value)


def _masked(cls: type[Base], key: str, value: Any) -> Any:
    if value is not None and key in cls.__audit_mask__:
        text = str(value)
        return f"***{text[-4:]}" if len(text) > 4 else "***"
    return audit_value(value)


def _primary_key_text(obj: Base) -> str:
    identity = inspect(obj).identity or inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in identity)


class _OffenderResolver:
    """Finds the profile a row belongs to, querying each case at most once per flush."""

    def __init__(self, session: Session):
        self.session = session
        self.case_offender: dict[int, int | None] = {}

    def __call__(self, obj: Base) -> int | None:
        if isinstance(obj, Offender):
            return obj.id
        offender_id = getattr(obj, "offender_id", None)
        if offender_id is not None:
            return offender_id
        case_id = getattr(obj, "case_id", None)
        if case_id is None and hasattr(obj, "activity_id"):
            activity = getattr(obj, "activity", None)
            case_id = activity.case_id if activity is not None else None
        if case_id is None:
            return None
        if case_id not in self.case_offender:
            self.case_offender[case_id] = self.session.connection().scalar(
                select(CompactCase.offender_id).where(CompactCase.id == case_id)
            )
        return self.case_offender[case_id]


def _columns(obj: Base):
    mapper = inspect(obj).mapper
    cls = type(obj)
    for attr in mapper.column_attrs:
        if attr.key in cls.__audit_exclude__:
            continue
        yield cls, attr.key


def _entry(actor, action, obj, offender_of, changes) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor_user_id": actor.user_id,
        "actor_name": actor.username,
        "action": action,
        "entity": type(obj).__tablename__,
        "entity_id": _primary_key_text(obj),
        "offender_id": offender_of(obj),
        "changes": changes,
        "note": None,
    }


@event.listens_for(AuditedSession, "after_flush")
def _write_audit_rows(session: Session, _flush_context) -> None:
    touched = [o for o in (*session.new, *session.dirty, *session.deleted) if _audited(o)]
    if not touched:
        return
    actor = session.info.get("actor")
    if actor is None:
        raise RuntimeError("a change was flushed without an acting user; use unit_of_work(actor)")
    offender_of = _OffenderResolver(session)
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if not _audited(obj):
            continue
        state = inspect(obj)
        values = {
            key: [None, _masked(cls, key, state.attrs[key].value)]
            for cls, key in _columns(obj)
            if key not in _NOISE and state.attrs[key].value is not None
        }
        rows.append(_entry(actor, AuditAction.INSERT, obj, offender_of, values))
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        changes = {}
        for cls, key in _columns(obj):
            if key in _NOISE:
                continue
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[key] = [_masked(cls, key, old), _masked(cls, key, new)]
        if changes:
            rows.append(_entry(actor, AuditAction.UPDATE, obj, offender_of, changes))
    for obj in session.deleted:
        if not _audited(obj):
            continue
        state = inspect(obj)
        values = {
            key: [_masked(cls, key, state.attrs[key].value), None]
            for cls, key in _columns(obj)
            if key not in _NOISE and state.attrs[key].value is not None
        }
        rows.append(_entry(actor, AuditAction.DELETE, obj, offender_of, values))
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def record_event(
    session: Session,
    action: AuditAction,
    entity: str,
    *,
    entity_id: str | None = None,
    offender_id: int | None = None,
    note: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """For what is not a row change: bulk loads, sign-ins, revealing a full SSN."""
    actor = session.info.get("actor")
    if actor is None:
        raise RuntimeError("an event was recorded without an acting user")
    session.connection().execute(
        insert(AuditEntry.__table__),
        [
            {
                "at": utcnow(),
                "actor_user_id": actor.user_id,
                "actor_name": actor.username,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "offender_id": offender_id,
                "changes": changes or {},
                "note": note,
            }
        ],
    )
