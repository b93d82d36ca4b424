"""Activities between sending and receiving states, their approval steps and what was transmitted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.vocabulary import ActivityOutcome, ActivityStatus, ActivityType, ApprovalDecision
from app.models.base import Base, Timestamps, UtcDateTime, Versioned, enum_column, utcnow
from app.models.cases import CompactCase


class Activity(Versioned, Timestamps, Base):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_case_created", "case_id", "created_at"),
        Index("ix_activity_assigned_status", "assigned_user_id", "status"),
        # One state's activities awaiting its compact office, oldest first: the approval queue.
        Index("ix_activity_status_from_submitted", "status", "from_state", "submitted_at"),
        # A day's transmissions of one type: what the daily reminders read (app.services.reminders).
        Index("ix_activity_type_transmitted", "type", "transmitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("compact_case.id", ondelete="CASCADE"), nullable=False
    )
    type: Mapped[ActivityType] = mapped_column(
        enum_column(ActivityType, "activity_type"), nullable=False
    )
    from_state: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    to_state: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus, "activity_status"), nullable=False, default=ActivityStatus.DRAFT
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Whose workload holds the activity now (the next person in the approval chain).
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    outcome: Mapped[ActivityOutcome | None] = mapped_column(
        enum_column(ActivityOutcome, "activity_outcome")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    transmitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The date by which the expected reply or follow-up is due, from the deadline rule in force.
    due_date: Mapped[date | None] = mapped_column(Date)
    deadline_rule_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_rule.id"))
    # The type's declared fields (app/forms) as entered.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    case: Mapped[CompactCase] = relationship()
    reply_to: Mapped[Activity | None] = relationship(remote_side=[id])
    steps: Mapped[list[ActivityStep]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityStep.id"
    )


class ActivityStep(Base):
    """One hand-off in the approval chain: submitted, approved, returned with a comment, transmitted."""

    __tablename__ = "activity_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), nullable=False, index=True
    )
    decision: Mapped[ApprovalDecision] = mapped_column(
        enum_column(ApprovalDecision, "approval_decision"), nullable=False
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="steps")


class TransmittedCopy(Base):
    """The immutable copy of an activity as sent: its content and its PDF. Never updated."""

    __tablename__ = "transmitted_copy"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    transmitted_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


class ProbableCauseRecord(Versioned, Timestamps, Base):
    """Rule 5.108: a probable-cause hearing (or waiver) in the receiving state."""

    __tablename__ = "probable_cause_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("compact_case.id", ondelete="CASCADE"), nullable=False, index=True
    )
    hearing_date: Mapped[date | None] = mapped_column(Date)
    established: Mapped[bool | None] = mapped_column()
    waived: Mapped[bool] = mapped_column(nullable=False, default=False)
    # 5.108(b): a waiver counts only with an admission of a violation that would result in revocation.
    admission_of_revocable_violation: Mapped[bool] = mapped_column(nullable=False, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    report_received_date: Mapped[date | None] = mapped_column(Date)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)


# Registers the listener that keeps compact_case.next_due_date, with the class it watches.
import app.models.next_due  # noqa: E402, F401
