"""Writing warehouse facts (/api/v1/qa-evaluations/, /api/v1/survey-responses/): a list of
records, each checked on its own; those accepted go into the warehouse as one load, the same as a
file HR uploads (HR sees it on /data/loads/ and can undo it), and the answer accounts for every
record: read = accepted + rejected, each reject with its position, field and reason.

Writing facts is HR's (as loading data is on the pages). A record naming an agent the
organization does not know is accepted, as the command line's ingest and the uploads accept it:
the warehouse holds what the source systems say, and a cycle grades only the people it has.
Records already in the warehouse (the same key) add nothing; sending them again is harmless.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from callgrade.integration.views.api import ERROR, WRITE_ERRORS, _Api
from callgrade.integration.views.serializers import (
    FactsLoadSerializer,
    QaEvaluationSerializer,
    SurveyResponseSerializer,
)
from callgrade.loads.models import Load
from callgrade.loads.services.reasons import reason_text
from callgrade.loads.services.records import RecordReject, records_load
from callgrade.people.access import require_hr

MAX_RECORDS = 5000


def _rejects(index: int, errors: Any) -> list[RecordReject]:
    """A DRF error of one record, one reject per field (the record as a whole: field None)."""
    if not isinstance(errors, dict):
        errors = {"non_field_errors": errors}
    out = []
    for field, reasons in errors.items():
        reasons = reasons if isinstance(reasons, list) else [reasons]
        name = None if field == "non_field_errors" else str(field)
        out.append(RecordReject(index, name, " ".join(str(r) for r in reasons)))
    return out


class _Facts(_Api):
    table: ClassVar[str] = ""
    record: ClassVar[type[serializers.Serializer]]

    def post(self, request: Request) -> Response:
        require_hr(request.user)
        data = request.data
        if not isinstance(data, list) or not data:
            problem = _("expected a list of at least one record")
            return Response({"non_field_errors": [problem]}, status=status.HTTP_400_BAD_REQUEST)
        if len(data) > MAX_RECORDS:
            problem = _("at most %(n)s records a request") % {"n": f"{MAX_RECORDS:,}"}
            return Response({"non_field_errors": [problem]}, status=status.HTTP_400_BAD_REQUEST)
        fields = list(self.record().fields)
        accepted: list[tuple[int, dict[str, Any]]] = []
        refused: list[RecordReject] = []
        for index, item in enumerate(data):
            unknown = sorted(set(item) - set(fields)) if isinstance(item, dict) else []
            if unknown:
                reason = _("unknown field; expected one of %(known)s") % {
                    "known": ", ".join(fields)
                }
                refused.extend(RecordReject(index, str(name), reason) for name in unknown)
                continue
            body = self.record(data=item)
            if body.is_valid():
                accepted.append((index, dict(body.validated_data)))
            else:
                refused.extend(_rejects(index, body.errors))
        load, rejects = records_load(
            table=self.table,
            fields=fields,
            records=accepted,
            refused=refused,
            total=len(data),
            label=f"api {request.auth.name}",
            actor=request.user,
        )
        if load.state == Load.FAILED:
            detail = "\n".join(reason_text(line) for line in load.error.splitlines())
            return Response({"detail": detail}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        result = {
            "load": load.pk,
            "batch": load.batch,
            "read": load.read,
            "accepted": load.accepted,
            "rejected": load.rejected,
            "added": sum(load.added.values()),
            # the connector's sentences in the client's language (Accept-Language), as the
            # API's own messages are
            "rejects": [
                {"index": r.index, "field": r.field, "reason": reason_text(r.reason)}
                for r in rejects
            ],
        }
        return Response(FactsLoadSerializer(result).data)


def _facts(table: str, scope: str, record: Any, doc: str) -> type[_Facts]:
    def post(self: _Facts, request: Request) -> Response:
        return _Facts.post(self, request)

    # a function of its own per view: the OpenAPI annotations are kept on the function
    post = extend_schema(
        tags=["warehouse"],
        request=record(many=True, allow_empty=False, max_length=MAX_RECORDS),
        responses={200: FactsLoadSerializer, 503: ERROR, **WRITE_ERRORS},
        description=(
            "Each record is checked on its own: the valid ones are loaded into the warehouse as "
            "one load (undone as a whole by HR), the others are listed in `rejects` by position, "
            "field and reason; `read` = `accepted` + `rejected`. A record whose key the "
            "warehouse holds already adds nothing."
        ),
    )(post)
    view = type(
        f"Facts{record.__name__}",
        (_Facts,),
        {
            "table": table,
            "record": record,
            "scopes": {"POST": (scope,)},
            "post": post,
            "__doc__": doc,
        },
    )
    return view


QaEvaluations = _facts("qa_evaluations", "write:qa", QaEvaluationSerializer, "Load QA evaluations.")
SurveyResponses = _facts(
    "surveys", "write:surveys", SurveyResponseSerializer, "Load customer survey responses."
)
