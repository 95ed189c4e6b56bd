"""Buy-till-you-die transaction models and the Gamma-Gamma / sBG models.

Every class is a thin wrapper around the Rust core (``clv._clv``): the
likelihoods, predictions, fits (Newton or L-BFGS on log-parameters), standard errors and
intervals are all computed there. Time is always in the unit of the summary
(``frequency``, ``recency``, ``T`` of :func:`clv.rfm_summary`); a model never
guesses units.

Per customer: ``frequency`` x = number of repeat purchases, ``recency`` t_x =
age at the last purchase, ``T`` = age at the end of observation (both in
periods since the first purchase).

References: Fader, Hardie & Lee (2005) BG/NBD; Schmittlein, Morrison & Colombo
(1987) Pareto/NBD; Batislam, Denizel & Filiztekin (2007) MBG/NBD; Fader,
Hardie & Shang (2010) BG/BB; Fader & Hardie (2007) sBG; Fader & Hardie (2013)
Gamma-Gamma. ``docs/models`` has every formula.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Tuple, TypeVar

import numpy as np

from . import _clv
from ._convert import customers, error, horizon, result, to_f64

__all__ = [
    "BetaGeo",
    "ParetoNBD",
    "ModifiedBetaGeo",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "ShiftedBetaGeo",
]

_M = TypeVar("_M", bound="_Model")


class _Model:
    """Shared surface: params, log_likelihood, summary(), JSON, pickling."""

    _param_names: ClassVar[Tuple[str, ...]] = ()
    _core: Any

    def __init__(self) -> None:
        self._core = None

    # -- construction -------------------------------------------------------------
    @classmethod
    def _from_core(cls: type[_M], core: Any) -> _M:
        m = cls()
        m._core = core
        return m

    @classmethod
    def _make_core_from_params(cls, values: Tuple[float, ...]) -> Any:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def _core_from_json(cls, text: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def from_params(cls: type[_M], **params: float) -> _M:
        """A model with known parameters, e.g. ``BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)``.

        Raises ``ClvError`` naming a missing or unknown parameter, or one that is
        not finite and > 0.
        """
        for name in params:
            if name not in cls._param_names:
                raise error(
                    f"invalid parameter {name!r} for {cls.__name__} (expected {', '.join(cls._param_names)})",
                    field=name,
                )
        missing = [n for n in cls._param_names if n not in params]
        if missing:
            raise error(
                f"missing parameter {missing[0]!r} for {cls.__name__} (expected {', '.join(cls._param_names)})",
                field=missing[0],
            )
        values = []
        for n in cls._param_names:
            try:
                values.append(float(params[n]))
            except (TypeError, ValueError):
                raise error(f"invalid {n}: {params[n]!r} (expected a finite number > 0)", field=n) from None
        return cls._from_core(cls._make_core_from_params(tuple(values)))

    @classmethod
    def from_json(cls: type[_M], text: str) -> _M:
        """Reads a model written by :meth:`to_json` (``ClvError`` code ``FORMAT_ERROR`` otherwise)."""
        return cls._from_core(cls._core_from_json(text))

    def to_json(self) -> str:
        """``{"format_version": 1, "model": ..., "params": {...}, "fit": {...} | null}``."""
        return str(self._fitted().to_json())

    # -- state ----------------------------------------------------------------------
    def _fitted(self) -> Any:
        if self._core is None:
            raise error(
                f"{type(self).__name__} has no parameters yet: call fit(...) or {type(self).__name__}.from_params(...)",
                code="NOT_FITTED",
            )
        return self._core

    @property
    def params(self) -> Dict[str, float]:
        """The parameters as a dict, in the model's order."""
        return {k: float(v) for k, v in self._fitted().params()}

    @property
    def fit_info(self) -> Optional[Dict[str, Any]]:
        """Fit diagnostics (log_likelihood, std_errors, lower_95, upper_95, iterations,
        converged, gradient_norm, n_observations); ``None`` for ``from_params`` models."""
        info = self._fitted().fit_info()
        return None if info is None else dict(info)

    @property
    def log_likelihood(self) -> Optional[float]:
        """Total (weighted) log-likelihood at the optimum; ``None`` for a model
        built with ``from_params`` (it was not fitted to data)."""
        info = self._fitted().fit_info()
        return None if info is None else float(info["log_likelihood"])

    def summary(self) -> Any:
        """A pandas DataFrame indexed by parameter: ``estimate``, ``std_error``,
        ``lower_95``, ``upper_95``.

        Standard errors are ``sqrt(diag((-H)^-1))`` with H the Hessian of the
        log-likelihood; the 95% intervals are log-scale Wald intervals
        ``θ·exp(±1.96·SE/θ)`` (always positive). NaN for a ``from_params`` model.
        """
        import pandas as pd

        p = self.params
        info = self._fitted().fit_info()
        k = len(p)
        nan = [float("nan")] * k
        return pd.DataFrame(
            {
                "estimate": list(p.values()),
                "std_error": info["std_errors"] if info else nan,
                "lower_95": info["lower_95"] if info else nan,
                "upper_95": info["upper_95"] if info else nan,
            },
            index=pd.Index(list(p.keys()), name="parameter"),
        )

    def __getstate__(self) -> Dict[str, Any]:
        return {"json": None if self._core is None else self._core.to_json()}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        text = state.get("json")
        self._core = None if text is None else type(self)._core_from_json(text)

    def __repr__(self) -> str:
        if self._core is None:
            return f"{type(self).__name__}()"
        inner = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Model)
        if self._core is None or other._core is None:
            return self._core is other._core
        return bool(self.to_json() == other.to_json())

    __hash__ = None  # type: ignore[assignment]


