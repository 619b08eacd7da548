import datetime as dt

import pytest

from network.events.timeutil import (
    LocalTimeError,
    Rule,
    RuleError,
    expand,
    nth_weekday_code,
    to_utc,
)


def test_nonexistent_spring_forward_time_is_refused():
    with pytest.raises(LocalTimeError) as exc:
        to_utc(dt.datetime(2027, 3, 28, 2, 30))  # last Sunday in March
    assert exc.value.kind == "nonexistent"


def test_ambiguous_fall_back_time_is_refused():
    with pytest.raises(LocalTimeError) as exc:
        to_utc(dt.datetime(2027, 10, 31, 2, 30))  # last Sunday in October
    assert exc.value.kind == "ambiguous"


def test_ordinary_times_convert_with_the_right_offset():
    assert to_utc(dt.datetime(2027, 1, 20, 10, 0)) == dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC)
    assert to_utc(dt.datetime(2027, 7, 20, 10, 0)) == dt.datetime(2027, 7, 20, 8, 0, tzinfo=dt.UTC)


def test_third_wednesday_rule():
    start = dt.datetime(2027, 1, 20, 10, 0)
    assert nth_weekday_code(start.date()) == "+3WE"
    dates = expand(Rule("monthly_weekday", count=4), start)
    assert [d.day for d in dates] == [20, 17, 17, 21]


def test_last_weekday_of_month_uses_minus_one():
    assert nth_weekday_code(dt.date(2027, 3, 31)) == "-1WE"


@pytest.mark.parametrize("rule,code", [
    (Rule("weekly"), "unbounded"),
    (Rule("weekly", count=201), "count"),
    (Rule("weekly", count=0), "count"),
    (Rule("weekly", until=dt.date(2030, 1, 1)), "too_long"),
    (Rule("weekly", until=dt.date(2026, 1, 1)), "until_before_start"),
    (Rule("daily", count=3), "freq"),
    (Rule("weekly", interval=99, count=3), "interval"),
])
def test_unbounded_or_absurd_rules_are_refused(rule, code):
    with pytest.raises(RuleError) as exc:
        expand(rule, dt.datetime(2027, 1, 20, 10, 0))
    assert exc.value.code == code


def test_two_years_of_weekly_meetings_is_allowed_but_not_more_than_200():
    dates = expand(Rule("weekly", until=dt.date(2028, 11, 20)), dt.datetime(2027, 1, 20, 10, 0))
    assert len(dates) <= 200
    with pytest.raises(RuleError):
        expand(Rule("weekly", until=dt.date(2029, 2, 1)), dt.datetime(2027, 1, 20, 10, 0))
