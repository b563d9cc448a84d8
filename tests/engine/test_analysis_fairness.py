"""The fairness audit against a worked example (numbers computed by hand below)."""

from __future__ import annotations

import math

import pytest

from callgrade.engine.analysis.fairness import (
    Change,
    Person,
    RatingRecord,
    adverse_impact,
    change_tallies,
    fairness_audit,
    rater_tests,
)
from callgrade.engine.analysis.stats import (
    chi2_sf,
    contingency_chi2,
    fisher_exact_p,
    permutation_p,
    sign_test_p,
)

GRADES = ["A", "B", "C"]


def _ratings(team: str, lead: str, a: int, b: int, c: int) -> list[RatingRecord]:
    out = []
    for rating, n in (("A", a), ("B", b), ("C", c)):
        out += [
            RatingRecord(f"{team}-{rating}-{i}", "agent", "2026-Q1", rating, team, lead)
            for i in range(n)
        ]
    return out


# Position "agent": team X (lead Li) 10 A, 6 B, 4 C; team Y (lead Wang) 2 A, 8 B, 10 C;
# team Z (lead Wang) 1 A, 1 B, 1 C. Position: 13 A, 15 B, 15 C (43 ratings).
RECORDS = (
    _ratings("X", "li", 10, 6, 4) + _ratings("Y", "wang", 2, 8, 10) + _ratings("Z", "wang", 1, 1, 1)
)


def test_chi_square_by_hand() -> None:
    # Team X against the rest (3 A, 9 B, 11 C): expected X = 20·13/43, 20·15/43, 20·15/43;
    # expected rest = 23·13/43, 23·15/43, 23·15/43.
    ex = [20 * 13 / 43, 20 * 15 / 43, 20 * 15 / 43]
    er = [23 * 13 / 43, 23 * 15 / 43, 23 * 15 / 43]
    by_hand = sum((o - e) ** 2 / e for o, e in zip([10, 6, 4], ex, strict=True)) + sum(
        (o - e) ** 2 / e for o, e in zip([3, 9, 11], er, strict=True)
    )
    assert by_hand == pytest.approx(7.4629, abs=1e-4)
    stat, df, least = contingency_chi2([10, 6, 4], [13, 15, 15])
    assert stat == pytest.approx(by_hand)
    assert df == 2
    assert least == pytest.approx(20 * 13 / 43)
    # with two degrees of freedom the upper tail is exp(-x/2)
    assert chi2_sf(stat, 2) == pytest.approx(math.exp(-by_hand / 2), rel=1e-9)
    assert chi2_sf(stat, 2) == pytest.approx(0.02396, abs=1e-5)


def test_chi2_tail_known_values() -> None:
    assert chi2_sf(3.841459, 1) == pytest.approx(0.05, abs=1e-6)
    assert chi2_sf(11.0705, 5) == pytest.approx(0.05, abs=1e-5)
    assert chi2_sf(0.0, 3) == 1.0
    assert chi2_sf(200.0, 4) < 1e-40


def test_lenient_severe_and_small_groups() -> None:
    tests = {(t.dimension, t.group): t for t in rater_tests(RECORDS, GRADES)}
    x = tests[("team", "X")]
    assert x.method == "chi2"
    assert x.p_value == pytest.approx(0.02396, abs=1e-5)
    assert x.verdict == "lenient"
    assert x.counts == [10, 6, 4] and x.position_counts == [13, 15, 15]
    assert x.top_share == 0.5
    assert x.position_top_share == pytest.approx(13 / 43, abs=1e-6)
    # scores: A 1, B 0.5, C 0 → X (10 + 3) / 20 = 0.65
    assert x.mean == pytest.approx(0.65)
    y = tests[("team", "Y")]
    assert y.verdict == "severe"
    z = tests[("team", "Z")]
    assert z.verdict == "small" and z.p_value is None and z.n == 3
    # lead Wang holds Y and Z: 23 ratings, the mirror of X
    wang = tests[("lead", "wang")]
    assert wang.n == 23 and wang.verdict == "severe"
    assert wang.statistic == pytest.approx(x.statistic)


def test_small_expected_counts_use_the_permutation_test() -> None:
    # 6 ratings, expected counts below 5: the seeded permutation test, the same every time
    records = _ratings("P", "a", 5, 1, 0) + _ratings("Q", "b", 3, 10, 12)
    tests = {(t.dimension, t.group): t for t in rater_tests(records, GRADES)}
    p = tests[("team", "P")]
    assert p.method == "permutation"
    assert p.p_value is not None and p.p_value < 0.01
    assert p.verdict == "lenient"
    assert permutation_p([5, 1, 0], [8, 11, 12]) == permutation_p([5, 1, 0], [8, 11, 12])


