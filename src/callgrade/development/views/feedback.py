"""Feedback on sessions: the attendee's form, HR's questions per course, and the lead's reading
of the answers (without names)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from callgrade.core.query import MAX_ID, query_id
from callgrade.core.views import act
from callgrade.development.feedback import (
    RATING,
    SCALE,
    feedback_groups,
    feedback_submit,
    may_answer,
    question_add,
    question_retire,
    questions,
)
from callgrade.development.models import Course, Enrolment, FeedbackQuestion
from callgrade.development.services import DevelopmentError
from callgrade.people.access import require_employee, require_hr, require_reviewer


@login_required
def session_feedback(request: HttpRequest, session_id: int) -> HttpResponse:
    """The attendee answers the session's questions, once."""
    me = require_employee(request.user)
    if session_id > MAX_ID:  # a hand-edited link: no such session, not a database overflow
        raise Http404
    enrolment = (
        Enrolment.objects.filter(session_id=session_id, employee=me)
        .select_related("session__course")
        .first()
    )
    if enrolment is None:
        raise Http404
    refusal = may_answer(request.user, enrolment)
    if request.method == "POST":
        try:
            feedback_submit(actor=request.user, enrolment=enrolment,
                            answers={k: v for k, v in request.POST.items()})  # fmt: skip
        except DevelopmentError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Thank you: your feedback was recorded."))
            return redirect("my_development")
    return render(request, "development/feedback_form.html", {
        "s": enrolment.session, "questions": questions(enrolment.session.course),
        "scale": SCALE, "rating": RATING, "refusal": refusal, "given": request.POST,
    })  # fmt: skip


@login_required
def course_questions(request: HttpRequest, course_id: int) -> HttpResponse:
    """HR defines the questions a course asks (its defaults until it has one)."""
    require_hr(request.user)
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    if request.method == "POST":
        p = request.POST

        def save() -> None:
            if p.get("retire"):
                q = FeedbackQuestion.objects.filter(pk=query_id(p["retire"]), course=course).first()
                if q is None:
                    raise DevelopmentError(_("Choose a question of this course."))
                question_retire(actor=request.user, question=q)
            else:
                question_add(
                    actor=request.user, course=course, kind=p.get("kind", ""),
                    text_zh=p.get("text_zh", ""), text_en=p.get("text_en", ""),
                )  # fmt: skip

        return act(
            request,
            save,
            error=DevelopmentError,
            done=_("The course's questions were saved."),
            then=redirect("course_questions", course_id=course.pk),
        )
    own = list(course.questions.filter(active=True))
    return render(request, "development/questions.html", {
        "course": course, "own": own,
        "asked": [(q, q.key[1:] if q.key.startswith("q") else "") for q in questions(course)],
        "kinds": FeedbackQuestion.KINDS,
    })  # fmt: skip


@login_required
def team_feedback(request: HttpRequest) -> HttpResponse:
    """What trainees said, per course and trainer, without who said it."""
    require_reviewer(request.user)
    return render(request, "development/team_feedback.html",
                  {"groups": feedback_groups(by_trainer=True, names=False)})  # fmt: skip


urlpatterns = [
    path("development/sessions/<int:session_id>/feedback/", session_feedback,
         name="session_feedback"),
    path("development/courses/<int:course_id>/questions/", course_questions,
         name="course_questions"),
    path("team/development/feedback/", team_feedback, name="team_feedback"),
]  # fmt: skip
