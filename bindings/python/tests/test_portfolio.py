"""clv.portfolio and clv.experiment: the shared vectors (tests/vectors/portfolio.json,
tests/vectors/uplift.json) through the Python API, plus Python-specific behaviour.

The vectors are read as by the Rust runners (tests/tests/vectors_portfolio.rs,
vectors_uplift.rs, via tests/tests/structured/mod.rs): "NaN" in args is a NaN;
`expected` lists only the fields checked, numbers within atol + rtol·|want|,
arrays element by element, objects on their keys, anything else (strings,
null = None, counts) equal. Their sources: an independent numpy computation
(portfolio), Newcombe (1998) Table II, scipy 1.17.1 and numpy (uplift); see
each case's `source` and tests/vectors/gen_portfolio_uplift_refs.py.
"""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import clv
from clv import experiment, plotting, portfolio
from conftest import VECTORS


def load(name):
    return json.loads((VECTORS / name).read_text())


def arr(args, key):
    return np.array([np.nan if v == "NaN" else v for v in args[key]], dtype=float)


def run_portfolio(case):
    a, fn = case["args"], case["fn"]
    if fn == "whale_curve":
        return portfolio.whale_curve(arr(a, "values"))
    if fn == "value_tiers":
        return portfolio.value_tiers(arr(a, "values"), cuts=a["cuts"], method=a["method"])
    if fn == "revenue_at_risk":
        return portfolio.revenue_at_risk(arr(a, "values"), arr(a, "p_alive"))
    if fn == "risk_ranking":
        return portfolio.risk_ranking(arr(a, "values"), arr(a, "p_alive"))
    if fn == "offer_ceiling":
        return portfolio.offer_ceiling(arr(a, "clv"), arr(a, "p_alive"), success_rate=a["success_rate"])
    raise AssertionError(f"unknown fn {fn}")


def run_uplift(case):
    a, fn = case["args"], case["fn"]
    kw = dict(confidence=a["confidence"], metric=a["metric"], population=a.get("population"))
    if fn == "uplift":
        return experiment.uplift(arr(a, "treated"), arr(a, "control"), **kw)
    if fn == "uplift_stratified":
        return experiment.uplift_stratified(arr(a, "treated"), a["treated_strata"], arr(a, "control"),
                                            a["control_strata"], **kw)
    raise AssertionError(f"unknown fn {fn}")


def field(got, key, path):
    if dataclasses.is_dataclass(got):
        assert hasattr(got, key), f"{path}.{key}: missing in the result"
        return getattr(got, key)
    assert key in got, f"{path}.{key}: missing in the result"
    return got[key]


def compare(got, want, rtol, atol, path):
    """As `compare` in tests/tests/structured/mod.rs."""
    if isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want, f"{path}: got {got!r}, want {want!r}"
    elif isinstance(want, (int, float)):
        g = float(got)
        assert np.isfinite(g) and abs(g - want) <= atol + rtol * abs(want), (
            f"{path}: got {g}, want {want} (rtol {rtol}, atol {atol})")
    elif isinstance(want, list):
        got = list(got)
        assert len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            compare(g.item() if isinstance(g, np.generic) else g, w, rtol, atol, f"{path}[{i}]")
    elif isinstance(want, dict):
        for k, w in want.items():
            compare(field(got, k, path), w, rtol, atol, f"{path}.{k}")
    else:
        raise AssertionError(f"{path}: unexpected expected value {want!r}")


VECTOR_FILES = {"portfolio.json": run_portfolio, "uplift.json": run_uplift}


@pytest.mark.parametrize("name", sorted(VECTOR_FILES))
def test_vector_cases(name):
    v, run = load(name), VECTOR_FILES[name]
    # the Rust runners assert at least 17 / 13 cases; every case runs here
    assert len(v["cases"]) >= {"portfolio.json": 17, "uplift.json": 13}[name]
    for case in v["cases"]:
        got = run(case)
        compare(got, case["expected"], case["rtol"], case.get("atol", 0.0), f"{case['fn']} ({case['source']})")


@pytest.mark.parametrize("name", sorted(VECTOR_FILES))
def test_vector_errors(name):
    v, run = load(name), VECTOR_FILES[name]
    assert len(v["errors"]) >= {"portfolio.json": 10, "uplift.json": 8}[name]
    for case in v["errors"]:
        with pytest.raises(clv.ClvError) as e:
            run(case)
        assert e.value.code == case["code"], (case, str(e.value))
        assert e.value.field == case["field"], (case, str(e.value))
        assert isinstance(e.value, ValueError)
        assert case["field"] in str(e.value)


