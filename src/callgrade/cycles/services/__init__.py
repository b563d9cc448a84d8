"""Writes: the cycle workflow and the engine's results."""
