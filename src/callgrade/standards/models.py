"""Versions of the grading standard (policy YAML) and who has acknowledged which."""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import get_language

if TYPE_CHECKING:
    from callgrade.engine.policy import Policy


class PolicyVersion(models.Model):
    DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
    STATUS = [(DRAFT, "draft"), (PUBLISHED, "published"), (RETIRED, "retired")]

    code = models.CharField(max_length=50)
    version = models.CharField(max_length=50)
    yaml = models.TextField()
    status = models.CharField(max_length=20, choices=STATUS, default=DRAFT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Kept from the moment of publishing, so that the version's page still shows what it changed
    # and what the simulation foresaw after the version it replaced is retired.
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    simulation = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="policy_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"

    @property
    def title(self) -> str:
        """The standard's own title in the active language (its code if the text no longer
        validates)."""
        try:
            label = self.policy().label
        except Exception:  # a stored text that no longer validates still needs a name
            return self.code
        return label.zh if (get_language() or "").startswith("zh") else label.en

    def content_hash(self) -> str:
        """What a simulation was run on: a simulation counts for publishing only while the
        text it replayed is still the text being published."""
        return hashlib.sha256(self.yaml.encode("utf-8")).hexdigest()

    def policy(self) -> Policy:
        """The engine's validated policy (the YAML was validated on upload); parsed once per
        process, since a policy is immutable and pages ask for it on every request."""
        return _parsed(self.yaml, f"{self.code}-{self.version}.yaml")


@functools.lru_cache(maxsize=32)
def _parsed(text: str, file: str) -> Policy:
    from callgrade.engine.policy import PolicyInvalid
    from callgrade.engine.policy.load import validate_text

    policy, errors = validate_text(text, file=file)
    if policy is None:
        raise PolicyInvalid(errors)
    return policy


class Acknowledgement(models.Model):
    """'I have read and understood' — one per employee per published version."""

    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="acks")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acks")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "policy_version"], name="one_ack"),
        ]
