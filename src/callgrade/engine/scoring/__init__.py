"""Apply a grading standard to KPI tables: scorecards, ratings, ranks, grading decisions, pay
lines and what-if simulation. Pure and deterministic: the same inputs in any row order give the
same bytes. See docs/policy.md, *How the rules are applied*."""

from callgrade.engine.scoring.grade import grade
from callgrade.engine.scoring.inputs import inputs_from_assessments
from callgrade.engine.scoring.pay import pay
from callgrade.engine.scoring.results import (
    Decisions,
    PayLines,
    Scorecards,
    SimulationReport,
    stable_json,
)
from callgrade.engine.scoring.score import score
from callgrade.engine.scoring.simulate import simulate
from callgrade.engine.scoring.threads import in_threads

__all__ = [
    "Decisions",
    "PayLines",
    "Scorecards",
    "SimulationReport",
    "grade",
    "in_threads",
    "inputs_from_assessments",
    "pay",
    "score",
    "simulate",
    "stable_json",
]
