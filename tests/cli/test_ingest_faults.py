"""Faults during an ingest: ``callgrade ingest`` killed with SIGKILL at random moments, and the
disk filling up. Either way the warehouse stays as it was committed, the next ingest (or
``callgrade warehouse gc``) collects what the dead one left, and the end result is byte for
byte that of a clean run."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from callgrade.engine import batches
from callgrade.engine.ingest import ingest_files
from callgrade.engine.warehouse import FAULT_DISK_FULL_AFTER, MANIFEST, Warehouse
from callgrade.output import write_table

START = 1767225600  # 2026-01-01 UTC


def queue_log(prefix: str, start: int, calls: int, seed: int) -> str:
    """An Asterisk queue_log of ``calls`` calls over about five weeks from ``start``."""
    rng = random.Random(seed)
    lines, t = [], start
    for i in range(calls):
        t += rng.randint(200, 1000)
        cid, q = f"{prefix}{i}", rng.choice(["support", "sales"])
        wait = rng.randint(1, 60)
        lines.append(f"{t}|{cid}|{q}|NONE|ENTERQUEUE||1380000{i % 9999:04d}|1")
        if rng.random() < 0.85:
            agent, talk = f"E{rng.randint(1, 20):04d}", rng.randint(30, 600)
            lines.append(f"{t + wait}|{cid}|{q}|{agent}|CONNECT|{wait}|{cid}-agent|2")
            lines.append(f"{t + wait + talk}|{cid}|{q}|{agent}|COMPLETECALLER|{wait}|{talk}|1")
        else:
            lines.append(f"{t + wait}|{cid}|{q}|NONE|ABANDON|1|1|{wait}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two files: the second overlaps the first's months, so ingesting it replaces partitions."""
    d = tmp_path_factory.mktemp("logs")
    a, b = d / "a.log", d / "b.log"
    a.write_text(queue_log("a", START, 5000, 1))
    b.write_text(queue_log("b", START + 20 * 86400, 5000, 2))
    return a, b


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "callgrade.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def state(data: Path) -> dict[str, int]:
    """Rows per table, after checking every file the manifest names is whole."""
    wh = Warehouse(data)
    for table in wh.manifest()["tables"]:
        for f in wh.files(table):
            pq.read_metadata(f)
    return {t: wh.count(t) for t in wh.manifest()["tables"]}


def kpis_json(data: Path, out: Path) -> bytes:
    from callgrade.cli import compute_kpi_table
    from callgrade.engine.kpis import KpiOptions

    table = compute_kpi_table(
        data, period="2026-Q1", grain="month", by="agent", tz="UTC", kpis=None, options=KpiOptions()
    )
    write_table(table, "json", out)
    return out.read_bytes()


def leftovers(data: Path) -> list[str]:
    """Files on disk that the manifest does not name: what a collection must have removed."""
    root = data / "warehouse"
    manifest = Warehouse(data).manifest()
    named = {r for parts in manifest["tables"].values() for r in parts.values()}
    named |= batches.named_files(manifest)  # the ledger's key files
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return sorted(on_disk - named - {MANIFEST, ".lock", ".leases.lock"})


