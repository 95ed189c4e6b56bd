"""``lifetimes`` 0.11.3 API on the clv core: change ``lifetimes`` to
``clv.compat.lifetimes`` in the imports and existing code runs.

Same class, method and attribute names and argument orders as lifetimes
(``fit(frequency, recency, T)``, ``params_``, ``summary``, ``data``,
``conditional_probability_alive``, ``conditional_expected_number_of_purchases_up_to_time``,
``expected_number_of_purchases_up_to_time``, ``probability_of_n_purchases_up_to_time``,
``conditional_expected_average_profit``, ``customer_lifetime_value``, ``predict``,
``save_model``/``load_model``). Differences, all deliberate:

- fitting is clv's (Newton or L-BFGS on log-parameters from deterministic starts):
  ``initial_params``, ``tol``, ``verbose`` and optimiser ``**kwargs`` are
  accepted and ignored; a fit that does not converge, or whose data do not
  identify the model, raises ``utils.ConvergenceError`` as lifetimes does (here
  also a ``clv.ClvError`` with the code ``NOT_CONVERGED`` or ``NOT_IDENTIFIED``);
- ``summary``'s 95% bounds are clv's log-scale Wald intervals
  ``θ·exp(±1.96·SE/θ)`` (always positive), not ``θ ± 1.96·SE``;
- invalid inputs (recency > T, NaN, negative or fractional frequency, ...)
  raise ``clv.ClvError`` (a ``ValueError``) naming the field and value;
- ``plot_period_transactions`` draws the model's expected counts
  ``Σ_i w_i P(X(T_i) = k)`` instead of one random simulation;
- ``GammaGammaFitter.fit`` skips customers with frequency 0 (lifetimes
  expects the caller to drop them);
- ``variance_matrix_`` is the covariance ``(−H)⁻¹`` of the estimates in the
  natural parameters (lifetimes scales its log-parameter inverse Hessian by
  ``θ_j²`` column by column); the diagonals agree;
- ``generate_data`` draws with the core's seeded generator (``seed=``);
  ``frequency > 0`` with ``recency = 0`` is valid input;
- ``repr`` names the class ``clv.compat.lifetimes.X`` and counts customers as
  the sum of the weights (lifetimes counts rows).

``penalizer_coef`` is lifetimes' own: BG/NBD, MBG/NBD and Pareto/NBD are fitted
on time rescaled to ``max(T) = 1`` with the penalty on the rescaled parameters
(and Pareto/NBD's objective divided by the mean weight, not the total), then
``alpha`` (and Pareto/NBD's ``beta``) are scaled back, so a penalised fit gives
lifetimes' estimates; the native ``clv`` models penalise the parameters in the
data's own unit (``docs/api/python.md``).

Submodules: ``utils``, ``plotting``, ``generate_data``, ``datasets``.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, Optional

import numpy as np
import pandas as pd

from ... import models as _models
from ..._convert import customers, data_unit, error
from .utils import _convergence_errors

__all__ = [
    "BaseFitter",
    "BetaGeoFitter",
    "ParetoNBDFitter",
    "ModifiedBetaGeoFitter",
    "BetaGeoBetaBinomFitter",
    "GammaGammaFitter",
]


class BaseFitter:
    """The base class of the fitters (lifetimes' ``BaseFitter``): parameters,
    summary, standard errors, pickling."""

    _model_class: Any = None
    _age_name = "T"
    # the parameters in units of time, and whether lifetimes' objective is per row (see _rescaled_fit)
    _time_params: tuple = ()
    _per_row = False

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef
        self._model: Any = None
        self.data: Optional[pd.DataFrame] = None

    # attributes of a fitted lifetimes model
    @property
    def params_(self) -> pd.Series:
        """The parameters as a Series indexed by name. Assigning a Series or dict
        (``fitter.params_ = pd.Series({...})``) sets the model's parameters, as in
        lifetimes (the fit diagnostics are then gone: standard errors are NaN)."""
        return pd.Series(self._fitted().params)

    @params_.setter
    def params_(self, value: Any) -> None:
        if self._model_class is None:
            raise TypeError(f"{type(self).__name__} has no model class")
        items = dict(value.items()) if hasattr(value, "items") else None
        if items is None:
            names = self._model_class._spec["params"]
            values = list(value)
            if len(values) != len(names):
                raise error(f"invalid params_: {len(values)} values (expected {len(names)}: {', '.join(names)})",
                            field="params_")
            items = dict(zip(names, values))
        self._model = self._model_class.from_params(**{str(k): v for k, v in items.items()})

    @property
    def variance_matrix_(self) -> pd.DataFrame:
        """Covariance of the estimates, ``(−H)⁻¹`` with H the Hessian of the log-likelihood
        in the natural parameters (its diagonal is ``standard_errors_ ** 2``). lifetimes
        scales its log-parameter inverse Hessian column by column (``θ_j²``); clv's is the
        delta-method ``D H⁻¹ D`` exactly, so the off-diagonal terms can differ. NaN for a
        model with parameters set by hand."""
        m = self._fitted()
        names = list(m.params)
        info = m.fit_info
        k = len(names)
        cov = np.full((k, k), np.nan)
        if info is not None:
            c = info.get("covariance") or []
            if len(c) == k:
                cov = np.array(c, dtype=float)
            else:  # a model read from JSON written before the covariance was kept
                np.fill_diagonal(cov, np.asarray(info["std_errors"], dtype=float) ** 2)
        return pd.DataFrame(cov, index=names, columns=names)

    def _unload_params(self, *names: str) -> list:
        """The fitted parameters named, in that order (lifetimes' helper)."""
        params = self.params_
        return [params[name] for name in names]

    def _fitted(self) -> Any:
        if self._model is None:
            raise error(f"{type(self).__name__} is not fitted yet: call fit(...)", code="NOT_FITTED")
        return self._model

    @property
    def standard_errors_(self) -> pd.Series:
        return self._fitted().summary()["std_error"]

    @property
    def confidence_intervals_(self) -> pd.DataFrame:
        s = self._fitted().summary()
        return pd.DataFrame({"lower 95% bound": s["lower_95"], "upper 95% bound": s["upper_95"]})

    @property
    def summary(self) -> pd.DataFrame:
        """coef, se(coef), lower 95% bound, upper 95% bound (clv's log-scale Wald intervals)."""
        s = self._fitted().summary()
        out = pd.DataFrame({
            "coef": s["estimate"], "se(coef)": s["std_error"],
            "lower 95% bound": s["lower_95"], "upper 95% bound": s["upper_95"],
        })
        out.index.name = None
        return out

    @property
    def log_likelihood_(self) -> float:
        ll = self._fitted().log_likelihood
        return float("nan") if ll is None else float(ll)

    @property
    def _negative_log_likelihood_(self) -> float:
        """lifetimes' objective at the fit: ``−ln L / W + penalizer_coef · Σθ²``, for BG/NBD,
        MBG/NBD and Pareto/NBD on time rescaled to ``max(T) = 1`` (``ln L`` less
        ``ln s · Σ w x``, the time-scale parameters times ``s``) and for Pareto/NBD per mean
        weight (``W / rows``). AttributeError for parameters set by hand, as in lifetimes."""
        m = self._fitted()
        ll = m.log_likelihood
        if ll is None or self.data is None:
            raise AttributeError("_negative_log_likelihood_: the parameters were not fitted here")
        weight = float(m.fit_info["n_observations"])
        theta = self.params_.copy()
        if self._time_params:
            s, shift = _rescaling(self.data["frequency"].to_numpy(), self.data[self._age_name].to_numpy(),
                                  self.data["weights"].to_numpy())
            ll -= shift
            theta[list(self._time_params)] *= s
        per = weight / len(self.data) if self._per_row else weight
        return -float(ll) / per + self.penalizer_coef * float((theta ** 2).sum())

    def __repr__(self) -> str:
        name = type(self).__name__
        if self._model is None:
            return f"<clv.compat.lifetimes.{name}>"
        n = 0 if self.data is None else int(self.data["weights"].sum()) if "weights" in self.data else len(self.data)
        params = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(self._fitted().params.items()))
        return f"<clv.compat.lifetimes.{name}: fitted with {n} subjects, {params}>"

    def save_model(self, path: str, save_data: bool = True, save_generate_data_method: bool = True,
                   values_to_save: Any = None) -> None:
        """Pickles the fitter to ``path`` (as lifetimes): without ``save_data`` the saved
        ``data`` is the first of ``values_to_save`` (default None); ``generate_new_data``
        is a method here, saved or not alike."""
        data = self.data
        if not save_data:
            self.data = values_to_save[0] if values_to_save else None
        try:
            with open(path, "wb") as f:
                pickle.dump(self, f)
        finally:
            self.data = data

    def load_model(self, path: str) -> None:
        """Loads a fitter pickled by :meth:`save_model` into ``self``."""
        with open(path, "rb") as f:
            other = pickle.load(f)
        self.__dict__.update(other.__dict__)


def _rescaling(x: np.ndarray, t: np.ndarray, w: Any) -> tuple:
    """lifetimes' time scale ``s = 1/max(T)`` (1 where every age is 0) and the shift
    ``ln s · Σ w x`` of ln L it causes: each of the x purchase times is a density in time, so
    ``L_s(θ_s) = s^(−x) L(θ)`` with θ_s the time-scale parameters times s."""
    s = 1.0 / float(np.max(t)) if len(t) else 1.0
    if not 0.0 < s < float("inf"):
        s = 1.0
    weights = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    return s, float(np.log(s) * np.sum(weights * x))


def _rescaled_fit(model_class: Any, x: np.ndarray, tx: np.ndarray, t: np.ndarray, w: Any, penalty: float,
                  time_params: tuple, per_row: bool, unit: Optional[str]) -> Any:
    """lifetimes' penalised fit: on time rescaled by ``s = 1/max(T)``, with the penalty on the
    rescaled parameters (``per_row``: Pareto/NBD's objective ``−Σ wℓ / mean(w)`` is ``n`` times
    the core's ``−LL/W``, so its penalty is ``penalty / n``). The fit is then given in the data's
    unit: the time-scale parameters, their standard errors, intervals and covariance divided by
    ``s``, ln L shifted back by ``ln s · Σ w x`` (:func:`_rescaling`) and AIC and BIC with it, and
    ``unit`` (the data's) stored."""
    # the inputs are checked as they are (errors name the values given, not rescaled ones)
    model_class.from_params(**dict.fromkeys(model_class._spec["params"], 1.0)).customer_log_likelihood(x, tx, t)
    s, shift = _rescaling(x, t, w)
    n = len(x)
    scaled = model_class().fit(x, tx * s, t * s, w, penalty=penalty / n if per_row else penalty, unit=unit)
    saved = json.loads(scaled.to_json())
    names = list(saved["params"])
    fit = saved["fit"]

    def back(v: Any) -> Any:  # a figure in the rescaled unit, in the data's (NaN is JSON null)
        return None if v is None else v / s

    for i in [names.index(p) for p in time_params]:
        saved["params"][names[i]] /= s
        fit["std_errors"][i] = back(fit["std_errors"][i])
        fit["ci_95"][i] = [back(v) for v in fit["ci_95"][i]]
        cov = fit.get("covariance") or []
        for j in range(len(cov)):  # row and column i: the variance divided by s²
            cov[i][j] = back(cov[i][j])
            cov[j][i] = back(cov[j][i])
    fit["log_likelihood"] += shift
    fit["aic"] -= 2.0 * shift
    fit["bic"] -= 2.0 * shift
    return model_class.from_json(json.dumps(saved))


class _TransactionFitter(BaseFitter):
    _time_params: tuple = ("alpha",)
    _simulate: Any = None

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None, initial_params: Any = None,
            verbose: bool = False, tol: float = 1e-7, index: Any = None, **kwargs: Any) -> Any:
        """Fits the model (clv's optimiser; ``initial_params``, ``tol``, ``verbose`` are ignored;
        ``penalizer_coef`` as lifetimes, on time rescaled to ``max(T) = 1``)."""
        (x, tx, t), idx, _ = customers(("frequency", "recency", self._age_name), (frequency, recency, T))
        if self.penalizer_coef == 0:
            model = _convergence_errors(lambda: self._model_class().fit(frequency, recency, T, weights))
        else:
            model = _convergence_errors(lambda: _rescaled_fit(
                self._model_class, x, tx, t, weights, self.penalizer_coef, self._time_params, self._per_row,
                data_unit(frequency, recency, T)))
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        self._model = model
        self.data = pd.DataFrame({"frequency": x, "recency": tx, self._age_name: t, "weights": w},
                                 index=index if index is not None else idx)
        return self

    def generate_new_data(self, size: int = 1, seed: Optional[int] = None) -> pd.DataFrame:
        """``size`` customers simulated from the fitted parameters, with the ages ``T`` of the
        first ``size`` fitted rows (lifetimes' ``generate_new_data``; the draws are those of
        :mod:`clv.compat.lifetimes.generate_data`, ``seed`` fixes them)."""
        from . import generate_data

        self._fitted()
        assert self.data is not None
        ages = self.data[self._age_name].to_numpy()
        if not 1 <= size <= len(ages):
            raise error(f"invalid size: {size} (expected 1 to the {len(ages)} fitted customers)", field="size")
        simulate = getattr(generate_data, self._simulate)
        return simulate(ages[:size], *self.params_.to_numpy(), size=size, seed=seed)

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive | frequency, recency, T)."""
        return self._fitted().prob_alive(frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(self, t: Any, frequency: Any, recency: Any,
                                                            T: Any) -> Any:
        """E[purchases in the next t periods | frequency, recency, T]."""
        return self._fitted().expected_purchases(t, frequency, recency, T)

    def predict(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Alias of :meth:`conditional_expected_number_of_purchases_up_to_time` (as lifetimes)."""
        return self.conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """E[X(t)] for a new customer."""
        return self._fitted().expected_purchases_new(t)

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> Any:
        """P(X(t) = n) for a new customer."""
        return self._fitted().prob_purchases(n, t)

    def conditional_probability_alive_matrix(self, max_frequency: Optional[int] = None,
                                             max_recency: Optional[int] = None) -> np.ndarray:
        """P(alive) on the grid [recency, frequency] for customers of age max_recency
        (every cell, frequency > 0 with recency 0 included)."""
        from ...plotting import _grid, _grid_limits

        mf, mr = _grid_limits(self.data, max_frequency, max_recency)
        return _grid(self._fitted(), "alive", mf, mr, 0.0)