def test_sign_test_and_change_tallies() -> None:
    # 6 raised, 0 lowered: p = 2 · (1/2)^6 = 0.03125
    assert sign_test_p(6, 0) == pytest.approx(0.03125)
    assert sign_test_p(3, 3) == 1.0
    changes = [Change("calibration", "hr1", +1)] * 6 + [Change("calibration", "hr2", -1)] * 2
    changes += [Change("departure", "hr2", +1), Change("departure", "hr2", -1)] * 3
    tallies = {(t.kind, t.actor): t for t in change_tallies(changes)}
    assert tallies[("calibration", "hr1")].verdict == "raises"
    assert tallies[("calibration", "hr2")].verdict == "small"
    assert tallies[("departure", "hr2")].verdict == "balanced"
    assert tallies[("departure", "hr2")].n == 6


def _people() -> list[Person]:
    # women 10, 2 promoted (0.2); men 10, 5 promoted (0.5): 0.2 / 0.5 = 0.4 < 0.8
    # night shift 3 people (too few to judge), day shift 17
    out = []
    for i in range(10):
        shift = "night" if i < 3 else "day"
        out.append(Person(f"f{i}", {"gender": "F", "shift": shift}, i < 2, i < 4))
        out.append(Person(f"m{i}", {"gender": "M", "shift": "day"}, i < 5, i < 5))
    return out


def test_four_fifths_rule() -> None:
    rows = {(r.outcome, r.attribute, r.value): r for r in adverse_impact(_people())}
    women = rows[("promotion", "gender", "F")]
    men = rows[("promotion", "gender", "M")]
    assert (women.n, women.selected, women.rate) == (10, 2, 0.2)
    assert men.reference and men.ratio == 1.0
    assert women.ratio == pytest.approx(0.4)
    assert women.verdict == "adverse"
    # top rating: women 4/10, men 5/10 → 0.8, not below four fifths
    top = rows[("top_rating", "gender", "F")]
    assert top.ratio == pytest.approx(0.8) and top.verdict == "ok"
    night = rows[("promotion", "shift", "night")]
    assert night.n == 3 and night.verdict == "small"
    # Fisher's exact test of women 2 of 10 against men 5 of 10: with the margins fixed the
    # women's count k has probability C(10,k)·C(10,7−k)/C(20,7) (C(20,7) = 77,520); the tables
    # no more likely than k = 2 (11,340) are k = 0, 1, 2, 5, 6, 7:
    # (120 + 2,100 + 11,340 + 11,340 + 2,100 + 120) / 77,520
    assert fisher_exact_p(2, 8, 5, 5) == pytest.approx(27120 / 77520)
    assert women.p_value == pytest.approx(27120 / 77520, abs=1e-6)
    assert men.p_value is None
    assert fisher_exact_p(0, 20, 12, 8) < 0.001


def test_audit_findings() -> None:
    changes = [Change("calibration", "hr1", +1)] * 6
    audit = fairness_audit(RECORDS, GRADES, changes, _people())
    codes = [f.code for f in audit.findings]
    assert "lenient" in codes and "severe" in codes
    assert "calibration_raises" in codes
    # 2 of 10 against 5 of 10 is below four fifths, but chance could explain it (p = 0.35)
    assert "adverse_impact_chance" in codes and "adverse_impact" not in codes
    assert "small_groups" in codes and "impact_small" in codes
    adverse = next(f for f in audit.findings if f.code == "adverse_impact_chance")
    assert adverse.params["reference"] == "M" and adverse.params["ratio"] == pytest.approx(0.4)
    assert (adverse.params["selected"], adverse.params["n"]) == (2, 10)
    # what stands out beyond chance comes first, what is too small to judge last
    assert (
        codes.index("lenient") < codes.index("adverse_impact_chance") < codes.index("small_groups")
    )


def test_adverse_impact_beyond_chance() -> None:
    people = [Person(f"a{i}", {"shift": "night"}, i < 1, False) for i in range(20)]
    people += [Person(f"b{i}", {"shift": "day"}, i < 12, False) for i in range(20)]
    audit = fairness_audit([], GRADES, (), people)
    adverse = next(f for f in audit.findings if f.code == "adverse_impact")
    assert adverse.params["value"] == "night" and adverse.params["p_value"] < 0.01
    assert audit.to_dict()["grades"] == GRADES


def test_a_group_that_is_the_whole_position_is_not_tested() -> None:
    alone = _ratings("X", "li", 5, 5, 5)
    (team,) = [t for t in rater_tests(alone, GRADES) if t.dimension == "team"]
    assert team.verdict == "alone" and team.p_value is None


def test_nothing_stands_out() -> None:
    even = _ratings("X", "li", 5, 5, 5) + _ratings("Y", "wang", 5, 5, 5)
    audit = fairness_audit(even, GRADES)
    assert audit.findings[0].code == "nothing_stands_out"
