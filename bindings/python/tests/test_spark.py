"""clv.spark on a real local Spark (local[2]): every result equals the
single-machine result computed in the same test (issue 16)."""

import datetime as dt
import os
import re
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import clv

from conftest import data_path

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

import clv.spark as cs  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    s = (SparkSession.builder.master("local[2]").appName("clv-tests")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "4")
         .config("spark.driver.memory", "2g")
         .config("spark.sql.session.timeZone", "UTC")
         .getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def cdnow_tx():
    # CDNOW_master.txt: customer_id (leading zeros kept), yyyymmdd, CDs, USD
    d = pd.read_csv(data_path("CDNOW_master.txt"), sep=r"\s+", dtype={"customer_id": str, "date": str})
    d["date"] = pd.to_datetime(d["date"], format="%Y%m%d")
    return d[["customer_id", "date", "dollar_value"]]


def spark_text(e):
    """A partition error's message without its partition and row."""
    return re.sub(r" \(row \d+ of Spark partition \d+\)", "", str(e))


def spark_frame(spark, pdf):
    return spark.createDataFrame(pdf)


def by_id(sdf, id_col="customer_id"):
    """A Spark summary as a pandas frame indexed by id, sorted like clv.rfm_summary."""
    p = sdf.toPandas().set_index(id_col).sort_index()
    p.index.name = id_col
    return p


def assert_frames_equal(spark_summary, local):
    local = local.sort_index()
    assert list(spark_summary.index) == list(local.index)
    assert list(spark_summary.columns) == list(local.columns)
    for c in local.columns:
        np.testing.assert_array_equal(spark_summary[c].to_numpy(), local[c].to_numpy(), err_msg=c)


# -- summary -----------------------------------------------------------------------------
@pytest.mark.parametrize("freq", ["D", "W"])
def test_summary_equals_local_on_cdnow(spark, cdnow_tx, freq):
    local = clv.rfm_summary(cdnow_tx, "customer_id", "date", "dollar_value", freq=freq)
    got = by_id(cs.summary(spark_frame(spark, cdnow_tx), "customer_id", "date", "dollar_value", freq=freq))
    assert len(got) == 23570  # CDNOW master: the whole cohort
    assert_frames_equal(got, local)


def test_summary_with_calibration_and_observation_end(spark, cdnow_tx):
    kw = dict(observation_period_end="1998-03-31", calibration_period_end="1997-09-30", freq="W")
    with warnings.catch_warnings(record=True) as local_w:
        warnings.simplefilter("always")
        local = clv.rfm_summary(cdnow_tx, "customer_id", "date", "dollar_value", **kw)
    with warnings.catch_warnings(record=True) as spark_w:
        warnings.simplefilter("always")
        got = by_id(cs.summary(spark_frame(spark, cdnow_tx), "customer_id", "date", "dollar_value", **kw))
    assert "frequency_holdout" in got.columns and "duration_holdout" in got.columns
    assert_frames_equal(got, local)
    # the same rows after the end are counted and reported
    ours = [[str(w.message) for w in ws if w.category is UserWarning] for ws in (spark_w, local_w)]
    assert ours[0] == ours[1]
    assert len(ours[0]) == 1 and "transaction(s) after the observation end 1998-03-31" in ours[0][0]


@pytest.fixture(scope="module")
def synthetic_log(tmp_path_factory):
    """1M transactions of 50k customers over two years, written as 4 Parquet
    files that split customers across files."""
    rng = np.random.default_rng(16)
    n, customers = 1_000_000, 50_000
    ids = rng.integers(0, customers, n)
    start = np.datetime64("2022-01-01T00:00:00")
    seconds = rng.integers(0, 2 * 365 * 86400, n)
    dates = start + seconds.astype("timedelta64[s]")
    amounts = np.round(rng.gamma(2.0, 20.0, n), 2)
    amounts[rng.random(n) < 0.01] = 0.0  # $0 orders are valid
    pdf = pd.DataFrame({"customer_id": ids.astype(np.int64), "date": dates, "amount": amounts})
    folder = tmp_path_factory.mktemp("log")
    for i, part in enumerate(np.array_split(rng.permutation(n), 4)):
        pdf.iloc[np.sort(part)].to_parquet(folder / f"part-{i}.parquet", index=False)
    return pdf, str(folder)


