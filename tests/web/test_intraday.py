"""The intraday page and its workbook on the demo center: each reader sees their own scope, the
center's interval figures add up from its agents', the workbook keeps every figure's evidence,
and a range that cannot be read is explained in the reader's language."""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from typing import Any

from openpyxl import load_workbook

from callgrade.intraday.selectors import last_day, time_zone
from callgrade.people.models import Employee


def _day() -> str:
    return last_day(time_zone()).isoformat()


def _sheet(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _chart(html: str) -> dict[str, Any]:
    m = re.search(r'<script id="intraday-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no chart data"
    return json.loads(m.group(1))


def test_hr_reads_the_center_per_half_hour_by_default(login: Any, hr: Any) -> None:
    r = login(hr).get("/intraday/")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="intraday-table"' in html
    chart = _chart(html)
    assert len(chart["intervals"]) == 48 and chart["intervals"][0] == "00:00–00:30"
    assert [s["name"] for s in chart["series"]] == ["Whole center"]
    assert sum(chart["handled"]) > 0  # the demo's last day has calls
    assert f'value="{_day()}T00:00"' in html  # the last day with data is the default


def test_the_center_adds_up_from_its_agents(login: Any, hr: Any) -> None:
    c = login(hr)
    query = f"from={_day()}T00:00&to={_day()}T23:59&grain=30min"
    center = _sheet(c.get(f"/intraday.xlsx?{query}&by=center"))
    agents = _sheet(c.get(f"/intraday.xlsx?{query}&by=agent"))
    assert center and agents
    login_s: dict[Any, float] = defaultdict(float)
    handled: dict[Any, int] = defaultdict(int)
    for row in agents:
        login_s[row["Interval start"]] += row["Logged-in time"] or 0
        handled[row["Interval start"]] += row["Average handle time · Sample"] or 0
    for row in center:
        start = row["Interval start"]
        # time is per agent (union of their queues), so the center's is the sum of its agents'
        assert row["Logged-in time"] == login_s[start], start
        assert row["Average handle time · Sample"] == handled[start], start
    assert sum(login_s.values()) > 0
    # the last interval of this range is cut at 23:59
    assert center[-1]["Interval end"].strftime("%H:%M") <= "23:59"


def test_the_workbook_keeps_each_figures_evidence(login: Any, hr: Any) -> None:
    rows = _sheet(login(hr).get(f"/intraday.xlsx?from={_day()}T00:00&to={_day()}T23:00&by=team"))
    with_calls = [r for r in rows if r["Service level · Denominator"]]
    assert with_calls
    for r in with_calls:
        ratio = r["Service level · Numerator"] / r["Service level · Denominator"]
        assert abs(r["Service level"] - ratio) < 1e-6
        assert r["Service level · Sample"] >= 1
    assert all(r["Logged-in time · Denominator"] is None for r in rows)  # a total has none


def test_an_agent_sees_only_their_own_intervals(login: Any, agent: Any) -> None:
    me = Employee.objects.get(user=agent)
    others = Employee.objects.exclude(pk=me.pk).exclude(team=None)
    c = login(agent)
    # asking for the center or a queue gives the agent's own intervals, nothing wider
    for by in ("center", "queue", "team", "agent"):
        rows = _sheet(c.get(f"/intraday.xlsx?by={by}"))
        assert rows and {r["Agent"] for r in rows} == {me.employee_id}, by
    html = c.get("/intraday/?by=center").content.decode()
    assert me.name in html
    assert not [o.name for o in others if o.name in html]
    assert "Whole center" not in html  # no level wider than oneself is offered


def test_a_lead_sees_their_teams_agents_and_no_one_else(
    login: Any, lead: Any, other_agent: Any
) -> None:
    mine = Employee.objects.get(user=lead)
    team_ids = set(mine.teams_led.values_list("members__employee_id", flat=True)) | {
        mine.employee_id
    }
    c = login(lead)
    rows = _sheet(c.get(f"/intraday.xlsx?from={_day()}T00:00&to={_day()}T23:59&by=agent"))
    assert rows and {r["Agent"] for r in rows} <= team_ids
    outsider = Employee.objects.get(user=other_agent)
    assert outsider.employee_id not in {r["Agent"] for r in rows}
    teams = _sheet(c.get(f"/intraday.xlsx?from={_day()}T00:00&to={_day()}T23:59&by=queue"))
    assert {r["Team"] for r in teams} <= set(mine.teams_led.values_list("name", flat=True))
    html = c.get("/intraday/").content.decode()
    assert outsider.name not in html
    assert [s["name"] for s in _chart(html)["series"]] == [mine.teams_led.get().name]


def test_a_range_of_times_in_quarter_hours(login: Any, hr: Any) -> None:
    html = login(hr).get(f"/intraday/?from={_day()}T09:10&to={_day()}T10:00&grain=15min")
    chart = _chart(html.content.decode())
    assert chart["intervals"] == ["09:10–09:15", "09:15–09:30", "09:30–09:45", "09:45–10:00"]


def test_a_range_that_cannot_be_read_is_explained(login: Any, hr: Any) -> None:
    c = login(hr)
    day = _day()
    cases = {
        f"from={day}T10:00&to={day}T09:00": "The end must be after the start.",
        f"from=yesterday&to={day}T09:00": "Give the start and the end as a date and a time.",
        f"from={day}T00:00&to=2099-01-01T00:00": "Show at most 7 days at a time",
    }
    for query, message in cases.items():
        r = c.get(f"/intraday/?{query}")
        assert r.status_code == 200 and message in r.content.decode(), query
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    zh = c.get(f"/intraday/?from={day}T10:00&to={day}T09:00").content.decode()
    assert "结束时间必须晚于开始时间。" in zh
