"""The e-mail sender of the notification outbox: SMTP settings, the password in the keyring, delivery."""

from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import PermissionDenied, UserError, ValidationError
from app.core.permissions import Actor, Permission, require
from app.core.vocabulary import AuditAction, NotificationStatus
from app.models import Notification, Setting
from app.models.audit import record_event
from app.services.users import system_actor

log = logging.getLogger(__name__)

KEYRING_SERVICE = "compact-office"
PASSWORD_ENV = "COMPACT_OFFICE_SMTP_PASSWORD"

HOST_KEY = "smtp.host"
PORT_KEY = "smtp.port"
STARTTLS_KEY = "smtp.starttls"
USER_KEY = "smtp.user"
FROM_KEY = "smtp.from"

DEFAULT_PORT = 587
SMTP_TIMEOUT_SECONDS = 30
# A claimed row is not due again before this, so a second sender leaves it alone while the first
# one talks to the server; if the first one dies, the row comes back once the lease runs out.
LEASE = timedelta(minutes=15)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
# About fifteen hours of retries before a message is set aside as failed (it can be retried).
MAX_ATTEMPTS = 20

_table = Notification.__table__
_PENDING = NotificationStatus.PENDING
_SENT = NotificationStatus.SENT
_FAILED = NotificationStatus.FAILED


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = DEFAULT_PORT
    starttls: bool = True
    user: str | None = None
    from_address: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)

    @property
    def keyring_key(self) -> str:
        return f"smtp:{self.user or ''}@{self.host or ''}"

    def describe(self) -> list[tuple[str, str]]:
        """What may be shown: every setting but the password, which is only said to exist or not."""
        return [
            ("host", self.host or "(not set)"),
            ("port", str(self.port)),
            ("starttls", "on" if self.starttls else "off"),
            ("user", self.user or "(none: no login)"),
            ("from", self.from_address or "(not set)"),
        ]


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    # False when no host or From address is set: nothing was tried.
    configured: bool = True
    # Why the batch stopped early (server unreachable, login refused), if it did.
    server_error: str | None = None

    def describe(self) -> str:
        return f"sent {self.sent}, deferred {self.deferred}, failed {self.failed}"


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    status: str
    recipient: str
    subject: str
    attempts: int
    send_after: datetime
    sent_at: datetime | None
    last_error: str | None


class SmtpClient(Protocol):
    def send_message(self, msg: EmailMessage) -> object: ...

    def quit(self) -> object: ...

    def close(self) -> None: ...


Connect = Callable[[SmtpSettings, str | None], SmtpClient]


# Settings ------------------------------------------------------------------------------------


def load_settings(session: Session) -> SmtpSettings:
    rows = session.execute(
        select(Setting.key, Setting.value).where(
            Setting.key.in_([HOST_KEY, PORT_KEY, STARTTLS_KEY, USER_KEY, FROM_KEY])
        )
    )
    values = {key: value for key, value in rows}
    port = values.get(PORT_KEY, "")
    return SmtpSettings(
        host=values.get(HOST_KEY) or None,
        port=int(port) if port.isdigit() else DEFAULT_PORT,
        starttls=values.get(STARTTLS_KEY, "on") != "off",
        user=values.get(USER_KEY) or None,
        from_address=values.get(FROM_KEY) or None,
    )


def _require_administrator(actor: Actor) -> None:
    require(actor, Permission.MANAGE_USERS)


def _require_installation_administrator(actor: Actor) -> None:
    # The outbox holds every state's messages; a state's administrator does not read other states'.
    _require_administrator(actor)
    if not actor.sees_all_states:
        raise PermissionDenied(
            f"{actor.username} may not see the outbox: it holds the messages of every state; "
            "the National Office or the local system account manages it"
        )


