"""Commission sentences rendered for whole columns read exactly like the row-by-row ones."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from callgrade.engine.policy.model import Commission

pay = importlib.import_module("callgrade.engine.scoring.pay")

TIERS = [
    [{"above": 0, "rate": 0.02}, {"above": 50000, "rate": 0.03}, {"above": 100000, "rate": 0.05}],
    [{"above": 0, "rate": 0.1234}, {"above": 20000.5, "rate": 0.5}],
    [{"above": 0, "rate": 0.07}],
]


@pytest.mark.parametrize("mode", ["marginal", "whole"])
@pytest.mark.parametrize("tiers", TIERS)
def test_commission_texts_match_the_row_renderer(mode, tiers):
    rng = np.random.default_rng(5)
    v = np.concatenate(
        [
            rng.uniform(-1000, 300_000, 3000),
            np.round(rng.uniform(0, 300_000, 1000)),
            [0.0, -0.0, 50_000, 100_000, 49_999.995, 1e12, 0.005, 0.015, 20_000.5],
        ]
    )
    c = Commission(code="x", positions=("telesales",), mode=mode, tiers=tiers)
    amount, top = pay.commission_amount(v, c)
    expected = [pay._commission_text(x, c, t, y) for x, t, y in zip(v, top, amount, strict=True)]
    assert pay.commission_texts(v, c, top, amount) == expected
