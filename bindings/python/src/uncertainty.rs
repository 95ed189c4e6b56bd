//! `clv._clv.Draws`: parameter draws of a model with every prediction as
//! intervals ([`clv::uncertainty`]). Each method converts, calls the core
//! and converts back; results are dicts ([`Wrap`] of
//! [`clv::uncertainty::Intervals`]) that the Python layer turns into frames.
//! [`draws_methods!`] writes the methods that `Draws` and `GroupedDraws`
//! (`grouped.rs`) share.

use clv::bayes::{ParamSummary, Prior, PriorItem, SampleOptions};
use clv::models::whole_count;
use clv::uncertainty::{Data, Draws, Intervals, Spend};
use clv::value;
use pyo3::prelude::*;

use crate::conversion::{Floats, Wrap, arrays, columns, fit_options, slice};
use crate::error::{Res, enter, enter_data, enter_wrap};
use crate::models::PyModel;

/// Parameter draws of one model (`Model.draws`).
#[pyclass(module = "clv._clv", name = "Draws", frozen)]
pub(crate) struct PyDraws {
    pub(crate) inner: Draws,
}

pub(crate) type Out = Res<Wrap<Intervals>>;

/// The arrays of a transaction model's customers.
pub(crate) const TRANSACTION: &str = "frequency, recency and T";
/// The arrays of a spend model's customers.
pub(crate) const SPEND: &str = "frequency and monetary_value";
/// The arrays of a CLV's customers.
pub(crate) const CLV: &str = "frequency, recency, T and monetary_value";

/// `f` on the `N` arrays of the customers (`names` names them in an
/// error), the GIL released; the result through [`Wrap`].
pub(crate) fn per_customer<const N: usize, T: Send>(
    py: Python<'_>,
    customers: &[Floats<'_>],
    names: &'static str,
    f: impl FnOnce([&[f64]; N]) -> clv::Result<T> + Send,
) -> Res<Wrap<T>> {
    let c = arrays(customers);
    let cols = columns::<N>(&c, names)?;
    enter_wrap(py, || f(cols))
}

/// The sampler's settings as the Python layer passes them: chains, tune,
/// draws per chain, seed.
pub(crate) type Settings = (usize, u64, u64, u64);

/// The sampler's options from its settings (the others at their defaults).
pub(crate) fn sample_options((chains, tune, draws, seed): Settings) -> SampleOptions {
    SampleOptions {
        chains,
        tune,
        draws,
        seed,
        ..SampleOptions::default()
    }
}

/// `Model.draws` (in `models.rs`): converts and calls [`Draws::new`]
/// (with the data to resample when `inputs` are given).
pub(crate) fn draws(
    py: Python<'_>,
    model: &clv::AnyModel,
    method: &str,
    n: f64,
    seed: u64,
    inputs: Option<Vec<Floats<'_>>>,
    weights: Option<Floats<'_>>,
) -> Res<PyDraws> {
    let (method, n) = (method.parse()?, whole_count("n", n)? as usize);
    let o = fit_options(0.0, 1000.0, 1e-6, None)?;
    let new = |data: Option<Data<'_>>| Draws::new(model, method, n, seed, data, &o);
    let inner = match inputs {
        Some(x) => enter_data(py, &x, weights.as_ref(), |d| new(Some(d)))?,
        None => enter(py, || new(None))?,
    };
    Ok(PyDraws { inner })
}

/// One element of a prior as Python gives it: a string, a number (what
/// `float()` of it gives) or another object (its type name).
enum ReadItem {
    Text(String),
    Number(f64),
    Other(String),
}

impl ReadItem {
    fn item(&self) -> PriorItem<'_> {
        match self {
            ReadItem::Text(s) => PriorItem::Text(s),
            ReadItem::Number(v) => PriorItem::Number(*v),
            ReadItem::Other(t) => PriorItem::Other(t),
        }
    }
}

