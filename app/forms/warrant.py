"""The warrant status record of seed 002, with its date order, NIC number and execution rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core.vocabulary import WarrantStatus
from app.forms.fields import Field, FieldKind, FormDefinition, Section, format_date
from app.forms.validators import not_in_future

# DOMAIN 9: NCIC gives each record a self-checking number of one letter and nine digits; the letter
# names the NCIC file. The check digit's algorithm is not public, so it is not verified.
NIC_PATTERN = re.compile(r"[A-Z][0-9]{9}")
# The Wanted Person File; an ICAOS warrant is expected there, but the field is a generic
# 'warrant identifier', so another letter is worth a second look, not a refusal.
WANTED_PERSON_FILE = "W"
COMMENTS_MAX = 20_000
COMMENT_MAX = 2_000

# DECISIONS 'Warrant status': executing needs the NCIC entry date; without it, withdraw instead.
EXECUTION_NEEDS_NCIC = (
    "needs the NCIC entry date: a warrant is marked served (executed) only once it is entered in "
    "NCIC; if it never was, add a comment saying so and mark the record withdrawn instead"
)


def normalise_nic(text: str | None) -> str | None:
    """Upper case without spaces or hyphens, the way NCIC prints it ('w-123 456 789' -> W123456789)."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s-]+", "", text).upper()
    return cleaned or None


def nic_rule(value: str, _values: Mapping[str, Any]) -> str | None:
    key = normalise_nic(value) or ""
    if not NIC_PATTERN.fullmatch(key):
        return (
            "must be an NIC number: one letter and nine digits, e.g. W123456789 "
            "(spaces and hyphens are ignored)"
        )
    return None


def nic_note(value: str | None) -> str | None:
    """A well-formed NIC number outside the Wanted Person File: said, never refused."""
    key = normalise_nic(value)
    if key and NIC_PATTERN.fullmatch(key) and not key.startswith(WANTED_PERSON_FILE):
        return (
            f"starts with {key[0]}, not {WANTED_PERSON_FILE} (the NCIC Wanted Person File): "
            "check that this is the warrant's NIC number; it can be saved as it is"
        )
    return None


def status_for(served_date: date | None, withdrawn_date: date | None) -> WarrantStatus:
    """Seed 002: the status is never typed; it follows from the served and withdrawn dates."""
    if served_date is not None:
        return WarrantStatus.EXECUTED
    if withdrawn_date is not None:
        return WarrantStatus.WITHDRAWN
    return WarrantStatus.ACTIVE


def _dates_in_order(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    issued: date | None = values.get("issued_date")
    requested: date | None = values.get("requested_date")
    if issued is None:
        return problems
    if requested and requested > issued:
        problems.append(
            (
                "requested_date",
                f"cannot be after the date the warrant was issued ({format_date(issued)})",
            )
        )
    for name, what in (
        ("ncic_entry_date", "entered in NCIC"),
        ("served_date", "served"),
        ("withdrawn_date", "withdrawn"),
    ):
        day = values.get(name)
        if day and day < issued:
            problems.append(
                (
                    name,
                    f"cannot be before the date the warrant was issued ({format_date(issued)}): "
                    f"a warrant is {what} only after it is issued",
                )
            )
    return problems


def _served_or_withdrawn(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("served_date") and values.get("withdrawn_date"):
        return [
            (
                "withdrawn_date",
                "cannot be given with a date served: a warrant is either served or withdrawn",
            )
        ]
    return []


def _served_needs_ncic(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("served_date") and not values.get("ncic_entry_date"):
        return [("served_date", EXECUTION_NEEDS_NCIC)]
    return []


WARRANT_FORM = FormDefinition(
    name="warrant_status_record",
    title="Warrant status record",
    sections=(
        Section(
            "Warrant",
            (
                Field("requested_date", "Date warrant requested", FieldKind.DATE,
                      validators=(not_in_future,),
                      help="request sent to the court, parole board or other issuing authority"),
                Field("issued_date", "Date warrant issued", FieldKind.DATE, required=True,
                      validators=(not_in_future,)),
                Field("issuing_authority", "Issuing authority (name/title)", required=True,
                      max_length=200, help="e.g. Judge Ana Ruiz, 3rd District Court"),
                Field("issuing_authority_contact", "Issuing authority contact",
                      FieldKind.MULTILINE, max_length=2000, help="e-mail, phone, address"),
                Field("warrant_identifier", "Warrant identifier (NIC number)", max_length=20,
                      validators=(nic_rule,), help="one letter and nine digits, e.g. W123456789"),
            ),
        ),
        Section(
            "NCIC and outcome",
            (
                Field("ncic_entry_date", "NCIC entry date", FieldKind.DATE,
                      validators=(not_in_future,), help="needed before the warrant is served"),
                Field("served_date", "Date served", FieldKind.DATE, validators=(not_in_future,),
                      help="the record then becomes read-only"),
                Field("withdrawn_date", "Date withdrawn", FieldKind.DATE,
                      validators=(not_in_future,), help="the record then becomes read-only"),
            ),
        ),
        Section(
            "Comments",
            (Field("comments", "Comments", FieldKind.MULTILINE, max_length=COMMENTS_MAX),),
        ),
    ),
    cross_checks=(_dates_in_order, _served_or_withdrawn, _served_needs_ncic),
)  # fmt: skip

SERVE_FORM = FormDefinition(
    name="warrant_status_served",
    title="Mark served",
    sections=(
        Section(
            "Served",
            (
                Field("served_date", "Date served", FieldKind.DATE, required=True,
                      validators=(not_in_future,)),
                Field("comment", "Comment", FieldKind.MULTILINE, max_length=COMMENT_MAX),
            ),
        ),
    ),
)  # fmt: skip

WITHDRAW_FORM = FormDefinition(
    name="warrant_status_withdrawn",
    title="Mark withdrawn",
    sections=(
        Section(
            "Withdrawn",
            (
                Field("withdrawn_date", "Date withdrawn", FieldKind.DATE, required=True,
                      validators=(not_in_future,)),
                Field("comment", "Comment", FieldKind.MULTILINE, max_length=COMMENT_MAX,
                      help="e.g. why; or that the warrant was never entered in NCIC"),
            ),
        ),
    ),
)  # fmt: skip

COMMENT_FORM = FormDefinition(
    name="warrant_status_comment",
    title="Add comment",
    sections=(
        Section(
            "Comment",
            (
                Field("comment", "Comment", FieldKind.MULTILINE, required=True,
                      max_length=COMMENT_MAX),
            ),
        ),
    ),
)  # fmt: skip


def clean_warrant_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The form's values as stored (NIC number normalised) and every problem as (field, rule)."""
    values, problems = WARRANT_FORM.validate(raw)
    if values.get("issued_date") is None and values.get("served_date") is not None:
        # Said in the terms of the mistake: a served date was given for a warrant never issued.
        problems = [
            (name, rule)
            for name, rule in problems
            if (name, rule) != ("issued_date", "is required")
        ]
        problems.insert(
            0, ("issued_date", "is required with a date served: a warrant is served once issued")
        )
    values["warrant_identifier"] = normalise_nic(values.get("warrant_identifier"))
    return values, problems


def warrant_notes(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Remarks that do not stop a save, as (field, remark)."""
    note = nic_note(values.get("warrant_identifier"))
    return [("warrant_identifier", note)] if note else []
