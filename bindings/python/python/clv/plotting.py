"""Diagnostic plots (needs matplotlib: ``pip install clv[plot]``).

Every function draws on ``ax`` (or on a new figure's axes) and returns the
matplotlib ``Axes``. The numbers plotted come from the fitted model (the Rust
core); this module only arranges them:

- :func:`plot_frequency_recency_matrix`: E[purchases in the next ``t``
  periods] by frequency (x axis) and recency (y axis), for customers of age
  ``T = max_recency``;
- :func:`plot_probability_alive_matrix`: P(alive) on the same grid;
- :func:`plot_period_transactions`: customers by number of repeat purchases,
  actual vs model (expected counts ``Σ_i P(X(T_i) = k)``, no simulation);
- :func:`plot_calibration_purchases_vs_holdout_purchases`: mean holdout
  purchases, actual vs predicted, grouped by a calibration column;
- :func:`plot_whale_curve`: cumulative share of value vs share of customers,
  customers sorted by value (largest first).

On the frequency/recency grids every cell is computed, frequency > 0 with
recency 0 included (all repeat purchases at the very start: the likelihood and
the predictions are defined there).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _clv
from ._convert import error, to_f64

__all__ = [
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_whale_curve",
]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def _core(model: Any) -> Any:
    """The core model of a clv model (or of a ``clv.compat.lifetimes`` fitter)."""
    model = getattr(model, "_model", model)
    return model._fitted()


def _col(summary: Any, *names: str) -> np.ndarray:
    cols = list(summary.columns)
    for n in names:
        if n in cols:
            return np.ascontiguousarray(to_f64(n, summary[n]))
    raise error(f"missing column {names[0]!r}; the frame has: {', '.join(map(str, cols))}",
                code="MISSING_COLUMN", field=names[0])


def _grid_limits(summary: Any, max_frequency: Optional[int], max_recency: Optional[int]) -> tuple:
    if max_frequency is None:
        if summary is None:
            raise error("invalid max_frequency: None (give max_frequency or a summary)", field="max_frequency")
        max_frequency = int(_col(summary, "frequency", "frequency_cal").max())
    if max_recency is None:
        if summary is None:
            raise error("invalid max_recency: None (give max_recency or a summary)", field="max_recency")
        max_recency = int(_col(summary, "T", "T_cal").max())
    for name, v in (("max_frequency", max_frequency), ("max_recency", max_recency)):
        if int(v) < 0:
            raise error(f"invalid {name}: {v} (expected a whole number >= 0)", field=name)
    return int(max_frequency), int(max_recency)


def _grid(model: Any, what: str, max_frequency: int, max_recency: int, t: float) -> np.ndarray:
    """Z[recency, frequency] at age T = max_recency (every cell, frequency > 0 with recency 0 too)."""
    rec, freq = np.meshgrid(np.arange(max_recency + 1, dtype=float), np.arange(max_frequency + 1, dtype=float),
                            indexing="ij")
    x, tx = freq.ravel(), rec.ravel()
    age = np.full(x.shape, float(max_recency))
    if what == "expected":
        z = model.expected_purchases(t, x, tx, age)
    else:
        z = model.prob_alive(x, tx, age)
    return np.asarray(z, dtype=float).reshape(rec.shape)


def _matrix(ax: Any, z: np.ndarray, title: str, xlabel: str, ylabel: str, **kwargs: Any) -> Any:
    kwargs.setdefault("interpolation", "none")
    kwargs.setdefault("aspect", "auto")
    kwargs.setdefault("origin", "upper")
    im = ax.imshow(z, **kwargs)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.figure.colorbar(im, ax=ax)
    return ax


def plot_frequency_recency_matrix(
    model: Any, summary: Any = None, t: float = 1, max_frequency: Optional[int] = None,
    max_recency: Optional[int] = None, title: Optional[str] = None,
    xlabel: str = "Customer's historical frequency", ylabel: str = "Customer's recency",
    ax: Any = None, **kwargs: Any,
) -> Any:
    """Heat map of the expected purchases in the next ``t`` periods by
    frequency and recency (customers of age ``max_recency``). Limits default to
    the summary's largest frequency and T. ``kwargs`` go to ``imshow``."""
    mf, mr = _grid_limits(summary, max_frequency, max_recency)
    z = _grid(model, "expected", mf, mr, t)
    if title is None:
        title = f"Expected number of future purchases for {t:g} unit{'s' if t != 1 else ''} of time,\nby frequency and recency of a customer"
    return _matrix(_axes(ax), z, title, xlabel, ylabel, **kwargs)


def plot_probability_alive_matrix(
    model: Any, summary: Any = None, max_frequency: Optional[int] = None, max_recency: Optional[int] = None,
    title: str = "Probability customer is alive,\nby frequency and recency of a customer",
    xlabel: str = "Customer's historical frequency", ylabel: str = "Customer's recency",
    ax: Any = None, **kwargs: Any,
) -> Any:
    """Heat map of P(alive) by frequency and recency (customers of age ``max_recency``)."""
    mf, mr = _grid_limits(summary, max_frequency, max_recency)
    z = _grid(model, "alive", mf, mr, 0.0)
    return _matrix(_axes(ax), z, title, xlabel, ylabel, **kwargs)


def _weights(summary: Any) -> Optional[np.ndarray]:
    cols = list(summary.columns)
    return np.ascontiguousarray(to_f64("weights", summary["weights"])) if "weights" in cols else None


