"""Hierarchical pooling (``Model.sample(..., groups=...)`` →
``clv.uncertainty.GroupedPosterior``) through the Python API; the density, the
recovery of known per-group parameters and the pooling are tested in Rust
(crates/clv/tests/hierarchical.rs)."""

import numpy as np
import pandas as pd
import pytest

import clv
from clv.uncertainty import GroupedPosterior, Posterior


def _data():
    """Simulated BG/NBD customers of three channels (the core's simulator)."""
    parts = []
    for seed, (label, params, n) in enumerate([("web", dict(r=0.5, alpha=4.0, a=0.6, b=2.5), 120),
                                                ("store", dict(r=1.0, alpha=9.0, a=0.8, b=3.0), 120),
                                                ("phone", dict(r=0.4, alpha=6.0, a=0.4, b=2.0), 60)]):
        sim = clv.BetaGeo.from_params(**params).simulate(20 + np.arange(n) % 40, seed=seed + 5)
        df = pd.DataFrame({"frequency": sim["frequency"], "recency": sim["recency"], "T": sim["T"]})
        df["channel"] = label
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.fixture(scope="module")
def post(data):
    return clv.BetaGeo().sample(data["frequency"], data["recency"], data["T"], groups=data["channel"],
                                hyperpriors={"r": (-0.5, 1.0, 0.5)}, chains=2, tune=150, draws=100, seed=3)


def test_grouped_posterior_has_groups_summary_and_hyperparameters(post):
    assert isinstance(post, GroupedPosterior)
    assert post.groups == ["phone", "store", "web"]
    assert len(post) == 200 and post.chains == 2 and post.draws_per_chain == 100
    s = post.summary()
    assert list(s.columns) == ["mean", "sd", "q05", "q95", "r_hat", "ess_bulk", "ess_tail", "divergences"]
    assert s.loc[("web", "theta", "alpha"), "mean"] > 0
    assert s.loc[("", "tau", "r"), "mean"] > 0
    assert len(s) == 3 * 4 + 2 * 4
    assert post.hyperpriors["r"] == (-0.5, 1.0, 0.5)
    assert post.hyperpriors["alpha"] == (0.0, 5.0, 1.0)
    assert list(post.hyper.columns[:2]) == ["mu[r]", "mu[alpha]"]
    web = post.group("web")
    assert isinstance(web, Posterior) and len(web) == 200
    assert "GroupedPosterior(BG/NBD" in repr(post)


def test_predictions_use_each_customers_group(post):
    f, r, t = np.array([0.0, 2.0, 5.0]), np.array([0.0, 10.0, 30.0]), np.array([30.0, 35.0, 40.0])
    groups = ["store", "phone", "web"]
    p = post.prob_alive(f, r, t, groups=groups)
    for i, g in enumerate(groups):
        one = post.group(g).prob_alive(f[i:i + 1], r[i:i + 1], t[i:i + 1])
        assert p["mean"].iloc[i] == one["mean"].iloc[0]
        assert p["q0.95"].iloc[i] == one["q0.95"].iloc[0]
    e = post.expected_purchases(10, f, r, t, groups=pd.Series(groups))
    assert (e["mean"] > 0).all() and "mean" in e.attrs["total"]
    # one label for all
    all_web = post.prob_alive(f, r, t, groups="web")
    assert list(all_web["mean"]) == list(post.group("web").prob_alive(f, r, t)["mean"])
    new = post.expected_purchases_new([10.0, 10.0], groups=["phone", "web"])
    assert len(new) == 2
    pp = post.prob_purchases([0, 1], 10.0, groups=["phone", "web"])
    assert len(pp) == 2


def test_same_seed_same_draws_and_json_round_trip(data, post):
    again = clv.BetaGeo().sample(data["frequency"], data["recency"], data["T"], groups=list(data["channel"]),
                                 hyperpriors={"r": (-0.5, 1.0, 0.5)}, chains=2, tune=150, draws=100, seed=3)
    assert again.to_json() == post.to_json()
    back = GroupedPosterior.from_json(post.to_json())
    assert back.to_json() == post.to_json()
    pd.testing.assert_frame_equal(back.summary(), post.summary())


def test_integer_labels(data):
    codes = data["channel"].map({"web": 1, "store": 2, "phone": 10}).to_numpy()
    p = clv.BetaGeo().sample(data["frequency"], data["recency"], data["T"], groups=codes,
                             chains=1, tune=30, draws=10, seed=1)
    assert p.groups == ["1", "10", "2"]
    assert len(p.group(10)) == 10


def test_errors_are_typed_and_name_groups(data, post):
    x, tx, t = data["frequency"], data["recency"], data["T"]
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo().sample(x, tx, t, groups=list(data["channel"])[1:], chains=1, tune=10, draws=5)
    assert e.value.code == "LENGTH_MISMATCH" and e.value.field == "groups"
    labels = list(data["channel"])
    labels[4] = ""
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo().sample(x, tx, t, groups=labels, chains=1, tune=10, draws=5)
    assert e.value.code == "INVALID_INPUT" and e.value.field == "groups" and "4" in str(e.value)
    labels[4] = 1.5
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo().sample(x, tx, t, groups=labels, chains=1, tune=10, draws=5)
    assert e.value.field == "groups"
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo().sample(x, tx, t, groups=data["channel"], priors={"r": ("gamma", 1, 1)})
    assert e.value.field == "priors"
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo().sample(x, tx, t, groups=data["channel"], hyperpriors={"r": (0.0, -1.0, 1.0)})
    assert e.value.code == "INVALID_INPUT" and e.value.field == "r"
    with pytest.raises(clv.ClvError) as e:
        post.prob_alive([1.0, 2.0], [1.0, 2.0], [3.0, 3.0], groups=["web", "mars"])
    assert e.value.field == "groups" and "mars" in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        post.group("mars")
    assert e.value.field == "group"
    with pytest.raises(clv.ClvError) as e:
        GroupedPosterior.from_json(post.group("web").to_json())
    assert e.value.code == "FORMAT_ERROR"


def test_to_arviz_has_a_group_dimension(post):
    arviz = pytest.importorskip("arviz")
    idata = post.to_arviz()
    assert idata.posterior["r"].dims == ("chain", "draw", "group")
    assert list(idata.posterior["group"].values) == ["phone", "store", "web"]
    assert idata.posterior["tau_r"].dims == ("chain", "draw")
    del arviz
