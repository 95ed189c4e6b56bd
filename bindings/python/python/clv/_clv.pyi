"""Type stub of the native module ``clv._clv`` (Rust, pyo3). Checked against the
built module by ``python -m mypy.stubtest clv._clv`` in ``scripts/test.sh``.

Arrays are 1-d numpy arrays; float inputs are read as float64 (contiguous
arrays without a copy), results are new float64 arrays.
"""

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt
from typing_extensions import final

_F64 = npt.NDArray[np.float64]

__all__ = [
    "alive_path",
    "calibration_vs_holdout",
    "check_prior_options",
    "ClvError",
    "compress",
    "contribution_margin",
    "contribution_margins",
    "CovariateModel",
    "customer_exposure",
    "customer_lifetime_value",
    "customer_totals",
    "default_segment_map",
    "Draws",
    "DynamicData",
    "fit_from_partial_sums",
    "frequency_recency_matrix",
    "gini",
    "GroupedDraws",
    "heterogeneity",
    "Model",
    "offer_ceiling",
    "partial_sums",
    "period_transactions",
    "registry",
    "retention_clv",
    "RetentionCovariateModel",
    "revenue_at_risk",
    "rfm_scores",
    "rfm_segments",
    "risk_ranking",
    "sample",
    "sample_grouped",
    "simple_clv",
    "simulate",
    "simulate_spend",
    "simulate_survivors",
    "SpendCovariateModel",
    "summarize",
    "tracking_series",
    "tracking_series_from_transactions",
    "unit_with_multiplier",
    "unit_words",
    "uplift",
    "uplift_proportions",
    "uplift_stratified",
    "value_tiers",
    "waland_cole",
    "waland_cole_constant",
    "whale_curve",
    "wilson_interval",
    "window_end",
]

class ClvError(ValueError):
    """Invalid input or a failed computation; ``code`` e.g. ``"INVALID_INPUT"``,
    ``field`` the argument/column/parameter at fault (or None)."""

    code: str
    field: Optional[str]

def registry() -> List[Dict[str, Any]]:
    """The core's model registry, in order: dicts with key, name, class, family,
    params, inputs, reference."""

class _Fitted:
    """What every model class has (stub only): its JSON, registry key, display
    name, parameters and fit report."""

    def to_json(self) -> str: ...
    def kind(self) -> str: ...
    def name(self) -> str: ...
    def params(self) -> List[Tuple[str, float]]: ...
    def fit_info(self) -> Optional[Dict[str, Any]]: ...

class _WithCovariates(_Fitted):
    """What the covariate models add (stub only): standard errors."""

    def std_errors(self) -> Optional[Dict[str, float]]: ...

class _OneSet(_WithCovariates):
    """A covariate model with one covariate set, spend or retention (stub
    only; at runtime ``one_set_methods!``)."""

    def covariate_names(self) -> List[str]: ...
    def penalty(self) -> float: ...

@final
class Model(_Fitted):
    """Any model of the registry (``clv::AnyModel``). Per-customer arrays come
    as one list in the order of the registry's inputs; an operation the
    model's family lacks raises ``ClvError`` code ``NOT_SUPPORTED``."""

    @staticmethod
    def fit(
        kind: str,
        inputs: Sequence[_F64],
        weights: Optional[_F64] = None,
        penalty: float = 0.0,
        max_iterations: float = 1000.0,
        gradient_tolerance: float = 1e-6,
        unit: Optional[str] = None,
    ) -> Model: ...
    @staticmethod
    def from_values(kind: str, values: Sequence[float]) -> Model: ...
    @staticmethod
    def from_json(text: str, kind: Optional[str] = None) -> Model: ...
    def draws(
        self,
        method: str,
        n: float,
        seed: int,
        inputs: Optional[Sequence[_F64]] = None,
        weights: Optional[_F64] = None,
    ) -> Draws: ...
    # transaction models: customers = [frequency, recency, T] (BG/BB: n_periods)
    def log_likelihood(self, customers: Sequence[_F64]) -> _F64: ...
    def prob_alive(self, customers: Sequence[_F64]) -> _F64: ...
    def expected_purchases(self, horizon: _F64, customers: Sequence[_F64]) -> _F64: ...
    def expected_purchases_new(self, t: _F64) -> _F64: ...
    def prob_purchases(self, n: _F64, t: _F64) -> _F64: ...
    def prob_purchases_conditional(self, n: float, horizon: float, customers: Sequence[_F64]) -> _F64: ...
    def dert(self, discount: float, customers: Sequence[_F64]) -> _F64: ...
    def prob_alive_ahead(self, m: float, customers: Sequence[_F64]) -> _F64: ...
    # spend models: customers = [frequency, monetary_value]
    def expected_spend(self, customers: Sequence[_F64]) -> _F64: ...
    def spend_log_likelihood(self, customers: Sequence[_F64]) -> _F64: ...
    # retention models
    def survivors_log_likelihood(self, survivors: _F64) -> float: ...
    def survival(self, t: _F64) -> _F64: ...
    def prob_churn(self, t: _F64) -> _F64: ...
    def retention(self, t: _F64) -> _F64: ...
    def renewal_dert(self, discount: float, renewals: float) -> float: ...
    def discounted_expected_lifetime(self, discount: float) -> float: ...

