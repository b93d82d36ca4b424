"""The outbox: one row per dedup key, inbox-only rows, the inbox, SMTP settings and the keyring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import NotFound, PermissionDenied, UserError, ValidationError
from app.core.vocabulary import NotificationStatus, Role
from app.models import AuditEntry, Notification
from app.services import mailer, notifications, users
from tests.factories import make_offender, make_user


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _user(session, name, email=None, **values):
    user = make_user(session, name, **values)
    user.email = email
    session.flush()
    return user


def _count(session, **where) -> int:
    query = select(func.count()).select_from(Notification)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    return session.scalar(query)


def _actor(session, user):
    return users.actor_from_user(user)


def test_enqueue_takes_the_address_from_the_user_and_only_once_per_key(db, system):
    with db.unit_of_work(system) as session:
        ann = _user(session, "ann.po", "ann@tx.example.gov")
        first = notifications.enqueue(
            session, kind="activity_due", dedup_key="due:1", subject="Due soon", body="Reply.",
            recipient_user_id=ann.id,
        )  # fmt: skip
        again = notifications.enqueue(
            session, kind="activity_due", dedup_key="due:1", subject="Other", body="Other.",
            recipient_user_id=ann.id,
        )  # fmt: skip
        assert first is not None and again is None
        assert first.recipient_email == "ann@tx.example.gov"
        assert first.status == NotificationStatus.PENDING and first.attempts == 0
    with db.unit_of_work(system) as session:
        # A later transaction (the same trigger firing again) adds nothing either.
        assert (
            notifications.enqueue(
                session,
                kind="activity_due",
                dedup_key="due:1",
                subject="x",
                body="y",
                recipient_email="someone@example.gov",
            )  # fmt: skip
            is None
        )
        assert _count(session, dedup_key="due:1") == 1
        assert session.get(Notification, first.id).subject == "Due soon"


def test_a_key_taken_meanwhile_is_refused_without_breaking_the_transaction(db, system, monkeypatch):
    """The unique index decides when two writers both saw no row: the later gets None."""
    real = notifications._existing_id
    calls = []

    def blind_first_look(session, key):
        calls.append(key)
        return None if len(calls) == 1 else real(session, key)

    with db.unit_of_work(system) as session:
        offender = make_offender(session)
        notifications.enqueue(
            session, kind="k", dedup_key="race:1", subject="s", body="b",
            recipient_email="a@example.gov", offender_id=offender.id,
        )  # fmt: skip
        monkeypatch.setattr(notifications, "_existing_id", blind_first_look)
        assert (
            notifications.enqueue(
                session,
                kind="k",
                dedup_key="race:1",
                subject="s",
                body="b",
                recipient_email="a@example.gov",
            )  # fmt: skip
            is None
        )
        # Still usable: later statements of the same unit of work go through.
        monkeypatch.setattr(notifications, "_existing_id", real)
        assert notifications.enqueue(
            session, kind="k", dedup_key="race:2", subject="s", body="b",
            recipient_email="a@example.gov",
        )  # fmt: skip
        offender.last_name = "Still Writable"
    with db.read() as session:
        assert _count(session, dedup_key="race:1") == 1 and _count(session, dedup_key="race:2") == 1


def test_other_integrity_errors_are_not_taken_for_duplicates(db, system):
    with db.unit_of_work(system) as session, pytest.raises(IntegrityError):
        notifications.enqueue(
            session, kind="k", dedup_key="bad-link", subject="s", body="b",
            recipient_email="a@example.gov", case_id=987654321,
        )  # fmt: skip


def test_without_an_address_the_row_is_for_the_inbox_only(db, system):
    with db.unit_of_work(system) as session:
        no_mail = _user(session, "no.mail")
        gone = _user(session, "gone.user", "gone@example.gov")
        gone.active = False
        session.flush()
        quiet = notifications.enqueue(
            session, kind="k", dedup_key="q1", subject="s", body="b", recipient_user_id=no_mail.id
        )
        former = notifications.enqueue(
            session, kind="k", dedup_key="q2", subject="s", body="b", recipient_user_id=gone.id
        )
        assert quiet.recipient_email is None and former.recipient_email is None
        assert quiet.status == NotificationStatus.PENDING and quiet.sent_at is None
        with pytest.raises(ValueError, match="recipient"):
            notifications.enqueue(session, kind="k", dedup_key="q3", subject="s", body="b")
        with pytest.raises(ValueError, match="no user"):
            notifications.enqueue(
                session, kind="k", dedup_key="q4", subject="s", body="b", recipient_user_id=10**9
            )


def test_subjects_are_one_line_that_fits(db, system):
    with db.unit_of_work(system) as session:
        row = notifications.enqueue(
            session, kind="k", dedup_key="long", subject="Line one\r\nBcc: x@y\n" + "z" * 400,
            body="b", recipient_email="a@example.gov",
        )  # fmt: skip
        assert "\n" not in row.subject and "\r" not in row.subject
        assert len(row.subject) == 300 and row.subject.startswith("Line one Bcc: x@y z")


def test_enqueue_for_users_one_row_each_keyed_by_user(db, system):
    with db.unit_of_work(system) as session:
        a = _user(session, "a.sup", "a@tx.example.gov")
        b = _user(session, "b.sup")
        offender = make_offender(session)
        later = datetime(2030, 1, 1, tzinfo=UTC)
        rows = notifications.enqueue_for_users(
            session, [a.id, b.id, a.id], kind="approval_needed", dedup_base="approve:7",
            subject="Approve", body="Please approve.", offender_id=offender.id, send_after=later,
        )  # fmt: skip
        assert [r.dedup_key for r in rows] == [f"approve:7:u{a.id}", f"approve:7:u{b.id}"]
        assert [r.recipient_email for r in rows] == ["a@tx.example.gov", None]
        assert {r.offender_id for r in rows} == {offender.id}
        assert all(r.send_after == later for r in rows)
        again = notifications.enqueue_for_users(
            session, [a.id, b.id], kind="approval_needed", dedup_base="approve:7",
            subject="Approve", body="Please approve.",
        )  # fmt: skip
        assert again == []
        assert notifications.enqueue_for_users(session, [], kind="k", dedup_base="x", subject="s", body="b") == []  # fmt: skip
        with pytest.raises(TypeError, match="recipient_email"):
            notifications.enqueue_for_users(
                session, [a.id], kind="k", dedup_base="y", subject="s", body="b",
                recipient_email="x@example.gov",
            )  # fmt: skip


def test_the_inbox_newest_first_paged_and_marked_read_by_its_recipient_only(db, system):
    with db.unit_of_work(system) as session:
        ann = _user(session, "inbox.ann", "ann@example.gov")
        bob = _user(session, "inbox.bob")
        for n in range(5):
            notifications.enqueue(
                session, kind="k", dedup_key=f"in:{n}", subject=f"Message {n}", body="b",
                recipient_user_id=ann.id,
            )  # fmt: skip
        notifications.enqueue(
            session, kind="k", dedup_key="in:bob", subject="For Bob", body="b",
            recipient_user_id=bob.id,
        )  # fmt: skip
        ann_actor, bob_actor = _actor(session, ann), _actor(session, bob)
    with db.read() as session:
        first_page = notifications.inbox(session, ann_actor, limit=2)
        assert [i.subject for i in first_page] == ["Message 4", "Message 3"]
        rest = notifications.inbox(session, ann_actor, before_id=first_page[-1].id)
        assert [i.subject for i in rest] == ["Message 2", "Message 1", "Message 0"]
        assert all(i.unread for i in first_page + rest)
        assert notifications.unread_count(session, ann_actor) == 5
        assert [i.subject for i in notifications.inbox(session, bob_actor)] == ["For Bob"]
        assert "For Bob" not in [i.subject for i in notifications.inbox(session, system)]
    target = rest[0].id
    with db.unit_of_work(bob_actor) as session, pytest.raises(NotFound):
        notifications.mark_read(session, bob_actor, target)
    with db.unit_of_work(ann_actor) as session:
        notifications.mark_read(session, ann_actor, target)
        first_read = session.get(Notification, target).read_at
        notifications.mark_read(session, ann_actor, target)
        assert session.get(Notification, target).read_at == first_read is not None
    with db.unit_of_work(ann_actor) as session, pytest.raises(NotFound):
        notifications.mark_read(session, ann_actor, 10**9)
    with db.read() as session:
        assert notifications.unread_count(session, ann_actor) == 4
        assert notifications.unread_count(session, bob_actor) == 1
        unread = notifications.inbox(session, ann_actor, unread_only=True)
        assert target not in [i.id for i in unread] and len(unread) == 4
        read = [i for i in notifications.inbox(session, ann_actor) if i.id == target]
        assert read[0].read_at is not None and not read[0].unread


def test_settings_are_stored_for_administrators_only(db, system):
    with db.unit_of_work(system) as session:
        assert not mailer.load_settings(session).configured
        saved = mailer.save_settings(
            session, system, host="smtp.tx.example.gov", port=2525, starttls=False,
            user="mailer", from_address="Compact Office <compact@tx.example.gov>",
        )  # fmt: skip
        assert saved == mailer.SmtpSettings(
            host="smtp.tx.example.gov", port=2525, starttls=False, user="mailer",
            from_address="Compact Office <compact@tx.example.gov>",
        )  # fmt: skip
        assert saved.configured and saved.keyring_key == "smtp:mailer@smtp.tx.example.gov"
        changed = mailer.save_settings(session, system, starttls=True, user="")
        assert changed.starttls and changed.user is None and changed.port == 2525
        officer = _actor(session, make_user(session, "smtp.officer"))
        admin = _actor(session, make_user(session, "smtp.admin", roles=(Role.STATE_ADMINISTRATOR,)))
    with db.unit_of_work(officer) as session, pytest.raises(PermissionDenied):
        mailer.save_settings(session, officer, host="evil.example.com")
    with db.unit_of_work(admin) as session, pytest.raises(ValidationError) as caught:
        mailer.save_settings(session, admin, host="bad host", port=0, from_address="nobody")
    assert [f for f, _ in caught.value.problems] == ["host", "port", "from"]
    with db.read() as session:
        assert mailer.load_settings(session).host == "smtp.tx.example.gov"
        # Settings changes are audited like any row.
        assert session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "setting")
        )
        describe = dict(mailer.load_settings(session).describe())
        assert describe["user"].startswith("(none") and describe["starttls"] == "on"


def test_the_password_lives_in_the_keyring(memory_keyring, monkeypatch, system):
    monkeypatch.delenv(mailer.PASSWORD_ENV, raising=False)
    settings = mailer.SmtpSettings(host="smtp.example.gov", user="mailer", from_address="a@b.gov")
    assert mailer.smtp_password(settings) is None
    mailer.store_password(system, settings, "s3cret pass")
    assert memory_keyring.secrets == {("compact-office", "smtp:mailer@smtp.example.gov"): "s3cret pass"}  # fmt: skip
    assert mailer.smtp_password(settings) == "s3cret pass"
    # Another host or user is another entry.
    assert mailer.smtp_password(mailer.SmtpSettings(host="other.gov", user="mailer")) is None
    with pytest.raises(UserError, match="empty"):
        mailer.store_password(system, settings, "")
    with pytest.raises(UserError, match="host and user"):
        mailer.store_password(system, mailer.SmtpSettings(host="smtp.example.gov"), "pw")


def test_officers_may_not_store_the_password(memory_keyring, db, system):
    with db.unit_of_work(system) as session:
        officer = _actor(session, make_user(session, "pw.officer"))
    with pytest.raises(PermissionDenied):
        mailer.store_password(officer, mailer.SmtpSettings(host="h", user="u"), "pw")
    assert memory_keyring.secrets == {}


def test_without_a_keyring_the_password_comes_from_the_environment(no_keyring, monkeypatch, system):
    settings = mailer.SmtpSettings(host="smtp.example.gov", user="mailer", from_address="a@b.gov")
    with pytest.raises(UserError, match="No system keyring") as caught:
        mailer.store_password(system, settings, "never shown")
    assert "never shown" not in str(caught.value)
    assert mailer.PASSWORD_ENV in str(caught.value)
    monkeypatch.delenv(mailer.PASSWORD_ENV, raising=False)
    assert mailer.smtp_password(settings) is None
    monkeypatch.setenv(mailer.PASSWORD_ENV, "from the scheduler")
    assert mailer.smtp_password(settings) == "from the scheduler"


def test_retries_back_off_from_a_minute_to_an_hour():
    minutes = [mailer.retry_delay(n) / timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert mailer.retry_delay(100) == timedelta(hours=1)


def test_the_message_id_is_stable_per_row_and_key():
    one = mailer.message_id(7, "due:1:u3", "Compact Office <co@tx.example.gov>")
    assert one == mailer.message_id(7, "due:1:u3", "Compact Office <co@tx.example.gov>")
    assert one.startswith("<notification-7.") and one.endswith("@tx.example.gov>")
    assert one != mailer.message_id(7, "due:1:u4", "co@tx.example.gov")


def test_the_outbox_list_is_for_installation_administrators(db, system):
    with db.unit_of_work(system) as session:
        user = _user(session, "list.user")
        notifications.enqueue(session, kind="k", dedup_key="l1", subject="Mail", body="b",
                              recipient_email="a@example.gov")  # fmt: skip
        notifications.enqueue(session, kind="k", dedup_key="l2", subject="Inbox", body="b",
                              recipient_user_id=user.id)  # fmt: skip
        admin = _actor(session, make_user(session, "tx.adm", roles=(Role.STATE_ADMINISTRATOR,)))
    with db.read() as session:
        rows = mailer.list_outbox(session, system)
        assert [(r.subject, r.status) for r in rows[:2]] == [
            ("Inbox", "inbox"),
            ("Mail", "pending"),
        ]
        pending = mailer.list_outbox(session, system, status=NotificationStatus.PENDING)
        assert "Inbox" not in [r.subject for r in pending]
        counts = mailer.count_outbox(session, system)
        assert counts["pending"] >= 1
        with pytest.raises(PermissionDenied):
            mailer.list_outbox(session, admin)
