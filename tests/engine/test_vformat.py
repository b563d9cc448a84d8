"""Column formatting gives exactly the strings Python's format() gives (ties, signs, huge
values, NaN and thousands separators included)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callgrade.engine.scoring.vformat import fixed, grouped_int

EDGES = [0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 2.675, 999.95, 999_999.5, -0.04, 1e-300, 1e14,
         9.99999e14, 1e15, 1e16, 123_456_789.125, np.inf, -np.inf, np.nan]  # fmt: skip


@pytest.mark.parametrize("decimals", [0, 1, 2])
@pytest.mark.parametrize("grouping", [False, True])
def test_fixed_matches_python(decimals, grouping):
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            EDGES,
            rng.uniform(-2000, 2000, 20_000),
            np.round(rng.uniform(-100, 100, 20_000), decimals + 1),  # many exact ties
            rng.exponential(1e6, 5_000),
        ]
    )
    spec = f"{',' if grouping else ''}.{decimals}f"
    expected = [None if v != v else format(v, spec) for v in values.tolist()]
    assert fixed(values, decimals, grouping).to_pylist() == expected


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=50))
def test_fixed_matches_python_on_any_float(values):
    x = np.array(values, dtype=float)
    for decimals in (0, 1, 2, 3):
        for grouping in (True, False):
            spec = f"{',' if grouping else ''}.{decimals}f"
            expected = [None if v != v else format(v, spec) for v in x.tolist()]
            assert fixed(x, decimals, grouping=grouping).to_pylist() == expected


@given(st.lists(st.integers(min_value=-(2**62), max_value=2**62), max_size=50))
def test_grouped_int_matches_python(values):
    assert grouped_int(np.array(values, dtype=np.int64)).to_pylist() == [f"{n:,}" for n in values]