_Intervals = Dict[str, Any]

_CovSet = Tuple[List[str], List[_F64], Optional[List[str]]]

@final
class SpendCovariateModel(_OneSet):
    """The Gamma-Gamma model with spend covariates
    (``clv::covariates::spend::SpendCovariateModel``)."""

    @staticmethod
    def fit(
        kind: str,
        inputs: Sequence[_F64],
        spend: _CovSet,
        customer_ids: Optional[List[str]] = None,
        weights: Optional[_F64] = None,
        penalty: float = 0.0,
        max_iterations: float = 1000.0,
        gradient_tolerance: float = 1e-6,
        unit: Optional[str] = None,
    ) -> SpendCovariateModel: ...
    @staticmethod
    def check_model(kind: str) -> None: ...
    @staticmethod
    def from_params(base: Sequence[float], effects: Sequence[Tuple[str, float]]) -> SpendCovariateModel: ...
    @staticmethod
    def from_json(text: str) -> SpendCovariateModel: ...
    def effects(self) -> List[Tuple[str, float]]: ...
    def expected_spend(
        self, customers: Sequence[_F64], spend: _CovSet, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def log_likelihood(
        self, customers: Sequence[_F64], spend: _CovSet, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...

@final
class RetentionCovariateModel(_OneSet):
    """The sBG with static covariates on per-customer contractual data
    (``clv::covariates::retention::RetentionCovariateModel``)."""

    @staticmethod
    def fit(
        periods: _F64,
        churned: Sequence[bool],
        dropout: _CovSet,
        customer_ids: Optional[List[str]] = None,
        weights: Optional[_F64] = None,
        penalty: float = 0.0,
        max_iterations: float = 1000.0,
        gradient_tolerance: float = 1e-6,
    ) -> RetentionCovariateModel: ...
    @staticmethod
    def from_params(
        base: Sequence[float], effects: Sequence[Tuple[str, float, float]]
    ) -> RetentionCovariateModel: ...
    @staticmethod
    def from_json(text: str) -> RetentionCovariateModel: ...
    def effects(self) -> Tuple[List[Tuple[str, float]], List[Tuple[str, float]]]: ...
    def customer_params(
        self, dropout: _CovSet, n: int, customer_ids: Optional[List[str]] = None
    ) -> List[List[float]]: ...
    def survival(
        self, t: float, dropout: _CovSet, n: int, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def retention(
        self, t: float, dropout: _CovSet, n: int, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def prob_churn(
        self, t: float, dropout: _CovSet, n: int, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def dert(
        self, discount: float, renewals: _F64, dropout: _CovSet, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def discounted_expected_lifetime(
        self, discount: float, dropout: _CovSet, n: int, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def log_likelihood(
        self,
        periods: _F64,
        churned: Sequence[bool],
        dropout: _CovSet,
        customer_ids: Optional[List[str]] = None,
    ) -> _F64: ...

@final
class CovariateModel(_WithCovariates):
    """A Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static covariates
    (``clv::covariates::CovariateModel``). A covariate set is ``(names,
    columns, ids)``; with ``ids`` and ``customer_ids`` the rows are joined
    on the customers' ids, else row i is customer i's."""

    @staticmethod
    def fit(
        kind: str,
        inputs: Sequence[_F64],
        purchase: _CovSet,
        dropout: _CovSet,
        customer_ids: Optional[List[str]] = None,
        weights: Optional[_F64] = None,
        penalty_purchase: float = 0.0,
        penalty_dropout: float = 0.0,
        constrain_equal: List[str] = ...,
        max_iterations: float = 1000.0,
        gradient_tolerance: float = 1e-6,
        unit: Optional[str] = None,
    ) -> CovariateModel: ...
    @staticmethod
    def from_params(
        kind: str, base: Sequence[float], purchase: Sequence[Tuple[str, float]], dropout: Sequence[Tuple[str, float]]
    ) -> CovariateModel: ...
    @staticmethod
    def base_names(kind: str) -> List[str]: ...
    @staticmethod
    def from_json(text: str) -> CovariateModel: ...
    def covariate_names(self) -> Tuple[List[str], List[str]]: ...
    def effects(self) -> Tuple[List[Tuple[str, float]], List[Tuple[str, float]]]: ...
    def constrained(self) -> List[str]: ...
    def customer_params(
        self, purchase: _CovSet, dropout: _CovSet, n: int, customer_ids: Optional[List[str]] = None
    ) -> List[List[float]]: ...
    def prob_alive(
        self, customers: Sequence[_F64], purchase: _CovSet, dropout: _CovSet, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def expected_purchases(
        self,
        horizon: float,
        customers: Sequence[_F64],
        purchase: _CovSet,
        dropout: _CovSet,
        customer_ids: Optional[List[str]] = None,
    ) -> _F64: ...
    def log_likelihood(
        self, customers: Sequence[_F64], purchase: _CovSet, dropout: _CovSet, customer_ids: Optional[List[str]] = None
    ) -> _F64: ...
    def expected_purchases_new(self, horizon: float, purchase: _CovSet, dropout: _CovSet, n: int) -> _F64: ...
    def prob_purchases(self, n: float, horizon: float, purchase: _CovSet, dropout: _CovSet, n_rows: int) -> _F64: ...
    def prob_purchases_conditional(
        self,
        n: float,
        horizon: float,
        customers: Sequence[_F64],
        purchase: _CovSet,
        dropout: _CovSet,
        customer_ids: Optional[List[str]] = None,
    ) -> _F64: ...
    def dert(
        self,
        discount: float,
        customers: Sequence[_F64],
        purchase: _CovSet,
        dropout: _CovSet,
        customer_ids: Optional[List[str]] = None,
    ) -> _F64: ...
    @staticmethod
    def fit_dynamic(
        data: DynamicData,
        weights: Optional[_F64] = None,
        penalty_purchase: float = 0.0,
        penalty_dropout: float = 0.0,
        constrain_equal: List[str] = ...,
        max_iterations: float = 1000.0,
        gradient_tolerance: float = 1e-6,
    ) -> CovariateModel: ...
    def prob_alive_dynamic(self, data: DynamicData) -> _F64: ...
    def expected_purchases_dynamic(self, horizon: float, data: DynamicData) -> _F64: ...
    def discounted_expected_purchases_dynamic(self, horizon: float, discount_rate: float, data: DynamicData) -> _F64: ...
    def log_likelihood_dynamic(self, data: DynamicData) -> _F64: ...

@final
class DynamicData:
    """Customers of a transaction log with time-varying covariates
    (``clv::covariates::dynamic::DynamicData``)."""

    def __new__(
        cls,
        ids: List[str],
        timestamps: npt.NDArray[np.int64],
        names: List[str],
        cov_ids: List[str],
        cov_starts: npt.NDArray[np.int64],
        cov_columns: Sequence[_F64],
        purchase: List[str],
        dropout: List[str],
        freq: str,
        observation_end: Optional[int] = None,
        calibration_end: Optional[int] = None,
    ) -> DynamicData: ...
    def customer_id(self) -> List[str]: ...
    def summary(self) -> List[_F64]: ...
    def covariate_names(self) -> Tuple[List[str], List[str]]: ...
    def unit(self) -> str: ...
    def __len__(self) -> int: ...

@final
class Draws:
    def method(self) -> str: ...
    def summary(self) -> List[Dict[str, Any]]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Draws: ...
    def nuts(self) -> Optional[Tuple[int, int, int, List[int], List[Tuple[str, List[float]]]]]: ...
    def seed(self) -> int: ...
    def kind(self) -> str: ...
    def unit(self) -> Optional[str]: ...
    def __len__(self) -> int: ...
    def values(self) -> List[List[float]]: ...
    def prob_alive(self, customers: Sequence[_F64], quantiles: Sequence[float]) -> _Intervals: ...
    def expected_purchases(
        self, horizon: _F64, customers: Sequence[_F64], quantiles: Sequence[float]
    ) -> _Intervals: ...
    def expected_purchases_new(self, t: _F64, quantiles: Sequence[float]) -> _Intervals: ...
    def prob_purchases(self, n: _F64, t: _F64, quantiles: Sequence[float]) -> _Intervals: ...
    def dert(self, discount: float, customers: Sequence[_F64], quantiles: Sequence[float]) -> _Intervals: ...
    def expected_spend(self, customers: Sequence[_F64], quantiles: Sequence[float]) -> _Intervals: ...
    def survival(self, t: _F64, quantiles: Sequence[float]) -> _Intervals: ...
    def retention(self, t: _F64, quantiles: Sequence[float]) -> _Intervals: ...
    def customer_lifetime_value(
        self,
        spend: Model | Draws,
        customers: Sequence[_F64],
        time: float,
        discount_rate: float,
        quantiles: Sequence[float],
        freq: Optional[str] = None,
        data_unit: Optional[str] = None,
    ) -> _Intervals: ...

@final
class GroupedDraws:
    def labels(self) -> List[str]: ...
    def group(self, label: str) -> Draws: ...
    def hyper(self) -> List[List[float]]: ...
    def hyperpriors(self) -> List[Tuple[float, float, float]]: ...
    def nuts(self) -> Tuple[int, int, int, List[int]]: ...
    def summary(self) -> List[Dict[str, Any]]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> GroupedDraws: ...
    def seed(self) -> int: ...
    def kind(self) -> str: ...
    def __len__(self) -> int: ...
    def prob_alive(
        self, groups: Sequence[str], customers: Sequence[_F64], quantiles: Sequence[float]
    ) -> _Intervals: ...
    def expected_purchases(
        self, groups: Sequence[str], horizon: _F64, customers: Sequence[_F64], quantiles: Sequence[float]
    ) -> _Intervals: ...
    def expected_purchases_new(self, groups: Sequence[str], t: _F64, quantiles: Sequence[float]) -> _Intervals: ...
    def prob_purchases(
        self, groups: Sequence[str], n: _F64, t: _F64, quantiles: Sequence[float]
    ) -> _Intervals: ...
    def dert(
        self, groups: Sequence[str], discount: float, customers: Sequence[_F64], quantiles: Sequence[float]
    ) -> _Intervals: ...
    def expected_spend(
        self, groups: Sequence[str], customers: Sequence[_F64], quantiles: Sequence[float]
    ) -> _Intervals: ...
    def customer_lifetime_value(
        self,
        groups: Sequence[str],
        spend: Model | Draws,
        customers: Sequence[_F64],
        time: float,
        discount_rate: float,
        quantiles: Sequence[float],
        freq: Optional[str] = None,
        data_unit: Optional[str] = None,
    ) -> _Intervals: ...

def check_prior_options(grouped: bool, priors: bool, hyperpriors: bool) -> None: ...
def sample_grouped(
    kind: str,
    inputs: Sequence[_F64],
    weights: Optional[_F64],
    groups: Sequence[str],
    hyperpriors: Sequence[Tuple[str, Sequence[float]]],
    settings: Tuple[int, int, int, int],
) -> GroupedDraws: ...

def sample(
    kind: str,
    inputs: Sequence[_F64],
    weights: Optional[_F64],
    priors: Sequence[Tuple[str, Any]],
    settings: Tuple[int, int, int, int],
) -> Draws: ...
def summarize(
    codes: npt.NDArray[np.uint32],
    n_customers: int,
    timestamps: npt.NDArray[np.int64],
    amounts: Optional[_F64],
    freq: str,
    observation_end: Optional[int] = None,
    calibration_end: Optional[int] = None,
    names: Any = None,
) -> Dict[str, Any]: ...
def unit_with_multiplier(freq: str, multiplier: float) -> str: ...
def unit_words(unit: str) -> str: ...
def rfm_scores(
    frequency: _F64, recency: _F64, t: _F64, monetary_value: _F64, bins: int
) -> Tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.uint8]]: ...
def rfm_segments(
    r_score: Sequence[int],
    f_score: Sequence[int],
    m_score: Sequence[int],
    bins: int,
    segment_map: Optional[str] = None,
) -> List[str]: ...
def default_segment_map() -> str: ...
def customer_lifetime_value(
    model: Model,
    spend: _F64,
    frequency: _F64,
    recency: _F64,
    t: _F64,
    time: float,
    discount_rate: float,
    freq: Optional[str] = None,
    data_unit: Optional[str] = None,
) -> _F64: ...
def waland_cole(
    volume: Sequence[str],
    margin: Sequence[str],
    direct_costs: Sequence[str],
    retention_costs: Sequence[str],
    acquisition_cost: str,
    cost_of_capital: str,
) -> str: ...
def waland_cole_constant(
    volume: str,
    margin: str,
    direct_costs: str,
    retention_costs: str,
    periods: int,
    acquisition_cost: str,
    cost_of_capital: str,
) -> str: ...
def simple_clv(
    average_purchase_value: str,
    purchase_frequency: str,
    lifespan: str,
    margin_rate: str,
    acquisition_cost: str,
    retention_cost: str,
) -> str: ...
def retention_clv(
    margin: str, retention: str, discount_rate: str, periods: Optional[int] = None
) -> str: ...
def contribution_margin(revenue: str, variable_costs: str, cost_to_serve: str) -> str: ...
def contribution_margins(
    revenue: Sequence[str], variable_costs: Sequence[str], cost_to_serve: Sequence[str]
) -> List[str]: ...

# Portfolio (clv::portfolio) and uplift (clv::experiment): the core's result
# structs as dicts with the structs' field names (per-customer vectors as numpy
# arrays, positions as uint arrays, nested rows as lists of dicts).
def whale_curve(values: _F64) -> Dict[str, Any]: ...
def gini(values: _F64) -> float: ...
def value_tiers(values: _F64, cuts: _F64, method: str) -> Dict[str, Any]: ...
def revenue_at_risk(values: _F64, p_alive: _F64) -> _F64: ...
def risk_ranking(values: _F64, p_alive: _F64) -> Dict[str, Any]: ...
def offer_ceiling(clv: _F64, p_alive: _F64, success_rate: float) -> Dict[str, Any]: ...
def customer_totals(
    codes: npt.NDArray[np.uint32],
    n_customers: int,
    amounts: _F64,
    margin_rate: float,
    cost_per_transaction: float,
) -> Dict[str, Any]: ...
def uplift(
    treated: _F64,
    control: _F64,
    confidence: float = 0.95,
    metric: str = "continuous",
    population: Optional[float] = None,
) -> Dict[str, Any]: ...
def uplift_proportions(
    successes_treated: int,
    n_treated: int,
    successes_control: int,
    n_control: int,
    confidence: float = 0.95,
    population: Optional[float] = None,
) -> Dict[str, Any]: ...
def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Tuple[float, float]: ...
def uplift_stratified(
    treated: _F64,
    treated_strata: Sequence[str],
    control: _F64,
    control_strata: Sequence[str],
    confidence: float = 0.95,
    metric: str = "continuous",
    population: Optional[float] = None,
) -> Dict[str, Any]: ...

# -- diagnostics (clv::diagnostics) ---------------------------------------------
def tracking_series(
    model: Model, first_period: _F64, repeat_periods: _F64, n_periods: int, multiplier: int
) -> Dict[str, Any]: ...
def alive_path(model: Model, purchases: _F64, t: int) -> Dict[str, Any]: ...
def customer_exposure(recency: _F64, t: _F64) -> npt.NDArray[np.uint64]: ...
def period_transactions(
    model: Model, frequency: _F64, t: _F64, weights: Optional[_F64], max_frequency: int
) -> Dict[str, Any]: ...
def calibration_vs_holdout(
    model: Model,
    frequency: _F64,
    recency: _F64,
    t: _F64,
    frequency_holdout: _F64,
    duration_holdout: _F64,
    kind: str,
    max_groups: int,
) -> Dict[str, Any]: ...
def heterogeneity(model: Model, what: str, points: int) -> Dict[str, Any]: ...
def simulate(model: Model, t: _F64, seed: int) -> Dict[str, Any]: ...
def tracking_series_from_transactions(
    model: Model, codes: npt.NDArray[np.uint32], timestamps: npt.NDArray[np.int64], freq: str, n_periods: int
) -> Dict[str, Any]: ...
def simulate_spend(model: Model, frequency: _F64, seed: int) -> Dict[str, Any]: ...
def simulate_survivors(model: Model, size: int, periods: int, seed: int) -> _F64: ...
def frequency_recency_matrix(model: Model, what: str, t: float, max_frequency: int, max_recency: int) -> _F64: ...
def partial_sums(
    kind: str, inputs: Sequence[_F64], params: Sequence[float], weights: Optional[_F64] = None, hessian: bool = True
) -> Tuple[float, List[float], Optional[List[float]]]: ...
def fit_from_partial_sums(
    kind: str,
    sample: Sequence[_F64],
    total_weight: float,
    terms: Callable[[List[float], bool], List[Tuple[float, List[float], Optional[List[float]]]]],
    sample_weights: Optional[_F64] = None,
    penalty: float = 0.0,
    max_iterations: float = 1000.0,
    gradient_tolerance: float = 1e-6,
    unit: Optional[str] = None,
) -> Tuple[Model, int]: ...
def compress(inputs: Sequence[_F64], weights: Optional[_F64] = None) -> Tuple[List[_F64], _F64]: ...
def window_end(freq: str, observation_end: int, calibration: bool) -> int: ...
