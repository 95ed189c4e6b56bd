//! Parameter draws for both JS packages ([`clv::uncertainty`]): the
//! options of `model.draws({method, n, seed, data})` with their defaults,
//! the input columns of a draws object's kind by their JS names, and the
//! CLV with intervals (units resolved as `customerLifetimeValue`), and the
//! options of a Bayesian fit (`model.sample(data, {priors, chains, …})`).

use clv::bayes::{GroupedDraws, Hyperprior, Prior, PriorItem, SampleOptions, SampleProgress};
use clv::fit::FitOptions;
use clv::models::{AnyModel, ModelKind, whole_count};
use clv::uncertainty::{DEFAULT_QUANTILES, Data, Draws, Intervals, Spend};
use clv::{Error, Result};

use crate::camel;
use crate::models::ClvArgs;

/// The options of `draws` as JS gives them (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrawsArgs {
    /// "laplace" (default) or "bootstrap".
    pub method: Option<String>,
    /// Number of draws (default 2000).
    pub n: Option<f64>,
    /// Seed (default 0), a whole number below 2^53.
    pub seed: Option<f64>,
}

/// The data of a bootstrap: the columns of the fit and optional weights.
pub type Columns<'a> = (Vec<&'a [f64]>, Option<&'a [f64]>);

/// Draws of `model` ([`Draws::new`]); `data` (the fit's columns by the
/// registry's inputs and optional weights) for a bootstrap.
///
/// # Errors
/// `n` or `seed` not whole numbers; those of [`Draws::new`].
pub fn draws(model: &AnyModel, args: &DrawsArgs, data: Option<Columns<'_>>) -> Result<Draws> {
    let method = args.method.as_deref().unwrap_or("laplace").parse()?;
    let n = whole_count("n", args.n.unwrap_or(2000.0))? as usize;
    let seed = clv::error::check::seed("seed", args.seed.unwrap_or(0.0))?;
    let data = data.as_ref().map(|(inputs, weights)| Data {
        inputs,
        weights: *weights,
    });
    let options = FitOptions::default();
    Draws::new(model, method, n, seed, data, &options)
}

/// The quantile levels asked for, or [`DEFAULT_QUANTILES`].
pub fn quantiles(q: Option<Vec<f64>>) -> Vec<f64> {
    q.unwrap_or_else(|| DEFAULT_QUANTILES.to_vec())
}

/// The columns of `kind`'s inputs, each looked up by its JS name
/// (`monetary_value` → `monetaryValue`); a missing one is an
/// [`Error::InvalidValue`] naming it.
///
/// # Errors
/// As above.
pub fn columns<'a>(
    kind: ModelKind,
    get: impl Fn(&str) -> Option<&'a [f64]>,
) -> Result<Vec<&'a [f64]>> {
    columns_named(&input_names(kind), get)
}

/// The JS names of `kind`'s inputs (`monetary_value` → `monetaryValue`).
#[must_use]
pub fn input_names(kind: ModelKind) -> Vec<String> {
    kind.spec().inputs.iter().map(|n| camel(n)).collect()
}

/// The columns named `names` (JS names), a missing one an
/// [`Error::InvalidValue`] naming it.
///
/// # Errors
/// As above.
pub fn columns_named<'a, S: AsRef<str>>(
    names: &[S],
    get: impl Fn(&str) -> Option<&'a [f64]>,
) -> Result<Vec<&'a [f64]>> {
    names
        .iter()
        .map(|n| {
            let name = n.as_ref();
            get(name).ok_or_else(|| {
                Error::invalid(name, "undefined", "a Float64Array or an array of numbers")
            })
        })
        .collect()
}

/// The JS names of the columns of a CLV: frequency, recency, T and mean
/// spend.
pub const CLV_INPUTS: [&str; 4] = ["frequency", "recency", "T", "monetaryValue"];

/// The columns of a CLV ([`CLV_INPUTS`]), each looked up by its JS name.
///
/// # Errors
/// A missing column, as [`columns_named`].
pub fn clv_columns<'a>(get: impl Fn(&str) -> Option<&'a [f64]>) -> Result<[&'a [f64]; 4]> {
    let c = columns_named(&CLV_INPUTS, get)?;
    Ok([c[0], c[1], c[2], c[3]])
}

