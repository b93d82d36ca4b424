"""What the profile window shows: header badges, cases active first with their actions, activities
newest first with the overdue mark, warrants with the 'incomplete' rule, and the state boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core import clock
from app.core.errors import NotFound
from app.core.vocabulary import ActivityStatus, ActivityType, CaseStatus, WarrantStatus
from app.models import Activity, WarrantStatusRecord
from app.services.cases import CaseActionKind
from app.services.profile_view import load_profile
from app.services.users import actor_from_user
from tests.factories import make_case, make_offender, make_user


def activity(
    session, case, number, kind, *, due=None, reply_to=None, status=ActivityStatus.TRANSMITTED
):
    row = Activity(activity_number=number, case_id=case.id, type=kind, from_state="TX",
                   to_state="VA", status=status, due_date=due, reply_to_id=reply_to)  # fmt: skip
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def profile_id(db, system):
    today = clock.today()
    with db.unit_of_work(system) as session:
        offender = make_offender(session, last_name="Ødegård", first_name="Åse", sex_offender=True,
                                 date_of_birth=date(today.year - 40, 1, 1))  # fmt: skip
        old = make_case(session, offender, status=CaseStatus.CLOSED)
        live = make_case(session, offender)
        request = activity(
            session, live, "A1", ActivityType.TRANSFER_REQUEST, due=today - timedelta(days=3)
        )
        answered = activity(
            session, live, "A2", ActivityType.PROGRESS_REPORT, due=today - timedelta(days=3)
        )
        activity(session, live, "A3", ActivityType.TRANSFER_REPLY, reply_to=answered.id)
        activity(session, old, "A4", ActivityType.VIOLATION_REPORT, due=today + timedelta(days=3))
        session.add(WarrantStatusRecord(warrant_status_id="WS1", offender_id=offender.id,
                                        status=WarrantStatus.ACTIVE, issued_date=today,
                                        issuing_authority="Judge Roy", created_by="x", updated_by="x"))  # fmt: skip
        return offender.id, live.case_number, old.case_number, request.activity_number


def test_profile_shows_badges_cases_activities_and_warrants(db, system, profile_id):
    offender_id, live, old, overdue_number = profile_id
    with db.read() as session:
        profile = load_profile(session, system, offender_id)
    assert (profile.header.display_name, profile.header.age) == ("Ødegård, Åse", 40)
    assert profile.header.badges == ("Sex offender", "Warrant Status")
    assert [c.case_number for c in profile.cases] == [live, old]
    live_actions = {a.kind for a in profile.cases[0].actions if a.available}
    assert live_actions == {CaseActionKind.WITHDRAW}
    overdue = {a.activity_number for a in profile.activities if a.overdue}
    assert overdue == {overdue_number}
    assert {a.activity_number for a in profile.activities} == {"A1", "A2", "A3", "A4"}
    [warrant] = profile.warrants
    assert warrant.incomplete  # no NCIC entry date yet


def test_an_unlinked_state_cannot_open_the_profile(db, system, profile_id):
    with db.unit_of_work(system) as session:
        ohio = actor_from_user(make_user(session, "oh.po", "OH"))
        virginia = actor_from_user(make_user(session, "va.po", "VA"))
    with db.read() as session:
        with pytest.raises(NotFound):
            load_profile(session, ohio, profile_id[0])
        assert load_profile(session, virginia, profile_id[0]).header.offender_id == profile_id[0]
