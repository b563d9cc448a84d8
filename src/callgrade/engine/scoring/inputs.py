"""Assemble the per-employee frames scoring reads: the roster joined to the policy, one period's
KPI values, and non-KPI inputs (tenure, competency, exam and assessment scores)."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.policy import Policy

PEER_KEYS = ("position", "queue", "team", "track", "level")
KPI_COLUMNS = ["entity_id", "kpi", "value", "numerator", "denominator", "sample_size", "unit"]

T = TypeVar("T")
_LOCK = threading.Lock()
_MEMO: dict[str, tuple[object, tuple[Callable[[], object] | None, ...], Any]] = {}
_BUILDING: dict[str, threading.RLock] = {}  # one per name: a value is built once at a time


def _memo(name: str, refs: tuple[object, ...], build: Callable[[], T], key: object = None) -> T:
    """The last value built under ``name`` when it was built from the very same (immutable)
    objects ``refs`` and an equal ``key``, else a fresh one. One entry per name: scoring, grading
    and pay of one run share the roster frame. Entries hold their inputs weakly and go away with
    them, so the memo never keeps a caller's tables alive. Periods scored side by side wait for
    each other's build of the same name instead of building it twice."""
    with _LOCK:
        building = _BUILDING.setdefault(name, threading.RLock())
    with building:
        return _memo_locked(name, refs, build, key)


def _memo_locked(name: str, refs: tuple[object, ...], build: Callable[[], T], key: object) -> T:
    with _LOCK:
        hit = _MEMO.get(name)
    if hit is not None and hit[0] == key and len(hit[1]) == len(refs):
        alive = [r() if r is not None else None for r in hit[1]]
        if all(a is b for a, b in zip(alive, refs, strict=True)):
            return hit[2]
    value = build()

    def forget(_: object) -> None:
        with _LOCK:
            if _MEMO.get(name) is entry:
                del _MEMO[name]

    weak = tuple(None if r is None else weakref.ref(r, forget) for r in refs)
    entry = (key, weak, value)
    with _LOCK:
        _MEMO[name] = entry
    return value


def clear_caches() -> None:
    """Forget every memoized frame (benchmarks call it so that each run starts cold)."""
    with _LOCK:
        _MEMO.clear()


def roster_frame(policy: Policy, roster: pa.Table) -> pd.DataFrame:
    """Employees the policy applies to (a known position, not left), one row each, by id.

    The frame is sorted by ``employee_id``; each call gets its own copy."""
    return _memo("roster", (policy, roster), lambda: _roster_frame(policy, roster)).copy()


def _roster_frame(policy: Policy, roster: pa.Table) -> pd.DataFrame:
    cols = [
        c
        for c in ("employee_id", "team", "position", "track", "level", "hire_date", "status")
        if c in roster.column_names
    ]
    df = roster.select(cols).to_pandas()
    for c in ("team", "position", "track", "level", "status"):
        if c not in df:
            df[c] = None
    if "hire_date" not in df:
        df["hire_date"] = pd.NaT
    known = {p.code: p for p in policy.positions}
    df = df[df["position"].isin(list(known)) & (df["status"].fillna("") != "left")]
    # a repeated id keeps the same row whatever the input order: sort on every column first
    df = df.sort_values(cols, kind="mergesort").drop_duplicates("employee_id")
    df["scorecard"] = df["position"].map({c: p.scorecard for c, p in known.items()})
    df["ladder"] = df["position"].map({c: p.ladder for c, p in known.items()})
    df["queue"] = ""
    for c in ("team", "track", "level"):
        df[c] = df[c].fillna("")
    df["hire_date"] = hire_dates(df["hire_date"], policy.time_zone)
    return df.reset_index(drop=True)


def hire_dates(values: pd.Series, tz: str) -> pd.Series:
    """Local calendar dates of hire (the roster stores local midnight as a UTC instant)."""
    ts = pd.to_datetime(values, utc=True)
    return ts.dt.tz_convert(ZoneInfo(tz)).dt.tz_localize(None).dt.normalize()


def months_between(start: pd.Series, end: dt.date) -> pd.Series:
    """Completed calendar months from each start date to ``end`` (NaN without a start)."""
    s = start if pd.api.types.is_datetime64_dtype(start) else pd.to_datetime(start)
    months = (end.year - s.dt.year) * 12 + (end.month - s.dt.month)
    months = months - (s.dt.day > end.day).astype(float)
    return months.where(s.notna()).clip(lower=0).astype(float)


