"""Writes of the engagement domain, each in a transaction and audited."""


class EngagementError(ValueError):
    """A request the rules refuse; the message says why, in the reader's language."""
