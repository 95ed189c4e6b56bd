"""Writes tests/vectors/portfolio.json and tests/vectors/uplift.json.

Not run in CI (the JSON files are committed). Run with a Python that has
numpy and scipy (e.g. /work/benchenv/venv/bin/python, scipy 1.17):

    python tests/vectors/gen_portfolio_uplift_refs.py

Every expected number is computed here independently of the Rust code:
numpy sorting/cumsum and the O(n^2) Gini definition for the portfolio
measures; scipy.stats.ttest_ind(equal_var=False) for Welch; a direct Wilson /
Newcombe implementation and scipy.stats.chi2_contingency(correction=False) for
proportions; the published Newcombe (1998) Table II intervals are copied as
published (4 decimals, atol 5e-5).
"""

import json
import math
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))


def top_count(p, n):
    x = p * n
    k = round(x) if abs(x - round(x)) < 1e-9 else math.ceil(x)
    return min(max(int(k), 1), n)


def whale(values):
    v = np.asarray(values, dtype=float)
    order = sorted(range(len(v)), key=lambda i: (-v[i], i))  # stable, largest first
    s = v[order]
    total = v.sum()
    cum = np.cumsum(s) / total
    k = int(np.argmax(cum))  # first maximum
    n = len(v)
    gini = np.abs(v[:, None] - v[None, :]).sum() / (2 * n * n * v.mean())
    return {
        "order": order,
        "cumulative_share": cum.tolist(),
        "total": float(total),
        "peak_share": float(cum[k]),
        "peak_customers": k + 1,
        "peak_fraction": (k + 1) / n,
        "top_shares": [
            {"fraction": p, "customers": top_count(p, n), "share": float(cum[top_count(p, n) - 1])}
            for p in (0.01, 0.05, 0.10, 0.20, 0.50)
        ],
        "destroyers": [i for i in reversed(order) if v[i] < 0],
        "gini": float(gini),
    }


def tiers(values, cuts, method):
    v = np.asarray(values, dtype=float)
    n = len(v)
    order = sorted(range(n), key=lambda i: (-v[i], i))
    labels = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    t = [len(cuts)] * n
    if method == "cumulative_share":
        total = v.sum()
        run = 0.0
        for k, i in enumerate(order):
            before = run / total
            t[k] = next((j for j, c in enumerate(cuts) if before < c), len(cuts))
            run += v[i]
    else:
        bounds = [top_count(c, n) for c in cuts]
        for k in range(n):
            t[k] = next((j for j, b in enumerate(bounds) if k < b), len(cuts))
    for k in range(1, n):
        if v[order[k]] == v[order[k - 1]]:
            t[k] = t[k - 1]
    tier = [None] * n
    counts = [0] * (len(cuts) + 1)
    value = [0.0] * (len(cuts) + 1)
    for k, i in enumerate(order):
        tier[i] = labels[t[k]]
        counts[t[k]] += 1
        value[t[k]] += v[i]
    return {
        "tier": tier,
        "tiers": [{"tier": labels[j], "customers": counts[j], "value": value[j]} for j in range(len(cuts) + 1)],
    }


def case(fn, args, expected, source, rtol=1e-12, atol=1e-12):
    return {"fn": fn, "args": args, "expected": expected, "rtol": rtol, "atol": atol, "source": source}


