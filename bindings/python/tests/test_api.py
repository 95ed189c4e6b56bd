"""The Python surface: input kinds, output kinds, errors, serialisation, GIL."""

import json
import pickle
import threading

import numpy as np
import pandas as pd
import polars as pl
import pytest

import clv
from clv import _clv
from clv._convert import customers
from conftest import data_path

# Fader, Hardie & Lee (2005) CDNOW BG/NBD estimates
FHL = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(data_path("cdnow_customers_summary.csv"), index_col=0)


@pytest.fixture(scope="module")
def bg(cdnow):
    return clv.BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_fit_returns_self_and_params(cdnow):
    m = clv.BetaGeo()
    assert m.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]) is m
    assert list(m.params) == ["r", "alpha", "a", "b"]
    assert isinstance(m.log_likelihood, float)
    assert m.fit_info["converged"] is True
    assert m.fit_info["boundary"] is None  # an interior optimum


def test_gamma_gompertz_nbd_boundary_optimum_on_cdnow(cdnow):
    # GGom/NBD on CDNOW runs to b -> 0, the Pareto/NBD: a fit with a note, not an error.
    # Expected: the Pareto/NBD optimum, computed by the independent Pareto/NBD model
    # (LL -9594.974, beta 11.668; published LL -9595.0, beta 11.669, Fader & Hardie's
    # Pareto/NBD notes; CLVTools' ggomnbd test reports LL -9594.976 at its boundary).
    m = clv.GammaGompertzNBD().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert list(m.params) == ["r", "alpha", "b", "s", "beta"]
    assert abs(m.log_likelihood - -9594.974) < 1e-2
    assert m.fit_info["boundary"].startswith("b -> 0") and "Pareto/NBD" in m.fit_info["boundary"]
    assert abs(m.params["beta"] / m.params["b"] - 11.668) < 0.01
    se = m.summary()["std_error"]
    assert np.isnan(se["b"]) and np.isnan(se["beta"]) and se["r"] > 0
    with pytest.raises(clv.ClvError) as e:
        m.dert(0.01, [1.0], [1.0], [2.0])
    assert (e.value.code, e.value.field) == ("NOT_SUPPORTED", "dert")


def test_input_kinds_give_the_same_numbers(bg, cdnow):
    x, tx, t = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    ref = bg.prob_alive(x.to_numpy(), tx.to_numpy(), t.to_numpy())
    assert isinstance(ref, np.ndarray) and ref.dtype == np.float64
    # pandas Series in -> Series out with the input's index
    s = bg.prob_alive(x, tx, t)
    assert isinstance(s, pd.Series) and s.index.equals(cdnow.index)
    np.testing.assert_array_equal(s.to_numpy(), ref)
    # lists, int arrays, polars Series
    np.testing.assert_array_equal(bg.prob_alive(list(x), list(tx), list(t)), ref)
    np.testing.assert_array_equal(bg.prob_alive(x.to_numpy().astype(np.int32), tx.to_numpy(), t.to_numpy()), ref)
    np.testing.assert_array_equal(bg.prob_alive(pl.Series(x.to_numpy()), pl.Series(tx.to_numpy()),
                                                pl.Series(t.to_numpy())), ref)
    # scalars -> float; a scalar T broadcasts
    assert bg.prob_alive(2, 30.43, 38.86) == pytest.approx(ref[0], rel=1e-15)
    np.testing.assert_array_equal(bg.prob_alive(x.to_numpy()[:3], tx.to_numpy()[:3], 38.86), ref[:3])


def test_float64_contiguous_input_is_not_copied():
    x = np.array([1.0, 2.0])
    s = pd.Series([3.0, 4.0])
    (a, b), _, _ = customers(("frequency", "recency"), (x, s))
    assert a is x
    assert np.shares_memory(b, s.to_numpy())


