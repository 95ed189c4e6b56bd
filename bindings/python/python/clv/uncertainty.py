"""Parameter draws and prediction intervals (``clv::uncertainty`` in the core).

``draws = model.draws(method="laplace", n=2000, seed=1)`` holds ``n`` parameter
vectors of a fitted model:

- ``"laplace"``: ``ln θ ~ N(ln θ̂, D⁻¹ Σ D⁻¹)`` with Σ the fit's covariance
  (``fit_info["covariance"]``) and ``D = diag(θ̂)`` (the delta method), drawn
  with the core's portable generator: the same seed gives the same draws in
  every runtime;
- ``"bootstrap"``: customers resampled with replacement and the model refitted
  (``data=(frequency, recency, T)``, ``weights`` whole-number counts of
  compressed rows; compressed and expanded data give the same draws).

Every prediction of the model is a method of the draws with ``quantiles``
(default ``(0.05, 0.5, 0.95)``) and returns a DataFrame with one row per
customer: ``mean`` and one column per quantile (``q0.05``, ``q0.5``, ...;
numpy's default linear interpolation). ``attrs["total"]`` holds the mean and
quantiles of the sum over customers (per-draw sums: the portfolio total's
interval). The core computes them block by block of customers, never the
whole draws × customers matrix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Generic, List, Optional, Sequence, TypeVar

import numpy as np

from . import _clv
from ._convert import customers, data_unit, error, horizon, months, to_f64

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Draws", "Posterior", "GroupedPosterior", "DEFAULT_QUANTILES", "PRIOR_FAMILIES"]

#: Prior families and their number of arguments (``clv::bayes::Prior``).
PRIOR_FAMILIES = {"gamma": 2, "lognormal": 2, "halfnormal": 1, "weibull": 2, "halfflat": 0}

#: The quantiles of every interval unless given: 5%, 50%, 95%.
DEFAULT_QUANTILES = (0.05, 0.5, 0.95)


def _column(q: float) -> str:
    return f"q{q:g}"


def _levels(quantiles: Any) -> List[float]:
    q = np.atleast_1d(to_f64("quantiles", quantiles))
    return [float(v) for v in q]


def _frame(out: Dict[str, Any], index: Any = None) -> "pd.DataFrame":
    """The core's intervals as a DataFrame (mean, then one column per quantile)."""
    import pandas as pd

    cols: Dict[str, Any] = {"mean": np.asarray(out["mean"], dtype=np.float64)}
    for q, v in zip(out["quantiles"], out["values"]):
        cols[_column(q)] = np.asarray(v, dtype=np.float64)
    use_index = index if index is not None and len(index) == len(cols["mean"]) else None
    df = pd.DataFrame(cols, index=use_index)
    total = {"mean": float(out["total"]["mean"])}
    total.update({_column(q): float(v) for q, v in zip(out["quantiles"], out["total"]["values"])})
    df.attrs["total"] = total
    return df


def _spend(spend_model: Any, time: Any) -> Any:
    """The core object of a CLV's spend (a spend model or its draws), after
    checking ``time`` (whole months >= 0)."""
    from ._model import SpendModel

    if isinstance(spend_model, Draws):
        spend: Any = spend_model._core
    elif isinstance(spend_model, SpendModel):
        spend = spend_model._fitted()
    else:
        raise error(f"invalid spend_model: {type(spend_model).__name__} (expected GammaGamma or its draws)",
                    field="spend_model")
    months(time)
    return spend


_Predict = Callable[..., Dict[str, Any]]


def _intervals(predict: _Predict, *args: Any, quantiles: Any, index: Any = None) -> "pd.DataFrame":
    """A prediction of the core's draws (``predict``, its arguments then the
    quantiles) as a frame."""
    return _frame(predict(*args, _levels(quantiles)), index)


def _per_customer(model: Any, predict: _Predict, customer: Any, named: Dict[str, Any], *lead: Any,
                  quantiles: Any) -> "pd.DataFrame":
    """:func:`_intervals` of a per-customer prediction: ``lead`` arguments,
    then the customers' arrays (indexed as given)."""
    arrays, index, _ = model._customers(customer, named)
    return _intervals(predict, *lead, arrays, quantiles=quantiles, index=index)


