"""Contacts: inbound queues, front-desk contacts and outbound dials, placed in agents' free time.

A vectorized approximation of an Erlang-A queue, driven by the agents rather than the callers:
each agent-day's logged-in, unpaused time is filled with back-to-back contacts whose idle gaps
follow the hourly arrival profile (short at the morning and afternoon peaks, long off-peak). Each
slot's caller waited ``W`` (exponential, longer at peaks) and had an exponential patience ``P``;
if ``P < W`` the caller abandoned and the slot stays idle, if both exceed the queue timeout the
caller left by timeout. This keeps every agent's calls disjoint and inside the login without a
per-call event loop, while abandonment still grows with load as in Erlang-A.

All times here are seconds from local midnight plus a day index; arrays are int64 or float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from callgrade.engine.demo.center import POSITIONS, Center
from callgrade.engine.demo.schedule import AgentDay

# Relative arrival intensity by local hour on weekdays, hours 07..21 (zero outside), per queue:
# customer service peaks mid-morning and mid-afternoon; technical support an hour later (people
# call after trying themselves); reception follows office hours.
_HOURS = {
    "customer_service": [
        0.3,
        0.7,
        1.25,
        1.5,
        1.35,
        0.9,
        0.95,
        1.3,
        1.45,
        1.3,
        1.0,
        0.7,
        0.5,
        0.4,
        0.3,
    ],
    "technical_support": [
        0.2,
        0.5,
        0.9,
        1.3,
        1.5,
        1.1,
        1.0,
        1.2,
        1.4,
        1.5,
        1.2,
        0.9,
        0.7,
        0.5,
        0.3,
    ],
    "front_desk": [0.2, 0.9, 1.6, 1.7, 1.4, 0.8, 1.0, 1.5, 1.6, 1.3, 0.8, 0.3, 0.2, 0.1, 0.1],
}


def _profile(hours: list[float]) -> np.ndarray:
    weekday = np.zeros(24)
    weekday[7:22] = hours
    weekend = np.where(weekday > 0, 0.6 + 0.4 * weekday, 0.0) * 0.85  # shallower peaks
    return np.stack([weekday, weekend])


PROFILES = {code: _profile(h) for code, h in _HOURS.items()}  # [is weekend, hour]

# queue, mean base wait (s) at shape 1, mean patience (s), queue timeout (s)
QUEUES = {
    "customer_service": ("service", 4.0, 150.0, 300),
    "technical_support": ("techsupport", 7.0, 240.0, 420),
    "front_desk": ("Reception", 5.0, 90.0, 0),
}

Table = dict[str, np.ndarray]


@dataclass(frozen=True)
class Traffic:
    inbound: Table  # queue_log calls (customer_service, technical_support)
    contacts: Table  # Amazon Connect front-desk contacts
    dials: Table  # telesales outbound attempts


_LANE = 100_000  # seconds between agent-days on the shared compressed time line (> one day)


def _hour_shape(code: str, sod: np.ndarray, weekend: np.ndarray) -> np.ndarray:
    hour = np.clip(np.asarray(sod, dtype=np.int64) // 3600, 0, 23)
    return np.maximum(PROFILES[code][weekend.astype(np.int64), hour], 0.15)


def place(
    rng: np.random.Generator,
    intervals: list[np.ndarray],
    busy: np.ndarray,
    gap_mean: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Lay slots of ``busy`` seconds (one row per agent-day), separated by exponential idle gaps
    whose mean depends on the time of day, into each agent-day's ``intervals`` without crossing
    an interval edge. All agent-days are laid at once on one compressed time line, each in its
    own lane. Returns slot starts (seconds from midnight, same shape as ``busy``) and the mask of
    slots that fit."""
    lanes, _m = busy.shape
    k = max(len(iv) for iv in intervals)
    lo = np.zeros((lanes, k), np.int64)
    hi = np.zeros((lanes, k), np.int64)
    for i, iv in enumerate(intervals):
        lo[i, : len(iv)], hi[i, : len(iv)] = iv[:, 0], iv[:, 1]
        lo[i, len(iv) :] = hi[i, len(iv) :] = iv[-1, 1]
    cum = np.concatenate([np.zeros((lanes, 1), np.int64), np.cumsum(hi - lo, axis=1)], axis=1)
    flat = (cum + np.arange(lanes)[:, None] * _LANE).ravel()
    total = cum[:, -1:]
    base = np.arange(lanes)[:, None] * _LANE

    def locate(c: np.ndarray, side: str) -> np.ndarray:
        idx = np.searchsorted(flat, c + base, side) - 1  # type: ignore[call-overload]
        return np.clip(idx - np.arange(lanes)[:, None] * (k + 1), 0, k - 1)

    def to_real(c: np.ndarray) -> np.ndarray:
        j = locate(c, "right")
        rows = np.arange(lanes)[:, None]
        return lo[rows, j] + c - cum[rows, j]

    unit = rng.exponential(1.0, busy.shape)
    # Fixed-point passes: gaps depend on the hour, the hour on the preceding gaps.
    gaps = np.rint(unit * gap_mean(np.broadcast_to(lo[:, :1], busy.shape))) + 1
    for _ in range(2):
        start = np.cumsum(gaps + busy, axis=1) - busy
        gaps = np.rint(unit * gap_mean(to_real(start.astype(np.int64)))) + 1
    start = (np.cumsum(gaps + busy, axis=1) - busy).astype(np.int64)
    end = start + busy
    keep = (end <= total) & (locate(start, "right") == locate(end, "left"))
    return to_real(start), keep