class BetaGeoFitter(_TransactionFitter):
    """BG/NBD (Fader, Hardie & Lee 2005), parameters r, alpha, a, b."""

    _model_class = _models.BetaGeo
    _simulate = "beta_geometric_nbd_model"


class ModifiedBetaGeoFitter(_TransactionFitter):
    """MBG/NBD (Batislam et al. 2007), parameters r, alpha, a, b."""

    _model_class = _models.ModifiedBetaGeo
    _simulate = "modified_beta_geometric_nbd_model"


class ParetoNBDFitter(_TransactionFitter):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987), parameters r, alpha, s, beta."""

    _model_class = _models.ParetoNBD
    _simulate = "pareto_nbd_model"
    _time_params = ("alpha", "beta")
    _per_row = True

    def conditional_probability_of_n_purchases_up_to_time(self, n: int, t: float, frequency: Any,
                                                          recency: Any, T: Any) -> Any:
        """P(n purchases in (T, T+t] | frequency, recency, T)."""
        return self._fitted().prob_purchases_conditional(n, t, frequency, recency, T)


class BetaGeoBetaBinomFitter(BaseFitter):
    """BG/BB (Fader, Hardie & Shang 2010), parameters alpha, beta, gamma, delta."""

    _model_class = _models.BetaGeoBetaBinom
    _age_name = "n_periods"

    def fit(self, frequency: Any, recency: Any, n_periods: Any, weights: Any = None, initial_params: Any = None,
            verbose: bool = False, tol: float = 1e-7, index: Any = None, **kwargs: Any) -> "BetaGeoBetaBinomFitter":
        """Fits the model (clv's optimiser; ``initial_params``, ``tol``, ``verbose`` are ignored)."""
        self._model = _convergence_errors(lambda: _models.BetaGeoBetaBinom().fit(
            frequency, recency, n_periods, weights, penalty=self.penalizer_coef))
        (x, tx, n), idx, _ = customers(("frequency", "recency", "n_periods"), (frequency, recency, n_periods))
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        self.data = pd.DataFrame({"frequency": x, "recency": tx, "n_periods": n, "weights": w},
                                 index=index if index is not None else idx)
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future: Any, frequency: Any,
                                                            recency: Any, n_periods: Any) -> Any:
        """E[transactions in the next m periods | frequency, recency, n_periods]."""
        return self._fitted().expected_purchases(m_periods_in_future, frequency, recency, n_periods)

    def conditional_probability_alive(self, m_periods_in_future: Any, frequency: Any, recency: Any,
                                      n_periods: Any) -> Any:
        """P(alive at period n_periods + m | frequency, recency, n_periods)."""
        return self._fitted().prob_alive_ahead(m_periods_in_future, frequency, recency, n_periods)

    def expected_number_of_transactions_in_first_n_periods(self, n: int) -> pd.DataFrame:
        """Expected number of customers with x transactions in the first n
        opportunities (x = the observed frequencies), ``P(X(n) = x) · Σ weights``."""
        assert self.data is not None
        counts = self.data.groupby("frequency")["weights"].sum()
        x = np.asarray(counts.index, dtype=float)
        p = np.asarray(self._fitted().prob_purchases(x, float(n)), dtype=float)
        return pd.DataFrame({"model": p * counts.sum()}, index=pd.Index(x, name="frequency"))


