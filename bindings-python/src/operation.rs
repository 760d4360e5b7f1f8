//! Whole operations (push, pull, copy, discover, delete, the tags of a digest): wrappers of
//! `ocikit_core::registry::{Push, Pull, CopyArtifact, Discover, Delete, TagsOf}`, one class
//! each, all driven the same way (the engine's `Operation` trait):
//!
//! ```text
//! op = Push(reference, media_type, manifest, tags=("latest",))
//! while True:
//!     action = op.poll(sessions, now_ms)      # a RegistrySession, or a list of them
//!     if action.kind == "send":    start action.request (streaming action.blob's bytes);
//!                                  later op.provide(action.task, response | Failure(...))
//!     elif action.kind == "wait":  after action.ms: op.provide(action.task, "resume")
//!     elif action.kind == "pending": wait for any request in flight to end; provide it
//!     else:                        return action.value            # "done": the outcome
//! ```
//!
//! Operations are `frozen` classes around a `Mutex`: `poll` and `provide` may be called from
//! any thread (a pool of transfer threads provides answers while the main thread polls) and
//! from asyncio tasks; each call holds the lock only while the engine computes a step. The
//! sessions given to `poll` are locked (in a fixed order) for that step and keep the tokens
//! and what the engine learnt.

use std::cell::RefCell;
use std::sync::{Mutex, MutexGuard};

use crate::text::{Text, into_strings};
use ocikit_core::registry::{
    Action, BlobOutcome, CopyArtifact, CopyOptions, CopyOutcome, Delete, DeleteOutcome, Discover,
    DiscoverOptions, DiscoverOutcome, Operation, PlannedRequest, Pull, PullOptions, PullOutcome,
    Push, PushArtifactOptions, PushOutcome, Session, Sessions, TagsOf, TagsOfOutcome, TaskId,
};
use ocikit_core::{Descriptor, Digest};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::buffer::ByteView;
use crate::descriptor::PyDescriptor;
use crate::digest::{digest_arg, type_name};
use crate::errors::OrRaise;
use crate::registry::{PyRegistrySession, PyRequest, input_arg, reference_arg};
use crate::sync::lock;
use crate::walk::{PyWalkLimits, tree_to_py};

/// Runs `step` with the core `Sessions` made of `sessions` (a `RegistrySession` or a sequence
/// of them), each locked for the step (in the order of their registries, so that two threads
/// never wait for each other) and updated with what the step changed (tokens, the referrers
/// API, the blobs it saw).
///
/// Each session is moved into the core's `Sessions` for the step and back after it, not
/// cloned: a clone shares the session's table of known blobs, which the step's first note of a
/// blob then copied whole (one copy per blob of a push or pull: quadratic in its blobs).
fn with_sessions<R>(
    py: Python<'_>,
    sessions: &Bound<'_, PyAny>,
    step: impl FnOnce(&mut Sessions) -> R,
) -> PyResult<R> {
    if let Ok(one) = sessions.cast::<PyRegistrySession>() {
        // One session (every operation but a copy between registries): nothing to order.
        let one = one.get();
        let mut guard = lock(py, &one.session);
        return Ok(lend(std::slice::from_mut(&mut guard), step));
    }
    if sessions.is_instance_of::<PyString>() || sessions.is_none() {
        return Err(sessions_type(sessions));
    }
    let mut given: Vec<Bound<'_, PyRegistrySession>> = Vec::new();
    for item in sessions.try_iter().map_err(|_| sessions_type(sessions))? {
        let item = item?;
        let session = item
            .cast::<PyRegistrySession>()
            .map_err(|_| sessions_type(&item))?;
        given.push(session.clone());
    }
    given.sort_by(|a, b| a.get().registry.cmp(&b.get().registry));
    given.dedup_by(|a, b| a.get().registry == b.get().registry);
    let mut guards: Vec<_> = given.iter().map(|s| lock(py, &s.get().session)).collect();
    Ok(lend(&mut guards, step))
}

thread_local! {
    /// The core `Sessions` of this thread's last step on one session, holding the stand-in
    /// that kept the session's place: the next step on that registry swaps its session in
    /// again (a new stand-in, `Session::new`, allocates and looks up the registry's profile:
    /// a poll and a provide per request of a transfer).
    static SPARE: RefCell<Option<Sessions>> = const { RefCell::new(None) };
}

