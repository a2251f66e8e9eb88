"""Checks of arguments, shared by every ilib module: one home for each rule.

Each function takes the value and the argument's name, and either returns the
value in the form the caller computes with or raises ``ValueError`` naming the
argument and the problem (CONTRIBUTING.md, "ilib functions").
"""

import math

import numpy as np

#: How far from 1 the entries of a probability array may sum (rounding in the input).
SUM_TOLERANCE = 1e-6


def positive_int(value, name, minimum=1):
    """``value`` as an int; ``ValueError`` unless it is an integer of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def non_negative_int(value, name):
    """``value`` as an int; ``ValueError`` unless it is an integer >= 0."""
    return positive_int(value, name, minimum=0)


def non_negative_float(value, name):
    """``value`` as a float; ``ValueError`` unless it is a finite number >= 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return v


def positive_float(value, name):
    """``value`` as a float; ``ValueError`` unless it is a finite number > 0."""
    v = non_negative_float(value, name)
    if v == 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def finite_array(a, name):
    """``a`` as a float array of any shape; ``ValueError`` if empty, not numeric or not finite."""
    arr = float_array(a, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has a NaN or infinite entry")
    return arr


def positive_array(a, name, what):
    """``a`` as a finite float array of entries > 0; ``what`` names them in the message."""
    arr = finite_array(a, name)
    if not (arr > 0.0).all():
        raise ValueError(f"{name} must be positive ({what}), got {float(arr.min())!r}")
    return arr


def finite_1d(a, name, minimum=2):
    """``a`` as a 1-D float array of at least ``minimum`` finite entries."""
    arr = float_array(a, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size < minimum:
        raise ValueError(f"{name} must hold at least {minimum} samples, got {arr.size}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has a NaN or infinite entry")
    return arr


def one_of(value, name, options):
    """``value`` unchanged; ``ValueError`` unless it is one of ``options``."""
    if isinstance(value, str) and value in options:
        return value
    listed = ", ".join(repr(o) for o in options)
    raise ValueError(f"{name} must be one of {listed}, got {value!r}")


#: Logarithms computed directly in their base, so that dyadic probabilities give
#: exact bits (``entropy([1/2, 1/4, 1/8, 1/8]) == 1.75``); other bases divide
#: natural logarithms by ``ln(base)``.
_DIRECT_LOGS = {
    2.0: (np.log2, math.log2),
    math.e: (np.log, math.log),
    10.0: (np.log10, math.log10),
}


#: Words a reader may pass as ``base``, and the number each one means.
_BASE_WORDS = {"e": "math.e", "ln": "math.e", "nats": "math.e", "bits": "2", "2": "2"}


def log_base(base):
    """``base`` as a float; ``ValueError`` unless it is positive, finite and not 1.

    A string such as ``"e"`` is refused with a hint at the number it stands for
    (``math.e``), since ``float("e")`` fails and ``float("2")`` would hide a typo.
    """
    problem = f"base must be a positive number other than 1, got {base!r}"
    if isinstance(base, (str, bytes)):
        hint = _BASE_WORDS.get(str(base).strip().lower())
        if hint:
            raise ValueError(f"{problem}; for {base!r} pass the number base={hint}")
        raise ValueError(f"{problem}; pass a number: base=2 for bits, base=math.e for nats")
    try:
        b = float(base)
    except (TypeError, ValueError):
        raise ValueError(problem) from None
    if not math.isfinite(b) or b <= 0.0 or b == 1.0:
        raise ValueError(problem)
    return b


def logs(base):
    """Validate ``base``; return ``(array_log, scalar_log, divisor)``."""
    b = log_base(base)
    if b in _DIRECT_LOGS:
        return (*_DIRECT_LOGS[b], 1.0)
    return np.log, math.log, math.log(b)


def float_array(a, name):
    """``a`` as a float64 array; ``ValueError`` if it is empty or not numeric."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    return arr


def distribution_min(p, name):
    """Validate a probability array in two reductions; return its minimum.

    A NaN or infinite entry makes the sum non-finite, so one ``sum`` and one
    ``min`` check everything; the elementwise search only runs to word the
    error message.
    """
    s = float(np.sum(p))
    if not math.isfinite(s):
        if np.isnan(p).any():
            raise ValueError(f"{name} has a NaN entry")
        if np.isinf(p).any():
            raise ValueError(f"{name} has an infinite entry")
        raise ValueError(f"{name} has entries too large to sum")
    pmin = float(np.min(p))
    if pmin < 0.0:
        raise ValueError(f"{name} has a negative entry ({pmin!r})")
    if abs(s - 1.0) > SUM_TOLERANCE:
        hint = ""
        if s > 0.0:
            # counts or unnormalised weights: say how to turn them into probabilities
            hint = "; if they are counts or weights, normalise them: divide each entry by their sum"
        raise ValueError(
            f"{name} must sum to 1 (within {SUM_TOLERANCE:g}), "
            f"but its entries sum to {s:.10g}{hint}"
        )
    return pmin


def distribution(p, name, ndim):
    """``(p as an array, min(p))``; ``ValueError`` unless ``p`` is an ``ndim``-D distribution."""
    arr = float_array(p, name)
    if arr.ndim != ndim:
        what = "1-D" if ndim == 1 else "2-D"
        raise ValueError(f"{name} must be {what}, got shape {arr.shape}")
    pmin = distribution_min(arr, name)
    return arr, pmin


def same_shape(p, q, pname="p", qname="q"):
    """``ValueError`` unless the arrays ``p`` and ``q`` have the same shape."""
    if p.shape != q.shape:
        raise ValueError(
            f"{pname} and {qname} must have the same shape, got {p.shape} and {q.shape}"
        )


def finite_float(value, name):
    """``value`` as a float; ``ValueError`` unless it is a finite number."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def positive_entries(arr, name):
    """``arr`` unchanged; ``ValueError`` unless every entry is > 0 (e.g. variances)."""
    if not (arr > 0.0).all():
        raise ValueError(f"{name} must be positive, got {float(np.min(arr))!r}")
    return arr


def unit_interval(value, name):
    """``value`` as a float; ``ValueError`` unless it is a number in [0, 1]."""
    v = non_negative_float(value, name)
    if v > 1:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return v


def non_negative_int_array(a, name, allow_empty=False):
    """``a`` as an int64 array; ``ValueError`` unless every entry is an integer >= 0.

    Floats that are whole numbers (``3.0``) are accepted; booleans are not numbers here.
    """
    arr = np.asarray(a)
    if arr.dtype == bool or arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name} must be an array of non-negative integers")
    if arr.size == 0:
        if allow_empty:
            return arr.astype(np.int64)
        raise ValueError(f"{name} is empty")
    if not np.isfinite(arr).all() or (arr < 0).any() or (arr != np.floor(arr)).any():
        raise ValueError(f"{name} must be an array of non-negative integers")
    if arr.max() >= 2**62:
        raise ValueError(f"{name} has an entry too large (at least 2**62)")
    return arr.astype(np.int64)
