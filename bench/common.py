"""Shared helpers: run one contender in its own process, measure it, summarise runs.

Each contender runs in a fresh interpreter so that its peak resident memory is its own: the parent
collects the child's ``ru_maxrss`` with ``os.wait4`` (per child, not the cumulative
``RUSAGE_CHILDREN`` maximum, which would mix contenders). The child times only the work itself
(imports and interpreter start-up excluded) and reports it through a small JSON file.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
OUT_DIR = BENCH_DIR / "out"
THREADS = 2  # the benchmark machine has 2 cores; (a) and (b) get exactly the same DuckDB settings


MEMORY_LIMIT = "12GB"


def duckdb_settings(con: Any) -> None:
    """Identical DuckDB settings for every DuckDB-based contender we open ourselves."""
    con.execute(f"SET threads = {THREADS}")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET enable_progress_bar = false")


# When set, children import callgrade from this directory (a ``git archive`` of one commit)
# instead of the working tree, which other engineers may be editing mid-run.
CODE_DIR: Path | None = None


def export_commit(rev: str) -> tuple[Path, str]:
    """Extract ``src/`` of commit ``rev`` under bench/data/ and use it for every child."""
    global CODE_DIR
    sha = subprocess.run(
        ["git", "rev-parse", rev], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()
    target = DATA_DIR / f"src-{sha[:12]}"
    if not (target / "src" / "callgrade").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha, "src"], cwd=REPO, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    CODE_DIR = target / "src"
    return CODE_DIR, sha


def code_version() -> str:
    """Which callgrade code the children run: a commit, or the working tree at HEAD."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    if CODE_DIR is not None:
        return f"commit {CODE_DIR.parent.name.removeprefix('src-')} (git archive)"
    return f"working tree at HEAD {head[:12]} (uncommitted edits included)"


@dataclass
class RunResult:
    contender: str
    seconds: float
    peak_rss_mb: float
    info: dict[str, Any] = field(default_factory=dict)


def run_child(script: Path, args: Sequence[str], *, contender: str) -> RunResult:
    """Run ``python script args… --result <tmp>`` and measure it."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as fh:
        result_path = fh.name
    try:
        cmd = [sys.executable, str(script), *args, "--result", result_path]
        load_before = os.getloadavg()[0]
        env = dict(os.environ)
        if CODE_DIR is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(CODE_DIR), str(BENCH_DIR), env.get("PYTHONPATH", "")]
            ).rstrip(os.pathsep)
        proc = subprocess.Popen(cmd, cwd=REPO, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{contender}: {' '.join(cmd)} exited with {proc.returncode}")
        payload = json.loads(Path(result_path).read_text("utf-8"))
        payload["load1_before"] = load_before
    finally:
        Path(result_path).unlink(missing_ok=True)
    return RunResult(
        contender=contender,
        seconds=float(payload.pop("seconds")),
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        info=payload,
    )


def child_report(result_path: str, seconds: float, **info: Any) -> None:
    Path(result_path).write_text(json.dumps({"seconds": seconds, **info}, default=str), "utf-8")


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def interleave(
    contenders: dict[str, Callable[[], RunResult]],
    runs: int | dict[str, int],
    log: Callable[[str], None],
) -> dict[str, list[RunResult]]:
    """Run every contender ``runs`` times (or ``runs[name]`` times), round-robin with a rotating
    start, so that a noisy neighbour on the shared machine hurts all contenders alike rather than
    one of them. A contender with fewer runs drops out once it has them."""
    names = list(contenders)
    wanted = runs if isinstance(runs, dict) else dict.fromkeys(names, runs)
    results: dict[str, list[RunResult]] = {n: [] for n in names}
    for i in range(max(wanted[n] for n in names)):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            if len(results[name]) >= wanted[name]:
                continue
            r = contenders[name]()
            results[name].append(r)
            log(
                f"  run {i + 1}/{wanted[name]} {name:<18} {r.seconds:8.2f} s"
                f"  peak {r.peak_rss_mb:8.0f} MiB"
            )
    return results


def summary(runs: list[RunResult]) -> dict[str, Any]:
    secs = [r.seconds for r in runs]
    return {
        "runs": len(runs),
        "median_s": statistics.median(secs),
        "min_s": min(secs),
        "max_s": max(secs),
        "all_s": secs,
        "peak_rss_mb_max": max(r.peak_rss_mb for r in runs),
        "peak_rss_mb_median": statistics.median(r.peak_rss_mb for r in runs),
        "load1_before_runs": [r.info.get("load1_before") for r in runs],
        "info": {k: v for k, v in runs[-1].info.items() if k != "load1_before"},
    }


def machine() -> dict[str, Any]:
    import duckdb
    import pandas
    import pyarrow

    mem_kb = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        import ibis

        ibis_version = ibis.__version__
    except ImportError:  # pragma: no cover - ibis is a dependency
        ibis_version = "absent"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
        "pandas": pandas.__version__,
        "ibis": ibis_version,
        "load_avg_at_start": os.getloadavg(),
    }


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