def save_settings(
    session: Session,
    actor: Actor,
    *,
    host: str | None = None,
    port: int | None = None,
    starttls: bool | None = None,
    user: str | None = None,
    from_address: str | None = None,
) -> SmtpSettings:
    """Changes the settings given (None leaves one as it is; an empty user name means no login)."""
    _require_administrator(actor)
    problems: list[tuple[str, str]] = []
    changes: dict[str, str] = {}
    if host is not None:
        if not host.strip() or any(c.isspace() for c in host.strip()):
            problems.append(("host", "a host name or address, without spaces"))
        changes[HOST_KEY] = host.strip()
    if port is not None:
        if not 0 < port < 65536:
            problems.append(("port", "a number from 1 to 65535"))
        changes[PORT_KEY] = str(port)
    if starttls is not None:
        changes[STARTTLS_KEY] = "on" if starttls else "off"
    if user is not None:
        changes[USER_KEY] = user.strip()
    if from_address is not None:
        _, address = parseaddr(from_address)
        if "@" not in address or "\n" in from_address or "\r" in from_address:
            problems.append(("from", "an e-mail address such as compact.office@state.gov"))
        changes[FROM_KEY] = from_address.strip()
    if problems:
        raise ValidationError(problems)
    for key, value in changes.items():
        setting = session.get(Setting, key)
        if setting is None:
            session.add(Setting(key=key, value=value))
        elif setting.value != value:
            setting.value = value
    session.flush()
    return load_settings(session)


def _keyring():
    import keyring

    return keyring


def store_password(actor: Actor, settings: SmtpSettings, password: str) -> None:
    """Puts the password in the system keyring; UserError when this machine has none."""
    _require_administrator(actor)
    if not settings.host or not settings.user:
        raise UserError("Set the SMTP host and user name first: the password is kept for both.")
    if not password:
        raise UserError("The SMTP password is empty; nothing was stored.")
    keyring = _keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, settings.keyring_key, password)
    except Exception as exc:  # every backend has its own errors; none of them may leak the secret
        raise UserError(
            f"No system keyring is available here ({type(exc).__name__}), so the SMTP password "
            f"was not stored. Give it to the scheduled sender in ${PASSWORD_ENV} instead."
        ) from None


def smtp_password(settings: SmtpSettings) -> str | None:
    """From the keyring; without one (or without an entry) from the environment; else None."""
    if settings.user and settings.host:
        try:
            stored = _keyring().get_password(KEYRING_SERVICE, settings.keyring_key)
        except Exception as exc:  # no backend (NoKeyringError) or a broken one: fall back
            log.info("no keyring for the SMTP password (%s)", type(exc).__name__)
            stored = None
        if stored:
            return stored
    return os.environ.get(PASSWORD_ENV) or None


# Sending -------------------------------------------------------------------------------------


def open_smtp(settings: SmtpSettings, password: str | None) -> smtplib.SMTP:
    """A connection ready to send: STARTTLS when configured, logged in when a user and password exist."""
    if settings.host is None:
        raise UserError("no SMTP host is set")
    client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        client.ehlo()
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.user and password:
            client.login(settings.user, password)
    except BaseException:
        client.close()
        raise
    return client


