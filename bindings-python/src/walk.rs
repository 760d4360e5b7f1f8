//! Graph walks: wrappers of `ocikit_core::registry::walk` (`GraphWalk` for copies,
//! `ReferrerWalk` for discover), fed by the host.
//!
//! The host loop (`ocikit/_client.py` is the real one):
//!
//! ```text
//! walk = GraphWalk(root, referrers=True)
//! while batch := walk.next_batch():          # steps independent of each other
//!     for step in batch (concurrently):
//!         if step.kind == "fetch": walk.provide_document(step.descriptor.digest, get(step.descriptor))
//!         else:                    walk.provide_referrers(step.descriptor.digest, list(step.descriptor))
//! plan = walk.finish()                       # blobs, then manifests in waves
//! ```
//!
//! Walks are `frozen` classes around a `Mutex`, so results may be provided from any thread. A walk
//! fails (stickily) before it changes anything it cannot finish changing, so a poisoned lock still
//! guards a consistent walk (`crate::sync::lock`).

use std::sync::Mutex;

use crate::text::Text;
use ocikit_core::Descriptor;
use ocikit_core::registry::walk::{
    CopyPlan, GraphWalk, GraphWalkOptions, PlannedDocument, ReferrerTree, ReferrerWalk, WalkLimits,
    WalkStep,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::buffer::ByteView;
use crate::descriptor::PyDescriptor;
use crate::digest::{digest_arg, type_name};
use crate::errors::{OrRaise, bound_arg};
use crate::sync::lock;

/// A descriptor, or a sequence of descriptors.
fn descriptors_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<Descriptor>> {
    if let Ok(one) = obj.cast::<PyDescriptor>() {
        return Ok(vec![one.get().0.clone()]);
    }
    let shape = || {
        PyTypeError::new_err(format!(
            "{name} must be an ocikit.Descriptor or a sequence of them, not {}",
            type_name(obj)
        ))
    };
    if obj.is_instance_of::<pyo3::types::PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(shape());
    }
    obj.try_iter()
        .map_err(|_| shape())?
        .map(|item| {
            let item = item?;
            item.cast::<PyDescriptor>()
                .map(|d| d.get().0.clone())
                .map_err(|_| shape())
        })
        .collect()
}

/// The bounds of a walk: `max_depth` levels of manifests, indexes and referrers below the root
/// (default 32), `max_nodes` distinct digests (default 10 000), `max_bytes` of documents held
/// by a copy's walk (default 256 MiB). Going over one raises `LIMIT_EXCEEDED`. A bound that is
/// not a whole number in range raises `ValidationError` (`OPTIONS_INVALID`) when made.
#[pyclass(name = "WalkLimits", module = "ocikit", frozen, eq, from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyWalkLimits(pub(crate) WalkLimits);

#[pymethods]
impl PyWalkLimits {
    #[new]
    #[pyo3(signature = (*, max_depth = None, max_nodes = None, max_bytes = None))]
    fn new(
        max_depth: Option<&Bound<'_, PyAny>>,
        max_nodes: Option<&Bound<'_, PyAny>>,
        max_bytes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let default = WalkLimits::default();
        let max_depth = bound_arg(max_depth, "WalkLimits.max_depth", u32::MAX.into())?;
        Ok(Self(WalkLimits {
            max_depth: max_depth.map_or(default.max_depth, |depth| depth as u32),
            max_nodes: bound_arg(max_nodes, "WalkLimits.max_nodes", u64::MAX)?
                .unwrap_or(default.max_nodes),
            max_bytes: bound_arg(max_bytes, "WalkLimits.max_bytes", u64::MAX)?
                .unwrap_or(default.max_bytes),
        }))
    }

    /// Levels below the root.
    #[getter]
    fn max_depth(&self) -> u32 {
        self.0.max_depth
    }

    /// Distinct digests.
    #[getter]
    fn max_nodes(&self) -> u64 {
        self.0.max_nodes
    }

    /// Bytes of documents a copy's walk holds.
    #[getter]
    fn max_bytes(&self) -> u64 {
        self.0.max_bytes
    }

    fn __repr__(&self) -> String {
        format!(
            "WalkLimits(max_depth={}, max_nodes={}, max_bytes={})",
            self.0.max_depth, self.0.max_nodes, self.0.max_bytes
        )
    }
}

/// What a `GraphWalk` asks: `kind` is `"fetch"` (fetch the manifest or index `descriptor`
/// names, give its bytes to `provide_document`) or `"referrers"` (list what refers to it, give
/// the descriptors to `provide_referrers`).
#[pyclass(name = "WalkStep", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyWalkStep(WalkStep);

