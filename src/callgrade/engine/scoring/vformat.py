"""Python's fixed-point number formatting (``f"{x:.1f}"``, ``f"{x:,.0f}"`` …) over whole columns,
giving exactly the strings Python gives, as Arrow string arrays (null for NaN).

Python rounds the exact binary value of a float correctly, ties to even. Here the scaled value
``x × 10^d`` is rounded in floating point; wherever that product lies too close to a tie (or is
huge, or not finite) for its rounding to be certain, the element is formatted by Python itself.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_LIMIT = 1e15  # beyond this the scaled float no longer holds every integer digit
_TIE = 1e-6  # a scaled value this close to ….5 goes to Python (float error is ~1e-16 × value)


def _digits(k: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(k, pa.int64()), pa.string())


def _grouped(k: np.ndarray) -> pa.Array:
    """Non-negative integers with thousands separators (``1,234,567``)."""
    out = _digits(k)
    if not len(k) or k.max() < 1000:
        return out
    for power in (3, 6, 9, 12):
        big = k >= 10**power
        if not big.any():
            break
        head = _digits(k // 10**power)
        tail = pc.utf8_lpad(_digits(k % 10**power), width=power, padding="0")
        # re-group the padded tail three digits at a time
        parts = [pc.utf8_slice_codeunits(tail, i, i + 3) for i in range(0, power, 3)]
        joined = pc.binary_join_element_wise(head, *parts, ",")
        out = pc.if_else(pa.array(big), joined, out)
    return out


def fixed(x: np.ndarray, decimals: int, grouping: bool = False) -> pa.Array:
    """``format(v, f"{',' if grouping else ''}.{decimals}f")`` for every float ``v`` of ``x``;
    null where ``v`` is NaN."""
    x = np.asarray(x, dtype=float)
    nan = np.isnan(x)
    mag = np.abs(np.where(nan, 0.0, x))
    with np.errstate(invalid="ignore", over="ignore"):
        z = mag * 10.0**decimals
        frac = z - np.floor(z)
        sure = (np.abs(frac - 0.5) > _TIE) & (z < _LIMIT)
        k = np.floor(z + 0.5)
    k = np.where(sure, k, 0.0).astype(np.int64)
    if decimals and not grouping:
        # the scaled integer's digits, at least one before the point, with the point put in
        digits = pc.utf8_lpad(_digits(k), width=decimals + 1, padding="0")
        text = pc.utf8_replace_slice(digits, start=-decimals, stop=-decimals, replacement=".")
    elif decimals:
        scale = 10**decimals
        whole, part = k // scale, k % scale
        tail = pc.utf8_lpad(_digits(part), width=decimals, padding="0")
        text = pc.binary_join_element_wise(_grouped(whole), tail, ".")
    else:
        text = _grouped(k) if grouping else _digits(k)
    sign = np.signbit(x) & ~nan
    if sign.any():
        text = pc.if_else(pa.array(sign), pc.binary_join_element_wise("-", text, ""), text)
    unsure = ~sure & ~nan
    if unsure.any():
        spec = f"{',' if grouping else ''}.{decimals}f"
        idx = np.flatnonzero(unsure)
        fixed_up = np.array(text.to_pylist(), dtype=object)
        fixed_up[idx] = [format(v, spec) for v in x[idx].tolist()]
        text = pa.array(fixed_up, pa.string())
    if not nan.any():
        return text
    return pc.if_else(pa.array(nan), pa.scalar(None, pa.string()), text)


def grouped_int(x: np.ndarray) -> pa.Array:
    """``f"{n:,}"`` for integers."""
    k = np.asarray(x, dtype=np.int64)
    if len(k) and np.abs(k).max() >= _LIMIT:
        return pa.array([f"{n:,}" for n in k.tolist()], pa.string())
    text = _grouped(np.abs(k))
    neg = k < 0
    if neg.any():
        text = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", text, ""), text)
    return text
