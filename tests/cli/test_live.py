"""``callgrade live``: follows a queue_log as it grows and rotates, stops cleanly on SIGTERM and
resumes where it stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def _line(i: int) -> str:
    return f"{1767225600 + i}|c{i}|support|E0001|CONNECT|10|c{i}-agent|2\n"


def _stored(data: Path) -> list[str]:
    path = data / "live" / "events.jsonl"
    if not path.exists():
        return []
    return [json.loads(r)["text"] for r in path.read_text("utf-8").splitlines()]


def _wait_for(data: Path, n: int) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = _stored(data)
        if len(got) >= n:
            return got
        time.sleep(0.05)
    return _stored(data)


def _live(tmp_path: Path, *more: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "callgrade.cli", "live", "--queue-log", "queue_log",
         "--data-dir", "data", "--interval", "0.05", "--no-rewards", *more],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_live_follows_rotates_stops_and_resumes(tmp_path: Path) -> None:
    log, data = tmp_path / "queue_log", tmp_path / "data"
    log.write_text(_line(0) + _line(1))
    proc = _live(tmp_path)
    try:
        assert len(_wait_for(data, 2)) == 2
        with open(log, "a") as f:
            f.write(_line(2) + _line(3)[:10])  # the last one still being written
        assert len(_wait_for(data, 3)) == 3
        with open(log, "a") as f:
            f.write(_line(3)[10:])
        os.rename(log, tmp_path / "queue_log.1")
        log.write_text(_line(4))
        assert len(_wait_for(data, 5)) == 5
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped: 5 line(s) stored" in err
    with open(log, "a") as f:
        f.write(_line(5))
    r = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", "live", "--queue-log", "queue_log",
         "--data-dir", "data", "--once", "--no-rewards"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert _stored(data) == [_line(i).rstrip("\n") for i in range(6)]


def test_live_refuses_bad_options_in_one_line(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", "live", "--queue-log", "q", "--data-dir", "d",
         "--encoding", "klingon", "--once", "--no-rewards"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 1
    assert r.stderr.strip() == "callgrade: unknown encoding 'klingon'"
    (tmp_path / "d" / "live").mkdir(parents=True)
    (tmp_path / "d" / "live" / "queue_log.state.json").write_text("garbage")
    r = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", "live", "--queue-log", "q", "--data-dir", "d",
         "--once", "--no-rewards"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 1 and "not a follower state file" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_demo_feed_writes_answered_calls_the_demo_agent_first(tmp_path: Path) -> None:
    log = tmp_path / "live" / "queue_log"
    args = ["demo-feed", "A2", "A1", "A3", "--queue-log", str(log), "--first", "A1", "--pace", "0"]
    r = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *args], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    lines = log.read_text().splitlines()
    assert len(lines) == 20 + 2 * 20  # the demo agent's twenty, then twenty each for the others
    fields = [line.split("|") for line in lines]
    assert {f[3] for f in fields[:20]} == {"A1"}
    assert [f[3] for f in fields[20:22]] == ["A2", "A3"]
    assert {f[4] for f in fields} == {"CONNECT"} and len({f[1] for f in fields}) == len(lines)
    assert "60 call(s) written" in r.stderr
