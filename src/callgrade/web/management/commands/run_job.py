"""``manage.py run_job ID``: run a queued job in this process (a computation on a worker of its
own); exits non-zero when the job failed or was not queued."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a queued background job (a cycle's computation, a simulation) and wait for it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        # The job kinds register their work when their services are imported.
        import callgrade.cycles.services.cycles
        import callgrade.standards.services  # noqa: F401
        from callgrade.core.jobs import run_job
        from callgrade.core.models import Job

        if not run_job(options["job_id"]):
            job = Job.objects.filter(pk=options["job_id"]).first()
            raise CommandError(
                f"job {options['job_id']}: {job.state if job else 'missing'}"
                + (f"\n{job.error}" if job and job.error else "")
            )
        self.stdout.write(f"job {options['job_id']}: done")
