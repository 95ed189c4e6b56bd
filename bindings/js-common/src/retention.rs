//! The sBG with static covariates for both JS packages
//! (`clv::covariates::retention`): `new ShiftedBetaGeo().fitIndividual({periods,
//! churned, weights}, {dropoutCovariates, covariateIds, penalty,
//! maxIterations, gradientTolerance})` and the views and predictions of
//! `RetentionCovariateModel`. No math: the checks (whole periods ≥ 1,
//! lengths, non-finite values, constant columns, the penalty), the fit and
//! the predictions are the core's; the dropout set comes from JS as the
//! transaction models' does ([`crate::covariates`]), and its errors name
//! `dropoutCovariates` and `dropoutCovariates.NAME` (the core's
//! `dropout_covariates...` through [`crate::js_names`]). The one check of
//! this crate is Python's: `churned` given as numbers must be 0 or 1.

use clv::covariates::Covariates;
use clv::covariates::retention::{self, RetentionCovariateModel, RetentionCovariateOptions};
use clv::models::ModelKind;
use clv::{Error, Result};

use crate::JsObject;
use crate::covariates::{CovariateArgs, Effects};
use crate::models::{ModelState, Named};

/// The display name of the model.
pub const NAME: &str = RetentionCovariateModel::NAME;

/// The base parameters, in order.
const BASE: [&str; 2] = ["alpha", "beta"];

/// The `churned` flags from the JS values as numbers (a boolean read as
/// 1 or 0): each must be 0 or 1, as Python's `fit_individual` takes them.
///
/// # Errors
/// [`Error::InvalidValue`] (field `churned`, with the row) for any other
/// number.
pub fn churned(values: &[f64]) -> Result<Vec<bool>> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| match v {
            1.0 => Ok(true),
            0.0 => Ok(false),
            _ => Err(Error::invalid_at(
                "churned",
                i,
                v,
                "true/false or 1/0 (churned in the last period, or still active)",
            )),
        })
        .collect()
}

/// The options of `fitIndividual` as a JS caller gives them: the covariate
/// options (`dropoutCovariates`, `covariateIds` with the customers'
/// `customerId`, `penalty`) and the optimiser's (`maxIterations`,
/// `gradientTolerance`, over the constructor's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FitIndividualArgs {
    /// The covariate options.
    pub covariates: CovariateArgs,
    /// `maxIterations`.
    pub max_iterations: Option<f64>,
    /// `gradientTolerance`.
    pub gradient_tolerance: Option<f64>,
}

impl FitIndividualArgs {
    /// The fields of the options `o` of a fit on the customers `data`.
    ///
    /// # Errors
    /// The binding's, for a field of the wrong type; `covariateIds`
    /// without `data.customerId`.
    pub fn read_for<O: JsObject>(o: &O, data: &O) -> std::result::Result<Self, O::Error> {
        Ok(FitIndividualArgs {
            covariates: CovariateArgs::read_for(o, data)?,
            max_iterations: o.number("maxIterations")?,
            gradient_tolerance: o.number("gradientTolerance")?,
        })
    }
}

/// Sets other than `dropoutCovariates` and `constrainEqual` are errors
/// naming them (the sBG has one covariate set).
fn check_sets(args: &CovariateArgs) -> Result<()> {
    let why = "nothing here (the sBG takes dropoutCovariates only)";
    for (name, given) in [
        ("purchaseCovariates", args.purchase.is_some()),
        ("spendCovariates", args.spend.is_some()),
    ] {
        if given {
            return Err(Error::invalid(name, "an object", why));
        }
    }
    if let Some(c) = &args.constrain_equal {
        return Err(Error::invalid("constrainEqual", format!("{c:?}"), why));
    }
    Ok(())
}

