"""The shared vectors (tests/vectors/*.json) through the Python API.

Each vector file cites its source (papers, lifetimes 0.11.3, mpmath); the Rust
runners in tests/tests/vectors_*.rs read the same files the same way: a case
passes when |got − expected| ≤ atol + rtol·|expected|; an error case must
raise ClvError with the vector's code and field.

``RUNNERS`` has one line per vector file; a file without one fails
``test_every_vector_file_has_a_runner``. A case is a call: ``fn`` (or
``call``) is the method's name, ``args`` its arguments in order, on the
model class of the registry key ``model``.
"""

import json

import numpy as np
import pandas as pd
import pytest

import clv
from clv import _clv
from conftest import VECTORS, data_path

#: registry key -> public class ("bg_nbd" -> clv.BetaGeo), from the registry itself.
CLASSES = {s["key"]: getattr(clv, s["class"]) for s in _clv.registry()}

#: Vector names of the Python methods whose name differs, by family.
METHODS = {
    ("transaction", "log_likelihood"): "customer_log_likelihood",
    ("spend", "log_likelihood"): "customer_log_likelihood",
    ("retention", "log_likelihood"): "survivors_log_likelihood",
}

#: The transaction model of gamma_gamma.json's CLV cases: FHL (2005) published
#: BG/NBD (as tests/tests/vectors_gamma_gamma.rs).
FHL_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def load(name):
    return json.loads((VECTORS / name).read_text())


def call(key, params, fn, args):
    """Calls ``fn`` with ``args`` (in order) on a model of registry ``key``:
    a constructor (``fit``, ``from_params``, ``from_json``), or a method of the
    model with ``params`` (``None``: an unfitted model)."""
    cls, values = CLASSES[key], list(args.values())
    if fn == "from_params":
        return cls.from_params(**args)
    if fn == "from_json":
        return cls.from_json(*values)
    if fn == "fit":
        return cls().fit(*values)
    model = cls() if params is None else cls.from_params(**params)
    if fn == "customer_lifetime_value":
        # the case's model is the spend model, or the transaction model when
        # args give `transaction_model`; a model argument {"instance": key,
        # "params": p} is that class's instance, anything else is passed as is
        given = {k: instance(v) for k, v in args.items()}
        if "transaction_model" in given:
            return clv.customer_lifetime_value(given.pop("transaction_model"), model, **given)
        spend = given.pop("spend_model", model)
        return clv.customer_lifetime_value(clv.BetaGeo.from_params(**FHL_BG_NBD), spend, **given)
    return getattr(model, METHODS.get((cls._spec["family"], fn), fn))(*values)


def instance(v):
    """A vector's model argument: ``{"instance": key, "params": p}`` is a model."""
    if isinstance(v, dict) and set(v) == {"instance", "params"}:
        return CLASSES[v["instance"]].from_params(**v["params"])
    return v


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


def assert_raises(run, case):
    with pytest.raises(clv.ClvError) as e:
        run()
    assert e.value.code == case["code"], (case, str(e.value))
    assert e.value.field == case["field"], (case, str(e.value))
    assert isinstance(e.value, ValueError)
    if case["field"] is not None:
        assert case["field"] in str(e.value)


def model_file(name):
    """A model's file: ``cases`` and ``errors`` at the file's ``params`` (or
    the case's entry of ``params_sets``)."""
    v = load(name)
    assert v["cases"] and v["errors"], name

    def params(case):
        return v["params_sets"][case["params"]] if case.get("params") else v["params"]

    for case in v["cases"]:
        assert_close(call(v["model"], params(case), case["fn"], case["args"]), case)
    for case in v["errors"]:
        assert_raises(lambda: call(v["model"], params(case), case["fn"], case["args"]), case)


def error_contract(name):
    """errors.json: the cross-runtime error contract, one model per case."""
    v = load(name)
    assert v["cases"], name
    for case in v["cases"]:
        if "python" not in case.get("runtimes", ["python"]):
            continue  # reported by test_error_contract_skips
        assert_raises(lambda: call(case["model"], case["params"], case["call"], case["args"]), case)


