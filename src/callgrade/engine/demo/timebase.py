"""The demo calendar: local days, their UTC offsets, and month chunks for the output files.

Every fact is generated as (day index, seconds from local midnight). The offset is taken once per
day at local noon: the center is closed around midnight, when daylight-saving changes happen,
so no event lands in a skipped or repeated local hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Days:
    first: date
    tz: str
    local_midnight: np.ndarray  # naive local epoch seconds of each day's midnight
    offset: np.ndarray  # seconds east of UTC on each day
    weekend: np.ndarray  # bool

    @property
    def n(self) -> int:
        return int(self.local_midnight.size)

    def date(self, day: int) -> date:
        return self.first + timedelta(days=int(day))

    def local(self, day: np.ndarray, sod: np.ndarray) -> np.ndarray:
        return self.local_midnight[day] + sod

    def unix(self, day: np.ndarray, sod: np.ndarray) -> np.ndarray:
        return self.local_midnight[day] + sod - self.offset[day]

    def chunks(self) -> list[tuple[str, int, int]]:
        """(label, first day, end day) per calendar month; a single month is split in halves
        so that every alternate file form (database export, JSON array, short CDR) still has
        its own chunk."""
        out: list[tuple[str, int, int]] = []
        for d in range(self.n):
            label = self.date(d).strftime("%Y-%m")
            if out and out[-1][0] == label:
                out[-1] = (label, out[-1][1], d + 1)
            else:
                out.append((label, d, d + 1))
        if len(out) == 1 and self.n >= 2:
            label, a, b = out[0]
            mid = (a + b) // 2
            out = [(f"{label}a", a, mid), (f"{label}b", mid, b)]
        return out


def build_days(first: date, months: int, tz: str) -> Days:
    y, m = first.year, first.month + months
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    n = (date(y, m, first.day if first.day <= 28 else 28) - first).days
    zone = ZoneInfo(tz)
    days = [first + timedelta(days=i) for i in range(n)]
    midnight = np.array([(d - EPOCH).days * 86400 for d in days], dtype=np.int64)
    offset = np.array(
        [
            int(datetime(d.year, d.month, d.day, 12, tzinfo=zone).utcoffset().total_seconds())  # type: ignore[union-attr]
            for d in days
        ],
        dtype=np.int64,
    )
    weekend = np.array([d.weekday() >= 5 for d in days])
    return Days(first, tz, midnight, offset, weekend)


_CLOCK: list[str] = []


def _clock() -> list[str]:
    # "HH:MM:SS" for every second of a day, built once: string formatting dominates the writers.
    if not _CLOCK:
        _CLOCK.extend(
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        )
    return _CLOCK


def format_local(secs: np.ndarray, sep: str = " ") -> list[str]:
    """Naive local epoch seconds as 'YYYY-MM-DD HH:MM:SS'."""
    secs = np.asarray(secs, dtype=np.int64)
    day = secs // 86400
    uniq = np.unique(day)
    names = {int(d): (EPOCH + timedelta(days=int(d))).isoformat() + sep for d in uniq}
    clock = _clock()
    return [names[d] + clock[t] for d, t in zip(day.tolist(), (secs % 86400).tolist(), strict=True)]


def format_utc_iso(secs: np.ndarray) -> list[str]:
    """Unix seconds as ISO 8601 UTC with a Z, as Amazon Connect writes them."""
    return [t + "Z" for t in format_local(secs, "T")]
