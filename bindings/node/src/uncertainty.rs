//! `Draws`: parameter draws of a model (`model.draws({method, n, seed})`,
//! or the posterior of `model.sample(data, {priors, chains, …})`) with
//! every prediction as intervals ([`clv::uncertainty`]). Each method
//! converts, calls the core (through `clv_js_common::uncertainty`) and
//! converts back.

use clv::ModelInfo;
use clv::bayes::{GroupSummary, ParamSummary};
use clv::models::ModelKind;
use clv::uncertainty::{Intervals, Spend};
use clv_js_common::uncertainty::{self as common, DrawsArgs, ReadItem, SampleArgs};
use napi::bindgen_prelude::{Either, Float64Array, Function, Unknown};
use napi::{JsValue, ValueType};
use napi_derive::napi;

use crate::models::HasModel;
use crate::{Result, js, read, sl};

/// Any model's per-customer arrays (those of its registry inputs), and
/// the weights and unit of the data: a JS object read when used
/// ([`arrays`]), a wrong-typed array as our error naming it. napi types it
/// by this alias's name: its TS is in the head `index.d.ts.in`.
pub type DrawsData<'a> = Unknown<'a>;

/// The arrays of a [`DrawsData`] that were given, by their JS names.
pub(crate) struct Arrays(Vec<(&'static str, read::Numbers)>);

impl Arrays {
    pub(crate) fn get(&self, name: &str) -> Option<&[f64]> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, a)| sl(a))
    }
}

/// The arrays `data` gives (`weights` too), read.
pub(crate) fn arrays(data: &DrawsData<'_>) -> Result<Arrays> {
    let names = [
        "frequency",
        "recency",
        "T",
        "nPeriods",
        "monetaryValue",
        "weights",
    ];
    let read = names
        .into_iter()
        .map(|n| Ok(read::opt_numbers_of(data, n)?.map(|a| (n, a))));
    Ok(Arrays(
        read.filter_map(Result::transpose).collect::<Result<_>>()?,
    ))
}

/// Options of `draws`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct DrawsOptions<'a> {
    /// "laplace" (default: normal on the log-parameter scale from the fit's
    /// covariance) or "bootstrap" (refits to customers resampled from `data`).
    pub method: Option<String>,
    /// Number of draws (default 2000).
    #[napi(ts_type = "number")]
    pub n: Option<Unknown<'a>>,
    /// Seed (default 0): the same seed gives the same draws in every runtime.
    #[napi(ts_type = "number")]
    pub seed: Option<Unknown<'a>>,
    /// The data the model was fitted to (bootstrap).
    pub data: Option<DrawsData<'a>>,
}

/// Options of `sample` (a Bayesian fit with NUTS).
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct SampleOptions<'env> {
    /// Priors by parameter name, `[family, ...args]`: `['gamma', shape, rate]`,
    /// `['lognormal', mu, sigma]`, `['halfnormal', sigma]`, `['weibull', k, lambda]`,
    /// `['halfflat']`; parameters not named keep their default (`lognormal(0, 2)`
    /// for shapes, `lognormal(0, 5)` for scales).
    #[napi(ts_type = "Record<string, string | Array<string | number>>")]
    pub priors: Option<Unknown<'env>>,
    /// Number of chains (default 4), run in parallel.
    #[napi(ts_type = "number")]
    pub chains: Option<Unknown<'env>>,
    /// Warm-up draws per chain, discarded (default 1000).
    #[napi(ts_type = "number")]
    pub tune: Option<Unknown<'env>>,
    /// Kept draws per chain (default 1000).
    #[napi(ts_type = "number")]
    pub draws: Option<Unknown<'env>>,
    /// Seed (default 0): the same seed gives the same draws bit for bit, in every runtime.
    #[napi(ts_type = "number")]
    pub seed: Option<Unknown<'env>>,
    /// Optional weight per row (or give `weights` in the data, as to `fit`).
    #[napi(ts_type = "Float64Array | Array<number>")]
    pub weights: Option<Unknown<'env>>,
    /// One group label per row: a hierarchical fit (a `GroupedDraws`), each
    /// group its own parameters, partially pooled (docs/uncertainty.md).
    pub groups: Option<Vec<String>>,
    /// With `groups`: hyperpriors by parameter name, `[muMean, muSd, tauSd]`
    /// (defaults `[0, 2, 1]` for shapes, `[0, 5, 1]` for scales).
    #[napi(ts_type = "Record<string, Array<number>>")]
    pub hyperpriors: Option<Unknown<'env>>,
    /// Called with each chain's progress (about every 1% of its draws, and
    /// after its last), on this thread while the chains run; returning
    /// `false` stops the run with a `CANCELLED` error, and so does throwing.
    #[napi(ts_type = "(progress: SampleProgress) => boolean | void")]
    pub on_progress: Option<Either<Function<'env, SampleProgress, Unknown<'env>>, Unknown<'env>>>,
}

