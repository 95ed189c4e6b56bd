"""clv.plotting: each plot renders to a PNG and returns its Axes; the plotted data checked."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

import clv
from clv import plotting
from conftest import data_path

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(data_path("cdnow_customers_summary.csv"), index_col=0)


@pytest.fixture(scope="module")
def bg():
    return clv.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)  # FHL (2005)


def save(ax, path):
    assert isinstance(ax, Axes)
    ax.figure.savefig(path)
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 1000


def test_matrices(bg, cdnow, tmp_path):
    ax = plotting.plot_frequency_recency_matrix(bg, cdnow, t=1)
    save(ax, tmp_path / "fr.png")
    z = ax.images[0].get_array()
    assert z.shape == (int(cdnow["T"].max()) + 1, int(cdnow["frequency"].max()) + 1)
    # cell [recency 30, frequency 2] = E[Y(1) | x=2, t_x=30, T=max T]
    t = int(cdnow["T"].max())
    assert z[30, 2] == pytest.approx(bg.expected_purchases(1, 2, 30, t), rel=1e-12)
    # x > 0 with t_x = 0: computed like any other cell
    assert z[0, 1] == pytest.approx(bg.expected_purchases(1, 1, 0, t), rel=1e-12) and np.isfinite(z).all()
    ax = plotting.plot_probability_alive_matrix(bg, max_frequency=5, max_recency=10)
    save(ax, tmp_path / "alive.png")
    assert ax.images[0].get_array()[10, 3] == pytest.approx(bg.prob_alive(3, 10, 10), rel=1e-12)
    with pytest.raises(clv.ClvError) as e:
        plotting.plot_probability_alive_matrix(bg)
    assert e.value.field == "max_frequency"


def test_period_transactions(bg, cdnow, tmp_path):
    d = plotting.period_transactions(bg, cdnow, max_frequency=7)
    assert list(d.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert d["actual"].iloc[0] == (cdnow["frequency"] == 0).sum()
    assert d.loc["7+", "actual"] == (cdnow["frequency"] >= 7).sum()
    # expected customers with k repeat purchases: Σ_i P(X(T_i) = k); for k = 0 recompute customer by customer
    want0 = sum(bg.prob_purchases(0, t) for t in cdnow["T"])
    assert d["model"].iloc[0] == pytest.approx(want0, rel=1e-10)
    # the 7+ bucket: Σ_i (1 − Σ_{k<7} P(X(T_i) = k)); all buckets add up to the 2357 customers
    want7 = sum(1 - sum(bg.prob_purchases(k, t) for k in range(7)) for t in cdnow["T"])
    assert d.loc["7+", "model"] == pytest.approx(want7, rel=1e-9)
    assert d["model"].sum() == pytest.approx(2357, rel=1e-12) and d["actual"].sum() == 2357
    ax = plotting.plot_period_transactions(bg, cdnow)
    save(ax, tmp_path / "period.png")
    bars = ax.patches
    np.testing.assert_allclose([b.get_height() for b in bars[:8]], d["actual"])
    np.testing.assert_allclose([b.get_height() for b in bars[8:]], d["model"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(d.index)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "Model"]
    # weights count customers per row
    w = pd.DataFrame({"frequency": [0, 1], "T": [10.0, 10.0], "weights": [3.0, 2.0]})
    dw = plotting.period_transactions(bg, w, max_frequency=2)
    assert list(dw["actual"]) == [3, 2, 0]
    assert dw.loc["1", "model"] == pytest.approx(5 * bg.prob_purchases(1, 10.0), rel=1e-12)


def test_calibration_vs_holdout(bg, tmp_path):
    tx = pd.read_csv(data_path("CDNOW_sample.txt"), sep=r"\s+", header=None,
                     names=["cid", "id", "date", "q", "amount"], dtype={"date": str})
    s = clv.rfm_summary(tx, "id", "date", observation_period_end="1998-06-30", freq="7D",
                        calibration_period_end="1997-09-30", datetime_format="%Y%m%d")
    d = plotting.calibration_vs_holdout(bg, s, n=7)
    one = s[s["frequency"] == 1]
    assert d.loc[1, "actual"] == pytest.approx(one["frequency_holdout"].mean(), rel=1e-12)
    pred = bg.expected_purchases(one["duration_holdout"], one["frequency"], one["recency"], one["T"])
    assert d.loc[1, "model"] == pytest.approx(pred.mean(), rel=1e-12)
    save(plotting.plot_calibration_purchases_vs_holdout_purchases(bg, s), tmp_path / "cal.png")
    with pytest.raises(clv.ClvError):
        plotting.calibration_vs_holdout(bg, s, kind="age")


def test_whale_curve(tmp_path):
    # values 5, -1, 10, 6: sorted desc 10, 6, 5, -1; total 20 -> 0.5, 0.8, 1.05, 1.0 (peaks above 1)
    c = plotting.cumulative_share([5, -1, 10, 6])
    np.testing.assert_allclose(c, [0.5, 0.8, 1.05, 1.0], rtol=1e-15)
    ax = plotting.plot_whale_curve([5, -1, 10, 6])
    save(ax, tmp_path / "whale.png")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 0.5, 0.8, 1.05, 1.0])

    class Curve:  # the shape of clv.portfolio.whale_curve(...)
        cumulative_share = np.array([0.6, 0.9, 1.0])

    ax = plotting.plot_whale_curve(Curve())
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0, 1 / 3, 2 / 3, 1])
    with pytest.raises(clv.ClvError) as e:
        plotting.cumulative_share([1.0, float("nan")])
    assert "values[1]" in str(e.value)
    with pytest.raises(clv.ClvError):
        plotting.cumulative_share([])


def test_whale_curve_marks_gini_and_top_20(tmp_path):
    v = np.arange(1, 11, dtype=float)  # 1..10, total 55; the top 20 % = 2 customers: (10 + 9) / 55
    ax = plotting.plot_whale_curve(v)
    save(ax, tmp_path / "whale20.png")
    g = clv.portfolio.whale_curve(v).gini
    assert ax.get_title() == f"Whale curve (Gini {g:.2f})"
    marker = next(line for line in ax.lines if line.get_linestyle() == ":")
    np.testing.assert_allclose(marker.get_xdata(), [0.2, 0.2, 0.0])
    np.testing.assert_allclose(marker.get_ydata(), [0.0, 19 / 55, 19 / 55])
    assert "top 20% of customers: 35% of value" in [t.get_text() for t in ax.texts]
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"


def test_tracking_several_models(tmp_path):
    from clv.compat.lifetimes.datasets import load_transaction_data

    tx = load_transaction_data()
    bg = clv.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    pn = clv.ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    d = plotting.tracking_series(bg, tx, "id", "date", 30, freq="W")
    assert list(d.columns) == ["actual", "expected", "actual_incremental", "expected_incremental"]
    # by hand: weekly cohorts of first purchases, E[X(i - c)] summed at the start of week i
    week = pd.PeriodIndex(pd.to_datetime(tx["date"]), freq="W").asi8
    week = week - week.min()
    first = pd.Series(week).groupby(tx["id"].to_numpy()).min()
    want = sum(n * bg.expected_purchases_new(10 - c) for c, n in first.value_counts().items() if c < 10)
    assert d["expected"].iloc[9] == pytest.approx(want, rel=1e-12)
    ax = plotting.plot_tracking([bg, pn], tx, "id", "date", 30, t_cal=20, freq="W")
    save(ax, tmp_path / "tracking.png")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "BetaGeo", "ParetoNBD"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), d["actual"])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), d["expected"])
    pd_ = plotting.tracking_series(pn, tx, "id", "date", 30, freq="W")
    np.testing.assert_allclose(ax.lines[2].get_ydata(), pd_["expected"])
    assert ax.get_title() == "Tracking cumulative repeat transactions (weeks)"
    ax = plotting.plot_tracking(bg, tx, "id", "date", 30, freq="W", cumulative=False, labels=["BG/NBD"])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), d["expected_incremental"])
    assert ax.get_title() == "Tracking repeat transactions per period (weeks)"


def test_exposure_and_expected_purchases_over_time(bg, cdnow, tmp_path):
    ax = plotting.plot_customer_exposure(cdnow, n=50, freq="7d")
    save(ax, tmp_path / "exposure.png")
    assert ax.get_title() == "Customer exposure (units of 7 days)"
    first, second = ax.collections[0], ax.collections[1]
    order = np.lexsort((cdnow["recency"].to_numpy(), cdnow["T"].to_numpy()))[:50]
    seg = first.get_segments()
    assert len(seg) == 50 and seg[7][1][0] == cdnow["recency"].iloc[order[7]]
    assert second.get_segments()[7][1][0] == cdnow["T"].iloc[order[7]]
    # the order comes from the core (clv::diagnostics::customer_exposure); numpy's stable
    # lexsort by T then recency is the independent check, on every customer
    full = np.lexsort((cdnow["recency"].to_numpy(), cdnow["T"].to_numpy()))
    core = clv._clv.customer_exposure(cdnow["recency"].to_numpy(float), cdnow["T"].to_numpy(float))
    assert np.array_equal(core, full)
    with pytest.raises(clv.ClvError) as e:
        plotting.plot_customer_exposure(pd.DataFrame({"recency": [3.0], "T": [2.0]}))
    assert e.value.field == "recency"
    pn = clv.ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    ax = plotting.plot_expected_purchases_over_time([bg, pn], 78, freq="W")
    save(ax, tmp_path / "expected.png")
    assert ax.lines[0].get_ydata()[-1] == pytest.approx(bg.expected_purchases_new(78.0), rel=1e-12)
    assert ax.lines[1].get_ydata()[-1] == pytest.approx(pn.expected_purchases_new(78.0), rel=1e-12)
    assert ax.get_title() == "Expected purchases of a new customer over time (weeks)"
    assert plotting.unit_words("D") == "days" and plotting.unit_words("2h") == "units of 2 hours"


def test_time_unit_in_titles(bg, cdnow):
    ax = plotting.plot_frequency_recency_matrix(bg, cdnow, t=1, freq="W", max_frequency=3, max_recency=5)
    assert ax.get_title().startswith("Expected number of future purchases for 1 week,")
    ax = plotting.plot_frequency_recency_matrix(bg, cdnow, t=4, freq="7d", max_frequency=3, max_recency=5)
    assert ax.get_title().startswith("Expected number of future purchases for 4 units of 7 days,")
    ax = plotting.plot_probability_alive_matrix(bg, max_frequency=3, max_recency=5, freq="D")
    assert ax.get_title().endswith("(days)")
    ax = plotting.plot_period_transactions(bg, cdnow, freq="7d")
    assert ax.get_title() == "Frequency of repeat transactions (units of 7 days)"
    # without freq the titles stay as they were
    assert plotting.plot_period_transactions(bg, cdnow).get_title() == "Frequency of repeat transactions"
