//! `Descriptor` and `Platform`: wrappers of `ocikit_core::descriptor`.

use std::collections::BTreeMap;

use crate::text::{Text, TextMap, into_strings};
use ocikit_core::annotations::Annotations;
use ocikit_core::{Descriptor, Error, MediaType, Platform, json as core_json};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyInt, PyTuple};

use crate::buffer::{ByteView, Document};
use crate::digest::{digest_arg, type_name};
use crate::errors::OrRaise;
use crate::json::object_to_py;
use crate::repr::call_repr;

/// A reference to content: its media type, digest and size, with optional extras.
#[pyclass(name = "Descriptor", module = "ocikit", frozen, eq, from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyDescriptor(pub(crate) Descriptor);

#[pymethods]
impl PyDescriptor {
    #[new]
    #[pyo3(signature = (
        *,
        media_type,
        digest,
        size,
        urls = None,
        annotations = None,
        data = None,
        platform = None,
        artifact_type = None,
    ))]
    #[allow(clippy::too_many_arguments)] // the descriptor's fields, as keywords
    fn new(
        py: Python<'_>,
        media_type: Text,
        digest: &Bound<'_, PyAny>,
        size: &Bound<'_, PyAny>,
        urls: Option<Vec<Text>>,
        annotations: Option<TextMap>,
        data: Option<&Bound<'_, PyAny>>,
        platform: Option<PyPlatform>,
        artifact_type: Option<Text>,
    ) -> PyResult<Self> {
        let mut descriptor = Descriptor::new(
            media_type_arg(py, &media_type)?,
            digest_arg(py, digest)?,
            size_arg(py, size)?,
        );
        descriptor.urls = urls.map(into_strings).unwrap_or_default();
        descriptor.annotations = annotations.unwrap_or_default().0;
        descriptor.data = data
            .map(|data| ByteView::new(data).map(|view| view.as_slice().to_vec()))
            .transpose()?;
        descriptor.platform = platform.map(|p| p.0);
        descriptor.artifact_type = artifact_type
            .as_deref()
            .map(|t| media_type_arg(py, t))
            .transpose()?;
        Ok(Self(descriptor))
    }

    /// Reads a descriptor from JSON (bytes, str or a buffer).
    #[staticmethod]
    fn from_json(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let document = Document::new(document)?;
        Descriptor::from_json(document.as_slice()?)
            .map(Self)
            .or_raise(py)
    }

    /// The canonical JSON of this descriptor (Go image-spec field order, compact).
    fn to_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_json())
    }

    /// The media type of the referenced content.
    #[getter]
    fn media_type(&self) -> &str {
        self.0.media_type.as_str()
    }

    /// The digest of the referenced content, `"algorithm:encoded"`.
    #[getter]
    fn digest(&self) -> String {
        self.0.digest.to_string()
    }

    /// The size of the referenced content in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    /// URLs the content may be downloaded from.
    #[getter]
    fn urls<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.urls)
    }

    /// The annotations (a new dict on each access).
    #[getter]
    fn annotations(&self) -> &Annotations {
        &self.0.annotations
    }

    /// The embedded content, or `None`.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.0.data.as_deref().map(|data| PyBytes::new(py, data))
    }

    /// The platform (of a manifest in an index), or `None`.
    #[getter]
    fn platform(&self) -> Option<PyPlatform> {
        self.0.platform.clone().map(PyPlatform)
    }

    /// The artifact type of the referenced artifact, or `None`.
    #[getter]
    fn artifact_type(&self) -> Option<&str> {
        self.0.artifact_type.as_ref().map(MediaType::as_str)
    }

    /// Fields the image-spec does not define, as read (a new dict on each access).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.0.extra)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        descriptor_repr(py, &self.0)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce_from_json(slf.as_any(), &slf.get().0.to_json())
    }
}

/// The platform an image runs on (the `platform` of an index entry).
#[pyclass(name = "Platform", module = "ocikit", frozen, eq, from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyPlatform(pub(crate) Platform);

#[pymethods]
impl PyPlatform {
    #[new]
    #[pyo3(signature = (*, architecture, os, os_version = None, os_features = None, variant = None))]
    fn new(
        architecture: Text,
        os: Text,
        os_version: Option<Text>,
        os_features: Option<Vec<Text>>,
        variant: Option<Text>,
    ) -> Self {
        Self(Platform {
            architecture: architecture.into(),
            os: os.into(),
            os_version: os_version.map(String::from),
            os_features: os_features.map(into_strings).unwrap_or_default(),
            variant: variant.map(String::from),
            extra: serde_json::Map::new(),
        })
    }

