"""Drill-down: kpi_records returns exactly the rows behind each value."""

from __future__ import annotations

import pytest
import test_kpis_dataset as data

from callgrade.engine.kpis import REGISTRY, compute_kpis, kpi_records
from callgrade.engine.periods import parse_period

(MARCH,) = parse_period("2026-03", tz=data.TZ)


@pytest.fixture(scope="module")
def tables():
    return data.memtables()


@pytest.fixture(scope="module")
def values(tables):
    out = {}
    for level in ("agent", "team", "queue", "center"):
        for r in compute_kpis(tables, periods=[MARCH], by=level).to_pylist():
            out[(level, r["entity_id"], r["kpi"])] = r
    return out


def records(tables, kpi, level, entity):
    return (
        kpi_records(tables, kpi=kpi, entity_type=level, entity_id=entity, period=MARCH)
        .to_pyarrow()
        .to_pylist()
    )


CASES = [("agent", "A1", k) for k, d in REGISTRY.items() if "agent" in d.levels] + [
    ("agent", "A2", "occupancy"),
    ("agent", "A2", "pause_time"),
    ("agent", "A2", "answer_rate"),
    ("team", "T1", "answer_rate"),
    ("queue", "Q1", "answer_rate"),
    ("center", "all", "answer_rate"),
    ("agent", "A2", "fcr_repeat"),
    ("agent", "A3", "sales_conversion"),
    ("agent", "A3", "answer_rate"),
    ("team", "T1", "aht"),
    ("team", "(unassigned)", "service_level"),
    ("queue", "Q1", "abandon_rate"),
    ("queue", "Q2", "fcr_repeat"),
    ("center", "all", "occupancy"),
    ("center", "all", "complaints_per_1000"),
]


@pytest.mark.parametrize(("level", "entity", "kpi"), CASES)
def test_records_add_up_to_the_value(tables, values, level, entity, kpi):
    v = values[(level, entity, kpi)]
    rows = records(tables, kpi, level, entity)
    assert sum(r["in_sample"] for r in rows) == v["sample_size"]
    assert sum(r["numerator"] for r in rows) == pytest.approx(v["numerator"])
    if v["denominator"] is not None:
        assert sum(r["denominator"] for r in rows) == pytest.approx(v["denominator"])
    assert all(r["in_numerator"] or r["in_denominator"] or r["in_sample"] for r in rows)
    assert all(r["source"] and r["source_ref"] for r in rows)


def test_fcr_rows(tables):
    rows = records(tables, "fcr_repeat", "agent", "A1")
    assert [(r["record_id"], r["in_numerator"]) for r in rows] == [
        ("i01", False),  # C1 called again 3 days later (i03)
        ("i02", True),
        ("i03", True),
    ]
    assert rows[0]["source_ref"] == "interactions:1"


def test_occupancy_rows_show_clipped_seconds(tables):
    rows = records(tables, "occupancy", "agent", "A1")
    got = {(r["source_table"], r["record_id"]): (r["numerator"], r["denominator"]) for r in rows}
    assert got == {
        ("interactions", "i01"): (150.0, 0.0),
        ("interactions", "i02"): (240.0, 0.0),
        ("interactions", "i03"): (60.0, 0.0),
        ("agent_states", "s1"): (0.0, 7200.0),  # clipped at local midnight 1 March
        ("agent_states", "s2"): (0.0, -1800.0),
        ("agent_states", "s3"): (0.0, 28800.0),
        ("agent_states", "s4"): (0.0, -900.0),
    }
    s1 = next(r for r in rows if r["record_id"] == "s1")
    assert s1["at"] == MARCH.start


def test_answer_rate_rows_include_rings_without_answer(tables):
    rows = records(tables, "answer_rate", "agent", "A1")
    got = [
        (r["source_table"], r["record_id"], r["source_ref"], r["numerator"], r["denominator"])
        for r in rows
    ]
    assert got == [
        ("interactions", "i01", "interactions:1", 1.0, 1.0),
        ("interactions", "i02", "interactions:2", 1.0, 1.0),
        ("interactions", "i03", "interactions:3", 1.0, 1.0),
        ("ring_no_answer", "r1", "ring_no_answer:1", 0.0, 1.0),  # r3 is April
    ]
    # the queue counts offered calls, not rings: i05 (abandoned) is in, r1 is not
    q1 = records(tables, "answer_rate", "queue", "Q1")
    assert {r["source_table"] for r in q1} == {"interactions"}
    assert [r["record_id"] for r in q1 if not r["in_numerator"]] == ["i04", "i05"]


def test_pause_rows_count_a_pauseall_and_its_queue_pause_once(tables):
    rows = records(tables, "pause_time", "agent", "A2")
    assert [(r["record_id"], r["numerator"]) for r in rows] == [("s8", 1800.0)]


def test_complaint_rows_skip_invalid(tables):
    rows = records(tables, "complaints_valid", "agent", "A1")
    assert [r["record_id"] for r in rows] == ["c1", "c2"]


def test_errors(tables):
    with pytest.raises(ValueError, match="Unknown KPI"):
        kpi_records(tables, kpi="x", entity_type="agent", entity_id="A1", period=MARCH)
    with pytest.raises(ValueError, match="not computed by agent"):
        kpi_records(tables, kpi="abandon_rate", entity_type="agent", entity_id="A1", period=MARCH)
    with pytest.raises(ValueError, match="not computed by queue"):
        kpi_records(tables, kpi="csat", entity_type="queue", entity_id="Q1", period=MARCH)


@pytest.mark.parametrize(("level", "entity", "kpi"), CASES)
def test_every_row_adds_the_rows_that_count_for_nothing(tables, values, level, entity, kpi):
    counted = records(tables, kpi, level, entity)
    every = (
        kpi_records(
            tables, kpi=kpi, entity_type=level, entity_id=entity, period=MARCH, every_row=True
        )
        .to_pyarrow()
        .to_pylist()
    )
    left_out = [
        r for r in every if not (r["in_numerator"] or r["in_denominator"] or r["in_sample"])
    ]
    assert len(every) == len(counted) + len(left_out)
    assert sum(r["numerator"] for r in every) == pytest.approx(
        values[(level, entity, kpi)]["numerator"]
    )


def test_every_row_lists_a_record_left_out_and_why_it_adds_nothing(tables):
    """A1's complaint c3 is not valid: it is not behind A1's valid complaints, yet listed, with
    nothing added, when every row is asked for."""

    def rows(every_row):
        return {
            r["record_id"]: r
            for r in kpi_records(
                tables,
                kpi="complaints_valid",
                entity_type="agent",
                entity_id="A1",
                period=MARCH,
                every_row=every_row,
            )
            .to_pyarrow()
            .to_pylist()
        }

    assert "c3" not in rows(False)
    c3 = rows(True)["c3"]
    assert c3["numerator"] == 0 and not (c3["in_numerator"] or c3["in_sample"])
