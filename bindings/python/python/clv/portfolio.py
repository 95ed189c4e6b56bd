"""Portfolio measures: the customer base as a set of value-generating assets
(computed by ``clv::portfolio`` in the Rust core; this module converts).

Values are per-customer revenue, contribution margin or CLV (margins may be
negative); they must be finite. Customers are sorted by value, largest first,
ties in input order. With ``v₍₁₎ ≥ … ≥ v₍ₙ₎`` and the total ``V = Σ v > 0``:

- :func:`whale_curve`: ``cumulative_share[k−1] = (v₍₁₎ + … + v₍ₖ₎) / V``
  (k = 1..n, ends at 1), its peak ``peak_share = max_k cumulative_share[k−1]``
  (above 1 when some customers destroy value) reached at ``peak_fraction =
  k*/n``, the shares of the top 1, 5, 10, 20, 50 % (the top p of customers
  is the top ``⌈p·n⌉``), the value destroyers and the Gini coefficient
  (Kaplan & Narayanan 2001, "Measuring and Managing Customer Profitability",
  J. Cost Management 15(5)).
- :func:`gini`: ``G = Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ)``, ``μ = V/n`` (population
  version; not normalised when values are negative, so it can exceed 1).
- :func:`value_tiers`: A/B/C tiers by cumulative share of value (a customer
  is in the first tier j whose cut exceeds the share of the customers before
  it) or by quantile (the top ``⌈cut_j·n⌉`` customers); tied values share a
  tier.
- :func:`revenue_at_risk` / :func:`risk_ranking`: ``value × (1 − P(alive))``.
- :func:`offer_ceiling`: the most one may spend to keep a customer,
  ``s · (1 − p) · clv / p`` when ``clv > 0`` (else 0), with ``p = P(alive)``
  and ``s`` the offer's success rate.
- :func:`customer_totals`: revenue, transactions and a contribution margin
  ``margin_rate · revenue − cost_per_transaction · transactions`` per customer
  from a transaction log.

Every invalid input raises :class:`clv.ClvError` naming the field: an empty
portfolio, a NaN or infinite value, a total ≤ 0 where shares are needed,
``p_alive`` outside [0, 1], lengths that differ, bad cut points. See
``docs/portfolio.md`` for the definitions and a worked CDNOW example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from . import _clv
from ._convert import _is_pandas, _is_polars, customers, display_number, error, number, result, to_f64

__all__ = [
    "TOP_FRACTIONS",
    "DEFAULT_CUTS",
    "TopShare",
    "WhaleCurve",
    "TierSummary",
    "ValueTiers",
    "CustomerAtRisk",
    "RiskRanking",
    "OfferCeiling",
    "whale_curve",
    "gini",
    "value_tiers",
    "revenue_at_risk",
    "risk_ranking",
    "offer_ceiling",
    "customer_totals",
]

#: Fractions of customers whose value share :func:`whale_curve` reports.
TOP_FRACTIONS: Tuple[float, ...] = (0.01, 0.05, 0.10, 0.20, 0.50)
#: Default cut points of :func:`value_tiers`: A = top 80 % of value, B = next 15 %, C = the rest.
DEFAULT_CUTS: Tuple[float, float] = (0.8, 0.95)


def _vector(name: str, x: Any) -> np.ndarray:
    """A per-customer argument as a contiguous 1-d float64 array (a scalar is an error)."""
    a = to_f64(name, x)
    if a.ndim != 1:
        raise error(f"invalid {name}: a scalar (expected a 1-d array of per-customer values)", field=name)
    return np.ascontiguousarray(a, dtype=np.float64)


def _index(x: Any) -> Any:
    """The index of a pandas Series (or None)."""
    if _is_pandas(x) and hasattr(x, "index") and getattr(x, "ndim", 0) == 1:
        return x.index
    return None


@dataclass(frozen=True)
class TopShare:
    """The share of value of the top ``fraction`` of customers (``customers = ⌈fraction·n⌉``, at least 1)."""

    fraction: float
    customers: int
    share: float


@dataclass(frozen=True, eq=False)
class WhaleCurve:
    """The whale curve of a customer base (see :func:`whale_curve`).

    Positions (``order``, ``destroyers``) are 0-based positions in the input;
    with a pandas Series ``values.index[curve.order]`` gives the labels.
    """

    #: Input positions by value, largest first (ties in input order).
    order: np.ndarray
    #: The values in that order.
    sorted_values: np.ndarray
    #: ``(v₍₁₎ + … + v₍ₖ₎) / V`` for k = 1..n; ends at 1.
    cumulative_share: np.ndarray
    #: ``V = Σ v`` (> 0).
    total: float
    #: Sum of the positive values (value created).
    created: float
    #: Sum of the negative values (value destroyed, ≤ 0).
    destroyed: float
    #: Maximum of ``cumulative_share`` (1 without value destroyers, above 1 with).
    peak_share: float
    #: Customers at the peak (first position of the maximum, counted from 1).
    peak_customers: int
    #: ``peak_customers / n``.
    peak_fraction: float
    #: Shares of the top 1, 5, 10, 20 and 50 % of customers.
    top_shares: List[TopShare]
    #: Input positions of the customers with a negative value, most negative first.
    destroyers: np.ndarray
    #: Gini coefficient of the values (see :func:`gini`).
    gini: float

    def __len__(self) -> int:
        return len(self.order)

    def __repr__(self) -> str:
        """One line, as the core's ``Display``: customers, total, the top 20 %'s share, Gini."""
        top = next((t for t in self.top_shares if t.fraction == 0.2), None)
        share = "" if top is None else f", top 20% ({top.customers}) hold {100 * top.share:.1f}%"
        return (f"WhaleCurve({len(self)} customers, total {display_number(self.total)}{share}, "
                f"Gini {self.gini:.4f}, {len(self.destroyers)} value destroyers)")


@dataclass(frozen=True)
class TierSummary:
    """One tier of :class:`ValueTiers`: its customers, their value and its share of the total
    (``None`` when the total is ≤ 0, possible with ``method="quantile"``)."""

    tier: str
    customers: int
    value: float
    share: Optional[float]


@dataclass(frozen=True, eq=False)
class ValueTiers:
    """Value tiers (see :func:`value_tiers`)."""

    #: ``"share"`` or ``"quantile"``.
    method: str
    #: The cut points used.
    cuts: Tuple[float, ...]
    #: Tier label of each customer in input order: a numpy array of str, or a
    #: pandas Series with the input's index.
    tier: Any
    #: One row per tier, A first (a tier may be empty).
    tiers: List[TierSummary]

    def __repr__(self) -> str:
        """One line, as the core's ``Display``: customers and share of value per tier."""
        tiers = "; ".join(f"{t.tier}: {t.customers} customers" + ("" if t.share is None else f", {100 * t.share:.1f}%")
                          for t in self.tiers)
        return f"ValueTiers({self.method}; {tiers})"

    def summary(self) -> Any:
        """The tiers as a pandas DataFrame indexed by tier: ``customers, value, share``."""
        import pandas as pd

        return pd.DataFrame(
            {"customers": [t.customers for t in self.tiers], "value": [t.value for t in self.tiers],
             "share": [t.share for t in self.tiers]},
            index=pd.Index([t.tier for t in self.tiers], name="tier"),
        )


