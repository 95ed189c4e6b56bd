"""``lifetimes.utils`` on the clv core: transaction log summaries and CLV."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from ... import _clv
from ..._convert import customers, error, result
from ...summary import rfm_summary

__all__ = ["summary_data_from_transaction_data", "calibration_and_holdout_data", "customer_lifetime_value"]


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
    s = rfm_summary(transactions, customer_id_col, datetime_col, monetary_value_col, observation_period_end,
                    freq, calibration_period_end, datetime_format, freq_multiplier)
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
    if isinstance(time, bool) or not isinstance(time, (int, np.integer)) or time < 0:
        raise error(f"invalid time: {time!r} (expected a whole number of months >= 0)", field="time")
    v = _clv.customer_lifetime_value(tm._fitted(), m, x, tx, t, int(time), float(discount_rate), str(freq))
    return result(v, index, scalar, "clv")
