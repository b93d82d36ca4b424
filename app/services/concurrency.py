"""Optimistic locking as users meet it: a save based on an old version is refused, saying who saved
in between and when, with both versions, and nothing is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.core.errors import ConcurrencyConflict
from app.models import AuditEntry


def last_change(
    session: Session, entity: str, entity_id: str
) -> tuple[str | None, datetime | None]:
    """Who last changed a row and when, from the audit log."""
    row = session.execute(
        select(AuditEntry.actor_name, AuditEntry.at)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return (row.actor_name, row.at) if row else (None, None)


def ensure_current(
    session: Session,
    record: Any,
    expected_version: int,
    what: str,
    *,
    theirs: dict[str, Any] | None = None,
    mine: dict[str, Any] | None = None,
) -> None:
    """Raises ConcurrencyConflict when `record` was saved by somebody since `expected_version`."""
    if record.version == expected_version:
        return
    entity = type(record).__tablename__
    identity = ",".join(str(part) for part in inspect(record).identity)
    who, when = last_change(session, entity, identity)
    at = when.astimezone().strftime("%m/%d/%Y %H:%M") if when else "a moment ago"
    raise ConcurrencyConflict(
        f"{who or 'Another user'} saved this {what} at {at}, after you opened it. Nothing of yours "
        "was written: compare the two versions and save again.",
        theirs=theirs,
        mine=mine,
    )
