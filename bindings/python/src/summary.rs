//! Transaction log → summary (`clv::summary`) and RFM scores (`clv::rfm`).

use clv::summary::{Summary, SummaryOptions};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::conversion::{Floats, Wrap, array, dict, slice};
use crate::error::{PyClvErr, Res, enter};

/// A summary with each output row's customer code.
pub(crate) struct CodedSummary(Summary, Vec<u32>);

impl<'py> IntoPyObject<'py> for Wrap<CodedSummary> {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let CodedSummary(s, codes) = self.0;
        let d = dict!(py, {
            "customer_code" => array(py, codes),
            "frequency" => array(py, s.frequency),
            "recency" => array(py, s.recency),
            "T" => array(py, s.t),
            "monetary_value" => s.monetary_value.map(|v| array(py, v)),
            "observation_end" => s.observation_end,
            "n_transactions" => s.n_transactions,
            "holdout_only_customers" => s.holdout_only_customers,
            "after_observation_end" => s.after_observation_end,
            "unit" => s.unit.to_string(),
        })?;
        if let Some(h) = s.holdout {
            let holdout = dict!(py, {
                "frequency_holdout" => array(py, h.frequency),
                "monetary_value_holdout" => h.monetary_value.map(|v| array(py, v)),
                "duration_holdout" => h.duration,
            })?;
            d.update(holdout.as_mapping())?;
        }
        Ok(d)
    }
}

/// Transaction log → summary columns (see `clv::summary::summarize_in_code_order`).
/// Customers are given as codes `0..n_customers` in the output order (the
/// Python layer factorises the id column in sorted order); timestamps as
/// seconds since 1970-01-01 (naive). The result's `customer_code` gives each
/// output row's code. `names[code]` is the customer's own id: an error about
/// a row's amount names the customer by it (the core knows only the code).
#[pyfunction]
#[pyo3(signature = (codes, n_customers, timestamps, amounts, freq, observation_end=None, calibration_end=None, names=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn summarize<'py>(
    py: Python<'py>,
    codes: Floats<'py, u32>,
    n_customers: usize,
    timestamps: Floats<'py, i64>,
    amounts: Option<Floats<'py>>,
    freq: &str,
    observation_end: Option<i64>,
    calibration_end: Option<i64>,
    names: Option<Bound<'py, PyAny>>,
) -> Res<Wrap<CodedSummary>> {
    let unit = clv::time::TimeUnit::parse(freq)?;
    let o = SummaryOptions {
        unit,
        observation_end,
        calibration_end,
        skip_invalid: false,
    };
    let (c, ts, a) = (
        slice(&codes),
        slice(&timestamps),
        amounts.as_ref().map(slice),
    );
    let f = || clv::summary::summarize_in_code_order(&c, n_customers, &ts, a.as_deref(), &o);
    let named = |e| by_name(e, names.as_ref(), &c, a.as_deref(), &ts);
    let (s, rows) = enter(py, f).map_err(named)?;
    Ok(Wrap(CodedSummary(s, rows)))
}

/// The error of `summarize`, an invalid amount naming the customer by
/// their own id (`names[code]`) rather than by code.
fn by_name(
    e: PyClvErr,
    names: Option<&Bound<'_, PyAny>>,
    codes: &[u32],
    amounts: Option<&[f64]>,
    timestamps: &[i64],
) -> PyClvErr {
    match (e, names, amounts) {
        (
            PyClvErr::Core(clv::Error::InvalidValue {
                field,
                index: Some(i),
                ..
            }),
            Some(names),
            Some(a),
        ) if field == "amount" && i < codes.len() => {
            match names.get_item(codes[i]).and_then(|n| n.str()) {
                Ok(name) => {
                    clv::summary::invalid_amount(i, a[i], &name.to_string(), timestamps[i]).into()
                }
                Err(e) => e.into(),
            }
        }
        (e, _, _) => e,
    }
}

/// `freq` with `freq_multiplier` folded in, as text (`"7D"`, 2 → `"14d"`;
/// `clv::time::TimeUnit::with_multiplier`).
#[pyfunction]
pub(crate) fn unit_with_multiplier(freq: &str, multiplier: f64) -> Res<String> {
    Ok(clv::time::TimeUnit::with_multiplier(freq, multiplier)?.to_string())
}

/// A time unit in words (`"W"` → `"weeks"`; `clv::time::TimeUnit::words`).
#[pyfunction]
pub(crate) fn unit_words(unit: &str) -> Res<String> {
    Ok(clv::time::TimeUnit::parse(unit)?.words())
}

type Scores<'py> = Bound<'py, PyArray1<u8>>;

/// Quantile RFM scores: (r_score, f_score, m_score) as uint8 arrays.
#[pyfunction]
pub(crate) fn rfm_scores<'py>(
    py: Python<'py>,
    frequency: Floats<'py>,
    recency: Floats<'py>,
    t: Floats<'py>,
    monetary_value: Floats<'py>,
    bins: u8,
) -> Res<(Scores<'py>, Scores<'py>, Scores<'py>)> {
    let (x, tx, t, m) = (
        slice(&frequency),
        slice(&recency),
        slice(&t),
        slice(&monetary_value),
    );
    let s = enter(py, || clv::rfm::rfm_scores(&x, &tx, &t, &m, bins))?;
    Ok((
        array(py, s.r_score),
        array(py, s.f_score),
        array(py, s.m_score),
    ))
}

/// Segment names for RFM scores under a segment map (JSON; None = default map).
#[pyfunction]
#[pyo3(signature = (r_score, f_score, m_score, bins, segment_map=None))]
pub(crate) fn rfm_segments(
    r_score: Vec<u8>,
    f_score: Vec<u8>,
    m_score: Vec<u8>,
    bins: u8,
    segment_map: Option<&str>,
) -> Res<Vec<String>> {
    let map = segment_map
        .map(clv::rfm::SegmentMap::from_json)
        .transpose()?;
    let scores = clv::rfm::RfmScores {
        r_score,
        f_score,
        m_score,
        bins,
    };
    Ok(clv::rfm::rfm_segments(&scores, &map.unwrap_or_default())?)
}

/// The default RFM segment map as JSON.
#[pyfunction]
pub(crate) fn default_segment_map() -> String {
    clv::rfm::SegmentMap::default().to_json()
}
