//! `MediaType` and `ArtifactMediaType`: wrappers of `ocikit_core::media_type`.

use crate::text::Text;
use ocikit_core::{ArtifactMediaType, MediaType, Role};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::OrRaise;
use crate::finding::PyFinding;

/// A media type name that satisfies RFC 6838 §4.2.
#[pyclass(name = "MediaType", module = "ocikit", frozen, eq, hash)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyMediaType(MediaType);

#[pymethods]
impl PyMediaType {
    /// Parses a media type name such as `application/vnd.oci.image.manifest.v1+json`.
    #[staticmethod]
    fn parse(py: Python<'_>, text: Text) -> PyResult<Self> {
        MediaType::parse(&text).map(Self).or_raise(py)
    }

    /// The top-level type, e.g. `"application"`.
    #[getter(r#type)]
    fn type_name(&self) -> &str {
        self.0.type_name()
    }

    /// The subtype, e.g. `"vnd.oci.image.manifest.v1+json"`.
    #[getter]
    fn subtype(&self) -> &str {
        self.0.subtype()
    }

    /// The registration tree: `"vnd"`, `"prs"`, `"x"`, or `""` for the standards tree.
    #[getter]
    fn tree(&self) -> &'static str {
        self.0.tree().facet()
    }

    /// The structured syntax suffix, e.g. `"json"`, or `None`.
    #[getter]
    fn suffix(&self) -> Option<&str> {
        self.0.suffix()
    }

    /// The parts of an artifact type name, or `None` when the name does not follow the
    /// convention (`lint` says why).
    #[getter]
    fn artifact(&self) -> Option<PyArtifactMediaType> {
        self.0.artifact().map(PyArtifactMediaType)
    }

    /// Whether an OCI or Docker specification defines this type.
    #[getter]
    fn is_spec_defined(&self) -> bool {
        self.0.is_spec_defined()
    }

    /// Warnings about the name; `role` (`"config"`, `"layer"` or `None`) says where it is used.
    #[pyo3(signature = (role = None))]
    fn lint(&self, role: Option<Text>) -> PyResult<Vec<PyFinding>> {
        let role = role
            .as_deref()
            .map(|text| {
                Role::parse(text).ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "role must be 'config', 'layer' or None, not {text:?}"
                    ))
                })
            })
            .transpose()?;
        Ok(self.0.lint(role).into_iter().map(PyFinding).collect())
    }

    fn __str__(&self) -> &str {
        self.0.as_str()
    }

    fn __repr__(&self) -> String {
        format!("MediaType('{}')", self.0)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let parse = slf.get_type().getattr("parse")?;
        let args = PyTuple::new(slf.py(), [slf.get().0.as_str()])?;
        Ok((parse, args))
    }
}

/// The parts of a media type that follows the artifact naming convention
/// `application/vnd.<org>.<objectType>[.<subType>…].(config|layer).<version>[+<format>]`.
#[pyclass(name = "ArtifactMediaType", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyArtifactMediaType(ArtifactMediaType);

#[pymethods]
impl PyArtifactMediaType {
    /// The organisation that owns the name, e.g. `"cncf"`.
    #[getter]
    fn org(&self) -> &str {
        &self.0.org
    }

    /// What kind of thing the artifact is, e.g. `"helm"`.
    #[getter]
    fn object_type(&self) -> &str {
        &self.0.object_type
    }

    /// Narrower kinds, e.g. `("chart",)`.
    #[getter]
    fn sub_types<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.sub_types)
    }

    /// `"config"` or `"layer"`.
    #[getter]
    fn role(&self) -> &'static str {
        self.0.role.as_str()
    }

    /// The version segment, e.g. `"v1"`, or `None`.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.0.version.as_deref()
    }

    /// What follows the version, e.g. `"json"` or `"tar+gzip"`, or `None`.
    #[getter]
    fn format(&self) -> Option<&str> {
        self.0.format.as_deref()
    }

    /// The parts as a dict with the JSON (camelCase) keys the other languages use.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("org", &self.0.org)?;
        dict.set_item("objectType", &self.0.object_type)?;
        dict.set_item("subTypes", &self.0.sub_types)?;
        dict.set_item("role", self.0.role.as_str())?;
        dict.set_item("version", &self.0.version)?;
        dict.set_item("format", &self.0.format)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        let parts = &self.0;
        format!(
            "ArtifactMediaType(org='{}', object_type='{}', sub_types={}, role='{}', version={}, format={})",
            parts.org,
            parts.object_type,
            py_tuple_repr(&parts.sub_types),
            parts.role.as_str(),
            py_optional_repr(parts.version.as_deref()),
            py_optional_repr(parts.format.as_deref()),
        )
    }
}

// Media type names only hold RFC 6838 restricted-name characters, none of which Python's repr
// escapes, so quoting them is their exact repr.

fn py_optional_repr(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("'{v}'"))
}

fn py_tuple_repr(items: &[String]) -> String {
    match items {
        [one] => format!("('{one}',)"),
        _ => format!(
            "({})",
            items
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
