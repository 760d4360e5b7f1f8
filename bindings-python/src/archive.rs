//! Directory layers (`ocikit_core::archive`): the packer and the unpacker, stepped by
//! `ocikit/_archive.py`, which reads and writes the files.

use std::sync::{Mutex, MutexGuard};

use ocikit_core::archive::{
    self, DirectoryPacker, EntryData, EntryKind, Mtimes, PackOptions, TreeEntry, UnpackEvent,
    UnpackLimits, Unpacker,
};
use ocikit_core::{Digest, Error};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::buffer::ByteView;
use crate::descriptor::PyDescriptor;
use crate::errors::OrRaise;
use crate::sync::lock;
use crate::text::Text;

fn misuse(reason: String) -> Error {
    Error::OperationMisuse { reason }
}

/// A directory being packed: `next_file()` names the next file whose bytes `write()` takes;
/// `take_output()` gives the gzip bytes made so far; `finish()` the rest and the layer.
#[pyclass(name = "_DirectoryPacker", module = "ocikit._ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyDirectoryPacker {
    state: Mutex<Option<DirectoryPacker>>,
}

impl PyDirectoryPacker {
    fn lock(&self, py: Python<'_>) -> MutexGuard<'_, Option<DirectoryPacker>> {
        lock(py, &self.state)
    }
}

#[pymethods]
impl PyDirectoryPacker {
    /// `entries`: `(path, kind, mode, mtime, size_or_target)` with kind `"file"` (the size),
    /// `"directory"` (None) or `"symlink"` (the target). `mtime`: fixed seconds, or None for
    /// each entry's own.
    #[new]
    #[pyo3(signature = (name, entries, *, mtime, keep_modes))]
    fn new(
        py: Python<'_>,
        name: Text,
        entries: Vec<(Text, Text, u32, u64, Bound<'_, PyAny>)>,
        mtime: Option<u64>,
        keep_modes: bool,
    ) -> PyResult<Self> {
        let mut listed = Vec::with_capacity(entries.len());
        for (path, kind, mode, mtime, extra) in entries {
            let kind = match &*kind {
                "file" => EntryKind::File {
                    size: extra.extract()?,
                },
                "directory" => EntryKind::Directory,
                "symlink" => EntryKind::Symlink {
                    target: extra.extract::<Text>()?.into(),
                },
                other => {
                    return Err(misuse(format!("unknown entry kind {other:?}"))).or_raise(py);
                }
            };
            listed.push(TreeEntry {
                path: path.into(),
                kind,
                mode,
                mtime,
            });
        }
        let options = PackOptions {
            mtimes: mtime.map_or(Mtimes::Real, Mtimes::Fixed),
            keep_modes,
        };
        let packer = DirectoryPacker::new(&name, listed, options).or_raise(py)?;
        Ok(Self {
            state: Mutex::new(Some(packer)),
        })
    }

    /// The next file to give, `(path, size)` relative to the directory, or None.
    fn next_file(&self, py: Python<'_>) -> PyResult<Option<(String, u64)>> {
        let mut guard = self.lock(py);
        let packer = guard
            .as_mut()
            .ok_or_else(|| misuse("the packer is finished".to_owned()))
            .or_raise(py)?;
        Ok(packer.next_file().or_raise(py)?.map(|entry| {
            let size = match entry.kind {
                EntryKind::File { size } => size,
                _ => 0,
            };
            (entry.path, size)
        }))
    }

    /// The next bytes of the current file (any C-contiguous buffer).
    fn write(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let view = ByteView::new(data)?;
        let mut guard = self.lock(py);
        let packer = guard
            .as_mut()
            .ok_or_else(|| misuse("the packer is finished".to_owned()))
            .or_raise(py)?;
        let bytes = view.as_slice();
        py.detach(|| packer.write(bytes)).or_raise(py)
    }

    /// The gzip bytes made so far and not taken yet.
    fn take_output<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let out = self
            .lock(py)
            .as_mut()
            .map(DirectoryPacker::take_output)
            .unwrap_or_default();
        PyBytes::new(py, &out)
    }

    /// Ends the archive: `(last_bytes, layer_descriptor, content_digest, content_size)`.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let packer = self
            .lock(py)
            .take()
            .ok_or_else(|| misuse("the packer is finished".to_owned()))
            .or_raise(py)?;
        let packed = py.detach(|| packer.finish()).or_raise(py)?;
        (
            PyBytes::new(py, &packed.output),
            PyDescriptor(packed.descriptor),
            packed.content_digest.to_string(),
            packed.content_size,
        )
            .into_pyobject(py)
    }
}

