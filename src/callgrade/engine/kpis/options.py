"""Options for KPI variants. Every field is documented in docs/kpis.md (a test checks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ServiceLevelVariant = Literal["answered", "offered", "sl2", "exclude_short"]
AhtVariant = Literal["talk_hold_acw", "talk_acw"]
AnswerRateVariant = Literal["offered", "exclude_closed", "wazo"]
CsatVariant = Literal["top2_box", "top_box"]


@dataclass(frozen=True)
class KpiOptions:
    service_level_threshold_s: float = 20.0
    service_level_variant: ServiceLevelVariant = "answered"
    short_abandon_s: float = 5.0
    fcr_window_days: int = 7
    aht_variant: AhtVariant = "talk_hold_acw"
    answer_rate_variant: AnswerRateVariant = "offered"
    csat_variant: CsatVariant = "top2_box"
    pause_reasons: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        checks = {
            "service_level_variant": ("answered", "offered", "sl2", "exclude_short"),
            "aht_variant": ("talk_hold_acw", "talk_acw"),
            "answer_rate_variant": ("offered", "exclude_closed", "wazo"),
            "csat_variant": ("top2_box", "top_box"),
        }
        for name, allowed in checks.items():
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"KPI option {name} is {getattr(self, name)!r}; expected one of "
                    + ", ".join(allowed)
                    + "."
                )
        if self.service_level_threshold_s < 0 or self.short_abandon_s < 0:
            raise ValueError("KPI thresholds in seconds cannot be negative.")
        if self.fcr_window_days < 1:
            raise ValueError("fcr_window_days must be at least 1 day.")
