"""The models move to the domain apps (core, people, standards, cycles, review). Their tables and
data stay where they are: this migration only removes the models from this app's state, and each
domain app's first migration takes the same tables over (then renames them)."""

from django.db import migrations

ORDER = [
    "correction",
    "trainingrecord",
    "competencyassessment",
    "acknowledgement",
    "calibration",
    "comment",
    "nomination",
    "appeal",
    "conflict",
    "checklistitem",
    "decision",
    "kpivalue",
    "payline",
    "scoreitem",
    "scoretotal",
    "job",
    "levelchange",
    "cycle",
    "policyversion",
    "employee",
    "team",
    "department",
    "position",
    "auditevent",
    "notification",
]


class Migration(migrations.Migration):
    dependencies = [("callgrade", "0002_people_records")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="team", name="lead"),
                *[migrations.DeleteModel(name=name) for name in ORDER],
            ],
        ),
    ]
