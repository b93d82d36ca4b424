"""The residence part of the transfer request form: its line formats, their parsers and the
Rule 1.101 hints it shows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core import jurisdictions
from app.core.residence import (
    EXCUSED_REASONS,
    Finding,
    Relative,
    ResidencePeriod,
    resident_family_test,
    resident_test,
)
from app.forms.fields import Field, FieldKind, FormDefinition, Section, parse_date
from app.forms.validators import not_in_future

OPEN_END_WORDS = frozenset({"present", "-", "now", "open"})
UNWILLING_WORDS = frozenset({"unwilling", "unable"})


def _lines(text: str | None) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate((text or "").splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]


def _problem(number: int, line: str, what: str) -> str:
    return f"line {number} ('{line}'): {what}"


def _state(word: str) -> str:
    found = jurisdictions.lookup(word)
    if found is None or found.code == jurisdictions.NATIONAL_OFFICE_CODE:
        raise ValueError(f"{word!r} is not a member state's two-letter code or name")
    return found.code


def _date(word: str, what: str) -> date:
    try:
        return parse_date(word)
    except ValueError as exc:
        raise ValueError(f"the {what} {word!r} {exc}") from None


def _period(line: str) -> ResidencePeriod:
    words = line.replace("[", " ").replace("]", " ").split()
    if len(words) not in (3, 4):
        raise ValueError(
            "write the state, the start date, the end date (or 'present') and, if it applies, "
            "'incarcerated' or 'military'"
        )
    state = _state(words[0])
    start = _date(words[1], "start date")
    end = None if words[2].lower() in OPEN_END_WORDS else _date(words[2], "end date")
    reason = words[3].lower() if len(words) == 4 else ""
    if reason and reason not in EXCUSED_REASONS:
        raise ValueError(f"the last word must be 'incarcerated' or 'military', not {words[3]!r}")
    return ResidencePeriod(state, start, end, reason)


def parse_residence_history(text: str | None) -> tuple[list[ResidencePeriod], list[str]]:
    """The periods of a residence history, and each bad line named with what is wrong with it.

    One period a line, in any order::

        VA 2015-06-01 2022-12-31
        TX 2023-01-01 2023-09-30 incarcerated
        VA 2023-10-01 present

    The state (code, or a name without spaces), the first and the last day lived there (MM/DD/YYYY
    or YYYY-MM-DD; `present` or `-` for a period still going on) and, for a period that neither
    counts nor breaks residence, `incarcerated` or `military` (brackets allowed). Blank lines and
    lines starting with `#` are ignored.
    """
    periods: list[ResidencePeriod] = []
    problems: list[str] = []
    for number, line in _lines(text):
        try:
            periods.append(_period(line))
        except ValueError as exc:
            problems.append(_problem(number, line, str(exc)))
    return periods, problems


def _relative(line: str) -> Relative:
    words = line.split()
    willing = True
    if words and words[-1].lower() in UNWILLING_WORDS:
        willing = False
        words = words[:-1]
    if len(words) < 3:
        raise ValueError("write the relation, the state and the date they have lived there since")
    return Relative(" ".join(words[:-2]), _state(words[-2]), _date(words[-1], "date"), willing)


def parse_relatives(text: str | None) -> tuple[list[Relative], list[str]]:
    """The relatives listed, and each bad line named with what is wrong with it.

    One relative a line::

        parent VA 2023-01-15
        adult child VA 06/01/2022 unwilling

    The relation (one or more words, any of them: the test says whether Rule 1.101 lists it), the
    state and the date they have lived there since; `unwilling` (or `unable`) at the end when they
    are not willing and able to assist. Blank lines and lines starting with `#` are ignored.
    """
    relatives: list[Relative] = []
    problems: list[str] = []
    for number, line in _lines(text):
        try:
            relatives.append(_relative(line))
        except ValueError as exc:
            problems.append(_problem(number, line, str(exc)))
    return relatives, problems


def _residence_history_rule(value: str, _values: Mapping[str, Any]) -> str | None:
    _periods, problems = parse_residence_history(value)
    return "; ".join(problems) or None


def _relatives_rule(value: str, _values: Mapping[str, Any]) -> str | None:
    _relatives, problems = parse_relatives(value)
    return "; ".join(problems) or None


TRANSFER_RESIDENCE_FORM = FormDefinition(
    name="transfer_request_residence",
    title="Transfer request: residence and family",
    sections=(
        Section(
            "Residence",
            (
                # A pre-release request (Rule 3.105) names a release still to come.
                Field("supervision_start_date", "Supervision start date", FieldKind.DATE),
                Field("sentence_date", "Sentence date of the original offense", FieldKind.DATE,
                      validators=(not_in_future,)),
                Field("residence_history", "Residence history", FieldKind.MULTILINE,
                      max_length=4000, validators=(_residence_history_rule,),
                      help="one period a line: state, first day, last day or 'present', and "
                           "'incarcerated' or 'military' if it applies, e.g. "
                           "'TX 2019-01-01 2024-06-30 incarcerated'"),
            ),
        ),
        Section(
            "Family in the receiving state",
            (
                Field("resident_family", "Relatives", FieldKind.MULTILINE, max_length=4000,
                      validators=(_relatives_rule,),
                      help="one relative a line: relation, state, living there since, and "
                           "'unwilling' if they cannot assist, e.g. 'parent VA 2023-01-15'"),
            ),
        ),
    ),
)  # fmt: skip


def residence_hints(
    values: Mapping[str, Any], receiving_state: str, transfer_request_date: date
) -> tuple[Finding, Finding]:
    """The 'resident' and 'resident family' findings for the receiving state, from validated values."""
    periods, _ = parse_residence_history(values.get("residence_history"))
    relatives, _ = parse_relatives(values.get("resident_family"))
    return (
        resident_test(
            periods,
            receiving_state,
            values.get("supervision_start_date"),
            values.get("sentence_date"),
        ),
        resident_family_test(relatives, receiving_state, transfer_request_date),
    )