/// What a CLV with intervals is of: draws, or a grouped posterior with
/// one group label per customer (or one for all).
#[derive(Debug, Clone, Copy)]
pub enum ClvOf<'a> {
    /// Parameter draws ([`Draws::customer_lifetime_value`]).
    Draws(&'a Draws),
    /// A grouped posterior and the customers' groups
    /// ([`GroupedDraws::customer_lifetime_value`]).
    Grouped(&'a GroupedDraws, &'a [String]),
}

/// CLV with intervals ([`Draws::customer_lifetime_value`], or
/// [`GroupedDraws::customer_lifetime_value`] by each customer's group);
/// months and units from `args` as [`crate::models::customer_lifetime_value`].
///
/// # Errors
/// `time` not a whole number; units that disagree; those of the core.
pub fn customer_lifetime_value(
    of: ClvOf<'_>,
    spend: Spend<'_>,
    columns: [&[f64]; 4],
    args: &ClvArgs,
    quantiles: &[f64],
) -> Result<Intervals> {
    let [frequency, recency, t, monetary_value] = columns;
    let draws_unit = match of {
        ClvOf::Draws(d) => d.unit(),
        ClvOf::Grouped(g, _) => g.groups().first().and_then(Draws::unit),
    };
    let unit = clv::value::resolve_unit(&[
        ("freq", args.options.freq.as_deref()),
        ("the transaction model", draws_unit),
        ("the data", args.data_unit.as_deref()),
    ])?;
    let time = whole_count("time", args.options.time.unwrap_or(12.0))?;
    let rate = args.options.discount_rate.unwrap_or(0.01);
    let per_month = clv::value::periods_per_month(&unit)?;
    // the same arguments to both, after the grouped one's labels
    macro_rules! clv_of {
        ($target:expr $(, $groups:expr)?) => {
            $target.customer_lifetime_value(
                $($groups,)? spend, frequency, recency, t, monetary_value, time, rate, per_month,
                quantiles,
            )
        };
    }
    match of {
        ClvOf::Draws(d) => clv_of!(d),
        ClvOf::Grouped(g, groups) => clv_of!(g, groups),
    }
}

/// The options of `sample` as JS gives them (all optional; the defaults
/// are Python's: 4 chains of 1000 warm-up and 1000 kept draws, seed 0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SampleArgs {
    /// Number of chains (default 4).
    pub chains: Option<f64>,
    /// Warm-up draws per chain (default 1000).
    pub tune: Option<f64>,
    /// Kept draws per chain (default 1000).
    pub draws: Option<f64>,
    /// Seed (default 0), a whole number below 2^53.
    pub seed: Option<f64>,
}

/// A prior by parameter name, as its items (`['gamma', 1, 1]`).
pub type PriorItems<'a> = (String, Vec<PriorItem<'a>>);

/// One element of a prior list as a binding reads it from JS: its string
/// (if a string), its number (if a number) and its type name.
pub type ReadItem = (Option<String>, Option<f64>, String);

/// The priors object as a binding read it (per parameter, its elements:
/// `['gamma', 1, 1]`, or the bare family name as one element) as the
/// core's items (the core parses and checks them, naming the parameter).
#[must_use]
pub fn prior_items(read: &[(String, Vec<ReadItem>)]) -> Vec<PriorItems<'_>> {
    fn item((text, number, type_name): &ReadItem) -> PriorItem<'_> {
        match (text, number) {
            (Some(t), _) => PriorItem::Text(t),
            (_, Some(v)) => PriorItem::Number(*v),
            _ => PriorItem::Other(type_name),
        }
    }
    read.iter()
        .map(|(name, items)| (name.clone(), items.iter().map(item).collect()))
        .collect()
}

/// The weights of a sample: those of the data object (as `fit` takes
/// them) or of the options, not both.
///
/// # Errors
/// [`Error::InvalidValue`] naming `weights` when both are given.
pub fn sample_weights<'a>(
    data: Option<&'a [f64]>,
    options: Option<&'a [f64]>,
) -> Result<Option<&'a [f64]>> {
    match (data, options) {
        (Some(_), Some(_)) => Err(Error::invalid(
            "weights",
            "given in the data and in the options",
            "weights in one of them",
        )),
        (d, o) => Ok(d.or(o)),
    }
}

