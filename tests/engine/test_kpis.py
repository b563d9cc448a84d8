"""Every KPI on the hand-made dataset (test_kpis_dataset.py), March 2026 in Asia/Shanghai.

Only rows inside [2026-02-28T16:00Z, 2026-03-31T16:00Z) count: i10, i13, s6, v6 are outside.
Each expectation is (value, numerator, denominator, sample_size); denominator None = a total.
"""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pyarrow as pa
import pytest
import test_kpis_dataset as data

from callgrade.engine.kpis import OUTPUT, REGISTRY, KpiOptions, compute_kpis
from callgrade.engine.periods import parse_period

MARCH = parse_period("2026-03", tz=data.TZ)
N = None

# Agent A1: inbound Q1 contacts i01, i02, i03, all answered; i05 rang at A1 unanswered (r1).
# abandon_rate has no agent level: an abandoned call never reached one.
A1 = {
    "answer_rate": (0.75, 3, 4, 4),  # 3 answered / (3 answered + r1 rang unanswered)
    "service_level": (2 / 3, 2, 3, 3),  # waits 10, 30, 5: two ≤ 20 s
    "asa": (15.0, 45, 3, 3),  # (10 + 30 + 5) / 3
    "aht": (150.0, 450, 3, 3),  # (100+20+30) + (200+0+40) + (50+0+10); null hold adds 0
    "talk_time": (350 / 3, 350, 3, 3),
    "hold_time": (10.0, 20, 2, 2),  # i02 hold unknown: 20 + 0 over 2 measured
    "acw_time": (80 / 3, 80, 3, 3),
    "transfer_rate": (1 / 3, 1, 3, 3),  # i02
    "fcr_repeat": (2 / 3, 2, 3, 3),  # i01 → C1 calls again (i03) 3 days later: not resolved
    "csat": (2 / 3, 2, 3, 3),  # 5, 4 top-2-box of 5, 4, 2 (v6 is April)
    "csat_mean": (11 / 3, 11, 3, 3),
    "nps": (0.0, 0, 3, 3),  # 10 promoter, 8 passive, 3 detractor
    "fcr_survey": (0.5, 1, 2, 2),  # True, False; v3 unanswered
    "qa_score": (80.0, 160, 2, 2),
    "qa_critical_fails": (1.0, 1, N, 2),  # 1 fail out of 2 evaluations
    "occupancy": (450 / 33300, 450, 33300, 3),  # (7200 + 28800) logged − (1800 + 900) paused
    "login_time": (36000.0, 36000, N, 2),  # s1 clipped to 16:00Z → 18:00Z = 7200; s3 28800
    "pause_time": (2700.0, 2700, N, 2),
    "sales_revenue": (200.0, 200, N, 1),
    "sales_conversion": (1 / 3, 1, 3, 3),
    "adherence": (52000 / 57600, 52000, 57600, 2),
    "complaints_valid": (2.0, 2, N, 2),  # c3 not valid
    "complaints_per_1000": (2000 / 3, 2, 3, 3),
    "major_complaints": (1.0, 1, N, 1),
    "leaves": (1.0, 1, N, 1),
    "late_arrivals": (1.0, 1, N, 1),
    "early_departures": (0.0, 0, N, 0),
}

# A2: i06 (wait 25, talk 300, hold 60, acw 60), i07 (wait 15, talk 120) — i07's customer C5
# calls again on 2026-04-02 (i10, after the period): the look-ahead still sees it.
# s7 (Q2 login) lies inside s5; s8 (PAUSEALL) and s9 (its Q2 PAUSE) are the same half hour.
A2 = {
    "answer_rate": (2 / 3, 2, 3, 3),  # i06, i07 answered; r2 (i14) rang unanswered
    "service_level": (0.5, 1, 2, 2),
    "asa": (20.0, 40, 2, 2),
    "aht": (270.0, 540, 2, 2),
    "hold_time": (60.0, 60, 1, 1),
    "acw_time": (60.0, 60, 1, 1),
    "fcr_repeat": (0.5, 1, 2, 2),
    "csat": (0.0, 0, 1, 1),  # only a 3
    "csat_mean": (3.0, 3, 1, 1),
    "nps": (100.0, 1, 1, 1),
    "fcr_survey": (1.0, 2, 2, 2),
    "qa_score": (85.0, 85, 1, 1),
    "qa_critical_fails": (0.0, 0, N, 1),
    "occupancy": (540 / 12600, 540, 12600, 2),  # s5 12:00Z → 16:00Z in March − s8 1800
    "login_time": (14400.0, 14400, N, 1),  # s7 adds nothing: one interval counted
    "pause_time": (1800.0, 1800, N, 1),  # s8 and s9 once
    "adherence": (1.0, 28800, 28800, 1),
    "complaints_valid": (1.0, 1, N, 1),
    "complaints_per_1000": (500.0, 1, 2, 2),
    "leaves": (1.0, 1, N, 1),
    "early_departures": (1.0, 1, N, 1),
    "sales_revenue": (0.0, 0, N, 0),
}