/// A prior `("gamma", 1, 1)` (a tuple or list, or the bare family name) as
/// items for the core, which parses and checks them
/// ([`Prior::from_items`]): every runtime gives the same errors.
fn prior_items(spec: &Bound<'_, PyAny>) -> Vec<ReadItem> {
    let read = |v: &Bound<'_, PyAny>| {
        if let Ok(s) = v.extract::<String>() {
            ReadItem::Text(s)
        } else if let Ok(x) = v.extract::<f64>() {
            ReadItem::Number(x)
        } else {
            let name = v
                .get_type()
                .name()
                .map_or_else(|_| "object".to_string(), |n| n.to_string());
            ReadItem::Other(name)
        }
    };
    let seq = spec
        .cast::<pyo3::types::PyTuple>()
        .map(|t| t.iter().collect::<Vec<_>>())
        .or_else(|_| {
            spec.cast::<pyo3::types::PyList>()
                .map(|l| l.iter().collect::<Vec<_>>())
        });
    match seq {
        Ok(items) => items.iter().map(read).collect(),
        Err(_) => vec![read(spec)],
    }
}

/// The priors as the core reads them: (parameter, `(family, *args)` as
/// the user wrote it), parsed and checked by [`Prior::from_items`].
fn priors(priors: &[(String, Bound<'_, PyAny>)]) -> clv::Result<Vec<(String, Prior)>> {
    let read = |(p, spec): &(String, Bound<'_, PyAny>)| {
        let items = prior_items(spec);
        let items: Vec<PriorItem<'_>> = items.iter().map(ReadItem::item).collect();
        Ok((p.clone(), Prior::from_items(&items, p)?))
    };
    priors.iter().map(read).collect()
}

/// `Model.sample` (Python layer): refuses priors with groups and
/// hyperpriors without ([`clv::bayes::check_prior_options`]).
#[pyfunction]
pub(crate) fn check_prior_options(grouped: bool, priors: bool, hyperpriors: bool) -> Res<()> {
    Ok(clv::bayes::check_prior_options(
        grouped,
        priors,
        hyperpriors,
    )?)
}

/// A sampler of `Model.sample` (Python layer): the pyfunction
/// `name(kind, inputs, weights, <its own arguments>, settings)` that reads
/// `kind` and its own arguments (`{ statements; }`, on this thread: they hold
/// Python objects), then runs `|data, options| core call` on the data set
/// with the GIL released and returns the draws as `class`.
macro_rules! sampler {
    ($(#[$doc:meta])* $name:ident($kind:ident, $($arg:ident: $ty:ty),*) -> $class:ident
        { $($read:stmt;)* } |$d:ident, $o:ident| $run:expr) => {
        $(#[$doc])*
        #[pyfunction]
        pub(crate) fn $name(
            py: Python<'_>,
            $kind: &str,
            inputs: Vec<$crate::conversion::Floats<'_>>,
            weights: Option<$crate::conversion::Floats<'_>>,
            $($arg: $ty,)*
            settings: $crate::uncertainty::Settings,
        ) -> $crate::error::Res<$class> {
            $($read;)*
            let $o = $crate::uncertainty::sample_options(settings);
            let run = |$d: clv::uncertainty::Data<'_>| $run;
            let inner = $crate::error::enter_data(py, &inputs, weights.as_ref(), run)?;
            Ok($class { inner })
        }
    };
}
pub(crate) use sampler;

sampler!(
    /// `Model.sample` (Python layer): converts and calls [`clv::bayes::sample`];
    /// `priors` are (parameter, `(family, *args)` as the user wrote it).
    sample(kind, priors: Vec<(String, Bound<'_, PyAny>)>) -> PyDraws {
        let (kind, given) = (kind.parse()?, self::priors(&priors)?);
    } |d, o| clv::bayes::sample(kind, d.inputs, d.weights, &given, &o)
);

/// The `#[pymethods]` of a draws class: its own methods (`$own`), then
/// those `Draws` and `GroupedDraws` share, each converting, calling the
/// core method of the same name and converting back. `$groups` names the
/// argument of grouped draws, one group label per customer, passed first
/// to the core; the class's `model_unit` is the unit of its CLV.
///
/// The per-customer predictions come from a table, one per entry: `"doc"
/// name(own arguments) { conversions } columns |customers' arrays,
/// quantiles| core method(arguments);`, each taking its own arguments, the
/// customers' arrays (`columns` names them) and the quantiles, and calling
/// the core through [`per_customer`]; the `@with` rules write one entry at
/// a time, then the `#[pymethods]`.
macro_rules! draws_methods {
    ($class:ident($inner:ty, $summary:ty $(, $groups:ident)?) { $($own:tt)* }) => {
        $crate::uncertainty::draws_methods!(@with $class [$($groups)?] {
            $($own)*

            /// Per parameter: mean, sd, q05, q95, r_hat, ess_bulk, ess_tail,
            /// divergences (`clv::bayes`).
            fn summary(&self) -> Res<Vec<Wrap<$summary>>> {
                Ok(self.inner.summary()?.into_iter().map(Wrap).collect())
            }

            /// The draws as JSON (`to_json` of the core).
            fn to_json(&self) -> String {
                self.inner.to_json()
            }

            /// Reads what `to_json` wrote.
            #[staticmethod]
            fn from_json(text: &str) -> Res<Self> {
                Ok(Self { inner: <$inner>::from_json(text)? })
            }

            /// The seed.
            fn seed(&self) -> u64 {
                self.inner.seed()
            }

            /// The registry key of the model.
            fn kind(&self) -> &'static str {
                self.inner.kind().as_str()
            }

            fn __len__(&self) -> usize {
                self.inner.len()
            }

            /// E[X(t)] of a new customer for each `t`.
            fn expected_purchases_new(
                &self,
                py: Python<'_>,
                $($groups: Vec<String>,)?
                t: Floats<'_>,
                quantiles: Vec<f64>,
            ) -> Out {
                let t = slice(&t);
                enter_wrap(py, || self.inner.expected_purchases_new($(&$groups,)? &t, &quantiles))
            }

            /// P(X(t) = n) of a new customer (`n` and `t` broadcast).
            fn prob_purchases(
                &self,
                py: Python<'_>,
                $($groups: Vec<String>,)?
                n: Floats<'_>,
                t: Floats<'_>,
                quantiles: Vec<f64>,
            ) -> Out {
                let (n, t) = (slice(&n), slice(&t));
                enter_wrap(py, || self.inner.prob_purchases($(&$groups,)? &n, &t, &quantiles))
            }

            /// Discounted CLV with intervals; the spend from a spend `Model` or
            /// spend `Draws` (paired by index). Units as `customer_lifetime_value`.
            #[pyo3(signature = (
                $($groups,)? spend, customers, time, discount_rate, quantiles, freq=None,
                data_unit=None
            ))]
            #[allow(clippy::too_many_arguments)]
            fn customer_lifetime_value(
                &self,
                py: Python<'_>,
                $($groups: Vec<String>,)?
                spend: &Bound<'_, PyAny>,
                customers: Vec<Floats<'_>>,
                time: f64,
                discount_rate: f64,
                quantiles: Vec<f64>,
                freq: Option<&str>,
                data_unit: Option<&str>,
            ) -> Out {
                let (time, ppm) = clv_units(time, freq, self.model_unit(), data_unit)?;
                let c = arrays(&customers);
                let [x, tx, t, m] = columns(&c, CLV)?;
                let (d, q) = (discount_rate, &quantiles);
                with_spend(spend, |s| {
                    let f = || {
                        self.inner
                            .customer_lifetime_value($(&$groups,)? s, x, tx, t, m, time, d, ppm, q)
                    };
                    enter_wrap(py, f)
                })
            }
        }
            "P(alive) with intervals; `customers` = [frequency, recency, T]."
            prob_alive() {} TRANSACTION |[x, tx, t], quantiles| prob_alive(x, tx, t, &quantiles);
            "Expected purchases in the next `horizon` (one value or one per customer)."
            expected_purchases(horizon: Floats<'_>) { let h = slice(&horizon); }
                TRANSACTION |[x, tx, t], quantiles| expected_purchases(&h, x, tx, t, &quantiles);
            "DERT with intervals, where the model has it."
            dert(discount: f64) {} TRANSACTION |[x, tx, t], quantiles| dert(discount, x, tx, t, &quantiles);
            "Expected spend with intervals; `customers` = [frequency, monetary_value]."
            expected_spend() {} SPEND |[x, m], quantiles| expected_spend(x, m, &quantiles);
        );
    };
    (@with $class:ident [$($groups:ident)?] { $($done:tt)* }
        $doc:literal $name:ident($($s:ident: $t:ty),*) { $($conv:stmt;)* } $cols:ident
        |$c:pat, $q:ident| $method:ident($($a:expr),*); $($rest:tt)*) => {
        $crate::uncertainty::draws_methods!(@with $class [$($groups)?] {
            $($done)*

            #[doc = $doc]
            fn $name(
                &self,
                py: Python<'_>,
                $($groups: Vec<String>,)?
                $($s: $t,)*
                customers: Vec<Floats<'_>>,
                $q: Vec<f64>,
            ) -> Out {
                $($conv;)*
                $crate::uncertainty::per_customer(py, &customers, $cols, |$c| {
                    self.inner.$method($(&$groups,)? $($a),*)
                })
            }
        } $($rest)*);
    };
    (@with $class:ident [$($groups:ident)?] { $($done:tt)* }) => {
        #[pymethods]
        impl $class {
            $($done)*
        }
    };
}
pub(crate) use draws_methods;

draws_methods!(PyDraws(Draws, ParamSummary) {
    /// "laplace", "bootstrap" or "nuts".
    fn method(&self) -> &'static str {
        self.inner.method().as_str()
    }

    /// NUTS draws: (chains, tune, draws per chain, divergent draw indices,
    /// priors as (family, arguments)); None for other methods.
    #[allow(clippy::type_complexity)]
    fn nuts(&self) -> Option<(usize, u64, usize, Vec<usize>, Vec<(&'static str, Vec<f64>)>)> {
        self.inner.nuts().map(|n| {
            let priors = n.priors.iter().map(|p| (p.family(), p.args())).collect();
            (n.chains, n.tune, n.draws, n.divergent.clone(), priors)
        })
    }

    /// The fitted model's time unit.
    fn unit(&self) -> Option<&str> {
        self.inner.unit()
    }

    /// The drawn parameter vectors (one list per draw, in the model's order).
    fn values(&self) -> Vec<Vec<f64>> {
        self.inner.values()
    }

    /// sBG survival S(t) with intervals.
    fn survival(&self, py: Python<'_>, t: Floats<'_>, quantiles: Vec<f64>) -> Out {
        let t = slice(&t);
        enter_wrap(py, || self.inner.survival(&t, &quantiles))
    }

    /// sBG retention r(t) with intervals.
    fn retention(&self, py: Python<'_>, t: Floats<'_>, quantiles: Vec<f64>) -> Out {
        let t = slice(&t);
        enter_wrap(py, || self.inner.retention(&t, &quantiles))
    }
});

impl PyDraws {
    /// The unit of a CLV's transaction model: the fitted model's.
    fn model_unit(&self) -> Option<&str> {
        self.inner.unit()
    }
}

/// The months and the periods per month of a CLV (`customer_lifetime_value`).
pub(crate) fn clv_units(
    time: f64,
    freq: Option<&str>,
    model_unit: Option<&str>,
    data_unit: Option<&str>,
) -> Res<(u32, f64)> {
    let time = whole_count("time", time)?;
    let unit = value::resolve_unit(&[
        ("freq", freq),
        ("the transaction model", model_unit),
        ("the data", data_unit),
    ])?;
    Ok((time, value::periods_per_month(&unit)?))
}

/// `f` with the spend of a CLV: a spend `Model` or spend `Draws`.
pub(crate) fn with_spend<R>(
    spend: &Bound<'_, PyAny>,
    f: impl FnOnce(Spend<'_>) -> Res<R>,
) -> Res<R> {
    let (model, draws) = (spend.cast::<PyModel>().ok(), spend.cast::<PyDraws>().ok());
    match (model.map(|m| m.get()), draws.map(|d| d.get())) {
        (Some(m), _) => f(Spend::Model(&m.inner)),
        (_, Some(d)) => f(Spend::Draws(&d.inner)),
        _ => Err(
            clv::Error::invalid("spend", "another object", "a spend model or spend draws").into(),
        ),
    }
}