@dataclass(frozen=True)
class CustomerAtRisk:
    """A customer with a positive value at risk (see :class:`RiskRanking`); ``index`` is
    its 0-based position in the input."""

    index: int
    value: float
    p_alive: float
    value_at_risk: float


@dataclass(frozen=True, eq=False)
class RiskRanking:
    """Revenue at risk of a portfolio (see :func:`risk_ranking`)."""

    #: ``value × (1 − p_alive)`` per customer (numpy array, or Series with the input's index).
    value_at_risk: Any
    #: ``Σ value × (1 − p_alive)`` (net of value destroyers).
    total: float
    #: ``Σ value``.
    total_value: float
    #: ``total / total_value`` (``None`` when ``total_value ≤ 0``).
    share: Optional[float]
    #: ``Σ value × p_alive``: the value expected to stay.
    expected_retained: float
    #: Customers with a positive value at risk, largest first (ties in input order).
    at_risk: List[CustomerAtRisk]
    #: The input's index (pandas) or None.
    labels: Any = None

    def __repr__(self) -> str:
        """One line, as the core's ``Display``: the total at risk, its share, the value expected to stay."""
        share = "" if self.share is None else f" ({100 * self.share:.1f}%)"
        return (f"RiskRanking(at risk {display_number(self.total)} of {display_number(self.total_value)}{share}, "
                f"expected to stay {display_number(self.expected_retained)}, {len(self.at_risk)} customers at risk)")

    def ranking(self) -> Any:
        """``at_risk`` as a pandas DataFrame (``value, p_alive, value_at_risk``), indexed by
        the input's labels when a Series was given, else by position."""
        import pandas as pd

        pos = [c.index for c in self.at_risk]
        index = self.labels[pos] if self.labels is not None else pd.Index(pos)
        return pd.DataFrame(
            {"value": [c.value for c in self.at_risk], "p_alive": [c.p_alive for c in self.at_risk],
             "value_at_risk": [c.value_at_risk for c in self.at_risk]},
            index=index,
        )


