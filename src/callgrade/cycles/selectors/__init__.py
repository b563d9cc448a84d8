"""Reads for the cycle and scorecard pages."""
