"""The offender profile form: identity fields, their labels, and the rules each must keep."""

from __future__ import annotations

from app.core.vocabulary import Sex
from app.forms.fields import Field, FieldKind, FormDefinition, Section
from app.forms.validators import (
    date_of_birth_rule,
    fbi_number_rule,
    name_rule,
    ssn_rule,
    state_id_rule,
)

SEX_CHOICES = (
    (Sex.MALE.value, "Male"),
    (Sex.FEMALE.value, "Female"),
    (Sex.OTHER.value, "X (non-binary)"),
    (Sex.UNKNOWN.value, "Unknown"),
)

RACE_CHOICES = tuple(
    (label, label)
    for label in (
        "American Indian or Alaska Native",
        "Asian",
        "Black",
        "Native Hawaiian or Other Pacific Islander",
        "White",
        "Other",
        "Unknown",
    )
)

OFFENDER_FORM = FormDefinition(
    name="offender",
    title="Offender profile",
    sections=(
        Section(
            "Name",
            (
                Field("last_name", "Last name", required=True, max_length=80, validators=(name_rule,)),
                Field("first_name", "First name", required=True, max_length=80, validators=(name_rule,)),
                Field("middle_name", "Middle name", max_length=80, validators=(name_rule,)),
                Field("suffix", "Suffix", max_length=10, help="Jr., Sr., III"),
            ),
        ),
        Section(
            "Identity",
            (
                Field("date_of_birth", "Date of birth", FieldKind.DATE, validators=(date_of_birth_rule,)),
                Field("sex", "Sex", FieldKind.CHOICE, choices=SEX_CHOICES),
                Field("race", "Race", FieldKind.CHOICE, choices=RACE_CHOICES),
                Field("ssn", "SSN", max_length=11, validators=(ssn_rule,), help="123-45-6789"),
                Field("fbi_number", "FBI number", max_length=20, validators=(fbi_number_rule,)),
                Field("state_id", "State ID (SID)", max_length=24, validators=(state_id_rule,)),
            ),
        ),
        Section(
            "Special statuses",
            (
                Field("sex_offender", "Sex offender", FieldKind.FLAG),
                Field("victim_sensitive", "Victim sensitive", FieldKind.FLAG),
                Field("history_of_assault", "History of assault", FieldKind.FLAG),
            ),
        ),
    ),
)  # fmt: skip
