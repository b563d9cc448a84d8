"""Event → award visible, under a steady stream of queue_log lines.

A fresh data directory gets the four-positions standard (its ``calls_day`` reward: every 20 calls
an agent answers in a day earn points, at most 3 a day) and a roster of ``--agents`` customer
service agents. The real ``callgrade live`` service follows a queue_log that this script appends
``CONNECT`` lines to at ``--rate`` lines a second (a write every 10 ms, agents drawn at random)
for ``--seconds``. A watcher reads new awards from the database every 0.25 s — what the awards
page's stream does — and an award's latency is the time from the write of the line that
triggered it to the watcher seeing it.

At the end: every line is a stored event (nothing lost), the ledger holds exactly the awards the
pure rules give for the same lines (nothing doubled, nothing missing), and p50/p95/p99/max.

    .venv/bin/python bench/live_latency.py --seconds 60 --rate 1000 --agents 1000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WATCH_EVERY = 0.25  # the awards stream's poll (engagement.views.awards.STREAM_POLL)


def _prepare(data: Path, agents: int) -> None:
    from django.core.management import call_command

    from callgrade.web.launch import setup

    setup(data)
    call_command("migrate", verbosity=0)
    from callgrade.people.models import Employee
    from callgrade.web.seed import _published_standard

    _published_standard(None)
    Employee.objects.bulk_create(
        Employee(employee_id=f"A{i:05d}", name=f"Agent {i}", position="customer_service",
                 level="junior", status="active")
        for i in range(agents)
    )  # fmt: skip


def _writer(log: Path, rate: int, seconds: float, agents: int, sent: dict[int, float]) -> None:
    rng = random.Random(7)
    per_tick, tick = max(1, rate // 100), 0.01
    n, offset = 0, 0
    start = time.monotonic()
    with open(log, "ab", buffering=0) as f:
        while (now := time.monotonic()) - start < seconds:
            chunk, offsets = [], []
            epoch = int(time.time())
            for _ in range(per_tick):
                agent = f"A{rng.randrange(agents):05d}"
                line = f"{epoch}|c{n}|support|{agent}|CONNECT|5|c{n}.1|2\n".encode()
                offsets.append(offset)
                chunk.append(line)
                offset += len(line)
                n += 1
            f.write(b"".join(chunk))
            written = time.monotonic()
            for o in offsets:
                sent[o] = written
            time.sleep(max(0.0, start + (n / per_tick) * tick - now - (written - now)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    ap.add_argument("--profile", type=Path, help="run the service under cProfile, stats here")
    ap.add_argument("--segments", type=int, default=4, help="p99 of each part of the run")
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="live-bench-"))
    _prepare(data, args.agents)
    from callgrade.engagement.models import Award, LiveEvent

    log = data / "queue_log"
    log.write_bytes(b"")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    profile = ["-m", "cProfile", "-o", str(args.profile.resolve())] if args.profile else []
    live = subprocess.Popen(
        [sys.executable, *profile, "-m", "callgrade.cli", "live", "--queue-log", str(log),
         "--data-dir", str(data), "--interval", "0.05"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(data / "live.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    for _ in range(600):  # the service starts, migrates (nothing to do) and follows
        if "following" in (data / "live.log").read_text():
            break
        time.sleep(0.1)
    time.sleep(1)
    sent: dict[int, float] = {}
    seen: dict[str, float] = {}
    writer = threading.Thread(
        target=_writer, args=(log, args.rate, args.seconds, args.agents, sent)
    )
    started = time.monotonic()
    writer.start()
    last = 0
    deadline = None
    while True:
        for pk, key, trigger in (
            Award.objects.filter(id__gt=last).order_by("id").values_list("id", "key", "evidence")
        ):
            seen.setdefault(key, time.monotonic())
            last = pk
            seen[key + "\0trigger"] = float(trigger["trigger"].rsplit(":", 1)[1])
        if not writer.is_alive():
            deadline = deadline or time.monotonic() + 30
            caught_up = not LiveEvent.objects.filter(processed=False).exists()
            stored = LiveEvent.objects.count()
            if (caught_up and stored >= len(sent)) or time.monotonic() > deadline:
                break
        time.sleep(WATCH_EVERY)
    elapsed = time.monotonic() - started
    live.terminate()
    live.wait(timeout=60)

    # the same lines through the pure rules: the awards the ledger must hold, no more, no less
    from callgrade.engagement.services.rewards import kpi_events
    from callgrade.engine.live.rewards import book_for
    from callgrade.standards.services import policy_current

    version = policy_current()
    assert version is not None
    positions = {f"A{i:05d}": "customer_service" for i in range(args.agents)}
    book = book_for(version.policy(), positions)
    expected = set()
    for event in LiveEvent.objects.order_by("id").iterator(chunk_size=5000):
        expected |= {g.key for e in kpi_events(event) for g in book.add(e)}
    held = list(Award.objects.values_list("key", flat=True))
    timed = [
        (sent[int(seen[k + "\0trigger"])], seen[k] - sent[int(seen[k + "\0trigger"])])
        for k in held
        if k in seen and int(seen[k + "\0trigger"]) in sent
    ]
    latencies = sorted(lat for _, lat in timed)
    # whether latency grows with the run: p99 of the awards whose line was written in each part
    first = min((at for at, _ in timed), default=0.0)
    parts: list[list[float]] = [[] for _ in range(args.segments)]
    for at, lat in timed:
        i = min(args.segments - 1, int((at - first) / args.seconds * args.segments))
        parts[i].append(lat)

    def q(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    result = {
        "seconds": args.seconds,
        "rate_asked": args.rate,
        "lines_written": len(sent),
        "rate_achieved": round(len(sent) / args.seconds, 1),
        "events_stored": LiveEvent.objects.count(),
        "events_unprocessed": LiveEvent.objects.filter(processed=False).count(),
        "awards": len(held),
        "awards_expected": len(expected),
        "missing": len(expected - set(held)),
        "extra": len(set(held) - expected),
        "doubled": len(held) - len(set(held)),
        "latency_p50_ms": round(q(0.50) * 1000),
        "latency_p95_ms": round(q(0.95) * 1000),
        "latency_p99_ms": round(q(0.99) * 1000),
        "latency_max_ms": round((latencies[-1] if latencies else 0) * 1000),
        "latency_mean_ms": round(statistics.fmean(latencies) * 1000) if latencies else 0,
        "latency_p99_ms_by_part": [
            round(sorted(p)[min(len(p) - 1, int(0.99 * len(p)))] * 1000) if p else None
            for p in parts
        ],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "wall_seconds": round(elapsed, 1),
        "database": os.environ.get("DATABASE_URL", "sqlite (the data directory)").split("@")[-1],
    }
    print(json.dumps(result, indent=2))
    if not args.keep:
        import shutil

        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