@dataclass(frozen=True)
class _Due:
    id: int
    dedup_key: str
    recipient_email: str
    subject: str
    body: str
    attempts: int


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, then 2, 4, 8 ... minutes, never more than an hour."""
    exponent = min(max(attempts - 1, 0), 16)
    return min(FIRST_RETRY * (2**exponent), LONGEST_RETRY)


def message_id(notification_id: int, dedup_key: str, from_address: str) -> str:
    """The same for every attempt, so a mail system that got a message twice can tell."""
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:16]
    domain = parseaddr(from_address)[1].rpartition("@")[2] or "compact-office.invalid"
    return f"<notification-{notification_id}.{digest}@{domain}>"


# Folding a long subject at 78 characters splits words like 'José Núñez' into adjacent encoded
# words, and readers drop the space between those (RFC 2047); a subject fits in one 998-byte line.
_MESSAGE_POLICY = email_policy.default.clone(max_line_length=998)


def build_message(due: _Due, settings: SmtpSettings, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=_MESSAGE_POLICY)
    message["From"] = settings.from_address
    message["To"] = due.recipient_email
    message["Subject"] = due.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(due.id, due.dedup_key, settings.from_address or "")
    message.set_content(due.body)
    return message


def _scrub(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "***")
    return text[:1000]


def _describe_error(exc: BaseException, secret: str | None) -> str:
    detail = str(exc).strip() or type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in exc.recipients.items()
        )
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        detail = f"{exc.smtp_code} {text}"
    return _scrub(f"{type(exc).__name__}: {detail}", secret)


def _due_rows(database, now: datetime, limit: int) -> list[_Due]:
    with database.read() as session:
        rows = session.execute(
            select(
                Notification.id,
                Notification.dedup_key,
                Notification.recipient_email,
                Notification.subject,
                Notification.body,
                Notification.attempts,
            )
            .where(
                Notification.status == _PENDING,
                Notification.send_after <= now,
                Notification.recipient_email.is_not(None),
            )
            .order_by(Notification.send_after, Notification.id)
            .limit(limit)
        ).all()
    return [_Due(**row._mapping) for row in rows]


class _Ledger:
    """Each change of a row's delivery state in its own committed transaction, guarded by `attempts`.

    `attempts` grows with every claim and every failure, so it works as the row's version: an
    UPDATE that expects the value read changes nothing if another sender got there first. Each
    transaction starts with its UPDATE, so SQLite waits for the write lock instead of failing on
    an older snapshot. These are delivery bookkeeping, written with Core and not audited.
    """

    def __init__(self, database, actor: Actor, now: datetime | None):
        self.database = database
        self.actor = actor
        self.fixed_now = now

    @property
    def now(self) -> datetime:
        # Read at each step: a lease taken late in a long batch still lasts its full length.
        return self.fixed_now or clock.now()

    def _update(self, due: _Due, expected_attempts: int, *extra, **values) -> bool:
        with self.database.unit_of_work(self.actor) as session:
            result = session.execute(
                update(_table)
                .where(
                    _table.c.id == due.id,
                    _table.c.status == _PENDING,
                    _table.c.attempts == expected_attempts,
                    *extra,
                )
                .values(**values)
            )
            return result.rowcount == 1

    def claim(self, due: _Due) -> bool:
        return self._update(
            due,
            due.attempts,
            _table.c.send_after <= self.now,
            attempts=due.attempts + 1,
            send_after=self.now + LEASE,
        )

    def sent(self, due: _Due) -> bool:
        return self._update(due, due.attempts + 1, status=_SENT, sent_at=self.now, last_error=None)

    def failed(self, due: _Due, error: str, *, claimed: bool) -> NotificationStatus | None:
        """Records a failed try: pending again after the back-off, or failed after MAX_ATTEMPTS."""
        attempts = due.attempts + 1
        status = _FAILED if attempts >= MAX_ATTEMPTS else _PENDING
        values = {"last_error": error, "status": status}
        if claimed:
            changed = self._update(
                due, attempts, send_after=self.now + retry_delay(attempts), **values
            )
        else:
            # A row of the batch not tried because the server was down: it counts as a try, and
            # only if no other sender has claimed it in the meantime.
            changed = self._update(
                due,
                due.attempts,
                _table.c.send_after <= self.now,
                attempts=attempts,
                send_after=self.now + retry_delay(attempts),
                **values,
            )
        return status if changed else None


def _count(report: SendReport, status: NotificationStatus | None) -> None:
    if status == _FAILED:
        report.failed += 1
    elif status == _PENDING:
        report.deferred += 1


# Refusals that concern one message; the connection stays usable for the next one.
_MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
    ValueError,
    UnicodeError,
)


def send_pending(
    database,
    *,
    now: datetime | None = None,
    limit: int = 200,
    connect: Connect | None = None,
) -> SendReport:
    """Sends the due messages over one SMTP connection; each is claimed, sent, then marked sent.

    Safe to run from several processes at once (the application and a scheduled
    `compact-office notify send`): a row is sent by whoever claims it. When the server cannot be
    reached, the batch stops and its remaining rows wait for the back-off.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    report = SendReport()
    with database.read() as session:
        settings = load_settings(session)
        actor = system_actor(session)
    if not settings.configured:
        report.configured = False
        return report
    ledger = _Ledger(database, actor, now)
    due_rows = _due_rows(database, ledger.now, limit)
    if not due_rows:
        return report
    password = smtp_password(settings)
    opener = connect or open_smtp
    client: SmtpClient | None = None
    try:
        for due in due_rows:
            if report.server_error is not None:
                not_tried = f"not tried, the server was unavailable: {report.server_error}"
                _count(report, ledger.failed(due, not_tried, claimed=False))
                continue
            if not ledger.claim(due):
                continue  # another sender has it
            if client is None:
                try:
                    client = opener(settings, password)
                except (OSError, smtplib.SMTPException) as exc:
                    report.server_error = _describe_error(exc, password)
                    log.warning(
                        "SMTP server %s unavailable: %s", settings.host, report.server_error
                    )
                    _count(report, ledger.failed(due, report.server_error, claimed=True))
                    continue
            try:
                client.send_message(build_message(due, settings, ledger.now))
            except _MESSAGE_ERRORS as exc:
                _count(report, ledger.failed(due, _describe_error(exc, password), claimed=True))
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # Disconnected, timed out, or the sender address refused: every further message
                # would fail alike, so the rest wait.
                report.server_error = _describe_error(exc, password)
                log.warning("SMTP sending stopped: %s", report.server_error)
                _count(report, ledger.failed(due, report.server_error, claimed=True))
                continue
            if ledger.sent(due):
                report.sent += 1
            else:
                log.warning("notification %s was sent but its lease had run out", due.id)
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
    return report


