//! `_index_platform_config`, `_index_create` and `_index_update`: wrappers of
//! `ocikit_core::registry::whole::index` (collections, as ORAS's `manifest index create` and
//! `update`). The public `ocikit.create_index` / `ocikit.update_index`
//! (python/ocikit/_collections.py) fetch the children and pass them here as
//! `(media_type, bytes, config bytes or None)`. `_backup_tags` wraps
//! `ocikit_core::registry::whole::backup::select_tags` for `ocikit.backup` / `ocikit.restore`;
//! `_restorable` and `_restored` wrap the restore's two checks of that module (`restorable`,
//! `restored`) for `ocikit.restore`.

use ocikit_core::registry::whole::backup::{
    Direction, Selection, restorable as restorable_check, restored as restored_check, select_tags,
};
use ocikit_core::registry::whole::index::{
    IndexUpdate, ResolvedChild, create_index, platform_config, update_index,
};
use pyo3::prelude::*;

use crate::buffer::ByteView;
use crate::descriptor::{PyDescriptor, media_type_arg};
use crate::digest::digest_arg;
use crate::errors::{OrRaise, to_py_err};
use crate::manifest::PyIndex;
use crate::text::{Text, TextMap};
use crate::validate::PyReport;

/// A fetched child: `(media_type, bytes, config bytes or None)`.
type ChildArg<'py> = (Text, Bound<'py, PyAny>, Option<Bound<'py, PyAny>>);

fn children(py: Python<'_>, list: Vec<ChildArg<'_>>) -> PyResult<Vec<ResolvedChild>> {
    list.into_iter()
        .map(|(media_type, bytes, config)| {
            let bytes = ByteView::new(&bytes)?.as_slice().to_vec();
            let mut child = ResolvedChild::new(&media_type, bytes).or_raise(py)?;
            if let Some(config) = config {
                child = child.with_config(ByteView::new(&config)?.as_slice().to_vec());
            }
            Ok(child)
        })
        .collect()
}

/// The config to read for a child's platform (an image manifest's, at most 4 MiB, not the
/// empty one), or `None`; `MEDIA_TYPE_MISMATCH` for a document that is not a manifest or an
/// index.
#[pyfunction]
#[pyo3(name = "_index_platform_config")]
pub(crate) fn index_platform_config(
    py: Python<'_>,
    media_type: Text,
    manifest: &Bound<'_, PyAny>,
) -> PyResult<Option<PyDescriptor>> {
    let bytes = ByteView::new(manifest)?;
    Ok(platform_config(&media_type, bytes.as_slice())
        .or_raise(py)?
        .map(PyDescriptor))
}

/// A collection over the fetched `children`, in their order.
#[pyfunction]
#[pyo3(name = "_index_create", signature = (children, *, artifact_type = None, annotations = None))]
pub(crate) fn index_create(
    py: Python<'_>,
    children: Vec<ChildArg<'_>>,
    artifact_type: Option<Text>,
    annotations: Option<TextMap>,
) -> PyResult<PyIndex> {
    let children = self::children(py, children)?;
    let artifact_type = artifact_type
        .as_deref()
        .map(|t| media_type_arg(py, t))
        .transpose()?;
    create_index(&children, artifact_type, annotations.unwrap_or_default().0)
        .map(PyIndex)
        .or_raise(py)
}

