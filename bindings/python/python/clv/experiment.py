"""Measured value of actions: uplift of a treated group over a control group
(computed by ``clv::experiment`` in the Rust core; this module converts).

The effect is always treated − control, per customer; ``total = effect ×
population`` (by default the number of treated customers) is the incremental
value created, the "protected income". ``relative_effect = effect /
mean_control`` (``None`` when the control mean is 0).

- ``metric="continuous"`` (revenue, margin, CLV): Welch's interval and test
  (Welch 1947, Biometrika 34)::

      effect = x̄_t − x̄_c,  a = s²_t/n_t,  b = s²_c/n_c,  se = √(a + b)
      df = (a + b)² / (a²/(n_t − 1) + b²/(n_c − 1))       (Welch–Satterthwaite)
      CI = effect ± t_{df,(1+confidence)/2} · se,   t = effect/se,   p = 2·P(T_df > |t|)

- ``metric="binary"`` (retained yes/no as 0/1): the difference of proportions
  with Newcombe's hybrid score interval (Newcombe 1998, Statistics in
  Medicine 17, method 10) from Wilson intervals ``(l, u)`` of each group::

      CI = (δ − √((p_t − l_t)² + (u_c − p_c)²),  δ + √((u_t − p_t)² + (p_c − l_c)²))

  and the p-value of the pooled two-proportion score test
  ``z = δ / √(p̄(1 − p̄)(1/n_t + 1/n_c))`` (p = 1 when p̄ is 0 or 1).
- :func:`uplift_stratified`: effects within strata combined with treated
  weights ``w_s = n_t,s / n_t``: ``δ = Σ w_s δ_s``, ``Var δ = Σ w_s² (a_s + b_s)``;
  Satterthwaite df (continuous) or a Wald interval (binary).

Every invalid input raises :class:`clv.ClvError` naming the field (``treated``,
``control``, ``confidence``, ``population``, ``strata``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import numpy as np

from . import _clv
from ._convert import display_number, error, number, to_f64, whole

__all__ = [
    "Uplift",
    "StratumUplift",
    "StratifiedUplift",
    "uplift",
    "uplift_proportions",
    "uplift_stratified",
    "wilson_interval",
]


@dataclass(frozen=True)
class Uplift:
    """The measured effect of an action (see :func:`uplift`)."""

    #: ``"continuous"`` or ``"binary"``.
    metric: str
    #: ``"welch"``, ``"newcombe_hybrid_score"``, ``"stratified_welch_satterthwaite"`` or ``"stratified_wald"``.
    method: str
    confidence: float
    n_treated: int
    n_control: int
    #: Mean outcome of the treated group (a proportion for binary metrics).
    mean_treated: float
    #: Mean outcome of the control group (stratified: standardised to the treated mix, Σ w_s x̄_c,s).
    mean_control: float
    #: treated − control, per customer.
    effect: float
    ci_low: float
    ci_high: float
    #: Standard error of ``effect`` (binary: the unpooled Wald one, for information).
    std_error: float
    #: Degrees of freedom of the t distribution (continuous metrics), else None.
    df: Optional[float]
    #: Welch's t, or the z of the score test.
    statistic: float
    #: Two-sided p-value of "no effect".
    p_value: float
    #: ``effect / mean_control`` (None when the control mean is 0).
    relative_effect: Optional[float]
    #: The treated population ``total`` is computed for.
    population: float
    #: ``effect × population``: the incremental value created.
    total: float
    total_ci_low: float
    total_ci_high: float

    def __repr__(self) -> str:
        """One line, as the core's ``Display``: the effect with its interval, p-value and total."""
        n = display_number
        return (f"Uplift({self.metric} {self.method}: effect {n(self.effect)} per customer "
                f"[{n(self.ci_low)}, {n(self.ci_high)}] at {n(100 * self.confidence)}%, p = {n(self.p_value)}, "
                f"total {n(self.total)} [{n(self.total_ci_low)}, {n(self.total_ci_high)}]; "
                f"{self.n_treated} treated, {self.n_control} control)")


@dataclass(frozen=True)
class StratumUplift:
    """One stratum of a :class:`StratifiedUplift` (weight ``n_treated / total treated``)."""

    stratum: str
    n_treated: int
    n_control: int
    weight: float
    mean_treated: float
    mean_control: float
    effect: float
    std_error: float


@dataclass(frozen=True)
class StratifiedUplift:
    """A stratified uplift: the combined estimate (``overall``) and one row per stratum (sorted by label)."""

    overall: Uplift
    strata: List[StratumUplift]


