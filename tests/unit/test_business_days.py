"""Business days against hand-checked calendars: weekends, federal and state holidays, office changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.calendar import BusinessCalendar, CalendarEntry
from app.core.errors import ValidationError

D = date

# (jurisdiction, start = day 0, n, the nth business day after start, why). Each one was counted on
# a printed calendar of the month, against the holiday dates of OPM's federal list and each
# state's statute (and checked to be what the `holidays` package lists for that state and year).
CASES = [
    ("NO", D(2026, 3, 3), 2, D(2026, 3, 5), "Tuesday + 2: Thursday"),
    ("NO", D(2026, 3, 5), 2, D(2026, 3, 9), "Thursday + 2 across the weekend: Monday"),
    ("NO", D(2026, 3, 6), 1, D(2026, 3, 9), "Friday + 1: Monday"),
    ("NO", D(2026, 3, 7), 1, D(2026, 3, 9), "a Saturday start is day 0 too"),
    ("NO", D(2026, 3, 8), 5, D(2026, 3, 13), "Sunday + 5: the Friday after"),
    ("NO", D(2026, 3, 2), 10, D(2026, 3, 16), "two full weeks"),
    ("NO", D(2026, 3, 7), 0, D(2026, 3, 7), "n = 0 is the start itself"),
    ("NO", D(2025, 12, 31), 1, D(2026, 1, 2), "New Year's Day, Thursday 1 Jan 2026"),
    ("NO", D(2026, 1, 16), 1, D(2026, 1, 20), "Martin Luther King Jr. Day, Monday 19 Jan"),
    ("NO", D(2026, 2, 13), 1, D(2026, 2, 17), "Washington's Birthday, Monday 16 Feb"),
    ("NO", D(2026, 5, 22), 2, D(2026, 5, 27), "Memorial Day, Monday 25 May"),
    ("NO", D(2026, 6, 18), 1, D(2026, 6, 22), "Juneteenth, Friday 19 Jun"),
    ("NO", D(2026, 7, 2), 1, D(2026, 7, 6), "4 Jul 2026 is a Saturday: observed Friday 3 Jul"),
    ("NO", D(2027, 7, 2), 1, D(2027, 7, 6), "4 Jul 2027 is a Sunday: observed Monday 5 Jul"),
    ("NO", D(2021, 7, 2), 1, D(2021, 7, 6), "4 Jul 2021 is a Sunday: observed Monday 5 Jul"),
    ("NO", D(2026, 9, 4), 1, D(2026, 9, 8), "Labor Day, Monday 7 Sep"),
    ("NO", D(2026, 10, 9), 1, D(2026, 10, 13), "Columbus Day, Monday 12 Oct (federal)"),
    ("TX", D(2026, 10, 9), 1, D(2026, 10, 12), "Texas works on Columbus Day"),
    ("NO", D(2026, 11, 10), 1, D(2026, 11, 12), "Veterans Day, Wednesday 11 Nov"),
    ("NO", D(2026, 11, 25), 1, D(2026, 11, 27), "Thanksgiving, Thursday 26 Nov; Friday worked"),
    ("TX", D(2026, 11, 25), 1, D(2026, 11, 30), "Texas also closes the Friday after Thanksgiving"),
    ("NO", D(2026, 12, 24), 1, D(2026, 12, 28), "Christmas Day, Friday 25 Dec"),
    ("NO", D(2026, 12, 23), 3, D(2026, 12, 29), "federal: 24 Dec is worked"),
    ("TX", D(2026, 12, 23), 3, D(2026, 12, 30), "Texas: Christmas Eve and Christmas closed"),
    ("TX", D(2026, 12, 29), 5, D(2027, 1, 6), "a deadline across New Year's Day 2027 (Friday)"),
    ("NO", D(2021, 12, 30), 1, D(2022, 1, 3), "1 Jan 2022 is a Saturday: observed Fri 31 Dec 2021"),
    ("NO", D(2021, 12, 23), 1, D(2021, 12, 27), "25 Dec 2021 is a Saturday: observed Fri 24 Dec"),
    ("TX", D(2026, 2, 27), 1, D(2026, 3, 3), "Texas Independence Day, Monday 2 Mar"),
    ("TX", D(2026, 4, 20), 1, D(2026, 4, 22), "San Jacinto Day, Tuesday 21 Apr"),
    ("NO", D(2026, 4, 20), 1, D(2026, 4, 21), "San Jacinto Day is Texas only"),
    ("TX", D(2026, 3, 30), 4, D(2026, 4, 7), "Texas: Cesar Chavez Day 31 Mar and Good Friday 3 Apr"),
    ("MA", D(2026, 4, 17), 1, D(2026, 4, 21), "Patriots' Day, third Monday of April (20 Apr)"),
    ("DC", D(2026, 4, 15), 1, D(2026, 4, 17), "DC Emancipation Day, Thursday 16 Apr"),
    ("NO", D(2026, 4, 15), 1, D(2026, 4, 16), "DC Emancipation Day is DC only"),
    ("VA", D(2026, 11, 2), 1, D(2026, 11, 4), "Virginia: Election Day, Tuesday 3 Nov"),
    ("CA", D(2026, 3, 30), 1, D(2026, 4, 1), "California: Cesar Chavez Day, Tuesday 31 Mar"),
    ("PR", D(2026, 1, 5), 1, D(2026, 1, 7), "Puerto Rico: Epiphany, Tuesday 6 Jan"),
    ("VI", D(2026, 4, 1), 1, D(2026, 4, 7), "Virgin Islands: Holy Thursday, Good Friday, Easter Monday"),
    ("TX", D(2026, 6, 1), 15, D(2026, 6, 23), "15 bd from a warrant issued Monday 1 Jun 2026 (TX: 19 Jun)"),
    ("NO", D(2026, 3, 9), -1, D(2026, 3, 6), "n < 0 counts back: Monday - 1 is Friday"),
    ("NO", D(2026, 1, 2), -1, D(2025, 12, 31), "counting back over New Year's Day"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "start", "n", "expected", "why"), CASES, ids=[case[4] for case in CASES]
)
def test_add_business_days(code, start, n, expected, why):
    assert BusinessCalendar(code).add_business_days(start, n) == expected


def test_the_table_is_large_enough():
    assert len(CASES) >= 30


# (jurisdiction, start, end, business days after start up to and including end)
BETWEEN = [
    ("NO", D(2026, 3, 6), D(2026, 3, 9), 1),
    ("NO", D(2026, 3, 6), D(2026, 3, 8), 0),
    ("NO", D(2026, 3, 9), D(2026, 3, 9), 0),
    ("NO", D(2026, 3, 9), D(2026, 3, 6), -1),
    # January 2026 after New Year's Day: 2, 5-9, 12-16, 20-23 (MLK Day 19), 26-30.
    ("NO", D(2026, 1, 1), D(2026, 1, 31), 20),
    # Texas, 23 Dec 2026 to 6 Jan 2027: 28, 29, 30, 31 Dec, 4, 5, 6 Jan.
    ("TX", D(2026, 12, 23), D(2027, 1, 6), 7),
]


@pytest.mark.parametrize(("code", "start", "end", "expected"), BETWEEN)
def test_business_days_between(code, start, end, expected):
    assert BusinessCalendar(code).business_days_between(start, end) == expected


@pytest.mark.parametrize("code", ["NO", "TX", "MA", "DC", "VI"])
def test_counting_and_adding_agree_over_two_years(code):
    calendar = BusinessCalendar(code)
    start = D(2025, 11, 20)
    for n in (0, 1, 2, 7, 15, 30, 250, 500):
        assert calendar.business_days_between(start, calendar.add_business_days(start, n)) == n
    walked = sum(calendar.is_business_day(start + timedelta(days=i)) for i in range(1, 2 * 365 + 1))
    assert calendar.business_days_between(start, start + timedelta(days=2 * 365)) == walked


def test_calendar_days_add_plainly():
    assert BusinessCalendar("TX").add_calendar_days(D(2026, 3, 2), 45) == D(2026, 4, 16)
    assert BusinessCalendar("TX").add_calendar_days(D(2026, 12, 20), 30) == D(2027, 1, 19)


def test_holiday_names_come_from_the_package():
    texas = BusinessCalendar("TX")
    assert texas.holiday_name(D(2026, 4, 21)) == "San Jacinto Day"
    assert "Juneteenth" in texas.holiday_name(D(2026, 6, 19))
    assert texas.holiday_name(D(2026, 10, 12)) is None
    assert BusinessCalendar("NO").holiday_name(D(2026, 10, 12)) == "Columbus Day"
    assert BusinessCalendar("DC").holiday_name(D(2026, 4, 16)) == "Emancipation Day"
    assert BusinessCalendar("NO").holiday_name(D(2026, 3, 4)) is None


def test_an_office_closure_is_skipped():
    closed = BusinessCalendar("TX", closed_days={D(2026, 3, 4): "Ice storm"})
    assert closed.add_business_days(D(2026, 3, 3), 2) == D(2026, 3, 6)
    assert BusinessCalendar("TX").add_business_days(D(2026, 3, 3), 2) == D(2026, 3, 5)
    assert closed.holiday_name(D(2026, 3, 4)) == "Ice storm"
    assert not closed.is_business_day(D(2026, 3, 4))
    assert BusinessCalendar("TX", closed_days=[D(2026, 3, 4)]).holiday_name(D(2026, 3, 4)) == (
        "Office closed"
    )


def test_a_holiday_the_office_works_counts():
    worked = BusinessCalendar("TX", open_days=[D(2026, 3, 31)])
    assert worked.add_business_days(D(2026, 3, 30), 1) == D(2026, 3, 31)
    assert BusinessCalendar("TX").add_business_days(D(2026, 3, 30), 1) == D(2026, 4, 1)
    assert worked.holiday_name(D(2026, 3, 31)) is None
    assert worked.business_days_between(D(2026, 3, 30), D(2026, 4, 1)) == 2


def test_holidays_in_lists_the_year_with_the_office_changes():
    calendar = BusinessCalendar(
        "TX",
        closed_days={D(2026, 3, 4): "Ice storm"},
        open_days={D(2026, 3, 31): "Office open on optional holiday"},
    )
    entries = {entry.day: entry for entry in calendar.holidays_in(2026)}
    assert entries[D(2026, 3, 4)] == CalendarEntry(D(2026, 3, 4), "Ice storm", True, True)
    assert entries[D(2026, 3, 31)] == CalendarEntry(D(2026, 3, 31), "Cesar Chavez Day", True, False)
    assert entries[D(2026, 4, 21)] == CalendarEntry(D(2026, 4, 21), "San Jacinto Day", False, True)
    assert entries[D(2026, 7, 4)].closed  # a Saturday
    assert D(2026, 10, 12) not in entries
    days = [entry.day for entry in calendar.holidays_in(2026)]
    assert days == sorted(days) and all(day.year == 2026 for day in days)


def test_unknown_jurisdictions_and_contradictions_are_refused():
    with pytest.raises(ValidationError, match="not a compact jurisdiction"):
        BusinessCalendar("ZZ")
    with pytest.raises(ValidationError, match="both closed and open"):
        BusinessCalendar("TX", closed_days=[D(2026, 3, 31)], open_days=[D(2026, 3, 31)])
    assert BusinessCalendar(" tx ").code == "TX"
