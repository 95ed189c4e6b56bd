"""Static covariates from Python (issue 15): ``ParetoNBD().fit(...,
purchase_covariates=..., dropout_covariates=...)`` and ``BetaGeo`` the same,
returning ``clv.CovariateModel``; the Rust core (``clv::covariates``) does the
work, so the Python fit must equal the core's, which the CLI prints
(``clv fit ... --covariates ... --json``)."""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import clv
from conftest import REPO

CORE_DATA = REPO / "crates" / "clv" / "tests" / "data"


# --------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def apparel():
    """CLVTools' apparel data as CLVTools takes it (and as
    ``crates/clv/tests/covariates.rs`` does): weeks (7 days), calibration 40
    weeks after the first transaction (2005-10-09); the summary indexed by
    customer id and the static covariates ``Gender``, ``Channel`` by ``Id``."""
    tx = pd.read_csv(CORE_DATA / "apparel_transactions.csv", dtype={"Id": str})
    s = clv.rfm_summary(tx, customer_id_col="Id", datetime_col="Date", monetary_value_col="Price", freq="7D",
                        calibration_period_end="2005-10-09", observation_period_end="2010-12-20")
    cov = pd.read_csv(CORE_DATA / "apparel_static_covariates.csv", dtype={"Id": str}).set_index("Id")
    return s, cov


def _clv_cli() -> list[str] | None:
    """The command line of the CLI: ``$CLV_BIN``, a built ``target/*/clv``, or
    ``cargo run`` (scripts/test.sh builds the CLI before the Python suite)."""
    if os.environ.get("CLV_BIN"):
        return [os.environ["CLV_BIN"]]
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        exe = target / profile / "clv"
        if exe.exists():
            return [os.fspath(exe)]
    if shutil.which("cargo"):
        return ["cargo", "run", "--quiet", "--locked", "-p", "clv-cli", "--"]
    return None


def _cli_fit(model: str, tmp_path: pathlib.Path, *sets: str) -> dict:
    """``clv fit MODEL --covariates ... SETS --json`` on the apparel data (as
    ``crates/clv-cli/tests/cli_covariates.rs``), ``sets`` the options naming the
    covariates of each process."""
    cli = _clv_cli()
    if cli is None:
        pytest.skip("the clv CLI is not built and cargo is not available")
    summary = tmp_path / "summary.csv"
    run = lambda *a: subprocess.run([*cli, *a], check=True, capture_output=True, text=True, cwd=REPO).stdout
    summary.write_text(run("summary", os.fspath(CORE_DATA / "apparel_transactions.csv"), "--customer-col", "Id",
                           "--date-col", "Date", "--amount-col", "Price", "--freq", "7d",
                           "--calibration-end", "2005-10-09", "--observation-end", "2010-12-20"))
    return json.loads(run("fit", model, "--summary", os.fspath(summary), "--id-col", "customer_id",
                          "--covariates", os.fspath(CORE_DATA / "apparel_static_covariates.csv"),
                          "--covariate-id-col", "Id", *sets, "--json"))


def _close(a: float, b: float, rtol: float = 1e-9) -> bool:
    return bool(abs(a - b) <= rtol * max(abs(b), 1.0))


# ------------------------------------------------------------ apparel fits


@pytest.mark.parametrize("cls, cli_model", [(clv.ParetoNBD, "pareto-nbd"), (clv.BetaGeo, "bg-nbd"),
                                            (clv.ModifiedBetaGeo, "mbg-nbd"),
                                            (clv.GammaGompertzNBD, "ggom-nbd")])
