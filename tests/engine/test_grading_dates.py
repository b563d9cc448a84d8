"""Probation ends: adding months to a column of hire dates agrees with pandas' DateOffset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from callgrade.engine.scoring.grade import add_months_column


@pytest.mark.parametrize("months", [0, 1, 3, 6, 11, 12, 13, 25, 120])
def test_add_months_column_matches_dateoffset(months: int) -> None:
    rng = np.random.default_rng(months)
    offsets = pd.to_timedelta(rng.integers(0, 20_000, 3_000), unit="D")
    days = pd.Series(pd.Timestamp("1990-01-01") + offsets)
    days[::97] = pd.NaT
    expected = days + pd.DateOffset(months=months)
    got = add_months_column(days, months)
    assert got.dtype == expected.dtype
    pd.testing.assert_series_equal(got, expected)


def test_month_ends_are_clipped() -> None:
    days = pd.Series(pd.to_datetime(["2026-01-31", "2024-01-31", "2026-08-31", None]))
    got = add_months_column(days, 1).dt.strftime("%Y-%m-%d").tolist()
    assert got[:3] == ["2026-02-28", "2024-02-29", "2026-09-30"] and pd.isna(got[3])