/// Moves the locked sessions into a core `Sessions` for `step`, and back (also when `step`
/// panics: a session is never left behind as the stand-in that held its place).
fn lend<R>(guards: &mut [MutexGuard<'_, Session>], step: impl FnOnce(&mut Sessions) -> R) -> R {
    struct Lent<'g, 'm> {
        guards: &'g mut [MutexGuard<'m, Session>],
        core: Sessions,
    }
    impl Drop for Lent<'_, '_> {
        fn drop(&mut self) {
            for guard in self.guards.iter_mut() {
                // The stand-in has the registry's name: the session is found by it.
                if let Some(session) = self.core.get_mut(guard.registry()) {
                    std::mem::swap(&mut **guard, session);
                }
            }
            if self.guards.len() == 1 && self.core.registries().count() == 1 {
                let core = std::mem::replace(&mut self.core, Sessions::new());
                SPARE.with(|spare| *spare.borrow_mut() = Some(core));
            }
        }
    }
    let core = match guards {
        [guard] => {
            let spare = SPARE.with(|spare| spare.borrow_mut().take());
            match spare {
                // The stand-in of the same registry, and nothing else.
                Some(mut core) if core.registries().count() == 1 => {
                    match core.get_mut(guard.registry()) {
                        Some(stand_in) => {
                            std::mem::swap(&mut **guard, stand_in);
                            Some(core)
                        }
                        None => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    };
    let core = core.unwrap_or_else(|| {
        let mut core = Sessions::new();
        for guard in guards.iter_mut() {
            let stand_in = Session::new(guard.registry(), true, None);
            core.insert(std::mem::replace(&mut **guard, stand_in));
        }
        core
    });
    let mut lent = Lent { guards, core };
    step(&mut lent.core)
}

fn sessions_type(obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "sessions must be an ocikit.RegistrySession or a sequence of them, not {}",
        type_name(obj)
    ))
}

/// What an operation asks of the host, from `poll`: `kind` is `"send"` (send `request` — it
/// moves the bytes of `blob` when that is set: from its source for a body of
/// `(offset, length)`, into its sink when `request.stream` — then `provide(task, Response |
/// Failure)`), `"wait"` (after `ms` milliseconds, `provide(task, "resume")`), `"pending"`
/// (nothing to start until a request in flight ends) or `"done"` (`value` is the outcome).
#[pyclass(name = "Action", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyAction {
    kind: &'static str,
    task: Option<u64>,
    request: Option<Py<PyRequest>>,
    blob: Option<PyDescriptor>,
    registry: Option<String>,
    ms: Option<u64>,
    value: Py<PyAny>,
}

#[pymethods]
impl PyAction {
    /// `"send"`, `"wait"`, `"pending"` or `"done"` (interned: a host compares it per action).
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> &Bound<'py, PyString> {
        match self.kind {
            "send" => pyo3::intern!(py, "send"),
            "wait" => pyo3::intern!(py, "wait"),
            "pending" => pyo3::intern!(py, "pending"),
            _ => pyo3::intern!(py, "done"),
        }
    }

    /// The task to provide the answer for (`"send"` and `"wait"`).
    #[getter]
    fn task(&self) -> Option<u64> {
        self.task
    }

    /// The request to send (`"send"`).
    #[getter]
    fn request(&self, py: Python<'_>) -> Option<Py<PyRequest>> {
        self.request.as_ref().map(|r| r.clone_ref(py))
    }

    /// The blob whose bytes the request moves, if any (`"send"`).
    #[getter]
    fn blob(&self) -> Option<PyDescriptor> {
        self.blob.clone()
    }

    /// The registry of the session the request is for (`"send"`): send it with that
    /// registry's transport, also when its URL names another host (a token realm, a
    /// redirect's target). A copy between two registries, or a layout and a registry, hands
    /// out requests of both.
    #[getter]
    fn registry(&self) -> Option<&str> {
        self.registry.as_deref()
    }

    /// How long to wait, in milliseconds (`"wait"`).
    #[getter]
    fn ms(&self) -> Option<u64> {
        self.ms
    }

    /// The outcome (`"done"`).
    #[getter]
    fn value(&self, py: Python<'_>) -> Py<PyAny> {
        self.value.clone_ref(py)
    }

    fn __repr__(&self) -> String {
        match (self.kind, self.task) {
            ("send", Some(task)) => format!(
                "<Action send task={task} {}>",
                self.request
                    .as_ref()
                    .map(|r| format!("{} {}", r.get().0.method, r.get().0.url))
                    .unwrap_or_default()
            ),
            ("wait", Some(task)) => {
                format!(
                    "<Action wait task={task} {}ms>",
                    self.ms.unwrap_or_default()
                )
            }
            (kind, _) => format!("<Action {kind}>"),
        }
    }
}

/// The one `"pending"` action (frozen, nothing in it): a host polls until it gets one after
/// each answer it provides.
static PENDING: PyOnceLock<Py<PyAction>> = PyOnceLock::new();

