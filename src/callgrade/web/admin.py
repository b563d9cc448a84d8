"""Django admin for the administrator: every model, searchable. Workflow objects — cycles and
their jobs, the engine's stored results, standards, calibrations, comments, nominations,
appeals, conflicts, corrections, level changes, roster attributes, fairness audits and the audit
trail — are read-only here: they change only through the app's services, which check the
workflow and audit every change. The organization (departments, teams, positions, employees but
their levels) stays editable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

from callgrade.core.models import AuditEvent, Job, Notification
from callgrade.cycles.models import (
    Calibration,
    ChecklistItem,
    Cycle,
    Decision,
    DeferralSettlement,
    DeferralStep,
    FairnessAudit,
    KpiValue,
    PayLine,
    ProgramScope,
    ProgramSnapshot,
    ScoreItem,
    ScoreTotal,
)
from callgrade.engagement.access import is_suggestion_reviewer
from callgrade.engagement.models import (
    Activity,
    Contest,
    ContestScore,
    SignUp,
    Suggestion,
    Support,
)
from callgrade.engagement.services.suggestions import MY_SUGGESTIONS
from callgrade.people.models import (
    Assignment,
    CompetencyAssessment,
    Conflict,
    Correction,
    Department,
    Employee,
    LevelChange,
    LoginFailure,
    Position,
    RosterAttribute,
    Team,
    TrainingRecord,
)
from callgrade.people.services.logins import password_set_by_admin
from callgrade.review.models import Appeal, Candidacy, CoachingNote, Comment, KeyPost, Nomination
from callgrade.standards.models import Acknowledgement, PolicyVersion


class ReadOnly(admin.ModelAdmin):
    """Workflow, computed or audit rows: visible, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TeamInline(admin.TabularInline):
    model = Team
    fields = ("name", "lead")
    raw_id_fields = ("lead",)
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "head")
    search_fields = ("name", "head__name", "head__employee_id")
    raw_id_fields = ("head",)  # the head reads the department's program dashboard
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "lead")
    list_filter = ("department",)
    search_fields = ("name", "lead__name", "lead__employee_id")
    raw_id_fields = ("lead",)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("code", "label_zh", "label_en", "track", "ladder")
    list_filter = ("track", "ladder")
    search_fields = ("code", "label_zh", "label_en")


class LevelChangeInline(admin.TabularInline):
    """Level changes are made by closing a cycle: shown, never added or edited here."""

    model = LevelChange
    fields = ("effective", "level_from", "level_to", "cycle", "reason")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = (
        "employee_id",
        "name",
        "team",
        "position",
        "track",
        "level",
        "level_since",
        "hire_date",
        "status",
        "user",
    )
    list_filter = ("status", "position", "level", "team")
    search_fields = ("employee_id", "name", "user__username")
    raw_id_fields = ("user",)
    list_select_related = ("team", "user")
    inlines = [LevelChangeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Set when an employee is added; after that it changes only when a cycle closes.
        return ("level", "level_since") if obj is not None else ()


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnly):
    list_display = ("employee", "level_from", "level_to", "effective", "cycle")
    list_filter = ("level_to",)
    search_fields = ("employee__employee_id", "employee__name", "reason")
    raw_id_fields = ("employee", "cycle")
    date_hierarchy = "effective"


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnly):
    list_display = ("code", "version", "status", "uploaded_by", "uploaded_at", "published_at")
    list_filter = ("status", "code")
    search_fields = ("code", "version")
    readonly_fields = ("uploaded_at", "published_at")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnly):
    list_display = ("employee", "policy_version", "at")
    search_fields = ("employee__employee_id", "employee__name")


@admin.register(Cycle)
class CycleAdmin(ReadOnly):
    list_display = ("name", "period", "policy_version", "state", "computed_at", "published_at")
    list_filter = ("state",)
    search_fields = ("name", "period")
    readonly_fields = ("created_at", "computed_at", "published_at")


@admin.register(Job)
class JobAdmin(ReadOnly):
    list_display = ("kind", "cycle", "state", "progress", "step", "created_at", "finished_at")
    list_filter = ("state", "kind")
    search_fields = ("kind", "step", "error")


