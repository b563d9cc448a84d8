"""The generic connector: any CSV or Excel export, read through a column-mapping YAML.

See docs/connectors/mapped.md for the mapping format. ``parse`` is the registry entry point;
``load_mapping`` checks a mapping on its own (for `callgrade` commands and the web upload page).
"""

from callgrade.engine.connectors.mapped.assemble import parse
from callgrade.engine.connectors.mapped.mapping import (
    ColumnMapping,
    Mapping,
    MappingError,
    RowCondition,
    load_mapping,
)

__all__ = ["ColumnMapping", "Mapping", "MappingError", "RowCondition", "load_mapping", "parse"]