# A3: outbound only: i08 connected (talk 60, acw 20), i09 no answer.
A3 = {
    "answer_rate": (0.5, 1, 2, 2),  # connected / dialed
    "service_level": (None, 0, 0, 0),  # no inbound contact
    "asa": (None, 0, 0, 0),
    "aht": (80.0, 80, 1, 1),
    "hold_time": (None, 0, 0, 0),
    "fcr_repeat": (None, 0, 0, 0),
    "sales_revenue": (100.0, 100, N, 1),  # sa2 is not valid
    "sales_conversion": (1.0, 1, 1, 1),
    "occupancy": (None, 80, 0, 1),  # no agent_states
    "csat": (None, 0, 0, 0),
}

# A9 (not on the roster): i12 answered at exactly 20 s, no customer id.
A9 = {
    "service_level": (1.0, 1, 1, 1),  # ≤ T counts as within
    "aht": (100.0, 100, 1, 1),
    "fcr_repeat": (None, 0, 0, 0),  # no customer: not in the FCR denominator
}


def rows(table: pa.Table) -> dict[tuple[str, str, str], tuple]:
    out = {}
    for r in table.to_pylist():
        out[(r["period"], r["entity_id"], r["kpi"])] = (
            r["value"],
            r["numerator"],
            r["denominator"],
            r["sample_size"],
        )
    return out


def check(got: tuple, want: tuple, where: str) -> None:
    for name, g, w in zip(("value", "numerator", "denominator", "sample"), got, want, strict=True):
        if w is None:
            assert g is None or (isinstance(g, float) and math.isnan(g)), f"{where} {name}: {g}"
        else:
            assert g == pytest.approx(w, rel=1e-12, abs=1e-12), f"{where} {name}: {g} != {w}"


@pytest.fixture(scope="module")
def by_agent():
    return compute_kpis(data.memtables(), periods=MARCH, by="agent")


@pytest.mark.parametrize(("agent", "expected"), [("A1", A1), ("A2", A2), ("A3", A3), ("A9", A9)])
def test_agent_values(by_agent, agent, expected):
    got = rows(by_agent)
    for kpi, want in expected.items():
        check(got[("2026-03", agent, kpi)], want, f"{agent}/{kpi}")


AGENT_KPIS = {c for c, d in REGISTRY.items() if "agent" in d.levels}


def test_every_kpi_is_checked_for_a1():
    assert set(A1) == AGENT_KPIS
    assert set(REGISTRY) - AGENT_KPIS == {"abandon_rate"}


def test_output_shape_and_order(by_agent):
    assert by_agent.schema == OUTPUT
    # one row per (period, agent, kpi) for the four agents that have records in March
    assert by_agent.num_rows == 4 * len(AGENT_KPIS)
    keys = [(r["entity_id"], r["kpi"]) for r in by_agent.to_pylist()]
    assert keys == sorted(keys)
    first = by_agent.slice(0, 1).to_pylist()[0]
    assert (first["period_start"], first["period_end"]) == (MARCH[0].start, MARCH[0].end)
    assert set(by_agent.column("entity_type").to_pylist()) == {"agent"}


def test_by_team_uses_roster_and_unassigned():
    got = rows(compute_kpis(data.memtables(), periods=MARCH, by="team"))
    assert {k[1] for k in got} == {"T1", "T2", "(unassigned)"}
    check(got[("2026-03", "T1", "aht")], (198.0, 990, 5, 5), "T1 aht")  # (450 + 540) / 5
    check(got[("2026-03", "T1", "fcr_repeat")], (0.6, 3, 5, 5), "T1 fcr")
    check(got[("2026-03", "T1", "complaints_valid")], (3.0, 3, N, 3), "T1 complaints")
    check(got[("2026-03", "T1", "login_time")], (50400.0, 50400, N, 3), "T1 login")
    check(got[("2026-03", "T2", "answer_rate")], (0.5, 1, 2, 2), "T2 answer rate")
    # A1 3 of 4 presented + A2 2 of 3
    check(got[("2026-03", "T1", "answer_rate")], (5 / 7, 5, 7, 7), "T1 answer rate")
    check(got[("2026-03", "T1", "pause_time")], (4500.0, 4500, N, 3), "T1 pause")
    assert ("2026-03", "T1", "abandon_rate") not in got
    check(got[("2026-03", "(unassigned)", "aht")], (100.0, 100, 1, 1), "A9's team")


