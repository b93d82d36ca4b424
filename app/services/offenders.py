"""Finding offender profiles: the search box and the offender list, paged, within state boundaries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, column, func, literal, select, table, text, union
from sqlalchemy.orm import Session

from app.core.permissions import Actor
from app.core.text import digits_only, identifier_key, name_key
from app.models import Alias, FormerOffenderNumber, Offender, OffenderName
from app.services import core_reads
from app.services.offender_rows import (
    MATCH_CAP,
    MIN_FRAGMENT,
    MIN_NUMBER_PREFIX,
    OffenderRow,
    OffenderSearch,
    SearchKind,
)
from app.services.policy import offender_visible
from app.services.warrants import active_record_exists

__all__ = [
    "MATCH_CAP",
    "MIN_FRAGMENT",
    "MIN_NUMBER_PREFIX",
    "OffenderRow",
    "OffenderSearch",
    "SearchKind",
    "SearchResult",
    "count_offenders",
    "offender_page",
    "search",
]


@dataclass(frozen=True)
class SearchResult:
    count: int
    capped: bool
    rows: list[OffenderRow]


def _prefix_bounds(prefix: str) -> tuple[str, str]:
    """[prefix, upper) covers exactly the keys starting with prefix under byte ordering."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


_ROW_COLUMNS = (
    Offender.id,
    Offender.offender_number,
    Offender.last_name,
    Offender.first_name,
    Offender.middle_name,
    Offender.suffix,
    Offender.date_of_birth,
    Offender.sex,
    Offender.fbi_number,
    Offender.state_id,
    Offender.created_by_state,
    Offender.sex_offender,
    Offender.victim_sensitive,
    Offender.history_of_assault,
    active_record_exists(Offender.id).label("active_warrant"),
)


def _name_parts(search_text: str) -> tuple[str, str]:
    raw = search_text.strip().lstrip("*")
    if "," in raw:
        last, first = raw.split(",", 1)
        return name_key(last), name_key(first)
    return name_key(raw), ""


def _ordered_ids(session: Session, actor: Actor, search: OffenderSearch) -> Select:
    """A select of (offender_id, alias_id) in display order for a search (never the whole list,
    which `core_reads` reads); its count is capped at MATCH_CAP."""
    kind = search.kind
    if kind is SearchKind.IDENTIFIER:
        return _identifier_query(actor, search.text)
    query = select(OffenderName.offender_id, OffenderName.alias_id)
    if kind is SearchKind.NAME_FRAGMENT:
        fragment = name_key(search.text.strip().lstrip("*"))
        if session.get_bind().dialect.name == "sqlite":
            # Driving the query from the FTS table returns matches in rowid order, so LIMIT and
            # the capped count stop early; an IN (subquery) would gather every match first.
            fts = table("offender_name_fts", column("rowid"))
            quoted = '"' + fragment.replace('"', '""') + '"'
            query = (
                query.select_from(fts)
                .join(OffenderName, OffenderName.id == fts.c.rowid)
                .where(text("offender_name_fts MATCH :fragment").bindparams(fragment=quoted))
            )
            order: tuple = (fts.c.rowid,)
        else:
            # PostgreSQL answers LIKE '%…%' from the pg_trgm index on full_key.
            query = query.where(OffenderName.full_key.contains(fragment, autoescape=True))
            order = (OffenderName.id,)
    else:
        last, first = _name_parts(search.text)
        # The typed last name leads the order; ', first' alone searches and orders by first name.
        keys = [OffenderName.last_name_key, OffenderName.first_name_key]
        if not last:
            keys.reverse()
        for key_column, prefix in zip(keys, (last, first) if last else (first,), strict=False):
            if prefix:
                low, high = _prefix_bounds(prefix)
                query = query.where(key_column >= low, key_column < high)
        order = (*keys, OffenderName.offender_id)
    visible = offender_visible(actor, OffenderName.offender_id)
    if visible is not None:
        query = query.where(visible)
    return query.order_by(*order)


def _identifier_query(actor: Actor, search_text: str) -> Select:
    key = identifier_key(search_text)
    digits = digits_only(search_text)
    # Profile numbers are kept as the source system wrote them, so try them as typed too.
    numbers = {key, search_text.strip(), search_text.strip().upper()}
    branches = [
        select(Offender.id.label("offender_id")).where(Offender.fbi_number == key),
        select(Offender.id).where(Offender.state_id == key),
        select(Offender.id).where(Offender.offender_number.in_(numbers)),
        select(FormerOffenderNumber.offender_id).where(FormerOffenderNumber.number.in_(numbers)),
    ]
    if len(digits) == 9 and len(key) == 9:
        branches.append(select(Offender.id).where(Offender.ssn == digits))
    if len(key) >= MIN_NUMBER_PREFIX:
        low, high = _prefix_bounds(key)
        branches.append(
            select(Offender.id).where(
                Offender.offender_number >= low, Offender.offender_number < high
            )
        )
    ids = union(*branches).subquery()
    query = select(ids.c.offender_id, literal(None).label("alias_id")).join(
        Offender, Offender.id == ids.c.offender_id
    )
    visible = offender_visible(actor, ids.c.offender_id)
    if visible is not None:
        query = query.where(visible)
    return query.order_by(Offender.last_name_key, Offender.first_name_key, Offender.id)


def count_offenders(session: Session, actor: Actor, search: OffenderSearch) -> tuple[int, bool]:
    """How many rows the list has, and whether that number was cut at MATCH_CAP."""
    if search.kind is SearchKind.ALL:
        return core_reads.count_whole_list(session.connection(), actor), False
    limited = _ordered_ids(session, actor, search).order_by(None).limit(MATCH_CAP + 1).subquery()
    found = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(found, MATCH_CAP), found > MATCH_CAP


def offender_page(
    session: Session,
    actor: Actor,
    search: OffenderSearch,
    offset: int,
    limit: int,
    after: tuple | None = None,
) -> list[OffenderRow]:
    """Rows [offset, offset+limit) of the list.

    `after` (a row's `page_key`) starts the page right after that row instead of counting `offset`
    rows: the unfiltered list of a million profiles scrolls page by page in constant time, where an
    OFFSET costs time in proportion to how far down it goes.
    """
    if search.kind is SearchKind.ALL:
        return core_reads.whole_list_page(session.connection(), actor, offset, limit, after)
    limit = max(0, min(limit, MATCH_CAP - offset))
    keys = session.execute(_ordered_ids(session, actor, search).offset(offset).limit(limit)).all()
    if not keys:
        return []
    offender_ids = {k[0] for k in keys}
    alias_ids = {k[1] for k in keys if k[1] is not None}
    offenders = {
        r.id: r for r in session.execute(select(*_ROW_COLUMNS).where(Offender.id.in_(offender_ids)))
    }
    aliases = {}
    if alias_ids:
        aliases = {
            r.id: f"{r.last_name}, {r.first_name}"
            for r in session.execute(
                select(Alias.id, Alias.last_name, Alias.first_name).where(Alias.id.in_(alias_ids))
            )
        }
    return [
        OffenderRow(*offenders[key[0]], matched_alias=aliases.get(key[1]))
        for key in keys
        if key[0] in offenders
    ]


def search(
    session: Session, actor: Actor, search: OffenderSearch, limit: int = 100
) -> SearchResult:
    count, capped = count_offenders(session, actor, search)
    return SearchResult(count, capped, offender_page(session, actor, search, 0, limit))
