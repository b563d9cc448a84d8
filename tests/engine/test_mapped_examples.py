"""Mapped connector: every canonical table loads through its example mapping in
docs/connectors/examples/, and re-ingesting the same file adds nothing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from callgrade.engine.connectors import parse
from callgrade.engine.ingest import ingest_files
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import Warehouse

EXAMPLES = Path(__file__).parents[2] / "docs" / "connectors" / "examples"
UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


# table → (file name, writer, rows, expected canonical values by column)
SAMPLES = {
    "interactions": (
        "calls.csv",
        lambda p, rows: write_csv(p, rows, "gb18030"),
        [
            [
                "通话ID",
                "呼叫方向",
                "技能组",
                "坐席工号",
                "主叫号码",
                "进线时间",
                "接听时间",
                "挂机时间",
                "排队时长",
                "通话时长",
                "保持时长",
                "话后时长",
                "结果",
                "是否转接",
                "挂机方",
            ],
            [
                "C1",
                "呼入",
                "售后",
                "A001",
                "13800000000",
                "2026-01-05 08:30:00",
                "2026-01-05 08:30:20",
                "2026-01-05 08:35:20",
                "00:00:20",
                "05:00",
                "0",
                "30",
                "接通",
                "否",
                "客户",
            ],
            [
                "C2",
                "呼入",
                "售后",
                "",
                "13900000000",
                "2026-01-05 09:00:00",
                "",
                "2026-01-05 09:01:00",
                "60",
                "",
                "",
                "",
                "放弃",
                "否",
                "",
            ],
        ],
        {
            "interaction_id": ["C1", "C2"],
            "channel": ["voice", "voice"],
            "direction": ["inbound", "inbound"],
            "queue": ["售后", "售后"],
            "agent_id": ["A001", None],
            "offered_at": [utc(2026, 1, 5, 0, 30), utc(2026, 1, 5, 1, 0)],
            "answered_at": [utc(2026, 1, 5, 0, 30, 20), None],
            "ended_at": [utc(2026, 1, 5, 0, 35, 20), utc(2026, 1, 5, 1, 1)],
            "queue_wait_s": [20.0, 60.0],
            "talk_s": [300.0, None],
            "hold_s": [0.0, None],
            "acw_s": [30.0, None],
            "ring_s": [None, None],
            "outcome": ["answered", "abandoned"],
            "answered": [True, False],
            "transferred": [False, False],
            "ended_by": ["caller", None],
            "source": ["acd_export:calls.csv"] * 2,
            "source_ref": ["calls.csv:2", "calls.csv:3"],
        },
    ),
    "agent_states": (
        "states.csv",
        write_csv,
        [
            ["坐席工号", "状态", "原因", "技能组", "开始时间", "结束时间"],
            ["A001", "登录", "", "", "2026-01-05 08:00:00", "2026-01-05 17:00:00"],
            ["A001", "小休", "午餐", "售后", "2026-01-05 12:00:00", "2026-01-05 12:30:00"],
        ],
        {
            "agent_id": ["A001", "A001"],
            "state": ["logged_in", "paused"],
            "reason": [None, "午餐"],
            "queue": [None, "售后"],
            "start": [utc(2026, 1, 5, 0), utc(2026, 1, 5, 4)],
            "end": [utc(2026, 1, 5, 9), utc(2026, 1, 5, 4, 30)],
            "open_ended": [False, False],
        },
    ),
    "surveys": (
        "survey.csv",
        write_csv,
        [
            ["Survey ID", "Call ID", "工号", "Response time", "Score", "Recommend", "Resolved"],
            ["S1", "C1", "A001", "2026-01-05 08:40:00", "5", "10", "是"],
            ["S2", "", "A002", "2026-01-05 09:10:00", "3", "6", "N"],
        ],
        {
            "survey_id": ["S1", "S2"],
            "interaction_id": ["C1", None],
            "agent_id": ["A001", "A002"],
            "responded_at": [utc(2026, 1, 5, 0, 40), utc(2026, 1, 5, 1, 10)],
            "csat": [5.0, 3.0],
            "nps": [10.0, 6.0],
            "resolved": [True, False],
        },
    ),
    "qa_evaluations": (
        "qa.csv",
        write_csv,
        [
            [
                "质检单号",
                "坐席工号",
                "录音编号",
                "质检时间",
                "得分",
                "致命错误",
                "质检员",
                "质检表",
            ],
            ["Q1", "A001", "C1", "2026-01-06 10:00:00", "92%", "否", "Q01", "标准质检表"],
            ["Q2", "A002", "", "2026-01-06 11:00:00", "55", "", "Q01", "标准质检表"],
            ["Q3", "A002", "", "2026-01-06 11:30:00", "0", "是", "Q02", ""],
        ],
        {
            "evaluation_id": ["Q1", "Q2", "Q3"],
            "evaluated_at": [utc(2026, 1, 6, 2), utc(2026, 1, 6, 3), utc(2026, 1, 6, 3, 30)],
            "score": [92.0, 55.0, 0.0],
            "critical_fail": [False, False, True],
            "form": ["标准质检表", "标准质检表", None],
        },
    ),
    "sales": (
        "orders.csv",
        write_csv,
        [
            ["订单号", "销售工号", "通话ID", "下单时间", "订单金额", "订单状态", "产品"],
            ["O1", "A003", "C9", "2026-01-07 14:00:00", "1,299.00", "已完成", "宽带"],
            ["O2", "A003", "", "2026-01-07 15:00:00", "99", "已退款", "流量包"],
        ],
        {
            "sale_id": ["O1", "O2"],
            "sold_at": [utc(2026, 1, 7, 6), utc(2026, 1, 7, 7)],
            "amount": [1299.0, 99.0],
            "valid": [True, False],
            "product": ["宽带", "流量包"],
        },
    ),
    "attendance": (
        "attendance.xlsx",
        lambda p, rows: write_xlsx(p, rows, "考勤明细"),
        [
            ["工号", "日期", "考勤类型", "时长(分钟)"],
            ["A001", dt.date(2026, 1, 5), "迟到", 12],
            ["A002", 46027, "请假", 480],  # Excel serial for 2026-01-05
            ["A003", "2026-01-05", "正常", None],
        ],
        {
            "agent_id": ["A001", "A002", "A003"],
            "day": [utc(2026, 1, 4, 16)] * 3,
            "kind": ["late", "leave", "present"],
            "minutes": [12.0, 480.0, None],
            "source_ref": [f"attendance.xlsx:考勤明细!{r}" for r in (2, 3, 4)],
        },
    ),
    "complaints": (
        "complaints.csv",
        write_csv,
        [
            ["投诉单号", "被投诉工号", "通话ID", "受理时间", "是否有效", "等级", "投诉类别"],
            ["P1", "A001", "C1", "2026-01-08 09:00:00", "是", "重大", "态度"],
            ["P2", "A002", "", "2026-01-08 10:00:00", "否", "", "流程"],
        ],
        {
            "complaint_id": ["P1", "P2"],
            "received_at": [utc(2026, 1, 8, 1), utc(2026, 1, 8, 2)],
            "valid": [True, False],
            "severity": ["major", "minor"],
            "category": ["态度", "流程"],
        },
    ),
    "ring_no_answer": (
        "rna.csv",
        write_csv,
        [
            ["振铃ID", "坐席工号", "技能组", "通话ID", "振铃结束", "振铃秒数"],
            ["R1", "A001", "售后", "C1", "2026-01-08 09:00:05", "15"],
        ],
        {
            "attempt_id": ["R1"],
            "agent_id": ["A001"],
            "rang_at": [utc(2026, 1, 8, 1, 0, 5)],
        },
    ),
    "roster": (
        "roster.xlsx",
        write_xlsx,
        [
            ["2026年1月花名册"],
            ["工号", "姓名", "班组", "组长工号", "部门", "岗位", "职级", "入职日期", "状态"],
            [
                "A001",
                "张三",
                "一组",
                "L01",
                "客服部",
                "话务员",
                "P2",
                dt.datetime(2024, 3, 1),
                "在职",
            ],
            ["A002", "李四", "一组", "L01", "客服部", "电销专员", "P1", 45717, "试用"],
        ],
        {
            "employee_id": ["A001", "A002"],
            "name": ["张三", "李四"],
            "team_lead": ["L01", "L01"],
            "position": ["front_desk", "telesales"],
            "track": ["phone", "phone"],
            "level": ["P2", "P1"],
            "hire_date": [utc(2024, 2, 29, 16), utc(2025, 2, 28, 16)],
            "status": ["active", "probation"],
            "source_ref": ["roster.xlsx:Sheet1!3", "roster.xlsx:Sheet1!4"],
        },
    ),
    "competency_assessments": (
        "exams.csv",
        write_csv,
        [
            ["考核编号", "工号", "能力项", "成绩", "考核日期", "考核方式", "考核人"],
            ["E1", "A001", "业务知识", "88", "2026-01-10", "笔试", "培训部王老师"],
            ["E2", "A001", "沟通技巧", "91.5", "2026/1/10", "现场观察", "L01"],
            ["E3", "A002", "系统操作", "76", "2026-01-10", "", ""],
        ],
        {
            "assessment_id": ["E1", "E2", "E3"],
            "competency": ["business_knowledge", "communication", "systems"],
            "score": [88.0, 91.5, 76.0],
            "assessed_at": [utc(2026, 1, 9, 16)] * 3,
            "method": ["exam", "observation", None],
            "assessor": ["培训部王老师", "L01", None],
        },
    ),
    "trainings": (
        "learning.xlsx",
        lambda p, rows: write_xlsx(p, rows, "学习记录"),
        [
            [
                "记录ID",
                "员工工号",
                "姓名",
                "课程名称",
                "课程类型",
                "完成日期",
                "考试成绩",
                "考核结果",
                "证书编号",
                "证书失效日期",
            ],
            [
                "T1",
                "A001",
                "张三",
                "客户服务基础",
                "必修课",
                dt.date(2024, 3, 20),
                None,
                "已学完",
                None,
                None,
            ],
            [
                "T2",
                "A001",
                "张三",
                "产品知识认证",
                "认证",
                dt.date(2025, 6, 12),
                92,
                "合格",
                "CPRZ-2025-0031",
                dt.date(2028, 6, 12),
            ],
            [
                "T3",
                "A002",
                "李四",
                "产品知识认证",
                "认证",
                "2025-06-12",
                71.5,
                "不合格",
                None,
                None,
            ],
        ],
        {
            "training_record_id": ["T1", "T2", "T3"],
            "employee_id": ["A001", "A001", "A002"],
            "training": ["service_basics", "product_certification", "product_certification"],
            "completed_at": [utc(2024, 3, 19, 16), utc(2025, 6, 11, 16), utc(2025, 6, 11, 16)],
            "exam_score": [None, 92.0, 71.5],
            "passed": [None, True, False],
            "certificate": [None, "CPRZ-2025-0031", None],
            "expires_at": [None, utc(2028, 6, 11, 16), None],
            "source_ref": [f"learning.xlsx:学习记录!{r}" for r in (2, 3, 4)],
        },
    ),
    "level_history": (
        "level_changes.csv",
        write_csv,
        [
            ["变动单号", "工号", "姓名", "原职级", "新职级", "生效日期", "变动原因"],
            ["LV1", "A001", "张三", "", "P1", "2024-03-01", "入职定级"],
            ["LV2", "A001", "张三", "P1", "P2", "2025/7/1", "年度定级晋升"],
        ],
        {
            "change_id": ["LV1", "LV2"],
            "employee_id": ["A001", "A001"],
            "level_from": [None, "P1"],
            "level": ["P1", "P2"],
            "effective": [utc(2024, 2, 29, 16), utc(2025, 6, 30, 16)],
            "reason": ["入职定级", "年度定级晋升"],
        },
    ),
    "corrections": (
        "appeals.csv",
        write_csv,
        [
            [
                "申诉单号",
                "数据类型",
                "原单号",
                "更正字段",
                "原值",
                "更正后值",
                "申诉理由",
                "申请人",
                "审批时间",
            ],
            [
                "SS1",
                "质检",
                "Q2",
                "得分",
                "55",
                "80",
                "录音截断，复核后补评",
                "A002",
                "2026-01-09 15:30:00",
            ],
            [
                "SS2",
                "投诉",
                "P1",
                "整单剔除",
                "",
                "",
                "客户误投，非本人受理",
                "A001",
                "2026-01-12 10:05:00",
            ],
        ],
        {
            "correction_id": ["SS1", "SS2"],
            "target_table": ["qa_evaluations", "complaints"],
            "record_id": ["Q2", "P1"],
            "field": ["score", None],
            "value": ["80", None],
            "reason": ["录音截断，复核后补评", "客户误投，非本人受理"],
            "corrected_at": [utc(2026, 1, 9, 7, 30), utc(2026, 1, 12, 2, 5)],
        },
    ),
}


def test_every_table_has_an_example():
    assert sorted(SAMPLES) == sorted(TABLES)
    assert sorted(p.stem for p in EXAMPLES.glob("*.yaml")) == sorted(TABLES)


@pytest.mark.parametrize("table", sorted(SAMPLES))
def test_example_mapping_loads_its_sample(tmp_path, table):
    name, writer, rows, expected = SAMPLES[table]
    path = writer(tmp_path / name, rows)
    r = parse("mapped", path, mapping=EXAMPLES / f"{table}.yaml", tz="UTC")
    assert r.rejects.to_pylist() == []
    data = r.tables[table]
    n = len(next(iter(expected.values())))
    assert (r.read, r.accepted, data.num_rows) == (n, n, n)
    for column, values in expected.items():
        assert data.column(column).to_pylist() == values, column
    assert data.schema == TABLES[table].schema


def test_derived_keys_are_stable_and_distinct(tmp_path):
    name, writer, rows, _ = SAMPLES["agent_states"]
    path = writer(tmp_path / name, rows)
    mapping = EXAMPLES / "agent_states.yaml"
    first = parse("mapped", path, mapping=mapping).tables["agent_states"].column("state_id")
    copy = writer(tmp_path / "copy.csv", rows)
    again = parse("mapped", copy, mapping=mapping).tables["agent_states"].column("state_id")
    assert first.to_pylist() == again.to_pylist()
    keys = first.to_pylist()
    assert len(set(keys)) == 2 and all(len(k) == 32 for k in keys)


@pytest.mark.parametrize("table", ["surveys", "agent_states", "attendance"])
def test_re_ingest_adds_nothing(tmp_path, table):
    name, writer, rows, expected = SAMPLES[table]
    path = writer(tmp_path / name, rows)
    wh = Warehouse(tmp_path / "data")
    options = {"mapping": EXAMPLES / f"{table}.yaml", "tz": "UTC", "encoding": "utf-8"}
    first = ingest_files(wh, "mapped", [path], **options)
    second = ingest_files(wh, "mapped", [path], **options)
    n = len(next(iter(expected.values())))
    assert (first.commits[table].added, first.commits[table].total) == (n, n)
    assert (second.commits[table].added, second.commits[table].replaced) == (0, n)
    assert wh.count(table) == n
    assert first.files[0].rejects_file is None
