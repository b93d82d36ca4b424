"""Field rules shared by forms and imports; each returns the broken rule in words, or None."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core import clock
from app.core.text import digits_only, identifier_key

MINIMUM_AGE = 14  # FY23 compliance audit: a date of birth giving an age under 14 is invalid


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def date_of_birth_rule(value: date, _values: Mapping[str, Any]) -> str | None:
    today = clock.today()
    if value > today:
        return "cannot be in the future"
    if age_on(value, today) < MINIMUM_AGE:
        return f"gives an age under {MINIMUM_AGE}; check the year"
    if value.year < 1900:
        return "is before 1900; check the year"
    return None


def not_in_future(value: date, _values: Mapping[str, Any]) -> str | None:
    return "cannot be in the future" if value > clock.today() else None


def ssn_problem(text: str) -> str | None:
    """The SSA's never-issued numbers: area 000, 666 or 9xx; group 00; serial 0000; 999-99-9999."""
    digits = digits_only(text)
    if len(digits) != 9 or not re.fullmatch(r"[\d\s-]+", text.strip()):
        return "must be nine digits (hyphens allowed)"
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area == "000" or area == "666" or area.startswith("9"):
        return f"area number {area} is never issued (000, 666 and 900-999 are invalid)"
    if group == "00":
        return "group number 00 is never issued"
    if serial == "0000":
        return "serial number 0000 is never issued"
    return None


def ssn_rule(value: str, _values: Mapping[str, Any]) -> str | None:
    return ssn_problem(value)


def fbi_number_rule(value: str, _values: Mapping[str, Any]) -> str | None:
    """Lenient: FBI numbers (UCN) have had several formats; letters and digits, 1 to 9 of them."""
    key = identifier_key(value)
    if not re.fullmatch(r"[A-Z0-9]{1,9}", key):
        return "must be 1 to 9 letters and digits (spaces and hyphens are ignored)"
    if not any(ch.isdigit() for ch in key):
        return "must contain at least one digit"
    return None


def state_id_rule(value: str, _values: Mapping[str, Any]) -> str | None:
    key = identifier_key(value)
    if not re.fullmatch(r"[A-Z0-9]{1,20}", key):
        return "must be 1 to 20 letters and digits (spaces and hyphens are ignored)"
    return None


def name_rule(value: str, _values: Mapping[str, Any]) -> str | None:
    if not any(ch.isalpha() for ch in value):
        return "must contain letters"
    if re.search(r"[0-9@#$%^&*_=+<>{}\[\]|\\/]", value):
        return "may contain letters, spaces, hyphens, apostrophes and periods only"
    return None
