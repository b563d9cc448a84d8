"""The grading standard (岗位定级标准) as versioned data: a YAML policy language validated by
frozen Pydantic models, with the line and column of every error. See docs/policy.md."""

from callgrade.engine.policy.check import check_notes, check_policy, format_errors
from callgrade.engine.policy.load import PolicyError, PolicyInvalid, load_policy, registry_kpis
from callgrade.engine.policy.model import Policy, compare

__all__ = [
    "Policy",
    "PolicyError",
    "PolicyInvalid",
    "check_notes",
    "check_policy",
    "compare",
    "format_errors",
    "load_policy",
    "registry_kpis",
]
