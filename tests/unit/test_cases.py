"""Compact cases: creation, and exactly one way off the workload at a time, with the reasons."""

from __future__ import annotations

import pytest

from app.core.errors import ConcurrencyConflict, PermissionDenied, UserError, ValidationError
from app.core.vocabulary import ActivityStatus, ActivityType, CaseStatus, Role, SupervisionType
from app.models import Activity, CompactCase, OffenderLink
from app.services import activities, cases
from app.services.cases import CaseActionKind as Kind
from app.services.users import actor_from_user
from tests.factories import make_offender, make_user


def add_activity(session, case, kind, status=ActivityStatus.TRANSMITTED):
    number = f"T{session.query(Activity).count() + 1:08d}"
    activity = Activity(activity_number=number, case_id=case.id, type=kind,
                        from_state=case.sending_state, to_state=case.receiving_state, status=status)  # fmt: skip
    session.add(activity)
    session.flush()
    return activity


@pytest.fixture
def world(db, system):
    with db.unit_of_work(system) as session:
        texas = actor_from_user(make_user(session, "tx.po", "TX"))
        virginia = actor_from_user(make_user(session, "va.po", "VA"))
        ohio = actor_from_user(make_user(session, "oh.po", "OH"))
        texas_office = actor_from_user(make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,)))
        virginia_office = actor_from_user(make_user(session, "va.co", "VA", (Role.COMPACT_OFFICE,)))
        offender = make_offender(session, created_by_state="TX")
        return {"TX": texas, "VA": virginia, "OH": ohio, "TX_CO": texas_office,
                "VA_CO": virginia_office, "offender": offender.id}  # fmt: skip


def transmit(db, office, activity_id):
    """The compact office's approval, which sends a managed activity to the other state."""
    with db.unit_of_work(office) as session:
        activity = session.get(Activity, activity_id)
        activities.transmit(session, office, activity_id, activity.version)


def new_case(db, world, **extra):
    values = {"sending_state": "TX", "receiving_state": "Virginia", "supervision_type": "both"}
    values.update(extra)
    with db.unit_of_work(world["TX"]) as session:
        case = cases.create_case(session, world["TX"], world["offender"], values)
        return case.id


def available(db, actor, case_id):
    with db.read() as session:
        case = session.get(CompactCase, case_id)
        return {a.kind for a in cases.case_actions(session, actor, case) if a.available}


def explanations(db, actor, case_id):
    with db.read() as session:
        case = session.get(CompactCase, case_id)
        return {a.kind: a.explanation for a in cases.case_actions(session, actor, case)}


def test_a_new_case_links_both_states_to_the_profile(db, world):
    case_id = new_case(db, world, sending_assigned_user="TX.PO")
    with db.read() as session:
        case = session.get(CompactCase, case_id)
        assert (case.status, case.receiving_state, case.supervision_type) == (
            CaseStatus.PENDING,
            "VA",
            SupervisionType.BOTH,
        )
        assert case.sending_assigned_user_id == world["TX"].user_id
        links = set(
            session.query(OffenderLink.jurisdiction_code).filter_by(offender_id=world["offender"])
        )
    assert links == {("TX",), ("VA",)}


@pytest.mark.parametrize(
    "values, field, rule",
    [
        ({"receiving_state": "TX"}, "receiving_state", "must differ from the sending state"),
        ({"receiving_state": "Atlantis"}, "receiving_state", "two-letter code"),
        ({"supervision_type": ""}, "supervision_type", "is required"),
        ({"sending_assigned_user": "va.po"}, "sending_assigned_user", "must be a user of TX"),
    ],
)
def test_bad_case_values_are_named(db, world, values, field, rule):
    with pytest.raises(ValidationError) as raised:
        new_case(db, world, **values)
    assert field in dict(raised.value.problems) and rule in dict(raised.value.problems)[field]
    with db.read() as session:
        assert session.query(CompactCase).count() == 0


def test_only_the_sending_state_starts_a_case(db, world):
    with db.unit_of_work(world["OH"]) as session, pytest.raises(PermissionDenied):
        cases.create_case(session, world["OH"], world["offender"],
                          {"sending_state": "TX", "receiving_state": "VA", "supervision_type": "parole"})  # fmt: skip


def test_without_activity_only_remove_interest_is_offered_and_deletes_the_case(db, world):
    case_id = new_case(db, world)
    assert available(db, world["TX"], case_id) == {Kind.REMOVE_INTEREST}
    assert available(db, world["VA"], case_id) == set()
    assert "remove interest instead" in explanations(db, world["TX"], case_id)[Kind.WITHDRAW]
    with db.read() as session:
        version = session.get(CompactCase, case_id).version
    with db.unit_of_work(world["TX"]) as session:
        cases.remove_interest(session, world["TX"], case_id, version)
    with db.read() as session:
        assert session.get(CompactCase, case_id) is None
        links = set(
            session.query(OffenderLink.jurisdiction_code).filter_by(offender_id=world["offender"])
        )
    assert links == {("TX",)}