def _n_and_t(n: Any, t: Any) -> Any:
    """The ``n`` and ``t`` of ``prob_purchases`` as arrays (broadcast by the core)."""
    return (np.ascontiguousarray(np.atleast_1d(to_f64("n", n))),
            np.ascontiguousarray(np.atleast_1d(to_f64("t", t))))


def _clv_intervals(predict: _Predict, lead: Sequence[Any], spend_model: Any, frequency: Any, recency: Any,
                   T: Any, monetary_value: Any, time: Any, discount_rate: float, freq: Optional[str],
                   quantiles: Any) -> "pd.DataFrame":
    """The CLV of :meth:`Draws.customer_lifetime_value` (``lead``: the group
    labels of grouped draws) as a frame."""
    spend = _spend(spend_model, time)
    arrays, index, _ = customers(("frequency", "recency", "T", "monetary_value"),
                                 (frequency, recency, T, monetary_value))
    out = predict(*lead, spend, arrays, int(time), float(discount_rate), _levels(quantiles),
                  None if freq is None else str(freq), data_unit(frequency, recency, T))
    return _frame(out, index)


def _model_of(core: Any) -> Any:
    """A model of the kind of the core's draws (read back from JSON)."""
    from . import models

    spec = next(s for s in _clv.registry() if s["key"] == core.kind())
    return getattr(models, spec["class"])()


def _arviz(owner: str) -> Any:
    """The ``arviz`` module (an ``ImportError`` naming ``owner`` without it)."""
    import importlib

    try:
        return importlib.import_module("arviz")
    except ImportError as e:
        raise ImportError(f"{owner}.to_arviz needs arviz: pip install arviz") from e


def _diverging(chains: int, draws: int, divergent: Sequence[int]) -> Dict[str, Any]:
    """``sample_stats`` of an arviz ``InferenceData``: the divergent draws
    as a (chain, draw) mask."""
    diverging = np.zeros(chains * draws, dtype=bool)
    diverging[list(divergent)] = True
    return {"diverging": diverging.reshape(chains, draws)}


_Core = TypeVar("_Core", _clv.Draws, _clv.GroupedDraws)


class _CoreDraws(Generic[_Core]):
    """What :class:`Draws` and :class:`GroupedPosterior` share: the core's
    draws and the model they are of."""

    def __init__(self, core: _Core, model: Any) -> None:
        self._core: _Core = core
        self._model = model

    @property
    def seed(self) -> int:
        return self._core.seed()

    def __len__(self) -> int:
        return len(self._core)