/// `fitIndividual(data, options)` of `ShiftedBetaGeo`: the core's
/// [`retention::fit`] on per-customer `periods` and `churned` (as numbers,
/// [`churned`]) with the dropout set (not given: none, the plain sBG on
/// individual data); `penalty` one number (the L2 penalty on the effects);
/// the constructor's optimiser options with `maxIterations` and
/// `gradientTolerance` of `options` over them.
///
/// # Errors
/// [`Error::Unsupported`] for a model other than the sBG; `churned` not 0/1;
/// `purchaseCovariates`, `spendCovariates`, `constrainEqual` or a `penalty`
/// that is not a number ([`Error::InvalidValue`] naming it); those of
/// [`retention::fit`].
pub fn fit(
    state: &ModelState,
    periods: &[f64],
    churned_values: &[f64],
    weights: Option<&[f64]>,
    args: &FitIndividualArgs,
) -> Result<RetentionCovariateModel> {
    if state.kind() != ModelKind::Sbg {
        return Err(Error::Unsupported {
            model: state.kind().spec().name.to_string(),
            operation: "fitIndividual".to_string(),
            reason: "per-customer contract data are the sBG's (ShiftedBetaGeo)".to_string(),
        });
    }
    let flags = churned(churned_values)?;
    let c = &args.covariates;
    check_sets(c)?;
    let penalty = c.one_penalty("a number (the L2 penalty on the effects on alpha and beta)")?;
    let mut fit = state.fit_options(None)?;
    if let Some(m) = args.max_iterations {
        fit.max_iterations = u64::from(crate::whole_u32("maxIterations", m, 1)?);
    }
    if let Some(g) = args.gradient_tolerance {
        fit.gradient_tolerance = g;
    }
    fit.validate()?;
    let z = c.set("dropout", c.dropout.as_ref(), periods.len())?;
    let options = RetentionCovariateOptions { penalty, fit };
    retention::fit(periods, &flags, &z, weights, &options)
}

/// The dropout set of `n` rows (joined on the customers' ids with
/// `covariateIds`), the sets of other models refused.
fn set_of(args: &CovariateArgs, n: usize) -> Result<Covariates> {
    check_sets(args)?;
    args.set("dropout", args.dropout.as_ref(), n)
}

/// The number of rows of a prediction without customers: the dropout
/// set's, or one for a model without covariates given none.
fn rows(m: &RetentionCovariateModel, args: &CovariateArgs) -> usize {
    match &args.dropout {
        Some(_) => args.rows(),
        None => usize::from(m.covariate_names().is_empty()),
    }
}

/// A prediction for each row of the dropout set (`survival`, `retention`,
/// `probChurn`, `discountedExpectedLifetime`); one row for a model without
/// covariates given none.
///
/// # Errors
/// Those of the core (covariates other than the model's, the argument).
pub fn per_row(
    m: &RetentionCovariateModel,
    args: &CovariateArgs,
    f: impl FnOnce(&RetentionCovariateModel, &Covariates) -> Result<Vec<f64>>,
) -> Result<Vec<f64>> {
    let z = set_of(args, rows(m, args))?;
    f(m, &z)
}

/// `renewals` of `dert`: one count per row of the dropout set, or one for
/// every row.
#[derive(Debug, Clone, PartialEq)]
pub enum Renewals {
    /// One number for every row.
    One(f64),
    /// One number per row.
    Each(Vec<f64>),
}

/// `dert(discount, renewals, covariates)`: the core's
/// [`RetentionCovariateModel::dert`].
///
/// # Errors
/// Those of [`RetentionCovariateModel::dert`].
pub fn dert(
    m: &RetentionCovariateModel,
    discount: f64,
    renewals: &Renewals,
    args: &CovariateArgs,
) -> Result<Vec<f64>> {
    let r = match renewals {
        Renewals::One(v) => vec![*v; rows(m, args)],
        Renewals::Each(v) => v.clone(),
    };
    let z = set_of(args, r.len())?;
    m.dert(discount, &r, &z)
}