def test_summary_equals_local_on_1m_transactions_split_across_files(spark, synthetic_log):
    pdf, folder = synthetic_log
    sdf = spark.read.parquet(folder)
    assert sdf.count() == 1_000_000
    got = by_id(cs.summary(sdf, "customer_id", "date", "amount", freq="D", partitions=8))
    # Bit for bit the local summary of the same rows in the DataFrame's order
    # (file by file, not pdf's): the shuffle's order is undone per partition.
    in_df_order = sdf.toPandas()
    assert not in_df_order.equals(pdf)
    assert_frames_equal(got, clv.rfm_summary(in_df_order, "customer_id", "date", "amount", freq="D"))
    # In pdf's order only the last bits of the mean spend may differ.
    local = clv.rfm_summary(pdf, "customer_id", "date", "amount", freq="D").sort_index()
    for c in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(got[c].to_numpy(), local[c].to_numpy(), err_msg=c)
    np.testing.assert_allclose(got.monetary_value.to_numpy(), local.monetary_value.to_numpy(), rtol=4e-15, atol=0)


def test_partition_rows_are_put_back_in_dataframe_order():
    import pyarrow as pa
    from clv.spark import _in_row_order

    t = pa.table({"id": ["a", "b", "a", "a"], "seq": [7, 2, 9, 4], "amount": [0.1, 5.0, 0.2, 0.3]})
    got = _in_row_order(t)
    assert got.column("seq").to_pylist() == [2, 4, 7, 9]
    assert got.column("amount").to_pylist() == [5.0, 0.3, 0.1, 0.2]
    ordered = pa.table({"seq": [1, 5, 6]})
    assert _in_row_order(ordered) is ordered  # already in order: left as it is


def test_skewed_customer_with_1m_transactions(spark):
    rng = np.random.default_rng(3)
    n = 1_000_000
    start = np.datetime64("2023-01-01T00:00:00")
    dates = start + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]")
    big = pd.DataFrame({"customer_id": "whale", "date": dates, "amount": rng.gamma(2.0, 5.0, n)})
    small = pd.DataFrame({"customer_id": ["a", "a", "b"],
                          "date": pd.to_datetime(["2023-02-01", "2023-03-01", "2023-05-01"]),
                          "amount": [1.0, 2.0, 3.0]})
    pdf = pd.concat([big, small], ignore_index=True)
    local = clv.rfm_summary(pdf, "customer_id", "date", "amount")
    got = by_id(cs.summary(spark.createDataFrame(pdf), "customer_id", "date", "amount"))
    assert_frames_equal(got, local)
    assert got.loc["whale", "frequency"] == 364  # a purchase on every day of the year


def test_empty_partitions(spark, cdnow_tx):
    few = cdnow_tx[cdnow_tx.customer_id.isin(["00001", "00002", "00003"])]
    local = clv.rfm_summary(few, "customer_id", "date", "dollar_value")
    got = by_id(cs.summary(spark_frame(spark, few), "customer_id", "date", "dollar_value", partitions=16))
    assert_frames_equal(got, local)


def test_timestamps_are_session_wall_time(spark):
    # TimestampType is read as wall time in the session zone (UTC here), as
    # toPandas() shows it; the same naive datetimes locally give the same summary.
    pdf = pd.DataFrame({"customer_id": ["x", "x", "x"],
                        "date": pd.to_datetime(["2024-01-01 23:30", "2024-01-02 00:30", "2024-01-09 12:00"])})
    local = clv.rfm_summary(pdf, "customer_id", "date")
    got = by_id(cs.summary(spark.createDataFrame(pdf), "customer_id", "date"))
    assert_frames_equal(got, local)
    assert got.loc["x", "frequency"] == 2


