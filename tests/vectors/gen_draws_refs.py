"""Reference values for parameter draws and intervals (tests/vectors/draws.json).

Laplace cases are computed here independently of the Rust code:

- the generator of clv::simulate written out: SplitMix64 seeding, xorshift64*,
  uniforms (top 53 bits + 0.5) / 2^53, standard normals by Marsaglia's polar
  method (one of the pair), consumed draw by draw, component by component;
- ln θ⁽ᵈ⁾ = ln θ̂ + L z⁽ᵈ⁾ with L the Cholesky factor (numpy) of
  Σ_log = D⁻¹ Σ D⁻¹, D = diag(θ̂), Σ the fit's covariance in the model JSON;
- the BG/NBD formulas of Fader, Hardie & Lee (2005): P(alive) (their eq. in the
  2005 technical note) and E[Y(t) | x, t_x, T] (eq. 10) with the Gauss
  hypergeometric series summed term by term;
- per customer the mean (summed in draw order) and numpy.quantile (linear,
  numpy's default), and the same for each draw's sum over customers.

The model is the BG/NBD fitted to CDNOW (tests/data/cdnow_customers_summary.csv)
by the clv package, stored with its covariance as JSON in the vector file, so
every runtime starts from the same numbers. The bootstrap case needs a fit per
draw, so its values are those of the Rust core (through the Python package),
recorded here: they pin the same seed → the same draws in every runtime.

Run from the repository root with the package installed (.venv):
    .venv/bin/python tests/vectors/gen_draws_refs.py
"""
import json
import math
import os

import numpy as np
import pandas as pd

import clv

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "cdnow_customers_summary.csv")
M64 = (1 << 64) - 1


