"""Canonical tables: the one shape every connector writes and every KPI reads.

All timestamps are UTC (connectors convert from the source's declared time zone). Every row keeps
``source`` (the connector and file it came from) and ``source_ref`` (file:line, or a record id) so
any number can be traced back to the record behind it. Each table has a stable key: re-ingesting
the same record produces the same key, and the warehouse keeps one row per key.

Durations are seconds as float64. Optional facts a source does not carry are null, never 0, so a
KPI can tell "not measured" from "zero".
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")


def _f(name: str, typ: pa.DataType, nullable: bool, doc: str) -> pa.Field:
    return pa.field(name, typ, nullable=nullable, metadata={"doc": doc})


LINEAGE = [
    _f("source", pa.string(), False, "Connector and file name the row came from."),
    _f("source_ref", pa.string(), False, "Where in the source: 'file:line' or the record id."),
]

INTERACTIONS = pa.schema(
    [
        _f("interaction_id", pa.string(), False, "Stable key, derived from the source's own ids."),
        _f("channel", pa.string(), False, "voice, chat, email, task …"),
        _f("direction", pa.string(), False, "inbound or outbound."),
        _f("queue", pa.string(), True, "Queue (skill group) the contact waited in."),
        _f("agent_id", pa.string(), True, "Agent who handled it; null when nobody answered."),
        _f("customer_id", pa.string(), True, "Caller id / customer key, used for repeat contacts."),
        _f("offered_at", TS, False, "When the contact entered the queue (or was initiated)."),
        _f("answered_at", TS, True, "When an agent was connected; null if never."),
        _f("ended_at", TS, True, "When the contact ended."),
        _f("queue_wait_s", pa.float64(), True, "Seconds waited in queue (answered or not)."),
        _f("ring_s", pa.float64(), True, "Seconds the agent's phone rang before answer."),
        _f("talk_s", pa.float64(), True, "Seconds talking with an agent; null if not answered."),
        _f("hold_s", pa.float64(), True, "Customer hold seconds during the call (null: unknown)."),
        _f("acw_s", pa.float64(), True, "After-contact work seconds (null: unknown)."),
        _f(
            "outcome",
            pa.string(),
            False,
            "answered, abandoned, timeout, exit_empty, join_empty, full, exit_key, withdrawn,"
            " closed, diverted, no_answer, busy, failed.",
        ),
        _f("answered", pa.bool_(), False, "True when an agent was connected."),
        _f("transferred", pa.bool_(), False, "True when the agent transferred the contact."),
        _f("transfer_kind", pa.string(), True, "blind, attended, legacy (Asterisk < 12), queue."),
        _f("ended_by", pa.string(), True, "caller, agent, system; null if unknown."),
        _f("updated_at", TS, True, "Source's last-update time; the newest version wins on dedupe."),
        *LINEAGE,
    ]
)

AGENT_STATES = pa.schema(
    [
        _f("state_id", pa.string(), False, "Stable key: agent, state and start time."),
        _f("agent_id", pa.string(), False, "Agent (queue member / login)."),
        _f("state", pa.string(), False, "logged_in, paused or wrapup."),
        _f("reason", pa.string(), True, "Pause reason as the source gives it."),
        _f("queue", pa.string(), True, "Queue the state applies to; null means all queues."),
        _f("start", TS, False, "Interval start (inclusive)."),
        _f("end", TS, False, "Interval end (exclusive)."),
        _f(
            "open_ended",
            pa.bool_(),
            False,
            "True when the source never closed the interval (no logout / no unpause): it ends"
            " at the data's horizon (stated at ingest, else the last event).",
        ),
        *LINEAGE,
    ]
)

RING_NO_ANSWER = pa.schema(
    [
        _f("attempt_id", pa.string(), False, "Stable key: call, agent and ring time."),
        _f("agent_id", pa.string(), False, "Agent whose phone rang without being answered."),
        _f("queue", pa.string(), True, "Queue that offered the call."),
        _f("interaction_id", pa.string(), True, "The call (interactions key), when known."),
        _f("rang_at", TS, False, "When the ringing ended unanswered."),
        _f("ring_s", pa.float64(), True, "Seconds it rang (queue_log logs milliseconds)."),
        *LINEAGE,
    ]
)

SURVEYS = pa.schema(
    [
        _f("survey_id", pa.string(), False, "Stable key."),
        _f("interaction_id", pa.string(), True, "The surveyed contact, when known."),
        _f("agent_id", pa.string(), True, "Agent the survey is about."),
        _f("customer_id", pa.string(), True, "Respondent."),
        _f("responded_at", TS, False, "Response time."),
        _f("csat", pa.float64(), True, "Satisfaction on a 1–5 scale."),
        _f("nps", pa.float64(), True, "Likelihood to recommend, 0–10."),
        _f("resolved", pa.bool_(), True, "Customer says the issue was resolved (survey FCR)."),
        *LINEAGE,
    ]
)

QA_EVALUATIONS = pa.schema(
    [
        _f("evaluation_id", pa.string(), False, "Stable key."),
        _f("agent_id", pa.string(), False, "Evaluated agent."),
        _f("interaction_id", pa.string(), True, "Evaluated contact, when known."),
        _f("evaluated_at", TS, False, "Evaluation time."),
        _f("score", pa.float64(), False, "Score 0–100."),
        _f("critical_fail", pa.bool_(), False, "A critical (zero-tolerance) item failed."),
        _f("evaluator", pa.string(), True, "Who evaluated."),
        _f("form", pa.string(), True, "Evaluation form name."),
        *LINEAGE,
    ]
)

SALES = pa.schema(
    [
        _f("sale_id", pa.string(), False, "Stable key (order id)."),
        _f("agent_id", pa.string(), False, "Selling agent."),
        _f("interaction_id", pa.string(), True, "Contact that produced the sale."),
        _f("sold_at", TS, False, "Order time."),
        _f("amount", pa.float64(), False, "Revenue in the center's currency."),
        _f("valid", pa.bool_(), False, "False for cancelled/refunded orders (not counted)."),
        _f("product", pa.string(), True, "Product or campaign."),
        *LINEAGE,
    ]
)

ATTENDANCE = pa.schema(
    [
        _f("record_id", pa.string(), False, "Stable key."),
        _f("agent_id", pa.string(), False, "Employee."),
        _f("day", TS, False, "Midnight (local) of the work day, stored in UTC."),
        _f("kind", pa.string(), False, "present, leave, late, early_leave, absent."),
        _f("minutes", pa.float64(), True, "Minutes late / early / on leave."),
        _f("scheduled_s", pa.float64(), True, "Seconds scheduled that day (adherence)."),
        _f("adherent_s", pa.float64(), True, "Seconds in the scheduled state (adherence)."),
        *LINEAGE,
    ]
)

COMPLAINTS = pa.schema(
    [
        _f("complaint_id", pa.string(), False, "Stable key."),
        _f("agent_id", pa.string(), False, "Employee the complaint is about."),
        _f("interaction_id", pa.string(), True, "Contact complained about."),
        _f("received_at", TS, False, "When the complaint was received."),
        _f("valid", pa.bool_(), False, "Confirmed as valid (有效投诉) after review."),
        _f("severity", pa.string(), False, "minor or major."),
        _f("category", pa.string(), True, "Complaint category."),
        *LINEAGE,
    ]
)

ROSTER = pa.schema(
    [
        _f("employee_id", pa.string(), False, "Stable key; equals agent_id in the other tables."),
        _f("name", pa.string(), True, "Display name."),
        _f("team", pa.string(), True, "Team (班组)."),
        _f("team_lead", pa.string(), True, "Employee id of the team lead."),
        _f("department", pa.string(), True, "Department."),
        _f("position", pa.string(), True, "Position code (front_desk, telesales, …)."),
        _f("track", pa.string(), True, "Career track (phone, technical, …)."),
        _f("level", pa.string(), True, "Current level code on the ladder."),
        _f("hire_date", TS, True, "Hire date (local midnight, in UTC)."),
        _f("status", pa.string(), True, "active, probation, left."),
        *LINEAGE,
    ]
)

COMPETENCY_ASSESSMENTS = pa.schema(
    [
        _f("assessment_id", pa.string(), False, "Stable key."),
        _f("employee_id", pa.string(), False, "Assessed employee."),
        _f("competency", pa.string(), False, "Competency code (business_knowledge, …)."),
        _f("score", pa.float64(), False, "Score 0–100."),
        _f("assessed_at", TS, False, "Exam / observation time."),
        _f(
            "method",
            pa.string(),
            True,
            "exam or observation; null: whichever the competency is assessed by.",
        ),
        _f("assessor", pa.string(), True, "Who examined or observed."),
        *LINEAGE,
    ]
)

TRAININGS = pa.schema(
    [
        _f("training_record_id", pa.string(), False, "Stable key: the source's own record id."),
        _f("employee_id", pa.string(), False, "Employee who took the course."),
        _f(
            "training",
            pa.string(),
            False,
            "Course or certification code, as the standard names it.",
        ),
        _f("completed_at", TS, False, "Day completed or certified (local midnight, in UTC)."),
        _f(
            "exam_score", pa.float64(), True, "Final exam score 0–100, when the course has an exam."
        ),
        _f(
            "passed",
            pa.bool_(),
            True,
            "False when the course was failed (it then counts for nothing); null: completed.",
        ),
        _f("certificate", pa.string(), True, "Certificate number, for a certification."),
        _f("expires_at", TS, True, "When a certification lapses (local midnight); null: never."),
        *LINEAGE,
    ]
)

LEVEL_HISTORY = pa.schema(
    [
        _f("change_id", pa.string(), False, "Stable key."),
        _f("employee_id", pa.string(), False, "Employee whose level changed."),
        _f("level", pa.string(), False, "Level code held from `effective` on."),
        _f("effective", TS, False, "First day at the level (local midnight, in UTC)."),
        _f("level_from", pa.string(), True, "Level held before, when known."),
        _f("reason", pa.string(), True, "Why: hire, a cycle's decision, an HR correction …"),
        *LINEAGE,
    ]
)

CORRECTIONS = pa.schema(
    [
        _f("correction_id", pa.string(), False, "Stable key."),
        _f(
            "target_table",
            pa.string(),
            False,
            "Canonical table of the corrected record (qa_evaluations, complaints, …).",
        ),
        _f("record_id", pa.string(), False, "The corrected record's key in that table."),
        _f(
            "field",
            pa.string(),
            True,
            "Column given a new value; null: the record is excluded from every KPI.",
        ),
        _f("value", pa.string(), True, "The corrected value as text, read as the column's type."),
        _f("reason", pa.string(), False, "Why the record was corrected."),
        _f("corrected_at", TS, False, "When the correction was made."),
        *LINEAGE,
    ]
)

REJECTS = pa.schema(
    [
        _f("source", pa.string(), False, "Connector and file."),
        _f("line", pa.int64(), True, "1-based line (or record index) in the file."),
        _f("field", pa.string(), True, "Offending field, when one can be named."),
        _f("reason", pa.string(), False, "Plain sentence: what was found and what was expected."),
        _f("raw", pa.string(), True, "The raw record, cut to 1,000 characters."),
    ]
)


@dataclass(frozen=True)
class TableSpec:
    """How the warehouse stores one canonical table."""

    name: str
    schema: pa.Schema
    key: str
    time_column: str | None  # partitions by month of this column; None = one unpartitioned file
    version_column: str | None = None  # on duplicate keys keep the greatest value (then newest)


TABLES: dict[str, TableSpec] = {
    s.name: s
    for s in [
        TableSpec("interactions", INTERACTIONS, "interaction_id", "offered_at", "updated_at"),
        TableSpec("agent_states", AGENT_STATES, "state_id", "start"),
        TableSpec("ring_no_answer", RING_NO_ANSWER, "attempt_id", "rang_at"),
        TableSpec("surveys", SURVEYS, "survey_id", "responded_at"),
        TableSpec("qa_evaluations", QA_EVALUATIONS, "evaluation_id", "evaluated_at"),
        TableSpec("sales", SALES, "sale_id", "sold_at"),
        TableSpec("attendance", ATTENDANCE, "record_id", "day"),
        TableSpec("complaints", COMPLAINTS, "complaint_id", "received_at"),
        TableSpec("roster", ROSTER, "employee_id", None),
        TableSpec("competency_assessments", COMPETENCY_ASSESSMENTS, "assessment_id", "assessed_at"),
        TableSpec("trainings", TRAININGS, "training_record_id", None),
        TableSpec("level_history", LEVEL_HISTORY, "change_id", None),
        TableSpec("corrections", CORRECTIONS, "correction_id", None),
    ]
}


def empty(name: str) -> pa.Table:
    """An empty table with the canonical schema of ``name``."""
    return TABLES[name].schema.empty_table()


def conform(name: str, table: pa.Table) -> pa.Table:
    """Cast ``table`` to the canonical schema: same column order, missing nullable columns added
    as nulls. Raises ValueError naming the column when a required column is missing or null."""
    schema = TABLES[name].schema
    columns = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name).cast(f.type)
        elif f.nullable:
            col = pa.nulls(table.num_rows, f.type)
        else:
            raise ValueError(f"{name}: required column {f.name!r} is missing")
        if not f.nullable and col.null_count:
            raise ValueError(f"{name}: required column {f.name!r} has {col.null_count} nulls")
        columns.append(col)
    return pa.Table.from_arrays(columns, schema=schema)
