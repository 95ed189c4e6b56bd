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
  customers sorted by value (largest first), percentage axes, the top 20 %
  of customers and the Gini coefficient marked;
- :func:`plot_tracking`: cumulative (or per-period) repeat transactions of
  the customer base, actual vs one or several models (CLVTools' tracking
  plot; the series of :func:`tracking_series`, ``clv::diagnostics``);
- :func:`plot_customer_exposure`: each customer's observation window, first
  purchase to last purchase to end (pymc-marketing's exposure plot);
- :func:`plot_expected_purchases_over_time`: E[X(t)] of a new customer, one
  line per model (pymc-marketing's plot of the same name).

Titles name the time unit in words where one is given (``freq``: ``"D"``
days, ``"W"`` weeks, ``"M"`` months, ``"7d"`` units of 7 days...).

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
    "tracking_series",
    "plot_tracking",
    "plot_customer_exposure",
    "plot_expected_purchases_over_time",
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
    """Z[recency, frequency] at age T = max_recency, every cell (frequency > 0 with recency 0 too):
    ``clv::diagnostics::frequency_recency_matrix``."""
    kind = "expected_purchases" if what == "expected" else "prob_alive"
    z = _clv.frequency_recency_matrix(_core(model), kind, float(t), int(max_frequency), int(max_recency))
    return np.asarray(z, dtype=float).reshape(int(max_recency) + 1, int(max_frequency) + 1)


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


def _unit_text(model: Any, t: float) -> str:
    """``t``'s unit in words: the unit the model was fitted in ("weeks", "1 week"),
    else "unit(s) of time"."""
    unit = getattr(model, "unit", None)
    if unit is None:
        return "unit of time" if t == 1 else "units of time"
    words = str(_clv.unit_words(unit))
    if t == 1:
        return "period" + words[len("periods"):] if words.startswith("periods") else words[:-1]
    return words


def plot_frequency_recency_matrix(
    model: Any, summary: Any = None, t: float = 1, max_frequency: Optional[int] = None,
    max_recency: Optional[int] = None, title: Optional[str] = None,
    xlabel: str = "Customer's historical frequency", ylabel: str = "Customer's recency",
    ax: Any = None, freq: Optional[str] = None, **kwargs: Any,
) -> Any:
    """Heat map of the expected purchases in the next ``t`` periods by
    frequency and recency (customers of age ``max_recency``). Limits default to
    the summary's largest frequency and T; ``freq`` (the summary's unit) names
    the time unit in the title. ``kwargs`` go to ``imshow``."""
    mf, mr = _grid_limits(summary, max_frequency, max_recency)
    z = _grid(model, "expected", mf, mr, t)
    if title is None:
        if freq is None and getattr(model, "unit", None) is not None:
            # the unit the model was fitted in
            span = f"{t:g} {_unit_text(model, t)}"
        else:
            unit = unit_words(freq)
            span = f"{t:g} {_singular(unit) if t == 1 else unit}" if unit else \
                f"{t:g} unit{'s' if t != 1 else ''} of time"
        title = f"Expected number of future purchases for {span},\nby frequency and recency of a customer"
    return _matrix(_axes(ax), z, title, xlabel, ylabel, **kwargs)


def plot_probability_alive_matrix(
    model: Any, summary: Any = None, max_frequency: Optional[int] = None, max_recency: Optional[int] = None,
    title: str = "Probability customer is alive,\nby frequency and recency of a customer",
    xlabel: str = "Customer's historical frequency", ylabel: str = "Customer's recency",
    ax: Any = None, freq: Optional[str] = None, **kwargs: Any,
) -> Any:
    """Heat map of P(alive) by frequency and recency (customers of age ``max_recency``);
    ``freq`` names the unit of recency in the title."""
    mf, mr = _grid_limits(summary, max_frequency, max_recency)
    z = _grid(model, "alive", mf, mr, 0.0)
    return _matrix(_axes(ax), z, _with_unit(title, freq), xlabel, ylabel, **kwargs)


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
    label: Any = ("Actual", "Model"), ax: Any = None, freq: Optional[str] = None, **kwargs: Any,
) -> Any:
    """Bar chart of customers by number of repeat purchases, ``0 .. K-1`` and ``K+``:
    actual vs model (see :func:`period_transactions`); ``label`` names the two bar series,
    ``freq`` the summary's time unit in the title."""
    title = _with_unit(title, freq)
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
    label: Any = ("Actual", "Model"), ax: Any = None, freq: Optional[str] = None, **kwargs: Any,
) -> Any:
    """Line plot of mean holdout purchases, actual vs model, by a calibration
    column (see :func:`calibration_vs_holdout`); ``summary`` has the holdout
    columns of ``rfm_summary(..., calibration_period_end=...)``; ``freq`` names
    the time unit in the title."""
    title = _with_unit(title, freq)
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
    top = [t for t in getattr(curve, "top_shares", []) if abs(t.fraction - 0.2) < 1e-12]
    if top:  # the top 20 % of customers and their share of value
        x20, y20 = top[0].customers / n, top[0].share
        ax.plot([x20, x20, 0.0], [0.0, y20, y20], color="grey", linewidth=0.8, linestyle=":")
        ax.annotate(f"top 20% of customers: {y20:.0%} of value", xy=(x20, y20), xytext=(6, -12),
                    textcoords="offset points", ha="left", va="top")
    gini = getattr(curve, "gini", None)
    if gini is not None:
        title = f"{title} (Gini {gini:.2f})"
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


