"""`callgrade kpis` over a range of times in 30-minute intervals, from a real queue_log: the
login and the pause are clipped to each interval, the call counts where it arrived."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest


def u(hhmm: str) -> int:
    return int(dt.datetime.fromisoformat(f"2026-01-01T{hhmm}").replace(tzinfo=dt.UTC).timestamp())


QUEUE_LOG = "\n".join(
    [
        f"{u('08:10')}|NONE|support|SIP/201|ADDMEMBER|",  # logged in 08:10 → 09:20
        f"{u('08:25')}|NONE|support|SIP/201|PAUSE|break",  # paused 08:25 → 08:40
        f"{u('08:29:50')}|c1|support|NONE|ENTERQUEUE||13800000001|1",  # arrives before 08:30
        f"{u('08:30:10')}|c1|support|SIP/201|CONNECT|20|c1-agent|2",
        f"{u('08:35:10')}|c1|support|SIP/201|COMPLETECALLER|20|300|1",
        f"{u('08:40')}|NONE|support|SIP/201|UNPAUSE|",
        f"{u('09:20')}|NONE|support|SIP/201|REMOVEMEMBER|",
        "",
    ]
)
PERIOD = ("--period", "2026-01-01T08:00..2026-01-01T09:30", "--grain", "30min")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("intervals")
    (root / "queue_log").write_text(QUEUE_LOG)
    r = run("ingest", "queue_log", "queue_log", "--data-dir", "d", cwd=root)
    assert r.returncode == 0, r.stderr
    return root


def test_interval_report_as_json(warehouse):
    r = run("kpis", "--data-dir", "d", *PERIOD, "--by", "agent", "--output", "json", cwd=warehouse)
    assert r.returncode == 0, r.stderr
    rows = {(x["period"], x["kpi"]): x for x in json.loads(r.stdout)}
    login = [rows[(f"2026-01-01T{t}", "login_time")]["value"] for t in ("08:00", "08:30", "09:00")]
    assert login == [1200.0, 1800.0, 1200.0]  # 08:10–08:30, 08:30–09:00, 09:00–09:20
    pause = [rows[(f"2026-01-01T{t}", "pause_time")]["value"] for t in ("08:00", "08:30", "09:00")]
    assert pause == [300.0, 600.0, 0.0]  # 08:25–08:30, 08:30–08:40
    aht = rows[("2026-01-01T08:00", "aht")]
    assert (aht["value"], aht["sample_size"]) == (300.0, 1)  # talked until 08:35, arrived 08:29:50
    assert rows[("2026-01-01T08:30", "aht")]["sample_size"] == 0
    # occupancy keeps its evidence: 300 s busy over 1200 − 300 s available
    occ = rows[("2026-01-01T08:00", "occupancy")]
    assert (occ["numerator"], occ["denominator"], occ["sample_size"]) == (300.0, 900.0, 1)
    assert {k for _, k in rows} <= {
        "answer_rate", "service_level", "asa", "aht", "acw_time", "occupancy", "login_time",
        "pause_time",
    }  # fmt: skip


def test_interval_report_in_the_terminal(warehouse):
    r = run("kpis", "--data-dir", "d", *PERIOD, "--by", "queue", cwd=warehouse)
    assert r.returncode == 0, r.stderr
    assert "2026-01-01T08:00" in r.stdout and "support" in r.stdout
    assert "abandon_rate" in r.stdout and "login_time" not in r.stdout  # no state time per queue


def test_a_bad_range_fails_with_the_reason(warehouse):
    r = run(
        "kpis", "--data-dir", "d", "--period", "2026-01-01T09:00..2026-01-01T08:00", cwd=warehouse
    )
    assert r.returncode != 0
    assert "ends before it starts" in r.stderr + r.stdout