class ResultAdmin(ReadOnly):
    list_select_related = ("cycle", "employee")
    search_fields = ("employee__employee_id", "employee__name")
    list_filter = ("cycle",)


@admin.register(KpiValue)
class KpiValueAdmin(ResultAdmin):
    list_display = ("cycle", "employee", "period", "kpi", "value", "sample_size", "unit")


@admin.register(ScoreItem)
class ScoreItemAdmin(ResultAdmin):
    list_display = ("cycle", "employee", "period", "dimension", "item", "status", "points")


@admin.register(ScoreTotal)
class ScoreTotalAdmin(ResultAdmin):
    list_display = ("cycle", "employee", "period", "total", "rating", "calibrated_rating", "rank")


@admin.register(Decision)
class DecisionAdmin(ResultAdmin):
    list_display = ("cycle", "employee", "action", "level_from", "level_to", "final_level")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ResultAdmin):
    list_display = ("cycle", "employee", "kind", "rule", "holds", "status")


@admin.register(PayLine)
class PayLineAdmin(ResultAdmin):
    list_display = ("cycle", "employee", "period", "kind", "code", "amount", "cash")


@admin.register(FairnessAudit)
class FairnessAuditAdmin(ReadOnly):
    list_display = ("cycle", "computed_at", "ratings")


@admin.register(DeferralStep)
class DeferralStepAdmin(ReadOnly):
    """The deferred bonus ledger: written when a cycle is computed."""

    list_display = ("employee", "plan", "source_period", "step", "steps", "due_on", "amount")
    list_select_related = ("employee",)


@admin.register(DeferralSettlement)
class DeferralSettlementAdmin(ReadOnly):
    list_display = ("step", "kind", "period", "cycle")


@admin.register(ProgramSnapshot)
class ProgramSnapshotAdmin(ReadOnly):
    """Kept when a cycle is computed; the program dashboard reads it."""

    list_display = ("cycle", "computed_at", "standard")


@admin.register(ProgramScope)
class ProgramScopeAdmin(ReadOnly):
    """A snapshot summed over one scope, kept with it; the dashboard reads a row per cycle."""

    list_display = ("cycle", "level", "department", "team", "position", "leavers")
    list_filter = ("level",)


@admin.register(RosterAttribute)
class RosterAttributeAdmin(ReadOnly):
    """Roster attributes: recorded on the employee page or imported (audited there)."""

    list_display = ("employee", "name", "value", "source", "recorded_at")
    list_select_related = ("employee",)
    search_fields = ("employee__employee_id", "employee__name", "name")


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnly):
    """Failed sign-ins: read to see who is being guessed at; they clear themselves."""

    list_display = ("at", "username", "ip", "known")
    list_filter = ("known",)
    search_fields = ("username", "ip")


@admin.register(Comment)
class CommentAdmin(ReadOnly):
    list_display = ("cycle", "employee", "author", "at")
    search_fields = ("employee__employee_id", "employee__name", "text")
    raw_id_fields = ("employee",)


@admin.register(Nomination)
class NominationAdmin(ReadOnly):
    list_display = ("cycle", "employee", "level_to", "state", "nominated_by", "decided_by")
    list_filter = ("state", "cycle")
    search_fields = ("employee__employee_id", "employee__name", "reason")
    raw_id_fields = ("employee",)


@admin.register(Conflict)
class ConflictAdmin(ReadOnly):
    list_display = ("user", "employee", "relation", "declared_at")
    search_fields = ("user__username", "employee__employee_id", "employee__name", "relation")
    raw_id_fields = ("employee",)


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = ("cycle", "employee", "state", "filed_by", "filed_at", "resolved_by")
    list_filter = ("state", "cycle")
    search_fields = ("employee__employee_id", "employee__name", "reason")
    raw_id_fields = ("employee",)


@admin.register(CoachingNote)
class CoachingNoteAdmin(ReadOnly):
    list_display = ("employee", "author", "kind", "held_on", "follow_up_on", "acknowledged_at")
    list_filter = ("kind",)
    search_fields = ("employee__employee_id", "employee__name", "notes")
    raw_id_fields = ("employee",)


@admin.register(KeyPost)
class KeyPostAdmin(ReadOnly):
    list_display = ("title", "kind", "position", "team", "openings", "state")
    list_filter = ("kind", "state")
    search_fields = ("title",)