def test_apparel_fit_equals_the_core_cli_fit(apparel, tmp_path, cls, cli_model):
    s, cov = apparel
    m = cls().fit(s["frequency"], s["recency"], s["T"], purchase_covariates=cov[["Gender", "Channel"]],
                  dropout_covariates=cov[["Gender", "Channel"]])
    assert isinstance(m, clv.CovariateModel)
    doc = _cli_fit(cli_model, tmp_path, "--purchase-covariates", "Gender,Channel",
                   "--dropout-covariates", "Gender,Channel")
    for k, v in doc["params"].items():
        assert _close(m.params[k], v), (k, m.params[k], v)
    for side in ("purchase", "dropout"):
        assert list(m.covariate_effects[side]) == ["Gender", "Channel"]
        for k, v in doc["covariates"][side].items():
            assert _close(m.covariate_effects[side][k], v), (side, k, m.covariate_effects[side][k], v)
    assert _close(m.log_likelihood, doc["log_likelihood"])
    se = m.std_errors
    assert se is not None and set(se) == set(doc["std_errors"])
    for k, v in doc["std_errors"].items():
        # the CLI writes NaN as null (the dropout side at a boundary)
        assert (np.isnan(se[k]) and v is None) or _close(se[k], v, 1e-7), (k, se[k], v)
    info = m.fit_info
    assert info is not None and info["boundary"] == doc["boundary"]
    assert info["param_names"] == [*m.params, "purchase_Gender", "purchase_Channel", "dropout_Gender",
                                   "dropout_Channel"]


def test_apparel_estimates_are_those_of_the_core_tests(apparel):
    """The numbers ``crates/clv/tests/covariates.rs`` asserts (there checked
    customer by customer against a brute-force integration of the likelihood)."""
    s, cov = apparel
    z = cov[["Gender", "Channel"]]
    p = clv.ParetoNBD().fit(s["frequency"], s["recency"], s["T"], purchase_covariates=z, dropout_covariates=z)
    assert abs(p.log_likelihood - (-2589.2321)) < 1e-3
    assert abs(p.covariate_effects["purchase"]["Gender"] - 0.4552) < 1e-3
    assert abs(p.covariate_effects["purchase"]["Channel"] - 0.8338) < 1e-3
    assert abs(p.params["r"] - 1.648) < 5e-3 and p.params["beta"] > 5e3
    # beta_0 and the Channel dropout effect run off together (issue 15, item 5)
    assert p.fit_info["boundary"].startswith("beta -> inf, dropout_Channel -> +inf together")
    assert np.isnan(p.std_errors["beta"]) and np.isnan(p.std_errors["dropout_Channel"])
    assert 0.1 < p.std_errors["purchase_Gender"] < 0.2
    b = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"], purchase_covariates=z, dropout_covariates=z)
    assert abs(b.log_likelihood - (-2593.6566)) < 1e-3
    assert b.fit_info["boundary"].startswith("a_i, b_i -> inf")
    se = b.std_errors
    assert np.isnan(se["a"]) and np.isnan(se["dropout_Gender"]) and 0.1 < se["purchase_Gender"] < 0.2
    # the summary's unit is stored with the model
    assert p.fit_info["unit"] == s.attrs["unit"]


def test_input_forms_give_the_same_fit(apparel):
    """A DataFrame (joined on the index, any row order), a dict of columns, a
    2-D array with ``covariate_names`` and a polars frame are the same covariates
    (BG/NBD, purchase covariates only: a fast fit)."""
    s, cov = apparel
    x, tx, t = s["frequency"], s["recency"], s["T"]
    z = cov.loc[s.index, ["Gender", "Channel"]]
    ref = clv.BetaGeo().fit(x, tx, t, purchase_covariates=z)
    shuffled = cov[["Gender", "Channel"]].iloc[::-1]
    by_index = clv.BetaGeo().fit(x, tx, t, purchase_covariates=shuffled)
    as_dict = clv.BetaGeo().fit(x.to_numpy(), tx.to_numpy(), t.to_numpy(),
                                  purchase_covariates={"Gender": z["Gender"].to_numpy(),
                                                       "Channel": z["Channel"].to_numpy()})
    as_array = clv.BetaGeo().fit(x.to_numpy(), tx.to_numpy(), t.to_numpy(), purchase_covariates=z.to_numpy(),
                                   covariate_names=["Gender", "Channel"])
    for other in (by_index, as_dict, as_array):
        assert other.params == ref.params
        assert other.covariate_effects == ref.covariate_effects
    unnamed = clv.BetaGeo().fit(x.to_numpy(), tx.to_numpy(), t.to_numpy(), purchase_covariates=z.to_numpy())
    assert list(unnamed.covariate_effects["purchase"]) == ["x0", "x1"]
    assert unnamed.covariate_effects["purchase"]["x0"] == ref.covariate_effects["purchase"]["Gender"]
    assert unnamed.covariate_effects["dropout"] == {}
    pl = pytest.importorskip("polars")
    as_polars = clv.BetaGeo().fit(x.to_numpy(), tx.to_numpy(), t.to_numpy(),
                                    purchase_covariates=pl.from_pandas(z.reset_index(drop=True)))
    assert as_polars.covariate_effects == ref.covariate_effects


