"""clv.compat.lifetimes' model checking, called as lifetimes' docs and tests call it; values
checked against independent computations (by hand from the model's own predictions)."""

import math

import numpy as np
import pandas as pd
import pytest

import clv
from clv.compat import lifetimes as lt
from clv.compat.lifetimes import plotting as lp
from clv.compat.lifetimes import utils as lu
from clv.compat.lifetimes.datasets import load_cdnow_summary, load_transaction_data

# Fader, Hardie & Lee (2005) CDNOW estimates
FHL = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def transactions():
    return load_transaction_data()


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary(index_col=[0])


@pytest.fixture(scope="module")
def bgf(cdnow):
    return lt.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def fhl_fitter(data=None):
    """A BetaGeoFitter with the published parameters set as lifetimes users do."""
    f = lt.BetaGeoFitter()
    f.params_ = pd.Series(FHL)
    if data is not None:
        f.data = data
    return f


# -- fitter surface ----------------------------------------------------------------------------

def test_params_assignment_sets_the_model(cdnow):
    f = fhl_fitter()
    assert isinstance(f, lt.BaseFitter)
    assert f.params_.to_dict() == FHL
    ref = clv.BetaGeo.from_params(**FHL)
    got = f.conditional_probability_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_array_equal(got.to_numpy(), ref.prob_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"]))
    # parameters set by hand have no standard errors
    assert f.summary["se(coef)"].isna().all() and f.variance_matrix_.isna().all().all()
    # a dict or a plain sequence in the model's order works too; a wrong length says what is expected
    f.params_ = {"r": 1.0, "alpha": 2.0, "a": 3.0, "b": 4.0}
    assert f.params_["b"] == 4.0
    f.params_ = [0.5, 1.0, 2.0, 3.0]
    assert list(f.params_.index) == ["r", "alpha", "a", "b"] and f.params_["a"] == 2.0
    with pytest.raises(clv.ClvError) as e:
        f.params_ = [1.0, 2.0]
    assert e.value.field == "params_"
    with pytest.raises(clv.ClvError) as e:
        f.params_ = pd.Series({"r": 1.0, "alpha": 2.0, "a": 3.0, "c": 4.0})
    assert e.value.field in ("c", "b")


def test_variance_matrix(bgf):
    v = bgf.variance_matrix_
    assert list(v.index) == list(v.columns) == ["r", "alpha", "a", "b"]
    np.testing.assert_allclose(np.diag(v.to_numpy()), bgf.standard_errors_.to_numpy() ** 2, rtol=1e-12)
    np.testing.assert_allclose(v.to_numpy(), v.to_numpy().T, rtol=1e-10)
    # lifetimes' docs: se(coef) r 0.012557, alpha 0.378221 (Quickstart)
    assert math.sqrt(v.loc["r", "r"]) == pytest.approx(0.012557, rel=2e-3)
    assert math.sqrt(v.loc["alpha", "alpha"]) == pytest.approx(0.378221, rel=2e-3)
    # a correlation matrix: r and alpha move together (both scale the Gamma of λ)
    corr = v.loc["r", "alpha"] / math.sqrt(v.loc["r", "r"] * v.loc["alpha", "alpha"])
    assert 0.5 < corr < 1.0


def test_customer_lifetime_value_old_name():
    assert lu._customer_lifetime_value is lu.customer_lifetime_value


def test_grid_cells_with_repeat_purchases_at_recency_zero(cdnow):
    # frequency > 0 with recency = 0 (all repeat purchases right at the start) is valid input
    d = cdnow.copy()
    moved = d.index[d["frequency"] > 0][:20]
    d.loc[moved, "recency"] = 0.0
    f = lt.BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
    assert np.isfinite(f.params_).all() and np.isfinite(f.log_likelihood_)
    ll = f._model.customer_log_likelihood(d["frequency"], d["recency"], d["T"])
    assert np.isfinite(ll).all() and ll.sum() == pytest.approx(f.log_likelihood_, rel=1e-12)
    g = fhl_fitter(pd.DataFrame({"frequency": [4.0], "recency": [3.0], "T": [6.0], "weights": [1.0]}))
    mat = g.conditional_probability_alive_matrix()
    assert mat.shape == (7, 5) and np.isfinite(mat).all()
    for f_, r_ in [(1, 0), (4, 0), (2, 5)]:
        assert mat[r_, f_] == pytest.approx(float(g.conditional_probability_alive(f_, r_, 6)), rel=1e-14)


# -- utils ---------------------------------------------------------------------------------------

def test_expected_cumulative_transactions_sums_the_cohorts_by_hand(transactions):
    f = fhl_fitter()
    t = 120
    got = lu.expected_cumulative_transactions(f, transactions, "date", "id", t)
    assert list(got.columns) == ["actual", "predicted"] and list(got.index) == list(range(t))
    # by hand: day offsets from the first transaction; cohort = day of each customer's first purchase
    day = (pd.to_datetime(transactions["date"]) - pd.to_datetime(transactions["date"]).min()).dt.days
    d = pd.DataFrame({"id": transactions["id"], "day": day}).drop_duplicates()
    first = d.groupby("id")["day"].min()
    cohorts = first.value_counts()
    for i in (1, 30, 77, 120):  # point i - 1 is the start of day i
        want = sum(n * float(f.expected_number_of_purchases_up_to_time(i - c)) for c, n in cohorts.items() if c < i)
        assert got["predicted"].iloc[i - 1] == pytest.approx(want, rel=1e-12)
        # actual: repeat purchase days (a customer's day after their first) before day i
        repeats = d[d["day"] != d["id"].map(first)]
        assert got["actual"].iloc[i - 1] == (repeats["day"] < i).sum()
    # weekly periods indexed by date; two days per unit
    w = lu.expected_cumulative_transactions(f, transactions, "date", "id", 20, freq="W", set_index_date=True)
    assert isinstance(w.index, pd.PeriodIndex) and len(w) == 20 and str(w.index[0]) == "2013-12-30/2014-01-05"
    h = lu.expected_cumulative_transactions(f, transactions, "date", "id", 10, freq_multiplier=2)
    assert len(h) == 5
    want = sum(n * float(f.expected_number_of_purchases_up_to_time((6 - c) / 2)) for c, n in cohorts.items() if c < 6)
    assert h["predicted"].iloc[2] == pytest.approx(want, rel=1e-12)
    assert h["actual"].iloc[2] == got["actual"].iloc[5]


def test_calculate_alive_path_at_three_dates(transactions):
    f = fhl_fitter()
    one = transactions[transactions["id"] == 35]
    days = sorted(set((pd.to_datetime(one["date"]) - pd.to_datetime(one["date"]).min()).dt.days))
    assert len(days) >= 3  # customer 35 bought on several days
    path = lu.calculate_alive_path(f, one, "date", 200)
    assert isinstance(path, pd.Series) and len(path) == 201
    for age in (0, days[1], 200):
        x = sum(1 for d in days[1:] if d <= age)
        tx = max([d for d in days[1:] if d <= age], default=0)
        assert path.iloc[age] == float(f.conditional_probability_alive(x, tx, age))


def test_calibration_and_holdout_data_says_what_is_wrong(transactions):
    with pytest.raises(clv.ClvError) as e:
        lu.calibration_and_holdout_data(transactions, "id", "date", calibration_period_end="2013-06-01",
                                        observation_period_end="2013-12-31")
    msg = str(e.value)
    assert msg.startswith("There is no data available.") and "2013-06-01" in msg and "2014-01-01" in msg
    assert (e.value.code, e.value.field) == ("EMPTY_INPUT", "calibration_period_end")
    with pytest.raises(clv.ClvError) as e:  # nothing in the holdout period (as lifetimes)
        lu.calibration_and_holdout_data(transactions, "id", "date", calibration_period_end="2014-12-31",
                                        observation_period_end="2014-12-31")
    assert str(e.value).startswith("There is no data available.") and e.value.field == "observation_period_end"


# -- plots: the data drawn and the labels --------------------------------------------------------

def test_plot_period_transactions_labels_and_heights(bgf, cdnow):
    ax = lp.plot_period_transactions(bgf, label=["observed", "BG/NBD"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["observed", "BG/NBD"]
    assert ax.get_title() == "Frequency of Repeat Transactions"
    assert ax.get_xlabel() == "Number of Calibration Period Transactions" and ax.get_ylabel() == "Customers"
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 14
    assert heights[:7] == [float((cdnow["frequency"] == k).sum()) for k in range(7)]
    want = [sum(float(bgf.probability_of_n_purchases_up_to_time(t, k)) for t in cdnow["T"]) for k in (0, 3)]
    assert heights[7] == pytest.approx(want[0], rel=1e-9) and heights[10] == pytest.approx(want[1], rel=1e-9)
    ax = lp.plot_period_transactions(bgf, max_frequency=3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "Model"] and len(ax.patches) == 6


def test_plot_calibration_vs_holdout_lifetimes_labels(transactions):
    cal = lu.calibration_and_holdout_data(transactions, "id", "date", calibration_period_end="2014-09-01",
                                          observation_period_end="2014-12-31")
    f = lt.BetaGeoFitter().fit(cal["frequency_cal"], cal["recency_cal"], cal["T_cal"])
    ax = lp.plot_calibration_purchases_vs_holdout_purchases(f, cal)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["frequency_holdout", "model_predictions"]
    assert ax.get_title() == "Actual Purchases in Holdout Period vs Predicted Purchases"
    assert ax.get_xlabel() == "Purchases in calibration period"
    assert ax.get_ylabel() == "Average of Purchases in Holdout Period"
    ones = cal[cal["frequency_cal"] == 1]
    assert ax.lines[0].get_ydata()[1] == pytest.approx(ones["frequency_holdout"].mean(), rel=1e-12)
    pred = f.conditional_expected_number_of_purchases_up_to_time(121, ones["frequency_cal"], ones["recency_cal"],
                                                                 ones["T_cal"])
    assert ax.lines[1].get_ydata()[1] == pytest.approx(pred.mean(), rel=1e-12)
    ax = lp.plot_calibration_purchases_vs_holdout_purchases(f, cal, kind="time_since_last_purchase", n=5)
    assert ax.get_xlabel() == "Time since user made last purchase" and len(ax.lines[0].get_xdata()) == 5


def test_matrix_plots_lifetimes_titles(bgf):
    ax = lp.plot_frequency_recency_matrix(bgf)
    assert ax.get_title() == "Expected Number of Future Purchases for 1 Unit of Time,\nby Frequency and Recency of a Customer"
    assert ax.get_xlabel() == "Customer's Historical Frequency" and ax.get_ylabel() == "Customer's Recency"
    ax = lp.plot_frequency_recency_matrix(bgf, T=5, max_frequency=3, max_recency=4)
    assert ax.get_title().startswith("Expected Number of Future Purchases for 5 Units of Time,")
    assert ax.images[0].get_array()[0, 2] == pytest.approx(
        float(bgf.conditional_expected_number_of_purchases_up_to_time(5, 2, 0, 4)), rel=1e-12)
    ax = lp.plot_probability_alive_matrix(bgf, max_frequency=3, max_recency=4)
    assert ax.get_title() == "Probability Customer is Alive,\nby Frequency and Recency of a Customer"


def test_plot_history_alive(transactions):
    f = fhl_fitter()
    one = transactions[transactions["id"] == 35]
    ax = lp.plot_history_alive(f, 200, one, "date")
    assert ax.get_title() == "History of P_alive" and ax.get_ylabel() == "P_alive"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P_alive", "purchases"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), lu.calculate_alive_path(f, one, "date", 200).to_numpy())
    segs = ax.collections[0].get_segments()  # one dashed line per purchase day
    assert len(segs) == pd.to_datetime(one["date"]).dt.normalize().nunique()
    assert ax.get_ylim() == (0.0, 1.0)


def test_tracking_plots(transactions):
    f = fhl_fitter()
    df = lu.expected_cumulative_transactions(f, transactions, "date", "id", 100)
    ax = lp.plot_cumulative_transactions(f, transactions, "date", "id", 100, 60)
    assert ax.get_title() == "Tracking Cumulative Transactions"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("day", "Cumulative Transactions")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "predicted"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), df["actual"])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), df["predicted"])
    assert list(ax.lines[2].get_xdata()) == [60, 60]  # the end of calibration
    ax = lp.plot_incremental_transactions(f, transactions, "date", "id", 100, 60)
    assert ax.get_title() == "Tracking Daily Transactions" and ax.get_ylabel() == "Transactions"
    np.testing.assert_allclose(ax.lines[1].get_ydata()[1:], np.diff(df["predicted"]), rtol=1e-12)
    first = ax.lines[1].get_ydata()[0]
    assert np.ma.is_masked(first) or np.isnan(first)  # no increment before the first point


