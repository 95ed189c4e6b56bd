"""``lifetimes.utils`` on the clv core: transaction log summaries, CLV and the
model-checking series (``expected_cumulative_transactions``,
``calculate_alive_path``; their numbers come from ``clv::diagnostics``)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from ... import _clv
from ..._convert import customers, error, months, result
from ...summary import rfm_summary

__all__ = [
    "ConvergenceError",
    "summary_data_from_transaction_data",
    "calibration_and_holdout_data",
    "customer_lifetime_value",
    "_customer_lifetime_value",
    "expected_cumulative_transactions",
    "calculate_alive_path",
]


class ConvergenceError(_clv.ClvError):
    """lifetimes' ``ConvergenceError``: a fit of a ``clv.compat.lifetimes`` fitter that does not
    converge (code ``NOT_CONVERGED``) or whose data do not identify the model (``NOT_IDENTIFIED``,
    where lifetimes' optimiser fails or runs off). It is a ``clv.ClvError`` (so a ``ValueError``,
    as lifetimes') with the same ``code``, ``field`` and message."""


def _convergence_errors(fit: Any) -> Any:
    """``fit()``, with the core's NOT_CONVERGED and NOT_IDENTIFIED raised as
    :class:`ConvergenceError`."""
    try:
        return fit()
    except _clv.ClvError as e:
        if getattr(e, "code", None) not in ("NOT_CONVERGED", "NOT_IDENTIFIED"):
            raise
        err = ConvergenceError(*e.args)
        err.code, err.field = e.code, getattr(e, "field", None)  # type: ignore[attr-defined]
        raise err from e


_NO_DATA = ("There is no data available. Check the `observation_period_end` and `calibration_period_end` "
            "and confirm that values in `transactions` occur prior to those dates.")


def _no_first(include_first_transaction: bool) -> None:
    if include_first_transaction:
        raise error("invalid include_first_transaction: True (not supported: clv counts repeat purchases only, "
                    "as lifetimes' default)", field="include_first_transaction")


def summary_data_from_transaction_data(
    transactions: Any, customer_id_col: str, datetime_col: str, monetary_value_col: Optional[str] = None,
    datetime_format: Optional[str] = None, observation_period_end: Any = None, freq: str = "D",
    freq_multiplier: float = 1, include_first_transaction: bool = False,
) -> pd.DataFrame:
    """frequency, recency, T (and monetary_value) per customer, indexed by
    customer id: :func:`clv.rfm_summary` with lifetimes' argument order."""
    _no_first(include_first_transaction)
    return rfm_summary(transactions, customer_id_col, datetime_col, monetary_value_col, observation_period_end,
                       freq, None, datetime_format, freq_multiplier)


def calibration_and_holdout_data(
    transactions: Any, customer_id_col: str, datetime_col: str, calibration_period_end: Any,
    observation_period_end: Any = None, freq: str = "D", freq_multiplier: float = 1,
    datetime_format: Optional[str] = None, monetary_value_col: Optional[str] = None,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    """frequency_cal, recency_cal, T_cal, [monetary_value_cal], frequency_holdout,
    [monetary_value_holdout], duration_holdout per customer (lifetimes' columns)."""
    _no_first(include_first_transaction)
    try:
        s = rfm_summary(transactions, customer_id_col, datetime_col, monetary_value_col, observation_period_end,
                        freq, calibration_period_end, datetime_format, freq_multiplier)
    except _clv.ClvError as e:
        if getattr(e, "code", None) != "EMPTY_INPUT" or len(transactions) == 0:
            raise
        first = _first_date(transactions, datetime_col, datetime_format)
        raise error(f"{_NO_DATA} None of the {len(transactions)} transactions is on or before "
                    f"calibration_period_end = {calibration_period_end} and observation_period_end = "
                    f"{observation_period_end}{first}.", code="EMPTY_INPUT", field="calibration_period_end") from None
    if len(s) and not (np.asarray(s["frequency_holdout"]) > 0).any() and not _any_holdout_row(
            transactions, datetime_col, datetime_format, calibration_period_end, observation_period_end):
        raise error(f"{_NO_DATA} No transaction falls in the holdout period (calibration_period_end = "
                    f"{calibration_period_end}, observation_period_end = {observation_period_end}].",
                    code="EMPTY_INPUT", field="observation_period_end")
    return s.rename(columns={"frequency": "frequency_cal", "recency": "recency_cal", "T": "T_cal",
                             "monetary_value": "monetary_value_cal"})


def customer_lifetime_value(
    transaction_prediction_model: Any, frequency: Any, recency: Any, T: Any, monetary_value: Any,
    time: int = 12, discount_rate: float = 0.01, freq: str = "D",
) -> Any:
    """lifetimes' ``_customer_lifetime_value``: CLV with ``monetary_value`` used
    as each customer's spend per transaction (no spend model)."""
    tm = getattr(transaction_prediction_model, "_model", transaction_prediction_model)
    (x, tx, t, m), index, scalar = customers(("frequency", "recency", "T", "monetary_value"),
                                             (frequency, recency, T, monetary_value))
    time = months(time)
    v = _clv.customer_lifetime_value(tm._fitted(), m, x, tx, t, time, float(discount_rate), str(freq))
    return result(v, index, scalar, "clv")


#: lifetimes 0.11.3's name of :func:`customer_lifetime_value`.
_customer_lifetime_value = customer_lifetime_value


def _dates(transactions: Any, datetime_col: str, datetime_format: Optional[str]) -> pd.Series:
    return pd.to_datetime(transactions[datetime_col], format=datetime_format)


def _first_date(transactions: Any, datetime_col: str, datetime_format: Optional[str]) -> str:
    """`` (the earliest is …)`` for an error message, or ``""`` when the dates do not parse."""
    try:
        return f" (the earliest is {_dates(transactions, datetime_col, datetime_format).min().date()})"
    except (ValueError, TypeError):
        return ""


def _any_holdout_row(transactions: Any, datetime_col: str, datetime_format: Optional[str],
                     calibration_period_end: Any, observation_period_end: Any) -> bool:
    """Whether a row lies in (calibration_period_end, observation_period_end] (lifetimes' check)."""
    try:
        d = _dates(transactions, datetime_col, datetime_format)
        cal = pd.to_datetime(calibration_period_end, format=datetime_format)
        end = d.max() if observation_period_end is None else pd.to_datetime(observation_period_end,
                                                                             format=datetime_format)
        return bool(((d > cal) & (d <= end)).any())
    except (ValueError, TypeError):
        return True


def _model_core(model: Any) -> Any:
    return getattr(model, "_model", model)._fitted()


def expected_cumulative_transactions(
    model: Any, transactions: Any, datetime_col: str, customer_id_col: str, t: int,
    datetime_format: Optional[str] = None, freq: str = "D", freq_multiplier: int = 1,
    set_index_date: bool = False,
) -> pd.DataFrame:
    """Actual and expected cumulative repeat transactions of the customer base over the
    ``t`` periods (of ``freq``) from the first transaction: columns ``actual`` and
    ``predicted``, one row per model unit (``freq_multiplier`` periods), indexed
    ``0 .. t // freq_multiplier - 1`` or by period (``set_index_date``).

    Customers join in cohorts by the period of their first purchase; at the start of
    period ``i`` the expectation is ``Σ_c n_c · E[X((i − c) / freq_multiplier)]`` over the
    cohorts ``c < i`` (Fader, Hardie & Lee 2005, "A Note on Implementing the Pareto/NBD
    Model in MATLAB", p. 8), computed by ``clv::diagnostics::tracking_series``; a repeat
    transaction is a customer's purchase period after their first (several purchases of
    a customer in one period count once, as in the summaries)."""
    from ... import plotting as _p

    t = int(t)
    m = int(freq_multiplier)
    s = _p.tracking_series(model, transactions, customer_id_col, datetime_col, t, freq, m, datetime_format)
    if set_index_date:
        start = pd.PeriodIndex(_dates(transactions, datetime_col, datetime_format), freq=freq).min()
        index: Any = pd.period_range(start=start, periods=t + 1, freq=freq)[m - 1: -1: m]
    else:
        index = range(0, t // m)
    return pd.DataFrame({"actual": s["actual"].to_numpy().astype(np.int64), "predicted": s["expected"].to_numpy()},
                        index=index)


def calculate_alive_path(model: Any, transactions: Any, datetime_col: str, t: int, freq: str = "D") -> pd.Series:
    """P(alive) of one customer at each age ``0 .. t`` periods of ``freq`` since the period
    of their first purchase (``transactions`` holds that customer's rows): at age T,
    ``x`` = later periods with a purchase so far and ``t_x`` = the last of them, then the
    model's ``P(alive | x, t_x, T)`` (``clv::diagnostics::alive_path``). A Series indexed
    by age."""
    dates = pd.DatetimeIndex(pd.to_datetime(transactions[datetime_col]))
    counts = pd.Series(1.0, index=dates).resample(freq).sum()
    path = _clv.alive_path(_model_core(model), np.ascontiguousarray(counts.to_numpy(dtype=float)), int(t))
    return pd.Series(path["prob_alive"])
