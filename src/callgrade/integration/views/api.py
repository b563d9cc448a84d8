"""The REST API, version 1 (/api/v1/). Read endpoints go through the pages' access functions as
the integration's acting user; write endpoints through the same services as the pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from callgrade.core.tabular import ImportStale
from callgrade.integration import selectors
from callgrade.integration.services import people_apply
from callgrade.integration.views.auth import HasScope, IntegrationToken
from callgrade.integration.views.serializers import (
    CycleSerializer,
    DecisionSerializer,
    KpiSerializer,
    PayLineSerializer,
    PeopleWriteResultSerializer,
    PeopleWriteSerializer,
    PersonSerializer,
    ScorecardSerializer,
    TrainingSerializer,
)
from callgrade.people.access import Denied, access, require_hr
from callgrade.people.services.records import RecordError, standards_catalog, training_record

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
FIELD_ERRORS = inline_serializer(
    "FieldErrors",
    {"field": serializers.ListField(child=serializers.CharField(), required=False)},
)
# every endpoint checks its query parameters (400), the token (401) and its scope (403)
READ_ERRORS: dict[int, Any] = {400: FIELD_ERRORS, 401: ERROR, 403: ERROR, 404: ERROR}
WRITE_ERRORS = READ_ERRORS
RESULT_SCOPES = ("read:kpis", "read:scorecards", "read:decisions", "read:pay")
EMPLOYEE_FILTER = OpenApiParameter("employee_id", str, description="Only this employee.")
PERIOD_FILTER = OpenApiParameter("period", str, description="Only this period (e.g. 2026-01).")
# database keys are 64-bit; a larger number names nothing
MAX_ID = 2**63 - 1


class Page(LimitOffsetPagination):
    """``limit`` (1–1000, default 100) and ``offset``; a value that is not such a number is a 400
    naming the parameter, rather than silently the default."""

    default_limit = 100
    max_limit = 1000

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        for name, low, high in (("limit", 1, self.max_limit), ("offset", 0, None)):
            values = request.query_params.getlist(name)
            if not values:
                continue
            text = values[-1]
            if len(values) > 1 or not text.isascii() or not text.isdigit():
                raise ValidationError({name: [_("expected one whole number")]})
            if int(text) < low or (high is not None and int(text) > high):
                raise ValidationError(
                    {name: [_("expected %(low)s to %(high)s") % {"low": low, "high": high or "…"}]}
                )
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for p in params:
            p["schema"] = (
                {"type": "integer", "minimum": 1, "maximum": self.max_limit}
                if p["name"] == "limit"
                else {"type": "integer", "minimum": 0}
            )
        return params


class _Api(generics.GenericAPIView):
    authentication_classes = [IntegrationToken]
    permission_classes = [HasScope]
    pagination_class = Page
    scopes: ClassVar[dict[str, tuple[str, ...]]] = {}
    # query parameters besides limit and offset; any other is a 400 naming it (a misspelt
    # filter must not silently return everything)
    filters: ClassVar[tuple[str, ...]] = ()
    # only what the OpenAPI document lists: anything else is a 405
    http_method_names: ClassVar = ["get", "post"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if any(isinstance(v, str) and "\x00" in v for v in kwargs.values()):
            raise Http404  # no key holds NUL, and PostgreSQL refuses to look one up
        if not hasattr(self, request.method.lower()):
            return  # answered 405 next
        known = {*self.filters, *(("limit", "offset") if request.method == "GET" else ())}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            expected = ", ".join(sorted(known)) or _("none")
            raise ValidationError(
                {
                    name: [_("unknown parameter; expected %(known)s") % {"known": expected}]
                    for name in unknown
                }
            )


@extend_schema(tags=["people"])
class People(_Api, generics.ListAPIView):
    """People the acting user may see; HR-acting integrations may create and update people."""

    serializer_class = PersonSerializer
    scopes: ClassVar = {"GET": ("read:people",), "POST": ("write:people",)}

    def get_queryset(self) -> Any:
        return selectors.people(self.request.user)

    @extend_schema(responses={200: PersonSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=PeopleWriteSerializer,
        responses={200: PeopleWriteResultSerializer, 409: ERROR, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Create or update people with the organization import's rules: all are applied, or
        none and a 400 names each rejected person's fields (by position in ``people``)."""
        require_hr(request.user)
        body = PeopleWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            counts, errors = people_apply(
                people=body.validated_data["people"], actor=request.user, integration=request.auth
            )
        except ImportStale as exc:  # the organization changed meanwhile: the caller retries
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if errors:
            return Response({"people": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(counts)


@extend_schema(tags=["people"], responses={200: PersonSerializer, **READ_ERRORS})
class Person(_Api, generics.RetrieveAPIView):
    serializer_class = PersonSerializer
    scopes: ClassVar = {"GET": ("read:people",)}

    def get_object(self) -> Any:
        return selectors.person(self.request.user, self.kwargs["employee_id"])


@extend_schema(tags=["trainings"])
class Trainings(_Api, generics.ListAPIView):
    """Training records of the people the acting user may see; recording one needs HR."""

    serializer_class = TrainingSerializer
    scopes: ClassVar = {"GET": ("read:people",), "POST": ("write:trainings",)}
    filters = ("employee_id",)

    def get_queryset(self) -> Any:
        return selectors.trainings(self.request.user, self.request.query_params.get("employee_id"))

    @extend_schema(
        parameters=[EMPLOYEE_FILTER], responses={200: TrainingSerializer(many=True), **READ_ERRORS}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=TrainingSerializer,
        responses={201: TrainingSerializer, 200: TrainingSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Record a training; the same ``source_ref`` sent again returns the record it made."""
        body = TrainingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        errors: dict[str, list[str]] = {}
        try:
            employee = access(request.user, "employee", v["employee"]["employee_id"], "manage")
        except Denied:
            employee = None
            errors["employee_id"] = [_("no employee with this id that you may record for")]
        known = standards_catalog()["trainings"]
        if known and v["training"] not in known:
            errors["training"] = [
                _("unknown training %(code)s; the standard has %(known)s")
                % {"code": v["training"], "known": ", ".join(known)}
            ]
        if v.get("expires_at") and v["expires_at"] <= v["completed_at"]:
            errors["expires_at"] = [_("a certificate expires after it was obtained")]
        if errors or employee is None:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        ref = f"{request.auth.pk}:{v['source_ref']}" if v.get("source_ref") else ""
        existing = selectors.training_sent(ref) if ref else None
        if existing is not None:
            return Response(TrainingSerializer(existing).data, status=status.HTTP_200_OK)
        try:
            record = training_record(
                employee=employee,
                training=v["training"],
                completed_at=v["completed_at"],
                exam_score=v.get("exam_score"),
                passed=v.get("passed"),
                certificate=v.get("certificate") or "",
                expires_at=v.get("expires_at"),
                source="api",
                source_ref=ref,
                actor=request.user,
            )
        except RecordError as exc:
            return Response({"non_field_errors": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(TrainingSerializer(record).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cycles"], responses={200: CycleSerializer(many=True), **READ_ERRORS})
class Cycles(_Api, generics.ListAPIView):
    """Grading cycles the acting user may see."""

    serializer_class = CycleSerializer
    scopes: ClassVar = {"GET": RESULT_SCOPES}

    def get_queryset(self) -> Any:
        return selectors.cycles(self.request.user)


class _CycleResults(_Api, generics.ListAPIView):
    kind: ClassVar[str] = ""

    def get_queryset(self) -> Any:
        cycle_id = self.kwargs["cycle_id"]
        if cycle_id > MAX_ID:
            raise Http404
        return selectors.results(self.request.user, cycle_id, self.kind, self.request.query_params)


def _results(kind: str, scope: str, serializer: Any, doc: str) -> type[_CycleResults]:
    filters = [EMPLOYEE_FILTER] if kind == "decisions" else [EMPLOYEE_FILTER, PERIOD_FILTER]
    view = type(
        f"Cycle{kind.title()}",
        (_CycleResults,),
        {
            "kind": kind,
            "serializer_class": serializer,
            "scopes": {"GET": (scope,)},
            "filters": tuple(f.name for f in filters),
            "__doc__": doc,
        },
    )
    return extend_schema(
        tags=["cycles"],
        parameters=filters,
        responses={200: serializer(many=True), **READ_ERRORS},
    )(view)


CycleKpis = _results(
    "kpis", "read:kpis", KpiSerializer, "KPI values of a cycle, per person and period."
)
CycleScorecards = _results(
    "scorecards", "read:scorecards", ScorecardSerializer, "Scores and ratings of a cycle."
)
CycleDecisions = _results(
    "decisions", "read:decisions", DecisionSerializer, "Level decisions of a cycle."
)
CyclePay = _results("pay", "read:pay", PayLineSerializer, "Pay lines of a cycle.")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404: JSON under /api/ (a path no endpoint has), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
