"""Cross-references inside a policy: every code that names something must name something defined.

These checks read the plain document (dicts and lists as YAML produced them) and tolerate any
malformed part, because they run even when other parts failed validation: an author fixing a
policy should see a bad ladder reference in the same report as a bad weight.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from typing import Any

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def _seq(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(data: Any, key: str) -> Iterator[tuple[Loc, dict[str, Any]]]:
    for i, item in enumerate(_seq(_map(data).get(key))):
        if isinstance(item, dict):
            yield (key, i), item


def _codes(data: Any, key: str) -> set[str]:
    return {c for _, item in _items(data, key) if isinstance(c := item.get("code"), str)}


def weights_problem(weights: list[Any], what: str) -> str | None:
    """The complaint about a weight group, or None when it sums to 100% (or is not all numbers,
    which the type check reports instead)."""
    if not all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights):
        return None
    total = math.fsum(weights)
    if abs(total - 100) <= 1e-6:
        return None
    return f"weights of {what} sum to {round(total, 4):g}%; they must sum to 100%"


def _missing(what: str, code: Any, known: set[str], owner: str) -> str:
    hint = difflib.get_close_matches(str(code), sorted(known), n=1, cutoff=0.6)
    if hint:
        tail = f"; did you mean '{hint[0]}'?"
    elif known:
        tail = f"; defined {what}s: {', '.join(sorted(known))}"
    else:
        tail = f"; no {what} is defined"
    return f"{owner} refers to {what} '{code}', which is not defined{tail}"


class _Checker:
    def __init__(self, data: Any) -> None:
        self.data = _map(data)
        self.problems: list[Problem] = []
        self.tracks = _codes(data, "tracks")
        self.competencies = _codes(data, "competencies")
        self.trainings = _codes(data, "trainings")
        self.ladders: dict[str, set[str]] = {}
        for _, lad in _items(data, "ladders"):
            levels = {lv.get("code") for lv in _seq(lad.get("levels")) if isinstance(lv, dict)}
            self.ladders[str(lad.get("code"))] = {c for c in levels if isinstance(c, str)}
        self.all_levels = set().union(*self.ladders.values()) if self.ladders else set()
        self.scorecards: dict[str, set[str]] = {}
        for _, card in _items(data, "scorecards"):
            dims = {d.get("code") for d in _seq(card.get("dimensions")) if isinstance(d, dict)}
            self.scorecards[str(card.get("code"))] = {c for c in dims if isinstance(c, str)}
        self.positions: dict[str, dict[str, Any]] = {
            str(p.get("code")): p for _, p in _items(data, "positions")
        }
        ratings = _map(self.data.get("ratings"))
        self.grades = {
            c for g in _seq(ratings.get("grades")) if isinstance(c := _map(g).get("code"), str)
        }

    def ref(self, loc: Loc, code: Any, known: set[str], what: str, owner: str) -> None:
        if isinstance(code, str) and code not in known:
            self.problems.append((loc, _missing(what, code, known, owner)))

    def keys(self, loc: Loc, mapping: Any, known: set[str], what: str, owner: str) -> None:
        for key in _map(mapping):
            # "[key]" (pydantic's own marker) points the error at the key, not at its value
            self.ref((*loc, key, "[key]"), key, known, what, owner)

    def run(self) -> list[Problem]:
        for key in ("tracks", "ladders", "competencies", "trainings", "positions", "scorecards"):
            self.duplicates(key, key[:-1])
        self.duplicates("grading", "grading rule set")
        self.check_positions()
        self.check_weights()
        self.check_scorecards()
        self.check_ratings()
        self.check_cycle()
        self.check_grading()
        self.check_pay()
        self.check_training_rules()
        for loc, reward in _items(self.data, "instant_rewards"):
            self.position_list((*loc, "positions"), reward.get("positions"), "instant reward")
        coaching = _map(self.data.get("coaching_rules")).get("positions")
        self.position_list(("coaching_rules", "positions"), coaching, "coaching_rules")
        return self.problems

    def duplicates(self, key: str, what: str) -> None:
        seen: set[str] = set()
        for loc, item in _items(self.data, key):
            code = item.get("code")
            if isinstance(code, str) and code in seen:
                self.problems.append(((*loc, "code"), f"{what} '{code}' is defined twice"))
            seen.add(str(code))

    def position_list(self, loc: Loc, codes: Any, owner: str) -> None:
        for i, code in enumerate(_seq(codes)):
            self.ref((*loc, i), code, set(self.positions), "position", owner)

    def check_positions(self) -> None:
        for loc, pos in _items(self.data, "positions"):
            owner = f"position '{pos.get('code')}'"
            self.ref((*loc, "track"), pos.get("track"), self.tracks, "track", owner)
            self.ref((*loc, "ladder"), pos.get("ladder"), set(self.ladders), "ladder", owner)
            self.ref(
                (*loc, "scorecard"), pos.get("scorecard"), set(self.scorecards), "scorecard", owner
            )
            levels = self.ladders.get(str(pos.get("ladder")), self.all_levels)
            for i, req in enumerate(_seq(pos.get("competencies"))):
                rloc = (*loc, "competencies", i)
                self.ref((*rloc, "level"), _map(req).get("level"), levels, "level", owner)
                self.keys(
                    (*rloc, "requires"),
                    _map(req).get("requires"),
                    self.competencies,
                    "competency",
                    owner,
                )

    def check_weights(self) -> None:
        for loc, card in _items(self.data, "scorecards"):
            dims = _seq(card.get("dimensions"))
            weights = [_map(d).get("weight") for d in dims]
            problem = weights_problem(weights, f"scorecard '{card.get('code')}'") if dims else None
            if problem:
                self.problems.append(((*loc, "dimensions"), problem))
            for d, dim in enumerate(dims):
                items = _seq(_map(dim).get("items"))
                weights = [_map(i).get("weight") for i in items]
                what = f"dimension '{_map(dim).get('code')}'"
                problem = weights_problem(weights, what) if items else None
                if problem:
                    self.problems.append(((*loc, "dimensions", d, "items"), problem))

    def check_scorecards(self) -> None:
        known = {"competency": self.competencies}
        for loc, card in _items(self.data, "scorecards"):
            for d, dim in enumerate(_seq(card.get("dimensions"))):
                for i, item in enumerate(_seq(_map(dim).get("items"))):
                    kind = _map(item).get("input")
                    if kind in known:
                        self.ref(
                            (*loc, "dimensions", d, "items", i, "ref"),
                            _map(item).get("ref"),
                            known[kind],
                            str(kind),
                            f"scorecard '{card.get('code')}'",
                        )

    def check_ratings(self) -> None:
        assignment = _map(_map(self.data.get("ratings")).get("assignment"))
        loc: Loc = ("ratings", "assignment")
        for key in ("bands", "quotas"):
            for i, entry in enumerate(_seq(assignment.get(key))):
                rating = _map(entry).get("rating")
                self.ref((*loc, key, i, "rating"), rating, self.grades, "rating", "ratings")
        self.ref((*loc, "remainder"), assignment.get("remainder"), self.grades, "rating", "ratings")

    def check_cycle(self) -> None:
        probation = _map(_map(self.data.get("cycle")).get("probation"))
        self.ref(
            ("cycle", "probation", "start_level"),
            probation.get("start_level"),
            self.all_levels,
            "level",
            "probation",
        )

    def check_grading(self) -> None:
        owners: dict[str, str] = {}
        for loc, rules in _items(self.data, "grading"):
            owner = f"grading rule set '{rules.get('code')}'"
            self.position_list((*loc, "positions"), rules.get("positions"), owner)
            mine = [self.positions[c] for c in _seq(rules.get("positions")) if c in self.positions]
            for p, code in enumerate(_seq(rules.get("positions"))):
                if isinstance(code, str) and code in owners:
                    self.problems.append(
                        (
                            (*loc, "positions", p),
                            f"position '{code}' already has grading rule set '{owners[code]}'",
                        )
                    )
                owners.setdefault(str(code), str(rules.get("code")))
            ladders = {str(p.get("ladder")) for p in mine}
            if len(ladders) > 1:
                self.problems.append(
                    (
                        (*loc, "positions"),
                        f"{owner} mixes positions on ladders {', '.join(sorted(ladders))}; "
                        "one rule set grades one ladder",
                    )
                )
            levels = self.ladders.get(next(iter(ladders), ""), self.all_levels)
            dims = set().union(*(self.scorecards.get(str(p.get("scorecard")), set()) for p in mine))
            for i, entry in enumerate(_seq(rules.get("levels"))):
                lloc = (*loc, "levels", i)
                self.ref((*lloc, "level"), _map(entry).get("level"), levels, "level", owner)
                self.conditions((*lloc, "indicators"), _map(entry).get("indicators"), dims, owner)
            for key, group in (("promotion", "all"), ("demotion", "any"), ("retraining", "any")):
                section = _map(rules.get(key))
                self.conditions((*loc, key, group), section.get(group), dims, owner)

    def conditions(self, loc: Loc, conditions: Any, dims: set[str], owner: str) -> None:
        for i, cond in enumerate(_seq(conditions)):
            cond = _map(cond)
            kind = cond.get("kind")
            cloc = (*loc, i)
            if kind == "score" and cond.get("of", "total") != "total":
                self.ref((*cloc, "of"), cond.get("of"), dims, "dimension", owner)
            elif kind == "competency":
                what = "competency"
                self.ref((*cloc, what), cond.get(what), self.competencies, what, owner)
            elif kind == "training":
                done = cond.get("completed")
                for j, code in enumerate([done] if isinstance(done, str) else _seq(done)):
                    self.ref((*cloc, "completed", j), code, self.trainings, "training", owner)
            elif kind == "rating_count":
                ratings = cond.get("ratings")
                for j, code in enumerate([ratings] if isinstance(ratings, str) else _seq(ratings)):
                    self.ref((*cloc, "ratings", j), code, self.grades, "rating", owner)

    def check_pay(self) -> None:
        pay = _map(self.data.get("pay"))
        for i, allowance in enumerate(_seq(pay.get("allowances"))):
            loc: Loc = ("pay", "allowances", i)
            ladder = _map(allowance).get("ladder")
            self.ref((*loc, "ladder"), ladder, set(self.ladders), "ladder", "allowance")
            levels = self.ladders.get(str(ladder), self.all_levels)
            self.keys(
                (*loc, "monthly"), _map(allowance).get("monthly"), levels, "level", "allowance"
            )
        bonus = _map(pay.get("bonus"))
        coefficients = _map(bonus.get("coefficients"))
        self.keys(("pay", "bonus", "coefficients"), coefficients, self.grades, "rating", "bonus")
        lacking = sorted(self.grades - set(coefficients))
        if bonus and isinstance(bonus.get("coefficients"), dict) and lacking:
            self.problems.append(
                (
                    ("pay", "bonus", "coefficients"),
                    f"bonus has no coefficient for rating {', '.join(lacking)}",
                )
            )
        self.keys(
            ("pay", "bonus", "base_by_level"),
            bonus.get("base_by_level"),
            self.all_levels,
            "level",
            "bonus",
        )
        for i, plan in enumerate(_seq(pay.get("deferred_bonus"))):
            owner = f"deferred bonus '{_map(plan).get('code')}'"
            rates = _map(plan).get("amount_by_rating")
            self.keys(("pay", "deferred_bonus", i, "amount_by_rating"), rates, self.grades,
                      "rating", owner)  # fmt: skip
        for key in ("commissions", "long_term", "deferred_bonus"):
            for i, plan in enumerate(_seq(pay.get(key))):
                owner = f"{key.replace('_', '-')} plan '{_map(plan).get('code')}'"
                self.position_list(("pay", key, i, "positions"), _map(plan).get("positions"), owner)

    def check_training_rules(self) -> None:
        for loc, rule in _items(self.data, "training_rules"):
            owner = f"training rule '{rule.get('code')}'"
            self.ref((*loc, "course"), rule.get("course"), self.trainings, "training", owner)
            self.position_list((*loc, "positions"), rule.get("positions"), owner)
            when = _map(rule.get("when"))
            if when.get("kind") == "competency_below":
                what = "competency"
                self.ref((*loc, "when", what), when.get(what), self.competencies, what, owner)


def consistency_problems(data: Any) -> list[Problem]:
    """Every dangling or duplicated code and every weight group not summing to 100%, with where
    it occurs."""
    return _Checker(data).run()