# ------------------------------------------------------------- predictions


def test_predictions_use_each_customers_covariates(apparel):
    """Each customer's prediction is the plain model's at that customer's own
    parameters (``customer_params``)."""
    s, cov = apparel
    z = cov[["Gender", "Channel"]]
    m = clv.ParetoNBD().fit(s["frequency"], s["recency"], s["T"], purchase_covariates=z, dropout_covariates=z)
    x, tx, t = s["frequency"], s["recency"], s["T"]
    pa = m.prob_alive(x, tx, t, purchase_covariates=z, dropout_covariates=z)
    ep = m.expected_purchases(52, x, tx, t, purchase_covariates=z, dropout_covariates=z)
    ll = m.customer_log_likelihood(x, tx, t, purchase_covariates=z, dropout_covariates=z)
    assert isinstance(pa, pd.Series) and (pa.index == s.index).all()
    assert abs(ll.sum() - m.log_likelihood) < 1e-9 * abs(m.log_likelihood)
    zs = z.loc[s.index]
    cp = m.customer_params(zs, zs)
    en = m.expected_purchases_new(52, zs, zs)
    assert cp.shape == (len(s), 4) and en.shape == (len(s),)
    for i in [0, 1, 17, 250, 599]:
        r, a, sh, b = cp[i]
        plain = clv.ParetoNBD.from_params(r=r, alpha=a, s=sh, beta=b)
        xi, txi, ti = x.iloc[i], tx.iloc[i], t.iloc[i]
        assert pa.iloc[i] == plain.prob_alive(xi, txi, ti)
        assert ep.iloc[i] == plain.expected_purchases(52, xi, txi, ti)
        assert en[i] == plain.expected_purchases_new(52)
    # the link: alpha_i = alpha0 exp(-g_p . z_i)
    g = m.covariate_effects["purchase"]
    expected_alpha = m.params["alpha"] * np.exp(-(g["Gender"] * zs["Gender"] + g["Channel"] * zs["Channel"]))
    np.testing.assert_allclose(cp[:, 1], expected_alpha.to_numpy(), rtol=1e-14)


def test_pmf_conditional_pmf_and_dert_with_covariates(apparel):
    """The PMF of a new customer, the conditional PMF and DERT with each row's covariates are the
    plain model's at that row's parameters; the new-customer PMF sums to 1 with mean E[X(t)]; a
    model without DERT or a conditional PMF says NOT_SUPPORTED (the plain model's error)."""
    s, cov = apparel
    zs = cov[["Gender", "Channel"]].loc[s.index]
    x, tx, t = s["frequency"], s["recency"], s["T"]
    m = clv.CovariateModel.from_params("pareto_nbd", {"r": 1.6, "alpha": 110.0, "s": 1.9, "beta": 50.0},
                                       purchase={"Gender": 0.45, "Channel": 0.83}, dropout={"Channel": 0.5})
    zd = zs[["Channel"]]
    pmf = m.prob_purchases(2, 52, zs, zd)
    cond = m.prob_purchases_conditional(1, 52, x, tx, t, purchase_covariates=zs, dropout_covariates=zd)
    dert = m.dert(0.01, x, tx, t, purchase_covariates=zs, dropout_covariates=zd)
    cp = m.customer_params(zs, zd)
    for i in [0, 3, 42, 599]:
        r, a, sh, b = cp[i]
        plain = clv.ParetoNBD.from_params(r=r, alpha=a, s=sh, beta=b)
        xi, txi, ti = x.iloc[i], tx.iloc[i], t.iloc[i]
        assert pmf[i] == plain.prob_purchases(2, 52)
        assert cond.iloc[i] == plain.prob_purchases_conditional(1, 52, xi, txi, ti)
        assert dert.iloc[i] == plain.dert(0.01, xi, txi, ti)
    one = zs.iloc[[7]]
    probs = np.array([m.prob_purchases(n, 52, one, one[["Channel"]])[0] for n in range(300)])
    assert abs(probs.sum() - 1) < 1e-9
    mean = float((np.arange(300) * probs).sum())
    assert abs(mean - m.expected_purchases_new(52, one, one[["Channel"]])[0]) < 1e-7 * mean
    bg = clv.CovariateModel.from_params("bg_nbd", {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5},
                                        purchase={"Gender": 0.5})
    with pytest.raises(clv.ClvError) as e:
        bg.dert(0.01, x, tx, t, purchase_covariates=zs[["Gender"]])
    assert e.value.code == "NOT_SUPPORTED"
    with pytest.raises(clv.ClvError) as e:
        m.prob_purchases(1.5, 52, zs, zd)
    assert e.value.field == "n"


