"""Form drafts: what a user typed into a form and has not saved yet, kept so that it survives a crash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow

# What a draft's record_key holds for a record that does not exist yet.
NEW_RECORD_KEY = "new"


class FormDraft(Base):
    """One per user, form and record; the user's own scratch, so neither versioned nor audited."""

    __tablename__ = "form_draft"
    __audited__ = False
    __table_args__ = (UniqueConstraint("user_id", "form_name", "record_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
    )
    form_name: Mapped[str] = mapped_column(String(60), nullable=False)
    record_key: Mapped[str] = mapped_column(String(80), nullable=False)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
