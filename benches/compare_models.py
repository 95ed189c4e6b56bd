#!/usr/bin/env python3
"""Side-by-side timing of model fitting and scoring: clv vs lifetimes, one run.

For each data set (the CDNOW calibration summary and synthetic customers drawn
from the BG/NBD with the CDNOW estimates), times:

  fit   `clv fit MODEL --summary FILE --json` (whole process: start, CSV read, fit,
        standard errors, the model as JSON on stdout; the untimed first run also
        saves it with --save for the score row) against the lifetimes fitter's
        .fit() call alone (arrays already in memory; import and CSV read not counted)
  score `clv score MODEL.json --summary FILE -o OUT` (P(alive) + expected purchases
        for every customer, CSV in and out) against lifetimes'
        conditional_probability_alive + conditional_expected_number_of_purchases_up_to_time

and prints times and ratios, after checking that both found the same optimum.
Each time is the median of --repeat runs (default 5) for lifetimes and of
--clv-repeat runs (default 30) for clv, after one untimed run so that the
binary and the file are in the page cache: single runs of a 10 ms process or
a 1 s Python call vary by 10-30 % from run to run, and the median of 5 runs
of the 10 ms process moved by half from one run of this script to the next
(docs/performance.md); 30 runs of it take a third of one lifetimes fit.

Usage (from the repository root):
  python3 -m venv .bench-venv && .bench-venv/bin/pip install -r benches/requirements.txt
  cargo build --release -p clv-cli
  .bench-venv/bin/python benches/compare_models.py [--customers 100000 1000000] [--models bg-nbd pareto-nbd]
  CLV_EXE=/path/to/other/clv ...   times that `clv` binary instead of target/release/clv
      (e.g. the static one of target/packages/clv-*-x86_64-unknown-linux-gnu.tar.gz)
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benches" / "out"
CDNOW = ROOT / "tests" / "data" / "cdnow_customers_summary.csv"
EXE = Path(os.environ.get("CLV_EXE", ROOT / "target" / "release" / "clv"))

# BG/NBD estimates on CDNOW (Fader, Hardie & Lee 2005) used to simulate customers.
R, ALPHA, A, B = 0.243, 4.414, 0.793, 2.426


def simulate_bgnbd(n: int, path: Path) -> None:
    """Deterministic BG/NBD draws: lambda ~ Gamma(r, 1/alpha), p ~ Beta(a, b);
    repeat purchases until death N ~ Geometric(p); observed x = min(N, Poisson(lambda T));
    t_x = T * Beta(x, M - x + 1), the x-th of M uniform arrival times."""
    if path.exists():
        return
    rng = np.random.default_rng(7)
    T = rng.uniform(27.0, 39.0, n)
    lam = rng.gamma(R, 1.0 / ALPHA, n)
    p = rng.beta(A, B, n)
    deaths = rng.geometric(p)
    m = rng.poisson(lam * T)
    x = np.minimum(deaths, m)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(m - x + 1, 1)), 0.0)
    df = pd.DataFrame({"customer_id": np.arange(1, n + 1), "frequency": x,
                       "recency": np.round(tx, 4), "T": np.round(T, 4)})
    df.to_csv(path, index=False)


def median_time(f, repeat: int, warm_up: bool = False):
    """The median wall time of `repeat` calls of f (after one untimed call
    when warm_up), and the last call's result."""
    result = f() if warm_up else None
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), result


def clv_fit(model: str, path: Path, save: Path, repeat: int) -> tuple[float, dict]:
    """The median time of `clv fit MODEL --summary FILE --json` (the fitted
    model printed, as lifetimes' .fit() leaves it in memory) and its JSON. The
    untimed first run also writes the model to `save` (--save) for the scoring
    row: rewriting that file costs 0.5-1.5 ms more on ext4 (docs/performance.md,
    "The fit row of compare_models.py without --save")."""
    cmd = [str(EXE), "fit", model, "--summary", str(path), "--json"]
    subprocess.run(cmd + ["--save", str(save)], check=True, capture_output=True)

    def run():
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    t, out = median_time(run, repeat)
    return t, json.loads(out)


