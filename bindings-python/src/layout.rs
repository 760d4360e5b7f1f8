//! `Layout` (the `index.json` of an image layout, with tags) and `verify_layout`: wrappers of
//! `ocikit_core::layout`. Reading and writing the files is Python's job (`ocikit.OciLayout`).

use crate::text::Text;
use ocikit_core::layout::{self, Layout, LayoutSource};
use ocikit_core::{Algorithm, Digest};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::buffer::ByteView;
use crate::descriptor::PyDescriptor;
use crate::digest::digest_arg;
use crate::errors::OrRaise;
use crate::validate::PyReport;

/// The `index.json` of an OCI image layout: its entries and their tags
/// (`org.opencontainers.image.ref.name`). It plans what to write; it reads and writes nothing.
#[pyclass(name = "Layout", module = "ocikit")]
#[derive(Debug)]
pub(crate) struct PyLayout(Layout);

#[pymethods]
impl PyLayout {
    /// An empty layout index.
    #[new]
    fn new() -> Self {
        Self(Layout::new())
    }

    /// Reads an existing `index.json` (bytes, or any buffer).
    #[staticmethod]
    fn from_index_json(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let view = ByteView::new(data)?;
        Layout::from_index_json(view.as_slice())
            .map(Self)
            .or_raise(py)
    }

    /// Adds a manifest or index descriptor, tagged when `tag` is given. A tag names one entry:
    /// tagging moves it from any other entry. An untagged entry is added once per digest.
    #[pyo3(signature = (descriptor, tag = None))]
    fn add(&mut self, py: Python<'_>, descriptor: PyDescriptor, tag: Option<Text>) -> PyResult<()> {
        self.0.add(descriptor.0, tag.as_deref()).or_raise(py)
    }

    /// The entry a tag or a digest names, or `None`.
    fn resolve(&self, reference: Text) -> Option<PyDescriptor> {
        self.0.resolve(&reference).cloned().map(PyDescriptor)
    }

    /// The tags, in index order.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.tags())
    }

    /// The entries of `index.json`.
    #[getter]
    fn manifests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.manifests().iter().cloned().map(PyDescriptor))
    }

    /// The bytes of `index.json`.
    fn index_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.index_json())
    }

    /// The path of a blob inside a layout, `blobs/<algorithm>/<encoded>`.
    #[staticmethod]
    fn blob_path(py: Python<'_>, digest: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(layout::blob_path(&digest_arg(py, digest)?))
    }

    /// The content of the `oci-layout` file ocikit writes.
    #[classattr]
    #[pyo3(name = "OCI_LAYOUT_CONTENT")]
    fn oci_layout_content(py: Python<'_>) -> Bound<'_, PyBytes> {
        PyBytes::new(py, layout::OCI_LAYOUT_CONTENT)
    }

    /// Manifests and indexes larger than this many bytes are not read into memory.
    #[classattr]
    #[pyo3(name = "MAX_DOCUMENT_BYTES")]
    fn max_document_bytes() -> u64 {
        layout::MAX_DOCUMENT_BYTES
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<Layout entries={} tags={}>",
            self.0.manifests().len(),
            self.tags(py)?.repr()?
        ))
    }
}

/// Verifies an image layout through two callables: `read(path) -> bytes | None` returns a small
/// file of the layout (`None` if absent) and `digest(path, algorithm) -> (str, int) | None`
/// returns a blob's digest and size, streaming it. An exception from either is re-raised.
#[pyfunction]
pub(crate) fn verify_layout(
    read: Bound<'_, PyAny>,
    digest: Bound<'_, PyAny>,
) -> PyResult<PyReport> {
    let mut source = CallbackSource {
        read,
        digest,
        error: None,
    };
    let report = layout::verify(&mut source);
    match source.error {
        Some(error) => Err(error),
        None => Ok(PyReport(report)),
    }
}

/// A [`LayoutSource`] that calls back into Python. The trait has no error channel, so the
/// first exception is kept (and every later call answers `None` at once) and raised when
/// `verify` returns.
#[derive(Debug)]
struct CallbackSource<'py> {
    read: Bound<'py, PyAny>,
    digest: Bound<'py, PyAny>,
    error: Option<PyErr>,
}

impl CallbackSource<'_> {
    fn keep<T>(&mut self, result: PyResult<Option<T>>) -> Option<T> {
        result.unwrap_or_else(|error| {
            self.error.get_or_insert(error);
            None
        })
    }
}

impl LayoutSource for CallbackSource<'_> {
    fn read(&mut self, path: &str) -> Option<Vec<u8>> {
        if self.error.is_some() {
            return None;
        }
        let result = self.read.call1((path,)).and_then(|bytes| {
            if bytes.is_none() {
                return Ok(None);
            }
            Ok(Some(ByteView::new(&bytes)?.as_slice().to_vec()))
        });
        self.keep(result)
    }

    fn digest(&mut self, path: &str, algorithm: &Algorithm) -> Option<(Digest, u64)> {
        if self.error.is_some() {
            return None;
        }
        let py = self.digest.py();
        let result = self
            .digest
            .call1((path, algorithm.as_str()))
            .and_then(|answer| {
                if answer.is_none() {
                    return Ok(None);
                }
                let (digest, size): (Bound<'_, PyAny>, u64) = answer.extract()?;
                Ok(Some((digest_arg(py, &digest)?, size)))
            });
        self.keep(result)
    }
}
