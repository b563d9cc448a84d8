"""Benchmark: score + grade + pay for 10,000 employees × 12 monthly periods under each example
policy, on a synthetic KPI long table (not a test).

Each run scores the 12 months, grades at every grading-period end (4 quarters or 2 halves) on the
months of that period, and writes the 12 months' pay lines. Reported: the median wall-clock
seconds (and process CPU seconds, steadier on a shared machine) of that whole sequence over
``--runs`` runs (table building excluded), with and without the rendered English sentences
(template codes and parameters are always produced).

    python bench/scoring_bench.py --employees 10000 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from callgrade.engine.policy import Policy, load_policy
from callgrade.engine.scoring import PayLines, Scorecards, grade, in_threads, pay, score
from callgrade.engine.scoring.inputs import clear_caches

EXAMPLES = (
    Path(__file__).resolve().parents[1] / "src" / "callgrade" / "engine" / "policy" / "examples"
)
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
LEVELS = ["junior", "intermediate", "senior", "expert"]
TS = pa.timestamp("us", tz="UTC")


def month_bounds(label: str) -> tuple[dt.datetime, dt.datetime]:
    y, m = map(int, label.split("-"))
    start = dt.datetime(y, m, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8)
    end = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8)
    return start, end


def synthetic(policy: Policy, n: int, seed: int = 7) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Roster, KPI long table (every KPI any scorecard, condition or commission reads, plus the
    counts) and extra inputs for ``n`` employees spread over the policy's positions."""
    rng = np.random.default_rng(seed)
    positions = [p.code for p in policy.positions]
    ids = np.array([f"e{i:06d}" for i in range(n)], dtype=object)
    pos = np.array(positions, dtype=object)[rng.integers(0, len(positions), n)]
    hire = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) - rng.integers(30, 3000, n) * dt.timedelta(days=1)
    roster = pa.table(
        {
            "employee_id": pa.array(ids, pa.string()),
            "team": pa.array([f"t{i % 40:02d}" for i in range(n)], pa.string()),
            "position": pa.array(pos, pa.string()),
            "track": pa.array(
                np.where(pos == "technical_support", "technical", "phone"), pa.string()
            ),
            "level": pa.array(np.array(LEVELS, dtype=object)[rng.integers(0, 4, n)], pa.string()),
            "hire_date": pa.array(list(hire), TS),
            "status": pa.array(["active"] * n, pa.string()),
        }
    )
    kpis = {
        "answer_rate": ("ratio", 0.75, 1.0), "csat": ("ratio", 0.6, 1.0),
        "qa_score": ("score", 55, 100), "fcr_repeat": ("ratio", 0.5, 0.95),
        "sales_conversion": ("ratio", 0.0, 0.15), "sales_revenue": ("money", 0, 150_000),
        "adherence": ("ratio", 0.75, 1.0), "aht": ("seconds", 150, 600),
        "complaints_valid": ("count", 0, 3), "major_complaints": ("count", 0, 1.02),
        "leaves": ("count", 0, 2.5), "late_arrivals": ("count", 0, 2),
        "early_departures": ("count", 0, 2), "qa_critical_fails": ("count", 0, 1.5),
    }  # fmt: skip
    parts = []
    for month in MONTHS:
        start, end = month_bounds(month)
        for code, (unit, lo, hi) in kpis.items():
            value = rng.uniform(lo, hi, n)
            if unit == "count":
                value = np.floor(value)
            size = rng.integers(1, 400, n)
            den = size.astype(float) if unit in ("ratio", "score") else np.full(n, np.nan)
            num = value * den if unit in ("ratio", "score") else value
            parts.append(
                pa.table(
                    {
                        "period": pa.array([month] * n, pa.string()),
                        "period_start": pa.array([start] * n, TS),
                        "period_end": pa.array([end] * n, TS),
                        "entity_type": pa.array(["agent"] * n, pa.string()),
                        "entity_id": pa.array(ids, pa.string()),
                        "kpi": pa.array([code] * n, pa.string()),
                        "value": pa.array(value, pa.float64()),
                        "numerator": pa.array(num, pa.float64()),
                        "denominator": pa.array(den, pa.float64()),
                        "sample_size": pa.array(size, pa.int64()),
                        "unit": pa.array([unit] * n, pa.string()),
                    }
                )
            )
    refs = [("exam", "skill_exam"), ("competency", "problem_solving")]
    extra = pa.table(
        {
            "employee_id": pa.array(np.tile(ids, len(refs)), pa.string()),
            "input": pa.array(np.repeat([r[0] for r in refs], n), pa.string()),
            "ref": pa.array(np.repeat([r[1] for r in refs], n), pa.string()),
            "value": pa.array(rng.uniform(40, 100, n * len(refs)), pa.float64()),
        }
    )
    return roster, pa.concat_tables(parts), extra


def grading_ends(policy: Policy) -> list[tuple[dt.date, list[str]]]:
    size = {"month": 1, "quarter": 3, "half": 6, "year": 12}[policy.cycle.grading_period]
    out = []
    for i in range(0, 12, size):
        months = MONTHS[i : i + size]
        y, m = map(int, months[-1].split("-"))
        end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        out.append((end, months))
    return out


def run_once(policy: Policy, roster: pa.Table, kpis: pa.Table, extra: pa.Table, explain: bool):
    """As a grading cycle runs it: each month scored and paid, the months side by side on the
    machine's cores (``in_threads``), then each grading period graded."""
    clear_caches()  # every run starts cold: nothing memoized by an earlier run

    def one_month(m: str) -> tuple[Scorecards, PayLines]:
        card = score(policy, kpis, roster, period_label=m, extra_inputs=extra, explain=explain)
        return card, pay(policy, card, None, kpis, roster, period_label=m)

    done = in_threads(one_month, MONTHS)
    cards = {m: card for m, (card, _) in zip(MONTHS, done, strict=True)}
    decided = in_threads(
        lambda g: grade(policy, [cards[m] for m in g[1]], roster, kpis, cycle_end=g[0]),
        grading_ends(policy),
    )
    lines = [paid for _, paid in done]
    return cards, decided, lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    for name in ("four_positions", "customer_specialist_4_levels"):
        policy = load_policy(EXAMPLES / f"{name}.yaml")
        roster, kpis, extra = synthetic(policy, args.employees)
        for explain in (True, False):
            times, cpu = [], []
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.process_time()
                cards, decided, lines = run_once(policy, roster, kpis, extra, explain)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            items = sum(c.items.num_rows for c in cards.values())
            pay_rows = sum(p.lines.num_rows for p in lines)
            print(
                f"{name:30s} sentences={'yes' if explain else 'no ':3s} "
                f"median {statistics.median(times):6.2f} s over {args.runs} runs "
                f"(min {min(times):.2f}; CPU median {statistics.median(cpu):.2f} s); "
                f"{kpis.num_rows:,} KPI rows, {items:,} item rows, "
                f"{len(decided)} gradings, {pay_rows:,} pay lines"
            )


if __name__ == "__main__":
    main()
