"""Static covariates of Pareto/NBD, BG/NBD, MBG/NBD and GGom/NBD (issue 15): the
model that ``ParetoNBD().fit(..., purchase_covariates=..., dropout_covariates=...)``
(and ``BetaGeo``, ``ModifiedBetaGeo``, ``GammaGompertzNBD`` the same) returns,
:class:`CovariateModel`.

CLVTools' links (``docs/covariates.md``, the core module ``clv::covariates``)::

    Pareto/NBD:  alpha_i = alpha0 * exp(-g_p . z_i^p)   beta_i = beta0 * exp(-g_d . z_i^d)
    BG/NBD:      alpha_i = alpha0 * exp(-g_p . z_i^p)   a_i = a0 * exp(g_d . z_i^d),  b_i = b0 * exp(g_d . z_i^d)
    MBG/NBD:     as BG/NBD
    GGom/NBD:    alpha_i = alpha0 * exp(-g_p . z_i^p)   beta_i = beta0 * exp(-g_d . z_i^d)   (r, b, s shared)

The Gamma-Gamma's spend covariates (``GammaGamma().fit(..., spend_covariates=...)``)
give a :class:`SpendCovariateModel`, the sBG's on per-customer contractual data
(``ShiftedBetaGeo().fit_individual(periods, churned, dropout_covariates=...)``) a
:class:`RetentionCovariateModel`.

A covariate set is a pandas or polars DataFrame (its column names are the
covariate names), a dict of columns, a Series (one covariate, its name), or a
numeric 2-D array (columns ``x0, x1, ...`` or ``covariate_names``). When the
customers' arrays are pandas Series and the covariates a pandas frame, rows
are joined on the index (a customer without a row is a ``ClvError``);
otherwise row i belongs to customer i. This module only converts: every check
(missing customers, non-finite values, constant columns, lengths), the fit
and the predictions are the Rust core's.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar

import numpy as np

from . import _clv
from ._convert import _is_pandas, _is_polars, _refuse_non_numbers, customers, error, number, result, to_f64

__all__ = ["CovariateModel", "DynamicCovariateData", "RetentionCovariateModel", "SpendCovariateModel",
           "fit_dynamic"]

#: One covariate set as the native module takes it: names, columns, row ids.
_Set = Tuple[List[str], List[np.ndarray], Optional[List[str]]]

_NONE: _Set = ([], [], None)


def _column(field: str, values: Any) -> np.ndarray:
    arr = to_f64(field, values)
    return np.ascontiguousarray(np.atleast_1d(arr), dtype=np.float64)


def covariate_set(process: str, value: Any, names: Optional[Sequence[str]] = None) -> _Set:
    """A covariate set (see the module docs) as ``(names, columns, ids)``:
    ``ids`` are the row labels of a pandas input (for the join on the
    customers' index), else None."""
    field = f"{process}_covariates"
    if value is None:
        return _NONE
    if _is_pandas(value) and getattr(value, "ndim", 0) == 2:
        cols = [str(c) for c in value.columns]
        return (cols, [_column(f"{field}.{c}", value[k]) for c, k in zip(cols, value.columns)],
                [str(i) for i in value.index])
    if _is_pandas(value) and getattr(value, "ndim", 0) == 1:
        name = str(value.name) if value.name is not None else (list(names) if names else ["x0"])[0]
        return ([name], [_column(f"{field}.{name}", value)], [str(i) for i in value.index])
    if _is_polars(value) and hasattr(value, "columns"):
        cols = [str(c) for c in value.columns]
        return cols, [_column(f"{field}.{c}", value[c]) for c in cols], None
    if _is_polars(value) and hasattr(value, "name"):
        return [str(value.name)], [_column(f"{field}.{value.name}", value)], None
    if isinstance(value, Mapping):
        keys = [str(k) for k in value]
        return keys, [_column(f"{field}.{k}", v) for k, v in zip(keys, value.values())], None
    _refuse_non_numbers(field, value)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise error(f"invalid {field}: cannot read as numbers ({exc})", field=field) from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise error(f"invalid {field}: an array of shape {arr.shape} (expected a 2-d array, "
                    "one column per covariate)", field=field)
    cols = [str(n) for n in names] if names is not None else [f"x{k}" for k in range(arr.shape[1])]
    return cols, [np.ascontiguousarray(arr[:, k]) for k in range(arr.shape[1])], None


def _names_for(process: str, covariate_names: Any) -> Optional[Sequence[str]]:
    """``covariate_names``: one list for both sets, or ``{"purchase": [...], "dropout": [...]}``."""
    if covariate_names is None:
        return None
    if isinstance(covariate_names, Mapping):
        got = covariate_names.get(process)
        return None if got is None else list(got)
    if isinstance(covariate_names, str):
        raise error(f"invalid covariate_names: {covariate_names!r} (expected a list of names)",
                    field="covariate_names")
    return list(covariate_names)


def _sets(purchase: Any, dropout: Any, covariate_names: Any) -> Tuple[_Set, _Set]:
    return (covariate_set("purchase", purchase, _names_for("purchase", covariate_names)),
            covariate_set("dropout", dropout, _names_for("dropout", covariate_names)))


def _ids(index: Any, p: _Set, d: _Set) -> Optional[List[str]]:
    """The customers' ids when the rows are joined on them: a pandas index
    on the customers and row labels on every given set."""
    given = [s for s in (p, d) if s[0]]
    if index is None or not given or any(s[2] is None for s in given):
        return None
    return [str(i) for i in index]


def _positional(p: _Set, d: _Set) -> Tuple[_Set, _Set]:
    """The sets without row labels (rows in the customers' order)."""
    return (p[0], p[1], None), (d[0], d[1], None)


def penalties(penalty: Any) -> Tuple[float, float]:
    """The covariate penalty ``(lambda_purchase, lambda_dropout)`` of ``penalty``:
    None (no penalty), a number (both), a pair ``(p, d)`` or
    ``{"purchase": p, "dropout": d}`` (a missing key is 0). The core checks
    the values (finite, >= 0)."""
    if penalty is None:
        return 0.0, 0.0
    if isinstance(penalty, Mapping):
        unknown = [k for k in penalty if k not in ("purchase", "dropout")]
        if unknown:
            raise error(f"invalid penalty: key {unknown[0]!r} (expected 'purchase' and/or 'dropout')",
                        field="penalty")
        return (number("penalty_purchase", penalty.get("purchase", 0.0)),
                number("penalty_dropout", penalty.get("dropout", 0.0)))
    if isinstance(penalty, (tuple, list)):
        if len(penalty) != 2:
            raise error(f"invalid penalty: {penalty!r} (expected (purchase, dropout))", field="penalty")
        return number("penalty_purchase", penalty[0]), number("penalty_dropout", penalty[1])
    v = number("penalty", penalty)
    return v, v


def _fit_weights(weights: Any, n: int) -> Optional[np.ndarray]:
    """A fit's ``weights`` as float64 (a scalar repeated for the ``n`` customers); the core checks them."""
    if weights is None:
        return None
    w = np.ascontiguousarray(to_f64("weights", weights))
    return np.full(n, float(w)) if w.ndim == 0 else w


def _spend_set(value: Any, names: Optional[Sequence[str]], index: Any) -> Tuple[_Set, Optional[List[str]]]:
    """The spend set and the customers' ids when its rows are joined on them (a pandas index on
    the customers and row labels on the set); without ids, the rows are the customers'."""
    z = covariate_set("spend", value, names)
    if index is None or z[2] is None:
        return (z[0], z[1], None), None
    return z, [str(i) for i in index]


def fit(kind: str, arrays: List[np.ndarray], index: Any, weights: Any, purchase_covariates: Any,
        dropout_covariates: Any, covariate_names: Any, penalty: Any, constrain_equal: Any,
        max_iterations: int, gradient_tolerance: float, unit: Optional[str]) -> "CovariateModel":
    """The covariate fit behind ``TransactionModel.fit`` (``kind`` the registry key)."""
    p, d = _sets(purchase_covariates, dropout_covariates, covariate_names)
    ids = _ids(index, p, d)
    if ids is None:
        p, d = _positional(p, d)
    w = _fit_weights(weights, arrays[0].shape[0])
    if isinstance(constrain_equal, str):
        constrain_equal = [constrain_equal]
    pp, pd_ = penalties(penalty)
    core = _clv.CovariateModel.fit(
        kind, arrays, p, d, customer_ids=ids, weights=w, penalty_purchase=pp, penalty_dropout=pd_,
        constrain_equal=[str(c) for c in (constrain_equal or [])], max_iterations=float(max_iterations),
        gradient_tolerance=float(gradient_tolerance), unit=unit,
    )
    return CovariateModel._from_core(core)


_Model = TypeVar("_Model", bound="_JsonModel")


def _base_params(params: Mapping[str, float], names: List[str]) -> List[float]:
    """The base parameters of ``from_params`` in the model's order: ``params``
    must name exactly ``names``; each value checked as a number."""
    unknown = [k for k in params if k not in names]
    missing = [n for n in names if n not in params]
    if unknown or missing:
        bad = (unknown or missing)[0]
        raise error(f"invalid parameter {bad!r} (expected {', '.join(names)})", field=bad)
    return [number(n, params[n]) for n in names]


class _JsonModel:
    """What the covariate models share: pickling through the core's JSON, ``repr`` and
    equality of the JSON (``_native`` is the native class that reads it), reading it back,
    and the log-likelihood and standard errors of the fit."""

    _native: Any
    _core: Any

    def __init__(self, core: Any) -> None:
        self._core = core

    @classmethod
    def from_json(cls: Type[_Model], text: str) -> _Model:
        """Reads a model written by :meth:`to_json`."""
        return cls(cls._native.from_json(text))

    def to_json(self) -> str:
        """The model as JSON (``format_version`` 1, the core's format)."""
        return str(self._core.to_json())

    @property
    def log_likelihood(self) -> Optional[float]:
        """The (unpenalised) log-likelihood at the optimum; ``None`` for ``from_params``."""
        info = self._core.fit_info()
        return None if info is None else float(info["log_likelihood"])

    def _std_errors(self) -> Optional[Dict[str, float]]:
        """The core's standard errors by name, as floats; ``None`` for ``from_params``."""
        se = self._core.std_errors()
        return None if se is None else {k: float(v) for k, v in se.items()}

    def __getstate__(self) -> Dict[str, Any]:
        return {"json": self._core.to_json()}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._core = self._native.from_json(state["json"])

    def __repr__(self) -> str:
        return repr(self._core)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.to_json() == other.to_json())  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


