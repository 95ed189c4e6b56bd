"""Reference values for the static-covariate models (tests/vectors/covariates.json).

Not run in CI. Run from the repository root with a Python that has mpmath:
    python tests/vectors/gen_refs_covariates.py

Each customer's own parameters come from the links of CLVTools (Bachmann, Meierer & Näf 2021;
crates/clv/src/covariates.rs module docs), written out here, not taken from the crate:
    Pareto/NBD, GGom/NBD:  alpha_i = alpha0 exp(-g_p . z_p)   beta_i = beta0 exp(-g_d . z_d)
    BG/NBD, MBG/NBD:       alpha_i = alpha0 exp(-g_p . z_p)   a_i = a0 exp(g_d . z_d), b_i = b0 exp(g_d . z_d)
    Gamma-Gamma spend:     v_i = v0 exp(g . z)
and the plain model's published closed form is evaluated at them with mpmath (40 digits):
  - Pareto/NBD: the formula functions of gen_refs_pareto_nbd_bg_bb_sbg.py (likelihood bracket with the
    dropout integral in closed form at 100 digits checked against quadrature, P(alive) SMC eq. 11,
    E[X(T,T+t)|.] FH note eq. 21, E[X(t)] SMC eq. 17, P(X(t)=n) and its conditional form by quadrature,
    DERT as the integral of the discounted purchase rate). That script has no main guard (it runs
    lifetimes and writes its files when imported), so its function definitions are read with `ast`
    and executed here on their own, with the module globals r, al, s, be set per customer.
  - GGom/NBD: the functions of gen_refs_ggom_nbd.py (tanh-sinh quadrature on 64 pieces checked against
    32); the conditional P(X(T,T+h)=n | alive at T) is the new-customer PMF of the posterior
    customer (r+x, alpha+T) with the Gompertz lifetime conditioned on tau > T.
  - BG/NBD: Fader, Hardie & Lee (2005) eqs. 6, 9, 10 and 8 (P(X(t)=n)), written out below
    (gen_refs_bg_nbd_mbg_nbd_gamma_gamma.py takes lifetimes' values and has no formula functions).
  - MBG/NBD: Batislam, Denizel & Filiztekin (2007) (likelihood, P(alive), conditional expectation),
    E[X(t)] = b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))] (the mixture of
    (1-p)/p (1 - e^{-lambda p t}) over the Gamma and Beta, Euler's transformation), and P(X(t)=n) = B(a,b+n+1)/B(a,b) NB(n) + B(a+1,b+n)/B(a,b) (1 - sum_{j<n} NB(j))
    from the model (dropout chances at 0 and after each purchase).
  - Gamma-Gamma: Fader & Hardie (2013) eq. 3 (per-customer log-density of the mean spend) and
    eq. 5 (conditional expected spend), at v_i; p v_i/(q-1) for a customer without repeat spend.
"""
import ast
import json
import os
import sys

import mpmath as mp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_refs_ggom_nbd as gg  # noqa: E402

GEN = "tests/vectors/gen_refs_covariates.py"

# -- Pareto/NBD formula functions of gen_refs_pareto_nbd_bg_bb_sbg.py, without running that script --
PN_FUNCS = ["pn_bracket", "pn_ll", "pn_alive", "pn_cond_exp", "pn_new_exp", "nb", "pn_pmf_new", "pn_pmf_cond",
            "pn_dert"]
with open(os.path.join(HERE, "gen_refs_pareto_nbd_bg_bb_sbg.py")) as fh:
    _tree = ast.parse(fh.read())
_defs = [n for n in _tree.body if isinstance(n, ast.FunctionDef) and n.name in PN_FUNCS]
assert sorted(d.name for d in _defs) == sorted(PN_FUNCS)
PN = {"mpm": mp}
exec(compile(ast.Module(body=_defs, type_ignores=[]), "gen_refs_pareto_nbd_bg_bb_sbg.py", "exec"), PN)

mp.mp.dps = 40  # after importing gen_refs_ggom_nbd (which sets 30)


def M(v):
    return mp.mpf(str(v))


def dot(effects, z):
    return sum(M(effects[k]) * M(z[k]) for k in effects)


# -- the models ---------------------------------------------------------------------------------
PURCHASE = {"Gender": 0.45, "Channel": 0.6, "Age": -0.3}
DROPOUT = {"Gender": -0.2, "Channel": 0.8}
MODELS = {
    "pareto_nbd": {"params": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}},
    "bg_nbd": {"params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}},
    "mbg_nbd": {"params": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}},
    "ggom_nbd": {"params": {"r": 0.55, "alpha": 10.5, "b": 0.05, "s": 0.6, "beta": 12.0}},
}
for m in MODELS.values():
    m["purchase"], m["dropout"] = PURCHASE, DROPOUT

