"""Loading data in the app: HR uploads a file of any supported format, it loads in the
background as one batch, the page shows read = accepted + rejected (+ left aside) with the
rejects, and undoing the load takes exactly its records out again. Bad files are refused with
the reason and nothing is kept; drop folders and database pulls give loads the same way."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from test_upload_limits import bomb

from callgrade.core.models import AuditEvent
from callgrade.engine.warehouse import Warehouse
from callgrade.loads.models import Load, Source
from callgrade.loads.services.loads import load_dir

EXAMPLES = Path(__file__).parents[2] / "docs" / "connectors" / "examples"
START = 1772323200  # 2026-03-01 UTC: after the demo's months, so every call is new
LOG = (
    f"{START}|c1|support|NONE|ENTERQUEUE||13800000001|1\n"
    f"{START + 5}|c1|support|Agent/1|CONNECT|5|c1-b|2\n"
    f"{START + 95}|c1|support|Agent/1|COMPLETECALLER|5|90|1\n"
    f"{START + 100}|c2|support|NONE|ENTERQUEUE||13800000002|1\n"
    f"{START + 130}|c2|support|NONE|ABANDON|1|1|30\n"
    '=HYPERLINK("http://x")|broken line\n'
)


def test_the_demo_lists_its_ingests_and_an_undone_upload(login: Any, hr: Any) -> None:
    cli = Load.objects.filter(origin=Load.CLI)
    assert cli.exists() and all(x.state == Load.DONE and x.batch for x in cli)
    upload = Load.objects.get(origin=Load.UPLOAD)
    assert upload.state == Load.UNDONE and upload.mapping == "surveys.yaml"
    assert (upload.read, upload.accepted, upload.rejected, upload.filtered) == (11, 3, 2, 6)
    assert upload.removed == {"surveys": 3}
    page = login(hr).get("/data/loads/").content.decode()
    assert page.count("data-load=") == Load.objects.count()


@pytest.fixture
def data(demo_dir: Path, tmp_path: Path, db: None) -> Path:
    """A copy of the demo warehouse, so the session's shared one stays as it was; the demo's
    loads are set aside (inside the test's transaction) so each test counts its own."""
    Load.objects.all().delete()
    out = tmp_path / "data"
    shutil.copytree(demo_dir, out, ignore=shutil.ignore_patterns("input", "loads", "pull"))
    settings.DATA_DIR = out
    return out


def _upload(c: Any, name: str, body: bytes, fmt: str, **extra: Any) -> Any:
    return c.post(
        "/data/loads/",
        {"file": SimpleUploadedFile(name, body), "format": fmt, "tz": "UTC", **extra},
    )


def _calls(data: Path) -> int:
    return Warehouse(data).count("interactions")


def test_an_upload_loads_counts_shows_rejects_and_undo_reconciles(
    login: Any, hr: Any, data: Path
) -> None:
    c = login(hr)
    before = _calls(data)
    r = _upload(c, "queue_log", LOG.encode(), "queue_log")
    assert r.status_code == 302
    load = Load.objects.get()
    assert r["Location"] == f"/data/loads/{load.pk}/"
    assert load.state == Load.DONE and load.batch
    assert (load.read, load.accepted, load.rejected, load.filtered) == (6, 5, 1, 0)
    assert load.rows == {"interactions": 2} and load.added == {"interactions": 2}
    assert _calls(data) == before + 2

    page = c.get(f"/data/loads/{load.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-count="read">6<' in html and 'data-count="rejected">1<' in html
    assert 'id="reconcile" class="ok"' in html and 'id="rejects"' in html
    # the rejects download is made safe: the rejected line cannot run as a formula
    csv = c.get(f"/data/loads/{load.pk}/rejects.csv")
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body

    r = c.post(f"/data/loads/{load.pk}/undo/")
    assert r.status_code == 302
    load.refresh_from_db()
    assert load.state == Load.UNDONE and load.removed == {"interactions": 2}
    assert _calls(data) == before
    again = c.post(f"/data/loads/{load.pk}/undo/", follow=True)
    assert "already undone" in again.content.decode()
    assert _calls(data) == before
    actions = set(AuditEvent.objects.filter(object_type="load").values_list("action", flat=True))
    assert actions == {"load_create", "load_done", "load_undo"}


def test_the_same_file_twice_adds_nothing_and_each_undo_keeps_what_the_other_holds(
    login: Any, hr: Any, data: Path
) -> None:
    c = login(hr)
    before = _calls(data)
    _upload(c, "a.log", LOG.encode(), "queue_log")
    _upload(c, "a.log", LOG.encode(), "queue_log")
    first, second = Load.objects.order_by("pk")
    assert second.added == {"interactions": 0} and _calls(data) == before + 2
    c.post(f"/data/loads/{first.pk}/undo/")
    first.refresh_from_db()
    assert first.removed == {"interactions": 0} and _calls(data) == before + 2
    c.post(f"/data/loads/{second.pk}/undo/")
    assert _calls(data) == before


def test_a_mapped_export_with_an_uploaded_mapping_counts_what_it_leaves_aside(
    login: Any, hr: Any, data: Path
) -> None:
    c = login(hr)
    export = (EXAMPLES / "foreign_export" / "calls.csv").read_bytes()
    mapping = (EXAMPLES / "foreign_export" / "surveys.yaml").read_bytes()
    r = _upload(
        c, "calls.csv", export, "mapped", mapping_file=SimpleUploadedFile("surveys.yaml", mapping)
    )
    assert r.status_code == 302
    load = Load.objects.get()
    assert load.state == Load.DONE and load.mapping == "surveys.yaml"
    assert load.filtered > 0 and load.read == load.accepted + load.rejected + load.filtered
    assert "surveys" in load.rows


BAD = [
    ("empty", {"name": "q.log", "body": b"", "fmt": "queue_log"}, "is empty"),
    ("no format", {"name": "q.log", "body": b"x", "fmt": ""}, "Choose the format"),
    ("a workbook as a log", {"name": "q.xlsx", "body": b"PK\x03\x04zz", "fmt": "cdr"}, "zip"),
    ("mapped without mapping", {"name": "a.csv", "body": b"a\n1\n", "fmt": "mapped"}, "mapping"),
    ("bad zone", {"name": "q.log", "body": b"1|x", "fmt": "queue_log", "tz": "Mars/Base"},
     "not a time zone"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "upload", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_uploads_are_refused_with_the_reason_and_nothing_is_kept(
    login: Any, hr: Any, data: Path, case: str, upload: dict[str, Any], words: str
) -> None:
    c = login(hr)
    extra = {"tz": upload["tz"]} if "tz" in upload else {}
    r = c.post(
        "/data/loads/",
        {"file": SimpleUploadedFile(upload["name"], upload["body"]), "format": upload["fmt"],
         **extra},
    )  # fmt: skip
    assert r.status_code == 400
    assert words in r.context["file_error"]
    assert Load.objects.count() == 0 and not (data / "loads").exists()


def test_a_mapping_with_mistakes_lists_every_one(login: Any, hr: Any, data: Path) -> None:
    c = login(hr)
    mapping = b"table: surveys\ncolumns:\n  survey_id: {from: X}\n  nonsense: {from: Y}\n"
    r = _upload(
        c, "a.csv", b"X,Y\n1,2\n", "mapped", mapping_file=SimpleUploadedFile("m.yaml", mapping)
    )
    assert r.status_code == 400
    assert "The mapping m.yaml has mistakes" in r.context["file_error"]
    lines = r.context["file_error"].splitlines()[1:]
    assert len(lines) == 2 and all(x.startswith("m.yaml:") for x in lines), lines
    assert "responded_at" in lines[0] and "nonsense" in lines[1]
    assert Load.objects.count() == 0


def test_a_workbook_bomb_is_refused_and_nothing_is_kept(login: Any, hr: Any, data: Path) -> None:
    body, words = bomb("unpacks past 50 MB")
    c = login(hr)
    r = _upload(c, "calls.xlsx", body, "mapped", mapping="surveys.yaml")
    assert r.status_code == 400 and words in r.context["file_error"]
    assert Load.objects.count() == 0 and not any((data / "loads").iterdir())


def test_a_load_whose_worker_died_is_failed_with_nothing_written(
    login: Any, hr: Any, data: Path
) -> None:
    import socket

    from callgrade.core.models import Job

    job = Job.objects.create(
        kind="load_ingest", state=Job.RUNNING, worker=f"{socket.gethostname()}:999999999"
    )
    load = Load.objects.create(filename="q.log", format="queue_log", state=Load.RUNNING, job=job)
    page = login(hr).get(f"/data/loads/{load.pk}/")
    load.refresh_from_db()
    assert load.state == Load.FAILED and "stopped before it finished" in load.error
    assert 'id="load-error"' in page.content.decode()


def test_a_file_over_the_limit_is_refused(login: Any, hr: Any, data: Path) -> None:
    settings.CALLGRADE_LOAD_MAX_BYTES = 1024
    try:
        r = _upload(login(hr), "big.log", b"x" * 2048, "queue_log")
    finally:
        del settings.CALLGRADE_LOAD_MAX_BYTES
    assert r.status_code == 400
    assert r.context["file_error"] == "The file is 2 KB; files up to 1 KB are accepted."
    assert Load.objects.count() == 0


def test_a_drop_folder_loads_each_file_once(login: Any, hr: Any, data: Path, tmp_path) -> None:
    settings.CALLGRADE_DROP_SETTLE_SECONDS = 0
    settings.CALLGRADE_DROP_ROOT = tmp_path
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    c = login(hr)
    r = c.post(
        "/data/sources/",
        {"name": "pbx", "kind": "drop", "folder": str(inbox), "format": "queue_log",
         "tz": "UTC", "every_minutes": "5"},
    )  # fmt: skip
    assert r.status_code == 302, r.context and r.context.get("form_error")
    (inbox / "queue_log-1").write_text(LOG)
    (inbox / "empty.log").write_text("")
    call_command("run_sources", "pbx")
    loads = {x.filename: x for x in Load.objects.filter(source__name="pbx")}
    assert loads["queue_log-1"].state == Load.DONE and loads["queue_log-1"].accepted == 5
    assert loads["empty.log"].state == Load.FAILED and "empty" in loads["empty.log"].error
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["queue_log-1"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["empty.log"]
    assert (load_dir(loads["queue_log-1"]) / "queue_log-1").exists()
    call_command("run_sources", "pbx")  # nothing new: nothing loaded again
    assert Load.objects.filter(source__name="pbx").count() == 2
    del settings.CALLGRADE_DROP_SETTLE_SECONDS, settings.CALLGRADE_DROP_ROOT


def test_a_source_with_mistakes_is_refused_with_the_reason(login: Any, hr: Any) -> None:
    c = login(hr)
    cases = [
        ({"kind": "pull", "url": "mysql://u:p@h"}, "expected mysql://user:password@host"),
        ({"kind": "pull", "url": "ftp://x"}, "expected postgresql://"),
        ({"kind": "drop", "folder": "relative/in", "format": "cdr"}, "full path"),
        ({"kind": "drop", "folder": "/etc", "format": "cdr"}, "must be inside"),
        (
            {
                "kind": "drop",
                "folder": str(settings.DATA_DIR / "drop" / ".." / ".."),
                "format": "cdr",
            },
            "must be inside",
        ),
        (
            {"kind": "drop", "folder": str(settings.DATA_DIR / "drop/in"), "format": "mapped"},
            "needs a mapping",
        ),
        ({"kind": "pull", "name": "bad name!", "url": "postgresql://h/db"}, "letters, digits"),
    ]
    for fields, words in cases:
        r = c.post("/data/sources/", {"name": "s1", "tz": "UTC", **fields})
        assert r.status_code == 400 and words in r.context["form_error"], fields
    assert Source.objects.count() == 0


def test_a_pull_source_shows_its_address_without_the_password(login: Any, hr: Any) -> None:
    Source.objects.create(
        name="asterisk", kind=Source.PULL, url="postgresql://cg:s3cret@db:5432/ast",
        table="queue_log",
    )  # fmt: skip
    html = login(hr).get("/data/sources/").content.decode()
    assert "postgresql://cg:***@db:5432/ast" in html and "s3cret" not in html


PG = "postgresql://postgres@127.0.0.1:5432/root"


@pytest.fixture
def pbx_table() -> Any:
    """Asterisk's realtime queue_log table in a schema of its own on this machine's PostgreSQL."""
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on this machine")
    schema = f"cg_web_{uuid.uuid4().hex[:8]}"
    conn.execute(f"CREATE SCHEMA {schema}")
    conn.execute(
        f"CREATE TABLE {schema}.queue_log (id SERIAL PRIMARY KEY, time TIMESTAMP, callid TEXT,"
        " queuename TEXT, agent TEXT, event TEXT, data1 TEXT, data2 TEXT, data3 TEXT,"
        " data4 TEXT, data5 TEXT)"
    )

    def insert(lines: str) -> None:
        for line in lines.strip().splitlines():
            t, *rest = line.split("|")
            if not t.isdigit():
                continue
            fields = (rest + [""] * 8)[:7]
            conn.execute(
                f"INSERT INTO {schema}.queue_log (time, callid, queuename, agent, event, data1,"
                " data2, data3) VALUES (to_timestamp(%s) AT TIME ZONE 'UTC', %s, %s, %s, %s, %s,"
                " %s, %s)",
                [int(t), *fields],
            )

    yield f"{schema}.queue_log", insert
    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    conn.close()


def test_a_database_pull_source_loads_new_rows_once_and_undoes(
    login: Any, hr: Any, data: Path, pbx_table: Any
) -> None:
    table, insert = pbx_table
    c = login(hr)
    r = c.post(
        "/data/sources/",
        {"name": "pbx-db", "kind": "pull", "url": PG, "table": table, "by": "id", "tz": "UTC",
         "every_minutes": "5"},
    )  # fmt: skip
    assert r.status_code == 302, r.context and r.context.get("form_error")
    source = Source.objects.get(name="pbx-db")
    before = _calls(data)
    first_call = "\n".join(LOG.splitlines()[:3])
    insert(first_call)
    c.post(f"/data/sources/{source.pk}/run/")
    insert("\n".join(LOG.splitlines()[3:]))
    c.post(f"/data/sources/{source.pk}/run/")
    c.post(f"/data/sources/{source.pk}/run/")  # nothing new: no load
    loads = list(Load.objects.filter(source=source).order_by("pk"))
    assert [x.read for x in loads] == [3, 5]  # the second pull reads its month again, whole
    assert all(x.state == Load.DONE and x.rejected == 0 for x in loads)
    assert _calls(data) == before + 2
    c.post(f"/data/loads/{loads[1].pk}/undo/")
    loads[1].refresh_from_db()
    # the first pull's call stays (that load still stands); the second's goes
    assert loads[1].removed == {"interactions": 1} and _calls(data) == before + 1


HOSTILE = ("a\x00b", "x" * 10_000, "../../etc/passwd", "'\"><script>alert(1)</script>中文😀", "-1")


def test_hostile_form_values_get_a_message_never_a_server_error(
    login: Any, hr: Any, data: Path
) -> None:
    c = login(hr)
    for value in HOSTILE:
        for field in ("format", "tz", "mapping"):
            body = {"format": "queue_log", "tz": "UTC", field: value}
            r = c.post("/data/loads/", {"file": SimpleUploadedFile(value[:200], b"1|x"), **body})
            assert r.status_code in (302, 400), (field, value[:20], r.status_code)
        for field in ("name", "kind", "folder", "url", "table", "by", "tz", "every_minutes"):
            body = {"name": "s", "kind": "pull", "url": "postgresql://h/db", field: value}
            r = c.post("/data/sources/", body)
            assert r.status_code in (302, 400), (field, value[:20], r.status_code)
    # a file name is only a name: nothing is written outside the load's folder
    for load in Load.objects.all():
        assert "/" not in load.filename and "\x00" not in load.filename
        assert (load_dir(load) / load.filename).parent == load_dir(load)