class CovariateModel(_JsonModel):
    """A Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static covariates:
    returned by ``clv.ParetoNBD().fit(...)`` (``BetaGeo``, ``ModifiedBetaGeo``,
    ``GammaGompertzNBD``) with
    ``purchase_covariates`` and/or ``dropout_covariates``, or built with
    :meth:`from_params` / :meth:`from_json`.

    :attr:`params` are the base parameters (values at z = 0),
    :attr:`covariate_effects` the effects by process and name (CLVTools'
    ``trans.NAME`` / ``life.NAME``). Predictions take each customer's
    covariates, with the model's names in the model's order."""

    _core: _clv.CovariateModel
    _native = _clv.CovariateModel

    def __init__(self, core: _clv.CovariateModel) -> None:
        self._core = core

    @classmethod
    def _from_core(cls, core: _clv.CovariateModel) -> "CovariateModel":
        return cls(core)

    # -- construction ---------------------------------------------------------------
    @classmethod
    def from_params(cls, kind: str, params: Mapping[str, float], purchase: Optional[Mapping[str, float]] = None,
                    dropout: Optional[Mapping[str, float]] = None) -> "CovariateModel":
        """A model with known parameters: ``kind`` a registry key or class name
        ("pareto_nbd" / "ParetoNBD", "bg_nbd", "mbg_nbd", "ggom_nbd"), ``params`` the base
        parameters by name (r, alpha, s, beta; r, alpha, a, b; or r, alpha, b, s, beta), the
        effects by covariate name (in the order the predictions take them)."""
        base = _base_params(params, list(_clv.CovariateModel.base_names(str(kind))))
        effects = [[(str(k), number(f"{side}_{k}", v)) for k, v in (given or {}).items()]
                   for side, given in (("purchase", purchase), ("dropout", dropout))]
        return cls(_clv.CovariateModel.from_params(str(kind), base, effects[0], effects[1]))

    # -- parameters -----------------------------------------------------------------
    @property
    def kind(self) -> str:
        """The registry key of the plain model: ``"pareto_nbd"``, ``"bg_nbd"``,
        ``"mbg_nbd"`` or ``"ggom_nbd"``."""
        return self._core.kind()

    @property
    def name(self) -> str:
        """Display name, e.g. ``"Pareto/NBD with static covariates"``."""
        return self._core.name()

    @property
    def params(self) -> Dict[str, float]:
        """The base parameters (r, alpha, s, beta or r, alpha, a, b): their values at z = 0."""
        return {k: float(v) for k, v in self._core.params()}

    @property
    def covariate_names(self) -> Dict[str, List[str]]:
        """``{"purchase": [...], "dropout": [...]}``: the names, in the order predictions take them."""
        p, d = self._core.covariate_names()
        return {"purchase": list(p), "dropout": list(d)}

    @property
    def covariate_effects(self) -> Dict[str, Dict[str, float]]:
        """``{"purchase": {name: effect}, "dropout": {name: effect}}`` (the gammas of the links)."""
        p, d = self._core.effects()
        return {"purchase": dict(p), "dropout": dict(d)}

    @property
    def constrained(self) -> List[str]:
        """The covariates whose purchase and dropout effects were constrained equal."""
        return list(self._core.constrained())

    @property
    def std_errors(self) -> Optional[Dict[str, float]]:
        """Standard errors by name: the base parameters, ``purchase_NAME``, ``dropout_NAME``
        (a constrained effect under both names); NaN on the dropout side at a boundary;
        ``None`` for a model built from parameters."""
        return self._std_errors()

    @property
    def fit_info(self) -> Optional[Dict[str, Any]]:
        """The fit report: the keys of :attr:`clv.models.Model.fit_info` in the order of
        ``param_names`` (base names, ``purchase_NAME``, ``dropout_NAME``,
        ``constrained_NAME``), plus ``penalized_log_likelihood``; ``log_likelihood``
        is the unpenalised one. ``None`` for a model built from parameters."""
        return self._core.fit_info()

    # -- predictions ----------------------------------------------------------------
    def _call(self, method: str, name: str, frequency: Any, recency: Any, T: Any, purchase_covariates: Any,
              dropout_covariates: Any, covariate_names: Any, *first: float) -> Any:
        arrays, index, scalar = customers(["frequency", "recency", "T"], [frequency, recency, T])
        p, d = _sets(purchase_covariates, dropout_covariates, covariate_names)
        ids = _ids(index, p, d)
        if ids is None:
            p, d = _positional(p, d)
        out = getattr(self._core, method)(*first, arrays, p, d, customer_ids=ids)
        return result(out, index, scalar, name)

    def prob_alive(self, frequency: Any, recency: Any, T: Any, purchase_covariates: Any = None,
                   dropout_covariates: Any = None, covariate_names: Any = None) -> Any:
        """P(alive at T | x, t_x, T) per customer, with each customer's covariates."""
        return self._call("prob_alive", "prob_alive", frequency, recency, T, purchase_covariates,
                          dropout_covariates, covariate_names)

    def expected_purchases(self, t: float, frequency: Any, recency: Any, T: Any, purchase_covariates: Any = None,
                           dropout_covariates: Any = None, covariate_names: Any = None) -> Any:
        """E[purchases in (T, T + t] | x, t_x, T] per customer, with each customer's covariates."""
        return self._call("expected_purchases", "expected_purchases", frequency, recency, T, purchase_covariates,
                          dropout_covariates, covariate_names, number("t", t))

    def customer_log_likelihood(self, frequency: Any, recency: Any, T: Any, purchase_covariates: Any = None,
                                dropout_covariates: Any = None, covariate_names: Any = None) -> Any:
        """Per-customer log-likelihood ``ln L_i`` with each customer's covariates."""
        return self._call("log_likelihood", "log_likelihood", frequency, recency, T, purchase_covariates,
                          dropout_covariates, covariate_names)

    def prob_purchases_conditional(self, n: int, t: float, frequency: Any, recency: Any, T: Any,
                                   purchase_covariates: Any = None, dropout_covariates: Any = None,
                                   covariate_names: Any = None) -> Any:
        """P(n purchases in (T, T + t] | x, t_x, T) per customer, with each customer's covariates
        (where the plain model has it; ``NOT_SUPPORTED`` otherwise)."""
        return self._call("prob_purchases_conditional", "prob_purchases_conditional", frequency, recency, T,
                          purchase_covariates, dropout_covariates, covariate_names, number("n", n), number("t", t))

    def dert(self, discount: float, frequency: Any, recency: Any, T: Any, purchase_covariates: Any = None,
             dropout_covariates: Any = None, covariate_names: Any = None) -> Any:
        """Discounted expected residual transactions per customer (Pareto/NBD: continuous rate per
        time unit), with each customer's covariates; ``NOT_SUPPORTED`` for the other models."""
        return self._call("dert", "dert", frequency, recency, T, purchase_covariates, dropout_covariates,
                          covariate_names, number("discount", discount))

    def prob_purchases(self, n: int, t: float, purchase_covariates: Any = None, dropout_covariates: Any = None,
                       covariate_names: Any = None) -> np.ndarray:
        """P(X(t) = n) of a new customer with each row's covariates (one value per row)."""
        p, d = _positional(*_sets(purchase_covariates, dropout_covariates, covariate_names))
        rows = len(p[1][0]) if p[1] else (len(d[1][0]) if d[1] else 0)
        return np.asarray(self._core.prob_purchases(number("n", n), number("t", t), p, d, rows))

    def expected_purchases_new(self, t: float, purchase_covariates: Any = None, dropout_covariates: Any = None,
                               covariate_names: Any = None) -> np.ndarray:
        """E[X(t)] of a new customer with each row's covariates (one value per row)."""
        p, d = _positional(*_sets(purchase_covariates, dropout_covariates, covariate_names))
        n = len(p[1][0]) if p[1] else (len(d[1][0]) if d[1] else 0)
        return np.asarray(self._core.expected_purchases_new(number("t", t), p, d, n))

    def customer_params(self, purchase_covariates: Any = None, dropout_covariates: Any = None,
                        covariate_names: Any = None) -> np.ndarray:
        """Each row's own parameters in the order of :attr:`params` (``(r, alpha_i, s, beta_i)``,
        ``(r, alpha_i, a_i, b_i)`` or ``(r, alpha_i, b, s, beta_i)``), shape (n, number of parameters)."""
        p, d = _positional(*_sets(purchase_covariates, dropout_covariates, covariate_names))
        n = len(p[1][0]) if p[1] else (len(d[1][0]) if d[1] else 0)
        k = len(self._core.params())
        return np.asarray(self._core.customer_params(p, d, n), dtype=np.float64).reshape(-1, k)

    # -- time-varying covariates (Pareto/NBD) ----------------------------------------
    def _dynamic(self, method: str, name: str, data: "DynamicCovariateData", *first: float) -> Any:
        import pandas as pd

        if not isinstance(data, DynamicCovariateData):
            raise error(f"invalid data: {type(data).__name__} (expected a DynamicCovariateData)", field="data")
        out = getattr(self._core, method)(*first, data._core)
        return pd.Series(np.asarray(out), index=data.customer_id, name=name)

    def prob_alive_dynamic(self, data: "DynamicCovariateData") -> Any:
        """P(alive at T) of each customer of ``data`` with their time-varying covariates
        (a pandas Series by customer id)."""
        return self._dynamic("prob_alive_dynamic", "prob_alive", data)

    def expected_purchases_dynamic(self, t: float, data: "DynamicCovariateData") -> Any:
        """E[purchases in (T, T + t]] of each customer of ``data`` (the paper's CET), with the
        covariates of the prediction periods (the table must cover them)."""
        return self._dynamic("expected_purchases_dynamic", "expected_purchases", data, number("t", t))

    def discounted_expected_purchases_dynamic(self, t: float, discount_rate: float,
                                              data: "DynamicCovariateData") -> Any:
        """The expected purchases in (T, T + t] discounted continuously at ``discount_rate``
        per time unit (DECT over the horizon the covariates cover)."""
        return self._dynamic("discounted_expected_purchases_dynamic", "discounted_expected_purchases", data,
                             number("t", t), number("discount_rate", discount_rate))

    def customer_log_likelihood_dynamic(self, data: "DynamicCovariateData") -> Any:
        """Per-customer ``ln L_i`` with the time-varying covariates."""
        return self._dynamic("log_likelihood_dynamic", "log_likelihood", data)




