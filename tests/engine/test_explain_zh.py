"""Chinese explanation sentences name the KPI and what its sample counts in Chinese."""

from __future__ import annotations

import numpy as np
import pandas as pd

from callgrade.engine.scoring.explain import item_sentences

ROW = {
    "template": "linear", "item": "csat", "unit": "ratio", "value": 0.73, "raw_value": 0.73,
    "numerator": 38.0, "denominator": 52.0, "points": 12.3, "floor": 0.7, "target": 0.95,
    "weight": 100.0, "contribution": 12.3, "band": None, "peers": None, "worst": None,
    "best": None, "sample_size": 52, "min_sample": 10.0, "peer_mean": None, "shrink_k": None,
}  # fmt: skip


def test_chinese_sentence_is_chinese_throughout() -> None:
    (zh,) = item_sentences(pd.DataFrame([ROW]), "zh")
    assert zh.startswith("客户满意度 73.0% (38/52 份回复)")
    assert "responses" not in zh and "CSAT" not in zh


def test_english_sentence_is_unchanged() -> None:
    (en,) = item_sentences(pd.DataFrame([ROW]), "en")
    assert en.startswith("CSAT 73.0% (38/52 responses) scored 12.3 linearly")


def test_excluded_sample_in_chinese() -> None:
    row = {**ROW, "template": "excluded_sample", "item": "qa_score", "sample_size": 3,
           "min_sample": 4.0}  # fmt: skip
    (zh,) = item_sentences(pd.DataFrame([row]), "zh")
    assert zh.startswith("质检") and "QA" not in zh


def test_assessed_inputs_and_tenure_in_chinese() -> None:
    """An assessed input by the name the caller gives it (a standard's competency), tenure in
    years as 年; without a name the code's words stay (and are English)."""
    competency = {**ROW, "item": "problem_solving", "unit": "score", "value": 72.0,
                  "raw_value": 72.0, "numerator": None, "denominator": None, "floor": 0.0,
                  "target": 100.0, "sample_size": None}  # fmt: skip
    tenure = {**ROW, "item": "tenure_years", "unit": "years", "value": 4.17, "raw_value": 4.17,
              "numerator": None, "denominator": None, "floor": 0.0, "target": 5.0,
              "sample_size": None}  # fmt: skip
    rows = pd.DataFrame([competency, tenure])
    named, years = item_sentences(rows, "zh", {"problem_solving": "问题解决"})
    assert named.startswith("问题解决 72.0") and "Problem" not in named
    assert years.startswith("司龄 4.17 年") and "years" not in years
    assert "0.00 年" in years and "5.00 年" in years
    unnamed, _ = item_sentences(rows, "zh")
    assert unnamed.startswith("Problem solving 72.0")
    _, english = item_sentences(rows, "en")
    assert "4.17 years" in english


def test_column_renderer_matches_the_row_renderer_on_constant_and_mixed_groups() -> None:
    """Groups whose figures are all equal are formatted once: the sentences must be exactly the
    row-by-row ones, -0.0 against 0.0, NaN, whole and fractional numerators included."""
    from callgrade.engine.scoring.explain import item_params, render

    rng = np.random.default_rng(3)
    rows = []
    templates = ["linear", "bands", "bands_otherwise", "percentile", "minmax", "shrunk"]
    templates += ["excluded_sample", "excluded_missing"]
    for g, template in enumerate(templates):
        for unit, item in (("ratio", "csat"), ("seconds", "aht"), ("money", "sales_revenue")):
            constant = g % 2 == 0
            for i in range(6):
                value = 0.5 if constant else float(rng.uniform(-2, 2000))
                rows.append(
                    {
                        **ROW,
                        "template": template,
                        "item": item,
                        "unit": unit,
                        "value": value,
                        "raw_value": -0.0 if i % 2 else 0.0,  # formatted differently
                        "numerator": 38.0 if constant else float(rng.choice([12.0, 12.5, np.nan])),
                        "denominator": 52.0 if constant else float(rng.choice([0.0, 3.0, 40.0])),
                        "points": 12.3 if constant else float(rng.uniform(0, 100)),
                        "band": np.nan if constant else float(rng.uniform(0, 1)),
                        "peers": 7.0,
                        "worst": 0.1,
                        "best": np.nan,
                        "sample_size": 52 if constant else int(rng.integers(0, 5000)),
                        "peer_mean": 0.8,
                        "shrink_k": 2.5 if constant else float(rng.choice([2.0, 2.25])),
                    }
                )
    frame = pd.DataFrame(rows)
    expected = [render(r["template"], item_params(r)) for r in frame.to_dict("records")]
    assert item_sentences(frame) == expected
    # Chinese labels and nouns come from the column renderer only: each row rendered alone
    alone = [item_sentences(frame.iloc[[i]], "zh")[0] for i in range(len(frame))]
    assert item_sentences(frame, "zh") == alone