def test_from_params_bg_nbd_links():
    m = clv.CovariateModel.from_params("BetaGeo", {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5},
                                       purchase={"z": 0.5}, dropout={"z": -0.3})
    assert m.kind == "bg_nbd" and m.fit_info is None and m.std_errors is None and m.log_likelihood is None
    cp = m.customer_params({"z": [0.0, 1.0]}, {"z": [0.0, 1.0]})
    np.testing.assert_allclose(cp[1], [0.25, 4.0 * np.exp(-0.5), 0.8 * np.exp(-0.3), 2.5 * np.exp(-0.3)],
                               rtol=1e-15)
    plain = clv.BetaGeo.from_params(r=cp[1][0], alpha=cp[1][1], a=cp[1][2], b=cp[1][3])
    assert m.prob_alive(2, 10, 20, {"z": [1.0]}, {"z": [1.0]}) == plain.prob_alive(2, 10, 20)


# ----------------------------------------------------------------- errors


def _small():
    x = np.array([0.0, 1.0, 3.0, 0.0, 2.0, 5.0, 1.0, 0.0])
    tx = np.array([0.0, 10.0, 30.0, 0.0, 20.0, 35.0, 5.0, 0.0])
    t = np.full(8, 40.0)
    return x, tx, t


def test_a_customer_without_covariates_is_an_error_never_filled_in(apparel):
    s, cov = apparel
    z = cov[["Gender"]].drop(index=s.index[3])
    with pytest.raises(clv.ClvError) as e:
        clv.ParetoNBD().fit(s["frequency"], s["recency"], s["T"], purchase_covariates=z)
    assert e.value.code == "INVALID_INPUT" and e.value.field == "purchase_covariates"
    assert str(e.value).startswith(f"invalid purchase_covariates[3]: {s.index[3]}")
    # positional rows: one short
    x, tx, t = _small()
    with pytest.raises(clv.ClvError) as e:
        clv.ParetoNBD().fit(x, tx, t, purchase_covariates={"Gender": np.ones(7)})
    assert e.value.code == "LENGTH_MISMATCH" and e.value.field == "purchase_covariates"
    assert str(e.value) == "length mismatch: purchase_covariates has 7 elements but frequency has 8"


def test_non_finite_and_constant_covariates_are_typed_errors():
    x, tx, t = _small()
    g = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    bad = g.copy()
    bad[5] = np.nan
    with pytest.raises(clv.ClvError) as e:
        clv.ParetoNBD().fit(x, tx, t, purchase_covariates={"Gender": g, "Channel": bad})
    assert e.value.code == "INVALID_INPUT" and e.value.field == "purchase_covariates.Channel"
    assert str(e.value).startswith("invalid purchase_covariates.Channel[5]: NaN")
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo().fit(x, tx, t, dropout_covariates=pd.DataFrame({"Channel": np.ones(8)}).to_numpy(),
                          covariate_names=["Channel"])
    assert e.value.code == "INVALID_INPUT" and e.value.field == "dropout_covariates.Channel"
    assert str(e.value).startswith("invalid dropout_covariates.Channel: constant 1")
    with pytest.raises(clv.ClvError) as e:
        clv.ParetoNBD().fit(x, tx, t, purchase_covariates={"Gender": ["a"] * 8})
    assert e.value.field == "purchase_covariates.Gender"


