"""Reject reasons read in the reader's language: every sentence of the connectors' catalogue has
a Chinese translation that keeps its values, the load page of a Chinese reader shows the reasons
of a real upload in Chinese (the file's own values set apart as code), the downloaded rejects too,
and the rejects file the command line writes stays English."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from test_language_scan import foreign, visible_text

from callgrade.engine.connectors.reasons import (
    FIXED,
    NESTED,
    TEMPLATES,
    WORDS,
    at,
    joined,
    read_back,
    reason,
)
from callgrade.loads.models import Load
from callgrade.loads.services.loads import load_dir
from callgrade.loads.services.reasons import reason_html, reason_text

START = 1772323200  # 2026-03-01 UTC
LOG = (
    f"{START}|c1|support|NONE|ENTERQUEUE||13800000001|1\n"
    f"{START + 5}|c1|support|Agent/1|CONNECT|5|c1-b|2\n"
    f"{START + 95}|c1|support|Agent/1|COMPLETECALLER|5|90|1\n"
    f"{START + 96}|c9|support|Agent/1|TELEPORT|1|2|3\n"  # unknown event
    f"{START + 97}|c9|support\n"  # too few fields
    "yesterday|c9|support|NONE|ENTERQUEUE||1|1\n"  # not a time
    f"{START + 98}|c9|support|NONE|CONNECT|5|c9-b|2\n"  # no agent
    f"{START + 99}|c9|support|Agent/2|COMPLETECALLER|soon|90|1\n"  # holdtime not a number
)


# An example sentence for the values that are sentences of the catalogue themselves.
NESTED_EXAMPLE = {
    "expected": reason("mp_int"),
    "detail": reason("mp_required"),
    "found": reason("js_array"),
    "people": reason("xa_people", file="people.csv", column="'email'"),
}


def _example(code: str) -> dict[str, str]:
    names = set(re.findall(r"\{(\w+)\}", TEMPLATES[code])) - set(FIXED)
    return {
        n: NESTED_EXAMPLE[n] if n in NESTED else WORDS[n][0] if n in WORDS else f"'v{i}'"
        for i, n in enumerate(sorted(names))
    }


def _shown(name: str, value: str) -> str:
    """How a value of :func:`_example` reads in Chinese (in a download)."""
    if name in NESTED:
        return reason_text(value)
    if name in WORDS:
        return translation.gettext(value)
    return value


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_reason_reads_back_and_has_a_chinese_sentence_keeping_its_values(
    code: str,
) -> None:
    values = _example(code)
    written = at(12, reason(code, **values))
    said = read_back(written)
    assert said is not None and (said.where, said.line) == ("line", 12), written
    assert [p.code for p in said.parts] == [code], said
    read = dict(said.parts[0].values)
    for name, value in values.items():
        assert read[name] == (read_back(value).parts[0] if name in NESTED else value), name
    with translation.override("zh-hans"):
        zh = translation.gettext(TEMPLATES[code])
        html = str(reason_html(written))
        text = reason_text(written)
        shown = {n: _shown(n, v) for n, v in values.items()}
    assert zh != TEMPLATES[code] or not re.search("[A-Za-z]", zh), f"{code} has no Chinese"
    assert set(re.findall(r"\{(\w+)\}", zh)) == set(re.findall(r"\{(\w+)\}", TEMPLATES[code]))
    assert html.startswith("第 12 行：") and text.startswith("第 12 行：")
    assert not foreign(visible_text(html), "zh-hans", []), html
    for name, value in shown.items():
        assert value.replace("'", "&#x27;") in html or name in NESTED, (name, html)
        assert value in text, (name, text)


def test_several_reasons_of_one_row_are_each_said_in_chinese() -> None:
    written = at(
        7,
        joined(
            [
                reason(
                    "mp_bad",
                    column="'Score'",
                    field="csat",
                    value="'7'",
                    expected=reason(
                        "mp_mapping_line", expected=reason("mp_range", low=1, high=5), n=12
                    ),
                ),
                reason(
                    "mp_empty", column="'Agent'", field="agent_id", detail=reason("mp_required")
                ),
            ]
        ),
        "row",
    )
    said = read_back(written)
    assert said is not None and [p.code for p in said.parts] == ["mp_bad", "mp_empty"]
    with translation.override("zh-hans"):
        text = reason_text(written)
    assert text == (
        "第 7 行：列 'Score'（字段 csat）的值为 '7'；应为1 到 5 之间的值（映射文件第 12 行）；"
        "列 'Agent'（字段 agent_id）为空；此项必填"
    )


def test_a_sentence_outside_the_catalogue_is_introduced_and_shown_as_written() -> None:
    with translation.override("zh-hans"):
        html = str(reason_html("object 3 (line 9): <b>no id</b>"))
        text = reason_text("object 3 (line 9): no id")
    assert (
        html
        == "读取程序给出的原因（原文）： <code>object 3 (line 9): &lt;b&gt;no id&lt;/b&gt;</code>"
    )
    assert text == "object 3 (line 9): no id"  # a download keeps it whole


@pytest.fixture
def data(demo_dir: Path, tmp_path: Path, db: None) -> Path:
    out = tmp_path / "data"
    shutil.copytree(demo_dir, out, ignore=shutil.ignore_patterns("input", "loads", "pull"))
    settings.DATA_DIR = out
    return out


def test_a_chinese_reader_sees_the_reasons_of_an_upload_in_chinese(
    login: Any, hr: Any, data: Path
) -> None:
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    r = c.post(
        "/data/loads/",
        {"file": SimpleUploadedFile("queue_log", LOG.encode()), "format": "queue_log", "tz": "UTC"},
    )
    assert r.status_code == 302
    load = Load.objects.get(filename="queue_log")
    assert (load.read, load.accepted, load.rejected) == (8, 3, 5)
    page = c.get(f"/data/loads/{load.pk}/").content.decode()
    table = page[
        page.index('<table id="rejects">') : page.index("</table>", page.index('id="rejects"'))
    ]
    shown = visible_text(table)
    for words in ("未知事件", "个字段", "时间字段为", "的坐席字段为", "排队等待时长", "应为整数秒"):
        assert words in shown, (words, shown)
    assert "expected" not in table and "unknown event" not in table
    assert "<code>&#x27;TELEPORT&#x27;</code>" in table  # the file's value, as it was
    assert not foreign(shown, "zh-hans", ["Agent", "support", "c9", "ENTERQUEUE", "NONE"])

    download = c.get(f"/data/loads/{load.pk}/rejects.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(download)))
    assert rows[0][2] == "理由" and any("未知事件 'TELEPORT'" in row[2] for row in rows[1:])

    kept = (load_dir(load) / "rejects.csv").read_text("utf-8")  # as the command line writes it
    assert "unknown event 'TELEPORT'" in kept and "未知事件" not in kept


def test_an_english_reader_sees_the_connectors_sentences(login: Any, hr: Any, data: Path) -> None:
    c = login(hr)
    c.post(
        "/data/loads/",
        {"file": SimpleUploadedFile("queue_log", LOG.encode()), "format": "queue_log", "tz": "UTC"},
    )
    load = Load.objects.get(filename="queue_log")
    page = c.get(f"/data/loads/{load.pk}/").content.decode()
    assert "line 4: unknown event <code>&#x27;TELEPORT&#x27;</code>" in page
    assert "未知" not in page
