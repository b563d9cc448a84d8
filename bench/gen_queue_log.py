"""Generate a realistic Asterisk queue_log file of about N lines, vectorised.

    python bench/gen_queue_log.py --lines 10000000 --out bench/data/queue_log-10m

One month (2026-03, UTC) of a 12-queue center with 400 agents. Every call keeps one callid
(``<unixtime>.<seq>``, like a channel uniqueid) across its lines:

- answered (87%): ENTERQUEUE, RINGNOANSWER on another agent (15%), CONNECT, then COMPLETECALLER /
  COMPLETEAGENT, or BLINDTRANSFER / ATTENDEDTRANSFER (5%);
- abandoned (10%): ENTERQUEUE, ABANDON after a short wait; EXITWITHTIMEOUT (2%); EXITWITHKEY (1%).

Agents log in once a working day (AGENTLOGIN … AGENTLOGOFF with the logged-in seconds) and pause
three times (PAUSEALL / UNPAUSEALL with a reason). Lines are sorted by time; each event carries
exactly the data fields Asterisk writes for it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

N_AGENTS = 400
QUEUES = [
    "support",
    "sales",
    "billing",
    "tech",
    "vip",
    "retention",
    "claims",
    "orders",
    "returns",
    "info",
    "outage",
    "en",
]
DAYS = 31
START = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
COLUMNS = ["time", "callid", "queue", "agent", "event", "d1", "d2", "d3", "d4", "d5"]
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 1, 2, 5, 9, 12, 14, 14, 11, 12, 14, 14, 13, 11, 9, 8, 7, 5, 3, 2], float
)


def _s(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def _const(value: str | None, n: int) -> pa.Array:
    return pa.nulls(n, pa.string()) if value is None else pa.repeat(value, n)


def _block(
    t: np.ndarray, order: np.ndarray, cols: dict[str, pa.Array | str | None]
) -> tuple[np.ndarray, np.ndarray, pa.Table]:
    n = t.size
    arrays = {}
    for name in COLUMNS[1:]:
        value = cols.get(name)
        arrays[name] = value if isinstance(value, pa.Array) else _const(value, n)
    return t, order, pa.table({"time": _s(t), **arrays})


def generate(out: Path, lines: int, *, seed: int = 20260301) -> dict:
    t_start = time.perf_counter()
    rng = np.random.default_rng(seed)
    agent_names = pa.array([f"Agent/{1001 + i}" for i in range(N_AGENTS)])
    # agent lines first: they are few, and the call count is what is left of the budget
    blocks = []
    days = np.repeat(np.arange(DAYS), N_AGENTS)
    agent = np.tile(np.arange(N_AGENTS), DAYS)
    work = rng.random(days.size) < 22 / 31
    days, agent = days[work], agent[work]
    m = days.size
    login = START + days * 86_400 + rng.integers(7 * 3_600, 10 * 3_600, m)
    shift = rng.integers(8 * 3_600, 9 * 3_600, m)
    who = agent_names.take(pa.array(agent))
    channel = pc.replace_substring(who, "Agent/", "PJSIP/")
    blocks.append(
        _block(
            login,
            np.zeros(m, np.int64),
            {"callid": "NONE", "queue": "NONE", "agent": who, "event": "AGENTLOGIN", "d1": channel},
        )
    )
    blocks.append(
        _block(
            login + shift,
            np.full(m, 9, np.int64),
            {
                "callid": "NONE",
                "queue": "NONE",
                "agent": who,
                "event": "AGENTLOGOFF",
                "d1": channel,
                "d2": _s(shift),
            },
        )
    )
    for offset, mean, reason in [
        (7_200, 900, "Break"),
        (16_000, 2_700, "Lunch"),
        (25_000, 900, "Break"),
    ]:
        p0 = login + offset + rng.integers(0, 1_800, m)
        p1 = p0 + rng.gamma(4.0, mean / 4.0, m).astype(np.int64) + 1
        common = {"callid": "NONE", "queue": "NONE", "agent": who, "d1": reason}
        blocks.append(_block(p0, np.ones(m, np.int64), {**common, "event": "PAUSEALL"}))
        blocks.append(_block(p1, np.ones(m, np.int64), {**common, "event": "UNPAUSEALL"}))
    agent_lines = sum(b[0].size for b in blocks)

    lines_per_call = 2 + 0.87 * (1 + 0.15)  # ENTERQUEUE + end, plus CONNECT and some RINGNOANSWER
    calls = max(1, int((lines - agent_lines) / lines_per_call))
    hour = rng.choice(24, size=calls, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    t0 = (
        START + rng.integers(0, DAYS, calls) * 86_400 + hour * 3_600 + rng.integers(0, 3_600, calls)
    )
    t0 = np.sort(t0)
    seq = np.arange(calls, dtype=np.int64) + 100_000
    callid = pc.binary_join_element_wise(_s(t0), _s(seq), ".")
    queue = pa.array(QUEUES).take(pa.array(rng.integers(0, len(QUEUES), calls)))
    u = rng.random(calls)
    kind = np.select([u < 0.87, u < 0.97, u < 0.99], [0, 1, 2], default=3)  # ans/aband/timeout/key
    origpos = rng.integers(1, 8, calls)
    caller = _s(rng.integers(13_000_000_000, 13_999_999_999, calls))
    blocks.append(
        _block(
            t0,
            np.zeros(calls, np.int64),
            {
                "callid": callid,
                "queue": queue,
                "agent": "NONE",
                "event": "ENTERQUEUE",
                "d1": "",
                "d2": caller,
                "d3": _s(origpos),
            },
        )
    )

    ans = kind == 0
    a_idx = np.flatnonzero(ans)
    na = a_idx.size
    wait = rng.exponential(22.0, na).astype(np.int64)
    ring = rng.integers(2, 15, na)
    talk = np.clip(rng.lognormal(np.log(140.0), 0.55, na), 60, 600).astype(np.int64)
    who = agent_names.take(pa.array(rng.integers(0, N_AGENTS, na)))
    a_call, a_q, a_t0 = callid.take(pa.array(a_idx)), queue.take(pa.array(a_idx)), t0[a_idx]
    a_pos = _s(origpos[a_idx])
    # RINGNOANSWER on some other agent first (milliseconds)
    rna = rng.random(na) < 0.15
    r_idx = np.flatnonzero(rna)
    blocks.append(
        _block(
            a_t0[r_idx] + wait[r_idx] // 2,
            np.ones(r_idx.size, np.int64),
            {
                "callid": a_call.take(pa.array(r_idx)),
                "queue": a_q.take(pa.array(r_idx)),
                "agent": agent_names.take(pa.array(rng.integers(0, N_AGENTS, r_idx.size))),
                "event": "RINGNOANSWER",
                "d1": _s(rng.integers(5_000, 20_000, r_idx.size)),
            },
        )
    )
    connect_t = a_t0 + wait
    bridged = pc.binary_join_element_wise(_s(connect_t), _s(seq[a_idx] + 50_000_000), ".")
    blocks.append(
        _block(
            connect_t,
            np.full(na, 2, np.int64),
            {
                "callid": a_call,
                "queue": a_q,
                "agent": who,
                "event": "CONNECT",
                "d1": _s(wait),
                "d2": bridged,
                "d3": _s(ring),
            },
        )
    )
    end_t = connect_t + talk
    v = rng.random(na)
    ev_kind = np.select([v < 0.05 * 0.6, v < 0.05, v < 0.05 + 0.95 * 0.55], [0, 1, 2], default=3)
    events = ["BLINDTRANSFER", "ATTENDEDTRANSFER", "COMPLETECALLER", "COMPLETEAGENT"]
    for k, event in enumerate(events):
        i = np.flatnonzero(ev_kind == k)
        sel = pa.array(i)
        w, tk = _s(wait[i]), _s(talk[i])
        common = {
            "callid": a_call.take(sel),
            "queue": a_q.take(sel),
            "agent": who.take(sel),
            "event": event,
        }
        if event == "BLINDTRANSFER":
            data = {
                "d1": _s(rng.integers(2000, 2999, i.size)),
                "d2": "from-internal",
                "d3": w,
                "d4": tk,
                "d5": a_pos.take(sel),
            }
        elif event == "ATTENDEDTRANSFER":
            data = {
                "d1": "BRIDGE",
                "d2": bridged.take(sel),
                "d3": w,
                "d4": tk,
                "d5": a_pos.take(sel),
            }
        else:
            data = {"d1": w, "d2": tk, "d3": a_pos.take(sel)}
        blocks.append(_block(end_t[i], np.full(i.size, 3, np.int64), {**common, **data}))

    for k, event in [(1, "ABANDON"), (2, "EXITWITHTIMEOUT"), (3, "EXITWITHKEY")]:
        i = np.flatnonzero(kind == k)
        sel = pa.array(i)
        if event == "ABANDON":
            short = rng.random(i.size) < 0.25
            waited = np.where(short, rng.integers(0, 5, i.size), 5 + rng.exponential(35.0, i.size))
        elif event == "EXITWITHTIMEOUT":
            waited = np.full(i.size, 300.0)
        else:
            waited = rng.integers(3, 60, i.size).astype(float)
        waited = waited.astype(np.int64)
        pos = _s(rng.integers(1, 5, i.size))
        data = {"d1": pos, "d2": _s(origpos[i]), "d3": _s(waited)}
        if event == "EXITWITHKEY":
            data = {"d1": "0", "d2": pos, "d3": _s(origpos[i]), "d4": _s(waited)}
        blocks.append(
            _block(
                t0[i] + waited,
                np.full(i.size, 3, np.int64),
                {
                    "callid": callid.take(sel),
                    "queue": queue.take(sel),
                    "agent": "NONE",
                    "event": event,
                    **data,
                },
            )
        )

    t_all = np.concatenate([b[0] for b in blocks])
    o_all = np.concatenate([b[1] for b in blocks])
    table = pa.concat_tables([b[2] for b in blocks])
    order = np.lexsort((o_all, t_all))
    table = table.take(pa.array(order))
    text = pc.binary_join_element_wise(
        *[table.column(c) for c in COLUMNS], "|", null_handling="skip"
    )
    with open(out, "w", encoding="utf-8") as fh:
        step = 1_000_000
        for start in range(0, len(text), step):
            fh.write("\n".join(text.slice(start, step).to_pylist()))
            fh.write("\n")
    desc = {
        "lines": len(text),
        "calls": calls,
        "agent_lines": agent_lines,
        "bytes": out.stat().st_size,
        "seconds": round(time.perf_counter() - t_start, 1),
    }
    out.with_suffix(".json").write_text(json.dumps(desc, indent=1), "utf-8")
    return desc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(json.dumps(generate(args.out, args.lines), indent=1), file=sys.stdout)


if __name__ == "__main__":
    main()