class _Transaction(_Model):
    """BG/NBD, MBG/NBD, Pareto/NBD and BG/BB."""

    _kind: ClassVar[str] = ""
    _age_name: ClassVar[str] = "T"

    @classmethod
    def _make_core_from_params(cls, values: Tuple[float, ...]) -> Any:
        a, b, c, d = values
        return _clv.TransactionModelCore.from_params(cls._kind, (a, b, c, d))

    @classmethod
    def _core_from_json(cls, text: str) -> Any:
        return _clv.TransactionModelCore.from_json(cls._kind, text)

    def _fit(self: _M, frequency: Any, recency: Any, age: Any, weights: Any, penalty: float,
             max_iterations: int, gradient_tolerance: float) -> _M:
        kind = type(self)._kind  # type: ignore[attr-defined]
        age_name = type(self)._age_name  # type: ignore[attr-defined]
        (x, tx, t), _, _ = customers(("frequency", "recency", age_name), (frequency, recency, age))
        w = None
        if weights is not None:
            w = np.ascontiguousarray(to_f64("weights", weights))
            if w.ndim == 0:
                w = np.full(x.shape[0], float(w))
        self._core = _clv.TransactionModelCore.fit(
            kind, x, tx, t, w, penalty=float(penalty), max_iterations=int(max_iterations),
            gradient_tolerance=float(gradient_tolerance),
        )
        return self

    def _per_customer(self, method: str, name: str, frequency: Any, recency: Any, age: Any) -> Any:
        core = self._fitted()
        (x, tx, t), index, scalar = customers(
            ("frequency", "recency", self._age_name), (frequency, recency, age)
        )
        return result(getattr(core, method)(x, tx, t), index, scalar, name)

    def customer_log_likelihood(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Per-customer log-likelihood ``ln L(params | x, t_x, T)`` (sums to
        :attr:`log_likelihood` on the fitted data without weights)."""
        return self._per_customer("log_likelihood", "log_likelihood", frequency, recency, T)

    def prob_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(customer still alive at T | x, t_x, T), per customer (a probability in [0, 1])."""
        return self._per_customer("prob_alive", "prob_alive", frequency, recency, T)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Conditional expectation E[Y(t) | x, t_x, T]: expected purchases in the
        next ``t`` periods (summary units) of each customer. ``t`` is a scalar or
        one value per customer."""
        core = self._fitted()
        h, _ = horizon("t", t)
        (x, tx, tt), index, scalar = customers(
            ("frequency", "recency", self._age_name), (frequency, recency, T)
        )
        if h.shape[0] != 1 and scalar:
            # several horizons for one customer
            n = h.shape[0]
            x, tx, tt = (np.full(n, a[0]) for a in (x, tx, tt))
            scalar = False
        return result(core.expected_purchases(h, x, tx, tt), index, scalar, "expected_purchases")

    def expected_purchases_new(self, t: Any) -> Any:
        """E[X(t)]: expected purchases of a new customer in ``t`` periods from
        their first purchase. Float for a scalar ``t``, ndarray otherwise."""
        core = self._fitted()
        h, scalar = horizon("t", t)
        index = t.index if hasattr(t, "index") and not scalar and type(t).__module__.startswith("pandas") else None
        return result(core.expected_purchases_new(h), index, scalar, "expected_purchases_new")

    def prob_purchases(self, n: Any, t: Any) -> Any:
        """P(X(t) = n): probability that a new customer makes exactly ``n``
        purchases in ``t`` periods. ``n`` and ``t`` broadcast against each other."""
        core = self._fitted()
        na, tn = to_f64("n", n), to_f64("t", t)
        scalar = na.ndim == 0 and tn.ndim == 0
        try:
            nb, tb = np.broadcast_arrays(np.atleast_1d(na), np.atleast_1d(tn))
        except ValueError:
            raise error(
                f"length mismatch: t has {np.atleast_1d(tn).shape[0]} elements but n has {np.atleast_1d(na).shape[0]}",
                code="LENGTH_MISMATCH", field="t",
            ) from None
        out = core.prob_purchases(np.ascontiguousarray(nb, dtype=np.float64), np.ascontiguousarray(tb, dtype=np.float64))
        return result(out, None, scalar)


class BetaGeo(_Transaction):
    """BG/NBD (Fader, Hardie & Lee 2005), parameters ``r, alpha, a, b``.

    While alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each
    purchase they drop out with probability p ~ Beta(a, b).

    - P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
    - E[X(t)] = (a+b−1)/(a−1) · [1 − ((α/(α+t))^r) · ₂F₁(r, b; a+b−1; t/(α+t))]

    Example: FHL (2005) CDNOW estimates r=0.243, α=4.414, a=0.793, b=2.426
    (LL −9582.4) on the 39-week calibration summary (units: weeks).
    """

    _kind = "bg_nbd"
    _param_names = ("r", "alpha", "a", "b")

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None, *,
            penalty: float = 0.0, max_iterations: int = 1000,
            gradient_tolerance: float = 1e-6) -> "BetaGeo":
        """Maximum-likelihood fit; returns ``self``. ``weights`` are per-row
        customer counts; ``penalty`` is lifetimes' ``penalizer_coef`` (objective
        −LL/W + penalty·Σθ²). Inputs are checked before any work (lengths, NaN,
        negative or fractional frequency, recency > T). The GIL is released."""
        return self._fit(frequency, recency, T, weights, penalty, max_iterations, gradient_tolerance)


class ModifiedBetaGeo(_Transaction):
    """MBG/NBD (Batislam, Denizel & Filiztekin 2007), parameters ``r, alpha, a, b``:
    the BG/NBD in which a customer may also drop out right after the first purchase
    (so P(alive) < 1 for x = 0)."""

    _kind = "mbg_nbd"
    _param_names = ("r", "alpha", "a", "b")

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None, *,
            penalty: float = 0.0, max_iterations: int = 1000,
            gradient_tolerance: float = 1e-6) -> "ModifiedBetaGeo":
        """Maximum-likelihood fit; returns ``self`` (see :meth:`BetaGeo.fit`)."""
        return self._fit(frequency, recency, T, weights, penalty, max_iterations, gradient_tolerance)


class ParetoNBD(_Transaction):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987), parameters ``r, alpha, s, beta``:
    purchase rate λ ~ Gamma(r, α), lifetime exponential with rate μ ~ Gamma(s, β).

    Published CDNOW estimates r=0.553, α=10.578, s=0.606, β=11.669 (LL −9595.0, weeks).
    """

    _kind = "pareto_nbd"
    _param_names = ("r", "alpha", "s", "beta")

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None, *,
            penalty: float = 0.0, max_iterations: int = 1000,
            gradient_tolerance: float = 1e-6) -> "ParetoNBD":
        """Maximum-likelihood fit; returns ``self`` (see :meth:`BetaGeo.fit`)."""
        return self._fit(frequency, recency, T, weights, penalty, max_iterations, gradient_tolerance)

    def prob_purchases_conditional(self, n: int, t: float, frequency: Any, recency: Any, T: Any) -> Any:
        """P(exactly ``n`` purchases in (T, T+t] | x, t_x, T), per customer."""
        core = self._fitted()
        (x, tx, tt), index, scalar = customers(("frequency", "recency", "T"), (frequency, recency, T))
        return result(core.prob_purchases_conditional(float(n), float(t), x, tx, tt), index, scalar,
                      "prob_purchases_conditional")

    def dert(self, delta: float, frequency: Any, recency: Any, T: Any) -> Any:
        """Discounted expected residual transactions with a continuous discount
        rate ``delta`` per period (FHL 2005 JMR eq. 2): multiply by expected spend
        for a CLV."""
        core = self._fitted()
        (x, tx, tt), index, scalar = customers(("frequency", "recency", "T"), (frequency, recency, T))
        return result(core.dert(float(delta), x, tx, tt), index, scalar, "dert")