def fit_spend(kind: str, arrays: List[np.ndarray], index: Any, weights: Any, spend_covariates: Any,
              covariate_names: Any, penalty: Any, max_iterations: int, gradient_tolerance: float,
              unit: Optional[str]) -> "SpendCovariateModel":
    """The spend-covariate fit behind ``GammaGamma().fit(..., spend_covariates=...)``
    (``kind`` the registry key: the core refuses any model but Gamma-Gamma)."""
    z, ids = _spend_set(spend_covariates, _names_for("spend", covariate_names), index)
    w = _fit_weights(weights, arrays[0].shape[0])
    lam = 0.0 if penalty is None else number("penalty", penalty)
    core = _clv.SpendCovariateModel.fit(
        kind, arrays, z, customer_ids=ids, weights=w, penalty=lam, max_iterations=float(max_iterations),
        gradient_tolerance=float(gradient_tolerance), unit=unit,
    )
    return SpendCovariateModel(core)


class _OneSetModel(_JsonModel):
    """What the models with one covariate set (:class:`SpendCovariateModel`,
    :class:`RetentionCovariateModel`) share: the accessors of the core's model."""

    @property
    def kind(self) -> str:
        """The registry key of the plain model: ``"gamma_gamma"`` or ``"sbg"``."""
        return str(self._core.kind())

    @property
    def name(self) -> str:
        """``"Gamma-Gamma with spend covariates"`` or ``"sBG with covariates"``."""
        return str(self._core.name())

    @property
    def params(self) -> Dict[str, float]:
        """The base parameters (``p``, ``q``, ``v``; ``alpha``, ``beta``): their values at z = 0."""
        return {k: float(v) for k, v in self._core.params()}

    @property
    def covariate_names(self) -> List[str]:
        """The covariates' names, in the order predictions take them."""
        return list(self._core.covariate_names())

    @property
    def penalty(self) -> float:
        """The L2 penalty on the effects of the fit (0 for ``from_params``)."""
        return float(self._core.penalty())


