"""The shared vectors (tests/vectors/*.json) through the Python API.

Each vector file cites its source (papers, lifetimes 0.11.3, mpmath); the Rust
runners in tests/tests/vectors_*.rs read the same files the same way: a case
passes when |got − expected| ≤ atol + rtol·|expected|; an error case must
raise ClvError with the vector's code and field.
"""

import json

import numpy as np
import pandas as pd
import pytest

import clv
from conftest import VECTORS, data_path

MODELS = {
    "bg_nbd.json": clv.BetaGeo,
    "mbg_nbd.json": clv.ModifiedBetaGeo,
    "pareto_nbd.json": clv.ParetoNBD,
    "bg_bb.json": clv.BetaGeoBetaBinom,
    "gamma_gamma.json": clv.GammaGamma,
    "sbg.json": clv.ShiftedBetaGeo,
}


def load(name):
    return json.loads((VECTORS / name).read_text())


# portfolio.json and uplift.json (functions returning structs) run in test_portfolio.py.
OTHER_RUNNERS = {"portfolio.json", "uplift.json"}


def test_every_vector_file_is_covered():
    files = {p.name for p in VECTORS.glob("*.json")}
    covered = set(MODELS) | OTHER_RUNNERS
    assert files == covered, f"vector files without a Python runner: {files - covered}"


def assert_close(got, case):
    want = np.atleast_1d(np.asarray(case["expected"], dtype=float))
    got = np.atleast_1d(np.asarray(got, dtype=float))
    rtol, atol = case["rtol"], case.get("atol", 0.0)
    assert got.shape == want.shape, case
    assert np.all(np.isfinite(got)), (got, case)
    err = np.abs(got - want)
    assert np.all(err <= atol + rtol * np.maximum(np.abs(want), 1e-300)), (
        f"{case['fn']} {case['args']}: got {got}, want {want}; {case['source']}"
    )


def customers(args):
    age = args["n_periods"] if "n_periods" in args else args["T"]
    return np.array(args["frequency"], float), np.array(args["recency"], float), np.array(age, float)


def run_transaction(m, case):
    a = case["args"]
    fn = case["fn"]
    if fn == "prob_alive":
        return m.prob_alive(*customers(a))
    if fn == "log_likelihood":
        return m.customer_log_likelihood(*customers(a))
    if fn == "expected_purchases":
        return m.expected_purchases(a["t"], *customers(a))
    if fn == "expected_purchases_new":
        return m.expected_purchases_new(a["t"])
    if fn == "prob_purchases":
        return m.prob_purchases(a["n"], a["t"])
    if fn == "prob_purchases_conditional":
        return m.prob_purchases_conditional(a["n"], a["t"], *customers(a))
    if fn == "dert":
        return m.dert(a["delta"] if "delta" in a else a["discount"], *customers(a))
    if fn == "prob_alive_ahead":
        return m.prob_alive_ahead(a["m"], *customers(a))
    raise AssertionError(f"unknown fn {fn}")


def run_sbg(v, case):
    p = v["params_sets"][case.get("params", "regular")]
    m = clv.ShiftedBetaGeo.from_params(**p)
    a = case["args"]
    fn = case["fn"]
    if fn == "survival":
        return m.survival(a["t"])
    if fn == "retention":
        return m.retention(a["t"])
    if fn == "dert":
        return m.dert(a["discount"], a["renewals"])
    if fn == "discounted_expected_lifetime":
        return m.discounted_expected_lifetime(a["discount"])
    if fn == "log_likelihood":
        return m.survivors_log_likelihood(a["survivors"])
    if fn == "fit":
        return clv.ShiftedBetaGeo().fit(a["survivors"]).params["alpha"]
    raise AssertionError(f"unknown fn {fn}")


def run_gamma_gamma(v, case):
    g = clv.GammaGamma.from_params(**v["params"])
    a = case["args"]
    if case["fn"] == "expected_spend":
        return g.expected_spend(a["frequency"], a["monetary_value"])
    if case["fn"] == "customer_lifetime_value":
        # the vector's transaction model: FHL (2005) published BG/NBD (tests/tests/vectors_gamma_gamma.rs)
        bg = clv.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        return clv.customer_lifetime_value(bg, g, a["frequency"], a["recency"], a["T"], a["monetary_value"],
                                           time=a["time"], discount_rate=a["discount_rate"], freq=a["freq"])
    raise AssertionError(case["fn"])