def _customers(rng: np.random.Generator, day: np.ndarray, repeat: float) -> np.ndarray:
    """Caller numbers for contacts in time order: a share ``repeat`` call again about a day or
    two after an earlier contact of the same queue (what FCR counts), the rest are new."""
    n = day.size
    per_day = max(1.0, n / max(1, int(np.unique(day).size)))
    back = np.ceil(rng.exponential(per_day * 1.5, n)).astype(np.int64)
    parent = np.arange(n) - back
    parent = np.where((rng.random(n) < repeat) & (parent >= 0), parent, np.arange(n))
    for _ in range(64):  # pointer jumping: every chain of repeats ends at its first contact
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    fresh = rng.integers(13_000_000_000, 20_000_000_000, n)
    return fresh[parent]


def simulate(
    rng: np.random.Generator,
    center: Center,
    days: list[AgentDay],
    weekend: np.ndarray,
    calls_per_agent_hour: float,
) -> Traffic:
    groups: dict[str, list[AgentDay]] = {p[0]: [] for p in POSITIONS}
    for ad in days:
        if ad.at_work and ad.available().size:
            groups[center.position_code(ad.agent)].append(ad)
    inbound = [
        _answer(rng, center, groups[code], weekend, code, calls_per_agent_hour)
        for code in ("customer_service", "technical_support")
    ]
    contacts = _answer(
        rng, center, groups["front_desk"], weekend, "front_desk", calls_per_agent_hour
    )
    dials = _dial(rng, center, groups["telesales"])
    merged = {k: np.concatenate([p[k] for p in inbound]) for k in inbound[0]}
    return Traffic(merged, contacts, dials)


