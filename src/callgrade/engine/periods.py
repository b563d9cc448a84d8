"""Reporting periods: calendar ranges in a center's local time, held as UTC instants.

A period's boundaries sit at local midnight of the center's time zone, so a March report in
Europe/Berlin starts at 2026-02-28T23:00Z and ends at 2026-03-31T22:00Z (after the switch to
summer time). The end is exclusive: an event at exactly ``end`` belongs to the next period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

GRAINS = ("day", "week", "month", "quarter", "half", "year")


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime  # UTC, inclusive
    end: dt.datetime  # UTC, exclusive

    def contains(self, instant: dt.datetime) -> bool:
        return self.start <= instant < self.end


_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(
            f"Unknown time zone {tz!r}: use an IANA name such as Asia/Shanghai."
        ) from e


def _add_months(d: dt.date, months: int) -> dt.date:
    idx = d.year * 12 + d.month - 1 + months
    return dt.date(idx // 12, idx % 12 + 1, 1)


def _local_range(spec: str) -> tuple[dt.date, dt.date, str]:
    """Local calendar dates [first, after_last) and the grain the spec names."""
    s = spec.strip()
    try:
        if m := _YEAR.match(s):
            y = int(m[1])
            return dt.date(y, 1, 1), dt.date(y + 1, 1, 1), "year"
        if m := _HALF.match(s):
            first = dt.date(int(m[1]), 1 + 6 * (int(m[2]) - 1), 1)
            return first, _add_months(first, 6), "half"
        if m := _QUARTER.match(s):
            first = dt.date(int(m[1]), 1 + 3 * (int(m[2]) - 1), 1)
            return first, _add_months(first, 3), "quarter"
        if m := _MONTH.match(s):
            first = dt.date(int(m[1]), int(m[2]), 1)
            return first, _add_months(first, 1), "month"
        if m := _WEEK.match(s):
            first = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return first, first + dt.timedelta(days=7), "week"
        if m := _DAY.match(s):
            first = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return first, first + dt.timedelta(days=1), "day"
        a, _, b = (part.strip() for part in s.partition(".."))
        if _DAY.match(a) and _DAY.match(b):
            first, last = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
            if last < first:
                raise ValueError(
                    f"Period {spec!r} ends before it starts: write the earlier day first."
                )
            return first, last + dt.timedelta(days=1), "custom"
    except ValueError as e:
        if str(e).startswith("Period "):
            raise
        raise ValueError(f"Period {spec!r} names a date that does not exist.") from e
    raise ValueError(
        f"Period {spec!r} is not understood: expected 2026, 2026-H1, 2026-Q1, 2026-03, 2026-W05,"
        " 2026-03-05 or 2026-03-01..2026-03-15."
    )


def _label(first: dt.date, after: dt.date, grain: str) -> str:
    if grain == "year":
        return f"{first.year}"
    if grain == "half":
        return f"{first.year}-H{1 if first.month <= 6 else 2}"
    if grain == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if grain == "month":
        return f"{first.year}-{first.month:02d}"
    if grain == "week":
        y, w, _ = first.isocalendar()
        return f"{y}-W{w:02d}"
    if grain == "day":
        return first.isoformat()
    return f"{first.isoformat()}..{(after - dt.timedelta(days=1)).isoformat()}"


def _grain_start(d: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return d
    if grain == "week":
        return d - dt.timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    if grain == "quarter":
        return dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    if grain == "half":
        return dt.date(d.year, 1 if d.month <= 6 else 7, 1)
    return dt.date(d.year, 1, 1)


def _grain_next(d: dt.date, grain: str) -> dt.date:
    step = {"month": 1, "quarter": 3, "half": 6, "year": 12}
    if grain == "day":
        return d + dt.timedelta(days=1)
    if grain == "week":
        return d + dt.timedelta(days=7)
    return _add_months(d, step[grain])


def _instant(d: dt.date, zone: ZoneInfo) -> dt.datetime:
    # Local midnight may not exist or repeat on DST days in a few zones; zoneinfo's fold=0 picks
    # the first reading, which is what a wall clock on that day shows.
    return dt.datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(dt.UTC)


def parse_period(spec: str, *, tz: str, grain: str | None = None) -> list[Period]:
    """Periods for ``spec`` in time zone ``tz``; with ``grain``, the range split into consecutive
    periods of that grain (partial first/last pieces are cut to the range and labelled as custom
    ranges, so nothing outside the spec is ever counted)."""
    zone = _zone(tz)
    first, after, own = _local_range(spec)
    if grain is None:
        return [Period(_label(first, after, own), _instant(first, zone), _instant(after, zone))]
    if grain not in GRAINS:
        raise ValueError(f"Grain {grain!r} is not one of {', '.join(GRAINS)}.")
    out: list[Period] = []
    cur = first
    while cur < after:
        nxt = min(_grain_next(_grain_start(cur, grain), grain), after)
        whole = _grain_start(cur, grain) == cur and _grain_next(cur, grain) == nxt
        label = _label(cur, nxt, grain if whole else "custom")
        out.append(Period(label, _instant(cur, zone), _instant(nxt, zone)))
        cur = nxt
    return out
