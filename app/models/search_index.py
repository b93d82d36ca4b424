"""Keeps `offender_name` in step with offenders and aliases on every flush, whoever writes them."""

from __future__ import annotations

from sqlalchemy import delete, event, insert, update
from sqlalchemy.orm import Session

from app.models.audit import AuditedSession
from app.models.offenders import Alias, Offender, OffenderName


def full_key(last_name_key: str, first_name_key: str) -> str:
    return f"{last_name_key} {first_name_key}".strip()


def name_row(offender_id: int, alias_id: int | None, last_key: str, first_key: str) -> dict:
    return {
        "offender_id": offender_id,
        "alias_id": alias_id,
        "last_name_key": last_key,
        "first_name_key": first_key,
        "full_key": full_key(last_key, first_key),
    }


@event.listens_for(AuditedSession, "after_flush")
def _sync_offender_names(session: Session, _flush_context) -> None:
    inserts: list[dict] = []
    connection = None
    for obj in session.new:
        if isinstance(obj, Offender):
            inserts.append(name_row(obj.id, None, obj.last_name_key, obj.first_name_key))
        elif isinstance(obj, Alias):
            inserts.append(name_row(obj.offender_id, obj.id, obj.last_name_key, obj.first_name_key))
    for obj in session.dirty:
        if not isinstance(obj, Offender | Alias) or not session.is_modified(obj):
            continue
        connection = connection or session.connection()
        values = {
            "last_name_key": obj.last_name_key,
            "first_name_key": obj.first_name_key,
            "full_key": full_key(obj.last_name_key, obj.first_name_key),
        }
        if isinstance(obj, Offender):
            where = (OffenderName.offender_id == obj.id) & OffenderName.alias_id.is_(None)
        else:
            where = OffenderName.alias_id == obj.id
            values["offender_id"] = obj.offender_id
        connection.execute(update(OffenderName).where(where).values(**values))
    for obj in session.deleted:
        if isinstance(obj, Alias):
            connection = connection or session.connection()
            connection.execute(delete(OffenderName).where(OffenderName.alias_id == obj.id))
        elif isinstance(obj, Offender):
            connection = connection or session.connection()
            connection.execute(delete(OffenderName).where(OffenderName.offender_id == obj.id))
    if inserts:
        (connection or session.connection()).execute(insert(OffenderName), inserts)
