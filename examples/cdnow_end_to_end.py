"""CDNOW end to end with the Python binding: transaction log → summary → BG/NBD
fit → P(alive) → Gamma-Gamma and 12-month CLV → RFM segments.

    python examples/cdnow_end_to_end.py [path/to/CDNOW_sample.txt]

Data: the CDNOW 1/10 sample of Fader & Hardie (2,357 customers who first bought
in Q1 1997); calibration = the papers' 39 weeks to 1997-09-30, in weeks of 7
days (as Fader, Hardie & Lee 2005). Executed by bindings/python/tests/test_examples.py.
"""

import os
import sys

import pandas as pd

import clv

HERE = os.path.dirname(os.path.abspath(__file__))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "tests", "data", "CDNOW_sample.txt")

# 1. transactions: customer id, customer index, yyyymmdd, quantity, amount (whitespace separated)
tx = pd.read_csv(path, sep=r"\s+", header=None, names=["customer_id", "id", "date", "quantity", "amount"],
                 dtype={"date": str})

# 2. summary in weeks of 7 days, calibration period only
summary = clv.rfm_summary(tx, customer_id_col="id", datetime_col="date", monetary_value_col="amount",
                          observation_period_end="1997-09-30", freq="7D", datetime_format="%Y%m%d")
print(f"{len(summary)} customers, {int(summary['frequency'].sum())} repeat purchases")

# 3. BG/NBD fit (FHL 2005 report r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4)
bg = clv.BetaGeo().fit(summary["frequency"], summary["recency"], summary["T"])
print(bg)
print(bg.summary().round(4))
print(f"log-likelihood {bg.log_likelihood:.1f}")

# 4. probability alive at the end of the calibration, expected purchases in the next 39 weeks
summary["p_alive"] = bg.prob_alive(summary["frequency"], summary["recency"], summary["T"])
summary["expected_39w"] = bg.expected_purchases(39, summary["frequency"], summary["recency"], summary["T"])

# 5. spend model on repeat customers, then 12-month CLV at 1% a month (weeks: 4.345 per month)
repeat = summary[summary["frequency"] > 0]
gg = clv.GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
print(gg)
summary["clv_12m"] = clv.customer_lifetime_value(bg, gg, summary["frequency"], summary["recency"], summary["T"],
                                                 summary["monetary_value"], time=12, discount_rate=0.01, freq="W")

# 6. RFM segments
seg = clv.rfm_segments(summary)
table = seg.groupby("segment").agg(customers=("clv_12m", "size"), mean_clv=("clv_12m", "mean"),
                                   mean_p_alive=("p_alive", "mean")).sort_values("mean_clv", ascending=False)
print(table.round(2))
print(seg.sort_values("clv_12m", ascending=False).head(5)[["frequency", "recency", "T", "monetary_value",
                                                            "p_alive", "clv_12m", "segment"]].round(2))
