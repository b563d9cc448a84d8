"""Column-at-a-time conversion of raw cells to canonical values.

Every converter takes a whole column (a pandas object Series of stripped text, native Excel
values or None) and returns the converted values plus a mask of cells that were present but could
not be converted. Work is vectorized so a few hundred thousand rows take seconds; the caller goes
row by row only to phrase the reasons for the bad cells.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.connectors.mapped.fast import FALSE_WORDS, TRUE_WORDS, convert_text
from callgrade.engine.connectors.reasons import reason as say

FieldType = Literal["string", "int", "float", "bool", "datetime", "date", "duration", "percent"]
NUMERIC: tuple[FieldType, ...] = ("int", "float", "percent", "duration")

# Canonical columns whose values KPIs compare against fixed words (see schemas.py field docs).
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("interactions", "direction"): ("inbound", "outbound"),
    ("interactions", "outcome"): (
        "answered",
        "abandoned",
        "timeout",
        "exit_empty",
        "join_empty",
        "full",
        "exit_key",
        "withdrawn",
        "closed",
        "diverted",
        "no_answer",
        "busy",
        "failed",
    ),
    ("interactions", "transfer_kind"): ("blind", "attended", "legacy", "queue"),
    ("interactions", "ended_by"): ("caller", "agent", "system"),
    ("agent_states", "state"): ("logged_in", "paused", "wrapup"),
    ("attendance", "kind"): ("present", "leave", "late", "early_leave", "absent"),
    ("complaints", "severity"): ("minor", "major"),
    ("roster", "status"): ("active", "probation", "left"),
    ("competency_assessments", "method"): ("exam", "observation"),
}

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
DATE_RANGE = (dt.datetime(1899, 12, 31, tzinfo=dt.UTC), dt.datetime(2200, 1, 1, tzinfo=dt.UTC))
# Plausible ranges for bare numbers in a date column (pandas' nanosecond timestamps end in 2262).
SERIAL_RANGE = (1.0, 120_000.0)  # Excel day serials, 1900-01-01 … 2228
UNIX_S_RANGE = (1e8, 9e9)  # 1973 … 2255
UNIX_MS_RANGE = (1e11, 9e12)

_DATE_RE = (
    r"^(?P<y>\d{4})[-/.年](?P<mo>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:(?:\s+|T|(?<=日))(?P<h>\d{1,2}):(?P<mi>\d{1,2})(?::(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,9}))?)?)?"
    r"\s*(?P<z>Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT_RE = (
    r"^(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})(?:[T ]?(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})?)?"
    r"(?P<f>)(?P<z>Z|[+-]\d{2}:?\d{2})?$"
)
_DURATION_RE = r"^(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d{1,2}(?:\.\d+)?)$"
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


class ExcelPercent(float):
    """A number from an Excel cell formatted as a percentage (0.85 shown as 85%)."""


def default_type(arrow: pa.DataType) -> FieldType:
    if pa.types.is_timestamp(arrow):
        return "datetime"
    if pa.types.is_boolean(arrow):
        return "bool"
    if pa.types.is_floating(arrow) or pa.types.is_integer(arrow):
        return "float"
    return "string"


def fits(ftype: FieldType, arrow: pa.DataType) -> bool:
    """Whether values of ``ftype`` can fill a canonical column of type ``arrow``."""
    if pa.types.is_string(arrow):
        return True
    return default_type(arrow) == {
        "int": "float",
        "percent": "float",
        "duration": "float",
        "date": "datetime",
    }.get(ftype, ftype)


def expected(ftype: FieldType, fmt: str | None = None) -> str:
    if fmt and ftype in ("datetime", "date"):
        return say("mp_date_format", pattern=repr(fmt))
    return say(
        {
            "string": "mp_text",
            "int": "mp_int",
            "float": "mp_float",
            "percent": "mp_percent",
            "bool": "mp_bool",
            "datetime": "mp_datetime",
            "date": "mp_date",
            "duration": "mp_duration",
        }[ftype]
    )


# Arrow for text-only columns, pandas objects for columns with native Excel values
Column: TypeAlias = pa.Array | pd.Series


def normalize(cells: list[Any] | pd.Series) -> Column:
    """Strip text cells; empty text becomes null. A column of text only comes back as an Arrow
    string array (the fast path); one with native Excel values as a pandas object Series."""
    values = cells.tolist() if isinstance(cells, pd.Series) else list(cells)
    try:
        arr = pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return _normalize_mixed(pd.Series(values, dtype=object))
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _normalize_mixed(s: pd.Series) -> pd.Series:
    is_str = s.map(type).isin([str])
    if is_str.any():
        stripped = s[is_str].str.strip()
        s = s.copy()
        s[is_str] = stripped.where(stripped != "", None)
    return s.where(s.notna(), None)


def is_null(col: Column) -> np.ndarray:
    if isinstance(col, pa.Array):
        return np.asarray(col.is_null().to_numpy(zero_copy_only=False), bool)
    return col.isna().to_numpy()


def convert(
    col: Column,
    ftype: FieldType,
    arrow: pa.DataType,
    *,
    fmt: str | None = None,
    tz: str = "UTC",
) -> tuple[pa.Array, np.ndarray]:
    """Convert a normalized column; returns the canonical Arrow array (null where empty or bad)
    and the mask of present-but-unconvertible cells."""

    def slow(s: pd.Series) -> tuple[pa.Array, np.ndarray]:
        return _convert_mixed(s, ftype, fmt=fmt, tz=tz)

    if isinstance(col, pa.Array):
        typed, bad = convert_text(col, ftype, fmt=fmt, tz=tz, slow=slow)
    else:
        typed, bad = slow(col)
    if pa.types.is_timestamp(typed.type):
        typed, bad = plausible(typed, bad)
    if pa.types.is_string(arrow) and ftype != "string":
        typed = _as_text(typed)
    return typed.cast(arrow), np.asarray(bad, bool)


def plausible(when: pa.Array, bad: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Times outside 1900–2199 are typos (year 0026) or misread numbers: bad, not data."""
    lo, hi = (pa.scalar(d, pa.timestamp("us", "UTC")) for d in DATE_RANGE)
    ok = pc.and_(pc.greater_equal(when, lo), pc.less(when, hi))
    outside = np.asarray(pc.invert(ok).fill_null(False), bool)
    if not outside.any():
        return when, bad
    return pc.if_else(pa.array(outside), pa.scalar(None, when.type), when), bad | outside


