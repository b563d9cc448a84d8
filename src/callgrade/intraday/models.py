"""No tables of its own: interval reports are computed from the warehouse when they are read."""
