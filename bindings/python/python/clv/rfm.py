"""RFM quantile scores and named segments (computed by ``clv::rfm`` in the core).

Scores are 1..bins with the tie rule ``score = 1 + floor(bins · L / N)`` (L =
customers strictly below, N = customers): ties share a score. R ranks on
recency (a later last purchase scores higher), F on frequency, M on
monetary value. ``rfm_score`` is the three digits, e.g. ``"545"``.

Segments (Champions, Loyal, Potential Loyalist, New, Promising, Need
Attention, About to Sleep, At Risk, Can't Lose Them, Hibernating, Lost) come
from a documented score map, which ``segment_map`` overrides: a JSON string
or a list of rules ``{"name": ..., "r": [lo, hi], "f": [lo, hi], "m": [lo, hi]}``
on a 1..5 scale, first match wins.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional, Union

import numpy as np

from . import _clv
from ._convert import _is_polars, customers, error, whole

SegmentMap = Union[str, List[dict]]


def _columns(summary: Any) -> List[np.ndarray]:
    names = ("frequency", "recency", "T", "monetary_value")
    cols = list(summary.columns)
    for n in names:
        if n not in cols:
            raise error(f"missing column {n!r}; the frame has: {', '.join(map(str, cols))}",
                        code="MISSING_COLUMN", field=n)
    values = [summary[n] for n in names]
    arrays, _, _ = customers(names, values)
    return arrays


def _bins(bins: Any) -> int:
    """``bins`` as an int: a whole number (``5`` or ``5.0``, as in JS), checked
    against 2..=9 by the core."""
    b = whole("bins", bins)
    if not 0 < b < 256:
        raise error(f"invalid bins: {bins!r} (expected an integer in 2..=9)", field="bins")
    return b


def _scores(summary: Any, bins: Any) -> Any:
    """The r, f, m scores of the summary's columns, and ``bins`` as checked by :func:`_bins`."""
    x, tx, t, m = _columns(summary)
    b = _bins(bins)
    return (*_clv.rfm_scores(x, tx, t, m, b), b)


def _add(summary: Any, columns: dict) -> Any:
    if _is_polars(summary):
        import polars as pl

        return summary.with_columns([pl.Series(k, v) for k, v in columns.items()])
    out = summary.copy()
    for k, v in columns.items():
        out[k] = v
    return out


def rfm_scores(summary: Any, bins: int = 5) -> Any:
    """The summary (pandas or polars, with ``frequency``, ``recency``, ``T``,
    ``monetary_value``) with ``r_score``, ``f_score``, ``m_score`` (uint8, 1..bins)
    and ``rfm_score`` (e.g. ``"545"``) added. ``bins`` is 2..9."""
    r, f, m, _ = _scores(summary, bins)
    codes = np.char.add(np.char.add(r.astype(str), f.astype(str)), m.astype(str))
    return _add(summary, {"r_score": r, "f_score": f, "m_score": m, "rfm_score": codes.astype(object)})


def rfm_segments(summary: Any, bins: int = 5, segment_map: Optional[SegmentMap] = None) -> Any:
    """:func:`rfm_scores` plus a ``segment`` column named by the segment map
    (default: :func:`default_segment_map`)."""
    r, f, m, b = _scores(summary, bins)
    text = None
    if segment_map is not None:
        text = segment_map if isinstance(segment_map, str) else json.dumps(segment_map)
    seg = _clv.rfm_segments(r.tolist(), f.tolist(), m.tolist(), b, text)
    codes = np.char.add(np.char.add(r.astype(str), f.astype(str)), m.astype(str))
    return _add(summary, {"r_score": r, "f_score": f, "m_score": m,
                          "rfm_score": codes.astype(object), "segment": np.asarray(seg, dtype=object)})


def default_segment_map() -> List[dict]:
    """The default segment rules (first match wins), as a list of dicts."""
    return list(json.loads(_clv.default_segment_map()))
