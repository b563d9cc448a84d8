"""/api/v1/: the integration API and its OpenAPI document."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from callgrade.integration.views import api, facts

urlpatterns = [
    path(
        "api/v1/schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="api_schema",
    ),
    path("api/v1/people/", api.People.as_view(), name="api_people"),
    path("api/v1/people/<str:employee_id>/", api.Person.as_view(), name="api_person"),
    path("api/v1/trainings/", api.Trainings.as_view(), name="api_trainings"),
    path("api/v1/qa-evaluations/", facts.QaEvaluations.as_view(), name="api_qa_evaluations"),
    path("api/v1/survey-responses/", facts.SurveyResponses.as_view(), name="api_survey_responses"),
    path("api/v1/cycles/", api.Cycles.as_view(), name="api_cycles"),
    path("api/v1/cycles/<int:cycle_id>/kpis/", api.CycleKpis.as_view(), name="api_cycle_kpis"),
    path(
        "api/v1/cycles/<int:cycle_id>/scorecards/",
        api.CycleScorecards.as_view(),
        name="api_cycle_scorecards",
    ),
    path(
        "api/v1/cycles/<int:cycle_id>/decisions/",
        api.CycleDecisions.as_view(),
        name="api_cycle_decisions",
    ),
    path("api/v1/cycles/<int:cycle_id>/pay/", api.CyclePay.as_view(), name="api_cycle_pay"),
]
