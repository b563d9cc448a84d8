"""Rating periods computed side by side: same results, same order, same errors as a plain loop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from callgrade.engine.cycle import run_cycle
from callgrade.engine.demo import DemoConfig, generate, ingest_demo
from callgrade.engine.people import CycleInputs
from callgrade.engine.policy import load_policy
from callgrade.engine.scoring import in_threads
from callgrade.engine.scoring.threads import thread_count
from callgrade.engine.warehouse import Warehouse

EXAMPLES = Path(__file__).resolve().parents[2] / "src/callgrade/engine/policy/examples"


@pytest.fixture
def two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda _: {0, 1}, raising=False)
    monkeypatch.delenv("CALLGRADE_THREADS", raising=False)


def test_results_keep_the_items_order_when_they_finish_out_of_order(two_threads) -> None:
    def slow_first(x: int) -> int:
        time.sleep(0.05 if x == 0 else 0.0)
        return x * x

    assert in_threads(slow_first, [0, 1, 2, 3, 4]) == [0, 1, 4, 9, 16]


def test_work_runs_on_other_threads_and_progress_on_the_calling_one(two_threads) -> None:
    caller = threading.get_ident()
    ran_on, reported = set(), []

    def work(x: str) -> str:
        ran_on.add(threading.get_ident())
        time.sleep(0.01)
        return x.upper()

    def on_done(x: str) -> None:
        assert threading.get_ident() == caller
        reported.append(x)

    assert in_threads(work, ["a", "b", "c", "d"], on_done=on_done) == ["A", "B", "C", "D"]
    assert sorted(reported) == ["a", "b", "c", "d"]
    assert caller not in ran_on


def test_the_first_failure_in_items_order_is_raised_and_later_items_are_dropped(
    two_threads,
) -> None:
    started = []

    def work(x: int) -> int:
        started.append(x)
        if x == 0:
            time.sleep(0.05)
            raise ValueError("item 0")
        if x == 1:
            raise KeyError("item 1")
        time.sleep(0.05)
        return x

    with pytest.raises(ValueError, match="item 0"):
        in_threads(work, list(range(20)))
    assert len(started) < 20


def test_callgrade_threads_caps_the_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda _: set(range(8)), raising=False)
    monkeypatch.delenv("CALLGRADE_THREADS", raising=False)
    assert thread_count(12) == 4 and thread_count(3) == 3 and thread_count(0) == 1
    monkeypatch.setenv("CALLGRADE_THREADS", "1")
    assert thread_count(12) == 1
    ran_on = set()
    in_threads(lambda x: ran_on.add(threading.get_ident()), [1, 2, 3])
    assert ran_on == {threading.get_ident()}
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("CALLGRADE_THREADS", bad)
        with pytest.raises(ValueError, match="CALLGRADE_THREADS"):
            thread_count(2)


def test_a_cycle_gives_the_same_tables_on_one_thread_and_on_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_threads
) -> None:
    config = DemoConfig(agents=12, months=2, seed=11)
    wh = Warehouse(tmp_path / "data")
    ingest_demo(wh, generate(tmp_path / "demo", config), config.tz)
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    steps: list[str] = []
    two = run_cycle(
        CycleInputs.from_warehouse(wh),
        policy,
        period="2026-01-01..2026-02-28",
        on_step=steps.append,
    )
    monkeypatch.setenv("CALLGRADE_THREADS", "1")
    one = run_cycle(CycleInputs.from_warehouse(wh), policy, period="2026-01-01..2026-02-28")
    assert [c.period for c in two.scorecards] == ["2026-01", "2026-02"]
    assert steps == ["KPIs", "score 2026-01", "score 2026-02", "grade"] or steps == [
        "KPIs", "score 2026-02", "score 2026-01", "grade"
    ]  # fmt: skip
    for a, b in zip(one.scorecards, two.scorecards, strict=True):
        assert a.items.equals(b.items) and a.dimensions.equals(b.dimensions)
        assert a.totals.equals(b.totals)
    assert [p.lines for p in one.pay] == [p.lines for p in two.pay]
    assert one.decisions is not None and two.decisions is not None
    assert one.decisions.decisions.equals(two.decisions.decisions)


def test_a_calibrated_rating_in_one_period_only_reaches_grading(
    tmp_path: Path, two_threads
) -> None:
    config = DemoConfig(agents=12, months=2, seed=11)
    wh = Warehouse(tmp_path / "data")
    ingest_demo(wh, generate(tmp_path / "demo", config), config.tz)
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    period = "2026-01-01..2026-02-28"
    plain = run_cycle(CycleInputs.from_warehouse(wh), policy, period=period)
    someone = plain.scorecards[1].totals.column("employee_id")[0].as_py()
    result = run_cycle(
        CycleInputs.from_warehouse(wh),
        policy,
        period=period,
        rating_overrides={("2026-02", someone): "D"},
    )
    jan, feb = result.scorecards
    assert "computed_rating" in feb.totals.column_names
    assert "computed_rating" not in jan.totals.column_names  # only the calibrated period
    ids, ratings = feb.totals["employee_id"].to_pylist(), feb.totals["rating"].to_pylist()
    rated = dict(zip(ids, ratings, strict=True))
    assert rated[someone] == "D"
    assert result.decisions is not None and result.decisions.decisions.num_rows > 0
