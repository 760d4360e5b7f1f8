//! The one way this crate locks a binding object's state.

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::sync::MutexExt;

/// Locks `mutex` without holding the GIL while waiting: another thread may hold it across a
/// long step it runs detached (hashing, packing, a session's poll), and waiting attached would
/// deadlock with it.
///
/// A poisoned lock is recovered, not raised: every state locked in this crate is changed only
/// by steps that either finish or fail before they touch it, so a panic in one leaves a
/// consistent value behind (each state's own comment says why for its type).
pub(crate) fn lock<'a, T>(py: Python<'_>, mutex: &'a Mutex<T>) -> MutexGuard<'a, T> {
    mutex
        .lock_py_attached(py)
        .unwrap_or_else(PoisonError::into_inner)
}
