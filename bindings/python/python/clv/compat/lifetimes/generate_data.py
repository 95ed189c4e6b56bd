"""``lifetimes.generate_data`` on the clv core: simulated customer bases from the
models, with lifetimes' functions, arguments and columns.

The draws are the core's (``clv::simulate``, a seeded generator of its own, the
same data in every runtime); ``seed`` (an extra keyword) fixes them, and without
it the seed is taken from numpy's global generator, so ``np.random.seed(...)``
makes a run repeatable as with lifetimes. Differences, all deliberate:

- ``frequency`` is the number of repeat purchases the model generates (lifetimes
  counts the distinct whole time units with a purchase), ``recency`` the time of
  the last one;
- the ``_transactional_data`` functions place the first purchase ``T`` units
  before ``observation_period_end`` and each repeat purchase at its simulated
  time after it (lifetimes shifts the repeat purchases by one unit), so that
  ``summary_data_from_transaction_data`` gives back ``T``;
- ``pareto_nbd_model_transactional_data`` and
  ``modified_beta_geometric_nbd_model_transactional_data`` exist besides
  lifetimes' BG/NBD one.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from ... import models as _models
from ..._convert import error

__all__ = [
    "beta_geometric_nbd_model",
    "beta_geometric_nbd_model_transactional_data",
    "pareto_nbd_model",
    "pareto_nbd_model_transactional_data",
    "modified_beta_geometric_nbd_model",
    "modified_beta_geometric_nbd_model_transactional_data",
    "beta_geometric_beta_binom_model",
]


def _seed(seed: Optional[int]) -> int:
    if seed is None:
        return int(np.random.randint(0, 2 ** 63 - 1, dtype=np.int64))
    return int(seed)


def _ages(T: Any, size: int) -> np.ndarray:
    t = np.asarray(T, dtype=float)
    if t.ndim == 0:
        return np.full(int(size), float(t))
    if size not in (1, t.shape[0]):
        raise error(f"invalid size: {size} (T has {t.shape[0]} values)", field="size")
    return t


def _customers(model: Any, T: Any, size: int, seed: Optional[int], rate: str, dropout: str) -> pd.DataFrame:
    s = model.simulate(_ages(T, size), seed=_seed(seed))
    age = "n_periods" if "n_periods" in s.columns else "T"
    out = pd.DataFrame({"frequency": s["frequency"], "recency": s["recency"], age: s[age], rate: s["rate"],
                        dropout: s["dropout"], "alive": s["alive"].astype(float)})
    out.index = pd.RangeIndex(len(out), name="customer_id")
    out.attrs["purchases"] = s.attrs["purchases"]
    return out


def _transactions(data: pd.DataFrame, observation_period_end: Any, freq: Any) -> pd.DataFrame:
    end = pd.to_datetime(observation_period_end)
    first = end - pd.to_timedelta(data["T"].to_numpy(), unit=freq)
    p = data.attrs["purchases"]
    ids = np.concatenate([np.arange(len(data)), p["customer"].to_numpy()])
    dates = np.concatenate([first.to_numpy(),
                            (first[p["customer"].to_numpy()] + pd.to_timedelta(p["time"].to_numpy(),
                                                                               unit=freq)).to_numpy()])
    df = pd.DataFrame({"customer_id": ids, "date": dates})
    return df.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)


def beta_geometric_nbd_model(T: Any, r: float, alpha: float, a: float, b: float, size: int = 1,
                             seed: Optional[int] = None) -> pd.DataFrame:
    """BG/NBD customers observed for ``T`` units (a number, or one per customer): columns
    frequency, recency, T, lambda, p, alive, indexed by customer_id."""
    m = _models.BetaGeo.from_params(r=r, alpha=alpha, a=a, b=b)
    return _customers(m, T, size, seed, "lambda", "p")


def beta_geometric_nbd_model_transactional_data(T: Any, r: float, alpha: float, a: float, b: float,
                                                observation_period_end: Any = "2019-1-1", freq: str = "D",
                                                size: int = 1, seed: Optional[int] = None) -> pd.DataFrame:
    """The transactions (customer_id, date) of BG/NBD customers whose first purchase was
    ``T`` units of ``freq`` before ``observation_period_end``."""
    return _transactions(beta_geometric_nbd_model(T, r, alpha, a, b, size, seed), observation_period_end, freq)


def pareto_nbd_model(T: Any, r: float, alpha: float, s: float, beta: float, size: int = 1,
                     seed: Optional[int] = None) -> pd.DataFrame:
    """Pareto/NBD customers: columns frequency, recency, T, lambda, mu, alive, indexed by customer_id."""
    m = _models.ParetoNBD.from_params(r=r, alpha=alpha, s=s, beta=beta)
    return _customers(m, T, size, seed, "lambda", "mu")


def pareto_nbd_model_transactional_data(T: Any, r: float, alpha: float, s: float, beta: float,
                                        observation_period_end: Any = "2019-1-1", freq: str = "D", size: int = 1,
                                        seed: Optional[int] = None) -> pd.DataFrame:
    """The transactions (customer_id, date) of Pareto/NBD customers (see the module docs)."""
    return _transactions(pareto_nbd_model(T, r, alpha, s, beta, size, seed), observation_period_end, freq)


def modified_beta_geometric_nbd_model(T: Any, r: float, alpha: float, a: float, b: float, size: int = 1,
                                      seed: Optional[int] = None) -> pd.DataFrame:
    """MBG/NBD customers: columns frequency, recency, T, lambda, p, alive, indexed by customer_id."""
    m = _models.ModifiedBetaGeo.from_params(r=r, alpha=alpha, a=a, b=b)
    return _customers(m, T, size, seed, "lambda", "p")


def modified_beta_geometric_nbd_model_transactional_data(T: Any, r: float, alpha: float, a: float, b: float,
                                                         observation_period_end: Any = "2019-1-1", freq: str = "D",
                                                         size: int = 1, seed: Optional[int] = None) -> pd.DataFrame:
    """The transactions (customer_id, date) of MBG/NBD customers (see the module docs)."""
    return _transactions(modified_beta_geometric_nbd_model(T, r, alpha, a, b, size, seed), observation_period_end,
                         freq)


def beta_geometric_beta_binom_model(N: Any, alpha: float, beta: float, gamma: float, delta: float, size: int = 1,
                                    seed: Optional[int] = None) -> pd.DataFrame:
    """BG/BB customers with ``N`` transaction opportunities (a whole number, or one per
    customer): columns frequency, recency, n_periods, p, theta, alive, customer_id (as
    lifetimes, not indexed)."""
    m = _models.BetaGeoBetaBinom.from_params(alpha=alpha, beta=beta, gamma=gamma, delta=delta)
    out = _customers(m, N, size, seed, "p", "theta")
    purchases = out.attrs.pop("purchases")
    out = out.reset_index()
    out = out[["frequency", "recency", "n_periods", "p", "theta", "alive", "customer_id"]]
    out.attrs["purchases"] = purchases
    return out