def test_whale_curve_fields_by_hand():
    # 50, −30, 100: sorted 100, 50, −30; total 120 → shares 100/120, 150/120, 120/120.
    w = portfolio.whale_curve([50, -30, 100])
    assert isinstance(w, portfolio.WhaleCurve) and len(w) == 3
    np.testing.assert_array_equal(w.order, [2, 0, 1])
    np.testing.assert_allclose(w.cumulative_share, [100 / 120, 150 / 120, 1.0], rtol=1e-15)
    np.testing.assert_array_equal(w.sorted_values, [100, 50, -30])
    assert w.peak_share == pytest.approx(1.25, rel=1e-15) and w.peak_customers == 2
    assert w.peak_fraction == pytest.approx(2 / 3, rel=1e-15)
    assert (w.total, w.created, w.destroyed) == (120.0, 150.0, -30.0)
    np.testing.assert_array_equal(w.destroyers, [1])
    # top 1 % of 3 customers = ⌈0.03⌉ = 1 customer: 100/120; top 50 % = ⌈1.5⌉ = 2: 150/120
    assert [t.customers for t in w.top_shares] == [1, 1, 1, 1, 2]
    assert w.top_shares[0] == portfolio.TopShare(fraction=0.01, customers=1, share=pytest.approx(100 / 120))
    # Gini by definition Σ Σ |vi − vj| / (2 n² μ), μ = 40: pairs |80| + |−50|... computed here independently
    v = np.array([50.0, -30.0, 100.0])
    want = np.abs(v[:, None] - v[None, :]).sum() / (2 * 9 * v.mean())
    assert w.gini == pytest.approx(want, rel=1e-14)
    assert portfolio.gini(v) == pytest.approx(want, rel=1e-14)
    # a WhaleCurve converts with dataclasses.asdict (plain data)
    assert dataclasses.asdict(w)["top_shares"][4]["customers"] == 2


def test_series_index_kept():
    idx = pd.Index(["acme", "beta", "gamma", "delta"], name="account")
    v = pd.Series([1000.0, 50.0, -20.0, 300.0], index=idx)
    p = pd.Series([0.4, 0.9, 0.5, 0.4], index=idx)
    r = portfolio.revenue_at_risk(v, p)
    assert isinstance(r, pd.Series) and r.index.equals(idx)
    # hand-computed: 1000·0.6, 50·0.1, −20·0.5, 300·0.6
    np.testing.assert_allclose(r.to_numpy(), [600, 5, -10, 180], rtol=1e-12)
    assert r["delta"] == pytest.approx(180)
    # numpy in, numpy out; a scalar p_alive broadcasts; scalars give a float
    r2 = portfolio.revenue_at_risk(v.to_numpy(), 0.5)
    assert type(r2) is np.ndarray and r2[0] == 500.0
    assert portfolio.revenue_at_risk(10.0, 0.25) == 7.5
    rk = portfolio.risk_ranking(v, p)
    assert rk.value_at_risk.index.equals(idx)
    assert rk.total == pytest.approx(775.0) and rk.share == pytest.approx(775 / 1330)
    assert rk.expected_retained == pytest.approx(555.0)  # 400 + 45 − 10 + 120
    table = rk.ranking()
    assert list(table.index) == ["acme", "delta", "beta"]  # 600, 180, 5; beta's −10 is not at risk
    assert table.loc["acme", "value_at_risk"] == pytest.approx(600)
    assert list(portfolio.risk_ranking(v.to_numpy(), p.to_numpy()).ranking().index) == [0, 3, 1]
    # tiers: total 1330; sorted 1000 (S=0 → A), 300 (0.752 → A), 50 (0.977 → C), −20 (C)
    t = portfolio.value_tiers(v)
    assert isinstance(t.tier, pd.Series) and t.tier.index.equals(idx)
    assert t.tier.tolist() == ["A", "C", "C", "A"]
    assert t.method == "share" and t.cuts == (0.8, 0.95)
    s = t.summary()
    assert s.loc["A", "customers"] == 2 and s.loc["A", "value"] == 1300.0 and s.loc["B", "customers"] == 0
    o = portfolio.offer_ceiling(pd.Series([1200.0, -50.0], index=["alpha", "beta"]), [0.6, 0.9])
    # Alpha: V_r = 1200/0.6 = 2000, ceiling (1 − 0.6)·2000 = 800; Beta: negative CLV → 0
    assert o.ceiling.index.tolist() == ["alpha", "beta"]
    assert o.ceiling["alpha"] == pytest.approx(800) and o.ceiling["beta"] == 0.0
    assert o.value_if_retained["alpha"] == pytest.approx(2000) and o.value_if_lost["alpha"] == 0.0
    assert portfolio.offer_ceiling([1200.0], [0.6], success_rate=0.25).ceiling[0] == pytest.approx(200)


