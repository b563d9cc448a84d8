"""Every mistake in a policy is reported, each at its exact line and column, in plain words."""

import textwrap

import pytest
from pydantic import ValidationError

from callgrade.engine.policy import (
    Policy,
    PolicyError,
    PolicyInvalid,
    check_policy,
    format_errors,
    load_policy,
)

# A fixed KPI catalog keeps these tests about the policy language, not about the registry.
KPIS = {
    "answer_rate": ("higher_better", "ratio"),
    "csat": ("higher_better", "ratio"),
    "aht": ("lower_better", "seconds"),
    "complaints_valid": ("lower_better", "count"),
    "sales_revenue": ("higher_better", "money"),
}

BASE = textwrap.dedent(
    """\
    code: base
    version: "1"
    effective_from: 2026-01-01
    currency: CNY
    time_zone: Asia/Shanghai
    label: {zh: 标准, en: Standard}
    tracks:
      - code: phone
        label: {zh: 话务岗, en: Phone}
    ladders:
      - code: agent
        label: {zh: 坐席, en: Agent}
        levels:
          - {code: junior, rank: 1, label: {zh: 初级, en: Junior}}
          - {code: senior, rank: 2, label: {zh: 高级, en: Senior}}
    competencies:
      - code: communication
        label: {zh: 沟通, en: Communication}
    positions:
      - code: customer_service
        label: {zh: 客户服务, en: Customer service}
        track: phone
        ladder: agent
        scorecard: service
        duties:
          - {zh: 接听来电, en: Answer calls}
        competencies:
          - {level: senior, requires: {communication: 70}}
    scorecards:
      - code: service
        label: {zh: 客服, en: Service}
        dimensions:
          - code: kpis
            label: {zh: 指标, en: KPIs}
            weight: 100
            items:
              - {kpi: answer_rate, weight: 60, floor: 0.8, target: 0.95}
              - {kpi: aht, weight: 40, floor: 600, target: 300, below_min_sample: exclude}
    ratings:
      grades:
        - {code: A, points: 8, label: {zh: 优秀, en: Excellent}}
        - {code: B, points: 6, label: {zh: 良好, en: Good}}
      assignment:
        method: absolute
        bands:
          - {rating: A, min_score: 80}
          - {rating: B, min_score: 0}
    cycle: {rating_period: month, grading_period: half}
    grading:
      - code: agents
        positions: [customer_service]
        promotion:
          all:
            - {kind: rank_position, top: 1}
            - {kind: count, of: complaints_valid, op: "<=", value: 2}
    pay:
      bonus: {base: 1000, coefficients: {A: 1.2, B: 1.0}}
    """
)


def errors_of(text: str) -> list[tuple[int, int, str]]:
    return [(e.line, e.column, e.message) for e in check_policy(text, kpis=KPIS)]