def draws_file(name):
    """draws.json: the model from its JSON, its draws, a prediction with quantiles; the
    same quantiles to 1e-12 as every runtime (Laplace from an independent computation)."""
    v = load(name)
    assert v["cases"] and v["errors"], name

    def run(case):
        m = clv.BetaGeo.from_json(case["model"])
        d = case["draws"]
        data = d.get("data")
        draws = m.draws(method=d["method"], n=d["n"], seed=d["seed"],
                        data=None if data is None else (data["frequency"], data["recency"], data["T"]),
                        weights=None if data is None else data["weights"])
        if "fn" not in case:
            return None
        a, q = case["args"], case["quantiles"]
        if case["fn"] == "prob_alive":
            return draws.prob_alive(a["frequency"], a["recency"], a["T"], quantiles=q)
        return draws.expected_purchases(a["t"], a["frequency"], a["recency"], a["T"], quantiles=q)

    for case in v["cases"]:
        got, want, rtol = run(case), case["expected"], case["rtol"]
        np.testing.assert_allclose(got["mean"], want["mean"], rtol=rtol, atol=0, err_msg=case["name"])
        for q, w in zip(case["quantiles"], want["values"]):
            np.testing.assert_allclose(got[f"q{q:g}"], w, rtol=rtol, atol=0, err_msg=case["name"])
        total = got.attrs["total"]
        np.testing.assert_allclose(total["mean"], want["total"]["mean"], rtol=rtol, atol=0)
        np.testing.assert_allclose([total[f"q{q:g}"] for q in case["quantiles"]], want["total"]["values"],
                                   rtol=rtol, atol=0)
    for case in v["errors"]:
        assert_raises(lambda: run(case), case)


def covariates_file(name):
    """covariates.json: static-covariate models (``CovariateModel.from_params``) and the
    Gamma-Gamma with spend covariates (``SpendCovariateModel.from_params``); each case's
    customers carry their covariates as named columns (expected values: the plain models'
    published formulas at each customer's own parameters, in mpmath)."""
    v = load(name)
    assert v["cases"] and v["spend_cases"], name
    for case in v["cases"]:
        m = v["models"][case["model"]]
        model = clv.CovariateModel.from_params(case["model"], m["params"], purchase=m["purchase"],
                                               dropout=m["dropout"])
        a = dict(case["args"])
        cov = {k: a.pop(k) for k in ("purchase_covariates", "dropout_covariates")}
        fn = case["fn"]
        if fn == "customer_params":
            got = model.customer_params(**cov)
            names = list(model.params)
            want = case["expected"]
            assert got.shape == (len(want), len(names)), case
            for g, w in zip(got, want):
                assert_close(g, {**case, "expected": [w[k] for k in names]})
            continue
        method = "customer_log_likelihood" if fn == "log_likelihood" else fn
        assert_close(getattr(model, method)(*a.values(), **cov), case)
    s = v["spend_model"]
    spend = clv.SpendCovariateModel.from_params(s["params"], s["effects"])
    for case in v["spend_cases"]:
        a = case["args"]
        method = "customer_log_likelihood" if case["fn"] == "log_likelihood" else case["fn"]
        assert_close(getattr(spend, method)(a["frequency"], a["monetary_value"],
                                            spend_covariates=a["spend_covariates"]), case)


#: One runner per vector file; None: the file runs in test_portfolio.py (VECTOR_FILES there).
RUNNERS = {
    "bg_bb.json": model_file,
    "bg_nbd.json": model_file,
    "covariates.json": covariates_file,
    "draws.json": draws_file,
    "errors.json": error_contract,
    "gamma_gamma.json": model_file,
    "mbg_nbd.json": model_file,
    "pareto_nbd.json": model_file,
    "ggom_nbd.json": model_file,
    "portfolio.json": None,
    "sbg.json": model_file,
    "uplift.json": None,
}


def test_every_vector_file_has_a_runner():
    import test_portfolio

    files = {p.name for p in VECTORS.glob("*.json")}
    assert files == set(RUNNERS), f"vector files without a Python runner: {files - set(RUNNERS)}"
    elsewhere = {n for n, run in RUNNERS.items() if run is None}
    assert elsewhere == set(test_portfolio.VECTOR_FILES)


@pytest.mark.parametrize("name", sorted(n for n, run in RUNNERS.items() if run is not None))
def test_vector_file(name):
    RUNNERS[name](name)


def test_error_contract_cases_left_out_of_python_say_why():
    """Cases of errors.json whose `runtimes` omit python are left out here;
    each must give its reason (`why`), and the only ones left out are those
    with no Python counterpart: a model argument of a diagnostics function
    (Python has methods) and a model of the wrong family given to
    `customer_lifetime_value` (refused by the Python layer's class check as
    INVALID_INPUT, where Node and WASM reach the core's NOT_SUPPORTED)."""
    left = [c for c in load("errors.json")["cases"] if "python" not in c.get("runtimes", ["python"])]
    for c in left:
        assert c.get("why"), c
    kinds = {(c["call"], c["code"]) for c in left}
    assert kinds <= {("simulate", "INVALID_INPUT"), ("customer_lifetime_value", "NOT_SUPPORTED")}, kinds


@pytest.mark.parametrize("name", ["bg_nbd.json", "mbg_nbd.json", "pareto_nbd.json"])
def test_published_cdnow_fits(name):
    """FHL (2005) BG/NBD, the Pareto/NBD notes, lifetimes' MBG/NBD (see each fit's `source`)."""
    v = load(name)
    fit = v["fits"][0]
    d = pd.read_csv(data_path(fit["data"]))
    m = CLASSES[v["model"]]().fit(d["frequency"], d["recency"], d["T"])
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
