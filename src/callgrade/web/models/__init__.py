"""Application models: the organization and what people record about employees (trainings,
assessments, corrections), standards, cycles with their stored engine results, review (comments,
calibration, nominations, appeals) and the audit trail."""

from callgrade.web.models.audit import AuditEvent, Notification
from callgrade.web.models.cycles import (
    ChecklistItem,
    Cycle,
    Decision,
    Job,
    KpiValue,
    PayLine,
    ScoreItem,
    ScoreTotal,
)
from callgrade.web.models.org import Department, Employee, LevelChange, Position, Team
from callgrade.web.models.records import CompetencyAssessment, Correction, TrainingRecord
from callgrade.web.models.review import Appeal, Calibration, Comment, Conflict, Nomination
from callgrade.web.models.standards import Acknowledgement, PolicyVersion

__all__ = [
    "Acknowledgement",
    "Appeal",
    "AuditEvent",
    "Calibration",
    "ChecklistItem",
    "Comment",
    "CompetencyAssessment",
    "Conflict",
    "Correction",
    "Cycle",
    "Decision",
    "Department",
    "Employee",
    "Job",
    "KpiValue",
    "LevelChange",
    "Nomination",
    "Notification",
    "PayLine",
    "PolicyVersion",
    "Position",
    "ScoreItem",
    "ScoreTotal",
    "Team",
    "TrainingRecord",
]