fn action<'py, T>(
    py: Python<'py>,
    action: Action<T>,
    value: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Py<PyAction>> {
    // An action with nothing in it, filled in below by kind.
    let empty = || PyAction {
        kind: "pending",
        task: None,
        request: None,
        blob: None,
        registry: None,
        ms: None,
        value: py.None(),
    };
    if matches!(action, Action::Pending) {
        let pending = PENDING.get_or_try_init(py, || Py::new(py, empty()))?;
        return Ok(pending.clone_ref(py));
    }
    let mut made = empty();
    match action {
        Action::Send {
            task,
            request,
            blob,
            registry,
        } => {
            made.kind = "send";
            made.task = Some(task.0);
            made.request = Some(Py::new(py, PyRequest(request))?);
            made.blob = blob.map(PyDescriptor);
            made.registry = Some(registry);
        }
        Action::Wait { task, ms } => {
            made.kind = "wait";
            made.task = Some(task.0);
            made.ms = Some(ms);
        }
        Action::Pending => {}
        Action::Done(done) => {
            made.kind = "done";
            made.value = value(py, done)?.unbind();
        }
    }
    Py::new(py, made)
}

fn poll<'py, O: Operation>(
    py: Python<'py>,
    op: &Mutex<O>,
    sessions: &Bound<'_, PyAny>,
    now_ms: u64,
    value: impl FnOnce(Python<'py>, O::Output) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Py<PyAction>> {
    let mut op = lock(py, op);
    let outcome = with_sessions(py, sessions, |sessions| op.poll(sessions, now_ms))?;
    action(py, outcome.or_raise(py)?, value)
}

/// [`Operation::interrupted_upload`] as Python sees it (the operations that upload blobs:
/// `Push`, `CopyArtifact`).
fn interrupted_upload<O: Operation>(
    py: Python<'_>,
    op: &Mutex<O>,
) -> Option<(PyDescriptor, String)> {
    let op = lock(py, op);
    let upload = op.interrupted_upload()?;
    Some((PyDescriptor(upload.blob.clone()), upload.upload_url.clone()))
}

fn provide<O: Operation>(
    py: Python<'_>,
    op: &Mutex<O>,
    task: u64,
    input: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let input = input_arg(Some(input))?;
    lock(py, op).provide(TaskId(task), input).or_raise(py)
}

/// The `#[pymethods]` block of an operation class: the methods written in the invocation (the
/// constructor, `#[new]` with its own `#[pyo3(signature = …)]`, and any method only that
/// operation has, such as `Pull.files`), then the three every operation shares, alike but for
/// the outcome's conversion and the repr:
///
/// - `poll(sessions, now_ms)`: the next `Action` (the module function [`poll`]), its `"done"`
///   value made by the function named after `poll =>`;
/// - `provide(task, input)`: the answer for a task (the module function [`provide`]);
/// - `__repr__`: the string after `repr =>`.
///
/// ```text
/// operation_methods! {
///     impl PyPull {
///         poll => pull_outcome;
///         repr => "<Pull>";
///
///         #[new]
///         fn new(…) -> PyResult<Self> { … }
///     }
/// }
/// ```
///
/// The class itself (a `#[pyclass]` tuple struct around a `Mutex` of the core operation, its
/// docstring the class's `__doc__`) stays written out above each invocation, where grep finds
/// it. One block per class: a second `#[pymethods]` block would need pyo3's
/// `multiple-pymethods` feature (and with it the `inventory` crate), so the constructor goes
/// through the macro. rustfmt leaves the inside of an invocation alone: format the methods
/// written there as it would.
macro_rules! operation_methods {
    (
        impl $class:ident {
            poll => $outcome:ident;
            repr => $repr:literal;

            $($own:tt)*
        }
    ) => {
        #[pymethods]
        impl $class {
            $($own)*

            /// The next action (see `Action`).
            fn poll(
                &self,
                py: Python<'_>,
                sessions: &Bound<'_, PyAny>,
                now_ms: u64,
            ) -> PyResult<Py<PyAction>> {
                poll(py, &self.0, sessions, now_ms, $outcome)
            }

            /// The answer for `task`: a `Response`, a `Failure`, or `"resume"` after a wait.
            fn provide(&self, py: Python<'_>, task: u64, input: &Bound<'_, PyAny>) -> PyResult<()> {
                provide(py, &self.0, task, input)
            }

            fn __repr__(&self) -> &'static str {
                $repr
            }
        }
    };
}

fn descriptors<'py>(py: Python<'py>, list: &[Descriptor]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, list.iter().cloned().map(PyDescriptor))
}

fn strings<'py>(py: Python<'py>, list: &[String]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, list)
}

