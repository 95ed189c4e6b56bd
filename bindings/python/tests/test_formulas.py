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
