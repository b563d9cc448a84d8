"""xAPI connector: completed / passed / failed statements become training records; everything
else is rejected with the statement's number, line, field and reason; counts reconcile; the
same statements ingested twice add nothing. Rules in docs/connectors/xapi.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from callgrade.engine.connectors import ConnectorError, parse
from callgrade.engine.ingest import ingest_files
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import Warehouse

ADL = "http://adlnet.gov/expapi/verbs/"
COURSE = "https://lms.example.com/xapi/activities/course/"
UTC = dt.UTC


def statement(
    sid: str,
    verb: str = "completed",
    who: Any = "A001",
    course: str = "service_basics",
    when: str = "2026-01-05T14:30:00+08:00",
    **extra: Any,
) -> dict[str, Any]:
    st: dict[str, Any] = {
        "id": sid,
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": COURSE + course,
            "definition": {"name": {"en-US": course.replace("_", " ").title()}},
        },
        "timestamp": when,
        "stored": "2026-01-06T00:00:00Z",
    }
    if who is not None:
        st["actor"] = (
            {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": who}}
            if isinstance(who, str)
            else who
        )
    st.update(extra)
    return st


def jsonl(path: Path, items: list[Any]) -> Path:
    lines = [x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in items]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rejects(result: Any) -> dict[int, tuple[str | None, str]]:
    t = result.rejects.to_pylist()
    return {r["line"]: (r["field"], r["reason"]) for r in t}


def test_completions_become_training_records(tmp_path):
    path = jsonl(
        tmp_path / "lrs.jsonl",
        [
            statement("S-1"),
            statement(
                "S-2",
                "passed",
                course="product_certification",
                result={"score": {"scaled": 0.92}, "success": True, "completion": True},
            ),
            statement(
                "S-3",
                "failed",
                who="A002",
                course="product_certification",
                result={"score": {"raw": 29, "min": 0, "max": 50}, "success": False},
            ),
            statement(
                "S-4",
                "completed",
                who="A002",
                when="2026-01-31T23:30:00Z",
                result={"success": True, "score": {"raw": 77}},
            ),
        ],
    )
    r = parse("xapi", path, tz="Asia/Shanghai")
    assert (r.read, r.accepted, r.rejected) == (4, 4, 0)
    t = r.tables["trainings"]
    assert t.schema == TABLES["trainings"].schema
    assert t.column("training_record_id").to_pylist() == ["s-1", "s-2", "s-3", "s-4"]
    assert t.column("employee_id").to_pylist() == ["A001", "A001", "A002", "A002"]
    assert t.column("training").to_pylist() == [
        "service_basics",
        "product_certification",
        "product_certification",
        "service_basics",
    ]
    assert t.column("exam_score").to_pylist() == [None, 92.0, 58.0, 77.0]
    assert t.column("passed").to_pylist() == [None, True, False, True]
    # the local day (Asia/Shanghai) at local midnight, in UTC: 23:30Z on the 31st is 1 February
    assert t.column("completed_at").to_pylist() == [
        dt.datetime(2026, 1, 4, 16, tzinfo=UTC),
        dt.datetime(2026, 1, 4, 16, tzinfo=UTC),
        dt.datetime(2026, 1, 4, 16, tzinfo=UTC),
        dt.datetime(2026, 1, 31, 16, tzinfo=UTC),
    ]
    assert t.column("source").to_pylist() == ["xapi:lrs.jsonl"] * 4
    assert t.column("source_ref").to_pylist() == [f"lrs.jsonl:{n}" for n in (1, 2, 3, 4)]


def test_an_lrs_statement_result_and_a_json_array_are_read(tmp_path):
    result = {"more": "", "statements": [statement("S-1"), statement("S-2", who="A002")]}
    a = tmp_path / "result.json"
    a.write_text(json.dumps(result, indent=2))
    b = tmp_path / "array.json"
    b.write_text(json.dumps([statement("S-3"), statement("S-4")], indent=2))
    ra, rb = parse("xapi", a), parse("xapi", b)
    assert (ra.read, ra.accepted) == (2, 2) and (rb.read, rb.accepted) == (2, 2)
    assert ra.tables["trainings"].column("employee_id").to_pylist() == ["A001", "A002"]
    assert rb.tables["trainings"].column("source_ref").to_pylist() == [
        "array.json:2",
        "array.json:29",
    ]


def test_bad_statements_are_rejected_with_reasons_and_counts_reconcile(tmp_path):
    voided = statement("S-V")
    path = jsonl(
        tmp_path / "lrs.jsonl",
        [
            statement("S-1"),  # 1 accepted
            '{"id": "S-2", "verb": {"id": ',  # 2 malformed JSON
            statement("S-3", "experienced"),  # 3 not a completion
            statement("S-4", who=None),  # 4 no actor
            voided,  # 5 voided by line 6
            {
                "id": "S-6",
                "actor": {"account": {"name": "A001"}},
                "verb": {"id": ADL + "voided"},
                "object": {"objectType": "StatementRef", "id": "S-V"},
            },  # 6 applied: accepted
            statement("S-1"),  # 7 duplicate of line 1
            statement("S-8", who={"mbox": "mailto:a@example.com"}),  # 8 no account name
            statement("S-9", "passed", result={"success": False}),  # 9 contradiction
            statement("S-10", result={"score": {"scaled": 1.5}}),  # 10 score out of range
            statement("S-11", when="5 Jan 2026"),  # 11 not an ISO time
            statement("S-12", who={"objectType": "Group", "member": []}),  # 12 a group
            {
                "id": "S-13",
                "actor": {"account": {"name": "A001"}},
                "verb": {"id": ADL + "voided"},
                "object": {"objectType": "StatementRef", "id": "S-OLD"},
            },  # 13 target not here
            "[1, 2]",  # 14 and 15: not statements
            statement(
                "S-16",
                "passed",
                course="product_certification",
                result={"score": {"scaled": 0.8}, "success": True},
            ),  # 16 accepted
        ],
    )
    r = parse("xapi", path)
    got = rejects(r)
    assert (r.read, r.accepted, r.rejected) == (16, 3, 13)
    assert r.tables["trainings"].column("training_record_id").to_pylist() == ["s-1", "s-16"]
    reasons = r.rejects.to_pylist()
    assert [x["line"] for x in reasons] == [2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 14]
    assert reasons[0]["reason"].startswith("statement 2 (line 2): not valid JSON")
    assert got[3][0] == "verb.id" and "experienced" in got[3][1] and "completed" in got[3][1]
    assert got[4] == (
        "actor",
        "statement 4 (line 4): actor is missing; expected the person "
        "(an Agent) who took the course",
    )
    assert got[5][0] == "id" and "voided by statement 6" in got[5][1]
    assert got[7][0] == "id" and "duplicate of statement 1" in got[7][1]
    assert got[8][0] == "actor.account.name" and "actor=mbox" in got[8][1]
    assert got[9][0] == "result.success" and "verb passed" in got[9][1]
    assert got[10][0] == "result.score.scaled" and "0 to 1" in got[10][1]
    assert got[11][0] == "timestamp" and "ISO-8601" in got[11][1]
    assert got[12][0] == "actor" and "Group" in got[12][1]
    assert got[13][0] == "object.id" and "not in this file" in got[13][1]
    assert [x["field"] for x in reasons if x["line"] == 14] == [None, None]
    assert all(x["raw"] for x in reasons)


def test_actor_by_email_through_a_people_file(tmp_path):
    people = tmp_path / "roster.csv"
    people.write_text("employee_id,name,email\nA001,张三,Zhang.San@Example.com\nA002,李四,\n")
    sha1 = hashlib.sha1(b"mailto:zhang.san@example.com").hexdigest()
    path = jsonl(
        tmp_path / "lrs.jsonl",
        [
            statement("S-1", who={"mbox": "mailto:zhang.san@example.com", "name": "Zhang San"}),
            statement("S-2", who={"mbox_sha1sum": sha1}),
            statement("S-3", who={"mbox": "mailto:nobody@example.com"}),
            statement("S-4", who={"account": {"name": "A002"}}),
        ],
    )
    r = parse("xapi", path, actor="mbox", people=people)
    assert (r.read, r.accepted, r.rejected) == (4, 2, 2)
    assert r.tables["trainings"].column("employee_id").to_pylist() == ["A001", "A001"]
    got = rejects(r)
    assert got[3] == (
        "actor.mbox",
        "statement 3 (line 3): actor.mbox 'mailto:nobody@example.com' is not in people file "
        "roster.csv (column 'email')",
    )
    assert got[4][0] == "actor.mbox"


def test_course_map_by_activity_id_or_name(tmp_path):
    courses = tmp_path / "courses.yaml"
    courses.write_text(
        f'"{COURSE}service_basics": service_basics\n'
        '"Product Certification": product_certification\n'
    )
    path = jsonl(
        tmp_path / "lrs.jsonl",
        [
            statement("S-1"),
            statement("S-2", course="product_certification"),  # found by its name
            statement("S-3", course="excel_basics"),
        ],
    )
    r = parse("xapi", path, courses=courses)
    assert r.tables["trainings"].column("training").to_pylist() == [
        "service_basics",
        "product_certification",
    ]
    [(field, reason)] = rejects(r).values()
    assert field == "object.id" and "excel_basics" in reason and "courses.yaml" in reason


def test_misuse_is_a_connector_error(tmp_path):
    path = jsonl(tmp_path / "lrs.jsonl", [statement("S-1")])
    people = tmp_path / "people.csv"
    people.write_text("工号,邮箱\nA001,a@example.com\n")
    with pytest.raises(ConnectorError, match="actor=mbox needs people"):
        parse("xapi", path, actor="mbox")
    with pytest.raises(ConnectorError, match="expected one of: account, mbox"):
        parse("xapi", path, actor="name")
    with pytest.raises(ConnectorError, match=r"no column 'email'.*'工号', '邮箱'"):
        parse("xapi", path, actor="mbox", people=people)
    with pytest.raises(ConnectorError, match="unknown option"):
        parse("xapi", path, verbs="all")


def test_empty_and_undecodable_files(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = parse("xapi", empty)
    assert (r.read, r.accepted, r.rejected) == (0, 0, 0)
    bad = tmp_path / "bad.jsonl"
    in_gb18030 = json.dumps(statement("S-2", who="\u5f20"), ensure_ascii=False).encode("gb18030")
    bad.write_bytes(json.dumps(statement("S-1")).encode() + b"\n" + in_gb18030 + b"\n")
    r = parse("xapi", bad)
    assert (r.read, r.accepted, r.rejected) == (2, 1, 1)
    assert "not valid utf-8" in r.rejects.column("reason")[0].as_py()


def test_re_ingest_adds_nothing(tmp_path):
    items = [statement("S-1"), statement("S-2", "passed", who="A002")]
    wh = Warehouse(tmp_path / "data")
    first = ingest_files(wh, "xapi", [jsonl(tmp_path / "a.jsonl", items)])
    # a later export holds the same statements again, and one new
    again = ingest_files(wh, "xapi", [jsonl(tmp_path / "b.jsonl", [*items, statement("S-3")])])
    assert first.commits["trainings"].added == 2
    assert (again.commits["trainings"].added, again.commits["trainings"].replaced) == (1, 2)
    assert wh.count("trainings") == 3