def period_rows(kpis: pa.Table, label: str) -> pa.Table:
    """The rows of one period (in table order); scoring, grading and pay of every period read
    them, so the table is split by period once and each period's rows are taken once."""
    by_period = _memo("period_rows", (kpis,), lambda: _PeriodRows(kpis))
    return by_period.rows(kpis, label)


class _PeriodRows:
    """A KPI table's row numbers grouped by period (one stable sort of the period codes), and
    each period's rows once taken. It never holds the table itself: the memo keeps its inputs
    weakly."""

    def __init__(self, kpis: pa.Table) -> None:
        labels, codes = _memo("period_codes", (kpis,), lambda: _period_codes(kpis))
        self.index = {str(x): i for i, x in enumerate(labels)}
        self.order = np.argsort(codes, kind="stable")  # table order inside each period
        self.bounds = np.searchsorted(codes[self.order], np.arange(len(labels) + 1))
        self.tables: dict[str, pa.Table] = {}

    def rows(self, kpis: pa.Table, label: str) -> pa.Table:
        if label not in self.tables:
            i = self.index.get(label)
            if i is None:
                self.tables[label] = kpis.slice(0, 0)
            else:
                rows = self.order[self.bounds[i] : self.bounds[i + 1]]
                if len(rows) and rows[-1] - rows[0] == len(rows) - 1:
                    # the period's rows lie together (the KPI engine writes them so): a slice
                    # shares the table's memory instead of copying it
                    self.tables[label] = kpis.slice(int(rows[0]), len(rows))
                else:
                    self.tables[label] = kpis.take(rows)
        return self.tables[label]