def test_value_tiers_quantile_and_methods():
    v = [2.0, 30.0, 5.0, 50.0, 3.0, 10.0]
    # quantile cuts 0.2, 0.5 of 6: A = top ⌈1.2⌉ = 2, B = up to ⌈3⌉ = 3, C the rest
    q = portfolio.value_tiers(v, cuts=(0.2, 0.5), method="quantile")
    assert q.tier.tolist() == ["C", "A", "C", "A", "C", "B"] and q.method == "quantile"
    # share: 50 (S=0 → A), 30 (0.5 → A), 10 (0.8 → B), 5 (0.9 → B), 3 (0.95 → C), 2 (C)
    s = portfolio.value_tiers(v)
    assert s.tier.tolist() == ["C", "A", "B", "A", "C", "B"]
    assert [t.value for t in s.tiers] == [80.0, 15.0, 5.0] and s.tiers[0].share == pytest.approx(0.8)
    assert portfolio.value_tiers(v, method="cumulative_share").tier.tolist() == s.tier.tolist()
    # one cut 0.5: 50 (S=0 → A), then 30 starts at S = 0.5, not < 0.5 → B, and so all the rest
    assert portfolio.value_tiers(v, cuts=0.5).tier.tolist() == ["B", "B", "B", "A", "B", "B"]


def test_customer_totals():
    tx = pd.DataFrame({"customer_id": ["a", "b", "a", "c"], "amount": [10.0, 4.0, 30.0, 1.0]})
    t = portfolio.customer_totals(tx, margin_rate=0.3, cost_per_transaction=2.0)
    assert list(t.index) == ["a", "b", "c"] and list(t.columns) == ["revenue", "transactions", "margin"]
    # a: 0.3·40 − 2·2 = 8; b: 0.3·4 − 2 = −0.8; c: 0.3·1 − 2 = −1.7
    np.testing.assert_allclose(t["margin"], [8.0, -0.8, -1.7], rtol=1e-12)
    assert t["transactions"].tolist() == [2.0, 1.0, 1.0] and t["revenue"].tolist() == [40.0, 4.0, 1.0]
    with pytest.raises(clv.ClvError) as e:
        portfolio.customer_totals(tx, margin_rate=1.5)
    assert e.value.field == "margin_rate"
    with pytest.raises(clv.ClvError) as e:
        portfolio.customer_totals(tx, monetary_value_col="price")
    assert e.value.code == "MISSING_COLUMN"


def test_customer_totals_on_polars():
    pl = pytest.importorskip("polars")
    # issue 12: a polars frame raised a pandas TypeError
    tx = pl.DataFrame({"customer_id": ["a", "b", "a", "c"], "amount": [10.0, 4.0, 30.0, 1.0]})
    t = portfolio.customer_totals(tx, margin_rate=0.3, cost_per_transaction=2.0)
    assert isinstance(t, pl.DataFrame)
    assert t.columns == ["customer_id", "revenue", "transactions", "margin"]
    assert t["customer_id"].to_list() == ["a", "b", "c"]
    np.testing.assert_allclose(t["margin"].to_numpy(), [8.0, -0.8, -1.7], rtol=1e-12)
    assert t["revenue"].to_list() == [40.0, 4.0, 1.0] and t["transactions"].to_list() == [2.0, 1.0, 1.0]
    with pytest.raises(clv.ClvError) as e:
        portfolio.customer_totals(tx, customer_id_col="id")
    assert (e.value.code, e.value.field) == ("MISSING_COLUMN", "id")


