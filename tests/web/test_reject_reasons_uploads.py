"""Each connector's rejects, a failed load's error and a source's problem, read by a Chinese
reader: Chinese sentences, the file's values kept as code, no stray
English; the rejects file the command line writes stays English."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from test_language_scan import foreign, visible_text

from callgrade.loads.models import Load, Source
from callgrade.loads.services.loads import load_dir
from callgrade.loads.services.sources import run

MAPPING = b"""table: surveys
columns:
  survey_id: {from: ID}
  agent_id: {from: Agent}
  responded_at: {from: Date, time_from: Time}
  csat: {from: Score, type: int, max: 5}
  resolved: {from: Resolved, type: bool}
"""
SURVEYS = (
    "ID,Agent,Date,Time,Score,Resolved\n"
    "S1,E0001,2026-03-02,10:00:00,5,yes\n"
    "S2,E0001,2026-03-02,10:00:00,7,yes\n"  # above the mapping's max
    "S3,E0001,2026-03-02,soon,4,maybe\n"  # a time and a yes/no that are neither
    "S4,E0001,,10:00:00,four,yes\n"  # no date with the time; not a number
    ",E0001,2026-03-02,10:00:00,3,no\n"  # no id
    "S6,E0001\n"  # too few fields
)
CONNECT = (
    '{"ContactId": "c1", "Channel": "VOICE", "InitiationTimestamp": "2026-03-02T10:00:00Z"}\n'
    '{"ContactId": 5, "Channel": "VOICE"}\n'
    '{"ContactId": "c3", "InitiationTimestamp": "2026-03-02T10:00:00Z"}\n'
    '{"ContactId": "c4", "Channel": "VOICE", "InitiationTimestamp": "yesterday"}\n'
    '{"ContactId": "c5", "Channel": "VOICE", "Agent": [1]}\n'
    '{"ContactId": "c6", "Channel": \n'
)
ADL = "http://adlnet.gov/expapi/verbs/"
XAPI = [
    {"actor": {"account": {"name": "E0001"}}, "verb": {"id": ADL + "completed"},
     "object": {"id": "https://lms.example.com/course/CS101"}, "timestamp": "2026-03-02T10:00:00Z"},
    {"actor": {"objectType": "Group"}, "verb": {"id": ADL + "completed"},
     "object": {"id": "https://lms.example.com/course/CS101"}},
    {"actor": {"account": {"name": "E0001"}}, "verb": {"id": ADL + "experienced"},
     "object": {"id": "https://lms.example.com/course/CS101"}},
    {"actor": {"account": {"name": "E0001"}}, "verb": {"id": ADL + "passed"},
     "object": {"id": "https://lms.example.com/course/CS101"}, "timestamp": "2026-03-02T10:00:00Z",
     "result": {"score": {"scaled": 7}}},
    "not a statement",
]  # fmt: skip


@pytest.fixture
def data(demo_dir: Path, tmp_path: Path, db: None) -> Path:
    out = tmp_path / "data"
    shutil.copytree(demo_dir, out, ignore=shutil.ignore_patterns("input", "loads", "pull"))
    settings.DATA_DIR = out
    return out


def _upload(c: Any, name: str, body: bytes, fmt: str, **extra: Any) -> Load:
    c.post(
        "/data/loads/",
        {"file": SimpleUploadedFile(name, body), "format": fmt, "tz": "UTC", **extra},
    )
    return Load.objects.filter(filename=name).latest("pk")


def _rejects_shown(c: Any, load: Load) -> str:
    page = c.get(f"/data/loads/{load.pk}/").content.decode()
    start = page.index('<table id="rejects">')
    return page[start : page.index("</table>", start)]


def _zh(login: Any, hr: Any) -> Any:
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return c


CASES = {
    "mapped": (
        "surveys.csv",
        SURVEYS.encode(),
        {"mapping_file": lambda: SimpleUploadedFile("surveys.yaml", MAPPING)},
        (6, 1, 5),
        (
            "之间的值（映射文件第",
            "整数",
            "一天中的时刻",
            "是或否",
            "列有时间，日期也必填",
            "此项必填",
            "个字段",
        ),
        "expected",
    ),
    "connect": (
        "ctr.jsonl",
        CONNECT.encode(),
        {},
        (6, 1, 5),
        ("个对象", "应为非空字符串", "缺少", "不是", "应为对象或空值", "不是有效的 JSON"),
        "must be",
    ),
    "xapi": (
        "statements.json",
        json.dumps(XAPI).encode(),
        {},
        (5, 1, 4),
        ("条语句", "群组", "不表示完成", "应在 0 到 1 之间", "应为 JSON 对象"),
        "is not",
    ),
}


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_a_chinese_reader_sees_each_connectors_reasons_in_chinese(
    login: Any, hr: Any, data: Path, fmt: str
) -> None:
    name, body, extra, counts, words, english = CASES[fmt]
    c = _zh(login, hr)
    load = _upload(c, name, body, fmt, **{k: v() for k, v in extra.items()})
    assert (load.read, load.accepted, load.rejected) == counts, load.error
    table = _rejects_shown(c, load)
    shown = visible_text(table)
    for w in words:
        assert w in shown, (w, shown)
    assert "读取程序给出的原因" not in shown, shown  # every reason read back
    reasons = visible_text(table.split("</thead>")[1])
    assert not foreign(reasons, "zh-hans", []), reasons

    download = c.get(f"/data/loads/{load.pk}/rejects.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(download)))[1:]
    assert len(rows) >= load.rejected and all(english not in r[2] for r in rows), rows
    kept = (load_dir(load) / "rejects.csv").read_text("utf-8")  # as the command line writes it
    assert english in kept


def test_a_bad_mapping_and_a_file_it_does_not_fit_are_said_in_chinese(
    login: Any, hr: Any, data: Path
) -> None:
    c = _zh(login, hr)
    bad = b"table: surveys\ncolumns:\n  survey_id: {from: ID}\n  agnet_id: {from: Agent}\n"
    r = c.post(
        "/data/loads/",
        {
            "file": SimpleUploadedFile("a.csv", b"ID,Agent\n1,2\n"),
            "format": "mapped",
            "tz": "UTC",
            "mapping_file": SimpleUploadedFile("m.yaml", bad),
        },
    )
    form = r.content.decode()
    start = form.index(">", form.index('id="file-error"')) + 1
    form = form[start : form.index("</ul>", start)]
    assert (
        "没有字段 <code>&#x27;agnet_id&#x27;</code>；是不是 <code>&#x27;agent_id&#x27;</code>"
        in form
    )
    assert "必填字段 <code>&#x27;responded_at&#x27;</code>" in form
    assert not foreign(visible_text(form), "zh-hans", ["m.yaml"]), visible_text(form)

    mapping = {"mapping_file": SimpleUploadedFile("surveys.yaml", MAPPING)}
    load = _upload(c, "wrong.csv", b"Survey,Agent\n1,2\n", "mapped", **mapping)
    assert load.state == Load.FAILED
    page = c.get(f"/data/loads/{load.pk}/").content.decode()
    start = page.index(">", page.index('id="load-errors"')) + 1
    errors = page[start : page.index("</ul>", start)]
    assert "不在 <code>wrong.csv</code> 的表头" in errors and "not in the header" not in errors
    assert not foreign(visible_text(errors), "zh-hans", [])
    assert "is not in the header of wrong.csv" in load.error  # stored as the engine wrote it


def test_a_pull_that_cannot_connect_is_said_in_chinese(login: Any, hr: Any, data: Path) -> None:
    source = Source.objects.create(
        name="pbx",
        kind=Source.PULL,
        format="queue_log_db",
        url="postgresql://ast:secret@127.0.0.1:1/asterisk",
        table="queue_log",
        created_by=hr,
    )
    run(source)
    source.refresh_from_db()
    assert source.last_error.startswith("cannot connect to"), source.last_error
    page = _zh(login, hr).get("/data/sources/").content.decode()
    row = page[page.index(f'data-source="{source.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "无法连接到" in row and "cannot connect" not in row and "secret" not in row