class BetaGeoBetaBinom(_Transaction):
    """BG/BB (Fader, Hardie & Shang 2010), parameters ``alpha, beta, gamma, delta``,
    for discrete transaction opportunities: ``frequency`` = repeat transactions,
    ``recency`` = opportunity of the last one, ``n_periods`` = opportunities
    observed (whole numbers). Published donations fit α=1.204, β=0.750,
    γ=0.657, δ=2.783 (LL −33225.6)."""

    _kind = "bg_bb"
    _age_name = "n_periods"
    _param_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, frequency: Any, recency: Any, n_periods: Any, weights: Any = None, *,
            penalty: float = 0.0, max_iterations: int = 1000,
            gradient_tolerance: float = 1e-6) -> "BetaGeoBetaBinom":
        """Maximum-likelihood fit; ``weights`` = customers sharing each pattern. Returns ``self``."""
        return self._fit(frequency, recency, n_periods, weights, penalty, max_iterations, gradient_tolerance)

    def customer_log_likelihood(self, frequency: Any, recency: Any, n_periods: Any) -> Any:  # type: ignore[override]
        """Per-pattern log-likelihood (FHS 2010 eq. 5)."""
        return self._per_customer("log_likelihood", "log_likelihood", frequency, recency, n_periods)

    def prob_alive(self, frequency: Any, recency: Any, n_periods: Any) -> Any:  # type: ignore[override]
        """P(alive at opportunity n+1 | x, t_x, n) (FHS 2010 eq. 11 with m = 1)."""
        return self._per_customer("prob_alive", "prob_alive", frequency, recency, n_periods)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, n_periods: Any) -> Any:  # type: ignore[override]
        """E[transactions in the next ``t`` (whole) opportunities | x, t_x, n] (FHS 2010 eq. 13)."""
        return super().expected_purchases(t, frequency, recency, n_periods)

    def prob_alive_ahead(self, m: int, frequency: Any, recency: Any, n_periods: Any) -> Any:
        """P(alive at opportunity n+m | x, t_x, n)."""
        core = self._fitted()
        (x, tx, n), index, scalar = customers(("frequency", "recency", "n_periods"), (frequency, recency, n_periods))
        return result(core.prob_alive_ahead(float(m), x, tx, n), index, scalar, "prob_alive_ahead")

    def dert(self, discount: float, frequency: Any, recency: Any, n_periods: Any) -> Any:
        """Discounted expected residual transactions, discount rate ``discount`` per
        opportunity (FHS 2010 eq. 14)."""
        core = self._fitted()
        (x, tx, n), index, scalar = customers(("frequency", "recency", "n_periods"), (frequency, recency, n_periods))
        return result(core.dert(float(discount), x, tx, n), index, scalar, "dert")


