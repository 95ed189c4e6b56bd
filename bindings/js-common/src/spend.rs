//! The Gamma-Gamma model with spend covariates for both JS packages
//! (`clv::covariates::spend`): `new GammaGamma().fit(data, {spendCovariates,
//! penalty})` and the views and predictions of `SpendCovariateModel`. No
//! math: the checks (the model, missing rows, non-finite values, constant
//! columns, the penalty), the fit and the predictions are the core's; the
//! spend set comes from JS as the purchase and dropout sets do
//! ([`crate::covariates`]), and its errors name `spendCovariates` and
//! `spendCovariates.NAME` (the core's `spend_covariates...` through
//! [`crate::js_names`]).

use clv::covariates::Covariates;
use clv::covariates::spend::{self, SpendCovariateModel, SpendCovariateOptions};
use clv::models::ModelKind;
use clv::{Error, Result};

use crate::covariates::{CovariateArgs, Effects};
use crate::models::{ModelState, Named};

/// The display name of the model (the core's fit reports use it).
pub const NAME: &str = SpendCovariateModel::NAME;

/// The spend-covariate fit of `fit(data, options)` (`options.spendCovariates`
/// given): `inputs` are `[frequency, monetaryValue]`, `penalty` one number
/// (the L2 penalty on the spend effects), the optimiser options the
/// constructor's.
///
/// # Errors
/// [`Error::Unsupported`] (field `spendCovariates`) for a model other than
/// Gamma-Gamma ([`spend::check_model`]); purchase or dropout sets beside the
/// spend set: the error they give on Gamma-Gamma; `constrainEqual`, or a
/// `penalty` that is not a number ([`Error::InvalidValue`] naming it); those
/// of [`spend::fit`].
pub fn fit(
    state: &ModelState,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    unit: Option<&str>,
    args: &CovariateArgs,
) -> Result<SpendCovariateModel> {
    // the core's operation `spend_covariates` is the JS option's name
    // (`Error::rename_fields` leaves an `Unsupported`'s operation as it is)
    spend::check_model(state.kind()).map_err(|e| match e {
        Error::Unsupported { model, reason, .. } => Error::Unsupported {
            model,
            operation: "spendCovariates".to_string(),
            reason,
        },
        e => e,
    })?;
    if args.purchase.is_some() || args.dropout.is_some() {
        clv::covariates::CovariateModelKind::from_model(state.kind())?;
    }
    if let Some(c) = &args.constrain_equal {
        return Err(Error::invalid(
            "constrainEqual",
            format!("{c:?}"),
            "nothing here (it applies to purchase and dropout covariates)",
        ));
    }
    let penalty = args.one_penalty("a number (the L2 penalty on the spend effects)")?;
    let [x, m] = inputs else {
        return Err(Error::invalid(
            "data",
            inputs.len(),
            "frequency and monetaryValue",
        ));
    };
    let z = args.set("spend", args.spend.as_ref(), x.len())?;
    let options = SpendCovariateOptions {
        penalty,
        fit: state.fit_options(unit)?,
    };
    spend::fit(x, m, &z, weights, &options)
}

/// `SpendCovariateModel.fromParams({p, q, v}, effects)`: the core's
/// [`SpendCovariateModel::from_params`]; an effect's error names it as the
/// JS argument does (`effects.NAME`, the core's `spend_NAME`).
///
/// # Errors
/// Those of [`SpendCovariateModel::from_params`].
pub fn from_params(base: [f64; 3], effects: &[(String, f64)]) -> Result<SpendCovariateModel> {
    let pairs: Vec<(&str, f64)> = effects.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    SpendCovariateModel::from_params(base, &pairs).map_err(|e| {
        e.rename_fields(|f| match f.strip_prefix("spend_") {
            Some(name) if effects.iter().any(|(n, _)| n == name) => format!("effects.{name}"),
            _ => f,
        })
    })
}

/// A per-customer prediction on `[frequency, monetaryValue]` with each
/// customer's spend covariates (`spendCovariates`; not given: none, which
/// the core refuses for a model with covariates).
///
/// # Errors
/// Those of the core (covariates other than the model's, lengths, the
/// customers).
pub fn per_customer(
    m: &SpendCovariateModel,
    customers: [&[f64]; 2],
    args: &CovariateArgs,
    f: impl FnOnce(&SpendCovariateModel, [&[f64]; 2], &Covariates) -> Result<Vec<f64>>,
) -> Result<Vec<f64>> {
    let z = args.set("spend", args.spend.as_ref(), customers[0].len())?;
    f(m, customers, &z)
}

/// The registry key of the model it extends: `"gamma_gamma"`.
#[must_use]
pub fn kind() -> &'static str {
    ModelKind::GammaGamma.spec().key
}

/// The base parameters p, q, v (v₀, the value at z = 0), in order.
#[must_use]
pub fn params(m: &SpendCovariateModel) -> Named {
    Named(["p", "q", "v"].into_iter().zip(m.base()).collect())
}

