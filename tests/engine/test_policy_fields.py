"""Every field of the policy language does something, or says it does not: a field no engine
code reads must be listed as descriptive (shown to people) or as not applied (``policy check``
prints a note for it)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from pydantic import BaseModel
from typer.testing import CliRunner

import callgrade.engine.policy.coaching as coaching
import callgrade.engine.policy.model as model
from callgrade.cli import app

ENGINE = Path(__file__).parents[2] / "src" / "callgrade" / "engine"
EXAMPLES = ENGINE / "policy" / "examples"


# the modules that declare the policy language (a section may live in a module of its own)
DECLARING = (model, coaching)


def _fields() -> list[tuple[str, str]]:
    return [
        (name, field)
        for module in DECLARING
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and issubclass(cls, BaseModel) and cls.__module__ == module.__name__
        for field in cls.model_fields
    ]


def _engine_code() -> str:
    # the model declares the fields; what reads them is everywhere else in the engine
    return "\n".join(
        p.read_text("utf-8")
        for p in ENGINE.rglob("*.py")
        if p not in {Path(m.__file__ or "") for m in DECLARING}
    )


def test_every_field_is_read_or_says_why_not() -> None:
    code = _engine_code()
    silent = [
        f"{cls}.{field}"
        for cls, field in _fields()
        if not re.search(rf"\.{field}\b", code)
        and (cls, field) not in model.DESCRIPTIVE
        and (cls, field) not in model.NOT_APPLIED
    ]
    assert not silent, f"read by nothing and not marked descriptive or not applied: {silent}"


def test_the_tables_name_real_fields() -> None:
    known = set(_fields())
    assert set(model.DESCRIPTIVE) <= known
    assert set(model.NOT_APPLIED) <= known


def test_policy_check_says_what_is_not_applied() -> None:
    result = CliRunner().invoke(app, ["policy", "check", str(EXAMPLES / "four_positions.yaml")])
    assert result.exit_code == 0
    assert "note: trainings[].competencies is shown to people" in result.output
    assert "instant_rewards" not in result.output  # granted by the live service now
    spec = CliRunner().invoke(
        app, ["policy", "check", str(EXAMPLES / "customer_specialist_4_levels.yaml")]
    )
    assert "instant_rewards" not in spec.output