class SpendCovariateModel(_OneSetModel):
    """The Gamma-Gamma spend model with spend covariates: returned by
    ``clv.GammaGamma().fit(frequency, monetary_value, spend_covariates=...)``, or built with
    :meth:`from_params` / :meth:`from_json`.

    The link (``docs/covariates.md``, the core module ``clv::covariates::spend``) scales
    the rate v of the gamma of each customer's nu: ``v_i = v0 * exp(g . z_i)``, so
    ``exp(g_k)`` multiplies the expected spend per transaction ``p v_i / (q - 1)``.
    :attr:`params` are ``p, q, v`` (v at z = 0), :attr:`covariate_effects` the gammas by
    name. Predictions take each customer's covariates, with the model's names in order
    (a pandas frame is joined on the customers' index)."""

    _core: _clv.SpendCovariateModel
    _native = _clv.SpendCovariateModel

    @classmethod
    def from_params(cls, params: Mapping[str, float], effects: Optional[Mapping[str, float]] = None
                    ) -> "SpendCovariateModel":
        """A model with known parameters: ``params`` = ``{"p", "q", "v"}``, the effects by
        covariate name (in the order the predictions take them)."""
        base = _base_params(params, ["p", "q", "v"])
        pairs = [(str(k), number(f"spend_{k}", v)) for k, v in (effects or {}).items()]
        return cls(_clv.SpendCovariateModel.from_params(base, pairs))

    @property
    def covariate_effects(self) -> Dict[str, float]:
        """The effects by name (``exp(effect)`` multiplies the expected spend)."""
        return dict(self._core.effects())

    @property
    def std_errors(self) -> Optional[Dict[str, float]]:
        """Standard errors by name (``p``, ``q``, ``v``, ``spend_NAME``); ``None`` for
        ``from_params``."""
        return self._std_errors()

    @property
    def fit_info(self) -> Optional[Dict[str, Any]]:
        """The fit report (as :attr:`CovariateModel.fit_info`; ``left_out`` lists the repeat
        customers with mean spend 0, as the plain fit). ``None`` for ``from_params``."""
        return self._core.fit_info()

    def _call(self, method: str, name: str, frequency: Any, monetary_value: Any, spend_covariates: Any,
              covariate_names: Any) -> Any:
        arrays, index, scalar = customers(["frequency", "monetary_value"], [frequency, monetary_value])
        z, ids = _spend_set(spend_covariates, covariate_names, index)
        out = getattr(self._core, method)(arrays, z, customer_ids=ids)
        return result(out, index, scalar, name)

    def expected_spend(self, frequency: Any, monetary_value: Any, spend_covariates: Any = None,
                       covariate_names: Any = None) -> Any:
        """The conditional expected spend per transaction of each customer (Fader & Hardie 2013,
        eq. 5, at their own v_i); the mean of their covariate cell without repeat spend."""
        return self._call("expected_spend", "expected_spend", frequency, monetary_value, spend_covariates,
                          covariate_names)

    def customer_log_likelihood(self, frequency: Any, monetary_value: Any, spend_covariates: Any = None,
                                covariate_names: Any = None) -> Any:
        """Per-customer ``ln f(zbar | x)`` with each customer's covariates (x > 0, zbar > 0)."""
        return self._call("log_likelihood", "log_likelihood", frequency, monetary_value, spend_covariates,
                          covariate_names)



