"""The sBG with static covariates from Python (issue 15):
``ShiftedBetaGeo().fit_individual(periods, churned, dropout_covariates=...)``
returning ``clv.RetentionCovariateModel``. The Rust core
(``clv::covariates::retention``) does the work: the figures are those of
``crates/clv/tests/covariates_sbg.rs`` and the CLI's (``clv fit sbg --summary
... --json``, ``crates/clv-cli/tests/cli_covariates_sbg.rs``)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess

import numpy as np
import pandas as pd
import pytest

import clv
from conftest import REPO
from test_covariates import _clv_cli

#: Fader & Hardie (2007) "regular" cohort, customers active at the start of years 1-8.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def _individuals():
    """The cohort as 1000 customers: ``s[t-1] - s[t]`` churned in period t, 241 still active after 7."""
    periods, churned = [], []
    for t in range(1, len(REGULAR)):
        periods += [float(t)] * (REGULAR[t - 1] - REGULAR[t])
        churned += [True] * (REGULAR[t - 1] - REGULAR[t])
    periods += [7.0] * 241
    churned += [False] * 241
    return np.array(periods), np.array(churned)


def _customers():
    """The 1000 customers indexed by id with two covariates (the pattern of the CLI test)."""
    periods, churned = _individuals()
    n = len(periods)
    ids = [f"c{i}" for i in range(n)]
    frame = pd.DataFrame({"periods": periods, "churned": churned}, index=pd.Index(ids, name="customer_id"))
    cov = pd.DataFrame({"Premium": [float(i * 7 % 10 < 4) for i in range(n)],
                        "Tenure": [((i * 37) % 101) / 101 - 0.5 for i in range(n)]}, index=ids)
    return frame, cov


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def test_without_covariates_the_fit_is_the_cohort_fit():
    """No covariates: the fit on the 1000 customers is the plain sBG's on the survivor curve
    (FH 2007: alpha 0.704, beta 1.182, LL -1680.27), as the core's test asserts."""
    periods, churned = _individuals()
    m = clv.ShiftedBetaGeo().fit_individual(periods, churned, gradient_tolerance=1e-8)
    assert isinstance(m, clv.RetentionCovariateModel)
    assert m.kind == "sbg" and m.name == "sBG with covariates"
    assert m.covariate_names == [] and m.covariate_effects == {"alpha": {}, "beta": {}}
    plain = clv.ShiftedBetaGeo().fit(REGULAR, gradient_tolerance=1e-10)
    a, b = m.params["alpha"], m.params["beta"]
    assert abs(a - plain.params["alpha"]) < 1e-6 and abs(b - plain.params["beta"]) < 1e-6
    assert abs(a - 0.704077) < 1e-6 and abs(b - 1.182043) < 1e-6
    assert abs(m.log_likelihood - plain.log_likelihood) < 1e-8
    assert abs(m.log_likelihood - -1680.27) < 5e-3
    se, pse = m.std_errors, plain.fit_info["std_errors"]
    assert se is not None and _rel(se["alpha"], pse[0]) < 1e-4 and _rel(se["beta"], pse[1]) < 1e-4
    info = m.fit_info
    assert info is not None and info["n_observations"] == 1000 and info["param_names"] == ["alpha", "beta"]
    # the eight distinct rows weighted by their counts: the same fit
    rows = [float(t) for t in range(1, 8)] + [7.0]
    flags = [True] * 7 + [False]
    w = [REGULAR[t - 1] - REGULAR[t] for t in range(1, 8)] + [241]
    mw = clv.ShiftedBetaGeo().fit_individual(rows, flags, w, gradient_tolerance=1e-8)
    assert abs(mw.params["alpha"] - a) < 1e-6 and abs(mw.params["beta"] - b) < 1e-6
    # 0/1 flags read as booleans
    m01 = clv.ShiftedBetaGeo().fit_individual(periods, churned.astype(int), gradient_tolerance=1e-8)
    assert m01.params == m.params


