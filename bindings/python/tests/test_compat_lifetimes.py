"""lifetimes code runs unchanged on clv.compat.lifetimes (one import changed)."""

import json
import os
import runpy

import numpy as np
import pandas as pd
import pytest

import clv
from clv.compat import lifetimes as lt
from clv.compat.lifetimes.utils import customer_lifetime_value
from conftest import REPO, VECTORS, data_path


def test_lifetimes_quickstart_runs_unchanged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # save_model writes bgf.pkl here
    ns = runpy.run_path(os.fspath(REPO / "examples" / "lifetimes_quickstart.py"))
    bgf, ggf = ns["bgf"], ns["ggf"]
    # last BG/NBD fit: the CDNOW summary -> FHL (2005) r=0.243, α=4.414, a=0.793, b=2.426
    for k, want in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert abs(bgf.params_[k] - want) < 5e-4
    assert list(bgf.summary.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    # Gamma-Gamma on the 946 repeat customers: lifetimes 0.11.3 gives p=6.2488, q=3.7446, v=15.4477
    # (tests/vectors/gamma_gamma.json, fits[0].source)
    for k, want in {"p": 6.2488, "q": 3.7446, "v": 15.4477}.items():
        assert abs(ggf.params_[k] - want) < 1e-3
    assert isinstance(ns["clv_head"], pd.Series) and len(ns["clv_head"]) == 10
    assert ns["clv_head"].index[0] == 1 and np.isfinite(ns["clv_head"]).all()
    assert isinstance(ns["prediction_individual"], float)
    # the values lifetimes' Quickstart prints: predict(...) 0.0576511, CLV of customer 1 140.096211
    assert ns["prediction_individual"] == pytest.approx(0.0576511, rel=1e-5)
    assert ns["clv_head"].iloc[0] == pytest.approx(140.096211, rel=1e-5)
    # plot_history_alive of customer 35 over 200 days drew its P(alive) path
    import matplotlib.pyplot as plt

    ax = plt.gcf().axes[0]
    assert ax.get_title() == "History of P_alive" and len(ax.lines[0].get_ydata()) == 201
    cal = ns["summary_cal_holdout"]
    # save_model/load_model: the loaded fitter is the calibration fit (fits are deterministic)
    again = lt.BetaGeoFitter().fit(cal["frequency_cal"], cal["recency_cal"], cal["T_cal"])
    assert ns["bgf_loaded"].params_.equals(again.params_)
    assert list(cal.columns) == ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]


def test_compat_numbers_equal_the_vectors():
    """At the published parameters the fitters' methods give the vectors' lifetimes values."""
    v = json.loads((VECTORS / "bg_nbd.json").read_text())
    bgf = lt.BetaGeoFitter()
    bgf._model = clv.BetaGeo.from_params(**v["params"])
    case = next(c for c in v["cases"] if c["fn"] == "prob_alive")
    a = case["args"]
    got = bgf.conditional_probability_alive(a["frequency"], a["recency"], a["T"])
    np.testing.assert_allclose(got, case["expected"], rtol=case["rtol"])
    case = next(c for c in v["cases"] if c["fn"] == "prob_purchases")
    a = case["args"]
    assert bgf.probability_of_n_purchases_up_to_time(a["t"], a["n"]) == pytest.approx(case["expected"], rel=case["rtol"])
    # utils.customer_lifetime_value: monetary_value used as the spend. With spend = the Gamma-Gamma expected
    # spend it equals the vector's CLV (lifetimes 0.11.3: 36.28921 for CDNOW ID 1).
    gg = clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    spend = gg.expected_spend(2, 22.35)
    assert customer_lifetime_value(bgf, 2, 30.43, 38.86, spend, time=12, discount_rate=0.01, freq="W") == \
        pytest.approx(36.28921112559952, rel=1e-6)


def test_other_fitters():
    d = pd.read_csv(data_path("cdnow_customers_summary.csv"), index_col=0)
    p = lt.ParetoNBDFitter().fit(d["frequency"], d["recency"], d["T"])
    # Pareto/NBD notes: r=0.553, α=10.578, s=0.606, β=11.669 (β matched to 2e-3, tests/vectors/pareto_nbd.json)
    assert abs(p.params_["r"] - 0.553) < 5e-4 and abs(p.params_["beta"] - 11.669) < 2e-3
    cp = p.conditional_probability_of_n_purchases_up_to_time(1, 10.0, d["frequency"], d["recency"], d["T"])
    assert cp.index.equals(d.index) and ((cp >= 0) & (cp <= 1)).all()
    m = lt.ModifiedBetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
    assert abs(m.params_["r"] - 0.524837725567698) < 2e-3  # lifetimes 0.11.3 (tests/vectors/mbg_nbd.json)
    from clv.compat.lifetimes.datasets import load_donations

    don = load_donations()
    b = lt.BetaGeoBetaBinomFitter().fit(don["frequency"], don["recency"], don["periods"], weights=don["weights"])
    # Fader, Hardie & Shang (2010): α=1.204, β=0.750, γ=0.657, δ=2.783
    assert abs(b.params_["alpha"] - 1.204) < 5e-4 and abs(b.params_["delta"] - 2.783) < 5e-4
    e = b.expected_number_of_transactions_in_first_n_periods(6)
    # expected counts over all patterns x = 0..6 sum to the 11,104 donors
    assert e["model"].sum() == pytest.approx(11104, rel=1e-9)
    pa = b.conditional_probability_alive(1, don["frequency"], don["recency"], don["periods"])
    assert ((pa > 0) & (pa <= 1)).all()
    mat = lt.BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"]).conditional_probability_alive_matrix(5, 10)
    assert mat.shape == (11, 6) and mat[0, 0] == 1.0 and np.isfinite(mat).all()
    with pytest.raises(clv.ClvError):
        lt.BetaGeoFitter().conditional_probability_alive(1, 1, 2)


