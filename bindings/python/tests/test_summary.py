"""rfm_summary on CDNOW: reproduces the papers' calibration summary, pandas and polars."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

import clv
from conftest import data_path


@pytest.fixture(scope="module")
def tx():
    # CDNOW_sample.txt: customer id, customer index (= the papers' ID), yyyymmdd, quantity, amount
    return pd.read_csv(data_path("CDNOW_sample.txt"), sep=r"\s+", header=None,
                       names=["customer_id", "id", "date", "quantity", "amount"], dtype={"date": str})


# The log runs to 1998-06-30: the rows after 1997-09-30 are left out with a warning (test_as_of.py).
@pytest.mark.filterwarnings("ignore:.*outside the window:UserWarning")
def test_reproduces_the_papers_calibration_summary(tx):
    """Fader, Hardie & Lee (2005) / Fader & Hardie (2013): the 39-week summary of the 2,357 CDNOW sample
    customers, in weeks of 7 days, rounded to 2 decimals (tests/data; see tests/tests/summary_cdnow.rs)."""
    s = clv.rfm_summary(tx, "id", "date", "amount", observation_period_end="1997-09-30", freq="D",
                        freq_multiplier=7, datetime_format="%Y%m%d")
    ref = pd.read_csv(data_path("cdnow_customers_summary_with_transactions.csv"), index_col=0)
    assert len(s) == 2357 and list(s.index) == list(ref.index)
    np.testing.assert_array_equal(s["frequency"].to_numpy(), ref["x"].to_numpy())
    np.testing.assert_allclose(s["recency"].round(2), ref["t_x"], atol=1e-9)
    np.testing.assert_allclose(s["T"].round(2), ref["T"], atol=1e-9)
    # z̄ rounded half up to cents in the file: within half a cent
    assert (s["monetary_value"] - ref["zbar"]).abs().max() <= 0.005 + 1e-9
    assert list(s.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert s.index.name == "id"


@pytest.mark.filterwarnings("ignore:.*outside the window:UserWarning")
def test_same_result_as_polars_and_with_7D(tx):
    a = clv.rfm_summary(tx, "id", "date", "amount", observation_period_end="1997-09-30", freq="7D",
                        datetime_format="%Y%m%d")
    ptx = pl.DataFrame({"id": tx["id"].to_numpy(), "date": pd.to_datetime(tx["date"], format="%Y%m%d").to_numpy(),
                        "amount": tx["amount"].to_numpy()})
    b = clv.rfm_summary(ptx, "id", "date", "amount", observation_period_end="1997-09-30", freq="7D")
    assert isinstance(b, pl.DataFrame) and b.columns[0] == "id"
    np.testing.assert_array_equal(b["id"].to_numpy(), a.index.to_numpy())
    for c in ("frequency", "recency", "T", "monetary_value"):
        np.testing.assert_array_equal(b[c].to_numpy(), a[c].to_numpy())


def test_holdout_columns(tx):
    s = clv.rfm_summary(tx, "id", "date", "amount", observation_period_end="1998-06-30", freq="7D",
                        calibration_period_end="1997-09-30", datetime_format="%Y%m%d")
    assert list(s.columns) == ["frequency", "recency", "T", "monetary_value", "frequency_holdout",
                               "monetary_value_holdout", "duration_holdout"]
    # 273 days from 1997-09-30 to 1998-06-30 = 39 units of 7 days
    assert (s["duration_holdout"] == 39.0).all()
    # CDNOW ID 1 (customer 00004): holdout purchase on 1997-12-12 only (CDNOW_sample.txt lines 4-..)
    one = tx[(tx["id"] == 1) & (tx["date"] > "19970930")]
    assert s.loc[1, "frequency_holdout"] == one["date"].nunique()
    assert s.loc[1, "monetary_value_holdout"] == pytest.approx(one["amount"].mean(), rel=1e-12)


def test_summary_errors():
    df = pd.DataFrame({"c": ["a", "a", "b"], "d": ["2024-01-01", "2024-01-05", "2024-01-02"], "m": [1.0, -2.0, 3.0]})
    with pytest.raises(clv.ClvError, match="missing column 'customer_id'") as e:
        clv.rfm_summary(df)
    assert e.value.code == "MISSING_COLUMN" and e.value.field == "customer_id"
    with pytest.raises(clv.ClvError, match=r"invalid amount\[1\]: -2") as e:
        clv.rfm_summary(df, "c", "d", "m")
    assert e.value.field == "amount"
    bad = df.assign(d=["2024-01-01", None, "2024-01-02"], m=1.0)
    with pytest.raises(clv.ClvError, match=r"invalid d\[1\]: NaT") as e:
        clv.rfm_summary(bad, "c", "d", "m")
    with pytest.raises(clv.ClvError, match="freq"):
        clv.rfm_summary(df.assign(m=1.0), "c", "d", "m", freq="Q")
    with pytest.raises(clv.ClvError) as e:
        clv.rfm_summary(df.assign(m=1.0), "c", "d", "m", observation_period_end="2024-01-31",
                        calibration_period_end="2024-02-15")
    assert e.value.field == "calibration_end"


def test_string_ids_and_days():
    # hand-computed: a buys on days 0, 4 (twice) -> frequency 1, recency 4, T = 30 (to 2024-01-31),
    # monetary_value = sum of the repeat day = 2 + 3 = 5; b buys once -> 0, 0, 29, 0
    df = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
                       "date": ["2024-01-01", "2024-01-05", "2024-01-05 13:00", "2024-01-02"],
                       "amount": [1.0, 2.0, 3.0, 4.0]})
    s = clv.rfm_summary(df, monetary_value_col="amount", observation_period_end="2024-01-31",
                        datetime_format="ISO8601")
    assert s.to_dict("index") == {
        "a": {"frequency": 1.0, "recency": 4.0, "T": 30.0, "monetary_value": 5.0},
        "b": {"frequency": 0.0, "recency": 0.0, "T": 29.0, "monetary_value": 0.0},
    }


def test_offsets_are_wall_time_as_in_every_runtime():
    # issue 17 #8: 23:30 and 00:30 at +02:00 are two days (wall time), as the
    # CLI and JS now read them too (tests/js/api.test.mjs)
    df = pd.DataFrame({"customer_id": ["a", "a"],
                       "date": pd.to_datetime(["2024-03-01T23:30+02:00", "2024-03-02T00:30+02:00"])})
    s = clv.rfm_summary(df, observation_period_end="2024-03-03")
    assert s.loc["a", ["frequency", "recency", "T"]].tolist() == [1.0, 1.0, 2.0]


def test_freq_multiplier_multiplies_a_multiple_unit():
    # issue 17 #7: freq="7D" with freq_multiplier=2 became the unit "27D" (recency 7/27);
    # it is 14 days: recency 7/14, T 14/14
    df = pd.DataFrame({"customer_id": ["a", "a"], "date": ["2024-01-01", "2024-01-08"]})
    s = clv.rfm_summary(df, observation_period_end="2024-01-15", freq="7D", freq_multiplier=2)
    assert s.loc["a", ["frequency", "recency", "T"]].tolist() == [1.0, 0.5, 1.0]
    assert s.attrs["unit"] == "14d"
    with pytest.raises(clv.ClvError) as e:
        clv.rfm_summary(df, freq="D", freq_multiplier=0)
    assert e.value.field == "freq_multiplier"


def test_numpy_arrays_in():
    ids = np.array([1, 1, 2])
    dates = np.array(["2024-01-01", "2024-01-08", "2024-01-03"], dtype="datetime64[D]")
    amounts = np.array([1.0, 2.0, 3.0])
    s = clv.rfm_summary({"customer_id": ids, "date": dates, "amount": amounts}, monetary_value_col="amount")
    # observation end = latest transaction 2024-01-08: customer 1 -> x 1, t_x 7, T 7, m 2; customer 2 -> 0, 0, 5, 0
    assert s.loc[1].tolist() == [1.0, 7.0, 7.0, 2.0] and s.loc[2].tolist() == [0.0, 0.0, 5.0, 0.0]
    rec = np.rec.fromarrays([ids, dates, amounts], names="customer_id,date,amount")
    pd.testing.assert_frame_equal(clv.rfm_summary(np.asarray(rec), monetary_value_col="amount"), s)


def test_date_errors_name_the_row_and_clvs_own_argument():
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
                       "date": ["2024-01-03", "2024-01-10", "2024-13-45", "2024-01-20"]})
    with pytest.raises(clv.ClvError) as e:
        clv.rfm_summary(tx, datetime_col="date")
    msg = str(e.value)
    # row 2 (0-based position), its value, and clv's datetime_format, not pandas' advice
    assert msg.startswith("invalid date[2]: '2024-13-45' on row 2 ") and "datetime_format" in msg, msg
    assert "dayfirst" not in msg and "You might want" not in msg and "`format`" not in msg, msg
    assert (e.value.code, e.value.field) == ("PARSE_ERROR", "date")
    # with a format: the first row that does not match it
    tx2 = tx.assign(date=["03/01/2024", "10/01/2024", "2024-01-19", "20/01/2024"])
    with pytest.raises(clv.ClvError) as e:
        clv.rfm_summary(tx2, datetime_col="date", datetime_format="%d/%m/%Y")
    assert str(e.value) == "invalid date[2]: '2024-01-19' on row 2 does not match datetime_format='%d/%m/%Y'"