def test_vectorised_over_t(bg):
    # FHL (2005) CDNOW customer ID 1: E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226
    assert bg.expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)
    many = bg.expected_purchases([1.0, 39.0], 2, 30.43, 38.86)
    assert many[1] == pytest.approx(bg.expected_purchases(39, 2, 30.43, 38.86), rel=1e-15)
    per_customer = bg.expected_purchases(np.array([1.0, 39.0]), [2, 2], [30.43, 30.43], [38.86, 38.86])
    np.testing.assert_allclose(per_customer, many, rtol=1e-15)
    new = bg.expected_purchases_new(np.array([1.0, 2.0]))
    assert new[1] == bg.expected_purchases_new(2.0)
    p = bg.prob_purchases(np.arange(3), 39.0)
    assert p[2] == bg.prob_purchases(2, 39.0) and isinstance(bg.prob_purchases(2, 39.0), float)


def test_errors_name_field_and_value(bg):
    cases = [
        (lambda: bg.prob_alive([1, 2], [1], [2, 3]), "LENGTH_MISMATCH", "recency",
         "length mismatch: recency has 1 elements but frequency has 2"),
        (lambda: bg.prob_alive([1, float("nan")], [1, 0], [2, 3]), "INVALID_INPUT", "frequency",
         "invalid frequency[1]: NaN"),
        (lambda: bg.prob_alive([-1], [0], [2]), "INVALID_INPUT", "frequency", "invalid frequency[0]: -1"),
        (lambda: bg.prob_alive([1], [3], [2]), "INVALID_INPUT", "recency", "invalid recency[0]: 3"),
        (lambda: bg.prob_alive([1], [1], [float("inf")]), "INVALID_INPUT", "T", "invalid T[0]: inf"),
        (lambda: bg.expected_purchases(-1, [1], [1], [2]), "INVALID_INPUT", "t", "invalid t: -1"),
        (lambda: bg.expected_purchases([1, -1], [1, 1], [1, 1], [2, 2]), "INVALID_INPUT", "t", "invalid t[1]: -1"),
        (lambda: bg.prob_purchases(-1, 2.0), "INVALID_INPUT", "n", "invalid n: -1"),
        (lambda: bg.prob_purchases(1.5, 2.0), "INVALID_INPUT", "n", "invalid n: 1.5"),
        (lambda: bg.prob_alive([[1]], [[1]], [[2]]), "INVALID_INPUT", "frequency", "invalid frequency"),
        (lambda: bg.prob_alive(["a"], [1], [2]), "INVALID_INPUT", "frequency", "invalid frequency"),
        (lambda: clv.BetaGeo().fit([1, 2], [1, 3], [2, 2]), "INVALID_INPUT", "recency", "invalid recency[1]: 3"),
        (lambda: clv.BetaGeo().fit([1], [1], [2], weights=[-1]), "INVALID_INPUT", "weights", "invalid weights[0]: -1"),
        (lambda: clv.BetaGeo().fit([1], [1], [2], penalty=-1), "INVALID_INPUT", "penalty", "invalid penalty: -1"),
        (lambda: clv.BetaGeo().fit([], [], []), "EMPTY_INPUT", "frequency", "frequency is empty"),
        (lambda: clv.BetaGeo.from_params(r=1, alpha=1, a=1), "INVALID_INPUT", "b", "missing parameter 'b'"),
        (lambda: clv.BetaGeo.from_params(r=1, alpha=1, a=1, b=1, s=1), "INVALID_INPUT", "s", "invalid parameter 's'"),
        (lambda: clv.BetaGeo.from_params(r=1, alpha=0, a=1, b=1), "INVALID_INPUT", "alpha", "invalid alpha: 0"),
        (lambda: clv.BetaGeo().prob_alive([1], [1], [2]), "NOT_FITTED", None, "has no parameters yet"),
        (lambda: clv.BetaGeo.from_json("{"), "FORMAT_ERROR", None, "invalid bg_nbd model JSON"),
        (lambda: clv.ParetoNBD.from_json(clv.BetaGeo.from_params(**FHL).to_json()), "FORMAT_ERROR", None,
         "invalid pareto_nbd model JSON"),
        (lambda: clv.GammaGamma().fit([1, 2], [3.0, -1.0]), "INVALID_INPUT", "monetary_value",
         "invalid monetary_value[1]: -1"),
        (lambda: clv.GammaGamma().fit([1, 2], [0.0, 0.0]), "EMPTY_INPUT", "frequency",
         "2 repeat customer(s) have mean spend 0"),
        (lambda: clv.customer_lifetime_value(bg, clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44), [1], [1], [2],
                                             [10], freq="Y"), "INVALID_INPUT", "freq", 'invalid freq: "Y"'),
        # issue 17 #14, #16: the horizon is bounded, and out-of-range integers are ClvErrors, not OverflowError
        (lambda: clv.customer_lifetime_value(bg, clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44), [1], [1], [2],
                                             [10], time=2**32), "INVALID_INPUT", "time", "invalid time: 4294967296"),
        (lambda: clv.customer_lifetime_value(bg, clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44), [1], [1], [2],
                                             [10], time=1201), "INVALID_INPUT", "time", "invalid time: 1201"),
        (lambda: clv.BetaGeo().fit([1], [1], [2], max_iterations=-1), "INVALID_INPUT", "max_iterations",
         "invalid max_iterations: -1"),
        # issue 17 #11: parameters above 1e100
        (lambda: clv.BetaGeo.from_params(r=1, alpha=1, a=1, b=1e101), "INVALID_INPUT", "b", "invalid b: 1e101"),
        # issue 17 #17: no silent coercion of strings, booleans, complex numbers or datetimes
        (lambda: bg.prob_alive(["1"], [2], [3]), "INVALID_INPUT", "frequency", "invalid frequency: strings"),
        (lambda: bg.prob_alive(np.array([1.0]), [2], pd.Series(["3"], dtype=object)), "INVALID_INPUT", "T",
         "invalid T[0]: '3' of type str"),
        (lambda: bg.prob_alive(True, 2, 3), "INVALID_INPUT", "frequency", "invalid frequency: booleans"),
        (lambda: bg.prob_alive([1], [2 + 0j], [3]), "INVALID_INPUT", "recency", "invalid recency: complex numbers"),
        (lambda: bg.prob_alive([1], [2], np.array(["2020-01-01"], dtype="datetime64[D]")), "INVALID_INPUT", "T",
         "invalid T: datetimes"),
        (lambda: bg.prob_alive([1], [2], pd.Series([True])), "INVALID_INPUT", "T", "invalid T: booleans"),
        (lambda: bg.prob_alive(pl.Series(["1"]), [2], [3]), "INVALID_INPUT", "frequency",
         "invalid frequency: a polars String column"),
    ]
    for f, code, field, msg in cases:
        with pytest.raises(clv.ClvError) as e:
            f()
        assert isinstance(e.value, ValueError)
        assert e.value.code == code, (msg, str(e.value))
        assert e.value.field == field, (msg, str(e.value))
        assert msg in str(e.value), str(e.value)


