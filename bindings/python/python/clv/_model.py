"""The base classes of the model classes of :mod:`clv.models`, one per family
of the core's registry: :class:`TransactionModel` (buy till you die),
:class:`SpendModel` (spend per transaction) and :class:`RetentionModel`
(contractual survival). :mod:`clv.models` creates one subclass per registry
entry (``_clv.registry()``); everything here is generic over the entry's
``params`` and ``inputs``, so a model added to the core needs no code here.

The per-customer arguments of a model are named by its registry ``inputs``
(``frequency, recency, T``; BG/BB ``frequency, recency, n_periods``;
Gamma-Gamma ``frequency, monetary_value``), positionally or by keyword.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Sequence, Tuple, TypeVar

import numpy as np

from . import _clv
from ._convert import customers, data_unit, error, horizon, result, to_f64, whole

if TYPE_CHECKING:
    from .covariates import RetentionCovariateModel

__all__ = ["Model", "TransactionModel", "SpendModel", "RetentionModel"]

_M = TypeVar("_M", bound="Model")


class Model:
    """Shared surface: params, log_likelihood, summary(), JSON, pickling."""

    #: The model's registry entry: key, name, class, family, params, inputs, reference.
    _spec: ClassVar[Dict[str, Any]] = {}
    _core: Optional[_clv.Model]
    _left_out_ids: Optional[List[Any]] = None

    def __init__(self) -> None:
        self._core = None

    # -- construction -------------------------------------------------------------
    @classmethod
    def _from_core(cls: type[_M], core: _clv.Model) -> _M:
        m = cls()
        m._core = core
        return m

    @classmethod
    def from_params(cls: type[_M], **params: float) -> _M:
        """A model with known parameters, e.g. ``BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)``.

        Raises ``ClvError`` naming a missing or unknown parameter, or one that is
        not finite and > 0.
        """
        names: Sequence[str] = cls._spec["params"]
        expected = ", ".join(names)
        for name in params:
            if name not in names:
                raise error(f"invalid parameter {name!r} for {cls.__name__} (expected {expected})", field=name)
        missing = [n for n in names if n not in params]
        if missing:
            raise error(f"missing parameter {missing[0]!r} for {cls.__name__} (expected {expected})",
                        field=missing[0])
        values = []
        for n in names:
            v = params[n]
            try:
                # a string or a boolean is not a parameter value, though
                # float() would read '3.74' and True (issue 17 #17)
                if isinstance(v, (str, bytes, bool, np.bool_)):
                    raise TypeError
                values.append(float(v))
            except (TypeError, ValueError):
                raise error(f"invalid {n}: {v!r} (expected a finite number > 0)", field=n) from None
        return cls._from_core(_clv.Model.from_values(cls._spec["key"], values))

    @classmethod
    def from_json(cls: type[_M], text: str) -> _M:
        """Reads a model written by :meth:`to_json` (``ClvError`` code ``FORMAT_ERROR`` otherwise)."""
        return cls._from_core(_clv.Model.from_json(text, cls._spec["key"]))

    def to_json(self) -> str:
        """``{"format_version": 1, "model": ..., "params": {...}, "fit": {...} | null}``."""
        return self._fitted().to_json()

    def _fit(self: _M, inputs: List[np.ndarray], weights: Any, penalty: float, max_iterations: int,
             gradient_tolerance: float, unit: Optional[str] = None) -> _M:
        w = None
        if weights is not None:
            w = np.ascontiguousarray(to_f64("weights", weights))
            if w.ndim == 0:
                w = np.full(inputs[0].shape[0], float(w))
        self._core = _clv.Model.fit(
            self._spec["key"], inputs, w, penalty=float(penalty), max_iterations=whole("max_iterations", max_iterations),
            gradient_tolerance=float(gradient_tolerance), unit=unit,
        )
        return self

    def draws(self, method: str = "laplace", n: int = 2000, seed: int = 0, data: Optional[Sequence[Any]] = None,
              weights: Any = None) -> Any:
        """Parameter draws (:class:`clv.uncertainty.Draws`): ``method="laplace"``
        (normal on the log-parameter scale from the fit's covariance) or
        ``"bootstrap"`` (refits to customers resampled from ``data``, the arrays
        of the fit in the order of the model's inputs, with whole-number
        ``weights`` for compressed rows). Same ``seed``, same draws in every runtime."""
        from .uncertainty import Draws

        n = _count("n", n)
        arrays = None
        if data is not None:
            names = self._spec["inputs"]
            arrays, _, _ = customers(names, _bind(type(self).__name__, names, tuple(data), {}))
        w = None if weights is None else np.ascontiguousarray(np.atleast_1d(to_f64("weights", weights)))
        return Draws(self._fitted().draws(str(method), n, _seed(seed), arrays, w), self)

    def _sample(self, arrays: List[np.ndarray], weights: Any, priors: Optional[Dict[str, Any]], chains: int,
                tune: int, draws: int, seed: int, groups: Any = None,
                hyperpriors: Optional[Dict[str, Any]] = None) -> Any:
        from .uncertainty import GroupedPosterior, Posterior, group_labels

        w = None
        if weights is not None:
            w = np.ascontiguousarray(to_f64("weights", weights))
            if w.ndim == 0:
                w = np.full(arrays[0].shape[0], float(w))
        _clv.check_prior_options(groups is not None, priors is not None, hyperpriors is not None)
        if groups is not None:
            hyper = [(str(name), [float(v) for v in np.atleast_1d(to_f64(f"hyperpriors[{name}]", spec))])
                     for name, spec in (hyperpriors or {}).items()]
            grouped = _clv.sample_grouped(self._spec["key"], arrays, w, group_labels(groups), hyper,
                                          _settings(chains, tune, draws, seed))
            return GroupedPosterior(grouped, self)
        # (family, *args) or the bare family name: the core parses and checks
        # it (Prior::from_items), as for Node and WASM.
        given = [(str(name), spec) for name, spec in (priors or {}).items()]
        core = _clv.sample(self._spec["key"], arrays, w, given, _settings(chains, tune, draws, seed))
        return Posterior(core, self)

    # -- state ----------------------------------------------------------------------
    def _fitted(self) -> _clv.Model:
        if self._core is None:
            name = type(self).__name__
            raise error(f"{name} has no parameters yet: call fit(...) or {name}.from_params(...)",
                        code="NOT_FITTED")
        return self._core

    def _customers(self, args: Tuple[Any, ...], named: Dict[str, Any]) -> Tuple[list, Any, bool]:
        """The per-customer arguments (named by the spec's ``inputs``) as arrays."""
        names: Sequence[str] = self._spec["inputs"]
        return customers(names, _bind(type(self).__name__, names, args, named))

    @property
    def params(self) -> Dict[str, float]:
        """The parameters as a dict, in the model's order."""
        return {k: float(v) for k, v in self._fitted().params()}

    @property
    def fit_info(self) -> Optional[Dict[str, Any]]:
        """Fit diagnostics (log_likelihood, std_errors, lower_95, upper_95, iterations,
        converged, gradient_norm, n_observations, n, aic, bic, boundary); ``None`` for
        ``from_params`` models.

        ``n`` (= ``n_observations``) is the weighted number of customers (sBG: the cohort size),
        ``aic = 2k − 2·LL`` (Akaike 1974) and ``bic = k·ln(n) − 2·LL`` (Schwarz 1978) with k the
        number of parameters: lower is better, between models fitted to the same data.

        ``boundary`` is ``None`` for an interior optimum, else a note naming the parameters
        that run off to the edge of the parameter space and the model the fit reduces to
        (their standard errors are NaN)."""
        return self._fitted().fit_info()

    @property
    def unit(self) -> Optional[str]:
        """The time unit the model was fitted in (``"W"``, ``"7d"``, ...): that of
        ``recency``, ``T`` and every horizon; CLV takes its months from it. From
        ``fit(..., unit=...)`` or the ``attrs["unit"]`` of the summary columns;
        ``None`` when not known (or for a ``from_params`` model)."""
        info = self._fitted().fit_info()
        return None if info is None else info.get("unit")

    @property
    def left_out(self) -> Optional[List[Any]]:
        """The customers the fit left out although their data are valid (Gamma-Gamma:
        repeat customers whose mean spend is 0, valued at the population mean spend):
        their ids (the index labels of the pandas Series the model was fitted on),
        else their 0-based positions; ``[]`` when none; ``None`` for a ``from_params``
        model. A fit that leaves customers out also warns (``UserWarning``)."""
        info = self._fitted().fit_info()
        if info is None:
            return None
        if self._left_out_ids is not None:
            return list(self._left_out_ids)
        return [int(i) for i in (info.get("left_out") or [])]

    @property
    def log_likelihood(self) -> Optional[float]:
        """Total (weighted) log-likelihood at the optimum; ``None`` for a model
        built with ``from_params`` (it was not fitted to data)."""
        info = self._fitted().fit_info()
        return None if info is None else float(info["log_likelihood"])

    @property
    def aic(self) -> Optional[float]:
        """Akaike information criterion ``2k − 2·LL`` (k parameters); ``None`` for ``from_params``."""
        info = self._fitted().fit_info()
        return None if info is None else float(info["aic"])

    @property
    def bic(self) -> Optional[float]:
        """Bayesian information criterion ``k·ln(n) − 2·LL`` (n = weighted number of customers);
        ``None`` for ``from_params``."""
        info = self._fitted().fit_info()
        return None if info is None else float(info["bic"])

    def summary(self) -> Any:
        """A pandas DataFrame indexed by parameter: ``estimate``, ``std_error``,
        ``lower_95``, ``upper_95``; its ``attrs`` hold the model comparison figures
        ``log_likelihood``, ``n``, ``aic``, ``bic`` (see :attr:`fit_info`; NaN for a
        ``from_params`` model).

        Standard errors are ``sqrt(diag((-H)^-1))`` with H the Hessian of the
        log-likelihood; the 95% intervals are log-scale Wald intervals
        ``θ·exp(±1.96·SE/θ)`` (always positive). NaN for a ``from_params`` model.
        """
        import pandas as pd

        p = self.params
        info = self._fitted().fit_info()
        nan = [float("nan")] * len(p)
        out = pd.DataFrame(
            {
                "estimate": list(p.values()),
                "std_error": info["std_errors"] if info else nan,
                "lower_95": info["lower_95"] if info else nan,
                "upper_95": info["upper_95"] if info else nan,
            },
            index=pd.Index(list(p.keys()), name="parameter"),
        )
        for key in ("log_likelihood", "n", "aic", "bic"):
            out.attrs[key] = float(info[key]) if info else float("nan")
        return out

    def __getstate__(self) -> Dict[str, Any]:
        return {"json": None if self._core is None else self._core.to_json()}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        text = state.get("json")
        self._core = None if text is None else _clv.Model.from_json(text, self._spec["key"])

    def __repr__(self) -> str:
        """The core's one-line ``Display``: ``BG/NBD(r=0.2426, ...; fitted to 2357 customers
        in 7d, log-likelihood -9582.43)``; ``BetaGeo()`` before a fit."""
        if self._core is None:
            return f"{type(self).__name__}()"
        return repr(self._core)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Model)
        if self._core is None or other._core is None:
            return self._core is other._core
        return bool(self.to_json() == other.to_json())

    __hash__ = None  # type: ignore[assignment]


def _bind(owner: str, names: Sequence[str], args: Tuple[Any, ...], named: Dict[str, Any]) -> List[Any]:
    """``args`` and ``named`` bound to ``names`` as a call binds parameters (``TypeError`` otherwise)."""
    if len(args) > len(names):
        raise TypeError(f"{owner} takes {len(names)} per-customer arguments ({', '.join(names)}), "
                        f"{len(args)} were given")
    values = dict(zip(names, args))
    for k, v in named.items():
        if k not in names:
            raise TypeError(f"{owner} got an unexpected keyword argument {k!r} (expected {', '.join(names)})")
        if k in values:
            raise TypeError(f"{owner} got multiple values for argument {k!r}")
        values[k] = v
    missing = [n for n in names if n not in values]
    if missing:
        raise TypeError(f"{owner} is missing the argument {missing[0]!r}")
    return [values[n] for n in names]


class _FitsCustomers(Model):
    """A model fitted to per-customer arrays (transaction and spend models)."""

    def fit(self, *inputs: Any, weights: Any = None, penalty: Any = 0.0, max_iterations: int = 1000,
            gradient_tolerance: float = 1e-6, unit: Optional[str] = None, purchase_covariates: Any = None,
            dropout_covariates: Any = None, covariate_names: Any = None, constrain_equal: Any = None,
            spend_covariates: Any = None, **named: Any) -> Any:
        """Maximum-likelihood fit to the per-customer arrays of the model's
        ``inputs`` (positionally, then ``weights``, or by keyword); returns
        ``self``. ``weights`` are per-row customer counts; ``penalty`` has the
        form of lifetimes' ``penalizer_coef`` (objective −LL/W + penalty·Σθ²), on
        the parameters in the data's unit (lifetimes rescales time to max(T) = 1
        first; :mod:`clv.compat.lifetimes` does too). Inputs
        are checked before any work (lengths, NaN, negative or fractional
        frequency, recency > T). The GIL is released. ``unit`` is the time unit
        of the inputs, stored with the model (:attr:`unit`); by default the
        ``attrs["unit"]`` of the summary columns (:func:`clv.rfm_summary`), if any.

        With ``purchase_covariates`` and/or ``dropout_covariates`` (Pareto/NBD,
        BG/NBD, MBG/NBD and GGom/NBD: DataFrames, dicts of columns or 2-D arrays, see :mod:`clv.covariates`),
        the fit is that of the model with static covariates and returns a
        :class:`clv.covariates.CovariateModel` (this model stays as it was); then
        ``penalty`` is the L2 penalty on the effects, a number for both processes,
        ``(purchase, dropout)`` or ``{"purchase": ..., "dropout": ...}``, and
        ``constrain_equal`` names covariates with one effect on both processes.

        With ``spend_covariates`` (Gamma-Gamma only), the fit is that of the spend model
        with covariates and returns a :class:`clv.covariates.SpendCovariateModel`;
        ``penalty`` is then the L2 penalty on the spend effects."""
        names = self._spec["inputs"]
        if len(inputs) == len(names) + 1 and weights is None:
            inputs, weights = inputs[:-1], inputs[-1]
        values = _bind(type(self).__name__, names, inputs, named)
        arrays, index, _ = customers(names, values)
        if unit is None:
            unit = data_unit(*values)
        if spend_covariates is not None:
            from . import covariates as cov

            if purchase_covariates is not None or dropout_covariates is not None:
                raise error("invalid spend_covariates: give spend covariates (Gamma-Gamma) or purchase and "
                            "dropout covariates (transaction models), not both", field="spend_covariates")
            if constrain_equal is not None:
                raise error(f"invalid constrain_equal: {constrain_equal!r} (it applies to purchase and "
                            "dropout covariates)", field="constrain_equal")
            return cov.fit_spend(self._spec["key"], arrays, index, weights, spend_covariates, covariate_names,
                                 penalty, max_iterations, gradient_tolerance, unit)
        if purchase_covariates is not None or dropout_covariates is not None:
            from . import covariates as cov

            return cov.fit(self._spec["key"], arrays, index, weights, purchase_covariates, dropout_covariates,
                           covariate_names, penalty, constrain_equal, max_iterations, gradient_tolerance, unit)
        for option, given in (("constrain_equal", constrain_equal), ("covariate_names", covariate_names)):
            if given is not None:
                raise error(f"invalid {option}: {given!r} (it applies to a fit with purchase_covariates, "
                            "dropout_covariates or spend_covariates)", field=option)
        if isinstance(penalty, (tuple, list, dict)):
            raise error(f"invalid penalty: {penalty!r} (a pair or dict is the penalty of a fit with "
                        "covariates; without covariates, one number)", field="penalty")
        self._left_out_ids = None
        try:
            self._fit(arrays, weights, penalty, max_iterations, gradient_tolerance, unit)
        except _clv.ClvError as e:
            # The core names the row; with a pandas index, name the customer too.
            row = re.search(r"\[(\d+)\]", str(e))
            if index is None or row is None or int(row.group(1)) >= len(index):
                raise
            who = index[int(row.group(1))]
            raise error(f"{e} (customer {who!r})", code=getattr(e, "code", "INVALID_INPUT"),
                        field=getattr(e, "field", None)) from None
        info = self._fitted().fit_info() or {}
        left = info.get("left_out")
        if left:
            ids = [index[i] for i in left] if index is not None and len(index) == len(arrays[0]) else list(left)
            self._left_out_ids = ids
            shown = ", ".join(map(str, ids[:10])) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            warnings.warn(f"{type(self).__name__} left out {len(ids)} customer(s): {shown} "
                          f"({info.get('left_out_reason')})", UserWarning, stacklevel=2)
        # what the core's fit says about the data (e.g. parameters past 1e4: swapped columns?)
        for w in info.get("warnings") or []:
            warnings.warn(w, UserWarning, stacklevel=2)
        return self


    def sample(self, *inputs: Any, priors: Optional[Dict[str, Any]] = None, chains: int = 4, tune: int = 1000,
               draws: int = 1000, seed: int = 0, weights: Any = None, groups: Any = None,
               hyperpriors: Optional[Dict[str, Any]] = None, **named: Any) -> Any:
        """Bayesian fit with NUTS (:class:`clv.uncertainty.Posterior`): the
        model's ``inputs`` as for :meth:`fit` (positionally, then ``weights``,
        or by keyword), ``priors`` by parameter name as ``(family, *args)``:
        ``("gamma", shape, rate)``, ``("lognormal", mu, sigma)``,
        ``("halfnormal", sigma)``, ``("weibull", k, lambda)``, ``("halfflat",)``;
        parameters not named keep their default (``lognormal(0, 2)`` for shapes,
        ``lognormal(0, 5)`` for scales). ``chains`` run in parallel, each with
        ``tune`` warm-up and ``draws`` kept draws; the same ``seed`` gives the
        same draws bit for bit. The model itself stays unfitted. The GIL is released.

        With ``groups`` (one label per customer: a list, array or Series of str
        or int), a hierarchical fit (:class:`clv.uncertainty.GroupedPosterior`):
        each group its own parameters, partially pooled on the log scale, with
        ``hyperpriors`` by parameter name as ``(mu_mean, mu_sd, tau_sd)``
        (defaults ``(0, 2, 1)`` for shapes, ``(0, 5, 1)`` for scales) instead of
        ``priors``."""
        names = self._spec["inputs"]
        if len(inputs) == len(names) + 1 and weights is None:
            inputs, weights = inputs[:-1], inputs[-1]
        arrays, _, _ = customers(names, _bind(type(self).__name__, names, inputs, named))
        return self._sample(arrays, weights, priors, chains, tune, draws, seed, groups, hyperpriors)


class TransactionModel(_FitsCustomers):
    """Buy-till-you-die models (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, ...): per
    customer ``frequency`` x = repeat purchases, ``recency`` t_x = age at the
    last purchase, ``T`` = age at the end of observation (BG/BB: ``n_periods``,
    whole transaction opportunities), in the unit of the summary. An operation
    the model does not define raises ``ClvError`` code ``NOT_SUPPORTED``."""

    def _per_customer(self, method: str, name: str, args: Tuple[Any, ...], named: Dict[str, Any],
                      *first: float) -> Any:
        core = self._fitted()
        (x, tx, t), index, scalar = self._customers(args, named)
        return result(getattr(core, method)(*first, [x, tx, t]), index, scalar, name)

    def customer_log_likelihood(self, *customer: Any, **named: Any) -> Any:
        """Per-customer log-likelihood ``ln L(params | x, t_x, T)`` (sums to
        :attr:`log_likelihood` on the fitted data without weights)."""
        return self._per_customer("log_likelihood", "log_likelihood", customer, named)

    def prob_alive(self, *customer: Any, **named: Any) -> Any:
        """P(customer still alive at T | x, t_x, T), per customer (a probability in [0, 1])."""
        return self._per_customer("prob_alive", "prob_alive", customer, named)

    def expected_purchases(self, t: Any, *customer: Any, **named: Any) -> Any:
        """Conditional expectation E[Y(t) | x, t_x, T]: expected purchases in the
        next ``t`` periods (summary units) of each customer. ``t`` is a scalar or
        one value per customer."""
        core = self._fitted()
        h, _ = horizon("t", t)
        (x, tx, tt), index, scalar = self._customers(customer, named)
        if h.shape[0] != 1 and scalar:
            # several horizons for one customer
            x, tx, tt = (np.full(h.shape[0], a[0]) for a in (x, tx, tt))
            scalar = False
        return result(core.expected_purchases(h, [x, tx, tt]), index, scalar, "expected_purchases")

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
        out = core.prob_purchases(np.ascontiguousarray(np.atleast_1d(na)), np.ascontiguousarray(np.atleast_1d(tn)))
        return result(out, None, na.ndim == 0 and tn.ndim == 0)

    def prob_purchases_conditional(self, n: int, t: float, *customer: Any, **named: Any) -> Any:
        """P(exactly ``n`` purchases in (T, T+t] | x, t_x, T), per customer (Pareto/NBD)."""
        return self._per_customer("prob_purchases_conditional", "prob_purchases_conditional", customer, named,
                                  float(n), float(t))

    def dert(self, discount: float, *customer: Any, **named: Any) -> Any:
        """Discounted expected residual transactions where the model has a closed
        form: Pareto/NBD with a continuous discount rate per period (FHL 2005 JMR
        eq. 2), BG/BB with a discount rate per opportunity (FHS 2010 eq. 14).
        Multiply by expected spend for a CLV."""
        return self._per_customer("dert", "dert", customer, named, float(discount))

    def prob_alive_ahead(self, m: int, *customer: Any, **named: Any) -> Any:
        """P(alive at opportunity n+m | x, t_x, n) (BG/BB)."""
        return self._per_customer("prob_alive_ahead", "prob_alive_ahead", customer, named, float(m))

    def simulate(self, T: Any, seed: int = 0) -> Any:
        """A simulated customer base, one customer per element of ``T`` (their age;
        BG/BB: their number of opportunities), drawn by the core with a seeded generator
        (``clv::simulate``: the same seed gives the same data in every runtime). A
        DataFrame with ``frequency``, ``recency``, ``T`` (BG/BB: ``n_periods``),
        ``rate`` (λ; BG/BB: p), ``dropout`` (p, μ, η or θ) and ``alive``; its
        ``attrs["purchases"]`` holds the repeat purchases (``customer``, ``time``
        after the customer's first purchase)."""
        import pandas as pd

        t = np.ascontiguousarray(np.atleast_1d(to_f64("T", T)))
        d = _clv.simulate(self._fitted(), t, _seed(seed))
        age = self._spec["inputs"][2]
        out = pd.DataFrame({"frequency": d["frequency"], "recency": d["recency"], age: d["T"],
                            "rate": d["rate"], "dropout": d["dropout"], "alive": d["alive"]})
        out.attrs["purchases"] = pd.DataFrame({"customer": d["purchase_customer"].astype(np.int64),
                                               "time": d["purchase_time"]})
        return out


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2 ** 64:
        raise error(f"invalid seed: {seed!r} (expected a whole number in [0, 2^64))", field="seed")
    return int(seed)


def _count(field: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or int(v) < 0:
        raise error(f"invalid {field}: {v!r} (expected a whole number >= 0)", field=field)
    return int(v)


def _settings(chains: Any, tune: Any, draws: Any, seed: Any) -> Tuple[int, int, int, int]:
    """The sampler's settings as the core takes them (``_clv.sample``)."""
    return _count("chains", chains), _count("tune", tune), _count("draws", draws), _seed(seed)


class SpendModel(_FitsCustomers):
    """Spend per transaction (Gamma-Gamma): per customer ``frequency`` (repeat
    purchases) and ``monetary_value`` (mean repeat spend). A fit uses the
    customers with ``frequency > 0`` (the model describes repeat spend)."""

    def expected_spend(self, *customer: Any, **named: Any) -> Any:
        """Expected mean transaction value of each customer (currency units)."""
        core = self._fitted()
        (x, m), index, scalar = self._customers(customer, named)
        return result(core.expected_spend([x, m]), index, scalar, "expected_spend")

    def simulate(self, frequency: Any, seed: int = 0) -> Any:
        """Simulated mean spends of customers with ``frequency`` transactions each, drawn by
        the core with a seeded generator (``clv::simulate``; the same seed gives the same
        data in every runtime): a DataFrame with ``frequency``, ``monetary_value`` (the mean
        of the simulated transactions, 0 without one) and ``nu`` (each customer's rate ν)."""
        import pandas as pd

        x = np.ascontiguousarray(np.atleast_1d(to_f64("frequency", frequency)))
        d = _clv.simulate_spend(self._fitted(), x, _seed(seed))
        return pd.DataFrame({"frequency": d["frequency"], "monetary_value": d["monetary_value"], "nu": d["nu"]})

    def customer_log_likelihood(self, *customer: Any, **named: Any) -> Any:
        """Per-customer log-likelihood of the mean spends (customers with x > 0)."""
        core = self._fitted()
        (x, m), _, scalar = self._customers(customer, named)
        return result(core.spend_log_likelihood([x, m]), None, scalar)


class RetentionModel(Model):
    """Contractual retention of a cohort (sBG): fitted to a survivor curve."""

    def fit(self: _M, active_customers_by_period: Any, *, penalty: float = 0.0,
            max_iterations: int = 1000, gradient_tolerance: float = 1e-6) -> _M:
        """Fit to a survivor curve: element 0 is the cohort size, element t the
        customers still active after t periods (non-increasing). Returns ``self``."""
        s = np.ascontiguousarray(np.atleast_1d(to_f64("survivors", active_customers_by_period)))
        return self._fit([s], None, penalty, max_iterations, gradient_tolerance)

    def fit_individual(self, periods: Any, churned: Any, weights: Any = None, *, dropout_covariates: Any = None,
                       covariate_names: Any = None, penalty: Any = None, max_iterations: int = 1000,
                       gradient_tolerance: float = 1e-6) -> "RetentionCovariateModel":
        """Fit to one row per contract customer: ``periods`` the whole periods each was observed for
        (>= 1), ``churned`` whether they churned in the last of them (True/1) or are still active
        after them (False/0), optional ``weights`` (customers per row). With
        ``dropout_covariates`` (a DataFrame, dict of columns, Series or 2-D array, see
        :mod:`clv.covariates`; a pandas frame is joined on the index of a pandas ``periods``) the
        fit is that of the sBG with static covariates, ``alpha_i = alpha0 exp(-g_alpha . z_i)``,
        ``beta_i = beta0 exp(-g_beta . z_i)``; ``penalty`` the L2 penalty on the effects. Returns a
        :class:`clv.covariates.RetentionCovariateModel` (this model stays as it was); without
        covariates its ``params`` are the plain sBG's fitted to the same customers."""
        from . import covariates as cov

        if self._spec["key"] != "sbg":
            raise error(f"{type(self).__name__} has no per-customer fit (the sBG's)", code="NOT_SUPPORTED",
                        field="fit_individual")
        return cov.fit_retention(periods, churned, weights, dropout_covariates, covariate_names, penalty,
                                 max_iterations, gradient_tolerance)

    def sample(self, active_customers_by_period: Any, *, priors: Optional[Dict[str, Any]] = None,
               chains: int = 4, tune: int = 1000, draws: int = 1000, seed: int = 0) -> Any:
        """Bayesian fit with NUTS to a survivor curve (see :meth:`Model.sample`)."""
        s = np.ascontiguousarray(np.atleast_1d(to_f64("survivors", active_customers_by_period)))
        return self._sample([s], None, priors, chains, tune, draws, seed)

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
        return self._fitted().renewal_dert(float(discount), float(renewals))

    def discounted_expected_lifetime(self, discount: float) -> float:
        """Discounted expected lifetime (in periods) of a new customer."""
        return self._fitted().discounted_expected_lifetime(float(discount))

    def simulate(self, size: int, periods: int, seed: int = 0) -> np.ndarray:
        """A simulated survivor curve of a cohort of ``size`` customers over ``periods``
        periods (element 0 the cohort size, element t the customers active after t
        periods), drawn by the core with a seeded generator (``clv::simulate``)."""
        return np.asarray(_clv.simulate_survivors(self._fitted(), _count("size", size), _count("periods", periods),
                                                  _seed(seed)))

    def survivors_log_likelihood(self, active_customers_by_period: Any) -> float:
        """Total log-likelihood of a survivor curve at these parameters."""
        s = np.ascontiguousarray(np.atleast_1d(to_f64("survivors", active_customers_by_period)))
        return self._fitted().survivors_log_likelihood(s)


#: The base class of each registry family.
FAMILIES: Dict[str, type] = {
    "transaction": TransactionModel,
    "spend": SpendModel,
    "retention": RetentionModel,
}