#[pymethods]
impl PyWalkStep {
    /// `"fetch"` or `"referrers"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.0 {
            WalkStep::Fetch(_) => "fetch",
            WalkStep::Referrers(_) => "referrers",
        }
    }

    /// The document to fetch, or whose referrers to list.
    #[getter]
    fn descriptor(&self) -> PyDescriptor {
        match &self.0 {
            WalkStep::Fetch(d) | WalkStep::Referrers(d) => PyDescriptor(d.clone()),
        }
    }

    fn __repr__(&self) -> String {
        let (kind, d) = match &self.0 {
            WalkStep::Fetch(d) => ("fetch", d),
            WalkStep::Referrers(d) => ("referrers", d),
        };
        format!("<WalkStep {kind} {}>", d.digest)
    }
}

/// A manifest or index of a `CopyPlan`: its `descriptor` (media type to write it with), its
/// exact bytes `data`, and its `subject` (or `None`).
#[pyclass(name = "PlannedDocument", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyPlannedDocument {
    descriptor: Descriptor,
    data: Py<PyBytes>,
    subject: Option<Descriptor>,
}

#[pymethods]
impl PyPlannedDocument {
    /// Its descriptor as reached: media type, digest, size.
    #[getter]
    fn descriptor(&self) -> PyDescriptor {
        PyDescriptor(self.descriptor.clone())
    }

    /// Its exact bytes, verified against the descriptor.
    #[getter]
    fn data(&self, py: Python<'_>) -> Py<PyBytes> {
        self.data.clone_ref(py)
    }

    /// The subject it names, or `None`.
    #[getter]
    fn subject(&self) -> Option<PyDescriptor> {
        self.subject.clone().map(PyDescriptor)
    }

    /// Its entry in a referrers listing of its subject: media type, digest and size as
    /// reached, its artifact type (a manifest's config media type when it has none) and
    /// annotations. Raises what parsing reports for a document that is not OCI's.
    #[getter]
    fn referrer_descriptor(&self, py: Python<'_>) -> PyResult<PyDescriptor> {
        let planned = PlannedDocument {
            descriptor: self.descriptor.clone(),
            bytes: self.data.bind(py).as_bytes().to_vec(),
            subject: self.subject.clone(),
        };
        planned.referrer_descriptor().map(PyDescriptor).or_raise(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "<PlannedDocument {} {}>",
            self.descriptor.media_type, self.descriptor.digest
        )
    }
}

/// What a finished `GraphWalk` found, in the order to write it: `blobs` (each once,
/// independent), then `manifests` in waves — the documents of a wave may be written
/// concurrently once every earlier wave is written (an index after its manifests, a referrer
/// after its subject). `roots` are the descriptors the walk started from.
#[pyclass(name = "CopyPlan", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyCopyPlan {
    roots: Py<PyTuple>,
    blobs: Py<PyTuple>,
    manifests: Py<PyTuple>,
}

#[pymethods]
impl PyCopyPlan {
    /// The descriptors the walk started from.
    #[getter]
    fn roots(&self, py: Python<'_>) -> Py<PyTuple> {
        self.roots.clone_ref(py)
    }

    /// Every blob, each once.
    #[getter]
    fn blobs(&self, py: Python<'_>) -> Py<PyTuple> {
        self.blobs.clone_ref(py)
    }

    /// The manifests and indexes, in waves (a tuple of tuples of `PlannedDocument`).
    #[getter]
    fn manifests(&self, py: Python<'_>) -> Py<PyTuple> {
        self.manifests.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let documents: usize = self
            .manifests
            .bind(py)
            .iter()
            .map(|wave| wave.len().unwrap_or(0))
            .sum();
        format!(
            "<CopyPlan {} blobs, {} manifests in {} waves>",
            self.blobs.bind(py).len(),
            documents,
            self.manifests.bind(py).len()
        )
    }
}

fn plan_to_py(py: Python<'_>, plan: CopyPlan) -> PyResult<PyCopyPlan> {
    let descriptors = |list: Vec<Descriptor>| -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, list.into_iter().map(PyDescriptor))?.unbind())
    };
    let waves = plan
        .manifests
        .into_iter()
        .map(|wave| {
            let documents = wave
                .into_iter()
                .map(
                    |PlannedDocument {
                         descriptor,
                         bytes,
                         subject,
                     }| {
                        Py::new(
                            py,
                            PyPlannedDocument {
                                descriptor,
                                data: PyBytes::new(py, &bytes).unbind(),
                                subject,
                            },
                        )
                    },
                )
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, documents)
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyCopyPlan {
        roots: descriptors(plan.roots)?,
        blobs: descriptors(plan.blobs)?,
        manifests: PyTuple::new(py, waves)?.unbind(),
    })
}