@dataclass(frozen=True, eq=False)
class OfferCeiling:
    """Retention-offer ceilings per customer (see :func:`offer_ceiling`); each field is a
    numpy array, or a pandas Series with the input's index."""

    #: ``clv / p_alive``: expected future value if the customer is kept.
    value_if_retained: Any
    #: 0: a lost customer buys nothing.
    value_if_lost: Any
    #: ``clv``: expected future value with no offer.
    value_without_offer: Any
    #: The most one may spend on the offer, ≥ 0.
    ceiling: Any


def whale_curve(values: Any) -> WhaleCurve:
    """The whale (Pareto) curve of per-customer ``values``.

    With ``v₍₁₎ ≥ … ≥ v₍ₙ₎`` and ``V = Σ v > 0``::

        cumulative_share[k−1] = (v₍₁₎ + … + v₍ₖ₎) / V      k = 1..n (ends at 1)
        peak_share    = max_k cumulative_share[k−1]       (1 when no value is negative)
        peak_fraction = k* / n, k* the first k at the maximum
        top share(p)  = cumulative_share[⌈p·n⌉ − 1]

    Raises :class:`clv.ClvError` (field ``values``) for no customer, a NaN or
    infinite value, or a total ≤ 0 (shares of it are undefined).
    """
    d = _clv.whale_curve(_vector("values", values))
    d["order"] = d["order"].astype(np.intp)
    d["destroyers"] = d["destroyers"].astype(np.intp)
    d["top_shares"] = [TopShare(**t) for t in d["top_shares"]]
    return WhaleCurve(**d)


def gini(values: Any) -> float:
    """The Gini coefficient ``G = Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ)``, ``μ = Σ v / n > 0``
    (population version; 0 for equal values, ``(n − 1)/n`` when one customer holds
    everything; with negative values it is kept unnormalised and can exceed 1).

    Raises :class:`clv.ClvError` as :func:`whale_curve`.
    """
    return _clv.gini(_vector("values", values))


def value_tiers(values: Any, cuts: Sequence[float] = DEFAULT_CUTS, method: str = "share") -> ValueTiers:
    """Value tiers A, B, C, … (``k`` cuts make ``k + 1`` tiers).

    Customers are sorted by value, largest first; for the customer at position
    k (1-based):

    - ``method="share"`` (ABC analysis; alias ``"cumulative_share"``): its
      tier is the first j with ``S(k−1) < cuts[j]``, ``S(k−1)`` the cumulative
      share of the customers before it (``S(0) = 0``), else the last tier. So A
      is the smallest group of top customers whose value reaches ``cuts[0]``.
    - ``method="quantile"``: the first j with ``k ≤ ⌈cuts[j]·n⌉``, else the last.

    Tied values all get the tier of the first of them. ``cuts`` are strictly
    increasing in (0, 1], 1 to 25 of them. ``tier`` is a pandas Series with the
    input's index when ``values`` is a Series.
    """
    if not isinstance(method, str):
        raise error(f"invalid method: {method!r} (expected \"share\" or \"quantile\")", field="method")
    c = np.ascontiguousarray(np.atleast_1d(to_f64("cuts", cuts)), dtype=np.float64)
    d = _clv.value_tiers(_vector("values", values), c, method)
    tier: Any = np.asarray(d["tier"], dtype=str)
    index = _index(values)
    if index is not None:
        import pandas as pd

        tier = pd.Series(tier, index=index, name="tier")
    return ValueTiers(method=d["method"], cuts=tuple(d["cuts"]), tier=tier,
                      tiers=[TierSummary(**t) for t in d["tiers"]])


def revenue_at_risk(values: Any, p_alive: Any) -> Any:
    """Revenue at risk per customer: ``value × (1 − p_alive)``.

    ``values`` is what each customer brings while active (revenue, margin, or
    a CLV given alive), ``p_alive`` the model's P(alive) (e.g.
    :meth:`clv.BetaGeo.prob_alive`); a scalar broadcasts. Returns a numpy
    array, a pandas Series with the input's index when a Series was given, or
    a float for scalars. Raises :class:`clv.ClvError` for no customer, a
    non-finite value, ``p_alive`` outside [0, 1] or lengths that differ.
    """
    (v, p), index, scalar = customers(("values", "p_alive"), (values, p_alive))
    return result(_clv.revenue_at_risk(v, p), index, scalar, "revenue_at_risk")


