"""Deterministic value formulas on exact decimals (``clv::formulas``, rust_decimal).

Arguments are ``decimal.Decimal``, ``int`` or decimal strings (a ``float`` is
read through its shortest ``repr``, e.g. ``0.1`` → ``Decimal("0.1")``);
results are ``decimal.Decimal`` computed exactly (28 significant digits) in
the Rust core. Money in, money out: nothing passes through binary floating
point.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional, Sequence, Union

from . import _clv
from ._convert import error, whole

Number = Union[Decimal, int, str, float]

__all__ = [
    "waland_cole",
    "waland_cole_constant",
    "simple_clv",
    "retention_clv",
    "contribution_margin",
    "contribution_margins",
]


def _s(field: str, v: Number) -> str:
    if isinstance(v, bool):
        raise error(f"invalid {field}: {v!r} (expected a decimal number)", field=field)
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise error(f"invalid {field}: {v} (expected a finite decimal number)", field=field)
        return str(v)
    if isinstance(v, (int, str)):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    raise error(f"invalid {field}: {v!r} (expected a Decimal, int or decimal string)", field=field)


def _series(field: str, values: Union[Number, Sequence[Number]], n: Optional[int]) -> list:
    if isinstance(values, (Decimal, int, str, float)):
        return [_s(field, values)] * (n if n is not None else 1)
    return [_s(f"{field}[{i}]", v) for i, v in enumerate(values)]


def waland_cole(
    volume: Union[Number, Sequence[Number]],
    margin: Union[Number, Sequence[Number]],
    direct_costs: Union[Number, Sequence[Number]],
    retention_costs: Union[Number, Sequence[Number]],
    acquisition_cost: Number,
    cost_of_capital: Number,
    periods: Optional[int] = None,
) -> Decimal:
    """Waland & Cole client value

    ``VC = Σ_{t=1..n} (Vol_t·M_t − D_t − R_t)·d^t − A``, ``d = 1/(1+COC)``

    with per-period series (sequences of equal length n) or constants (then
    ``periods`` = n is required). Vol = volume (units), M = margin per unit,
    D = direct costs, R = retention costs (money per period), A = acquisition
    cost, COC = cost of capital per period (e.g. ``Decimal("0.1")``).
    """
    scalars = all(isinstance(v, (Decimal, int, str, float)) for v in (volume, margin, direct_costs, retention_costs))
    if scalars:
        if periods is None:
            raise error("invalid periods: None (expected the number of periods for constant inputs)", field="periods")
        return Decimal(_clv.waland_cole_constant(
            _s("volume", volume), _s("margin", margin), _s("direct_costs", direct_costs),  # type: ignore[arg-type]
            _s("retention_costs", retention_costs), whole("periods", periods),  # type: ignore[arg-type]
            _s("acquisition_cost", acquisition_cost), _s("cost_of_capital", cost_of_capital),
        ))
    n = next(len(v) for v in (volume, margin, direct_costs, retention_costs) if not isinstance(v, (Decimal, int, str, float)))  # type: ignore[arg-type]
    return Decimal(_clv.waland_cole(
        _series("volume", volume, n), _series("margin", margin, n),
        _series("direct_costs", direct_costs, n), _series("retention_costs", retention_costs, n),
        _s("acquisition_cost", acquisition_cost), _s("cost_of_capital", cost_of_capital),
    ))


def waland_cole_constant(
    volume: Number, margin: Number, direct_costs: Number, retention_costs: Number,
    periods: int, acquisition_cost: Number, cost_of_capital: Number,
) -> Decimal:
    """:func:`waland_cole` with the same volume, margin and costs in every one of ``periods`` periods."""
    return waland_cole(volume, margin, direct_costs, retention_costs, acquisition_cost, cost_of_capital, periods)


def simple_clv(
    average_purchase_value: Number,
    purchase_frequency: Number,
    lifespan: Number,
    margin_rate: Number,
    acquisition_cost: Number = 0,
    retention_cost: Number = 0,
) -> Decimal:
    """Simple CLV = APV × purchase frequency × lifespan × margin rate −
    acquisition cost − retention cost (money; margin rate in [0, 1])."""
    return Decimal(_clv.simple_clv(
        _s("average_purchase_value", average_purchase_value), _s("purchase_frequency", purchase_frequency),
        _s("lifespan", lifespan), _s("margin_rate", margin_rate),
        _s("acquisition_cost", acquisition_cost), _s("retention_cost", retention_cost),
    ))


def retention_clv(margin: Number, retention: Number, discount_rate: Number, periods: Optional[int] = None) -> Decimal:
    """Retention-based CLV: ``m·r/(1+i−r)`` (infinite horizon, margin m per
    period, retention rate r in [0, 1), discount rate i ≥ 0 per period) or, with
    ``periods`` = n, the finite sum ``m · Σ_{t=1..n} (r/(1+i))^t``."""
    return Decimal(_clv.retention_clv(
        _s("margin", margin), _s("retention", retention), _s("discount_rate", discount_rate),
        None if periods is None else whole("periods", periods),
    ))


def contribution_margin(revenue: Number, variable_costs: Number, cost_to_serve: Number = 0) -> Decimal:
    """Contribution margin = revenue − variable costs − cost to serve (money)."""
    return Decimal(_clv.contribution_margin(
        _s("revenue", revenue), _s("variable_costs", variable_costs), _s("cost_to_serve", cost_to_serve)))


def contribution_margins(
    revenue: Sequence[Number], variable_costs: Sequence[Number], cost_to_serve: Sequence[Number],
) -> list:
    """:func:`contribution_margin` for many customers (equal-length sequences); a list of Decimal."""
    out = _clv.contribution_margins(
        [_s(f"revenue[{i}]", v) for i, v in enumerate(revenue)],
        [_s(f"variable_costs[{i}]", v) for i, v in enumerate(variable_costs)],
        [_s(f"cost_to_serve[{i}]", v) for i, v in enumerate(cost_to_serve)],
    )
    return [Decimal(v) for v in out]
