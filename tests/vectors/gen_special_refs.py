"""Reference values for crates/clv/src/special.rs tests (not run in CI).

Run: /work/benchenv/venv/bin/python tests/vectors/gen_special_refs.py
mpmath 1.4.1 at 30 significant digits.
"""
import mpmath as mp

mp.mp.dps = 30
for a, b, c, z in [
    (1.1586, 1.606, 2.1586, 0.3),
    (2.3, 4.1, 3.7, 0.9),
    (1.0, 3.0, 3.5, 0.95),
    (0.553, 2.3, 1.7, 0.999),
    (0.5, 1.5, 2.0, 0.99),
    (3.0, 1.0, 5.0, -20.0),
    (2.0, 1.5, 4.5, 0.97),
    # large b ≈ c (A&S 15.3.6 cancels there); cross-checked against the direct positive Gauss series
    (1.0, 304.783, 305.44, 1 / 1.1),
    (1.0, 503.783, 504.44, 1 / 1.1),
    (1.0, 5003.783, 5004.44, 1 / 1.1),
    (1.0, 100.5, 101.2, 0.9999),
    (2.5, 800.25, 801.0, 0.95),
    (0.5, 2000.3, 2000.0, 0.9),
]:
    print("hyp2f1", a, b, c, z, mp.nstr(mp.hyp2f1(a, b, c, z), 17))
# For huge parameters mpmath.hyp2f1 itself is wrong (it returns log = 6948.34 for
# the second case, above the bound (1-z)^-b = e^6931.86), so sum the Gauss series
# directly at 50 digits (all terms positive, no cancellation).
mp.mp.dps = 50
for a, b, c, z in [(10001.159, 1.606, 10002.159, 0.5), (10001.159, 10000.553, 10002.159, 0.5)]:
    a, b, c, z = (mp.mpf(str(v)) for v in (a, b, c, z))
    t = s = mp.mpf(1)
    k = 0
    while k < 100 or t > s * mp.mpf(10) ** -40:
        t *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        s += t
        k += 1
    print("log hyp2f1 (direct series)", a, b, c, z, mp.nstr(mp.log(s), 20))
mp.mp.dps = 30
print("e^2 E1(2)", mp.nstr(mp.e**2 * mp.e1(2), 17))
for a, b, z in [(0.606, 0.606, 0.6), (2.5, 0.3, 0.01), (0.3, 0.3, 500.0)]:
    print("hyperu", a, b, z, mp.nstr(mp.hyperu(a, b, z), 17))
