"""One local-mode Spark session for every Spark test of a test run.

Starting Spark costs several seconds and a JVM of its own, so the Spark tests share this
session-scoped session; they carry ``xdist_group("spark")`` and the suite distributes with
``--dist loadgroup`` (pyproject.toml), so under ``pytest -n 2`` one worker starts Spark, not each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from callgrade.engine.kpis import KpiEngine
from callgrade.engine.kpis.engines import spark_session


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KpiEngine]:
    """The spark KPI engine on a session built by the product's own builder (local mode)."""
    pytest.importorskip("pyspark.sql")
    tmp = tmp_path_factory.mktemp("spark")
    engine = KpiEngine(
        "spark",
        spark_url="local[1]",
        spark_conf=(
            ("spark.ui.enabled", "false"),
            ("spark.sql.shuffle.partitions", "1"),
            ("spark.sql.warehouse.dir", str(tmp / "spark-warehouse")),
            ("spark.driver.extraJavaOptions", f"-Dderby.system.home={tmp / 'derby'}"),
            # tiny data: whole-stage code generation and adaptive planning only add start-up time
            ("spark.sql.codegen.wholeStage", "false"),
            ("spark.sql.adaptive.enabled", "false"),
        ),
    )
    session: Any = spark_session(engine)
    try:
        yield KpiEngine("spark", spark_session=session)
    finally:
        session.stop()
