"""What the listeners that keep derived case columns (next due date, special statuses) share."""

from __future__ import annotations

from sqlalchemy import ColumnElement, TableClause, select
from sqlalchemy.orm import Session


def lock_for_recompute(session: Session, cases: TableClause, where: ColumnElement[bool]) -> None:
    """On PostgreSQL, locks the cases about to be recomputed, in id order.

    Two transactions changing the same case's sources at once would otherwise each compute from
    its own snapshot: the second waits on the first's row lock, but its UPDATE still reads the
    snapshot its statement began with, without the first's rows, and stores a stale value. Once the
    lock is held, the next statement of the same transaction sees every committed row. SQLite
    writes one transaction at a time, so there is nothing to lock there.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        select(cases.c.id).where(where).order_by(cases.c.id).with_for_update(of=cases)
    ).all()