def _churned(value: Any) -> List[bool]:
    """The ``churned`` flags: booleans, or numbers 0 and 1 (``ClvError`` naming the row otherwise)."""
    arr = np.atleast_1d(to_f64("churned", value, booleans=True))
    bad = np.flatnonzero((arr != 0.0) & (arr != 1.0))
    if bad.size:
        i = int(bad[0])
        raise error(f"invalid churned[{i}]: {arr[i]} (expected True/False or 1/0: churned in the last "
                    "period, or still active)", field="churned")
    return [bool(v) for v in arr]


def _retention_rows(value: Any, names: Optional[Sequence[str]], rows: Optional[int] = None
                    ) -> Tuple[_Set, int, Any]:
    """A dropout set for predictions by row: the set in row order, its number of rows (``rows``, else
    the set's, else 1 for a model without covariates) and the pandas index of its rows (or None)."""
    z = covariate_set("dropout", value, names)
    index = None
    if z[2] is not None and _is_pandas(value):
        index = value.index
    n = rows if rows is not None else (len(z[1][0]) if z[1] else (len(value) if _is_pandas(value) else 1))
    return (z[0], z[1], None), n, index


def fit_retention(periods: Any, churned: Any, weights: Any = None, dropout_covariates: Any = None,
                  covariate_names: Any = None, penalty: Any = None, max_iterations: int = 1000,
                  gradient_tolerance: float = 1e-6) -> "RetentionCovariateModel":
    """The fit behind ``ShiftedBetaGeo().fit_individual(...)``: the sBG with static covariates on
    per-customer data (``clv::covariates::retention::fit``)."""
    arrays, index, _ = customers(["periods"], [periods])
    flags = _churned(churned)
    z, ids = _spend_set_as("dropout", dropout_covariates, covariate_names, index)
    w = _fit_weights(weights, arrays[0].shape[0])
    lam = 0.0 if penalty is None else number("penalty", penalty)
    core = _clv.RetentionCovariateModel.fit(
        arrays[0], flags, z, customer_ids=ids, weights=w, penalty=lam, max_iterations=float(max_iterations),
        gradient_tolerance=float(gradient_tolerance),
    )
    return RetentionCovariateModel(core)


