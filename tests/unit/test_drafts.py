"""Form drafts: one per user, form and record, replaced on each save, private, and not audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, FormDraft
from app.services import drafts
from app.services.users import actor_from_user
from tests.factories import make_user


@pytest.fixture
def clerk(db, system):
    with db.unit_of_work(system) as session:
        return actor_from_user(make_user(session, "draft.clerk"))


@pytest.fixture
def other_clerk(db, system):
    with db.unit_of_work(system) as session:
        return actor_from_user(make_user(session, "other.clerk"))


def _audit_count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_saved_draft_comes_back_as_typed(db, clerk):
    typed = {"last_name": "Doe", "date_of_birth": "3/4/19", "sex_offender": True, "ssn": None}
    with db.unit_of_work(clerk) as session:
        saved_at = drafts.save_draft(session, clerk, "offender", "new", typed)
    with db.read() as session:
        values, when = drafts.load_draft(session, clerk, "offender", "new")
    assert values == typed
    assert when == saved_at and when.tzinfo is not None


def test_saving_again_replaces_the_draft(db, clerk):
    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", 17, {"last_name": "Do"})
    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", "17", {"last_name": "Doe"})
    with db.read() as session:
        values, _ = drafts.load_draft(session, clerk, "offender", 17)
        rows = session.scalar(select(func.count()).select_from(FormDraft))
    assert values == {"last_name": "Doe"}
    assert rows == 1


def test_drafts_are_kept_per_form_and_record(db, clerk):
    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", "new", {"last_name": "New"})
        drafts.save_draft(session, clerk, "offender", "5", {"last_name": "Five"})
        drafts.save_draft(session, clerk, "case", "5", {"offense_summary": "Theft"})
    with db.read() as session:
        assert drafts.load_draft(session, clerk, "offender", None)[0] == {"last_name": "New"}
        assert drafts.load_draft(session, clerk, "offender", 5)[0] == {"last_name": "Five"}
        assert drafts.load_draft(session, clerk, "case", 5)[0] == {"offense_summary": "Theft"}
        assert drafts.load_draft(session, clerk, "case", "new") is None
        listed = drafts.list_drafts(session, clerk)
    assert {(d.form_name, d.record_key) for d in listed} == {
        ("offender", "new"),
        ("offender", "5"),
        ("case", "5"),
    }
    assert [d.saved_at for d in listed] == sorted((d.saved_at for d in listed), reverse=True)


def test_nobody_sees_or_discards_another_users_draft(db, clerk, other_clerk):
    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", "new", {"last_name": "Mine"})
    with db.unit_of_work(other_clerk) as session:
        assert drafts.load_draft(session, other_clerk, "offender", "new") is None
        assert drafts.list_drafts(session, other_clerk) == []
        assert drafts.discard_draft(session, other_clerk, "offender", "new") is False
        drafts.save_draft(session, other_clerk, "offender", "new", {"last_name": "Theirs"})
    with db.read() as session:
        assert drafts.load_draft(session, clerk, "offender", "new")[0] == {"last_name": "Mine"}
        assert drafts.load_draft(session, other_clerk, "offender", "new")[0] == {
            "last_name": "Theirs"
        }


def test_discarding_deletes_the_draft(db, clerk):
    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", "new", {"last_name": "Gone"})
    with db.unit_of_work(clerk) as session:
        assert drafts.discard_draft(session, clerk, "offender", "new") is True
    with db.read() as session:
        assert drafts.load_draft(session, clerk, "offender", "new") is None
        assert drafts.list_drafts(session, clerk) == []


def test_drafts_are_not_audited(db, clerk):
    before = _audit_count(db)
    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", "new", {"ssn": "123-45-6789"})
    with db.unit_of_work(clerk) as session:
        drafts.save_draft(session, clerk, "offender", "new", {"ssn": "123-45-6780"})
    with db.unit_of_work(clerk) as session:
        drafts.discard_draft(session, clerk, "offender", "new")
    assert _audit_count(db) == before
    with db.read() as session:
        assert not session.scalars(
            select(AuditEntry).where(AuditEntry.entity == FormDraft.__tablename__)
        ).all()


def test_values_that_are_not_as_typed_are_refused(db, clerk):
    with pytest.raises(TypeError, match="date_of_birth"), db.unit_of_work(clerk) as session:
        drafts.save_draft(
            session, clerk, "offender", "new", {"date_of_birth": datetime(2020, 1, 1, tzinfo=UTC)}
        )