    /// Reads a platform from JSON (bytes, str or a buffer).
    #[staticmethod]
    fn from_json(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let document = Document::new(document)?;
        let value = core_json::parse_strict(document.as_slice()?).or_raise(py)?;
        Platform::from_value(&value, "").map(Self).or_raise(py)
    }

    /// The canonical JSON of this platform.
    fn to_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_json())
    }

    /// The CPU architecture, as Go's `GOARCH` (e.g. `"amd64"`).
    #[getter]
    fn architecture(&self) -> &str {
        &self.0.architecture
    }

    /// The operating system, as Go's `GOOS` (e.g. `"linux"`).
    #[getter]
    fn os(&self) -> &str {
        &self.0.os
    }

    /// The operating system version (`os.version`), or `None`.
    #[getter]
    fn os_version(&self) -> Option<&str> {
        self.0.os_version.as_deref()
    }

    /// Required operating system features (`os.features`).
    #[getter]
    fn os_features<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.os_features)
    }

    /// The CPU variant (e.g. `"v8"`), or `None`.
    #[getter]
    fn variant(&self) -> Option<&str> {
        self.0.variant.as_deref()
    }

    /// Fields the image-spec does not define, as read (a new dict on each access).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.0.extra)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        platform_repr(py, &self.0)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce_from_json(slf.as_any(), &slf.get().0.to_json())
    }
}

/// Pickles an object as `type(obj).from_json(<its JSON>)`.
pub(crate) fn reduce_from_json<'py>(
    obj: &Bound<'py, PyAny>,
    json: &[u8],
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
    let from_json = obj.get_type().getattr("from_json")?;
    let args = PyTuple::new(obj.py(), [PyBytes::new(obj.py(), json)])?;
    Ok((from_json, args))
}

pub(crate) fn media_type_arg(py: Python<'_>, text: &str) -> PyResult<MediaType> {
    MediaType::parse(text).or_raise(py)
}

/// A descriptor `size`: an `int` from 0 to 2**63 - 1 (the spec's int64); anything else that is
/// an int is SIZE_INVALID.
pub(crate) fn size_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "size must be an int, not {}",
            type_name(obj)
        )));
    }
    match obj
        .extract::<i64>()
        .ok()
        .and_then(|n| u64::try_from(n).ok())
    {
        Some(size) => Ok(size),
        None => Err(Error::SizeInvalid {
            value: obj.str()?.to_string(),
        })
        .or_raise(py),
    }
}

/// The fields of a descriptor that differ from their defaults, for `__repr__`.
pub(crate) fn descriptor_repr(py: Python<'_>, d: &Descriptor) -> PyResult<String> {
    let mut fields = vec![
        (
            "media_type",
            d.media_type.as_str().into_pyobject(py)?.into_any(),
        ),
        ("digest", d.digest.to_string().into_pyobject(py)?.into_any()),
        ("size", d.size.into_pyobject(py)?.into_any()),
    ];
    if !d.urls.is_empty() {
        fields.push(("urls", PyTuple::new(py, &d.urls)?.into_any()));
    }
    if !d.annotations.is_empty() {
        fields.push((
            "annotations",
            annotations_dict(py, &d.annotations)?.into_any(),
        ));
    }
    if let Some(data) = &d.data {
        fields.push(("data", PyBytes::new(py, data).into_any()));
    }
    if let Some(platform) = &d.platform {
        fields.push((
            "platform",
            PyPlatform(platform.clone()).into_pyobject(py)?.into_any(),
        ));
    }
    if let Some(artifact_type) = &d.artifact_type {
        fields.push((
            "artifact_type",
            artifact_type.as_str().into_pyobject(py)?.into_any(),
        ));
    }
    call_repr("Descriptor", &fields)
}

fn platform_repr(py: Python<'_>, p: &Platform) -> PyResult<String> {
    let mut fields = vec![
        (
            "architecture",
            p.architecture.as_str().into_pyobject(py)?.into_any(),
        ),
        ("os", p.os.as_str().into_pyobject(py)?.into_any()),
    ];
    if let Some(version) = &p.os_version {
        fields.push(("os_version", version.into_pyobject(py)?.into_any()));
    }
    if !p.os_features.is_empty() {
        fields.push(("os_features", PyTuple::new(py, &p.os_features)?.into_any()));
    }
    if let Some(variant) = &p.variant {
        fields.push(("variant", variant.into_pyobject(py)?.into_any()));
    }
    call_repr("Platform", &fields)
}

pub(crate) fn annotations_dict<'py>(
    py: Python<'py>,
    annotations: &BTreeMap<String, String>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (key, value) in annotations {
        dict.set_item(key, value)?;
    }
    Ok(dict)
}
