"""Starting the app from the command line: seed it from a data directory and serve it.

``callgrade demo --serve`` and ``callgrade serve`` call these; the settings read the data
directory from the environment, so it is set before Django starts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def setup(data_dir: Path) -> None:
    os.environ["CALLGRADE_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callgrade.web.settings")
    import django

    django.setup()


def seed_app(data_dir: Path, *, period: str, cycle_name: str, **more: Any) -> dict[str, Any]:
    """Migrate the application database and seed it (see services.seed); returns the summary."""
    setup(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    from callgrade.web import i18n_build
    from callgrade.web.seed import seed

    i18n_build.build()
    call_command("migrate", verbosity=0)
    settings.CALLGRADE_JOBS = "inline"  # wait for the computation here, not in a thread
    return seed(period=period, cycle_name=cycle_name, **more)


def serve(data_dir: Path, *, host: str, port: int, workers: int = 2) -> None:
    """Replace this process with gunicorn serving the app (threads run background jobs)."""
    setup(data_dir)
    from django.core.management import call_command

    from callgrade.web import i18n_build

    i18n_build.build()
    call_command("migrate", verbosity=0)
    args = [
        sys.executable, "-m", "gunicorn", "callgrade.web.wsgi",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
        "--worker-class", "gthread", "--timeout", "120", "--access-logfile", "-",
    ]  # fmt: skip
    os.execvp(args[0], args)
