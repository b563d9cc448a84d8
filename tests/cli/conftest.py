"""One demo center for the command-line tests that read one.

``callgrade demo`` (generate, ingest, grade, seed the web app) is the slowest command there is;
the tests that only read its warehouse share one run of it, made once per test session by the
worker that runs them (they carry ``xdist_group("cli-demo")``), each on its own copy so none can
change what another reads.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_ARGS = ("--agents", "16", "--months", "2")


@dataclass(frozen=True)
class CliDemo:
    data_dir: Path
    first_run: subprocess.CompletedProcess[str]
    args: tuple[str, ...] = DEMO_ARGS

    def copy_to(self, where: Path) -> Path:
        """A private copy of the demo's data directory at ``where / "d"``."""
        target = where / "d"
        shutil.copytree(self.data_dir, target)
        return target


@pytest.fixture(scope="session")
def cli_demo(tmp_path_factory: pytest.TempPathFactory) -> CliDemo:
    root = tmp_path_factory.mktemp("cli-demo")
    first = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", "demo", "--data-dir", "d", *DEMO_ARGS],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert first.returncode == 0, first.stderr
    return CliDemo(root / "d", first)
