"""Mapped connector, property tests: random and mutated CSV rows never raise, counts reconcile,
accepted rows conform to the canonical schema and good rows round-trip exactly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callgrade.engine.connectors import parse
from callgrade.engine.connectors.mapped import load_mapping
from callgrade.engine.schemas import TABLES, conform

MAPPING = load_mapping(
    """\
table: sales
columns:
  sale_id: {from: id}
  agent_id: {from: agent}
  sold_at: {from: when}
  amount: {from: amount}
  valid: {from: ok, type: bool}
  product: {from: product, values: {a: A, b: B}, default: other}
"""
)
HEADER = ["id", "agent", "when", "amount", "ok", "product"]
SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

cell_text = st.text(
    alphabet=st.sampled_from([*'ab1,;"\n\r\t |-:.%是否工号 \x00', "\u00e9", "\ufeff"]),
    max_size=12,
)
junk_row = st.lists(cell_text, min_size=0, max_size=8)


def _parse(body: bytes, suffix: str = ".csv"):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        path.write_bytes(body)
        return parse("mapped", path, mapping=MAPPING)  # parse() checks read == acc + rej


def _conforms(result) -> None:
    table = result.tables["sales"]
    assert table.schema == TABLES["sales"].schema
    conform("sales", table)  # raises on nulls in required columns
    assert table.num_rows == result.accepted
    refs = table.column("source_ref").to_pylist()
    assert len(set(refs)) == len(refs)
    for reason in result.rejects.column("reason").to_pylist():
        assert reason and "Traceback" not in reason


@SETTINGS
@given(
    rows=st.lists(junk_row, max_size=15),
    delimiter=st.sampled_from([",", ";", "\t"]),
    noise=st.binary(max_size=6),
)
def test_random_rows_never_raise_and_counts_reconcile(rows, delimiter, noise):
    head = (",".join(HEADER) + "\n").encode("utf-8")
    data = "\n".join(delimiter.join(r) for r in rows).encode("utf-8")
    cut = len(data) // 2
    result = _parse(head + data[:cut] + noise + data[cut:])
    _conforms(result)


good_row = st.tuples(
    st.from_regex(r"[A-Z][0-9]{1,6}", fullmatch=True),
    st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda f: round(f, 2)),
    st.booleans(),
    st.sampled_from(["a", "b", "c", ""]),
)


@SETTINGS
@given(rows=st.lists(good_row, max_size=20), broken=st.sets(st.integers(0, 19)), data=st.data())
def test_good_rows_round_trip_and_mutated_cells_reject_only_their_rows(rows, broken, data):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    expect = []
    bad_lines = set()
    for i, (sid, agent, when, amount, ok, product) in enumerate(rows):
        cells = [sid, agent, when.isoformat(sep=" "), repr(amount), "是" if ok else "否", product]
        if i in broken:
            col = data.draw(st.sampled_from([2, 3, 4]))
            cells[col] = data.draw(st.sampled_from(["x", "2026-02-30", "1.2.3", "maybe", "--"]))
            bad_lines.add(i + 2)
        else:
            expect.append(
                (
                    sid,
                    agent,
                    when.replace(tzinfo=dt.UTC),
                    amount,
                    ok,
                    {"a": "A", "b": "B"}.get(product, "other"),
                )
            )
        w.writerow(cells)
    result = _parse(buf.getvalue().encode("utf-8"))
    _conforms(result)
    assert set(result.rejects.column("line").to_pylist()) == bad_lines
    t = result.tables["sales"]
    got = list(
        zip(
            *(
                t.column(c).to_pylist()
                for c in ("sale_id", "agent_id", "sold_at", "amount", "valid", "product")
            ),
            strict=True,
        )
    )
    assert got == expect
