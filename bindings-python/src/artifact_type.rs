//! `ArtifactTypeDefinition`, the process-wide catalog (`artifact_types`,
//! `register_artifact_type`), `describe` and `check_logo`: wrappers of
//! `ocikit_core::artifact_type`.

use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use crate::text::Text;
use ocikit_core::MediaType;
use ocikit_core::artifact_type::{self, ArtifactTypeDefinition, Catalog};
use pyo3::prelude::*;
use pyo3::sync::MutexExt;
use pyo3::types::{PyBytes, PyTuple};

use crate::buffer::Document;
use crate::descriptor::reduce_from_json;
use crate::errors::OrRaise;
use crate::manifest::PyManifest;
use crate::repr::call_repr;

/// The catalog every `describe` consults: the built-in definitions plus those registered at
/// run time. One per process, shared by all threads.
static CATALOG: LazyLock<Mutex<Catalog>> = LazyLock::new(|| Mutex::new(Catalog::builtin()));

fn catalog(py: Python<'_>) -> MutexGuard<'static, Catalog> {
    // Nothing in the critical sections can panic, so a poisoned lock still holds a consistent
    // catalog. Waiting for the lock detaches from the interpreter, so a thread holding it can
    // never wait for a thread that waits for it.
    CATALOG
        .lock_py_attached(py)
        .unwrap_or_else(PoisonError::into_inner)
}

/// An artifact type: its media type, display name, description, layer types and SVG logo.
#[pyclass(
    name = "ArtifactTypeDefinition",
    module = "ocikit",
    frozen,
    eq,
    from_py_object
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyArtifactTypeDefinition(ArtifactTypeDefinition);

#[pymethods]
impl PyArtifactTypeDefinition {
    /// Reads and checks a definition from its JSON (bytes, str or a buffer).
    #[staticmethod]
    fn from_json(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let document = Document::new(document)?;
        ArtifactTypeDefinition::from_json(document.as_slice()?)
            .map(Self)
            .or_raise(py)
    }

    /// The definition as JSON.
    fn to_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_json())
    }

    /// The artifact type (`artifactType`, or `config.mediaType` for image-spec v1.0 artifacts).
    #[getter]
    fn artifact_type(&self) -> &str {
        self.0.artifact_type.as_str()
    }

    /// Other media types that name the same type.
    #[getter]
    fn aliases<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        media_types(py, &self.0.aliases)
    }

    /// A short name for people, e.g. `"Helm chart"`.
    #[getter]
    fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// One or two sentences about the type.
    #[getter]
    fn description(&self) -> &str {
        &self.0.description
    }

    /// The media types of the type's layers.
    #[getter]
    fn layer_media_types<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        media_types(py, &self.0.layer_media_types)
    }

    /// Where the type is documented, or `None`.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// The SVG logo (checked safe to show in a page), or `None`.
    #[getter]
    fn logo(&self) -> Option<&str> {
        self.0.logo.as_deref()
    }

    /// The logo for a dark background, or `None` (then `logo` serves both).
    #[getter]
    fn dark_logo(&self) -> Option<&str> {
        self.0.dark_logo.as_deref()
    }

    /// Commands that fetch an artifact of the type, as templates with `{reference}`,
    /// `{registry}`, `{repository}`, `{tag}` and `{digest}` (see `pull_commands`).
    #[getter]
    fn pull_commands<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.pull_commands.iter().map(String::as_str))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // The logo and description are long; the type and its name identify a definition.
        call_repr(
            "ArtifactTypeDefinition",
            &[
                (
                    "artifact_type",
                    self.artifact_type().into_pyobject(py)?.into_any(),
                ),
                (
                    "display_name",
                    self.display_name().into_pyobject(py)?.into_any(),
                ),
            ],
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        reduce_from_json(slf.as_any(), &slf.get().0.to_json())
    }
}

fn media_types<'py>(py: Python<'py>, items: &[MediaType]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items.iter().map(MediaType::as_str))
}

/// What `describe` found: the artifact type of a manifest, where it came from, and its
/// definition if the catalog knows it.
#[pyclass(name = "Description", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyDescription {
    artifact_type: String,
    source: &'static str,
    definition: Option<PyArtifactTypeDefinition>,
}

