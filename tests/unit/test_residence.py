"""Rule 1.101 'resident' (2022 text) and 'resident family', and the transfer request lines that
feed them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.residence import (
    Relative,
    ResidencePeriod,
    add_months,
    duration_words,
    relation_label,
    resident_family_test,
    resident_test,
)
from app.forms.transfer_request import (
    TRANSFER_RESIDENCE_FORM,
    parse_relatives,
    parse_residence_history,
    residence_hints,
)

P = ResidencePeriod
d = date


def test_exactly_one_year_before_the_supervision_start_qualifies():
    finding = resident_test([P("VA", d(2023, 3, 1), None)], "VA", d(2024, 3, 1), None)
    assert finding.qualifies
    assert "supervision start date 03/01/2024" in finding.explanation
    assert "continuously from 03/01/2023 (1 year)" in finding.explanation


def test_one_day_short_of_a_year_does_not_qualify():
    finding = resident_test([P("VA", d(2023, 3, 2), None)], "VA", d(2024, 3, 1), None)
    assert not finding.qualifies
    assert "(11 months and 28 days)" in finding.explanation
    assert "the history begins on 03/02/2023" in finding.explanation


def test_a_year_in_a_common_year_counts_365_days():
    assert resident_test([P("VA", d(2022, 6, 15), None)], "VA", d(2023, 6, 15), None).qualifies
    assert not resident_test([P("VA", d(2022, 6, 16), None)], "VA", d(2023, 6, 15), None).qualifies


def test_the_sentence_date_qualifies_where_the_supervision_start_does_not():
    # Moved to Virginia on 1 January 2023; supervised from June 2023 (deferred adjudication),
    # sentenced in February 2024.
    history = [P("TX", d(2000, 1, 1), d(2022, 12, 31)), P("VA", d(2023, 1, 1), None)]
    start, sentence = d(2023, 6, 1), d(2024, 2, 1)
    finding = resident_test(history, "VA", start, sentence)
    assert finding.qualifies
    assert "sentence date 02/01/2024" in finding.explanation
    assert "continuously from 01/01/2023 (1 year and 1 month)" in finding.explanation
    refused = resident_test(history, "VA", start, None)
    assert not refused.qualifies
    assert "continuously from 01/01/2023 (5 months)" in refused.explanation


def test_a_seven_month_stay_elsewhere_breaks_residence():
    history = [
        P("VA", d(2015, 1, 1), d(2023, 5, 31)),
        P("NC", d(2023, 6, 1), d(2023, 12, 31)),
        P("VA", d(2024, 1, 1), None),
    ]
    finding = resident_test(history, "VA", d(2024, 6, 1), None)
    assert not finding.qualifies
    assert "continuously from 01/01/2024 (5 months)" in finding.explanation
    assert "a stay in NC from 06/01/2023 to 12/31/2023 (7 months)" in finding.explanation
    assert "does not record intent" in finding.explanation


def test_exactly_six_months_elsewhere_breaks_and_a_day_less_does_not():
    def history(last_day_in_nc: date) -> list[ResidencePeriod]:
        return [
            P("VA", d(2015, 1, 1), d(2023, 5, 31)),
            P("NC", d(2023, 6, 1), last_day_in_nc),
            P("VA", last_day_in_nc + timedelta(days=1), None),
        ]

    assert not resident_test(history(d(2023, 11, 30)), "VA", d(2024, 1, 15), None).qualifies
    assert resident_test(history(d(2023, 11, 29)), "VA", d(2024, 1, 15), None).qualifies


def test_a_short_stay_elsewhere_neither_breaks_nor_counts():
    history = [
        P("VA", d(2022, 1, 1), d(2022, 12, 31)),
        P("FL", d(2023, 1, 1), d(2023, 3, 31)),
        P("VA", d(2023, 4, 1), None),
    ]
    # 365 + 61 days in Virginia: a year, the three months in Florida not counted.
    finding = resident_test(history, "VA", d(2023, 6, 1), None)
    assert finding.qualifies
    assert "426 days there" in finding.explanation
    assert "a stay in FL from 01/01/2023 to 03/31/2023 (3 months), under 6 months" in (
        finding.explanation
    )
    # Without the Florida months, 300 days in Virginia are not a year.
    assert not resident_test(history, "VA", d(2022, 10, 28), None).qualifies


def test_incarceration_elsewhere_does_not_break_residence():
    history = [
        P("VA", d(2019, 1, 1), d(2023, 5, 31)),
        P("TX", d(2023, 6, 1), d(2024, 5, 31), "incarcerated"),
    ]
    finding = resident_test(history, "VA", d(2024, 6, 1), None)
    assert finding.qualifies
    assert "incarcerated in TX from 06/01/2023 to 05/31/2024" in finding.explanation


def test_incarceration_does_not_count_toward_the_year():
    history = [
        P("VA", d(2023, 1, 1), d(2023, 5, 31)),
        P("TX", d(2023, 6, 1), d(2024, 5, 31), "incarcerated"),
    ]
    assert not resident_test(history, "VA", d(2024, 6, 1), None).qualifies


def test_active_military_orders_elsewhere_do_not_break_residence():
    history = [
        P("VA", d(2015, 1, 1), d(2021, 12, 31)),
        P("NC", d(2022, 1, 1), d(2023, 6, 30), "military"),
        P("VA", d(2023, 7, 1), None),
    ]
    finding = resident_test(history, "VA", None, d(2023, 9, 1))
    assert finding.qualifies
    assert "under active military orders in NC" in finding.explanation
    civilian = [p if p.state == "VA" else P("NC", p.start, p.end) for p in history]
    assert not resident_test(civilian, "VA", None, d(2023, 9, 1)).qualifies


def test_an_incarceration_inside_an_open_ended_residence_applies_over_it():
    history = [P("VA", d(2010, 1, 1), None), P("MD", d(2023, 1, 1), d(2024, 2, 1), "incarcerated")]
    assert resident_test(history, "VA", d(2024, 3, 1), None).qualifies
    # Thirteen months in a Maryland prison make nobody a Maryland resident.
    finding = resident_test(history, "MD", d(2024, 3, 1), None)
    assert not finding.qualifies
    assert "did not live in MD immediately before it" in finding.explanation


def test_incarceration_in_the_state_itself_neither_counts_nor_breaks():
    history = [
        P("VA", d(2023, 1, 1), None),
        P("VA", d(2023, 6, 1), d(2023, 11, 30), "incarcerated"),
    ]
    assert not resident_test(history, "VA", d(2024, 1, 1), None).qualifies
    assert resident_test(history, "VA", d(2024, 8, 1), None).qualifies


def test_an_open_ended_current_period_runs_up_to_the_date_used():
    history = [P("TX", d(2000, 1, 1), d(2019, 12, 31)), P("VA", d(2020, 1, 1), None)]
    finding = resident_test(history, "VA", d(2026, 1, 1), d(2025, 12, 1))
    assert finding.qualifies
    assert "continuously from 01/01/2020 (6 years)" in finding.explanation
    assert not resident_test(history, "TX", d(2026, 1, 1), d(2025, 12, 1)).qualifies


def test_the_old_rule_is_not_applied_a_year_before_the_offense_is_not_enough():
    # Lived in Virginia for years until the offense, then moved to Texas, where sentenced 16 months
    # later: the old text (1 year before the offense) would call this person a Virginia resident.
    history = [P("VA", d(2015, 1, 1), d(2022, 12, 31)), P("TX", d(2023, 1, 1), None)]
    finding = resident_test(history, "VA", d(2024, 5, 1), d(2024, 5, 1))
    assert not finding.qualifies
    assert "supervision start date and sentence date 05/01/2024" in finding.explanation
    assert "did not live in VA immediately before it" in finding.explanation
    assert "a stay in TX from 01/01/2023 to 04/30/2024 (1 year and 4 months)" in finding.explanation


def test_a_move_after_the_offense_counts_when_a_year_passed_before_sentencing():
    # The amendment's point: an offense two months after moving to Virginia, sentenced 14 months later.
    history = [P("TX", d(2010, 1, 1), d(2022, 12, 31)), P("VA", d(2023, 1, 1), None)]
    assert resident_test(history, "VA", None, d(2024, 5, 1)).qualifies


def test_a_gap_in_the_history_breaks_continuity():
    history = [P("VA", d(2015, 1, 1), d(2023, 5, 31)), P("VA", d(2023, 7, 1), None)]
    finding = resident_test(history, "VA", d(2024, 3, 1), None)
    assert not finding.qualifies
    assert "does not say where the person lived from 06/01/2023 to 06/30/2023" in (
        finding.explanation
    )


def test_without_either_date_residence_cannot_be_judged():
    finding = resident_test([P("VA", d(2015, 1, 1), None)], "VA", None, None)
    assert not finding.qualifies
    assert "neither is given" in finding.explanation


def test_both_dates_failing_are_both_explained():
    history = [P("NC", d(2015, 1, 1), d(2023, 12, 31)), P("VA", d(2024, 1, 1), None)]
    finding = resident_test(history, "VA", d(2024, 6, 1), d(2024, 3, 1))
    assert not finding.qualifies
    assert "supervision start date 06/01/2024" in finding.explanation
    assert "sentence date 03/01/2024" in finding.explanation


def test_a_period_must_end_after_it_starts_and_name_a_known_reason():
    with pytest.raises(ValueError, match="before the start date"):
        P("VA", d(2024, 1, 2), d(2024, 1, 1))
    with pytest.raises(ValueError, match="incarcerated or military"):
        P("VA", d(2024, 1, 1), None, "vacation")


def test_dates_in_words_and_months():
    assert add_months(d(2024, 8, 31), 6) == d(2025, 2, 28)
    assert add_months(d(2024, 3, 15), -3) == d(2023, 12, 15)
    assert duration_words(d(2023, 1, 1), d(2024, 3, 4)) == "1 year, 2 months and 3 days"
    assert duration_words(d(2023, 1, 1), d(2023, 1, 1)) == "0 days"


# Resident family


def test_a_parent_there_180_days_by_the_transfer_request_qualifies():
    finding = resident_family_test([Relative("parent", "VA", d(2023, 1, 15))], "VA", d(2023, 7, 14))
    assert finding.qualifies
    assert "the parent has lived in VA since 01/15/2023, 180 calendar days" in finding.explanation


def test_179_days_are_not_enough():
    finding = resident_family_test([Relative("parent", "VA", d(2023, 1, 15))], "VA", d(2023, 7, 13))
    assert not finding.qualifies
    assert "179 calendar days" in finding.explanation and "180 are needed" in finding.explanation


def test_a_cousin_is_not_a_listed_relation():
    finding = resident_family_test([Relative("cousin", "VA", d(2010, 1, 1))], "VA", d(2023, 7, 1))
    assert not finding.qualifies
    assert "a cousin is not one of the relations Rule 1.101 lists" in finding.explanation


def test_an_adult_child_qualifies_however_the_relation_is_written():
    relatives = [
        Relative("cousin", "VA", d(2010, 1, 1)),
        Relative("Adult-Child", "VA", d(2020, 1, 1)),
    ]
    finding = resident_family_test(relatives, "VA", d(2023, 7, 1))
    assert finding.qualifies
    assert "the adult child has lived in VA" in finding.explanation
    assert relation_label("Step Parent") == "step-parent"
    assert relation_label("child") is None  # the rule lists adult children only


@pytest.mark.parametrize(
    "relative, words",
    [
        (Relative("spouse", "NC", d(2010, 1, 1)), "the spouse lives in NC, not VA"),
        (Relative("spouse", "VA", d(2023, 8, 1)), "after the transfer request date 07/01/2023"),
        (Relative("spouse", "VA", d(2010, 1, 1), willing_and_able=False),
         "but is not willing and able to assist"),
    ],
)  # fmt: skip
def test_a_relative_elsewhere_arrived_later_or_unwilling_does_not_qualify(relative, words):
    finding = resident_family_test([relative], "VA", d(2023, 7, 1))
    assert not finding.qualifies and words in finding.explanation


def test_no_relative_listed():
    finding = resident_family_test([], "VA", d(2023, 7, 1))
    assert not finding.qualifies and "no relative is listed" in finding.explanation


# The transfer request's lines


def test_residence_lines_parse_to_periods():
    text = """
        # oldest first
        VA 2015-06-01 12/31/2022
        Texas 2023-01-01 2023-09-30 [incarcerated]
        va 2023-10-01 present
    """
    periods, problems = parse_residence_history(text)
    assert problems == []
    assert periods == [
        P("VA", d(2015, 6, 1), d(2022, 12, 31)),
        P("TX", d(2023, 1, 1), d(2023, 9, 30), "incarcerated"),
        P("VA", d(2023, 10, 1), None),
    ]


@pytest.mark.parametrize(
    "line, words",
    [
        ("ZZ 2015-06-01 2016-01-01", "'ZZ' is not a member state"),
        ("NO 2015-06-01 2016-01-01", "'NO' is not a member state"),
        ("VA 2015-13-01 2016-01-01", "the start date '2015-13-01' must be a date"),
        ("VA 2015-06-01 soon", "the end date 'soon' must be a date"),
        ("VA 2016-06-01 2015-01-01", "the end date is before the start date"),
        ("VA 2015-06-01 2016-01-01 vacation", "must be 'incarcerated' or 'military'"),
        ("VA 2015-06-01", "write the state, the start date, the end date"),
    ],
)
def test_a_bad_residence_line_is_named_with_what_is_wrong(line, words):
    _periods, problems = parse_residence_history(f"VA 2010-01-01 2015-05-31\n{line}")
    assert len(problems) == 1
    assert problems[0].startswith(f"line 2 ('{line}'): ")
    assert words in problems[0]


def test_relative_lines_parse_and_bad_ones_are_named():
    relatives, problems = parse_relatives(
        "parent VA 2023-01-15\nadult child VA 06/01/2022 unwilling\ncousin VA\n"
    )
    assert relatives == [
        Relative("parent", "VA", d(2023, 1, 15)),
        Relative("adult child", "VA", d(2022, 6, 1), willing_and_able=False),
    ]
    assert problems == [
        "line 3 ('cousin VA'): write the relation, the state and the date they have lived there since"
    ]


def test_the_form_reports_bad_lines_beside_their_field_and_gives_both_hints():
    raw = {
        "supervision_start_date": "2024-03-01",
        "sentence_date": "2024-02-01",
        "residence_history": "VA 2020-01-01 present\nVA someday",
        "resident_family": "parent VA 2023-01-15",
    }
    _values, problems = TRANSFER_RESIDENCE_FORM.validate(raw)
    assert [name for name, _ in problems] == ["residence_history"]
    assert problems[0][1].startswith("line 2 ('VA someday')")
    values, problems = TRANSFER_RESIDENCE_FORM.validate(
        dict(raw, residence_history="VA 2020-01-01 present")
    )
    assert problems == []
    resident, family = residence_hints(values, "VA", d(2024, 3, 15))
    assert resident.qualifies and family.qualifies
    assert "Rule 1.101" in resident.explanation and "Rule 1.101" in family.explanation


def test_the_sentence_date_cannot_be_in_the_future():
    _values, problems = TRANSFER_RESIDENCE_FORM.validate({"sentence_date": "2999-01-01"})
    assert problems == [("sentence_date", "cannot be in the future")]
