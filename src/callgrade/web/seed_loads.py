"""The demo's data loads: each file the demo ingested from the command line, listed as a load,
and one upload through the app — a foreign survey export read with its mapping, some rows left
aside by the mapping's filter and some rejected — that was then undone, so the page shows the
counts, the rejects and an undo without changing the demo's numbers. Once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from callgrade.loads.models import Load
from callgrade.loads.services.loads import load_create, load_undo, loads_from_ledger, mappings_dir
from callgrade.people.access import HR_GROUP


def seed_loads() -> dict[str, Any]:
    if Load.objects.exists():
        return {"loads": Load.objects.count()}
    made = loads_from_ledger()
    hr = get_user_model().objects.filter(groups__name=HR_GROUP).first()
    export = mappings_dir() / "foreign_export"
    if (export / "calls.csv").exists():
        upload = load_create(
            actor=hr,
            upload=SimpleUploadedFile("calls.csv", (export / "calls.csv").read_bytes()),
            fmt="mapped",
            tz="Asia/Shanghai",
            mapping_upload=SimpleUploadedFile(
                "surveys.yaml", (export / "surveys.yaml").read_bytes()
            ),
            background=False,
        )
        if upload.state == Load.DONE:
            load_undo(load=upload, actor=hr)
        made.append(upload)
    return {"loads": len(made)}
