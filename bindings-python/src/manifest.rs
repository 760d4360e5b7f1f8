//! `Manifest` and `Index`: wrappers of `ocikit_core::manifest`.
//!
//! Each wraps a core `Document`: the typed document together with its exact bytes. One read
//! with `from_json` keeps the bytes it was read from; one built from keywords holds the core's
//! canonical encoding. `digest`, `size` and `to_json()` are always of those bytes.

use crate::text::{Text, TextMap};
use ocikit_core::annotations::Annotations;
use ocikit_core::media_type::oci;
use ocikit_core::{Document as CoreDocument, Index, Manifest, MediaType};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::buffer::Document;
use crate::descriptor::{PyDescriptor, annotations_dict, media_type_arg, reduce_from_json};
use crate::errors::OrRaise;
use crate::json::object_to_py;
use crate::repr::call_repr;

/// An image manifest: a config and layers, optionally an artifact type and a subject.
#[pyclass(name = "Manifest", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyManifest(pub(crate) CoreDocument<Manifest>);

#[pymethods]
impl PyManifest {
    #[new]
    #[pyo3(signature = (
        *,
        config,
        layers,
        artifact_type = None,
        subject = None,
        annotations = None,
        media_type = Some(Text::from(oci::IMAGE_MANIFEST)),
    ))]
    fn new(
        py: Python<'_>,
        config: PyDescriptor,
        layers: Vec<PyDescriptor>,
        artifact_type: Option<Text>,
        subject: Option<PyDescriptor>,
        annotations: Option<TextMap>,
        media_type: Option<Text>,
    ) -> PyResult<Self> {
        let mut manifest = Manifest::new(config.0, layers.into_iter().map(|d| d.0).collect());
        manifest.media_type = media_type.map(|t| media_type_arg(py, &t)).transpose()?;
        manifest.artifact_type = artifact_type
            .as_deref()
            .map(|t| media_type_arg(py, t))
            .transpose()?;
        manifest.subject = subject.map(|d| d.0);
        manifest.annotations = annotations.unwrap_or_default().0;
        Ok(Self(manifest.into_document()))
    }

    /// Reads a manifest from JSON (bytes, str or a buffer), keeping the exact bytes.
    #[staticmethod]
    fn from_json(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = Document::new(document)?.as_slice()?.to_vec();
        Manifest::from_json(bytes).map(Self).or_raise(py)
    }

    /// The exact bytes of this manifest.
    fn to_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.bytes())
    }

    /// The sha256 digest of the bytes.
    #[getter]
    fn digest(&self) -> String {
        self.0.digest().to_string()
    }

    /// The size of the bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size()
    }

    /// The descriptor of this manifest, with its artifact type, as an index lists it.
    #[getter]
    fn descriptor(&self) -> PyDescriptor {
        PyDescriptor(self.0.descriptor())
    }

    /// The descriptor of this manifest as a referrers list shows it: its artifact type (its
    /// config's media type when it has none) and its annotations.
    #[getter]
    fn referrer_descriptor(&self) -> PyDescriptor {
        PyDescriptor(self.0.referrer_descriptor())
    }

    /// `mediaType`, or `None` when the document has none.
    #[getter]
    fn media_type(&self) -> Option<&str> {
        self.0.value().media_type.as_ref().map(MediaType::as_str)
    }

    /// The artifact type, or `None`.
    #[getter]
    fn artifact_type(&self) -> Option<&str> {
        self.0.value().artifact_type.as_ref().map(MediaType::as_str)
    }

    /// The config descriptor.
    #[getter]
    fn config(&self) -> PyDescriptor {
        PyDescriptor(self.0.value().config.clone())
    }

    /// The layer descriptors.
    #[getter]
    fn layers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        descriptors(py, &self.0.value().layers)
    }

    /// The manifest this one refers to, or `None`.
    #[getter]
    fn subject(&self) -> Option<PyDescriptor> {
        self.0.value().subject.clone().map(PyDescriptor)
    }

    /// The annotations (a new dict on each access).
    #[getter]
    fn annotations(&self) -> &Annotations {
        &self.0.value().annotations
    }

    /// Fields the image-spec does not define, as read (a new dict on each access).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.0.value().extra)
    }

    fn __hash__(&self) -> u64 {
        digest_hash(self.0.digest())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let m = self.0.value();
        let mut fields = Vec::new();
        if let Some(artifact_type) = &m.artifact_type {
            fields.push((
                "artifact_type",
                artifact_type.as_str().into_pyobject(py)?.into_any(),
            ));
        }
        fields.push(("config", self.config().into_pyobject(py)?.into_any()));
        fields.push(("layers", self.layers(py)?.into_any()));
        push_trailer(py, &mut fields, m.subject.as_ref(), &m.annotations)?;
        push_media_type(py, &mut fields, m.media_type.as_ref(), oci::IMAGE_MANIFEST)?;
        call_repr("Manifest", &fields)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce_from_json(slf.as_any(), slf.get().0.bytes())
    }
}

