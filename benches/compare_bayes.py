#!/usr/bin/env python3
"""NUTS on the CDNOW BG/NBD model (issue 14): clv's sampler (nuts-rs, through
the Python binding) against pymc-marketing's BetaGeoModel.fit(method="mcmc")
with PyMC's default NUTS sampler and with nutpie, in one process and one run,
with the same priors, chains, tune and draws. Prints wall time, the smallest
bulk ESS over the four parameters, ESS per second and the ratios, and checks
that the posterior means agree (each within 2 posterior sd of the peer's).

Priors: clv's defaults for BG/NBD (crates/clv/src/bayes/priors.rs),
lognormal(0, 2) for r, a, b and lognormal(0, 5) for alpha, given to both
(pymc-marketing takes a and b directly when model_config has them; its
own default is the phi/kappa parameterisation). Both samplers work on
ln(theta) and adapt a diagonal mass matrix.

Timing: time.perf_counter around the whole call (pymc-marketing's fit()
includes building and compiling the model: what a user waits for; PyMC's
own sampling_time attribute, without the compile, is printed beside it).
ESS: ArviZ's bulk ESS (arviz.ess(..., method="bulk")) on the
(chain, draw) arrays of each run, the same function for all three.

Usage (from the repository root; Python >= 3.12 for pymc-marketing 1.3):
  ~/.pyenv/versions/3.12.1/bin/python3.12 -m venv .bayes-venv
  .bayes-venv/bin/pip install -r benches/requirements-bayes.txt
  .bayes-venv/bin/maturin build --release -m bindings/python/Cargo.toml -o target/wheels-bayes -i .bayes-venv/bin/python
  .bayes-venv/bin/pip install --no-deps target/wheels-bayes/clv-*.whl
  .bayes-venv/bin/python benches/compare_bayes.py [--chains 4] [--tune 1000] [--draws 1000] [--seed 1]
"""

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import arviz as az
import clv
import nutpie
import pymc
import pymc_marketing
from pymc_extras.prior import Prior
from pymc_marketing.clv import BetaGeoModel

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ["r", "alpha", "a", "b"]
# clv's default BG/NBD priors (lognormal(mu, sigma) of each parameter)
PRIORS = {"r": (0.0, 2.0), "alpha": (0.0, 5.0), "a": (0.0, 2.0), "b": (0.0, 2.0)}


def load():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def stats(arrays, seconds, label, extra=""):
    """arrays: param -> (chain, draw) array."""
    ess = {p: float(az.ess(np.asarray(arrays[p]), method="bulk")) for p in PARAMS}
    rhat = {p: float(az.rhat(np.asarray(arrays[p]))) for p in PARAMS}
    mean = {p: float(np.mean(arrays[p])) for p in PARAMS}
    sd = {p: float(np.std(arrays[p], ddof=1)) for p in PARAMS}
    low = min(ess.values())
    return {"label": label, "seconds": seconds, "ess": ess, "min_ess": low,
            "ess_per_s": low / seconds, "rhat": rhat, "mean": mean, "sd": sd, "extra": extra}


def run_clv(s, a):
    print(f"clv {clv.__version__}: BetaGeo().sample, {load()}", flush=True)
    priors = {p: ("lognormal", *PRIORS[p]) for p in PARAMS}
    t0 = time.perf_counter()
    post = clv.BetaGeo().sample(s["frequency"], s["recency"], s["T"], priors=priors,
                                chains=a.chains, tune=a.tune, draws=a.draws, seed=a.seed)
    dt = time.perf_counter() - t0
    values = post.params  # n x k, chain after chain
    arrays = {p: values[p].to_numpy().reshape(a.chains, a.draws) for p in PARAMS}
    own = post.summary()
    extra = "clv's own min ess_bulk %.0f, divergences %d" % (own["ess_bulk"].min(), len(post.divergent))
    return stats(arrays, dt, "clv (nuts-rs)", extra)


