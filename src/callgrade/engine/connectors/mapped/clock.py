"""A timestamp from two columns: a date column and a time-of-day column.

Exports often split the start of a call into ``Date`` (2026/03/05) and ``Time`` (08:15:02). The
date is read like any date (text, an Excel date cell or serial number) and the time of day as
seconds after midnight; the two are added as local wall-clock time and then placed in the time
zone, so a DST change in between is handled like any other local time.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.connectors.mapped.convert import Column, convert, is_null, plausible
from callgrade.engine.connectors.mapped.fast import localize
from callgrade.engine.connectors.reasons import reason as say

_CLOCK = (
    r"^(?P<h>\d{1,2})[:时点](?P<m>\d{1,2})(?:[:分](?P<s>\d{1,2})(?:[.,](?P<f>\d{1,6}))?)?[分秒]?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?$"
)
_COMPACT = r"^(?P<h>\d{2})(?P<m>\d{2})(?P<s>\d{2})?$"
DAY = 86_400.0

TIME_WORDS = say("mp_time")


def expected_time(fmt: str | None) -> str:
    return say("mp_time_format", pattern=repr(fmt)) if fmt else say("mp_time")


def seconds_of_day(col: Column, fmt: str | None = None) -> tuple[pa.Array, np.ndarray]:
    """Seconds after midnight for each cell (null where empty or bad) and the mask of
    present-but-bad cells. Text in the forms of :data:`TIME_WORDS` (or ``fmt``), Excel time
    cells, and fractions of a day (0.34 is 08:09:36, as Excel stores times)."""
    values = col.to_pylist() if isinstance(col, pa.Array) else col.tolist()
    s = pd.Series(values, dtype=object)
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    kinds = s.map(type)
    is_str = kinds.isin([str])
    if is_str.any():
        out[is_str] = _from_text(s[is_str], fmt)
    for idx, v in s[~is_str & s.notna()].items():
        out[idx] = _from_native(v)
    out = out.where((out >= 0) & (out < DAY))
    bad = s.notna() & out.isna()
    return pa.array(out.to_numpy(), pa.float64(), from_pandas=True), bad.to_numpy()


def _from_text(text: pd.Series, fmt: str | None) -> pd.Series:
    if fmt:
        when = pd.to_datetime(text, format=fmt, errors="coerce")
        return (
            when.dt.hour * 3600 + when.dt.minute * 60 + when.dt.second + when.dt.microsecond / 1e6
        ).astype("float64")
    parts = text.str.extract(_CLOCK)
    compact = parts["h"].isna()
    if compact.any():
        parts.loc[compact, ["h", "m", "s"]] = text[compact].str.extract(_COMPACT).to_numpy()
    h = pd.to_numeric(parts["h"], errors="coerce")
    m = pd.to_numeric(parts["m"], errors="coerce")
    sec = pd.to_numeric(parts["s"], errors="coerce").fillna(0)
    frac = pd.to_numeric(parts["f"].fillna("").str.ljust(6, "0").str[:6], errors="coerce")
    ampm = parts["ampm"].fillna("").str.lower().str[0]
    twelve = ampm != ""
    h = h.where(~twelve | ((h >= 1) & (h <= 12)))
    h = h.where(~twelve, (h % 12) + np.where(ampm == "p", 12, 0))
    ok = (h < 24) & (m < 60) & (sec < 60)
    seconds = (h * 3600 + m * 60 + sec + frac.fillna(0) / 1e6).where(ok)
    number = pd.to_numeric(text, errors="coerce")
    fraction = (number * DAY).round(3).where((number >= 0) & (number < 1))
    return seconds.where(seconds.notna(), fraction).astype("float64")


def _from_native(v: object) -> float:
    if isinstance(v, dt.datetime):  # a time cell Excel formats as a date and time
        v = v.time()
    if isinstance(v, dt.time):
        return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 1:
        return round(float(v) * DAY, 3)  # Excel's fraction of a day, to the millisecond
    return float("nan")


def date_and_time(
    dates: Column,
    times: Column,
    *,
    date_format: str | None,
    time_format: str | None,
    tz: str,
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """The UTC timestamps of ``dates`` + ``times`` read in ``tz``; masks of bad date cells, bad
    time cells, and rows where only one of the two is given."""
    # Read as a date in UTC: midnight of the written day, i.e. the naive local date.
    day, bad_day = convert(dates, "date", pa.timestamp("us", "UTC"), fmt=date_format, tz="UTC")
    secs, bad_time = seconds_of_day(times, time_format)
    half = is_null(dates) != is_null(times)
    micros = pc.cast(pc.round(pc.multiply(secs, 1e6)), pa.int64()).cast(pa.duration("us"))
    naive = pc.add(day.cast(pa.timestamp("us")), micros)
    when = localize(naive, tz, date_only=False)
    when, outside = plausible(when, np.zeros(len(when), bool))
    return when, bad_day | outside, bad_time, half & ~bad_day & ~bad_time
