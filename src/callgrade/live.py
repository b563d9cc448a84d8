"""``callgrade live``: the long-running service that takes events as they happen.

For now it follows an Asterisk queue_log (``engine/live/follower.py``): every complete line is
stored in ``<data-dir>/live/events.jsonl`` with its source before anything acts on it, and the
follower's place in the file is kept in ``<data-dir>/live/queue_log.state.json``, so the service
can be stopped, restarted or killed at any moment without missing or repeating a line. It stops
cleanly on SIGTERM or Ctrl-C (the position is saved after every batch anyway).

With ``consume`` (the rewards consumer, ``engagement.services.rewards``), each look at the file is
followed by one round of it: the stored lines and the events other systems posted are evaluated
against the standard's instant rewards, and the awards reach the ledger."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from callgrade.engine.live.follower import Follower
from callgrade.engine.live.store import EventFile, StateFile

REPORT_EVERY = 5.0  # seconds


def live_paths(data_dir: Path) -> tuple[Path, Path]:
    """(events file, state file) of the queue_log follower in ``data_dir``."""
    live = Path(data_dir) / "live"
    return live / "events.jsonl", live / "queue_log.state.json"


def follow_queue_log(
    data_dir: Path,
    queue_log: Path,
    *,
    interval: float = 0.2,
    once: bool = False,
    encoding: str = "utf-8",
    report: Callable[[str], Any] = print,
    consume: Callable[[], int] | None = None,
) -> int:
    """Follow ``queue_log`` into ``data_dir`` until stopped (``once``: read what is there and
    return); the number of lines stored."""
    events_path, state_path = live_paths(data_dir)
    events = EventFile(events_path, source="queue_log", encoding=encoding)
    queue_log = Path(queue_log).resolve()
    follower = Follower(queue_log, state=StateFile(state_path), events=events, save_every=1.0)
    report(f"following {queue_log} into {events_path}")
    if not queue_log.exists():
        report(f"waiting for {queue_log} to appear")
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    total = 0
    # what was stored and granted since the last report: said every few seconds, not every
    # round (at a thousand lines a second, writing a line per round cost more than storing)
    told, lines, awards = 0.0, 0, 0
    try:
        while not stopping:
            stored = follower.poll()
            total += stored
            granted = consume() if consume is not None else 0
            lines, awards = lines + stored, awards + granted
            if (lines or awards) and (once or time.monotonic() - told >= REPORT_EVERY):
                if lines:
                    report(f"stored {lines} line(s), {total} since start")
                if awards:
                    report(f"granted {awards} award(s)")
                told, lines, awards = time.monotonic(), 0, 0
            if once:
                break
            if not stored and not granted:
                _sleep(interval, lambda: stopping)
    finally:
        follower.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    report(f"stopped: {total} line(s) stored")
    return total


def _sleep(seconds: float, stopping: Callable[[], bool]) -> None:
    """Sleep up to ``seconds``, waking early when asked to stop."""
    deadline = time.monotonic() + seconds
    while not stopping() and time.monotonic() < deadline:
        time.sleep(min(0.05, seconds))


def demo_order(agents: list[str], *, first: str | None = None) -> list[str]:
    """Who answers each call of the demo feed: ``first`` (the demo agent) answers the first
    twenty, so the standard's "twenty calls answered today" reward reaches their page within the
    first minute; then the other agents in turn, twenty each, so awards keep appearing in the
    ledger while someone watches."""
    return ([first] * 20 if first else []) + [a for a in agents if a != first] * 20


def call_line(at: float, call: str, agent: str) -> str:
    """An answered call as Asterisk's queue_log writes it (CONNECT: hold 5 s, ring 2 s)."""
    return f"{int(at)}|{call}|support|{agent}|CONNECT|5|{call}.1|2\n"


def feed_demo(
    queue_log: Path,
    agents: list[str],
    *,
    first: str | None,
    pace: float = 1.0,
    report: Callable[[str], Any] = print,
) -> int:
    """Append the demo's calls to ``queue_log`` every ``pace`` seconds, stamped with the time
    they are written, as Asterisk would, until they run out or the process is stopped; the
    number of lines written."""
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    written = 0
    queue_log.parent.mkdir(parents=True, exist_ok=True)
    run = int(time.time())
    try:
        for k, agent in enumerate(demo_order(agents, first=first)):
            if stopping:
                break
            with queue_log.open("a", encoding="utf-8") as fh:
                fh.write(call_line(time.time(), f"demo{run}-{k}", agent))
            written += 1
            _sleep(pace, lambda: stopping)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    report(f"demo feed: {written} call(s) written to {queue_log}")
    return written
