"""E-mail delivery against a real SMTP server on loopback: once per row, nothing lost when it is down."""

from __future__ import annotations

import email
import socket
import threading
from datetime import timedelta
from email import policy

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from keyring.backends import fail
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from app.cli import EXIT_DATABASE, EXIT_OK, EXIT_USER_ERROR, main
from app.core import clock
from app.core.vocabulary import NotificationStatus
from app.db import Database
from app.models import Notification
from app.services import mailer, notifications, users
from tests.conftest import fresh_database_url
from tests.factories import make_user
from tests.unit.test_notifications import MemoryKeyring

FROM = "Compact Office <compact.office@tx.example.gov>"


class Collector:
    """Keeps every message the server accepted; refuses recipients listed in `refuse`."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.envelopes = []
        self.refuse = refuse
        self.logins = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int | None = None, **options):
        self.port = port or free_port()
        self.handler = Collector(options.pop("refuse", ()))
        self.options = options
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.options
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv(mailer.PASSWORD_ENV, raising=False)
    yield
    keyring.set_keyring(previous)


def configure(database, actor, port: int, **values) -> None:
    with database.unit_of_work(actor) as session:
        mailer.save_settings(
            session, actor, host="127.0.0.1", port=port,
            starttls=values.pop("starttls", False), from_address=FROM, **values,
        )  # fmt: skip


def queue(database, actor, key: str, to: str = "ann@tx.example.gov", **values):
    with database.unit_of_work(actor) as session:
        row = notifications.enqueue(
            session, kind="test", dedup_key=key, subject=values.pop("subject", f"About {key}"),
            body=values.pop("body", f"Body of {key}."), recipient_email=to, **values,
        )  # fmt: skip
        return row.id if row is not None else None


def rows(database):
    with database.read() as session:
        return {r.dedup_key: r for r in session.scalars(select(Notification))}


def test_a_queued_message_arrives_once_with_its_subject_body_and_addresses(db, system, smtp):
    configure(db, system, smtp.port)
    with db.unit_of_work(system) as session:
        ann = make_user(session, "mail.ann")
        ann.email = "ann@tx.example.gov"
        session.flush()
        row = notifications.enqueue(
            session, kind="activity_due", dedup_key="due:1", subject="Reply due Friday",
            body="The transfer request for John Doe needs a reply.\nCase C0001.",
            recipient_user_id=ann.id,
        )  # fmt: skip
        row_id = row.id
    report = mailer.send_pending(db)
    assert (report.sent, report.deferred, report.failed) == (1, 0, 0)
    assert report.describe() == "sent 1, deferred 0, failed 0"
    (envelope,) = smtp.handler.envelopes
    assert envelope.mail_from == "compact.office@tx.example.gov"
    assert envelope.rcpt_tos == ["ann@tx.example.gov"]
    (message,) = smtp.handler.messages()
    assert message["Subject"] == "Reply due Friday"
    assert message["From"] == FROM and message["To"] == "ann@tx.example.gov"
    assert message["Message-ID"] == mailer.message_id(row_id, "due:1", FROM)
    assert message.get_content().splitlines() == [
        "The transfer request for John Doe needs a reply.", "Case C0001.",
    ]  # fmt: skip
    sent = rows(db)["due:1"]
    assert sent.status == NotificationStatus.SENT and sent.sent_at is not None
    assert sent.attempts == 1 and sent.last_error is None
    again = mailer.send_pending(db, now=clock.now() + timedelta(days=2))
    assert (again.sent, again.deferred, again.failed) == (0, 0, 0)
    assert len(smtp.handler.envelopes) == 1


def test_the_same_key_twice_is_one_row_and_one_mail(db, system, smtp):
    configure(db, system, smtp.port)
    assert queue(db, system, "twice") is not None
    assert queue(db, system, "twice", subject="Second time") is None
    assert mailer.send_pending(db).sent == 1
    assert queue(db, system, "twice") is None  # after sending too
    assert mailer.send_pending(db).sent == 0
    assert [m["Subject"] for m in smtp.handler.messages()] == ["About twice"]


def test_rows_without_an_address_are_never_handed_to_smtp(db, system, smtp):
    configure(db, system, smtp.port)
    with db.unit_of_work(system) as session:
        user = make_user(session, "no.address")
        notifications.enqueue(
            session, kind="k", dedup_key="inbox-only", subject="s", body="b",
            recipient_user_id=user.id,
        )  # fmt: skip
    report = mailer.send_pending(db)
    assert (report.sent, report.deferred, report.failed) == (0, 0, 0)
    assert smtp.handler.envelopes == []
    row = rows(db)["inbox-only"]
    assert row.status == NotificationStatus.PENDING and row.attempts == 0


def test_with_the_server_down_nothing_is_lost_and_it_is_sent_once_when_back(db, system):
    server = SmtpServer()  # not started: nothing listens on its port
    configure(db, system, server.port)
    for key in ("down:1", "down:2", "down:3"):
        queue(db, system, key, to=f"{key.replace(':', '')}@example.gov")
    opened = []

    def counting_connect(settings, password):
        opened.append(settings.port)
        return mailer.open_smtp(settings, password)

    start = clock.now()
    report = mailer.send_pending(db, now=start, connect=counting_connect)
    assert (report.sent, report.deferred, report.failed) == (0, 3, 0)
    assert report.server_error and "Connection" in report.server_error
    assert opened == [server.port]  # one try for the batch, not one per message
    for row in rows(db).values():
        assert row.status == NotificationStatus.PENDING and row.attempts == 1
        assert row.last_error and row.send_after > start and row.sent_at is None
    # Not due again yet: no connection at all.
    assert mailer.send_pending(db, now=start + timedelta(seconds=30), connect=counting_connect).deferred == 0  # fmt: skip
    assert len(opened) == 1
    server.start()
    try:
        later = start + timedelta(minutes=2)
        report = mailer.send_pending(db, now=later)
        assert (report.sent, report.deferred, report.failed) == (3, 0, 0)
        assert mailer.send_pending(db, now=later + timedelta(hours=5)).sent == 0
        assert sorted(e.rcpt_tos[0] for e in server.handler.envelopes) == [
            "down1@example.gov", "down2@example.gov", "down3@example.gov",
        ]  # fmt: skip
        assert all(r.status == NotificationStatus.SENT and r.attempts == 2 for r in rows(db).values())  # fmt: skip
    finally:
        server.stop()


def test_failures_back_off_then_fail_and_can_be_retried(db, system):
    server = SmtpServer()
    configure(db, system, server.port)
    row_id = queue(db, system, "stubborn")
    start = clock.now()
    mailer.send_pending(db, now=start)
    first = rows(db)["stubborn"]
    assert first.send_after - start == timedelta(minutes=1)
    mailer.send_pending(db, now=start + timedelta(minutes=1))
    assert rows(db)["stubborn"].send_after - (start + timedelta(minutes=1)) == timedelta(minutes=2)
    with db.unit_of_work(system) as session:
        session.execute(
            update(Notification).where(Notification.id == row_id).values(attempts=mailer.MAX_ATTEMPTS - 1)
        )  # fmt: skip
    report = mailer.send_pending(db, now=start + timedelta(hours=1))
    assert (report.sent, report.deferred, report.failed) == (0, 0, 1)
    failed = rows(db)["stubborn"]
    assert failed.status == NotificationStatus.FAILED and failed.last_error
    assert mailer.send_pending(db, now=start + timedelta(days=3)).failed == 0  # left alone
    with db.read() as session:
        assert [r.id for r in mailer.list_outbox(session, system, status=NotificationStatus.FAILED)] == [row_id]  # fmt: skip
    server.start()
    try:
        with db.unit_of_work(system) as session:
            assert mailer.retry_failed(session, system, now=start + timedelta(days=3)) == 1
        assert rows(db)["stubborn"].attempts == 0
        assert mailer.send_pending(db, now=start + timedelta(days=3)).sent == 1
        assert len(server.handler.envelopes) == 1
    finally:
        server.stop()


def test_a_refused_recipient_waits_and_the_others_go_out(db, system):
    server = SmtpServer(refuse=("nobody@example.gov",)).start()
    try:
        configure(db, system, server.port)
        queue(db, system, "r:1", to="first@example.gov")
        queue(db, system, "r:2", to="nobody@example.gov")
        queue(db, system, "r:3", to="third@example.gov")
        report = mailer.send_pending(db)
        assert (report.sent, report.deferred, report.failed) == (2, 1, 0)
        assert report.server_error is None
        refused = rows(db)["r:2"]
        assert refused.status == NotificationStatus.PENDING and "550" in refused.last_error
        assert sorted(e.rcpt_tos[0] for e in server.handler.envelopes) == ["first@example.gov", "third@example.gov"]  # fmt: skip
    finally:
        server.stop()


def test_starttls_required_but_not_offered_sends_nothing_in_clear(db, system, smtp):
    configure(db, system, smtp.port, starttls=True)
    queue(db, system, "tls:1")
    report = mailer.send_pending(db)
    assert (report.sent, report.deferred) == (0, 1)
    assert "STARTTLS" in rows(db)["tls:1"].last_error
    assert smtp.handler.envelopes == []


def test_sending_twice_in_a_row_sends_each_message_once(db, system, smtp):
    configure(db, system, smtp.port)
    for n in range(5):
        queue(db, system, f"seq:{n}")
    first = mailer.send_pending(db, limit=3)
    second = mailer.send_pending(db, limit=3)
    third = mailer.send_pending(db, limit=3)
    assert (first.sent, second.sent, third.sent) == (3, 2, 0)
    subjects = [m["Subject"] for m in smtp.handler.messages()]
    assert sorted(subjects) == [f"About seq:{n}" for n in range(5)]


@pytest.fixture
def file_database(tmp_path):
    """A database of its own where transactions really commit, for several connections at once."""
    with fresh_database_url(tmp_path, "mail.sqlite3") as url:
        database = Database(url)
        database.migrate()
        yield database
        database.dispose()


def test_two_senders_at_once_never_deliver_a_row_twice(file_database, smtp):
    with file_database.read() as session:
        system = users.system_actor(session)
    configure(file_database, system, smtp.port)
    for n in range(30):
        queue(file_database, system, f"par:{n}", to=f"p{n}@example.gov")
    reports = []
    barrier = threading.Barrier(2)

    def sender():
        barrier.wait()
        reports.append(mailer.send_pending(file_database))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2
    assert sum(r.sent for r in reports) == 30 and all(r.deferred == r.failed == 0 for r in reports)
    delivered = sorted(e.rcpt_tos[0] for e in smtp.handler.envelopes)
    assert delivered == sorted(f"p{n}@example.gov" for n in range(30))
    ids = [m["Message-ID"] for m in smtp.handler.messages()]
    assert len(set(ids)) == 30
    assert all(r.status == NotificationStatus.SENT for r in rows(file_database).values())


def test_two_transactions_queueing_the_same_key_leave_one_row(file_database):
    """The race itself: both look, see nothing, insert; the unique key decides."""
    with file_database.read() as session:
        system = users.system_actor(session)
    outcome = {}
    with file_database.unit_of_work(system) as session:
        assert queue_in(session, "race") is not None

        def second():
            try:
                with file_database.unit_of_work(system) as other:
                    outcome["row"] = queue_in(other, "race")
                    outcome["later"] = queue_in(other, "race-other")
            except OperationalError as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1)
        if file_database.dialect == "postgresql":
            # The second waits on the unique index until this transaction ends.
            assert thread.is_alive()
    thread.join(timeout=30)
    if file_database.dialect == "postgresql":
        assert outcome == {"row": None, "later": outcome["later"]} and outcome["later"] is not None
    else:
        # One writer at a time: the second read before the first committed, so SQLite refuses its
        # write at once ("database is locked") and its whole unit of work rolls back.
        assert "locked" in str(outcome["error"]) and "row" not in outcome
    with file_database.read() as session:
        assert session.scalar(select(func.count()).select_from(Notification).where(Notification.dedup_key == "race")) == 1  # fmt: skip


def queue_in(session, key):
    return notifications.enqueue(
        session, kind="k", dedup_key=key, subject="s", body="b", recipient_email="a@example.gov"
    )


def test_login_with_the_password_from_the_keyring(db, system, memory_keyring):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    server = SmtpServer(authenticator=authenticator, auth_require_tls=False).start()
    try:
        configure(db, system, server.port, user="mailer")
        with db.read() as session:
            settings = mailer.load_settings(session)
        mailer.store_password(system, settings, "keyring secret")
        queue(db, system, "auth:1")
        assert mailer.send_pending(db).sent == 1
        assert logins == [("mailer", "keyring secret")]
    finally:
        server.stop()


def test_without_a_keyring_the_environment_password_is_used_or_none(
    db, system, no_keyring, monkeypatch
):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.password.decode())
        # handled=False: the server itself answers 535 to a refusal.
        return AuthResult(success=auth_data.password == b"env secret", handled=False)

    server = SmtpServer(authenticator=authenticator, auth_require_tls=False).start()
    try:
        configure(db, system, server.port, user="mailer")
        queue(db, system, "env:1")
        # No password anywhere: no login is tried (this server does not insist on one).
        assert mailer.send_pending(db).sent == 1 and logins == []
        monkeypatch.setenv(mailer.PASSWORD_ENV, "wrong secret")
        queue(db, system, "env:2")
        report = mailer.send_pending(db)
        assert (report.sent, report.deferred) == (0, 1)
        error = rows(db)["env:2"].last_error
        assert "SMTPAuthenticationError" in error and "wrong secret" not in error
        monkeypatch.setenv(mailer.PASSWORD_ENV, "env secret")
        assert mailer.send_pending(db, now=clock.now() + timedelta(minutes=2)).sent == 1
        # smtplib tries each mechanism the server offers before giving up.
        assert set(logins[:-1]) == {"wrong secret"} and logins[-1] == "env secret"
    finally:
        server.stop()


def test_nothing_is_tried_until_smtp_is_configured(db, system):
    queue(db, system, "unconfigured")
    report = mailer.send_pending(db)
    assert not report.configured and report.sent == 0
    assert rows(db)["unconfigured"].attempts == 0


# The command line, end to end, against a database file of its own.


@pytest.fixture
def url(tmp_path):
    with fresh_database_url(tmp_path, "cli-mail.sqlite3") as created:
        yield created


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_settings_send_and_list(capsys, monkeypatch, url, smtp, no_keyring):
    code, out, _ = run(capsys, "notify", "settings", "--database-url", url)
    assert code == EXIT_OK and "(not set)" in out
    code, out, _ = run(
        capsys, "notify", "settings", "--host", "127.0.0.1", "--port", str(smtp.port),
        "--no-starttls", "--user", "mailer", "--from", FROM, "--database-url", url,
    )  # fmt: skip
    assert code == EXIT_OK and f"port      {smtp.port}" in out and "starttls  off" in out
    monkeypatch.setenv(mailer.PASSWORD_ENV, "cli secret")
    code, out, err = run(capsys, "notify", "settings", "--password-from-env", "--database-url", url)
    assert code == EXIT_USER_ERROR and "No system keyring" in err
    assert "cli secret" not in out + err
    monkeypatch.delenv(mailer.PASSWORD_ENV)  # so no login is tried: this server offers none
    code, out, _ = run(capsys, "notify", "send", "--database-url", url)
    assert code == EXIT_OK and out.strip() == "sent 0, deferred 0, failed 0"

    database = Database(url)
    try:
        with database.read() as session:
            system = users.system_actor(session)
        with database.unit_of_work(system) as session:
            person = make_user(session, "cli.mail")
            person.email = "cli.mail@tx.example.gov"
            session.flush()
            notifications.enqueue(
                session, kind="k", dedup_key="cli:1", subject="From the scheduler", body="Hello.",
                recipient_user_id=person.id,
            )  # fmt: skip
    finally:
        database.dispose()
    code, out, _ = run(capsys, "notify", "send", "--limit", "10", "--database-url", url)
    assert code == EXIT_OK and out.strip() == "sent 1, deferred 0, failed 0"
    assert [m["Subject"] for m in smtp.handler.messages()] == ["From the scheduler"]
    code, out, _ = run(capsys, "notify", "send", "--database-url", url)
    assert out.strip() == "sent 0, deferred 0, failed 0"
    code, out, _ = run(capsys, "notify", "list", "--database-url", url)
    assert code == EXIT_OK and "From the scheduler" in out and "sent" in out
    code, out, _ = run(capsys, "notify", "list", "--status", "pending", "--database-url", url)
    assert code == EXIT_OK and "From the scheduler" not in out
    code, out, _ = run(capsys, "notify", "settings", "--database-url", url)
    assert "cli secret" not in out and "127.0.0.1" in out


def test_cli_stores_the_password_in_the_keyring(capsys, monkeypatch, url, memory_keyring):
    run(capsys, "notify", "settings", "--host", "smtp.example.gov", "--user", "mailer",
        "--from", FROM, "--database-url", url)  # fmt: skip
    monkeypatch.setenv(mailer.PASSWORD_ENV, "kept secret")
    code, out, err = run(capsys, "notify", "settings", "--password-from-env", "--database-url", url)
    assert code == EXIT_OK and "kept secret" not in out + err
    assert memory_keyring.secrets == {("compact-office", "smtp:mailer@smtp.example.gov"): "kept secret"}  # fmt: skip
    monkeypatch.delenv(mailer.PASSWORD_ENV)
    code, _, err = run(capsys, "notify", "settings", "--password-from-env", "--database-url", url)
    assert code == EXIT_USER_ERROR and mailer.PASSWORD_ENV in err


def test_cli_send_without_settings_and_without_a_database(capsys, url, tmp_path):
    code, _, err = run(capsys, "notify", "send", "--database-url", url)
    assert code == EXIT_USER_ERROR and "notify settings" in err
    missing = f"sqlite:///{tmp_path / 'no such folder' / 'x.sqlite3'}"
    code, _, err = run(capsys, "notify", "send", "--database-url", missing)
    assert code == EXIT_DATABASE and "does not exist" in err
