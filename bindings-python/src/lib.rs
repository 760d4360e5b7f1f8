//! `ocikit._ocikit`: the native module under the `ocikit` Python package.
//!
//! Everything here converts between Python and `ocikit_core` types; all decisions are made in
//! the core. Each file wraps one core type. Core errors become the exception classes defined
//! in `ocikit/errors.py` (see `errors.rs`); buffers are read without copying (`buffer.rs`) and
//! large inputs are hashed with the GIL released.

mod buffer;
mod digest;
mod errors;
mod finding;
mod media_type;

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
    Ok(())
}
