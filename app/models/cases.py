"""Compact cases (one per transfer event), each state's interest in them, and case notes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.vocabulary import (
    ACTIVE_CASE_STATUSES,
    CaseStatus,
    InterestSide,
    SupervisionType,
)
from app.models.base import Base, KeyString, Timestamps, UtcDateTime, Versioned, enum_column, utcnow
from app.models.offenders import Offender


class CompactCase(Versioned, Timestamps, Base):
    __tablename__ = "compact_case"
    __table_args__ = (
        # Counts of a state's or a user's cases by status, and of those overdue, read from the
        # index alone.
        Index("ix_compact_case_sending_status_due", "sending_state", "status", "next_due_date"),
        Index("ix_compact_case_receiving_status_due", "receiving_state", "status", "next_due_date"),
        Index(
            "ix_compact_case_sending_user_status_due",
            "sending_assigned_user_id",
            "status",
            "next_due_date",
        ),
        Index(
            "ix_compact_case_receiving_user_status_due",
            "receiving_assigned_user_id",
            "status",
            "next_due_date",
        ),
        # The workload's 'next due' order, walked in the index and stopped at the page's end.
        Index("ix_compact_case_next_due", "next_due_date", "id"),
        # A state's cases by status with a special status (overdue or not), counted and found as
        # ranges of the index alone: the filter names the masks that hold the status.
        Index(
            "ix_compact_case_sending_status_special",
            "sending_state",
            "status",
            "special_statuses",
            "next_due_date",
        ),
        Index(
            "ix_compact_case_receiving_status_special",
            "receiving_state",
            "status",
            "special_statuses",
            "next_due_date",
        ),
    )
    # Derived columns are nobody's edit (see app.models.special_status).
    __audit_exclude__ = frozenset({"special_statuses"})

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(KeyString(40), nullable=False, unique=True)
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sending_state: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    receiving_state: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    supervision_type: Mapped[SupervisionType] = mapped_column(
        enum_column(SupervisionType, "supervision_type"), nullable=False
    )
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, "case_status"), nullable=False, default=CaseStatus.PENDING
    )
    offense_summary: Mapped[str | None] = mapped_column(Text)
    supervision_end_date: Mapped[date | None] = mapped_column(Date)
    sending_assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    receiving_assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    tolling: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Cases migrated from the 2008 system: no notices of departure or arrival allowed.
    legacy: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Derived, never edited: the earliest due date of the case's activities awaiting a reply (none:
    # NULL). Kept by app.models.next_due on every flush of activities and after bulk loads.
    next_due_date: Mapped[date | None] = mapped_column(Date)
    # Derived, never edited: the offender's special statuses, one bit each (0: none). Kept by
    # app.models.special_status on every flush of profiles, warrant records and cases, and after
    # bulk loads. Only a server default, so that inserts naming the columns of an older schema
    # (imports, rows written under an earlier revision) stay valid and start at 0.
    special_statuses: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")

    offender: Mapped[Offender] = relationship()
    interests: Mapped[list[CaseInterest]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_CASE_STATUSES


class CaseInterest(Base):
    """A state's link to a case (sending or receiving); it decides who sees the offender profile."""

    __tablename__ = "case_interest"
    __table_args__ = (
        UniqueConstraint("case_id", "jurisdiction_code", "side"),
        Index("ix_case_interest_jurisdiction", "jurisdiction_code", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("compact_case.id", ondelete="CASCADE"), nullable=False
    )
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    side: Mapped[InterestSide] = mapped_column(
        enum_column(InterestSide, "interest_side"), nullable=False
    )
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)

    case: Mapped[CompactCase] = relationship(back_populates="interests")


class CaseNote(Base):
    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("compact_case.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
