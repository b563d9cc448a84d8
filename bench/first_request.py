"""The first request after the app says it is ready, as ``callgrade serve`` starts it.

    .venv/bin/python bench/first_request.py [--launches 5] [--warm 50] [--src path/to/src]

Steps:

1. a small demo center (``callgrade demo --agents 20 --months 2``) in
   ``bench/data/first-request``, made once and reused;
2. a logged-in session for the demo agent, made directly in the session store;
3. ``--launches`` times: ``callgrade serve`` (gunicorn, 2 workers, as ``demo --serve`` runs it)
   is started and its output read until gunicorn reports ``Listening at``; at once the sign-in
   page (anonymous) is requested, then the agent's scorecard ``/me/``, each timed (these are the
   first requests the server sees); then each page ``--warm`` more times for the warm p50/p95,
   and ECharts is fetched with ``Accept-Encoding: br, gzip`` to record how it is served;
4. the server is stopped (its process group).

``--src`` runs another copy of the sources (e.g. ``git archive <rev> src | tar -x -C /tmp/x``)
on the same data, for a before/after comparison. The medians over the launches are printed and
saved to ``bench/out/first-request-<time>.json``. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
READY = re.compile(r"Listening at: (http://\S+)")

SESSION = """
import os, sys
os.environ["CALLGRADE_DATA_DIR"] = sys.argv[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callgrade.web.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username="agent")
s = SessionStore()
s["_auth_user_id"] = str(user.pk)
s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
s["_auth_user_hash"] = user.get_session_auth_hash()
s.create()
print(s.session_key)
"""


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "CALLGRADE_JOBS": "thread"}


def ensure_demo(data_dir: Path, src: Path, agents: int, months: int) -> None:
    if (data_dir / "callgrade.sqlite3").is_file():
        return
    print(f"making the demo center in {data_dir} …", flush=True)
    cmd = [sys.executable, "-m", "callgrade.cli", "demo", "--data-dir", str(data_dir),
           "--agents", str(agents), "--months", str(months)]  # fmt: skip
    subprocess.run(cmd, env=_env(src), check=True, stdout=subprocess.DEVNULL)


def session_key(data_dir: Path, src: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-c", SESSION, str(data_dir)],
        env=_env(src),
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, *, cookie: str = "", headers: dict[str, str] | None = None) -> tuple[float, Any]:
    """(milliseconds, response headers) of one GET on a new connection, body read."""
    request = urllib.request.Request(url, headers={**(headers or {}), "Accept-Language": "zh"})
    if cookie:
        request.add_header("Cookie", cookie)
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        assert response.status == 200, (url, response.status)
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, response.headers


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def launch(data_dir: Path, src: Path, cookie: str, warm: int) -> dict[str, Any]:
    port = free_port()
    cmd = [sys.executable, "-m", "callgrade.cli", "serve", "--data-dir", str(data_dir),
           "--port", str(port)]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=_env(src),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    base = ""
    for line in proc.stdout:
        m = READY.search(line)
        if m:
            base = m.group(1)
            break
    if not base:
        raise RuntimeError("the server stopped before it was ready")
    ready_s = time.perf_counter() - started
    # keep reading the access log so that the server never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in proc.stdout or []], daemon=True).start()
    try:
        first_login, _ = get(base + "/accounts/login/")
        first_me, _ = get(base + "/me/", cookie=cookie)
        warm_login = [get(base + "/accounts/login/")[0] for _ in range(warm)]
        warm_me = [get(base + "/me/", cookie=cookie)[0] for _ in range(warm)]
        html = urllib.request.urlopen(
            urllib.request.Request(base + "/me/", headers={"Cookie": cookie}), timeout=30
        ).read()
        static: dict[str, Any] = {}
        m = re.search(rb'src="(/static/callgrade/vendor/echarts[^"]*\.js)"', html)
        if m:
            _, headers = get(base + m.group(1).decode(), headers={"Accept-Encoding": "br, gzip"})
            static = {
                "path": m.group(1).decode(),
                "encoding": headers.get("Content-Encoding", ""),
                "bytes": int(headers.get("Content-Length", 0)),
                "cache": headers.get("Cache-Control", ""),
            }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return {
        "ready_s": ready_s,
        "first_login_ms": first_login,
        "first_me_ms": first_me,
        "warm_login_p50_ms": statistics.median(warm_login),
        "warm_login_p95_ms": p95(warm_login),
        "warm_me_p50_ms": statistics.median(warm_me),
        "warm_me_p95_ms": p95(warm_me),
        "echarts": static,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data" / "first-request")
    ap.add_argument("--src", type=Path, default=REPO / "src")
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--months", type=int, default=2)
    ap.add_argument("--launches", type=int, default=5)
    ap.add_argument("--warm", type=int, default=50)
    args = ap.parse_args()
    data_dir, src = args.data_dir.resolve(), args.src.resolve()
    ensure_demo(data_dir, src, args.agents, args.months)
    cookie = f"sessionid={session_key(data_dir, src)}"
    runs = []
    for i in range(args.launches):
        run = launch(data_dir, src, cookie, args.warm)
        runs.append(run)
        print(
            f"launch {i + 1}: ready {run['ready_s']:.1f} s · first /accounts/login/ "
            f"{run['first_login_ms']:.0f} ms · first /me/ {run['first_me_ms']:.0f} ms · warm p95 "
            f"{run['warm_login_p95_ms']:.0f} / {run['warm_me_p95_ms']:.0f} ms",
            flush=True,
        )
    keys = [k for k in runs[0] if k.endswith(("_ms", "_s"))]
    medians = {k: statistics.median(r[k] for r in runs) for k in keys}
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "src": str(src),
        "launches": args.launches,
        "warm_requests": args.warm,
        "medians": medians,
        "echarts": runs[-1]["echarts"],
        "runs": runs,
    }
    print(json.dumps({"medians": medians, "echarts": summary["echarts"]}, indent=2))
    OUT_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (OUT_DIR / f"first-request-{stamp}.json").write_text(json.dumps(summary, indent=2), "utf-8")


if __name__ == "__main__":
    main()