def lifetimes_fit(model: str, df: pd.DataFrame, repeat: int):
    from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
    cls = {"bg-nbd": BetaGeoFitter, "mbg-nbd": ModifiedBetaGeoFitter, "pareto-nbd": ParetoNBDFitter}[model]

    def run():
        f = cls()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f.fit(df["frequency"].values, df["recency"].values, df["T"].values)
        return f
    return median_time(run, repeat)


def clv_score(model_json: Path, path: Path, out: Path, repeat: int) -> float:
    def run():
        subprocess.run([str(EXE), "score", str(model_json), "--summary", str(path), "--horizon", "39",
                        "-o", str(out)], check=True, capture_output=True)
    return median_time(run, repeat, warm_up=True)[0]


def lifetimes_score(fitter, df: pd.DataFrame, repeat: int) -> float:
    def run():
        fitter.conditional_probability_alive(df["frequency"].values, df["recency"].values, df["T"].values)
        fitter.conditional_expected_number_of_purchases_up_to_time(
            39, df["frequency"].values, df["recency"].values, df["T"].values)
    return median_time(run, repeat)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--models", nargs="+", default=["bg-nbd", "pareto-nbd"])
    ap.add_argument("--fit-lifetimes-above", type=int, default=100_000,
                    help="fit lifetimes only on data sets up to this many customers")
    ap.add_argument("--repeat", type=int, default=5, help="runs per lifetimes time; the median is reported")
    ap.add_argument("--clv-repeat", type=int, default=30, help="runs per clv time; the median is reported")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
          f"median of {args.repeat} runs (lifetimes) and {args.clv_repeat} (clv); clv binary {EXE}")
    sets = [("CDNOW (2,357)", CDNOW)]
    for n in args.customers:
        p = OUT / f"bgnbd_{n}.csv"
        simulate_bgnbd(n, p)
        sets.append((f"synthetic {n:,}", p))
    rows = []
    for model in args.models:
        for name, path in sets:
            df = pd.read_csv(path)
            df.columns = ["customer_id", "frequency", "recency", "T"]
            model_json = OUT / f"model_{model}_{path.stem}.json"
            t_clv, res = clv_fit(model, path, model_json, args.clv_repeat)
            t_lt, fitter, ll_lt = None, None, None
            if len(df) <= args.fit_lifetimes_above:
                t_lt, fitter = lifetimes_fit(model, df, args.repeat)
                # Same optimum? lifetimes' stored objective drops constants and
                # differs by model, so compare the parameters instead.
                ll_lt = max(abs(res["params"][k] - float(v)) / abs(float(v))
                            for k, v in fitter.params_.items())
            s_clv = clv_score(model_json, path, OUT / f"scores_{model}_{path.stem}.csv", args.clv_repeat)
            s_lt = lifetimes_score(fitter, df, args.repeat) if fitter is not None else None
            rows.append((model, name, t_clv, t_lt, s_clv, s_lt, res.get("log_likelihood"), ll_lt))
            print(f"  {model:<11} {name:<20} fit clv {t_clv:8.4f} s  lifetimes "
                  f"{'n/a' if t_lt is None else f'{t_lt:7.2f} s'}   score clv {s_clv:6.3f} s  lifetimes "
                  f"{'n/a' if s_lt is None else f'{s_lt:6.3f} s'}", flush=True)
    print()
    print("| model | data | clv fit s | lifetimes fit s | fit ratio | clv score s | lifetimes score s | score ratio | LL clv | max rel param diff vs lifetimes |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for model, name, t_clv, t_lt, s_clv, s_lt, ll, ll_lt in rows:
        fr = "n/a" if t_lt is None else f"{t_lt / t_clv:.0f}x"
        sr = "n/a" if s_lt is None else f"{s_lt / s_clv:.1f}x"
        print(f"| {model} | {name} | {t_clv:.4f} | {'n/a' if t_lt is None else f'{t_lt:.2f}'} | {fr} | "
              f"{s_clv:.3f} | {'n/a' if s_lt is None else f'{s_lt:.3f}'} | {sr} | "
              f"{'n/a' if ll is None else f'{ll:.2f}'} | {'n/a' if ll_lt is None else f'{ll_lt:.1e}'} |")


if __name__ == "__main__":
    main()