def risk_ranking(values: Any, p_alive: Any) -> RiskRanking:
    """Revenue at risk with totals and the customers ranked by value at stake::

        value_at_risk_i   = value_i × (1 − p_alive_i)
        total             = Σ value_at_risk_i,   share = total / Σ value   (None if Σ value ≤ 0)
        expected_retained = Σ value_i × p_alive_i

    ``at_risk`` lists the customers with a positive value at risk, largest
    first; :meth:`RiskRanking.ranking` gives them as a DataFrame. Errors as
    :func:`revenue_at_risk`.
    """
    (v, p), index, _ = customers(("values", "p_alive"), (values, p_alive))
    d = _clv.risk_ranking(v, p)
    d["value_at_risk"] = result(d["value_at_risk"], index, False, "value_at_risk")
    d["at_risk"] = [CustomerAtRisk(**c) for c in d["at_risk"]]
    return RiskRanking(**d, labels=index)


def offer_ceiling(clv: Any, p_alive: Any, success_rate: float = 1.0) -> OfferCeiling:
    """The retention-offer ceiling: the most one may spend to keep a customer
    without destroying value, in expectation.

    A BTYD CLV is ``clv = p · V_r`` (``p = P(alive)``, ``V_r`` the value given
    active; Fader, Hardie & Lee 2005, eq. 10 and 13), so per customer::

        value_if_retained   V_r = clv / p
        value_if_lost       V_l = 0
        value_without_offer     = p·V_r + (1 − p)·V_l = clv
        ceiling = s · (1 − p) · (V_r − V_l)  if V_r > V_l, else 0

    with ``s = success_rate`` ∈ [0, 1], the probability that the offer keeps
    a customer who would otherwise be lost. ``p_alive`` must be in (0, 1].
    Fields are numpy arrays, or pandas Series with the input's index.
    """
    (c, p), index, _ = customers(("clv", "p_alive"), (clv, p_alive))
    d = _clv.offer_ceiling(c, p, number("success_rate", success_rate))
    return OfferCeiling(**{k: result(v, index, False, k) for k, v in d.items()})


def customer_totals(transactions: Any, customer_id_col: str = "customer_id", monetary_value_col: str = "amount",
                    margin_rate: float = 1.0, cost_per_transaction: float = 0.0) -> Any:
    """Revenue, transactions and a contribution margin per customer from a
    transaction log (a pandas or polars DataFrame)::

        revenue_c      = Σ amounts of c's rows
        transactions_c = number of c's rows
        margin_c       = margin_rate · revenue_c − cost_per_transaction · transactions_c

    a stand-in for revenue − variable costs − cost to serve when only a gross
    margin rate and a cost per order are known (the defaults give the revenue).
    Returns a pandas DataFrame indexed by customer id (order of first
    appearance) with columns ``revenue, transactions, margin`` (for a polars
    frame a polars DataFrame with the id column first); its ``margin`` column
    is ready for :func:`whale_curve`.
    """
    import pandas as pd

    polars = _is_polars(transactions)
    cols = list(getattr(transactions, "columns", []))
    for n in (customer_id_col, monetary_value_col):
        if n not in cols:
            raise error(f"missing column {n!r}; the frame has: {', '.join(map(str, cols))}",
                        code="MISSING_COLUMN", field=n)
    # polars columns through numpy (to_pandas would need pyarrow)
    column = (lambda n: pd.Series(transactions.get_column(n).to_numpy())) if polars else transactions.__getitem__
    ids = column(customer_id_col)
    codes, uniques = pd.factorize(ids, sort=False)
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        raise error(f"invalid {customer_id_col}[{i}]: missing (expected a customer id)", field=customer_id_col)
    amounts = _vector(monetary_value_col, column(monetary_value_col))
    rate, cost = number("margin_rate", margin_rate), number("cost_per_transaction", cost_per_transaction)
    d = _clv.customer_totals(np.ascontiguousarray(codes, dtype=np.uint32), len(uniques), amounts, rate, cost)
    if polars:
        import polars as pl

        return pl.DataFrame({customer_id_col: np.asarray(uniques), **d})
    return pd.DataFrame(d, index=pd.Index(uniques, name=customer_id_col))