# Customers (weeks): CDNOW IDs 1-3 of FHL (2005) and edge cases, each with its covariates
# (Gender, Channel 0/1; Age standardised).
CUST = [(2, 30.43, 38.86), (1, 1.71, 38.86), (0, 0.0, 38.86), (7, 29.43, 38.86), (20, 38.0, 52.0)]
ZP = {"Gender": [0, 1, 1, 0, 1], "Channel": [0, 0, 1, 1, 1], "Age": [0.0, -1.2, 0.4, 1.5, 2.1]}
ZD = {"Gender": [0, 1, 1, 0, 1], "Channel": [0, 0, 1, 1, 0]}


def row(cols, i):
    return {k: v[i] for k, v in cols.items()}


def customer(kind, i):
    """The customer's own parameters (mpf), by name, from the links."""
    m = MODELS[kind]
    p = {k: M(v) for k, v in m["params"].items()}
    ep, ed = dot(PURCHASE, row(ZP, i)), dot(DROPOUT, row(ZD, i))
    p["alpha"] = p["alpha"] * mp.exp(-ep)
    if kind in ("pareto_nbd", "ggom_nbd"):
        p["beta"] = p["beta"] * mp.exp(-ed)
    else:
        p["a"] = p["a"] * mp.exp(ed)
        p["b"] = p["b"] * mp.exp(ed)
    return p


# -- Pareto/NBD at a customer's parameters (the imported functions read r, al, s, be) ------------
def pn(p):
    PN.update(r=p["r"], al=p["alpha"], s=p["s"], be=p["beta"])
    return PN


def pn_fns():
    return {
        "prob_alive": lambda p, x, tx, T: pn(p)["pn_alive"](x, tx, T),
        "log_likelihood": lambda p, x, tx, T: pn(p)["pn_ll"](x, tx, T),
        "expected_purchases": lambda p, t, x, tx, T: pn(p)["pn_cond_exp"](t, x, tx, T),
        "expected_purchases_new": lambda p, t: pn(p)["pn_new_exp"](t),
        "prob_purchases": lambda p, n, t: pn(p)["pn_pmf_new"](p["r"], p["alpha"], p["s"], p["beta"], n, t),
        "prob_purchases_conditional": lambda p, n, t, x, tx, T: pn(p)["pn_pmf_cond"](n, t, x, tx, T),
        "dert": lambda p, d, x, tx, T: pn(p)["pn_dert"](d, x, tx, T),
    }


# -- GGom/NBD: gen_refs_ggom_nbd.py's functions ------------------------------------------------------
def gg_cond_pmf(n, h, x, tx, T, p):
    """(1 - P(alive)) 1[n=0] + P(alive) P(X(T,T+h)=n | alive at T): the posterior customer's NBD
    counts, the lifetime conditioned on tau > T."""
    pa = gg.prob_alive(x, tx, T, p)
    post = dict(p, r=p["r"] + x, alpha=p["alpha"] + T)
    T, h = M(T), M(h)
    st = gg.S(T, p)
    alive = gg.S(T + h, p) / st * gg.nb(n, h, post)
    dies = gg.quad(lambda u: gg.nb(n, u, post) * gg.f(T + u, p) / st, 0, h)
    return (1 - pa) * (1 if n == 0 else 0) + pa * (alive + dies)


def gg_fns():
    return {
        "prob_alive": lambda p, x, tx, T: gg.prob_alive(x, M(tx), M(T), p),
        "log_likelihood": lambda p, x, tx, T: gg.log_lik(x, M(tx), M(T), p),
        "expected_purchases": lambda p, t, x, tx, T: gg.cet(M(t), x, M(tx), M(T), p),
        "expected_purchases_new": lambda p, t: gg.e_new(M(t), p),
        "prob_purchases": lambda p, n, t: gg.p_new(n, M(t), p),
        "prob_purchases_conditional": lambda p, n, t, x, tx, T: gg_cond_pmf(n, t, x, tx, T, p),
    }


# -- BG/NBD (FHL 2005) and MBG/NBD (Batislam et al. 2007) --------------------------------------------
def lnb(a, b):
    return mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)


def nbd(r, al, j, t):
    """P(N(t) = j) of the NBD (Gamma(r, al)-mixed Poisson)."""
    return mp.exp(mp.loggamma(r + j) - mp.loggamma(r) - mp.loggamma(j + 1)) * (al / (al + t)) ** r * (
        t / (al + t)) ** j


