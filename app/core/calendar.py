"""A jurisdiction's business days: legal holidays from the `holidays` package, and office changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from app.core.errors import ValidationError
from app.core.jurisdictions import BY_CODE, NATIONAL_OFFICE_CODE

CLOSURE_NAME = "Office closed"


@lru_cache(maxsize=4096)
def listed_holidays(code: str, year: int) -> Mapping[date, str]:
    """The package's holidays of one jurisdiction and year (the National Office: the federal list).

    A year's list holds only dates of that year, observed days included (New Year's Day 2022 is
    observed on 31 December 2021, in the 2021 list), so one year is all a date needs.
    """
    # Imported here: it takes a noticeable part of a tenth of a second, which start-up need not pay.
    import holidays

    if code == NATIONAL_OFFICE_CODE:
        listed = holidays.US(years=year)
    else:
        listed = holidays.US(subdiv=code, years=year)
    return MappingProxyType(dict(listed.items()))


@dataclass(frozen=True)
class CalendarEntry:
    """A day a calendar screen lists: a holiday of the package's list or an office closure."""

    day: date
    name: str
    # The office changed the list here: a closure it added, or a listed holiday it works.
    adjusted: bool
    # Whether deadlines skip the day (weekends always do).
    closed: bool


def _as_reasons(days: Mapping[date, str | None] | Iterable[date]) -> dict[date, str | None]:
    if isinstance(days, Mapping):
        return dict(days)
    return dict.fromkeys(days)


class BusinessCalendar:
    """Weekdays that are neither a listed legal holiday (unless the office works it) nor a closure.

    Counting: 'within N business days of X' means X is day 0 and the deadline is the Nth business
    day after X, whether or not X itself is a business day.
    """

    def __init__(
        self,
        code: str,
        closed_days: Mapping[date, str | None] | Iterable[date] = (),
        open_days: Mapping[date, str | None] | Iterable[date] = (),
    ) -> None:
        code = code.strip().upper()
        if code not in BY_CODE:
            raise ValidationError.single("state", f"'{code}' is not a compact jurisdiction")
        self.code = code
        self.closed_days = MappingProxyType(_as_reasons(closed_days))
        self.open_days = MappingProxyType(_as_reasons(open_days))
        both = set(self.closed_days) & set(self.open_days)
        if both:
            first = min(both).isoformat()
            raise ValidationError.single("day", f"{first} cannot be both closed and open")
        self._closed_weekdays: dict[int, frozenset[date]] = {}

    def _closed_weekdays_of(self, year: int) -> frozenset[date]:
        """The year's weekdays the office is closed: what deadlines skip besides weekends."""
        found = self._closed_weekdays.get(year)
        if found is None:
            listed = {day for day in listed_holidays(self.code, year) if day not in self.open_days}
            extra = {day for day in self.closed_days if day.year == year}
            found = frozenset(day for day in listed | extra if day.weekday() < 5)
            self._closed_weekdays[year] = found
        return found

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._closed_weekdays_of(day.year)

    def holiday_name(self, day: date) -> str | None:
        """Why the office is closed on the day, other than a weekend; None on a day it works."""
        if day in self.closed_days:
            return self.closed_days[day] or CLOSURE_NAME
        if day in self.open_days:
            return None
        return listed_holidays(self.code, day.year).get(day)

    def add_business_days(self, start: date, n: int) -> date:
        """The nth business day after `start` (start is day 0, never counted); n=0 gives start
        itself, and a negative n the |n|th business day before it."""
        step = timedelta(days=1 if n >= 0 else -1)
        day, left = start, abs(n)
        while left:
            day += step
            if self.is_business_day(day):
                left -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (negative when end is earlier)."""
        if end < start:
            return -self.business_days_between(end, start)
        weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
        closed = sum(
            1
            for year in range(start.year, end.year + 1)
            for day in self._closed_weekdays_of(year)
            if start < day <= end
        )
        return weekdays - closed

    @staticmethod
    def add_calendar_days(start: date, n: int) -> date:
        return start + timedelta(days=n)

    def holidays_in(self, year: int) -> list[CalendarEntry]:
        """The year's listed holidays and the office's closures, in date order, for a screen to
        show and edit."""
        listed = listed_holidays(self.code, year)
        entries = [
            CalendarEntry(
                day=day,
                name=name,
                adjusted=day in self.open_days or day in self.closed_days,
                closed=not self.is_business_day(day),
            )
            for day, name in listed.items()
        ]
        entries += [
            CalendarEntry(day=day, name=reason or CLOSURE_NAME, adjusted=True, closed=True)
            for day, reason in self.closed_days.items()
            if day.year == year and day not in listed
        ]
        return sorted(entries, key=lambda entry: entry.day)


_EPOCH_MONDAY = date(1900, 1, 1)


def _weekdays_up_to(day: date) -> int:
    """Monday-to-Friday days from a fixed Monday up to and including `day`: differences count
    the weekdays of a span without walking it."""
    days = (day - _EPOCH_MONDAY).days
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest + 1, 5)
