"""clv.compat.lifetimes.generate_data: lifetimes' functions and columns, draws from the core's
seeded simulation (clv::simulate), checked against the models' own expectations."""

import numpy as np
import pandas as pd
import pytest

import clv
from clv.compat import lifetimes as lt
from clv.compat.lifetimes import generate_data as gd
from clv.compat.lifetimes.utils import summary_data_from_transaction_data

BG = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)  # Fader, Hardie & Lee (2005)
PARETO = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)  # Fader-Hardie Pareto/NBD notes
BGBB = dict(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)  # Fader, Hardie & Shang (2010)


def test_pinned_draws_are_the_cores():
    # the same numbers the Rust test pins (crates/clv/src/simulate.rs, same_seed_same_data)
    s = clv.BetaGeo.from_params(**BG).simulate([39.0] * 40, seed=7)
    assert s["frequency"].sum() == 88 and s["frequency"][32] == 23
    assert s["recency"][32] == 37.60916126609864 and s["rate"][32] == 0.46416262373555855
    d = gd.beta_geometric_nbd_model(39.0, size=40, seed=7, **BG)
    np.testing.assert_array_equal(d["frequency"], s["frequency"])


def test_columns_and_reproducibility():
    d = gd.beta_geometric_nbd_model(39, 0.243, 4.414, 0.793, 2.426, size=100, seed=1)
    assert list(d.columns) == ["frequency", "recency", "T", "lambda", "p", "alive"]
    assert d.index.name == "customer_id" and len(d) == 100 and (d["T"] == 39).all()
    assert d.equals(gd.beta_geometric_nbd_model(39, 0.243, 4.414, 0.793, 2.426, size=100, seed=1))
    np.random.seed(3)  # without a seed numpy's global generator picks it, as lifetimes' draws
    a = gd.pareto_nbd_model(39, size=50, **PARETO)
    np.random.seed(3)
    assert a.equals(gd.pareto_nbd_model(39, size=50, **PARETO))
    assert list(a.columns) == ["frequency", "recency", "T", "lambda", "mu", "alive"]
    m = gd.modified_beta_geometric_nbd_model([10.0, 20.0, 30.0], 0.5, 6.0, 0.9, 1.6, seed=2)
    assert list(m["T"]) == [10.0, 20.0, 30.0] and list(m.columns)[4] == "p"
    b = gd.beta_geometric_beta_binom_model(6, size=200, seed=4, **BGBB)
    assert list(b.columns) == ["frequency", "recency", "n_periods", "p", "theta", "alive", "customer_id"]
    assert ((b["frequency"] <= b["recency"]) & (b["recency"] <= 6)).all()
    assert ((b["frequency"] == 0) == (b["recency"] == 0)).all()
    assert (d["recency"] <= d["T"]).all() and set(d["alive"]) <= {0.0, 1.0}
    with pytest.raises(clv.ClvError) as e:
        gd.beta_geometric_beta_binom_model(5.5, size=2, seed=1, **BGBB)
    assert e.value.field == "T"


@pytest.mark.parametrize("fn, params, age, model", [
    (gd.beta_geometric_nbd_model, BG, 39.0, clv.BetaGeo),
    (gd.modified_beta_geometric_nbd_model, dict(r=0.525, alpha=6.183, a=0.891, b=1.614), 39.0, clv.ModifiedBetaGeo),
    (gd.pareto_nbd_model, PARETO, 39.0, clv.ParetoNBD),
    (gd.beta_geometric_beta_binom_model, BGBB, 6, clv.BetaGeoBetaBinom),
])
def test_draws_follow_the_model(fn, params, age, model):
    n = 20000
    d = fn(age, size=n, seed=11, **params)
    m = model.from_params(**params)
    # the mean repeat purchases of new customers of age T is the model's E[X(T)], P(X = 0) its P(X(T) = 0)
    x = d["frequency"]
    assert abs(x.mean() - m.expected_purchases_new(age)) < 4 * x.std() / np.sqrt(n)
    p0 = m.prob_purchases(0, age)
    assert abs((x == 0).mean() - p0) < 4 * np.sqrt(p0 * (1 - p0) / n)


