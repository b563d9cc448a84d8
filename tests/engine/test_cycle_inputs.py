"""The cycle's inputs: levels read as of a day from the level history, probation's start level,
trainings that count, competency assessments as each competency is assessed, and corrections of
KPI source records, each carried through a whole cycle."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from callgrade.engine.cycle import run_cycle
from callgrade.engine.demo import DemoConfig, generate, ingest_demo
from callgrade.engine.kpis import compute_kpis, open_tables
from callgrade.engine.kpis.corrections import CorrectionError, typed_value
from callgrade.engine.people import (
    CycleInputs,
    assessments_counted,
    level_on,
    roster_on,
    trainings_held,
)
from callgrade.engine.periods import parse_period
from callgrade.engine.policy import load_policy
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import Warehouse

EXAMPLES = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples"
TZ = "Asia/Shanghai"
UTC = dt.UTC


def ts(y: int, m: int, d: int) -> dt.datetime:
    """Local midnight in Shanghai as the UTC instant the canonical tables store."""
    return dt.datetime(y, m, d, tzinfo=UTC) - dt.timedelta(hours=8)


def table(name: str, rows: list[dict]) -> pa.Table:
    base = {"source": "test", "source_ref": "test"}
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=TABLES[name].schema)


def history(*rows: tuple[str, str, dt.datetime, str | None]) -> pa.Table:
    return table(
        "level_history",
        [
            {"change_id": str(i), "employee_id": e, "level": lv, "effective": at, "level_from": f}
            for i, (e, lv, at, f) in enumerate(rows)
        ],
    )


def test_level_on_takes_the_latest_entry_in_effect_and_the_level_before_a_future_one() -> None:
    h = history(
        ("E1", "junior", ts(2025, 1, 1), None),
        ("E1", "intermediate", ts(2026, 4, 1), "junior"),
        ("E2", "senior", ts(2026, 7, 1), "intermediate"),
        ("E3", "expert", ts(2026, 7, 1), None),
    )
    on = level_on(h, dt.date(2026, 3, 31), TZ).set_index("employee_id")
    assert on.loc["E1", "level"] == "junior"
    assert on.loc["E1", "since"] == dt.datetime(2025, 1, 1)
    assert on.loc["E2", "level"] == "intermediate"  # promoted later: held the level before
    assert "E3" not in on.index  # nothing known before its first entry
    later = level_on(h, dt.date(2026, 4, 1), TZ).set_index("employee_id")
    assert later.loc["E1", "level"] == "intermediate"
    assert later.loc["E1", "since"] == dt.datetime(2026, 4, 1)


def _roster(*rows: tuple[str, str, dt.datetime]) -> pa.Table:
    return table(
        "roster",
        [
            {"employee_id": e, "position": "customer_service", "level": lv, "hire_date": h}
            for e, lv, h in rows
        ],
    )


def test_roster_on_reads_levels_from_the_history_and_probation_from_the_standard() -> None:
    policy = load_policy(EXAMPLES / "customer_specialist_4_levels.yaml")  # probation: 3 months
    roster = _roster(
        ("E1", "senior", ts(2020, 1, 1)),
        ("E2", "intermediate", ts(2026, 5, 15)),  # hired in May: on probation until mid-August
        ("E3", "expert", ts(2019, 1, 1)),
    )
    h = history(("E1", "senior", ts(2026, 7, 1), "intermediate"))
    inputs = CycleInputs(facts=Warehouse("/nonexistent"), roster=roster, level_history=h)
    june = roster_on(policy, inputs, dt.date(2026, 6, 30)).column("level").to_pylist()
    assert june == ["intermediate", "junior", "expert"]
    september = roster_on(policy, inputs, dt.date(2026, 9, 30)).column("level").to_pylist()
    assert september == ["senior", "intermediate", "expert"]
    plain = dataclasses.replace(inputs, level_history=TABLES["level_history"].schema.empty_table())
    # nothing differs: the very same table, so scoring's memo is shared
    after_probation = roster_on(policy, plain, dt.date(2026, 9, 30))
    assert after_probation is plain.roster


def test_inputs_refuse_a_table_missing_a_required_column() -> None:
    with pytest.raises(ValueError, match="level_history: required column 'effective'"):
        CycleInputs(
            facts=Warehouse("/nonexistent"),
            roster=_roster(("E1", "junior", ts(2020, 1, 1))),
            level_history=pa.table({"change_id": ["1"], "employee_id": ["E1"], "level": ["x"]}),
        )


def test_trainings_held_leaves_out_failed_attempts_and_lapsed_certificates() -> None:
    t = table(
        "trainings",
        [
            {"training_record_id": "1", "employee_id": "E1", "training": "a",
             "completed_at": ts(2026, 1, 5)},
            {"training_record_id": "2", "employee_id": "E2", "training": "a",
             "completed_at": ts(2026, 1, 5), "passed": False, "exam_score": 41.0},
            {"training_record_id": "3", "employee_id": "E3", "training": "a",
             "completed_at": ts(2023, 1, 5), "passed": True, "expires_at": ts(2026, 3, 1)},
            {"training_record_id": "4", "employee_id": "E4", "training": "a",
             "completed_at": ts(2025, 1, 5), "passed": True, "expires_at": ts(2026, 7, 1)},
        ],
    )  # fmt: skip
    inputs = CycleInputs(
        facts=Warehouse("/nonexistent"),
        roster=_roster(("E1", "junior", ts(2020, 1, 1))),
        trainings=t,
    )
    held = trainings_held(inputs, dt.date(2026, 6, 30), TZ)
    assert held.column("employee_id").to_pylist() == ["E1", "E4"]


def test_a_competency_assessed_by_exam_and_observation_counts_the_mean_of_both() -> None:
    policy = load_policy(EXAMPLES / "customer_specialist_4_levels.yaml")
    rows = [
        # problem_solving: exam_and_observation
        ("1", "E1", "problem_solving", 80.0, ts(2026, 1, 10), "exam"),
        ("2", "E1", "problem_solving", 90.0, ts(2026, 2, 10), "observation"),
        ("3", "E1", "problem_solving", 70.0, ts(2026, 3, 10), "exam"),
        # business_knowledge: by exam only, an observation does not count
        ("4", "E1", "business_knowledge", 95.0, ts(2026, 1, 10), "observation"),
        ("5", "E1", "business_knowledge", 75.0, ts(2026, 1, 11), "exam"),
        ("6", "E1", "skill_exam", 66.0, ts(2026, 1, 11), None),  # not a competency: as is
    ]
    a = table(
        "competency_assessments",
        [
            {"assessment_id": i, "employee_id": e, "competency": c, "score": s,
             "assessed_at": at, "method": m}
            for i, e, c, s, at, m in rows
        ],
    )  # fmt: skip
    counted = assessments_counted(policy, a).to_pylist()
    got = sorted((r["competency"], r["score"], r["assessed_at"].date()) for r in counted)
    assert got == [
        ("business_knowledge", 75.0, dt.date(2026, 1, 10)),
        ("problem_solving", 80.0, dt.date(2026, 1, 9)),  # only the exam yet
        ("problem_solving", 80.0, dt.date(2026, 3, 9)),  # latest exam 70, observation 90
        ("problem_solving", 85.0, dt.date(2026, 2, 9)),  # exam 80, observation 90
        ("skill_exam", 66.0, dt.date(2026, 1, 10)),
    ]


def test_a_correction_value_is_read_as_the_column_type() -> None:
    assert typed_value("qa_evaluations", "score", "72.5") == 72.5
    assert typed_value("complaints", "valid", "false") is False
    with pytest.raises(CorrectionError, match=r"qa_evaluations\.score expects a double"):
        typed_value("qa_evaluations", "score", "high")
    with pytest.raises(CorrectionError, match="cannot be corrected"):
        typed_value("roster", "level", "x")
    with pytest.raises(CorrectionError, match="no correctable column 'qa_id'"):
        typed_value("qa_evaluations", "qa_id", "1")


# --- through a whole cycle ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    config = DemoConfig(agents=12, months=2, seed=5, calls_per_agent_hour=2.0)
    files = generate(tmp_path_factory.mktemp("demo"), config)
    wh = Warehouse(tmp_path_factory.mktemp("data"))
    ingest_demo(wh, files, config.tz)
    return wh


PERIOD = "2026-01-01..2026-02-28"


def _decision(result, employee: str) -> dict:
    rows = result.decisions.decisions.to_pylist()
    return next(r for r in rows if r["employee_id"] == employee)


def _long_serving_below_senior(inputs: CycleInputs) -> tuple[str, str]:
    """(employee id, level) of someone past probation below senior."""
    roster = inputs.roster.to_pylist()
    return next(
        (r["employee_id"], r["level"])
        for r in roster
        if r["level"] in ("junior", "intermediate")
        and r["status"] != "left"
        and r["hire_date"] < ts(2025, 6, 1)
    )


def test_a_level_in_the_history_is_graded_and_paid_from_its_effective_date(demo) -> None:
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    base = CycleInputs.from_warehouse(demo)
    who, was = _long_serving_below_senior(base)
    moved = dataclasses.replace(base, level_history=history((who, "senior", ts(2026, 2, 1), was)))
    result = run_cycle(moved, policy, period=PERIOD)
    d = _decision(result, who)
    assert d["level_from"] == "senior"
    # tenure at the level counts from 1 February, not from the hire date
    tenure = [
        r for r in result.decisions.criteria.to_pylist()
        if r["employee_id"] == who and "tenure at level" in r["condition"]
    ]  # fmt: skip
    assert tenure and all(r["actual"] == 0 for r in tenure)
    allowance = {
        r["period"]: r["amount"]
        for r in pa.concat_tables([p.lines for p in result.pay]).to_pylist()
        if r["employee_id"] == who and r["kind"] == "allowance"
    }
    # the old level's allowance in January, the senior allowance from February
    assert allowance == {"2026-01": {"junior": 0.0, "intermediate": 200.0}[was], "2026-02": 500.0}


def test_a_correction_reaches_the_kpi_and_the_score(demo) -> None:
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    base = CycleInputs.from_warehouse(demo)
    # the positions whose scorecard has a QA item
    graded = {
        r["employee_id"]
        for r in base.roster.to_pylist()
        if r["position"] in ("front_desk", "technical_support")
    }
    first = next(
        r
        for r in demo.read("qa_evaluations").to_pylist()
        if r["evaluated_at"] < ts(2026, 2, 1) and r["agent_id"] in graded and r["score"] < 100
    )
    who, record = first["agent_id"], first["evaluation_id"]
    month = parse_period("2026-01", tz=TZ)

    def qa_numbers(corrections: pa.Table | None) -> dict:
        tables = open_tables(ibis.duckdb.connect(), demo, corrections)
        k = compute_kpis(tables, periods=month, by="agent", kpis=["qa_score"])
        return next(r for r in k.to_pylist() if r["entity_id"] == who)

    before = qa_numbers(None)
    fix = table(
        "corrections",
        [
            {"correction_id": "c1", "target_table": "qa_evaluations", "record_id": record,
             "field": "score", "value": "100", "reason": "re-evaluated",
             "corrected_at": ts(2026, 3, 1)},
        ],
    )  # fmt: skip
    after = qa_numbers(fix)
    assert after["numerator"] == pytest.approx(before["numerator"] - first["score"] + 100)
    assert after["sample_size"] == before["sample_size"]
    drop = fix.set_column(
        fix.schema.get_field_index("field"), "field", pa.array([None], pa.string())
    )
    dropped = qa_numbers(drop)
    assert dropped["sample_size"] == before["sample_size"] - 1

    plain = run_cycle(base, policy, period=PERIOD, grade_at_end=False)
    fixed = run_cycle(dataclasses.replace(base, corrections=fix), policy, period=PERIOD,
                      grade_at_end=False)  # fmt: skip

    def qa_item(result) -> float:
        items = result.scorecards[0].items
        mask = pc.and_(pc.equal(items["employee_id"], who), pc.equal(items["item"], "qa_score"))
        return items.filter(mask).column("value")[0].as_py()

    assert qa_item(fixed) > qa_item(plain)
