"""docs/policy.md documents every field of every policy model, and nothing that is not one."""

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from callgrade.engine.policy.model import Policy

DOC = (Path(__file__).parents[2] / "docs" / "policy.md").read_text("utf-8")


def reachable(root: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def walk(tp: typing.Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp not in found:
                found.append(tp)
                for field in tp.model_fields.values():
                    walk(field.annotation)
            return
        for arg in typing.get_args(tp):
            walk(arg)

    walk(root)
    return found


MODELS = reachable(Policy)


def section(name: str) -> str:
    start = DOC.index(f"### `{name}`\n")
    end = DOC.find("\n### ", start + 1)
    return DOC[start : end if end != -1 else None]


def test_walk_finds_nested_and_union_models():
    names = {m.__name__ for m in MODELS}
    # reached through lists, optionals, discriminated unions and defaults
    assert {"Text", "Level", "Band", "MinMax", "Forced", "RankPosition", "Tier", "Award"} <= names
    assert len(MODELS) == 59


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_documented(model):
    text = section(model.__name__)
    documented = re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.M)
    assert sorted(documented) == sorted(model.model_fields), (
        f"docs/policy.md section {model.__name__}: rows {documented} "
        f"do not match the fields {list(model.model_fields)}"
    )
    for row in re.findall(r"^\| `[a-z_]+` \|.*$", text, flags=re.M):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), f"incomplete row: {row}"


def test_no_section_for_a_model_that_does_not_exist():
    names = {m.__name__ for m in MODELS}
    assert set(re.findall(r"^### `(\w+)`$", DOC, flags=re.M)) == names
