"""Form drafts: a user's unsaved typing, one per form and record, kept until saved or discarded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import UserError
from app.core.permissions import Actor
from app.models import FormDraft
from app.models.drafts import NEW_RECORD_KEY

__all__ = [
    "NEW_RECORD_KEY",
    "DraftSummary",
    "discard_draft",
    "list_drafts",
    "load_draft",
    "save_draft",
]


@dataclass(frozen=True)
class DraftSummary:
    form_name: str
    record_key: str
    saved_at: datetime


def _owner(actor: Actor) -> int:
    if actor.user_id is None:
        raise UserError("Drafts are kept per user; sign in to keep one.")
    return actor.user_id


def _record_key(record_key: str | int | None) -> str:
    return NEW_RECORD_KEY if record_key is None else str(record_key)


def _json_safe(values: Mapping[str, Any]) -> dict[str, str | bool | None]:
    """Drafts hold what was typed, not parsed values: a half-typed date must come back as typed."""
    safe: dict[str, str | bool | None] = {}
    for name, value in values.items():
        if not isinstance(name, str):
            raise TypeError(f"draft field names are text, not {type(name).__name__}")
        if value is not None and not isinstance(value, str | bool):
            raise TypeError(
                f"draft value of {name} must be text or true/false, not {type(value).__name__}"
            )
        safe[name] = value
    return safe


def _find(session: Session, user_id: int, form_name: str, record_key: str) -> FormDraft | None:
    return session.scalar(
        select(FormDraft).where(
            FormDraft.user_id == user_id,
            FormDraft.form_name == form_name,
            FormDraft.record_key == record_key,
        )
    )


def save_draft(
    session: Session,
    actor: Actor,
    form_name: str,
    record_key: str | int | None,
    values: Mapping[str, Any],
) -> datetime:
    """Keeps `values` as the actor's draft of this form and record (replacing any); returns when."""
    user_id = _owner(actor)
    key = _record_key(record_key)
    saved_at = clock.now()
    draft = _find(session, user_id, form_name, key)
    if draft is None:
        draft = FormDraft(user_id=user_id, form_name=form_name, record_key=key)
        session.add(draft)
    draft.values = _json_safe(values)
    draft.saved_at = saved_at
    session.flush()
    return saved_at


def load_draft(
    session: Session, actor: Actor, form_name: str, record_key: str | int | None
) -> tuple[dict[str, str | bool | None], datetime] | None:
    draft = _find(session, _owner(actor), form_name, _record_key(record_key))
    if draft is None:
        return None
    return dict(draft.values), draft.saved_at


def discard_draft(
    session: Session, actor: Actor, form_name: str, record_key: str | int | None
) -> bool:
    """Deletes the actor's draft of this form and record; False when there was none."""
    result = session.execute(
        delete(FormDraft).where(
            FormDraft.user_id == _owner(actor),
            FormDraft.form_name == form_name,
            FormDraft.record_key == _record_key(record_key),
        )
    )
    return result.rowcount > 0


def list_drafts(session: Session, actor: Actor) -> list[DraftSummary]:
    """The actor's drafts, latest first (nobody sees another user's drafts)."""
    rows = session.execute(
        select(FormDraft.form_name, FormDraft.record_key, FormDraft.saved_at)
        .where(FormDraft.user_id == _owner(actor))
        .order_by(FormDraft.saved_at.desc(), FormDraft.id.desc())
    )
    return [DraftSummary(*row) for row in rows]
