"""The search box: name prefix, 'contains', identifiers, aliases, paging, the cap, state boundaries."""

from __future__ import annotations

import pytest

from app.core.vocabulary import Role
from app.models import Alias, FormerOffenderNumber
from app.models.base import utcnow
from app.services import offenders as search_service
from app.services.offenders import OffenderSearch, SearchKind
from app.services.users import actor_from_user
from tests.factories import make_case, make_offender, make_user


@pytest.fixture
def people(db, system):
    with db.unit_of_work(system) as session:
        smith = make_offender(session, last_name="Smith", first_name="John", fbi_number="12345-AB1",
                              state_id="tx 998877", ssn="123456789", offender_number="5550001")  # fmt: skip
        smyth = make_offender(
            session, last_name="Smyth", first_name="Joan", offender_number="5550002"
        )
        nunez = make_offender(
            session, last_name="Núñez", first_name="José", offender_number="5550003"
        )
        nunez.aliases.append(Alias(last_name="Nunes", first_name="Joe"))
        ca_only = make_offender(session, last_name="Smithers", first_name="Wayland",
                                created_by_state="CA", offender_number="5550004")  # fmt: skip
        session.add(
            FormerOffenderNumber(number="OLD-77", offender_id=smyth.id, retired_at=utcnow())
        )
        make_case(session, smyth, sending_state="TX", receiving_state="OK")
        return {"smith": smith.id, "smyth": smyth.id, "nunez": nunez.id, "ca_only": ca_only.id}


def names(db, actor, text, contains=False):
    with db.read() as session:
        result = search_service.search(session, actor, OffenderSearch(text, contains))
    return [(row.display_name, row.matched_alias) for row in result.rows], result.count


@pytest.mark.parametrize(
    "text, contains, kind",
    [
        ("", False, SearchKind.ALL),
        ("   ", False, SearchKind.ALL),
        ("smi", False, SearchKind.NAME_PREFIX),
        ("*mit", False, SearchKind.NAME_FRAGMENT),
        ("mit", True, SearchKind.NAME_FRAGMENT),
        ("mi", True, SearchKind.NAME_PREFIX),
        ("5550001", False, SearchKind.IDENTIFIER),
        ("123-45-6789", False, SearchKind.IDENTIFIER),
    ],
)
def test_what_was_typed_decides_the_kind(text, contains, kind):
    assert OffenderSearch(text, contains).kind is kind


def test_name_prefix_ignores_case_and_accents_and_finds_aliases(db, system, people):
    found, count = names(db, system, "smi")
    assert found == [("Smith, John", None), ("Smithers, Wayland", None)] and count == 2
    found, _ = names(db, system, "nun")
    assert found == [("Núñez, José", "Nunes, Joe"), ("Núñez, José", None)]
    found, _ = names(db, system, "NUÑEZ, jo")
    assert found == [("Núñez, José", None)]
    found, _ = names(db, system, ", jo")
    # First-name order: Joan, Joe (an alias), John, José.
    assert [n for n, _ in found] == ["Smyth, Joan", "Núñez, José", "Smith, John", "Núñez, José"]


def test_contains_finds_a_fragment_anywhere(db, system, people):
    found, _ = names(db, system, "*ITH")
    assert sorted(n for n, _ in found) == ["Smith, John", "Smithers, Wayland"]
    found, _ = names(db, system, "oan", contains=True)
    assert found == [("Smyth, Joan", None)]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("5550001", "Smith, John"),  # offender number
        ("5550", None),  # a prefix of four or more characters lists every number starting so
        ("12345ab1", "Smith, John"),  # FBI number, separators and case ignored
        ("TX-998877", "Smith, John"),  # state id
        ("123-45-6789", "Smith, John"),  # SSN
        ("old-77", "Smyth, Joan"),  # a number retired by a merge still finds the profile
    ],
)
def test_identifiers_find_the_profile(db, system, people, typed, expected):
    found, count = names(db, system, typed)
    if expected is None:
        assert count == 4
    else:
        assert [n for n, _ in found] == [expected]


def test_state_users_see_only_profiles_linked_to_their_state(db, system, people):
    with db.unit_of_work(system) as session:
        tx = actor_from_user(make_user(session, "tx.search", "TX", [Role.OFFICER]))
        ok = actor_from_user(make_user(session, "ok.search", "OK", [Role.OFFICER]))
        ca = actor_from_user(make_user(session, "ca.search", "CA", [Role.OFFICER]))
    assert names(db, tx, "smi")[0] == [("Smith, John", None)]
    assert names(db, ca, "smi")[0] == [("Smithers, Wayland", None)]
    # Oklahoma sees Smyth only through the case it receives.
    assert names(db, ok, "")[0] == [("Smyth, Joan", None)]
    assert names(db, ok, "")[1] == 1
    assert names(db, ok, "5550001")[1] == 0
    assert names(db, ok, "*oan")[0] == [("Smyth, Joan", None)]


def test_pages_follow_the_list_order(db, system):
    with db.unit_of_work(system) as session:
        for index in range(30):
            make_offender(session, last_name=f"Page{index:02d}", first_name="Row")
    search = OffenderSearch("page")
    with db.read() as session:
        count, capped = search_service.count_offenders(session, system, search)
        first = search_service.offender_page(session, system, search, 0, 10)
        third = search_service.offender_page(session, system, search, 20, 10)
        beyond = search_service.offender_page(session, system, search, 30, 10)
    assert (count, capped) == (30, False)
    assert [r.last_name for r in first] == [f"Page{i:02d}" for i in range(10)]
    assert [r.last_name for r in third] == [f"Page{i:02d}" for i in range(20, 30)]
    assert beyond == []


def test_counts_stop_at_the_cap(db, system, monkeypatch):
    monkeypatch.setattr(search_service, "MATCH_CAP", 5)
    with db.unit_of_work(system) as session:
        for index in range(8):
            make_offender(session, last_name="Capped", first_name=f"N{index}")
    with db.read() as session:
        count, capped = search_service.count_offenders(session, system, OffenderSearch("capp"))
        rows = search_service.offender_page(session, system, OffenderSearch("capp"), 3, 10)
    assert (count, capped) == (5, True)
    assert len(rows) == 2


def test_renaming_keeps_the_name_index_in_step(db, system, people):
    with db.unit_of_work(system) as session:
        from app.models import Offender

        session.get(Offender, people["smith"]).last_name = "Renamed"
    assert names(db, system, "renam")[0] == [("Renamed, John", None)]
    assert "Smith, John" not in [n for n, _ in names(db, system, "*ITH")[0]]


@pytest.mark.parametrize("state_user", [False, True])
def test_paging_after_a_row_equals_paging_by_offset(db, system, state_user):
    with db.unit_of_work(system) as session:
        for index in range(25):
            # Same names on purpose: the id must break ties so that no row is lost or repeated.
            make_offender(session, last_name=f"Key{index % 4}", first_name="Same")
        actor = system
        if state_user:
            actor = actor_from_user(make_user(session, "tx.pager", "TX", [Role.OFFICER]))
    everything = OffenderSearch("")
    with db.read() as session:
        total, _ = search_service.count_offenders(session, actor, everything)
        by_offset = search_service.offender_page(session, actor, everything, 0, total)
        pages, after = [], None
        while True:
            page = search_service.offender_page(session, actor, everything, 0, 7, after=after)
            if not page:
                break
            pages.extend(page)
            after = page[-1].page_key
    assert total >= 25
    assert [r.id for r in pages] == [r.id for r in by_offset]
