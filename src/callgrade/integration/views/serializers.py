"""What the API reads and writes, field by field (the OpenAPI document is made from these)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from callgrade.cycles.models import Cycle, Decision, KpiValue, PayLine, ScoreTotal
from callgrade.engine.connectors.mapped import ranges
from callgrade.people.models import Employee, TrainingRecord


class PersonSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", allow_null=True, read_only=True)

    class Meta:
        model = Employee
        fields = [
            "employee_id",
            "name",
            "team",
            "position",
            "track",
            "level",
            "level_since",
            "hire_date",
            "status",
        ]


class PersonWriteSerializer(serializers.Serializer):
    """One person as the organization import takes it: blank fields keep the current value."""

    employee_id = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=100)
    position = serializers.CharField(max_length=50)
    team = serializers.CharField(max_length=100, required=False, allow_blank=True)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    team_lead = serializers.CharField(max_length=50, required=False, allow_blank=True)
    track = serializers.CharField(max_length=50, required=False, allow_blank=True)
    level = serializers.CharField(max_length=50, required=False, allow_blank=True)
    level_since = serializers.DateField(required=False, allow_null=True)
    hire_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=["active", "probation", "left"], required=False, allow_blank=True
    )


class PeopleWriteSerializer(serializers.Serializer):
    people = PersonWriteSerializer(many=True, allow_empty=False, max_length=1000)


class PeopleWriteResultSerializer(serializers.Serializer):
    read = serializers.IntegerField()
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()


class TrainingSerializer(serializers.ModelSerializer):
    employee_id = serializers.CharField(source="employee.employee_id", max_length=50)
    source_ref = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text=_("The sending system's own record id: sending it again adds nothing."),
    )
    exam_score = serializers.FloatField(min_value=0, max_value=100, required=False, allow_null=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "employee_id",
            "training",
            "completed_at",
            "exam_score",
            "passed",
            "certificate",
            "expires_at",
            "source",
            "source_ref",
        ]
        read_only_fields = ["id", "source"]
        # a source_ref sent again returns the record it made (the view), not a 400
        validators: list[Any] = []

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        # an API record's reference is stored with its integration's number in front
        data["source_ref"] = (
            instance.source_ref.split(":", 1)[-1]
            if instance.source == "api"
            else instance.source_ref
        )
        return data


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["id", "name", "period", "state", "computed_at", "published_at"]


class _ResultSerializer(serializers.ModelSerializer):
    employee_id = serializers.CharField(source="employee.employee_id", read_only=True)


class KpiSerializer(_ResultSerializer):
    class Meta:
        model = KpiValue
        fields = [
            "employee_id", "period", "kpi", "value", "numerator", "denominator",
            "sample_size", "unit",
        ]  # fmt: skip


class ScorecardSerializer(_ResultSerializer):
    class Meta:
        model = ScoreTotal
        fields = [
            "employee_id", "period", "total", "rating", "calibrated_rating", "rank", "group_size",
        ]  # fmt: skip


class DecisionSerializer(_ResultSerializer):
    class Meta:
        model = Decision
        fields = [
            "employee_id", "action", "level_from", "level_to", "reason", "final_action",
            "final_level", "final_reason", "applied",
        ]  # fmt: skip


class PayLineSerializer(_ResultSerializer):
    class Meta:
        model = PayLine
        fields = ["employee_id", "period", "kind", "code", "amount", "cash", "explanation"]


# Warehouse facts. Times carry their offset (one without is UTC); bounds are the canonical ones
# (engine/connectors/mapped/ranges.py), so what the API takes the warehouse takes too.
EARLIEST, LATEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC), dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def _key(help_text: Any) -> serializers.CharField:
    return serializers.CharField(max_length=200, help_text=help_text)


def _text(max_length: int = 200) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_null=True, allow_blank=True
    )


def _bounded(table: str, field: str, **kwargs: Any) -> serializers.FloatField:
    low, high = ranges.built_in(table, field)
    return serializers.FloatField(min_value=low, max_value=high, **kwargs)


class _FactSerializer(serializers.Serializer):
    time_field: ClassVar[str] = ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        when = attrs.get(self.time_field)
        if when is not None and not EARLIEST <= when < LATEST:
            raise serializers.ValidationError(
                {self.time_field: [_("expected a time from 1900 to 2199")]}
            )
        return attrs


class QaEvaluationSerializer(_FactSerializer):
    """One QA (质检) evaluation, in the warehouse's qa_evaluations fields."""

    time_field = "evaluated_at"
    evaluation_id = _key(_("The QA system's id of the evaluation: sending it again adds nothing."))
    agent_id = serializers.CharField(
        max_length=50, help_text=_("Employee id of the evaluated agent.")
    )
    interaction_id = _text()
    evaluated_at = serializers.DateTimeField(default_timezone=dt.UTC)
    score = _bounded("qa_evaluations", "score")
    critical_fail = serializers.BooleanField(required=False, default=False)
    evaluator = _text()
    form = _text()


class SurveyResponseSerializer(_FactSerializer):
    """One customer survey response, in the warehouse's surveys fields."""

    time_field = "responded_at"
    survey_id = _key(_("The survey tool's id of the response: sending it again adds nothing."))
    interaction_id = _text()
    agent_id = _text(50)
    customer_id = _text()
    responded_at = serializers.DateTimeField(default_timezone=dt.UTC)
    csat = _bounded("surveys", "csat", required=False, allow_null=True)
    nps = _bounded("surveys", "nps", required=False, allow_null=True)
    resolved = serializers.BooleanField(required=False, allow_null=True)


class RecordRejectSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("Position of the record in the list, from 0."))
    field = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class FactsLoadSerializer(serializers.Serializer):
    load = serializers.IntegerField(help_text=_("The load HR sees at /data/loads/ and can undo."))
    batch = serializers.CharField(allow_blank=True)
    read = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    added = serializers.IntegerField(help_text=_("Records new to the warehouse."))
    rejects = RecordRejectSerializer(many=True)
