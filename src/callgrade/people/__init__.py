"""People: the organization and the record of people."""
