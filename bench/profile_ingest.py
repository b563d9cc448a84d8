"""Where callgrade's queue_log ingest spends its time: cProfile of one ingest, by engine function.

    python bench/profile_ingest.py --file bench/data/queue_log-1m.log [--top 25]

Prints the engine functions (``callgrade.*``) ordered by cumulative time, plus the DuckDB/Arrow
calls made from them, so that each SQL phase (load lines, build events, derive interactions,
derive states, warehouse commit) shows with its own share of the wall time.
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

from common import DATA_DIR


def profile(file: Path, top: int) -> dict[str, float]:
    from callgrade.engine.ingest import ingest_files
    from callgrade.engine.warehouse import Warehouse

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
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
    print(buf.getvalue())
    return {"wall_s": wall, **dict(sorted(rows.items(), key=lambda kv: -kv[1])[:top])}


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
