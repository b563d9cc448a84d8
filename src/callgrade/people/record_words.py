"""The records behind a KPI in the reader's words: which columns of each canonical table a person
reads, what they are called, and how a value reads (local times, mm:ss, yes/no in words, an
outcome's name instead of its code). The one home of these words: templates show what this
module returns and never name a column themselves.

Only what the canonical tables hold is shown (``engine/schemas.py``): surveys carry no comment
and QA evaluations no form items or evaluator's note, so neither appears.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

NONE = "—"

OUTCOMES: dict[str, Promise] = {
    "answered": gettext_lazy("Answered"),
    "abandoned": gettext_lazy("Caller hung up while waiting"),
    "timeout": gettext_lazy("Waited too long (timed out)"),
    "exit_empty": gettext_lazy("Left: no agent logged in"),
    "join_empty": gettext_lazy("Refused: no agent logged in"),
    "full": gettext_lazy("Refused: queue full"),
    "exit_key": gettext_lazy("Caller left with a key press"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "closed": gettext_lazy("Outside opening hours"),
    "diverted": gettext_lazy("Diverted elsewhere"),
    "no_answer": gettext_lazy("Not answered"),
    "busy": gettext_lazy("Line busy"),
    "failed": gettext_lazy("Call failed"),
}
DIRECTIONS: dict[str, Promise] = {
    "inbound": gettext_lazy("Incoming"),
    "outbound": gettext_lazy("Outgoing"),
}
STATES: dict[str, Promise] = {
    "logged_in": gettext_lazy("Logged in"),
    "paused": gettext_lazy("Paused"),
    "wrapup": gettext_lazy("Wrap-up"),
}
ATTENDANCE: dict[str, Promise] = {
    "present": gettext_lazy("Present"),
    "leave": gettext_lazy("On leave"),
    "late": gettext_lazy("Late arrival"),
    "early_leave": gettext_lazy("Left early"),
    "absent": gettext_lazy("Absent"),
}
SEVERITIES: dict[str, Promise] = {
    "minor": gettext_lazy("Minor"),
    "major": gettext_lazy("Major"),
}
YES, NO = gettext_lazy("Yes"), gettext_lazy("No")


def duration(seconds: Any) -> str:
    """Seconds as m:ss (h:mm:ss from an hour on); a value the source did not measure is "—"."""
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return NONE
    total = round(float(seconds))
    sign, total = ("-", -total) if total < 0 else ("", total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def local_time(value: Any, tz: zoneinfo.ZoneInfo) -> str:
    if not isinstance(value, dt.datetime):
        return NONE
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def local_day(value: Any, tz: zoneinfo.ZoneInfo) -> str:
    if not isinstance(value, dt.datetime):
        return NONE
    return value.astimezone(tz).strftime("%Y-%m-%d")


def number(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NONE
    v = float(value)
    if digits and v.is_integer():
        digits = 0
    return str(number_format(round(v, digits), digits, force_grouping=True))


def yes_no(value: Any) -> str:
    """A yes/no fact in words with a mark that does not rely on colour alone."""
    if value is None:
        return NONE
    return f"✓ {YES}" if value else f"✗ {NO}"


def _word(words: dict[str, Promise]) -> Callable[[Any], str]:
    # a code without a word (a new outcome from a source) shows as itself rather than vanish
    return lambda v: NONE if v is None else str(words.get(v, v))


def _text(value: Any) -> str:
    return NONE if value is None or value == "" else str(value)


@dataclass(frozen=True)
class Column:
    key: str  # the canonical column it reads
    label: Promise
    show: str  # how it reads: time, day, duration, number, score, yes_no, words, text, code
    words: dict[str, Promise] | None = None
    numeric: bool = False  # right-aligned on a wide screen

    @property
    def css(self) -> str:
        """The cell's class: numbers right-aligned, a time kept on one line."""
        if self.numeric:
            return "num"
        return "nowrap" if self.show in ("time", "day") else ""

    def value(self, v: Any, tz: zoneinfo.ZoneInfo) -> str:
        if self.show == "time":
            return local_time(v, tz)
        if self.show == "day":
            return local_day(v, tz)
        if self.show == "duration":
            return duration(v)
        if self.show == "number":
            return number(v)
        if self.show == "score":
            return number(v, 1)
        if self.show == "yes_no":
            return yes_no(v)
        if self.show == "words" and self.words is not None:
            return _word(self.words)(v)
        return _text(v)


def _time(key: str) -> Column:
    return Column(key, gettext_lazy("Time"), "time")


