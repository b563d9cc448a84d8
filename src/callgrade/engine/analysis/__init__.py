"""Analyses over a cycle's results and the data behind them: the fairness audit and thresholds
from data. Pure functions over explicit inputs, like the rest of the engine."""