def test_covariate_fit_equals_the_cli_fit(tmp_path):
    """With covariates (a pandas frame joined on the customers' index, in another order) the fit
    is the core's: the CLI's ``clv fit sbg --summary ... --dropout-covariates Premium,Tenure``
    to 1e-12; a dict of columns in the customers' order gives the same fit."""
    frame, cov = _customers()
    shuffled = cov.iloc[::-1]
    m = clv.ShiftedBetaGeo().fit_individual(frame["periods"], frame["churned"], dropout_covariates=shuffled,
                                            penalty=0.001)
    assert m.covariate_names == ["Premium", "Tenure"] and m.penalty == 0.001
    info = m.fit_info
    assert info is not None
    assert info["param_names"] == ["alpha", "beta", "alpha_Premium", "alpha_Tenure", "beta_Premium", "beta_Tenure"]
    assert set(m.std_errors) == set(info["param_names"])
    assert all(np.isfinite(v) and v > 0 for v in m.std_errors.values())
    cols = {"Premium": cov["Premium"].to_numpy(), "Tenure": cov["Tenure"].to_numpy()}
    same = clv.ShiftedBetaGeo().fit_individual(frame["periods"].to_numpy(), frame["churned"].to_numpy(),
                                               dropout_covariates=cols, penalty=0.001)
    assert same == m
    cli = _clv_cli()
    if cli is None:
        pytest.skip("the clv CLI is not built and cargo is not available")
    customers = tmp_path / "customers.csv"
    covfile = tmp_path / "cov.csv"
    frame.assign(churned=frame["churned"].astype(int)).to_csv(customers)
    shuffled.rename_axis("Id").to_csv(covfile)
    run = lambda *a: subprocess.run([*cli, *a], check=True, capture_output=True, text=True, cwd=REPO).stdout
    doc = json.loads(run("fit", "sbg", "--summary", os.fspath(customers), "--covariates", os.fspath(covfile),
                         "--covariate-id-col", "Id", "--dropout-covariates", "Premium,Tenure", "--penalty",
                         "0.001", "--json"))
    for k, v in m.params.items():
        assert _rel(v, doc["params"][k]) <= 1e-12, k
    for side, effects in m.covariate_effects.items():
        for k, v in effects.items():
            assert _rel(v, doc["covariates"][side][k]) <= 1e-12, (side, k)
    assert _rel(m.log_likelihood, doc["log_likelihood"]) <= 1e-12
    for k, v in m.std_errors.items():
        assert _rel(v, doc["std_errors"][k]) <= 1e-12, k


def test_predictions_at_zero_effects_are_the_plain_models():
    """At gamma = 0 every prediction is plain ``ShiftedBetaGeo``'s; with effects, that of the plain
    model at each row's (alpha_i, beta_i), the link written out."""
    zero = clv.RetentionCovariateModel.from_params({"alpha": 0.704, "beta": 1.182}, alpha={"z": 0.0},
                                                   beta={"z": 0.0})
    plain = clv.ShiftedBetaGeo.from_params(alpha=0.704, beta=1.182)
    z = {"z": [0.3, -1.0, 2.0]}
    for t in [1, 2, 7]:
        np.testing.assert_allclose(zero.survival(t, z), [plain.survival(t)] * 3, rtol=1e-15)
        np.testing.assert_allclose(zero.retention(t, z), [plain.retention(t)] * 3, rtol=1e-15)
        np.testing.assert_allclose(zero.prob_churn(t, z), [plain.prob_churn(t)] * 3, rtol=1e-15)
    np.testing.assert_allclose(zero.dert(0.1, [0, 3, 10], z), [plain.dert(0.1, r) for r in (0, 3, 10)], rtol=1e-15)
    np.testing.assert_allclose(zero.dert(0.1, 2, z), [plain.dert(0.1, 2)] * 3, rtol=1e-15)
    np.testing.assert_allclose(zero.discounted_expected_lifetime(0.1, z),
                               [plain.discounted_expected_lifetime(0.1)] * 3, rtol=1e-15)
    np.testing.assert_allclose(zero.customer_params(z), [[0.704, 1.182]] * 3, rtol=1e-15)
    # effects: alpha_i = alpha0 exp(-g_a z), beta_i = beta0 exp(-g_b z)
    m = clv.RetentionCovariateModel.from_params({"alpha": 0.704, "beta": 1.182}, alpha={"Premium": 0.5},
                                                beta={"Premium": -0.2})
    assert m.covariate_effects == {"alpha": {"Premium": 0.5}, "beta": {"Premium": -0.2}}
    rows = pd.DataFrame({"Premium": [0.0, 1.0]}, index=["basic", "premium"])
    r1 = m.retention(1, rows)
    assert list(r1.index) == ["basic", "premium"]
    a1, b1 = 0.704 * np.exp(-0.5), 1.182 * np.exp(0.2)
    own = clv.ShiftedBetaGeo.from_params(alpha=a1, beta=b1)
    assert abs(r1["premium"] - b1 / (a1 + b1)) <= 1e-15
    assert abs(r1["basic"] - 1.182 / 1.886) <= 1e-15
    np.testing.assert_allclose(m.customer_params(rows)[1], [a1, b1], rtol=1e-15)
    assert abs(m.survival(4, rows)["premium"] - own.survival(4)) <= 1e-15
    assert abs(m.dert(0.1, pd.Series([3.0], index=["premium"]), rows).iloc[0] - own.dert(0.1, 3)) <= 1e-14
    # ln L_i: ln P(T = t) for a churner, ln S(t) for a customer still active
    ll = m.customer_log_likelihood([2, 4], [True, False], rows)
    np.testing.assert_allclose(ll, [np.log(plain.prob_churn(2)), np.log(own.survival(4))], rtol=1e-13)
    # a model without covariates predicts one value
    bare = clv.RetentionCovariateModel.from_params({"alpha": 0.704, "beta": 1.182})
    assert bare.survival(3) == pytest.approx(plain.survival(3), rel=1e-15)