def _seconds(key: str, label: Promise) -> Column:
    return Column(key, label, "duration", numeric=True)


WAIT = _seconds("queue_wait_s", gettext_lazy("Wait (m:ss)"))
TALK = _seconds("talk_s", gettext_lazy("Talk (m:ss)"))
HOLD = _seconds("hold_s", gettext_lazy("Hold (m:ss)"))
ACW = _seconds("acw_s", gettext_lazy("After-call work (m:ss)"))
QUEUE = Column("queue", gettext_lazy("Queue"), "code")  # the PBX's own queue name

# Per source table, in reading order. The key column and lineage are not here: they sit behind
# the "data source" toggle.
COLUMNS: dict[str, tuple[Column, ...]] = {
    "interactions": (
        _time("offered_at"),
        Column("direction", gettext_lazy("Direction"), "words", DIRECTIONS),
        QUEUE,
        WAIT,
        TALK,
        Column("outcome", gettext_lazy("Outcome"), "words", OUTCOMES),
    ),
    "ring_no_answer": (
        _time("rang_at"),
        QUEUE,
        _seconds("ring_s", gettext_lazy("Rang for (m:ss)")),
    ),
    "surveys": (
        _time("responded_at"),
        Column("csat", gettext_lazy("Satisfaction (1–5)"), "score", numeric=True),
        Column("nps", gettext_lazy("Would recommend (0–10)"), "score", numeric=True),
        Column("resolved", gettext_lazy("Customer says resolved"), "yes_no"),
    ),
    "qa_evaluations": (
        _time("evaluated_at"),
        Column("score", gettext_lazy("QA score (0–100)"), "score", numeric=True),
        Column("critical_fail", gettext_lazy("Critical fail"), "yes_no"),
        Column("form", gettext_lazy("Evaluation form"), "text"),
        Column("evaluator", gettext_lazy("Evaluator"), "text"),
    ),
    "sales": (
        _time("sold_at"),
        Column("product", gettext_lazy("Product"), "text"),
        Column("amount", gettext_lazy("Order amount"), "score", numeric=True),
        Column("valid", gettext_lazy("Valid order"), "yes_no"),
    ),
    "complaints": (
        _time("received_at"),
        Column("severity", gettext_lazy("Severity"), "words", SEVERITIES),
        Column("category", gettext_lazy("Complaint category"), "text"),
        Column("valid", gettext_lazy("Confirmed valid"), "yes_no"),
    ),
    "attendance": (
        Column("day", gettext_lazy("Day"), "day"),
        Column("kind", gettext_lazy("Attendance"), "words", ATTENDANCE),
        Column("minutes", gettext_lazy("Minutes"), "number", numeric=True),
        _seconds("scheduled_s", gettext_lazy("Scheduled (h:mm:ss)")),
        _seconds("adherent_s", gettext_lazy("In schedule (h:mm:ss)")),
    ),
    "agent_states": (
        Column("start", gettext_lazy("Started"), "time"),
        Column("end", gettext_lazy("Ended"), "time"),
        Column("state", gettext_lazy("State"), "words", STATES),
        Column("reason", gettext_lazy("Pause reason"), "text"),
        QUEUE,
    ),
}
# Facts a KPI reads beyond its source's usual columns: shown only for that KPI.
EXTRA: dict[str, tuple[Column, ...]] = {
    "aht": (HOLD, ACW),
    "hold_time": (HOLD,),
    "acw_time": (ACW,),
    "occupancy": (HOLD, ACW),
    "transfer_rate": (Column("transferred", gettext_lazy("Transferred"), "yes_no"),),
}
SOURCES: dict[str, Promise] = {
    "interactions": gettext_lazy("Calls and contacts"),
    "ring_no_answer": gettext_lazy("Calls that rang unanswered"),
    "surveys": gettext_lazy("Customer surveys"),
    "qa_evaluations": gettext_lazy("QA evaluations"),
    "sales": gettext_lazy("Sales orders"),
    "complaints": gettext_lazy("Complaints"),
    "attendance": gettext_lazy("Attendance days"),
    "agent_states": gettext_lazy("Login and pause time"),
    "competency_assessments": gettext_lazy("Competency assessments"),
}


def columns(source: str, kpi: str) -> tuple[Column, ...]:
    """The columns a reader sees for ``source`` on the page of ``kpi``."""
    base = COLUMNS.get(source, ())
    if source != "interactions":
        return base
    return base + EXTRA.get(kpi, ())


def source_name(source: str) -> str:
    return str(SOURCES.get(source, source))
