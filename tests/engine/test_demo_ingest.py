"""End to end: every demo file goes through its real connector into a warehouse, rejecting
nothing, and the warehouse holds exactly the contacts and records the files describe."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from callgrade.engine.demo import DemoConfig, DemoFile, generate
from callgrade.engine.ingest import ingest_files
from callgrade.engine.warehouse import Warehouse

TINY = DemoConfig(agents=12, months=1, seed=11)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[DemoFile], Warehouse, list]:
    out = tmp_path_factory.mktemp("demo")
    files = generate(out, TINY)
    wh = Warehouse(tmp_path_factory.mktemp("data"))
    reports = []
    for f in files:
        opts = {"mapping": f.mapping} if f.mapping else {"tz": TINY.tz}
        reports.append(ingest_files(wh, f.format, [f.path], **opts))
    return files, wh, reports


def test_nothing_is_rejected(loaded):
    files, _, reports = loaded
    for f, r in zip(files, reports, strict=True):
        assert r.read > 0 and r.rejected == 0 and r.accepted == r.read, f.path.name


def test_warehouse_holds_every_contact_once(loaded):
    files, wh, _ = loaded
    callids: set[str] = set()
    contacts: set[str] = set()
    dials = 0
    for f in files:
        text = f.path.read_text("utf-8") if f.format != "mapped" else ""
        if f.format == "queue_log":
            callids |= {ln.split("|")[1] for ln in text.splitlines()} - {"NONE"}
        elif f.format == "queue_log_db":
            callids |= {r["callid"] for r in csv.DictReader(io.StringIO(text))} - {"NONE"}
        elif f.format == "connect":
            recs = json.loads(text) if text.startswith("[") else map(json.loads, text.splitlines())
            contacts |= {r["ContactId"] for r in recs}
        elif f.format == "cdr":
            dials += len(text.splitlines())
    assert wh.count("interactions") == len(callids) + len(contacts) + dials
    assert wh.count("roster") == TINY.agents
    inter = wh.read("interactions")
    agents = set(inter.column("agent_id").drop_null().to_pylist())
    assert agents <= set(wh.read("roster").column("employee_id").to_pylist())


def test_mapped_tables_have_one_row_per_line(loaded):
    files, wh, _ = loaded
    table_of = {
        "surveys.csv": "surveys",
        "sales.csv": "sales",
        "attendance.csv": "attendance",
        "competency.csv": "competency_assessments",
        "trainings.csv": "trainings",
    }
    for f in files:
        if f.path.name in table_of:
            lines = len(f.path.read_text("utf-8").splitlines()) - 1
            assert wh.count(table_of[f.path.name]) == lines, f.path.name
    (complaints,) = (f.path for f in files if f.path.name == "complaints.csv")
    lines = len(complaints.read_bytes().decode("gb18030").splitlines()) - 1
    assert wh.count("complaints") == lines > 0
    (qa,) = (f.path for f in files if f.path.name == "qa_evaluations.xlsx")
    sheet = load_workbook(qa, read_only=True)["质检记录"]
    assert wh.count("qa_evaluations") == sum(1 for _ in sheet.iter_rows(min_row=2)) > 0


def test_times_land_in_utc(loaded):
    _, wh, _ = loaded
    att = wh.read("attendance").to_pylist()
    # Local midnight in Shanghai is 16:00 UTC the day before.
    assert {(r["day"].hour, r["day"].minute) for r in att} == {(16, 0)}
    roster = wh.read("roster").to_pylist()
    assert all(r["hire_date"].hour == 16 for r in roster if r["hire_date"])
    trainings = wh.read("trainings").to_pylist()
    assert {(r["completed_at"].hour, r["completed_at"].minute) for r in trainings} == {(16, 0)}
    assert all(r["expires_at"].hour == 16 for r in trainings if r["expires_at"])


def test_training_and_competency_facts_arrive_canonical(loaded):
    _, wh, _ = loaded
    trainings = wh.read("trainings").to_pylist()
    assert {r["training"] for r in trainings} <= {"service_basics", "product_certification"}
    assert any(r["training"] == "service_basics" for r in trainings)
    for r in trainings:
        if r["training"] == "service_basics":
            assert r["passed"] is None and r["exam_score"] is None and r["certificate"] is None
        else:
            assert r["passed"] is not None and r["exam_score"] is not None
            assert (r["certificate"] is not None) == (r["expires_at"] is not None) == r["passed"]
    employees = set(wh.read("roster").column("employee_id").to_pylist())
    assert {r["employee_id"] for r in trainings} <= employees
    comp = wh.read("competency_assessments").to_pylist()
    assert {(r["competency"], r["method"]) for r in comp} == {
        ("business_knowledge", "exam"),
        ("problem_solving", "exam"),
        ("communication", "observation"),
        ("teamwork", "observation"),
    }
    assert all(r["assessor"] for r in comp)