class Draws(_CoreDraws[_clv.Draws]):
    """Parameter draws of a model (see the module docstring); made by
    :meth:`clv.models.Model.draws`."""

    @property
    def method(self) -> str:
        """``"laplace"``, ``"bootstrap"`` or ``"nuts"``."""
        return self._core.method()

    @property
    def n(self) -> int:
        """The number of draws."""
        return len(self._core)

    @property
    def params(self) -> "pd.DataFrame":
        """The drawn parameters, one row per draw, one column per parameter."""
        import pandas as pd

        return pd.DataFrame(self._core.values(), columns=list(self._model._spec["params"]))

    def __repr__(self) -> str:
        return f"Draws({self._model._spec['name']}, method={self.method!r}, n={self.n}, seed={self.seed})"

    def prob_alive(self, *customer: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES,
                   **named: Any) -> "pd.DataFrame":
        """P(alive) per customer: mean and quantiles over draws; ``attrs["total"]``:
        the expected number of customers alive."""
        return _per_customer(self._model, self._core.prob_alive, customer, named, quantiles=quantiles)

    def expected_purchases(self, t: Any, *customer: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES,
                           **named: Any) -> "pd.DataFrame":
        """E[Y(t) | x, t_x, T] per customer with intervals; ``attrs["total"]``: the
        base's expected purchases in the next ``t`` periods."""
        h, _ = horizon("t", t)
        return _per_customer(self._model, self._core.expected_purchases, customer, named, h, quantiles=quantiles)

    def expected_purchases_new(self, t: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """E[X(t)] of a new customer, one row per ``t``."""
        return _intervals(self._core.expected_purchases_new, horizon("t", t)[0], quantiles=quantiles)

    def prob_purchases(self, n: Any, t: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """P(X(t) = n) of a new customer (``n`` and ``t`` broadcast)."""
        return _intervals(self._core.prob_purchases, *_n_and_t(n, t), quantiles=quantiles)

    def dert(self, discount: float, *customer: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES,
             **named: Any) -> "pd.DataFrame":
        """DERT per customer with intervals, where the model has it (Pareto/NBD, BG/BB)."""
        return _per_customer(self._model, self._core.dert, customer, named, float(discount), quantiles=quantiles)

    def expected_spend(self, *customer: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES,
                       **named: Any) -> "pd.DataFrame":
        """Expected spend per transaction with intervals (draws of a spend model)."""
        return _per_customer(self._model, self._core.expected_spend, customer, named, quantiles=quantiles)

    def survival(self, t: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """S(t) of an sBG cohort with intervals, one row per ``t``."""
        return _intervals(self._core.survival, horizon("t", t)[0], quantiles=quantiles)

    def retention(self, t: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """Retention rate r(t) of an sBG cohort with intervals, one row per ``t``."""
        return _intervals(self._core.retention, horizon("t", t)[0], quantiles=quantiles)

    def customer_lifetime_value(self, spend_model: Any, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, time: int = 12, discount_rate: float = 0.01,
                                freq: Optional[str] = None,
                                quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """Discounted CLV (:func:`clv.customer_lifetime_value`) per customer with
        intervals. ``spend_model`` is a fitted spend model (its point estimate
        for every draw) or draws of one (paired with these draws by index, same
        ``n``). ``attrs["total"]``: the base's CLV."""
        return _clv_intervals(self._core.customer_lifetime_value, (), spend_model, frequency, recency, T,
                              monetary_value, time, discount_rate, freq, quantiles)


class Posterior(Draws):
    """Posterior draws of a Bayesian fit with NUTS (:meth:`Model.sample`): a
    :class:`Draws` (every prediction with intervals) that keeps its chains.

    The core samples on the log-parameter scale with the Jacobian, over the
    data compressed to distinct rows, with the sampler of ``nuts-rs``; the
    chains run in parallel and the same ``seed`` gives the same draws bit for
    bit. ``docs/uncertainty.md`` has the formulas and the default priors."""

    def __repr__(self) -> str:
        c, _, d, div, _ = self._nuts()
        return (f"Posterior({self._model._spec['name']}, chains={c}, draws={d}, seed={self.seed}, "
                f"divergences={len(div)})")

    def _nuts(self) -> Any:
        info = self._core.nuts()
        assert info is not None
        return info

    @property
    def chains(self) -> int:
        """The number of chains (draws are stored chain after chain)."""
        return int(self._nuts()[0])

    @property
    def tune(self) -> int:
        """Warm-up draws per chain (discarded)."""
        return int(self._nuts()[1])

    @property
    def draws_per_chain(self) -> int:
        """Kept draws per chain."""
        return int(self._nuts()[2])

    @property
    def divergent(self) -> List[int]:
        """Indices (into :attr:`params`' rows) of the divergent draws."""
        return list(self._nuts()[3])

    @property
    def priors(self) -> Dict[str, tuple]:
        """The prior of each parameter, e.g. ``{"r": ("gamma", 1.0, 1.0), ...}``."""
        names = self._model._spec["params"]
        return {n: (fam, *args) for n, (fam, args) in zip(names, self._nuts()[4])}

    def summary(self) -> "pd.DataFrame":
        """Per parameter (index): ``mean``, ``sd``, ``q05``, ``q95``, ``r_hat``
        (rank-normalised split R-hat, Vehtari et al. 2021), ``ess_bulk``,
        ``ess_tail`` and ``divergences`` (of the whole run)."""
        import pandas as pd

        rows = self._core.summary()
        return pd.DataFrame(rows).set_index("param")

    def to_json(self) -> str:
        """The draws with their chains, priors and divergences as JSON (numbers
        read back bit for bit)."""
        return self._core.to_json()

    @classmethod
    def from_json(cls, text: str) -> "Posterior":
        """Reads what :meth:`to_json` wrote (``ClvError`` code ``FORMAT_ERROR`` otherwise)."""
        core = _clv.Draws.from_json(text)
        if core.nuts() is None:
            raise error(f"not NUTS draws: method {core.method()!r}", code="FORMAT_ERROR")
        return cls(core, _model_of(core))

    def to_arviz(self) -> Any:
        """An ``arviz.InferenceData`` with the posterior (one variable per
        parameter, dims ``(chain, draw)``) and ``sample_stats.diverging``.
        Needs ``arviz`` (``pip install arviz``)."""
        arviz = _arviz("Posterior")
        c, _, d, div, _ = self._nuts()
        values = np.asarray(self._core.values(), dtype=np.float64).reshape(c, d, -1)
        posterior = {name: values[:, :, i] for i, name in enumerate(self._model._spec["params"])}
        return arviz.from_dict(posterior=posterior, sample_stats=_diverging(c, d, div))


def group_labels(groups: Any) -> List[str]:
    """Group labels as strings: a list, tuple, numpy array, pandas or polars
    Series of ``str`` or ``int`` (ints become their decimal text)."""
    if isinstance(groups, (str, bytes)) or groups is None:
        raise error(f"invalid groups: {groups!r} (expected one label per customer, str or int)", field="groups")
    values = groups.to_list() if hasattr(groups, "to_list") else list(groups)
    out: List[str] = []
    for i, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (str, int, np.integer, np.str_)):
            raise error(f"invalid groups[{i}]: {v!r} (expected a str or int label)", field="groups")
        out.append(str(v))
    return out


class GroupedPosterior(_CoreDraws[_clv.GroupedDraws]):
    """Posterior draws of a hierarchical Bayesian fit with NUTS
    (:meth:`Model.sample` with ``groups=``): each group's parameters, partially
    pooled on the log scale (non-centred: ``ln θ[g, i] = mu[i] + tau[i] z[g, i]``,
    ``mu[i] ~ N(m, s)``, ``tau[i] ~ HalfNormal(sigma_tau)``; see
    ``docs/uncertainty.md``).

    :meth:`group` gives one group's :class:`Posterior`; every prediction takes
    ``groups=`` (one label per customer, or one label for all) and uses each
    customer's group. The same ``seed`` gives the same draws bit for bit."""

    def __repr__(self) -> str:
        c, _, d, div = self._core.nuts()
        return (f"GroupedPosterior({self._model._spec['name']}, groups={len(self.groups)}, chains={c}, "
                f"draws={d}, seed={self.seed}, divergences={len(div)})")

    @property
    def groups(self) -> List[str]:
        """The group labels, sorted."""
        return self._core.labels()

    @property
    def chains(self) -> int:
        return int(self._core.nuts()[0])

    @property
    def draws_per_chain(self) -> int:
        return int(self._core.nuts()[2])

    @property
    def divergent(self) -> List[int]:
        """Indices of the divergent draws (the same in every group)."""
        return list(self._core.nuts()[3])

    @property
    def hyperpriors(self) -> Dict[str, tuple]:
        """Per parameter ``(mu_mean, mu_sd, tau_sd)``."""
        return dict(zip(self._model._spec["params"], self._core.hyperpriors()))

    @property
    def hyper(self) -> "pd.DataFrame":
        """The hyperparameter draws: columns ``mu[p]`` then ``tau[p]`` per parameter ``p``."""
        import pandas as pd

        names = list(self._model._spec["params"])
        cols = [f"mu[{p}]" for p in names] + [f"tau[{p}]" for p in names]
        return pd.DataFrame(self._core.hyper(), columns=cols)

    def group(self, label: Any) -> Posterior:
        """The :class:`Posterior` of one group (``ClvError`` field ``group`` if unknown)."""
        return Posterior(self._core.group(group_labels([label])[0]), self._model)

    def summary(self) -> "pd.DataFrame":
        """One row per (group, parameter) (``term`` ``"theta"``), then per parameter
        the ``mu`` and ``tau`` rows (``group`` empty): ``mean``, ``sd``, ``q05``,
        ``q95``, ``r_hat``, ``ess_bulk``, ``ess_tail``, ``divergences``."""
        import pandas as pd

        rows = self._core.summary()
        for r in rows:
            r["group"] = "" if r["group"] is None else r["group"]
        return pd.DataFrame(rows).set_index(["group", "term", "param"])

    def to_json(self) -> str:
        """The draws, hyperparameters, chains and divergences as JSON (bit for bit)."""
        return self._core.to_json()

    @classmethod
    def from_json(cls, text: str) -> "GroupedPosterior":
        """Reads what :meth:`to_json` wrote (``ClvError`` code ``FORMAT_ERROR`` otherwise)."""
        core = _clv.GroupedDraws.from_json(text)
        return cls(core, _model_of(core))

    def to_arviz(self) -> Any:
        """An ``arviz.InferenceData``: each parameter with dims ``(chain, draw,
        group)``, ``mu_<p>`` and ``tau_<p>`` with ``(chain, draw)``, and
        ``sample_stats.diverging``. Needs ``arviz``."""
        arviz = _arviz("GroupedPosterior")
        c, _, d, div = self._core.nuts()
        names = list(self._model._spec["params"])
        labels = self.groups
        per_group = np.stack(
            [np.asarray(self._core.group(g).values(), dtype=np.float64).reshape(c, d, -1) for g in labels], axis=2)
        hyper = np.asarray(self._core.hyper(), dtype=np.float64).reshape(c, d, -1)
        k = len(names)
        posterior: Dict[str, Any] = {p: per_group[:, :, :, i] for i, p in enumerate(names)}
        posterior.update({f"mu_{p}": hyper[:, :, i] for i, p in enumerate(names)})
        posterior.update({f"tau_{p}": hyper[:, :, k + i] for i, p in enumerate(names)})
        return arviz.from_dict(posterior=posterior, sample_stats=_diverging(c, d, div),
                               coords={"group": labels}, dims={p: ["group"] for p in names})

    def _groups(self, groups: Any) -> List[str]:
        return group_labels([groups] if isinstance(groups, (str, int, np.integer)) else groups)

    def prob_alive(self, *customer: Any, groups: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES,
                   **named: Any) -> "pd.DataFrame":
        """P(alive) per customer with its group's draws; ``attrs["total"]``: the
        expected number of customers alive."""
        return _per_customer(self._model, self._core.prob_alive, customer, named, self._groups(groups),
                             quantiles=quantiles)

    def expected_purchases(self, t: Any, *customer: Any, groups: Any,
                           quantiles: Sequence[float] = DEFAULT_QUANTILES, **named: Any) -> "pd.DataFrame":
        """E[Y(t) | x, t_x, T] per customer with its group's draws."""
        h, _ = horizon("t", t)
        return _per_customer(self._model, self._core.expected_purchases, customer, named, self._groups(groups), h,
                             quantiles=quantiles)

    def expected_purchases_new(self, t: Any, groups: Any,
                               quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """E[X(t)] of a new customer of each element's group."""
        h, _ = horizon("t", t)
        return _intervals(self._core.expected_purchases_new, self._groups(groups), h, quantiles=quantiles)

    def prob_purchases(self, n: Any, t: Any, groups: Any,
                       quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """P(X(t) = n) of a new customer of each element's group."""
        return _intervals(self._core.prob_purchases, self._groups(groups), *_n_and_t(n, t), quantiles=quantiles)

    def dert(self, discount: float, *customer: Any, groups: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES,
             **named: Any) -> "pd.DataFrame":
        """DERT per customer with its group's draws, where the model has it."""
        return _per_customer(self._model, self._core.dert, customer, named, self._groups(groups), float(discount),
                             quantiles=quantiles)

    def expected_spend(self, *customer: Any, groups: Any, quantiles: Sequence[float] = DEFAULT_QUANTILES,
                       **named: Any) -> "pd.DataFrame":
        """Expected spend per transaction with its group's draws (Gamma-Gamma)."""
        return _per_customer(self._model, self._core.expected_spend, customer, named, self._groups(groups),
                             quantiles=quantiles)

    def customer_lifetime_value(self, spend_model: Any, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, groups: Any, time: int = 12, discount_rate: float = 0.01,
                                freq: Optional[str] = None,
                                quantiles: Sequence[float] = DEFAULT_QUANTILES) -> "pd.DataFrame":
        """Discounted CLV per customer with its group's draws (see
        :meth:`Draws.customer_lifetime_value`)."""
        return _clv_intervals(self._core.customer_lifetime_value, (self._groups(groups),), spend_model, frequency,
                              recency, T, monetary_value, time, discount_rate, freq, quantiles)
