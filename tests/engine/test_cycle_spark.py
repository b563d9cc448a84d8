"""A whole cycle on local-mode Spark gives byte for byte the scorecards, decisions and pay lines
of the same cycle on DuckDB (the scale-out path runs the same product, not an approximation)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from callgrade.engine.cycle import CycleResult, run_cycle
from callgrade.engine.demo import DemoConfig, generate, ingest_demo
from callgrade.engine.kpis import KpiEngine
from callgrade.engine.people import CycleInputs
from callgrade.engine.policy import load_policy
from callgrade.engine.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

EXAMPLES = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples"
POLICIES = ("four_positions", "customer_specialist_4_levels")
PERIOD = "2026-01-01..2026-02-28"  # two rating periods (months), graded at the end


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    config = DemoConfig(agents=12, months=2, seed=5)
    files = generate(tmp_path_factory.mktemp("demo"), config)
    wh = Warehouse(tmp_path_factory.mktemp("data"))
    ingest_demo(wh, files, config.tz)
    return wh


def _ipc(table: pa.Table) -> bytes:
    """The table as Arrow IPC stream bytes: schema, metadata and every value, bit for bit."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table.combine_chunks())
    return sink.getvalue().to_pybytes()


def _outputs(result: CycleResult) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for card in result.scorecards:
        for part in ("items", "dimensions", "totals"):
            out[f"scorecards {card.period} {part}"] = _ipc(getattr(card, part))
    assert result.decisions is not None
    for part in ("decisions", "criteria", "checklist"):
        out[f"grading {part}"] = _ipc(getattr(result.decisions, part))
    for paid in result.pay:
        out[f"pay {paid.period}"] = _ipc(paid.lines)
    return out


@pytest.mark.parametrize("policy_name", POLICIES)
def test_cycle_on_spark_is_byte_identical_to_duckdb(
    demo_warehouse: Warehouse, spark_engine: KpiEngine, policy_name: str
) -> None:
    policy = load_policy(EXAMPLES / f"{policy_name}.yaml")
    inputs = CycleInputs.from_warehouse(demo_warehouse)
    duck = run_cycle(inputs, policy, period=PERIOD, engine=KpiEngine("duckdb"))
    spark = run_cycle(inputs, policy, period=PERIOD, engine=spark_engine)
    expected, got = _outputs(duck), _outputs(spark)
    assert list(got) == list(expected)
    # a cycle with nothing in it would agree trivially
    assert len(duck.scorecards) == 2 and duck.scorecards[-1].totals.num_rows > 0
    assert duck.decisions is not None and duck.decisions.decisions.num_rows > 0
    assert sum(p.lines.num_rows for p in duck.pay) > 0
    for name, data in expected.items():
        assert got[name] == data, name
    # the KPIs the scores came from agree too (same rows, same values)
    assert spark.kpis.equals(duck.kpis)


def test_a_second_master_in_one_process_is_refused(spark_engine: KpiEngine) -> None:
    # Spark allows one session per process: a cycle asking for another master must not
    # silently run on the one already up.
    from callgrade.engine.kpis import EngineUnavailable
    from callgrade.engine.kpis.engines import spark_session

    with pytest.raises(EngineUnavailable, match="already running in this process"):
        spark_session(KpiEngine("spark", spark_url="spark://elsewhere.example:7077"))
    assert spark_session(KpiEngine("spark")) is spark_engine.spark_session
