"""Reporting periods: calendar ranges or time ranges in a center's local time, held as UTC
instants.

A calendar period's boundaries sit at local midnight of the center's time zone, so a March report
in Europe/Berlin starts at 2026-02-28T23:00Z and ends at 2026-03-31T22:00Z (after the switch to
summer time). The end is exclusive: an event at exactly ``end`` belongs to the next period.

A time range (``2026-03-05T08:00..2026-03-05T12:00``) runs from its first local time up to, not
including, its second. Any period splits into intervals of 15, 30 or 60 minutes that start on the
local clock's quarter, half or whole hours (a range starting at 08:10 gives a first piece
08:10–08:30); intervals are measured in elapsed time, so the day clocks go forward has two
fewer 30-minute intervals and the day they go back two more, whose labels carry the UTC offset
to tell the repeated wall times apart.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

GRAINS = ("day", "week", "month", "quarter", "half", "year")
SUBDAY_GRAINS = ("15min", "30min", "60min")
# A month in 15-minute intervals; more would make a report nobody reads and a slow one.
MAX_INTERVALS = 3000


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
_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$")
_EXPECTED = (
    "expected 2026, 2026-H1, 2026-Q1, 2026-03, 2026-W05, 2026-03-05, 2026-03-01..2026-03-15"
    " or 2026-03-05T08:00..2026-03-05T12:00"
)


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
    raise ValueError(f"Period {spec!r} is not understood: {_EXPECTED}.")


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


def _local_time(text: str, spec: str, zone: ZoneInfo) -> dt.datetime:
    """``text`` (a local date and time) as a UTC instant; a wall time the clocks skip is refused
    and one they pass twice is its first reading (fold 0), as for midnight above."""
    m = _TIME.match(text)
    assert m is not None
    try:
        y, mo, d, h, mi, sec = (int(g) for g in m.groups(default="0"))
        naive = dt.datetime(y, mo, d, h, mi, sec)
    except ValueError as e:
        raise ValueError(f"Period {spec!r}: {text} is not a real date and time.") from e
    instant = naive.replace(tzinfo=zone).astimezone(dt.UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError(
            f"Period {spec!r}: {text} does not exist in {zone.key} (the clocks skip it when they"
            " go forward); give a time before or after the change."
        )
    return instant


def _time_range(spec: str, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime] | None:
    """[start, end) of a time range spec as UTC instants, or None when ``spec`` has no time."""
    a, sep, b = (part.strip() for part in spec.strip().partition(".."))
    timed = [bool(_TIME.match(x)) for x in (a, b) if x]
    if not any(timed):
        return None
    if not sep or not all(timed) or not b:
        raise ValueError(
            f"Period {spec!r} has a time of day: give a range with a date and time at both ends,"
            " e.g. 2026-03-05T08:00..2026-03-05T12:00 (the end is not included)."
        )
    start, end = _local_time(a, spec, zone), _local_time(b, spec, zone)
    if end < start:
        raise ValueError(f"Period {spec!r} ends before it starts: write the earlier time first.")
    if end == start:
        raise ValueError(f"Period {spec!r} is empty: it ends where it starts.")
    return start, end


def _stamp(instant: dt.datetime, zone: ZoneInfo) -> str:
    """A local date and time for a label; with the UTC offset where the wall time repeats."""
    local = instant.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M" + (":%S" if local.second else ""))
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        text += local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return text


def _intervals(
    start: dt.datetime, end: dt.datetime, zone: ZoneInfo, grain: str, spec: str
) -> list[Period]:
    step = dt.timedelta(minutes=int(grain.removesuffix("min")))
    count = (end - start) // step + 1
    if count > MAX_INTERVALS + 1:
        raise ValueError(
            f"Period {spec!r} in {grain} intervals makes about {count:,} intervals, more than"
            f" {MAX_INTERVALS:,}: choose a shorter period or a longer grain."
        )
    out: list[Period] = []
    cur = start
    while cur < end:
        local = cur.astimezone(zone)
        since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
        nxt = min(cur + (step - since_midnight % step), end)
        whole = nxt - cur == step
        label = _stamp(cur, zone) if whole else f"{_stamp(cur, zone)}..{_stamp(nxt, zone)}"
        out.append(Period(label, cur, nxt))
        cur = nxt
    if len(out) > MAX_INTERVALS:
        raise ValueError(
            f"Period {spec!r} in {grain} intervals makes {len(out):,} intervals, more than"
            f" {MAX_INTERVALS:,}: choose a shorter period or a longer grain."
        )
    return out


def parse_period(spec: str, *, tz: str, grain: str | None = None) -> list[Period]:
    """Periods for ``spec`` in time zone ``tz``; with ``grain``, the range split into consecutive
    periods of that grain (partial first/last pieces are cut to the range and labelled as custom
    ranges, so nothing outside the spec is ever counted). A time range splits only into
    sub-day grains; any period splits into them."""
    zone = _zone(tz)
    if grain is not None and grain not in GRAINS + SUBDAY_GRAINS:
        raise ValueError(f"Grain {grain!r} is not one of {', '.join(GRAINS + SUBDAY_GRAINS)}.")
    span = _time_range(spec, zone)
    if span is not None:
        start, end = span
        if grain is None:
            return [Period(f"{_stamp(start, zone)}..{_stamp(end, zone)}", start, end)]
        if grain not in SUBDAY_GRAINS:
            raise ValueError(
                f"Grain {grain!r} splits calendar periods; period {spec!r} is a range of times,"
                " which splits into 15min, 30min or 60min intervals."
            )
        return _intervals(start, end, zone, grain, spec)
    first, after, own = _local_range(spec)
    if grain in SUBDAY_GRAINS:
        return _intervals(_instant(first, zone), _instant(after, zone), zone, grain, spec)
    if grain is None:
        return [Period(_label(first, after, own), _instant(first, zone), _instant(after, zone))]
    out: list[Period] = []
    cur = first
    while cur < after:
        nxt = min(_grain_next(_grain_start(cur, grain), grain), after)
        whole = _grain_start(cur, grain) == cur and _grain_next(cur, grain) == nxt
        label = _label(cur, nxt, grain if whole else "custom")
        out.append(Period(label, _instant(cur, zone), _instant(nxt, zone)))
        cur = nxt
    return out
