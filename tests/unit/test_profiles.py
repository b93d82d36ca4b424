"""Creating and editing profiles: validation, the duplicate check and its certification, conflicts,
state boundaries, the audited SSN reveal and the History tab's lines."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.errors import ConcurrencyConflict, NotFound, PermissionDenied, ValidationError
from app.core.vocabulary import AuditAction, Role
from app.models import AuditEntry, Offender
from app.services import profiles
from app.services.profiles import DuplicateCheckRequired
from app.services.users import actor_from_user
from tests.factories import make_case, make_offender, make_user

JOHN = {
    "last_name": "Rivera",
    "first_name": "Juan",
    "date_of_birth": "04/05/1980",
    "sex": "M",
    "ssn": "123-45-6789",
    "fbi_number": "123456AB1",
}


@pytest.fixture
def officers(db, system):
    with db.unit_of_work(system) as session:
        texas = make_user(session, "tx.officer", "TX")
        virginia = make_user(session, "va.officer", "VA")
        national = make_user(session, "no.staff", "NO", roles=(Role.NATIONAL_OFFICE,))
        return actor_from_user(texas), actor_from_user(virginia), actor_from_user(national)


def test_create_keeps_the_clean_values_and_links_the_creating_state(db, officers):
    texas, virginia, _ = officers
    with db.unit_of_work(texas) as session:
        offender = profiles.create_offender(session, texas, JOHN)
        offender_id, number = offender.id, offender.offender_number
    with db.read() as session:
        stored = session.get(Offender, offender_id)
        assert (stored.ssn, stored.fbi_number, stored.date_of_birth) == (
            "123456789",
            "123456AB1",
            date(1980, 4, 5),
        )
        assert stored.created_by_state == "TX" and stored.created_by_user_id == texas.user_id
        assert number.isdigit() and len(number) == 7
        with pytest.raises(NotFound):
            profiles.history(session, virginia, offender_id)


def test_every_broken_rule_is_named_and_nothing_is_written(db, officers):
    texas, _, _ = officers
    bad = dict(JOHN, last_name="", ssn="000-12-3456", date_of_birth="01/01/2020", fbi_number="??")
    with db.unit_of_work(texas) as session:
        before = session.query(Offender).count()
        with pytest.raises(ValidationError) as raised:
            profiles.create_offender(session, texas, bad)
        assert session.query(Offender).count() == before
    fields = dict(raised.value.problems)
    assert fields["last_name"] == "is required"
    assert "area number 000" in fields["ssn"]
    assert "under 14" in fields["date_of_birth"]
    assert "letters and digits" in fields["fbi_number"]


def test_a_possible_match_needs_a_certification_that_is_recorded(db, officers):
    texas, virginia, _ = officers
    with db.unit_of_work(texas) as session:
        first = profiles.create_offender(session, texas, JOHN)
    same_ssn = dict(JOHN, last_name="Rivers", first_name="John", fbi_number="")
    with db.unit_of_work(virginia) as session, pytest.raises(DuplicateCheckRequired) as raised:
        profiles.create_offender(session, virginia, same_ssn)
    [match] = raised.value.matches
    # Virginia is not linked to Texas's profile: it learns that one exists and whose it is, no more.
    assert (match.visible, match.offender_number, match.created_by_state) == (
        False,
        first.offender_number,
        "TX",
    )
    assert match.reasons == ("same SSN",) and match.display_name != "Rivera, Juan"
    with db.unit_of_work(virginia) as session:
        second = profiles.create_offender(session, virginia, same_ssn, certified_not_duplicate=True)
        assert second.not_duplicate_certified_by_id == virginia.user_id
        assert second.not_duplicate_certified_at is not None


def test_same_name_and_birth_date_is_a_match_visible_to_a_linked_state(db, officers):
    texas, _, _ = officers
    with db.unit_of_work(texas) as session:
        profiles.create_offender(session, texas, JOHN)
    with db.read() as session:
        values = profiles.clean_offender_values(dict(JOHN, ssn="", fbi_number=""))
        [match] = profiles.possible_matches(session, texas, values)
    assert match.visible and match.display_name == "Rivera, Juan"
    assert match.reasons == ("same name and date of birth",)


def test_the_national_office_does_not_create_profiles(db, officers):
    _, _, national = officers
    with db.unit_of_work(national) as session, pytest.raises(PermissionDenied):
        profiles.create_offender(session, national, JOHN)


def test_edit_saves_changes_and_keeps_the_masked_ssn(db, officers):
    texas, _, _ = officers
    with db.unit_of_work(texas) as session:
        offender = profiles.create_offender(session, texas, JOHN)
        offender_id, version = offender.id, offender.version
        form = profiles.offender_form_values(offender)
    assert form["ssn"] == "***-**-6789"
    with db.unit_of_work(texas) as session:
        profiles.update_offender(
            session, texas, offender_id, version, dict(form, first_name="Juanito")
        )
    with db.read() as session:
        stored = session.get(Offender, offender_id)
        assert (stored.first_name, stored.ssn) == ("Juanito", "123456789")
        lines = profiles.history(session, texas, offender_id)
    change = next(line for line in lines if line.field == "first_name")
    assert (change.actor_name, change.old, change.new) == ("tx.officer", "Juan", "Juanito")


def test_the_second_save_is_told_who_changed_the_profile_and_sees_both(db, officers, system):
    texas, _, _ = officers
    with db.unit_of_work(texas) as session:
        offender = profiles.create_offender(session, texas, JOHN)
        offender_id, version = offender.id, offender.version
        form = profiles.offender_form_values(offender)
    with db.unit_of_work(system) as session:
        other = make_user(session, "tx.colleague", "TX")
    colleague = actor_from_user(other)
    with db.unit_of_work(colleague) as session:
        profiles.update_offender(
            session, colleague, offender_id, version, dict(form, last_name="Rivero")
        )
    with db.unit_of_work(texas) as session, pytest.raises(ConcurrencyConflict) as raised:
        profiles.update_offender(session, texas, offender_id, version, dict(form, suffix="Jr."))
    conflict = raised.value
    assert "tx.colleague" in str(conflict)
    assert conflict.theirs["last_name"] == "Rivero" and conflict.mine["last_name"] == "Rivera"
    assert conflict.mine["suffix"] == "Jr." and conflict.theirs["suffix"] is None
    assert conflict.mine["ssn"] == "***-**-6789"
    with db.read() as session:
        assert session.get(Offender, offender_id).suffix is None


def test_editing_needs_a_link_to_the_profile(db, officers):
    texas, virginia, _ = officers
    with db.unit_of_work(texas) as session:
        offender = profiles.create_offender(session, texas, JOHN)
        offender_id, version = offender.id, offender.version
    with db.unit_of_work(virginia) as session, pytest.raises(NotFound):
        profiles.update_offender(session, virginia, offender_id, version, JOHN)
    with db.unit_of_work(texas) as session:
        make_case(session, session.get(Offender, offender_id), receiving_state="VA")
    with db.unit_of_work(virginia) as session:
        profiles.update_offender(session, virginia, offender_id, version, dict(JOHN, suffix="Sr."))


def test_revealing_the_ssn_is_audited(db, officers):
    texas, _, _ = officers
    with db.unit_of_work(texas) as session:
        offender_id = profiles.create_offender(session, texas, JOHN).id
    with db.unit_of_work(texas) as session:
        assert profiles.reveal_ssn(session, texas, offender_id) == "123456789"
    with db.read() as session:
        entry = (
            session.query(AuditEntry)
            .filter_by(offender_id=offender_id, action=AuditAction.VIEW_SENSITIVE)
            .one()
        )
    assert entry.actor_name == "tx.officer" and "123456789" not in str(entry.changes)


def test_history_pages_backwards(db, system):
    with db.unit_of_work(system) as session:
        offender = make_offender(session)
        for n in range(5):
            offender.middle_name = f"M{n}"
            session.flush()
    with db.read() as session:
        first = profiles.history(session, system, offender.id, limit=3)
        rest = profiles.history(session, system, offender.id, before_id=first[-1].id, limit=10)
    assert [line.new for line in first] == ["M4", "M3", "M2"]
    assert [line.new for line in rest if line.field == "middle_name"] == ["M1", "M0"]
