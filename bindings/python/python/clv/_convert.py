"""Input/output conversion shared by the Python layer (no math here).

Arrays go to the native module as contiguous ``float64`` numpy arrays:
``np.ascontiguousarray(x, dtype=np.float64)`` returns ``x`` itself when it
already is one (zero copy), so a float64 column of a DataFrame is read in
place. Results come back as numpy arrays, or as a pandas Series carrying the
input's index when a Series was passed, or as a ``float`` when every input
was a scalar.
"""

from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from ._clv import ClvError


def error(message: str, code: str = "INVALID_INPUT", field: Optional[str] = None) -> ClvError:
    """A ``ClvError`` raised by the Python layer itself (same attributes as the core's)."""
    e = ClvError(message)
    e.code = code
    e.field = field
    return e


def _is_pandas(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "pandas"


def _is_polars(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "polars"


_KIND_WORDS = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes",
               "M": "datetimes", "m": "timedeltas", "V": "raw bytes"}


def _refuse_non_numbers(name: str, x: Any, booleans: bool = False) -> None:
    """Numbers only: booleans, strings (even "10"), complex numbers and
    datetimes are refused with a ``ClvError`` naming the argument, not
    coerced (numpy and pandas would turn ``"10"`` into 10, ``True`` into 1,
    a datetime into nanoseconds and drop an imaginary part). Object arrays
    are checked element by element (``None`` stays a missing value)."""
    if _is_polars(x) and hasattr(x, "dtype"):
        dtype = x.dtype
        if dtype.is_numeric() or str(dtype) == "Null" or (booleans and str(dtype) == "Boolean"):
            return
        raise error(f"invalid {name}: a polars {dtype} column (expected numbers)", field=name)
    if _is_pandas(x) and hasattr(x, "dtype"):
        kind = getattr(x.dtype, "kind", "O")
        values = x.to_numpy(dtype=object) if kind == "O" else None
    else:
        arr = np.asarray(x)
        kind, values = arr.dtype.kind, (arr.ravel() if arr.dtype.kind == "O" else None)
    if kind in "iuf" or (booleans and kind == "b"):
        return
    if kind != "O":
        what = _KIND_WORDS.get(kind, f"values of dtype kind {kind!r}")
        raise error(f"invalid {name}: {what} (expected numbers)", field=name)
    for i, v in enumerate(values if values is not None else ()):
        if v is None or (isinstance(v, numbers.Real) and (booleans or not isinstance(v, (bool, np.bool_)))):
            continue
        raise error(f"invalid {name}[{i}]: {v!r} of type {type(v).__name__} (expected a number)", field=name)


def to_f64(name: str, x: Any, booleans: bool = False) -> np.ndarray:
    """One argument as a 1-d (or 0-d for a scalar) float64 numpy array
    (numbers only, and booleans as 0/1 when ``booleans``: see
    ``_refuse_non_numbers``)."""
    _refuse_non_numbers(name, x, booleans)
    try:
        if _is_pandas(x) and hasattr(x, "to_numpy"):
            arr = x.to_numpy(dtype=np.float64, na_value=np.nan)
        elif _is_polars(x) and hasattr(x, "to_numpy"):
            arr = np.asarray(x.cast(float).to_numpy(), dtype=np.float64)
        else:
            arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise error(f"invalid {name}: cannot read as numbers ({exc})", field=name) from None
    if arr.ndim > 1:
        raise error(
            f"invalid {name}: an array of shape {arr.shape} (expected a scalar or a 1-d array)",
            field=name,
        )
    return arr


def customers(
    names: Sequence[str], values: Sequence[Any]
) -> Tuple[list, Any, bool]:
    """Converts per-customer arguments.

    Returns ``(arrays, index, scalar)``: contiguous float64 1-d arrays (a
    scalar argument is repeated to the length of the array arguments; arrays
    of different lengths are passed on for the core to report), the index of
    the first pandas Series among the inputs (or None), and whether every
    argument was a scalar.
    """
    index = None
    for v in values:
        if _is_pandas(v) and hasattr(v, "index") and getattr(v, "ndim", 0) == 1:
            index = v.index
            break
    arrs = [to_f64(n, v) for n, v in zip(names, values)]
    lengths = [a.shape[0] for a in arrs if a.ndim == 1]
    scalar = not lengths
    n = lengths[0] if lengths else 1
    out = []
    for a in arrs:
        if a.ndim == 0:
            a = np.full(n, float(a))
        out.append(np.ascontiguousarray(a, dtype=np.float64))
    return out, index, scalar


def data_unit(*values: Any) -> Optional[str]:
    """The time unit the data carry: ``attrs["unit"]`` of the first pandas input
    that has one (a column of a :func:`clv.rfm_summary` frame), else None."""
    for v in values:
        attrs = getattr(v, "attrs", None) if _is_pandas(v) else None
        if attrs and attrs.get("unit") is not None:
            return str(attrs["unit"])
    return None


def result(values: np.ndarray, index: Any, scalar: bool, name: Optional[str] = None) -> Any:
    """Wraps a native result as float, pandas Series (with ``index``) or ndarray."""
    if scalar:
        return float(values[0])
    if index is not None and len(index) == len(values):
        import pandas as pd

        return pd.Series(values, index=index, name=name)
    return values


def horizon(name: str, t: Any) -> Tuple[np.ndarray, bool]:
    """A time argument: a scalar or a 1-d array; returns (1-d array, was_scalar)."""
    arr = to_f64(name, t)
    if arr.ndim == 0:
        return np.array([float(arr)]), True
    return np.ascontiguousarray(arr), False


def number(name: str, x: Any) -> float:
    """A scalar argument as a float (``ClvError`` naming ``name`` otherwise)."""
    if isinstance(x, (str, bytes)) or getattr(x, "ndim", 0) != 0:
        raise error(f"invalid {name}: {x!r} (expected a number)", field=name)
    try:
        return float(x)
    except (TypeError, ValueError):
        raise error(f"invalid {name}: {x!r} (expected a number)", field=name) from None


def whole(name: str, x: Any, expected: str = "a whole number >= 0") -> int:
    """A count argument as an int >= 0: an int, or a float such as ``12.0`` that
    is one, as in JS (``ClvError`` naming ``name`` otherwise: ``12.5`` is an
    error, not 12)."""
    v = number(name, x)
    if isinstance(x, bool) or not (np.isfinite(v) and v >= 0 and v == int(v)):
        raise error(f"invalid {name}: {x!r} (expected {expected})", field=name)
    return int(v)


def months(time: Any) -> int:
    """A CLV's ``time``: a whole number of months >= 0 (:func:`whole`)."""
    return whole("time", time, "a whole number of months >= 0")


def display_number(v: float) -> str:
    """A number as the core's ``Display`` writes it: at most 4 decimals, no
    trailing zeros, scientific notation outside [1e-4, 1e9)."""
    v = float(v)
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    a = abs(v)
    if a != 0.0 and not (1e-4 <= a < 1e9):
        mantissa, exp = f"{v:.4e}".split("e")
        return f"{mantissa}e{int(exp)}"
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