def _period_codes(kpis: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The distinct period labels of a KPI table and each row's index into them (-1: null),
    so that every period's rows are found without comparing strings again."""
    period = kpis.column("period")
    labels = pc.unique(period).drop_null()
    codes = pc.fill_null(pc.index_in(period, value_set=labels), -1)
    return np.array(labels.to_pylist(), dtype=object), codes.to_numpy()


def _agent_rows(kpis: pa.Table, label: str, codes: list[str] | None) -> pa.Table:
    t = period_rows(kpis, label)
    if codes is None:
        mask = pc.is_valid(t.column("period"))  # every row of the period
    else:
        mask = pc.is_in(t.column("kpi"), value_set=pa.array(codes, pa.string()))
    if "entity_type" in t.column_names:
        mask = pc.and_(mask, pc.equal(t.column("entity_type"), "agent"))
    return t.select(KPI_COLUMNS).filter(mask)


def period_kpis(kpis: pa.Table, label: str, codes: list[str] | None = None) -> pd.DataFrame:
    """One period's agent KPI rows, of the KPIs in ``codes`` when given."""
    df = _agent_rows(kpis, label, codes).to_pandas()
    dup = df.duplicated(["entity_id", "kpi"], keep="last")
    if not dup.any():
        return df
    # a repeated key keeps the same row whatever the input order
    df = df.sort_values(["entity_id", "kpi", "value", "sample_size"], kind="mergesort")
    return df.drop_duplicates(["entity_id", "kpi"], keep="last")


@dataclass(frozen=True)
class KpiColumns:
    """One period's KPI rows laid out by employee: ``value[k, i]`` etc. for KPI ``codes[k]`` and
    employee ``ids[i]`` (NaN without a row; ``present`` says where a row exists), and each
    KPI's unit (the first non-null unit of its rows, None without one)."""

    codes: list[str]
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    sample_size: np.ndarray
    present: np.ndarray
    units: list[str | None]

    def row(self, code: str) -> int:
        return self.codes.index(code)


def kpi_columns(kpis: pa.Table, label: str, codes: list[str], ids: np.ndarray) -> KpiColumns:
    """The rows :func:`period_kpis` keeps (same de-duplication, same order), laid out by
    employee without building a frame of the whole period."""
    t = _agent_rows(kpis, label, codes)
    ent = pc.dictionary_encode(t.column("entity_id")).combine_chunks()
    k = pc.fill_null(pc.index_in(t.column("kpi"), value_set=pa.array(codes, pa.string())), -1)
    kk = k.to_numpy().astype(np.int64)
    ee = pc.fill_null(ent.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    keys = (ee + 1) * len(codes) + kk
    if len(keys) and np.bincount(keys - keys.min()).max() > 1:  # a repeated key
        # repeated (employee, KPI) rows: keep exactly the row period_kpis keeps, in its order
        df = period_kpis(kpis, label, codes)
        t = pa.Table.from_pandas(df[KPI_COLUMNS], preserve_index=False)
        k = pc.fill_null(pc.index_in(t.column("kpi"), value_set=pa.array(codes, pa.string())), -1)
        kk = k.to_numpy().astype(np.int64)
    pos = pc.index_in(t.column("entity_id"), value_set=pa.array(ids, pa.string()))
    e = pc.fill_null(pos, -1).to_numpy().astype(np.int64)
    hit = (e >= 0) & (kk >= 0)
    shape = (len(codes), len(ids))

    def lay(col: str) -> np.ndarray:
        out = np.full(shape, np.nan)
        vals = t.column(col).to_numpy().astype(float)
        out[kk[hit], e[hit]] = vals[hit]
        return out

    present = np.zeros(shape, dtype=bool)
    present[kk[hit], e[hit]] = True
    unit = t.column("unit")
    has_unit = pc.is_valid(unit).to_numpy(zero_copy_only=False)
    units: list[str | None] = []
    for j in range(len(codes)):
        first = np.flatnonzero((kk == j) & has_unit)
        units.append(unit[int(first[0])].as_py() if len(first) else None)
    return KpiColumns(
        codes=list(codes),
        value=lay("value"),
        numerator=lay("numerator"),
        denominator=lay("denominator"),
        sample_size=lay("sample_size"),
        present=present,
        units=units,
    )


def period_last_day(kpis: pa.Table, label: str, tz: str) -> dt.date | None:
    """Last local day of a period, read from the KPI table's period bounds."""
    if "period_end" not in kpis.column_names:
        return None
    rows = period_rows(kpis, label)
    if not rows.num_rows:
        return None
    end = rows.column("period_end")[0].as_py()
    if end.tzinfo is None:
        end = end.replace(tzinfo=dt.UTC)
    return end.astimezone(ZoneInfo(tz)).date() - dt.timedelta(days=1)


class ExtraInputs:
    """Non-KPI inputs by (input, ref): the employees that have one and their values, looked up
    by employee without scanning the whole frame for every scorecard item."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.by_key: dict[tuple[str, str], tuple[pd.Index, np.ndarray]] = {}
        for (name, ref), rows in frame.groupby(["input", "ref"], sort=False):
            self.by_key[str(name), str(ref)] = (
                pd.Index(rows["employee_id"]),
                rows["value"].to_numpy(float),
            )

    def values(self, name: str, ref: str, ids: np.ndarray) -> np.ndarray:
        """The value of input ``name``/``ref`` for each of ``ids`` (NaN without one)."""
        found = self.by_key.get((name, ref))
        if found is None:
            return np.full(len(ids), np.nan)
        index, vals = found
        at = index.get_indexer(ids)
        return np.where(at >= 0, vals[np.maximum(at, 0)], np.nan)


def extra_lookup(extra_inputs: pa.Table | None) -> ExtraInputs:
    """Non-KPI inputs as (employee_id, input, ref) → value, the last row of a repeated key winning,
    arranged by (input, ref); shared by the calls on the same table."""
    return _memo("extra_inputs", (extra_inputs,), lambda: ExtraInputs(_extra_frame(extra_inputs)))


def _extra_frame(extra_inputs: pa.Table | None) -> pd.DataFrame:
    if extra_inputs is None or not extra_inputs.num_rows:
        return pd.DataFrame({"employee_id": [], "input": [], "ref": [], "value": []})
    df = extra_inputs.select(["employee_id", "input", "ref", "value"]).to_pandas()
    df["ref"] = df["ref"].fillna("")
    df = df.sort_values(["employee_id", "input", "ref", "value"], kind="mergesort")
    return df.drop_duplicates(["employee_id", "input", "ref"], keep="last")


def inputs_from_assessments(assessments: pa.Table, as_of: dt.date) -> pa.Table:
    """``extra_inputs`` rows from competency assessments: each employee's latest score per code
    up to ``as_of``, offered as a competency, an exam and an assessment of that code."""
    df = assessments.select(["employee_id", "competency", "score", "assessed_at"]).to_pandas()
    at = pd.to_datetime(df["assessed_at"], utc=True).dt.tz_localize(None)
    df = df[at < pd.Timestamp(as_of + dt.timedelta(days=1))].assign(at=at)
    df = df.sort_values(["employee_id", "competency", "at", "score"], kind="mergesort")
    df = df.drop_duplicates(["employee_id", "competency"], keep="last")
    kinds = np.repeat(["competency", "exam", "assessment"], len(df))
    return pa.table(
        {
            "employee_id": pa.array(np.tile(df["employee_id"].to_numpy(), 3), pa.string()),
            "input": pa.array(kinds, pa.string()),
            "ref": pa.array(np.tile(df["competency"].to_numpy(), 3), pa.string()),
            "value": pa.array(np.tile(df["score"].to_numpy(float), 3), pa.float64()),
        }
    )
