"""Declarative form fields: one definition renders the Qt form, lays out the PDF and validates imports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from app.core import jurisdictions

# A validator returns the rule broken, in words, or None when the value is fine.
Validator = Callable[[Any, Mapping[str, Any]], str | None]


class FieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    DATE = "date"
    CHOICE = "choice"
    STATE = "state"
    FLAG = "flag"


DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
DISPLAY_DATE_FORMAT = "%m/%d/%Y"


def parse_date(text: str) -> date:
    """Accepts MM/DD/YYYY and YYYY-MM-DD; raises ValueError with the accepted forms."""
    cleaned = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError("must be a date written MM/DD/YYYY or YYYY-MM-DD")


def format_date(value: date | None) -> str:
    return value.strftime(DISPLAY_DATE_FORMAT) if value else ""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    validators: tuple[Validator, ...] = ()
    help: str = ""

    def parse(self, raw: Any) -> Any:
        """Text as typed (or a typed value) to the stored value; ValueError names the rule."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return False if self.kind is FieldKind.FLAG else None
        if self.kind is FieldKind.FLAG:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("true", "yes", "y", "1"):
                return True
            if text in ("false", "no", "n", "0"):
                return False
            raise ValueError("must be true or false")
        if self.kind is FieldKind.DATE:
            return raw if isinstance(raw, date) else parse_date(str(raw))
        text = str(raw).strip()
        if self.kind is FieldKind.STATE:
            found = jurisdictions.lookup(text)
            if found is None:
                raise ValueError("must be a member state's two-letter code or name")
            return found.code
        if self.kind is FieldKind.CHOICE:
            allowed = {value for value, _ in self.choices}
            labels = {label.lower(): value for value, label in self.choices}
            if text in allowed:
                return text
            if text.lower() in labels:
                return labels[text.lower()]
            upper = text.upper()
            if upper in allowed:
                return upper
            raise ValueError("must be one of " + ", ".join(label for _, label in self.choices))
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters (it has {len(text)})")
        return text


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class FormDefinition:
    name: str
    title: str
    sections: tuple[Section, ...]
    # Rules across fields, run once every field parsed: (field name the message belongs to, rule).
    cross_checks: tuple[Callable[[Mapping[str, Any]], list[tuple[str, str]]], ...] = field(
        default=()
    )

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for section in self.sections for f in section.fields)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def validate(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Parses every field; returns the clean values and every problem as (field name, rule)."""
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for form_field in self.fields:
            try:
                values[form_field.name] = form_field.parse(raw.get(form_field.name))
            except ValueError as exc:
                problems.append((form_field.name, str(exc)))
                values[form_field.name] = None
                continue
            if form_field.required and values[form_field.name] in (None, ""):
                problems.append((form_field.name, "is required"))
        for form_field in self.fields:
            value = values.get(form_field.name)
            if value in (None, "") or any(name == form_field.name for name, _ in problems):
                continue
            for validator in form_field.validators:
                rule = validator(value, values)
                if rule:
                    problems.append((form_field.name, rule))
                    break
        if not problems:
            for check in self.cross_checks:
                problems.extend(check(values))
        return values, problems

    def label_of(self, name: str) -> str:
        return self.field(name).label
