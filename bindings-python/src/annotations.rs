//! The annotation keys the image-spec predefines (`ocikit_core::annotations`), for the
//! `ocikit.annotations` module.

use ocikit_core::annotations as keys;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `{constant name: annotation key}`, e.g. `{"TITLE": "org.opencontainers.image.title", …}`.
pub(crate) fn annotation_keys(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    for (name, key) in [
        ("CREATED", keys::CREATED),
        ("AUTHORS", keys::AUTHORS),
        ("URL", keys::URL),
        ("DOCUMENTATION", keys::DOCUMENTATION),
        ("SOURCE", keys::SOURCE),
        ("VERSION", keys::VERSION),
        ("REVISION", keys::REVISION),
        ("VENDOR", keys::VENDOR),
        ("LICENSES", keys::LICENSES),
        ("REF_NAME", keys::REF_NAME),
        ("TITLE", keys::TITLE),
        ("DESCRIPTION", keys::DESCRIPTION),
        ("BASE_IMAGE_DIGEST", keys::BASE_IMAGE_DIGEST),
        ("BASE_IMAGE_NAME", keys::BASE_IMAGE_NAME),
    ] {
        dict.set_item(name, key)?;
    }
    Ok(dict)
}