def test_summary_frame(bg):
    s = bg.summary()
    assert list(s.index) == ["r", "alpha", "a", "b"]
    # log-scale Wald interval θ·exp(±z·SE/θ), z = 1.959963984540054 the 97.5% normal quantile (crates/clv/src/fit.rs)
    r = s.loc["r"]
    z = 1.959963984540054
    assert r["lower_95"] == pytest.approx(r["estimate"] * np.exp(-z * r["std_error"] / r["estimate"]), rel=1e-12)
    assert r["upper_95"] == pytest.approx(r["estimate"] * np.exp(z * r["std_error"] / r["estimate"]), rel=1e-12)
    p = clv.BetaGeo.from_params(**FHL)
    assert p.log_likelihood is None and p.fit_info is None
    assert p.summary()["std_error"].isna().all()
    assert p.aic is None and p.bic is None and np.isnan(p.summary().attrs["aic"])


def test_model_comparison_figures(bg, cdnow):
    # AIC = 2k − 2LL (Akaike 1974), BIC = k ln n − 2LL (Schwarz 1978); CDNOW: n = 2357, k = 4
    ll = bg.log_likelihood
    assert abs(ll - -9582.4) < 0.05  # FHL (2005)
    s = bg.summary()
    assert s.attrs == {"log_likelihood": ll, "n": 2357.0, "aic": bg.aic, "bic": bg.bic}
    assert bg.aic == pytest.approx(2 * 4 - 2 * ll, rel=1e-14)
    assert bg.bic == pytest.approx(4 * np.log(2357) - 2 * ll, rel=1e-14)
    assert bg.fit_info["n"] == bg.fit_info["n_observations"] == 2357
    # Pareto/NBD on the same data: same k and n, lower LL (−9595.0): higher AIC and BIC
    p = clv.ParetoNBD().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert p.aic - bg.aic == pytest.approx(2 * (ll - p.log_likelihood), rel=1e-12)
    assert p.aic > bg.aic and p.bic > bg.bic
    # weights count customers: n is the weighted count
    c = cdnow.iloc[:300]
    w = clv.BetaGeo().fit(c["frequency"], c["recency"], c["T"], weights=np.full(300, 2.0))
    assert w.fit_info["n"] == 600
    assert w.bic == pytest.approx(4 * np.log(600) - 2 * w.log_likelihood, rel=1e-12)
    # read back from JSON: the same figures
    assert clv.BetaGeo.from_json(bg.to_json()).aic == bg.aic


