"""Property tests: random and mutated queue_log input never raises, counts reconcile, and what is
accepted conforms to the canonical schemas."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st
from test_queue_log_calls import CALLS  # type: ignore[import-not-found]
from test_queue_log_states import STATES  # type: ignore[import-not-found]

from callgrade.engine.connectors import ParseResult, parse, queue_log
from callgrade.engine.schemas import TABLES, conform

VALID = (CALLS + STATES).splitlines()
EVENTS = sorted({line.split("|")[4] for line in VALID} | {"PAUSEALL", "FOO", "", "DIVERT_X"})

field = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_characters="\n|", blacklist_categories=("Cs",)), max_size=8
    ),
    st.sampled_from(["", "NONE", "0", "12", "-3", "1.5", "PAUSED", "LINK", "1767225600"]),
)
random_line = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=60
    ),
    st.lists(field, min_size=0, max_size=12).map("|".join),
    st.tuples(
        st.sampled_from(
            ["1767225600", "1767225700.5", "x", "", "99999999999", "1767225600.1234567"]
        ),
        st.sampled_from(["c1", "c2", "NONE", ""]),
        st.sampled_from(["sales", "support", "NONE", ""]),
        st.sampled_from(["Agent/1001", "SIP/1", "NONE", ""]),
        st.sampled_from(EVENTS),
        st.lists(field, max_size=7),
    ).map(lambda t: "|".join([*t[:5], *t[5]])),
)


@st.composite
def mutated_line(draw: st.DrawFn) -> str:
    parts = draw(st.sampled_from(VALID)).split("|")
    action = draw(st.sampled_from(["drop", "replace", "truncate", "event", "keep"]))
    if action == "drop" and parts:
        del parts[draw(st.integers(0, len(parts) - 1))]
    elif action == "replace" and parts:
        parts[draw(st.integers(0, len(parts) - 1))] = draw(field)
    elif action == "truncate":
        return "|".join(parts)[: draw(st.integers(0, 40))]
    elif action == "event" and len(parts) > 4:
        parts[4] = draw(st.sampled_from(EVENTS))
    return "|".join(parts)


lines = st.lists(st.one_of(random_line, mutated_line(), st.sampled_from(VALID)), max_size=30)
# Each example is a full parse (~0.1 s of fixed DuckDB work), so examples are counted.
SETTINGS = settings(max_examples=50, deadline=None)
LIGHT = settings(max_examples=20, deadline=None)


def non_blank(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.strip(" \t\r"))


def check(connector: str, path: Path) -> ParseResult:
    result = parse(connector, path)  # parse() also asserts read == accepted + rejected
    for name, table in result.tables.items():
        assert conform(name, table).equals(table)
        key = TABLES[name].key
        ids = table.column(key).to_pylist()
        assert len(set(ids)) == len(ids)
    lines_seen = result.rejects.column("line").to_pylist()
    assert lines_seen == sorted(lines_seen)
    return result


@SETTINGS
@given(lines)
def test_file_form_random_and_mutated_lines(rows: list[str]) -> None:
    text = "\n".join(rows) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        path.write_text(text, "utf-8")
        assert check("queue_log", path).read == non_blank(text)


@LIGHT
@given(st.binary(max_size=300), st.sampled_from(["queue_log", "queue_log_db"]))
def test_random_bytes_never_raise(data: bytes, connector: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input"
        path.write_bytes(data)
        check(connector, path)


@LIGHT
@given(lines, st.sampled_from([",", ";", "\t"]))
def test_db_form_random_rows(rows: list[str], delimiter: str) -> None:
    header = delimiter.join(
        [
            "time",
            "callid",
            "queuename",
            "agent",
            "event",
            "data1",
            "data2",
            "data3",
            "data4",
            "data5",
        ]
    )
    body = [delimiter.join(r.replace(delimiter, " ").split("|")) for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        path.write_text("\n".join([header, *body]) + "\n", "utf-8")
        check("queue_log_db", path)


@LIGHT
@given(lines)
def test_fast_path_agrees_with_line_by_line_path(rows: list[str]) -> None:
    # Blank lines send a file down the line-by-line path; without them DuckDB splits the fields.
    # The same content must give the same result both ways (a trailing blank line forces the
    # slow path without moving any line).
    text = "".join(r + "\n" for r in rows if r.strip(" \t\r") and "\r" not in r)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        path.write_text(text, "utf-8")
        fast = check("queue_log", path)
        path.write_text(text + "\n", "utf-8")
        slow = check("queue_log", path)
    assert fast.rejects.equals(slow.rejects)
    assert (fast.read, fast.accepted) == (slow.read, slow.accepted)
    for name, table in fast.tables.items():
        assert table.equals(slow.tables[name]), name


@LIGHT
@given(st.lists(st.one_of(mutated_line(), st.sampled_from(VALID)), max_size=40))
def test_one_group_by_for_simple_calls_agrees_with_the_window(rows: list[str]) -> None:
    # Calls with one start before all their other lines skip the segment window; forcing every
    # call through the window must give the same interactions.
    window_only = partial(queue_log.derive_interactions, simple_pairs=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        path.write_text("".join(r + "\n" for r in rows), "utf-8")
        fast = check("queue_log", path)
        with patch.object(queue_log, "derive_interactions", window_only):
            slow = check("queue_log", path)
    assert fast.tables["interactions"].equals(slow.tables["interactions"])
    assert fast.tables["ring_no_answer"].equals(slow.tables["ring_no_answer"])
