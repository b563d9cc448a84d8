"""Which Ibis backend computes the KPIs: DuckDB in this process, or Apache Spark.

The KPI code is the same Ibis expressions on either; only the connection differs. A cycle is
given its engine as an explicit :class:`KpiEngine` value, so two cycles in one process may run on
different engines. Spark runs in local mode on this machine's cores unless a master URL names a
cluster (``spark://host:7077``, ``yarn``, ``k8s://…``); the warehouse's Parquet files must then be
readable at the same path on every executor (see docs/scale.md).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import ibis

ENGINES = ("duckdb", "spark")

# Settings the KPI code relies on, whatever else a cluster's spark-defaults.conf says: timestamps
# are UTC instants (the engine converts to local time itself, as it does on DuckDB), and a cast
# that does not fit gives NULL as on DuckDB instead of failing the job (Spark 4 turns ANSI on).
REQUIRED_SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
}
# Defaults for a session this module builds; a --spark-conf setting overrides them.
DEFAULT_SPARK_CONF = {
    "spark.ui.showConsoleProgress": "false",  # it would write over the CLI's progress line
}


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here (PySpark or Java missing, a bad master URL)."""


@dataclass(frozen=True)
class KpiEngine:
    """The KPI backend of a cycle.

    ``spark_url`` is a Spark master URL (``None``: local mode on every core, ``local[*]``);
    ``spark_conf`` holds extra Spark settings as (key, value) pairs; ``spark_session`` runs on a
    session the caller already has (a notebook's, or a test's shared one) instead of building one.
    """

    name: str = "duckdb"
    spark_url: str | None = None
    spark_conf: tuple[tuple[str, str], ...] = ()
    spark_session: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise ValueError(f"KPI engine {self.name!r}: expected one of {', '.join(ENGINES)}")
        if self.name != "spark" and (self.spark_url or self.spark_conf or self.spark_session):
            raise ValueError("a Spark master URL, settings or session need the spark engine")
        for key, _ in self.spark_conf:
            if key in REQUIRED_SPARK_CONF:
                raise ValueError(
                    f"Spark setting {key} is fixed to {REQUIRED_SPARK_CONF[key]!r}: "
                    "the KPIs depend on it"
                )

    def connect(self) -> ibis.BaseBackend:
        """A new Ibis connection on this engine (on Spark, over the one shared session)."""
        if self.name == "duckdb":
            return ibis.duckdb.connect()
        return _pyspark_backend(self.spark_session or spark_session(self))


def _pyspark_backend(session: Any) -> ibis.BaseBackend:
    for key, value in REQUIRED_SPARK_CONF.items():
        session.conf.set(key, value)
    return ibis.pyspark.connect(session)


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return True
    return shutil.which("java") is not None


def spark_session(engine: KpiEngine) -> Any:
    """The Spark session for ``engine``: built on first use, then shared by every later cycle in
    this process (Spark allows one active session per process). A running session keeps its
    settings: ``spark_conf`` applies when the session is built."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailable(
            "the spark engine needs PySpark 4.0: pip install 'callgrade[spark]'"
        ) from None
    if not _java_found():
        raise EngineUnavailable(
            "the spark engine needs a Java 17 or 21 runtime: install one (e.g. apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME"
        )
    master = engine.spark_url or "local[*]"
    active = SparkSession.getActiveSession()
    if active is not None:
        running = active.sparkContext.master
        if engine.spark_url and running != engine.spark_url:
            raise EngineUnavailable(
                f"a Spark session on {running} is already running in this process; "
                f"cannot also connect to {engine.spark_url}"
            )
        return active
    builder = SparkSession.builder.master(master).appName("callgrade")
    conf = {**DEFAULT_SPARK_CONF, **dict(engine.spark_conf), **REQUIRED_SPARK_CONF}
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # py4j and PySpark raise many kinds; the reason is in the text
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EngineUnavailable(f"could not start Spark on {master}: {reason}") from exc
