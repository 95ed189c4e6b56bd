"""Issue 12, units travel with the data: a summary carries its time unit
(``attrs["unit"]``), a fitted model stores it (``.unit``, in its JSON), CLV takes
the months from it, and a mismatch is ``ClvError`` code ``UNIT_MISMATCH``; with no
unit anywhere the default is days (``"D"``, as lifetimes) in every runtime."""

import pickle

import numpy as np
import pandas as pd
import pytest

import clv
from conftest import data_path


@pytest.fixture(scope="module")
def weekly():
    tx = pd.read_csv(data_path("CDNOW_sample.txt"), sep=r"\s+", header=None,
                     names=["customer_id", "id", "date", "quantity", "amount"], dtype={"date": str})
    with pytest.warns(UserWarning, match="outside the window"):
        return clv.rfm_summary(tx, "id", "date", "amount", observation_period_end="1997-09-30", freq="W",
                               datetime_format="%Y%m%d")


def test_summary_model_and_clv_carry_the_unit(weekly):
    s = weekly
    assert s.attrs["unit"] == "W"
    bg = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    repeat = s[s["frequency"] > 0]
    gg = clv.GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
    assert bg.unit == "W" and bg.fit_info["unit"] == "W"
    # the JSON and a pickle keep it
    assert clv.BetaGeo.from_json(bg.to_json()).unit == "W"
    assert pickle.loads(pickle.dumps(bg)).unit == "W"
    cols = (s["frequency"], s["recency"], s["T"], s["monetary_value"])
    got = clv.customer_lifetime_value(bg, gg, *cols)
    # the same as naming the unit
    np.testing.assert_array_equal(got, clv.customer_lifetime_value(bg, gg, *cols, freq="W"))
    # the case: without units anywhere, the default (days) takes 30 "periods" a month
    # on weekly data, several times the weekly CLV
    bare = clv.BetaGeo.from_params(**bg.params)
    days = clv.customer_lifetime_value(bare, gg, *[c.to_numpy() for c in cols])
    assert days.sum() > 2 * got.sum()
    with pytest.raises(clv.ClvError, match='freq is "D" but the transaction model is in "W"') as e:
        clv.customer_lifetime_value(bg, gg, *cols, freq="D")
    assert e.value.code == "UNIT_MISMATCH" and e.value.field == "freq"


def test_explicit_unit_and_the_shared_default(weekly):
    s = weekly
    x, tx, t = (s[c].to_numpy() for c in ("frequency", "recency", "T"))
    bg = clv.BetaGeo().fit(x, tx, t, unit="D")
    assert bg.unit == "D"
    assert clv.BetaGeo().fit(x, tx, t).unit is None  # plain arrays carry no unit
    gg = clv.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    m = s["monetary_value"].to_numpy()
    # data in weeks, model in days: refused
    # (a week and "7d" last as long and agree: lifetimes-style freq="W" on a "7D" summary works)
    assert clv.BetaGeo().fit(x, tx, t, unit="7d").unit == "7d"
    with pytest.raises(clv.ClvError) as e:
        clv.customer_lifetime_value(bg, gg, s["frequency"], s["recency"], s["T"], s["monetary_value"])
    assert e.value.code == "UNIT_MISMATCH"
    # no unit anywhere: days, as lifetimes (and Node and WASM)
    known = clv.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert known.unit is None
    np.testing.assert_array_equal(clv.customer_lifetime_value(known, gg, x, tx, t, m),
                                  clv.customer_lifetime_value(known, gg, x, tx, t, m, freq="D"))
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeo().fit(x, tx, t, unit="fortnight")
    assert e.value.field == "freq"


def test_plots_name_the_unit_in_words(weekly):
    from clv import plotting

    s = weekly
    bg = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    ax = plotting.plot_frequency_recency_matrix(bg, max_frequency=5, max_recency=10, t=4)
    assert ax.get_title().startswith("Expected number of future purchases for 4 weeks,")
    ax = plotting.plot_frequency_recency_matrix(bg, max_frequency=5, max_recency=10, t=1)
    assert ax.get_title().startswith("Expected number of future purchases for 1 week,")
    seven = clv.BetaGeo().fit(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy(), unit="7d")
    ax = plotting.plot_frequency_recency_matrix(seven, max_frequency=5, max_recency=10, t=1)
    assert "for 1 period of 7 days," in ax.get_title()
    known = clv.BetaGeo.from_params(**bg.params)
    ax = plotting.plot_frequency_recency_matrix(known, max_frequency=5, max_recency=10, t=2)
    assert "for 2 units of time," in ax.get_title()