def test_with_activities_and_no_arrival_only_withdraw_is_offered(db, world):
    case_id = new_case(db, world)
    with db.unit_of_work(world["TX"]) as session:
        add_activity(session, session.get(CompactCase, case_id), ActivityType.TRANSFER_REQUEST)
    assert available(db, world["TX"], case_id) == {Kind.WITHDRAW}
    with db.read() as session:
        version = session.get(CompactCase, case_id).version
    with db.unit_of_work(world["TX"]) as session, pytest.raises(ValidationError):
        cases.withdraw_case(session, world["TX"], case_id, version, "  ")
    with (
        db.unit_of_work(world["VA"]) as session,
        pytest.raises(UserError, match="only the sending"),
    ):
        cases.withdraw_case(session, world["VA"], case_id, version, "not ours")
    with db.unit_of_work(world["TX"]) as session, pytest.raises(UserError, match="withdraw it"):
        cases.remove_interest(session, world["TX"], case_id, version)
    with db.unit_of_work(world["TX"]) as session:
        cases.withdraw_case(session, world["TX"], case_id, version, "offender absconded")
    with db.read() as session:
        assert session.get(CompactCase, case_id).status is CaseStatus.WITHDRAWN
    assert available(db, world["TX"], case_id) == set()
    assert "start a new case" in explanations(db, world["TX"], case_id)[Kind.REOPEN]


def test_after_arrival_the_case_closes_by_notice_and_agreeing_reply_then_reopens(db, world):
    case_id = new_case(db, world)
    with db.unit_of_work(world["TX"]) as session:
        case = session.get(CompactCase, case_id)
        add_activity(session, case, ActivityType.TRANSFER_REQUEST)
        add_activity(session, case, ActivityType.NOTICE_OF_ARRIVAL)
    assert available(db, world["VA"], case_id) == {Kind.CLOSE}
    assert explanations(db, world["TX"], case_id)[Kind.WITHDRAW] == (
        "not possible after a notice of arrival; send a case closure notice"
    )
    with db.read() as session:
        version = session.get(CompactCase, case_id).version
    with db.unit_of_work(world["VA"]) as session:
        notice = cases.send_case_closure_notice(session, world["VA"], case_id, version,
                                                {"closure_reason": "discharge", "closure_date": "2026-01-15",
                                                 "reason": "discharged"})  # fmt: skip
        assert (notice.from_state, notice.to_state) == ("VA", "TX")
        assert notice.status is ActivityStatus.PENDING_COMPACT_OFFICE
        notice_id = notice.id
    assert available(db, world["VA"], case_id) == set()
    assert "awaiting approval in VA" in explanations(db, world["VA"], case_id)[Kind.CLOSE]
    assert available(db, world["TX"], case_id) == set()
    transmit(db, world["VA_CO"], notice_id)
    assert available(db, world["VA"], case_id) == set()
    assert available(db, world["TX"], case_id) == {Kind.REPLY_TO_CLOSURE}
    with db.read() as session:
        version = session.get(CompactCase, case_id).version
    with db.unit_of_work(world["TX"]) as session, pytest.raises(ValidationError):
        cases.reply_to_case_closure(session, world["TX"], case_id, version, agree=False)
    with db.unit_of_work(world["TX"]) as session:
        reply = cases.reply_to_case_closure(session, world["TX"], case_id, version, agree=False,
                                            comment="discharge date is wrong")  # fmt: skip
        reply_id = reply.id
    transmit(db, world["TX_CO"], reply_id)
    assert available(db, world["VA"], case_id) == {Kind.CLOSE}
    with db.read() as session:
        version = session.get(CompactCase, case_id).version
    with db.unit_of_work(world["VA_CO"]) as session:
        # The compact office's own notice is its approval: sent at once.
        notice = cases.send_case_closure_notice(session, world["VA_CO"], case_id, version,
                                                {"closure_reason": "discharge",
                                                 "closure_date": "01/20/2026", "reason": "discharged"})  # fmt: skip
        assert notice.status is ActivityStatus.TRANSMITTED
    with db.read() as session:
        version = session.get(CompactCase, case_id).version
    with db.unit_of_work(world["TX"]) as session:
        reply_id = cases.reply_to_case_closure(
            session, world["TX"], case_id, version, agree=True
        ).id
    with db.read() as session:
        assert session.get(CompactCase, case_id).status is not CaseStatus.CLOSED  # not sent yet
    transmit(db, world["TX_CO"], reply_id)
    with db.read() as session:
        case = session.get(CompactCase, case_id)
        assert case.status is CaseStatus.CLOSED
        version = case.version
    assert available(db, world["TX"], case_id) == {Kind.REOPEN}
    with db.unit_of_work(world["VA"]) as session:
        cases.reopen_case(session, world["VA"], case_id, version, "closed by mistake")
    with db.read() as session:
        assert session.get(CompactCase, case_id).status is CaseStatus.ACCEPTED


def test_an_action_on_an_old_version_of_the_case_is_refused(db, world):
    case_id = new_case(db, world)
    with db.unit_of_work(world["TX"]) as session:
        add_activity(session, session.get(CompactCase, case_id), ActivityType.TRANSFER_REQUEST)
        version = session.get(CompactCase, case_id).version
    with db.unit_of_work(world["TX"]) as session:
        session.get(CompactCase, case_id).offense_summary = "edited elsewhere"
    with db.unit_of_work(world["TX"]) as session, pytest.raises(ConcurrencyConflict, match="tx.po"):
        cases.withdraw_case(session, world["TX"], case_id, version, "late")
    with db.read() as session:
        assert session.get(CompactCase, case_id).status is CaseStatus.PENDING


def test_a_state_not_party_to_the_case_is_told_why(db, world):
    case_id = new_case(db, world)
    reasons = explanations(db, world["OH"], case_id)
    assert available(db, world["OH"], case_id) == set()
    assert (
        "only the sending state (TX) and the receiving state (VA)" in reasons[Kind.REMOVE_INTEREST]
    )
