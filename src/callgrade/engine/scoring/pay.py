"""Pay statement lines: level allowance, rating bonus, tiered commission and long-term accrual,
each line naming the rule that produced it (docs/policy.md, *Pay*)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import Commission
from callgrade.engine.scoring import vformat as vf
from callgrade.engine.scoring.inputs import (
    months_between,
    period_kpis,
    period_last_day,
    roster_frame,
)
from callgrade.engine.scoring.results import (
    Decisions,
    PayLines,
    Scorecards,
    strings_by_code,
    table_like_pandas,
    to_arrow,
)

LINE_KEYS = ["period", "employee_id", "kind_order", "code"]
KIND_ORDER = {"allowance": 0, "bonus": 1, "commission": 2, "long_term": 3}


def money(x: float) -> str:
    return f"{x:,.2f}".removesuffix(".00")


def _codes(values: object) -> np.ndarray:
    """Integer codes telling distinct values apart (floats by their exact bits)."""
    arr = pd.Series(values).to_numpy()
    if arr.dtype == np.float64:
        arr = arr.view(np.int64)
    return pd.factorize(arr, use_na_sentinel=False)[0].astype(np.int64)


def _per_distinct(render: Callable[..., str], *columns: object) -> pa.Array:
    """``render(*row)`` for every row of ``columns``, rendered once per distinct row (pay
    sentences repeat: a few levels, ratings, hire dates). Floats are told apart by their exact
    bits, so -0.0 and 0.0 render separately."""
    key = np.zeros(len(pd.Series(columns[0])), dtype=np.int64)
    for c in columns:
        code = _codes(c)
        key = pd.factorize(key * (int(code.max(initial=0)) + 1) + code)[0].astype(np.int64)
    if not len(key):
        return pa.array([], pa.string())
    _, first, back = np.unique(key, return_index=True, return_inverse=True)
    rows = zip(*(pd.Series(c).iloc[first].tolist() for c in columns), strict=True)
    return strings_by_code([render(*row) for row in rows], back)


def commission_amount(value: np.ndarray, c: Commission) -> tuple[np.ndarray, np.ndarray]:
    """Commission and the index of the highest tier reached, for every amount at once."""
    above = np.array([t.above for t in c.tiers], dtype=float)
    rate = np.array([t.rate for t in c.tiers], dtype=float)
    v = np.nan_to_num(np.clip(value, 0, None))
    top = np.searchsorted(above, v, side="right") - 1
    if c.mode == "whole":
        return v * rate[np.clip(top, 0, None)], top
    upper = np.append(above[1:], np.inf)
    inside = np.clip(v[:, None] - above[None, :], 0, (upper - above)[None, :])
    return inside @ rate, top


def _commission_text(v: float, c: Commission, top: int, amount: float) -> str:
    label = c.kpi.replace("_", " ")
    if c.mode == "whole":
        t = c.tiers[top]
        return (
            f"Commission {c.code} on {label} {money(v)}: the {t.rate:.2%} rate of the tier from "
            f"{money(t.above)} applies to the whole amount = {money(amount)}"
        )
    parts = []
    for i, t in enumerate(c.tiers[: top + 1]):
        hi = c.tiers[i + 1].above if i + 1 < len(c.tiers) else np.inf
        parts.append(f"{money(min(v, hi) - t.above)} × {t.rate:.2%}")
    return (
        f"Commission {c.code} on {label} {money(v)}: marginal tiers "
        f"{' + '.join(parts) or '0'} = {money(amount)}"
    )


def _money(x: np.ndarray) -> pa.Array:
    """:func:`money` over a column."""
    text = pc.fill_null(vf.fixed(x, 2, grouping=True), "nan")
    return pc.replace_substring_regex(text, pattern=r"\.00$", replacement="")


def commission_texts(
    v: np.ndarray, c: Commission, top: np.ndarray, amount: np.ndarray
) -> list[str]:
    """:func:`_commission_text` for every row at once."""
    if not len(v):
        return []
    label = c.kpi.replace("_", " ")
    head = pc.binary_join_element_wise(f"Commission {c.code} on {label} ", _money(v), "")
    if c.mode == "whole":
        tier = np.where(top >= 0, top, len(c.tiers) - 1)  # tiers[-1] when below every tier
        rates = [f"{t.rate:.2%}" for t in c.tiers]
        froms = [money(t.above) for t in c.tiers]
        idx = pa.array(tier)
        return pc.binary_join_element_wise(
            head,
            ": the ",
            pa.array(rates, pa.string()).take(idx),
            " rate of the tier from ",
            pa.array(froms, pa.string()).take(idx),
            " applies to the whole amount = ",
            _money(amount),
            "",
        ).to_pylist()
    parts = []
    for i, t in enumerate(c.tiers):
        hi = c.tiers[i + 1].above if i + 1 < len(c.tiers) else np.inf
        part = pc.binary_join_element_wise(
            _money(np.minimum(v, hi) - t.above), f" × {t.rate:.2%}", ""
        )
        parts.append(pc.if_else(pa.array(top >= i), part, pa.scalar(None, pa.string())))
    tiers = pc.binary_join_element_wise(*parts, " + ", null_handling="skip")
    tiers = pc.if_else(pa.array(top >= 0), tiers, "0")
    return pc.binary_join_element_wise(
        head, ": marginal tiers ", tiers, " = ", _money(amount), ""
    ).to_pylist()


def pay(
    policy: Policy,
    scorecards: Scorecards | None,
    decisions: Decisions | None,
    kpis: pa.Table,
    roster: pa.Table,
    *,
    period_label: str,
    as_of: dt.date | None = None,
) -> PayLines:
    """Pay lines for one period. The level paid is the roster level, or a decision's
    ``level_to`` when ``decisions`` is given (the decided level applies from this period on).
    The bonus uses the period's rating from ``scorecards``; ``as_of`` (default: the period's last
    day) dates long-term accrual."""
    emp = roster_frame(policy, roster)
    if decisions is not None:
        d = decisions.decisions.to_pandas().set_index("employee_id")["level_to"]
        emp["level"] = emp["employee_id"].map(d).fillna(emp["level"])
    if as_of is None:
        as_of = period_last_day(kpis, period_label, policy.time_zone)
    parts: list[dict[str, Any]] = []

    def add(sel: pd.DataFrame, kind: str, code: str, **cols: object) -> None:
        if len(sel):
            who = {c: sel[c].to_numpy() for c in ("employee_id", "position", "level")}
            parts.append({**who, "kind": kind, "code": code, **cols, "rows": len(sel)})

    for a in policy.pay.allowances:
        sel = emp[(emp["ladder"] == a.ladder) & emp["level"].isin(list(a.monthly))]
        amount = sel["level"].map(a.monthly).astype(float)
        text = _per_distinct(
            lambda lv, x: f"Allowance for level {lv}: {money(x)} a month", sel["level"], amount
        )
        add(
            sel,
            "allowance",
            a.ladder,
            basis=np.nan,
            rate=np.nan,
            amount=amount,
            cash=True,
            explanation=text,
        )
    b = policy.pay.bonus
    if b is not None and scorecards is not None:
        rated = scorecards.totals.to_pandas().set_index("employee_id")["rating"].dropna()
        sel = emp[emp["employee_id"].isin(rated.index)]
        rating = sel["employee_id"].map(rated)
        base = sel["level"].map(b.base_by_level).fillna(b.base).astype(float)
        coef = rating.map(b.coefficients).astype(float)
        amount = base * coef
        text = _per_distinct(
            lambda x, k, r, y: (
                f"Bonus: base {money(x)} × coefficient {k:g} for rating {r} = {money(y)}"
            ),
            base,
            coef,
            rating,
            amount,
        )
        add(
            sel, "bonus", "bonus", basis=base, rate=coef, amount=amount, cash=True, explanation=text
        )
    kpi = period_kpis(kpis, period_label, sorted({c.kpi for c in policy.pay.commissions}))
    for c in policy.pay.commissions:
        rows = kpi[kpi["kpi"] == c.kpi].set_index("entity_id")["value"]
        sel = emp[emp["position"].isin(list(c.positions)) & emp["employee_id"].isin(rows.index)]
        v = sel["employee_id"].map(rows).astype(float).fillna(0.0).to_numpy()
        amount, top = commission_amount(v, c)
        text = commission_texts(v, c, top, amount)
        add(
            sel,
            "commission",
            c.code,
            basis=v,
            rate=np.nan,
            amount=amount,
            cash=True,
            explanation=text,
        )
    if as_of is not None:
        for plan in policy.pay.long_term:
            sel = emp if not plan.positions else emp[emp["position"].isin(list(plan.positions))]
            sel = sel[sel["hire_date"].notna()]
            years = months_between(sel["hire_date"], as_of) / 12.0
            accrued = plan.amount_per_year * np.floor(years + 1e-9)
            if plan.vesting_years == 0:
                vest = pd.Series(1.0, index=sel.index)
            else:
                vest = (years / plan.vesting_years).clip(upper=1.0)
            vest = vest.where(years >= plan.cliff_years, 0.0)
            text = _per_distinct(
                lambda y, a, f, plan=plan: (
                    f"{plan.label.en}: {np.floor(y + 1e-9):.0f} completed "
                    f"years × {money(plan.amount_per_year)} = {money(a)} accrued; "
                    f"{f:.1%} vested = {money(a * f)}"
                ),
                years,
                accrued,
                vest,
            )
            add(
                sel,
                "long_term",
                plan.code,
                basis=years,
                rate=vest,
                amount=accrued,
                cash=False,
                explanation=text,
            )
    return PayLines(period=period_label, lines=_lines(period_label, parts))


LINE_COLUMNS = ["employee_id", "position", "level", "kind", "code", "basis", "rate", "amount"]
LINE_COLUMNS += ["cash", "explanation"]


def _lines(period_label: str, parts: list[dict[str, Any]]) -> pa.Table:
    """The statement lines of every rule that applied, as one table sorted by ``LINE_KEYS``
    (the schema a pandas frame of the same columns gives)."""
    if not parts:
        lines = pd.DataFrame(columns=LINE_COLUMNS)
        lines["period"] = period_label
        lines["kind_order"] = lines["kind"].map(KIND_ORDER)
        lines["amount"] = lines["amount"].astype(float)
        out = to_arrow(lines[["period", *LINE_COLUMNS, "kind_order"]], LINE_KEYS)
        return out.drop_columns(["kind_order"])
    sizes = [p["rows"] for p in parts]
    part = np.repeat(np.arange(len(parts)), sizes)

    def each(c: str, dtype: type) -> np.ndarray:
        pieces = zip(parts, sizes, strict=True)
        return np.concatenate([np.broadcast_to(np.asarray(p[c], dtype), (n,)) for p, n in pieces])

    def text(p: dict[str, Any]) -> pa.Array:
        x = p["explanation"]
        return x if isinstance(x, pa.Array) else pa.array(x, pa.string())

    columns: dict[str, pa.Array | np.ndarray] = {
        "period": pa.repeat(pa.scalar(period_label, pa.string()), len(part)),
    }
    for c in ("employee_id", "position", "level"):
        columns[c] = pa.array(np.concatenate([p[c] for p in parts]), pa.string(), from_pandas=True)
    for c in ("kind", "code"):
        columns[c] = strings_by_code([p[c] for p in parts], part)  # one value per rule
    for c in ("basis", "rate"):
        columns[c] = each(c, float)
    columns["amount"] = each("amount", float).round(2)
    columns["cash"] = each("cash", bool)
    columns["explanation"] = pa.concat_arrays([text(p) for p in parts])
    columns["kind_order"] = np.repeat([KIND_ORDER[p["kind"]] for p in parts], sizes)
    table = table_like_pandas(columns)
    order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in LINE_KEYS])
    return table.take(order).drop_columns(["kind_order"])
