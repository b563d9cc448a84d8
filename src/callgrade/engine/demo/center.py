"""The people of the demo center: positions, teams, levels, hire dates and persistent skill.

Skill is drawn once per agent and drives every later fact (talk time, QA, CSAT, conversion,
punctuality), so rankings computed from the demo files are stable and mean something. A few
agents are pushed to the extremes on purpose: a demo needs clear stars and clear strugglers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

# code, Chinese name, department, track, share of headcount, mean talk s, mean ACW s
POSITIONS: tuple[tuple[str, str, str, str, float, float, float], ...] = (
    ("front_desk", "前台接待", "综合服务部", "phone", 0.12, 150.0, 30.0),
    ("telesales", "电话销售", "销售部", "phone", 0.25, 200.0, 40.0),
    ("customer_service", "客户服务", "客户服务部", "phone", 0.40, 240.0, 45.0),
    ("technical_support", "后台技术支持", "技术支持部", "technical", 0.23, 420.0, 75.0),
)
LEVELS = ("junior", "intermediate", "senior", "expert")
LEVEL_NAMES = {"junior": "初级", "intermediate": "中级", "senior": "高级", "expert": "专家"}
TRACK_NAMES = {"phone": "电话", "technical": "技术"}
STATUS_NAMES = {"active": "在职", "probation": "试用期", "left": "离职"}

# Shift start hours (local) and how often each is rostered; shifts last 9 h with a 1 h lunch.
SHIFT_STARTS = np.array([8, 9, 10, 12])
SHIFT_WEIGHTS = np.array([0.25, 0.35, 0.25, 0.15])

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红文辉力鹏宇浩晨欣怡婷雪琳佳"


@dataclass(frozen=True)
class Center:
    """One row per employee; parallel arrays indexed by agent number."""

    ids: list[str]
    names: list[str]
    position: np.ndarray  # index into POSITIONS
    team: list[str]
    team_lead: list[str | None]
    level: np.ndarray  # index into LEVELS
    hire_date: list[date]
    left_date: list[date | None]  # last working day for leavers
    status: list[str]
    shift_start: np.ndarray  # local hour
    weekend_worker: np.ndarray  # bool: rests on two weekdays instead of Sat/Sun
    rest_days: np.ndarray  # (n, 2) weekday numbers (Mon=0)
    # persistent skill, all multiplicative around 1 or absolute means
    skill: np.ndarray  # the latent skill the facts below follow (talent and experience)
    talk_factor: np.ndarray
    acw_factor: np.ndarray
    qa_mean: np.ndarray
    csat_mean: np.ndarray
    conversion: np.ndarray
    lateness: np.ndarray  # probability of arriving late on a work day
    complaint_rate: np.ndarray  # complaints per 1,000 handled contacts
    competency: np.ndarray  # (n, 4) mean competency scores

    @property
    def n(self) -> int:
        return len(self.ids)

    def employed(self, i: int, day: date) -> bool:
        left = self.left_date[i]
        return self.hire_date[i] <= day and (left is None or day <= left)

    def position_code(self, i: int) -> str:
        return POSITIONS[int(self.position[i])][0]


def build_center(rng: np.random.Generator, agents: int, start: date, end: date) -> Center:
    """``end`` is the day after the demo period: the roster shows status as of then."""
    shares = np.array([p[4] for p in POSITIONS])
    counts = np.floor(shares * agents).astype(int)
    counts[2] += agents - counts.sum()  # rounding remainder goes to the biggest position
    position = np.repeat(np.arange(len(POSITIONS)), counts)
    n = agents
    ids = [f"E{i + 1:04d}" for i in range(n)]
    names = [
        _SURNAMES[rng.integers(len(_SURNAMES))]
        + "".join(_GIVEN[k] for k in rng.integers(len(_GIVEN), size=int(rng.integers(1, 3))))
        for _ in range(n)
    ]

    # Talent: a latent score per agent; extremes are set explicitly so stars/strugglers exist.
    talent = rng.normal(0.0, 1.0, n)
    order = rng.permutation(n)
    k = max(1, n // 40)
    talent[order[:k]] = rng.uniform(2.2, 2.8, k)
    talent[order[k : 2 * k]] = rng.uniform(-2.8, -2.2, k)

    # Tenure in years: long tail of veterans. Status is as of the end of the demo period (when
    # the roster is exported): a few were hired during the period and are still on probation,
    # a few left during it.
    tenure = rng.gamma(1.6, 1.6, n)
    hire = [start - timedelta(days=int(t * 365) + 30) for t in tenure]
    late_hires = rng.choice(n, size=max(1, n // 25), replace=False)
    for i in late_hires:
        hire[i] = max(start + timedelta(days=3), end - timedelta(days=int(rng.integers(15, 85))))
    status = ["probation" if (end - h).days < 90 else "active" for h in hire]
    left_date: list[date | None] = [None] * n
    candidates = [i for i in range(n) if status[i] == "active"]
    span = (end - start).days
    for i in rng.choice(candidates, size=min(len(candidates), max(1, n // 50)), replace=False):
        left_date[i] = start + timedelta(
            days=int(rng.integers(span // 3, max(span // 3 + 1, span - 7)))
        )
        status[i] = "left"

    years = np.array([(start - h).days / 365.0 for h in hire])
    level_score = np.clip(years / 2.5 + 0.35 * talent + rng.normal(0, 0.3, n), 0, 3.49)
    level = np.rint(level_score).astype(int)
    level[[(start - h).days < 90 for h in hire]] = 0

    # Teams of 10-15 within each position; the lead is the most senior member.
    team = [""] * n
    team_lead: list[str | None] = [None] * n
    for p in range(len(POSITIONS)):
        members = np.flatnonzero(position == p)
        if members.size == 0:
            continue
        n_teams = max(1, round(len(members) / 12.5))
        for t, chunk in enumerate(np.array_split(members, n_teams)):
            name = f"{POSITIONS[p][1]}{t + 1}组"
            lead = int(chunk[np.argmax(years[chunk] + level[chunk])])
            for i in chunk:
                team[i] = name
                team_lead[i] = None if i == lead else ids[lead]
            level[lead] = max(level[lead], 2)
            if status[lead] == "left":
                left_date[lead] = None
                status[lead] = "active"

    experience = np.clip(years, 0, 5) / 5.0
    skill = 0.8 * talent + 0.6 * experience  # newer agents are a little slower and weaker
    talk_factor = np.exp(-0.12 * skill + rng.normal(0, 0.05, n))
    acw_factor = np.exp(-0.15 * skill + rng.normal(0, 0.08, n))
    qa_mean = np.clip(84 + 4.5 * skill + rng.normal(0, 1.5, n), 55, 98)
    csat_mean = np.clip(4.15 + 0.25 * skill + rng.normal(0, 0.08, n), 2.8, 4.9)
    conversion = np.clip(0.09 + 0.03 * skill + rng.normal(0, 0.01, n), 0.01, 0.25)
    lateness = np.clip(0.03 - 0.015 * talent + rng.normal(0, 0.005, n), 0.002, 0.15)
    complaint_rate = np.clip(1.2 - 0.5 * skill + rng.normal(0, 0.2, n), 0.1, 5.0)
    competency = np.clip(
        72 + 6 * skill[:, None] + rng.normal(0, 4, (n, 4)) + 2 * level[:, None], 40, 99
    )

    shift_start = rng.choice(SHIFT_STARTS, size=n, p=SHIFT_WEIGHTS)
    inbound = np.isin(position, [2, 3])
    weekend_worker = inbound & (rng.random(n) < 0.4)
    rest_days = np.tile([5, 6], (n, 1))
    first = rng.integers(0, 4, n)
    rest_days[weekend_worker, 0] = first[weekend_worker]
    rest_days[weekend_worker, 1] = first[weekend_worker] + 1 + rng.integers(1, 3, n)[weekend_worker]
    return Center(
        ids=ids,
        names=names,
        position=position,
        team=team,
        team_lead=team_lead,
        level=level,
        hire_date=hire,
        left_date=left_date,
        status=status,
        shift_start=shift_start,
        weekend_worker=weekend_worker,
        rest_days=rest_days,
        skill=skill,
        talk_factor=talk_factor,
        acw_factor=acw_factor,
        qa_mean=qa_mean,
        csat_mean=csat_mean,
        conversion=conversion,
        lateness=lateness,
        complaint_rate=complaint_rate,
        competency=competency,
    )