fn planned<'py>(py: Python<'py>, list: Vec<PlannedRequest>) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(
        py,
        list.into_iter().map(|p| PyPlannedRequest {
            method: p.method.as_str(),
            url: p.url,
            note: p.note,
        }),
    )
}

fn blobs<'py>(py: Python<'py>, list: Vec<BlobOutcome>) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(
        py,
        list.into_iter().map(|b| PyBlobOutcome {
            descriptor: PyDescriptor(b.descriptor),
            status: b.status.as_str(),
        }),
    )
}

fn referrers_tag(tag: Option<(String, Option<Digest>)>) -> Option<(String, Option<String>)> {
    tag.map(|(tag, index)| (tag, index.map(|d| d.to_string())))
}

fn manifest_type(py: Python<'_>, media_type: &str) -> PyResult<String> {
    // Checked here so that a wrong type fails before the operation exists.
    crate::descriptor::media_type_arg(py, media_type).map(|m| m.to_string())
}

fn options_tags(tags: Option<Vec<Text>>) -> Vec<String> {
    tags.map(into_strings).unwrap_or_default()
}

/// A request a dry run would make: `method`, `url`, and `note` (when and why).
#[pyclass(name = "PlannedRequest", module = "ocikit", frozen, get_all)]
#[derive(Debug, Clone)]
pub(crate) struct PyPlannedRequest {
    method: &'static str,
    url: String,
    note: String,
}

#[pymethods]
impl PyPlannedRequest {
    fn __repr__(&self) -> String {
        format!("<PlannedRequest {} {}>", self.method, self.url)
    }
}

/// A blob of a push or copy and what happened to it: `status` is `"uploaded"`, `"existed"`,
/// `"mounted"` or (dry run) `"planned"`.
#[pyclass(name = "BlobOutcome", module = "ocikit", frozen, get_all)]
#[derive(Debug, Clone)]
pub(crate) struct PyBlobOutcome {
    descriptor: PyDescriptor,
    status: &'static str,
}

#[pymethods]
impl PyBlobOutcome {
    fn __repr__(&self) -> String {
        format!("<BlobOutcome {} {}>", self.descriptor.0.digest, self.status)
    }
}

/// What a `Push` did: the manifest's `descriptor`, the `tags` it was put under, each of its
/// `blobs`, the subject's `referrers_tag` as `(tag, index digest or None)` when the push kept
/// it, and for a dry run the `planned` requests (nothing was sent).
#[pyclass(name = "PushOutcome", module = "ocikit", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct PyPushOutcome {
    descriptor: PyDescriptor,
    tags: Py<PyTuple>,
    blobs: Py<PyTuple>,
    referrers_tag: Option<(String, Option<String>)>,
    planned: Py<PyTuple>,
}

#[pymethods]
impl PyPushOutcome {
    fn __repr__(&self) -> String {
        format!("<PushOutcome {}>", self.descriptor.0.digest)
    }
}

fn push_outcome<'py>(py: Python<'py>, o: PushOutcome) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(
        py,
        PyPushOutcome {
            descriptor: PyDescriptor(o.descriptor),
            tags: strings(py, &o.tags)?.unbind(),
            blobs: blobs(py, o.blobs)?.unbind(),
            referrers_tag: referrers_tag(o.referrers_tag),
            planned: planned(py, o.planned)?.unbind(),
        },
    )?
    .into_any())
}

/// Push (attach, with a subject) a manifest or index: its exact `manifest` bytes of
/// `media_type`, to `reference` (its tag, then each of `tags`). Each distinct blob is checked
/// and uploaded when missing (mounted from `mount_from` when given; in chunks of `chunk_size`
/// when given); a title pull would refuse (two layers with one title, …) is refused here
/// before any request. With `dry_run`, the first `poll` is `"done"` with the plan.
#[pyclass(name = "Push", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyPush(Mutex<Push>);

operation_methods! {
    impl PyPush {
        poll => push_outcome;
        repr => "<Push>";

        /// After the operation failed: `(blob, upload_url)` of the blob upload its error is
        /// about (the engine gave up on it after the network cut it), else `None`.
        fn interrupted_upload(&self, py: Python<'_>) -> Option<(PyDescriptor, String)> {
            interrupted_upload(py, &self.0)
        }

        #[new]
        #[pyo3(signature = (reference, media_type, manifest, *, tags = None, mount_from = None, chunk_size = None, dry_run = false, manifest_only = false))]
        #[allow(clippy::too_many_arguments)] // keyword arguments of a Python constructor
        fn new(
            py: Python<'_>,
            reference: &Bound<'_, PyAny>,
            media_type: Text,
            manifest: &Bound<'_, PyAny>,
            tags: Option<Vec<Text>>,
            mount_from: Option<Text>,
            chunk_size: Option<u64>,
            dry_run: bool,
            manifest_only: bool,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let media_type = manifest_type(py, &media_type)?;
            let bytes = ByteView::new(manifest)?.as_slice().to_vec();
            let options = PushArtifactOptions {
                tags: options_tags(tags),
                mount_from: mount_from.map(String::from),
                chunk_size,
                dry_run,
            };
            // `manifest_only`: the PUT and the referrers-tag upkeep, no blob checked, no title
            // rule (push_manifest uploads a document as it is).
            let push = match manifest_only {
                true => Push::manifest(&reference, &media_type, bytes, options),
                false => Push::new(&reference, &media_type, bytes, options),
            }
            .or_raise(py)?;
            Ok(Self(Mutex::new(push)))
        }
    }
}