def mutate(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_base_is_valid():
    assert check_policy(BASE, kpis=KPIS) == []
    policy = load_policy(BASE, kpis=KPIS)
    assert policy.scorecards[0].dimensions[0].items[1].direction == "lower_better"


SEVERAL = textwrap.dedent(
    """\
    code: bad
    version: "1"
    effective_from: 2026-01-01
    currency: CNY
    time_zone: Asia/Shanghai
    label: {zh: 错误, en: Broken}
    tracks:
      - code: phone
        label: {zh: 话务岗, en: Phone}
    ladders:
      - code: agent
        label: {zh: 坐席, en: Agent}
        levels:
          - {code: junior, rank: 1, label: {zh: 初级, en: Junior}}
          - {code: senior, rank: 2, label: {zh: 高级, en: Senior}}
    positions:
      - code: customer_service
        label: {zh: 客户服务, en: Customer service}
        track: phone
        ladder: agnet
        scorcard: service
        duties:
          - {zh: 接听来电, en: Answer calls}
    scorecards:
      - code: service
        label: {zh: 客服, en: Service}
        dimensions:
          - code: calls
            label: {zh: 话务, en: Calls}
            weight: 95
            items:
              - {kpi: answer_rate, weight: forty, floor: 0.8, target: 0.95}
              - {kpi: csat_score, weight: 60, floor: 0.7, target: 0.95}
          - code: survey
            label: {zh: 满意度, en: Survey}
            weight: 10
            items:
              - {kpi: csat, weight: 70, floor: 0.7, target: 0.95}
              - {kpi: answer_rate, weight: 20, floor: 0.8, target: 0.95}
    ratings:
      grades:
        - {code: A, points: 8, label: {zh: 优秀, en: Excellent}}
        - {code: B, points: 6, label: {zh: 良好, en: Good}}
      assignment:
        method: absolute
        bands:
          - {rating: A, min_score: 80}
          - {rating: B, min_score: 0}
    grading:
      - code: g
        positions: [customer_service]
        promotion:
          all:
            - {kind: rank_position, top: 1}
            - {kind: kpi_score, op: ">=", value: 3}
    """
)


def test_several_mistakes_are_all_reported_with_exact_positions():
    errors = check_policy(SEVERAL, kpis=KPIS)
    assert [(e.line, e.column, e.path, e.message) for e in errors] == [
        (
            17,
            5,
            "positions[0].scorecard",
            "required key 'scorecard' is missing in positions[0]",
        ),
        (
            20,
            13,
            "positions[0].ladder",
            "position 'customer_service' refers to ladder 'agnet', which is not defined; "
            "did you mean 'agent'?",
        ),
        (
            21,
            5,
            "positions[0].scorcard",
            "unknown key 'scorcard' in positions[0]; did you mean 'scorecard'?",
        ),
        (
            28,
            7,
            "scorecards[0].dimensions",
            "weights of scorecard 'service' sum to 105%; they must sum to 100%",
        ),
        (
            32,
            40,
            "scorecards[0].dimensions[0].items[0].weight",
            "weight: input should be a valid number, unable to parse string as a number "
            "(got 'forty')",
        ),
        (
            33,
            19,
            "scorecards[0].dimensions[0].items[1].kpi",
            "unknown KPI 'csat_score'; did you mean 'csat'?",
        ),
        (
            38,
            11,
            "scorecards[0].dimensions[1].items",
            "weights of dimension 'survey' sum to 90%; they must sum to 100%",
        ),
        (
            55,
            18,
            "grading[0].promotion.all[1]",
            "unknown kind 'kpi_score' in grading[0].promotion.all[1]; did you mean 'kpi'?",
        ),
    ]
    assert all(e.file is None for e in errors)


def test_load_raises_with_every_error():
    with pytest.raises(PolicyInvalid) as info:
        load_policy(SEVERAL, kpis=KPIS)
    assert len(info.value.errors) == 8
    assert str(info.value).splitlines()[0] == (
        "line 17, column 5: required key 'scorecard' is missing in positions[0]"
    )


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / "standard.yaml"
    path.write_text(SEVERAL, "utf-8")
    errors = check_policy(path, kpis=KPIS)
    assert {e.file for e in errors} == {str(path)}
    text = format_errors(errors)
    lines = text.splitlines()
    assert lines[0] == (
        f"{path}: line 17, column 5: required key 'scorecard' is missing in positions[0] "
        "[positions[0].scorecard]"
    )
    assert lines[-1] == "8 errors."
    # check_policy also accepts the path as a string
    assert check_policy(str(path), kpis=KPIS) == errors


def test_format_errors_when_valid():
    assert format_errors([]) == "The policy is valid."
    one = PolicyError(None, 3, 4, "code", "code: bad")
    assert format_errors([one]) == "line 3, column 4: code: bad [code]\n1 error."


# (old text, replacement, line, column, message)
SINGLE = [
    pytest.param(
        "currency: CNY",
        "currency: CNY\ncurrency: USD",
        5,
        1,
        "key 'currency' appears twice in the same mapping",
        id="duplicate-key",
    ),
    pytest.param(
        "{code: senior, rank: 2,",
        "{code: senior, rank: 1,",
        14,
        7,
        "two levels share a rank; each level needs its own rank",
        id="duplicate-rank",
    ),
    pytest.param(
        "time_zone: Asia/Shanghai",
        "time_zone: Asia/Shangai",
        5,
        12,
        "unknown time zone 'Asia/Shangai' (use an IANA name such as Asia/Shanghai)",
        id="time-zone",
    ),
    pytest.param(
        "floor: 0.8, target: 0.95}",
        "floor: 0.95, target: 0.8}",
        37,
        13,
        "target 0.8 must lie above floor 0.95 for a higher_better measure",
        id="linear-target-below-floor",
    ),
    pytest.param(
        "floor: 600, target: 300, below_min_sample: exclude}",
        "floor: 600, target: 300, min_sample: 5, below_min_sample: shrink}",
        38,
        13,
        "below_min_sample: shrink needs shrink_k (the credibility constant)",
        id="shrink-needs-k",
    ),
    pytest.param(
        "floor: 600, target: 300, below_min_sample: exclude}",
        "floor: 600, target: 300, below_min_sample: shrink, shrink_k: 5}",
        38,
        13,
        "below_min_sample: shrink needs min_sample (when to shrink)",
        id="shrink-needs-min-sample",
    ),
    pytest.param(
        "{kind: rank_position, top: 1}",
        "{kind: rank_position, top: 1, bottom: 2}",
        54,
        11,
        "give exactly one of 'top' or 'bottom'",
        id="rank-top-and-bottom",
    ),
    pytest.param(
        "{kind: rank_position, top: 1}",
        "{top: 1}",
        54,
        11,
        "required key 'kind' is missing in grading[0].promotion.all[0]",
        id="condition-without-kind",
    ),
    pytest.param(
        "of: complaints_valid,",
        "of: aht,",
        55,
        29,
        "KPI 'aht' is a seconds, not a count",
        id="count-of-non-count",
    ),
    pytest.param(
        "positions: [customer_service]",
        "positions: [customer_servce]",
        51,
        17,
        "grading rule set 'agents' refers to position 'customer_servce', which is not defined; "
        "did you mean 'customer_service'?",
        id="grading-position-ref",
    ),
    pytest.param(
        "{level: senior, requires: {communication: 70}}",
        "{level: expert, requires: {communication: 70}}",
        28,
        17,
        "position 'customer_service' refers to level 'expert', which is not defined; "
        "defined levels: junior, senior",
        id="level-ref",
    ),
    pytest.param(
        "{level: senior, requires: {communication: 70}}",
        "{level: senior, requires: {comunication: 70}}",
        28,
        36,
        "position 'customer_service' refers to competency 'comunication', which is not "
        "defined; did you mean 'communication'?",
        id="competency-ref",
    ),
    pytest.param(
        "coefficients: {A: 1.2, B: 1.0}",
        "coefficients: {A: 1.2}",
        57,
        37,
        "bonus has no coefficient for rating B",
        id="bonus-coefficient-missing",
    ),
    pytest.param(
        "cycle: {rating_period: month, grading_period: half}",
        "cycle: {rating_period: quarter, grading_period: month}",
        48,
        8,
        "grading_period 'month' is shorter than rating_period 'quarter'",
        id="grading-shorter-than-rating",
    ),
    pytest.param(
        "- {rating: B, min_score: 0}",
        "- {rating: B, min_score: 10}",
        46,
        7,
        "the last rating band must start at 0 so that every score is rated",
        id="bands-do-not-reach-zero",
    ),
    pytest.param(
        "label: {zh: 沟通, en: Communication}",
        "label: {zh: 沟通, en: ''}",
        18,
        25,
        "en: string should have at least 1 character (got '')",
        id="empty-english-label",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "column", "message"), SINGLE)
def test_single_mistake(old, new, line, column, message):
    assert errors_of(mutate(old, new)) == [(line, column, message)]


def test_yaml_syntax_error_has_line_and_column():
    [(line, column, message)] = errors_of(
        mutate("label: {zh: 坐席, en: Agent}", "label: {zh: 坐席, en: Agent")
    )
    # the unclosed flow mapping runs on until the ':' after "levels" on the next line
    assert (line, column) == (13, 11)
    # the wording comes from libyaml or from PyYAML, whichever is installed
    assert message.startswith("YAML syntax error: while parsing a flow mapping")
    assert "',' or '}'" in message


def test_forced_distribution_checks():
    old = """\
    method: absolute
    bands:
      - {rating: A, min_score: 80}
      - {rating: B, min_score: 0}
"""
    new = """\
    method: forced
    group: [position, team]
    quotas:
      - {rating: A, max_percent: 60}
      - {rating: Z, max_percent: 50}
    remainder: B
    tie_break: [employee_id_asc, score_desc]
"""
    assert errors_of(mutate(old, new)) == [
        (47, 7, "quotas sum to 110%; they may not exceed 100%"),
        (48, 18, "ratings refers to rating 'Z', which is not defined; defined ratings: A, B"),
        (
            50,
            16,
            "tie_break must list each key once and end with employee_id_asc, "
            "so that no two employees ever tie",
        ),
    ]


def test_not_a_mapping():
    assert errors_of("- just\n- a list\n") == [(1, 1, "a policy must be a YAML mapping")]
    assert errors_of("") == [(1, 1, "a policy must be a YAML mapping")]


def test_unreadable_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("code: caf\xe9\n".encode("latin-1"))
    [error] = check_policy(path, kpis=KPIS)
    assert (error.file, error.line, error.column) == (str(path), 1, 1)
    assert error.message.startswith("cannot read the policy file")


def test_unknown_kpi_checked_against_the_registry():
    text = mutate("{kpi: answer_rate,", "{kpi: answer_rat,")
    [error] = check_policy(text)  # default: the KPI engine's registry
    assert (error.line, error.column) == (37, 19)
    assert error.message == "unknown KPI 'answer_rat'; did you mean 'answer_rate'?"


def test_direct_construction_checks_references():
    data = load_policy(BASE, kpis=KPIS).model_dump(mode="json")
    data["positions"][0]["track"] = "email"
    with pytest.raises(ValidationError, match="refers to track 'email', which is not defined"):
        Policy.model_validate(data)


def test_missing_file_is_one_plain_error(tmp_path):
    missing = str(tmp_path / "nowhere.yaml")
    [error] = check_policy(missing, kpis=KPIS)
    assert (error.file, error.line, error.column) == (missing, 1, 1)
    assert error.message.startswith("cannot read the policy file")
    with pytest.raises(FileNotFoundError):
        load_policy(missing, kpis=KPIS)


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "message"),
    [
        pytest.param(
            '{kind: count, of: complaints_valid, op: "<=", value: 2}',
            '{kind: count, of: complaints_valid, op: "<=", value: 2, per_month: true}',
            55,
            67,
            "unknown key 'per_month' in grading[0].promotion.all[1]; did you mean 'per'?",
            id="inside-a-condition",
        ),
        pytest.param(
            "bonus: {base: 1000,",
            "bonus: {base_by_levl: {}, base: 1000,",
            57,
            11,
            "unknown key 'base_by_levl' in pay.bonus; did you mean 'base_by_level'?",
            id="inside-pay",
        ),
        pytest.param(
            "    method: absolute\n",
            "    method: absolute\n    bandz: []\n",
            45,
            5,
            "unknown key 'bandz' in ratings.assignment; did you mean 'bands'?",
            id="inside-a-rating-method",
        ),
        pytest.param(
            "tracks:",
            "trakcs: []\ntracks:",
            7,
            1,
            "unknown key 'trakcs' in the policy; did you mean 'tracks'?",
            id="at-the-root",
        ),
        pytest.param(
            "    label: {zh: 客服, en: Service}",
            "    label: {zh: 客服, en: Service}\n    colour: blue",
            32,
            5,
            "unknown key 'colour' in scorecards[0]",
            id="no-close-match",
        ),
    ],
)
def test_unknown_keys_suggest_the_nearest_field(old, new, line, column, message):
    assert errors_of(mutate(old, new)) == [(line, column, message)]


