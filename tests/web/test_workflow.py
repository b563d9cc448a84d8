"""The cycle workflow lives in one table (web/workflow.py): every state has its row, the
services refuse what it refuses, and no other module lists states to decide what is allowed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callgrade.cycles import workflow
from callgrade.cycles.models import Cycle

SRC = Path(__file__).parents[2] / "src" / "callgrade"
APPS = [SRC / app for app in ("web", "core", "people", "standards", "cycles", "review")]


def test_every_state_has_a_row_and_the_steps_run_in_order() -> None:
    assert set(workflow.ALLOWED) == set(workflow.ORDER) == {s for s, _ in Cycle.STATES}
    state = workflow.COMPUTED
    seen = [state]
    while (state := workflow.next_state(state)) is not None:  # type: ignore[assignment]
        seen.append(state)
    assert seen == list(workflow.ORDER[1:])
    assert workflow.states_allowing("visible") == ["published", "appeals", "closed"]
    with pytest.raises(ValueError, match="unknown workflow action"):
        workflow.allows("draft", "publish")


def test_no_other_module_decides_by_listing_states() -> None:
    # "cycle.state in (...)", "cycle.state == 'published'" or a tuple of states
    listed = re.compile(r"cycle\.state\s*(==|!=|not in|in)\s*[(\[\"']|\(Cycle\.[A-Z_]+, Cycle\.")
    offenders = []
    for path in [p for app in APPS for p in [*app.rglob("*.py"), *app.rglob("*.html")]]:
        if path.name == "workflow.py" or "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if listed.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert not offenders, "ask the workflow table instead:\n" + "\n".join(offenders)
