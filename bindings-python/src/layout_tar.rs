//! A layout's files as one tar archive, through the core's [`ocikit_core::layout::tar`] (the
//! bytes JS's `layoutTar` and `OciLayout` write): streamed both ways for `OciLayout("x.tar")`
//! (`layout_tar_pieces`, `_LayoutTarReader`), and in memory (`write_layout_tar`,
//! `read_layout_tar`).

use std::sync::Mutex;

use ocikit_core::layout::{self, LayoutTarEvent, LayoutTarReader, TarPiece};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::buffer::ByteView;
use crate::errors::{OrRaise, to_py_err};
use crate::sync::lock;

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

/// The plan of the layout tar holding `files` (`(path, size)` pairs), in the archive's order:
/// `bytes` to write as they are (headers, padding, the end blocks), and `(index, path, size)`
/// where the content of the `index`-th file given goes, exactly `size` bytes. Joined, they are
/// `write_layout_tar`'s bytes for the same files.
#[pyfunction]
pub(crate) fn layout_tar_pieces<'py>(
    py: Python<'py>,
    files: Vec<(String, u64)>,
) -> PyResult<Bound<'py, PyList>> {
    let pieces = layout::layout_tar_pieces(files.iter().map(|(path, size)| (path.as_str(), *size)))
        .or_raise(py)?;
    let list = PyList::empty(py);
    for piece in pieces {
        match piece {
            TarPiece::Bytes(bytes) => list.append(PyBytes::new(py, &bytes))?,
            TarPiece::File { index, path, size } => list.append((index, path, size))?,
        }
    }
    Ok(list)
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

/// An untrusted layout tar being read: `feed()` its bytes in pieces, then `finish()`. `feed`
/// returns the events the piece completes, in order: `("file", path, size)` (a regular file
/// begins), `("data", bytes)` (its next bytes), `("file_end",)` (it is whole). The rules of
/// `read_layout_tar`; errors are sticky.
#[pyclass(name = "_LayoutTarReader", module = "ocikit._ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyLayoutTarReader {
    state: Mutex<LayoutTarReader>,
}

#[pymethods]
impl PyLayoutTarReader {
    /// A reader refusing more than `entries_max` entries.
    #[new]
    #[pyo3(signature = (entries_max = layout::LAYOUT_TAR_ENTRIES_MAX))]
    fn new(entries_max: u64) -> Self {
        Self {
            state: Mutex::new(LayoutTarReader::new(entries_max)),
        }
    }

    /// Takes the next bytes of the archive; returns the events they complete.
    fn feed<'py>(&self, py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let view = ByteView::new(data)?;
        let bytes = view.as_slice();
        // The reader's errors are sticky, so a poisoned lock still guards a consistent reader.
        let mut guard = lock(py, &self.state);
        let reader: &mut LayoutTarReader = &mut guard;
        let events = py.detach(|| reader.feed(bytes)).or_raise(py)?;
        let list = PyList::empty(py);
        for event in events {
            match event {
                LayoutTarEvent::File { path, size } => list.append(("file", path, size))?,
                LayoutTarEvent::Data(range) => {
                    list.append(("data", PyBytes::new(py, &bytes[range])))?;
                }
                LayoutTarEvent::FileEnd => list.append(("file_end",))?,
            }
        }
        Ok(list)
    }

    /// Ends the archive (a cut one is `ARCHIVE_INVALID`, a file under another's path
    /// `ARCHIVE_UNSAFE`).
    fn finish(&self, py: Python<'_>) -> PyResult<()> {
        lock(py, &self.state).finish().or_raise(py)
    }
}