class GammaGammaFitter(BaseFitter):
    """Gamma-Gamma spend model (Fader & Hardie 2013), parameters p, q, v."""

    _model_class = _models.GammaGamma

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None, initial_params: Any = None,
            verbose: bool = False, tol: float = 1e-7, q_constraint: bool = False, index: Any = None,
            **kwargs: Any) -> "GammaGammaFitter":
        """Fits on the customers with frequency > 0 (``initial_params``, ``tol``,
        ``verbose``, ``q_constraint`` are ignored)."""
        self._model = _convergence_errors(lambda: _models.GammaGamma().fit(
            frequency, monetary_value, weights, penalty=self.penalizer_coef))
        (x, m), idx, _ = customers(("frequency", "monetary_value"), (frequency, monetary_value))
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        self.data = pd.DataFrame({"frequency": x, "monetary_value": m, "weights": w},
                                 index=index if index is not None else idx)
        return self

    def conditional_expected_average_profit(self, frequency: Any = None, monetary_value: Any = None) -> Any:
        """E[mean spend | frequency, monetary_value] (defaults: the fitted data)."""
        assert self.data is not None or (frequency is not None and monetary_value is not None)
        if frequency is None:
            frequency = self.data["frequency"]  # type: ignore[index]
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]  # type: ignore[index]
        return self._fitted().expected_spend(frequency, monetary_value)

    def customer_lifetime_value(self, transaction_prediction_model: Any, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, time: int = 12, discount_rate: float = 0.01,
                                freq: str = "D") -> Any:
        """Discounted CLV over ``time`` months (lifetimes' definition), spend =
        :meth:`conditional_expected_average_profit`."""
        from ...value import customer_lifetime_value

        tm = getattr(transaction_prediction_model, "_model", transaction_prediction_model)
        return customer_lifetime_value(tm, self._fitted(), frequency, recency, T, monetary_value,
                                       time=time, discount_rate=discount_rate, freq=freq)