def test_by_queue_only_contact_kpis():
    got = rows(compute_kpis(data.memtables(), periods=MARCH, by="queue"))
    assert {k[1] for k in got} == {"Q1", "Q2"}  # outbound contacts have no queue
    assert {k[2] for k in got} == {c for c, d in REGISTRY.items() if "queue" in d.levels}
    # Q1: i01, i02, i03, i12 answered; i04 abandoned after 3 s (short), i05 after 40 s
    check(got[("2026-03", "Q1", "answer_rate")], (4 / 6, 4, 6, 6), "Q1 answer")
    check(got[("2026-03", "Q1", "service_level")], (0.75, 3, 4, 4), "Q1 SL")
    check(got[("2026-03", "Q1", "asa")], (16.25, 65, 4, 4), "Q1 ASA")
    check(got[("2026-03", "Q1", "abandon_rate")], (0.2, 1, 5, 5), "Q1 abandon")
    check(got[("2026-03", "Q1", "fcr_repeat")], (2 / 3, 2, 3, 3), "Q1 FCR")
    # Q2: i06, i07 answered; i11 closed; i14 abandoned after 60 s
    check(got[("2026-03", "Q2", "answer_rate")], (0.5, 2, 4, 4), "Q2 answer")
    check(got[("2026-03", "Q2", "abandon_rate")], (0.25, 1, 4, 4), "Q2 abandon")


def test_by_center():
    got = rows(compute_kpis(data.memtables(), periods=MARCH, by="center"))
    assert {k[1] for k in got} == {"all"}
    check(got[("2026-03", "all", "answer_rate")], (7 / 12, 7, 12, 12), "answer")
    # 150 + 240 + 60 + 420 + 120 + 80 + 100 over 7 handled
    check(got[("2026-03", "all", "aht")], (1170 / 7, 1170, 7, 7), "aht")
    check(got[("2026-03", "all", "service_level")], (4 / 6, 4, 6, 6), "SL")
    # 10 inbound, i04 short: 9; abandoned after 5 s: i05, i14
    check(got[("2026-03", "all", "abandon_rate")], (2 / 9, 2, 9, 9), "abandon")
    check(got[("2026-03", "all", "fcr_repeat")], (0.6, 3, 5, 5), "FCR")
    check(got[("2026-03", "all", "transfer_rate")], (1 / 7, 1, 7, 7), "transfer")
    check(got[("2026-03", "all", "sales_revenue")], (300.0, 300, N, 2), "revenue")
    check(got[("2026-03", "all", "complaints_per_1000")], (3000 / 7, 3, 7, 7), "per 1000")


@pytest.mark.parametrize(
    ("options", "queue", "expected"),
    [
        (KpiOptions(answer_rate_variant="exclude_closed"), "Q2", (2 / 3, 2, 3, 3)),
        (KpiOptions(answer_rate_variant="wazo"), "Q2", (2 / 3, 2, 3, 3)),
        (KpiOptions(answer_rate_variant="wazo"), "Q1", (4 / 6, 4, 6, 6)),
    ],
)
def test_answer_rate_variants(options, queue, expected):
    got = rows(
        compute_kpis(
            data.memtables(), periods=MARCH, by="queue", kpis=["answer_rate"], options=options
        )
    )
    check(got[("2026-03", queue, "answer_rate")], expected, str(options.answer_rate_variant))


def test_other_variants():
    opts = KpiOptions(
        aht_variant="talk_acw",
        csat_variant="top_box",
        pause_reasons=("lunch",),
        fcr_window_days=2,
        short_abandon_s=2,
    )
    got = rows(compute_kpis(data.memtables(), periods=MARCH, by="agent", options=opts))
    check(got[("2026-03", "A1", "aht")], (430 / 3, 430, 3, 3), "talk+acw")  # 450 − 20 hold
    check(got[("2026-03", "A1", "csat")], (1 / 3, 1, 3, 3), "top box")
    check(got[("2026-03", "A1", "pause_time")], (1800.0, 1800, N, 1), "lunch only")
    # pauses of every reason still reduce available time
    check(got[("2026-03", "A1", "occupancy")], (450 / 33300, 450, 33300, 3), "occupancy")
    # C1's repeat comes after 3 days: outside a 2-day window; C5's after 3 days as well
    check(got[("2026-03", "A1", "fcr_repeat")], (1.0, 3, 3, 3), "fcr 2 days")
    check(got[("2026-03", "A2", "fcr_repeat")], (1.0, 2, 2, 2), "fcr 2 days")
    center = rows(compute_kpis(data.memtables(), periods=MARCH, by="center", options=opts))
    # no abandon is shorter than 2 s any more: i04, i05, i14 over 10 inbound
    check(center[("2026-03", "all", "abandon_rate")], (0.3, 3, 10, 10), "short 2 s")


