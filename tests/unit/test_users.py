"""Users: the first administrator, adding with validation, disabling, signing in, audit of attempts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import PermissionDenied, UserError, ValidationError
from app.core.vocabulary import AuditAction, Role
from app.models import AuditEntry, User
from app.services import users
from tests.factories import make_user

GOOD_PASSWORD = "correct horse battery"


def test_first_administrator_only_on_an_empty_database(db):
    with db.unit_of_work(None) as session:
        session.info["actor"] = users.system_actor(session)
        assert users.needs_first_administrator(session)
        admin = users.create_first_administrator(
            session, username="Ada", full_name="Ada Admin", state="Texas", password=GOOD_PASSWORD
        )
        assert admin.username == "ada" and admin.jurisdiction_code == "TX"
        assert admin.role_set == {Role.STATE_ADMINISTRATOR}
        assert admin.password_hash and GOOD_PASSWORD not in admin.password_hash
        assert not users.needs_first_administrator(session)
        with pytest.raises(UserError, match="already has users"):
            users.create_first_administrator(
                session, username="eve", full_name="Eve", state="TX", password=GOOD_PASSWORD
            )


def test_every_bad_field_is_named_at_once(db, system):
    with db.unit_of_work(system) as session, pytest.raises(ValidationError) as caught:
        users.add_user(
            session, system, username="X", full_name=" ", state="ZZ", roles=[], password="short"
        )
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["username", "full name", "state", "role", "password"]


def test_duplicate_usernames_are_refused(db, system):
    with db.unit_of_work(system) as session:
        make_user(session, "dup.user")
    with db.unit_of_work(system) as session, pytest.raises(ValidationError, match="already taken"):
        users.add_user(
            session, system, username="DUP.user", full_name="D", state="TX",
            roles=[Role.OFFICER], password=GOOD_PASSWORD,
        )  # fmt: skip


def test_national_office_role_only_for_the_national_office(db, system):
    with (
        db.unit_of_work(system) as session,
        pytest.raises(ValidationError, match="National Office"),
    ):
        users.add_user(
            session, system, username="nat", full_name="N", state="TX",
            roles=[Role.NATIONAL_OFFICE], password=GOOD_PASSWORD,
        )  # fmt: skip


def test_administrators_manage_their_own_state_only(db, system):
    with db.unit_of_work(system) as session:
        tx_admin = users.actor_from_user(
            make_user(session, "tx.admin", "TX", [Role.STATE_ADMINISTRATOR])
        )
        officer = users.actor_from_user(make_user(session, "tx.po", "TX", [Role.OFFICER]))
        make_user(session, "va.po", "VA", [Role.OFFICER])
    with db.unit_of_work(tx_admin) as session:
        users.add_user(
            session, tx_admin, username="tx.new", full_name="New", state="TX",
            roles=[Role.OFFICER], password=GOOD_PASSWORD,
        )  # fmt: skip
        with pytest.raises(PermissionDenied):
            users.add_user(
                session, tx_admin, username="va.new", full_name="New", state="VA",
                roles=[Role.OFFICER], password=GOOD_PASSWORD,
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            users.disable_user(session, tx_admin, "va.po")
        listed = [row.username for row in users.list_users(session, tx_admin)]
        assert "va.po" not in listed and "tx.po" in listed
    with db.unit_of_work(officer) as session, pytest.raises(PermissionDenied):
        users.list_users(session, officer)


def test_sign_in_checks_the_password_and_audits_both_outcomes(db, system):
    with db.unit_of_work(system) as session:
        make_user(session, "signer")
    with db.unit_of_work(None) as session:
        assert users.authenticate(session, "signer", "wrong password!") is None
    with db.unit_of_work(None) as session:
        actor = users.authenticate(session, " Signer ", GOOD_PASSWORD)
    assert actor is not None and actor.username == "signer"
    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.action.in_([AuditAction.SIGN_IN, AuditAction.SIGN_IN_FAILED])
            )
        ).all()
        notes = " ".join(
            session.scalars(select(AuditEntry.note).where(AuditEntry.note.is_not(None)))
        )
    assert AuditAction.SIGN_IN_FAILED in actions and AuditAction.SIGN_IN in actions
    assert "wrong password" not in notes


def test_disabled_users_and_the_system_account_cannot_sign_in(db, system):
    with db.unit_of_work(system) as session:
        make_user(session, "leaver")
        users.disable_user(session, system, "leaver")
    with db.unit_of_work(None) as session:
        assert users.authenticate(session, "leaver", GOOD_PASSWORD) is None
        assert users.authenticate(session, "system", "") is None


def test_an_administrator_cannot_disable_themselves(db, system):
    with db.unit_of_work(system) as session:
        admin = users.actor_from_user(
            make_user(session, "self.admin", "TX", [Role.STATE_ADMINISTRATOR])
        )
    with db.unit_of_work(admin) as session, pytest.raises(UserError, match="your own account"):
        users.disable_user(session, admin, "self.admin")
    with db.read() as session:
        assert session.scalar(select(User.active).where(User.username == "self.admin"))
