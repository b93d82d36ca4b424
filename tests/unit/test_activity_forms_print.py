"""Every activity type's form prints: a PDF per declaration, its text read back with pypdf."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.forms.activities import SPECS
from app.forms.fields import FieldKind
from app.pdf.activity_form import render_activity
from app.services.activity_print import build_document

FACTS = {
    "activity_number": "A00000042",
    "type": "",
    "case_number": "C0000007",
    "from_state": "TX",
    "to_state": "VA",
    "supervision_type": "parole",
    "sex_offender": True,
    "victim_sensitive": False,
    "offender": {"name": "José Núñez-O'Brien", "offender_number": "T0000001",
                 "date_of_birth": "1984-06-02", "sex": "Male", "race": "", "state_id": "TX1",
                 "fbi_number": "123456AB7"},
    "office": {"phone": "512-406-5990", "fax": "512-454-0469", "address": "Austin TX",
               "email": "", "designee": ""},
    "author": "Pat Officer",
}  # fmt: skip


def filled(spec) -> dict:
    """A value in every field, as typed: the form's own rules decide what is valid."""
    values = {}
    for field in spec.form.fields:
        if field.kind is FieldKind.DATE:
            values[field.name] = "2026-11-02"
        elif field.kind is FieldKind.CHOICE:
            values[field.name] = (
                field.choices[-1][0] if field.name.startswith("pending") else field.choices[0][0]
            )
        elif field.kind is FieldKind.FLAG:
            values[field.name] = True
        elif field.kind is FieldKind.STATE:
            values[field.name] = "VA"
        elif field.name in ("residence_history", "resident_family"):
            values[field.name] = (
                "VA 2020-01-01 present"
                if field.name == "residence_history"
                else "parent VA 2020-01-01"
            )
        else:
            values[field.name] = f"{field.label} given"[: field.max_length or None]
    return values


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.type.value)
def test_each_type_prints_its_title_fields_and_values(spec):
    values, problems = spec.form.validate(filled(spec))
    assert problems == []
    content = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    document = build_document(spec.type, dict(FACTS, type=spec.type.value), content,
                              day=date(2026, 11, 30), copy_label="Copy as transmitted 11/30/2026")  # fmt: skip
    text = " ".join(
        page.extract_text() for page in PdfReader(BytesIO(render_activity(document))).pages
    )
    flat = " ".join(text.split())
    assert "Interstate Commission for Adult Offender Supervision" in flat
    assert " ".join(spec.form.title.split()) in flat
    assert "José Núñez-O'Brien" in flat and "Virginia" in flat and "Texas" in flat
    for section in spec.form.sections:
        for field in section.fields:
            assert " ".join(field.label.split())[:20] in flat, field.name
            if field.kind in (FieldKind.TEXT, FieldKind.MULTILINE) and "given" in str(
                values[field.name]
            ):
                assert values[field.name][:20] in flat, field.name
    assert "Copy as transmitted 11/30/2026" in flat
