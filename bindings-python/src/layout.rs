//! `Layout` (the `index.json` of an image layout, with tags) and `verify_layout`: wrappers of
//! `ocikit_core::layout`, and `LayoutServer` (a layout answering the registry engine's
//! requests, step by step). Reading and writing the files is Python's job (`ocikit.OciLayout`).

use crate::text::Text;
use std::sync::Mutex;

use ocikit_core::layout::{
    self, Layout, LayoutExchange, LayoutInput, LayoutServer, LayoutSource, LayoutStep,
};
use ocikit_core::{Algorithm, Digest};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::buffer::ByteView;
use crate::descriptor::PyDescriptor;
use crate::digest::digest_arg;
use crate::errors::OrRaise;
use crate::registry::{PyRequest, PyResponse};
use crate::sync::lock;
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

    /// What resolving `reference` in the layout gives once its server found `found`: the entry
    /// for it when it names the same digest (with its tag and artifact type), else `found`.
    fn resolved(&self, reference: Text, found: PyDescriptor) -> PyDescriptor {
        PyDescriptor(self.0.resolved(&reference, found.0))
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

/// A layout served as a registry (`ocikit_core::layout::LayoutServer`): it answers the
/// requests the engine makes for a layout's pseudo host ([`layout_host`]) by planning file
/// steps, which the host carries out on the layout (`ocikit.OciLayout`: a directory). It holds
/// `index.json` in memory once read; `index_max` bounds that read (`LIMIT_EXCEEDED` past).
/// Thread-safe: exchanges of one server may run on several threads, provided the host holds
/// one lock from the step that returns a `"write"` of `index.json` until it has called
/// `written` for it (so no update of `index.json` is lost).
#[pyclass(name = "LayoutServer", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyLayoutServer(Mutex<LayoutServer>);

#[pymethods]
impl PyLayoutServer {
    #[new]
    #[pyo3(signature = (index_max = layout::server::INDEX_MAX))]
    fn new(index_max: u64) -> Self {
        Self(Mutex::new(LayoutServer::with_index_max(index_max)))
    }

    /// Forgets `index.json` (read again by the next exchange that needs it).
    fn reload(&self, py: Python<'_>) {
        lock(py, &self.0).reload();
    }

    /// The exchange that answers `request` (one the engine made for this layout's host).
    fn exchange(slf: Py<Self>, request: PyRef<'_, PyRequest>) -> PyLayoutExchange {
        PyLayoutExchange {
            exchange: Mutex::new(LayoutExchange::new(&request.0)),
            server: slf,
        }
    }

    fn __repr__(&self) -> &'static str {
        "<LayoutServer>"
    }
}

/// The answer to one request (made by :meth:`LayoutServer.exchange`), worked out step by
/// step: call `start()`, then after each step the method that reports its result (`read`,
/// `stat`, `written`, `received`) until a `"respond"` step. Every method returns the next :class:`LayoutStep`; an error is raised as
/// the `OciError` of its code (`LIMIT_EXCEEDED`, `DIGEST_MISMATCH`, the index's validation
/// code, `OPERATION_MISUSE` for a result that does not answer the last step).
#[pyclass(name = "LayoutExchange", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyLayoutExchange {
    exchange: Mutex<LayoutExchange>,
    server: Py<PyLayoutServer>,
}

impl PyLayoutExchange {
    fn step(&self, py: Python<'_>, input: LayoutInput) -> PyResult<PyLayoutStep> {
        let mut exchange = lock(py, &self.exchange);
        let mut server = lock(py, &self.server.get().0);
        exchange
            .next(&mut server, input)
            .map(PyLayoutStep)
            .or_raise(py)
    }
}

#[pymethods]
impl PyLayoutExchange {
    /// The first step.
    fn start(&self, py: Python<'_>) -> PyResult<PyLayoutStep> {
        self.step(py, LayoutInput::Start)
    }

    /// After a `"read"` step: the file's bytes (at most `max + 1`), or `None` when absent.
    fn read(&self, py: Python<'_>, data: Option<Bound<'_, PyAny>>) -> PyResult<PyLayoutStep> {
        let bytes = match data.filter(|d| !d.is_none()) {
            None => None,
            Some(data) => Some(ByteView::new(&data)?.as_slice().to_vec()),
        };
        self.step(py, LayoutInput::Read(bytes))
    }

    /// After a `"stat"` step: the file's size, or `None` when absent.
    fn stat(&self, py: Python<'_>, size: Option<u64>) -> PyResult<PyLayoutStep> {
        self.step(py, LayoutInput::Stat(size))
    }

    /// After a `"write"` or `"remove"` step: done.
    fn written(&self, py: Python<'_>) -> PyResult<PyLayoutStep> {
        self.step(py, LayoutInput::Written)
    }

    /// After a `"receive"` step: the digest and size of the body received.
    fn received(
        &self,
        py: Python<'_>,
        digest: Bound<'_, PyAny>,
        size: u64,
    ) -> PyResult<PyLayoutStep> {
        let digest = digest_arg(py, &digest)?;
        self.step(py, LayoutInput::Received { digest, size })
    }
}