/// A JS `onProgress` callback as the bindings call it: `Ok(false)` when it
/// returned `false` (stop), `Ok(true)` for anything else, `Err(message)`
/// when it threw.
pub type OnProgress<'a> = &'a mut dyn FnMut(SampleProgress) -> std::result::Result<bool, String>;

/// A Bayesian fit with NUTS ([`clv::bayes::sample_with_progress`]) of a
/// model of `kind` to `inputs` (the registry's inputs, as `fit` takes
/// them), the priors parsed by the core ([`Prior::from_items`]), reporting
/// to `on_progress` when given.
///
/// # Errors
/// `chains`, `tune`, `draws` or `seed` not whole numbers; a bad prior
/// (field: its parameter); those of [`clv::bayes::sample`];
/// [`Error::Cancelled`] when `on_progress` returned false or threw (then
/// the reason carries what it threw).
pub fn sample(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    priors: &[PriorItems<'_>],
    args: &SampleArgs,
    on_progress: Option<OnProgress<'_>>,
) -> Result<Draws> {
    let options = sample_options(args)?;
    let given = by_param(priors, |items, p| Prior::from_items(items, p))?;
    let Some(callback) = on_progress else {
        return clv::bayes::sample(kind, inputs, weights, &given, &options);
    };
    let mut thrown = None;
    let result =
        clv::bayes::sample_with_progress(kind, inputs, weights, &given, &options, &mut |p| {
            callback(p).unwrap_or_else(|message| {
                thrown = Some(message);
                false
            })
        });
    match (result, thrown) {
        (Err(Error::Cancelled { operation, .. }), Some(message)) => Err(Error::Cancelled {
            operation,
            reason: format!("onProgress threw: {message}"),
        }),
        (result, _) => result,
    }
}

/// Priors or hyperpriors by parameter name, each parsed by the core
/// (`parse(spec, param)`, which names the parameter in its errors).
fn by_param<A, T>(
    specs: &[(String, A)],
    parse: impl Fn(&A, &str) -> Result<T>,
) -> Result<Vec<(String, T)>> {
    specs
        .iter()
        .map(|(p, spec)| Ok((p.clone(), parse(spec, p)?)))
        .collect()
}

/// The core's options from those JS gives (defaults for the missing).
///
/// # Errors
/// `chains`, `tune`, `draws` or `seed` not whole numbers.
fn sample_options(args: &SampleArgs) -> Result<SampleOptions> {
    let d = SampleOptions::default();
    let chains = args.chains.map_or(Ok(d.chains), |v| {
        whole_count("chains", v).map(|n| n as usize)
    })?;
    let count = |field, v: Option<f64>, default| {
        v.map_or(Ok(default), |v| whole_count(field, v).map(u64::from))
    };
    Ok(SampleOptions {
        chains,
        tune: count("tune", args.tune, d.tune)?,
        draws: count("draws", args.draws, d.draws)?,
        seed: clv::error::check::seed("seed", args.seed.unwrap_or(0.0))?,
        ..d
    })
}

/// Which options of `sample` a JS call gave: those that do not go
/// together with `groups` (or without them) are refused before sampling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SampleGiven {
    /// `groups` (a hierarchical fit).
    pub groups: bool,
    /// `priors`.
    pub priors: bool,
    /// `hyperpriors`.
    pub hyperpriors: bool,
    /// `onProgress`.
    pub on_progress: bool,
}

/// Refuses the options of `sample` that do not go together: `onProgress`
/// or `priors` with `groups` (a hierarchical fit takes hyperpriors and does
/// not report its progress), `hyperpriors` without `groups` (these two
/// by [`clv::bayes::check_prior_options`], as in every runtime).
///
/// # Errors
/// [`Error::InvalidValue`] naming the refused option.
pub fn check_sample_options(given: SampleGiven) -> Result<()> {
    if given.groups && given.on_progress {
        return Err(Error::invalid(
            "onProgress",
            "onProgress with groups",
            "no onProgress: a hierarchical fit does not report its progress",
        ));
    }
    clv::bayes::check_prior_options(given.groups, given.priors, given.hyperpriors)
}

