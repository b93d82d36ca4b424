"""The probable-cause record of Rule 5.108: a hearing in the receiving state, or its waiver."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.forms.fields import Field, FieldKind, FormDefinition, Section
from app.forms.validators import not_in_future

RULE_5_108_B = (
    "Rule 5.108(b): no waiver of a probable cause hearing shall be accepted unless accompanied by "
    "an admission by the offender to one or more violations of the conditions of supervision that "
    "would result in the pursuance of revocation of supervision in the receiving state and require "
    "retaking"
)

ESTABLISHED_CHOICES = (("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"))
ESTABLISHED_VALUES: dict[str, bool | None] = {"yes": True, "no": False, "unknown": None}

# The attachment types ICOTS accepts (DOMAIN.md 2.2); scanned images break PDF compilation there.
ATTACHMENT_TYPES = (".pdf", ".doc", ".docx", ".rtf", ".txt")


def established_choice(value: bool | None) -> str:
    """A stored finding as the form's choice."""
    return next(key for key, stored in ESTABLISHED_VALUES.items() if stored is value)


def _attachment_type(value: str, _values: Mapping[str, Any]) -> str | None:
    if not value.lower().endswith(ATTACHMENT_TYPES):
        return "must be a " + ", ".join(t[1:].upper() for t in ATTACHMENT_TYPES) + " file"
    return None


def _waiver_needs_admission(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("waived") and not values.get("admission_of_revocable_violation"):
        return [
            (
                "waived",
                "cannot be accepted without the offender's admission of a violation that would "
                f"result in revocation ({RULE_5_108_B})",
            )
        ]
    return []


def _report_after_hearing(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    hearing, received = values.get("hearing_date"), values.get("report_received_date")
    if hearing and received and received < hearing:
        return [
            (
                "report_received_date",
                f"cannot be before the hearing date ({hearing.strftime('%m/%d/%Y')})",
            )
        ]
    return []


PROBABLE_CAUSE_FORM = FormDefinition(
    name="probable_cause_record",
    title="Probable cause record",
    sections=(
        Section(
            "Hearing",
            (
                Field("hearing_date", "Hearing date", FieldKind.DATE, validators=(not_in_future,)),
                Field("established", "Probable cause established", FieldKind.CHOICE,
                      choices=ESTABLISHED_CHOICES, help="blank is unknown"),
                Field("waived", "Hearing waived", FieldKind.FLAG),
                Field("admission_of_revocable_violation",
                      "Offender admitted a violation that would result in revocation",
                      FieldKind.FLAG, help="needed for a waiver (Rule 5.108(b))"),
                Field("description", "Description", FieldKind.MULTILINE, max_length=4000),
            ),
        ),
        Section(
            "Report",
            (
                # Starts the sending state's 15 business days to decide (Rule 5.108(f)).
                Field("report_received_date", "Hearing report received", FieldKind.DATE,
                      validators=(not_in_future,)),
                Field("attachment_name", "Attachment", max_length=255,
                      validators=(_attachment_type,), help="file name"),
            ),
        ),
    ),
    cross_checks=(_waiver_needs_admission, _report_after_hearing),
)  # fmt: skip
