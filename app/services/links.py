"""Keeps `offender_link` (which states are linked to which profile) equal to what cases and creators say."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select, union
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import CompactCase, Offender, OffenderLink
from app.models.derived import lock_for_recompute


def _linked_states(offender_ids: list[int] | None, id_range: tuple[int, int] | None = None):
    """(state code, offender id) for the creator and both states of every case of the profiles."""

    def restricted(query, offender_id):
        if offender_ids is not None:
            query = query.where(offender_id.in_(offender_ids))
        if id_range is not None:
            query = query.where(offender_id.between(*id_range))
        return query

    return union(
        restricted(
            select(Offender.created_by_state.label("code"), Offender.id.label("offender_id")),
            Offender.id,
        ),
        restricted(
            select(CompactCase.sending_state, CompactCase.offender_id), CompactCase.offender_id
        ),
        restricted(
            select(CompactCase.receiving_state, CompactCase.offender_id), CompactCase.offender_id
        ),
    ).subquery()


def _insert_links(connection, linked) -> None:
    rows = select(
        linked.c.code, linked.c.offender_id, Offender.last_name_key, Offender.first_name_key
    ).join(Offender, Offender.id == linked.c.offender_id)
    connection.execute(
        insert(OffenderLink).from_select(
            ["jurisdiction_code", "offender_id", "last_name_key", "first_name_key"], rows
        )
    )


def refresh_links(session: Session, offender_ids: Iterable[int] | None = None) -> None:
    """Rebuilds the links of the given profiles (all profiles when None) in the current transaction.

    Derived data, so it is not audited row by row: the changes to offenders and cases that cause it are.
    """
    ids = None if offender_ids is None else sorted(set(offender_ids))
    if ids is not None and not ids:
        return
    session.flush()
    connection = session.connection()
    for chunk in _chunks(ids):
        remove = delete(OffenderLink)
        if chunk is not None:
            # Two transactions adding cases to one profile would otherwise each rebuild its links
            # from their own snapshot, and the later one miss or repeat the other's states.
            lock_for_recompute(session, Offender.__table__, Offender.id.in_(chunk))
            remove = remove.where(OffenderLink.offender_id.in_(chunk))
        connection.execute(remove)
        _insert_links(connection, _linked_states(chunk))


def add_links_for_id_range(session: Session, first_id: int, last_id: int) -> None:
    """Links of the new profiles first_id..last_id (which have none yet), for bulk loads, where
    a delete and insert per 500 profiles would be the slow part: the creators' states, then the
    states of the cases not linked yet, in three statements. The link table's key skips what is
    there already; one UNION of the three would sort out the repeats in a temporary index of
    every candidate row (at a million profiles, 3.6 million rows: 8.6 s of the UNION's 10.7 s,
    where the three statements take 5.8 s)."""
    if first_id > last_id:
        return
    connection = session.connection()
    columns = ["jurisdiction_code", "offender_id", "last_name_key", "first_name_key"]
    keys = (Offender.last_name_key, Offender.first_name_key)
    creators = select(Offender.created_by_state, Offender.id, *keys).where(
        Offender.id.between(first_id, last_id)
    )
    connection.execute(insert(OffenderLink).from_select(columns, creators))
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for state in (CompactCase.sending_state, CompactCase.receiving_state):
        cases = (
            select(state, CompactCase.offender_id, *keys)
            .join(Offender, Offender.id == CompactCase.offender_id)
            .where(CompactCase.offender_id.between(first_id, last_id))
        )
        connection.execute(
            dialect_insert(OffenderLink).from_select(columns, cases).on_conflict_do_nothing()
        )


def _chunks(ids: list[int] | None, size: int = 500):
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
