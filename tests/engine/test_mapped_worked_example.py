"""The worked example of docs/connectors/mapped.md: a foreign call export with separate Date and
Time columns, ingested twice (calls and survey responses) with row filters and ranges; the counts,
values and reasons are the ones the page shows."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from callgrade.engine.ingest import ingest_files
from callgrade.engine.warehouse import Warehouse

DOCS = Path(__file__).parents[2] / "docs" / "connectors"
EXAMPLE = DOCS / "examples" / "foreign_export"
UTC = dt.UTC


def ingest(tmp_path: Path, table: str):
    wh = Warehouse(tmp_path / "data")
    report = ingest_files(
        wh, "mapped", [EXAMPLE / "calls.csv"], mapping=EXAMPLE / f"{table}.yaml", tz="UTC"
    )
    (f,) = report.files
    with f.rejects_file.open(encoding="utf-8", newline="") as fh:
        reasons = [r["reason"] for r in csv.DictReader(fh)]
    return wh, f, reasons


def test_calls_from_date_and_time_columns(tmp_path):
    wh, f, reasons = ingest(tmp_path, "interactions")
    # 11 rows: the TEST queue is filtered out, the negative wait is rejected
    assert (f.read, f.accepted, f.rejected, f.filtered) == (11, 9, 1, 1)
    assert f.read == f.accepted + f.rejected + f.filtered
    assert reasons == [
        "line 5: column 'Wait (s)' (queue_wait_s) is '-3'; expected a value from 0 to 3600"
        " (mapping line 16)"
    ]
    calls = {r["interaction_id"]: r for r in wh.read("interactions").to_pylist()}
    assert sorted(calls) == [f"C10{n:02d}" for n in (1, 2, 3, 5, 6, 7, 8, 9, 10)]
    # Date 2026/03/05 + Time 08:15:02 in Shanghai (UTC+8)
    assert calls["C1001"]["offered_at"] == dt.datetime(2026, 3, 5, 0, 15, 2, tzinfo=UTC)
    assert calls["C1009"]["offered_at"] == dt.datetime(2026, 3, 6, 6, 5, tzinfo=UTC)
    assert (calls["C1001"]["queue_wait_s"], calls["C1001"]["talk_s"]) == (12.0, 200.0)
    assert [calls[c]["outcome"] for c in ("C1001", "C1002", "C1010")] == [
        "answered",
        "abandoned",
        "diverted",
    ]
    assert calls["C1003"]["source_ref"] == "calls.csv:4"


def test_survey_responses_are_the_answered_scored_calls(tmp_path):
    wh, f, reasons = ingest(tmp_path, "surveys")
    # filtered: two abandoned, one voicemail, two answered without a score, the TEST queue
    assert (f.read, f.accepted, f.rejected, f.filtered) == (11, 3, 2, 6)
    assert reasons == [
        "line 6: column 'Survey' (csat) is '7'; expected a value from 1 to 5",
        "line 8: column 'Survey' (csat) is '0'; expected a value from 1 to 5",
    ]
    rows = sorted(wh.read("surveys").to_pylist(), key=lambda r: r["survey_id"])
    assert [(r["survey_id"], r["agent_id"], r["csat"]) for r in rows] == [
        ("C1001", "E0001", 5.0),
        ("C1003", "E0002", 4.0),
        ("C1008", "E0003", 3.0),
    ]
    assert rows[2]["responded_at"] == dt.datetime(2026, 3, 5, 1, 30, 5, tzinfo=UTC)


def test_the_page_shows_these_counts_and_reasons(tmp_path):
    page = (DOCS / "mapped.md").read_text("utf-8")
    for table in ("interactions", "surveys"):
        _wh, f, reasons = ingest(tmp_path / table, table)
        line = f"read {f.read} = accepted {f.accepted} + rejected {f.rejected} + filtered"
        assert f"{line} {f.filtered}" in page, table
        for reason in reasons:
            assert reason in page, reason
