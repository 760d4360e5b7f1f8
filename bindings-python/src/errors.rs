//! The one mapping from a core [`Error`] to a Python exception.
//!
//! The exception classes are defined in Python (`ocikit/errors.py`), where users can read and
//! subclass them; this module only looks the class up by the error's code.

use ocikit_core::{Detail, Error};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyList, PyType};

static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static OCI_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static REGISTRY_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The Python exception for `err`: an instance of the class `ocikit.errors` maps its code to
/// (`OciError` when none; at least `RegistryError` for a registry's answer), with `.code` and
/// `.details`.
pub(crate) fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    build(py, err).unwrap_or_else(|failure| failure)
}

/// The class `ocikit.errors` maps `code` to, `OciError` when none.
fn class_of<'py>(py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyAny>> {
    let classes = CLASSES.import(py, "ocikit.errors", "_CLASSES")?;
    Ok(match classes.get_item(code)? {
        Some(class) => class,
        None => OCI_ERROR
            .import(py, "ocikit.errors", "OciError")?
            .clone()
            .into_any(),
    })
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let mut class = class_of(py, err.code())?;
    if matches!(err, Error::Registry { .. }) {
        // A registry's answer is a RegistryError (it takes `status` and `errors`) even when its
        // code is one that validation shares, such as DIGEST_INVALID or SIZE_INVALID.
        let registry = REGISTRY_ERROR.import(py, "ocikit.errors", "RegistryError")?;
        if !class.cast::<PyType>()?.is_subclass(registry)? {
            class = registry.clone().into_any();
        }
    }
    let details = PyDict::new(py);
    for (name, value) in err.details() {
        match value {
            Detail::Text(text) => details.set_item(name, text)?,
            Detail::Size(size) => details.set_item(name, size)?,
        }
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", err.code())?;
    kwargs.set_item("details", details)?;
    if let Error::Registry { status, errors } = err {
        // RegistryError(status=…, errors=[{code, message, detail}]): `detail` is any JSON value.
        let loads = py.import("json")?.getattr("loads")?;
        let entries = PyList::empty(py);
        for entry in errors {
            let item = PyDict::new(py);
            item.set_item("code", &entry.code)?;
            item.set_item("message", &entry.message)?;
            match &entry.detail {
                Some(detail) => item.set_item("detail", loads.call1((detail,))?)?,
                None => item.set_item("detail", py.None())?,
            }
            entries.append(item)?;
        }
        kwargs.set_item("status", status)?;
        kwargs.set_item("errors", entries)?;
    }
    let exception = class.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}

/// Raises core errors as their Python exceptions: `core_call().or_raise(py)?`.
pub(crate) trait OrRaise<T> {
    /// The value, or the Python exception for the core error.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|err| to_py_err(py, &err))
    }
}

/// A bound of `Limits` or `WalkLimits`: `None` keeps the default, anything else must be a whole
/// number from 0 to `max`. A bool, a float, a string or a number out of range is a
/// `ValidationError` with code `OPTIONS_INVALID` naming the field (`WalkLimits.max_depth`),
/// raised when the object is made, not when a transfer first uses it.
pub(crate) fn bound_arg(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
    max: u64,
) -> PyResult<Option<u64>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if !value.is_instance_of::<PyBool>() {
        if let Ok(number) = value.extract::<i128>() {
            if let Ok(bound) = u64::try_from(number) {
                if bound <= max {
                    return Ok(Some(bound));
                }
            }
        }
    }
    let py = value.py();
    // As Python writes the core's unsigned ranges (UnpackLimits says the same).
    let top = match max {
        u64::MAX => "2**64 - 1".to_owned(),
        top if top == u64::from(u32::MAX) => "2**32 - 1".to_owned(),
        top => top.to_string(),
    };
    let reason = format!("{field} must be a whole number from 0 to {top}");
    let message = format!("{reason}, not {}", value.repr()?);
    let class = class_of(py, "OPTIONS_INVALID")?;
    let details = PyDict::new(py);
    details.set_item("reason", reason)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", "OPTIONS_INVALID")?;
    kwargs.set_item("details", details)?;
    Err(PyErr::from_value(class.call((message,), Some(&kwargs))?))
}
