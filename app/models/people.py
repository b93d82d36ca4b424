"""Jurisdictions, users and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.vocabulary import JurisdictionKind, Role
from app.models.base import Base, Timestamps, UtcDateTime, Versioned, enum_column


class Jurisdiction(Versioned, Base):
    """A member state, DC, a territory, or the National Office; its office details print on forms."""

    __tablename__ = "jurisdiction"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    kind: Mapped[JurisdictionKind] = mapped_column(
        enum_column(JurisdictionKind, "jurisdiction_kind"), nullable=False
    )
    divided: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    office_address: Mapped[str | None] = mapped_column(Text)
    office_phone: Mapped[str | None] = mapped_column(String(40))
    office_fax: Mapped[str | None] = mapped_column(String(40))
    office_email: Mapped[str | None] = mapped_column(String(254))
    designee_name: Mapped[str | None] = mapped_column(String(120))


class User(Versioned, Timestamps, Base):
    __tablename__ = "app_user"
    __audit_exclude__ = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    jurisdiction_code: Mapped[str] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # The local account that command-line and scheduled work runs as; it cannot sign in.
    is_system: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    on_leave: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Where this user's outgoing managed work goes: a supervisor, or None for the compact office.
    reports_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    reports_to: Mapped[User | None] = relationship(remote_side=[id])
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")
