"""The current-state report against figures computed by hand on a small center: seven staff in
two positions and three teams, one KPI over a two-month period."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from callgrade.engine.analysis.baseline import Staff, baseline_report, tenure_band
from callgrade.engine.analysis.baseline_words import finding_text, report_sheets
from callgrade.engine.kpis import REGISTRY

AS_OF = dt.date(2026, 2, 28)
STAFF = [
    Staff("a1", "cs", "T1", dt.date(2020, 1, 1)),  # 3 years or more
    Staff("a2", "cs", "T1", dt.date(2025, 12, 15)),  # 2 months: under 3
    Staff("a3", "cs", "T1", dt.date(2026, 1, 10)),  # 1 month: under 3
    Staff("a4", "cs", "T2", dt.date(2024, 6, 1)),  # 20 months
    Staff("a5", "cs", "T2", dt.date(2024, 6, 1)),
    Staff("a6", "cs", "T2", dt.date(2024, 6, 1)),
    Staff("b1", "ts", "T3", None),
]


def _kpis() -> pa.Table:
    rows = []
    whole = {"a1": 100, "a2": 110, "a3": 120, "a4": 200, "a5": 210, "a6": 220, "b1": 50}
    for agent, v in whole.items():
        rows.append(("P", agent, "aht", float(v), 10))
    # the whole period of x9 has no sample and x8 no value: neither counts; z1 is not staff
    rows += [("P", "x9", "aht", 1.0, 0), ("P", "x8", "aht", None, 5), ("P", "z1", "aht", 9.0, 3)]
    for i, agent in enumerate(["a1", "a2", "a3", "a4", "a5", "a6"]):
        rows.append(("M1", agent, "aht", float(i + 1), 5))  # 1 … 6
        rows.append(("M2", agent, "aht", float(6 - i), 5))  # 6 … 1: the order reversed
    return pa.table(
        {
            "period": [r[0] for r in rows],
            "entity_id": [r[1] for r in rows],
            "kpi": [r[2] for r in rows],
            "value": pa.array([r[3] for r in rows], pa.float64()),
            "sample_size": pa.array([r[4] for r in rows], pa.int64()),
            "unit": ["seconds"] * len(rows),
        }
    )


ACTIVITY = {
    "interactions": {"M1": {"a1", "a2", "a3", "a4", "a5", "a6", "b1"}, "M2": {"a1", "b1"}},
    "surveys": {"M1": {"a1", "a2"}, "M2": set()},
    "qa_evaluations": {"M1": set(), "M2": set()},
    "sales": {"M1": {"b1"}, "M2": set()},
}


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return baseline_report(STAFF, _kpis(), ACTIVITY, period="P", months=["M1", "M2"], as_of=AS_OF)


def test_tenure_bands_by_hand() -> None:
    assert tenure_band(dt.date(2025, 12, 15), AS_OF) == "lt3m"  # 2 months
    assert tenure_band(dt.date(2025, 11, 28), AS_OF) == "3to12m"  # 3 months to the day
    assert tenure_band(dt.date(2025, 11, 29), AS_OF) == "lt3m"  # a day short of 3 months
    assert tenure_band(dt.date(2024, 2, 28), AS_OF) == "1to3y"
    assert tenure_band(dt.date(2023, 2, 28), AS_OF) == "3yplus"
    assert tenure_band(None, AS_OF) == "unknown"


def test_staffing_by_position_team_and_tenure(report) -> None:  # type: ignore[no-untyped-def]
    counts = {(r.dimension, r.group): r.n for r in report.staffing}
    assert report.headcount == 7
    assert counts[("position", "cs")] == 6 and counts[("position", "ts")] == 1
    assert counts[("team", "T1")] == counts[("team", "T2")] == 3
    assert counts[("tenure", "lt3m")] == 2 and counts[("tenure", "3yplus")] == 1
    assert counts[("tenure", "1to3y")] == 3 and counts[("tenure", "unknown")] == 1
    share = next(r.share for r in report.staffing if r.group == "lt3m")
    assert share == pytest.approx(2 / 7)


def test_kpi_distribution_per_position_by_hand(report) -> None:  # type: ignore[no-untyped-def]
    cs = next(k for k in report.kpis if k.position == "cs")
    # sorted 100 110 120 200 210 220: the p-th percentile at rank p/100 × 5
    assert cs.n == 6
    assert cs.percentiles == pytest.approx(
        {"p10": 105.0, "p25": 112.5, "p50": 160.0, "p75": 207.5, "p90": 215.0}
    )
    assert cs.mean == pytest.approx(160.0)
    assert cs.team_medians == {"T1": 110.0, "T2": 210.0}
    assert cs.team_spread == pytest.approx(100.0)
    # M1 1…6 against M2 6…1: perfectly reversed
    assert cs.stability == pytest.approx(-1.0) and cs.month_pairs == 1
    assert cs.monthly_medians == {"M1": 3.5, "M2": 3.5}
    ts = next(k for k in report.kpis if k.position == "ts")
    assert ts.n == 1 and ts.team_medians == {} and ts.team_spread is None
    assert ts.stability is None


def test_coverage_and_gaps(report) -> None:  # type: ignore[no-untyped-def]
    cov = {c.source: c for c in report.coverage}
    assert cov["surveys"].without == 5 and cov["surveys"].without_ids == [
        "a3", "a4", "a5", "a6", "b1"
    ]  # fmt: skip
    assert cov["surveys"].months_missing == ["M2"]
    assert cov["qa_evaluations"].without == 7
    assert cov["interactions"].without == 0 and cov["interactions"].months_missing == []


def test_findings(report) -> None:  # type: ignore[no-untyped-def]
    found = {(f.code, f.params.get("source") or f.params.get("position")) for f in report.findings}
    assert found == {
        ("source_empty", "qa_evaluations"),  # nothing loaded at all
        ("months_missing", "surveys"),
        ("staff_without", "surveys"),
        ("months_missing", "sales"),  # sales may be absent for people, but a month is a gap
        ("thin", "ts"),
        ("unstable", "cs"),
        ("teams_apart", "cs"),  # 100 between team medians > half of p90 − p10 = 110
        ("many_new", None),  # 2 of 7 under three months
    }
    apart = next(f for f in report.findings if f.code == "teams_apart")
    assert apart.params["low_team"] == "T1" and apart.params["high_team"] == "T2"
    without = next(f for f in report.findings if f.code == "staff_without")
    assert finding_text(without, "en") == "5 of 7 staff have no customer surveys in the period."
    assert finding_text(without, "zh") == "7 名员工中有 5 名本期没有客户满意度调查。"
    new = next(f for f in report.findings if f.code == "many_new")
    assert "29%" in finding_text(new, "en")


def test_nothing_stands_out_is_said() -> None:
    calm = [Staff(f"a{i}", "cs", "T1", dt.date(2020, 1, 1)) for i in range(5)]
    kpis = _kpis().slice(0, 0)
    activity = {"interactions": {"M1": {s.employee_id for s in calm}}}
    r = baseline_report(calm, kpis, activity, period="P", months=["M1"], as_of=AS_OF)
    assert [f.code for f in r.findings] == ["nothing_stands_out"]


def test_the_workbook_sheets_follow_the_report(report) -> None:  # type: ignore[no-untyped-def]
    sheets = report_sheets(report.to_dict(), "en")
    assert [s[0] for s in sheets] == ["Findings", "Staffing", "Indicators", "Coverage"]
    _title, header, rows = sheets[2]
    assert header[:4] == ["Position", "Indicator", "People", "Mean"]
    assert header[-2:] == ["Median M1", "Median M2"]
    cs = next(r for r in rows if r[0] == "cs")
    assert cs[1] == REGISTRY["aht"].label_en  # the registry's name
    assert cs[2] == 6 and cs[6] == pytest.approx(160.0)
