//! Data shared by the integration tests: the repository's `tests/data`
//! files, read by the core's own column reader.
#![allow(dead_code, clippy::unwrap_used)]

/// Columns of a CSV file in `tests/data` (the repository's).
pub fn columns(file: &str, names: &[&str]) -> Vec<Vec<f64>> {
    let path = format!("{}/../../tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let c = clv::io::read_csv_columns(std::path::Path::new(&path), None, names).unwrap();
    names.iter().map(|n| c.get(n).unwrap().to_vec()).collect()
}

/// CDNOW (FHL 2005): 2357 customers, weeks 1-39.
pub fn cdnow() -> Vec<Vec<f64>> {
    columns(
        "cdnow_customers_summary.csv",
        &["frequency", "recency", "T"],
    )
}