def test_condition_tags_are_checked():
    text = mutate("{kind: rank_position, top: 1}", "{kind: rank_pos, top: 1}")
    assert errors_of(text) == [
        (
            54,
            18,
            "unknown kind 'rank_pos' in grading[0].promotion.all[0]; did you mean 'rank_position'?",
        )
    ]


def test_field_named_like_its_tag_is_located():
    # {kind: kpi, kpi: …}: the tag "kpi" and the key "kpi" share a name
    text = mutate(
        "{kind: rank_position, top: 1}", '{kind: kpi, kpi: answer_rat, op: ">=", value: 0.9}'
    )
    assert errors_of(text) == [
        (54, 28, "unknown KPI 'answer_rat'; did you mean 'answer_rate'?"),
    ]


def test_without_a_registry_direction_is_not_guessed():
    from callgrade.engine.policy.model import Policy as Model

    data = load_policy(BASE, kpis=KPIS).model_dump(mode="json")
    item = data["scorecards"][0]["dimensions"][0]["items"][1]
    item["direction"] = None
    # no context: KPI codes unchecked, and a falling target is accepted for an unknown direction
    policy = Model.model_validate(data)
    assert policy.scorecards[0].dimensions[0].items[1].direction is None
    item["target"] = item["floor"]
    with pytest.raises(ValidationError, match="target and floor must differ"):
        Model.model_validate(data)
