"""Offender profiles (one per person, shared by all states), their aliases, residences and former numbers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.text import identifier_key, name_key
from app.core.vocabulary import Sex
from app.models.base import Base, KeyString, Timestamps, UtcDateTime, Versioned, enum_column


class Offender(Versioned, Timestamps, Base):
    __tablename__ = "offender"
    __audit_mask__ = frozenset({"ssn"})
    __table_args__ = (
        # Name search: prefix on the last name, then first name; id keeps the order total.
        Index("ix_offender_name", "last_name_key", "first_name_key", "id"),
        Index("ix_offender_first_name", "first_name_key", "last_name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The profile number shown to users and used in exchange files ("offender_id" there).
    offender_number: Mapped[str] = mapped_column(KeyString(40), nullable=False, unique=True)
    last_name: Mapped[str] = mapped_column(String(80), nullable=False)
    first_name: Mapped[str] = mapped_column(String(80), nullable=False)
    middle_name: Mapped[str | None] = mapped_column(String(80))
    suffix: Mapped[str | None] = mapped_column(String(10))
    last_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)
    first_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, "sex"))
    race: Mapped[str | None] = mapped_column(String(40))
    ssn: Mapped[str | None] = mapped_column(String(9), index=True)
    fbi_number: Mapped[str | None] = mapped_column(KeyString(20), index=True)
    state_id: Mapped[str | None] = mapped_column(KeyString(20), index=True)
    sex_offender: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    victim_sensitive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    history_of_assault: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_state: Mapped[str] = mapped_column(
        ForeignKey("jurisdiction.code"), nullable=False, index=True
    )
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # Who certified, before creating this profile, that none of the search matches was the same person.
    not_duplicate_certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    not_duplicate_certified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    aliases: Mapped[list[Alias]] = relationship(
        back_populates="offender", cascade="all, delete-orphan", order_by="Alias.id"
    )
    former_numbers: Mapped[list[FormerOffenderNumber]] = relationship(
        back_populates="offender", cascade="all, delete-orphan"
    )

    @validates("last_name")
    def _set_last_key(self, _key: str, value: str) -> str:
        self.last_name_key = name_key(value)
        return value

    @validates("first_name")
    def _set_first_key(self, _key: str, value: str) -> str:
        self.first_name_key = name_key(value)
        return value

    @validates("fbi_number", "state_id")
    def _normalise_identifier(self, _key: str, value: str | None) -> str | None:
        return identifier_key(value) or None

    @property
    def display_name(self) -> str:
        given = " ".join(p for p in (self.first_name, self.middle_name) if p)
        name = f"{self.last_name}, {given}" if given else self.last_name
        return f"{name} {self.suffix}" if self.suffix else name


class Alias(Versioned, Base):
    __tablename__ = "alias"
    __table_args__ = (Index("ix_alias_name", "last_name_key", "first_name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), nullable=False, index=True
    )
    last_name: Mapped[str] = mapped_column(String(80), nullable=False)
    first_name: Mapped[str] = mapped_column(String(80), nullable=False)
    middle_name: Mapped[str | None] = mapped_column(String(80))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    last_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)
    first_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)

    offender: Mapped[Offender] = relationship(back_populates="aliases")

    @validates("last_name")
    def _set_last_key(self, _key: str, value: str) -> str:
        self.last_name_key = name_key(value)
        return value

    @validates("first_name")
    def _set_first_key(self, _key: str, value: str) -> str:
        self.first_name_key = name_key(value)
        return value


class FormerOffenderNumber(Base):
    """A number retired by a merge; searching it still finds the surviving profile."""

    __tablename__ = "former_offender_number"

    number: Mapped[str] = mapped_column(KeyString(40), primary_key=True)
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), nullable=False, index=True
    )
    retired_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    offender: Mapped[Offender] = relationship(back_populates="former_numbers")


class Residence(Versioned, Base):
    """Address history; the primary address is never overwritten (Rule 1.101 'resident' test uses it)."""

    __tablename__ = "residence"

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), nullable=False, index=True
    )
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(80))
    state_code: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    is_primary: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class OffenderLink(Base):
    """A state linked to a profile (creator, or sending/receiving state of one of its cases).

    Derived from offenders and cases (see app.services.links); it carries the name keys so that a
    state's list of profiles is one index range, in name order, at any size.
    """

    __tablename__ = "offender_link"
    __table_args__ = (
        Index(
            "ix_offender_link_name",
            "jurisdiction_code",
            "last_name_key",
            "first_name_key",
            "offender_id",
        ),
        Index("ix_offender_link_offender", "offender_id"),
    )

    jurisdiction_code: Mapped[str] = mapped_column(
        ForeignKey("jurisdiction.code"), primary_key=True
    )
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), primary_key=True
    )
    last_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)
    first_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)


class OffenderName(Base):
    """Every name a profile is known by (its own and its aliases'), one row each, kept by
    app.models.search_index: name search is an index range in name order; on SQLite an FTS5
    trigram table over `full_key` answers 'contains' searches, on PostgreSQL a pg_trgm index."""

    __tablename__ = "offender_name"
    __table_args__ = (
        Index("ix_offender_name_keys", "last_name_key", "first_name_key", "offender_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), nullable=False, index=True
    )
    alias_id: Mapped[int | None] = mapped_column(
        ForeignKey("alias.id", ondelete="CASCADE"), unique=True
    )
    last_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)
    first_name_key: Mapped[str] = mapped_column(KeyString(80), nullable=False)
    full_key: Mapped[str] = mapped_column(KeyString(161), nullable=False)