/// `logLikelihoodOf({periods, churned}, covariates)`: each customer's
/// ln L_i ([`RetentionCovariateModel::log_likelihood`]).
///
/// # Errors
/// `churned` not 0/1; those of the core.
pub fn log_likelihood(
    m: &RetentionCovariateModel,
    periods: &[f64],
    churned_values: &[f64],
    args: &CovariateArgs,
) -> Result<Vec<f64>> {
    let flags = churned(churned_values)?;
    let z = set_of(args, periods.len())?;
    m.log_likelihood(periods, &flags, &z)
}

/// Each row's own `{alpha, beta}`.
///
/// # Errors
/// Those of [`RetentionCovariateModel::customer_params`].
pub fn customer_params(m: &RetentionCovariateModel, args: &CovariateArgs) -> Result<Vec<Named>> {
    let z = set_of(args, rows(m, args))?;
    Ok(m.customer_params(&z)?
        .into_iter()
        .map(|r| Named(BASE.into_iter().zip(r).collect()))
        .collect())
}

/// `RetentionCovariateModel.fromParams({alpha, beta}, {alpha, beta})`: the
/// effects on α and on β by covariate name (the covariates in the order of
/// `alpha`'s keys, then those only in `beta`; a covariate in one of them
/// only has effect 0 on the other, as in Python); an effect's error names
/// it as the JS argument does (`alpha.NAME`, the core's `alpha_NAME`).
///
/// # Errors
/// Those of [`RetentionCovariateModel::from_params`].
pub fn from_params(
    base: [f64; 2],
    alpha: &[(String, f64)],
    beta: &[(String, f64)],
) -> Result<RetentionCovariateModel> {
    let mut names: Vec<&str> = alpha.iter().map(|(n, _)| n.as_str()).collect();
    for (n, _) in beta {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let of = |e: &[(String, f64)], n: &str| e.iter().find(|(k, _)| k == n).map_or(0.0, |p| p.1);
    let triples: Vec<(&str, f64, f64)> = names
        .iter()
        .map(|n| (*n, of(alpha, n), of(beta, n)))
        .collect();
    RetentionCovariateModel::from_params(base, &triples).map_err(|e| {
        e.rename_fields(|f| {
            for side in BASE {
                if let Some(name) = f.strip_prefix(side).and_then(|r| r.strip_prefix('_'))
                    && names.contains(&name)
                {
                    return format!("{side}.{name}");
                }
            }
            f
        })
    })
}

/// The registry key of the model it extends: `"sbg"`.
#[must_use]
pub fn kind() -> &'static str {
    ModelKind::Sbg.spec().key
}

/// The base parameters α₀, β₀ (their values at z = 0).
#[must_use]
pub fn params(m: &RetentionCovariateModel) -> Named {
    Named(BASE.into_iter().zip(m.base()).collect())
}