/// The walk of a copy: from `roots` (a manifest's or index's descriptor, or several), every
/// document and blob each once, with `referrers` what refers to each document too, within
/// `limits`. `next_batch()` gives the steps to perform (independent of each other; empty when
/// none is left); feed each result back with `provide_document` / `provide_referrers`; then
/// `finish()` gives the `CopyPlan`. A failed walk raises the same error on every later call.
#[pyclass(name = "GraphWalk", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyGraphWalk(Mutex<GraphWalk>);

#[pymethods]
impl PyGraphWalk {
    #[new]
    #[pyo3(signature = (roots, *, referrers = false, limits = None))]
    fn new(
        roots: &Bound<'_, PyAny>,
        referrers: bool,
        limits: Option<PyWalkLimits>,
    ) -> PyResult<Self> {
        let roots = descriptors_arg(roots, "roots")?;
        let options = GraphWalkOptions {
            referrers,
            limits: limits.map_or_else(WalkLimits::default, |l| l.0),
        };
        Ok(Self(Mutex::new(GraphWalk::new(roots, options))))
    }

    /// A walk from a root the host has already fetched (a GET by tag): `served` is its
    /// `Content-Type` as served (a type that is not a manifest type gives way to what the
    /// document says it is), `digest` what `data` must hash to. The root is provided at once.
    #[staticmethod]
    #[pyo3(signature = (served, digest, data, *, referrers = false, limits = None))]
    fn from_fetched(
        py: Python<'_>,
        served: Text,
        digest: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        referrers: bool,
        limits: Option<PyWalkLimits>,
    ) -> PyResult<Self> {
        let digest = digest_arg(py, digest)?;
        let data = ByteView::new(data)?.as_slice().to_vec();
        let options = GraphWalkOptions {
            referrers,
            limits: limits.map_or_else(WalkLimits::default, |l| l.0),
        };
        Ok(Self(Mutex::new(GraphWalk::from_fetched(
            &served, digest, data, options,
        ))))
    }

    /// The steps to perform next (a list of `WalkStep`); empty when none is left.
    fn next_batch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let batch = lock(py, &self.0).next_batch().or_raise(py)?;
        PyList::new(py, batch.into_iter().map(PyWalkStep))
    }

    /// The bytes of a document a `"fetch"` step asked for.
    fn provide_document(
        &self,
        py: Python<'_>,
        digest: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let digest = digest_arg(py, digest)?;
        let data = ByteView::new(data)?.as_slice().to_vec();
        lock(py, &self.0)
            .provide_document(&digest, data)
            .or_raise(py)
    }

    /// A document a `"fetch"` step asked for that the host does not have, where a partial
    /// graph is expected (a layout): the walk goes on without it and the plan leaves it out.
    fn provide_missing(&self, py: Python<'_>, digest: &Bound<'_, PyAny>) -> PyResult<()> {
        let digest = digest_arg(py, digest)?;
        lock(py, &self.0).provide_missing(&digest).or_raise(py)
    }

    /// The referrers (descriptors) of a document a `"referrers"` step asked about.
    fn provide_referrers(
        &self,
        py: Python<'_>,
        subject: &Bound<'_, PyAny>,
        referrers: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let subject = digest_arg(py, subject)?;
        let referrers = descriptors_arg(referrers, "referrers")?;
        lock(py, &self.0)
            .provide_referrers(&subject, referrers)
            .or_raise(py)
    }

    /// Whether every step was provided and none is left.
    #[getter]
    fn is_done(&self, py: Python<'_>) -> bool {
        lock(py, &self.0).is_done()
    }

    /// The `CopyPlan` of a walk that is over.
    fn finish(&self, py: Python<'_>) -> PyResult<PyCopyPlan> {
        let plan = lock(py, &self.0).finish().or_raise(py)?;
        plan_to_py(py, plan)
    }

    fn __repr__(&self) -> &'static str {
        "<GraphWalk>"
    }
}

/// One node of a discover tree: an artifact that refers to its parent (`descriptor`, as the
/// referrers listing gave it), and what refers to it in turn (`referrers`).
#[pyclass(name = "Referrer", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyReferrer {
    descriptor: Descriptor,
    referrers: Py<PyTuple>,
}

