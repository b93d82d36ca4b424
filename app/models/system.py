"""Notification outbox, audit log, deadline and reminder rules, office calendar, settings, counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.vocabulary import (
    ActivityType,
    AuditAction,
    CalendarAdjustmentKind,
    DayCountUnit,
    NotificationStatus,
)
from app.models.base import Base, UtcDateTime, Versioned, enum_column, utcnow


class Notification(Base):
    """Outbox row: feeds the in-app inbox and the e-mail sender. `dedup_key` stops double sends."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_status_send_after", "status", "send_after"),
        Index("ix_notification_recipient_read", "recipient_user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    dedup_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    offender_id: Mapped[int | None] = mapped_column(ForeignKey("offender.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("compact_case.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_column(NotificationStatus, "notification_status"),
        nullable=False,
        default=NotificationStatus.PENDING,
    )
    send_after: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Append-only: who did what to which row, with old and new values. The database refuses updates."""

    __tablename__ = "audit_entry"
    __audited__ = False
    __table_args__ = (
        Index("ix_audit_entry_entity", "entity", "entity_id"),
        Index("ix_audit_entry_offender", "offender_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(120), nullable=False)
    action: Mapped[AuditAction] = mapped_column(
        enum_column(AuditAction, "audit_action"), nullable=False
    )
    entity: Mapped[str] = mapped_column(String(60), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(String(80))
    # The profile the row belongs to, so that a profile's History tab is one indexed query.
    offender_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    note: Mapped[str | None] = mapped_column(Text)


class DeadlineRule(Base):
    """A rule's timeframe in force from `effective_from`; the version in force on the trigger date applies."""

    __tablename__ = "deadline_rule"
    __table_args__ = (UniqueConstraint("rule_key", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(60), nullable=False)
    rule_number: Mapped[str] = mapped_column(String(20), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    days: Mapped[int] = mapped_column(Integer, nullable=False)
    unit: Mapped[DayCountUnit] = mapped_column(
        enum_column(DayCountUnit, "day_count_unit"), nullable=False
    )


class ReminderRule(Base):
    """A reminder e-mail sent `offset` days after an activity of `activity_type` was transmitted,
    while it still awaits a reply; `label` says where that day stands against the due date."""

    __tablename__ = "reminder_rule"
    __table_args__ = (UniqueConstraint("activity_type", "offset", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_type: Mapped[ActivityType] = mapped_column(
        enum_column(ActivityType, "activity_type"), nullable=False
    )
    offset: Mapped[int] = mapped_column(Integer, nullable=False)
    unit: Mapped[DayCountUnit] = mapped_column(
        enum_column(DayCountUnit, "day_count_unit"), nullable=False
    )
    label: Mapped[str] = mapped_column(String(60), nullable=False)


class CalendarAdjustment(Versioned, Base):
    """An office's change to the legal-holiday list: a closure added or a listed holiday worked."""

    __tablename__ = "calendar_adjustment"
    __table_args__ = (UniqueConstraint("jurisdiction_code", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[CalendarAdjustmentKind] = mapped_column(
        enum_column(CalendarAdjustmentKind, "calendar_adjustment_kind"), nullable=False
    )
    reason: Mapped[str | None] = mapped_column(String(200))


class Setting(Versioned, Base):
    """Office-wide settings kept in the database (labels, SMTP host); secrets go to the keyring."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class NumberCounter(Base):
    """Next number for offenders, cases, activities and warrant records created in this installation."""

    __tablename__ = "number_counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer, nullable=False)
