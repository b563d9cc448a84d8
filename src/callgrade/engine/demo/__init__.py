"""A deterministic demo call center that writes the vendors' real file formats.

``generate`` simulates a center (agents, teams, shifts, queues, back-office systems) from a seed
and writes what its systems would export: Asterisk queue_log (file and database forms), Amazon
Connect contact records, Asterisk CDR, and CSV/XLSX exports with column-mapping YAMLs. The demo
therefore goes through the same connectors as a customer's data. Same config and seed, same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from callgrade.engine.demo import backoffice, telephony
from callgrade.engine.demo.center import build_center
from callgrade.engine.demo.schedule import work_days
from callgrade.engine.demo.timebase import Days, build_days
from callgrade.engine.demo.traffic import Traffic, simulate
from callgrade.engine.demo.writers import write_csv, write_xlsx
from callgrade.engine.ingest import IngestReport, ingest_files
from callgrade.engine.warehouse import Warehouse

MAPPINGS = Path(__file__).parent / "mappings"
MANIFEST = "demo.json"


@dataclass(frozen=True)
class DemoFile:
    format: str  # connector name: queue_log, queue_log_db, cdr, connect, mapped
    path: Path
    mapping: Path | None = None


@dataclass(frozen=True)
class DemoConfig:
    agents: int = 200
    start: date = date(2026, 1, 1)
    months: int = 6
    seed: int = 42
    tz: str = "Asia/Shanghai"
    # Offered inbound contacts per logged-in agent-hour at average load, for a 290 s handle
    # time; longer-handling queues get proportionally fewer. 6 gives ~43 calls a day per
    # customer-service agent and ~24 per technical-support agent (the low end of real
    # centers), which keeps the six-month default quick to generate and ingest.
    calls_per_agent_hour: float = 6.0


Progress = Callable[[str, float], None]


def generate(
    out_dir: Path, config: DemoConfig = DemoConfig(), *, on_progress: Progress | None = None
) -> list[DemoFile]:
    """Simulate the center and write every file under ``out_dir``, with a ``demo.json``
    manifest. Returns the files in ingestion order (roster first). Telephony files are read
    with ``tz=config.tz`` (the manifest lists it per file); mapped files carry their own."""
    if config.agents < 1 or config.months < 1 or config.calls_per_agent_hour <= 0:
        raise ValueError("a demo needs at least one agent, one month and some calls")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    def progress(step: str, done: float) -> None:
        if on_progress:
            on_progress(step, done)

    rng = np.random.default_rng(config.seed)
    progress("people", 0.0)
    days = build_days(config.start, config.months, config.tz)
    center = build_center(rng, config.agents, config.start, days.date(days.n))
    agent_days = work_days(rng, center, config.start, days.n)
    progress("traffic", 0.1)
    traffic = simulate(rng, center, agent_days, days.weekend, config.calls_per_agent_hour)
    _assign_ids(rng, days, traffic)

    files: list[DemoFile] = []
    maps = out_dir / "mappings"
    maps.mkdir(exist_ok=True)

    def mapped(name: str, path: Path) -> None:
        text = (MAPPINGS / f"{name}.yaml").read_text("utf-8")
        text = text.replace("timezone: Asia/Shanghai", f"timezone: {config.tz}")
        (maps / f"{name}.yaml").write_text(text, "utf-8")
        files.append(DemoFile("mapped", path, maps / f"{name}.yaml"))

    progress("roster", 0.2)
    head, rows = backoffice.roster(center)
    write_xlsx(out_dir / "roster.xlsx", "花名册", head, rows, {8: "yyyy-mm-dd"})
    mapped("roster", out_dir / "roster.xlsx")

    # A source with nothing to say in a chunk (a tiny center without that position) writes no
    # file, as a real system would export nothing.
    chunks = days.chunks()
    for n, (label, first, end) in enumerate(chunks):
        progress(f"telephony {label}", 0.25 + 0.55 * n / len(chunks))
        last = n == len(chunks) - 1
        events = telephony.queue_events(center, days, agent_days, traffic.inbound, first, end)
        if len(events) > 1:  # more than the QUEUESTART
            if last:
                path = out_dir / f"queue_log_db-{label}.csv"
                telephony.write_queue_log_db(path, events, days, config.seed + n)
                files.append(DemoFile("queue_log_db", path))
            else:
                path = out_dir / f"queue_log-{label}"
                telephony.write_queue_log(path, events)
                files.append(DemoFile("queue_log", path))
        records = telephony.ctr_records(center, days, traffic.contacts, first, end)
        if records:
            path = out_dir / (f"connect-{label}.json" if last else f"connect-{label}.jsonl")
            telephony.write_ctr(path, records, as_array=last)
            files.append(DemoFile("connect", path))
        path = out_dir / f"Master-{label}.csv"
        if telephony.write_cdr(path, center, days, traffic.dials, first, end, short=n == 0):
            files.append(DemoFile("cdr", path))

    progress("back office", 0.85)
    head, rows = backoffice.surveys(rng, center, days, traffic)
    write_csv(out_dir / "surveys.csv", head, rows)
    mapped("surveys", out_dir / "surveys.csv")
    head, rows = backoffice.qa_evaluations(rng, center, days)
    write_xlsx(out_dir / "qa_evaluations.xlsx", "质检记录", head, rows, {2: "yyyy-mm-dd hh:mm"})
    mapped("qa_evaluations", out_dir / "qa_evaluations.xlsx")
    head, rows = backoffice.sales(rng, center, days, traffic.dials)
    write_csv(out_dir / "sales.csv", head, rows)
    mapped("sales", out_dir / "sales.csv")
    head, rows = backoffice.attendance(center, days, agent_days)
    write_csv(out_dir / "attendance.csv", head, rows)
    mapped("attendance", out_dir / "attendance.csv")
    head, rows = backoffice.complaints(rng, center, days, traffic)
    write_csv(out_dir / "complaints.csv", head, rows, encoding="gb18030")
    mapped("complaints", out_dir / "complaints.csv")
    head, rows = backoffice.competency(rng, center, days)
    write_csv(out_dir / "competency.csv", head, rows)
    mapped("competency", out_dir / "competency.csv")
    head, rows = backoffice.trainings(rng, center, days)
    write_csv(out_dir / "trainings.csv", head, rows)
    mapped("trainings", out_dir / "trainings.csv")

    _write_manifest(out_dir, config, files)
    progress("done", 1.0)
    return files


def _assign_ids(rng: np.random.Generator, days: Days, traffic: Traffic) -> None:
    """The sources' own ids: Asterisk uniqueids (epoch.sequence) and Connect contact UUIDs."""
    c = traffic.inbound
    if c:
        enter = days.unix(c["day"], c["enter"])
        c["callid"] = np.array([f"{t}.{i + 1}" for i, t in enumerate(enter.tolist())], dtype=object)
    d = traffic.dials
    if d:
        start = days.unix(d["day"], d["start"])
        base = 10_000_000
        d["uniqueid"] = np.array(
            [f"{t}.{base + i}" for i, t in enumerate(start.tolist())], dtype=object
        )
        d["seq"] = np.arange(d["day"].size, dtype=np.int64) * 2 + 1
    f = traffic.contacts
    if f:
        f["contact_id"] = telephony.contact_ids(rng, f["day"].size)


