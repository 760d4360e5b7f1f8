//! Borrowing the bytes of any Python object that exports the buffer protocol, without copying.

use crate::text::str_of;
use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// Inputs at least this long are hashed with the GIL released, so that other Python threads
/// run meanwhile. Releasing and re-taking an uncontended GIL measured about 0.1 µs here, under
/// 1% of the ~11 µs that hashing 16 KiB takes; but re-taking it from a busy thread can wait a
/// whole switch interval, so small inputs, over in a few microseconds, keep it.
pub(crate) const DETACH_THRESHOLD: usize = 16 * 1024;

/// The bytes of a `bytes` object or of any C-contiguous buffer (bytearray, memoryview, mmap,
/// array.array, NumPy arrays…), borrowed for as long as this value lives.
///
/// Like `hashlib`, items of any format are read as their raw bytes.
pub(crate) enum ByteView<'py> {
    /// `bytes` is immutable: its contents can be borrowed directly.
    Bytes(Bound<'py, PyBytes>),
    /// Any other exporter; the export pins the memory (a bytearray cannot be resized while it
    /// is exported) until the buffer is released on drop.
    Buffer(PyUntypedBuffer),
}

impl<'py> ByteView<'py> {
    /// Borrows the bytes of `obj`.
    ///
    /// # Errors
    /// `TypeError` when `obj` does not support the buffer protocol (e.g. `str`), `BufferError`
    /// when its buffer is not C-contiguous.
    pub(crate) fn new(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(Self::Bytes(bytes.clone()));
        }
        let buffer = PyUntypedBuffer::get(obj)?;
        if !buffer.is_c_contiguous() {
            return Err(PyBufferError::new_err(
                "data must be a C-contiguous buffer; copy a strided view first, e.g. bytes(view)",
            ));
        }
        Ok(Self::Buffer(buffer))
    }

    /// The borrowed bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Self::Bytes(bytes) => bytes.as_bytes(),
            Self::Buffer(buffer) => {
                let len = buffer.len_bytes();
                let ptr = buffer.buf_ptr().cast::<u8>().cast_const();
                if len == 0 || ptr.is_null() {
                    return &[];
                }
                // SAFETY: the exporter guarantees that `len` bytes at `ptr` are allocated and
                // initialised for as long as the Py_buffer is held; `self.Buffer` holds it and
                // the returned slice borrows `self`, so it cannot outlive the export. The buffer
                // was checked to be C-contiguous, so those `len` bytes are exactly its contents.
                // The one thing the buffer protocol cannot promise is that nobody writes to a
                // mutable buffer (a bytearray) while we read it — another thread, or a C
                // extension that released the GIL. hashlib has the same exposure and documents
                // it: the bytes are only read, never trusted for memory safety, so such a race
                // can only produce a digest of mixed old and new contents. The documentation of
                // `digest` and `Digester.update` tells callers not to mutate input meanwhile.
                #[allow(unsafe_code)]
                unsafe {
                    std::slice::from_raw_parts(ptr, len)
                }
            }
        }
    }
}

/// A document argument: a `str` (read as its UTF-8 encoding) or any C-contiguous buffer.
pub(crate) enum Document<'py> {
    /// A `str`; its UTF-8 form is cached by CPython and borrowed.
    Text(Bound<'py, PyString>),
    /// `bytes` or another buffer.
    Bytes(ByteView<'py>),
}

impl<'py> Document<'py> {
    /// Borrows the document `obj`.
    ///
    /// # Errors
    /// `TypeError` naming the accepted types when `obj` is neither a `str` nor a buffer,
    /// `BufferError` when the buffer is not C-contiguous.
    pub(crate) fn new(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(text) = obj.cast::<PyString>() {
            return Ok(Self::Text(text.clone()));
        }
        match ByteView::new(obj) {
            Ok(view) => Ok(Self::Bytes(view)),
            Err(err) if err.is_instance_of::<PyTypeError>(obj.py()) => {
                Err(PyTypeError::new_err(format!(
                    "a document must be bytes, str or a buffer, not '{}'",
                    obj.get_type().name()?
                )))
            }
            Err(err) => Err(err),
        }
    }

    /// The document's bytes.
    ///
    /// # Errors
    /// `ValidationError` (`TEXT_INVALID`) for a `str` with lone surrogates.
    pub(crate) fn as_slice(&self) -> PyResult<&[u8]> {
        match self {
            Self::Text(text) => Ok(str_of(text)?.as_bytes()),
            Self::Bytes(view) => Ok(view.as_slice()),
        }
    }
}
