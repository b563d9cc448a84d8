"""Cycles: grading cycles and their results."""
