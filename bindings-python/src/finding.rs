//! `Finding`: a wrapper of `ocikit_core::Finding`.

use ocikit_core::Finding;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// One thing a lint or validation found.
#[pyclass(name = "Finding", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyFinding(pub(crate) Finding);

#[pymethods]
impl PyFinding {
    /// The stable code, e.g. `"MEDIA_TYPE_NO_VERSION"`.
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code
    }

    /// `"error"` or `"warning"`.
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity.as_str()
    }

    /// JSON pointer to the offending value (`""` for the whole input).
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// A sentence for people.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// The rule broken, e.g. `"RFC 6838 §4.2"`.
    #[getter]
    fn rule(&self) -> &'static str {
        self.0.rule
    }

    /// The finding as a dict with the keys `code`, `severity`, `path`, `message`, `rule`.
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("code", self.0.code)?;
        dict.set_item("severity", self.0.severity.as_str())?;
        dict.set_item("path", &self.0.path)?;
        dict.set_item("message", &self.0.message)?;
        dict.set_item("rule", self.0.rule)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let repr = |text: &str| -> PyResult<String> {
            Ok(PyString::new(py, text).repr()?.to_cow()?.into_owned())
        };
        Ok(format!(
            "Finding(code={}, severity={}, path={}, message={}, rule={})",
            repr(self.0.code)?,
            repr(self.0.severity.as_str())?,
            repr(&self.0.path)?,
            repr(&self.0.message)?,
            repr(self.0.rule)?,
        ))
    }
}
