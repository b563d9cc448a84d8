"""Starting the app from the command line: seed it from a data directory and serve it.

``callgrade demo --serve`` and ``callgrade serve`` call these; the settings read the data
directory from the environment, so it is set before Django starts. Served from the command line,
static files are collected into the data directory with content-hashed names and compressed
copies (as in production), and the app is loaded and warmed before gunicorn reports that it
listens, so the first request is as fast as the next ones.

Nothing here writes into the package (it may be installed read-only): the translation catalogs
were compiled when it was built or installed, and are only checked (see ``i18n_build``).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any


def setup(data_dir: Path) -> None:
    os.environ["CALLGRADE_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callgrade.web.settings")
    os.environ.setdefault("CALLGRADE_COLLECTED_STATIC", "1")
    import django

    django.setup()


def seed_app(data_dir: Path, *, period: str, cycle_name: str, **more: Any) -> dict[str, Any]:
    """Migrate the application database and seed it (see services.seed); returns the summary."""
    setup(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    from callgrade.web import i18n_build
    from callgrade.web.seed import seed

    i18n_build.require_current()
    call_command("migrate", verbosity=0)
    settings.CALLGRADE_JOBS = "inline"  # wait for the computation here, not in a thread
    return seed(period=period, cycle_name=cycle_name, **more)


def _static_sources() -> str:
    """A fingerprint of every static source file (path, size, modification time)."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(
        f"{settings.STORAGES}{settings.WHITENOISE_KEEP_ONLY_HASHED_FILES}".encode()
    )
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> bool:
    """Collect the static files (hashed names, gzip and brotli copies) unless the sources are
    unchanged since the last time; True when it collected. Compressing takes ~10 s, so a
    restart does not pay it again."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.STATIC_ROOT is None:
        return False
    root = Path(settings.STATIC_ROOT)
    stamp = root / ".sources"
    fingerprint = _static_sources()
    manifest = root / "staticfiles.json"
    if manifest.is_file() and stamp.is_file() and stamp.read_text("utf-8") == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint, "utf-8")
    return True


def warm() -> None:
    """Do before serving what the first requests would otherwise do: import the heavy libraries
    the pages use (pandas, DuckDB, Ibis, Arrow), import every view (resolving the URL map),
    load both languages' catalogs and compile the templates by rendering the sign-in page.

    gunicorn runs this once in its master (``--preload``) before it listens, and every worker
    starts as a copy of the warmed process. Nothing here opens what must not cross a fork: the
    database connection is closed at the end."""
    import duckdb  # noqa: F401
    import ibis
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    from django.contrib.auth.models import AnonymousUser
    from django.db import connections
    from django.template.loader import get_template, render_to_string
    from django.test import RequestFactory
    from django.urls import get_resolver, reverse
    from django.utils import translation

    ibis.duckdb.connect().disconnect()  # loads the backend and its SQL compiler
    resolver = get_resolver()
    resolver._populate()  # imports every view module
    request = RequestFactory().get(reverse("login"))
    request.user = AnonymousUser()
    request.session = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            translation.gettext("Log in")
            render_to_string("registration/login.html", {"form": None}, request=request)
    for name in ("cycles/scorecard.html", "review/team.html", "callgrade/notifications.html"):
        get_template(name)
    from callgrade.standards.models import PolicyVersion

    for version in PolicyVersion.objects.exclude(status=PolicyVersion.DRAFT):
        version.policy()  # parsed and validated once per process
    connections.close_all()


def prepare(data_dir: Path) -> None:
    """What serving needs before gunicorn starts: the catalogs checked, the database migrated
    and the static files collected (into the data directory)."""
    setup(data_dir)
    from django.core.management import call_command

    from callgrade.web import i18n_build

    i18n_build.require_current()
    call_command("migrate", verbosity=0)
    collect_static()


def start_live_demo(data_dir: Path, *, pace: float = 1.0) -> Path:
    """Start ``callgrade live`` following ``<data-dir>/live-demo/queue_log`` and the demo feed
    that appends answered calls to it, one every ``pace`` seconds — the demo agent's twenty
    first — so instant rewards reach the agent's open page and the ledger while someone
    watches. Both run beside the web server and stop with it (Ctrl-C reaches the whole process
    group). Returns the followed file."""
    import subprocess

    setup(data_dir)
    from callgrade.people.models import Employee

    log = Path(data_dir).resolve() / "live-demo" / "queue_log"
    log.parent.mkdir(parents=True, exist_ok=True)
    demo_agent = Employee.objects.filter(user__username="agent")
    first = demo_agent.values_list("employee_id", flat=True).first()
    agents = list(
        Employee.objects.exclude(status="left")
        .filter(user__isnull=True)
        .order_by("employee_id")
        .values_list("employee_id", flat=True)[:50]
    )
    cli = [sys.executable, "-m", "callgrade.cli"]
    errors = (log.parent / "live.log").open("a")  # the children's: it stays open for them
    live = [*cli, "live", "--queue-log", str(log), "--data-dir", str(data_dir)]
    subprocess.Popen(live, stdout=subprocess.DEVNULL, stderr=errors)
    feed = [*cli, "demo-feed", "--queue-log", str(log), "--pace", str(pace)]
    if first:
        feed += ["--first", first]
    subprocess.Popen([*feed, *agents], stdout=subprocess.DEVNULL, stderr=errors)
    return log


def serve(data_dir: Path, *, host: str, port: int, workers: int = 2) -> None:
    """Replace this process with gunicorn serving the app (threads run background jobs)."""
    prepare(data_dir)
    args = [
        sys.executable, "-m", "gunicorn", "callgrade.web.wsgi:warmed()",
        "--preload", "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
        "--worker-class", "gthread", "--timeout", "120", "--access-logfile", "-",
    ]  # fmt: skip
    os.execvp(args[0], args)
