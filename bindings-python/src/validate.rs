//! `validate` and `Report`: wrappers of `ocikit_core::validate`.

use crate::text::Text;
use ocikit_core::{Kind, Report, validate as core_validate};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::buffer::{DETACH_THRESHOLD, Document};
use crate::finding::PyFinding;
use crate::repr::call_repr;

/// Validates `document` (bytes, str or any buffer) as a `kind` of OCI document: every finding
/// at once, each with its code, severity, JSON pointer and rule.
///
/// `kind` is `"manifest"`, `"index"`, `"descriptor"`, `"config"`, `"layout"` (the `oci-layout`
/// file), or `None` to tell the kind from the document. Documents of 16 KiB and more are
/// validated with the GIL released.
#[pyfunction]
#[pyo3(signature = (document, kind = None))]
pub(crate) fn validate(
    py: Python<'_>,
    document: &Bound<'_, PyAny>,
    kind: Option<Text>,
) -> PyResult<PyReport> {
    let kind = kind.as_deref().map(kind_arg).transpose()?;
    let document = Document::new(document)?;
    let bytes = document.as_slice()?;
    let report = if bytes.len() >= DETACH_THRESHOLD {
        py.detach(|| core_validate(bytes, kind))
    } else {
        core_validate(bytes, kind)
    };
    Ok(PyReport(report))
}

fn kind_arg(name: &str) -> PyResult<Kind> {
    Kind::parse(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "kind must be 'manifest', 'index', 'descriptor', 'config', 'layout' or None, not {name:?}"
        ))
    })
}

/// The outcome of `validate`: whether the document is valid, its kind, and what was found.
#[pyclass(name = "Report", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyReport(pub(crate) Report);

#[pymethods]
impl PyReport {
    /// True iff no finding is an error.
    #[getter]
    fn valid(&self) -> bool {
        self.0.valid
    }

    /// The kind validated against (given or detected), or `None` when the input is not JSON
    /// or its kind cannot be told.
    #[getter]
    fn kind(&self) -> Option<&'static str> {
        self.0.kind.map(Kind::as_str)
    }

    /// Everything found, in document order.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.findings.iter().cloned().map(PyFinding))
    }

    /// The report as a dict: `valid`, `kind`, `findings` (a list of finding dicts) — the JSON
    /// shape the other languages and `ocikit validate --format json` use.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("valid", self.0.valid)?;
        dict.set_item("kind", self.kind())?;
        let findings = PyList::empty(py);
        for finding in &self.0.findings {
            findings.append(PyFinding(finding.clone()).to_dict(py)?)?;
        }
        dict.set_item("findings", findings)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Report",
            &[
                (
                    "valid",
                    self.0.valid.into_pyobject(py)?.to_owned().into_any(),
                ),
                ("kind", self.kind().into_pyobject(py)?.into_any()),
                ("findings", self.findings(py)?.into_any()),
            ],
        )
    }
}
