//! `Reference`: a wrapper of `ocikit_core::Reference`.

use crate::text::Text;
use ocikit_core::Reference;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::OrRaise;

/// A registry reference, `registry/repository[:tag][@digest]`; immutable, hashable, picklable.
#[pyclass(name = "Reference", module = "ocikit", frozen, eq, hash)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyReference(pub(crate) Reference);

#[pymethods]
impl PyReference {
    /// Parses `registry/repository[:tag][@digest]` (the first component is always the
    /// registry, as ORAS reads references).
    #[staticmethod]
    fn parse(py: Python<'_>, text: Text) -> PyResult<Self> {
        Reference::parse(&text).map(Self).or_raise(py)
    }

    /// Parses a reference that may be relative to `registry` (`"py/app:v1"` is
    /// `registry/py/app:v1`): the first component names a registry only when it looks like a
    /// host (a `.` or `:`, or `localhost`) or is `registry` itself.
    #[staticmethod]
    fn parse_relative(py: Python<'_>, text: Text, registry: Text) -> PyResult<Self> {
        Reference::parse_relative(&text, &registry)
            .map(Self)
            .or_raise(py)
    }

    /// The registry host, with its port if it has one.
    #[getter]
    fn registry(&self) -> &str {
        self.0.registry()
    }

    /// The repository path.
    #[getter]
    fn repository(&self) -> &str {
        self.0.repository()
    }

    /// The tag, or `None`.
    #[getter]
    fn tag(&self) -> Option<&str> {
        self.0.tag()
    }

    /// The digest, or `None`.
    #[getter]
    fn digest(&self) -> Option<String> {
        self.0.digest().map(ToString::to_string)
    }

    /// What to ask the registry for: the digest if there is one, else the tag, else `"latest"`.
    #[getter]
    fn target(&self) -> String {
        self.0.target()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        // References hold only ASCII characters Python's repr leaves alone.
        format!("Reference('{}')", self.0)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let parse = slf.get_type().getattr("parse")?;
        let args = PyTuple::new(slf.py(), [slf.get().0.to_string()])?;
        Ok((parse, args))
    }
}
