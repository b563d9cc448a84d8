"""Run the drop folders and database pulls that are due (cron every minute, or ``--every``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the data sources that are due: drop folders and database pulls."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("names", nargs="*", help="Run these sources now, due or not.")
        parser.add_argument(
            "--every", type=float, default=0, help="Keep running, looking every N seconds."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from callgrade.loads.models import Source
        from callgrade.loads.services.sources import run_due

        names = options["names"]
        unknown = sorted(set(names) - set(Source.objects.values_list("name", flat=True)))
        if unknown:
            raise CommandError(f"no source named {', '.join(unknown)}")
        while True:
            for source, job in run_due(names=names or None):
                source.refresh_from_db()
                made = source.loads.filter(job__isnull=True, created_at__gte=job.created_at)
                line = f"{source.name}: {job.state}, {made.count()} load(s)"
                if source.last_error:
                    line += f"; {source.last_error}"
                self.stdout.write(line)
            if not options["every"]:
                return
            time.sleep(options["every"])
