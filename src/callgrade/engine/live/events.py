"""KPI events: what an instant reward watches, from followed queue_log lines and from the events
other systems post (a QA evaluation, a survey answer, a sale, a generic KPI value).

A :class:`KpiEvent` is one observation of one KPI for one employee at one moment: a survey
answer of 5 is ``csat`` 1.0 (top box) and ``csat_mean`` 5.0; a sale is ``sales_revenue`` of its
amount. Over a window a rate KPI (``REGISTRY[kpi].kind == "rate"``) is the mean of its
observations and a total KPI their sum (``engine/live/rewards.py``).

:func:`parse_posted` checks a posted event and says what is wrong with it field by field;
:func:`queue_log_events` reads one queue_log line. Neither reads a clock: every event carries its
own time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from callgrade.engine.kpis import REGISTRY

KINDS = ("qa_evaluation", "survey", "sale", "kpi")
MAX_ID = 200


@dataclass(frozen=True)
class KpiEvent:
    event_id: str
    employee_id: str
    kpi: str
    value: float
    at: dt.datetime  # timezone-aware


@dataclass(frozen=True)
class Posted:
    """A posted event that passed the checks: its id, kind, employee and time."""

    event_id: str
    kind: str
    employee_id: str
    at: dt.datetime
    data: dict[str, Any]


class EventError(ValueError):
    """A posted event the checks refuse; ``problems`` are (field, what is expected)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def _number(data: dict[str, Any], key: str, problems: list[tuple[str, str]],
            *, low: float | None = None, high: float | None = None,
            required: bool = True) -> float | None:  # fmt: skip
    v = data.get(key)
    if v is None:
        if required:
            problems.append((key, "required: a number"))
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        problems.append((key, f"expected a number, got {v!r}"[:120]))
        return None
    if (low is not None and v < low) or (high is not None and v > high):
        problems.append((key, f"expected a number from {low:g} to {high:g}, got {v!r}"))
        return None
    return float(v)


def _text(data: dict[str, Any], key: str, problems: list[tuple[str, str]]) -> str:
    v = data.get(key)
    if not isinstance(v, str) or not v.strip():
        problems.append((key, "required: a non-empty text"))
        return ""
    if len(v) > MAX_ID or any(ord(c) < 32 for c in v):
        problems.append((key, f"expected at most {MAX_ID} printable characters"))
        return ""
    return v.strip()


def _time(data: dict[str, Any], problems: list[tuple[str, str]]) -> dt.datetime | None:
    v = data.get("at")
    if not isinstance(v, str):
        problems.append(("at", "required: an ISO 8601 time with its offset, e.g. "
                               "2026-12-04T09:30:00+08:00"))  # fmt: skip
        return None
    try:
        at = dt.datetime.fromisoformat(v)
    except ValueError:
        problems.append(("at", f"expected an ISO 8601 time, got {v!r}"[:120]))
        return None
    if at.tzinfo is None:
        problems.append(("at", "the time needs its UTC offset (e.g. +08:00 or Z)"))
        return None
    return at


