"""A policy text is bounded by what it expands to, not by its bytes: YAML aliases let a few
hundred bytes stand for millions of values (a "billion laughs" document)."""

import time
from pathlib import Path

import yaml

from callgrade.engine.policy import load_policy
from callgrade.engine.policy.load import MAX_VALUES, expanded_size, validate_text

EXAMPLES = Path(__file__).parents[2] / "src" / "callgrade" / "engine" / "policy" / "examples"


def alias_bomb(levels: int = 7, width: int = 9) -> str:
    """``width ** levels`` values in a few hundred bytes: each line repeats the one above."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_at_the_first_alias():
    text = alias_bomb()
    assert len(text.encode()) < 500
    start = time.perf_counter()
    policy, errors = validate_text(text, file="bomb.yaml")
    assert time.perf_counter() - start < 1.0
    assert policy is None
    [error] = errors
    assert error.message.startswith(
        f"the standard expands to more than {MAX_VALUES:,} values (YAML aliases);"
    )
    assert (error.line, error.column, error.kind) == (2, 10, "expansion")


def test_a_bomb_of_mappings_with_duplicate_keys_is_refused_quickly():
    # Mappings reached through aliases used to be walked once per path for duplicate keys.
    lines = ["m0: &m0 {k: 1, k: 2, " + ", ".join(f"v{j}: x" for j in range(8)) + "}"]
    for i in range(1, 6):
        lines.append(f"m{i}: &m{i} {{" + ", ".join(f"c{j}: *m{i - 1}" for j in range(10)) + "}")
    start = time.perf_counter()
    policy, errors = validate_text("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert policy is None and [e.kind for e in errors] == ["expansion"]


def test_an_alias_inside_its_own_anchor_is_refused():
    policy, errors = validate_text("code: &a [x, *a]\n")
    assert policy is None
    assert [(e.line, e.kind) for e in errors] == [(1, "expansion")]


def test_expansion_counts_every_aliased_value_once_per_use():
    root = yaml.compose("a: &x [1, 2]\nb: *x\n", Loader=yaml.SafeLoader)
    # the mapping, two keys, and the two-item list written out twice
    assert expanded_size(root) == 1 + 2 + 2 * 3
    assert expanded_size(root, limit=8) is None


def test_duplicate_keys_in_an_aliased_mapping_are_reported_once():
    text = "a: &m {k: 1, k: 2}\nb: *m\n"
    _, errors = validate_text(text)
    dup = [e for e in errors if "appears twice" in e.message]
    assert [(e.line, e.column, e.path) for e in dup] == [(1, 14, "a.k")]


def test_the_shipped_policies_stay_far_below_the_limit_and_load():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        root = yaml.compose(path.read_text("utf-8"), Loader=yaml.SafeLoader)
        size = expanded_size(root)
        assert size is not None and size < MAX_VALUES // 10, path.name
        assert load_policy(path).code
