"""Discounted customer lifetime value from a transaction model and a spend model
(``clv::value``, the ``lifetimes`` definition).

``CLV = Σ_{k=1..time} spend · (E[Y(k·u) | x, t_x, T] − E[Y((k−1)·u) | x, t_x, T]) / (1+discount_rate)^k``

with ``time`` in months, ``discount_rate`` per month, ``u`` = periods of the
summary's unit per month (``freq``: W 4.345, D 30, H 720, M 1, or ``"7d"``-style
multiples of days), and ``spend`` the Gamma-Gamma expected spend of each
customer. The result is in the currency of ``monetary_value``.

Units travel with the data: ``freq`` defaults to the unit the transaction model
was fitted in (``model.unit``), or the unit of the summary columns
(``attrs["unit"]`` of the Series), else ``"D"`` (as lifetimes; the same default
in every runtime). Units that disagree raise ``ClvError`` code ``UNIT_MISMATCH``.
"""

from __future__ import annotations

from typing import Any, Optional

from . import _clv
from ._convert import customers, data_unit, error, months, result
from .models import SpendModel, TransactionModel


def customer_lifetime_value(
    transaction_model: TransactionModel,
    spend_model: SpendModel,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: Optional[str] = None,
) -> Any:
    """Discounted CLV per customer over ``time`` months (see the module docstring).

    ``transaction_model`` is a fitted :class:`clv.BetaGeo`, :class:`clv.ParetoNBD`,
    :class:`clv.ModifiedBetaGeo` or :class:`clv.BetaGeoBetaBinom`;
    ``spend_model`` a fitted :class:`clv.GammaGamma`. Returns a numpy array, or
    a pandas Series with the input's index.
    """
    if not isinstance(transaction_model, TransactionModel):
        raise error(f"invalid transaction_model: {type(transaction_model).__name__} "
                    "(expected BetaGeo, ParetoNBD, ModifiedBetaGeo or BetaGeoBetaBinom)",
                    field="transaction_model")
    if not isinstance(spend_model, SpendModel):
        raise error(f"invalid spend_model: {type(spend_model).__name__} (expected GammaGamma)",
                    field="spend_model")
    time = months(time)
    (x, tx, t, m), index, scalar = customers(
        ("frequency", "recency", "T", "monetary_value"), (frequency, recency, T, monetary_value)
    )
    spend = spend_model._fitted().expected_spend([x, m])
    v = _clv.customer_lifetime_value(transaction_model._fitted(), spend, x, tx, t, time,
                                     float(discount_rate), None if freq is None else str(freq),
                                     data_unit(frequency, recency, T))
    return result(v, index, scalar, "clv")