/// The index (`media_type`, exact `index` bytes) updated: `remove` (digests) go, `add` (fetched
/// children) are appended, then the entries of each index of `merge` as they are; the artifact
/// type changes when `set_artifact_type` (to `artifact_type`, or none), `annotations` are set.
#[pyfunction]
#[pyo3(name = "_index_update", signature = (
    media_type, index, *, add = Vec::new(), remove = Vec::new(), merge = Vec::new(),
    artifact_type = None, set_artifact_type = false, annotations = None,
))]
#[allow(clippy::too_many_arguments)] // the update's parts, as keywords
pub(crate) fn index_update(
    py: Python<'_>,
    media_type: Text,
    index: &Bound<'_, PyAny>,
    add: Vec<ChildArg<'_>>,
    remove: Vec<Bound<'_, PyAny>>,
    merge: Vec<ChildArg<'_>>,
    artifact_type: Option<Text>,
    set_artifact_type: bool,
    annotations: Option<TextMap>,
) -> PyResult<PyIndex> {
    let bytes = ByteView::new(index)?.as_slice().to_vec();
    let update = IndexUpdate {
        add: children(py, add)?,
        remove: remove
            .iter()
            .map(|d| digest_arg(py, d))
            .collect::<PyResult<_>>()?,
        merge: children(py, merge)?,
        artifact_type: match set_artifact_type {
            true => Some(
                artifact_type
                    .as_deref()
                    .filter(|t| !t.is_empty())
                    .map(|t| media_type_arg(py, t))
                    .transpose()?,
            ),
            false => None,
        },
        annotations: annotations.unwrap_or_default().0,
    };
    update_index(&media_type, &bytes, &update)
        .map(PyIndex)
        .or_raise(py)
}

/// Which tags a backup (`layout` is `None`) or a restore of the layout named `layout` copies
/// for `reference` (`REGISTRY/REPOSITORY[:TAG[,TAG…]]`), given the tags `listed` (`None`: not
/// listed yet): `(repository, tags)`, or `(repository, None)` when the repository's tags must
/// be listed first.
#[pyfunction]
#[pyo3(name = "_backup_tags", signature = (reference, listed = None, *, layout = None))]
pub(crate) fn backup_tags(
    py: Python<'_>,
    reference: Text,
    listed: Option<Vec<Text>>,
    layout: Option<Text>,
) -> PyResult<(String, Option<Vec<String>>)> {
    let direction = match layout {
        Some(layout) => Direction::Restore { layout: layout.0 },
        None => Direction::Backup,
    };
    let listed: Option<Vec<String>> = listed.map(|tags| tags.into_iter().map(|t| t.0).collect());
    Ok(
        match select_tags(&direction, &reference, listed.as_deref())
            .map_err(|err| to_py_err(py, &err))?
        {
            Selection::Tags { repository, tags } => (repository, Some(tags)),
            Selection::ListTags { repository } => (repository, None),
        },
    )
}

/// Nothing, or the core's refusal of a restore from the layout named `layout` (its path) whose
/// verification is `report`: an `OciError` with the first error finding's code
/// (`DIGEST_MISMATCH`, `SIZE_MISMATCH`, `BLOB_MISSING`, …) and `details["path"]`.
#[pyfunction]
#[pyo3(name = "_restorable")]
pub(crate) fn restorable(
    py: Python<'_>,
    report: PyRef<'_, PyReport>,
    layout: Text,
) -> PyResult<()> {
    restorable_check(&layout, &report.0).or_raise(py)
}

/// Nothing, or the core's `DIGEST_MISMATCH` when the tag `reference` a restore copied names
/// `served` at the destination rather than `expected`, the layout's digest.
#[pyfunction]
#[pyo3(name = "_restored")]
pub(crate) fn restored(
    py: Python<'_>,
    reference: Text,
    expected: &Bound<'_, PyAny>,
    served: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let expected = digest_arg(py, expected)?;
    let served = digest_arg(py, served)?;
    restored_check(&reference, &expected, &served).or_raise(py)
}

/// Registers the functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(index_platform_config, m)?)?;
    m.add_function(wrap_pyfunction!(index_create, m)?)?;
    m.add_function(wrap_pyfunction!(index_update, m)?)?;
    m.add_function(wrap_pyfunction!(backup_tags, m)?)?;
    m.add_function(wrap_pyfunction!(restorable, m)?)?;
    m.add_function(wrap_pyfunction!(restored, m)?)?;
    Ok(())
}