def bg_fns(modified):
    def odds(p, x, tx, T):
        r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
        if modified:
            return a / (b + x) * ((al + T) / (al + tx)) ** (r + x)
        return a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x) if x > 0 else mp.mpf(0)

    def alive(p, x, tx, T):
        return 1 / (1 + odds(p, M(x), M(tx), M(T)))

    def ll(p, x, tx, T):
        r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
        x, tx, T = M(x), M(tx), M(T)
        c = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(al) - lnb(a, b)
        if modified:
            l1 = lnb(a, b + x + 1) - (r + x) * mp.log(al + T)
            l2 = lnb(a + 1, b + x) - (r + x) * mp.log(al + tx)
            return c + mp.log(mp.exp(l1) + mp.exp(l2))
        l1 = lnb(a, b + x) - (r + x) * mp.log(al + T)
        if x == 0:
            return c + l1
        l2 = lnb(a + 1, b + x - 1) - (r + x) * mp.log(al + tx)
        return c + mp.log(mp.exp(l1) + mp.exp(l2))

    def cond(p, t, x, tx, T):
        r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
        t, x, tx, T = M(t), M(x), M(tx), M(T)
        z = t / (al + T + t)
        lead = ((al + T) / (al + T + t)) ** (r + x)
        if modified:
            num = (a + b + x) / (a - 1) * (1 - lead * mp.hyp2f1(r + x, b + x + 1, a + b + x, z))
        else:
            num = (a + b + x - 1) / (a - 1) * (1 - lead * mp.hyp2f1(r + x, b + x, a + b + x - 1, z))
        return num / (1 + odds(p, x, tx, T))

    def new(p, t):
        r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
        t = M(t)
        lead = (al / (al + t)) ** r
        if modified:
            return b / (a - 1) * (1 - lead * mp.hyp2f1(r, b + 1, a + b, t / (al + t)))
        return (a + b - 1) / (a - 1) * (1 - lead * mp.hyp2f1(r, b, a + b - 1, t / (al + t)))

    def pmf(p, n, t):
        r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
        t = M(t)
        tail = 1 - sum((nbd(r, al, j, t) for j in range(n)), mp.mpf(0))
        if modified:
            return mp.exp(lnb(a, b + n + 1) - lnb(a, b)) * nbd(r, al, n, t) + mp.exp(
                lnb(a + 1, b + n) - lnb(a, b)) * tail
        first = mp.exp(lnb(a, b + n) - lnb(a, b)) * nbd(r, al, n, t)
        return first + (mp.exp(lnb(a + 1, b + n - 1) - lnb(a, b)) * tail if n > 0 else 0)

    return {"prob_alive": alive, "log_likelihood": ll, "expected_purchases": cond,
            "expected_purchases_new": new, "prob_purchases": pmf}


FNS = {"pareto_nbd": pn_fns(), "bg_nbd": bg_fns(False), "mbg_nbd": bg_fns(True), "ggom_nbd": gg_fns()}
FORMULAS = {
    "pareto_nbd": "the Pareto/NBD formula functions of tests/vectors/gen_refs_pareto_nbd_bg_bb_sbg.py (SMC 1987, FH 2005 note)",
    "ggom_nbd": "the GGom/NBD functions of tests/vectors/gen_refs_ggom_nbd.py (Bemmaor & Glady 2012; tanh-sinh quadrature)",
    "bg_nbd": "Fader, Hardie & Lee (2005) eqs. 6, 8, 9, 10",
    "mbg_nbd": "Batislam, Denizel & Filiztekin (2007) closed forms",
}


def source(kind):
    return (f"40-digit mpmath evaluation of {FORMULAS[kind]} at each customer's own parameters from the "
            f"CLVTools links ({GEN})")


def f64(v):
    return float(v)