@admin.register(Candidacy)
class CandidacyAdmin(ReadOnly):
    list_display = ("key_post", "employee", "state", "assessment_score", "shortlisted_by",
                    "decided_by")  # fmt: skip
    list_filter = ("state",)
    search_fields = ("employee__employee_id", "employee__name", "key_post__title")
    raw_id_fields = ("employee",)


@admin.register(Calibration)
class CalibrationAdmin(ReadOnly):
    list_display = ("cycle", "employee", "period", "rating", "by", "at")
    list_filter = ("cycle",)
    search_fields = ("employee__employee_id", "employee__name", "reason")
    raw_id_fields = ("employee",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("at", "actor", "action", "object_type", "object_id", "reason")
    list_filter = ("action", "object_type")
    search_fields = ("action", "object_id", "reason", "actor__username")
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "text_en", "read", "at")
    list_filter = ("read",)
    search_fields = ("user__username", "text_en", "text_zh")

    def get_queryset(self, request: HttpRequest) -> Any:
        # What an anonymous suggestion's author is told would name them beside its change:
        # only the designated reviewer sees those here.
        qs = super().get_queryset(request)
        return qs if is_suggestion_reviewer(request.user) else qs.exclude(url=MY_SUGGESTIONS)


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnly):
    """Changed only through the app's services. An anonymous suggestion's author is stored
    apart and shown nowhere here; ``submitter`` is set only when the author signed it."""

    list_display = ("submitted_at", "title", "category", "status", "anonymous", "submitter")
    list_filter = ("status", "category", "anonymous")
    search_fields = ("title", "text")


@admin.register(Support)
class SupportAdmin(ReadOnly):
    list_display = ("suggestion", "employee", "at")


@admin.register(Activity)
class ActivityAdmin(ReadOnly):
    list_display = ("starts_at", "title", "team", "place", "capacity", "organizer")
    list_filter = ("team",)
    search_fields = ("title", "place")


@admin.register(SignUp)
class SignUpAdmin(ReadOnly):
    list_display = ("activity", "employee", "signed_at", "cancelled_at", "attended")
    list_filter = ("attended",)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ("employee", "training", "completed_at", "exam_score", "passed", "source")
    list_filter = ("training", "passed", "source")
    search_fields = ("employee__employee_id", "employee__name", "training", "certificate")
    raw_id_fields = ("employee",)


@admin.register(CompetencyAssessment)
class CompetencyAssessmentAdmin(admin.ModelAdmin):
    list_display = ("employee", "competency", "score", "method", "assessed_at", "source")
    list_filter = ("competency", "method", "source")
    search_fields = ("employee__employee_id", "employee__name", "competency")
    raw_id_fields = ("employee",)


@admin.register(Correction)
class CorrectionAdmin(ReadOnly):
    """Made and withdrawn through the services, which audit them and recompute."""

    list_display = ("at", "employee", "target_table", "record_id", "field", "value", "active")
    list_filter = ("target_table", "active")
    search_fields = ("employee__employee_id", "employee__name", "record_id", "reason")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("employee", "position", "team", "effective", "reason")
    list_filter = ("position", "team")
    search_fields = ("employee__employee_id", "employee__name", "reason")
    raw_id_fields = ("employee",)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CallgradeUserAdmin(UserAdmin):
    """Django's user admin, except that a password set in its password form is one the employee
    did not choose: they must change it at the next sign-in (as after an HR reset)."""

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        response: HttpResponse = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was saved
            user = self.get_object(request, id)
            if user is not None and user.pk != request.user.pk:
                password_set_by_admin(actor=request.user, user=user)
        return response


@admin.register(Contest)
class ContestAdmin(ReadOnly):
    """Created, scored and frozen only through the app's services (audited there)."""

    list_display = ("title", "kind", "metric", "kpi", "team", "starts_on", "ends_on", "state")
    list_filter = ("state", "kind", "metric")
    search_fields = ("title",)


@admin.register(ContestScore)
class ContestScoreAdmin(ReadOnly):
    list_display = ("contest", "employee", "judge", "score", "at")
    raw_id_fields = ("employee",)
