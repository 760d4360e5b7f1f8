//! `digest`, `verify`, `Digest` and `Digester`: wrappers of `ocikit_core::digest`.

use std::sync::{Mutex, MutexGuard};

use crate::text::{Text, str_of};
use ocikit_core::{Algorithm, Digest, Digester, Error, digest as core_digest};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString, PyTuple};

use crate::buffer::{ByteView, DETACH_THRESHOLD};
use crate::errors::OrRaise;
use crate::sync::lock;

/// The digest of `data` as `"<algorithm>:<hex>"` (sha256, sha512 or blake3).
///
/// `data` is any C-contiguous buffer (bytes, bytearray, memoryview, mmap, array.array…), read
/// without copying. Inputs of 16 KiB and more are hashed with the GIL released; as with
/// hashlib, do not modify a buffer while it is being hashed.
#[pyfunction]
#[pyo3(signature = (data, algorithm = Text::from("sha256")), text_signature = "(data, algorithm='sha256')")]
pub(crate) fn digest(py: Python<'_>, data: &Bound<'_, PyAny>, algorithm: Text) -> PyResult<String> {
    let algorithm = Algorithm::parse(&algorithm).or_raise(py)?;
    let view = ByteView::new(data)?;
    let bytes = view.as_slice();
    let computed = if bytes.len() >= DETACH_THRESHOLD {
        py.detach(|| core_digest::compute(&algorithm, bytes))
    } else {
        core_digest::compute(&algorithm, bytes)
    };
    Ok(computed.or_raise(py)?.to_string())
}

/// Checks that `data` has the digest `digest` (a str or a Digest) and, when given, the length
/// `size`. Raises DigestMismatchError (SIZE_MISMATCH or DIGEST_MISMATCH) when it has not.
#[pyfunction]
#[pyo3(signature = (data, digest, size = None))]
pub(crate) fn verify(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    digest: &Bound<'_, PyAny>,
    size: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let expected = digest_arg(py, digest)?;
    let size = size_arg(py, size)?;
    let view = ByteView::new(data)?;
    let bytes = view.as_slice();
    let verified = if bytes.len() >= DETACH_THRESHOLD {
        py.detach(|| ocikit_core::verify(bytes, &expected, size))
    } else {
        ocikit_core::verify(bytes, &expected, size)
    };
    verified.or_raise(py)
}

/// A digest argument: a `Digest` or its string form.
pub(crate) fn digest_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Digest> {
    if let Ok(parsed) = obj.cast::<PyDigest>() {
        return Ok(parsed.get().0.clone());
    }
    let text = obj.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!(
            "digest must be a str or an ocikit.Digest, not {}",
            type_name(obj)
        ))
    })?;
    Digest::parse(str_of(text)?).or_raise(py)
}

/// A size argument: `None` or a non-negative `int` (a negative or huge one is SIZE_INVALID).
fn size_arg(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(obj) = obj.filter(|obj| !obj.is_none()) else {
        return Ok(None);
    };
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "size must be an int or None, not {}",
            type_name(obj)
        )));
    }
    match obj.extract::<u64>() {
        Ok(size) => Ok(Some(size)),
        Err(_) => Err(Error::SizeInvalid {
            value: obj.str()?.to_string(),
        })
        .or_raise(py),
    }
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "an unknown type".to_owned(), |name| format!("'{name}'"))
}

/// A parsed digest, `algorithm:encoded`.
#[pyclass(name = "Digest", module = "ocikit", frozen, eq, hash)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyDigest(pub(crate) Digest);

#[pymethods]
impl PyDigest {
    /// Parses `"algorithm:encoded"`.
    #[staticmethod]
    fn parse(py: Python<'_>, text: Text) -> PyResult<Self> {
        Digest::parse(&text).map(Self).or_raise(py)
    }

    /// The algorithm, e.g. `"sha256"`.
    #[getter]
    fn algorithm(&self) -> &str {
        self.0.algorithm().as_str()
    }

    /// The encoded part (lowercase hex for sha256, sha512 and blake3).
    #[getter]
    fn encoded(&self) -> &str {
        self.0.encoded()
    }

    /// Whether ocikit can compute and verify this digest.
    #[getter]
    fn supported(&self) -> bool {
        self.0.is_supported()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Digest('{}')", self.0)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let parse = slf.get_type().getattr("parse")?;
        let args = PyTuple::new(slf.py(), [slf.get().0.to_string()])?;
        Ok((parse, args))
    }
}

/// Incremental digest computation: `update()` as bytes arrive, `finalize()` at the end.
///
/// Safe to share between threads: calls are serialised, as with hashlib objects.
#[pyclass(name = "Digester", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyDigester {
    state: Mutex<Digester>,
}

impl PyDigester {
    /// Locks the state without holding the GIL while waiting for another thread's update.
    fn lock(&self, py: Python<'_>) -> MutexGuard<'_, Digester> {
        // Nothing in the critical sections can panic, so a poisoned lock still holds a
        // consistent state.
        lock(py, &self.state)
    }
}

#[pymethods]
impl PyDigester {
    #[new]
    #[pyo3(signature = (algorithm = Text::from("sha256")), text_signature = "(algorithm='sha256')")]
    fn new(py: Python<'_>, algorithm: Text) -> PyResult<Self> {
        let algorithm = Algorithm::parse(&algorithm).or_raise(py)?;
        let digester = Digester::new(&algorithm).or_raise(py)?;
        Ok(Self {
            state: Mutex::new(digester),
        })
    }

    /// Feeds more content: any C-contiguous buffer, read without copying (with the GIL
    /// released from 16 KiB).
    fn update(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let view = ByteView::new(data)?;
        let bytes = view.as_slice();
        let mut guard = self.lock(py);
        let digester: &mut Digester = &mut guard;
        if bytes.len() >= DETACH_THRESHOLD {
            py.detach(|| digester.update(bytes));
        } else {
            digester.update(bytes);
        }
        Ok(())
    }

    /// The digest of everything fed so far; more content may follow.
    fn finalize(&self, py: Python<'_>) -> String {
        self.lock(py).finalize().to_string()
    }

    /// Checks the content fed so far against `digest` and, when given, `size`.
    #[pyo3(signature = (digest, size = None))]
    fn verify(
        &self,
        py: Python<'_>,
        digest: &Bound<'_, PyAny>,
        size: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let expected = digest_arg(py, digest)?;
        let size = size_arg(py, size)?;
        self.lock(py).verify(&expected, size).or_raise(py)
    }

    /// An independent copy of the current state.
    fn copy(&self, py: Python<'_>) -> Self {
        Self {
            state: Mutex::new(self.lock(py).clone()),
        }
    }

    /// The number of bytes fed so far.
    #[getter]
    fn size(&self, py: Python<'_>) -> u64 {
        self.lock(py).size()
    }

    /// The algorithm: `"sha256"`, `"sha512"` or `"blake3"`.
    #[getter]
    fn algorithm(&self, py: Python<'_>) -> String {
        self.lock(py).algorithm().as_str().to_owned()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let digester = self.lock(py);
        format!(
            "Digester(algorithm='{}', size={})",
            digester.algorithm(),
            digester.size()
        )
    }
}
