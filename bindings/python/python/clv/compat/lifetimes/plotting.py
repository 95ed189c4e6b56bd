"""``lifetimes.plotting`` on the clv core (each returns a matplotlib Axes).

Same functions, signatures, defaults, titles, axis labels and legends as
lifetimes 0.11.3; the fitter's ``data`` (set by ``fit``) gives the defaults.
The numbers drawn come from the core (``clv::diagnostics`` and the model's
predictions); this module only draws them. Differences, all deliberate:

- ``plot_period_transactions`` draws the model's expected counts
  ``Σ_i w_i P(X(T_i) = k)`` instead of one random simulation (and counts the
  fitter's ``weights``);
- each plot draws on ``ax`` when given (lifetimes draws some on the current
  axes whatever ``ax`` is), else on a new figure's axes.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ... import _clv
from ... import plotting as _p
from .utils import calculate_alive_path, expected_cumulative_transactions

__all__ = [
    "plot_period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_expected_repeat_purchases",
    "plot_history_alive",
    "plot_cumulative_transactions",
    "plot_incremental_transactions",
    "plot_transaction_rate_heterogeneity",
    "plot_dropout_rate_heterogeneity",
]


def _model(m: Any) -> Any:
    return m._fitted()


def _new_axes(ax: Any = None) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def plot_period_transactions(model: Any, max_frequency: int = 7, title: str = "Frequency of Repeat Transactions",
                             xlabel: str = "Number of Calibration Period Transactions", ylabel: str = "Customers",
                             **kwargs: Any) -> Any:
    """Customers by number of repeat purchases ``0 .. max_frequency − 1``, actual vs model
    (expected counts, not a simulation); ``label=[actual, model]`` names the bars
    (default ``["Actual", "Model"]``)."""
    labels = kwargs.pop("label", ["Actual", "Model"])
    ax = _new_axes(kwargs.pop("ax", None))
    data = model.data
    if "n_periods" in data.columns:
        data = data.rename(columns={"n_periods": "T"})
    d = _p.period_transactions(model, data, int(max_frequency)).iloc[: int(max_frequency)]
    pos = np.arange(len(d))
    w = 0.25
    ax.bar(pos - w / 2, d["actual"].to_numpy(), width=w, label=labels[0], **kwargs)
    ax.bar(pos + w / 2, d["model"].to_numpy(), width=w, label=labels[1], **kwargs)
    ax.set_xticks(list(pos))
    ax.set_xticklabels(list(d.index))
    ax.legend()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    return ax


_HOLDOUT_XLABELS = {
    "frequency_cal": "Purchases in calibration period",
    "recency_cal": "Age of customer at last purchase",
    "T_cal": "Age of customer at the end of calibration period",
    "time_since_last_purchase": "Time since user made last purchase",
}


def plot_calibration_purchases_vs_holdout_purchases(model: Any, calibration_holdout_matrix: Any,
                                                    kind: str = "frequency_cal", n: int = 7, **kwargs: Any) -> Any:
    """Mean holdout purchases, actual (``frequency_holdout``) vs predicted
    (``model_predictions``), by a calibration column (``kind``)."""
    ax = kwargs.pop("ax", None)
    return _p.plot_calibration_purchases_vs_holdout_purchases(
        model, calibration_holdout_matrix, kind=kind, n=n,
        title="Actual Purchases in Holdout Period vs Predicted Purchases",
        ylabel="Average of Purchases in Holdout Period", xlabel=_HOLDOUT_XLABELS.get(kind, kind),
        label=("frequency_holdout", "model_predictions"), ax=ax, **kwargs)


def plot_frequency_recency_matrix(model: Any, T: float = 1, max_frequency: Optional[int] = None,
                                  max_recency: Optional[int] = None, title: Optional[str] = None,
                                  xlabel: str = "Customer's Historical Frequency",
                                  ylabel: str = "Customer's Recency", **kwargs: Any) -> Any:
    """Expected purchases in the next T periods by frequency and recency."""
    if title is None:
        title = ("Expected Number of Future Purchases for {} Unit{} of Time,".format(T, "s"[T == 1:])
                 + "\nby Frequency and Recency of a Customer")
    return _p.plot_frequency_recency_matrix(_model(model), model.data, t=T, max_frequency=max_frequency,
                                            max_recency=max_recency, title=title, xlabel=xlabel, ylabel=ylabel,
                                            **kwargs)


def plot_probability_alive_matrix(model: Any, max_frequency: Optional[int] = None, max_recency: Optional[int] = None,
                                  title: str = "Probability Customer is Alive,\nby Frequency and Recency of a Customer",
                                  xlabel: str = "Customer's Historical Frequency",
                                  ylabel: str = "Customer's Recency", **kwargs: Any) -> Any:
    """P(alive) by frequency and recency."""
    return _p.plot_probability_alive_matrix(_model(model), model.data, max_frequency=max_frequency,
                                            max_recency=max_recency, title=title, xlabel=xlabel, ylabel=ylabel,
                                            **kwargs)


def plot_expected_repeat_purchases(model: Any, title: str = "Expected Number of Repeat Purchases per Customer",
                                   xlabel: str = "Time Since First Purchase", ax: Any = None,
                                   label: Optional[str] = None, **kwargs: Any) -> Any:
    """E[X(t)] of a new customer for t from 0 to the largest T of the fitted data (solid),
    then to 1.5 times that (dashed), in one colour."""
    ax = _new_axes(ax)
    color = kwargs.pop("c", None) or kwargs.pop("color", None)
    if color is None:
        color = ax._get_lines.get_next_color()
    max_t = float(model.data["T"].max())
    m = _model(model)
    times = np.linspace(0, max_t, 100)
    ax.plot(times, m.expected_purchases_new(times), color=color, label=label, **kwargs)
    times = np.linspace(max_t, 1.5 * max_t, 100)
    ax.plot(times, m.expected_purchases_new(times), color=color, ls="--", **kwargs)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right")
    return ax


def plot_history_alive(model: Any, t: int, transactions: Any, datetime_col: str, freq: str = "D",
                       start_date: Any = None, ax: Any = None, **kwargs: Any) -> Any:
    """P(alive) of one customer (``transactions`` holds their rows) over the ``t`` periods
    since their first purchase (line ``P_alive``, from :func:`calculate_alive_path`), with
    their purchase dates as dashed vertical lines (``purchases``)."""
    import pandas as pd

    ax = _new_axes(ax)
    dates = pd.to_datetime(transactions[datetime_col])
    if start_date is None:
        start_date = dates.min()
    counts = pd.Series(1, index=pd.DatetimeIndex(dates)).resample(freq).sum()
    path = calculate_alive_path(model, transactions, datetime_col, t, freq)
    path_dates = pd.date_range(start=dates.min(), periods=len(path), freq=freq)
    ax.plot(path_dates, path.to_numpy(), "-", label="P_alive", **kwargs)
    payment_dates = counts[counts >= 1].index
    ax.vlines(payment_dates.values, ymin=0, ymax=1, colors="r", linestyles="dashed", label="purchases")
    ax.set_ylim(0, 1.0)
    ax.set_yticks(np.arange(0, 1.1, 0.1))
    ax.set_xlim(start_date, path_dates[-1])
    ax.legend(loc=3)
    ax.set_ylabel("P_alive")
    ax.set_title("History of P_alive")
    return ax


def _tracking_plot(df: Any, t_cal: float, set_index_date: bool, title: str, xlabel: str, ylabel: str, ax: Any,
                   **kwargs: Any) -> Any:
    ax = _new_axes(ax)
    ax = df.plot(ax=ax, title=title, **kwargs)
    if set_index_date:
        x_vline = df.index[int(t_cal)]
        xlabel = "date"
    else:
        x_vline = t_cal
    ax.axvline(x=x_vline, color="r", linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_cumulative_transactions(model: Any, transactions: Any, datetime_col: str, customer_id_col: str, t: int,
                                 t_cal: float, datetime_format: Optional[str] = None, freq: str = "D",
                                 set_index_date: bool = False, title: str = "Tracking Cumulative Transactions",
                                 xlabel: str = "day", ylabel: str = "Cumulative Transactions", ax: Any = None,
                                 **kwargs: Any) -> Any:
    """Actual and predicted cumulative repeat transactions (:func:`expected_cumulative_transactions`,
    lines ``actual`` and ``predicted``) with the end of calibration ``t_cal`` marked."""
    df = expected_cumulative_transactions(model, transactions, datetime_col, customer_id_col, t,
                                          datetime_format=datetime_format, freq=freq,
                                          set_index_date=set_index_date)
    return _tracking_plot(df, t_cal, set_index_date, title, xlabel, ylabel, ax, **kwargs)


def plot_incremental_transactions(model: Any, transactions: Any, datetime_col: str, customer_id_col: str, t: int,
                                  t_cal: float, datetime_format: Optional[str] = None, freq: str = "D",
                                  set_index_date: bool = False, title: str = "Tracking Daily Transactions",
                                  xlabel: str = "day", ylabel: str = "Transactions", ax: Any = None,
                                  **kwargs: Any) -> Any:
    """Actual and predicted repeat transactions per period (the differences of
    :func:`plot_cumulative_transactions`'s series; the first point is NaN, as in lifetimes)."""
    df = expected_cumulative_transactions(model, transactions, datetime_col, customer_id_col, t,
                                          datetime_format=datetime_format, freq=freq,
                                          set_index_date=set_index_date)
    df = df.astype(float).diff()
    return _tracking_plot(df, t_cal, set_index_date, title, xlabel, ylabel, ax, **kwargs)


def _heterogeneity(model: Any, what: str, suptitle: str, xlabel: str, ylabel: str, suptitle_fontsize: int,
                   **kwargs: Any) -> Any:
    import matplotlib.pyplot as plt

    h = _clv.heterogeneity(_p._core(model), what, 100)
    fig, ax = plt.subplots(1)
    fig.suptitle(suptitle, fontsize=suptitle_fontsize, fontweight="bold")
    ax.set_title("mean: {:.3f}, var: {:.3f}".format(h["mean"], h["variance"]))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    ax.plot(h["x"], h["pdf"], **kwargs)
    return ax


def plot_transaction_rate_heterogeneity(model: Any, suptitle: str = "Heterogeneity in Transaction Rate",
                                        xlabel: str = "Transaction Rate", ylabel: str = "Density",
                                        suptitle_fontsize: int = 14, **kwargs: Any) -> Any:
    """Density of the individual transaction rates λ ~ Gamma(r, α) from 0 to its 99%
    quantile, mean and variance in the title (BG/NBD, MBG/NBD, Pareto/NBD; BG/BB's
    p ~ Beta(α, β))."""
    return _heterogeneity(model, "transaction_rate", suptitle, xlabel, ylabel, suptitle_fontsize, **kwargs)


def plot_dropout_rate_heterogeneity(model: Any, suptitle: str = "Heterogeneity in Dropout Probability",
                                    xlabel: str = "Dropout Probability p", ylabel: str = "Density",
                                    suptitle_fontsize: int = 14, **kwargs: Any) -> Any:
    """Density of the individual dropout probabilities p ~ Beta(a, b) from 0 to its 99%
    quantile, mean and variance in the title (BG/NBD, MBG/NBD; Pareto/NBD's μ ~ Gamma(s, β),
    BG/BB's θ ~ Beta(γ, δ))."""
    return _heterogeneity(model, "dropout", suptitle, xlabel, ylabel, suptitle_fontsize, **kwargs)
