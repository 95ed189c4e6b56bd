"""Parameter draws and intervals through the Python API (clv.uncertainty); the
cross-runtime values are in tests/vectors/draws.json (test_vectors.py)."""

import numpy as np
import pandas as pd
import pytest

import clv
from conftest import data_path


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(data_path("cdnow_customers_summary.csv"))


@pytest.fixture(scope="module")
def bg(cdnow):
    return clv.BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_laplace_frame_matches_numpy_on_the_drawn_parameters(bg, cdnow):
    d = bg.draws(method="laplace", n=300, seed=1)
    assert d.method == "laplace" and d.n == len(d) == 300 and d.seed == 1
    head = cdnow.iloc[:50]
    got = d.prob_alive(head["frequency"], head["recency"], head["T"], quantiles=(0.1, 0.5, 0.9))
    assert list(got.columns) == ["mean", "q0.1", "q0.5", "q0.9"]
    assert got.index.equals(head.index)
    # the same numbers from the drawn parameters, one model per draw, numpy.quantile (linear)
    per_draw = np.array([clv.BetaGeo.from_params(**row).prob_alive(head["frequency"], head["recency"], head["T"])
                         for row in d.params.to_dict("records")])
    np.testing.assert_allclose(got["mean"], per_draw.mean(axis=0), rtol=1e-13)
    for q in (0.1, 0.5, 0.9):
        np.testing.assert_allclose(got[f"q{q:g}"], np.quantile(per_draw, q, axis=0), rtol=1e-13)
    sums = per_draw.sum(axis=1)
    assert got.attrs["total"]["mean"] == pytest.approx(sums.mean(), rel=1e-12)
    assert got.attrs["total"]["q0.9"] == pytest.approx(np.quantile(sums, 0.9), rel=1e-12)


def test_laplace_draws_have_the_fits_covariance_on_the_log_scale(bg):
    d = bg.draws(n=20000, seed=2)
    logs = np.log(d.params.to_numpy())
    theta = np.array(list(bg.params.values()))
    cov = np.array(bg.fit_info["covariance"]) / np.outer(theta, theta)
    np.testing.assert_allclose(logs.mean(axis=0), np.log(theta), atol=4 * np.sqrt(np.diag(cov) / 20000).max())
    # 4 standard errors of a sample covariance, √((σ_aa σ_bb + σ_ab²)/n)
    se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov ** 2) / 20000)
    assert (np.abs(np.cov(logs.T) - cov) < 4 * se).all()


def test_same_seed_same_quantiles(bg, cdnow):
    a = bg.draws(n=100, seed=9).expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    b = bg.draws(n=100, seed=9).expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    pd.testing.assert_frame_equal(a, b)
    c = bg.draws(n=100, seed=10).expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert not a.equals(c)


def test_bootstrap_compressed_equals_expanded(bg, cdnow):
    head = cdnow.iloc[:400]
    grouped = head.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    a = bg.draws(method="bootstrap", n=5, seed=4, data=(head["frequency"], head["recency"], head["T"]))
    b = bg.draws(method="bootstrap", n=5, seed=4, data=(grouped["frequency"], grouped["recency"], grouped["T"]),
                 weights=grouped["n"])
    pd.testing.assert_frame_equal(a.params, b.params)


def test_clv_with_spend_draws_and_new_customer_predictions(bg):
    d = pd.read_csv(data_path("cdnow_customers_summary_with_transactions.csv"))
    rep = d[(d["x"] > 0) & (d["zbar"] > 0)]
    gg = clv.GammaGamma().fit(rep["x"], rep["zbar"])
    tx, sp = bg.draws(n=200, seed=1), gg.draws(n=200, seed=2)
    head = d.iloc[:10]
    args = (head["x"], head["t_x"], head["T"], head["zbar"])
    both = tx.customer_lifetime_value(sp, *args, time=12, discount_rate=0.01, freq="W")
    point = tx.customer_lifetime_value(gg, *args, time=12, discount_rate=0.01, freq="W")
    # spend uncertainty widens the intervals (in total over these customers)
    assert (both["q0.95"] - both["q0.05"]).sum() > (point["q0.95"] - point["q0.05"]).sum()
    assert both.attrs["total"]["mean"] == pytest.approx(both["mean"].sum(), rel=1e-12)
    new = tx.expected_purchases_new([10.0, 39.0])
    assert len(new) == 2 and (new["q0.05"] < new["q0.95"]).all()
    pp = tx.prob_purchases([0, 1, 2], 39.0)
    assert len(pp) == 3
    spend = sp.expected_spend(head["x"], head["zbar"])
    assert (spend["mean"] > 0).all()


def test_errors_name_the_field(bg):
    with pytest.raises(clv.ClvError) as e:
        bg.draws(method="nuts")
    assert (e.value.code, e.value.field) == ("INVALID_INPUT", "method")
    with pytest.raises(clv.ClvError) as e:
        bg.draws(n=0)
    assert e.value.field == "n"
    with pytest.raises(clv.ClvError) as e:
        bg.draws(n=10).prob_alive([1], [1], [2], quantiles=(0.5, 2))
    assert e.value.field == "quantiles"
    with pytest.raises(clv.ClvError) as e:
        bg.draws(n=10).dert(0.1, [1], [1], [2])
    assert (e.value.code, e.value.field) == ("NOT_SUPPORTED", "dert")
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo.from_params(**bg.params).draws(n=10)
    assert (e.value.code, e.value.field) == ("NOT_SUPPORTED", "laplace draws")
    with pytest.raises(clv.ClvError) as e:
        bg.draws(method="bootstrap", n=3)
    assert e.value.field == "inputs"


def test_sbg_survival_intervals():
    s = [1000, 631, 468, 382, 326, 289, 262, 241]
    m = clv.ShiftedBetaGeo().fit(s)
    d = m.draws(n=500, seed=3)
    out = d.survival([1, 7, 12])
    assert (out["q0.05"] < out["mean"]).all() and (out["mean"] < out["q0.95"]).all()