def test_kpi_subset_and_errors():
    got = compute_kpis(data.memtables(), periods=MARCH, by="agent", kpis=["aht", "csat"])
    assert set(got.column("kpi").to_pylist()) == {"aht", "csat"}
    with pytest.raises(ValueError, match="Unknown KPI"):
        compute_kpis(data.memtables(), periods=MARCH, kpis=["nope"])
    with pytest.raises(ValueError, match="by="):
        compute_kpis(data.memtables(), periods=MARCH, by="floor")
    with pytest.raises(ValueError, match="service_level_variant"):
        KpiOptions(service_level_variant="weird")  # type: ignore[arg-type]


def test_no_periods_or_no_rows_give_empty_output():
    assert compute_kpis(data.memtables(), periods=[], by="agent").num_rows == 0
    empty = parse_period("2025-01", tz=data.TZ)
    out = compute_kpis(data.memtables(), periods=empty, by="agent")
    assert out.num_rows == 0 and out.schema == OUTPUT


def test_missing_tables_add_nothing():
    only = {"interactions": data.memtables()["interactions"]}
    got = rows(compute_kpis(only, periods=MARCH, by="agent", kpis=["aht", "csat", "occupancy"]))
    check(got[("2026-03", "A1", "aht")], A1["aht"], "aht")
    check(got[("2026-03", "A1", "csat")], (None, 0, 0, 0), "csat without surveys")
    check(got[("2026-03", "A1", "occupancy")], (None, 450, 0, 3), "occupancy without states")


def test_open_tables_reads_the_warehouse(tmp_path):
    import ibis

    from callgrade.engine.kpis import open_tables
    from callgrade.engine.schemas import TABLES
    from callgrade.engine.warehouse import Warehouse

    wh = Warehouse(tmp_path)
    arrow = data.arrow_tables()
    arrow.pop("competency_assessments")
    wh.commit(arrow)
    tables = open_tables(ibis.duckdb.connect(), wh)
    assert set(tables) == set(TABLES)
    for name, spec in TABLES.items():
        assert tables[name].columns == tuple(spec.schema.names)  # no month=… column
    assert tables["competency_assessments"].count().to_pyarrow().as_py() == 0
    assert tables["interactions"].count().to_pyarrow().as_py() == 14
    from_files = compute_kpis(tables, periods=MARCH, by="team")
    assert from_files.equals(compute_kpis(data.memtables(), periods=MARCH, by="team"))


@pytest.mark.parametrize("ids", [("i20", "i21"), ("i21", "i20")])
def test_fcr_simultaneous_contacts_are_repeats_of_each_other(ids):
    """Customer CT calls twice at the same second (A1 and A2 answer): neither contact resolved
    the matter, whichever id or input row comes first."""
    base = data.arrow_tables()
    ix = base["interactions"]
    at = dt.datetime(2026, 3, 8, 1, 0, tzinfo=dt.UTC)
    extra = pa.table(
        {c: pa.nulls(2, ix.schema.field(c).type) for c in ix.column_names}
        | {
            "interaction_id": pa.array(list(ids)),
            "channel": pa.array(["voice", "voice"]),
            "direction": pa.array(["inbound", "inbound"]),
            "queue": pa.array(["Q1", "Q1"]),
            "agent_id": pa.array(["A1", "A2"]),
            "customer_id": pa.array(["CT", "CT"]),
            "offered_at": pa.array([at, at], ix.schema.field("offered_at").type),
            "outcome": pa.array(["answered", "answered"]),
            "answered": pa.array([True, True]),
            "transferred": pa.array([False, False]),
            "source": pa.array(["test:ties", "test:ties"]),
            "source_ref": pa.array(["ties:1", "ties:2"]),
        },
        schema=ix.schema,
    )
    tables = {k: ibis.memtable(v) for k, v in base.items()}
    tables["interactions"] = ibis.memtable(pa.concat_tables([extra, ix]))
    got = rows(compute_kpis(tables, periods=MARCH, by="agent", kpis=["fcr_repeat"]))
    # A1: i01 (C1 again 3 days later) and i20 not resolved, i02 and i03 resolved
    check(got[("2026-03", "A1", "fcr_repeat")], (0.5, 2, 4, 4), "A1 with a tie")
    # A2: i06 and i07 as before (i07's C5 calls again after 3 days), i21 not resolved
    check(got[("2026-03", "A2", "fcr_repeat")], (1 / 3, 1, 3, 3), "A2 with a tie")