/// A file of a pull: the layer's `descriptor` and the relative `path` its title names.
#[pyclass(name = "PulledFile", module = "ocikit", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct PyPulledFile {
    /// One object, not a new copy at each read (a pull reads it several times per file).
    descriptor: Py<PyDescriptor>,
    path: String,
}

impl PyPulledFile {
    fn new(py: Python<'_>, file: ocikit_core::registry::PulledFile) -> PyResult<Self> {
        Ok(Self {
            descriptor: Py::new(py, PyDescriptor(file.descriptor))?,
            path: file.path,
        })
    }
}

#[pymethods]
impl PyPulledFile {
    fn __repr__(&self) -> String {
        format!(
            "<PulledFile {:?} {}>",
            self.path,
            self.descriptor.get().0.digest
        )
    }
}

/// What a `Pull` fetched: the manifest's `descriptor` and exact `manifest` bytes, the `files`
/// (each path with its layer; a digest several titles share was downloaded once), the blobs
/// `downloads` (each digest once) whose sinks hold them, and for a collection (an index) its
/// `children` (each child's descriptor, with its folder as `path`).
#[pyclass(name = "PullOutcome", module = "ocikit", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct PyPullOutcome {
    descriptor: PyDescriptor,
    manifest: Py<PyBytes>,
    files: Py<PyTuple>,
    downloads: Py<PyTuple>,
    children: Py<PyTuple>,
}

#[pymethods]
impl PyPullOutcome {
    fn __repr__(&self) -> String {
        format!("<PullOutcome {}>", self.descriptor.0.digest)
    }
}

fn pull_outcome<'py>(py: Python<'py>, o: PullOutcome) -> PyResult<Bound<'py, PyAny>> {
    let pulled = |list: Vec<ocikit_core::registry::PulledFile>| {
        let files: Vec<PyPulledFile> = list
            .into_iter()
            .map(|f| PyPulledFile::new(py, f))
            .collect::<PyResult<_>>()?;
        PyTuple::new(py, files)
    };
    let files = pulled(o.files)?;
    let children = pulled(o.children)?;
    Ok(Bound::new(
        py,
        PyPullOutcome {
            descriptor: PyDescriptor(o.descriptor),
            manifest: PyBytes::new(py, &o.manifest).unbind(),
            files: files.unbind(),
            downloads: descriptors(py, &o.downloads)?.unbind(),
            children: children.unbind(),
        },
    )?
    .into_any())
}

/// Pull what `reference` names: the manifest, the pull plan (every title checked: relative,
/// portable, no `..`, no `.git` unless `allow_git`, no two titles for one file), then one GET
/// per distinct blob, streamed into the host's sink for that blob.
#[pyclass(name = "Pull", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyPull(Mutex<Pull>);

operation_methods! {
    impl PyPull {
        poll => pull_outcome;
        repr => "<Pull>";

        #[new]
        #[pyo3(signature = (reference, *, allow_git = false))]
        fn new(py: Python<'_>, reference: &Bound<'_, PyAny>, allow_git: bool) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            Ok(Self(Mutex::new(Pull::new(
                &reference,
                PullOptions { allow_git },
            ))))
        }

        /// The pull plan once the manifest is read, before any blob is asked for: a tuple of
        /// `PulledFile` (path and layer, in the manifest's order); `None` before (and once done:
        /// the outcome has them). A host checks here what only its filesystem can tell.
        #[getter]
        fn files<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
            let op = lock(py, &self.0);
            let Some(files) = op.files() else {
                return Ok(None);
            };
            let files: Vec<PyPulledFile> = files
                .iter()
                .map(|f| PyPulledFile::new(py, f.clone()))
                .collect::<PyResult<_>>()?;
            PyTuple::new(py, files).map(Some)
        }
    }
}

/// What a `Discover` found: the resolved `subject` and its `referrers`, a list of `Referrer`
/// (each with its own `referrers`), each digest once.
#[pyclass(name = "DiscoverOutcome", module = "ocikit", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct PyDiscoverOutcome {
    subject: PyDescriptor,
    referrers: Py<PyAny>,
}

