//! The shared JSON vectors (`tests/vectors/*.json`), one runner line per
//! file. The same files drive the Python, Node and WASM suites; a file
//! without a runner fails [`every_vector_file_has_a_runner`].
//!
//! Model files (`model` is a registry key) run through one generic runner
//! over [`clv::AnyModel`] (`common::model_vectors`); `portfolio.json` and
//! `uplift.json` return structs (`structured`); `errors.json` is the
//! cross-runtime error contract; `covariates.json` holds covariate models
//! built from parameters (`covariates`).
#![allow(clippy::unwrap_used)]

mod common;
mod covariates;
mod structured;

macro_rules! vectors {
    ($($file:ident => $runner:path),* $(,)?) => {
        $(
            #[test]
            fn $file() {
                $runner(concat!(stringify!($file), ".json"));
            }
        )*
        /// The files that have a runner.
        const RUNNERS: &[&str] = &[$(concat!(stringify!($file), ".json")),*];
    };
}

vectors! {
    bg_nbd => common::model_vectors,
    mbg_nbd => common::model_vectors,
    pareto_nbd => common::model_vectors,
    ggom_nbd => common::model_vectors,
    bg_bb => common::model_vectors,
    gamma_gamma => common::model_vectors,
    sbg => common::model_vectors,
    portfolio => structured::portfolio_vectors,
    uplift => structured::uplift_vectors,
    errors => common::error_vectors,
    draws => structured::draws_vectors,
    covariates => covariates::covariate_vectors,
}

#[test]
fn every_vector_file_has_a_runner() {
    let dir = clv_conformance::vector_path("");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    for f in &files {
        assert!(
            RUNNERS.contains(&f.as_str()),
            "{f} has no runner in tests/tests/vectors.rs"
        );
    }
    assert_eq!(files.len(), RUNNERS.len(), "{files:?}");
}

#[test]
fn every_registry_model_has_a_vector_file() {
    for kind in clv::ModelKind::ALL {
        let key = kind.spec().key;
        assert!(
            RUNNERS.contains(&format!("{key}.json").as_str()),
            "{key} has no tests/vectors/{key}.json"
        );
    }
}