def test_json_and_pickle_round_trip(bg):
    text = bg.to_json()
    d = json.loads(text)
    assert d["model"] == "bg_nbd" and d["format_version"] == 1 and d["fit"]["converged"]
    back = clv.BetaGeo.from_json(text)
    assert back.params == bg.params and back.to_json() == text
    p = pickle.loads(pickle.dumps(bg))
    assert p == bg and p.params == bg.params and p.log_likelihood == bg.log_likelihood
    assert pickle.loads(pickle.dumps(clv.BetaGeo())).__repr__() == "BetaGeo()"
    for m in (clv.ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669),
              clv.ModifiedBetaGeo.from_params(**FHL),
              clv.BetaGeoBetaBinom.from_params(alpha=1.204, beta=0.75, gamma=0.657, delta=2.783),
              clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44),
              clv.ShiftedBetaGeo.from_params(alpha=0.704, beta=1.182)):
        assert pickle.loads(pickle.dumps(m)) == m
        assert type(m).from_json(m.to_json()) == m
    # repr is the core's Display (Rust, Python and JS print the same line)
    assert repr(clv.BetaGeo.from_params(**FHL)) == "BG/NBD(r=0.243, alpha=4.414, a=0.793, b=2.426)"


def test_repr_of_a_fitted_model_names_the_fit(cdnow):
    m = clv.BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"], unit="7d")
    # CDNOW (the 2-decimal summary): r 0.2426, alpha 4.4135, a 0.7929, b 2.42575 (polished optimum), LL -9582.43
    assert repr(m) == ("BG/NBD(r=0.2426, alpha=4.4135, a=0.7929, b=2.4258; fitted to 2357 customers "
                       "in 7d, log-likelihood -9582.43)")


def test_plotting_is_an_attribute_of_clv():
    import subprocess
    import sys

    # in a fresh interpreter: `import clv; clv.plotting` (issue 12: AttributeError before)
    code = "import sys, clv; print(clv.plotting.__name__, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    # matplotlib stays optional: importing clv does not import it
    assert out.split() == ["clv.plotting", "False"]
    assert "plotting" in clv.__all__


def test_a_fit_with_swapped_columns_says_the_data_may_be_mis_specified(cdnow):
    # recency given as frequency and the reverse (CDNOW's daily summary, whole days)
    days = pd.DataFrame({"frequency": (cdnow["recency"] * 7).round(), "recency": cdnow["frequency"],
                         "T": (cdnow["T"] * 7).round()})
    # the dropout Beta runs off (a ~ 4e5 with a standard error 26 times that): not identified,
    # and the error leads with the likely cause
    with pytest.raises(clv.ClvError, match=r"not identified.*BG/NBD fit has a = \d+.*mis-specified.*swapped columns") as e:
        clv.BetaGeo().fit(days["frequency"], days["recency"], days["T"])
    assert (e.value.code, e.value.field) == ("NOT_IDENTIFIED", "a")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right columns: no warning
        ok = clv.BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert ok.fit_info["warnings"] == []