# The outbox for administrators ---------------------------------------------------------------


def list_outbox(
    session: Session,
    actor: Actor,
    *,
    status: NotificationStatus | None = None,
    limit: int = 50,
) -> list[OutboxRow]:
    """Newest first. `pending` means e-mail still to send; inbox-only rows show as `inbox`."""
    _require_installation_administrator(actor)
    query = select(
        Notification.id,
        Notification.kind,
        Notification.status,
        Notification.recipient_email,
        Notification.recipient_user_id,
        Notification.subject,
        Notification.attempts,
        Notification.send_after,
        Notification.sent_at,
        Notification.last_error,
    )
    if status is not None:
        query = query.where(Notification.status == status)
        if status == _PENDING:
            query = query.where(Notification.recipient_email.is_not(None))
    rows = session.execute(query.order_by(Notification.id.desc()).limit(max(1, limit)))
    listed = []
    for row in rows:
        inbox_only = row.recipient_email is None
        listed.append(
            OutboxRow(
                id=row.id,
                kind=row.kind,
                status="inbox" if inbox_only else NotificationStatus(row.status).value,
                recipient=row.recipient_email or f"user {row.recipient_user_id}",
                subject=row.subject,
                attempts=row.attempts,
                send_after=row.send_after,
                sent_at=row.sent_at,
                last_error=row.last_error,
            )
        )
    return listed


def count_outbox(session: Session, actor: Actor) -> dict[str, int]:
    """How many e-mails wait, went out and failed (inbox-only rows are not e-mail)."""
    _require_installation_administrator(actor)
    rows = session.execute(
        select(Notification.status, func.count())
        .where(Notification.recipient_email.is_not(None))
        .group_by(Notification.status)
    )
    counts = {status.value: 0 for status in NotificationStatus}
    for status, count in rows:
        counts[NotificationStatus(status).value] = count
    return counts


def retry_failed(
    session: Session,
    actor: Actor,
    notification_ids: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Puts failed messages (all, or those named) back in the queue with a fresh count of tries."""
    _require_installation_administrator(actor)
    condition = and_(_table.c.status == _FAILED, _table.c.recipient_email.is_not(None))
    if notification_ids is not None:
        ids = list(notification_ids)
        if not ids:
            return 0
        condition = and_(condition, _table.c.id.in_(ids))
    result = session.execute(
        update(_table)
        .where(condition)
        .values(status=_PENDING, attempts=0, send_after=now or clock.now())
    )
    # Delivery bookkeeping is not audited row by row, but putting messages back is a decision.
    if result.rowcount:
        record_event(
            session,
            AuditAction.UPDATE,
            Notification.__tablename__,
            note=f"{result.rowcount} failed message(s) put back in the e-mail queue",
        )
    return result.rowcount


__all__ = [
    "KEYRING_SERVICE",
    "MAX_ATTEMPTS",
    "PASSWORD_ENV",
    "OutboxRow",
    "SendReport",
    "SmtpSettings",
    "count_outbox",
    "list_outbox",
    "load_settings",
    "message_id",
    "open_smtp",
    "retry_delay",
    "retry_failed",
    "save_settings",
    "send_pending",
    "smtp_password",
    "store_password",
]
