"""Who works when: rest days, attendance (leave, late, early), logins and pauses per agent-day.

Times are seconds from local midnight of the day; the traffic and writer modules turn them into
absolute times. Attendance facts and the login/pause intervals come from the same draws, so the
attendance file agrees with what the telephony files show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from callgrade.engine.demo.center import Center

SHIFT_S = 9 * 3600
LUNCH_S = 3600
SCHEDULED_S = SHIFT_S - LUNCH_S


@dataclass(frozen=True)
class AgentDay:
    agent: int
    day: int  # index from the first demo day
    kind: str  # present, late, early_leave, leave, absent
    minutes: float | None
    scheduled_s: float | None
    adherent_s: float | None
    login: int  # seconds from local midnight; 0 with logoff 0 when not at work
    logoff: int
    pauses: tuple[tuple[int, int, str], ...]  # (start, end, reason), sorted, disjoint

    @property
    def at_work(self) -> bool:
        return self.logoff > self.login

    def available(self) -> np.ndarray:
        """Logged-in, unpaused intervals as an (k, 2) array of [start, end)."""
        edges = [self.login]
        for s, e, _ in self.pauses:
            edges += [s, e]
        edges.append(self.logoff)
        iv = np.array(edges, dtype=np.int64).reshape(-1, 2)
        return iv[iv[:, 1] - iv[:, 0] > 60]


def works_on(center: Center, agent: int, day: date) -> bool:
    return center.employed(agent, day) and day.weekday() not in center.rest_days[agent]


def _pauses(rng: np.random.Generator, start: int, login: int, logoff: int) -> list:
    lunch_at = start + 4 * 3600 + int(rng.normal(0, 600))
    lunch_len = LUNCH_S + int(rng.exponential(240)) - 120
    out = [(lunch_at, lunch_at + lunch_len, "Lunch")]
    if rng.random() < 0.08:
        t = start + 5400 + int(rng.integers(0, 1800))
        out.append((t, t + int(rng.choice([2700, 3600, 5400])), "Training"))
    if rng.random() < 0.05:
        t = start + 6 * 3600 + int(rng.integers(0, 1800))
        out.append((t, t + 1800 + int(rng.integers(0, 600)), "Meeting"))
    for _ in range(int(rng.integers(1, 4))):
        t = start + int(rng.integers(3600, SHIFT_S - 1800))
        out.append((t, t + int(rng.integers(180, 720)), "Toilet"))
    out.sort()
    kept: list[tuple[int, int, str]] = []
    for s, e, r in out:
        if s > login + 300 and e < logoff - 300 and (not kept or s > kept[-1][1] + 120):
            kept.append((s, e, r))
    return kept


def agent_day(rng: np.random.Generator, center: Center, agent: int, day: int) -> AgentDay:
    """Attendance and logged-in intervals of one scheduled work day."""
    start = int(center.shift_start[agent]) * 3600
    end = start + SHIFT_S
    u = rng.random(4)
    if u[0] < 0.022:
        return AgentDay(agent, day, "leave", 480.0, None, None, 0, 0, ())
    if u[0] < 0.022 + center.lateness[agent] / 10:
        return AgentDay(agent, day, "absent", 480.0, None, None, 0, 0, ())
    kind, minutes = "present", None
    late_s = early_s = 0
    if u[1] < center.lateness[agent]:
        late_s = 60 + int(rng.exponential(600))
        kind, minutes = "late", float(late_s // 60)
    elif u[2] < 0.012:
        early_s = 600 + int(rng.integers(0, 6600))
        kind, minutes = "early_leave", float(early_s // 60)
    login = start + late_s if late_s else start - int(rng.integers(0, 480))
    logoff = end - early_s if early_s else end + int(rng.integers(0, 360))
    pauses = _pauses(rng, start, login, logoff)
    overrun = sum(max(0, e - s - LUNCH_S) for s, e, r in pauses if r == "Lunch")
    adherent = SCHEDULED_S - late_s - early_s - overrun - int(rng.integers(0, 900))
    return AgentDay(
        agent,
        day,
        kind,
        minutes,
        float(SCHEDULED_S),
        float(max(adherent, 0)),
        login,
        logoff,
        tuple(pauses),
    )


def work_days(rng: np.random.Generator, center: Center, first: date, days: int) -> list[AgentDay]:
    out = []
    for d in range(days):
        day = first + timedelta(days=d)
        for a in range(center.n):
            if works_on(center, a, day):
                out.append(agent_day(rng, center, a, d))
    return out
