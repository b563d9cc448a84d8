"""Writes to the record of people."""
