"""``manage.py seed_demo --period 2026-H1``: seed the app from the warehouse in
CALLGRADE_DATA_DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Seed the organization, the standard, one login per role and a published cycle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period", required=True, help="e.g. 2026-H1 or 2026-01-01..2026-06-30"
        )
        parser.add_argument("--cycle-name", default=None)
        parser.add_argument(
            "--policy", type=Path, default=None, help="policy YAML (default: shipped)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from callgrade.web.seed import seed

        settings.CALLGRADE_JOBS = "inline"  # the command waits for the computation
        name = options["cycle_name"] or f"{options['period']}"
        out = seed(period=options["period"], cycle_name=name, policy_file=options["policy"])
        self.stdout.write(f"roster: {out['roster']}; standard: {out['policy']}; "
                          f"cycle {out['cycle'].name}: {out['cycle'].state}")  # fmt: skip
        for login in out["logins"]:
            self.stdout.write(
                f"  {login.role:<14} {login.username:<8} {login.password}  {login.who}"
            )
