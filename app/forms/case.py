"""The compact case form: the two states, the type of supervision, the offense and who is assigned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.jurisdictions import NATIONAL_OFFICE_CODE
from app.core.vocabulary import SUPERVISION_TYPE_LABELS
from app.forms.fields import Field, FieldKind, FormDefinition, Section

SUPERVISION_CHOICES = tuple((kind.value, label) for kind, label in SUPERVISION_TYPE_LABELS.items())


def _states_differ(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    for name in ("sending_state", "receiving_state"):
        if values.get(name) == NATIONAL_OFFICE_CODE:
            problems.append((name, "must be a member state, not the National Office"))
    if values.get("sending_state") and values.get("sending_state") == values.get("receiving_state"):
        problems.append(("receiving_state", "must differ from the sending state"))
    return problems


CASE_FORM = FormDefinition(
    name="compact_case",
    title="Compact case",
    sections=(
        Section(
            "Case",
            (
                Field("sending_state", "Sending state", FieldKind.STATE, required=True),
                Field("receiving_state", "Receiving state", FieldKind.STATE, required=True),
                Field("supervision_type", "Type of supervision", FieldKind.CHOICE, required=True,
                      choices=SUPERVISION_CHOICES),
                Field("offense_summary", "Offense summary", FieldKind.MULTILINE, max_length=4000),
            ),
        ),
        Section(
            "Assigned",
            (
                # User names; the service checks that each is an active user of that state.
                Field("sending_assigned_user", "Sending state officer", max_length=64,
                      help="user name"),
                Field("receiving_assigned_user", "Receiving state officer", max_length=64,
                      help="user name"),
            ),
        ),
    ),
    cross_checks=(_states_differ,),
)  # fmt: skip
