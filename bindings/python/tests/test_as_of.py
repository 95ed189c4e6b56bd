"""Issue 12 in Python: as-of summaries (the observation end defines the window, as
in lifetimes) and spend data as it comes ($0 orders, zero-spend customers left out
of the Gamma-Gamma fit and named, returns refused with the customer and date).

The expected summary is computed here independently, with pandas' own periods:
a re-implementation of lifetimes 0.11.3 ``summary_data_from_transaction_data``
(``_find_first_transactions``: each date and the observation end become their
period (``to_period(freq)``), rows whose period is after the end's are dropped,
amounts are summed per (customer, period), the first period is not a repeat).
lifetimes itself needs pandas < 3, so it is not a test dependency; its own sum of
frequency on this case is 22490 (issue 12)."""

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

import clv
from clv.compat.lifetimes.utils import summary_data_from_transaction_data
from conftest import data_path


@pytest.fixture(scope="module")
def master():
    # CDNOW_master.txt: customer_id (keep the leading zeros), yyyymmdd, CDs, USD
    return pd.read_csv(data_path("CDNOW_master.txt"), sep=r"\s+", dtype={"customer_id": str, "date": str})


def lifetimes_summary(tx, end, freq):
    """frequency, recency, T, monetary_value per customer by lifetimes' period rule."""
    t = pd.DataFrame({"c": tx["customer_id"], "p": pd.to_datetime(tx["date"], format="%Y%m%d").dt.to_period(freq),
                      "m": tx["dollar_value"]})
    end_p = pd.Timestamp(end).to_period(freq)
    inside = t["p"] <= end_p
    per = t[inside].groupby(["c", "p"], sort=True)["m"].sum().reset_index()
    per["o"] = per["p"].map(lambda p: p.ordinal)
    g = per.groupby("c", sort=True)
    first, last, n = g["o"].min(), g["o"].max(), g["o"].count()
    x = n - 1
    repeat = g["m"].sum() - g["m"].first()
    out = pd.DataFrame({"frequency": x.astype(float), "recency": (last - first).astype(float),
                        "T": (end_p.ordinal - first).astype(float),
                        "monetary_value": np.where(x > 0, repeat / x.where(x > 0, 1), 0.0)})
    out.index.name = "customer_id"
    return out, int((~inside).sum())


def test_weekly_as_of_summary_equals_lifetimes(master):
    want, dropped = lifetimes_summary(master, "1997-09-30", "W")
    with pytest.warns(UserWarning, match=f"{dropped} transaction\\(s\\) after the observation end 1997-09-30"):
        s = clv.rfm_summary(master, "customer_id", "date", "dollar_value", observation_period_end="1997-09-30",
                            freq="W", datetime_format="%Y%m%d")
    assert s.attrs["after_observation_end"] == dropped > 0
    assert list(s.index) == list(want.index) and len(s) == 23_570
    for c in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(s[c].to_numpy(), want[c].to_numpy(), err_msg=c)
    np.testing.assert_allclose(s["monetary_value"], want["monetary_value"], rtol=1e-12, atol=1e-12)
    assert s["frequency"].sum() == 22_490  # lifetimes' figure (issue 12)
    # the drop-in gives the same, and so does polars
    with pytest.warns(UserWarning, match="outside the window"):
        compat = summary_data_from_transaction_data(master, "customer_id", "date", "dollar_value",
                                                    datetime_format="%Y%m%d", observation_period_end="1997-09-30",
                                                    freq="W")
    pd.testing.assert_frame_equal(compat, s)
    p = pl.DataFrame({"customer_id": master["customer_id"].to_numpy(),
                      "date": pd.to_datetime(master["date"], format="%Y%m%d").to_numpy(),
                      "dollar_value": master["dollar_value"].to_numpy()})
    with pytest.warns(UserWarning, match="outside the window"):
        ps = clv.rfm_summary(p, "customer_id", "date", "dollar_value", observation_period_end="1997-09-30", freq="W")
    np.testing.assert_array_equal(ps["frequency"].to_numpy(), s["frequency"].to_numpy())


def test_no_warning_when_nothing_is_after_the_end(master):
    head = master.head(500)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = clv.rfm_summary(head, "customer_id", "date", "dollar_value", freq="W", datetime_format="%Y%m%d")
    assert s.attrs["after_observation_end"] == 0


def test_zero_spend_customers_are_left_out_of_gamma_gamma_and_named(master):
    with pytest.warns(UserWarning):
        s = clv.rfm_summary(master, "customer_id", "date", "dollar_value", observation_period_end="1997-09-30",
                            freq="W", datetime_format="%Y%m%d")
    # independent: repeat customers whose mean repeat spend is 0 ($0 orders count for frequency)
    zero = list(s.index[(s["frequency"] > 0) & (s["monetary_value"] == 0)])
    assert zero, "CDNOW_master has zero-spend repeat customers in weeks to 1997-09-30"
    with pytest.warns(UserWarning, match=f"GammaGamma left out {len(zero)} customer\\(s\\): {zero[0]}") as w:
        gg = clv.GammaGamma().fit(s["frequency"], s["monetary_value"])
    assert "population mean spend" in str(w[0].message)
    assert gg.left_out == zero
    assert gg.fit_info["left_out"] == [s.index.get_loc(i) for i in zero]
    # valued at the population mean spend p·v/(q−1), as a one-time buyer
    p = gg.params
    spend = gg.expected_spend(s["frequency"], s["monetary_value"])
    assert spend[zero].to_numpy() == pytest.approx(p["p"] * p["v"] / (p["q"] - 1), rel=1e-12)
    # the fit equals the fit on the positive-spend repeat customers alone
    keep = (s["frequency"] > 0) & (s["monetary_value"] > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ref = clv.GammaGamma().fit(s.loc[keep, "frequency"], s.loc[keep, "monetary_value"])
    assert ref.left_out == [] and ref.params == gg.params
    # arrays (no ids): positions
    with pytest.warns(UserWarning):
        g2 = clv.GammaGamma().fit(s["frequency"].to_numpy(), s["monetary_value"].to_numpy())
    assert g2.left_out == [s.index.get_loc(i) for i in zero]
    assert clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44).left_out is None


def test_a_return_names_the_customer_and_the_date():
    df = pd.DataFrame({"c": ["ann", "bob", "bob"], "d": ["2024-01-01", "2024-01-02", "2024-01-09"],
                       "m": [10.0, 5.0, -5.0]})
    with pytest.raises(clv.ClvError, match=r"invalid amount\[2\]: -5 for customer \"bob\" on 2024-01-09") as e:
        clv.rfm_summary(df, "c", "d", "m")
    assert e.value.field == "amount" and "return" in str(e.value)
    # $0 orders are valid: bob's second day counts for frequency with spend 0
    s = clv.rfm_summary(df.assign(m=[10.0, 5.0, 0.0]), "c", "d", "m")
    assert s.loc["bob"].tolist() == [1.0, 7.0, 7.0, 0.0]


def test_fit_errors_name_the_customer():
    s = pd.DataFrame({"frequency": [1.0, 2.0], "monetary_value": [5.0, -1.0]}, index=pd.Index(["ann", "bob"]))
    with pytest.raises(clv.ClvError, match=r"invalid monetary_value\[1\]: -1 .*\(customer 'bob'\)") as e:
        clv.GammaGamma().fit(s["frequency"], s["monetary_value"])
    assert e.value.code == "INVALID_INPUT" and e.value.field == "monetary_value"
