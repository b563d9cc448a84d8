"""docs/data.md documents every canonical table and column, with the schema's own description."""

from pathlib import Path

import pytest

from callgrade.engine.schemas import TABLES

DOC = (Path(__file__).parents[2] / "docs" / "data.md").read_text("utf-8")


def section(name: str) -> str:
    start = DOC.index(f"## {name}\n")
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end != -1 else None]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_column_is_documented(name):
    text = section(name)
    for field in TABLES[name].schema:
        doc = field.metadata[b"doc"].decode()
        assert doc, f"{name}.{field.name} has no description in schemas.py"
        assert f"| `{field.name}` | {field.type} |" in text, f"{name}.{field.name} missing"
        assert doc in text, f"{name}.{field.name}: docs/data.md has a stale description"
