"""clv — customer lifetime value, computed by a Rust core.

Quick start (CDNOW, weeks)::

    import clv
    s = clv.rfm_summary(tx, customer_id_col="customer_id", datetime_col="date",
                        monetary_value_col="amount", observation_period_end="1997-09-30", freq="W")
    bg = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    s["p_alive"] = bg.prob_alive(s["frequency"], s["recency"], s["T"])
    repeat = s[s["frequency"] > 0]
    gg = clv.GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
    s["clv"] = clv.customer_lifetime_value(bg, gg, s["frequency"], s["recency"], s["T"],
                                           s["monetary_value"], time=12, discount_rate=0.01, freq="W")
    segments = clv.rfm_segments(s)
    w = clv.portfolio.whale_curve(s["clv"])          # .cumulative_share .peak_share .gini
    at_risk = clv.portfolio.revenue_at_risk(s["clv"] / s["p_alive"], s["p_alive"])
    u = clv.experiment.uplift(treated_revenue, control_revenue)   # .effect .ci_low .ci_high .total

Every error is a :class:`ClvError` (a ``ValueError``) whose message names the
field and the value, with ``code`` and ``field`` attributes.
"""

from __future__ import annotations

# plotting imports matplotlib only inside its functions: importing it here
# keeps matplotlib optional and makes ``clv.plotting`` work after ``import clv``.
from . import covariates, experiment, formulas, plotting, portfolio, uncertainty
from ._clv import ClvError
from .covariates import CovariateModel, DynamicCovariateData, RetentionCovariateModel, SpendCovariateModel
from .models import *  # noqa: F403  (one class per registry model: BetaGeo, ParetoNBD, ...)
from .models import __all__ as _models
from .rfm import default_segment_map, rfm_scores, rfm_segments
from .summary import rfm_summary
from .value import customer_lifetime_value

__version__ = "0.1.0"

__all__ = [
    "ClvError",
    *_models,
    "CovariateModel",
    "DynamicCovariateData",
    "RetentionCovariateModel",
    "SpendCovariateModel",
    "rfm_summary",
    "rfm_scores",
    "rfm_segments",
    "default_segment_map",
    "customer_lifetime_value",
    "covariates",
    "formulas",
    "portfolio",
    "experiment",
    "plotting",
    "uncertainty",
]
