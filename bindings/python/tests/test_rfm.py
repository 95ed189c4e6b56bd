"""RFM scores and segments through Python (rules: crates/clv/src/rfm.rs)."""

import pandas as pd
import polars as pl
import pytest

import clv


def test_scores_tie_rule():
    # score = 1 + floor(bins·L/N), L = customers strictly below: frequency 0,1,1,2 with bins 2
    # gives L = 0,1,1,3 -> 1,1,1,2; everybody ties on R and M -> 1 (the core's doc example)
    s = pd.DataFrame({"frequency": [0.0, 1, 1, 2], "recency": [0.0, 1, 1, 2], "T": [5.0] * 4,
                      "monetary_value": [1.0] * 4}, index=list("wxyz"))
    out = clv.rfm_scores(s, bins=2)
    assert list(out["f_score"]) == [1, 1, 1, 2]
    assert list(out["m_score"]) == [1, 1, 1, 1]
    assert list(out["rfm_score"]) == [f"{r}{f}1" for r, f in zip(out["r_score"], out["f_score"])]
    assert list(out.index) == list("wxyz") and "frequency" in out.columns


def test_segments_default_and_custom_map():
    # five customers, bins 5: one per quintile on each of R, F, M (hand-computed: L = i, score = 1 + i)
    s = pd.DataFrame({"frequency": [0.0, 1, 2, 3, 4], "recency": [0.0, 1, 2, 3, 4], "T": [10.0] * 5,
                      "monetary_value": [1.0, 2, 3, 4, 5]})
    out = clv.rfm_segments(s)
    assert list(out["rfm_score"]) == ["111", "222", "333", "444", "555"]
    # default map (crates/clv/src/rfm.rs): 555 Champions, 111 Lost
    assert out["segment"].iloc[4] == "Champions" and out["segment"].iloc[0] == "Lost"
    custom = [{"name": "Recent", "r": [4, 5]}, {"name": "Other"}]
    out = clv.rfm_segments(s, segment_map=custom)
    assert list(out["segment"]) == ["Other", "Other", "Other", "Recent", "Recent"]
    p = clv.rfm_segments(pl.from_dict({c: s[c].to_list() for c in s.columns}))
    assert isinstance(p, pl.DataFrame) and p["segment"].to_list()[4] == "Champions"
    names = [r["name"] for r in clv.default_segment_map()]
    assert "Champions" in names and "Hibernating" in names


def test_rfm_errors():
    s = pd.DataFrame({"frequency": [1.0], "recency": [3.0], "T": [2.0], "monetary_value": [1.0]})
    with pytest.raises(clv.ClvError, match=r"invalid recency\[0\]: 3") as e:
        clv.rfm_scores(s)
    assert e.value.field == "recency"
    with pytest.raises(clv.ClvError, match="bins") as e:
        clv.rfm_scores(s.assign(recency=1.0), bins=12)
    with pytest.raises(clv.ClvError) as e:
        clv.rfm_scores(s.drop(columns="monetary_value"))
    assert e.value.code == "MISSING_COLUMN"
    with pytest.raises(clv.ClvError) as e:
        clv.rfm_segments(s.assign(recency=1.0), segment_map="not json")
    assert e.value.code == "FORMAT_ERROR"
