"""Chinese explanation sentences name the KPI and what its sample counts in Chinese."""

from __future__ import annotations

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
