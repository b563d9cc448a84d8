"""Thresholds from data in the form editor: each floor, target and rating band of a draft shown
against the distribution its latest simulation read (the share of people who meet it today),
with the engine's suggested value at a chosen percentile, and the suggestions applied to a new
draft in one step. The ladder's side: how many employees each action reaches under the
standard in force and under the draft, from the same simulation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callgrade.core.models import Job
from callgrade.engine.analysis.thresholds import DEFAULT_PERCENTILE, Distributions, suggestions
from callgrade.standards.editor import EditorForm
from callgrade.standards.labels import action_label
from callgrade.standards.models import PolicyVersion

PERCENTILES = (10, 20, 25, 30, 40)


@dataclass
class Shown:
    """One suggestion as the editor shows it, in the field's own unit."""

    share_now: str
    suggested: str  # blank: nothing to suggest
    share_suggested: str
    percentile: str
    n: int


@dataclass
class Thresholds:
    job: Job | None
    period: str = ""
    percentile: int = int(DEFAULT_PERCENTILE)
    fields: dict[str, Shown] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # field name → suggested, as typed
    actions: list[dict[str, Any]] = field(default_factory=list)


def chosen_percentile(raw: Any) -> int:
    """The percentile asked for, if it is one offered, else the default."""
    try:
        value = int(str(raw))
    except ValueError:
        return int(DEFAULT_PERCENTILE)
    return value if value in PERCENTILES else int(DEFAULT_PERCENTILE)


def latest_simulation(version: PolicyVersion) -> Job | None:
    """The latest finished simulation of the version that recorded its distributions."""
    for job in Job.objects.filter(
        kind="policy_simulate", state=Job.DONE, arguments__version=version.pk
    ).order_by("-finished_at", "-id"):
        if "distributions" in (job.arguments.get("report") or {}):
            return job
    return None


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _typed(value: float, scale: float) -> str:
    return f"{round(value * scale, 6):g}"


def thresholds(version: PolicyVersion, form: EditorForm, percentile: int) -> Thresholds:
    """The suggestions for ``form``'s fields from the version's latest simulation."""
    job = latest_simulation(version)
    if job is None:
        return Thresholds(job=None, percentile=percentile)
    report = job.arguments["report"]
    stored = report["distributions"]
    data = Distributions(period=stored["period"], items=stored["items"], totals=stored["totals"])
    scales = {f.name: f for f in form.fields()}
    out = Thresholds(job=job, period=data.period, percentile=percentile)
    for s in suggestions(version.policy(), data, float(percentile)):
        f = scales.get(s.field)
        if f is None:
            continue
        typed = "" if s.suggested is None else _typed(s.suggested, f.scale)
        out.fields[s.field] = Shown(
            share_now=_share(s.share_now),
            suggested=f"{typed}{f.unit}" if typed else "",
            share_suggested=_share(s.share_suggested),
            percentile=f"{s.percentile:g}",
            n=s.n,
        )
        if typed:
            out.values[s.field] = typed
    actions = report.get("actions") or {"columns": [], "rows": []}
    for row in actions["rows"]:
        r = dict(zip(actions["columns"], row, strict=True))
        out.actions.append({**r, "label": action_label(r["action"])})
    return out


def suggested_post(form: EditorForm, found: Thresholds, version_name: str) -> dict[str, str]:
    """What the form would post with every suggestion typed in and the rest as it stands."""
    data = {f.name: f.shown for f in form.fields()}
    data.update(found.values)
    data["version"] = version_name
    return data