def test_plot_expected_repeat_purchases(bgf, cdnow):
    ax = lp.plot_expected_repeat_purchases(bgf, label="BG/NBD")
    assert ax.get_title() == "Expected Number of Repeat Purchases per Customer"
    assert ax.get_xlabel() == "Time Since First Purchase"
    solid, dashed = ax.lines
    max_t = cdnow["T"].max()
    np.testing.assert_allclose(solid.get_xdata(), np.linspace(0, max_t, 100))
    assert solid.get_ydata()[-1] == pytest.approx(float(bgf.expected_number_of_purchases_up_to_time(max_t)), rel=1e-12)
    assert dashed.get_linestyle() == "--" and dashed.get_color() == solid.get_color()
    assert dashed.get_xdata()[-1] == pytest.approx(1.5 * max_t)


def _gamma_cdf(x, r, alpha):
    """Regularised lower incomplete gamma P(r, αx) by its series (independent of the core)."""
    z = alpha * x
    term = total = 1.0 / r
    k = 0
    while term > 1e-17 * total:
        k += 1
        term *= z / (r + k)
        total += term
    return math.exp(r * math.log(z) - z - math.lgamma(r)) * total


def test_heterogeneity_plots(bgf):
    r, alpha, a, b = (float(bgf.params_[k]) for k in ("r", "alpha", "a", "b"))
    ax = lp.plot_transaction_rate_heterogeneity(bgf)
    assert ax.figure._suptitle.get_text() == "Heterogeneity in Transaction Rate"
    assert ax.get_title() == "mean: {:.3f}, var: {:.3f}".format(r / alpha, r / alpha ** 2)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Transaction Rate", "Density")
    x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert len(x) == 100 and x[0] == 0 and _gamma_cdf(x[-1], r, alpha) == pytest.approx(0.99, abs=1e-8)
    # Gamma density α^r x^(r−1) e^(−αx) / Γ(r)
    k = 37
    want = math.exp(r * math.log(alpha) + (r - 1) * math.log(x[k]) - alpha * x[k] - math.lgamma(r))
    assert y[k] == pytest.approx(want, rel=1e-10)
    ax = lp.plot_dropout_rate_heterogeneity(bgf)
    assert ax.figure._suptitle.get_text() == "Heterogeneity in Dropout Probability"
    assert ax.get_title() == "mean: {:.3f}, var: {:.3f}".format(a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1)))
    assert ax.get_xlabel() == "Dropout Probability p"
    x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    # Beta density x^(a−1) (1−x)^(b−1) / B(a, b)
    want = math.exp((a - 1) * math.log(x[k]) + (b - 1) * math.log1p(-x[k])
                    - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
    assert y[k] == pytest.approx(want, rel=1e-10)
    # the 99% point: ∫_0^x_max of the density ≈ 0.99 (midpoint rule on a fine grid; x^(a−1) integrated exactly near 0)
    eps = 1e-6
    grid = np.linspace(eps, x[-1], 200001)
    mid = (grid[1:] + grid[:-1]) / 2
    dens = np.exp((a - 1) * np.log(mid) + (b - 1) * np.log1p(-mid) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
    head = eps ** a / a * math.exp(-(math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
    assert head + float(np.sum(dens * np.diff(grid))) == pytest.approx(0.99, abs=1e-5)
    with pytest.raises(clv.ClvError) as e:
        g = lt.GammaGammaFitter()
        g.params_ = {"p": 6.25, "q": 3.74, "v": 15.44}
        lp.plot_dropout_rate_heterogeneity(g)
    assert e.value.code == "NOT_SUPPORTED"
