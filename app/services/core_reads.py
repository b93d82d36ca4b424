"""Reads in SQLAlchemy Core alone, so that start-up paints the signed-in window before it imports the
ORM and the entity classes: the account signing in, and the whole offender list (count and pages).

The tables are named here with only the columns these reads use; a test checks them against the
entities. The ORM services call these same functions, so each read has one implementation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Date,
    Integer,
    String,
    column,
    exists,
    func,
    select,
    table,
    tuple_,
)

from app.core.permissions import Actor
from app.core.vocabulary import Role, Sex, WarrantStatus
from app.services.offender_rows import OffenderRow

USER = table(
    "app_user",
    column("id", Integer),
    column("username", String),
    column("jurisdiction_code", String),
    column("password_hash", String),
    column("active", Boolean),
    column("is_system", Boolean),
)
USER_ROLE = table("user_role", column("user_id", Integer), column("role", String))
OFFENDER = table(
    "offender",
    column("id", Integer),
    column("offender_number", String),
    column("last_name", String),
    column("first_name", String),
    column("middle_name", String),
    column("suffix", String),
    column("last_name_key", String),
    column("first_name_key", String),
    column("date_of_birth", Date),
    column("sex", String),
    column("fbi_number", String),
    column("state_id", String),
    column("created_by_state", String),
    column("sex_offender", Boolean),
    column("victim_sensitive", Boolean),
    column("history_of_assault", Boolean),
)
OFFENDER_LINK = table(
    "offender_link",
    column("jurisdiction_code", String),
    column("offender_id", Integer),
    column("last_name_key", String),
    column("first_name_key", String),
)
WARRANT_STATUS_RECORD = table(
    "warrant_status_record", column("offender_id", Integer), column("status", String)
)


@dataclass(frozen=True)
class SignInCandidate:
    """An active user who may sign in, before the password is checked."""

    username: str
    actor: Actor
    password_hash: str | None


def sign_in_candidate(connection: Connection, username: str) -> SignInCandidate | None:
    """The account a sign-in names, or None when there is no active account of that name."""
    name = username.strip().lower()
    user = connection.execute(
        select(
            USER.c.id,
            USER.c.username,
            USER.c.jurisdiction_code,
            USER.c.password_hash,
            USER.c.active,
            USER.c.is_system,
        ).where(USER.c.username == name)
    ).first()
    if user is None or user.is_system or not user.active:
        return None
    roles = connection.scalars(select(USER_ROLE.c.role).where(USER_ROLE.c.user_id == user.id))
    actor = Actor(
        user_id=user.id,
        username=user.username,
        jurisdiction_code=user.jurisdiction_code,
        roles=frozenset(Role(role) for role in roles),
        is_system=user.is_system,
    )
    return SignInCandidate(name, actor, user.password_hash)


def own_links(actor: Actor) -> ColumnElement[bool] | None:
    """The whole list's state boundary (`app.services.policy` names it): a state's users list the
    profiles linked to their state; the National Office and the system account list them all."""
    if actor.sees_all_states:
        return None
    return OFFENDER_LINK.c.jurisdiction_code == actor.jurisdiction_code


def whole_list_order(actor: Actor) -> tuple:
    """The whole list's order; unique, so a page can start after the last row of the previous one."""
    if actor.sees_all_states:
        return (OFFENDER.c.last_name_key, OFFENDER.c.first_name_key, OFFENDER.c.id)
    return (
        OFFENDER_LINK.c.last_name_key,
        OFFENDER_LINK.c.first_name_key,
        OFFENDER_LINK.c.offender_id,
    )


def count_whole_list(connection: Connection, actor: Actor) -> int:
    """How many profiles the unfiltered list holds for the actor, counted exactly."""
    linked = own_links(actor)
    if linked is None:
        return connection.scalar(select(func.count()).select_from(OFFENDER)) or 0
    return connection.scalar(select(func.count()).select_from(OFFENDER_LINK).where(linked)) or 0


def whole_list_page(
    connection: Connection, actor: Actor, offset: int, limit: int, after: tuple | None = None
) -> list[OffenderRow]:
    """Rows [offset, offset+limit) of the unfiltered list in name order, or, given `after` (a row's
    `page_key`), the `limit` rows right after that row, at the same cost at any depth."""
    order = whole_list_order(actor)
    query = select(*order)
    linked = own_links(actor)
    if linked is not None:
        query = query.where(linked)
    if after is not None:
        query = query.where(tuple_(*order) > tuple_(*after))
    else:
        query = query.offset(offset)
    keys = connection.execute(query.order_by(*order).limit(limit)).all()
    if not keys:
        return []
    rows = {row.id: row for row in connection.execute(_rows_query([key[2] for key in keys]))}
    return [
        _offender_row(rows[offender_id], page_key=(last_key, first_key, offender_id))
        for last_key, first_key, offender_id in keys
        if offender_id in rows
    ]


def _rows_query(offender_ids: list[int]):
    active_warrant = exists().where(
        WARRANT_STATUS_RECORD.c.offender_id == OFFENDER.c.id,
        WARRANT_STATUS_RECORD.c.status == WarrantStatus.ACTIVE.value,
    )
    return select(
        OFFENDER.c.id,
        OFFENDER.c.offender_number,
        OFFENDER.c.last_name,
        OFFENDER.c.first_name,
        OFFENDER.c.middle_name,
        OFFENDER.c.suffix,
        OFFENDER.c.date_of_birth,
        OFFENDER.c.sex,
        OFFENDER.c.fbi_number,
        OFFENDER.c.state_id,
        OFFENDER.c.created_by_state,
        OFFENDER.c.sex_offender,
        OFFENDER.c.victim_sensitive,
        OFFENDER.c.history_of_assault,
        active_warrant.label("active_warrant"),
    ).where(OFFENDER.c.id.in_(offender_ids))


def _offender_row(row, *, page_key: tuple) -> OffenderRow:
    values = row._asdict()
    # The entity reads the column as the enum; so does every row the list shows.
    values["sex"] = Sex(values["sex"]) if values["sex"] else None
    values["active_warrant"] = bool(values["active_warrant"])
    return OffenderRow(**values, page_key=page_key)