def _spend_set_as(process: str, value: Any, names: Any, index: Any) -> Tuple[_Set, Optional[List[str]]]:
    """One covariate set and the customers' ids when its rows are joined on them (as :func:`_spend_set`)."""
    z = covariate_set(process, value, _names_for(process, names))
    if index is None or z[2] is None:
        return (z[0], z[1], None), None
    return z, [str(i) for i in index]


class RetentionCovariateModel(_OneSetModel):
    """The sBG (shifted-beta-geometric) model with static covariates on per-customer contractual
    data: returned by ``clv.ShiftedBetaGeo().fit_individual(periods, churned,
    dropout_covariates=...)``, or built with :meth:`from_params` / :meth:`from_json`.

    The links (``docs/covariates.md``, the core module ``clv::covariates::retention``;
    pymc-marketing's ``ShiftedBetaGeoModel`` with ``dropout_covariate_cols``)::

        alpha_i = alpha0 * exp(-g_alpha . z_i)      beta_i = beta0 * exp(-g_beta . z_i)

    so a positive effect on alpha lowers the churn probability, a positive effect on beta raises
    it. :attr:`params` are ``alpha``, ``beta`` (their values at z = 0), :attr:`covariate_effects`
    ``{"alpha": {name: effect}, "beta": {name: effect}}``. Predictions take each row's covariates,
    with the model's names in the model's order (one value per row; a pandas Series by the frame's
    index)."""

    _core: _clv.RetentionCovariateModel
    _native = _clv.RetentionCovariateModel

    @classmethod
    def from_params(cls, params: Mapping[str, float], alpha: Optional[Mapping[str, float]] = None,
                    beta: Optional[Mapping[str, float]] = None) -> "RetentionCovariateModel":
        """A model with known parameters: ``params`` = ``{"alpha", "beta"}`` (values at z = 0), the
        effects on alpha and on beta by covariate name (in the order the predictions take them; a
        covariate in one of them only has effect 0 on the other)."""
        base = _base_params(params, ["alpha", "beta"])
        a, b = dict(alpha or {}), dict(beta or {})
        order = list(a) + [k for k in b if k not in a]
        effects = [(str(k), number(f"alpha_{k}", a.get(k, 0.0)), number(f"beta_{k}", b.get(k, 0.0)))
                   for k in order]
        return cls(_clv.RetentionCovariateModel.from_params(base, effects))

    @property
    def covariate_effects(self) -> Dict[str, Dict[str, float]]:
        """``{"alpha": {name: effect}, "beta": {name: effect}}`` (the gammas of the links)."""
        a, b = self._core.effects()
        return {"alpha": dict(a), "beta": dict(b)}

    @property
    def std_errors(self) -> Optional[Dict[str, float]]:
        """Standard errors by name (``alpha``, ``beta``, ``alpha_NAME``, ``beta_NAME``); ``None``
        for ``from_params``."""
        return self._std_errors()

    @property
    def fit_info(self) -> Optional[Dict[str, Any]]:
        """The fit report (as :attr:`CovariateModel.fit_info`); ``None`` for ``from_params``."""
        return self._core.fit_info()

    def _rows(self, method: str, name: str, first: float, dropout_covariates: Any, covariate_names: Any) -> Any:
        z, n, index = _retention_rows(dropout_covariates, covariate_names)
        out = np.asarray(getattr(self._core, method)(first, z, n))
        scalar = dropout_covariates is None and not self.covariate_names
        return result(out, index, scalar, name)

    def survival(self, t: float, dropout_covariates: Any = None, covariate_names: Any = None) -> Any:
        """S(t): the probability that a customer with each row's covariates is still active after
        ``t`` whole periods (a float for a model without covariates and no rows)."""
        return self._rows("survival", "survival", number("t", t), dropout_covariates, covariate_names)

    def retention(self, t: float, dropout_covariates: Any = None, covariate_names: Any = None) -> Any:
        """r(t) = (beta_i + t - 1)/(alpha_i + beta_i + t - 1): the retention rate in period ``t`` >= 1."""
        return self._rows("retention", "retention", number("t", t), dropout_covariates, covariate_names)

    def prob_churn(self, t: float, dropout_covariates: Any = None, covariate_names: Any = None) -> Any:
        """P(T = t): the probability of churning in period ``t`` >= 1, per row."""
        return self._rows("prob_churn", "prob_churn", number("t", t), dropout_covariates, covariate_names)

    def discounted_expected_lifetime(self, discount: float, dropout_covariates: Any = None,
                                     covariate_names: Any = None) -> Any:
        """The discounted expected lifetime (in periods, first payment included) of a new customer
        with each row's covariates (discount rate per period)."""
        return self._rows("discounted_expected_lifetime", "discounted_expected_lifetime",
                          number("discount", discount), dropout_covariates, covariate_names)

    def dert(self, discount: float, renewals: Any, dropout_covariates: Any = None,
             covariate_names: Any = None) -> Any:
        """The discounted expected residual lifetime (FH 2010, eq. 6; in periods) of each customer
        who has made ``renewals`` renewals, with their covariates; ``renewals`` per customer (a pandas
        Series is joined to a pandas frame of covariates on the index) or one number for every row."""
        r = to_f64("renewals", renewals)
        if r.ndim == 0:
            z, n, index = _retention_rows(dropout_covariates, covariate_names)
            arr = np.full(n, float(r))
            out = np.asarray(self._core.dert(number("discount", discount), arr, z))
            return result(out, index, dropout_covariates is None and not self.covariate_names, "dert")
        arrays, index, scalar = customers(["renewals"], [renewals])
        z, ids = _spend_set_as("dropout", dropout_covariates, covariate_names, index)
        out = np.asarray(self._core.dert(number("discount", discount), arrays[0], z, customer_ids=ids))
        return result(out, index, scalar, "dert")

    def customer_params(self, dropout_covariates: Any = None, covariate_names: Any = None) -> np.ndarray:
        """Each row's own ``(alpha_i, beta_i)``, shape (n, 2)."""
        z, n, _ = _retention_rows(dropout_covariates, covariate_names)
        return np.asarray(self._core.customer_params(z, n), dtype=np.float64).reshape(-1, 2)

    def customer_log_likelihood(self, periods: Any, churned: Any, dropout_covariates: Any = None,
                                covariate_names: Any = None) -> Any:
        """Per-customer ``ln L_i``: ln P(T = t_i) for a customer who churned in period t_i, ln S(t_i)
        for one still active after t_i periods, with each customer's covariates."""
        arrays, index, scalar = customers(["periods"], [periods])
        z, ids = _spend_set_as("dropout", dropout_covariates, covariate_names, index)
        out = self._core.log_likelihood(arrays[0], _churned(churned), z, customer_ids=ids)
        return result(np.asarray(out), index, scalar, "log_likelihood")