def test_fitting_generated_data_recovers_the_parameters():
    d = gd.beta_geometric_nbd_model(39, size=20000, seed=5, **BG)
    f = lt.BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
    for k, v in BG.items():
        assert abs(f.params_[k] - v) < 3 * f.standard_errors_[k], k


def test_transactional_data_summarises_back():
    d = gd.beta_geometric_nbd_model(52, size=300, seed=8, **BG)
    tx = gd.beta_geometric_nbd_model_transactional_data(52, size=300, seed=8, observation_period_end="2019-1-1",
                                                        freq="W", **BG)
    assert list(tx.columns) == ["customer_id", "date"]
    assert len(tx) == 300 + d["frequency"].sum()  # first purchases + repeat purchases
    s = summary_data_from_transaction_data(tx, "customer_id", "date", observation_period_end="2019-01-01",
                                           freq="7D")
    # first purchase 52 weeks before the end: T = 52; a repeat week count never exceeds the purchases
    assert (s["T"] == 52).all()
    assert (s["frequency"] <= d["frequency"].to_numpy()).all()
    # by hand: "7D" counts distinct purchase days (divides times by 7): distinct days − 1
    days = tx["date"].dt.normalize()
    want = pd.DataFrame({"id": tx["customer_id"], "d": days}).drop_duplicates().groupby("id").size() - 1
    np.testing.assert_array_equal(s["frequency"].to_numpy(), want.to_numpy())
    for fn, p in [(gd.pareto_nbd_model_transactional_data, PARETO),
                  (gd.modified_beta_geometric_nbd_model_transactional_data, dict(r=0.5, alpha=6.0, a=0.9, b=1.6))]:
        t = fn(10, size=5, seed=1, **p)
        assert isinstance(t, pd.DataFrame) and t["customer_id"].nunique() == 5


def test_spend_and_survivor_simulations():
    # Gamma-Gamma, Fader & Hardie (2013)'s CDNOW values: E[z̄] = p·γ/(q − 1) whatever x
    g = clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    s = g.simulate([2] * 30000, seed=3)
    assert list(s.columns) == ["frequency", "monetary_value", "nu"]
    want = 6.25 * 15.44 / (3.74 - 1)
    assert abs(s["monetary_value"].mean() - want) < 4 * s["monetary_value"].std() / np.sqrt(len(s))
    refit = clv.GammaGamma().fit(s["frequency"], s["monetary_value"])
    assert abs(refit.params["p"] - 6.25) < 3 * refit.summary().loc["p", "std_error"]
    # sBG "regular" cohort (Fader & Hardie 2007): the survivor curve tracks S(t)
    m = clv.ShiftedBetaGeo.from_params(alpha=0.704, beta=1.182)
    c = m.simulate(50000, 7, seed=1)
    assert c[0] == 50000 and len(c) == 8 and (np.diff(c) <= 0).all()
    for t in (1, 4, 7):
        p = m.survival(t)
        assert abs(c[t] / 50000 - p) < 4 * np.sqrt(p * (1 - p) / 50000)
    assert np.array_equal(c, m.simulate(50000, 7, seed=1))
    with pytest.raises(clv.ClvError) as e:
        m.simulate(-1, 3)
    assert e.value.field == "size"
    # pinned draws, the same in Rust (crates/clv/src/simulate.rs) and JS (tests/js/diagnostics.test.mjs)
    assert g.simulate([1, 2, 3], seed=9)["monetary_value"].tolist() == [136.7562041560296, 17.551443392468776,
                                                                         84.09909208528624]
    assert m.simulate(1000, 7, seed=2).tolist() == [1000, 630, 477, 405, 350, 305, 278, 251]
