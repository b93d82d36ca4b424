"""Warrant status records: they belong to the offender profile, not to a case (seed 002)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.vocabulary import WarrantStatus
from app.models.base import Base, UtcDateTime, Versioned, enum_column, utcnow
from app.models.offenders import Offender


class WarrantStatusRecord(Versioned, Base):
    __tablename__ = "warrant_status_record"
    __table_args__ = (Index("ix_warrant_status_offender_status", "offender_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # [WARRANT_STATUS_ID]: the identifier shown and exchanged (source id when imported).
    warrant_status_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[WarrantStatus] = mapped_column(
        enum_column(WarrantStatus, "warrant_status"), nullable=False, default=WarrantStatus.ACTIVE
    )
    requested_date: Mapped[date | None] = mapped_column(Date)
    issued_date: Mapped[date] = mapped_column(Date, nullable=False)
    issuing_authority: Mapped[str] = mapped_column(String(200), nullable=False)
    issuing_authority_contact: Mapped[str | None] = mapped_column(Text)
    warrant_identifier: Mapped[str | None] = mapped_column(String(20), index=True)
    ncic_entry_date: Mapped[date | None] = mapped_column(Date)
    ncic_verified_date: Mapped[date | None] = mapped_column(Date)
    served_date: Mapped[date | None] = mapped_column(Date)
    withdrawn_date: Mapped[date | None] = mapped_column(Date)
    retaking_authority: Mapped[str | None] = mapped_column(String(200))
    comments: Mapped[str | None] = mapped_column(Text)
    created_ts: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    updated_ts: Mapped[datetime] = mapped_column(
        UtcDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    # Kept as text: imported rows name users of the source system, not of this installation.
    created_by: Mapped[str] = mapped_column(String(120), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(120), nullable=False)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    offender: Mapped[Offender] = relationship()
