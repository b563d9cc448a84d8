"""The integration API: other systems read results and write records through scoped tokens."""