#[pymethods]
impl PyDescription {
    /// The manifest's artifact type.
    #[getter]
    fn artifact_type(&self) -> &str {
        &self.artifact_type
    }

    /// `"artifactType"`, or `"config.mediaType"` when the manifest has no artifactType.
    #[getter]
    fn source(&self) -> &'static str {
        self.source
    }

    /// The catalog's definition of the type, or `None` when the type is not in the catalog.
    #[getter]
    fn definition(&self) -> Option<PyArtifactTypeDefinition> {
        self.definition.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Description",
            &[
                (
                    "artifact_type",
                    self.artifact_type.as_str().into_pyobject(py)?.into_any(),
                ),
                ("source", self.source.into_pyobject(py)?.into_any()),
                (
                    "definition",
                    self.definition().into_pyobject(py)?.into_any(),
                ),
            ],
        )
    }
}

/// The artifact type catalog: the built-in definitions, then those registered, in order.
#[pyfunction]
pub(crate) fn artifact_types(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    let definitions: Vec<PyArtifactTypeDefinition> = catalog(py)
        .definitions()
        .iter()
        .cloned()
        .map(PyArtifactTypeDefinition)
        .collect();
    PyTuple::new(py, definitions)
}

/// Adds `definition` to the process-wide catalog, replacing one of the same artifact type.
#[pyfunction]
pub(crate) fn register_artifact_type(py: Python<'_>, definition: PyArtifactTypeDefinition) {
    catalog(py).register(definition.0);
}

/// Which artifact type `manifest` is (its artifactType, else its config media type), with the
/// catalog's definition of it.
#[pyfunction]
pub(crate) fn describe(py: Python<'_>, manifest: PyRef<'_, PyManifest>) -> PyDescription {
    let catalog = catalog(py);
    let description = catalog.describe(manifest.0.value());
    PyDescription {
        artifact_type: description.artifact_type.to_owned(),
        source: description.source,
        definition: description
            .definition
            .cloned()
            .map(PyArtifactTypeDefinition),
    }
}

/// Checks that `svg` is a logo safe to show in a page: well-formed SVG with a viewBox, no
/// scripts, event handlers, animation, foreign or external content, at most 16 KiB.
#[pyfunction]
pub(crate) fn check_logo(py: Python<'_>, svg: Text) -> PyResult<()> {
    artifact_type::check_logo(&svg).or_raise(py)
}

/// The catalog's definition of an artifact type or one of its aliases (registered definitions
/// first), or `None`.
#[pyfunction]
pub(crate) fn lookup_artifact_type(
    py: Python<'_>,
    media_type: Text,
) -> Option<PyArtifactTypeDefinition> {
    catalog(py)
        .get(&media_type)
        .cloned()
        .map(PyArtifactTypeDefinition)
}

/// What a tag is for, by its name: `(kind, subject)`, `kind` one of `"tag"`, `"referrers"`
/// (a referrers tag schema index, `sha256-<hex>`), `"signature"`, `"attestation"`, `"sbom"`
/// (cosign's `sha256-<hex>.sig` / `.att` / `.sbom`), `subject` the digest its name spells or
/// `None`.
#[pyfunction]
pub(crate) fn classify_tag(tag: Text) -> (&'static str, Option<String>) {
    let class = artifact_type::classify_tag(&tag);
    (class.kind.as_str(), class.subject.map(|d| d.to_string()))
}

/// The commands that fetch `reference`: the pull command templates of `artifact_type`'s
/// definition filled in (those needing a tag or digest the reference lacks left out), or
/// `oras pull <reference>`.
#[pyfunction]
#[pyo3(signature = (reference, artifact_type=None))]
pub(crate) fn pull_commands<'py>(
    py: Python<'py>,
    reference: Text,
    artifact_type: Option<Text>,
) -> PyResult<Bound<'py, PyTuple>> {
    let reference = ocikit_core::Reference::parse(&reference).or_raise(py)?;
    let commands = {
        let catalog = catalog(py);
        let definition = artifact_type.as_deref().and_then(|t| catalog.get(t));
        artifact_type::pull_commands(definition, &reference)
    };
    PyTuple::new(py, commands)
}
