"""Uploading, comparing, simulating and publishing versions of the grading standard."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from callgrade.engine.policy import Policy, PolicyError
from callgrade.engine.policy.load import validate_text
from callgrade.web.models import Acknowledgement, Employee, PolicyVersion, Position
from callgrade.web.services.audit import audit, notify


class UploadRejected(ValueError):
    def __init__(self, errors: list[PolicyError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def policy_current(code: str | None = None) -> PolicyVersion | None:
    """The published version (of ``code``, or the latest published of any code)."""
    qs = PolicyVersion.objects.filter(status=PolicyVersion.PUBLISHED)
    if code:
        qs = qs.filter(code=code)
    return qs.order_by("-published_at", "-id").first()


def policy_upload(*, actor: Any, text: str, filename: str = "policy.yaml") -> PolicyVersion:
    """Validate the YAML and store it as a draft; raise :class:`UploadRejected` with every
    error (line and column) when it is not a valid standard."""
    policy, errors = validate_text(text, file=filename)
    if policy is None:
        raise UploadRejected(errors)
    if PolicyVersion.objects.filter(code=policy.code, version=policy.version).exists():
        raise UploadRejected(
            [
                PolicyError(
                    filename,
                    1,
                    1,
                    "version",
                    f"{policy.code} version {policy.version} already exists: raise the version",
                )
            ]
        )
    with transaction.atomic():
        version = PolicyVersion.objects.create(
            code=policy.code, version=policy.version, yaml=text, uploaded_by=actor
        )
        audit(
            actor, "policy_upload", version, after={"code": policy.code, "version": policy.version}
        )
    return version


def _sync_positions(policy: Policy) -> None:
    for p in policy.positions:
        Position.objects.update_or_create(
            code=p.code,
            defaults={
                "label_zh": p.label.zh,
                "label_en": p.label.en,
                "track": p.track,
                "ladder": p.ladder,
                "duties": [{"zh": d.zh, "en": d.en} for d in p.duties],
            },
        )


def policy_publish(*, version: PolicyVersion, actor: Any) -> PolicyVersion:
    """Publish ``version``: the previous published version of the same code is retired, the
    positions are synced and every employee with a login is asked to acknowledge it."""
    if version.status != PolicyVersion.DRAFT:
        raise ValueError("only a draft can be published")
    policy = version.policy()
    with transaction.atomic():
        previous = list(
            PolicyVersion.objects.select_for_update().filter(
                code=version.code, status=PolicyVersion.PUBLISHED
            )
        )
        for old in previous:
            old.status = PolicyVersion.RETIRED
            old.save(update_fields=["status"])
        version.status = PolicyVersion.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        _sync_positions(policy)
        audit(
            actor,
            "policy_publish",
            version,
            before={"published": [f"{o.code} {o.version}" for o in previous]},
            after={"published": f"{version.code} {version.version}"},
        )
        for emp in Employee.objects.filter(user__isnull=False).select_related("user"):
            notify(
                emp.user,
                en=f"A new grading standard was published: {policy.label.en} ({policy.version}). "
                "Please read and acknowledge it.",
                zh=f"新的定级标准已发布：{policy.label.zh}（{policy.version}），请阅读并确认。",
                url="/standard/",
            )
    return version


def acknowledge(*, employee: Employee, version: PolicyVersion) -> Acknowledgement:
    if version.status != PolicyVersion.PUBLISHED:
        raise ValueError("only the published standard can be acknowledged")
    ack, _ = Acknowledgement.objects.get_or_create(employee=employee, policy_version=version)
    return ack
