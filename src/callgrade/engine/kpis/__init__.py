"""The KPI engine: definitions (registry), options, computation and drill-down, written once as
Ibis expressions so DuckDB and PySpark run the same code."""

from callgrade.engine.kpis import interactions, quality, states, workforce  # noqa: F401  (register)
from callgrade.engine.kpis.compute import OUTPUT, compute_kpis
from callgrade.engine.kpis.engines import ENGINES, EngineUnavailable, KpiEngine
from callgrade.engine.kpis.options import KpiOptions
from callgrade.engine.kpis.records import RECORDS, kpi_records
from callgrade.engine.kpis.registry import REGISTRY, KpiDef, Part
from callgrade.engine.kpis.tables import open_tables

__all__ = [
    "ENGINES",
    "OUTPUT",
    "RECORDS",
    "REGISTRY",
    "EngineUnavailable",
    "KpiDef",
    "KpiEngine",
    "KpiOptions",
    "Part",
    "compute_kpis",
    "kpi_records",
    "open_tables",
]
