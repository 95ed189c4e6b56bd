#!/usr/bin/env python3
"""The same workflows through `import clv` (the Python binding) and through
lifetimes 0.11.3, in one process and one run; prints times and ratios.

Workflows (inputs already in memory; imports not counted; best of --repeat):

  summary     transaction log -> frequency/recency/T/monetary_value
              (clv.rfm_summary vs lifetimes.utils.summary_data_from_transaction_data),
              CDNOW_master (69,659 rows, weeks) and a synthetic log of --rows rows (days)
  fit         BG/NBD, Pareto/NBD and Gamma-Gamma on the CDNOW calibration summary,
              BG/NBD on --customers synthetic BG/NBD customers
  score       P(alive) + expected purchases in 39 periods for --customers customers
  clv         12-month CLV (BG/NBD + Gamma-Gamma) for --customers customers

Before timing, it checks that both libraries agree (summary columns equal,
fitted log-likelihoods within 1e-3, predictions within 1e-6 relative) and
prints the largest differences.

Usage (from the repository root; benches/requirements.txt pins the peers):
  python3 -m venv .bench-venv && .bench-venv/bin/pip install -r benches/requirements.txt
  .venv/bin/maturin build --release -m bindings/python/Cargo.toml -o target/wheels-python
  .bench-venv/bin/pip install --no-deps target/wheels-python/clv-*.whl
  .bench-venv/bin/python benches/compare_python.py [--customers 100000] [--rows 1000000] [--repeat 3]
"""

import argparse
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import clv
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
# BG/NBD estimates on CDNOW (Fader, Hardie & Lee 2005), used to simulate customers.
R, ALPHA, A, B = 0.243, 4.414, 0.793, 2.426


def best(f, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def simulate_customers(n):
    """Deterministic BG/NBD draws (as benches/compare_models.py)."""
    rng = np.random.default_rng(7)
    T = rng.uniform(27.0, 39.0, n)
    lam = rng.gamma(R, 1.0 / ALPHA, n)
    p = rng.beta(A, B, n)
    x = np.minimum(rng.geometric(p), rng.poisson(lam * T)).astype(float)
    m = np.maximum(x, rng.poisson(lam * T))
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(m - x + 1, 1)), 0.0)
    mv = np.where(x > 0, rng.gamma(6.25, 1.0, n) * 3.0, 0.0) + (x > 0) * 1.0
    return pd.DataFrame({"frequency": x, "recency": np.round(tx, 4), "T": np.round(T, 4), "monetary_value": mv})