/// How far a `sample` run is: one report of one chain (`onProgress`).
#[napi(object, object_from_js = false)]
pub struct SampleProgress {
    /// The chain reporting (0-based).
    pub chain: u32,
    /// Number of chains of the run.
    pub chains: u32,
    /// Draws done by this chain, warm-up included (1..=`total`).
    pub done: f64,
    /// Draws this chain makes: `tune + draws`.
    pub total: f64,
    /// Divergent transitions among this chain's kept draws so far.
    pub divergences: u32,
}

impl From<clv::bayes::SampleProgress> for SampleProgress {
    fn from(p: clv::bayes::SampleProgress) -> Self {
        // draw counts are below 2^53 (MAX_DRAWS): exact
        #[allow(clippy::cast_precision_loss)]
        let (done, total) = (p.done as f64, p.total as f64);
        SampleProgress {
            chain: crate::count(p.chain),
            chains: crate::count(p.chains),
            done,
            total,
            divergences: crate::count(p.divergences),
        }
    }
}

/// The row objects of `Draws.summary()` and `GroupedDraws.summary()`, from
/// one list of the core's [`ParamSummary`] fields (`name: type => convert`).
/// The TS of a grouped row names only its own fields: the head of
/// index.d.ts (index.d.ts.in) makes it extend `PosteriorRow`.
macro_rules! posterior_rows {
    ($($(#[doc = $doc:literal])* $field:ident: $ty:ty => $conv:expr,)*) => {
        /// One row of a draws object's `summary()`: the posterior of one parameter.
        #[napi(object, object_from_js = false)]
        pub struct PosteriorRow {
            $($(#[doc = $doc])* pub $field: $ty,)*
        }

        /// One row of a grouped posterior's `summary()`: a group's parameter
        /// (`term` "theta"), or the mean "mu" / spread "tau" of a parameter
        /// across groups (`group` null).
        #[napi(object, object_from_js = false)]
        pub struct GroupPosteriorRow {
            pub group: Option<String>,
            pub term: String,
            $(#[napi(skip_typescript)] pub $field: $ty,)*
        }

        impl From<ParamSummary> for PosteriorRow {
            fn from(r: ParamSummary) -> Self {
                Self { $($field: ($conv)(r.$field),)* }
            }
        }

        impl From<GroupSummary> for GroupPosteriorRow {
            fn from(r: GroupSummary) -> Self {
                let s = r.stats;
                Self { group: r.group, term: r.term.to_string(), $($field: ($conv)(s.$field),)* }
            }
        }
    };
}

posterior_rows! {
    param: String => String::from,
    mean: f64 => f64::from,
    #[doc = "Posterior standard deviation."]
    sd: f64 => f64::from,
    #[doc = "5% quantile."]
    q05: f64 => f64::from,
    #[doc = "95% quantile."]
    q95: f64 => f64::from,
    #[doc = "Rank-normalised split R-hat (Vehtari et al. 2021)."]
    r_hat: f64 => f64::from,
    #[doc = "Bulk effective sample size."]
    ess_bulk: f64 => f64::from,
    #[doc = "Tail effective sample size."]
    ess_tail: f64 => f64::from,
    #[doc = "Divergent transitions of the whole run (the same on every row)."]
    divergences: u32 => crate::count,
}

/// The priors object (`{ r: ['gamma', 1, 1], … }`) as read from JS, per
/// parameter its elements (the core parses and checks them).
fn read_priors(priors: Option<&Unknown<'_>>) -> Result<Vec<(String, Vec<ReadItem>)>> {
    let expected = "an object of priors by parameter name, e.g. { r: ['gamma', 1, 1] }";
    read::entries(priors, "priors", expected)?
        .into_iter()
        .map(|(name, v)| {
            let items = read::elements(&name, v)?.iter().map(read::item).collect();
            Ok((name, items))
        })
        .collect()
}

/// The hyperpriors object (`{ r: [muMean, muSd, tauSd] }`) as numbers per parameter.
fn read_hyperpriors(hyper: Option<&Unknown<'_>>) -> Result<Vec<(String, Vec<f64>)>> {
    let expected = "an object of [muMean, muSd, tauSd] by parameter name";
    read::entries(hyper, "hyperpriors", expected)?
        .into_iter()
        .map(|(name, v)| Ok((name.clone(), sl(&read::numbers(&name, v)?).to_vec())))
        .collect()
}

/// `model.sample(data, options)` of every model class: `inputs` are the
/// registry's inputs as `fit` takes them, `weights` those of the data.
pub(crate) fn sample(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    options: Option<SampleOptions<'_>>,
) -> Result<Either<Draws, crate::grouped::GroupedDraws>> {
    let o = options.unwrap_or_default();
    let own = o.weights.map(|w| read::numbers("weights", w)).transpose()?;
    let weights = common::sample_weights(weights, own.as_ref().map(sl)).map_err(js)?;
    let args = SampleArgs {
        chains: read::opt_number("chains", o.chains)?,
        tune: read::opt_number("tune", o.tune)?,
        draws: read::opt_number("draws", o.draws)?,
        seed: read::opt_number("seed", o.seed)?,
    };
    common::check_sample_options(common::SampleGiven {
        groups: o.groups.is_some(),
        priors: o.priors.is_some(),
        hyperpriors: o.hyperpriors.is_some(),
        on_progress: o.on_progress.is_some(),
    })
    .map_err(js)?;
    if let Some(groups) = &o.groups {
        let hyper = read_hyperpriors(o.hyperpriors.as_ref())?;
        let inner = common::sample_grouped(kind, inputs, weights, groups, &hyper, &args);
        return Ok(Either::B(crate::grouped::GroupedDraws {
            inner: inner.map_err(js)?,
        }));
    }
    let read = read_priors(o.priors.as_ref())?;
    let priors = common::prior_items(&read);
    let on_progress = match &o.on_progress {
        None => None,
        Some(Either::A(f)) => Some(f),
        Some(Either::B(other)) => {
            let t = other
                .get_type()
                .map_or_else(|e| e.reason, |t| format!("{t:?}"));
            let name = t.to_lowercase();
            return Err(js(clv::Error::invalid("onProgress", name, "a function")));
        }
    };
    let mut report = |p: clv::bayes::SampleProgress| -> std::result::Result<bool, String> {
        let Some(f) = on_progress else {
            return Ok(true);
        };
        let back = f.call(p.into()).map_err(|e| e.reason)?;
        let stop = back.get_type().map_err(|e| e.reason)? == ValueType::Boolean
            && !back.coerce_to_bool().map_err(|e| e.reason)?;
        Ok(!stop)
    };
    let report: Option<common::OnProgress<'_>> = on_progress.is_some().then_some(&mut report);
    Ok(Either::A(Draws {
        inner: common::sample(kind, inputs, weights, &priors, &args, report).map_err(js)?,
    }))
}

/// Options of an interval (`{quantiles}`), the JS object itself (napi
/// types it by this alias's name: its TS is in the head `index.d.ts.in`).
pub type IntervalOptions<'a> = Unknown<'a>;

/// The mean and quantiles of the per-draw sums over customers.
#[napi(object, object_from_js = false)]
pub struct IntervalTotal {
    pub mean: f64,
    pub values: Float64Array,
}

/// A prediction with intervals: per customer the mean over draws and one
/// array per quantile level (numpy's linear interpolation), and the
/// portfolio total's distribution.
#[napi(object, object_from_js = false)]
pub struct PredictionIntervals {
    pub quantiles: Float64Array,
    pub mean: Float64Array,
    pub values: Vec<Float64Array>,
    pub total: IntervalTotal,
}

impl From<Intervals> for PredictionIntervals {
    fn from(v: Intervals) -> Self {
        PredictionIntervals {
            quantiles: Float64Array::new(v.quantiles),
            mean: Float64Array::new(v.mean),
            values: v.values.into_iter().map(Float64Array::new).collect(),
            total: IntervalTotal {
                mean: v.total.mean,
                values: Float64Array::new(v.total.values),
            },
        }
    }
}

/// Parameter draws of a model, with its predictions as intervals.
#[napi]
pub struct Draws {
    pub(crate) inner: clv::uncertainty::Draws,
}

/// `model.draws(options)` of every model class.
pub(crate) fn draws(model: &impl HasModel, options: Option<DrawsOptions<'_>>) -> Result<Draws> {
    let o = options.unwrap_or_default();
    let m = model.state().get().map_err(js)?;
    let args = DrawsArgs {
        method: o.method,
        n: read::opt_number("n", o.n)?,
        seed: read::opt_number("seed", o.seed)?,
    };
    let arrays = o.data.as_ref().map(arrays).transpose()?;
    let data = match &arrays {
        Some(a) => Some((
            common::columns(m.kind(), |n| a.get(n)).map_err(js)?,
            a.get("weights"),
        )),
        None => None,
    };
    Ok(Draws {
        inner: common::draws(m, &args, data).map_err(js)?,
    })
}

/// `fromJSON(text)` of `Draws` and `GroupedDraws`: the core's `from_json`
/// on the JS string `text`.
pub(crate) fn from_json_text<T>(
    text: Unknown<'_>,
    from_json: impl FnOnce(&str) -> clv::Result<T>,
) -> Result<T> {
    from_json(&read::string("text", text)?).map_err(js)
}

/// The quantile levels of interval options (default [0.05, 0.5, 0.95]).
pub(crate) fn q(o: Option<IntervalOptions<'_>>) -> Result<Vec<f64>> {
    let given = o
        .map(|o| read::opt_numbers_of(&o, "quantiles"))
        .transpose()?;
    Ok(common::quantiles(given.flatten().map(|q| sl(&q).to_vec())))
}

clv_js_common::draws_members!(#[napi] impl Draws, napi);

#[napi]
impl Draws {
    /// Per parameter: posterior mean, sd, 5% and 95% quantiles, R-hat, bulk and
    /// tail ESS, and the divergences of the run (draws of other methods count
    /// as one chain).
    #[napi(catch_unwind)]
    pub fn summary(&self) -> Result<Vec<PosteriorRow>> {
        Ok(crate::rows(self.inner.summary().map_err(js)?))
    }

    /// Reads what `toJSON()` wrote.
    #[napi(catch_unwind, factory, js_name = "fromJSON")]
    pub fn from_json(#[napi(ts_arg_type = "string")] text: Unknown<'_>) -> Result<Draws> {
        let inner = from_json_text(text, clv::uncertainty::Draws::from_json)?;
        Ok(Draws { inner })
    }

    /// The number of draws.
    #[napi(getter)]
    pub fn n(&self) -> u32 {
        crate::count(self.inner.len())
    }

    /// The drawn parameter vectors, one array per draw in the model's order.
    #[napi(catch_unwind)]
    pub fn values(&self) -> Vec<Vec<f64>> {
        self.inner.values()
    }

    /// Discounted CLV with intervals; the spend from a spend model or its draws.
    #[napi(catch_unwind)]
    pub fn customer_lifetime_value(
        &self,
        #[napi(ts_arg_type = "Draws | ModelClass")] spend: Unknown<'_>,
        data: DrawsData<'_>,
        #[napi(ts_arg_type = "ClvIntervalOptions | undefined | null")] options: Option<Unknown<'_>>,
    ) -> Result<PredictionIntervals> {
        clv_intervals(
            common::ClvOf::Draws(&self.inner),
            spend,
            &data,
            options.as_ref(),
        )
    }
}

/// `customerLifetimeValue` of draws or of a grouped posterior (`of`): the
/// spend from a spend model or its draws.
pub(crate) fn clv_intervals(
    of: common::ClvOf<'_>,
    spend: Unknown<'_>,
    data: &DrawsData,
    options: Option<&Unknown<'_>>,
) -> Result<PredictionIntervals> {
    let unit = read::opt_string_of(data, "unit")?;
    let (args, quantiles) = read::clv_args(options, unit)?;
    let a = arrays(data)?;
    let c = common::clv_columns(|n| a.get(n)).map_err(js)?;
    // read after the data, as @clv/wasm reads it
    let spend = read::draws_or_model(spend)?;
    let spend = match &spend {
        Either::A(d) => Spend::Draws(&d.inner),
        Either::B(m) => Spend::Model(m),
    };
    let qs = common::quantiles(quantiles);
    common::customer_lifetime_value(of, spend, c, &args, &qs)
        .map(Into::into)
        .map_err(js)
}

/// Generates a `#[napi] impl` block of predictions with intervals of
/// `Draws` or `GroupedDraws` (napi reads the attributes of methods only in
/// an impl block it sees whole): each method takes its arguments and the
/// interval options, and `|draws, quantiles| call` gives the core's
/// intervals, converted once.
macro_rules! predictions {
    (impl $class:ident; $($(#[doc = $doc:literal])* fn $name:ident($($(#[$am:meta])* $arg:ident: $ty:ty),*) |$d:ident, $q:ident| $call:expr;)*) => {
        #[napi]
        impl $class {
            $(
                $(#[doc = $doc])*
                #[napi(catch_unwind)]
                pub fn $name(
                    &self,
                    $($(#[$am])* $arg: $ty,)*
                    options: Option<IntervalOptions<'_>>,
                ) -> Result<PredictionIntervals> {
                    let ($d, $q) = (self, $crate::uncertainty::q(options)?);
                    $call.map(Into::into).map_err($crate::uncertainty::IntoJs::into_js)
                }
            )*
        }
    };
}
pub(crate) use predictions;

predictions! {
    impl Draws;
    #[doc = "P(alive) with intervals."]
    fn prob_alive(data: DrawsData<'_>) |d, q| per_customer(d.inner.kind(), &data, |c| d.inner.prob_alive(c[0], c[1], c[2], &q));
    #[doc = "Expected purchases in the next `t` units with intervals."]
    fn expected_purchases(#[napi(ts_arg_type = "number")] t: Unknown<'_>, data: DrawsData<'_>) |d, q| { let t = read::number("t", t)?; per_customer(d.inner.kind(), &data, |c| d.inner.expected_purchases(&[t], c[0], c[1], c[2], &q)) };
    #[doc = "E[X(t)] of a new customer for each `t`, with intervals."]
    fn expected_purchases_new(#[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>) |d, q| { let t = read::numbers("t", t)?; d.inner.expected_purchases_new(sl(&t), &q) };
    #[doc = "P(X(t) = n) of a new customer (`n` and `t` broadcast), with intervals."]
    fn prob_purchases(#[napi(ts_arg_type = "Float64Array | Array<number>")] n: Unknown<'_>, #[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>) |d, q| { let n = read::numbers("n", n)?; let t = read::numbers("t", t)?; d.inner.prob_purchases(sl(&n), sl(&t), &q) };
    #[doc = "DERT with intervals, where the model has it."]
    fn dert(#[napi(ts_arg_type = "number")] discount: Unknown<'_>, data: DrawsData<'_>) |d, q| { let discount = read::number("discount", discount)?; per_customer(d.inner.kind(), &data, |c| d.inner.dert(discount, c[0], c[1], c[2], &q)) };
    #[doc = "Expected spend with intervals (draws of a spend model)."]
    fn expected_spend(data: DrawsData<'_>) |d, q| per_customer(d.inner.kind(), &data, |c| d.inner.expected_spend(c[0], c[1], &q));
    #[doc = "S(t) of an sBG cohort for each `t`, with intervals."]
    fn survival(#[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>) |d, q| { let t = read::numbers("t", t)?; d.inner.survival(sl(&t), &q) };
    #[doc = "Retention rate r(t) of an sBG cohort for each `t`, with intervals."]
    fn retention(#[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>) |d, q| { let t = read::numbers("t", t)?; d.inner.retention(sl(&t), &q) };
}

/// `f` of the columns of `data` that the predictions of `kind` take.
pub(crate) fn per_customer<T>(
    kind: ModelKind,
    data: &DrawsData,
    f: impl FnOnce(&[&[f64]]) -> clv::Result<T>,
) -> Result<T> {
    let a = arrays(data)?;
    f(&common::columns(kind, |n| a.get(n)).map_err(js)?).map_err(js)
}

/// A core error, or one of reading a JS value, as the JS error
/// (`predictions!` converts the results of both).
pub(crate) trait IntoJs {
    fn into_js(self) -> napi::Error<String>;
}

impl IntoJs for clv::Error {
    fn into_js(self) -> napi::Error<String> {
        js(self)
    }
}

impl IntoJs for napi::Error<String> {
    fn into_js(self) -> napi::Error<String> {
        self
    }
}
