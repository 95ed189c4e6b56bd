"""``lifetimes.plotting`` on :mod:`clv.plotting` (each returns a matplotlib Axes).

The fitter's ``data`` (set by ``fit``) gives the defaults, as in lifetimes.
"""

from __future__ import annotations

from typing import Any, Optional

from ... import plotting as _p

__all__ = [
    "plot_period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
]


def _model(m: Any) -> Any:
    return m._fitted()


def plot_period_transactions(model: Any, max_frequency: int = 7, title: str = "Frequency of Repeat Transactions",
                             xlabel: str = "Number of Calibration Period Transactions", ylabel: str = "Customers",
                             **kwargs: Any) -> Any:
    """Customers by number of repeat purchases, actual vs model (expected counts, not a simulation)."""
    data = model.data
    if "n_periods" in data.columns:
        data = data.rename(columns={"n_periods": "T"})
    return _p.plot_period_transactions(_model(model), data, max_frequency, title=title, xlabel=xlabel,
                                       ylabel=ylabel, **kwargs)


def plot_calibration_purchases_vs_holdout_purchases(model: Any, calibration_holdout_matrix: Any,
                                                    kind: str = "frequency_cal", n: int = 7, **kwargs: Any) -> Any:
    """Mean holdout purchases, actual vs predicted, by a calibration column."""
    return _p.plot_calibration_purchases_vs_holdout_purchases(_model(model), calibration_holdout_matrix, kind=kind,
                                                              n=n, **kwargs)


def plot_frequency_recency_matrix(model: Any, T: float = 1, max_frequency: Optional[int] = None,
                                  max_recency: Optional[int] = None, title: Optional[str] = None,
                                  xlabel: str = "Customer's Historical Frequency",
                                  ylabel: str = "Customer's Recency", **kwargs: Any) -> Any:
    """Expected purchases in the next T periods by frequency and recency."""
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