def _convert_mixed(
    s: pd.Series, ftype: FieldType, *, fmt: str | None, tz: str
) -> tuple[pa.Array, np.ndarray]:
    s = s.reset_index(drop=True)
    kinds = s.map(type)
    if ftype == "string":
        values, bad = _text(s, kinds), np.zeros(len(s), bool)
        typed = pa.array(values, pa.string(), from_pandas=True)
    elif ftype in ("int", "float", "percent"):
        num, bad = _numbers(s, kinds, ftype)
        typed = pa.array(num.to_numpy(), pa.float64(), from_pandas=True)
    elif ftype == "duration":
        num, bad = _durations(s, kinds)
        typed = pa.array(num.to_numpy(), pa.float64(), from_pandas=True)
    elif ftype == "bool":
        flags, bad = _bools(s, kinds)
        typed = pa.array(flags, pa.bool_(), from_pandas=True)
    else:
        when, bad = _datetimes(s, kinds, fmt=fmt, tz=tz, date_only=ftype == "date")
        typed = pa.array(when, from_pandas=True).cast(pa.timestamp("us", "UTC"), safe=False)
    return typed, np.asarray(bad, bool)


def check_constant(
    value: Any, ftype: FieldType, arrow: pa.DataType, enum: tuple[str, ...] | None, fmt: str | None
) -> str | None:
    """Why a constant from the mapping (value, default, values-map target) does not fit the
    field, or None when it does."""
    out, bad = convert(normalize([value]), ftype, arrow, fmt=fmt)
    if bad[0] or out[0].as_py() is None:
        return expected(ftype, fmt)
    if enum and out[0].as_py() not in enum:
        return say("mp_one_of", words=", ".join(enum))
    return None


def _as_text(typed: pa.Array) -> pa.Array:
    if pa.types.is_floating(typed.type):
        # 1001.0 from an Excel number cell is the id "1001", not "1001.0".
        vals = [None if v is None else _num_text(v) for v in typed.to_pylist()]
        return pa.array(vals, pa.string())
    if pa.types.is_timestamp(typed.type):
        vals = [None if v is None else v.isoformat() for v in typed.to_pylist()]
        return pa.array(vals, pa.string())
    return typed.cast(pa.string())


