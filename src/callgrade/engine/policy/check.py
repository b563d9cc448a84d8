"""Checking a policy file without loading it, and printing the result for people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from callgrade.engine.policy.load import KpiInfo, PolicyError, read_source, validate_text
from callgrade.engine.policy.model import policy_notes


def check_policy(
    path: str | Path, *, kpis: Mapping[str, KpiInfo] | None = None
) -> list[PolicyError]:
    """Every error in the policy at ``path`` (or in the YAML text given), in file order.

    An empty list means the policy is valid. An unreadable file is one error at line 1.
    """
    try:
        text, file = read_source(path)
    except (OSError, UnicodeDecodeError) as e:
        return [PolicyError(str(path), 1, 1, "", f"cannot read the policy file: {e}")]
    return validate_text(text, file=file, kpis=kpis)[1]


def check_notes(path: str | Path) -> list[str]:
    """What a valid policy at ``path`` sets that no computation applies (empty when invalid)."""
    try:
        text, file = read_source(path)
    except (OSError, UnicodeDecodeError):
        return []
    policy, _errors = validate_text(text, file=file)
    return policy_notes(policy) if policy is not None else []


def format_errors(errors: Iterable[PolicyError]) -> str:
    """One line per error, ``file: line L, column C: message [path]``, then a count."""
    lines = []
    for e in errors:
        where = f"{e.file}: " if e.file else ""
        at = f" [{e.path}]" if e.path else ""
        lines.append(f"{where}{e}{at}")
    if not lines:
        return "The policy is valid."
    noun = "error" if len(lines) == 1 else "errors"
    return "\n".join([*lines, f"{len(lines)} {noun}."])