/// A directory layer being unpacked: `feed()` its bytes, then `finish()`; each returns a list
/// of events: `("file", path, mode, size)`, `("data", bytes)`, `("directory", path, mode)`,
/// `("symlink", path, target)`, `("hardlink", path, target)`, and last
/// `("end", content_digest, content_size, entries)`.
#[pyclass(name = "_Unpacker", module = "ocikit._ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyUnpacker {
    state: Mutex<Unpacker>,
}

impl PyUnpacker {
    fn lock(&self, py: Python<'_>) -> MutexGuard<'_, Unpacker> {
        lock(py, &self.state)
    }
}

fn limits(max_size: Option<u64>, max_entries: Option<u64>, max_ratio: Option<u64>) -> UnpackLimits {
    let default = UnpackLimits::default();
    UnpackLimits {
        max_size: max_size.unwrap_or(default.max_size),
        max_entries: max_entries.unwrap_or(default.max_entries),
        max_ratio: max_ratio.unwrap_or(default.max_ratio),
    }
}

fn events<'py>(py: Python<'py>, events: Vec<UnpackEvent>) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for event in events {
        let item = match event {
            UnpackEvent::Entry(entry) => match entry.data {
                EntryData::File { size } => ("file", entry.path, entry.mode, size)
                    .into_pyobject(py)?
                    .into_any(),
                EntryData::Directory => ("directory", entry.path, entry.mode)
                    .into_pyobject(py)?
                    .into_any(),
                EntryData::Symlink { target } => ("symlink", entry.path, target)
                    .into_pyobject(py)?
                    .into_any(),
                EntryData::HardLink { target } => ("hardlink", entry.path, target)
                    .into_pyobject(py)?
                    .into_any(),
            },
            UnpackEvent::Data(data) => ("data", PyBytes::new(py, &data))
                .into_pyobject(py)?
                .into_any(),
            UnpackEvent::End(summary) => (
                "end",
                summary.content_digest.to_string(),
                summary.content_size,
                summary.entries,
            )
                .into_pyobject(py)?
                .into_any(),
        };
        list.append(item)?;
    }
    Ok(list)
}

#[pymethods]
impl PyUnpacker {
    /// An unpacker for the directory `title`, verifying `content_digest` when given.
    #[new]
    #[pyo3(signature = (title, content_digest = None, *, max_size = None, max_entries = None, max_ratio = None, allow_git = false))]
    fn new(
        py: Python<'_>,
        title: Text,
        content_digest: Option<Text>,
        max_size: Option<u64>,
        max_entries: Option<u64>,
        max_ratio: Option<u64>,
        allow_git: bool,
    ) -> PyResult<Self> {
        let digest = content_digest
            .map(|d| Digest::parse(&d))
            .transpose()
            .or_raise(py)?;
        let unpacker = Unpacker::new(&title, digest, limits(max_size, max_entries, max_ratio))
            .or_raise(py)?
            .allow_git_paths(allow_git);
        Ok(Self {
            state: Mutex::new(unpacker),
        })
    }

    /// An unpacker for a pulled layer: its title and `io.deis.oras.content.digest`.
    #[staticmethod]
    #[pyo3(signature = (descriptor, *, max_size = None, max_entries = None, max_ratio = None, allow_git = false))]
    fn for_layer(
        py: Python<'_>,
        descriptor: PyRef<'_, PyDescriptor>,
        max_size: Option<u64>,
        max_entries: Option<u64>,
        max_ratio: Option<u64>,
        allow_git: bool,
    ) -> PyResult<Self> {
        let unpacker = Unpacker::for_layer(&descriptor.0, limits(max_size, max_entries, max_ratio))
            .or_raise(py)?
            .allow_git_paths(allow_git);
        Ok(Self {
            state: Mutex::new(unpacker),
        })
    }

    /// Takes the next bytes of the layer; returns the events they complete.
    fn feed<'py>(&self, py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let view = ByteView::new(data)?;
        let bytes = view.as_slice();
        let mut guard = self.lock(py);
        let unpacker: &mut Unpacker = &mut guard;
        let out = py.detach(|| unpacker.feed(bytes)).or_raise(py)?;
        events(py, out)
    }

    /// Ends the layer: the events left, the last one `("end", …)`.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut guard = self.lock(py);
        let unpacker: &mut Unpacker = &mut guard;
        let out = py.detach(|| unpacker.finish()).or_raise(py)?;
        events(py, out)
    }
}

/// Whether a pulled layer is a directory to unpack (`ocikit_core::archive::should_unpack`).
#[pyfunction]
pub(crate) fn should_unpack(descriptor: PyRef<'_, PyDescriptor>) -> bool {
    archive::should_unpack(&descriptor.0)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDirectoryPacker>()?;
    m.add_class::<PyUnpacker>()?;
    m.add_function(wrap_pyfunction!(should_unpack, m)?)?;
    m.add("_DIRECTORY_MEDIA_TYPE", archive::LAYER_MEDIA_TYPE)?;
    Ok(())
}
