//! `write_layout_tar` and `read_layout_tar`: a layout's files as one tar archive, through the
//! core's [`ocikit_core::layout::tar`] (the bytes JS's `layoutTar` and `OciLayout` write).

use ocikit_core::layout;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::to_py_err;

/// The bytes of a tar archive holding a layout's `files` (`(path, content)` pairs): the core's
/// fixed order and headers, whatever order they come in.
#[pyfunction]
pub(crate) fn write_layout_tar<'py>(
    py: Python<'py>,
    files: Vec<(String, Vec<u8>)>,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = py
        .detach(|| {
            layout::write_layout_tar(
                files
                    .iter()
                    .map(|(path, bytes)| (path.as_str(), bytes.as_slice())),
            )
        })
        .map_err(|err| to_py_err(py, &err))?;
    Ok(PyBytes::new(py, &bytes))
}

/// The regular files of an untrusted layout tar, `[(path, content)]` sorted by path: links,
/// devices, `..` and absolute names refused (`ARCHIVE_UNSAFE`), a corrupt archive
/// `ARCHIVE_INVALID`, more than `entries_max` entries `LIMIT_EXCEEDED`.
#[pyfunction]
#[pyo3(signature = (data, entries_max = layout::LAYOUT_TAR_ENTRIES_MAX))]
pub(crate) fn read_layout_tar<'py>(
    py: Python<'py>,
    data: &[u8],
    entries_max: u64,
) -> PyResult<Vec<(String, Bound<'py, PyBytes>)>> {
    let files = layout::read_layout_tar(data, entries_max).map_err(|err| to_py_err(py, &err))?;
    Ok(files
        .into_iter()
        .map(|(path, range)| (path, PyBytes::new(py, &data[range])))
        .collect())
}