def _write_manifest(out_dir: Path, config: DemoConfig, files: list[DemoFile]) -> None:
    def rel(p: Path | None) -> str | None:
        return None if p is None else p.relative_to(out_dir).as_posix()

    # Telephony files carry server-local times (CDR, database export): the reader needs the tz.
    doc = {
        "config": {k: str(v) for k, v in asdict(config).items()},
        "files": [
            {
                "format": f.format,
                "path": rel(f.path),
                "mapping": rel(f.mapping),
                "options": {} if f.mapping else {"tz": config.tz},
            }
            for f in files
        ],
    }
    (out_dir / MANIFEST).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")


def read_manifest(out_dir: Path) -> list[DemoFile]:
    """The files a previous ``generate`` wrote, as listed in its manifest."""
    out_dir = Path(out_dir)
    doc = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    return [
        DemoFile(f["format"], out_dir / f["path"], out_dir / f["mapping"] if f["mapping"] else None)
        for f in doc["files"]
    ]


__all__ = ["DemoConfig", "DemoFile", "generate", "read_manifest"]


def ingest_demo(
    warehouse: Warehouse,
    files: list[DemoFile],
    tz: str,
    *,
    on_file: Callable[[DemoFile], None] | None = None,
) -> list[IngestReport]:
    """Ingest the demo's files in order through their connectors (telephony read in ``tz``;
    mapped files carry their own mapping); one report per file."""
    reports = []
    for f in files:
        if on_file:
            on_file(f)
        options: dict[str, Any] = {"tz": tz}
        if f.mapping is not None:
            options["mapping"] = f.mapping
        reports.append(ingest_files(warehouse, f.format, [f.path], **options))
    return reports
