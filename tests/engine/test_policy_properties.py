"""Weight groups: any split of 100% validates; any other total is refused, stating the sum."""

import copy
import itertools
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from callgrade.engine.policy import check_policy, load_policy

EXAMPLE = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples/four_positions.yaml"
BASE = load_policy(EXAMPLE).model_dump(mode="json", exclude_defaults=True)
# Only what the front desk scorecard needs, so that each example parses quickly.
BASE["positions"] = [p for p in BASE["positions"] if p["code"] == "front_desk"]
BASE["scorecards"] = BASE["scorecards"][:1]
for key in ("grading", "pay", "instant_rewards", "trainings", "training_rules"):
    BASE.pop(key, None)
KPIS = {"qa_score": ("higher_better", "score"), "csat": ("higher_better", "ratio")}


@st.composite
def splits_of_100(draw) -> list[float]:
    """k weights in tenths of a percent that add up to exactly 100 (as decimals)."""
    k = draw(st.integers(1, 7))
    cuts = sorted(draw(st.lists(st.integers(0, 1000), min_size=k - 1, max_size=k - 1)))
    bounds = [0, *cuts, 1000]
    return [(b - a) / 10 for a, b in itertools.pairwise(bounds)]


def with_items(weights: list[float], dim_weights: list[float] | None = None) -> str:
    data = copy.deepcopy(BASE)
    card = data["scorecards"][0]  # front_desk: one dimension "courtesy"
    template = card["dimensions"][0]["items"][0]
    card["dimensions"][0]["items"] = [{**template, "weight": w} for w in weights]
    if dim_weights is not None:
        first = card["dimensions"][0]
        card["dimensions"] = [
            {**first, "code": f"d{i}", "weight": w} for i, w in enumerate(dim_weights)
        ]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def only_scorecards(text: str) -> list[str]:
    return [e.message for e in check_policy(text, kpis=KPIS)]


@settings(max_examples=50, deadline=None)
@given(splits_of_100())
def test_item_weights_summing_to_100_validate(weights):
    assert only_scorecards(with_items(weights)) == []


@settings(max_examples=50, deadline=None)
@given(splits_of_100(), splits_of_100())
def test_dimension_weights_summing_to_100_validate(items, dims):
    assert only_scorecards(with_items(items, dims)) == []


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=7).filter(lambda w: sum(w) != 100))
def test_item_weights_not_summing_to_100_are_refused_with_the_sum(weights):
    assert only_scorecards(with_items(weights)) == [
        f"weights of dimension 'courtesy' sum to {sum(weights)}%; they must sum to 100%"
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=2, max_size=5).filter(lambda w: sum(w) != 100))
def test_dimension_weights_not_summing_to_100_are_refused_with_the_sum(dims):
    assert only_scorecards(with_items([60, 40], dims)) == [
        f"weights of scorecard 'front_desk' sum to {sum(dims)}%; they must sum to 100%"
    ]


def test_fractional_sum_is_stated_plainly():
    messages = only_scorecards(with_items([33.3, 33.3, 33.3]))
    assert messages == ["weights of dimension 'courtesy' sum to 99.9%; they must sum to 100%"]