/// The effects by covariate name, in the covariates' order.
#[must_use]
pub fn effects(m: &SpendCovariateModel) -> Effects {
    let e = m.effects();
    m.covariate_names()
        .iter()
        .map(|n| (n.clone(), e.get(n).copied().unwrap_or(f64::NAN)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::covariates::{Fitted, NamedColumns, NumberOrNamed};
    use clv::fit::FitOptions;

    fn small() -> [Vec<f64>; 2] {
        [
            vec![1.0, 2.0, 3.0, 1.0, 4.0, 2.0, 0.0, 5.0, 1.0, 3.0],
            vec![20.0, 35.0, 18.0, 60.0, 25.0, 80.0, 0.0, 30.0, 45.0, 55.0],
        ]
    }

    fn premium() -> NamedColumns {
        vec![(
            "Premium".into(),
            vec![0., 0., 0., 1., 0., 1., 0., 0., 1., 1.],
        )]
    }

    #[test]
    fn errors_in_js_spelling() {
        let [x, m] = small();
        let inputs = [x.as_slice(), &m];
        let mut gg = ModelState::new(ModelKind::GammaGamma, FitOptions::default());
        let with = |args: CovariateArgs| CovariateArgs {
            spend: Some(premium()),
            ..args
        };
        // a negative penalty, and a penalty by process (spend has one set)
        for penalty in [
            NumberOrNamed::Number(-1.0),
            NumberOrNamed::Named(vec![("spend".into(), 1.0)]),
        ] {
            let args = with(CovariateArgs {
                penalty: Some(penalty),
                ..CovariateArgs::default()
            });
            let e = crate::covariates::fit(&mut gg, &inputs, None, None, &args).unwrap_err();
            assert_eq!(e.field(), Some("penalty"));
        }
        let constant = CovariateArgs {
            spend: Some(vec![("is_member".into(), vec![1.0; 10])]),
            ..CovariateArgs::default()
        };
        let e = crate::covariates::fit(&mut gg, &inputs, None, None, &constant).unwrap_err();
        assert_eq!(
            crate::js_names(e).field(),
            Some("spendCovariates.is_member")
        );
        let both = with(CovariateArgs {
            purchase: Some(premium()),
            ..CovariateArgs::default()
        });
        let e = crate::covariates::fit(&mut gg, &inputs, None, None, &both).unwrap_err();
        assert_eq!(e.code(), "NOT_SUPPORTED");
        let mut pnbd = ModelState::new(ModelKind::ParetoNbd, FitOptions::default());
        let e = crate::covariates::fit(
            &mut pnbd,
            &[&x, &x, &m],
            None,
            None,
            &with(CovariateArgs::default()),
        )
        .unwrap_err();
        assert_eq!(
            (e.code(), crate::js_names(e).field()),
            ("NOT_SUPPORTED", Some("spendCovariates"))
        );
        assert!(gg.get().is_err(), "the model stays unfitted");
        let e = from_params([6.0, 3.0, 15.0], &[("Gender".into(), f64::NAN)]).unwrap_err();
        assert_eq!(e.field(), Some("effects.Gender"));
        let e = from_params([6.0, -3.0, 15.0], &[]).unwrap_err();
        assert_eq!(e.field(), Some("q"));
    }

    #[test]
    fn a_model_and_its_views() {
        let m = from_params(
            [6.25, 3.74, 15.44],
            &[("Gender".into(), 0.1), ("Channel".into(), -0.2)],
        )
        .unwrap();
        assert_eq!(kind(), "gamma_gamma");
        assert_eq!(
            effects(&m),
            [("Gender".to_string(), 0.1), ("Channel".to_string(), -0.2)]
        );
        assert!(m.fit_info().is_none());
        assert_eq!(
            m.to_string(),
            "Gamma-Gamma with spend covariates(p=6.2500, q=3.7400, v=15.4400; \
             spend [Gender=0.1000, Channel=-0.2000])"
        );
        let args = CovariateArgs {
            spend: Some(vec![
                ("Gender".into(), vec![0.0, 1.0]),
                ("Channel".into(), vec![1.0, 0.0]),
            ]),
            ..CovariateArgs::default()
        };
        let e = per_customer(&m, [&[0.0, 2.0], &[0.0, 30.0]], &args, |m, [x, v], z| {
            m.expected_spend(x, v, z)
        })
        .unwrap();
        assert_eq!(e.len(), 2);
        let none = CovariateArgs::default();
        let err = per_customer(&m, [&[0.0], &[0.0]], &none, |m, [x, v], z| {
            m.expected_spend(x, v, z)
        })
        .unwrap_err();
        assert_eq!(crate::js_names(err).field(), Some("spendCovariates"));
        assert_eq!(
            SpendCovariateModel::from_json(&m.to_json().unwrap()).unwrap(),
            m
        );
        let _ = Fitted::Spend(m);
    }
}