def portfolio():
    rng = np.random.default_rng(20260601)
    # Contribution margins of 40 accounts: a few whales, a tail of small
    # losses (cost to serve above margin).
    margins = np.round(np.concatenate([rng.gamma(0.7, 400.0, 32), -rng.gamma(1.5, 40.0, 8)]), 2)
    rng.shuffle(margins)
    margins = margins.tolist()
    revenue = [120.0, 80.0, 80.0, 45.5, 30.0, 30.0, 30.0, 12.0, 0.0, 0.0]  # ties and zeros
    p_alive = np.round(rng.uniform(0.05, 1.0, 40), 4).tolist()
    clv = np.round(rng.gamma(0.8, 300.0, 12), 2).tolist() + [-35.0, -5.0]
    p_clv = np.round(rng.uniform(0.05, 1.0, 14), 4).tolist()
    src = "numpy: stable sort, cumsum, O(n^2) Gini (tests/vectors/gen_portfolio_uplift_refs.py)"
    cases = [
        case("whale_curve", {"values": margins}, whale(margins), src),
        case("whale_curve", {"values": revenue}, whale(revenue), src),
        case("whale_curve", {"values": [42.0]}, whale([42.0]), "single customer: share 1, Gini 0"),
        case(
            "whale_curve",
            {"values": [50.0, -30.0, 100.0]},
            {"cumulative_share": [100 / 120, 150 / 120, 1.0], "peak_share": 1.25,
             "peak_fraction": 2 / 3, "gini": (2 * (50 + 80 + 130)) / (2 * 9 * 40)},
            "hand-computed: total 120; Gini = sum|d| / (2 n^2 mu) = 2(50+80+130) / (2*9*40)",
        ),
    ]
    for cuts in ([0.8, 0.95], [0.5, 0.9]):
        for method in ("cumulative_share", "quantile"):
            for vals in (margins, revenue):
                cases.append(case("value_tiers", {"values": vals, "cuts": cuts, "method": method},
                                  tiers(vals, cuts, method), src))
    risk = (np.asarray(margins) * (1 - np.asarray(p_alive))).tolist()
    cases.append(case("revenue_at_risk", {"values": margins, "p_alive": p_alive}, risk,
                      "numpy: value * (1 - p_alive)"))
    cases.append(case("risk_ranking", {"values": margins, "p_alive": p_alive},
                      {"total": float(np.sum(risk)), "total_value": float(np.sum(margins)),
                       "at_risk": [{"index": i, "value_at_risk": risk[i]}
                                   for i in sorted(range(40), key=lambda i: (-risk[i], i)) if risk[i] > 0]},
                      "numpy: sum and stable ranking of value * (1 - p_alive) > 0"))
    for s in (1.0, 0.3):
        vr = [c / p for c, p in zip(clv, p_clv)]
        ceil = [s * (1 - p) * x if x > 0 else 0.0 for x, p in zip(vr, p_clv)]
        cases.append(case("offer_ceiling", {"clv": clv, "p_alive": p_clv, "success_rate": s},
                          {"value_if_retained": vr, "ceiling": ceil},
                          "ceiling = s (1 - p) clv / p, 0 when clv <= 0 (crates/clv/src/portfolio.rs)"))
    cases.append(case("offer_ceiling", {"clv": [1200.0, -50.0], "p_alive": [0.6, 0.9], "success_rate": 1.0},
                      {"value_if_retained": [2000.0, -50 / 0.9], "ceiling": [800.0, 0.0]},
                      "hand-computed: Alpha 1200/0.6 = 2000, 0.4*2000 = 800; Beta negative: no offer"))
    errors = [
        {"fn": "whale_curve", "args": {"values": [-1.0, -2.0]}, "code": "INVALID_INPUT", "field": "values"},
        {"fn": "whale_curve", "args": {"values": [0.0, 0.0]}, "code": "INVALID_INPUT", "field": "values"},
        {"fn": "whale_curve", "args": {"values": []}, "code": "EMPTY_INPUT", "field": "values"},
        {"fn": "whale_curve", "args": {"values": [1.0, "NaN"]}, "code": "INVALID_INPUT", "field": "values"},
        {"fn": "value_tiers", "args": {"values": [1.0, 2.0], "cuts": [0.9, 0.8], "method": "cumulative_share"},
         "code": "INVALID_INPUT", "field": "cuts"},
        {"fn": "value_tiers", "args": {"values": [-1.0, 0.5], "cuts": [0.8, 0.95], "method": "cumulative_share"},
         "code": "INVALID_INPUT", "field": "values"},
        {"fn": "revenue_at_risk", "args": {"values": [1.0, 2.0], "p_alive": [0.5]},
         "code": "LENGTH_MISMATCH", "field": "p_alive"},
        {"fn": "revenue_at_risk", "args": {"values": [1.0], "p_alive": [1.5]}, "code": "INVALID_INPUT", "field": "p_alive"},
        {"fn": "offer_ceiling", "args": {"clv": [1.0], "p_alive": [0.0], "success_rate": 1.0},
         "code": "INVALID_INPUT", "field": "p_alive"},
        {"fn": "offer_ceiling", "args": {"clv": [1.0], "p_alive": [0.5], "success_rate": 2.0},
         "code": "INVALID_INPUT", "field": "success_rate"},
    ]
    return {
        "module": "portfolio",
        "source": "Independent numpy computation (gen_portfolio_uplift_refs.py); definitions in crates/clv/src/portfolio.rs and docs/portfolio.md",
        "notes": "expected objects list only the fields checked; \"NaN\" in args stands for a NaN number",
        "cases": cases,
        "errors": errors,
    }


def wilson(x, n, z):
    z2 = z * z
    c = 2 * x + z2
    h = z * math.sqrt(z2 + 4 * x * (1 - x / n))
    d = 2 * (n + z2)
    return (0.0 if x == 0 else (c - h) / d, 1.0 if x == n else (c + h) / d)