def _answer(
    rng: np.random.Generator,
    center: Center,
    ads: list[AgentDay],
    weekend: np.ndarray,
    code: str,
    cpah: float,
) -> Table:
    pos = next(p for p in POSITIONS if p[0] == code)
    agents = np.array([ad.agent for ad in ads], dtype=np.int64)
    lane_day = np.array([ad.day for ad in ads], dtype=np.int64)
    lane_we = weekend[lane_day] if ads else np.zeros(0, bool)
    if not ads:
        agents = np.zeros(0, np.int64)
    talk_mean = (pos[5] * center.talk_factor[agents])[:, None]
    acw_mean = (pos[6] * center.acw_factor[agents])[:, None]
    # Every queue runs at the same target occupancy: a longer handle time means fewer calls.
    # Reception is a lighter desk: it runs at about half the load.
    rate = cpah * 290.0 / (pos[5] + pos[6] + 4) * (0.5 if code == "front_desk" else 1.0)
    m = int(9.5 * 3600 * rate * 1.5 / 3600 * 1.3) + 10
    shape = (len(ads), m)
    ring = rng.integers(1, 9, shape)
    talk = np.maximum(np.rint(rng.lognormal(np.log(talk_mean) - 0.18, 0.6, shape)), 8).astype(
        np.int64
    )
    acw = np.maximum(np.rint(rng.gamma(2.0, acw_mean / 2.0, shape)), 2).astype(np.int64)
    hold = np.zeros(shape, np.int64)
    holds = np.zeros(shape, np.int64)
    chat = np.zeros(shape, bool)
    if code == "front_desk":
        chat = rng.random(shape) < 0.3
        talk = np.where(chat, talk * 2, talk)
        has_hold = (~chat) & (rng.random(shape) < 0.2)
        holds = np.where(has_hold, rng.integers(1, 3, shape), 0)
        hold = np.where(has_hold, holds * rng.integers(15, 75, shape), 0)
    busy = ring + talk + hold + acw
    handle = (pos[5] + pos[6] + 4) * center.talk_factor[agents][:, None]

    def gap_mean(sod: np.ndarray) -> np.ndarray:
        return np.maximum(3600.0 / (rate * _hour_shape(code, sod, lane_we[:, None])) - handle, 5.0)

    if ads:
        ring_at, keep = place(rng, [ad.available() for ad in ads], busy, gap_mean)
    else:
        ring_at, keep = np.zeros(shape, np.int64), np.zeros(shape, bool)
    lane = np.broadcast_to(np.arange(len(ads))[:, None], shape)[keep]
    ring_at = ring_at[keep]
    ring, talk, acw, hold, holds, chat = (x[keep] for x in (ring, talk, acw, hold, holds, chat))
    n = ring_at.size
    _, wait_mean, patience_mean, timeout = QUEUES[code]
    load = _hour_shape(code, ring_at, lane_we[lane])
    # Now and then the queue backs up (an outage, a campaign): a few callers wait far longer,
    # which is where timeouts and long abandons come from.
    surge = np.where(rng.random(n) < 0.01, 25.0, 1.0)
    queued = np.rint(rng.exponential(wait_mean * load**3 * surge, n)).astype(np.int64)
    wait = queued + ring  # Asterisk's holdtime runs until the agent picks up
    patience = np.maximum(np.rint(rng.exponential(patience_mean, n)), 1).astype(np.int64)
    answer = ring_at + ring
    enter = answer - wait
    outcome = np.where(patience < wait, 4, 0)
    if timeout:
        outcome = np.where(np.minimum(patience, wait) > timeout, 5, outcome)
    answered = outcome == 0
    u = rng.random(n)
    transfer = answered & (u < 0.06)
    outcome = np.where(answered & (u >= 0.06), np.where(rng.random(n) < 0.6, 0, 1), outcome)
    outcome = np.where(transfer, np.where(u < 0.04, 2, 3), outcome)
    end = np.where(answered, answer + talk + hold, enter + np.minimum(patience, timeout or 10**9))
    order = np.lexsort((lane, enter, lane_day[lane]))
    out = {
        "agent": agents[lane],
        "day": lane_day[lane],
        "enter": enter,
        "answer": answer,
        "end": end,
        "wait": np.where(answered, wait, end - enter),
        "ring": ring,
        "talk": talk,
        "hold": hold,
        "holds": holds,
        "acw": acw,
        "outcome": outcome,  # 0/1 complete caller/agent, 2 blind, 3 attended, 4 abandon, 5 timeout
        "chat": chat,
        "origpos": 1 + rng.poisson(queued / 25.0),
        "u": rng.random(n),  # spare uniform for the writers' occasional variants
        "v": rng.random(n),
    }
    out = {k: v[order] for k, v in out.items()}
    out["customer"] = _customers(rng, out["day"], 0.18)
    return out


def _dial(rng: np.random.Generator, center: Center, ads: list[AgentDay]) -> Table:
    agents = np.array([ad.agent for ad in ads], dtype=np.int64)
    lane_day = np.array([ad.day for ad in ads], dtype=np.int64)
    talk_mean = (POSITIONS[1][5] * center.talk_factor[agents])[:, None]
    shape = (len(ads), 9 * 3600 // 150)
    u = rng.random(shape)
    disp = np.where(u < 0.38, 0, np.where(u < 0.86, 1, 2))  # ANSWERED, NO ANSWER, BUSY
    ring = np.where(
        disp == 0, rng.integers(4, 20, shape), np.where(disp == 1, 30, rng.integers(1, 4, shape))
    )
    talk = np.where(
        disp == 0, np.maximum(np.rint(rng.lognormal(np.log(talk_mean), 0.7, shape)), 5), 0
    )
    wrap = np.where(disp == 0, rng.integers(15, 60, shape), rng.integers(3, 10, shape))
    busy = (ring + talk + wrap).astype(np.int64)

    def gap_mean(sod: np.ndarray) -> np.ndarray:
        return np.full(sod.shape, 170.0)

    if ads:
        start, keep = place(rng, [ad.available() for ad in ads], busy, gap_mean)
    else:
        start, keep = np.zeros(shape, np.int64), np.zeros(shape, bool)
    lane = np.broadcast_to(np.arange(len(ads))[:, None], shape)[keep]
    start, disp, ring, talk = start[keep], disp[keep], ring[keep], talk[keep].astype(np.int64)
    n = start.size
    conv = center.conversion[agents[lane]] if n else np.zeros(0)
    order = np.lexsort((lane, start, lane_day[lane]))
    out = {
        "agent": agents[lane],
        "day": lane_day[lane],
        "start": start,
        "answer": np.where(disp == 0, start + ring, -1),
        "end": start + ring + talk,
        "talk": talk,
        "disp": disp,
        "sale": (disp == 0) & (rng.random(n) < conv * 1.2) & (talk > 60),
    }
    out = {k: v[order] for k, v in out.items()}
    out["customer"] = _customers(rng, out["day"], 0.25)  # unanswered leads are dialled again
    return out
