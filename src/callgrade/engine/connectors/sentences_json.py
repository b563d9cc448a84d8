"""The sentences of the connectors that read JSON records: Amazon Connect contact records and
xAPI statements (see :mod:`callgrade.engine.connectors.reasons`).

A record is rejected with the field that is wrong and what it held instead (``{found}``: a
sentence of this catalogue itself, e.g. "the number 5", read back and translated too).
"""

from __future__ import annotations

# The problem Python's JSON reader names (json.decoder), as words of the "js_at" sentence.
JSON_PROBLEMS = (
    "Expecting value",
    "Expecting ',' delimiter",
    "Expecting ':' delimiter",
    "Expecting property name enclosed in double quotes",
    "Unterminated string starting",
    "Invalid control character",
    "Invalid \\escape",
    "Invalid \\uXXXX escape",
    "Extra data",
    "Illegal trailing comma before end of object",
    "Illegal trailing comma before end of array",
)

JSON: dict[str, str] = {
    # reading records (connectors/json_values.py)
    "js_at": "not valid JSON ({json}, at line {line} column {column})",
    "js_deep": "not valid JSON (nested too deeply)",
    "js_other": "not valid JSON ({error})",
    "js_truncated": "the file ends inside it (truncated?)",
    "js_bytes": "bytes that are not valid {encoding}; re-export as {encoding}",
    # what a field held instead
    "js_null": "null",
    "js_boolean": "a boolean",
    "js_number": "the number {number}",
    "js_string": "the string {value}",
    "js_array": "an array",
    "js_object": "an object",
    "js_nothing": "nothing",
    # Amazon Connect contact records (connectors/amazon_connect.py)
    "ac_not_object": "expected a JSON object (a contact record), found {found}",
    "ac_contact_id": "ContactId must be a non-empty string, found {found}",
    "ac_channel": "Channel is missing (expected VOICE, CHAT, TASK …)",
    "ac_initiated": "InitiationTimestamp is missing",
    "ac_object": "{key} must be an object or null, found {found}",
    "ac_string": "{key} must be a string, found {found}",
    "ac_seconds": "{key} must be a number of seconds, found {found}",
    "ac_negative": "{key} must be zero or more seconds, found {number}",
    "ac_time_type": "{key} must be an ISO-8601 time string, found {found}",
    "ac_time": "{key} {value} is not an ISO-8601 time like 2026-01-05T09:00:00Z",
    "ac_years": "{key} {value} is outside the years 1–9999 in UTC",
    # xAPI statements (connectors/xapi.py)
    "xa_not_object": "expected a JSON object (an xAPI statement), found {found}",
    "xa_duplicate": "duplicate of statement {first} (same id {id}); a statement is imported once",
    "xa_no_verb": "verb.id is missing (expected an IRI such as {iri})",
    "xa_voided": "voided by statement {number}; a voided statement is not a record",
    "xa_verb": (
        "verb {verb} is not a completion; expected {adl}completed, passed or failed (other"
        " statements are not training records)"
    ),
    "xa_success_type": "result.success must be true or false, found {found}",
    "xa_success": "result.success is {value} for verb {verb}",
    "xa_completion": "result.completion is false for verb completed",
    "xa_id": "id must be a statement UUID (text), found {found}",
    "xa_voiding": "a voiding statement's object must be a StatementRef with the voided id",
    "xa_voids_absent": (
        "voids statement {id} which is not in this file; a completion imported from an earlier"
        " file stays: remove it on the person's records page"
    ),
    "xa_actor_missing": "actor is missing; expected the person (an Agent) who took the course",
    "xa_actor_type": "actor must be an object (an Agent), found {found}",
    "xa_group": "actor is a Group; a training record needs one person (an Agent)",
    "xa_account": "actor.account.name (the employee id) is missing",
    "xa_account_mbox": (
        "actor.account.name (the employee id) is missing (it has an mbox: use --option"
        " actor=mbox with a people file)"
    ),
    "xa_mbox": "actor.mbox {mbox} is not in {people}",
    "xa_sha1": "actor.mbox_sha1sum matches no e-mail in {people}",
    "xa_no_mbox": "actor has no mbox (mailto: e-mail) or mbox_sha1sum to look up",
    "xa_people": "people file {file} (column {column})",
    "xa_object_type": "object must be an Activity, found {value}",
    "xa_object_id": "object.id (the activity IRI) is missing",
    "xa_course_map": "activity {activity} is not in the course map {file}",
    "xa_no_segment": (
        "activity {activity} has no last path segment to use as the course code; give a course"
        " map (--option courses=FILE.yaml)"
    ),
    "xa_number": "{key} must be a number, found {found}",
    "xa_scaled": "result.score.scaled is {number}; expected 0 to 1",
    "xa_raw_range": "result.score.raw {number} is not within min {low} – max {high}",
    "xa_raw_alone": (
        "result.score.raw is {number} with no min and max; expected 0 to 100 (or give scaled)"
    ),
    "xa_no_time": "timestamp is missing (and there is no stored time)",
    "xa_time": "{key} {value} is not a valid time",
    "xa_must_object": "{key} must be an object, found {found}",
}
