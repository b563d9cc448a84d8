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


# --- instant rewards ------------------------------------------------------------------------------


class EventSource(models.Model):
    """A system that posts live events (a QA tool, a survey platform, a sales system) with its
    own token; only the token's hash is kept."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8)  # the token's last characters, to tell them apart
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class LiveEvent(models.Model):
    """One event as it arrived, stored before anything acts on it: posted by a source, or a
    queue_log line that carries an observation. ``processed`` once the rewards have seen it."""

    QUEUE_LOG = "queue_log"
    source = models.CharField(max_length=100)  # the source's name, or "queue_log"
    event_id = models.CharField(max_length=200)  # unique per source: a repeat is a duplicate
    kind = models.CharField(max_length=20)
    employee_id = models.CharField(max_length=200)  # as the source names them
    at = models.DateTimeField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="one_live_event_each")
        ]
        indexes = [
            # only the few events waiting to be evaluated: finding them stays as quick when the
            # table holds millions of processed ones, and marking one processed takes it out
            models.Index(
                fields=["id"], condition=models.Q(processed=False), name="live_event_waiting"
            ),
            models.Index(fields=["at"]),
        ]


class Award(models.Model):
    """The awards ledger: an instant reward the live service granted (with the events that
    triggered it and the rule's evidence), or an adopted suggestion's award. ``key`` makes a
    replay harmless: the same events give the same key."""

    INSTANT, SUGGESTION, CONTEST = "instant", "suggestion", "contest"
    KINDS = [
        (INSTANT, _("instant reward")),
        (SUGGESTION, _("suggestion award")),
        (CONTEST, _("contest prize")),
    ]

    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=20, choices=KINDS, default=INSTANT)
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=64)  # the policy's reward code
    label_en = models.CharField(max_length=200)
    label_zh = models.CharField(max_length=200)
    policy_version = models.ForeignKey(
        "standards.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contest = models.ForeignKey(
        "Contest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    points = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    day = models.DateField()  # the local day earned: the pay period is the one holding it
    at = models.DateTimeField()  # when the triggering event happened
    granted_at = models.DateTimeField(auto_now_add=True)
    window = models.CharField(max_length=10, blank=True)
    window_start = models.DateField(null=True, blank=True)
    events = models.JSONField(default=list)  # ids of the events that triggered it
    evidence = models.JSONField(default=dict)

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["employee", "id"]), models.Index(fields=["day"])]

    def label(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


class LiveTally(models.Model):
    """Calls each person answered each day, as the live service counts them (a call answered is
    an ``answer_rate`` observation of 1: a queue_log ``CONNECT``, or a posted KPI event). Kept
    in the transaction that marks the events processed, so each event counts once; live
    contests rank by it without reading the event table. ``employee_id`` as the events name
    them; ``day`` in the standard's time zone."""

    employee_id = models.CharField(max_length=200)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee_id", "day"], name="one_live_tally_each")
        ]
        indexes = [models.Index(fields=["day"])]


class RewardCursor(models.Model):
    """How far the rewards consumer has read the follower's events file: the key (generation,
    offset) of the last line taken into :class:`LiveEvent`."""

    name = models.CharField(max_length=50, unique=True)
    generation = models.IntegerField(default=0)
    offset = models.BigIntegerField(default=-1)
    updated_at = models.DateTimeField(auto_now=True)


# --- the points store -----------------------------------------------------------------------------


class StoreSwitch(models.Model):
    """Whether this center runs a points store (one row; none means closed). HR opens it."""

    open = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)


class StoreItem(models.Model):
    """A reward of the catalog HR keeps: its price in points and how many are in stock. One
    name is enough; the other language shows it when its own is empty."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    cost = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("stock"))
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cost", "id"]

    def __str__(self) -> str:
        return self.name_en or self.name_zh

    def label(self, lang: str) -> str:
        first, second = (self.name_zh, self.name_en) if lang.startswith("zh") else (
            self.name_en, self.name_zh)  # fmt: skip
        return first or second


class Redemption(models.Model):
    """An employee's request to turn points into a reward. Pending and approved requests hold
    their points (``points``: the price when asked); a declined or cancelled one holds none.
    Stock is taken on approval."""

    PENDING, APPROVED, DECLINED, CANCELLED = "pending", "approved", "declined", "cancelled"
    STATES = [
        (PENDING, _("waiting for HR")),
        (APPROVED, _("approved")),
        (DECLINED, _("declined")),
        (CANCELLED, _("cancelled")),
    ]
    HOLDING = (PENDING, APPROVED)

    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField()
    state = models.CharField(max_length=20, choices=STATES, default=PENDING)
    # who asked (none: made by the demo seed for an employee without a login)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why it was declined

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["employee", "state"]), models.Index(fields=["state"])]


# --- contests and leaderboards ----------------------------------------------------------------


class Contest(models.Model):
    """A contest (技能竞赛) over a period: people (or teams) ranked by a KPI of the stored cycle
    results, or by judged scores entered for a skill contest; quality gates and a minimum sample
    to be ranked; prizes per rank written to the awards ledger when the contest is frozen.

    While open, the leaderboard is computed from the current results at every view; freezing
    stores the standings (``standings``) with the inputs they came from, once."""

    INDIVIDUAL, TEAM = "individual", "team"
    KINDS = [(INDIVIDUAL, _("individual")), (TEAM, _("team"))]
    KPI, JUDGED, CALLS, POINTS = "kpi", "judged", "calls", "points"
    METRICS = [
        (KPI, _("a KPI")),
        (JUDGED, _("judged scores")),
        (CALLS, _("calls answered (live)")),
        (POINTS, _("instant reward points (live)")),
    ]
    LIVE = (CALLS, POINTS)  # counted from live events and awards as they arrive
    OPEN, FROZEN, CANCELLED = "open", "frozen", "cancelled"
    STATES = [(OPEN, _("open")), (FROZEN, _("frozen")), (CANCELLED, _("cancelled"))]

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(max_length=20, choices=KINDS, default=INDIVIDUAL)
    metric = models.CharField(max_length=20, choices=METRICS, default=KPI)
    kpi = models.CharField(max_length=50, blank=True)  # the registry's code, for a KPI contest
    # Where KPI values (the metric's and the gates') come from: a cycle's stored results for one
    # of its rating periods.
    cycle = models.ForeignKey(
        "cycles.Cycle", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.CharField(max_length=20, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    # A lead's contest is for the team they lead; HR's may be for the whole center (no team).
    team = models.ForeignKey(
        "people.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gates = models.JSONField(default=list, blank=True)  # [{"kpi", "op", "value"}]
    min_sample = models.PositiveIntegerField(default=0)
    prizes = models.JSONField(default=list, blank=True)  # [{"rank", "points", "amount"}]
    top_n = models.PositiveIntegerField(default=10)  # how many rows everyone sees
    hide_names = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=STATES, default=OPEN)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standings = models.JSONField(default=list, blank=True)  # frozen: the engine's standings
    changed_at = models.DateTimeField(null=True, blank=True)  # last edited (before it started)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-ends_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def frozen(self) -> bool:
        return self.state == self.FROZEN

    @property
    def cancelled(self) -> bool:
        return self.state == self.CANCELLED

    @property
    def live(self) -> bool:
        return self.metric in self.LIVE


class ContestScore(models.Model):
    """One judge's score of one person in a judged contest; a judge scores a person once (a
    new score replaces theirs). A person's value is the mean of their judges' scores and the
    number of judges is the sample."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="scores")
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    judge = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=7, decimal_places=2)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "employee", "judge"], name="one_contest_score_each"
            )
        ]
