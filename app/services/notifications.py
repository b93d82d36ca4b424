"""The notification outbox: queueing a message once per dedup key, and each user's in-app inbox."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import NotFound
from app.core.permissions import Actor
from app.core.vocabulary import NotificationStatus
from app.models import Notification, User

__all__ = [
    "InboxItem",
    "enqueue",
    "enqueue_for_users",
    "inbox",
    "mark_read",
    "unread_count",
]

SUBJECT_LENGTH = Notification.__table__.c.subject.type.length or 300


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None
    offender_id: int | None
    case_id: int | None
    activity_id: int | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _existing_id(session: Session, dedup_key: str) -> int | None:
    return session.scalar(select(Notification.id).where(Notification.dedup_key == dedup_key))


def _subject_line(subject: str) -> str:
    # A subject becomes a mail header: one line, and it must fit its column on every backend.
    line = " ".join(subject.split())
    if len(line) > SUBJECT_LENGTH:
        line = line[: SUBJECT_LENGTH - 1] + "…"
    return line


def _insert(session: Session, values: dict[str, Any]) -> Notification | None:
    """Adds the row unless its dedup key is taken, also when another transaction takes it meanwhile."""
    dedup_key = values["dedup_key"]
    if _existing_id(session, dedup_key) is not None:
        return None
    notification = Notification(**values)
    try:
        # The savepoint keeps the caller's transaction usable when the unique key refuses the row
        # (on PostgreSQL a failed statement would otherwise abort the whole transaction).
        with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        if _existing_id(session, dedup_key) is None:
            raise
        return None
    return notification


def _check_key(kind: str, dedup_key: str) -> None:
    if not kind.strip():
        raise ValueError("a notification needs a kind")
    if not dedup_key.strip():
        raise ValueError("a notification needs a dedup key: it is what stops a second message")


def enqueue(
    session: Session,
    *,
    kind: str,
    dedup_key: str,
    subject: str,
    body: str,
    recipient_user_id: int | None = None,
    recipient_email: str | None = None,
    offender_id: int | None = None,
    case_id: int | None = None,
    activity_id: int | None = None,
    send_after: datetime | None = None,
) -> Notification | None:
    """Queues one message; None, and nothing written, when a message with this dedup key exists.

    Without `recipient_email` the address is the recipient user's, if they have one and are active.
    A row without an address is for the inbox only: the mail sender never picks it up and it stays
    `pending` (recipient_email NULL is what marks it inbox-only).
    """
    _check_key(kind, dedup_key)
    if recipient_user_id is None and recipient_email is None:
        raise ValueError("a notification needs a recipient user or an e-mail address")
    if send_after is not None and send_after.tzinfo is None:
        raise ValueError("send_after must be timezone-aware")
    address = (recipient_email or "").strip() or None
    if address is None and recipient_user_id is not None:
        user = session.execute(
            select(User.email, User.active).where(User.id == recipient_user_id)
        ).first()
        if user is None:
            raise ValueError(f"no user with id {recipient_user_id}")
        address = _mail_address(user.email, user.active)
    return _insert(
        session,
        _values(
            kind=kind,
            dedup_key=dedup_key,
            subject=subject,
            body=body,
            recipient_user_id=recipient_user_id,
            recipient_email=address,
            offender_id=offender_id,
            case_id=case_id,
            activity_id=activity_id,
            send_after=send_after,
        ),
    )


def _mail_address(email: str | None, active: bool) -> str | None:
    # A disabled account keeps its inbox, but mail about offenders no longer goes to it.
    if not active:
        return None
    return (email or "").strip() or None


def _values(*, subject: str, send_after: datetime | None, **values: Any) -> dict[str, Any]:
    values["subject"] = _subject_line(subject)
    values["status"] = NotificationStatus.PENDING
    values["send_after"] = send_after or clock.now()
    return values


def enqueue_for_users(
    session: Session,
    user_ids: Iterable[int],
    *,
    kind: str,
    dedup_base: str,
    subject: str,
    body: str,
    inbox_only: bool = False,
    **links: Any,
) -> list[Notification]:
    """One message per user (dedup key `{dedup_base}:u{user_id}`); the rows actually added.

    `links` are enqueue's offender_id, case_id, activity_id and send_after. A user without an
    e-mail address still gets the inbox row; with `inbox_only` every user gets only that.
    """
    _check_key(kind, dedup_base)
    allowed = {"offender_id", "case_id", "activity_id", "send_after"}
    unknown = set(links) - allowed
    if unknown:
        raise TypeError(f"unexpected arguments: {', '.join(sorted(unknown))}")
    send_after = links.pop("send_after", None)
    if send_after is not None and send_after.tzinfo is None:
        raise ValueError("send_after must be timezone-aware")
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return []
    found = {
        row.id: _mail_address(row.email, row.active)
        for row in session.execute(select(User.id, User.email, User.active).where(User.id.in_(ids)))
    }
    missing = [user_id for user_id in ids if user_id not in found]
    if missing:
        raise ValueError(f"no user with id {', '.join(map(str, missing))}")
    added = []
    for user_id in ids:
        notification = _insert(
            session,
            _values(
                kind=kind,
                dedup_key=f"{dedup_base}:u{user_id}",
                subject=subject,
                body=body,
                recipient_user_id=user_id,
                recipient_email=None if inbox_only else found[user_id],
                send_after=send_after,
                **links,
            ),
        )
        if notification is not None:
            added.append(notification)
    return added


def inbox(
    session: Session,
    actor: Actor,
    *,
    unread_only: bool = False,
    limit: int = 100,
    before_id: int | None = None,
) -> list[InboxItem]:
    """The actor's messages, newest first; pass the last id seen as `before_id` for the next page."""
    if actor.user_id is None:
        return []
    query = select(
        Notification.id,
        Notification.kind,
        Notification.subject,
        Notification.body,
        Notification.created_at,
        Notification.read_at,
        Notification.offender_id,
        Notification.case_id,
        Notification.activity_id,
    ).where(Notification.recipient_user_id == actor.user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    query = query.order_by(Notification.id.desc()).limit(max(1, limit))
    return [InboxItem(**row._mapping) for row in session.execute(query)]


def unread_count(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_user_id == actor.user_id, Notification.read_at.is_(None))
    )


def mark_read(session: Session, actor: Actor, notification_id: int) -> None:
    """Only the recipient marks a message read; marking it again keeps the first time."""
    notification = session.get(Notification, notification_id)
    if (
        notification is None
        or actor.user_id is None
        or notification.recipient_user_id != actor.user_id
    ):
        # Someone else's message is reported like a missing one: its existence is not theirs to know.
        raise NotFound(f"Message {notification_id} is not in your inbox.")
    if notification.read_at is None:
        notification.read_at = clock.now()
        session.flush()
