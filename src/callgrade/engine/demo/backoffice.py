"""Exports of the systems around the phones: HR roster, surveys, QA, sales, attendance,
complaints, competency assessments and training records, as header + rows ready for CSV or XLSX.

Each fact follows the agent's persistent skill (center.py) plus noise, and refers to real
contacts of the telephony files where the source would know them (survey and sale call ids).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from callgrade.engine.demo.center import (
    LEVEL_NAMES,
    LEVELS,
    POSITIONS,
    STATUS_NAMES,
    TRACK_NAMES,
    Center,
)
from callgrade.engine.demo.schedule import AgentDay
from callgrade.engine.demo.timebase import Days, format_local
from callgrade.engine.demo.traffic import Table, Traffic

Rows = tuple[list[str], list[list[Any]]]
KIND_NAMES = {
    "present": "出勤",
    "leave": "请假",
    "late": "迟到",
    "early_leave": "早退",
    "absent": "旷工",
}
# code, Chinese name, how the training department assesses it (exam or observation)
COMPETENCIES = (
    ("business_knowledge", "业务知识", "exam"),
    ("communication", "沟通能力", "observation"),
    ("teamwork", "团队协作", "observation"),
    ("problem_solving", "问题解决", "exam"),
)
METHOD_NAMES = {"exam": "笔试", "observation": "现场观察"}
EXAMINERS = ("培训部王老师", "培训部陈老师", "培训部刘老师")
# code, course number, Chinese name, kind as the learning platform writes it
COURSES = (
    ("service_basics", "KC-101", "客户服务基础", "课程"),
    ("product_certification", "RZ-201", "产品知识认证", "认证"),
)
CERT_PASS_MARK = 80
CERT_VALID_YEARS = 3
COMPLAINT_CATEGORIES = ("服务态度", "业务差错", "响应不及时", "其他")
PRODUCTS = ("宽带套餐", "流量包", "会员年卡", "智能家居")


def roster(center: Center) -> Rows:
    head = ["工号", "姓名", "班组", "组长工号", "部门", "岗位", "序列", "级别", "入职日期", "状态"]
    rows = []
    for i in range(center.n):
        pos = POSITIONS[int(center.position[i])]
        h = center.hire_date[i]
        rows.append(
            [
                center.ids[i],
                center.names[i],
                center.team[i],
                center.team_lead[i],
                pos[2],
                pos[1],
                TRACK_NAMES[pos[3]],
                LEVEL_NAMES[LEVELS[int(center.level[i])]],
                datetime(h.year, h.month, h.day),
                STATUS_NAMES[center.status[i]],
            ]
        )
    return head, rows


def _answered(t: Table) -> np.ndarray:
    return np.flatnonzero(t["outcome"] <= 3) if t else np.zeros(0, np.int64)


def surveys(rng: np.random.Generator, center: Center, days: Days, traffic: Traffic) -> Rows:
    head = ["Survey ID", "工号", "Call ID", "Caller", "Response time", "Score", "NPS", "Resolved"]
    rows: list[list[Any]] = []
    for t, idcol in ((traffic.inbound, "callid"), (traffic.contacts, "contact_id")):
        idx = _answered(t)
        idx = idx[rng.random(idx.size) < 0.09]
        if not idx.size:
            continue
        agent = t["agent"][idx]
        mean = center.csat_mean[agent]
        csat = np.clip(np.rint(rng.normal(mean, 0.75)), 1, 5).astype(int)
        nps = np.clip(np.rint(2.2 * csat - 1 + rng.normal(0, 1.1, idx.size)), 0, 10).astype(int)
        resolved = rng.random(idx.size) < np.clip(0.45 + 0.12 * (csat - 3), 0.05, 0.95)
        when = days.local(t["day"][idx], t["end"][idx] + rng.integers(60, 3600, idx.size))
        for k, i in enumerate(idx):
            rows.append(
                [
                    "",
                    center.ids[int(agent[k])],
                    str(t[idcol][i]),
                    str(t["customer"][i]),
                    when[k],
                    int(csat[k]),
                    int(nps[k]),
                    "是" if resolved[k] else "否",
                ]
            )
    rows.sort(key=lambda r: (r[4], r[2]))
    stamps = format_local(np.array([r[4] for r in rows], dtype=np.int64))
    for n, (r, s) in enumerate(zip(rows, stamps, strict=True)):
        r[0], r[4] = f"SV{n + 1:07d}", s
    return head, rows


def qa_evaluations(rng: np.random.Generator, center: Center, days: Days) -> Rows:
    head = ["评估编号", "工号", "评估时间", "得分", "致命错误", "质检员", "评估表"]
    rows: list[list[Any]] = []
    for label, first, end in days.chunks():
        for a in range(center.n):
            worked = [
                d
                for d in range(first, end)
                if center.employed(a, days.date(d)) and not days.weekend[d]
            ]
            if not worked:
                continue
            k = int(rng.integers(2, 5)) if len(worked) > 8 else 1
            for d in sorted(rng.choice(worked, size=k)):
                score = float(np.clip(np.round(rng.normal(center.qa_mean[a], 6.0), 1), 0, 100))
                fail = rng.random() < (0.08 if center.qa_mean[a] < 76 else 0.015)
                when = datetime.combine(days.date(int(d)), datetime.min.time()) + timedelta(
                    seconds=int(rng.integers(9 * 3600, 18 * 3600))
                )
                rows.append([label, center.ids[a], when, score, "是" if fail else "否"])
    rows.sort(key=lambda r: (r[2], r[1]))
    for n, r in enumerate(rows):
        r[0] = f"QA{n + 1:06d}"
        r.extend([f"质检员{(n * 7) % 5 + 1}", "通话质检表V3"])
    return head, rows


def sales(rng: np.random.Generator, center: Center, days: Days, dials: Table) -> Rows:
    head = ["订单号", "工号", "通话ID", "下单时间", "金额", "订单状态", "产品"]
    idx = np.flatnonzero(dials["sale"]) if dials else np.zeros(0, np.int64)
    when = (
        format_local(
            days.local(dials["day"][idx], dials["end"][idx] + rng.integers(30, 900, idx.size))
        )
        if idx.size
        else []
    )
    amount = np.round(rng.lognormal(np.log(600), 0.6, idx.size), 2)
    cancelled = rng.random(idx.size) < 0.06
    product = rng.integers(0, len(PRODUCTS), idx.size)
    rows = [
        [
            f"SO{k + 1:08d}",
            center.ids[int(dials["agent"][i])],
            str(dials["uniqueid"][i]),
            when[k],
            float(amount[k]),
            "已取消" if cancelled[k] else "有效",
            PRODUCTS[int(product[k])],
        ]
        for k, i in enumerate(idx)
    ]
    return head, rows


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def attendance(center: Center, days: Days, agent_days: list[AgentDay]) -> Rows:
    head = ["记录编号", "工号", "日期", "类型", "分钟", "排班时长", "遵从时长"]
    rows = []
    for ad in sorted(agent_days, key=lambda x: (x.day, x.agent)):
        day = days.date(ad.day)
        rows.append(
            [
                f"AT{day:%Y%m%d}{center.ids[ad.agent]}",
                center.ids[ad.agent],
                day.isoformat(),
                KIND_NAMES[ad.kind],
                "" if ad.minutes is None else int(ad.minutes),
                _hms(ad.scheduled_s),
                _hms(ad.adherent_s),
            ]
        )
    return head, rows


def complaints(rng: np.random.Generator, center: Center, days: Days, traffic: Traffic) -> Rows:
    head = ["投诉单号", "工号", "关联通话", "受理时间", "是否有效", "严重程度", "投诉类别"]
    picked: list[tuple[int, int, int, str]] = []
    for t, idcol in ((traffic.inbound, "callid"), (traffic.contacts, "contact_id")):
        idx = _answered(t)
        idx = idx[rng.random(idx.size) < center.complaint_rate[t["agent"][idx]] / 1000.0]
        later = rng.integers(1800, 3 * 86400, idx.size)
        for k, i in enumerate(idx):
            sec = int(days.local(t["day"][i], t["end"][i] + later[k]))
            picked.append((sec, int(t["agent"][i]), int(i), str(t[idcol][i])))
    picked.sort()
    stamps = format_local(np.array([p[0] for p in picked], dtype=np.int64))
    rows = []
    for n, ((_, a, _, call), when) in enumerate(zip(picked, stamps, strict=True)):
        valid = rng.random() < 0.6
        rows.append(
            [
                f"TS{n + 1:06d}",
                center.ids[a],
                call,
                when,
                "是" if valid else "否",
                "重大" if rng.random() < 0.15 else "一般",
                COMPLAINT_CATEGORIES[int(rng.integers(0, len(COMPLAINT_CATEGORIES)))],
            ]
        )
    return head, rows


def competency(rng: np.random.Generator, center: Center, days: Days) -> Rows:
    """Two assessment sessions: exams set by the training department, observations by the team
    lead (a lead is observed by the department's manager)."""
    head = ["考核编号", "工号", "能力项", "考核方式", "得分", "考核时间", "考核人"]
    rows = []
    sessions = sorted({min(45, days.n - 1), min(135, days.n - 1)})
    for n, s in enumerate(sessions):
        day = days.date(s)
        when = f"{day:%Y-%m-%d} 10:00"
        for a in range(center.n):
            if not center.employed(a, day):
                continue
            for c, (_, name, method) in enumerate(COMPETENCIES):
                score = float(np.clip(np.round(rng.normal(center.competency[a, c], 3.0)), 0, 100))
                if method == "exam":
                    assessor = EXAMINERS[(n + c) % len(EXAMINERS)]
                else:
                    lead = center.team_lead[a]
                    assessor = lead or f"{POSITIONS[int(center.position[a])][2]}经理"
                rows.append(
                    [
                        f"CP{day:%Y%m%d}{center.ids[a]}{c + 1}",
                        center.ids[a],
                        name,
                        METHOD_NAMES[method],
                        score,
                        when,
                        assessor,
                    ]
                )
    return head, rows


def _years_later(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _workday(d: date, last: date) -> date:
    """The next Monday for a weekend day, unless that is after ``last``."""
    monday = d + timedelta(days=(7 - d.weekday()) % 7) if d.weekday() >= 5 else d
    return monday if monday <= last else d


def trainings(rng: np.random.Generator, center: Center, days: Days) -> Rows:
    """The learning platform's records of the two courses the standards name, one row per
    attempt, as exported the day after the demo period.

    Nearly everyone took the onboarding course service_basics in their first months (no exam).
    The product certification is sat by agents with some months of tenure, the more likely the
    stronger and longer-serving they are, on a day spread over the two years before the period
    and the period itself; its exam needs CERT_PASS_MARK points, and a failed attempt is retaken
    one to three months later."""
    head = [
        "记录编号",
        "工号",
        "姓名",
        "课程编号",
        "课程名称",
        "课程类型",
        "完成日期",
        "考试成绩",
        "考核结果",
        "证书编号",
        "证书失效日期",
    ]
    start, export = days.first, days.date(days.n)
    window = start - timedelta(days=730)
    years = np.array([(start - h).days / 365.0 for h in center.hire_date])
    odds = -1.8 + 1.5 * center.skill + 0.5 * np.clip(years, 0, 5)
    sits = rng.random(center.n) < 1.0 / (1.0 + np.exp(-odds))
    takes_basics = rng.random(center.n) < 0.94
    basics_after = rng.integers(7, 100, center.n)
    # (day, agent, course, exam score or None)
    attempts: list[tuple[date, int, int, int | None]] = []
    for a in range(center.n):
        left = center.left_date[a]
        last = min(export - timedelta(days=1), left or export)
        hire = center.hire_date[a]
        done = _workday(hire + timedelta(days=int(basics_after[a])), last)
        if takes_basics[a] and done <= last:
            attempts.append((done, a, 0, None))
        first = max(window, hire + timedelta(days=120))
        if not sits[a] or first > last:
            continue
        day = first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
        day = _workday(day, last)
        mean = 86 + 4.0 * center.skill[a]
        for _ in range(3):
            score = int(np.clip(np.rint(rng.normal(mean, 6.0)), 30, 100))
            attempts.append((day, a, 1, score))
            day = _workday(day + timedelta(days=int(rng.integers(30, 92))), last)
            if score >= CERT_PASS_MARK or day > last:
                break
            mean += 4.0  # studied for the retake
    attempts.sort(key=lambda x: (x[0], center.ids[x[1]], x[2]))
    rows = []
    issued: dict[int, int] = {}
    for n, (day, a, c, exam) in enumerate(attempts):
        _, number, name, kind = COURSES[c]
        if exam is None:
            result, cert, lapses = "已完成", "", ""
        elif exam >= CERT_PASS_MARK:
            issued[day.year] = issued.get(day.year, 0) + 1
            result, cert = "通过", f"CPC{day.year}{issued[day.year]:04d}"
            lapses = _years_later(day, CERT_VALID_YEARS).isoformat()
        else:
            result, cert, lapses = "未通过", "", ""
        rows.append(
            [
                f"PX{n + 1:06d}",
                center.ids[a],
                center.names[a],
                number,
                name,
                kind,
                day.isoformat(),
                "" if exam is None else exam,
                result,
                cert,
                lapses,
            ]
        )
    return head, rows