def test_gil_is_released_during_fits(cdnow):
    """A Python thread keeps running while the core fits (pure Python would block it)."""
    # CDNOW 20 times over: a fit of some 40 ms, so that the spinning thread
    # gets the processor during it even on a loaded machine (a 2 ms fit saw
    # it starved there: [0, 0, 0] in a CI run beside two builds)
    x, tx, t = (np.ascontiguousarray(np.tile(np.asarray(cdnow[c], dtype=np.float64), 20))
                for c in ("frequency", "recency", "T"))
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    th = threading.Thread(target=spin)
    th.start()
    try:
        seen = []
        for _ in range(3):
            before = count[0]
            _clv.Model.fit("pareto_nbd", [x, tx, t], None)
            seen.append(count[0] - before)
    finally:
        stop.set()
        th.join()
    assert max(seen) > 1000, seen


def test_customer_lifetime_value_series_and_scalar(cdnow):
    """CDNOW customer ID 1 at the published BG/NBD and Gamma-Gamma estimates: lifetimes 0.11.3 gives 36.28921
    (12 months, 1%/month, weeks; tests/vectors/gamma_gamma.json)."""
    bg = clv.BetaGeo.from_params(**FHL)
    gg = clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    v = clv.customer_lifetime_value(bg, gg, 2, 30.43, 38.86, 22.35, time=12, discount_rate=0.01, freq="W")
    assert v == pytest.approx(36.28921112559952, rel=1e-6)
    s = pd.DataFrame({"frequency": [2, 0], "recency": [30.43, 0], "T": [38.86, 38.86], "mv": [22.35, 0]},
                     index=["a", "b"])
    out = clv.customer_lifetime_value(bg, gg, s["frequency"], s["recency"], s["T"], s["mv"], freq="W")
    assert list(out.index) == ["a", "b"] and out["a"] == pytest.approx(v, rel=1e-12)


def test_bg_bb_and_sbg_surface():
    m = clv.BetaGeoBetaBinom.from_params(alpha=1.204, beta=0.75, gamma=0.657, delta=2.783)
    assert m.prob_alive_ahead(1, 6, 6, 6) == pytest.approx(m.prob_alive(6, 6, 6), rel=1e-12)
    s = clv.ShiftedBetaGeo.from_params(alpha=0.704, beta=1.182)
    # r(1) = β/(α+β) = 1.182/1.886 (Fader & Hardie 2007 eq. for the retention rate)
    assert s.retention(1) == pytest.approx(1.182 / 1.886, rel=1e-14)
    np.testing.assert_allclose(s.survival([0, 1]), [1.0, 1.182 / 1.886], rtol=1e-14)
    # an operation the model does not define: NOT_SUPPORTED naming it (tests/vectors/errors.json)
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo.from_params(**FHL).dert(0.1, 1, 1, 2)
    assert (e.value.code, e.value.field) == ("NOT_SUPPORTED", "dert")


@pytest.mark.parametrize("model", [
    clv.BetaGeo.from_params(**FHL),
    clv.ModifiedBetaGeo.from_params(**FHL),
    clv.ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669),
])
def test_extreme_and_empty_inputs_stay_finite(model):
    """DESIGN.md: no NaN or infinity for valid inputs up to x = 1e4, T = 1e5 periods; empty in, empty out."""
    x = np.array([0.0, 1e4, 1e4, 1.0, 0.0])
    tx = np.array([0.0, 1e5 - 1, 1.0, 1e5, 0.0])
    T = np.array([1e5, 1e5, 1e5, 1e5, 0.0])
    for out in (model.prob_alive(x, tx, T), model.expected_purchases(1e4, x, tx, T),
                model.customer_log_likelihood(x, tx, T)):
        assert out.shape == (5,) and np.isfinite(out).all(), out
    assert np.isfinite(model.expected_purchases_new([0.0, 1e5])).all()
    empty = np.array([], dtype=float)
    assert model.prob_alive(empty, empty, empty).shape == (0,)


def test_prob_purchases_broadcast_mismatch(bg):
    with pytest.raises(clv.ClvError) as e:
        bg.prob_purchases([1, 2], [1.0, 2.0, 3.0])
    assert e.value.code == "LENGTH_MISMATCH"