def test_portfolio_bad_input():
    cases = [
        (lambda: portfolio.whale_curve(5.0), "INVALID_INPUT", "values"),
        (lambda: portfolio.whale_curve(["x"]), "INVALID_INPUT", "values"),
        (lambda: portfolio.whale_curve([[1.0, 2.0]]), "INVALID_INPUT", "values"),
        (lambda: portfolio.gini([]), "EMPTY_INPUT", "values"),
        (lambda: portfolio.gini([1.0, np.inf]), "INVALID_INPUT", "values"),
        (lambda: portfolio.value_tiers([1.0, 2.0], method="abc"), "INVALID_INPUT", "method"),
        (lambda: portfolio.value_tiers([1.0, 2.0], cuts=(0.5, 1.5)), "INVALID_INPUT", "cuts"),
        (lambda: portfolio.value_tiers([1.0, 2.0], cuts=()), "INVALID_INPUT", "cuts"),
        (lambda: portfolio.revenue_at_risk([1.0, 2.0], [0.5, -0.1]), "INVALID_INPUT", "p_alive"),
        (lambda: portfolio.revenue_at_risk(pd.Series([1.0, None]), 0.5), "INVALID_INPUT", "values"),
        (lambda: portfolio.offer_ceiling([1.0], [0.5], success_rate="high"), "INVALID_INPUT", "success_rate"),
        (lambda: portfolio.offer_ceiling([np.nan], [0.5]), "INVALID_INPUT", "clv"),
        (lambda: portfolio.risk_ranking([1.0], [0.5, 0.5]), "LENGTH_MISMATCH", "p_alive"),
    ]
    for f, code, name in cases:
        with pytest.raises(clv.ClvError) as e:
            f()
        assert (e.value.code, e.value.field) == (code, name), str(e.value)
        assert name in str(e.value)
    with pytest.raises(clv.ClvError, match=r"invalid p_alive\[1\]: -0.1"):
        portfolio.revenue_at_risk([1.0, 2.0], [0.5, -0.1])


def test_uplift_by_hand_and_series():
    # Treated mean 70/5 = 14, s² = 30/4; control mean 42/4 = 10.5, s² = 5/3 (crates/clv/src/experiment.rs
    # welch_by_hand): se² = 23/12, df = 1587/268.
    t = pd.Series([12.0, 15.0, 11.0, 18.0, 14.0], index=list("abcde"))
    u = experiment.uplift(t, [10, 12, 9, 11])
    assert isinstance(u, experiment.Uplift)
    assert u.effect == pytest.approx(3.5, abs=1e-12) and u.total == pytest.approx(17.5, abs=1e-12)
    assert u.std_error == pytest.approx((23 / 12) ** 0.5, rel=1e-12) and u.df == pytest.approx(1587 / 268)
    assert u.relative_effect == pytest.approx(3.5 / 10.5) and u.method == "welch" and u.metric == "continuous"
    assert (u.n_treated, u.n_control, u.population) == (5, 4, 5.0)
    assert u.ci_low > 0 and u.p_value < 0.05 and u.total_ci_low == pytest.approx(5 * u.ci_low)
    big = experiment.uplift(t, [10, 12, 9, 11], confidence=0.9, population=1000)
    assert big.total == pytest.approx(3500) and big.ci_high < u.ci_high
    # booleans are 0/1 for a binary metric; 56/70 vs 48/80 = Newcombe (1998) Table II (a): 0.0524 to 0.3339
    treated = np.arange(70) < 56
    control = np.arange(80) < 48
    b = experiment.uplift(treated, control, metric="binary")
    assert b.method == "newcombe_hybrid_score" and b.df is None
    assert abs(b.ci_low - 0.0524) < 5e-5 and abs(b.ci_high - 0.3339) < 5e-5
    p = experiment.uplift_proportions(56, 70, 48, 80)
    assert p == b
    lo, hi = experiment.wilson_interval(9, 10)
    # hand-computed in crates/clv/src/experiment.rs: 0.595850 to 0.982124
    assert abs(lo - 0.595850) < 5e-6 and abs(hi - 0.982124) < 5e-6
    # relative effect from a zero control mean is None
    assert experiment.uplift([1.0, 2.0, 3.0], [0.0, 0.0]).relative_effect is None


def test_uplift_stratified_by_hand():
    # crates/clv/src/experiment.rs stratified_by_hand: effect 0.4·1.5 + 0.6·6 = 4.2, Var 1.04
    s = experiment.uplift_stratified([10, 12, 30, 34, 32], ["small", "small", "large", "large", "large"],
                                     [9, 10, 25, 27], pd.Series(["small", "small", "large", "large"]))
    assert isinstance(s, experiment.StratifiedUplift)
    assert s.overall.effect == pytest.approx(4.2, abs=1e-12)
    assert s.overall.std_error == pytest.approx(1.04 ** 0.5, rel=1e-12)
    assert s.overall.mean_control == pytest.approx(19.4) and s.overall.method == "stratified_welch_satterthwaite"
    assert [x.stratum for x in s.strata] == ["large", "small"]
    assert s.strata[0].weight == pytest.approx(0.6) and s.strata[1].effect == pytest.approx(1.5)
    # labels are converted with str: integers work
    s2 = experiment.uplift_stratified([10, 12, 30, 34, 32], [1, 1, 2, 2, 2], [9, 10, 25, 27], [1, 1, 2, 2])
    assert s2.overall.effect == pytest.approx(4.2, abs=1e-12)