def test_executor_errors_reach_the_driver_readable(spark, cdnow_tx):
    bad = cdnow_tx.head(50).copy()
    bad.loc[7, "dollar_value"] = -5.0
    local_err = pytest.raises(clv.ClvError, clv.rfm_summary, bad, "customer_id", "date", "dollar_value").value
    lazy = cs.summary(spark_frame(spark, bad), "customer_id", "date", "dollar_value")
    with pytest.raises(Exception) as raised:
        lazy.collect()
    e = cs.clv_error(raised.value)
    assert e is not None and e.code == local_err.code == "INVALID_INPUT"
    assert e.field == local_err.field == "amount"
    # names the customer, the date and the value; the row is the partition's
    assert re.match(r"invalid amount \(row \d+ of Spark partition \d+\): -5 for customer \"00003\" on 1997-11-25", str(e)), str(e)
    assert spark_text(e) == re.sub(r"^invalid amount\[\d+\]", "invalid amount", str(local_err))
    # the functions that run jobs raise the ClvError itself
    with pytest.raises(clv.ClvError) as direct:
        cs.fit(clv.BetaGeo, lazy)
    assert direct.value.code == "INVALID_INPUT" and str(direct.value) == str(e)


def test_bad_arguments_are_typed_errors(spark, cdnow_tx):
    sdf = spark_frame(spark, cdnow_tx)
    with pytest.raises(clv.ClvError) as e:
        cs.summary(sdf, "customer_id", "when")
    assert e.value.code == "MISSING_COLUMN" and e.value.field == "when"
    with pytest.raises(clv.ClvError) as e:
        cs.summary(sdf.withColumn("date", F.col("date").cast("string")), "customer_id", "date")
    assert e.value.field == "date" and "to_timestamp" in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        cs.fit("pareto", sdf)
    assert e.value.field == "model"
    with pytest.raises(clv.ClvError) as e:
        cs.fit(clv.ShiftedBetaGeo, sdf.select(F.lit(1.0).alias("survivors")), max_local_rows=0)
    assert e.value.code == "NOT_SUPPORTED"
    with pytest.raises(clv.ClvError) as e:
        cs.sample(sdf, 1.5)
    assert e.value.field == "fraction"


# -- compress and fit -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cdnow_summary():
    return pd.read_csv(data_path("cdnow_customers_summary.csv"))


def test_compress_matches_the_core_and_is_mergeable(spark, cdnow_summary):
    sdf = spark.createDataFrame(cdnow_summary)
    cols = ["frequency", "recency", "T"]
    got = cs.compress(sdf, cols).toPandas().sort_values(cols).reset_index(drop=True)
    (x, tx, t), w = clv._clv.compress([cdnow_summary[c].to_numpy(dtype=float) for c in cols])
    assert len(got) == len(w) == 1016
    np.testing.assert_array_equal(got[cols].to_numpy(), np.column_stack([x, tx, t]))
    np.testing.assert_array_equal(got["weight"].to_numpy(), w)
    # compressing the union of compressed halves with their weights gives the whole
    a, b = sdf.randomSplit([0.5, 0.5], seed=1)
    merged = cs.compress(cs.compress(a, cols).unionByName(cs.compress(b, cols)), cols, weight_col="weight")
    m = merged.toPandas().sort_values(cols).reset_index(drop=True)
    np.testing.assert_array_equal(m.to_numpy(), got.to_numpy())


def rel(a, b):
    return max(abs(x / y - 1.0) for x, y in zip(a, b))