_UNITS = {"D": "days", "W": "weeks", "M": "months", "H": "hours", "h": "hours", "Y": "years", "Q": "quarters"}


def unit_words(freq: Optional[str]) -> str:
    """The time unit ``freq`` in words: ``"D"`` → ``"days"``, ``"W"`` → ``"weeks"``,
    ``"7d"`` → ``"units of 7 days"`` (``""`` for ``None``)."""
    import re

    if not freq:
        return ""
    f = str(freq)
    if f in _UNITS:
        return _UNITS[f]
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z])", f)
    if m:
        return f"units of {m.group(1)} {_UNITS.get(m.group(2).upper(), m.group(2))}"
    return f


def _singular(unit: str) -> str:
    if unit.startswith("units of "):
        return "unit of " + unit[len("units of "):]
    return unit[:-1] if unit.endswith("s") else unit


def _with_unit(title: str, freq: Optional[str]) -> str:
    """``title`` with the time unit in words appended, ``"… (weeks)"``, when ``freq`` is given."""
    unit = unit_words(freq)
    return f"{title} ({unit})" if unit else title


def tracking_series(model: Any, transactions: Any, customer_id_col: str, datetime_col: str, t: int,
                    freq: str = "D", freq_multiplier: int = 1, datetime_format: Optional[str] = None) -> Any:
    """Actual and expected repeat transactions of the customer base over the ``t`` periods
    (of ``freq``) from the first transaction, one row per model unit (``freq_multiplier``
    periods): ``actual``, ``expected`` (cumulative) and ``actual_incremental``,
    ``expected_incremental``, indexed by ``time`` in model units.

    Customers join in cohorts by the period of their first purchase; at the start of
    period ``i`` the expectation is ``Σ_c n_c · E[X((i − c) / freq_multiplier)]`` over the
    cohorts ``c < i`` (``clv::diagnostics::tracking_series``; Fader, Hardie & Lee 2005,
    brucehardie.com/notes/008). A repeat transaction is a customer's purchase period
    after their first (several purchases in one period count once, as in the summary)."""
    import pandas as pd

    from .summary import _frequency_unit, _seconds

    codes, _ = pd.factorize(np.asarray(transactions[customer_id_col]))
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        raise error(f"invalid {customer_id_col}[{i}]: missing customer id", field=customer_id_col)
    ts = _seconds(datetime_col, transactions[datetime_col], datetime_format)
    s = _clv.tracking_series_from_transactions(_core(model), np.ascontiguousarray(codes, dtype=np.uint32), ts,
                                               _frequency_unit(freq, freq_multiplier), int(t))
    return pd.DataFrame({k: s[k] for k in ("actual", "expected", "actual_incremental", "expected_incremental")},
                        index=pd.Index(s["time"], name="time"))


