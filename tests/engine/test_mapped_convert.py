"""Mapped connector: each type conversion on hand-picked cells, values checked one by one."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callgrade.engine.connectors.mapped.convert import ExcelPercent, convert, normalize

UTC = dt.UTC
TS = pa.timestamp("us", "UTC")


def run(cells, ftype, arrow, **kw):
    values, bad = convert(normalize(pd.Series(cells, dtype=object)), ftype, arrow, **kw)
    return values.to_pylist(), bad.tolist()


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_strings_are_stripped_and_empty_is_null():
    values, bad = run([" A001 ", "", "   ", None, "工号 1"], "string", pa.string())
    assert values == ["A001", None, None, None, "工号 1"]
    assert bad == [False] * 5


def test_native_excel_cells_become_text_without_float_noise():
    cells = [1001, 1001.0, 12.5, True, dt.datetime(2026, 1, 5, 8, 30)]
    values, _ = run(cells, "string", pa.string())
    assert values == ["1001", "1001", "12.5", "true", "2026-01-05 08:30:00"]


def test_floats_accept_thousands_separators_and_reject_junk():
    cells = ["4.5", "-3", "1,234.5", "12,5x", "12,5", "abc", "nan", "inf", 7, 2.25]
    values, bad = run(cells, "float", pa.float64())
    assert values == [4.5, -3.0, 1234.5, None, None, None, None, None, 7.0, 2.25]
    assert bad == [False, False, False, True, True, True, True, True, False, False]


def test_int_rejects_fractions():
    values, bad = run(["10", "10.0", "10.5", "1e2"], "int", pa.float64())
    assert values == [10.0, 10.0, None, 100.0]
    assert bad == [False, False, True, False]


def test_percent_strips_the_sign_and_scales_excel_percent_cells():
    cells = ["85%", "85", " 92.5 % ", "85％", ExcelPercent(0.85), 0.85, "x%"]
    values, bad = run(cells, "percent", pa.float64())
    assert values == [85.0, 85.0, 92.5, 85.0, 85.0, 0.85, None]
    assert bad == [False] * 6 + [True]


def test_bools_know_common_words_and_chinese():
    cells = ["是", "否", "Y", "n", "TRUE", "false", "1", "0", True, 0, "maybe", 2]
    values, bad = run(cells, "bool", pa.bool_())
    assert values == [True, False, True, False, True, False, True, False, True, False, None, None]
    assert bad == [False] * 10 + [True, True]


def test_durations_in_clock_and_plain_forms():
    cells = ["01:02:03", "02:03", "75:30", "90", "12.5", "0:00:07.5", "1:61:00", "-5", "ab"]
    values, bad = run(cells, "duration", pa.float64())
    assert values == [3723.0, 123.0, 4530.0, 90.0, 12.5, 7.5, None, None, None]
    assert bad == [False] * 6 + [True, True, True]


def test_native_excel_durations():
    cells = [dt.time(0, 2, 3), dt.timedelta(hours=30), 45, dt.datetime(1900, 1, 1, 1, 0, 0)]
    values, bad = run(cells, "duration", pa.float64())
    # [h]:mm:ss of 49 h shows in Excel as 1900-01-01 01:00 (day 2 counted from 1899-12-30)
    assert values == [123.0, 108000.0, 45.0, 2 * 86400 + 3600.0]
    assert bad == [False] * 4


def test_datetimes_in_common_forms_local_to_shanghai():
    cells = [
        "2026-01-05 08:30:00",
        "2026/1/5 8:30",
        "2026-01-05T08:30:00.250",
        "2026年1月5日 8时30分",
        "2026年1月5日8点30分00秒",
        "20260105083000",
        "2026-01-05",
    ]
    values, bad = run(cells, "datetime", TS, tz="Asia/Shanghai")
    assert values == [
        utc(2026, 1, 5, 0, 30),
        utc(2026, 1, 5, 0, 30),
        utc(2026, 1, 5, 0, 30, 0, 250000),
        utc(2026, 1, 5, 0, 30),
        utc(2026, 1, 5, 0, 30),
        utc(2026, 1, 5, 0, 30),
        utc(2026, 1, 4, 16, 0),
    ]
    assert bad == [False] * 7


def test_offsets_and_unix_stamps_are_absolute():
    cells = ["2026-01-05T08:30:00+08:00", "2026-01-05 08:30:00Z", "1767602400", "1767602400000"]
    values, _ = run(cells, "datetime", TS, tz="Asia/Shanghai")
    assert values == [utc(2026, 1, 5, 0, 30), utc(2026, 1, 5, 8, 30)] + [utc(2026, 1, 5, 8, 40)] * 2


def test_excel_serials_and_native_cells_are_local():
    # 45658 = 2025-01-01; .354166… = 08:30 (binary fraction error rounded away)
    cells = ["45658.5", 45658.354166666664, dt.datetime(2025, 1, 1, 8, 30), dt.date(2025, 1, 1)]
    values, bad = run(cells, "datetime", TS, tz="Asia/Shanghai")
    assert values == [
        utc(2025, 1, 1, 4, 0),
        utc(2025, 1, 1, 0, 30),
        utc(2025, 1, 1, 0, 30),
        utc(2024, 12, 31, 16, 0),
    ]
    assert bad == [False] * 4


def test_bad_dates_are_flagged():
    cells = ["2026-13-01", "2026-02-30", "2026-01-05 25:00", "tomorrow", "5000000", True]
    values, bad = run(cells, "datetime", TS)
    assert values == [None] * 6
    assert bad == [True] * 6


def test_explicit_format():
    cells = ["05/01/2026 08:30", "2026-01-05 08:30"]
    values, bad = run(cells, "datetime", TS, fmt="%d/%m/%Y %H:%M", tz="Asia/Shanghai")
    assert values == [utc(2026, 1, 5, 0, 30), None]
    assert bad == [False, True]


def test_date_is_local_midnight():
    cells = ["2026-01-05 23:59", "2026-01-05T20:00:00Z", dt.datetime(2026, 1, 5, 9, 0)]
    values, _ = run(cells, "date", TS, tz="Asia/Shanghai")
    # 20:00 UTC is already Jan 6 in Shanghai
    assert values == [utc(2026, 1, 4, 16), utc(2026, 1, 5, 16), utc(2026, 1, 4, 16)]


def test_dst_gap_and_repeat_in_new_york():
    cells = ["2026-03-08 02:30", "2026-11-01 01:30"]
    values, bad = run(cells, "datetime", TS, tz="America/New_York")
    # 02:30 does not exist (moved to 03:00 EDT); 01:30 happens twice (first, EDT, is taken)
    assert values == [utc(2026, 3, 8, 7, 0), utc(2026, 11, 1, 5, 30)]
    assert bad == [False, False]


@pytest.mark.parametrize(
    ("ftype", "cells", "expected"),
    [
        ("float", ["1.5"], ["1.5"]),
        ("int", ["7"], ["7"]),
        ("bool", ["是"], ["true"]),
        ("date", ["2026-01-05"], ["2026-01-05T00:00:00+00:00"]),
    ],
)
def test_typed_values_fill_text_columns(ftype, cells, expected):
    values, _ = run(cells, ftype, pa.string())
    assert values == expected


SAMPLES = {
    "float": ["1", "-2.5", ".5", "1e3", "1,234", "12,5", "abc", "1e999", "+7", "5."],
    "int": ["1", "1.0", "1.5", "-3", "x"],
    "percent": ["85%", "85 %", "85", "0.5", "%", "x%"],
    "duration": ["1:02:03", "02:03", "75:30", "1:60:00", "0:59", "90", "-1", "1:2:3", "a"],
    "datetime": [
        "2026-01-05 08:30:00",
        "2026-1-5 8:30",
        "2026/01/05T08:30:00.5",
        "2026-02-30",
        "2026-02-28 24:00",
        "2026-01-05 08:30:00+08:00",
        "45658.25",
        "x",
        "2026-03-08 02:30",
        "2026-11-01 01:30",
    ],
    "date": ["2026-01-05 23:00", "2026-01-05", "2026-02-29", "2024-02-29"],
    "bool": ["Y", "no", "是", "x", "TRUE", "0"],
}


@pytest.mark.parametrize("ftype", sorted(SAMPLES))
def test_arrow_fast_path_agrees_with_the_general_converter(ftype):
    cells = SAMPLES[ftype]
    arrow = TS if ftype in ("datetime", "date") else pa.bool_() if ftype == "bool" else pa.float64()
    fast, fast_bad = convert(normalize(cells), ftype, arrow, tz="America/New_York")
    # a pandas Series takes the general path
    slow, slow_bad = convert(pd.Series(cells, dtype=object), ftype, arrow, tz="America/New_York")
    assert fast.to_pylist() == slow.to_pylist()
    assert fast_bad.tolist() == slow_bad.tolist()


@settings(max_examples=50, deadline=None)
@given(
    cells=st.lists(
        st.text(alphabet="0123456789-/: .T%", min_size=1, max_size=20), min_size=1, max_size=8
    ),
    ftype=st.sampled_from(["float", "percent", "duration", "datetime", "date"]),
)
def test_fast_and_general_paths_agree_on_random_text(cells, ftype):
    arrow = TS if ftype in ("datetime", "date") else pa.float64()
    normalized = normalize(cells)
    fast, fast_bad = convert(normalized, ftype, arrow, tz="Asia/Shanghai")
    general = pd.Series(normalized.to_pylist(), dtype=object)
    slow, slow_bad = convert(general, ftype, arrow, tz="Asia/Shanghai")
    assert fast.to_pylist() == slow.to_pylist()
    assert fast_bad.tolist() == slow_bad.tolist()


def test_explicit_format_fast_path_checks_calendar_days():
    cells = ["2026-02-30 08:00", "2026-02-28 08:00", "2026-2-28 8:00"]
    values, bad = run(cells, "datetime", TS, fmt="%Y-%m-%d %H:%M")
    assert values == [None, utc(2026, 2, 28, 8), utc(2026, 2, 28, 8)]
    assert bad == [True, False, False]
