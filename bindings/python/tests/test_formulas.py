"""clv.formulas: Decimal in, Decimal out (values hand-computed in the comments)."""

from decimal import Decimal as D

import pytest

import clv
from clv import formulas as f


def test_waland_cole_series_and_constant():
    # contributions 10·5−10−5 = 35, 12·5−10−5 = 45, 15·4−12−3 = 45; COC 0.25 -> d = 0.8
    # VC = 35·0.8 + 45·0.64 + 45·0.512 − 50 = 28 + 28.8 + 23.04 − 50 = 29.84
    v = f.waland_cole([10, 12, 15], [5, 5, 4], [10, 10, 12], [5, 5, 3], D("50"), D("0.25"))
    assert v == D("29.84") and isinstance(v, D)
    # constant: 35 per period, Σ_{t=1..3} 0.8^t = 1.952 -> 35·1.952 − 50 = 18.32
    assert f.waland_cole(10, 5, 10, 5, 50, "0.25", periods=3) == D("18.32")
    assert f.waland_cole_constant(10, 5, 10, 5, 3, 50, D("0.25")) == D("18.32")


def test_simple_retention_margin():
    # 50 · 4 · 3 · 0.25 − 20 − 10 = 150 − 30 = 120
    assert f.simple_clv(D("50"), 4, 3, D("0.25"), 20, 10) == D("120")
    # m·r/(1+i−r) = 100·0.8/0.3 = 266.666... (28 significant digits)
    v = f.retention_clv(100, D("0.8"), D("0.1"))
    assert str(v).startswith("266.66666666666666666666666")
    # finite: 100·(q + q²) with q = 0.8/1.1 = 0.727272..., = 100·(0.72727.. + 0.52892..) = 125.6198...
    assert f.retention_clv(100, D("0.8"), D("0.1"), periods=2).quantize(D("0.0001")) == D("125.6198")
    # 1000 − 600 − 150 = 250; exact decimals: 0.1 + 0.2 stays 0.3
    assert f.contribution_margin(1000, 600, 150) == D("250")
    assert f.contribution_margin(D("0.3"), D("0.1"), D("0.2")) == D("0.0")
    assert f.contribution_margins(["10", "20"], [1, 2], [0, D("0.5")]) == [D("9"), D("17.5")]


def test_formula_errors():
    with pytest.raises(clv.ClvError) as e:
        f.retention_clv(100, D("1.5"), D("0.1"))
    assert e.value.field == "retention" and "1.5" in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        f.simple_clv(50, 4, 3, "abc", 0, 0)
    assert e.value.field == "margin_rate" and '"abc"' in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        f.waland_cole([1, 2], [1], [0, 0], [0, 0], 0, "0.1")
    assert e.value.code == "LENGTH_MISMATCH"
    with pytest.raises(clv.ClvError) as e:
        f.contribution_margin(D("NaN"), 0, 0)
    assert e.value.field == "revenue"
    with pytest.raises(clv.ClvError) as e:
        f.waland_cole(1, 1, 0, 0, 0, "0.1")
    assert e.value.field == "periods"


def test_counts_are_whole_numbers_never_truncated():
    """A fractional count is an error naming it, as in JS (it was truncated: 2.5 periods gave the
    2-period value); a float that is whole (2.0, np.float64(12)) is that number, as in JS."""
    import numpy as np
    import pandas as pd

    assert f.retention_clv("100", "0.8", "0.1", 2.0) == f.retention_clv("100", "0.8", "0.1", 2)
    for call, field in [(lambda: f.retention_clv("100", "0.8", "0.1", 2.5), "periods"),
                        (lambda: f.waland_cole_constant("10", "5", "2", "1", 2.5, "20", "0.1"), "periods"),
                        (lambda: clv.BetaGeo().fit([1, 2], [1, 2], [3, 4], max_iterations=50.7), "max_iterations")]:
        with pytest.raises(clv.ClvError) as e:
            call()
        assert (e.value.code, e.value.field) == ("INVALID_INPUT", field)
    bg = clv.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    gg = clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    at = [clv.customer_lifetime_value(bg, gg, 2, 30.43, 38.86, 22.35, time=t, freq="W")
          for t in (12, 12.0, np.float64(12))]
    assert at[0] == at[1] == at[2] == pytest.approx(36.28921112559952, rel=1e-9)  # FHL (2005) ID 1
    with pytest.raises(clv.ClvError) as e:
        clv.customer_lifetime_value(bg, gg, 2, 30.43, 38.86, 22.35, time=12.5, freq="W")
    assert e.value.field == "time"
    s = pd.DataFrame({"frequency": [1, 2, 0], "recency": [1, 2, 0], "T": [3, 4, 5], "monetary_value": [1, 2, 0]})
    assert clv.rfm_scores(s, bins=5.0)["rfm_score"].tolist() == clv.rfm_scores(s, bins=5)["rfm_score"].tolist()
    with pytest.raises(clv.ClvError) as e:
        clv.rfm_segments(s, bins=4.5)
    assert e.value.field == "bins"