class GammaGamma(_Model):
    """Gamma-Gamma spend model (Fader & Hardie 2013), parameters ``p, q, v``
    (``v`` is the papers' γ).

    E[mean spend | x, m̄] = (q−1)/(p·x+q−1) · p·v/(q−1) + p·x/(p·x+q−1) · m̄,
    a weighted mean of
    the population mean p·v/(q−1) and the customer's own mean m̄ (currency units).
    Published CDNOW fit on the 946 repeat customers: p=6.25, q=3.74, γ=15.44.
    """

    _param_names = ("p", "q", "v")

    @classmethod
    def _make_core_from_params(cls, values: Tuple[float, ...]) -> Any:
        p, q, v = values
        return _clv.GammaGammaCore.from_params(p, q, v)

    @classmethod
    def _core_from_json(cls, text: str) -> Any:
        return _clv.GammaGammaCore.from_json(text)

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None, *,
            penalty: float = 0.0, max_iterations: int = 1000,
            gradient_tolerance: float = 1e-6) -> "GammaGamma":
        """Maximum-likelihood fit on the customers with ``frequency > 0`` (the
        others are skipped: the model describes repeat spend); returns ``self``.
        ``monetary_value`` must be > 0 for those customers."""
        (x, m), _, _ = customers(("frequency", "monetary_value"), (frequency, monetary_value))
        w = None if weights is None else np.ascontiguousarray(to_f64("weights", weights))
        self._core = _clv.GammaGammaCore.fit(
            x, m, w, penalty=float(penalty), max_iterations=int(max_iterations),
            gradient_tolerance=float(gradient_tolerance),
        )
        return self

    def expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected mean transaction value of each customer (currency units)."""
        core = self._fitted()
        (x, m), index, scalar = customers(("frequency", "monetary_value"), (frequency, monetary_value))
        return result(core.expected_spend(x, m), index, scalar, "expected_spend")

    def customer_log_likelihood(self, frequency: Any, monetary_value: Any) -> Any:
        """Per-customer log-likelihood of the mean spends (customers with x > 0)."""
        core = self._fitted()
        (x, m), index, scalar = customers(("frequency", "monetary_value"), (frequency, monetary_value))
        return result(core.log_likelihood(x, m), None, scalar)


class ShiftedBetaGeo(_Model):
    """Shifted-beta-geometric contractual model (Fader & Hardie 2007),
    parameters ``alpha, beta``: each customer churns at the end of a period with
    probability θ ~ Beta(α, β).

    - S(t) = B(α, β+t) / B(α, β)       (survival after t periods)
    - r(t) = (β+t−1) / (α+β+t−1)       (retention rate in period t)

    Published fits: "regular" α=0.704, β=1.182 (LL −1680.27); "high end"
    α=0.668, β=3.806 (LL −1611.16).
    """

    _param_names = ("alpha", "beta")

    @classmethod
    def _make_core_from_params(cls, values: Tuple[float, ...]) -> Any:
        a, b = values
        return _clv.ShiftedBetaGeoCore.from_params(a, b)

    @classmethod
    def _core_from_json(cls, text: str) -> Any:
        return _clv.ShiftedBetaGeoCore.from_json(text)

    def fit(self, active_customers_by_period: Any, *, penalty: float = 0.0,
            max_iterations: int = 1000, gradient_tolerance: float = 1e-6) -> "ShiftedBetaGeo":
        """Fit to a survivor curve: element 0 is the cohort size, element t the
        customers still active after t periods (non-increasing). Returns ``self``."""
        s = np.ascontiguousarray(np.atleast_1d(to_f64("survivors", active_customers_by_period)))
        self._core = _clv.ShiftedBetaGeoCore.fit(
            s, penalty=float(penalty), max_iterations=int(max_iterations),
            gradient_tolerance=float(gradient_tolerance),
        )
        return self

    def _each(self, method: str, t: Any) -> Any:
        core = self._fitted()
        h, scalar = horizon("t", t)
        return result(getattr(core, method)(h), None, scalar)

    def survival(self, t: Any) -> Any:
        """S(t): share of the cohort still active after ``t`` whole periods."""
        return self._each("survival", t)

    def retention(self, t: Any) -> Any:
        """r(t) = S(t)/S(t−1): retention rate in period ``t`` ≥ 1."""
        return self._each("retention", t)

    def prob_churn(self, t: Any) -> Any:
        """P(T = t) = S(t−1) − S(t): probability of churning in period ``t`` ≥ 1."""
        return self._each("prob_churn", t)

    def dert(self, discount: float, renewals: float) -> float:
        """Discounted expected residual lifetime of a customer who has renewed
        ``renewals`` times (FH 2010, discount rate per period)."""
        return float(self._fitted().dert(float(discount), float(renewals)))

    def discounted_expected_lifetime(self, discount: float) -> float:
        """Discounted expected lifetime (in periods) of a new customer."""
        return float(self._fitted().discounted_expected_lifetime(float(discount)))

    def survivors_log_likelihood(self, active_customers_by_period: Any) -> float:
        """Total log-likelihood of a survivor curve at these parameters."""
        s = np.ascontiguousarray(np.atleast_1d(to_f64("survivors", active_customers_by_period)))
        return float(self._fitted().log_likelihood(s))
