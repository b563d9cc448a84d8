"""Suggestions (合理化建议) and team activities (团队活动).

Who wrote a suggestion is kept apart from it, in :class:`SuggestionAuthor`, which nothing
reaches from a suggestion (no reverse accessor): pages, exports and the admin show a suggestion
through :class:`Suggestion` alone, and only the designated reviewer's path
(``engagement.selectors.authors_for``) and the author's own pages read the author. A suggestion
that is not anonymous names its author in ``Suggestion.submitter`` as well, for everyone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Suggestion(models.Model):
    RECEIVED, UNDER_REVIEW, ADOPTED, DECLINED, IMPLEMENTED = (
        "received",
        "under_review",
        "adopted",
        "declined",
        "implemented",
    )
    STATES = [
        (RECEIVED, _("received")),
        (UNDER_REVIEW, _("under review")),
        (ADOPTED, _("adopted")),
        (DECLINED, _("declined")),
        (IMPLEMENTED, _("implemented")),
    ]
    # Which state may follow which: the one table of the suggestion workflow.
    NEXT = {
        RECEIVED: (UNDER_REVIEW,),
        UNDER_REVIEW: (ADOPTED, DECLINED),
        ADOPTED: (IMPLEMENTED,),
        DECLINED: (),
        IMPLEMENTED: (),
    }
    CATEGORIES = [
        ("process", _("work process")),
        ("service", _("service quality")),
        ("tools", _("systems and tools")),
        ("workplace", _("workplace")),
        ("training", _("training and growth")),
        ("other", _("other")),
    ]

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("suggestion"))
    category = models.CharField(_("category"), max_length=20, choices=CATEGORIES)
    anonymous = models.BooleanField(default=False)
    # The author for everyone to see; empty when the suggestion is anonymous.
    submitter = models.ForeignKey(
        "people.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=STATES, default=RECEIVED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)  # HR's latest answer, for everyone
    decline_reason = models.TextField(blank=True)
    # An adopted suggestion's award; the awards ledger takes its entry from here.
    award_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    award_reason = models.TextField(blank=True)
    awarded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def next_states(self) -> tuple[str, ...]:
        return self.NEXT.get(self.status, ())

    @property
    def awardable(self) -> bool:
        return self.status in (self.ADOPTED, self.IMPLEMENTED)


class SuggestionAuthor(models.Model):
    """Who wrote a suggestion. Read only by the designated reviewer's path and the author's
    own pages; ``related_name="+"`` keeps it out of reach of a suggestion in a template."""

    suggestion = models.OneToOneField(
        Suggestion, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")


class Support(models.Model):
    """One employee's support of a suggestion; one per person."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="supports")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "employee"], name="one_support_each")
        ]


class Activity(models.Model):
    """A team activity (team-wide when ``team`` is set, center-wide otherwise)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        "people.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)  # none: open
    organizer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    """An employee's place in an activity; cancelled sign-ups are kept (``cancelled_at``), and
    the organizer records who took part (``attended``)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)  # none: not recorded yet

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "employee"], name="one_signup_each")
        ]
