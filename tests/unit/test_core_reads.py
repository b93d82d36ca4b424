"""The Core reads start-up makes before the ORM is loaded: their tables, the account, the whole list."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Boolean, Date

from app.core.vocabulary import Role, Sex, WarrantStatus
from app.models import WarrantStatusRecord, load_all
from app.services import core_reads
from app.services.users import actor_from_user
from tests.factories import make_offender, make_user

TABLES = [
    core_reads.USER,
    core_reads.USER_ROLE,
    core_reads.OFFENDER,
    core_reads.OFFENDER_LINK,
    core_reads.WARRANT_STATUS_RECORD,
]


@pytest.mark.parametrize("light", TABLES, ids=lambda light: light.name)
def test_each_table_names_columns_of_its_entity_with_the_same_kind_of_value(light):
    entity = load_all().tables[light.name]

    for column in light.c:
        assert column.name in entity.c, f"{light.name}.{column.name}"
        # Dates and booleans need the type for the driver's values to come back as Python's.
        for kind in (Date, Boolean):
            assert isinstance(column.type, kind) == isinstance(entity.c[column.name].type, kind)


def test_the_candidate_is_the_actor_the_entity_gives(db, system):
    with db.unit_of_work(system) as session:
        user = make_user(session, "pat.clerk", state="VA", roles=(Role.OFFICER, Role.SUPERVISOR))
        expected = actor_from_user(user)

    with db.read_connection() as connection:
        candidate = core_reads.sign_in_candidate(connection, " PAT.clerk ")
        assert core_reads.sign_in_candidate(connection, "system") is None
        assert core_reads.sign_in_candidate(connection, "nobody") is None

    assert candidate is not None
    assert candidate.actor == expected
    assert candidate.username == "pat.clerk"
    assert candidate.password_hash == user.password_hash


def test_a_page_of_the_whole_list_reads_as_the_entities_do(db, system):
    with db.unit_of_work(system) as session:
        wanted = make_offender(
            session, last_name="Aaberg", date_of_birth=date(1970, 5, 6), sex="F", sex_offender=True
        )
        make_offender(session, last_name="Zorn")
        session.add(
            WarrantStatusRecord(
                warrant_status_id="W-CORE-1",
                offender_id=wanted.id,
                status=WarrantStatus.ACTIVE,
                issued_date=date(2026, 1, 2),
                issuing_authority="Court",
                created_by="test",
                updated_by="test",
            )
        )

    with db.read_connection() as connection:
        first = core_reads.whole_list_page(connection, system, 0, 1)
        (row,) = first
        after = core_reads.whole_list_page(connection, system, 0, 5, after=row.page_key)

    assert row.id == wanted.id
    assert row.date_of_birth == date(1970, 5, 6)
    assert row.sex is Sex.FEMALE
    assert row.special_statuses == ("Sex offender", "Warrant Status")
    assert [r.last_name for r in after] == ["Zorn"]
    assert after[0].special_statuses == ()
