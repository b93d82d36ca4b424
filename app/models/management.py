"""Offender management requests (move, merge, delete), state approvals and retention snapshots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.vocabulary import ManagementKind, ManagementStatus
from app.models.base import Base, Timestamps, UtcDateTime, Versioned, enum_column, utcnow


class ManagementRequest(Versioned, Timestamps, Base):
    __tablename__ = "management_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ManagementKind] = mapped_column(
        enum_column(ManagementKind, "management_kind"), nullable=False
    )
    status: Mapped[ManagementStatus] = mapped_column(
        enum_column(ManagementStatus, "management_status"),
        nullable=False,
        default=ManagementStatus.PENDING,
        index=True,
    )
    requesting_state: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Profiles are referenced by id while they exist and by number for the record once gone.
    source_offender_id: Mapped[int | None] = mapped_column(
        ForeignKey("offender.id", ondelete="SET NULL"), index=True
    )
    source_offender_number: Mapped[str] = mapped_column(String(40), nullable=False)
    target_offender_id: Mapped[int | None] = mapped_column(
        ForeignKey("offender.id", ondelete="SET NULL"), index=True
    )
    target_offender_number: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("compact_case.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    print_all: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    approvals: Mapped[list[ManagementApproval]] = relationship(
        back_populates="request", cascade="all, delete-orphan"
    )


class ManagementApproval(Base):
    """One linked state's decision on a request, made by its state administrator."""

    __tablename__ = "management_approval"
    __table_args__ = (UniqueConstraint("request_id", "jurisdiction_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("management_request.id", ondelete="CASCADE"), nullable=False
    )
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    approved: Mapped[bool | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    print_all: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    comment: Mapped[str | None] = mapped_column(Text)

    request: Mapped[ManagementRequest] = relationship(back_populates="approvals")


class RetentionSnapshot(Base):
    """'Print all': the PDF of a whole record saved before a move, merge or delete changes it."""

    __tablename__ = "retention_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_number: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    offender_id: Mapped[int | None] = mapped_column(ForeignKey("offender.id", ondelete="SET NULL"))
    management_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("management_request.id", ondelete="SET NULL")
    )
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
