//! `ocikit._ocikit`: the native module under the `ocikit` Python package.
//!
//! Everything here converts between Python and `ocikit_core` types; all decisions are made in
//! the core. Each file wraps one core area. Core errors become the exception classes defined
//! in `ocikit/errors.py` (see `errors.rs`); buffers are read without copying (`buffer.rs`) and
//! large inputs are hashed and validated with the GIL released.

mod annotations;
mod archive;
mod artifact_type;
mod buffer;
mod collection;
mod descriptor;
mod digest;
mod errors;
mod finding;
mod json;
mod layout;
mod layout_tar;
mod manifest;
mod media_type;
mod operation;
mod pack;
mod profiles;
mod reference;
mod registry;
mod repr;
mod sync;
mod text;
mod validate;
mod walk;

use pyo3::prelude::*;

#[pymodule]
fn _ocikit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(digest::digest, m)?)?;
    m.add_function(wrap_pyfunction!(digest::verify, m)?)?;
    m.add_class::<digest::PyDigest>()?;
    m.add_class::<digest::PyDigester>()?;
    m.add_class::<media_type::PyMediaType>()?;
    m.add_class::<media_type::PyArtifactMediaType>()?;
    m.add_class::<finding::PyFinding>()?;

    m.add_class::<descriptor::PyDescriptor>()?;
    m.add_class::<descriptor::PyPlatform>()?;
    m.add_class::<manifest::PyManifest>()?;
    m.add_class::<manifest::PyIndex>()?;
    m.add("ANNOTATION_KEYS", annotations::annotation_keys(m.py())?)?;

    m.add_function(wrap_pyfunction!(validate::validate, m)?)?;
    m.add_class::<validate::PyReport>()?;

    m.add_function(wrap_pyfunction!(pack::pack, m)?)?;
    m.add_function(wrap_pyfunction!(pack::pack_index, m)?)?;
    m.add_function(wrap_pyfunction!(pack::check_title, m)?)?;
    collection::register(m)?;
    // The config media type the ORAS CLI gives `--config FILE` without `:TYPE`.
    m.add(
        "_UNKNOWN_CONFIG_TYPE",
        ocikit_core::pack::UNKNOWN_CONFIG_TYPE,
    )?;

    m.add_class::<artifact_type::PyArtifactTypeDefinition>()?;
    m.add_class::<artifact_type::PyDescription>()?;
    m.add_function(wrap_pyfunction!(artifact_type::artifact_types, m)?)?;
    m.add_function(wrap_pyfunction!(artifact_type::register_artifact_type, m)?)?;
    m.add_function(wrap_pyfunction!(artifact_type::describe, m)?)?;
    m.add_function(wrap_pyfunction!(artifact_type::check_logo, m)?)?;
    m.add_function(wrap_pyfunction!(artifact_type::lookup_artifact_type, m)?)?;
    m.add_function(wrap_pyfunction!(artifact_type::classify_tag, m)?)?;
    m.add_function(wrap_pyfunction!(artifact_type::pull_commands, m)?)?;

    m.add_class::<reference::PyReference>()?;
    registry::register(m)?;
    walk::register(m)?;
    operation::register(m)?;
    profiles::register(m)?;

    archive::register(m)?;
    m.add_class::<layout::PyLayout>()?;
    m.add_function(wrap_pyfunction!(layout::verify_layout, m)?)?;
    m.add_class::<layout::PyLayoutServer>()?;
    m.add_class::<layout::PyLayoutExchange>()?;
    m.add_class::<layout::PyLayoutStep>()?;
    m.add_function(wrap_pyfunction!(layout::layout_host, m)?)?;
    m.add_function(wrap_pyfunction!(layout::is_layout_host, m)?)?;
    m.add_function(wrap_pyfunction!(layout::layout_reference, m)?)?;
    m.add_function(wrap_pyfunction!(layout_tar::write_layout_tar, m)?)?;
    m.add_function(wrap_pyfunction!(layout_tar::read_layout_tar, m)?)?;
    m.add_function(wrap_pyfunction!(layout_tar::layout_tar_pieces, m)?)?;
    m.add_class::<layout_tar::PyLayoutTarReader>()?;
    Ok(())
}