#[pymethods]
impl PyReferrer {
    #[new]
    #[pyo3(signature = (descriptor, referrers = None))]
    fn new(
        py: Python<'_>,
        descriptor: PyDescriptor,
        referrers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let referrers = match referrers.filter(|r| !r.is_none()) {
            None => PyTuple::empty(py).unbind(),
            Some(given) => {
                let items = given
                    .try_iter()?
                    .map(|item| {
                        let item = item?;
                        item.cast::<PyReferrer>()
                            .map(|_| item.clone())
                            .map_err(|_| {
                                PyTypeError::new_err(format!(
                                    "referrers must hold ocikit.Referrer values, not {}",
                                    type_name(&item)
                                ))
                            })
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                PyTuple::new(py, items)?.unbind()
            }
        };
        Ok(Self {
            descriptor: descriptor.0,
            referrers,
        })
    }

    /// The referrer, as listed.
    #[getter]
    fn descriptor(&self) -> PyDescriptor {
        PyDescriptor(self.descriptor.clone())
    }

    /// What refers to it (a tuple of `Referrer`).
    #[getter]
    fn referrers(&self, py: Python<'_>) -> Py<PyTuple> {
        self.referrers.clone_ref(py)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<PyReferrer>() else {
            return Ok(false);
        };
        let other = other.get();
        Ok(self.descriptor == other.descriptor
            && self.referrers.bind(py).eq(other.referrers.bind(py))?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Referrer({}, {} referrers)",
            self.descriptor.digest,
            self.referrers.bind(py).len()
        )
    }
}

/// The nested `Referrer` list of a tree, built from the leaves up (no recursion: a parent
/// always comes before its children in the tree's list).
pub(crate) fn tree_to_py<'py>(py: Python<'py>, tree: ReferrerTree) -> PyResult<Bound<'py, PyList>> {
    let mut children: Vec<Vec<Py<PyReferrer>>> =
        (0..tree.nodes.len()).map(|_| Vec::new()).collect();
    let mut top = Vec::new();
    for (at, node) in tree.nodes.into_iter().enumerate().rev() {
        let mut below = std::mem::take(&mut children[at]);
        below.reverse();
        let made = Py::new(
            py,
            PyReferrer {
                descriptor: node.descriptor,
                referrers: PyTuple::new(py, below)?.unbind(),
            },
        )?;
        match node.parent {
            Some(parent) => children[parent].push(made),
            None => top.push(made),
        }
    }
    top.reverse();
    PyList::new(py, top)
}

/// The walk of a discover: what refers to `subject` (a digest), what refers to those, and so
/// on, each digest once, `depth` levels down (all when `None`), within `limits`.
/// `next_batch()` gives the digests whose referrers to list (independent of each other; empty
/// when none is left); feed each listing back with `provide`; `finish()` gives the tree as a
/// list of `Referrer`.
#[pyclass(name = "ReferrerWalk", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyReferrerWalk(Mutex<ReferrerWalk>);

#[pymethods]
impl PyReferrerWalk {
    #[new]
    #[pyo3(signature = (subject, *, depth = None, limits = None))]
    fn new(
        py: Python<'_>,
        subject: &Bound<'_, PyAny>,
        depth: Option<u32>,
        limits: Option<PyWalkLimits>,
    ) -> PyResult<Self> {
        let subject = digest_arg(py, subject)?;
        let limits = limits.map_or_else(WalkLimits::default, |l| l.0);
        Ok(Self(Mutex::new(ReferrerWalk::new(subject, depth, limits))))
    }

    /// The digests whose referrers to list next (a list of str); empty when none is left.
    fn next_batch(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let batch = lock(py, &self.0).next_batch().or_raise(py)?;
        Ok(batch.iter().map(ToString::to_string).collect())
    }

    /// The referrers (descriptors) of a digest `next_batch` named, as listed.
    fn provide(
        &self,
        py: Python<'_>,
        subject: &Bound<'_, PyAny>,
        referrers: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let subject = digest_arg(py, subject)?;
        let referrers = descriptors_arg(referrers, "referrers")?;
        lock(py, &self.0).provide(&subject, referrers).or_raise(py)
    }

    /// Whether every listing was provided and none is left.
    #[getter]
    fn is_done(&self, py: Python<'_>) -> bool {
        lock(py, &self.0).is_done()
    }

    /// The tree of a walk that is over: a list of `Referrer`.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let tree = lock(py, &self.0).finish().or_raise(py)?;
        tree_to_py(py, tree)
    }

    fn __repr__(&self) -> &'static str {
        "<ReferrerWalk>"
    }
}

/// Adds the walk classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyWalkLimits>()?;
    m.add_class::<PyWalkStep>()?;
    m.add_class::<PyPlannedDocument>()?;
    m.add_class::<PyCopyPlan>()?;
    m.add_class::<PyGraphWalk>()?;
    m.add_class::<PyReferrer>()?;
    m.add_class::<PyReferrerWalk>()?;
    m.add_function(wrap_pyfunction!(is_index_type, m)?)?;
    m.add_function(wrap_pyfunction!(is_manifest_type, m)?)?;
    Ok(())
}

/// Whether `media_type` is an index (OCI image index, Docker manifest list).
#[pyfunction]
fn is_index_type(media_type: Text) -> bool {
    ocikit_core::registry::walk::is_index_type(&media_type)
}

/// Whether `media_type` is a manifest or index type ocikit reads (OCI and Docker).
#[pyfunction]
fn is_manifest_type(media_type: Text) -> bool {
    ocikit_core::registry::walk::is_manifest_type(&media_type)
}