@pytest.mark.parametrize("model", [clv.ParetoNBD, clv.BetaGeo, clv.ModifiedBetaGeo])
def test_fit_equals_local_fit_locally_and_distributed(spark, cdnow_summary, model):
    x, tx, t = (cdnow_summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    local = model().fit(x, tx, t)
    want = list(local.params.values())
    sdf = spark.createDataFrame(cdnow_summary).repartition(3)
    on_driver = cs.fit(model, sdf)
    assert rel(list(on_driver.params.values()), want) < 1e-9
    distributed = cs.fit(model, sdf, max_local_rows=0, sample_rows=300)
    assert rel(list(distributed.params.values()), want) < 1e-9
    assert 0 < distributed.passes < 40
    li, di = local.fit_info, distributed.fit_info
    assert abs(li["log_likelihood"] - di["log_likelihood"]) < 1e-9 * abs(li["log_likelihood"])
    assert rel(di["std_errors"], li["std_errors"]) < 1e-6
    assert di["n_observations"] == 2357


def test_distributed_fit_of_models_without_a_closed_form_hessian(spark, cdnow_summary):
    """BG/BB (weighted donations), Gamma-Gamma and GGom/NBD have no closed-form
    Hessian: the distributed route runs L-BFGS, one Spark pass per evaluation,
    then (at an interior optimum) the Newton polish on the Hessian by
    differences of the gradient, as the local fit does, so both give the same
    optimum to 1e-9 (before the polish, two L-BFGS runs from different starts
    stopped 2.5e-8 apart on BG/BB and 1.7e-6 on Gamma-Gamma). GGom/NBD on CDNOW
    ends at its b -> 0 boundary, reported the same way on both routes."""
    d = pd.read_csv(data_path("donations.csv")).rename(columns={"periods": "n_periods"})
    rep = pd.read_csv(data_path("cdnow_customers_summary_with_transactions.csv"))
    rep = rep[rep["x"] > 0].rename(columns={"x": "frequency", "zbar": "monetary_value"})
    cases = [
        (clv.BetaGeoBetaBinom, d, ["frequency", "recency", "n_periods"], "weights"),
        (clv.GammaGamma, rep, ["frequency", "monetary_value"], None),
        (clv.GammaGompertzNBD, cdnow_summary, ["frequency", "recency", "T"], None),
    ]
    for model, pdf, cols, weight_col in cases:
        arrays = [pdf[c].to_numpy(dtype=float) for c in cols]
        w = None if weight_col is None else pdf[weight_col].to_numpy(dtype=float)
        local = model().fit(*arrays, weights=w)
        sdf = spark.createDataFrame(pdf[cols + ([weight_col] if weight_col else [])]).repartition(3)
        got = cs.fit(model, sdf, columns=cols, weight_col=weight_col, max_local_rows=0, sample_rows=50)
        name = model.__name__
        li, di = local.fit_info, got.fit_info
        # at a boundary both runs stop somewhere along the ridge (GGom/NBD:
        # b of 1e-18 or 1e-9): the same limit, and the same other parameters
        keep = list(local.params)
        if li["boundary"] is not None:
            assert di["boundary"].split(" (")[0] == li["boundary"].split(" (")[0] == "b -> 0", name
            keep = ["r", "alpha", "s"]
        else:
            assert di["boundary"] is None, name
        tol = 1e-5 if li["boundary"] is not None else 1e-9
        assert rel([got.params[k] for k in keep], [local.params[k] for k in keep]) < tol, name
        assert abs(li["log_likelihood"] - di["log_likelihood"]) < 1e-9 * abs(li["log_likelihood"]), name
        assert di["n_observations"] == li["n_observations"], name
        assert 0 < got.passes, name


def test_weighted_rows_and_spend_model(spark, cdnow_tx):
    s = clv.rfm_summary(cdnow_tx, "customer_id", "date", "dollar_value", freq="W")
    rep = s[s.frequency > 0]
    local = clv.GammaGamma().fit(rep.frequency, rep.monetary_value)
    sdf = spark.createDataFrame(rep.reset_index())
    got = cs.fit(clv.GammaGamma, sdf)
    assert rel(list(got.params.values()), list(local.params.values())) < 1e-9
    # a table already compressed: its weight column is the number of customers
    comp = cs.compress(sdf, ["frequency", "monetary_value"])
    again = cs.fit(clv.GammaGamma, comp, weight_col="weight")
    assert rel(list(again.params.values()), list(local.params.values())) < 1e-9


# -- score and SQL ---------------------------------------------------------------------------
def test_score_equals_local_predictions(spark, cdnow_tx):
    s = clv.rfm_summary(cdnow_tx, "customer_id", "date", "dollar_value", freq="W")
    bg = clv.BetaGeo().fit(s.frequency, s.recency, s["T"], unit="W")
    gg = clv.GammaGamma().fit(s.frequency[s.frequency > 0], s.monetary_value[s.frequency > 0])
    sdf = cs.summary(spark_frame(spark, cdnow_tx), "customer_id", "date", "dollar_value", freq="W")
    got = by_id(cs.score(bg, sdf, horizon=39, spend_model=gg, months=12))
    s = s.sort_index()
    np.testing.assert_allclose(got.prob_alive, bg.prob_alive(s.frequency, s.recency, s["T"]), rtol=1e-13)
    np.testing.assert_allclose(got.expected_purchases,
                               bg.expected_purchases(39, s.frequency, s.recency, s["T"]), rtol=1e-13)
    want = clv.customer_lifetime_value(bg, gg, s.frequency, s.recency, s["T"], s.monetary_value, time=12)
    np.testing.assert_allclose(got.clv, want, rtol=1e-13)
    assert got.clv.sum() > 0
    # intervals: the same Laplace draws (seed) on every partition as on one machine
    ranged = by_id(cs.score(bg, sdf, horizon=39, spend_model=gg, months=12, intervals=(0.05, 0.95),
                            draws=200, seed=7))
    d = bg.draws("laplace", n=200, seed=7)
    local = d.prob_alive(s.frequency, s.recency, s["T"], quantiles=(0.05, 0.95))
    np.testing.assert_allclose(ranged.prob_alive_q5, local["q0.05"], rtol=1e-13)
    np.testing.assert_allclose(ranged.prob_alive_q95, local["q0.95"], rtol=1e-13)
    local = d.customer_lifetime_value(gg, s.frequency, s.recency, s["T"], s.monetary_value, time=12,
                                      quantiles=(0.05, 0.95))
    np.testing.assert_allclose(ranged.clv_q5, local["q0.05"], rtol=1e-13)
    assert (ranged.clv_q5 <= ranged.clv_q95).all()
    assert list(ranged.columns[4:]) == ["prob_alive", "prob_alive_q5", "prob_alive_q95", "expected_purchases",
                                        "expected_purchases_q5", "expected_purchases_q95", "expected_spend",
                                        "clv", "clv_q5", "clv_q95"]


def test_sql_functions(spark, cdnow_summary):
    x, tx, t = (cdnow_summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    pn = clv.ParetoNBD().fit(x, tx, t)
    names = cs.register_functions(spark, pn, prefix="clv_")
    assert names == ["clv_prob_alive", "clv_expected_purchases"]
    spark.createDataFrame(cdnow_summary).createOrReplaceTempView("customers")
    got = spark.sql("SELECT ID, clv_prob_alive(frequency, recency, T) AS p, "
                    "clv_expected_purchases(39.0, frequency, recency, T) AS e FROM customers ORDER BY ID").toPandas()
    np.testing.assert_allclose(got.p, pn.prob_alive(x, tx, t), rtol=1e-13)
    np.testing.assert_allclose(got.e, pn.expected_purchases(39, x, tx, t), rtol=1e-13)


# -- sample ------------------------------------------------------------------------------------
def test_sample_is_deterministic_nested_and_by_customer(spark, cdnow_tx):
    sdf = spark_frame(spark, cdnow_tx)

    def ids(frac, seed=0):
        return set(r[0] for r in cs.sample(sdf, frac, seed).select("customer_id").distinct().collect())

    small, large = ids(0.1), ids(0.3)
    n = cdnow_tx.customer_id.nunique()
    assert small < large
    assert 0.09 * n < len(small) < 0.11 * n and 0.28 * n < len(large) < 0.32 * n
    assert ids(0.1) == small  # the same on every run
    assert ids(0.1, seed=1) != small
    rows = cs.sample(sdf, 0.1).toPandas()
    # all rows of a sampled customer
    assert len(rows) == int(cdnow_tx.customer_id.isin(small).sum())
    assert cs.sample(sdf, 0.0).count() == 0 and cs.sample(sdf, 1.0).count() == len(cdnow_tx)


def test_as_of_dates(spark):
    # an observation end before the last transaction is valid: later rows are left out
    pdf = pd.DataFrame({"customer_id": [1, 1, 2], "date": [dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1),
                                                            dt.datetime(2024, 3, 1)]})
    with pytest.warns(UserWarning, match="1 transaction"):
        got = by_id(cs.summary(spark.createDataFrame(pdf), "customer_id", "date",
                               observation_period_end="2024-02-15"))
    assert list(got.index) == [1]
    assert got.loc[1, "T"] == 45