def _group(name: str, x: Any) -> np.ndarray:
    a = to_f64(name, x, booleans=True)  # 0/1 outcomes of the binary metric may come as booleans
    if a.ndim != 1:
        raise error(f"invalid {name}: a scalar (expected a 1-d array of per-customer outcomes)", field=name)
    return np.ascontiguousarray(a, dtype=np.float64)


def _labels(name: str, x: Any) -> List[str]:
    if x is None or isinstance(x, (str, bytes)):
        raise error(f"invalid {name}: {x!r} (expected one stratum label per customer)", field=name)
    try:
        values = x.to_list() if hasattr(x, "to_list") else list(x)
    except TypeError:
        raise error(f"invalid {name}: {x!r} (expected one stratum label per customer)", field=name) from None
    return [str(v) for v in values]


def _options(confidence: Any, metric: Any, population: Any) -> Tuple[float, str, Optional[float]]:
    if not isinstance(metric, str):
        raise error(f"invalid metric: {metric!r} (expected \"continuous\" or \"binary\")", field="metric")
    pop = None if population is None else number("population", population)
    return number("confidence", confidence), metric, pop


def uplift(treated: Any, control: Any, confidence: float = 0.95, metric: str = "continuous",
           population: Optional[float] = None) -> Uplift:
    """Uplift of an action: treated vs control, per customer and in total.

    ``treated`` and ``control`` are the outcomes of each customer of the two
    groups (arrays, lists or Series; booleans count as 0/1). ``metric`` is
    ``"continuous"`` (Welch; at least 2 customers per group, not both
    constant) or ``"binary"`` (Newcombe hybrid score interval; values 0 or 1).
    ``population`` (default: the number of treated customers) multiplies the
    per-customer effect into ``total``, ``total_ci_low``, ``total_ci_high``.
    Formulas: see the module docstring.
    """
    c, m, p = _options(confidence, metric, population)
    d = _clv.uplift(_group("treated", treated), _group("control", control), c, m, p)
    return Uplift(**d)


def uplift_proportions(successes_treated: int, n_treated: int, successes_control: int, n_control: int,
                       confidence: float = 0.95, population: Optional[float] = None) -> Uplift:
    """Uplift on a binary metric from counts ``successes_treated / n_treated`` vs
    ``successes_control / n_control`` (Newcombe hybrid score interval, score-test
    p-value; see the module docstring)."""
    c, _, p = _options(confidence, "binary", population)
    d = _clv.uplift_proportions(whole("successes_treated", successes_treated), whole("n_treated", n_treated),
                                whole("successes_control", successes_control), whole("n_control", n_control),
                                c, p)
    return Uplift(**d)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Tuple[float, float]:
    """The Wilson score interval of ``successes / n`` (Wilson 1927)::

        (2x + z² ± z √(z² + 4x(1 − x/n))) / (2(n + z²)),   z = Φ⁻¹((1 + confidence)/2)
    """
    return _clv.wilson_interval(whole("successes", successes), whole("n", n), number("confidence", confidence))


def uplift_stratified(treated: Any, treated_strata: Any, control: Any, control_strata: Any,
                      confidence: float = 0.95, metric: str = "continuous",
                      population: Optional[float] = None) -> StratifiedUplift:
    """Uplift estimated within comparable strata (size band, RFM segment, ...) and
    combined with treated-population weights::

        w_s = n_t,s / n_t,   δ = Σ w_s (x̄_t,s − x̄_c,s),   Var δ = Σ w_s² (s²_t,s/n_t,s + s²_c,s/n_c,s)

    (binary: ``s² = p(1 − p)``). Continuous: Student's t with Satterthwaite's
    ``df = Var² / Σ w_s⁴ (a_s²/(n_t,s − 1) + b_s²/(n_c,s − 1))`` (Welch's interval
    for one stratum); binary: the Wald interval ``δ ± z √Var``. Each customer has
    a stratum label (converted with ``str``); every stratum needs treated and
    control customers (continuous: at least 2 of each), otherwise
    :class:`clv.ClvError` with field ``strata`` names it.
    """
    c, m, p = _options(confidence, metric, population)
    d = _clv.uplift_stratified(_group("treated", treated), _labels("treated_strata", treated_strata),
                               _group("control", control), _labels("control_strata", control_strata), c, m, p)
    return StratifiedUplift(overall=Uplift(**d["overall"]), strata=[StratumUplift(**s) for s in d["strata"]])
