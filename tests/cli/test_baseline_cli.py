"""``callgrade baseline``: the current-state report from the warehouse, its findings in the
terminal and the whole report in a workbook; wrong options fail with one plain line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.xdist_group("cli-demo")
def test_baseline_report_from_the_demo_warehouse(cli_demo: Any, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    empty = run("baseline", "--period", "2026-01", "--data-dir", "d", cwd=tmp_path / "empty")
    assert empty.returncode == 1 and "the warehouse is empty" in empty.stderr
    cli_demo.copy_to(tmp_path)
    args = ("baseline", "--period", "2026-01-01..2026-02-28", "--tz", "Asia/Shanghai",
            "--data-dir", "d")  # fmt: skip
    out = run(*args, "--lang", "en", "--out", "state.xlsx", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    m = re.search(r"2026-01-01\.\.2026-02-28: (\d+) staff", out.stdout)
    assert m, out.stdout
    findings = [line for line in out.stdout.splitlines() if line.startswith("- ")]
    wb = load_workbook(tmp_path / "state.xlsx")
    assert len(findings) == wb["Findings"].max_row - 1 >= 1
    assert wb.sheetnames == ["Findings", "Staffing", "Indicators", "Coverage"]
    staffing = wb["Staffing"]
    by_position = [
        staffing.cell(row=r, column=3).value
        for r in range(2, staffing.max_row + 1)
        if staffing.cell(row=r, column=1).value == "Position"
    ]
    assert sum(by_position) == int(m.group(1)) > 0
    zh = run(*args, cwd=tmp_path)  # Chinese by default
    assert zh.returncode == 0, zh.stderr
    zh_findings = [line for line in zh.stdout.splitlines() if line.startswith("- ")]
    assert len(zh_findings) == len(findings)
    assert all(re.search(r"[\u4e00-\u9fff]", line) for line in zh_findings)

    for bad, words in (
        (("--period", "March"), "--period 'March'"),
        (("--period", "2020-01-01..2026-12-31"), "at most 24"),
        (("--period", "2026-01", "--out", "x.csv"), "ending in .xlsx"),
        (("--period", "2026-01", "--lang", "fr"), "--lang 'fr'"),
    ):
        r = run("baseline", *bad, "--data-dir", "d", cwd=tmp_path)
        assert r.returncode == 1 and words in r.stderr, (bad, r.stderr)
        assert "Traceback" not in r.stderr