/// The effects on α and on β, each by covariate name in covariate order.
#[must_use]
pub fn effects(m: &RetentionCovariateModel) -> (Effects, Effects) {
    let pick = |e: std::collections::BTreeMap<String, f64>| {
        m.covariate_names()
            .iter()
            .map(|n| (n.clone(), e.get(n).copied().unwrap_or(f64::NAN)))
            .collect()
    };
    (pick(m.alpha_effects()), pick(m.beta_effects()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::covariates::NumberOrNamed;
    use clv::fit::FitOptions;

    fn premium(v: &[f64]) -> CovariateArgs {
        CovariateArgs {
            dropout: Some(vec![("Premium".into(), v.to_vec())]),
            ..CovariateArgs::default()
        }
    }

    #[test]
    fn churned_flags() {
        assert_eq!(churned(&[1.0, 0.0]).unwrap(), [true, false]);
        let e = churned(&[1.0, 2.0]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("churned")));
        assert!(e.to_string().starts_with("invalid churned[1]: 2"), "{e}");
    }

    #[test]
    fn errors_in_js_spelling() {
        let sbg = ModelState::new(ModelKind::Sbg, FitOptions::default());
        let (t, c) = ([1.0, 2.0, 3.0, 3.0], [1.0, 1.0, 0.0, 0.0]);
        let args = |covariates| FitIndividualArgs {
            covariates,
            ..FitIndividualArgs::default()
        };
        let e = fit(
            &sbg,
            &[1.0, 2.5],
            &[1.0, 0.0],
            None,
            &args(CovariateArgs::default()),
        );
        assert_eq!(e.unwrap_err().field(), Some("periods"));
        let e = fit(&sbg, &t, &c[..3], None, &args(CovariateArgs::default())).unwrap_err();
        assert_eq!((e.code(), e.field()), ("LENGTH_MISMATCH", Some("churned")));
        let e = fit(&sbg, &t, &c, None, &args(premium(&[1.0; 4]))).unwrap_err();
        assert_eq!(
            crate::js_names(e).field(),
            Some("dropoutCovariates.Premium")
        );
        let both = CovariateArgs {
            purchase: Some(vec![("Premium".into(), vec![0.0, 1.0, 0.0, 1.0])]),
            ..premium(&[0.0, 1.0, 0.0, 1.0])
        };
        let e = fit(&sbg, &t, &c, None, &args(both)).unwrap_err();
        assert_eq!(e.field(), Some("purchaseCovariates"));
        let named = CovariateArgs {
            penalty: Some(NumberOrNamed::Named(vec![("dropout".into(), 1.0)])),
            ..CovariateArgs::default()
        };
        assert_eq!(
            fit(&sbg, &t, &c, None, &args(named)).unwrap_err().field(),
            Some("penalty")
        );
        let bg = ModelState::new(ModelKind::BgNbd, FitOptions::default());
        let e = fit(&bg, &t, &c, None, &args(CovariateArgs::default())).unwrap_err();
        assert_eq!(e.code(), "NOT_SUPPORTED");
        let e = from_params([0.7, 1.2], &[("Premium".into(), f64::NAN)], &[]).unwrap_err();
        assert_eq!(e.field(), Some("alpha.Premium"));
        let e = from_params([0.7, -1.2], &[], &[]).unwrap_err();
        assert_eq!(e.field(), Some("beta"));
    }

    #[test]
    fn a_model_and_its_views() {
        let m = from_params(
            [0.704, 1.182],
            &[("Premium".into(), 0.5)],
            &[("Premium".into(), -0.2), ("Tenure".into(), 0.1)],
        )
        .unwrap();
        assert_eq!(kind(), "sbg");
        assert_eq!(m.covariate_names(), ["Premium", "Tenure"]);
        let (a, b) = effects(&m);
        assert_eq!(
            a,
            [("Premium".to_string(), 0.5), ("Tenure".to_string(), 0.0)]
        );
        assert_eq!(
            b,
            [("Premium".to_string(), -0.2), ("Tenure".to_string(), 0.1)]
        );
        assert!(m.fit_info().is_none());
        assert_eq!(
            m.to_string(),
            "sBG with covariates(alpha=0.7040, beta=1.1820; \
             alpha [Premium=0.5000, Tenure=0.0000], beta [Premium=-0.2000, Tenure=0.1000])"
        );
        let bare = from_params([0.704, 1.182], &[], &[]).unwrap();
        let none = CovariateArgs::default();
        let s = per_row(&bare, &none, |m, z| m.survival(2.0, z)).unwrap();
        assert_eq!(s.len(), 1);
        let d = dert(&bare, 0.1, &Renewals::Each(vec![0.0, 3.0]), &none).unwrap();
        assert_eq!(d.len(), 2);
        let err = per_row(&m, &none, |m, z| m.survival(2.0, z)).unwrap_err();
        assert_eq!(crate::js_names(err).field(), Some("dropoutCovariates"));
        let rows = customer_params(&bare, &none).unwrap();
        assert_eq!(rows[0].0, [("alpha", 0.704), ("beta", 1.182)]);
        assert_eq!(
            RetentionCovariateModel::from_json(&m.to_json().unwrap()).unwrap(),
            m
        );
    }
}
