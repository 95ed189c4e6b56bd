//! The one error mapping of the binding: every core [`clv::Error`] becomes
//! `clv.ClvError` (a `ValueError`) with the attributes `code` and `field`
//! (polars' `PyPolarsErr` shape: a local wrapper, so that `?` converts core
//! errors and Python errors alike). [`enter`] and its variants run the core
//! with the GIL released.

use clv::uncertainty::Data;
use numpy::{Element, PyArray1};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::conversion::{Floats, Wrap, array, arrays, borrow, slice};

create_exception!(
    clv,
    ClvError,
    PyValueError,
    "Invalid input or a failed computation in clv. Subclasses ValueError; `code` is the \
     stable error code (e.g. \"INVALID_INPUT\", \"LENGTH_MISMATCH\") and `field` the \
     argument, column or parameter at fault (or None)."
);

/// An error of a binding function: the core's or Python's.
pub(crate) enum PyClvErr {
    Core(clv::Error),
    Python(PyErr),
}

/// The result type of every binding function.
pub(crate) type Res<T> = Result<T, PyClvErr>;

impl From<clv::Error> for PyClvErr {
    fn from(e: clv::Error) -> Self {
        PyClvErr::Core(e)
    }
}

impl From<PyErr> for PyClvErr {
    fn from(e: PyErr) -> Self {
        PyClvErr::Python(e)
    }
}

impl From<PyClvErr> for PyErr {
    fn from(e: PyClvErr) -> PyErr {
        let e = match e {
            PyClvErr::Python(e) => return e,
            PyClvErr::Core(e) => e,
        };
        Python::attach(|py| {
            let err = ClvError::new_err(e.to_string());
            let value = err.value(py);
            // Setting attributes on a fresh exception instance cannot fail in
            // practice; if it did, the message alone still says everything.
            let _ = value.setattr("code", e.code());
            let _ = value.setattr("field", e.field());
            err
        })
    }
}

/// Runs a core computation with the GIL released.
pub(crate) fn enter<T: Send>(py: Python<'_>, f: impl FnOnce() -> clv::Result<T> + Send) -> Res<T> {
    Ok(py.detach(f)?)
}

/// [`enter`], the result converted to Python through [`Wrap`].
pub(crate) fn enter_wrap<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> clv::Result<T> + Send,
) -> Res<Wrap<T>> {
    enter(py, f).map(Wrap)
}

/// [`enter`], the result as a new numpy array.
pub(crate) fn enter_array<'py, T: Element + Send>(
    py: Python<'py>,
    f: impl FnOnce() -> clv::Result<Vec<T>> + Send,
) -> Res<Bound<'py, PyArray1<T>>> {
    Ok(array(py, enter(py, f)?))
}

/// The columns and weights of a data set as the core's [`Data`], and `f`
/// on them with the GIL released.
pub(crate) fn enter_data<R: Send>(
    py: Python<'_>,
    inputs: &[Floats<'_>],
    weights: Option<&Floats<'_>>,
    f: impl FnOnce(Data<'_>) -> clv::Result<R> + Send,
) -> Res<R> {
    let cols = arrays(inputs);
    let (inputs, w) = (borrow(&cols), weights.map(slice));
    let data = Data {
        inputs: &inputs,
        weights: w.as_deref(),
    };
    enter(py, || f(data))
}
