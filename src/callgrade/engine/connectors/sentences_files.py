"""The sentences of a file that cannot be read at all, a mapping that cannot be followed and a
database that cannot be pulled (see :mod:`callgrade.engine.connectors.reasons`): shown on a
failed load, the upload form and a source's last problem in the reader's language, one sentence
a line (a mapping's mistakes each after its place, ``file:line:column: …``)."""

from __future__ import annotations

FILES: dict[str, str] = {
    # the file itself (connectors/mapped/assemble.py, read.py)
    "ff_no_file": "cannot read {path}: no such file",
    "ff_zone": "unknown time zone {zone}; expected e.g. Asia/Shanghai",
    "ff_encoding": "unknown encoding {encoding}; expected e.g. utf-8 or gb18030",
    "ff_xls": (
        "{file} is an old binary .xls workbook, which cannot be read; open it in Excel and save"
        " it as .xlsx (or export CSV)"
    ),
    "ff_format": (
        "cannot tell the format of {file} from its extension; add `format: csv` or `format:"
        " xlsx` to the mapping"
    ),
    "ff_no_sheet": "{file} has no sheet {sheet}; it has: {names}",
    # a column the mapping names that the file's header lacks
    "ff_header_near": (
        "column {column} ({what}) is not in the header of {file} (line {line}); did you mean"
        " {near}?"
    ),
    "ff_header_near_row": (
        "column {column} ({what}) is not in the header of {file} (row {line}); did you mean {near}?"
    ),
    "ff_header_has": (
        "column {column} ({what}) is not in the header of {file} (line {line}); header has: {names}"
    ),
    "ff_header_has_row": (
        "column {column} ({what}) is not in the header of {file} (row {line}); header has: {names}"
    ),
    "ff_header_bytes": (
        "column {column} ({what}) is not in the header of {file} (line {line}) (the header is"
        " not valid {encoding}: set `encoding:` in the mapping, e.g. gb18030); header has:"
        " {names}"
    ),
    # a mapping's mistakes (connectors/mapped/mapping.py, checks.py)
    "mf_empty": "the mapping file is empty",
    "mf_yaml": "not valid YAML: {error}",
    "mf_missing_key": "missing key {name}",
    "mf_key_near": "unknown key {name}; did you mean {near}?",
    "mf_key": "unknown key {name}; expected one of: {names}",
    "mf_table_near": "unknown table {name}; did you mean {near}?",
    "mf_table": "unknown table {name}; expected one of: {names}",
    "mf_field_near": "unknown field {name} for table {table}; did you mean {near}?",
    "mf_field": "unknown field {name} for table {table}; expected one of: {names}",
    "mf_lineage": "unknown field {name} (the connector sets it); expected one of: {names}",
    "mf_required": (
        "required field {name} of table {table} is not mapped; add it under columns with 'from'"
        " (a source column) or 'value' (a constant)"
    ),
    "mf_from_or_value": (
        "field {name} needs exactly one of 'from' (a source column) or 'value' (a constant)"
    ),
    "mf_zone": "unknown time zone {zone}; expected an IANA name like Asia/Shanghai",
    "mf_encoding": "unknown encoding {encoding}; expected e.g. utf-8, gb18030, utf-16",
    "mf_format": "format {pattern} has no % directive; expected e.g. '%Y-%m-%d %H:%M:%S'",
    # a database pull (engine/pull.py)
    "pl_connect": "cannot connect to {url}: {error}",
    "pl_table": "cannot read table {table}: {error}",
}
