"""The records behind a KPI as people read them: a page at a time with a count that adds up to
the stored numerator and denominator, columns and values in the reader's language, the data
source only on demand, the dispute link per record, and nobody else's records."""

from __future__ import annotations

import html
import re
from typing import Any

from callgrade.cycles.models import Cycle, KpiValue

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
UUIDISH = re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}|\b[0-9a-f]{16,}\b")


def _text(page: str) -> str:
    """What a reader sees: the main part without tags, scripts and attribute values."""
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"<(script|style).*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def _get(client: Any, emp: str, **query: Any) -> Any:
    return client.get(f"/people/{emp}/records/", query)


def _stored(cycle: Any, emp: Any, kpi: str) -> KpiValue:
    kv = KpiValue.objects.filter(cycle=cycle, employee=emp, kpi=kpi).order_by("period").first()
    assert kv is not None
    return kv


def test_records_come_a_page_at_a_time_and_add_up(login: Any, agent: Any, demo_cycle: Any) -> None:
    emp = agent.employee
    kv = _stored(demo_cycle, emp, "answer_rate")
    assert kv.denominator and kv.denominator > 100  # more than two pages
    c = login(agent)
    q = {"cycle": demo_cycle.pk, "period": kv.period, "kpi": "answer_rate"}
    first = _get(c, emp.employee_id, **q)
    assert first.status_code == 200
    page = first.context["page"]
    total = int(kv.denominator)
    assert page.paginator.count == total and len(page.object_list) == 50
    body = first.content.decode()
    assert f"1–50 of {total:,}" in _text(body)
    # the summary is the stored numerator and denominator, and the rows' own sums match them
    assert first.context["totals"]["numerator"] == kv.numerator
    assert first.context["totals"]["denominator"] == kv.denominator
    assert not first.context["changed"]
    # page links keep the cycle, the period and the KPI
    assert (
        f'href="?cycle={demo_cycle.pk}&amp;period={kv.period}&amp;kpi=answer_rate&amp;page=2"'
        in body
    )
    second = _get(c, emp.employee_id, **q, page=2)
    ids = {r.record_id for r in first.context["page"].object_list}
    ids2 = {r.record_id for r in second.context["page"].object_list}
    assert len(ids2) == 50 and not ids & ids2
    assert f"51–100 of {total:,}" in _text(second.content.decode())
    # every page together is every record, once
    last_number = page.paginator.num_pages
    seen = set()
    for n in range(1, last_number + 1):
        seen |= {r.record_id for r in _get(c, emp.employee_id, **q, page=n).context["page"]}
    assert len(seen) == total
    # a page past the end shows the last page; a page that is no number the first
    past = _get(c, emp.employee_id, **q, page=9999)
    assert past.status_code == 200 and past.context["page"].number == last_number
    assert _get(c, emp.employee_id, **q, page="x").context["page"].number == 1


def test_headers_and_values_are_words_in_the_readers_language(
    login: Any, agent: Any, demo_cycle: Any
) -> None:
    emp = agent.employee
    c = login(agent)
    for kpi, en, zh in (
        ("service_level", ("Wait (m:ss)", "Outcome", "Answered"), ("等待（分:秒）", "已接听")),
        ("csat", ("Satisfaction (1–5)", "Customer says resolved"), ("满意度（1–5）", "客户表示")),
        ("qa_score", ("QA score (0–100)", "Critical fail", "✗ No"), ("质检得分", "致命错误")),
        ("occupancy", ("Login and pause time", "Logged in"), ("登录与小休时段", "已登录")),
        ("adherence", ("Scheduled (h:mm:ss)",), ("排班时长",)),
    ):
        q = {"cycle": demo_cycle.pk, "period": _stored(demo_cycle, emp, kpi).period, "kpi": kpi}
        for lang, words in (("en", en), ("zh-hans", zh)):
            r = c.get(f"/people/{emp.employee_id}/records/", q, HTTP_ACCEPT_LANGUAGE=lang)
            assert r.status_code == 200
            text = _text(r.content.decode())
            for w in words:
                assert w in text, (kpi, lang, w)
            assert "True" not in text and "False" not in text, (kpi, lang)
            assert not SNAKE.findall(text), (kpi, lang, SNAKE.findall(text)[:5])
            assert not UUIDISH.search(text), (kpi, lang)
            assert ".csv" not in text and ".xlsx" not in text  # no file names by default
            if lang == "zh-hans":
                # nothing English on a Chinese page but the data itself (queue names, forms)
                assert "Counted" not in text and "Why" not in text and "Numerator" not in text
            else:
                assert not re.search(r"[\u4e00-\u9fff]", text.split("—")[0])