def _num_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


def _text(s: pd.Series, kinds: pd.Series) -> pd.Series:
    other = s.notna() & ~kinds.isin([str])
    if not other.any():
        return s
    s = s.copy()
    s[other] = s[other].map(cell_text)
    return s


def cell_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return _num_text(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)


def _parse_numbers(text: pd.Series) -> pd.Series:
    thousands = text.str.match(_THOUSANDS_RE)
    if thousands.any():
        text = text.where(~thousands, text.str.replace(",", "", regex=False))
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _numbers(s: pd.Series, kinds: pd.Series, ftype: FieldType) -> tuple[pd.Series, pd.Series]:
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    is_str = kinds.isin([str])
    if is_str.any():
        text = s[is_str]
        if ftype == "percent":
            text = text.str.removesuffix("%").str.removesuffix("％").str.rstrip()
        out[is_str] = _parse_numbers(text)
    is_num = kinds.isin([int, float, ExcelPercent])
    if is_num.any():
        nums = s[is_num]
        out[is_num] = nums.astype("float64")
        if ftype == "percent":
            pct = (kinds == ExcelPercent) & is_num
            out[pct] = out[pct] * 100.0
    out = out.where(np.isfinite(out))
    if ftype == "int":
        out = out.where(out.round() == out)
    bad = s.notna() & out.isna()
    return out, bad


def _durations(s: pd.Series, kinds: pd.Series) -> tuple[pd.Series, pd.Series]:
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    is_str = kinds.isin([str])
    if is_str.any():
        text = s[is_str]
        parts = text.str.extract(_DURATION_RE)
        h = pd.to_numeric(parts["h"], errors="coerce")
        m = pd.to_numeric(parts["m"], errors="coerce")
        sec = pd.to_numeric(parts["s"], errors="coerce")
        clock = m.notna() & (sec < 60) & (h.isna() | (m < 60))
        seconds = h.fillna(0) * 3600 + m * 60 + sec
        plain = _parse_numbers(text)
        out[is_str] = seconds.where(clock, plain.where(parts["m"].isna()))
    for kind, fn in _NATIVE_DURATION.items():
        mask = kinds == kind
        if mask.any():
            out[mask] = s[mask].map(fn).astype("float64")
    out = out.where(np.isfinite(out) & (out >= 0))
    return out, s.notna() & out.isna()


def _excel_duration(v: dt.datetime) -> float:
    # Excel shows [h]:mm:ss values of a day or more as dates in January 1900.
    return (v - dt.datetime(1899, 12, 30)).total_seconds() if v.year <= 1900 else np.nan


_NATIVE_DURATION: dict[type, Any] = {
    int: float,
    float: float,
    ExcelPercent: float,
    dt.timedelta: lambda v: v.total_seconds(),
    dt.time: lambda v: v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6,
    dt.datetime: _excel_duration,
}


def _bools(s: pd.Series, kinds: pd.Series) -> tuple[pd.Series, pd.Series]:
    out = pd.Series(None, index=s.index, dtype=object)
    is_str = kinds.isin([str])
    if is_str.any():
        low = s[is_str].str.lower()
        out[is_str] = low.map(
            lambda v: True if v in TRUE_WORDS else False if v in FALSE_WORDS else None
        )
    is_bool = kinds.isin([bool])
    out[is_bool] = s[is_bool]
    is_num = kinds.isin([int, float])
    if is_num.any():
        out[is_num] = s[is_num].map(lambda v: True if v == 1 else False if v == 0 else None)
    return out, s.notna() & out.isna()