/// A file step of a :class:`LayoutExchange`. ``kind`` is ``"read"`` (read ``path``, at most
/// ``max + 1`` bytes), ``"stat"`` (the size of ``path``), ``"write"`` (replace ``path`` with
/// ``data`` atomically), ``"receive"`` (the request's blob body into a temporary file, hashed;
/// report what it hashed to with ``received``, and rename it to ``path`` only when the next
/// step answers 201: the server compares it with ``digest`` and ``size``), ``"remove"`` (delete
/// ``path``) or ``"respond"`` (the answer ``response``; with ``file`` = ``(path, offset,
/// length)``, a streamed blob: stream that part of the file into the sink as a transport
/// streams a body, and answer with ``streamed`` set). Paths are relative to the layout's root.
#[pyclass(name = "LayoutStep", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyLayoutStep(LayoutStep);

#[pymethods]
impl PyLayoutStep {
    /// `"read"`, `"stat"`, `"write"`, `"receive"`, `"remove"` or `"respond"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.0 {
            LayoutStep::Read { .. } => "read",
            LayoutStep::Stat { .. } => "stat",
            LayoutStep::Write { .. } => "write",
            LayoutStep::Receive { .. } => "receive",
            LayoutStep::Remove { .. } => "remove",
            LayoutStep::Respond { .. } => "respond",
        }
    }

    /// The file of a file step (`None` for `"respond"`).
    #[getter]
    fn path(&self) -> Option<&str> {
        match &self.0 {
            LayoutStep::Read { path, .. }
            | LayoutStep::Stat { path }
            | LayoutStep::Write { path, .. }
            | LayoutStep::Receive { path, .. }
            | LayoutStep::Remove { path } => Some(path),
            LayoutStep::Respond { .. } => None,
        }
    }

    /// The most bytes a `"read"` may find (read one more to tell a larger file).
    #[getter]
    fn max(&self) -> Option<u64> {
        match self.0 {
            LayoutStep::Read { max, .. } => Some(max),
            _ => None,
        }
    }

    /// The bytes a `"write"` puts in the file.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        match &self.0 {
            LayoutStep::Write { bytes, .. } => Some(PyBytes::new(py, bytes)),
            _ => None,
        }
    }

    /// The digest a `"receive"` body must have.
    #[getter]
    fn digest(&self) -> Option<String> {
        match &self.0 {
            LayoutStep::Receive { digest, .. } => Some(digest.to_string()),
            _ => None,
        }
    }

    /// The size a `"receive"` body must have.
    #[getter]
    fn size(&self) -> Option<u64> {
        match self.0 {
            LayoutStep::Receive { size, .. } => Some(size),
            _ => None,
        }
    }

    /// The answer of a `"respond"` step.
    #[getter]
    fn response(&self) -> Option<PyResponse> {
        match &self.0 {
            LayoutStep::Respond { response, .. } => Some(PyResponse(response.clone())),
            _ => None,
        }
    }

    /// `(path, offset, length)` of the blob file a `"respond"` streams, or `None`.
    #[getter]
    fn file(&self) -> Option<(String, u64, u64)> {
        match &self.0 {
            LayoutStep::Respond {
                file: Some(file), ..
            } => Some((file.path.clone(), file.offset, file.length)),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match &self.0 {
            LayoutStep::Respond { response, .. } => {
                format!("<LayoutStep respond {}>", response.status)
            }
            _ => format!(
                "<LayoutStep {} {}>",
                self.kind(),
                self.path().unwrap_or_default()
            ),
        }
    }
}

/// The pseudo registry host of the layout numbered `id`: `layout-<id>.oci-layout.invalid`
/// (the `.invalid` top-level domain is reserved: no real registry has such a name).
#[pyfunction]
pub(crate) fn layout_host(id: u64) -> String {
    layout::layout_host(id)
}

/// Whether `registry` (`host[:port]`) is a layout's pseudo host.
#[pyfunction]
pub(crate) fn is_layout_host(registry: Text) -> bool {
    layout::is_layout_host(&registry)
}

/// What stopped [`layout_reference`]: the core's error, or the reader's exception.
enum Stopped {
    Core(ocikit_core::Error),
    Raised(PyErr),
}

impl From<ocikit_core::Error> for Stopped {
    fn from(error: ocikit_core::Error) -> Self {
        Self::Core(error)
    }
}

/// `_layout_reference(base, text, index_json)`: the engine's reference for `text`, a tag or a
/// digest of the layout whose pseudo repository is `base` (`<host>/<repository>`) — the core's
/// `layout::layout_reference`: `base:<tag>`, `base@<digest>`, else `base@<digest>` of the
/// `index.json` entry whose `ref.name` is `text` (skopeo's `example.com/app:1.0`), else
/// `base:<text>` (which the reference grammar refuses). `index_json()` gives the file's bytes
/// (any buffer) or `None`; it is called only for a text that is neither a tag nor a digest.
#[pyfunction]
#[pyo3(name = "_layout_reference")]
pub(crate) fn layout_reference(
    py: Python<'_>,
    base: Text,
    text: Text,
    index_json: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let read = || -> Result<Option<Vec<u8>>, Stopped> {
        let bytes = index_json.call0().map_err(Stopped::Raised)?;
        if bytes.is_none() {
            return Ok(None);
        }
        let view = ByteView::new(&bytes).map_err(Stopped::Raised)?;
        Ok(Some(view.as_slice().to_vec()))
    };
    layout::layout_reference(&base, &text, read).map_err(|stopped| match stopped {
        Stopped::Core(error) => crate::errors::to_py_err(py, &error),
        Stopped::Raised(error) => error,
    })
}