def test_uplift_bad_input():
    cases = [
        (lambda: experiment.uplift([1.0, 2.0], [1.0, 2.0], metric="percent"), "INVALID_INPUT", "metric"),
        (lambda: experiment.uplift([1.0, 2.0], [1.0, 2.0], metric=None), "INVALID_INPUT", "metric"),
        (lambda: experiment.uplift([1.0, 2.0], [1.0, 2.0], confidence="high"), "INVALID_INPUT", "confidence"),
        (lambda: experiment.uplift([1.0, 2.0], [1.0, 2.0], confidence=95), "INVALID_INPUT", "confidence"),
        (lambda: experiment.uplift([1.0, 2.0], [1.0, 2.0], population=0), "INVALID_INPUT", "population"),
        (lambda: experiment.uplift(3.0, [1.0, 2.0]), "INVALID_INPUT", "treated"),
        (lambda: experiment.uplift([1.0, 2.0], ["a", "b"]), "INVALID_INPUT", "control"),
        (lambda: experiment.uplift([1, 2], [0, 1], metric="binary"), "INVALID_INPUT", "treated"),
        (lambda: experiment.uplift_proportions(-1, 10, 3, 10), "INVALID_INPUT", "successes_treated"),
        (lambda: experiment.uplift_proportions(1, 10.5, 3, 10), "INVALID_INPUT", "n_treated"),
        (lambda: experiment.uplift_proportions(1, 10, 3, 0), "INVALID_INPUT", "n_control"),
        (lambda: experiment.uplift_proportions(1, 10, 30, 10), "INVALID_INPUT", "successes_control"),
        (lambda: experiment.wilson_interval(3, 2), "INVALID_INPUT", "successes"),
        (lambda: experiment.wilson_interval(1, float("nan")), "INVALID_INPUT", "n"),
        (lambda: experiment.uplift_stratified([1.0, 2.0], "ab", [1.0, 2.0], ["a", "a"]),
         "INVALID_INPUT", "treated_strata"),
        (lambda: experiment.uplift_stratified([1.0, 2.0], ["a"], [1.0, 2.0], ["a", "a"]),
         "LENGTH_MISMATCH", "treated_strata"),
    ]
    for f, code, name in cases:
        with pytest.raises(clv.ClvError) as e:
            f()
        assert (e.value.code, e.value.field) == (code, name), str(e.value)
        assert name in str(e.value)


def test_whale_plot_uses_portfolio(tmp_path):
    v = pd.Series([5.0, -1.0, 10.0, 6.0])
    w = portfolio.whale_curve(v)
    # sorted 10, 6, 5, −1; total 20 → 0.5, 0.8, 1.05, 1.0
    np.testing.assert_allclose(plotting.cumulative_share(v), [0.5, 0.8, 1.05, 1.0], rtol=1e-15)
    for arg in (v, w):
        ax = plotting.plot_whale_curve(arg)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 0.5, 0.8, 1.05, 1.0], rtol=1e-15)
        # the peak above 1 is annotated: 105 % at 75 % of customers
        assert any("peak 105% at 75%" in t.get_text() for t in ax.texts)
    ax.figure.savefig(tmp_path / "whale.png")
    with pytest.raises(clv.ClvError) as e:
        plotting.plot_whale_curve([-1.0, -2.0])  # a negative total: shares undefined (core check)
    assert e.value.field == "values" and "positive total" in str(e.value)


def test_results_print_as_one_readable_line():
    # the same text as the core's Display (crates/clv/src/display.rs)
    w = portfolio.whale_curve([50.0, 30.0, 20.0])
    assert repr(w) == "WhaleCurve(3 customers, total 100, top 20% (1) hold 50.0%, Gini 0.2000, 0 value destroyers)"
    t = portfolio.value_tiers([50.0, 30.0, 20.0], cuts=0.5)
    assert repr(t) == "ValueTiers(share; A: 1 customers, 50.0%; B: 2 customers, 50.0%)"
    # 6000·0.999 + 800·0.7 = 6554 of 6800; 6000·0.001 + 800·0.3 = 246 stay
    r = portfolio.risk_ranking([6000.0, 800.0], [0.001, 0.3])
    assert repr(r) == "RiskRanking(at risk 6554 of 6800 (96.4%), expected to stay 246, 2 customers at risk)"
    u = clv.experiment.uplift([12.0, 14.0, 16.0, 18.0], [10.0, 11.0, 12.0, 13.0])
    # effect 15 − 11.5 = 3.5 per customer, 4 treated customers: total 14
    assert repr(u).startswith("Uplift(continuous welch: effect 3.5 per customer [")
    assert ", total 14 [" in repr(u) and repr(u).endswith("; 4 treated, 4 control)")