# lifetimes 0.11.3's own fits with penalizer_coef on its load_cdnow_summary() (run 2026-12-05 with
# benches' .bench-venv): params_ in order, then conditional_expected_number_of_purchases_up_to_time(30, 2, 30, 38).
# lifetimes rescales time to max(T) = 1 and penalises the rescaled parameters; Pareto/NBD's
# objective divides by the mean weight. Its optimiser stops at ~1e-6 (BG/NBD, MBG/NBD) and ~2e-4
# (Pareto/NBD, as without a penalty: tests/vectors/pareto_nbd.json) of the optimum.
LIFETIMES_PENALIZED = {
    ("BetaGeoFitter", 0.001): ([0.2427763, 4.4052781, 0.4984465, 1.3232442], 1.0445481, 1e-5),
    ("BetaGeoFitter", 0.01): ([0.2429403, 4.4324372, 0.2856415, 0.6584537], 1.1372331, 1e-5),
    ("BetaGeoFitter", 0.1): ([0.230947, 4.2192875, 0.1286547, 0.2671268], 1.2994852, 1e-5),
    ("ModifiedBetaGeoFitter", 0.01): ([0.6152447, 6.7384692, 0.4990793, 0.6722762], 1.1846494, 1e-5),
    ("ModifiedBetaGeoFitter", 0.1): ([0.4082196, 5.31209, 0.2048219, 0.3467884], 1.3801176, 1e-5),
    ("ParetoNBDFitter", 0.01): ([0.5533048, 10.5778076, 0.6056808, 11.6510879], 1.1861524, 5e-4),
    ("ParetoNBDFitter", 0.1): ([0.5535567, 10.5777284, 0.6008151, 11.4956174], 1.1879313, 5e-4),
}


@pytest.mark.parametrize("name,coef", list(LIFETIMES_PENALIZED))
def test_penalizer_coef_gives_lifetimes_estimates(name, coef):
    params, predicted, rtol = LIFETIMES_PENALIZED[(name, coef)]
    d = lt.datasets.load_cdnow_summary()
    f = getattr(lt, name)(penalizer_coef=coef).fit(d["frequency"], d["recency"], d["T"])
    np.testing.assert_allclose(f.params_.to_numpy(), params, rtol=rtol)
    assert float(f.conditional_expected_number_of_purchases_up_to_time(30, 2, 30, 38)) == \
        pytest.approx(predicted, rel=rtol)
    # the fit is reported in the data's unit: ln L is that of the customers at these parameters,
    # AIC and BIC follow it, and the log-scale intervals are θ·exp(±1.96·SE/θ)
    m = f._fitted()
    per_customer = m.customer_log_likelihood(d["frequency"], d["recency"], d["T"])
    assert f.log_likelihood_ == pytest.approx(float(per_customer.sum()), rel=1e-12)
    k, n = 4, len(d)
    assert m.fit_info["aic"] == pytest.approx(2 * k - 2 * f.log_likelihood_, rel=1e-12)
    assert m.fit_info["bic"] == pytest.approx(k * np.log(n) - 2 * f.log_likelihood_, rel=1e-12)
    s = f.summary
    z = 1.959963984540054
    np.testing.assert_allclose(s["upper 95% bound"], s["coef"] * np.exp(z * s["se(coef)"] / s["coef"]), rtol=1e-6)
    np.testing.assert_allclose(np.diag(f.variance_matrix_.to_numpy()), s["se(coef)"] ** 2, rtol=1e-12)


def test_penalized_fit_errors_name_the_values_given():
    with pytest.raises(clv.ClvError) as e:
        lt.BetaGeoFitter(penalizer_coef=0.01).fit([1, 2], [3.0, 9.0], [5.0, 8.0])
    assert e.value.field == "recency" and "9" in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        lt.ParetoNBDFitter(penalizer_coef=-1.0).fit([1, 2], [3.0, 4.0], [5.0, 8.0])
    assert e.value.field == "penalty"