def test_option_errors():
    x, tx, t = _small()
    g = {"Gender": np.array([0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])}
    with pytest.raises(clv.ClvError) as e:  # a constraint on a covariate not in both sets
        clv.ParetoNBD().fit(x, tx, t, purchase_covariates=g, constrain_equal=["Gender"])
    assert str(e.value).startswith("invalid constrain_equal[0]: Gender")
    with pytest.raises(clv.ClvError) as e:
        clv.ParetoNBD().fit(x, tx, t, purchase_covariates=g, penalty={"dropout": -1})
    assert e.value.field == "penalty_dropout"
    with pytest.raises(clv.ClvError) as e:
        clv.ParetoNBD().fit(x, tx, t, purchase_covariates=g, penalty={"life": 1})
    assert e.value.field == "penalty"
    with pytest.raises(clv.ClvError) as e:  # covariates of a model without them
        clv.BetaGeoBetaBinom().fit(x, tx, t, purchase_covariates=g)
    assert e.value.code == "NOT_SUPPORTED"
    with pytest.raises(clv.ClvError) as e:  # covariate options without covariates
        clv.ParetoNBD().fit(x, tx, t, constrain_equal=["Gender"])
    assert e.value.field == "constrain_equal"
    with pytest.raises(clv.ClvError) as e:
        clv.ParetoNBD().fit(x, tx, t, penalty=(0.1, 0.1))
    assert e.value.field == "penalty"
    # predictions with other covariates than the model's
    m = clv.CovariateModel.from_params("pareto_nbd", {"r": 0.5, "alpha": 10.0, "s": 0.6, "beta": 12.0},
                                       purchase={"Gender": 0.3})
    with pytest.raises(clv.ClvError) as e:
        m.prob_alive(x, tx, t, purchase_covariates={"Channel": np.ones(8)})
    assert str(e.value).startswith("invalid purchase_covariates: [Channel]")
    # without covariates nothing changes: the plain model
    d = _simulated(400)
    m = clv.ParetoNBD()
    assert m.fit(d["frequency"], d["recency"], d["T"]) is m


# ---------------------------------------------------- penalty, constraint


