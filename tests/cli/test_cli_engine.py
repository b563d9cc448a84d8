"""The KPI engine on the command line: ``--engine duckdb|spark``, ``--spark-url``, and one plain
line when the choice is wrong or Spark cannot run here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from callgrade.engine.kpis import EngineUnavailable, KpiEngine
from callgrade.engine.kpis.engines import spark_session

QUEUE_LOG = """\
1767225600|NONE|NONE|NONE|QUEUESTART|
1767225601|c1|support|NONE|ENTERQUEUE||13800000001|1
1767225611|c1|support|E0001|CONNECT|10|c1-agent|2
1767225711|c1|support|E0001|COMPLETECALLER|10|100|1
1767225720|c2|support|NONE|ENTERQUEUE||13800000002|1
1767225750|c2|support|NONE|ABANDON|1|1|30
"""
KPI = ("kpis", "--data-dir", "d", "--period", "2026-01", "--by", "queue", "--output", "csv")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "callgrade.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    (root / "queue_log").write_text(QUEUE_LOG)
    r = run("ingest", "queue_log", "queue_log", "--data-dir", "d", cwd=root)
    assert r.returncode == 0, r.stderr
    return root


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--engine", "polars"), "--engine 'polars': expected duckdb or spark"),
        (("--spark-url", "spark://h:7077"), "--spark-url and --spark-conf need --engine spark"),
        (
            ("--engine", "spark", "--spark-conf", "spark.driver.memory"),
            "--spark-conf 'spark.driver.memory': expected KEY=VALUE",
        ),
        (
            ("--engine", "spark", "--spark-conf", "spark.sql.session.timeZone=Asia/Shanghai"),
            "spark.sql.session.timeZone is fixed to 'UTC'",
        ),
    ],
)
def test_a_wrong_engine_choice_is_one_line_before_any_work(warehouse, args, message):
    r = run(*KPI, *args, cwd=warehouse)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("command", ["score", "grade", "pay"])
def test_cycle_commands_take_the_engine_choice(warehouse, command):
    r = run(command, "--policy", "four_positions", "--period", "2026-01", "--data-dir", "d",
            "--engine", "hadoop", cwd=warehouse)  # fmt: skip
    assert r.returncode == 1 and "--engine 'hadoop': expected duckdb or spark" in r.stderr


def test_spark_without_java_says_so(warehouse):
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(warehouse / "no-java-here")
    r = run(*KPI, "--engine", "spark", cwd=warehouse, env=env)
    assert r.returncode == 1, r.stdout
    assert "the spark engine needs a Java 17 or 21 runtime" in r.stderr
    assert "Traceback" not in r.stderr


def test_spark_without_pyspark_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # an import of it now fails
    with pytest.raises(EngineUnavailable, match=r"pip install 'callgrade\[spark\]'"):
        spark_session(KpiEngine("spark"))


def test_engine_values_are_checked():
    with pytest.raises(ValueError, match="expected one of duckdb, spark"):
        KpiEngine("sqlite")
    with pytest.raises(ValueError, match="need the spark engine"):
        KpiEngine("duckdb", spark_url="local[2]")


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_kpis_on_spark_print_the_same_bytes_as_on_duckdb(warehouse):
    pytest.importorskip("pyspark")
    duck = run(*KPI, cwd=warehouse)
    spark = run(*KPI, "--engine", "spark", "--spark-url", "local[1]", cwd=warehouse)
    assert duck.returncode == 0, duck.stderr
    assert spark.returncode == 0, spark.stderr
    assert "answer_rate" in duck.stdout
    assert spark.stdout == duck.stdout