def test_json_pickle_repr():
    frame, cov = _customers()
    m = clv.ShiftedBetaGeo().fit_individual(frame["periods"], frame["churned"], dropout_covariates=cov)
    back = clv.RetentionCovariateModel.from_json(m.to_json())
    assert back == m and back.std_errors == m.std_errors and back.fit_info == m.fit_info
    assert pickle.loads(pickle.dumps(m)) == m
    assert json.loads(m.to_json())["format_version"] == 1
    g = clv.RetentionCovariateModel.from_params({"alpha": 0.704, "beta": 1.182}, alpha={"Premium": 0.5},
                                                beta={"Premium": -0.2})
    assert g.std_errors is None and g.fit_info is None and g.log_likelihood is None and g.penalty == 0.0
    assert repr(g) == "sBG with covariates(alpha=0.7040, beta=1.1820; alpha [Premium=0.5000], beta [Premium=-0.2000])"


def test_errors_are_the_cores():
    """Typed errors: the core's codes and fields (``periods``, ``churned``, ``dropout_covariates``)."""
    fit = clv.ShiftedBetaGeo().fit_individual
    with pytest.raises(clv.ClvError, match=r"periods\[1\]: 2.5") as e:
        fit([1, 2.5, 3], [True, False, True])
    assert e.value.code == "INVALID_INPUT" and e.value.field == "periods"
    with pytest.raises(clv.ClvError, match=r"periods\[0\]: 0") as e:
        fit([0, 2], [True, False])
    assert e.value.field == "periods"
    with pytest.raises(clv.ClvError, match=r"churned\[1\]: 2") as e:
        fit([1, 2, 3], [1, 2, 0])
    assert e.value.code == "INVALID_INPUT" and e.value.field == "churned"
    with pytest.raises(clv.ClvError) as e:
        fit([1, 2, 3], [True, False])
    assert e.value.code == "LENGTH_MISMATCH" and e.value.field == "churned"
    # a customer without covariates (joined on the index)
    periods = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    cov = pd.DataFrame({"Premium": [1.0, 0.0]}, index=["a", "b"])
    with pytest.raises(clv.ClvError, match="'c'|c") as e:
        fit(periods, [True, False, True], dropout_covariates=cov)
    assert e.value.code == "INVALID_INPUT" and e.value.field.startswith("dropout_covariates")
    # predictions with other covariates than the model's
    m = clv.RetentionCovariateModel.from_params({"alpha": 0.704, "beta": 1.182}, alpha={"Premium": 0.5})
    with pytest.raises(clv.ClvError, match="Premium") as e:
        m.survival(2, {"Age": [1.0]})
    assert e.value.code == "INVALID_INPUT" and e.value.field == "dropout_covariates"
    with pytest.raises(clv.ClvError) as e:
        m.retention(0, {"Premium": [1.0]})
    assert e.value.field == "t"
    with pytest.raises(clv.ClvError) as e:
        clv.RetentionCovariateModel.from_params({"alpha": -1.0, "beta": 1.0})
    assert e.value.field == "alpha"
    with pytest.raises(clv.ClvError) as e:
        clv.RetentionCovariateModel.from_json("{}")
    assert e.value.code == "INVALID_INPUT"
    with pytest.raises(clv.ClvError) as e:
        fit([1, 2, 3], [True, False, True], penalty=-1.0)
    assert e.value.field == "penalty"
