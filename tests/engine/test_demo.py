"""The demo center writes real vendor formats, deterministically and consistently."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from callgrade.engine.demo import DemoConfig, DemoFile, generate, read_manifest
from callgrade.engine.demo.backoffice import CERT_PASS_MARK, trainings
from callgrade.engine.demo.center import LEVELS, build_center
from callgrade.engine.demo.timebase import build_days, format_local, format_utc_iso
from callgrade.engine.demo.traffic import _customers, place

TINY = DemoConfig(agents=12, months=1, seed=7)
# Field count (after time|callid|queue|agent|EVENT) per event, from DATA.md's table.
DATA_FIELDS = {
    "ENTERQUEUE": 3,
    "CONNECT": 3,
    "COMPLETECALLER": 3,
    "COMPLETEAGENT": 3,
    "ABANDON": 3,
    "EXITWITHTIMEOUT": 3,
    "BLINDTRANSFER": 5,
    "RINGNOANSWER": 1,
    "AGENTLOGIN": 1,
    "AGENTLOGOFF": 2,
    "PAUSE": 1,
    "UNPAUSE": 1,
    "ADDMEMBER": 1,  # "PAUSED" or empty: the trailing pipe stays
    "REMOVEMEMBER": 1,
    "QUEUESTART": 1,
}
TERMINAL = {
    "COMPLETECALLER",
    "COMPLETEAGENT",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "BLINDTRANSFER",
    "ATTENDEDTRANSFER",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[DemoFile]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, TINY)


def _by(files: list[DemoFile], fmt: str) -> list[Path]:
    return [f.path for f in files if f.format == fmt]


def _file_events(files: list[DemoFile]) -> list[list[str]]:
    rows = []
    for p in _by(files, "queue_log"):
        rows += [line.split("|") for line in p.read_text("utf-8").splitlines()]
    return rows


def _db_events(files: list[DemoFile]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for p in _by(files, "queue_log_db"):
        rows += csv.DictReader(io.StringIO(p.read_text("utf-8")))
    return rows


def _roster_ids(out: Path) -> set[str]:
    ws = load_workbook(out / "roster.xlsx", read_only=True).active
    assert ws is not None
    return {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}


# ---- determinism and manifest ----------------------------------------------------------------


def test_same_config_same_bytes(demo, tmp_path):
    _out, files = demo
    again = generate(tmp_path / "again", TINY)
    assert [f.path.name for f in again] == [f.path.name for f in files]
    for a, b in zip(files, again, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
    other = generate(tmp_path / "other", DemoConfig(agents=12, months=1, seed=8))
    assert other[1].path.read_bytes() != files[1].path.read_bytes()


def test_manifest_lists_every_file(demo):
    out, files = demo
    assert read_manifest(out) == files
    written = {p.name for p in out.iterdir() if p.is_file()} - {"demo.json"}
    assert written == {f.path.name for f in files}
    assert Counter(f.format for f in files) == {
        "mapped": 8,
        "queue_log": 1,
        "queue_log_db": 1,
        "connect": 2,
        "cdr": 2,
    }
    assert files[0].path.name == "roster.xlsx"  # people first, so ingest can check ids
    listed = json.loads((out / "demo.json").read_text("utf-8"))["files"]
    assert {e["path"]: e["options"] for e in listed if e["format"] != "mapped"} == {
        f.path.name: {"tz": "Asia/Shanghai"} for f in files if f.format != "mapped"
    }


# ---- queue_log ------------------------------------------------------------------------------


def test_queue_log_field_counts_follow_data_md(demo):
    _, files = demo
    rows = _file_events(files)
    seen = Counter(r[4] for r in rows)
    for name in ("ENTERQUEUE", "CONNECT", "ABANDON", "RINGNOANSWER", "AGENTLOGIN", "PAUSE"):
        assert seen[name] > 0, name
    for r in rows:
        ev = r[4]
        if ev == "ATTENDEDTRANSFER":
            assert r[5] in ("BRIDGE", "LINK")
            assert len(r) == 5 + (6 if r[5] == "LINK" else 5)
        else:
            assert len(r) == 5 + DATA_FIELDS[ev], r
    assert rows[0][1:] == ["NONE", "NONE", "NONE", "QUEUESTART", ""]
    times = [int(r[0]) for r in rows]
    assert times == sorted(times)


def test_queue_log_calls_are_consistent(demo):
    out, files = demo
    roster = _roster_ids(out)
    calls: dict[str, dict[str, list[str]]] = defaultdict(dict)
    logged_in: set[tuple[str, str]] = set()
    for r in _file_events(files):
        if r[1] != "NONE":
            assert r[4] not in calls[r[1]], f"{r[4]} twice for {r[1]}"
            calls[r[1]][r[4]] = r
        if r[3] != "NONE":
            assert r[3] in roster
        if r[4] in ("AGENTLOGIN", "ADDMEMBER"):
            logged_in.add((r[3], r[2]))
    assert len(calls) > 500
    rang: list[tuple[str, int, int]] = []
    talking: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for cid, ev in calls.items():
        enter = ev["ENTERQUEUE"]
        assert cid.split(".")[0] == enter[0]  # uniqueid starts with the entry epoch
        assert len(TERMINAL & ev.keys()) == 1
        (end,) = (ev[k] for k in TERMINAL & ev.keys())
        if "CONNECT" in ev:
            conn = ev["CONNECT"]
            hold, ring = int(conn[5]), int(conn[7])
            assert int(conn[0]) - int(enter[0]) == hold >= ring >= 1
            assert end[3] == conn[3]
            data = end[5:] if end[4].startswith("COMPLETE") else end[-3:]
            assert int(data[0]) == hold
            talk = int(data[1])
            assert talk > 0 and int(end[0]) - int(conn[0]) == talk
            assert data[2] == enter[7]  # original position carried through
            if "RINGNOANSWER" in ev:
                rna = ev["RINGNOANSWER"]
                assert rna[5] == "15000" and rna[3] != conn[3]
                assert int(enter[0]) + 15 <= int(rna[0]) < int(conn[0])
                rang.append((rna[3], int(rna[0]) - 15, int(rna[0])))
            talking[conn[3]].append((int(conn[0]), int(end[0])))
        else:
            assert end[4] in ("ABANDON", "EXITWITHTIMEOUT")
            assert int(end[0]) - int(enter[0]) == int(end[7]) >= 1
            assert end[6] == enter[7]
    assert set(talking) <= {agent for agent, _ in logged_in}
    # A member rung without answer was free then: not talking to another caller.
    assert rang
    for agent, a, z in rang:
        assert not any(s < z and a < e for s, e in talking[agent]), (agent, a, z)


def test_db_export_is_the_realtime_table(demo):
    _, files = demo
    (path,) = _by(files, "queue_log_db")
    head = path.read_text("utf-8").splitlines()[0]
    assert head == "time,callid,queuename,agent,event,data1,data2,data3,data4,data5"
    rows = _db_events(files)
    stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
    links = 0
    for r in rows:
        assert stamp.match(r["time"]), r["time"]
        if r["event"] == "ENTERQUEUE":
            local = datetime.strptime(r["time"][:19], "%Y-%m-%d %H:%M:%S")
            epoch = int(r["callid"].split(".")[0])
            # Asia/Shanghai is UTC+8 all year: local wall time minus 8 h is the uniqueid's epoch.
            assert local - timedelta(hours=8) == datetime(1970, 1, 1) + timedelta(seconds=epoch)
        if r["event"] == "ATTENDEDTRANSFER" and r["data1"] == "LINK":
            links += 1
            # LINK|chan|chan|hold|talk|origpos: the sixth field stays joined in data5.
            talk, orig = r["data5"].split("|")
            assert talk.isdigit() and orig.isdigit() and r["data4"].isdigit()
    assert links > 0
    # Each call is in exactly one of the two forms.
    file_ids = {r[1] for r in _file_events(files) if r[1] != "NONE"}
    db_ids = {r["callid"] for r in rows if r["callid"] != "NONE"}
    assert file_ids and db_ids and not file_ids & db_ids


def test_attendance_agrees_with_logins(demo):
    out, files = demo
    logins = Counter(
        r[3] for r in _file_events(files) if r[4] in ("AGENTLOGIN", "ADDMEMBER")
    ) + Counter(r["agent"] for r in _db_events(files) if r["event"] in ("AGENTLOGIN", "ADDMEMBER"))
    with open(out / "attendance.csv", encoding="utf-8", newline="") as fh:
        worked = Counter(r["工号"] for r in csv.DictReader(fh) if r["类型"] not in ("请假", "旷工"))
    assert logins and all(logins[a] == worked[a] for a in logins)


# ---- Amazon Connect, CDR --------------------------------------------------------------------


def test_connect_records(demo):
    out, files = demo
    roster = _roster_ids(out)
    jsonl, array = _by(files, "connect")
    records = [json.loads(x) for x in jsonl.read_text("utf-8").splitlines()]
    records += json.loads(array.read_text("utf-8"))
    latest: dict[str, str] = {}
    dupes = abandoned = 0
    for r in records:
        cid, upd = r["ContactId"], r["LastUpdateTimestamp"]
        if cid in latest:
            dupes += 1
        latest[cid] = max(latest.get(cid, ""), upd)
        q = r["Queue"]
        assert q["EnqueueTimestamp"] == r["InitiationTimestamp"] <= q["DequeueTimestamp"]
        if r["Agent"] is None:
            abandoned += 1
        else:
            a = r["Agent"]
            assert a["Username"] in roster
            assert q["DequeueTimestamp"] == a["ConnectedToAgentTimestamp"]
            assert a["AgentInteractionDuration"] > 0
            assert a["NumberOfHolds"] > 0 or a["CustomerHoldDuration"] == 0
    assert dupes > 0 and abandoned > 0
    # A duplicate is an older version of a record delivered again.
    full = {
        r["ContactId"]: r for r in records if r["LastUpdateTimestamp"] == latest[r["ContactId"]]
    }
    assert len(full) == len(latest)


def test_cdr_master_csv(demo):
    out, files = demo
    roster = _roster_ids(out)
    first, second = _by(files, "cdr")
    seen = Counter()
    for path, width in ((first, 16), (second, 18)):
        for row in csv.reader(io.StringIO(path.read_text("utf-8"))):
            assert len(row) == width
            agent = row[1]
            assert agent in roster and re.fullmatch(rf"PJSIP/{agent}-[0-9a-f]{{8}}", row[5])
            assert row[3] == "from-internal" and re.fullmatch(r"1[3-9]\d{9}", row[2])
            start, answer, end = row[9], row[10], row[11]
            fmt = "%Y-%m-%d %H:%M:%S"
            span = datetime.strptime(end, fmt) - datetime.strptime(start, fmt)
            assert int(row[12]) == span.total_seconds()
            seen[row[14]] += 1
            if row[14] == "ANSWERED":
                talk = datetime.strptime(end, fmt) - datetime.strptime(answer, fmt)
                assert int(row[13]) == talk.total_seconds() > 0
            else:
                assert answer == "" and row[13] == "0"
    assert set(seen) == {"ANSWERED", "NO ANSWER", "BUSY"}
    text = first.read_text("utf-8")
    assert text.startswith('"","E') and '""' in text.splitlines()[0][20:]  # quoted clid


# ---- back-office exports -------------------------------------------------------------------


def test_roster_sheet(demo):
    out, _ = demo
    ws = load_workbook(out / "roster.xlsx", read_only=True)["花名册"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "工号",
        "姓名",
        "班组",
        "组长工号",
        "部门",
        "岗位",
        "序列",
        "级别",
        "入职日期",
        "状态",
    ]
    body = rows[1:]
    ids = [r[0] for r in body]
    assert len(body) == 12 and len(set(ids)) == 12
    assert {r[5] for r in body} == {"前台接待", "电话销售", "客户服务", "后台技术支持"}
    assert {r[3] for r in body if r[3]} <= set(ids)  # leads are employees
    assert all(isinstance(r[8], datetime) for r in body)
    assert {r[9] for r in body} <= {"在职", "试用期", "离职"}


def test_every_mapping_names_real_columns(demo):
    _out, files = demo
    for f in files:
        if f.format != "mapped":
            continue
        assert f.mapping is not None
        spec = yaml.safe_load(f.mapping.read_text("utf-8"))
        wanted = {c["from"] for c in spec["columns"].values() if "from" in c}
        if spec["format"] == "xlsx":
            ws = load_workbook(f.path, read_only=True)[spec["sheet"]]
            header = next(ws.iter_rows(values_only=True))
        else:
            text = f.path.read_bytes().decode(spec["encoding"])
            header = next(csv.reader(io.StringIO(text)))
        assert wanted <= set(header), f.path.name
        assert spec["timezone"] == TINY.tz


def test_back_office_values(demo):
    out, _ = demo

    def rows(name: str, encoding: str = "utf-8") -> list[dict[str, str]]:
        text = (out / name).read_bytes().decode(encoding)
        return list(csv.DictReader(io.StringIO(text)))

    surveys = rows("surveys.csv")
    assert surveys and {r["Score"] for r in surveys} <= set("12345")
    assert all(0 <= int(r["NPS"]) <= 10 and r["Resolved"] in ("是", "否") for r in surveys)
    sales = rows("sales.csv")
    assert {r["订单状态"] for r in sales} == {"有效", "已取消"}
    assert all(float(r["金额"]) > 0 for r in sales)
    att = rows("attendance.csv")
    durations = [r["遵从时长"] for r in att if r["遵从时长"]]
    assert all(re.fullmatch(r"\d+:\d\d:\d\d", d) for d in durations)
    assert {r["排班时长"] for r in att if r["排班时长"]} == {"8:00:00"}
    late = [r for r in att if r["类型"] == "迟到"]
    assert all(int(r["分钟"]) >= 1 for r in late)
    comp = rows("competency.csv")
    assert {r["能力项"] for r in comp} == {"业务知识", "沟通能力", "团队协作", "问题解决"}
    methods = {(r["能力项"], r["考核方式"]) for r in comp}
    assert methods == {
        ("业务知识", "笔试"),
        ("问题解决", "笔试"),
        ("沟通能力", "现场观察"),
        ("团队协作", "现场观察"),
    }
    sheet = load_workbook(out / "roster.xlsx", read_only=True)["花名册"]
    leads = {r[3] for r in sheet.iter_rows(min_row=2, values_only=True) if r[3]}
    observers = {r["考核人"] for r in comp if r["考核方式"] == "现场观察"}
    assert leads <= observers and all(o in leads or o.endswith("经理") for o in observers)
    assert all(r["考核人"].startswith("培训部") for r in comp if r["考核方式"] == "笔试")
    train = rows("trainings.csv")
    assert train and {r["课程编号"] for r in train} <= {"KC-101", "RZ-201"}
    for r in train:
        if r["课程编号"] == "KC-101":
            assert (r["考试成绩"], r["考核结果"], r["证书编号"]) == ("", "已完成", "")
        else:
            passed = int(r["考试成绩"]) >= CERT_PASS_MARK
            assert r["考核结果"] == ("通过" if passed else "未通过")
            assert bool(r["证书编号"]) == bool(r["证书失效日期"]) == passed
    complaints = rows("complaints.csv", "gb18030")
    assert all(r["严重程度"] in ("一般", "重大") for r in complaints)


def test_trainings_follow_skill_and_tenure():
    start = date(2026, 1, 1)
    days = build_days(start, 6, "Asia/Shanghai")
    end = days.date(days.n)

    def make() -> tuple:
        rng = np.random.default_rng(42)
        center = build_center(rng, 200, start, end)
        return center, trainings(rng, center, days)

    center, (head, rows) = make()
    assert make()[1] == (head, rows)  # same seed, same records
    recs = [dict(zip(head, r, strict=True)) for r in rows]
    assert len({r["记录编号"] for r in recs}) == len(recs)
    index = {e: i for i, e in enumerate(center.ids)}
    for r in recs:
        a = index[r["工号"]]
        day = date.fromisoformat(r["完成日期"])
        assert center.hire_date[a] < day < end
        assert center.left_date[a] is None or day <= center.left_date[a]
    # Most agents took the onboarding course in their first months.
    basics = {
        r["工号"]: date.fromisoformat(r["完成日期"]) for r in recs if r["课程编号"] == "KC-101"
    }
    assert len(basics) == sum(r["课程编号"] == "KC-101" for r in recs) > 0.85 * center.n
    assert all((d - center.hire_date[index[e]]).days <= 110 for e, d in basics.items())
    # The certification: about one attempt in ten fails; dated over the two years before the
    # period and the period itself; held mostly by the stronger and more senior.
    cert = [r for r in recs if r["课程编号"] == "RZ-201"]
    failed = [r for r in cert if r["考核结果"] == "未通过"]
    assert 0.04 < len(failed) / len(cert) < 0.16
    dates = [date.fromisoformat(r["完成日期"]) for r in cert]
    assert min(dates) >= start - timedelta(days=730) and max(dates) < end
    assert sum(d >= start for d in dates) >= 10 and sum(d < start for d in dates) >= 50
    held = {index[r["工号"]] for r in cert if r["考核结果"] == "通过"}
    others = [a for a in range(center.n) if a not in held]
    assert center.skill[list(held)].mean() > center.skill[others].mean() + 0.5
    share = {
        lv: np.mean([a in held for a in range(center.n) if LEVELS[center.level[a]] == lv])
        for lv in ("junior", "senior")
    }
    assert share["senior"] > 2 * share["junior"]
    numbers = [r["证书编号"] for r in cert if r["证书编号"]]
    assert len(set(numbers)) == len(numbers) == len([r for r in cert if r["考核结果"] == "通过"])
    for r in cert:
        if r["证书编号"]:
            issued, lapses = (date.fromisoformat(r[k]) for k in ("完成日期", "证书失效日期"))
            assert (lapses.year - issued.year, lapses.month) == (3, issued.month)


# ---- building blocks ---------------------------------------------------------------------------


def test_calendar_offsets_and_chunks():
    berlin = build_days(date(2026, 3, 28), 1, "Europe/Berlin")
    assert berlin.n == 31  # 28 Mar .. 27 Apr
    assert berlin.offset[:3].tolist() == [3600, 7200, 7200]  # summer time from 29 Mar 2026
    assert berlin.chunks() == [("2026-03", 0, 4), ("2026-04", 4, 31)]
    one = build_days(date(2026, 2, 1), 1, "Asia/Shanghai")
    assert one.chunks() == [("2026-02a", 0, 14), ("2026-02b", 14, 28)]
    assert format_local(np.array([86400 * 365 + 3661])) == ["1971-01-01 01:01:01"]
    assert format_utc_iso(np.array([0])) == ["1970-01-01T00:00:00Z"]


@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.integers(0, 36000), min_size=2, max_size=10, unique=True),
    busy=st.lists(st.integers(1, 900), min_size=1, max_size=60),
    gap=st.floats(1.0, 600.0),
    seed=st.integers(0, 2**16),
)
def test_place_keeps_slots_inside_intervals_and_apart(cuts, busy, gap, seed):
    edges = sorted(cuts)
    iv = np.array([[a, b] for a, b in zip(edges[::2], edges[1::2], strict=False) if b > a])
    if iv.size == 0:
        return
    b = np.array([busy], dtype=np.int64)
    start, keep = place(np.random.default_rng(seed), [iv], b, lambda s: np.full(s.shape, gap))
    s, e = start[keep], start[keep] + b[keep]
    assert np.all(s[1:] >= e[:-1])  # one agent, one contact at a time
    for a, z in zip(s, e, strict=True):
        assert any(lo <= a and z <= hi for lo, hi in iv)


def test_small_center_in_another_zone(tmp_path):
    config = DemoConfig(agents=3, months=1, start=date(2026, 3, 20), tz="Europe/Berlin")
    files = generate(tmp_path, config)
    # 3 agents: no front desk and no telesales, so no Connect or CDR files, and none empty.
    assert {f.format for f in files} == {"mapped", "queue_log", "queue_log_db"}
    assert all(f.path.stat().st_size > 0 for f in files)
    for f in files:
        if f.mapping:
            assert "timezone: Europe/Berlin\n" in f.mapping.read_text("utf-8")
    (db,) = _by(files, "queue_log_db")
    enter = next(
        r for r in csv.DictReader(io.StringIO(db.read_text("utf-8"))) if r["callid"] != "NONE"
    )
    local = datetime.strptime(enter["time"][:19], "%Y-%m-%d %H:%M:%S")
    # The database export is the April chunk: Berlin is on summer time, UTC+2.
    epoch = int(enter["callid"].split(".")[0])
    assert local - timedelta(hours=2) == datetime(1970, 1, 1) + timedelta(seconds=epoch)
    with pytest.raises(ValueError):
        generate(tmp_path / "none", DemoConfig(agents=0))


def test_repeat_callers_come_back_within_days():
    day = np.repeat(np.arange(20), 1000)
    numbers = _customers(np.random.default_rng(3), day, 0.2)
    seen: dict[int, int] = {}
    repeats, gaps = 0, []
    for i, (d, n) in enumerate(zip(day.tolist(), numbers.tolist(), strict=True)):
        if n in seen:
            repeats += 1
            gaps.append(d - seen[n])
        seen[n] = d
        assert 13_000_000_000 <= n < 20_000_000_000, i
    # 20% ask to repeat; those whose earlier contact would fall before day 0 stay new.
    assert 0.17 < repeats / day.size < 0.2
    assert np.median(gaps) <= 2 and max(gaps) <= 20
    none = _customers(np.random.default_rng(3), day, 0.0)
    assert np.unique(none).size > day.size - 10  # only chance collisions of random numbers