def plot_tracking(models: Any, transactions: Any, customer_id_col: str, datetime_col: str, t: int,
                  t_cal: Optional[float] = None, freq: str = "D", freq_multiplier: int = 1,
                  cumulative: bool = True, labels: Any = None, datetime_format: Optional[str] = None,
                  title: Optional[str] = None, ax: Any = None, **kwargs: Any) -> Any:
    """Repeat transactions of the customer base over time, actual (black) vs each model of
    ``models`` (one model or a list; CLVTools' tracking plot with several fitted models on
    one axis), cumulative or per period, with the end of calibration ``t_cal`` marked.
    ``labels`` name the models (default: their class names)."""
    if not isinstance(models, (list, tuple)):
        models = [models]
    if labels is None:
        labels = [type(getattr(m, "_model", m)).__name__ for m in models]
    ax = _axes(ax)
    col = "" if cumulative else "_incremental"
    unit = unit_words(freq if freq_multiplier == 1 else f"{freq_multiplier}{freq}")
    first = None
    for m, label in zip(models, labels):
        d = tracking_series(m, transactions, customer_id_col, datetime_col, t, freq, freq_multiplier,
                            datetime_format)
        if first is None:
            first = d
            ax.plot(d.index, d["actual" + col], color="black", label="Actual")
        ax.plot(d.index, d["expected" + col], linestyle="--", label=label, **kwargs)
    if t_cal is not None:
        ax.axvline(t_cal, color="grey", linestyle=":", linewidth=1)
    what = "cumulative repeat transactions" if cumulative else "repeat transactions per period"
    ax.set_title(title if title is not None else f"Tracking {what}" + (f" ({unit})" if unit else ""))
    ax.set_xlabel(f"Time since the first transaction ({unit})" if unit else "Time since the first transaction")
    ax.set_ylabel("Cumulative repeat transactions" if cumulative else "Repeat transactions")
    ax.legend()
    return ax


def plot_customer_exposure(summary: Any, n: Optional[int] = None, freq: Optional[str] = None,
                           labels: Any = ("Recency", "T"), colors: Any = ("C0", "C1"),
                           title: Optional[str] = None, ax: Any = None) -> Any:
    """Each customer's exposure (pymc-marketing's ``plot_customer_exposure``): a line from
    the first purchase (0) to the last (``recency``) and on to the end of observation
    (``T``), customers sorted by ``T`` then ``recency``; the first ``n`` customers of that
    order (all by default)."""
    tx = _col(summary, "recency", "recency_cal")
    t = _col(summary, "T", "T_cal")
    order = _clv.customer_exposure(np.asarray(tx, dtype=float), np.asarray(t, dtype=float)).astype(np.intp)
    if n is not None:
        order = order[: int(n)]
    y = np.arange(len(order))
    ax = _axes(ax)
    ax.hlines(y, 0, tx[order], color=colors[0], label=labels[0])
    ax.hlines(y, tx[order], t[order], color=colors[1], label=labels[1])
    ax.scatter(tx[order], y, color=colors[0], s=8)
    ax.scatter(t[order], y, color=colors[1], s=8)
    unit = unit_words(freq)
    ax.set_title(title if title is not None else "Customer exposure" + (f" ({unit})" if unit else ""))
    ax.set_xlabel(f"Time since first purchase ({unit})" if unit else "Time since first purchase")
    ax.set_ylabel("Customer")
    ax.legend()
    return ax


def plot_expected_purchases_over_time(models: Any, t_max: float, points: int = 100, labels: Any = None,
                                      freq: Optional[str] = None, title: Optional[str] = None, ax: Any = None,
                                      **kwargs: Any) -> Any:
    """E[X(t)], the expected repeat purchases of a new customer by time t since their first
    purchase, for t in [0, ``t_max``], one line per model (pymc-marketing's
    ``plot_expected_purchases_over_time``)."""
    if not isinstance(models, (list, tuple)):
        models = [models]
    if labels is None:
        labels = [type(getattr(m, "_model", m)).__name__ for m in models]
    ts = np.linspace(0.0, float(t_max), int(points))
    ax = _axes(ax)
    for m, label in zip(models, labels):
        core = getattr(m, "_model", m)
        ax.plot(ts, core.expected_purchases_new(ts), label=label, **kwargs)
    unit = unit_words(freq)
    ax.set_title(title if title is not None else "Expected purchases of a new customer over time"
                 + (f" ({unit})" if unit else ""))
    ax.set_xlabel(f"Time since first purchase ({unit})" if unit else "Time since first purchase")
    ax.set_ylabel("Expected repeat purchases")
    ax.legend()
    return ax