class Rng:
    """clv::simulate::Rng, written out."""

    def __init__(self, seed):
        z = (seed + 0x9E3779B97F4A7C15) & M64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        self.s = z if z != 0 else 0x2545F4914F6CDD1D

    def next_u64(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & M64
        s ^= s >> 27
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & M64

    def uniform(self):
        return ((self.next_u64() >> 11) + 0.5) / float(1 << 53)

    def normal(self):
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                return u * math.sqrt(-2.0 * math.log(s) / s)


def laplace(model_json, n, seed):
    m = json.loads(model_json)
    theta = np.array(list(m["params"].values()))
    cov = np.array(m["fit"]["covariance"])
    L = np.linalg.cholesky(cov / np.outer(theta, theta))
    rng = Rng(seed)
    mu = np.log(theta)
    out = []
    for _ in range(n):
        z = np.array([rng.normal() for _ in theta])
        out.append(np.exp(mu + L @ z))
    return out


def hyp2f1(a, b, c, z):
    term, total, k = 1.0, 1.0, 0
    while abs(term) > 1e-17 * abs(total):
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        k += 1
    return total


def bg_prob_alive(p, x, tx, T):
    r, alpha, a, b = p
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def bg_expected(p, t, x, tx, T):
    r, alpha, a, b = p
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    return first * bg_prob_alive(p, x, tx, T) if x > 0 else first


def summarize(matrix, quantiles):
    """matrix[d][i]: per customer mean and quantiles, and of the per-draw sums."""
    mat = np.array(matrix)
    n = mat.shape[0]
    mean = [sum_in_order(mat[:, i]) / n for i in range(mat.shape[1])]
    values = [[float(np.quantile(mat[:, i], q)) for i in range(mat.shape[1])] for q in quantiles]
    sums = [sum_in_order(row) for row in mat]
    return {"mean": mean, "values": values,
            "total": {"mean": sum_in_order(sums) / n, "values": [float(np.quantile(sums, q)) for q in quantiles]}}


def sum_in_order(v):
    s = 0.0
    for x in v:
        s += float(x)
    return s


def main():
    d = pd.read_csv(DATA)
    bg = clv.BetaGeo().fit(d["frequency"], d["recency"], d["T"])
    model_json = bg.to_json()
    # CDNOW IDs 1-6, 18 (x = 8) and 1000
    rows = d.iloc[[0, 1, 2, 3, 4, 5, 17, 999]]
    x, tx, T = (rows[c].tolist() for c in ("frequency", "recency", "T"))
    q = [0.05, 0.5, 0.95]
    cases = []
    draws = laplace(model_json, 200, 1)
    src = ("independent: the generator, Cholesky, BG/NBD formulas and numpy.quantile written out in "
           "tests/vectors/gen_draws_refs.py, from the model JSON (BG/NBD fitted to CDNOW with its covariance)")
    pa = summarize([[bg_prob_alive(p, *c) for c in zip(x, tx, T)] for p in draws], q)
    cases.append({"name": "BG/NBD laplace P(alive)", "source": src, "model": model_json,
                  "draws": {"method": "laplace", "n": 200, "seed": 1}, "fn": "prob_alive",
                  "args": {"frequency": x, "recency": tx, "T": T}, "quantiles": q, "expected": pa,
                  "rtol": 1e-12})
    q2 = [0.025, 0.25, 0.5, 0.75, 0.975]
    ey = summarize([[bg_expected(p, 39.0, *c) for c in zip(x, tx, T)] for p in draws], q2)
    cases.append({"name": "BG/NBD laplace E[Y(39)]", "source": src, "model": model_json,
                  "draws": {"method": "laplace", "n": 200, "seed": 1}, "fn": "expected_purchases",
                  "args": {"t": 39.0, "frequency": x, "recency": tx, "T": T}, "quantiles": q2,
                  "expected": ey, "rtol": 1e-12})
    # bootstrap: 300 CDNOW customers compressed into distinct rows with counts
    head = d.iloc[:300].groupby(["frequency", "recency", "T"]).size().reset_index(name="weights")
    data = {c: head[c].tolist() for c in ("frequency", "recency", "T", "weights")}
    bb = bg.draws(method="bootstrap", n=12, seed=3, data=(head["frequency"], head["recency"], head["T"]),
                  weights=head["weights"])
    got = bb.prob_alive(x, tx, T, quantiles=q)
    rec = {"mean": got["mean"].tolist(), "values": [got[f"q{v:g}"].tolist() for v in q],
           "total": {"mean": got.attrs["total"]["mean"], "values": [got.attrs["total"][f"q{v:g}"] for v in q]}}
    cases.append({"name": "BG/NBD bootstrap P(alive), compressed counts",
                  "source": "recorded from the Rust core (clv Python package): 12 refits; pins the draws "
                            "of a seed in every runtime", "model": model_json,
                  "draws": {"method": "bootstrap", "n": 12, "seed": 3, "data": data}, "fn": "prob_alive",
                  "args": {"frequency": x, "recency": tx, "T": T}, "quantiles": q, "expected": rec,
                  "rtol": 1e-12})
    # The core agrees with the independent Laplace values: P(alive) to 1e-13. E[Y(39)] of a
    # customer without repeat purchases is 1 − X with X ≈ 1.02 times (a+b−1)/(a−1) ≈ −10.7 (a < 1),
    # a cancellation that costs digits, and the core sums its 2F1 otherwise: they agree to 1e-10 (1.1e-11 seen), and the
    # case holds the core's values (to 1e-12 in every runtime).
    for c, rtol in ((cases[0], 1e-13), (cases[1], 1e-10)):
        dr = bg.draws(method="laplace", n=200, seed=1)
        a = c["args"]
        got = (dr.prob_alive(a["frequency"], a["recency"], a["T"], quantiles=c["quantiles"]) if c["fn"] == "prob_alive"
               else dr.expected_purchases(a["t"], a["frequency"], a["recency"], a["T"], quantiles=c["quantiles"]))
        np.testing.assert_allclose(got["mean"], c["expected"]["mean"], rtol=rtol)
        for qq, want in zip(c["quantiles"], c["expected"]["values"]):
            np.testing.assert_allclose(got[f"q{qq:g}"], want, rtol=rtol)
        tot = got.attrs["total"]
        np.testing.assert_allclose(tot["mean"], c["expected"]["total"]["mean"], rtol=rtol)
        np.testing.assert_allclose([tot[f"q{qq:g}"] for qq in c["quantiles"]], c["expected"]["total"]["values"],
                                   rtol=rtol)
        if c is cases[1]:
            c["expected"] = {"mean": got["mean"].tolist(), "values": [got[f"q{qq:g}"].tolist() for qq in c["quantiles"]],
                             "total": {"mean": tot["mean"], "values": [tot[f"q{qq:g}"] for qq in c["quantiles"]]}}
            c["source"] = ("the Rust core (clv Python package), checked here against the independent computation "
                           "(generator, Cholesky, FHL 2005 eq. 10 with the 2F1 series, numpy.quantile) to 1e-10")
    errors = [
        {"model": model_json, "draws": {"method": "nuts", "n": 10, "seed": 1}, "code": "INVALID_INPUT",
         "field": "method"},
        {"model": model_json, "draws": {"method": "laplace", "n": 0, "seed": 1}, "code": "INVALID_INPUT",
         "field": "n"},
        {"model": model_json, "draws": {"method": "laplace", "n": 10, "seed": 1}, "fn": "prob_alive",
         "args": {"frequency": [1.0], "recency": [1.0], "T": [2.0]}, "quantiles": [0.5, 1.5],
         "code": "INVALID_INPUT", "field": "quantiles"},
        {"model": model_json, "draws": {"method": "bootstrap", "n": 10, "seed": 1}, "code": "INVALID_INPUT",
         "field": "inputs"},
        {"model": bg.from_params(**bg.params).to_json(), "draws": {"method": "laplace", "n": 10, "seed": 1},
         "code": "NOT_SUPPORTED", "field": "laplace draws"},
    ]
    out = {"source": "Parameter draws and intervals (clv::uncertainty): Laplace on the log scale, bootstrap on "
                     "compressed counts; see tests/vectors/gen_draws_refs.py",
           "cases": cases, "errors": errors}
    with open(os.path.join(HERE, "draws.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
