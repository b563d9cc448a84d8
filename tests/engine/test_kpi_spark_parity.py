"""The same KPI code on local-mode PySpark gives DuckDB's numbers (the scale-out path)."""

from __future__ import annotations

import math

import ibis
import pytest
import test_kpis_dataset as data

from callgrade.engine.kpis import KpiOptions, compute_kpis, kpi_records, open_tables
from callgrade.engine.periods import parse_period
from callgrade.engine.warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

# Months split sessions that cross month ends (clipping); s5 crosses into April.
PERIODS = parse_period("2026-02-01..2026-04-30", tz=data.TZ, grain="month")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = Warehouse(tmp_path_factory.mktemp("data"))
    tables = data.arrow_tables()
    tables.pop("competency_assessments")  # stays empty: read through its schema
    wh.commit(tables)
    return wh


@pytest.fixture(scope="module")
def spark(spark_engine):
    return spark_engine.connect()


@pytest.fixture(scope="module")
def both(spark, warehouse):
    return open_tables(ibis.duckdb.connect(), warehouse), open_tables(spark, warehouse)


def _rows(table):
    return {(r["period"], r["entity_type"], r["entity_id"], r["kpi"]): r for r in table.to_pylist()}


def _same(a, b):
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("level", ["agent", "team", "queue", "center"])
def test_full_suite_matches_duckdb(both, level):
    duck_tables, spark_tables = both
    duck = _rows(compute_kpis(duck_tables, periods=PERIODS, by=level))
    sprk = _rows(compute_kpis(spark_tables, periods=PERIODS, by=level))
    assert duck.keys() == sprk.keys()
    assert {k[0] for k in duck} == {"2026-02", "2026-03", "2026-04"}
    for key, d in duck.items():
        s = sprk[key]
        for col in ("value", "numerator", "denominator"):
            assert _same(d[col], s[col]), f"{key} {col}: duckdb {d[col]} spark {s[col]}"
        assert d["sample_size"] == s["sample_size"], key
        assert (d["period_start"], d["period_end"], d["unit"]) == (
            s["period_start"],
            s["period_end"],
            s["unit"],
        )


def test_records_match_duckdb(both):
    (march,) = parse_period("2026-03", tz=data.TZ)
    args = {"kpi": "occupancy", "entity_type": "agent", "entity_id": "A1", "period": march}
    duck = kpi_records(both[0], **args).to_pyarrow()
    sprk = kpi_records(both[1], **args).to_pyarrow()
    assert duck.to_pylist() == sprk.to_pylist()
    assert duck.num_rows == 7


@pytest.mark.parametrize(
    ("kpi", "agent", "n_rows"),
    [("answer_rate", "A1", 4), ("pause_time", "A2", 1), ("login_time", "A2", 1)],
)
def test_ring_and_overlap_records_match_duckdb(both, kpi, agent, n_rows):
    (march,) = parse_period("2026-03", tz=data.TZ)
    args = {"kpi": kpi, "entity_type": "agent", "entity_id": agent, "period": march}
    duck = kpi_records(both[0], **args).to_pyarrow()
    sprk = kpi_records(both[1], **args).to_pyarrow()
    assert duck.to_pylist() == sprk.to_pylist()
    assert duck.num_rows == n_rows


def test_pause_reasons_match_duckdb(both):
    opts = KpiOptions(pause_reasons=("lunch",))
    args = {"periods": PERIODS, "by": "agent", "kpis": ["pause_time", "occupancy"]}
    duck = _rows(compute_kpis(both[0], options=opts, **args))
    sprk = _rows(compute_kpis(both[1], options=opts, **args))
    assert duck.keys() == sprk.keys()
    for key, d in duck.items():
        for col in ("value", "numerator", "denominator", "sample_size"):
            assert _same(d[col], sprk[key][col]), f"{key} {col}"