#[pymethods]
impl PyDiscoverOutcome {
    fn __repr__(&self) -> String {
        format!("<DiscoverOutcome {}>", self.subject.0.digest)
    }
}

fn discover_outcome<'py>(py: Python<'py>, o: DiscoverOutcome) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(
        py,
        PyDiscoverOutcome {
            subject: PyDescriptor(o.subject),
            referrers: tree_to_py(py, o.tree)?.into_any().unbind(),
        },
    )?
    .into_any())
}

/// Discover what refers to `reference`: resolve it, then list referrers level by level
/// (every listing of a level at once), only of `artifact_type` when given, `depth` levels
/// down (all when `None`), within `limits` (a `WalkLimits`).
#[pyclass(name = "Discover", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyDiscover(Mutex<Discover>);

operation_methods! {
    impl PyDiscover {
        poll => discover_outcome;
        repr => "<Discover>";

        #[new]
        #[pyo3(signature = (reference, *, artifact_type = None, depth = None, limits = None))]
        fn new(
            py: Python<'_>,
            reference: &Bound<'_, PyAny>,
            artifact_type: Option<Text>,
            depth: Option<u32>,
            limits: Option<PyWalkLimits>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            Ok(Self(Mutex::new(Discover::new(
                &reference,
                DiscoverOptions {
                    artifact_type: artifact_type.map(String::from),
                    depth,
                    limits: limits.map(|l| l.0).unwrap_or_default(),
                },
            ))))
        }
    }
}

/// What a `Delete` did: the manifest `descriptor` deleted, its `subject` if any, and the
/// subject's `referrers_tag` as `(tag, index digest or None)` when the delete kept it.
#[pyclass(name = "DeleteOutcome", module = "ocikit", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct PyDeleteOutcome {
    descriptor: PyDescriptor,
    subject: Option<PyDescriptor>,
    referrers_tag: Option<(String, Option<String>)>,
}

#[pymethods]
impl PyDeleteOutcome {
    fn __repr__(&self) -> String {
        format!("<DeleteOutcome {}>", self.descriptor.0.digest)
    }
}

fn delete_outcome<'py>(py: Python<'py>, o: DeleteOutcome) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(
        py,
        PyDeleteOutcome {
            descriptor: PyDescriptor(o.descriptor),
            subject: o.subject.map(PyDescriptor),
            referrers_tag: referrers_tag(o.referrers_tag),
        },
    )?
    .into_any())
}

/// Delete what `reference` names, whole: a tag resolves to its digest (every tag pointing at
/// it goes too: find them with `TagsOf` first), the DELETE is by digest, and a referrer is
/// removed from its subject's referrers tag on a registry without the referrers API.
#[pyclass(name = "Delete", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyDelete(Mutex<Delete>);

operation_methods! {
    impl PyDelete {
        poll => delete_outcome;
        repr => "<Delete>";

        #[new]
        fn new(py: Python<'_>, reference: &Bound<'_, PyAny>) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            Ok(Self(Mutex::new(Delete::new(&reference))))
        }
    }
}

/// What a `TagsOf` found: the `tags` that point at the digest, and how many tags were
/// `unchecked` (over `max`).
#[pyclass(name = "TagsOfOutcome", module = "ocikit", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct PyTagsOfOutcome {
    tags: Py<PyTuple>,
    unchecked: u64,
}

#[pymethods]
impl PyTagsOfOutcome {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!("<TagsOfOutcome {}>", self.tags.bind(py))
    }
}

fn tags_of_outcome<'py>(py: Python<'py>, o: TagsOfOutcome) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(
        py,
        PyTagsOfOutcome {
            tags: strings(py, &o.tags)?.unbind(),
            unchecked: o.unchecked,
        },
    )?
    .into_any())
}

/// The tags of `reference`'s repository that point at `digest` (at most `max` resolved).
#[pyclass(name = "TagsOf", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyTagsOf(Mutex<TagsOf>);

operation_methods! {
    impl PyTagsOf {
        poll => tags_of_outcome;
        repr => "<TagsOf>";

        #[new]
        #[pyo3(signature = (reference, digest, *, max = 1000))]
        fn new(
            py: Python<'_>,
            reference: &Bound<'_, PyAny>,
            digest: &Bound<'_, PyAny>,
            max: u64,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let digest = digest_arg(py, digest)?;
            Ok(Self(Mutex::new(TagsOf::new(&reference, &digest, max))))
        }
    }
}

