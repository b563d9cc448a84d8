"""Numbers on the pages are rounded like the engine's sentences round them, never cut off
(Django's number_format alone would show 78.357 as 78.3 beside a sentence saying 78.4)."""

from __future__ import annotations

from django.utils import translation

from callgrade.web.templatetags.callgrade import kpi_value, num


def test_values_and_points_are_rounded_not_truncated() -> None:
    with translation.override("en"):
        assert kpi_value(53 / 55, "ratio") == "96.4%"  # 96.36…
        assert kpi_value(0.0249, "ratio") == "2.5%"
        assert kpi_value(239.6, "seconds") == "240 s"
        assert kpi_value(1_234.9, "money") == "1,235"
        assert kpi_value(87.425, "score") == "87.4"  # the binary value lies below .425
        assert num(78.357) == "78.4"
        assert num(99.96) == "100.0"
        assert num(12_345.678, 2) == "12,345.68"
        assert num(float("nan")) == "—" and kpi_value(None, "ratio") == "—"


def test_they_match_the_sentence_formatting() -> None:
    with translation.override("en"):
        for v in (0.05, 0.15, 0.25, 2.675, 78.35, 78.45, 1e-9, 1234.55):
            assert num(v) == f"{v:,.1f}"
    with translation.override("zh-hans"):
        assert kpi_value(239.6, "seconds") == "240 秒"