def test_kill_9_during_ingests_leaves_a_clean_warehouse(tmp_path, logs):
    a, b = logs
    clean = tmp_path / "clean"
    ingest_files(Warehouse(clean), "queue_log", [a])
    before = state(clean)
    ingest_files(Warehouse(clean), "queue_log", [b])
    after = state(clean)
    assert before != after

    data = tmp_path / "killed"
    ingest_files(Warehouse(data), "queue_log", [a])
    rng = random.Random(20260301)
    started = time.monotonic()
    timing = cli("ingest", "queue_log", str(b), "--data-dir", str(tmp_path / "timing"))
    timing.communicate(timeout=120)
    took = time.monotonic() - started
    orphans_seen = 0
    for attempt in range(6):
        root = data / "warehouse"
        old = set(root.rglob("*.parquet"))
        proc = cli("ingest", "queue_log", str(b), "--data-dir", str(data))
        if attempt % 2:
            # at a random moment of the whole run (start-up, parsing, writing, committing)
            time.sleep(rng.uniform(0.2, 1.0) * took)
        else:
            # a random moment of the commit: soon after its first new file appears
            deadline = time.monotonic() + 2 * took
            while proc.poll() is None and time.monotonic() < deadline:
                if set(root.rglob("*.parquet")) - old:
                    time.sleep(rng.uniform(0, 0.05))
                    break
                time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert state(data) in (before, after), f"attempt {attempt}"
        orphans_seen += bool(leftovers(data))
    # The kills did hit ingests at work (else this test proves nothing).
    assert orphans_seen, "no kill left a file behind"
    # the dead ingests' files and stale leases: collected by ``warehouse gc`` (and by the next
    # commit, as the other tests show)
    gc = cli("warehouse", "gc", "--data-dir", str(data))
    out, err = gc.communicate(timeout=120)
    assert gc.returncode == 0, err
    assert out.startswith("removed ") and leftovers(data) == []
    assert state(data) in (before, after)

    done = cli("ingest", "queue_log", str(b), "--data-dir", str(data))
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert state(data) == after
    assert leftovers(data) == []
    assert kpis_json(data, tmp_path / "k1.json") == kpis_json(clean, tmp_path / "k2.json")


def snapshot_of(data: Path) -> tuple[bytes, list[str], dict[str, int]]:
    root = data / "warehouse"
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
    return (root / MANIFEST).read_bytes(), files, state(data)


def test_full_disk_fails_clearly_and_changes_nothing(tmp_path, logs):
    """The writer's fault-injection hook: writes fail with ENOSPC once the ingest has written
    this many bytes (the file being written is cut there, as a full disk leaves it)."""
    a, b = logs
    data = tmp_path / "data"
    ingest_files(Warehouse(data), "queue_log", [a])
    before = snapshot_of(data)
    for budget in (0, 150_000):
        proc = cli(
            "ingest",
            "queue_log",
            str(b),
            "--data-dir",
            str(data),
            env={FAULT_DISK_FULL_AFTER: str(budget)},
        )
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 1
        assert err.strip().splitlines() == [
            f"callgrade: the disk holding the warehouse ({data / 'warehouse'}) is full "
            "(No space left on device); nothing was changed: free some space and ingest again"
        ]
        assert snapshot_of(data) == before


IN_NAMESPACE = """
import json, subprocess, sys
from pathlib import Path
sys.path[:0] = [p for p in sys.argv[3:]]
from test_ingest_faults import snapshot_of
data, log = Path(sys.argv[1]), sys.argv[2]
r = subprocess.run([sys.executable, "-m", "callgrade.cli", "ingest", "queue_log", log,
                    "--data-dir", str(data)], capture_output=True, text=True)
manifest, files, counts = snapshot_of(data)
print(json.dumps([r.returncode, r.stderr, manifest.decode(), files, counts]))
"""


def test_a_really_full_disk_fails_clearly_and_changes_nothing(tmp_path, logs):
    """A real full disk: a tmpfs only a little larger than the warehouse, mounted in a user
    namespace (``unshare``; skipped where the kernel does not allow one)."""
    a, b = logs
    data = tmp_path / "data"
    ingest_files(Warehouse(data), "queue_log", [a])
    before = snapshot_of(data)
    used = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    disk = tmp_path / "disk"
    disk.mkdir()
    probe = ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs tmpfs {disk} && true"]
    if not shutil.which("unshare") or subprocess.run(probe, capture_output=True).returncode:
        pytest.skip("no user namespaces here to mount a small disk in")
    script = [sys.executable, "-c", IN_NAMESPACE, str(disk / "data"), str(b)]
    script += [str(Path(__file__).parent), *sys.path]
    inner = (
        f"mount -t tmpfs -o size={used // 1024 + 96}k tmpfs {disk} && "
        f'cp -a {data} {disk}/data && exec "$@"'
    )
    r = subprocess.run(
        ["unshare", "-rm", "sh", "-c", inner, "sh", *script],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    code, err, manifest, files, counts = json.loads(r.stdout)
    assert code == 1
    assert err.strip().splitlines() == [
        f"callgrade: the disk holding the warehouse ({disk / 'data' / 'warehouse'}) is full "
        "(No space left on device); nothing was changed: free some space and ingest again"
    ]
    assert (manifest.encode(), files, counts) == before
