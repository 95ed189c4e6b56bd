"""The data sets shipped with ``lifetimes`` 0.11.3 (same files, same loaders).

CDNOW (Fader & Hardie): ``CDNOW_sample.txt`` (the papers' 1/10 sample, 2,357
customers), the 39-week calibration summaries; ``donations.csv`` (Fader,
Hardie & Shang 2010); ``example_transactions.csv`` (lifetimes' simulated log).
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

__all__ = [
    "load_dataset",
    "load_donations",
    "load_cdnow_summary",
    "load_transaction_data",
    "load_cdnow_summary_data_with_monetary_value",
]

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_dataset(filename: str, **kwargs: Any) -> pd.DataFrame:
    """Reads ``filename`` from this package with ``pandas.read_csv(**kwargs)``."""
    return pd.read_csv(os.path.join(_HERE, filename), **kwargs)


def load_donations(**kwargs: Any) -> pd.DataFrame:
    """The donations panel (frequency, recency, periods, weights)."""
    return load_dataset("donations.csv", **kwargs)


def load_cdnow_summary(**kwargs: Any) -> pd.DataFrame:
    """CDNOW 39-week calibration summary (ID, frequency, recency, T; weeks)."""
    return load_dataset("cdnow_customers_summary.csv", **kwargs)


def load_transaction_data(**kwargs: Any) -> pd.DataFrame:
    """lifetimes' simulated transaction log (date, id), 2014-01-01..2014-12-31."""
    return load_dataset("example_transactions.csv", **kwargs)


def load_cdnow_summary_data_with_monetary_value(**kwargs: Any) -> pd.DataFrame:
    """CDNOW summary with mean repeat spend, indexed by customer_id
    (frequency, recency, T, monetary_value)."""
    df = load_dataset("cdnow_customers_summary_with_transactions.csv", **kwargs)
    df.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return df.set_index("customer_id")