def period_transactions(model: Any, summary: Any, max_frequency: int = 7) -> Any:
    """The data of :func:`plot_period_transactions` (``clv::diagnostics::period_transactions``):
    a DataFrame indexed by number of repeat purchases ``"0"`` .. ``"K-1"`` and ``"K+"``
    (K = ``max_frequency``) with ``actual`` (customers in the summary; its ``weights``
    column counts customers per row when present) and ``model`` (``Σ_i w_i P(X(T_i) = k)``,
    the expected number of customers with k repeat purchases by their age T_i; the last
    row ``Σ_i w_i P(X(T_i) ≥ K)``)."""
    import pandas as pd

    x = _col(summary, "frequency", "frequency_cal")
    t = _col(summary, "T", "T_cal", "n_periods")
    d = _clv.period_transactions(_core(model), x, t, _weights(summary), int(max_frequency))
    return pd.DataFrame({"actual": d["actual"], "model": d["expected"]},
                        index=pd.Index(d["labels"], name="frequency"))


def plot_period_transactions(
    model: Any, summary: Any, max_frequency: int = 7,
    title: str = "Frequency of repeat transactions",
    xlabel: str = "Number of calibration period transactions", ylabel: str = "Customers",
    label: Any = ("Actual", "Model"), ax: Any = None, **kwargs: Any,
) -> Any:
    """Bar chart of customers by number of repeat purchases, ``0 .. K-1`` and ``K+``:
    actual vs model (see :func:`period_transactions`); ``label`` names the two bar series."""
    ax = _axes(ax)
    d = period_transactions(model, summary, max_frequency)
    pos = np.arange(len(d))
    w = 0.4
    ax.bar(pos - w / 2, d["actual"], width=w, label=label[0], **kwargs)
    ax.bar(pos + w / 2, d["model"], width=w, label=label[1], **kwargs)
    ax.set_xticks(list(pos))
    ax.set_xticklabels(list(d.index))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def calibration_vs_holdout(model: Any, summary: Any, kind: str = "frequency", n: int = 7) -> Any:
    """The data of :func:`plot_calibration_purchases_vs_holdout_purchases`
    (``clv::diagnostics::calibration_vs_holdout``): mean ``frequency_holdout``
    (actual) and mean predicted purchases over each customer's ``duration_holdout``
    (model), grouped by the calibration column ``kind`` (``frequency``, ``recency``,
    ``T`` or ``time_since_last_purchase`` = T − recency), first ``n`` groups, with
    the number of ``customers`` in each. Accepts clv's column names or lifetimes'
    (``frequency_cal`` ...)."""
    import pandas as pd

    x = _col(summary, "frequency", "frequency_cal")
    tx = _col(summary, "recency", "recency_cal")
    t = _col(summary, "T", "T_cal")
    actual = _col(summary, "frequency_holdout")
    duration = _col(summary, "duration_holdout")
    d = _clv.calibration_vs_holdout(_core(model), x, tx, t, actual, duration, str(kind), int(n))
    key = kind.replace("_cal", "")
    return pd.DataFrame({"actual": d["actual"], "model": d["expected"], "customers": d["customers"]},
                        index=pd.Index(d["key"], name=key))


def plot_calibration_purchases_vs_holdout_purchases(
    model: Any, summary: Any, kind: str = "frequency", n: int = 7,
    title: str = "Actual purchases in holdout period vs predicted purchases",
    ylabel: str = "Average of purchases in holdout period", xlabel: Optional[str] = None,
    label: Any = ("Actual", "Model"), ax: Any = None, **kwargs: Any,
) -> Any:
    """Line plot of mean holdout purchases, actual vs model, by a calibration
    column (see :func:`calibration_vs_holdout`); ``summary`` has the holdout
    columns of ``rfm_summary(..., calibration_period_end=...)``."""
    ax = _axes(ax)
    d = calibration_vs_holdout(model, summary, kind, n)
    ax.plot(d.index, d["actual"], marker="o", label=label[0], **kwargs)
    ax.plot(d.index, d["model"], marker="s", label=label[1], **kwargs)
    ax.set_title(title)
    if xlabel is None:
        xlabel = (f"Purchases in calibration period ({d.index.name})" if d.index.name == "frequency"
                  else f"{d.index.name} in calibration period")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def cumulative_share(values: Any) -> np.ndarray:
    """Cumulative share of the total of ``values`` with customers sorted by
    value, largest first: ``c_k = Σ_{i≤k} v_(i) / Σ v`` (k = 1..N), i.e.
    ``clv.portfolio.whale_curve(values).cumulative_share``. With negative values
    (margin destroyers) the curve peaks above 1 and ends at 1."""
    from .portfolio import whale_curve

    return whale_curve(values).cumulative_share


def plot_whale_curve(
    values: Any, title: str = "Whale curve", xlabel: str = "Share of customers (ranked by value)",
    ylabel: str = "Cumulative share of value", ax: Any = None, **kwargs: Any,
) -> Any:
    """Whale curve from per-customer ``values`` (revenue or contribution
    margin; computed by :func:`clv.portfolio.whale_curve`), or from a
    :class:`clv.portfolio.WhaleCurve` (or any object with a
    ``cumulative_share`` array). A peak above 1 (value destroyers) is marked
    with its ``peak_share``."""
    from .portfolio import whale_curve

    curve = values if hasattr(values, "cumulative_share") else whale_curve(values)
    c = np.asarray(curve.cumulative_share, dtype=float)
    ax = _axes(ax)
    n = len(c)
    xs = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    ax.plot(xs, np.concatenate([[0.0], c]), **kwargs)
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    peak, at = getattr(curve, "peak_share", None), getattr(curve, "peak_fraction", None)
    if peak is not None and at is not None and peak > 1.0:
        ax.annotate(f"peak {peak:.0%} at {at:.0%} of customers", xy=(at, peak), xytext=(0, 4),
                    textcoords="offset points", ha="center", va="bottom")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax
