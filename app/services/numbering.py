"""The numbers this installation gives new profiles, cases, activities and warrant records."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import NumberCounter

# kind: (prefix, digits). Imported records keep their source numbers; these are for new ones.
NUMBER_FORMATS = {
    "offender": ("", 7),
    "case": ("C", 7),
    "activity": ("A", 8),
    "warrant_status": ("WS", 7),
}


def format_number(kind: str, value: int) -> str:
    prefix, digits = NUMBER_FORMATS[kind]
    return f"{prefix}{value:0{digits}d}"


def next_number(session: Session, kind: str) -> str:
    """Takes the next number of a kind inside the caller's transaction.

    The UPDATE takes the row lock first, so two users creating at once on PostgreSQL queue here
    instead of both reading the same value; on SQLite the write transaction already serialises them.
    """
    counter = NumberCounter.__table__
    session.execute(
        update(counter).where(counter.c.name == kind).values(next_value=counter.c.next_value + 1)
    )
    value = session.scalar(select(counter.c.next_value).where(counter.c.name == kind))
    if value is None:
        raise LookupError(f"no number counter named {kind!r}")
    return format_number(kind, value - 1)