/// An image index: a list of manifests, for several platforms or as a collection.
#[pyclass(name = "Index", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyIndex(pub(crate) CoreDocument<Index>);

#[pymethods]
impl PyIndex {
    #[new]
    #[pyo3(signature = (
        *,
        manifests,
        artifact_type = None,
        subject = None,
        annotations = None,
        media_type = Some(Text::from(oci::IMAGE_INDEX)),
    ))]
    fn new(
        py: Python<'_>,
        manifests: Vec<PyDescriptor>,
        artifact_type: Option<Text>,
        subject: Option<PyDescriptor>,
        annotations: Option<TextMap>,
        media_type: Option<Text>,
    ) -> PyResult<Self> {
        let mut index = Index::new(manifests.into_iter().map(|d| d.0).collect());
        index.media_type = media_type.map(|t| media_type_arg(py, &t)).transpose()?;
        index.artifact_type = artifact_type
            .as_deref()
            .map(|t| media_type_arg(py, t))
            .transpose()?;
        index.subject = subject.map(|d| d.0);
        index.annotations = annotations.unwrap_or_default().0;
        Ok(Self(index.into_document()))
    }

    /// Reads an index from JSON (bytes, str or a buffer), keeping the exact bytes.
    #[staticmethod]
    fn from_json(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = Document::new(document)?.as_slice()?.to_vec();
        Index::from_json(bytes).map(Self).or_raise(py)
    }

    /// The exact bytes of this index.
    fn to_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.bytes())
    }

    /// The sha256 digest of the bytes.
    #[getter]
    fn digest(&self) -> String {
        self.0.digest().to_string()
    }

    /// The size of the bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size()
    }

    /// The descriptor of this index, with its artifact type.
    #[getter]
    fn descriptor(&self) -> PyDescriptor {
        PyDescriptor(self.0.descriptor())
    }

    /// `mediaType`, or `None` when the document has none.
    #[getter]
    fn media_type(&self) -> Option<&str> {
        self.0.value().media_type.as_ref().map(MediaType::as_str)
    }

    /// The artifact type of the collection, or `None`.
    #[getter]
    fn artifact_type(&self) -> Option<&str> {
        self.0.value().artifact_type.as_ref().map(MediaType::as_str)
    }

    /// The manifest descriptors.
    #[getter]
    fn manifests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        descriptors(py, &self.0.value().manifests)
    }

    /// The manifest this index refers to, or `None`.
    #[getter]
    fn subject(&self) -> Option<PyDescriptor> {
        self.0.value().subject.clone().map(PyDescriptor)
    }

    /// The annotations (a new dict on each access).
    #[getter]
    fn annotations(&self) -> &Annotations {
        &self.0.value().annotations
    }

    /// Fields the image-spec does not define, as read (a new dict on each access).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.0.value().extra)
    }

    fn __hash__(&self) -> u64 {
        digest_hash(self.0.digest())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let index = self.0.value();
        let mut fields = Vec::new();
        if let Some(artifact_type) = &index.artifact_type {
            fields.push((
                "artifact_type",
                artifact_type.as_str().into_pyobject(py)?.into_any(),
            ));
        }
        fields.push(("manifests", self.manifests(py)?.into_any()));
        push_trailer(py, &mut fields, index.subject.as_ref(), &index.annotations)?;
        push_media_type(py, &mut fields, index.media_type.as_ref(), oci::IMAGE_INDEX)?;
        call_repr("Index", &fields)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce_from_json(slf.as_any(), slf.get().0.bytes())
    }
}

fn descriptors<'py>(
    py: Python<'py>,
    items: &[ocikit_core::Descriptor],
) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items.iter().cloned().map(PyDescriptor))
}

/// Equal documents have equal bytes, hence equal digests: the digest's leading bytes are
/// already a uniformly distributed hash.
fn digest_hash(digest: &ocikit_core::Digest) -> u64 {
    let hex = digest.encoded().get(..16).unwrap_or_default();
    u64::from_str_radix(hex, 16).unwrap_or_default()
}

fn push_trailer<'py>(
    py: Python<'py>,
    fields: &mut Vec<(&'static str, Bound<'py, PyAny>)>,
    subject: Option<&ocikit_core::Descriptor>,
    annotations: &Annotations,
) -> PyResult<()> {
    if let Some(subject) = subject {
        fields.push((
            "subject",
            PyDescriptor(subject.clone()).into_pyobject(py)?.into_any(),
        ));
    }
    if !annotations.is_empty() {
        fields.push(("annotations", annotations_dict(py, annotations)?.into_any()));
    }
    Ok(())
}

fn push_media_type<'py>(
    py: Python<'py>,
    fields: &mut Vec<(&'static str, Bound<'py, PyAny>)>,
    media_type: Option<&MediaType>,
    default: &str,
) -> PyResult<()> {
    if media_type.map(MediaType::as_str) != Some(default) {
        fields.push((
            "media_type",
            media_type
                .map(MediaType::as_str)
                .into_pyobject(py)?
                .into_any(),
        ));
    }
    Ok(())
}