def main():
    cases = []
    xs, txs, Ts = ([c[k] for c in CUST] for k in range(3))
    cust = {"frequency": xs, "recency": txs, "T": Ts}
    cov = {"purchase_covariates": ZP, "dropout_covariates": ZD}
    n = len(CUST)
    for kind, fns in FNS.items():
        ps = [customer(kind, i) for i in range(n)]
        src = source(kind)
        rt = 1e-8 if kind == "ggom_nbd" else 1e-9

        def case(fn, args, values, rtol=rt, atol=None):
            c = {"model": kind, "fn": fn, "args": args, "expected": [f64(v) for v in values], "rtol": rtol,
                 "source": src}
            if atol is not None:
                c["atol"] = atol
            cases.append(c)

        names = list(MODELS[kind]["params"])
        cases.append({"model": kind, "fn": "customer_params", "args": cov,
                      "expected": [{k: f64(p[k]) for k in names} for p in ps], "rtol": 1e-12,
                      "source": f"the CLVTools links written out in mpmath ({GEN})"})
        case("prob_alive", {**cust, **cov}, [fns["prob_alive"](ps[i], *CUST[i]) for i in range(n)])
        case("log_likelihood", {**cust, **cov}, [fns["log_likelihood"](ps[i], *CUST[i]) for i in range(n)])
        for t in (10.0, 39.0):
            case("expected_purchases", {"t": t, **cust, **cov},
                 [fns["expected_purchases"](ps[i], t, *CUST[i]) for i in range(n)])
        for t in (1.0, 39.0):
            case("expected_purchases_new", {"t": t, **cov}, [fns["expected_purchases_new"](ps[i], t) for i in range(n)])
        for k, t in ((0, 39.0), (2, 39.0)):
            case("prob_purchases", {"n": k, "t": t, **cov}, [fns["prob_purchases"](ps[i], k, t) for i in range(n)],
                 atol=1e-300)
        if "prob_purchases_conditional" in fns:
            for k, t in ((0, 39.0), (1, 20.0)):
                case("prob_purchases_conditional", {"n": k, "t": t, **cust, **cov},
                     [fns["prob_purchases_conditional"](ps[i], k, t, *CUST[i]) for i in range(n)], atol=1e-300)
        if "dert" in fns:
            delta = float(mp.log(mp.mpf("1.15")) / 52)
            case("dert", {"discount": delta, **cust, **cov}, [fns["dert"](ps[i], delta, *CUST[i]) for i in range(n)])
        print(kind, "done")

    # -- Gamma-Gamma with spend covariates -------------------------------------------------------
    gp = {"p": 6.25, "q": 3.74, "v": 15.44}
    ge = {"Gender": 0.3, "Age": -0.15}
    zs = {"Gender": [0, 1, 1, 0, 1, 0], "Age": [0.0, -1.2, 0.4, 1.5, 2.1, 0.7]}
    freq = [2, 1, 7, 20, 1, 0]
    mv = [22.35, 11.77, 30.0, 5.5, 400.0, 0.0]
    P, Q = M(gp["p"]), M(gp["q"])
    vs = [M(gp["v"]) * mp.exp(dot(ge, row(zs, i))) for i in range(len(freq))]

    def spend(v, x, z):
        x, z = M(x), M(z)
        if x == 0:
            return P * v / (Q - 1)
        return P * (v + x * z) / (P * x + Q - 1)

    def gg_ll(v, x, z):
        x, z = M(x), M(z)
        return (mp.loggamma(P * x + Q) - mp.loggamma(P * x) - mp.loggamma(Q) + Q * mp.log(v)
                + (P * x - 1) * mp.log(z) + P * x * mp.log(x) - (P * x + Q) * mp.log(v + x * z))

    gsrc = (f"40-digit mpmath evaluation of Fader & Hardie (2013) eqs. 3 and 5 at each customer's "
            f"v_i = v exp(g.z) ({GEN})")
    spend_cases = [
        {"fn": "expected_spend", "args": {"frequency": freq, "monetary_value": mv, "spend_covariates": zs},
         "expected": [f64(spend(vs[i], freq[i], mv[i])) for i in range(len(freq))], "rtol": 1e-10, "source": gsrc},
        {"fn": "log_likelihood", "args": {"frequency": freq[:5], "monetary_value": mv[:5],
                                          "spend_covariates": {k: v[:5] for k, v in zs.items()}},
         "expected": [f64(gg_ll(vs[i], freq[i], mv[i])) for i in range(5)], "rtol": 1e-10, "source": gsrc},
    ]

    doc = {
        "source": ("Static covariates (CLVTools links, Bachmann, Meierer & Naef 2021) on Pareto/NBD, BG/NBD, "
                   "MBG/NBD and GGom/NBD, and spend covariates on the Gamma-Gamma: each case's customers carry "
                   "their covariates (named columns), the expected values are the plain models' published "
                   f"formulas at each customer's own parameters, in mpmath ({GEN})"),
        "models": MODELS,
        "cases": cases,
        "spend_model": {"params": gp, "effects": ge},
        "spend_cases": spend_cases,
    }
    out = os.path.join(HERE, "covariates.json")
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print("wrote", out, len(cases), "cases,", len(spend_cases), "spend cases")


if __name__ == "__main__":
    main()