/// A hierarchical fit with NUTS ([`clv::bayes::sample_grouped`]): one
/// group label per row, hyperpriors by parameter name as
/// `[mu_mean, mu_sd, tau_sd]`.
///
/// # Errors
/// As [`sample`]; a bad hyperprior (field: its parameter); those of
/// [`clv::bayes::sample_grouped`].
pub fn sample_grouped(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    groups: &[String],
    hyperpriors: &[(String, Vec<f64>)],
    args: &SampleArgs,
) -> Result<GroupedDraws> {
    let options = sample_options(args)?;
    let given = by_param(hyperpriors, |a, p| Hyperprior::new(a, p))?;
    clv::bayes::sample_grouped(kind, inputs, weights, groups, &given, &options)
}

/// The number of divergent transitions of NUTS draws; `None` for others.
#[must_use]
pub fn divergences(draws: &Draws) -> Option<u32> {
    draws
        .nuts()
        .map(|n| u32::try_from(n.divergent.len()).unwrap_or(u32::MAX))
}

/// The number of divergent transitions of a hierarchical run.
#[must_use]
pub fn grouped_divergences(draws: &GroupedDraws) -> u32 {
    u32::try_from(draws.nuts().divergent.len()).unwrap_or(u32::MAX)
}

/// The seed of draws as a JS number (seeds come from JS numbers, whole and
/// below 2^53: exact).
#[must_use]
pub fn seed(draws: &Draws) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let s = draws.seed() as f64;
    s
}

/// The number of chains of NUTS draws; `None` for others.
#[must_use]
pub fn chains(draws: &Draws) -> Option<u32> {
    draws
        .nuts()
        .map(|n| u32::try_from(n.chains).unwrap_or(u32::MAX))
}

/// The members of `Draws` that are alike in both JS packages (name, type,
/// doc and body): `method`, `divergences`, `chains`, `toJSON`, `kind`,
/// `seed` and `unit`. `draws_members!(#[ATTR] impl CLASS, ATTR)` writes
/// them in an impl block of `CLASS` (a struct with the core's
/// [`Draws`] in `inner`) under the class attribute `#[ATTR]` (`#[napi]` in
/// `clv-node`, `#[wasm_bindgen(js_class = Draws)]` in `clv-wasm`), each
/// method under that runtime's attribute (`napi`, `wasm_bindgen`).
#[macro_export]
macro_rules! draws_members {
    (#[$($class_attr:tt)*] impl $class:ty, $attr:ident) => {
        #[$($class_attr)*]
        impl $class {
            /// "laplace", "bootstrap" or "nuts".
            #[$attr(getter)]
            pub fn method(&self) -> String {
                self.inner.method().as_str().to_string()
            }

            /// Divergent transitions of NUTS draws; null for other methods.
            #[$attr(getter)]
            pub fn divergences(&self) -> Option<u32> {
                $crate::uncertainty::divergences(&self.inner)
            }

            /// The number of chains of NUTS draws (stored chain after chain); null for other methods.
            #[$attr(getter)]
            pub fn chains(&self) -> Option<u32> {
                $crate::uncertainty::chains(&self.inner)
            }

            /// The draws as JSON text (with chains, priors and divergences; numbers read back bit for bit).
            #[$attr(js_name = "toJSON")]
            pub fn to_json(&self) -> String {
                self.inner.to_json()
            }

            /// The registry key of the model.
            #[$attr(getter)]
            pub fn kind(&self) -> String {
                self.inner.kind().as_str().to_string()
            }

            /// The seed.
            #[$attr(getter)]
            pub fn seed(&self) -> f64 {
                $crate::uncertainty::seed(&self.inner)
            }

            /// The fitted model's time unit, or null.
            #[$attr(getter)]
            pub fn unit(&self) -> Option<String> {
                self.inner.unit().map(String::from)
            }
        }
    };
}
