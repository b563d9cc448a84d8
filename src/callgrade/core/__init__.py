"""Core: the audit trail, notifications and background jobs."""