def test_generate_new_data_and_save_model_values(tmp_path):
    d = lt.datasets.load_cdnow_summary()
    for cls, extra in [(lt.BetaGeoFitter, "p"), (lt.ModifiedBetaGeoFitter, "p"), (lt.ParetoNBDFitter, "mu")]:
        f = cls().fit(d["frequency"], d["recency"], d["T"])
        new = f.generate_new_data(size=7, seed=3)
        assert len(new) == 7 and {"frequency", "recency", "T", "lambda", extra, "alive"} <= set(new.columns)
        assert new.equals(f.generate_new_data(size=7, seed=3))
        np.testing.assert_array_equal(new["T"], d["T"].to_numpy()[:7])  # the first 7 fitted ages, as lifetimes
    with pytest.raises(clv.ClvError) as e:
        f.generate_new_data(size=len(d) + 1)
    assert e.value.field == "size"
    path = tmp_path / "bgf.pkl"
    f.save_model(str(path), save_data=False, values_to_save=[""])
    g = lt.ParetoNBDFitter()
    g.load_model(str(path))
    assert g.data == "" and g.params_.equals(f.params_) and f.data is not None


def test_negative_log_likelihood_is_lifetimes_objective():
    """``_negative_log_likelihood_`` of lifetimes 0.11.3 (run 2026-12-05 with benches' .bench-venv):
    CDNOW summary, donations (weighted), and Gamma-Gamma on the 946 repeat customers; without and
    with penalizer_coef = 0.01. At the optimum the objective agrees far below the parameters'."""
    want = {
        ("BetaGeoFitter", 0.0): 0.2502717288009979, ("BetaGeoFitter", 0.01): 0.26202369603864484,
        ("ModifiedBetaGeoFitter", 0.0): 0.2501474709870615, ("ModifiedBetaGeoFitter", 0.01): 0.2653237219200035,
        ("ParetoNBDFitter", 0.0): 602.4388341285073, ("ParetoNBDFitter", 0.01): 602.4472081490245,
    }
    d = lt.datasets.load_cdnow_summary()
    for (name, coef), value in want.items():
        f = getattr(lt, name)(penalizer_coef=coef).fit(d["frequency"], d["recency"], d["T"])
        assert f._negative_log_likelihood_ == pytest.approx(value, rel=1e-8), (name, coef)
    don = lt.datasets.load_donations()
    for coef, value in [(0.0, 2.9922173337847737), (0.01, 3.029088347398177)]:
        b = lt.BetaGeoBetaBinomFitter(penalizer_coef=coef).fit(don["frequency"], don["recency"], don["periods"],
                                                               don["weights"])
        assert b._negative_log_likelihood_ == pytest.approx(value, rel=1e-10)
    m = lt.datasets.load_cdnow_summary_data_with_monetary_value()
    r = m[m["frequency"] > 0]
    for coef, value in [(0.0, 4.2874452891150785), (0.01, 4.956987676577709)]:
        g = lt.GammaGammaFitter(penalizer_coef=coef).fit(r["frequency"], r["monetary_value"])
        assert g._negative_log_likelihood_ == pytest.approx(value, rel=1e-10)
    hand = lt.BetaGeoFitter()
    hand.params_ = {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}
    with pytest.raises(AttributeError):
        hand._negative_log_likelihood_


def test_penalized_fit_keeps_the_data_unit():
    tx = pd.read_csv(data_path("CDNOW_sample.txt"), sep=r"\s+", header=None,
                     names=["customer_id", "id", "date", "quantity", "amount"], dtype={"date": str})
    s = clv.rfm_summary(tx, customer_id_col="id", datetime_col="date", observation_period_end="1997-09-30",
                        freq="7D", datetime_format="%Y%m%d")
    for coef in [0.0, 0.01]:
        f = lt.BetaGeoFitter(penalizer_coef=coef).fit(s["frequency"], s["recency"], s["T"])
        assert f._fitted().unit == "7d"


def test_convergence_error_and_unload_params():
    from clv.compat.lifetimes.utils import ConvergenceError

    # one customer identifies nothing: lifetimes' code catches ConvergenceError (and retries with a
    # penalizer); it is also a clv.ClvError with the core's code and field, and a ValueError
    with pytest.raises(ConvergenceError) as e:
        lt.BetaGeoFitter().fit([1], [1.0], [2.0])
    assert isinstance(e.value, clv.ClvError) and isinstance(e.value, ValueError)
    assert (e.value.code, e.value.field) == ("NOT_IDENTIFIED", "r")
    with pytest.raises(ConvergenceError):
        lt.GammaGammaFitter().fit([2], [10.0])
    f = lt.BetaGeoFitter(penalizer_coef=0.001).fit([1], [1.0], [2.0])  # the usual remedy
    assert np.isfinite(f.params_).all()
    # invalid input stays a plain ClvError
    with pytest.raises(clv.ClvError) as e:
        lt.BetaGeoFitter().fit([1], [3.0], [2.0])
    assert not isinstance(e.value, ConvergenceError)
    d = lt.datasets.load_cdnow_summary()
    b = lt.BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
    assert b._unload_params("r", "alpha", "a", "b") == list(b.params_)
    assert b._unload_params("b", "r") == [b.params_["b"], b.params_["r"]]
