"""Small helpers for per-row contributions (SQL CASE expressions that every backend runs)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def one(cond: ir.BooleanValue) -> ir.FloatingValue:
    """1.0 where ``cond`` holds, else 0.0 (a null condition counts as false: SQL CASE semantics)."""
    return ibis.ifelse(cond, 1.0, 0.0)


def amount(cond: ir.BooleanValue, value: ir.NumericValue) -> ir.FloatingValue:
    """``value`` where ``cond`` holds, else 0.0; a null value adds nothing."""
    return ibis.ifelse(cond, value.cast("float64").fill_null(0.0), 0.0)


def known(value: ir.Value) -> ir.BooleanValue:
    return value.notnull()