def simulate_log(rows):
    rng = np.random.default_rng(11)
    customers = max(rows // 10, 1)
    ids = rng.integers(0, customers, rows)
    days = rng.integers(0, 365, rows)
    dates = np.datetime64("2020-01-01") + days.astype("timedelta64[D]")
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": np.round(rng.gamma(2.0, 20.0, rows), 2)})


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    rows = []

    def record(name, t_clv, t_lt, note=""):
        rows.append((name, t_clv, t_lt, note))
        print(f"  {name:<46} clv {t_clv * 1e3:10.1f} ms   lifetimes {t_lt * 1e3:10.1f} ms   "
              f"x{t_lt / t_clv:8.1f}  {note}", flush=True)

    print(f"python {platform.python_version()}, clv {clv.__version__}, lifetimes {lifetimes.__version__}, "
          f"pandas {pd.__version__}, numpy {np.__version__}; best of {args.repeat}")

    # --- summary -------------------------------------------------------------------
    master = pd.read_csv(DATA / "CDNOW_master.txt", sep=r"\s+", header=None,
                         names=["customer_id", "date", "quantity", "amount"], dtype={"date": str}, skiprows=1)
    master["date"] = pd.to_datetime(master["date"], format="%Y%m%d")
    t_c, s_c = best(lambda: clv.rfm_summary(master, "customer_id", "date", "amount",
                                            observation_period_end="1998-06-30", freq="W"), args.repeat)
    t_l, s_l = best(lambda: summary_data_from_transaction_data(master, "customer_id", "date", "amount",
                                                               observation_period_end="1998-06-30", freq="W"),
                    args.repeat)
    diff = max(rel(s_c[c], s_l[c].loc[s_c.index]) for c in ("frequency", "recency", "T")) if len(s_c) == len(s_l) \
        else float("nan")
    record(f"summary CDNOW_master ({len(master)} rows, W)", t_c, t_l, f"max rel diff {diff:.1e}")
    log = simulate_log(args.rows)
    t_c, s_c = best(lambda: clv.rfm_summary(log, "customer_id", "date", "amount"), args.repeat)
    t_l, s_l = best(lambda: summary_data_from_transaction_data(log, "customer_id", "date", "amount"), 1)
    diff = max(rel(s_c[c], s_l[c].loc[s_c.index]) for c in ("frequency", "recency", "T", "monetary_value"))
    record(f"summary synthetic ({args.rows} rows, D)", t_c, t_l, f"max rel diff {diff:.1e} (lifetimes: 1 run)")

    # --- fits ------------------------------------------------------------------------
    cd = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    x, tx, T = cd["frequency"].to_numpy(float), cd["recency"].to_numpy(float), cd["T"].to_numpy(float)
    t_c, bg = best(lambda: clv.BetaGeo().fit(x, tx, T), args.repeat)
    t_l, bgf = best(lambda: BetaGeoFitter().fit(x, tx, T), args.repeat)
    lt_bg = clv.BetaGeo.from_params(**bgf.params_.to_dict())
    ll_l = float(np.sum(lt_bg.customer_log_likelihood(x, tx, T)))
    record("fit BG/NBD CDNOW (2357 customers)", t_c, t_l, f"LL clv {bg.log_likelihood:.3f} lifetimes {ll_l:.3f}")
    t_c, pn = best(lambda: clv.ParetoNBD().fit(x, tx, T), args.repeat)
    t_l, pnf = best(lambda: ParetoNBDFitter().fit(x, tx, T), 1)
    ll_l = float(np.sum(clv.ParetoNBD.from_params(**pnf.params_.to_dict()).customer_log_likelihood(x, tx, T)))
    record("fit Pareto/NBD CDNOW", t_c, t_l, f"LL clv {pn.log_likelihood:.3f} lifetimes {ll_l:.3f} (lifetimes: 1 run)")
    gd = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    rep = gd[gd["x"] > 0]
    gx, gm = rep["x"].to_numpy(float), rep["zbar"].to_numpy(float)
    t_c, gg = best(lambda: clv.GammaGamma().fit(gx, gm), args.repeat)
    t_l, ggf = best(lambda: GammaGammaFitter().fit(gx, gm), args.repeat)
    record("fit Gamma-Gamma CDNOW (946 repeat customers)", t_c, t_l,
           f"p clv {gg.params['p']:.4f} lifetimes {ggf.params_['p']:.4f}")
    sim = simulate_customers(args.customers)
    sx, stx, sT = (sim[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    t_c, bg_s = best(lambda: clv.BetaGeo().fit(sx, stx, sT), args.repeat)
    t_l, bgf_s = best(lambda: BetaGeoFitter().fit(sx, stx, sT), 1)
    ll_l = float(np.sum(clv.BetaGeo.from_params(**bgf_s.params_.to_dict()).customer_log_likelihood(sx, stx, sT)))
    record(f"fit BG/NBD synthetic ({args.customers} customers)", t_c, t_l,
           f"LL clv {bg_s.log_likelihood:.2f} lifetimes {ll_l:.2f} (lifetimes: 1 run)")

    # --- scoring and CLV at the same (published) parameters -------------------------------
    bgf_p = BetaGeoFitter()
    bgf_p.fit(x, tx, T)
    bgf_p.params_ = pd.Series({"r": R, "alpha": ALPHA, "a": A, "b": B})
    bg_p = clv.BetaGeo.from_params(r=R, alpha=ALPHA, a=A, b=B)

    def score_clv():
        return bg_p.prob_alive(sx, stx, sT), bg_p.expected_purchases(39.0, sx, stx, sT)

    def score_lt():
        return (bgf_p.conditional_probability_alive(sx, stx, sT),
                bgf_p.conditional_expected_number_of_purchases_up_to_time(39.0, sx, stx, sT))

    t_c, (pa_c, e_c) = best(score_clv, args.repeat)
    t_l, (pa_l, e_l) = best(score_lt, args.repeat)
    record(f"score P(alive)+E[Y(39)] ({args.customers})", t_c, t_l,
           f"max rel diff {max(rel(pa_c, pa_l), rel(e_c, e_l)):.1e}")

    gg_p = clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    ggf_p = GammaGammaFitter()
    ggf_p.fit(gx, gm)
    ggf_p.params_ = pd.Series({"p": 6.25, "q": 3.74, "v": 15.44})
    smv = sim["monetary_value"].to_numpy(float)
    t_c, v_c = best(lambda: clv.customer_lifetime_value(bg_p, gg_p, sx, stx, sT, smv, time=12,
                                                        discount_rate=0.01, freq="W"), args.repeat)
    t_l, v_l = best(lambda: ggf_p.customer_lifetime_value(bgf_p, pd.Series(sx), pd.Series(stx), pd.Series(sT),
                                                          pd.Series(smv), time=12, discount_rate=0.01, freq="W"),
                    args.repeat)
    record(f"CLV 12 months ({args.customers})", t_c, t_l, f"max rel diff {rel(v_c, np.asarray(v_l)):.1e}")

    print("\n| workflow | clv (ms) | lifetimes (ms) | lifetimes / clv |\n| --- | ---: | ---: | ---: |")
    for name, a, b, _ in rows:
        print(f"| {name} | {a * 1e3:.1f} | {b * 1e3:.1f} | {b / a:.1f} |")


if __name__ == "__main__":
    main()