def parse_posted(data: Any) -> Posted:
    """Check one posted event (a JSON object); :class:`EventError` lists every problem."""
    if not isinstance(data, dict):
        raise EventError([("(event)", "expected a JSON object")])
    problems: list[tuple[str, str]] = []
    event_id = _text(data, "id", problems)
    kind = data.get("type")
    if kind not in KINDS:
        problems.append(("type", f"expected one of {', '.join(KINDS)}, got {kind!r}"[:160]))
    employee_id = _text(data, "employee_id", problems)
    at = _time(data, problems)
    if kind == "qa_evaluation":
        _number(data, "score", problems, low=0, high=100)
        if not isinstance(data.get("critical_fail", False), bool):
            problems.append(("critical_fail", "expected true or false"))
    elif kind == "survey":
        given = [k for k in ("csat", "nps", "resolved") if data.get(k) is not None]
        if not given:
            problems.append(("csat", "a survey answer needs csat (1–5), nps (0–10) or resolved"))
        _number(data, "csat", problems, low=1, high=5, required=False)
        _number(data, "nps", problems, low=0, high=10, required=False)
        if data.get("resolved") is not None and not isinstance(data["resolved"], bool):
            problems.append(("resolved", "expected true or false"))
    elif kind == "sale":
        _number(data, "amount", problems, low=0, high=1e10)
    elif kind == "kpi":
        kpi = data.get("kpi")
        if kpi not in REGISTRY:
            problems.append(("kpi", f"expected a KPI code such as qa_score, got {kpi!r}"[:120]))
        _number(data, "value", problems, low=-1e12, high=1e12)
    if problems or at is None or kind is None:
        raise EventError(problems)
    return Posted(event_id, str(kind), employee_id, at, data)


def posted_events(p: Posted) -> list[KpiEvent]:
    """The KPI observations one posted event makes."""
    d = p.data

    def ev(kpi: str, value: float) -> KpiEvent:
        return KpiEvent(p.event_id, p.employee_id, kpi, float(value), p.at)

    if p.kind == "qa_evaluation":
        fail = 1.0 if d.get("critical_fail") else 0.0
        return [ev("qa_score", d["score"]), ev("qa_critical_fails", fail)]
    if p.kind == "survey":
        out = []
        if d.get("csat") is not None:
            out += [ev("csat", 1.0 if d["csat"] >= 5 else 0.0), ev("csat_mean", d["csat"])]
        if d.get("nps") is not None:
            out.append(ev("nps", 100.0 if d["nps"] >= 9 else -100.0 if d["nps"] <= 6 else 0.0))
        if d.get("resolved") is not None:
            out.append(ev("fcr_survey", 1.0 if d["resolved"] else 0.0))
        return out
    if p.kind == "sale":
        return [ev("sales_revenue", d["amount"])]
    return [ev(d["kpi"], d["value"])]


# --- queue_log ------------------------------------------------------------------------------------


def queue_log_events(text: str, event_id: str) -> list[KpiEvent]:
    """The KPI observations of one queue_log line (``epoch|callid|queue|agent|EVENT|data…``):
    a call answered (``CONNECT``) is its agent's ``answer_rate`` 1 and ``asa`` (the caller's
    wait), a ring the agent let pass (``RINGNOANSWER``) their ``answer_rate`` 0, a call completed
    (``COMPLETEAGENT``/``COMPLETECALLER``) its ``talk_time``. Other lines carry no observation.
    A line that is not a queue_log line raises ``ValueError`` with the reason."""
    fields = text.split("|")
    if len(fields) < 5:
        raise ValueError(f"expected time|callid|queue|agent|EVENT|…, got {len(fields)} field(s)")
    try:
        at = dt.datetime.fromtimestamp(int(fields[0].split(".")[0]), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"expected a unix time first, got {fields[0][:40]!r}") from None
    agent, event = fields[3].strip(), fields[4].strip()
    if not agent or agent == "NONE":
        return []
    data = fields[5:]

    def number(i: int) -> float | None:
        try:
            v = float(data[i])
        except (IndexError, ValueError):
            return None
        return v if math.isfinite(v) and v >= 0 else None

    if event == "CONNECT":
        wait = number(0)
        answered = [KpiEvent(event_id, agent, "answer_rate", 1.0, at)]
        return answered + ([] if wait is None else [KpiEvent(event_id, agent, "asa", wait, at)])
    if event == "RINGNOANSWER":
        return [KpiEvent(event_id, agent, "answer_rate", 0.0, at)]
    if event in ("COMPLETEAGENT", "COMPLETECALLER"):
        talk = number(1)
        return [] if talk is None else [KpiEvent(event_id, agent, "talk_time", talk, at)]
    return []
