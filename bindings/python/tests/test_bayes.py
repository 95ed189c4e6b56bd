"""Bayesian fits with NUTS through the Python API (``Model.sample`` →
``clv.uncertainty.Posterior``); the sampler and its checks against the MLE,
finite differences and simulation-based calibration are tested in Rust
(crates/clv/tests/bayes.rs)."""

import json

import numpy as np
import pandas as pd
import pytest

import clv
from clv.uncertainty import Posterior
from conftest import data_path

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]  # FH (2007) "regular" survivors


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(data_path("cdnow_customers_summary.csv"))


@pytest.fixture(scope="module")
def post(cdnow):
    return clv.BetaGeo().sample(cdnow["frequency"], cdnow["recency"], cdnow["T"],
                                priors={"r": ("gamma", 1, 1)}, chains=4, tune=1000, draws=1000, seed=1)


def test_bg_nbd_posterior_on_cdnow_is_around_the_published_mle(post):
    # FHL (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
    s = post.summary()
    assert list(s.index) == ["r", "alpha", "a", "b"]
    assert list(s.columns) == ["mean", "sd", "q05", "q95", "r_hat", "ess_bulk", "ess_tail", "divergences"]
    for p, mle in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert abs(s.loc[p, "mean"] - mle) < 2 * s.loc[p, "sd"], p
        assert s.loc[p, "q05"] < mle < s.loc[p, "q95"], p
    assert (s["r_hat"] < 1.01).all()
    assert (s["ess_bulk"] > 400).all()
    assert (s["divergences"] == 0).all()
    assert post.method == "nuts" and post.chains == 4 and post.draws_per_chain == 1000 and len(post) == 4000
    assert post.priors["r"] == ("gamma", 1.0, 1.0)
    assert post.priors["alpha"] == ("lognormal", 0.0, 5.0)
    assert post.divergent == []


def test_predictions_with_intervals_from_the_posterior(post, cdnow):
    head = cdnow.iloc[:20]
    iv = post.expected_purchases(39, head["frequency"], head["recency"], head["T"])
    assert list(iv.columns) == ["mean", "q0.05", "q0.5", "q0.95"]
    assert (iv["q0.05"] <= iv["mean"]).all() and (iv["mean"] <= iv["q0.95"]).all()
    # the mean over draws is the mean of the per-draw predictions
    p = post.params
    one = [clv.BetaGeo.from_params(**row).expected_purchases(39, head["frequency"], head["recency"], head["T"])[0]
           for row in p.to_dict("records")]
    assert iv["mean"].iloc[0] == pytest.approx(np.mean(one), rel=1e-12)
    assert "mean" in iv.attrs["total"]


def test_same_seed_same_draws_bit_for_bit():
    a = clv.ShiftedBetaGeo().sample(REGULAR, chains=2, tune=200, draws=200, seed=5)
    b = clv.ShiftedBetaGeo().sample(REGULAR, chains=2, tune=200, draws=200, seed=5)
    c = clv.ShiftedBetaGeo().sample(REGULAR, chains=2, tune=200, draws=200, seed=6)
    assert np.array_equal(a.params.to_numpy(), b.params.to_numpy())
    assert not np.array_equal(a.params.to_numpy(), c.params.to_numpy())
    assert a.to_json() == b.to_json()


def test_json_round_trip(post):
    back = Posterior.from_json(post.to_json())
    assert back.to_json() == post.to_json()
    assert back.summary().equals(post.summary())
    assert back.chains == 4 and back.priors == post.priors
    doc = json.loads(post.to_json())
    assert doc["method"] == "nuts" and doc["model"] == "bg_nbd" and doc["nuts"]["chains"] == 4
    with pytest.raises(clv.ClvError) as e:
        Posterior.from_json("{}")
    assert e.value.code == "FORMAT_ERROR"


def test_every_family_takes_its_own_inputs(cdnow):
    d = pd.read_csv(data_path("donations.csv"))
    bb = clv.BetaGeoBetaBinom().sample(d["frequency"], d["recency"], d["periods"], weights=d["weights"],
                                       chains=2, tune=200, draws=100, seed=1)
    assert list(bb.summary().index) == ["alpha", "beta", "gamma", "delta"]
    t = pd.read_csv(data_path("cdnow_customers_summary_with_transactions.csv"))
    rep = t[t["x"] > 0]
    gg = clv.GammaGamma().sample(frequency=rep["x"], monetary_value=rep["zbar"], chains=2, tune=200, draws=100, seed=1)
    assert list(gg.summary().index) == ["p", "q", "v"]
    assert gg.expected_spend(rep["x"][:3], rep["zbar"][:3]).shape == (3, 4)
    sbg = clv.ShiftedBetaGeo().sample(REGULAR, chains=2, tune=200, draws=100, seed=1,
                                      priors={"alpha": ("halfnormal", 5), "beta": ("weibull", 2, 5)})
    assert sbg.priors == {"alpha": ("halfnormal", 5.0), "beta": ("weibull", 2.0, 5.0)}
    assert sbg.survival([1, 2]).shape == (2, 4)


def test_bad_priors_and_options_raise_typed_errors():
    m = clv.ShiftedBetaGeo()
    with pytest.raises(clv.ClvError) as e:
        m.sample(REGULAR, priors={"r": ("gamma", 1, 1)})
    assert e.value.code == "INVALID_INPUT" and "alpha, beta" in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        m.sample(REGULAR, priors={"alpha": ("gamma", 1, -1)})
    assert e.value.field == "alpha"
    with pytest.raises(clv.ClvError) as e:
        m.sample(REGULAR, priors={"alpha": ("cauchy", 0, 1)})
    assert e.value.field == "alpha"
    with pytest.raises(clv.ClvError) as e:
        m.sample(REGULAR, priors={"beta": ("gamma", "one", 1)})
    assert e.value.field == "beta"
    # the core parses (family, *args) for every runtime (Prior::from_items)
    with pytest.raises(clv.ClvError) as e:
        m.sample(REGULAR, priors={"beta": ("gamma", None, 1)})
    assert e.value.field == "beta" and "numbers after the family" in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        m.sample(REGULAR, priors={"beta": ()})
    assert e.value.field == "beta"
    with pytest.raises(clv.ClvError) as e:
        m.sample(REGULAR, chains=0)
    assert e.value.field == "chains"
    assert isinstance(e.value, ValueError)


def test_to_arviz(post):
    try:
        import arviz  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install arviz"):
            post.to_arviz()
        return
    idata = post.to_arviz()
    r = idata.posterior["r"]
    assert r.dims == ("chain", "draw") and r.shape == (4, 1000)
    assert np.array_equal(r.values.reshape(-1), post.params["r"].to_numpy())
    assert idata.sample_stats["diverging"].shape == (4, 1000)
    # the core's diagnostics are ArviZ's (rank-normalised split R-hat, bulk/tail ESS)
    import arviz as az

    s = post.summary()
    for p in ["r", "alpha", "a", "b"]:
        assert s.loc[p, "r_hat"] == pytest.approx(float(az.rhat(idata, method="rank")[p]), rel=1e-9)
        assert s.loc[p, "ess_bulk"] == pytest.approx(float(az.ess(idata, method="bulk")[p]), rel=1e-9)
        assert s.loc[p, "ess_tail"] == pytest.approx(float(az.ess(idata, method="tail")[p]), rel=1e-9)