/// What a `CopyArtifact` did: the root `descriptor`, its `tags` at the destination, each of the
/// `blobs`, the `manifests` in the order written, the `referrers_tags` kept at the destination
/// as `(tag, index digest or None)`, and for a dry run the `planned` requests.
#[pyclass(name = "CopyOutcome", module = "ocikit", frozen, get_all)]
#[derive(Debug)]
pub(crate) struct PyCopyOutcome {
    descriptor: PyDescriptor,
    tags: Py<PyTuple>,
    blobs: Py<PyTuple>,
    manifests: Py<PyTuple>,
    referrers_tags: Vec<(String, Option<String>)>,
    planned: Py<PyTuple>,
}

#[pymethods]
impl PyCopyOutcome {
    fn __repr__(&self) -> String {
        format!("<CopyOutcome {}>", self.descriptor.0.digest)
    }
}

fn copy_outcome<'py>(py: Python<'py>, o: CopyOutcome) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(
        py,
        PyCopyOutcome {
            descriptor: PyDescriptor(o.descriptor),
            tags: strings(py, &o.tags)?.unbind(),
            blobs: blobs(py, o.blobs)?.unbind(),
            manifests: descriptors(py, &o.manifests)?.unbind(),
            referrers_tags: o
                .referrers_tags
                .into_iter()
                .filter_map(|t| referrers_tag(Some(t)))
                .collect(),
            planned: planned(py, o.planned)?.unbind(),
        },
    )?
    .into_any())
}

/// Copy what `source` names and everything it references to `destination` (its tag, else
/// the source's tag, else by digest; and `tags`): the graph walked once (with the referrers
/// when `referrers`, within `limits`), each missing blob mounted within one registry or
/// downloaded into the host's spool and uploaded from it, manifests children first and
/// referrers after their subject. `poll` needs the sessions of both registries. With
/// `dry_run`, only the source is read and the outcome is the plan.
#[pyclass(name = "CopyArtifact", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyCopyArtifact(Mutex<CopyArtifact>);

operation_methods! {
    impl PyCopyArtifact {
        poll => copy_outcome;
        repr => "<CopyArtifact>";

        /// As `Push.interrupted_upload`.
        fn interrupted_upload(&self, py: Python<'_>) -> Option<(PyDescriptor, String)> {
            interrupted_upload(py, &self.0)
        }

        #[new]
        #[pyo3(signature = (source, destination, *, referrers = false, limits = None, tags = None, chunk_size = None, dry_run = false))]
        #[allow(clippy::too_many_arguments)] // keyword arguments of a Python constructor
        fn new(
            py: Python<'_>,
            source: &Bound<'_, PyAny>,
            destination: &Bound<'_, PyAny>,
            referrers: bool,
            limits: Option<PyWalkLimits>,
            tags: Option<Vec<Text>>,
            chunk_size: Option<u64>,
            dry_run: bool,
        ) -> PyResult<Self> {
            let source = reference_arg(py, source)?;
            let destination = reference_arg(py, destination)?;
            let options = CopyOptions {
                referrers,
                limits: limits.map(|l| l.0).unwrap_or_default(),
                tags: options_tags(tags),
                chunk_size,
                dry_run,
            };
            Ok(Self(Mutex::new(
                CopyArtifact::new(&source, &destination, options).or_raise(py)?,
            )))
        }
    }
}

/// How many transfers of blobs of `size` bytes the engine runs at once
/// (`ocikit_core::registry::Concurrency`), for a host that starts transfers of its own (the
/// CLI's early uploads): on `session`'s registry, by the round trip measured so far
/// (`Session::concurrency`), else the default.
#[pyfunction]
#[pyo3(signature = (size, session = None))]
pub(crate) fn transfers_at_once(
    py: Python<'_>,
    size: u64,
    session: Option<&Bound<'_, PyRegistrySession>>,
) -> usize {
    let concurrency = match session {
        Some(session) => lock(py, &session.get().session).concurrency(),
        None => ocikit_core::registry::Concurrency::default(),
    };
    concurrency.transfers(size)
}

/// The pull plan's title rule as push and pull apply it (`Error` codes
/// `ANNOTATION_INVALID`, `PATH_UNSAFE`): the `(path, descriptor)` of each titled layer.
#[pyfunction]
#[pyo3(signature = (layers, *, allow_git = false))]
pub(crate) fn plan_files(
    py: Python<'_>,
    layers: Vec<PyDescriptor>,
    allow_git: bool,
) -> PyResult<Vec<PyPulledFile>> {
    let layers: Vec<Descriptor> = layers.into_iter().map(|d| d.0).collect();
    let files = ocikit_core::registry::plan_files(&layers, allow_git).or_raise(py)?;
    files
        .into_iter()
        .map(|f| PyPulledFile::new(py, f))
        .collect()
}

