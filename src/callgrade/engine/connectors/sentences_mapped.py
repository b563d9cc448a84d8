"""The mapped CSV/Excel connector's sentences (see :mod:`callgrade.engine.connectors.reasons`).

A rejected row says, for each cell that fails, which column and field it is, what was found and
what was expected; what was expected (``{expected}``) and what a cell needs (``{detail}``) are
sentences of this catalogue themselves, so they are read back and translated too.
"""

from __future__ import annotations

MAPPED: dict[str, str] = {
    # one cell of a row (connectors/mapped/assemble.py)
    "mp_bad": "column {column} ({field}) is {value}; expected {expected}",
    "mp_empty": "column {column} ({field}) is empty; {detail}",
    "mp_emptied": "column {column} ({field}) is {value}, which the values map empties; {detail}",
    # what a cell needs
    "mp_required": "a value is required",
    "mp_date_needed": "a date is required with the time in {column}",
    "mp_time_needed": "a time is required with the date in {column}",
    # what was expected: a kind of value (connectors/mapped/convert.py, clock.py)
    "mp_text": "text",
    "mp_int": "a whole number",
    "mp_float": "a number",
    "mp_percent": "a percentage like 85% or 85",
    "mp_bool": "yes or no (true/false, yes/no, y/n, 1/0, 是/否)",
    "mp_datetime": "a date and time like 2026-01-31 08:30:00",
    "mp_date": "a date like 2026-01-31",
    "mp_duration": "a duration (HH:MM:SS, MM:SS or seconds, not negative)",
    "mp_date_format": "a date matching the format {pattern}",
    "mp_time_format": "a time of day matching the format {pattern}",
    "mp_time": "a time of day like 08:15:02, 8:15, 08:15:02.250, 8:15 PM, 081502 or 8时15分",
    # … a range (connectors/mapped/ranges.py) or a list
    "mp_range": "a value from {low} to {high}",
    "mp_at_least": "a value of at least {low}",
    "mp_at_most": "a value of at most {high}",
    "mp_any": "any value",
    "mp_one_of": "one of: {words}",
    # … and where the mapping set it
    "mp_mapping_line": "{expected} (mapping line {n})",
    "mp_allowed_line": "one of: {words} (allowed, mapping line {n})",
    "mp_values_line": "one of: {words} (values map, mapping line {n})",
    # a line of a CSV file, a row of a sheet (connectors/mapped/read.py)
    "mp_split": (
        'lines {first}–{last} cannot be split into fields ({error}); a quote (") that is never'
        " closed usually joins lines like this: fix the quoting in the file"
    ),
    "mp_byte": (
        "byte {byte} cannot be decoded as {encoding}; the file is in another encoding: set"
        " `encoding:` in the mapping (e.g. gb18030 for a CSV saved by Chinese Excel)"
    ),
    "mp_fields": (
        "expected {n} fields as in the header (line {header}), found {found_n}; check the"
        " delimiter {delimiter} and the quoting"
    ),
    "mp_sheet_damaged": (
        "the sheet {sheet} is damaged from here on ({error}); re-save the workbook in Excel"
    ),
    # a file with nothing to read (the file's one reject)
    "mp_file_empty": "the file is empty: no header line with column names was found",
    "mp_nothing_from": "nothing from line {n} on: no header line with column names was found",
    "mp_no_header": "no header line with column names was found",
    "mp_sheet_empty": "sheet {sheet} is empty: no header row with column names was found",
    "mp_not_workbook": (
        "cannot open {file} as an Excel workbook ({error}); open and re-save it in Excel as"
        " .xlsx, or export it as CSV"
    ),
}
