"""The command line: counts printed and reconciled, failures as one plain line with exit 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

QUEUE_LOG = """\
1767225600|NONE|NONE|NONE|QUEUESTART|
1767225601|c1|support|NONE|ENTERQUEUE||13800000001|1
1767225611|c1|support|E0001|CONNECT|10|c1-agent|2
1767225711|c1|support|E0001|COMPLETECALLER|10|100|1
1767225720|c2|support|NONE|ENTERQUEUE||13800000002|1
this line is not a queue_log line
1767225750|c2|support|NONE|ABANDON|1|1|30
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_file_fails_with_one_line(tmp_path):
    r = run("ingest", "queue_log", "nope.log", "--data-dir", "d", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == ["callgrade: nope.log: no such file"]
    assert "Traceback" not in r.stderr


def test_unknown_format_fails_with_one_line(tmp_path):
    (tmp_path / "f").write_text("x")
    r = run("ingest", "nosuch", "f", cwd=tmp_path)
    assert r.returncode == 1
    assert "unknown format 'nosuch'" in r.stderr
    assert "Traceback" not in r.stderr


def test_ingest_prints_reconciled_counts_then_kpis(tmp_path):
    (tmp_path / "queue_log").write_text(QUEUE_LOG)
    r = run("ingest", "queue_log", "queue_log", "--data-dir", "d", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "read 7 = accepted 6 + rejected 1" in r.stdout
    assert (tmp_path / "d" / "rejects").is_dir()
    again = run("ingest", "queue_log", "queue_log", "--data-dir", "d", cwd=tmp_path)
    assert "interactions: 0 new" in again.stdout

    r = run(
        "kpis",
        "--data-dir",
        "d",
        "--period",
        "2026-01",
        "--by",
        "queue",
        "--kpi",
        "answer_rate",
        "--output",
        "json",
        "--out",
        "k.json",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path / "k.json").read_text())
    (ar,) = [x for x in rows if x["kpi"] == "answer_rate"]
    assert (ar["entity_id"], ar["numerator"], ar["denominator"]) == ("support", 1, 2)
    assert ar["value"] == pytest.approx(0.5)


def test_bad_period_fails_with_one_line(tmp_path):
    (tmp_path / "queue_log").write_text(QUEUE_LOG)
    run("ingest", "queue_log", "queue_log", "--data-dir", "d", cwd=tmp_path)
    r = run("kpis", "--data-dir", "d", "--period", "March", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("callgrade: --period 'March'")
    assert "Traceback" not in r.stderr


def test_horizon_keeps_an_open_login_counting_until_then(tmp_path):
    # E0002 logs in at 2026-01-01 00:00:10 UTC and never out; the file ends at 00:01:30.
    (tmp_path / "queue_log").write_text(
        "1767225610|NONE|support|E0002|ADDMEMBER|\n1767225690|NONE|NONE|NONE|QUEUESTART|\n"
    )
    r = run(
        "ingest", "queue_log", "queue_log", "--horizon", "2026-01-01T09:00",
        "--tz", "Asia/Shanghai", "--data-dir", "d", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    from callgrade.engine.warehouse import Warehouse

    (row,) = Warehouse(tmp_path / "d").read("agent_states").to_pylist()
    # 09:00 in Shanghai is 01:00 UTC: logged in 00:00:10 → 01:00, still open there.
    assert (str(row["end"]), row["open_ended"]) == ("2026-01-01 01:00:00+00:00", True)
    early = run(
        "ingest", "queue_log", "queue_log", "--horizon", "2025-12-31T23:00", "--data-dir", "e",
        cwd=tmp_path,
    )  # fmt: skip
    assert early.returncode == 1
    assert early.stderr.strip().startswith(
        "callgrade: queue_log: horizon 2025-12-31T23:00:00 UTC is"
    )
    assert "Traceback" not in early.stderr


def test_connector_option_is_passed_and_unknown_one_refused(tmp_path):
    (tmp_path / "Master.csv").write_text(
        '"","E0001","13900000001","from-internal","","PJSIP/E0001-00000001",'
        '"PJSIP/trunk-00000002","Dial","PJSIP/13900000001@trunk","2026-01-05 09:00:00",'
        '"2026-01-05 09:00:10","2026-01-05 09:02:10",130,120,"ANSWERED","DOCUMENTATION"\n'
    )
    ok = run(
        "ingest",
        "cdr",
        "Master.csv",
        "--option",
        "direction=outbound",
        "--data-dir",
        "d",
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert "read 1 = accepted 1 + rejected 0" in ok.stdout
    bad = run(
        "ingest", "cdr", "Master.csv", "--option", "colour=red", "--data-dir", "d", cwd=tmp_path
    )
    assert bad.returncode == 1
    assert "colour" in bad.stderr and "Traceback" not in bad.stderr


def test_policy_check_lists_errors_with_lines_and_fails(tmp_path):
    (tmp_path / "p.yaml").write_text("code: x\nversion: 1\nfoo: 2\n")
    r = run("policy", "check", "p.yaml", cwd=tmp_path)
    assert r.returncode == 1
    assert "p.yaml: line 3, column 1: unknown key 'foo'" in r.stdout


def test_policy_check_accepts_shipped_examples():
    examples = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples"
    for path in sorted(examples.glob("*.yaml")):
        r = run("policy", "check", str(path), cwd=examples)
        assert r.returncode == 0, r.stdout
        assert "The policy is valid." in r.stdout


@pytest.mark.xdist_group("cli-demo")
def test_demo_runs_end_to_end_and_is_idempotent(cli_demo, tmp_path):
    first = cli_demo.first_run
    line = next(x for x in first.stdout.splitlines() if x.startswith("read "))
    read, accepted, rejected = (int(w.replace(",", "")) for w in line.split()[1::3])
    assert read == accepted + rejected and read > 1000 and rejected == 0
    assert "KPIs by center" in first.stdout and "answer_rate" in first.stdout
    assert "proposed ladder actions" in first.stdout and "pay by month" in first.stdout
    # The web app is seeded with a published cycle and one login per role.
    assert "web app seeded: cycle 'demo 2026-02' is published" in first.stdout
    for role in ("agent", "team lead", "HR", "administrator"):
        assert f"│ {role} " in first.stdout
    assert (cli_demo.data_dir / "callgrade.sqlite3").is_file()
    cli_demo.copy_to(tmp_path)
    second = run("demo", "--data-dir", "d", *cli_demo.args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert line in second.stdout  # same files, same counts; the warehouse adds nothing
    other = run("demo", "--data-dir", "d", "--agents", "13", "--months", "1", cwd=tmp_path)
    assert other.returncode == 1 and "another demo" in other.stderr


@pytest.mark.xdist_group("cli-demo")
def test_score_grade_pay_and_simulate_on_a_demo(cli_demo, tmp_path):
    cli_demo.copy_to(tmp_path)

    score = run(
        "score",
        "--policy",
        "four_positions",
        "--period",
        "2026-02",
        "--data-dir",
        "d",
        "--what",
        "items",
        "--output",
        "json",
        "--out",
        "items.json",
        cwd=tmp_path,
    )
    assert score.returncode == 0, score.stderr
    items = json.loads((tmp_path / "items.json").read_text())
    assert items and all(i["explanation"] for i in items)

    grade = run(
        "grade",
        "--policy",
        "four_positions",
        "--period",
        "2026-01-01..2026-02-28",
        "--data-dir",
        "d",
        "--output",
        "csv",
        "--out",
        "g.csv",
        cwd=tmp_path,
    )
    assert grade.returncode == 0, grade.stderr
    header = (tmp_path / "g.csv").read_text().splitlines()[0]
    assert "action" in header and "level_to" in header

    pay = run(
        "pay",
        "--policy",
        "four_positions",
        "--period",
        "2026-02",
        "--data-dir",
        "d",
        "--output",
        "xlsx",
        "--out",
        "pay.xlsx",
        cwd=tmp_path,
    )
    assert pay.returncode == 0, pay.stderr
    assert (tmp_path / "pay.xlsx").stat().st_size > 0

    sim = run(
        "policy",
        "simulate",
        "--draft",
        "customer_specialist_4_levels",
        "--current",
        "four_positions",
        "--period",
        "2026-02",
        "--data-dir",
        "d",
        cwd=tmp_path,
    )
    assert sim.returncode == 0, sim.stderr
    assert "simulation distribution" in sim.stdout

    suggest = run(
        "policy",
        "suggest",
        "four_positions",
        "--period",
        "2026-01-01..2026-02-28",
        "--percentile",
        "20",
        "--data-dir",
        "d",
        "--output",
        "json",
        "--out",
        "suggest.json",
        cwd=tmp_path,
    )
    assert suggest.returncode == 0, suggest.stderr
    rows = {r["field"]: r for r in json.loads((tmp_path / "suggest.json").read_text())}
    assert rows["band.S"]["current"] == 90 and rows["band.S"]["percentile"] == 80
    assert any(f.startswith("floor.") and r["suggested"] is not None for f, r in rows.items())
    shown = run(
        "policy", "suggest", "four_positions", "--period", "2026-01-01..2026-02-28",
        "--data-dir", "d", cwd=tmp_path,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "thresholds from data" in shown.stdout and "employees" in shown.stdout
    wrong = run("policy", "suggest", "four_positions", "--period", "2026-02", "--percentile",
                "70", "--data-dir", "d", cwd=tmp_path)  # fmt: skip
    assert wrong.returncode == 1 and "--percentile 70" in wrong.stderr

    bad = run("score", "--policy", "nosuch", "--period", "2026-02", "--data-dir", "d", cwd=tmp_path)
    assert bad.returncode == 1 and "no such file or shipped example" in bad.stderr