def _simulated(n: int = 1500, seed: int = 11):
    """Pareto/NBD customers whose purchase rate and dropout rate depend on a
    binary covariate ``Promo`` with effect 0.6 on both (the core's link
    ``alpha_i = alpha0 exp(-g z)``, ``beta_i = beta0 exp(-g z)``), simulated
    by the core for each group."""
    rows = []
    for promo, sd in ((0.0, seed), (1.0, seed + 1)):
        g = 0.6 * promo
        m = clv.ParetoNBD.from_params(r=0.8, alpha=8.0 * np.exp(-g), s=0.9, beta=12.0 * np.exp(-g))
        d = m.simulate(np.full(n // 2, 40.0), seed=sd)
        d.attrs = {}
        d["Promo"] = promo
        rows.append(d)
    return pd.concat(rows, ignore_index=True)


def test_penalties_shrink_effects_monotonically():
    d = _simulated()
    z = d[["Promo"]]
    last = (np.inf, np.inf, np.inf)
    for lam in (0.0, 0.01, 0.1, 1.0):
        m = clv.ParetoNBD().fit(d["frequency"], d["recency"], d["T"], purchase_covariates=z,
                                dropout_covariates=z, penalty={"purchase": lam, "dropout": lam})
        gp, gd = m.covariate_effects["purchase"]["Promo"], m.covariate_effects["dropout"]["Promo"]
        ll = m.log_likelihood
        assert abs(gp) < last[0] and abs(gd) < last[1] and ll <= last[2] + 1e-9
        # PLL = LL - N (lp gp^2 + ld gd^2)
        pll = m.fit_info["penalized_log_likelihood"]
        assert abs(pll - (ll - len(d) * lam * (gp * gp + gd * gd))) < 1e-8 * abs(ll)
        last = (abs(gp), abs(gd), ll)
    assert last[0] < 0.1 and last[1] < 0.1
    # a pair and one number are the same penalty as the dict
    kw = dict(purchase_covariates=z, dropout_covariates=z)
    a = clv.ParetoNBD().fit(d["frequency"], d["recency"], d["T"], penalty=(0.1, 0.1), **kw)
    b = clv.ParetoNBD().fit(d["frequency"], d["recency"], d["T"], penalty=0.1, **kw)
    assert a == b


def test_constraint_shares_one_effect():
    d = _simulated(2000, 5)
    z = d[["Promo"]]
    x, tx, t = d["frequency"], d["recency"], d["T"]
    free = clv.ParetoNBD().fit(x, tx, t, purchase_covariates=z, dropout_covariates=z)
    c = clv.ParetoNBD().fit(x, tx, t, purchase_covariates=z, dropout_covariates=z, constrain_equal=["Promo"])
    assert c.constrained == ["Promo"]
    assert c.fit_info["param_names"] == ["r", "alpha", "s", "beta", "constrained_Promo"]
    g = c.covariate_effects["purchase"]["Promo"]
    assert g == c.covariate_effects["dropout"]["Promo"]
    se = c.std_errors
    assert se["purchase_Promo"] == se["dropout_Promo"]
    assert abs(g - 0.6) < 3 * se["purchase_Promo"], (g, se["purchase_Promo"])
    lr = 2 * (free.log_likelihood - c.log_likelihood)
    assert -1e-6 <= lr < 3.84, lr


# ------------------------------------------------------------------ JSON


def test_json_and_pickle_round_trip(apparel):
    s, cov = apparel
    z = cov[["Gender", "Channel"]]
    m = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"], purchase_covariates=z, dropout_covariates=z)
    text = m.to_json()
    assert json.loads(text)["format_version"] == 1
    back = clv.CovariateModel.from_json(text)
    assert back == m and back.to_json() == text
    assert back.covariate_effects == m.covariate_effects and back.params == m.params
    assert pickle.loads(pickle.dumps(m)) == m
    x, tx, t = s["frequency"], s["recency"], s["T"]
    np.testing.assert_array_equal(back.prob_alive(x, tx, t, z, z), m.prob_alive(x, tx, t, z, z))
    with pytest.raises(clv.ClvError) as e:
        clv.CovariateModel.from_json('{"format_version": 2}')
    assert e.value.field == "json"
    assert repr(m).startswith("BG/NBD with static covariates(r=")


# ------------------------------------------------- time-varying covariates


@pytest.fixture(scope="module")
def apparel_dynamic():
    """Apparel with ``apparelDynCov`` (weekly High.Season, Gender, Channel, to
    2006-01-01), on both processes, CLVTools' settings."""
    tx = pd.read_csv(CORE_DATA / "apparel_transactions.csv", dtype={"Id": str})
    cov = pd.read_csv(CORE_DATA / "apparel_dynamic_covariates.csv", dtype={"Id": str})
    names = ["High.Season", "Gender", "Channel"]
    return clv.DynamicCovariateData(tx, cov, "Id", "Date", covariate_date_col="Cov.Date",
                                    purchase_covariates=names, dropout_covariates=names, freq="7D",
                                    calibration_period_end="2005-10-09", observation_period_end="2010-12-20")


def test_dynamic_apparel_fit_equals_the_core(apparel_dynamic):
    """The same fit as ``apparel_dynamic_fit`` in
    ``crates/clv/tests/covariates_dynamic.rs`` (the core's): LL -2568.5736851227,
    purchase High.Season 0.780755, an interior optimum."""
    data = apparel_dynamic
    assert len(data) == 600
    assert data.summary["T"].eq(40.0).all()
    m = clv.covariates.fit_dynamic(data)
    assert m.log_likelihood == pytest.approx(-2568.5736851227, rel=1e-9)
    eff = m.covariate_effects
    assert eff["purchase"]["High.Season"] == pytest.approx(0.780755079356307, rel=1e-6)
    assert eff["dropout"]["Channel"] == pytest.approx(2.4197610754834837, rel=1e-5)
    assert m.fit_info["boundary"] is None
    ll = m.customer_log_likelihood_dynamic(data)
    assert ll.sum() == pytest.approx(m.log_likelihood, rel=1e-10)
    assert list(ll.index) == data.customer_id
    p = m.prob_alive_dynamic(data)
    assert ((p > 0) & (p <= 1)).all()
    e = m.expected_purchases_dynamic(12, data)
    d = m.discounted_expected_purchases_dynamic(12, 0.01, data)
    assert (d <= e).all() and (d > 0.8 * e).all()
    # the table ends on 2006-01-01: 20 weeks past the calibration end are not covered
    with pytest.raises(clv.ClvError) as exc:
        m.expected_purchases_dynamic(20, data)
    assert (exc.value.code, exc.value.field) == ("INVALID_INPUT", "covariates")
    assert "prediction periods" in str(exc.value)
    # constrained through the same option as the static fit (one restriction: the
    # log-likelihood drops by 0.959, the core's figure); penalties are tested in the core
    # (on apparel a penalised fit creeps along the s, beta -> inf ridge, docs/covariates.md)
    tied = clv.covariates.fit_dynamic(data, constrain_equal="Gender")
    te = tied.covariate_effects
    assert te["purchase"]["Gender"] == te["dropout"]["Gender"]
    assert tied.log_likelihood == pytest.approx(-2569.5326795144015, rel=1e-8)


def test_dynamic_errors_name_the_customer():
    """Bad tables are the core's typed errors, naming the customer or column."""
    tx = pd.read_csv(CORE_DATA / "apparel_transactions.csv", dtype={"Id": str})
    cov = pd.read_csv(CORE_DATA / "apparel_dynamic_covariates.csv", dtype={"Id": str})
    kw = dict(covariate_date_col="Cov.Date", freq="7D", calibration_period_end="2005-10-09",
              observation_period_end="2010-12-20")
    with pytest.raises(clv.ClvError) as exc:
        clv.DynamicCovariateData(tx, cov[cov["Id"] != "7"], "Id", "Date", purchase_covariates=["High.Season"],
                                 dropout_covariates=[], **kw)
    assert (exc.value.code, exc.value.field) == ("INVALID_INPUT", "covariates")
    assert "none" in str(exc.value)
    with pytest.raises(clv.ClvError) as exc:
        clv.DynamicCovariateData(tx, cov, "Id", "Date", purchase_covariates=["Age"], dropout_covariates=[], **kw)
    assert exc.value.field == "purchase_covariates"
    bad = cov.copy()
    bad.loc[5, "Gender"] = np.nan
    with pytest.raises(clv.ClvError) as exc:
        clv.DynamicCovariateData(tx, bad, "Id", "Date", purchase_covariates=["Gender"], dropout_covariates=[], **kw)
    assert exc.value.field == "covariates.Gender" and "[5]" in str(exc.value)
    with pytest.raises(clv.ClvError) as exc:
        clv.covariates.fit_dynamic("not data")
    assert exc.value.field == "data"


# ------------------------------------------------------- spend covariates


def test_spend_covariates_apparel_fit_equals_the_core_cli_fit(apparel, tmp_path):
    """``GammaGamma().fit(..., spend_covariates=...)`` is the core's fit (the CLI's
    ``clv fit gamma-gamma --covariates ... --spend-covariates Gender,Channel``; figures of
    ``crates/clv/tests/covariates_spend.rs``: LL -1275.9439, Gender 0.0916, Channel 0.0393
    on 293 repeat customers)."""
    s, cov = apparel
    m = clv.GammaGamma().fit(s["frequency"], s["monetary_value"], spend_covariates=cov[["Gender", "Channel"]])
    assert isinstance(m, clv.SpendCovariateModel)
    assert m.kind == "gamma_gamma" and m.name == "Gamma-Gamma with spend covariates"
    assert abs(m.log_likelihood - -1275.9439) < 1e-3
    assert list(m.covariate_effects) == ["Gender", "Channel"] == m.covariate_names
    assert abs(m.covariate_effects["Gender"] - 0.0916) < 1e-3
    assert abs(m.covariate_effects["Channel"] - 0.0393) < 1e-3
    info = m.fit_info
    assert info is not None and info["n_observations"] == 293
    assert info["param_names"] == ["p", "q", "v", "spend_Gender", "spend_Channel"]
    doc = _cli_fit("gamma-gamma", tmp_path, "--spend-covariates", "Gender,Channel")
    for k, v in doc["params"].items():
        assert _close(m.params[k], v), (k, m.params[k], v)
    for k, v in doc["covariates"]["spend"].items():
        assert _close(m.covariate_effects[k], v), (k, m.covariate_effects[k], v)
    assert _close(m.log_likelihood, doc["log_likelihood"])
    assert m.std_errors is not None
    for k, v in doc["std_errors"].items():
        assert _close(m.std_errors[k], v, 1e-7), (k, m.std_errors[k], v)


def test_spend_covariates_predictions_inputs_and_errors(apparel):
    s, cov = apparel
    frame = clv.GammaGamma().fit(s["frequency"], s["monetary_value"], spend_covariates=cov[["Gender", "Channel"]])
    # a dict of columns in the customers' order gives the same fit
    joined = cov.loc[s.index]
    cols = {"Gender": joined["Gender"].to_numpy(), "Channel": joined["Channel"].to_numpy()}
    plain_arrays = clv.GammaGamma().fit(s["frequency"].to_numpy(), s["monetary_value"].to_numpy(),
                                        spend_covariates=cols)
    assert plain_arrays.params == frame.params and plain_arrays.covariate_effects == frame.covariate_effects
    # predictions: the plain model at each customer's v_i, the link written out
    e = frame.expected_spend(s["frequency"], s["monetary_value"], spend_covariates=cov[["Gender", "Channel"]])
    assert list(e.index) == list(s.index)
    p = frame.params
    g = frame.covariate_effects
    v_i = p["v"] * np.exp(g["Gender"] * joined["Gender"] + g["Channel"] * joined["Channel"])
    for k in [0, 1, 7, 42, 599]:
        gg = clv.GammaGamma.from_params(p=p["p"], q=p["q"], v=float(v_i.iloc[k]))
        want = gg.expected_spend(float(s["frequency"].iloc[k]), float(s["monetary_value"].iloc[k]))
        assert abs(float(e.iloc[k]) - float(want)) <= 1e-12 * abs(float(want))
    # from_params, JSON and pickle
    m = clv.SpendCovariateModel.from_params({"p": 6.25, "q": 3.74, "v": 15.44}, {"Gender": 0.2})
    assert m.std_errors is None and m.log_likelihood is None
    assert clv.SpendCovariateModel.from_json(m.to_json()) == m
    assert pickle.loads(pickle.dumps(frame)) == frame
    assert repr(m).startswith("Gamma-Gamma with spend covariates(p=6.2500")
    # errors: the core's codes and fields
    with pytest.raises(clv.ClvError) as err:  # a transaction model takes no spend covariates
        clv.ParetoNBD().fit(s["frequency"], s["recency"], s["T"], spend_covariates=cov[["Gender"]])
    assert err.value.code == "NOT_SUPPORTED" and err.value.field == "spend_covariates"
    with pytest.raises(clv.ClvError) as err:
        clv.GammaGamma().fit(s["frequency"], s["monetary_value"], spend_covariates=cov[["Gender"]],
                             purchase_covariates=cov[["Gender"]])
    assert err.value.field == "spend_covariates"
    with pytest.raises(clv.ClvError) as err:  # purchase covariates are the transaction models'
        clv.GammaGamma().fit(s["frequency"], s["monetary_value"], purchase_covariates=cov[["Gender"]])
    assert err.value.code == "NOT_SUPPORTED"
    with pytest.raises(clv.ClvError) as err:
        clv.GammaGamma().fit(s["frequency"], s["monetary_value"], spend_covariates={"c": np.ones(len(s))})
    assert err.value.field == "spend_covariates.c"
    with pytest.raises(clv.ClvError) as err:
        clv.GammaGamma().fit(s["frequency"], s["monetary_value"], spend_covariates=cov[["Gender"]], penalty=-1)
    assert err.value.field == "penalty"
    with pytest.raises(clv.ClvError) as err:  # a customer without covariates: never filled in
        clv.GammaGamma().fit(s["frequency"], s["monetary_value"], spend_covariates=cov[["Gender"]].iloc[1:])
    assert err.value.field == "spend_covariates"
    with pytest.raises(clv.ClvError) as err:
        m.expected_spend([1.0, 2.0], [10.0, 20.0], spend_covariates={"Channel": [0.0, 1.0]})
    assert err.value.field == "spend_covariates"
    # a penalty shrinks the effects
    pen = clv.GammaGamma().fit(s["frequency"], s["monetary_value"], spend_covariates=cov[["Gender", "Channel"]],
                               penalty=1.0)
    assert abs(pen.covariate_effects["Gender"]) < abs(frame.covariate_effects["Gender"])
    assert pen.penalty == 1.0