def runner(name):
    v = load(name)
    if name == "sbg.json":
        return v, lambda c: run_sbg(v, c)
    if name == "gamma_gamma.json":
        return v, lambda c: run_gamma_gamma(v, c)
    m = MODELS[name].from_params(**v["params"])
    return v, lambda c: run_transaction(m, c)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_cases(name):
    v, run = runner(name)
    assert v["cases"], name
    for case in v["cases"]:
        assert_close(run(case), case)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_errors(name):
    v, run = runner(name)
    assert v["errors"], name
    for case in v["errors"]:
        with pytest.raises(clv.ClvError) as e:
            run(case)
        assert e.value.code == case["code"], (case, str(e.value))
        assert e.value.field == case["field"], (case, str(e.value))
        assert isinstance(e.value, ValueError)
        assert case["field"] in str(e.value)


@pytest.mark.parametrize("name", ["bg_nbd.json", "mbg_nbd.json", "pareto_nbd.json"])
def test_published_cdnow_fits(name):
    """FHL (2005) BG/NBD, the Pareto/NBD notes, lifetimes' MBG/NBD (see each fit's `source`)."""
    fit = load(name)["fits"][0]
    d = pd.read_csv(data_path(fit["data"]))
    m = MODELS[name]().fit(d["frequency"], d["recency"], d["T"])
    for k, want in fit["expected_params"].items():
        tol = fit.get("atol_by_param", {}).get(k, fit["atol_params"])
        assert abs(m.params[k] - want) <= tol, (k, m.params[k], want)
    assert abs(m.log_likelihood - fit["expected_log_likelihood"]) <= fit["atol_ll"]
    s = m.summary()
    assert list(s.columns) == ["estimate", "std_error", "lower_95", "upper_95"]
    assert (s["std_error"] > 0).all() and (s["lower_95"] < s["estimate"]).all() and (s["estimate"] < s["upper_95"]).all()
    # per-customer log-likelihood sums to the fitted total
    assert abs(m.customer_log_likelihood(d["frequency"], d["recency"], d["T"]).sum() - m.log_likelihood) < 1e-6


def test_published_gamma_gamma_fit():
    """Fader & Hardie (2013): p=6.25, q=3.74, γ=15.44 on the 946 repeat customers."""
    fit = load("gamma_gamma.json")["fits"][0]
    d = pd.read_csv(data_path(fit["data"]))
    g = clv.GammaGamma().fit(d["x"], d["zbar"])
    for k, want in fit["expected_params"].items():
        assert abs(g.params[k] - want) <= fit["atol_params"], (k, g.params[k])
    assert g.fit_info["n_observations"] == 946


def test_published_bg_bb_fit():
    """Fader, Hardie & Shang (2010): α=1.204, β=0.750, γ=0.657, δ=2.783, LL=−33,225.6 (donations, weights)."""
    fit = load("bg_bb.json")["fits"][0]
    d = pd.read_csv(data_path(fit["data"]))
    x, tx, n = (d[c] for c in fit["columns"])
    m = clv.BetaGeoBetaBinom().fit(x, tx, n, weights=d[fit["weights"]])
    for k, want in fit["expected_params"].items():
        assert abs(m.params[k] - want) <= fit["atol_params"], (k, m.params[k])
    assert abs(m.log_likelihood - fit["expected_log_likelihood"]) < fit["atol_ll"]


def test_published_sbg_fits():
    """Fader & Hardie (2007): regular α=0.704, β=1.182 (LL −1680.27); high end α=0.668, β=3.806 (LL −1611.16)."""
    for fit in load("sbg.json")["fits"]:
        m = clv.ShiftedBetaGeo().fit(fit["survivors"])
        for k, want in fit["expected_params"].items():
            assert abs(m.params[k] - want) <= fit["atol_params"], (k, m.params[k])
        assert abs(m.log_likelihood - fit["expected_log_likelihood"]) <= fit["atol_ll"]
