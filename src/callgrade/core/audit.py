"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from callgrade.core.models import AuditEvent, Notification


def audit(
    actor: Any,
    action: str,
    obj: Model,
    *,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Record who did ``action`` to ``obj``, with the values before and after and why."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        before=before,
        after=after,
        reason=reason,
    )


def notify(user: Any, *, en: str, zh: str, url: str = "") -> None:
    if user is not None:
        Notification.objects.create(user=user, text_en=en, text_zh=zh, url=url)


# What each recorded action and object is called on the audit pages.
ACTIONS = {
    "appeal_file": _("appeal filed"),
    "appeal_resolve": _("appeal resolved"),
    "activity_cancel": _("activity sign-up cancelled"),
    "activity_create": _("activity organized"),
    "activity_participation": _("participation recorded"),
    "activity_signup": _("signed up for an activity"),
    "assessment_record": _("assessment recorded"),
    "attendance_record": _("attendance recorded"),
    "course_create": _("course added to the catalog"),
    "attribute_delete": _("roster attribute removed"),
    "attribute_set": _("roster attribute recorded"),
    "candidate_assess": _("candidate assessed"),
    "candidate_decide": _("selection decided"),
    "candidate_shortlist": _("candidate shortlisted"),
    "coaching_follow_up": _("coaching follow-up recorded"),
    "coaching_record": _("coaching note recorded"),
    "coaching_respond": _("coaching note acknowledged"),
    "comment_add": _("comment added"),
    "conflict_declare": _("conflict of interest declared"),
    "contest_create": _("contest opened"),
    "contest_freeze": _("contest results frozen"),
    "contest_score": _("judged score recorded"),
    "correction_record": _("correction recorded"),
    "correction_withdraw": _("correction withdrawn"),
    "cycle_advance": _("cycle moved to its next step"),
    "cycle_compute": _("cycle computed"),
    "cycle_create": _("cycle created"),
    "decision_nomination": _("decision set by a nomination"),
    "decision_override": _("decision overridden"),
    "fairness_audit": _("fairness audit run"),
    "baseline_report": _("current-state report computed"),
    "department_create": _("department created"),
    "employee_import_create": _("employee imported"),
    "employee_import_update": _("employee updated by an import"),
    "employee_level_set": _("level set"),
    "employee_roster_import": _("roster imported"),
    "integration_create": _("integration created"),
    "integration_revoke": _("integration token revoked"),
    "key_post_create": _("key post defined"),
    "load_create": _("data file received for loading"),
    "load_done": _("data loaded"),
    "load_failed": _("data load failed"),
    "load_undo": _("data load undone"),
    "login_create": _("login created with a one-time password"),
    "nomination_create": _("nomination made"),
    "nomination_decide": _("nomination decided"),
    "placement_record": _("job-shadowing placement recorded"),
    "proposal_back": _("deferred training proposed again"),
    "proposal_complete": _("assigned training completed"),
    "proposal_create": _("training proposed for a gap"),
    "proposal_decide": _("training proposal decided"),
    "password_reset": _("password reset (to be changed at next sign-in)"),
    "policy_acknowledge": _("standard acknowledged"),
    "position_change": _("position changed"),
    "policy_publish": _("standard published"),
    "policy_upload": _("standard uploaded"),
    "rating_calibrate": _("rating calibrated"),
    "session_create": _("training session scheduled"),
    "session_update": _("training session changed"),
    "session_cancel": _("training session cancelled"),
    "session_enrol": _("enrolled in a training session"),
    "source_create": _("data source added"),
    "store_item_change": _("reward of the points store changed"),
    "store_item_create": _("reward added to the points store"),
    "store_switch": _("points store opened or closed"),
    "redemption_cancel": _("points request withdrawn"),
    "redemption_decide": _("points request decided"),
    "redemption_request": _("points redeemed for a reward"),
    "suggestion_award": _("award recorded"),
    "suggestion_status": _("status changed"),
    "feedback_question_add": _("feedback question added"),
    "feedback_question_retire": _("feedback question retired"),
    "feedback_submit": _("training feedback given"),
    "suggestion_submit": _("suggestion submitted"),
    "suggestion_support": _("suggestion supported"),
    "team_create": _("team created"),
    "team_import_update": _("team updated by an import"),
    "training_record": _("training recorded"),
}
OBJECTS = {
    "cycle": _("cycle"),
    "employee": _("employee"),
    "decision": _("decision"),
    "appeal": _("appeal"),
    "nomination": _("nomination"),
    "policyversion": _("standard"),
    "scoretotal": _("score"),
    "calibration": _("calibration"),
    "comment": _("comment"),
    "conflict": _("conflict of interest"),
    "correction": _("correction"),
    "team": _("team"),
    "department": _("department"),
    "suggestion": _("suggestion"),
    "activity": _("activity"),
    "contest": _("contest"),
    "integration": _("integration"),
    "course": _("course"),
    "session": _("training session"),
    "enrolment": _("enrolment"),
    "placement": _("job-shadowing placement"),
    "proposal": _("training proposal"),
    "feedbackquestion": _("feedback question"),
    "feedbackresponse": _("training feedback"),
    "coachingnote": _("coaching note"),
    "keypost": _("key post"),
    "candidacy": _("candidacy"),
    "baselinereport": _("current-state report"),
    "load": _("data load"),
    "source": _("data source"),
    "storeswitch": _("points store"),
    "storeitem": _("reward of the points store"),
    "redemption": _("points request"),
}


def action_name(code: str) -> str:
    """An audit action in the active language (imports name theirs by kind: ``*_import``)."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    if code.endswith("_import"):
        return str(_("records imported"))
    return code


def object_name(model_name: str) -> str:
    return str(OBJECTS.get(model_name, model_name))
