"""Arrow fast paths for text columns (every CSV column, most Excel ones).

Each path settles the cells in the forms exports use almost always (plain numbers, zero-padded
ISO dates, HH:MM:SS) with Arrow compute kernels, and hands the remaining cells to the general
pandas converter. The answers are the same either way; only the speed differs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on", "是", "对", "真", "√", "✓"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off", "否", "错", "假", "×", "✗"})
Slow = Callable[[pd.Series], tuple[pa.Array, np.ndarray]]

_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_CLOCK = r"^(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d{1,2}(?:\.\d+)?)$"
_ISO = (
    r"^(?P<y>\d{4})[-/](?P<mo>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[ T](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?$"
)
_NO_STR = pa.scalar(None, pa.string())
_NO_F64 = pa.scalar(None, pa.float64())


def _mask(a: pa.Array) -> np.ndarray:
    return np.asarray(a.fill_null(False).to_numpy(zero_copy_only=False), bool)


def convert_text(
    a: pa.Array, ftype: str, *, fmt: str | None, tz: str, slow: Slow
) -> tuple[pa.Array, np.ndarray]:
    """Typed values and the mask of present-but-bad cells for a stripped text column."""
    present = _mask(a.is_valid())
    if ftype == "string":
        return a, np.zeros(len(a), bool)
    if ftype == "bool":
        low = pc.utf8_lower(a)
        no = pc.if_else(pc.is_in(low, pa.array(sorted(FALSE_WORDS))), False, None)
        flags = pc.if_else(pc.is_in(low, pa.array(sorted(TRUE_WORDS))), True, no)
        return flags, present & ~_mask(flags.is_valid())
    if ftype in ("int", "float", "percent"):
        values, settled = _numbers(a, ftype)
    elif ftype == "duration":
        values, settled = _durations(a)
    else:
        values, settled = _datetimes(a, fmt=fmt, tz=tz, date_only=ftype == "date")
    rest = present & ~settled
    if rest.any():
        sub = pd.Series(a.filter(pa.array(rest)).to_pylist(), dtype=object)
        slow_values, _ = slow(sub)
        values = pc.replace_with_mask(values, pa.array(rest), slow_values.cast(values.type))
    return values, present & ~_mask(values.is_valid())


def _numbers(a: pa.Array, ftype: str) -> tuple[pa.Array, np.ndarray]:
    text = pc.replace_substring_regex(a, r"\s*[%％]$", "") if ftype == "percent" else a
    plain = pc.match_substring_regex(text, _NUMBER)
    values = pc.cast(pc.if_else(plain, text, _NO_STR), pa.float64())
    values = pc.if_else(pc.is_finite(values), values, _NO_F64)
    if ftype == "int":
        values = pc.if_else(pc.equal(pc.round(values), values), values, _NO_F64)
    return values, _mask(plain)


def _durations(a: pa.Array) -> tuple[pa.Array, np.ndarray]:
    numbers, plain = _numbers(a, "float")
    parts = pc.extract_regex(a, _CLOCK)
    h, m, s = (pc.struct_field(parts, n) for n in ("h", "m", "s"))
    h = pc.cast(pc.if_else(pc.equal(h, ""), "0", h), pa.float64())
    m, s = pc.cast(m, pa.float64()), pc.cast(s, pa.float64())
    long_form = pc.not_equal(pc.struct_field(parts, "h"), "")
    ok = pc.and_(pc.less(s, 60), pc.or_(pc.invert(long_form), pc.less(m, 60)))
    seconds = pc.add(pc.add(pc.multiply(h, 3600.0), pc.multiply(m, 60.0)), s)
    clock = pc.if_else(ok, seconds, _NO_F64)
    values = pc.coalesce(clock, pc.if_else(pc.greater_equal(numbers, 0.0), numbers, _NO_F64))
    return values, plain | _mask(parts.is_valid())


def localize(naive: pa.Array, tz: str, date_only: bool) -> pa.Array:
    if date_only:
        naive = pc.floor_temporal(naive, unit="day")
    # The repeated hour at a DST fall-back is read as its first occurrence (summer time); a time
    # in the spring-forward gap moves to the end of the gap, as in the general converter.
    local = pc.assume_timezone(naive, timezone=tz, ambiguous="earliest", nonexistent="latest")
    return local.cast(pa.timestamp("us", "UTC"))


def _datetimes(
    a: pa.Array, *, fmt: str | None, tz: str, date_only: bool
) -> tuple[pa.Array, np.ndarray]:
    if fmt:
        if any(d in fmt for d in ("%z", "%Z", "%f")):
            return pa.nulls(len(a), pa.timestamp("us", "UTC")), np.zeros(len(a), bool)
        naive = pc.strptime(a, format=fmt, unit="us", error_is_null=True)
        # Arrow rolls 30 February over into March; only an exact round trip is trusted.
        settled = _mask(pc.equal(pc.strftime(naive, format=fmt), a))
        naive = pc.if_else(pa.array(settled), naive, pa.scalar(None, naive.type))
        return localize(naive, tz, date_only), settled
    parts = pc.extract_regex(a, _ISO)
    field = {n: pc.struct_field(parts, n) for n in ("y", "mo", "d", "h", "mi", "s", "f")}

    def pad(x: pa.Array, default: str) -> pa.Array:
        return pc.utf8_lpad(pc.if_else(pc.equal(x, ""), default, x), width=2, padding="0")

    text = pc.binary_join_element_wise(
        field["y"],
        "-",
        pad(field["mo"], "1"),
        "-",
        pad(field["d"], "1"),
        " ",
        pad(field["h"], "0"),
        ":",
        pad(field["mi"], "0"),
        ":",
        pad(field["s"], "0"),
        "",
    )
    naive = pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    same_day = pc.and_(
        pc.equal(pc.day(naive), pc.cast(field["d"], pa.int64())),
        pc.equal(pc.month(naive), pc.cast(field["mo"], pa.int64())),
    )
    naive = pc.if_else(same_day, naive, pa.scalar(None, naive.type))
    micros = pc.cast(pc.utf8_rpad(field["f"], width=6, padding="0"), pa.int64())
    naive = pc.add(naive, pc.cast(micros, pa.duration("us")))
    return localize(naive, tz, date_only), _mask(parts.is_valid())
