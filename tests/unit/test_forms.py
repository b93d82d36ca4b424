"""Form definitions: parsing what is typed, every validator of the offender form, all problems at once."""

from __future__ import annotations

from datetime import date

import pytest

from app.core import clock
from app.forms.fields import Field, FieldKind, parse_date
from app.forms.offender import OFFENDER_FORM
from app.forms.validators import ssn_problem


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 25))


def valid(**changes):
    values = {"last_name": "Núñez", "first_name": "José", "date_of_birth": "03/04/1985",
              "ssn": "123-45-6789", "fbi_number": "123456AB7", "state_id": "TX 1234567",
              "sex": "M", "race": "White"}  # fmt: skip
    values.update(changes)
    return values


def problems_of(**changes):
    return dict(OFFENDER_FORM.validate(valid(**changes))[1])


def test_a_valid_profile_parses_to_typed_values():
    values, problems = OFFENDER_FORM.validate(valid(sex_offender="yes"))
    assert problems == []
    assert values["date_of_birth"] == date(1985, 3, 4)
    assert values["sex_offender"] is True and values["victim_sensitive"] is False


@pytest.mark.parametrize("typed", ["1985-03-04", "03/04/1985", " 3/4/1985 "])
def test_dates_accept_us_and_iso_forms(typed):
    assert parse_date(typed) == date(1985, 3, 4)


@pytest.mark.parametrize(
    "field, typed, rule",
    [
        ("last_name", "", "is required"),
        ("first_name", "  ", "is required"),
        ("last_name", "Sm1th", "letters, spaces, hyphens"),
        ("last_name", "x" * 81, "at most 80 characters (it has 81)"),
        ("date_of_birth", "2027-01-01", "cannot be in the future"),
        ("date_of_birth", "2015-06-01", "age under 14"),
        ("date_of_birth", "31/12/1980", "MM/DD/YYYY or YYYY-MM-DD"),
        ("ssn", "000-12-3456", "area number 000"),
        ("ssn", "666-12-3456", "area number 666"),
        ("ssn", "912-12-3456", "area number 912"),
        ("ssn", "123-00-4567", "group number 00"),
        ("ssn", "123-45-0000", "serial number 0000"),
        ("ssn", "999-99-9999", "area number 999"),
        ("ssn", "12345678", "nine digits"),
        ("ssn", "12a456789", "nine digits"),
        ("fbi_number", "ABCDEFGH", "at least one digit"),
        ("fbi_number", "1234567890A", "1 to 9 letters and digits"),
        ("state_id", "TX#1", "1 to 20 letters and digits"),
        ("sex", "Q", "must be one of"),
        ("sex_offender", "perhaps", "true or false"),
    ],
)
def test_each_rule_names_the_field_and_the_rule(field, typed, rule):
    problems = problems_of(**{field: typed})
    assert field in problems
    assert rule in problems[field]


def test_every_problem_is_reported_at_once():
    problems = problems_of(last_name="", ssn="000-00-0000", date_of_birth="2030-01-01")
    assert set(problems) == {"last_name", "ssn", "date_of_birth"}


def test_ssn_rule_accepts_ordinary_numbers():
    assert ssn_problem("123-45-6789") is None
    assert ssn_problem("123456789") is None


def test_state_fields_take_codes_or_names():
    state = Field("state", "State", FieldKind.STATE)
    assert state.parse("texas") == "TX" and state.parse("va") == "VA"
    with pytest.raises(ValueError, match="two-letter code"):
        state.parse("Guam")
