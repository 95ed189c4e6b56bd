"""Reference values for the p → ∞ boundary tests of crates/clv/src/models/gamma_gamma.rs
(not run in CI).

Run: python3 tests/vectors/gen_gamma_gamma_boundary_refs.py
mpmath 1.3.0 at 50 significant digits.

Gamma-Gamma (Fader & Hardie 2013, eq. 3) with κ = 1/p, v = c κ tends, as κ → 0, to
z̄ ~ InverseGamma(shape q, scale c); the boundary MLE solves
ĉ = W q̂ / S, ln q̂ − ψ(q̂) = L/W + ln(S/W) (W = Σw, S = Σ w/z̄, L = Σ w ln z̄), and
D = Σ w/(2x) [(q̂ − ĉ/z̄)² − q̂] is the slope ∂LL/∂κ there (see the module docs).
"""
import mpmath as mp

mp.mp.dps = 50
nstr = lambda v: mp.nstr(v, 17)

# Small weighted data set of the unit tests: (x, z̄, w).
X = [1, 2, 3, 1, 5, 2]
Z = [mp.mpf(s) for s in ["12.5", "30.25", "18.0", "7.75", "22.0", "41.5"]]
WT = [1, 2, 1, 3, 1, 2]


def gg_ll(p, q, v):
    """Total weighted Gamma-Gamma log-likelihood, eq. 3 term by term."""
    return mp.fsum(
        w * (mp.loggamma(p * x + q) - mp.loggamma(p * x) - mp.loggamma(q) + q * mp.log(v)
             + p * x * mp.log(x) + (p * x - 1) * mp.log(z) - (p * x + q) * mp.log(v + x * z))
        for x, z, w in zip(X, Z, WT))


W = sum(WT)
S = mp.fsum(w / z for z, w in zip(Z, WT))
L = mp.fsum(w * mp.log(z) for z, w in zip(Z, WT))
rhs = L / W + mp.log(S / W)
q = mp.findroot(lambda t: mp.log(t) - mp.digamma(t) - rhs, 1 / rhs)
c = W * q / S
llb = mp.fsum(w * (q * mp.log(c) - mp.loggamma(q) - (q + 1) * mp.log(z) - c / z)
              for z, w in zip(Z, WT))
d = mp.fsum(w / (2 * x) * ((q - c / z) ** 2 - q) for x, z, w in zip(X, Z, WT))
print("rhs", nstr(rhs))
print("q_hat", nstr(q), "c_hat", nstr(c))
print("LL_b", nstr(llb))
print("D", nstr(d))
# The expansion: (LL(κ) − LL_b)/κ → D as κ → 0.
for k in ["1e-4", "1e-6", "1e-10"]:
    k = mp.mpf(k)
    print("slope at kappa", nstr(k), nstr((gg_ll(1 / k, q, c * k) - llb) / k))

# ln q − ψ(q) across the switch to the asymptotic series at q = 20.
for t in ["1e-3", "0.5", "3.5", "19.999", "20", "123.4", "1e8"]:
    t = mp.mpf(t)
    print("ln_minus_digamma", nstr(t), nstr(mp.log(t) - mp.digamma(t)))

# lnΓ(P + q) − lnΓ(P) on both sides of the switch to Stirling at P = 20.
for pp, qq in [("19.5", "3.74"), ("20", "3.74"), ("1e7", "3.2"), ("2.5e8", "0.01")]:
    pp, qq = mp.mpf(pp), mp.mpf(qq)
    print("ln_gamma_ratio", nstr(pp), nstr(qq), nstr(mp.loggamma(pp + qq) - mp.loggamma(pp)))

# One customer's ln f(z̄ | x) on the ridge (p large, p·v = 67.85).
p, qq, v, x, z = mp.mpf("9.0e6"), mp.mpf("3.217"), mp.mpf("67.85") / mp.mpf("9.0e6"), 3, mp.mpf("22.35")
print("ln_lik ridge", nstr(mp.loggamma(p * x + qq) - mp.loggamma(p * x) - mp.loggamma(qq) + qq * mp.log(v)
                            + p * x * mp.log(x) + (p * x - 1) * mp.log(z) - (p * x + qq) * mp.log(v + x * z)))
