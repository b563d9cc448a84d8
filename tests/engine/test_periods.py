"""Reporting periods: local-midnight boundaries, ISO weeks, quarters, halves, custom ranges."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callgrade.engine.periods import GRAINS, Period, parse_period


def utc(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).replace(tzinfo=dt.UTC)


def one(spec: str, tz: str = "Asia/Shanghai") -> tuple[str, dt.datetime, dt.datetime]:
    (p,) = parse_period(spec, tz=tz)
    return p.label, p.start, p.end


@pytest.mark.parametrize(
    ("spec", "label", "start", "end"),
    [
        # Shanghai is UTC+8 all year: local midnight is 16:00Z the day before
        ("2026-03", "2026-03", "2026-02-28T16:00", "2026-03-31T16:00"),
        ("2026-03-05", "2026-03-05", "2026-03-04T16:00", "2026-03-05T16:00"),
        ("2026-Q2", "2026-Q2", "2026-03-31T16:00", "2026-06-30T16:00"),
        ("2026-H2", "2026-H2", "2026-06-30T16:00", "2026-12-31T16:00"),
        ("2026", "2026", "2025-12-31T16:00", "2026-12-31T16:00"),
        # 1 January 2026 is a Thursday, so ISO week 1 starts on Monday 29 December 2025
        ("2026-W01", "2026-W01", "2025-12-28T16:00", "2026-01-04T16:00"),
        ("2026-W53", "2026-W53", "2026-12-27T16:00", "2027-01-03T16:00"),
        (
            "2026-03-01..2026-03-15",
            "2026-03-01..2026-03-15",
            "2026-02-28T16:00",
            "2026-03-15T16:00",
        ),
        (" 2026-03 ", "2026-03", "2026-02-28T16:00", "2026-03-31T16:00"),
    ],
)
def test_shanghai(spec, label, start, end):
    assert one(spec) == (label, utc(start), utc(end))


def test_berlin_dst():
    # CET (+1) until 29 March 2026 02:00, then CEST (+2)
    assert one("2026-03", "Europe/Berlin") == (
        "2026-03",
        utc("2026-02-28T23:00"),
        utc("2026-03-31T22:00"),
    )
    _, start, end = one("2026-03-29", "Europe/Berlin")
    assert end - start == dt.timedelta(hours=23)
    _, start, end = one("2026-10-25", "Europe/Berlin")  # back to CET: a 25-hour day
    assert end - start == dt.timedelta(hours=25)
    assert one("2026-Q1", "UTC") == ("2026-Q1", utc("2026-01-01T00:00"), utc("2026-04-01T00:00"))


def test_grain_month_in_quarter():
    ps = parse_period("2026-Q1", tz="Asia/Shanghai", grain="month")
    assert [p.label for p in ps] == ["2026-01", "2026-02", "2026-03"]
    assert ps[1] == Period("2026-02", utc("2026-01-31T16:00"), utc("2026-02-28T16:00"))


def test_grain_week_cuts_partial_weeks_to_the_range():
    # 2026-03-01 is a Sunday: its ISO week starts in February, so that piece is cut
    ps = parse_period("2026-03-01..2026-03-15", tz="Asia/Shanghai", grain="week")
    assert [p.label for p in ps] == ["2026-03-01..2026-03-01", "2026-W10", "2026-W11"]
    assert ps[0].start == utc("2026-02-28T16:00") and ps[-1].end == utc("2026-03-15T16:00")


def test_grain_quarter_and_half_and_day():
    assert [p.label for p in parse_period("2026-H1", tz="UTC", grain="quarter")] == [
        "2026-Q1",
        "2026-Q2",
    ]
    assert [p.label for p in parse_period("2026", tz="UTC", grain="half")] == ["2026-H1", "2026-H2"]
    days = parse_period("2026-02", tz="Europe/Berlin", grain="day")
    assert len(days) == 28 and days[0].label == "2026-02-01" and days[-1].label == "2026-02-28"
    assert parse_period("2026-03", tz="UTC", grain="month") == parse_period("2026-03", tz="UTC")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("2026-13", "does not exist"),
        ("2026-02-30", "does not exist"),
        ("2025-W53", "does not exist"),
        ("2026-Q5", "not understood"),
        ("March", "not understood"),
        ("2026-03-01..March", "not understood"),
        ("2026-03-15..2026-03-01", "ends before it starts"),
    ],
)
def test_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_period(spec, tz="UTC")


def test_bad_zone_and_grain():
    with pytest.raises(ValueError, match="Unknown time zone"):
        parse_period("2026-03", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="Grain"):
        parse_period("2026-03", tz="UTC", grain="fortnight")


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    days=st.integers(0, 400),
    grain=st.sampled_from(GRAINS),
    tz=st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York"]),
)
def test_grain_pieces_tile_the_range(first, days, grain, tz):
    last = first + dt.timedelta(days=days)
    (whole,) = parse_period(f"{first}..{last}", tz=tz)
    pieces = parse_period(f"{first}..{last}", tz=tz, grain=grain)
    assert pieces[0].start == whole.start and pieces[-1].end == whole.end
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert len({p.label for p in pieces}) == len(pieces)
