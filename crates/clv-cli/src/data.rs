//! Data shared by the commands: the bundled CDNOW sample, the per-customer
//! inputs of RFM and the segment map.

use std::path::PathBuf;

use clv::io::Delimiter;
use clv::rfm::{self, RfmScores, SegmentMap};
use clv::{Error, Result};

use crate::input::ColumnArgs;

/// The bundled data set: `CDNOW_sample.txt` as distributed by Fader & Hardie
/// (whitespace separated, no header: master id, sample id, YYYYMMDD, CDs, USD).
pub(crate) const CDNOW_SAMPLE: &[u8] = include_bytes!("../data/CDNOW_sample.txt");

/// How to read [`CDNOW_SAMPLE`]: sample id (column 2), date (3), USD (5).
pub(crate) fn bundled_columns() -> ColumnArgs {
    ColumnArgs {
        customer_col: "2".into(),
        date_col: "3".into(),
        amount_col: Some("5".into()),
        date_format: None,
        delimiter: Delimiter::Whitespace,
        no_header: true,
        skip_invalid: false,
    }
}

/// The per-customer inputs of RFM.
pub struct RfmInput {
    pub customer_id: Vec<String>,
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
    pub monetary_value: Vec<f64>,
}

/// Reads a segment map file, or returns the default map.
pub fn segment_map(path: Option<&PathBuf>) -> Result<SegmentMap> {
    match path {
        None => Ok(SegmentMap::default_map()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::Io {
                path: p.display().to_string(),
                message: e.to_string(),
            })?;
            SegmentMap::from_json(&text)
        }
    }
}

/// Scores and segments of a loaded input.
pub fn score(input: &RfmInput, bins: u8, map: &SegmentMap) -> Result<(RfmScores, Vec<String>)> {
    let scores = rfm::rfm_scores(
        &input.frequency,
        &input.recency,
        &input.t,
        &input.monetary_value,
        bins,
    )?;
    let segments = rfm::rfm_segments(&scores, map)?;
    Ok((scores, segments))
}