def run_pymc(s, a, peer):
    # "pymc-cores2": PyMC's sampler with cores=2 (its default takes cpu_count() // 2 cores: one
    # job on a 2-CPU machine, the chains one after the other)
    # "nutpie-lowrank": nutpie with its low-rank modified mass matrix, the adaptation clv uses
    sampler, more = {
        "pymc-cores2": ("pymc", {"cores": 2}),
        "nutpie-lowrank": ("nutpie", {"nuts_sampler_kwargs": {"low_rank_modified_mass_matrix": True}}),
    }.get(peer, (peer, {}))
    print(f"pymc-marketing {pymc_marketing.__version__} (pymc {pymc.__version__}, nutpie "
          f"{nutpie.__version__}): fit(method='mcmc', nuts_sampler={sampler!r}, {more}), {load()}", flush=True)
    df = pd.DataFrame({"customer_id": s["ID"], "frequency": s["frequency"],
                       "recency": s["recency"], "T": s["T"]})
    config = {p: Prior("LogNormal", mu=mu, sigma=sigma) for p, (mu, sigma) in PRIORS.items()}
    model = BetaGeoModel(model_config=config)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = model.fit(data=df, method="mcmc", chains=a.chains, tune=a.tune, draws=a.draws,
                          nuts_sampler=sampler, random_seed=a.seed, progressbar=False, **more)
    dt = time.perf_counter() - t0
    post = idata.posterior
    arrays = {p: post[p].to_numpy() for p in PARAMS}
    assert arrays["r"].shape == (a.chains, a.draws), arrays["r"].shape
    sampling = post.attrs.get("sampling_time")
    div = int(np.asarray(idata.sample_stats["diverging"]).sum())
    extra = f"divergences {div}" + (f", sampling_time attribute {float(sampling):.2f} s" if sampling else "")
    return stats(arrays, dt, f"pymc-marketing + {peer}", extra)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peers", default="nutpie,pymc", help="comma-separated: nutpie, nutpie-lowrank, pymc (PyMC's default), pymc-cores2")
    a = ap.parse_args()
    s = pd.read_csv(ROOT / "tests" / "data" / "cdnow_customers_summary.csv")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs; CDNOW BG/NBD, {len(s)} customers; "
          f"{a.chains} chains x ({a.tune} tune + {a.draws} draws), seed {a.seed}")
    print(f"start: {load()}", flush=True)
    results = [run_clv(s, a)]
    for sampler in a.peers.split(","):
        if sampler:
            results.append(run_pymc(s, a, sampler))
    print(f"end: {load()}\n")

    base = results[0]
    print("| sampler | wall s | min bulk ESS | ESS/s | clv ESS/s ÷ this | max r_hat | notes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        print("| %s | %.2f | %.0f | %.1f | %.1f× | %.3f | %s |" % (
            r["label"], r["seconds"], r["min_ess"], r["ess_per_s"], base["ess_per_s"] / r["ess_per_s"],
            max(r["rhat"].values()), r["extra"]))
    print("\nposterior mean (sd) per parameter; bulk ESS in brackets")
    print("| param | " + " | ".join(r["label"] for r in results) + " |")
    print("| --- |" + " ---: |" * len(results))
    for p in PARAMS:
        print(f"| {p} | " + " | ".join("%.4f (%.4f) [%.0f]" % (r["mean"][p], r["sd"][p], r["ess"][p])
                                        for r in results) + " |")
    ok = True
    for r in results[1:]:
        for p in PARAMS:
            diff = abs(base["mean"][p] - r["mean"][p])
            if diff > 2 * r["sd"][p]:
                ok = False
                print(f"DISAGREE: {p} clv {base['mean'][p]:.4f} vs {r['label']} {r['mean'][p]:.4f} "
                      f"(|diff| {diff:.4f} > 2 sd {2 * r['sd'][p]:.4f})")
    print("posterior means agree within 2 sd: %s" % ("yes" if ok else "NO"))


if __name__ == "__main__":
    main()