def _datetimes(
    s: pd.Series, kinds: pd.Series, *, fmt: str | None, tz: str, date_only: bool
) -> tuple[pd.Series, pd.Series]:
    """Two partial results, merged at the end: wall-clock times in ``tz`` and absolute (UTC)
    times from offsets, Unix stamps or ``%z`` formats."""
    n = len(s)
    local = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    utc = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    is_str = kinds.isin([str])
    numbers = pd.Series(np.nan, index=s.index, dtype="float64")
    if is_str.any():
        text = s[is_str]
        if fmt:
            aware = "%z" in fmt or "%Z" in fmt
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=aware)
            (utc if aware else local)[is_str] = parsed
        else:
            lo, ab, rest = _parse_date_text(text)
            local[lo.index] = lo
            utc[ab.index] = ab
            if len(rest):
                numbers[rest.index] = _parse_numbers(rest)
    is_num = kinds.isin([int, float, ExcelPercent])
    if is_num.any():
        numbers[is_num] = s[is_num].astype("float64")
    if numbers.notna().any():
        _from_numbers(numbers, local, utc)
    for kind in (dt.datetime, pd.Timestamp, dt.date):
        mask = kinds == kind
        if mask.any():
            _from_native(s[mask], local, utc)
    if date_only:
        has_utc = utc.notna()
        if has_utc.any():
            local[has_utc] = utc[has_utc].dt.tz_convert(tz).dt.tz_localize(None)
            utc[has_utc] = pd.NaT
        local = local.dt.normalize()
    # The repeated hour at a DST fall-back is read as its first occurrence (summer time).
    localized = local.dt.tz_localize(
        tz, ambiguous=np.ones(n, bool), nonexistent="shift_forward"
    ).dt.tz_convert("UTC")
    result = utc.where(utc.notna(), localized)
    return result, s.notna() & result.isna()


def _parse_date_text(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Text in ISO-like and common forms → (naive local, aware UTC, unmatched text)."""
    cjk = text.str.contains("[时点分秒]", regex=True)
    if cjk.any():
        # 8时30分15秒 → 8:30:15, so one pattern covers both spellings.
        spelled = text[cjk].str.replace("[时点]", ":", regex=True).str.replace("分", ":")
        text = text.copy()
        text[cjk] = spelled.str.replace("秒", "").str.rstrip(":")
    parts = text.str.extract(_DATE_RE)
    missing = parts["y"].isna()
    if missing.any():
        compact = text[missing].str.extract(_COMPACT_RE)
        parts.loc[missing] = compact
    matched = parts["y"].notna()
    parts = parts[matched]
    frac = parts["f"].fillna("").str.ljust(9, "0").str[:6]
    frame = pd.DataFrame(
        {
            "year": pd.to_numeric(parts["y"]),
            "month": pd.to_numeric(parts["mo"]),
            "day": pd.to_numeric(parts["d"]),
            "hour": pd.to_numeric(parts["h"]).fillna(0),
            "minute": pd.to_numeric(parts["mi"]).fillna(0),
            "second": pd.to_numeric(parts["s"]).fillna(0),
            "us": pd.to_numeric(frac).fillna(0),
        },
        index=parts.index,
    )
    if len(frame):
        ok = (frame["hour"] < 24) & (frame["minute"] < 60) & (frame["second"] < 60)
        naive = pd.to_datetime(frame.where(ok, np.nan), errors="coerce")
        naive = naive.astype("datetime64[ns]")
    else:
        naive = pd.Series(dtype="datetime64[ns]")
    zone = parts["z"]
    has_zone = zone.notna()
    offsets = zone[has_zone].map(_offset_minutes)
    aware = (naive[has_zone] - pd.to_timedelta(offsets, unit="min")).dt.tz_localize("UTC")
    return naive[~has_zone], aware, text[~matched]


def _offset_minutes(z: str) -> float:
    if z == "Z":
        return 0.0
    digits = z[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return float(-minutes if z[0] == "-" else minutes)


def _from_numbers(numbers: pd.Series, local: pd.Series, utc: pd.Series) -> None:
    serial = numbers.between(*SERIAL_RANGE, inclusive="left")
    if serial.any():
        days = pd.to_timedelta(numbers[serial], unit="D")
        # Excel stores times as fractions of a day; rounding to the millisecond undoes the
        # binary fraction error (08:29:59.99999 → 08:30:00).
        local[serial] = (EXCEL_EPOCH + days).dt.round("ms")
    for (lo, hi), unit in ((UNIX_S_RANGE, "s"), (UNIX_MS_RANGE, "ms")):
        mask = numbers.between(lo, hi, inclusive="left")
        if mask.any():
            utc[mask] = pd.to_datetime(numbers[mask], unit=unit, utc=True)


def _from_native(values: pd.Series, local: pd.Series, utc: pd.Series) -> None:
    for idx, v in values.items():
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            utc[idx] = pd.Timestamp(v).tz_convert("UTC")
        elif isinstance(v, dt.datetime):
            local[idx] = pd.Timestamp(v)
        else:
            local[idx] = pd.Timestamp(v.year, v.month, v.day)