def newcombe(xt, nt, xc, nc, conf):
    z = stats.norm.ppf(0.5 + conf / 2)
    pt, pc = xt / nt, xc / nc
    lt, ut = wilson(xt, nt, z)
    lc, uc = wilson(xc, nc, z)
    d = pt - pc
    lo = d - math.sqrt((pt - lt) ** 2 + (uc - pc) ** 2)
    hi = d + math.sqrt((ut - pt) ** 2 + (pc - lc) ** 2)
    table = np.array([[xt, nt - xt], [xc, nc - xc]])
    if 0 < xt + xc < nt + nc:
        p = stats.chi2_contingency(table, correction=False).pvalue
    else:
        p = 1.0
    return {"effect": d, "ci_low": lo, "ci_high": hi, "p_value": float(p),
            "relative_effect": (d / pc) if pc != 0 else None, "total": d * nt}


def ones(x, n):
    return [1.0] * x + [0.0] * (n - x)


def welch(t, c, conf, population=None):
    r = stats.ttest_ind(t, c, equal_var=False)
    ci = r.confidence_interval(conf)
    d = float(np.mean(t) - np.mean(c))
    pop = population if population is not None else len(t)
    mc = float(np.mean(c))
    return {"effect": d, "ci_low": float(ci.low), "ci_high": float(ci.high), "p_value": float(r.pvalue),
            "statistic": float(r.statistic), "df": float(r.df),
            "relative_effect": d / mc if mc != 0 else None,
            "total": d * pop, "total_ci_low": float(ci.low) * pop, "total_ci_high": float(ci.high) * pop}


