"""Type stub of the native module ``clv._clv`` (Rust, pyo3). Checked against the
built module by ``python -m mypy.stubtest clv._clv`` in ``scripts/test.sh``.

Arrays are 1-d numpy arrays; float inputs are read as float64 (contiguous
arrays without a copy), results are new float64 arrays.
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt
from typing_extensions import final

_F64 = npt.NDArray[np.float64]

__all__ = [
    "ClvError",
    "TransactionModelCore",
    "GammaGammaCore",
    "ShiftedBetaGeoCore",
    "summarize",
    "rfm_scores",
    "rfm_segments",
    "default_segment_map",
    "customer_lifetime_value",
    "waland_cole",
    "waland_cole_constant",
    "simple_clv",
    "retention_clv",
    "contribution_margin",
    "contribution_margins",
]

class ClvError(ValueError):
    """Invalid input or a failed computation; ``code`` e.g. ``"INVALID_INPUT"``,
    ``field`` the argument/column/parameter at fault (or None)."""

    code: str
    field: Optional[str]

@final
class TransactionModelCore:
    @staticmethod
    def fit(
        kind: str,
        frequency: _F64,
        recency: _F64,
        t: _F64,
        weights: Optional[_F64] = None,
        penalty: float = 0.0,
        max_iterations: int = 1000,
        gradient_tolerance: float = 1e-6,
    ) -> TransactionModelCore: ...
    @staticmethod
    def from_params(kind: str, p: Tuple[float, float, float, float]) -> TransactionModelCore: ...
    @staticmethod
    def from_json(kind: str, text: str) -> TransactionModelCore: ...
    def to_json(self) -> str: ...
    def name(self) -> str: ...
    def params(self) -> List[Tuple[str, float]]: ...
    def fit_info(self) -> Optional[Dict[str, Any]]: ...
    def log_likelihood(self, frequency: _F64, recency: _F64, t: _F64) -> _F64: ...
    def prob_alive(self, frequency: _F64, recency: _F64, t: _F64) -> _F64: ...
    def expected_purchases(self, horizon: _F64, frequency: _F64, recency: _F64, t: _F64) -> _F64: ...
    def expected_purchases_new(self, t: _F64) -> _F64: ...
    def prob_purchases(self, n: _F64, t: _F64) -> _F64: ...
    def prob_purchases_conditional(
        self, n: float, horizon: float, frequency: _F64, recency: _F64, t: _F64
    ) -> _F64: ...
    def dert(self, discount: float, frequency: _F64, recency: _F64, t: _F64) -> _F64: ...
    def prob_alive_ahead(self, m: float, frequency: _F64, recency: _F64, n_periods: _F64) -> _F64: ...

@final
class GammaGammaCore:
    @staticmethod
    def fit(
        frequency: _F64,
        monetary_value: _F64,
        weights: Optional[_F64] = None,
        penalty: float = 0.0,
        max_iterations: int = 1000,
        gradient_tolerance: float = 1e-6,
    ) -> GammaGammaCore: ...
    @staticmethod
    def from_params(p: float, q: float, v: float) -> GammaGammaCore: ...
    @staticmethod
    def from_json(text: str) -> GammaGammaCore: ...
    def to_json(self) -> str: ...
    def params(self) -> List[Tuple[str, float]]: ...
    def fit_info(self) -> Optional[Dict[str, Any]]: ...
    def log_likelihood(self, frequency: _F64, monetary_value: _F64) -> _F64: ...
    def expected_spend(self, frequency: _F64, monetary_value: _F64) -> _F64: ...

@final
class ShiftedBetaGeoCore:
    @staticmethod
    def fit(
        survivors: _F64,
        penalty: float = 0.0,
        max_iterations: int = 1000,
        gradient_tolerance: float = 1e-6,
    ) -> ShiftedBetaGeoCore: ...
    @staticmethod
    def from_params(alpha: float, beta: float) -> ShiftedBetaGeoCore: ...
    @staticmethod
    def from_json(text: str) -> ShiftedBetaGeoCore: ...
    def to_json(self) -> str: ...
    def params(self) -> List[Tuple[str, float]]: ...
    def fit_info(self) -> Optional[Dict[str, Any]]: ...
    def log_likelihood(self, survivors: _F64) -> float: ...
    def survival(self, t: _F64) -> _F64: ...
    def prob_churn(self, t: _F64) -> _F64: ...
    def retention(self, t: _F64) -> _F64: ...
    def dert(self, discount: float, renewals: float) -> float: ...
    def discounted_expected_lifetime(self, discount: float) -> float: ...

def summarize(
    codes: npt.NDArray[np.uint32],
    n_customers: int,
    timestamps: npt.NDArray[np.int64],
    amounts: Optional[_F64],
    freq: str,
    observation_end: Optional[int] = None,
    calibration_end: Optional[int] = None,
) -> Dict[str, Any]: ...
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
    model: TransactionModelCore,
    spend: _F64,
    frequency: _F64,
    recency: _F64,
    t: _F64,
    time: int,
    discount_rate: float,
    freq: str,
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
