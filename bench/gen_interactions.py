"""Generate one month of a large BPO straight into a warehouse: interactions, agent_states, roster.

    python bench/gen_interactions.py --rows 50000000 --out bench/data/kpi-50m

The interactions (tens of millions of rows) are generated in chunks with vectorised numpy and
streamed into one Parquet file per UTC month with a ParquetWriter, then named in the manifest the
way ``Warehouse.commit`` names files. Going through ``commit`` itself would re-read and re-merge
the whole month partition for every chunk (its dedupe is per partition), which is quadratic and
would hold the month in memory; the keys here are unique by construction, so nothing needs merging.
The small tables (agent states, roster) do go through ``Warehouse.commit``.

Distributions (fixed seed): inbound voice with some chat, outbound dialing; ~86% of inbound
answered, talk 60–600 s (log-normal, median ~140 s), hold on a quarter of calls, ACW, ~6% of
answered calls transferred, abandons after short exponential waits (a quarter under 5 s), a
customer pool smaller than the contact count so that customers call again (FCR), and agents with
uneven loads. Contacts are spread over the days of the local month with an intraday curve.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from callgrade.engine.schemas import TABLES, TS, conform
from callgrade.engine.warehouse import MANIFEST, Warehouse

TZ = "Asia/Shanghai"
MONTH = (2026, 3)
DAYS = 31
N_AGENTS = 10_000
N_TEAMS = 700
N_QUEUES = 40
SOURCE = "bench:synthetic.parquet"
US = 1_000_000

# Share of contacts per local hour: quiet night, morning and afternoon peaks.
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 1, 2, 5, 9, 12, 14, 14, 11, 12, 14, 14, 13, 11, 9, 8, 7, 5, 3, 2], float
)


def agent_ids() -> pa.Array:
    return pc.binary_join_element_wise(
        "E", pc.utf8_lpad(pa.array(np.arange(1, N_AGENTS + 1)).cast(pa.string()), 5, "0"), ""
    )


def month_start_us() -> int:
    local = datetime(MONTH[0], MONTH[1], 1, tzinfo=ZoneInfo(TZ))
    return int(local.astimezone(UTC).timestamp()) * US


def _pick(values: list[str], idx: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    indices = pa.array(idx, mask=mask)
    return pa.array(values).take(indices)


def _f64(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(np.round(values, 3), pa.float64(), mask=~valid)


def _ts(us: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(us, TS, mask=None if valid is None else ~valid)


def interactions_chunk(
    rng: np.random.Generator, start: int, n: int, total: int, agent_weights: np.ndarray
) -> pa.Table:
    """Rows ``start .. start+n`` of ``total``: day by position, so chunks follow time order."""
    idx = np.arange(start, start + n, dtype=np.int64)
    day = idx * DAYS // total
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    offered = (
        month_start_us()
        + day * 86_400 * US
        + hour * 3_600 * US
        + rng.integers(0, 3_600 * US, size=n, dtype=np.int64)
    )
    order = np.argsort(offered, kind="stable")
    offered = offered[order]

    outbound = rng.random(n) < 0.15
    chat = ~outbound & (rng.random(n) < 0.08)
    u = rng.random(n)
    # inbound: answered 86%, abandoned 11%, timeout 1.5%, exit_empty 0.8%, full 0.7%
    in_outcome = np.select(
        [u < 0.86, u < 0.97, u < 0.985, u < 0.993], [0, 1, 2, 3], default=4
    ).astype(np.int64)
    # outbound: connected 62%, no_answer 25%, busy 8%, failed 5%
    out_outcome = np.select([u < 0.62, u < 0.87, u < 0.95], [0, 5, 6], default=7).astype(np.int64)
    outcome = np.where(outbound, out_outcome, in_outcome)
    outcomes = [
        "answered",
        "abandoned",
        "timeout",
        "exit_empty",
        "full",
        "no_answer",
        "busy",
        "failed",
    ]
    answered = outcome == 0
    has_agent = answered | outbound  # an outbound attempt is always the dialing agent's

    agent = rng.choice(N_AGENTS, size=n, p=agent_weights)
    queue = rng.integers(0, N_QUEUES, size=n)
    queue_names = [f"q{q:02d}" for q in range(N_QUEUES)]

    # queue wait: answered exp(mean 22 s); abandons exp(mean 35 s) with a quarter under 5 s
    wait = np.where(
        answered,
        rng.exponential(22.0, n),
        np.where(rng.random(n) < 0.25, rng.uniform(0.5, 5.0, n), 5.0 + rng.exponential(35.0, n)),
    )
    wait = np.where(outcome == 2, 300.0, wait)  # timeouts hit the queue's 300 s limit
    wait = np.where(np.isin(outcome, [3, 4]), rng.uniform(0, 2, n), wait)
    has_wait = ~outbound
    ring = rng.uniform(2.0, 15.0, n)
    talk = np.clip(rng.lognormal(np.log(140.0), 0.55, n), 60.0, 600.0)
    holds = rng.random(n) < 0.25
    hold = np.where(holds, rng.exponential(40.0, n), 0.0)
    acw = rng.gamma(2.0, 10.0, n)
    transferred = answered & (rng.random(n) < 0.06)
    kind = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])

    answered_at = offered + ((np.where(has_wait, wait, 0.0) + ring) * US).astype(np.int64)
    ended = np.where(
        answered,
        answered_at + ((talk + hold) * US).astype(np.int64),
        offered + (np.where(has_wait, wait, ring) * US).astype(np.int64),
    )
    ended_by = np.where(answered, np.where(rng.random(n) < 0.7, 0, 1), np.where(outbound, 2, 0))

    # customers: a pool smaller than the contacts, so repeat contacts happen (FCR), 2% withheld
    customer = rng.integers(0, max(1, int(total * 0.55)), size=n)
    withheld = rng.random(n) < 0.02
    ids = pa.array(idx).cast(pa.string())
    cust = pc.binary_join_element_wise("C", pa.array(customer).cast(pa.string()), "")
    table = pa.table(
        {
            "interaction_id": pc.binary_join_element_wise("bench-", ids, ""),
            "channel": _pick(["voice", "chat"], chat.astype(np.int64)),
            "direction": _pick(["inbound", "outbound"], outbound.astype(np.int64)),
            "queue": _pick(queue_names, queue, outbound),
            "agent_id": agent_ids().take(pa.array(agent, mask=~has_agent)),
            "customer_id": pc.if_else(pa.array(withheld), pa.nulls(n, pa.string()), cust),
            "offered_at": _ts(offered),
            "answered_at": _ts(answered_at, answered),
            "ended_at": _ts(ended),
            "queue_wait_s": _f64(wait, has_wait),
            "ring_s": _f64(ring, answered),
            "talk_s": _f64(talk, answered),
            "hold_s": _f64(hold, answered),
            "acw_s": _f64(acw, answered),
            "outcome": _pick(outcomes, outcome),
            "answered": pa.array(answered),
            "transferred": pa.array(transferred),
            "transfer_kind": _pick(["blind", "attended", "queue"], kind, ~transferred),
            "ended_by": _pick(["caller", "agent", "system"], ended_by),
            "updated_at": _ts(ended),
            "source": pa.repeat(SOURCE, n),
            "source_ref": pc.binary_join_element_wise("synthetic.parquet:", ids, ""),
        }
    )
    return conform("interactions", table)


def agent_states(rng: np.random.Generator) -> pa.Table:
    """One shift a working day per agent (27 of 31 days, ~11 h) with three pauses."""
    agents = np.repeat(np.arange(N_AGENTS), DAYS)
    day = np.tile(np.arange(DAYS), N_AGENTS)
    works = rng.random(agents.size) < 27 / 31
    agents, day = agents[works], day[works]
    m = agents.size
    login = month_start_us() + day * 86_400 * US + rng.integers(7, 11, m) * 3_600 * US
    login = login + rng.integers(0, 900, m) * US
    shift = (11 * 3_600 + rng.integers(-1_800, 1_800, m)) * US
    pauses = []
    for offset_h, mean_min, reason in [(2, 15, "Break"), (5, 45, "Lunch"), (8, 15, "Break")]:
        start = login + offset_h * 3_600 * US + rng.integers(0, 1_800, m) * US
        length = (rng.gamma(4.0, mean_min / 4.0, m) * 60 * US).astype(np.int64)
        pauses.append((start, start + length, reason))
    starts = np.concatenate([login] + [p[0] for p in pauses])
    ends = np.concatenate([login + shift] + [p[1] for p in pauses])
    state = np.repeat(np.arange(4) > 0, m).astype(np.int64)
    reason = np.repeat(np.arange(4), m)
    agent = np.tile(agents, 4)
    agent_col = agent_ids().take(pa.array(agent))
    state_col = _pick(["logged_in", "paused"], state)
    reasons = [None, "Break", "Lunch", "Break"]
    start_col = _ts(starts)
    key = pc.binary_join_element_wise(agent_col, state_col, pa.array(starts).cast(pa.string()), "|")
    table = pa.table(
        {
            "state_id": key,
            "agent_id": agent_col,
            "state": state_col,
            "reason": pa.array(reasons, pa.string()).take(pa.array(reason)),
            "queue": pa.nulls(agent.size, pa.string()),
            "start": start_col,
            "end": _ts(ends),
            "open_ended": pa.repeat(False, agent.size),
            "source": pa.repeat(SOURCE, agent.size),
            "source_ref": pc.binary_join_element_wise("synthetic.parquet:state:", key, ""),
        }
    )
    return conform("agent_states", table)


def roster(rng: np.random.Generator) -> pa.Table:
    """10,000 agents in 700 teams (12–16 people each); the first of each team leads it."""
    ids = agent_ids()
    # every team gets one member first, the rest are spread at random
    team = np.sort(
        np.concatenate([np.arange(N_TEAMS), rng.integers(0, N_TEAMS, N_AGENTS - N_TEAMS)])
    )
    first = np.searchsorted(team, np.arange(N_TEAMS))
    lead_idx = first[team]
    position = rng.choice(3, N_AGENTS, p=[0.6, 0.3, 0.1])
    hired = month_start_us() - rng.integers(30, 3_000, N_AGENTS) * 86_400 * US
    table = pa.table(
        {
            "employee_id": ids,
            "name": pc.binary_join_element_wise("Agent ", ids, ""),
            "team": pc.binary_join_element_wise(
                "T", pc.utf8_lpad(pa.array(team).cast(pa.string()), 3, "0"), ""
            ),
            "team_lead": ids.take(pa.array(lead_idx)),
            "department": _pick([f"D{d}" for d in range(8)], team % 8),
            "position": _pick(["front_desk", "telesales", "technical"], position),
            "track": _pick(["phone", "sales", "technical"], position),
            "level": _pick([f"L{i}" for i in range(1, 7)], rng.integers(0, 6, N_AGENTS)),
            "hire_date": _ts(hired),
            "status": _pick(
                ["active", "probation", "left"], rng.choice(3, N_AGENTS, p=[0.9, 0.08, 0.02])
            ),
            "source": pa.repeat("bench:roster.xlsx", N_AGENTS),
            "source_ref": pc.binary_join_element_wise("roster.xlsx:", ids, ""),
        }
    )
    return conform("roster", table)


def generate(out: Path, rows: int, *, chunk: int = 5_000_000, seed: int = 20260301) -> dict:
    """Build the warehouse under ``out`` (must not exist yet). Returns a description."""
    if (out / "warehouse" / MANIFEST).exists():
        raise SystemExit(f"{out} already holds a warehouse; remove it first")
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    weights = rng.gamma(4.0, 1.0, N_AGENTS)  # uneven agent loads (~±50%)
    weights /= weights.sum()
    wh = Warehouse(out)
    wh.root.mkdir(parents=True, exist_ok=True)
    schema = TABLES["interactions"].schema
    writers: dict[str, pq.ParquetWriter] = {}
    parts: dict[str, str] = {}
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        table = interactions_chunk(rng, start, n, rows, weights)
        months = pc.strftime(table.column("offered_at"), format="%Y-%m")
        for month in pc.unique(months).to_pylist():
            part = table.filter(pc.equal(months, month))
            if month not in writers:
                rel = f"interactions/month={month}/part-{uuid.uuid4().hex}.parquet"
                (wh.root / rel).parent.mkdir(parents=True, exist_ok=True)
                writers[month] = pq.ParquetWriter(wh.root / rel, schema, compression="zstd")
                parts[month] = rel
            writers[month].write_table(part, row_group_size=1 << 20)
        print(f"  interactions {start + n:>11,} / {rows:,}", file=sys.stderr, flush=True)
    for w in writers.values():
        w.close()
    manifest = {"version": 1, "tables": {"interactions": parts}}
    tmp = wh.root / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, wh.root / MANIFEST)
    states = agent_states(rng)
    wh.commit({"agent_states": states, "roster": roster(rng)})
    desc = {
        "interactions": wh.count("interactions"),
        "agent_states": wh.count("agent_states"),
        "roster": wh.count("roster"),
        "tz": TZ,
        "period": f"{MONTH[0]}-{MONTH[1]:02d}",
        "seconds": round(time.perf_counter() - t0, 1),
        "bytes": sum(f.stat().st_size for f in wh.files("interactions")),
    }
    (out / "description.json").write_text(json.dumps(desc, indent=1), "utf-8")
    return desc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000_000)
    ap.add_argument("--chunk", type=int, default=5_000_000)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    print(json.dumps(generate(args.out, args.rows, chunk=args.chunk), indent=1))


if __name__ == "__main__":
    main()
