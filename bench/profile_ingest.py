"""Where callgrade's queue_log ingest spends its time: cProfile of one ingest, by engine function,
and the wall time of every SQL statement the connector sends to DuckDB.

    python bench/profile_ingest.py --file bench/data/queue_log-1m.log [--top 25]

Prints the engine functions (``callgrade.*``) ordered by cumulative time, then each DuckDB
statement of the connector (calling function, first words of the SQL, seconds), so that each SQL
phase (load lines, split, checks, derive interactions, derive states) shows with its share.
Statements are timed through a thin proxy around the connector's connection; the proxy registers
the caller's Arrow tables by name because DuckDB's replacement scan only looks at the frame that
calls ``execute``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from common import DATA_DIR

STATEMENTS: list[tuple[str, str, float]] = []


class TimedConnection:
    def __init__(self, con: Any) -> None:
        self._con = con

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        import pyarrow as pa

        caller = sys._getframe(1)
        for name, value in caller.f_locals.items():
            if isinstance(value, pa.Table) and name in sql:
                self._con.register(name, value)
        start = time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        label = " ".join(sql.split())[:70]
        STATEMENTS.append((caller.f_code.co_name, label, time.perf_counter() - start))
        return result

    def cursor(self) -> TimedConnection:
        return TimedConnection(self._con.cursor())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _patch_connector() -> None:
    import duckdb

    import callgrade.engine.connectors.queue_log as queue_log

    shim = SimpleNamespace(**{k: getattr(duckdb, k) for k in dir(duckdb) if not k.startswith("__")})
    shim.connect = lambda *a, **k: TimedConnection(duckdb.connect(*a, **k))
    queue_log.duckdb = shim  # type: ignore[assignment]


def profile(file: Path, top: int) -> dict[str, float]:
    from callgrade.engine.ingest import ingest_files
    from callgrade.engine.warehouse import Warehouse

    _patch_connector()
    target = DATA_DIR / f"wh-profile-{uuid.uuid4().hex}"
    prof = cProfile.Profile()
    try:
        start = time.perf_counter()
        prof.enable()
        ingest_files(Warehouse(target), "queue_log", [file], tz="UTC")
        prof.disable()
        wall = time.perf_counter() - start
    finally:
        shutil.rmtree(target, ignore_errors=True)
    stats = pstats.Stats(prof)
    rows: dict[str, float] = {}
    for (path, line, func), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/callgrade/" in path:
            short = path.split("/callgrade/", 1)[1]
            rows[f"{short}:{line} {func}"] = cum
    print(f"wall {wall:.2f} s for {file}")
    print(f"{'cumulative s':>12}  {'share':>6}  engine function")
    for name, cum in sorted(rows.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{cum:12.2f}  {cum / wall:6.1%}  {name}")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(8)
    print(buf.getvalue())
    print(f"{'seconds':>8}  {'share':>6}  connector SQL statement (calling function: first words)")
    for func, label, secs in STATEMENTS:
        print(f"{secs:8.2f}  {secs / wall:6.1%}  {func}: {label}")
    return {
        "wall_s": wall,
        "functions": dict(sorted(rows.items(), key=lambda kv: -kv[1])[:top]),
        "statements": STATEMENTS,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, required=True)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = profile(args.file, args.top)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), "utf-8")


if __name__ == "__main__":
    sys.exit(main())
