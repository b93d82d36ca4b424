"""Rule 1.101's 'resident' (as amended 1 April 2022) and 'resident family' tests over plain data:
hints for the transfer request form, since transfer PDFs no longer print the definitions."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

INCARCERATED = "incarcerated"
MILITARY = "military"
# Rule 1.101 'resident', part 3: time spent so elsewhere does not break residence (nor counts).
EXCUSED_REASONS = frozenset({INCARCERATED, MILITARY})
REASON_WORDS = {INCARCERATED: "incarcerated", MILITARY: "under active military orders"}

RESIDENCE_YEARS = 1
BREAKING_STAY_MONTHS = 6
FAMILY_DAYS = 180

# Rule 1.101 'resident family'; keys ignore case, spaces, hyphens and underscores.
FAMILY_RELATIONS: dict[str, str] = {
    "parent": "parent",
    "grandparent": "grandparent",
    "aunt": "aunt",
    "uncle": "uncle",
    "adultchild": "adult child",
    "adultsibling": "adult sibling",
    "spouse": "spouse",
    "legalguardian": "legal guardian",
    "stepparent": "step-parent",
}


def _fmt(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier), or that month's last day if it is short."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def duration_words(start: date, end_exclusive: date) -> str:
    """'1 year, 2 months and 3 days' from `start` up to (not including) `end_exclusive`."""
    months = (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
    if add_months(start, months) > end_exclusive:
        months -= 1
    days = (end_exclusive - add_months(start, months)).days
    years, months = divmod(months, 12)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((years, "year"), (months, "month"), (days, "day"))
        if n
    ]
    if not parts:
        return "0 days"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class ResidencePeriod:
    """Where the person lived from `start` to `end` (both inclusive; None: still there)."""

    state: str
    start: date
    end: date | None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("the end date is before the start date")
        if self.reason and self.reason not in EXCUSED_REASONS:
            raise ValueError(
                f"the reason must be {INCARCERATED} or {MILITARY} (or nothing), not {self.reason!r}"
            )


@dataclass(frozen=True)
class Relative:
    """A family member living in `state` since `since`."""

    relation: str
    state: str
    since: date
    willing_and_able: bool = True


@dataclass(frozen=True)
class Finding:
    """Whether a test is met, and why in words (the dates used, what counted, what broke it)."""

    qualifies: bool
    explanation: str


class _Kind(Enum):
    HOME = "home"
    EXCUSED = "excused"
    AWAY = "away"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class _Stretch:
    """Consecutive days, `start` up to `end_exclusive`, spent under one period (or none)."""

    start: date
    end_exclusive: date
    period: ResidencePeriod | None

    @property
    def days(self) -> int:
        return (self.end_exclusive - self.start).days

    @property
    def last_day(self) -> date:
        return self.end_exclusive - timedelta(days=1)


def _stretches(history: Sequence[ResidencePeriod], before: date) -> list[_Stretch]:
    """The days before `before` cut at every period boundary, each with the period that applies."""
    periods = [p for p in history if p.start < before]
    if not periods:
        return []
    ends = [min(p.end + timedelta(days=1), before) if p.end else before for p in periods]
    cuts = sorted({before, *(p.start for p in periods), *ends})
    # The period started last wins an overlap; among equal starts, the one written later.
    ranked = sorted(range(len(periods)), key=lambda i: (periods[i].start, i), reverse=True)
    result: list[_Stretch] = []
    for start, end_exclusive in zip(cuts, cuts[1:], strict=False):
        applying = next(
            (periods[i] for i in ranked if periods[i].start <= start < ends[i]),
            None,
        )
        result.append(_Stretch(start, end_exclusive, applying))
    return result


def _kind(stretch: _Stretch, state: str) -> _Kind:
    period = stretch.period
    if period is None:
        return _Kind.UNKNOWN
    if period.reason in EXCUSED_REASONS:
        return _Kind.EXCUSED
    return _Kind.HOME if period.state == state else _Kind.AWAY


def _span(start: date, last_day: date) -> str:
    return f"{_fmt(start)} to {_fmt(last_day)}"


@dataclass
class _Walk:
    """The continuous residence in a state ending the day before a date, and what ended it."""

    home_days: int = 0
    run_start: date | None = None
    # What the walk went through without counting it or stopping, newest first, in words.
    passed_over: list[str] = field(default_factory=list)
    broken_by: str = ""


def _stay_words(stretches: list[_Stretch]) -> tuple[str, bool]:
    """A joined stay elsewhere in words, and whether it lasted 6 months or more."""
    start, end_exclusive = stretches[0].start, stretches[-1].end_exclusive
    states = []
    for s in stretches:
        if s.period is not None and s.period.state not in states:
            states.append(s.period.state)
    where = " and ".join(states)
    long = end_exclusive >= add_months(start, BREAKING_STAY_MONTHS)
    words = (
        f"a stay in {where} from {_span(start, end_exclusive - timedelta(days=1))} "
        f"({duration_words(start, end_exclusive)})"
    )
    return words, long


def _walk_back(history: Sequence[ResidencePeriod], state: str, before: date) -> _Walk:
    walk = _Walk()
    stretches = _stretches(history, before)
    away: list[_Stretch] = []  # the stay elsewhere being walked through, oldest first

    def close_stay() -> bool:
        """Ends the stay walked through; True when it breaks residence."""
        if not away:
            return False
        words, long = _stay_words(away)
        away.clear()
        if long:
            walk.broken_by = (
                f"{words}: {BREAKING_STAY_MONTHS} months or more in another state, "
                "not incarcerated or under military orders, break residence (read as settling "
                "there; the history does not record intent)"
            )
            return True
        walk.passed_over.append(f"{words}, under {BREAKING_STAY_MONTHS} months")
        return False

    for stretch in reversed(stretches):
        kind = _kind(stretch, state)
        if kind is _Kind.AWAY:
            away.insert(0, stretch)
            continue
        if close_stay():
            return walk
        if kind is _Kind.HOME:
            walk.home_days += stretch.days
            walk.run_start = stretch.start
        elif kind is _Kind.EXCUSED:
            period = stretch.period
            assert period is not None
            walk.passed_over.append(
                f"{REASON_WORDS[period.reason]} in {period.state} "
                f"from {_span(stretch.start, stretch.last_day)}"
            )
        else:
            walk.broken_by = (
                f"the history does not say where the person lived from "
                f"{_span(stretch.start, stretch.last_day)}"
            )
            return walk
    if close_stay():
        return walk
    first = stretches[0].start if stretches else before
    walk.broken_by = f"the history begins on {_fmt(first)}"
    return walk


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _judge(
    history: Sequence[ResidencePeriod], state: str, label: str, day: date
) -> tuple[bool, str]:
    needed = (day - _years_before(day, RESIDENCE_YEARS)).days
    walk = _walk_back(history, state, day)
    if walk.run_start is None:
        lived = f"the person did not live in {state} immediately before it"
    elif walk.passed_over:
        lived = (
            f"the person lived in {state} from {_fmt(walk.run_start)}: {walk.home_days} days "
            f"there (the year before it has {needed})"
        )
    else:
        lived = (
            f"the person lived in {state} continuously from {_fmt(walk.run_start)} "
            f"({duration_words(walk.run_start, day)})"
        )
    if walk.passed_over:
        lived += (
            ", not counting "
            + "; ".join(reversed(walk.passed_over))
            + ", which neither count nor break residence"
        )
    if walk.home_days >= needed:
        return True, f"before the {label} {_fmt(day)}, {lived}"
    then = "before that, " if walk.run_start is not None or walk.passed_over else ""
    return False, (
        f"before the {label} {_fmt(day)}, {lived}; {then}{walk.broken_by}; "
        f"{RESIDENCE_YEARS} year is needed"
    )


def resident_test(
    history: Iterable[ResidencePeriod],
    state: str,
    supervision_start: date | None,
    sentence_date: date | None,
) -> Finding:
    """Whether the person is a 'resident' of `state` (Rule 1.101 as amended in 2022), and why.

    The rule: resided in the state at least 1 year continuously and immediately before EITHER the
    supervision start date OR the sentence date of the original offense, and has not, unless
    incarcerated or under active military orders, remained in another state or states for a
    continuous period of 6 months or more with the intent to establish a new principal place of
    residence. The old text (1 year before the commission of the offense) is not applied: the
    offense date is not even an input.

    How a history is read, where the rule leaves it open:
    - Periods include both their dates; an open end means 'still living there'. Where periods
      overlap, the one that started last applies (an incarceration inside an open-ended residence).
    - The history does not record intent, so a continuous stay elsewhere of 6 months or more that is
      not incarceration or military service is read as settling there: it breaks residence. The
      explanation says so, for the officer to weigh what the person meant.
    - Time elsewhere never counts toward the year. Incarceration and military service (anywhere: a
      prison is not where a person chose to live, so it makes nobody a resident of its state either)
      and stays elsewhere shorter than 6 months neither count nor break: the year is counted from
      the days in the state on both sides of them. Contiguous stays in other states join into one;
      an incarceration or military period ends such a stay (the rule excludes that time).
    - Days the history says nothing about break continuity: residence cannot be shown for them.
    - Only the time before the date used is judged. After it the person usually stays in the
      sending state under its supervision, which is not settling there, and the history cannot
      tell the difference.
    """
    periods = list(history)
    dates: list[tuple[str, date]] = []
    if supervision_start is not None and supervision_start == sentence_date:
        dates.append(("supervision start date and sentence date", supervision_start))
    else:
        if supervision_start is not None:
            dates.append(("supervision start date", supervision_start))
        if sentence_date is not None:
            dates.append(("sentence date", sentence_date))
    if not dates:
        return Finding(
            False,
            f"Residence in {state} cannot be judged: Rule 1.101 counts the year before the "
            "supervision start date or the sentence date, and neither is given.",
        )
    reasons = []
    for label, day in dates:
        qualifies, words = _judge(periods, state, label, day)
        if qualifies:
            return Finding(
                True,
                f"Resident of {state} under Rule 1.101: {words}, at least the {RESIDENCE_YEARS} "
                "year continuously and immediately before it that the rule asks.",
            )
        reasons.append(words)
    either = " or the ".join(label for label, _ in dates)
    return Finding(
        False,
        f"Not a resident of {state} under Rule 1.101, which asks for {RESIDENCE_YEARS} year "
        f"continuously and immediately before the {either}: " + "; and ".join(reasons) + ".",
    )


def relation_label(text: str) -> str | None:
    """The Rule 1.101 relation a word names ('Adult-Child' -> 'adult child'), or None."""
    key = "".join(ch for ch in text.lower() if ch.isalpha())
    return FAMILY_RELATIONS.get(key)


def _relative_finding(relative: Relative, state: str, request_date: date) -> tuple[bool, str]:
    label = relation_label(relative.relation)
    if label is None:
        listed = ", ".join(FAMILY_RELATIONS.values())
        return False, (
            f"a {relative.relation.strip().lower()} is not one of the relations Rule 1.101 lists "
            f"({listed})"
        )
    if relative.state != state:
        return False, f"the {label} lives in {relative.state}, not {state}"
    days = (request_date - relative.since).days
    if days < 0:
        return False, (
            f"the {label} moved to {state} on {_fmt(relative.since)}, after the transfer request "
            f"date {_fmt(request_date)}"
        )
    lived = (
        f"the {label} has lived in {state} since {_fmt(relative.since)}, {days} calendar days by "
        f"the transfer request date {_fmt(request_date)}"
    )
    if days < FAMILY_DAYS:
        return False, f"{lived}; {FAMILY_DAYS} are needed"
    if not relative.willing_and_able:
        return False, f"{lived}, but is not willing and able to assist"
    return True, f"{lived} ({FAMILY_DAYS} are needed), and is willing and able to assist"


def resident_family_test(
    relatives: Iterable[Relative], state: str, transfer_request_date: date
) -> Finding:
    """Whether the person has 'resident family' in `state` (Rule 1.101), and why."""
    reasons = []
    for relative in relatives:
        qualifies, words = _relative_finding(relative, state, transfer_request_date)
        if qualifies:
            return Finding(True, f"Resident family in {state} under Rule 1.101: {words}.")
        reasons.append(words)
    if not reasons:
        return Finding(False, f"No resident family in {state}: no relative is listed.")
    return Finding(
        False,
        f"No resident family in {state} under Rule 1.101, which asks for a listed relative "
        f"living there {FAMILY_DAYS} calendar days or more by the transfer request date and willing "
        "and able to assist: " + "; ".join(reasons) + ".",
    )