class DynamicCovariateData:
    """Customers of a transaction log with time-varying covariates, for the Pareto/NBD
    of Bachmann, Meierer & Naef (2021) (``docs/covariates.md``).

    ``transactions`` has one row per purchase (``customer_id_col``, ``datetime_col``);
    ``covariates`` is a long table with one row per customer per time unit
    (``customer_id_col``, ``covariate_date_col``, then the covariate columns), from the
    period of each customer's first purchase to the calibration end and on through any
    prediction horizon. The summary follows :func:`clv.summary_data_from_transaction_data`
    (``freq``, ``freq_multiplier``, ``observation_period_end``, ``calibration_period_end``).
    Every check (missing customers or periods, non-finite values, unknown names) is the
    core's, naming the customer and value."""

    def __init__(self, transactions: Any, covariates: Any, customer_id_col: str, datetime_col: str,
                 covariate_date_col: str, purchase_covariates: Sequence[str], dropout_covariates: Sequence[str],
                 freq: str = "D", freq_multiplier: float = 1, observation_period_end: Any = None,
                 calibration_period_end: Any = None, datetime_format: Optional[str] = None) -> None:
        from .summary import _column, _frequency_unit, _seconds, _timestamp

        def ids_of(df: Any) -> List[str]:
            return [str(v) for v in _column(df, customer_id_col, _is_polars(df))]

        cols = [c for c in (covariates.columns if hasattr(covariates, "columns") else [])
                if c not in (customer_id_col, covariate_date_col)]
        values = [np.ascontiguousarray(to_f64(str(c), _column(covariates, c, _is_polars(covariates))))
                  for c in cols]
        self._core = _clv.DynamicData(
            ids_of(transactions),
            _seconds(datetime_col, _column(transactions, datetime_col, _is_polars(transactions)), datetime_format),
            [str(c) for c in cols],
            ids_of(covariates),
            _seconds(covariate_date_col, _column(covariates, covariate_date_col, _is_polars(covariates)), None),
            values,
            [str(c) for c in purchase_covariates],
            [str(c) for c in dropout_covariates],
            _frequency_unit(freq, freq_multiplier),
            observation_end=_timestamp("observation_period_end", observation_period_end),
            calibration_end=_timestamp("calibration_period_end", calibration_period_end),
        )

    @property
    def customer_id(self) -> List[str]:
        """The customers' ids (as text), in the order of every per-customer result."""
        return list(self._core.customer_id())

    @property
    def summary(self) -> Any:
        """``frequency``, ``recency``, ``T`` per customer (a pandas DataFrame by customer id)."""
        import pandas as pd

        x, tx, t = self._core.summary()
        return pd.DataFrame({"frequency": x, "recency": tx, "T": t}, index=pd.Index(self.customer_id,
                                                                                     name="customer_id"))

    @property
    def covariate_names(self) -> Dict[str, List[str]]:
        """``{"purchase": [...], "dropout": [...]}``."""
        p, d = self._core.covariate_names()
        return {"purchase": list(p), "dropout": list(d)}

    def __len__(self) -> int:
        return len(self._core)

    def __repr__(self) -> str:
        names = self.covariate_names
        return (f"DynamicCovariateData({len(self)} customers, unit {self._core.unit()}, "
                f"purchase {names['purchase']}, dropout {names['dropout']})")


def fit_dynamic(data: DynamicCovariateData, penalty: Any = None, constrain_equal: Any = None,
                weights: Any = None, max_iterations: int = 1000, gradient_tolerance: float = 1e-6) -> CovariateModel:
    """Fits the Pareto/NBD with time-varying covariates to ``data``: the same parameters,
    penalties (``{"purchase": l1, "dropout": l2}``), equality constraints, standard errors and
    boundary reports as the static fit; with covariates constant in time it equals it."""
    if not isinstance(data, DynamicCovariateData):
        raise error(f"invalid data: {type(data).__name__} (expected a DynamicCovariateData)", field="data")
    if isinstance(constrain_equal, str):
        constrain_equal = [constrain_equal]
    pp, pd_ = penalties(penalty)
    w = None if weights is None else np.ascontiguousarray(to_f64("weights", weights))
    core = _clv.CovariateModel.fit_dynamic(
        data._core, weights=w, penalty_purchase=pp, penalty_dropout=pd_,
        constrain_equal=[str(c) for c in (constrain_equal or [])], max_iterations=float(max_iterations),
        gradient_tolerance=float(gradient_tolerance),
    )
    return CovariateModel._from_core(core)