def test_a_counted_call_says_why_in_words(login: Any, agent: Any, demo_cycle: Any) -> None:
    emp = agent.employee
    kv = _stored(demo_cycle, emp, "service_level")
    r = _get(
        login(agent),
        emp.employee_id,
        cycle=demo_cycle.pk,
        period=kv.period,
        kpi="service_level",
    )
    rows = [row for g in r.context["groups"] for row in g.rows]
    whys = {row.why for row in rows}
    assert "Answered within 20 s: meets the service level." in whys
    for row in rows:
        assert row.counted
        wait = dict((c.key, v) for c, v in row.cells)["queue_wait_s"]
        assert re.fullmatch(r"\d+:\d\d|—", wait)  # m:ss


def test_the_data_source_shows_on_demand_and_dispute_links_stay(
    login: Any, agent: Any, lead: Any, demo_cycle: Any
) -> None:
    emp = agent.employee
    kv = _stored(demo_cycle, emp, "csat")
    q = {"cycle": demo_cycle.pk, "period": kv.period, "kpi": "csat"}
    hidden = _get(login(agent), emp.employee_id, **q)
    row = hidden.context["groups"][0].rows[0]
    assert row.record_id not in _text(hidden.content.decode())
    assert row.ref not in _text(hidden.content.decode())
    body = hidden.content.decode()
    toggle = f'id="lineage-toggle" href="?cycle={demo_cycle.pk}&amp;period={kv.period}'
    assert toggle in body
    shown = _get(login(agent), emp.employee_id, **q, source=1)
    text = _text(shown.content.decode())
    assert row.record_id in text and row.ref in text and row.file in text
    assert "Hide the data source" in text
    # paging keeps the data source shown
    assert "source=1" in shown.context["query"]
    assert 'class="dispute"' not in shown.content.decode()  # published: no appeals yet
    # once appeals are open, each record links to the appeal form naming it
    demo_cycle.state = Cycle.APPEALS
    demo_cycle.save(update_fields=["state"])
    body = _get(login(agent), emp.employee_id, **q).content.decode()
    link = f"dispute_kpi=csat&amp;dispute_table=surveys&amp;dispute_record={row.record_id}"
    assert link in body and body.count('class="dispute"') == kv.denominator
    form = login(agent).get(
        f"/me/?cycle={demo_cycle.pk}&period={kv.period}&dispute_kpi=csat"
        f"&dispute_table=surveys&dispute_record={row.record_id}"
    )
    assert form.context["dispute"]["record"] == row.record_id
    assert "The record you dispute: Customer surveys" in _text(form.content.decode())
    # a lead reading the same records cannot dispute them
    assert 'class="dispute"' not in _get(login(lead), emp.employee_id, **q).content.decode()


def test_totals_count_by_the_kpi_and_a_lead_sees_the_same(
    login: Any, agent: Any, lead: Any, demo_cycle: Any
) -> None:
    emp = agent.employee
    kv = _stored(demo_cycle, emp, "qa_critical_fails")
    q = {"cycle": demo_cycle.pk, "period": kv.period, "kpi": "qa_critical_fails"}
    mine = _get(login(agent), emp.employee_id, **q)
    theirs = _get(login(lead), emp.employee_id, **q)
    assert theirs.status_code == 200
    assert mine.context["total"] == theirs.context["total"] == kv.sample_size
    assert mine.context["totals"]["numerator"] == kv.value


def test_an_agent_cannot_read_another_agents_records(
    login: Any, agent: Any, other_agent: Any, demo_cycle: Any
) -> None:
    other = other_agent.employee
    for page in (1, 2):
        r = _get(
            login(agent),
            other.employee_id,
            cycle=demo_cycle.pk,
            period="2026-01",
            kpi="answer_rate",
            page=page,
        )
        assert r.status_code == 404
        assert other.name not in r.content.decode()


def test_records_that_do_not_count_are_shown_on_demand_with_the_reason(
    login: Any, agent: Any, demo_cycle: Any
) -> None:
    emp = agent.employee
    kv = _stored(demo_cycle, emp, "late_arrivals")
    q = {"cycle": demo_cycle.pk, "period": kv.period, "kpi": "late_arrivals"}
    c = login(agent)
    counted = _get(c, emp.employee_id, **q)
    every = _get(c, emp.employee_id, **q, all=1)
    assert every.context["total"] > counted.context["total"] == kv.sample_size
    # the sums and the count of records that count do not move
    assert every.context["totals"]["numerator"] == counted.context["totals"]["numerator"]
    assert every.context["totals"]["counted"] == counted.context["total"]
    rows = [r for g in every.context["groups"] for r in g.rows]
    left_out = [r for r in rows if not r.counted]
    assert left_out and all(r.why == "Another kind of day: not counted here." for r in left_out)
    text = _text(every.content.decode())
    assert "✗ Not counted" in text and "Show only the records that count" in text
    assert "all=1" in every.context["query"]  # paging keeps them shown
    zh = c.get(
        f"/people/{emp.employee_id}/records/", {**q, "all": 1}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "其他出勤类型：此处不计入。" in _text(zh.content.decode())
