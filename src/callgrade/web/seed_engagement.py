"""The demo's suggestions and team activities, made through the services people use: a
suggestion in every state of the workflow (some anonymous, some supported, one adopted with an
award), activities past (participation recorded) and coming up (with sign-ups). Once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from callgrade.engagement.models import Activity, SignUp, Suggestion, Support
from callgrade.engagement.services.activities import (
    activity_create,
    activity_participation,
    activity_signup,
)
from callgrade.engagement.services.suggestions import (
    suggestion_award,
    suggestion_move,
    suggestion_submit,
    suggestion_support,
)
from callgrade.people.models import Employee

# (who, anonymous, category, title, text, steps: (state, answer or reason)…, supporters)
# fmt: off
SUGGESTIONS: list[tuple[str, bool, str, str, str, list[tuple[str, str]], int]] = [
    ("agent", True, "process", "排班表提前两周公布",
     "现在排班表只提前一周公布，家里有事很难调班。建议至少提前两周公布，并开放线上换班申请。",
     [("under_review", "已转排班组评估，两周内答复。")], 6),
    ("lead", False, "training", "质检评分标准配示例录音",
     "新人对质检评分标准理解不一。建议每个评分项配一段优秀录音和一段问题录音，放进知识库。",
     [("under_review", ""), ("adopted", "采纳：质检组本月整理首批示例录音。")], 4),
    ("agent", False, "tools", "知识库搜索支持拼音和简称",
     "通话中输入产品全称太慢，建议知识库搜索支持拼音首字母和常用简称。",
     [("under_review", ""), ("adopted", "采纳，已提交系统需求。"),
      ("implemented", "知识库 3.2 版已上线拼音搜索。")], 3),
    ("lead", True, "workplace", "夜班增加一名值班班长",
     "夜班遇到升级投诉时没有班长可以接手，建议夜班增加一名值班班长。",
     [("under_review", ""),
      ("declined", "夜班话务量不足以增设岗位；改为由值班经理电话支持升级投诉。")], 2),
    ("agent", True, "service", "高峰时段暂停非紧急培训",
     "周一上午话务高峰时还安排培训，接通率明显下降。建议高峰时段不安排非紧急培训。",
     [], 1),
    ("lead", False, "service", "更新客户回访话术",
     "回访话术还是两年前的版本，很多客户觉得生硬。建议结合近期满意度反馈更新。", [], 0),
]
# fmt: on
AWARD = ("500", "示例录音让新人质检平均分提升，按合理化建议奖励办法一等奖发放。")


def _supporters(exclude: set[int], n: int) -> list[Employee]:
    return list(Employee.objects.exclude(pk__in=exclude).order_by("employee_id")[:n])


def seed_suggestions(hr: Any) -> int:
    if Suggestion.objects.exists():
        return 0
    users = get_user_model().objects
    for who, anonymous, category, title, text, steps, supporters in SUGGESTIONS:
        author = users.get(username=who)
        s = suggestion_submit(
            actor=author, title=title, text=text, category=category, anonymous=anonymous
        )
        others = [u for u in ("agent", "lead") if u != who][:supporters]
        for name in others:
            suggestion_support(actor=users.get(username=name), suggestion=s)
        # colleagues without a login of their own in the demo support it as well
        mine = {e.pk for e in Employee.objects.filter(user__username__in=("agent", "lead"))}
        for emp in _supporters(mine, supporters - len(others)):
            Support.objects.get_or_create(suggestion=s, employee=emp)
        for state, said in steps:
            reason = said if state == Suggestion.DECLINED else ""
            answer = "" if reason else said
            s = suggestion_move(actor=hr, suggestion=s, to=state, answer=answer, reason=reason)
        if s.status == Suggestion.ADOPTED:
            suggestion_award(actor=hr, suggestion=s, amount=AWARD[0], reason=AWARD[1])
    return len(SUGGESTIONS)


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_activities(hr: Any) -> int:
    if Activity.objects.exists():
        return 0
    users = get_user_model().objects
    lead, agent = users.get(username="lead"), users.get(username="agent")
    team = Employee.objects.get(user=lead).team
    past_center = activity_create(
        actor=hr, title="季度羽毛球友谊赛", place="体育中心 3 号馆", capacity=24,
        starts_at=_at(-12, 14), ends_at=_at(-12, 17),
        description="各班组自由组队，赛后聚餐。",
    )  # fmt: skip
    past_team = activity_create(
        actor=lead, title="班组复盘茶话会", place="3 楼会议室", team=team,
        starts_at=_at(-5, 17), ends_at=_at(-5, 18),
        description="回顾本月难点来电，分享处理经验。",
    )  # fmt: skip
    # sign-ups close when an activity starts: those of the past ones are recorded as they were
    members = list(Employee.objects.filter(team=team).order_by("employee_id")[:6])
    for a, who in ((past_center, _supporters(set(), 10)), (past_team, members)):
        rows = [SignUp.objects.create(activity=a, employee=e) for e in who]
        took_part = [r.pk for i, r in enumerate(rows) if i % 4 != 3]  # a few did not come
        activity_participation(actor=a.organizer, activity=a, attended=took_part)
    upcoming_center = activity_create(
        actor=hr, title="读书分享会：《非暴力沟通》", place="培训教室 A", capacity=20,
        starts_at=_at(9, 18), ends_at=_at(9, 20),
        description="每人分享一个把书中方法用在通话里的例子。",
    )  # fmt: skip
    upcoming_team = activity_create(
        actor=lead, title="班组户外徒步", place="西山森林公园南门", team=team, capacity=8,
        starts_at=_at(16, 9), ends_at=_at(16, 15),
    )  # fmt: skip
    for a in (upcoming_center, upcoming_team):
        activity_signup(actor=agent, activity=a)
    activity_signup(actor=lead, activity=upcoming_team)
    return 4


def seed_engagement() -> dict[str, int]:
    """The demo's suggestions and activities (nothing when they exist already)."""
    hr = get_user_model().objects.get(username="hr")
    return {"suggestions": seed_suggestions(hr), "activities": seed_activities(hr)}
