"""``callgrade training-effect``: refusals name what is wrong (the figures are tested in
tests/engine/test_training_effect.py on a hand-worked dataset)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callgrade.cli", "training-effect", "--data-dir", "d", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_no_training_records_is_a_clear_failure(tmp_path: Path) -> None:
    r = _run(tmp_path, "--period", "2026-H1")
    assert r.returncode == 1
    assert "holds no training records" in r.stderr


def test_window_below_one_is_refused(tmp_path: Path) -> None:
    r = _run(tmp_path, "--period", "2026-H1", "--window", "0")
    assert r.returncode == 1
    assert "--window 0" in r.stderr
