"""docs/kpis.md documents every registered KPI and every option (a missing one fails here)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from callgrade.engine.kpis import REGISTRY, KpiOptions

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


def sections() -> dict[str, str]:
    text = DOC.read_text("utf-8")
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    return {p.split()[0]: p for p in parts}


@pytest.mark.parametrize("code", list(REGISTRY))
def test_every_kpi_has_a_section(code):
    body = sections().get(code)
    assert body is not None, f"docs/kpis.md has no '## {code} — …' section"
    kpi = REGISTRY[code]
    heading = body.splitlines()[0]
    assert kpi.label_en in heading and kpi.label_zh in heading, heading
    assert f"- Unit: `{kpi.unit}`" in body
    assert f"- Direction: `{kpi.direction}`" in body
    for word in ("Numerator", "Denominator", "Sample size", "Source", "Options"):
        assert f"- {word}" in body or f"{word} (= value)" in body, f"{code}: no {word}"


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(KpiOptions)])
def test_every_option_is_documented(field):
    options = sections()["Options"]
    assert re.search(rf"^\| `{field}` \|", options, flags=re.M), f"option {field} undocumented"


def test_no_section_for_an_unknown_kpi():
    documented = {k for k in sections() if re.fullmatch(r"[a-z0-9_]+", k)}
    assert documented <= set(REGISTRY)