def stratified(t, ts, c, cs, conf, binary):
    labels = sorted(set(ts))
    nt = len(t)
    eff = var = mc = dfd = 0.0
    t, c, ts, cs = map(np.asarray, (t, c, ts, cs))
    for s in labels:
        a, b = t[ts == s], c[cs == s]
        w = len(a) / nt
        if binary:
            va, vb = a.mean() * (1 - a.mean()) / len(a), b.mean() * (1 - b.mean()) / len(b)
        else:
            va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
            dfd += w ** 4 * (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
        eff += w * (a.mean() - b.mean())
        var += w * w * (va + vb)
        mc += w * b.mean()
    se = math.sqrt(var)
    if binary:
        q = stats.norm.ppf(0.5 + conf / 2)
        p = 2 * stats.norm.sf(abs(eff / se))
        out = {}
    else:
        df = var * var / dfd
        q = stats.t.ppf(0.5 + conf / 2, df)
        p = 2 * stats.t.sf(abs(eff / se), df)
        out = {"df": df}
    out.update({"effect": eff, "ci_low": eff - q * se, "ci_high": eff + q * se, "p_value": float(p),
                "mean_control": mc, "relative_effect": eff / mc, "total": eff * nt})
    return {"overall": out}


def uplift():
    rng = np.random.default_rng(7)
    # Margin per customer over 6 months after a retention call (treated) vs control.
    t1 = np.round(rng.gamma(2.0, 60.0, 120), 2).tolist()
    c1 = np.round(rng.gamma(2.0, 52.0, 150), 2).tolist()
    t2 = [12.0, 15.0, 11.0, 18.0, 14.0]
    c2 = [10.0, 12.0, 9.0, 11.0]
    src_w = "scipy.stats.ttest_ind(equal_var=False) and .confidence_interval() (scipy 1.17.1)"
    cases = [
        case("uplift", {"treated": t1, "control": c1, "confidence": 0.95, "metric": "continuous"},
             welch(t1, c1, 0.95), src_w, rtol=1e-9, atol=1e-9),
        case("uplift", {"treated": t1, "control": c1, "confidence": 0.9, "metric": "continuous",
                        "population": 25000.0},
             welch(t1, c1, 0.9, 25000.0), src_w, rtol=1e-9, atol=1e-9),
        case("uplift", {"treated": t2, "control": c2, "confidence": 0.95, "metric": "continuous"},
             welch(t2, c2, 0.95), src_w + "; by hand in crates/clv/src/experiment.rs welch_by_hand",
             rtol=1e-9, atol=1e-9),
        case("uplift", {"treated": ones(56, 70), "control": ones(48, 80), "confidence": 0.95, "metric": "binary"},
             {"ci_low": 0.0524, "ci_high": 0.3339},
             "Newcombe (1998) Stat Med 17:873-890, Table II, example (a), method 10 (published, 4 decimals)",
             rtol=0.0, atol=5e-5),
        case("uplift", {"treated": ones(9, 10), "control": ones(3, 10), "confidence": 0.95, "metric": "binary"},
             {"ci_low": 0.1705, "ci_high": 0.8090},
             "Newcombe (1998) Stat Med 17:873-890, Table II, example (b), method 10 (published, 4 decimals)",
             rtol=0.0, atol=5e-5),
    ]
    for (xt, nt, xc, nc, conf) in [(56, 70, 48, 80, 0.95), (9, 10, 3, 10, 0.95), (430, 1000, 380, 1000, 0.95),
                                   (0, 10, 0, 10, 0.95), (10, 10, 0, 20, 0.99), (5, 56, 0, 29, 0.9)]:
        cases.append(case("uplift", {"treated": ones(xt, nt), "control": ones(xc, nc), "confidence": conf,
                                     "metric": "binary"},
                          newcombe(xt, nt, xc, nc, conf),
                          "Wilson/Newcombe method 10 written out in Python; p from "
                          "scipy.stats.chi2_contingency(correction=False) (1 when both groups are all 0 or all 1)",
                          rtol=1e-9, atol=1e-12))
    # Stratified: size bands with different baselines.
    ts = ["small"] * 60 + ["large"] * 40
    cs = ["small"] * 90 + ["large"] * 30
    tv = np.round(np.concatenate([rng.normal(100, 20, 60), rng.normal(400, 80, 40)]), 2).tolist()
    cv = np.round(np.concatenate([rng.normal(92, 20, 90), rng.normal(370, 80, 30)]), 2).tolist()
    cases.append(case("uplift_stratified",
                      {"treated": tv, "treated_strata": ts, "control": cv, "control_strata": cs,
                       "confidence": 0.95, "metric": "continuous"},
                      stratified(tv, ts, cv, cs, 0.95, False),
                      "numpy: treated-share weights, Satterthwaite df, scipy t quantile", rtol=1e-9, atol=1e-9))
    tb = [float(x) for x in (rng.uniform(size=100) < np.r_[np.full(60, 0.7), np.full(40, 0.5)])]
    cb = [float(x) for x in (rng.uniform(size=120) < np.r_[np.full(90, 0.6), np.full(30, 0.45)])]
    cases.append(case("uplift_stratified",
                      {"treated": tb, "treated_strata": ts, "control": cb, "control_strata": cs,
                       "confidence": 0.95, "metric": "binary"},
                      stratified(tb, ts, cb, cs, 0.95, True),
                      "numpy: treated-share weights, Wald variance p(1-p)/n, normal quantile", rtol=1e-9, atol=1e-9))
    errors = [
        {"fn": "uplift", "args": {"treated": [], "control": [1.0, 2.0], "confidence": 0.95, "metric": "continuous"},
         "code": "EMPTY_INPUT", "field": "treated"},
        {"fn": "uplift", "args": {"treated": [1.0, 2.0], "control": [], "confidence": 0.95, "metric": "continuous"},
         "code": "EMPTY_INPUT", "field": "control"},
        {"fn": "uplift", "args": {"treated": [1.0], "control": [1.0, 2.0], "confidence": 0.95, "metric": "continuous"},
         "code": "INVALID_INPUT", "field": "treated"},
        {"fn": "uplift", "args": {"treated": [3.0, 3.0], "control": [2.0, 2.0], "confidence": 0.95,
                                  "metric": "continuous"},
         "code": "INVALID_INPUT", "field": "treated, control"},
        {"fn": "uplift", "args": {"treated": [1.0, "NaN"], "control": [1.0, 2.0], "confidence": 0.95,
                                  "metric": "continuous"},
         "code": "INVALID_INPUT", "field": "treated"},
        {"fn": "uplift", "args": {"treated": [1.0, 2.0], "control": [1.0, 2.0], "confidence": 1.0,
                                  "metric": "continuous"},
         "code": "INVALID_INPUT", "field": "confidence"},
        {"fn": "uplift", "args": {"treated": [1.0, 0.5], "control": [1.0, 0.0], "confidence": 0.95, "metric": "binary"},
         "code": "INVALID_INPUT", "field": "treated"},
        {"fn": "uplift_stratified", "args": {"treated": [1.0, 2.0, 3.0, 4.0], "treated_strata": ["a", "a", "b", "b"],
                                             "control": [1.0, 2.0], "control_strata": ["a", "a"],
                                             "confidence": 0.95, "metric": "continuous"},
         "code": "INVALID_INPUT", "field": "strata"},
    ]
    return {
        "module": "experiment",
        "source": "Welch (1947); Newcombe (1998) Stat Med 17:873-890 method 10; scipy 1.17.1; "
                  "gen_portfolio_uplift_refs.py",
        "notes": "expected objects list only the fields checked (null = None); \"NaN\" in args stands for a NaN number",
        "cases": cases,
        "errors": errors,
    }


for name, doc in (("portfolio.json", portfolio()), ("uplift.json", uplift())):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(name, len(doc["cases"]), "cases,", len(doc["errors"]), "errors")