/// Registers the classes of whole operations.
/// The capability report of a `ProbeRegistry` as a dict (the shape `ocikit doctor --format
/// json` prints under `probes`, with `registry` and `profile`).
fn registry_report<'py>(
    py: Python<'py>,
    report: ocikit_core::registry::whole::doctor::RegistryReport,
) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::types::PyDict;
    let v2 = PyDict::new(py);
    v2.set_item("auth", &report.v2.auth)?;
    v2.set_item("status", report.v2.status)?;
    v2.set_item("challenge", &report.v2.challenge)?;
    v2.set_item("api_version", &report.v2.api_version)?;
    if let Some(error) = &report.v2.error {
        v2.set_item("error", error)?;
    }
    let referrers = PyDict::new(py);
    referrers.set_item("supported", report.referrers.supported)?;
    if let Some(digest) = &report.referrers.digest {
        referrers.set_item("digest", digest.to_string())?;
    }
    if let Some(status) = report.referrers.status {
        referrers.set_item("status", status)?;
        referrers.set_item("content_type", &report.referrers.content_type)?;
    }
    if let Some(note) = &report.referrers.note {
        referrers.set_item("note", note)?;
    }
    let tags = PyDict::new(py);
    match &report.tag_list {
        Some(t) if t.error.is_some() => tags.set_item("error", &t.error)?,
        Some(t) => {
            tags.set_item("tags", t.tags)?;
            tags.set_item("first_page", t.first_page)?;
            tags.set_item("link", t.link)?;
            tags.set_item("n_honoured", t.n_honoured)?;
            if let Some(note) = &t.note {
                tags.set_item("note", note)?;
            }
        }
        None => tags.set_item(
            "note",
            "not probed: give REGISTRY/REPOSITORY:TAG of a manifest that exists",
        )?,
    }
    let probes = PyDict::new(py);
    probes.set_item("v2", v2)?;
    probes.set_item("referrers_api", referrers)?;
    probes.set_item("tag_list", tags)?;
    for (topic, note) in &report.not_probed {
        let entry = PyDict::new(py);
        entry.set_item("note", note)?;
        probes.set_item(topic.replace('-', "_"), entry)?;
    }
    let out = PyDict::new(py);
    out.set_item("registry", &report.registry)?;
    out.set_item("profile", report.profile.name)?;
    out.set_item("probes", probes)?;
    Ok(out.into_any())
}

/// The registry doctor: probes `registry` with reads only (`GET /v2/` and the credentials;
/// with `reference`, a manifest that exists there, its referrers API and tag-list pagination)
/// and decides what each answer proves. Done with a dict: `registry`, `profile` (the named
/// one, else the host's, else `generic`), `probes`.
#[pyclass(name = "ProbeRegistry", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyProbeRegistry(Mutex<ocikit_core::registry::whole::doctor::ProbeRegistry>);

operation_methods! {
    impl PyProbeRegistry {
        poll => registry_report;
        repr => "<ProbeRegistry>";

        #[new]
        #[pyo3(signature = (registry, reference = None, *, profile = None))]
        fn new(
            py: Python<'_>,
            registry: Text,
            reference: Option<&Bound<'_, PyAny>>,
            profile: Option<Text>,
        ) -> PyResult<Self> {
            let reference = reference
                .filter(|r| !r.is_none())
                .map(|r| reference_arg(py, r))
                .transpose()?;
            let profile = profile.map(String::from);
            let op = ocikit_core::registry::whole::doctor::ProbeRegistry::new(
                &String::from(registry),
                reference.as_ref(),
                profile.as_deref(),
            )
            .or_raise(py)?;
            Ok(Self(Mutex::new(op)))
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProbeRegistry>()?;
    m.add_class::<PyAction>()?;
    m.add_class::<PyPlannedRequest>()?;
    m.add_class::<PyBlobOutcome>()?;
    m.add_class::<PyPushOutcome>()?;
    m.add_class::<PyPush>()?;
    m.add_class::<PyPulledFile>()?;
    m.add_class::<PyPullOutcome>()?;
    m.add_class::<PyPull>()?;
    m.add_class::<PyDiscoverOutcome>()?;
    m.add_class::<PyDiscover>()?;
    m.add_class::<PyDeleteOutcome>()?;
    m.add_class::<PyDelete>()?;
    m.add_class::<PyTagsOfOutcome>()?;
    m.add_class::<PyTagsOf>()?;
    m.add_class::<PyCopyOutcome>()?;
    m.add_class::<PyCopyArtifact>()?;
    m.add_function(wrap_pyfunction!(plan_files, m)?)?;
    m.add_function(wrap_pyfunction!(transfers_at_once, m)?)?;
    Ok(())
}
