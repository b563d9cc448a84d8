"""Writes of the development domain, each audited and in a transaction."""


class DevelopmentError(ValueError):
    """A write that cannot be done as asked: the message says why, for people."""
