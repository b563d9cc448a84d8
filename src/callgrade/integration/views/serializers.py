"""What the API reads and writes, field by field (the OpenAPI document is made from these)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from callgrade.cycles.models import Cycle, Decision, KpiValue, PayLine, ScoreTotal
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
