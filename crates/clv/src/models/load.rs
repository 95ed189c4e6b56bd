//! Loading a saved model of any kind from its JSON (as written by each
//! model's `to_json`), dispatching on the `"model"` key. Used by the CLI's
//! `clv score` and by bindings that accept "a model file".

use serde::Deserialize;

use super::{
    BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNbd, ShiftedBetaGeo,
    TransactionModel,
};
use crate::{Error, Result};

/// A model read from JSON.
#[derive(Debug)]
pub enum AnyModel {
    /// BG/NBD, MBG/NBD, Pareto/NBD or BG/BB.
    Transaction(Box<dyn TransactionModel>),
    /// Gamma-Gamma spend model.
    Spend(GammaGamma),
    /// sBG contractual retention model.
    Retention(ShiftedBetaGeo),
}

impl std::fmt::Debug for dyn TransactionModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(self.name())
            .field("params", &self.params())
            .finish()
    }
}

#[derive(Deserialize)]
struct Tag {
    model: String,
}

/// The `"model"` keys understood by [`model_from_json`].
pub const MODEL_KEYS: [&str; 6] = [
    "bg_nbd",
    "mbg_nbd",
    "pareto_nbd",
    "bg_bb",
    "gamma_gamma",
    "sbg",
];

/// Reads any model saved with `to_json`.
///
/// # Errors
/// [`Error::Format`] for text that is not a model JSON, an unknown `"model"`
/// key, or the errors of the model's own `from_json`.
///
/// ```
/// use clv::models::load::{model_from_json, AnyModel};
/// let bg = clv::BetaGeo::from_params(0.243, 4.414, 0.793, 2.426)?;
/// let AnyModel::Transaction(m) = model_from_json(&bg.to_json())? else { unreachable!() };
/// assert_eq!(m.name(), "BG/NBD");
/// # Ok::<(), clv::Error>(())
/// ```
pub fn model_from_json(text: &str) -> Result<AnyModel> {
    let tag: Tag = serde_json::from_str(text).map_err(|e| Error::Format {
        what: "model JSON".to_string(),
        message: e.to_string(),
    })?;
    Ok(match tag.model.as_str() {
        "bg_nbd" => AnyModel::Transaction(Box::new(BetaGeo::from_json(text)?)),
        "mbg_nbd" => AnyModel::Transaction(Box::new(ModifiedBetaGeo::from_json(text)?)),
        "pareto_nbd" => AnyModel::Transaction(Box::new(ParetoNbd::from_json(text)?)),
        "bg_bb" => AnyModel::Transaction(Box::new(BetaGeoBetaBinom::from_json(text)?)),
        "gamma_gamma" => AnyModel::Spend(GammaGamma::from_json(text)?),
        "sbg" => AnyModel::Retention(ShiftedBetaGeo::from_json(text)?),
        other => {
            return Err(Error::Format {
                what: "model JSON".to_string(),
                message: format!(
                    "unknown model {other:?}; expected one of {}",
                    MODEL_KEYS.join(", ")
                ),
            });
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_model_round_trips_through_the_dispatcher() {
        let t: Vec<Box<dyn TransactionModel>> = vec![
            Box::new(BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap()),
            Box::new(ModifiedBetaGeo::from_params(0.525, 6.183, 0.891, 1.614).unwrap()),
            Box::new(ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap()),
            Box::new(BetaGeoBetaBinom::from_params(1.204, 0.750, 0.657, 2.783).unwrap()),
        ];
        let jsons = [
            BetaGeo::from_params(0.243, 4.414, 0.793, 2.426)
                .unwrap()
                .to_json(),
            ModifiedBetaGeo::from_params(0.525, 6.183, 0.891, 1.614)
                .unwrap()
                .to_json(),
            ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669)
                .unwrap()
                .to_json(),
            BetaGeoBetaBinom::from_params(1.204, 0.750, 0.657, 2.783)
                .unwrap()
                .to_json(),
        ];
        for (m, j) in t.iter().zip(&jsons) {
            match model_from_json(j).unwrap() {
                AnyModel::Transaction(back) => {
                    assert_eq!(back.name(), m.name());
                    assert_eq!(back.params(), m.params());
                }
                other => panic!("wrong kind {other:?}"),
            }
        }
        let gg = GammaGamma::from_params(6.25, 3.74, 15.44).unwrap();
        assert!(matches!(model_from_json(&gg.to_json()).unwrap(), AnyModel::Spend(g) if g == gg));
        let sbg = ShiftedBetaGeo::from_params(0.704, 1.182).unwrap();
        assert!(
            matches!(model_from_json(&sbg.to_json()).unwrap(), AnyModel::Retention(s) if s == sbg)
        );
    }

    #[test]
    fn bad_json_is_a_format_error() {
        let e = model_from_json("{").unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR");
        let e = model_from_json(r#"{"format_version":1,"model":"nope","params":{}}"#).unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
    }
}
