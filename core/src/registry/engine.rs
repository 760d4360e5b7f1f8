//! The engine of whole operations (push, pull, copy, attach, discover, delete): one
//! [`Operation`] trait, the [`Action`]s it asks of the host, and the [`Sessions`] it borrows.
//!
//! A whole operation is composed of single-request operations ([`GetManifest`],
//! [`PushBlob`], …), each run as a *task*: one chain of requests with at most one request in
//! flight (a blob upload with its chunks, resume and restart is one task). The operation hands
//! out every request that is ready, one per [`Operation::poll`], until it answers
//! [`Action::Pending`]: the tasks in flight at once are independent, and the host runs them as
//! concurrently as it likes. Each answer goes back with [`Operation::provide`], naming its task.
//!
//! ```text
//!   host (threads, asyncio, promises)                  whole operation (sans-IO)
//!   ─────────────────────────────────                  ─────────────────────────
//!   loop { match op.poll(&mut sessions, now_ms)? {
//!     Send { task, request, blob, registry } ── start it ──▶   (any number in flight)
//!        …later, when it ends:  op.provide(task, Input::Response(r) | Input::Failure(f))?
//!     Wait { task, ms }            ── after ms ──▶     op.provide(task, Input::Resume)?
//!     Pending                      ── block until any task in flight ends, provide it
//!     Done(outcome)                ── break outcome ◀─ results come back here only
//!   } }
//! ```
//!
//! # How many requests at once
//!
//! The engine decides how many of an operation's requests are in flight at once
//! ([`Concurrency`]), from what they move and from the round trip measured on the registry:
//! up to [`Concurrency::requests`] (32) requests, of which at most [`Concurrency::large`]
//! move [`LARGE_TRANSFER`] bytes or more. Many small blobs are bound by round trips, and more
//! of them in flight hide the latency: pushing 500 blobs of 4 KiB to docker-registry at 20 ms
//! a round trip (bench/registry_transfer.py, region) took 8.6 s at 4 at once, 4.1 s at 16 and
//! 2.8 s at 32. Large blobs are bound by bandwidth, which more connections share rather than
//! add to on a short path, each holding a file open and buffers: 4 at once. Over a long path a
//! connection moves at most its window per round trip, so more of them add up: **when the
//! shortest round trip measured on the registry is [`Concurrency::LONG_ROUND_TRIP_MS`] (50 ms)
//! or more, 8 large transfers go at once, else 4** ([`Concurrency::for_round_trip`]). Measured
//! with the bench: "far" (80 ms round trip, 25 MB/s per connection), 8 × 32 MiB pushed in
//! 2.45 s at 8 against 4.09 s at 4; "region" (20 ms, no cap, 8 × 128 MiB) in 3.34 s at 4
//! against 6.66 s at 8 (the registry, the disk and two cores are the bound there).
//!
//! The core has no clock; it learns time from the `now_ms` every step is given (as the
//! deadline does): each request without blob bytes either way (a HEAD, the POST of an upload
//! session, a manifest, a token) is timed from the `now` it was handed out at to the `now` its
//! response was provided at, and the session keeps the shortest ([`Session::round_trip_ms`]),
//! which a busy host or a queue can only lengthen. A push's checks and upload sessions come
//! before its large PUTs, so the rule applies from the first large transfer of a session's
//! first operation. A host runs what `poll` hands out as it comes; a host given an explicit
//! limit (`concurrency=`) runs at most that many and lets the rest wait, so the engine's
//! numbers apply below it. A host that starts transfers of its own (the CLI's early uploads)
//! asks [`Session::concurrency`]. One decision, in one place, for every host.
//!
//! [`Session::round_trip_ms`]: super::Session::round_trip_ms
//! [`Session::concurrency`]: super::Session::concurrency
//!
//! Errors are sticky: after `poll` or `provide` returned an error, every later call returns
//! the same error (as rustls does). A caller's misuse (`provide` for a task that is not
//! waiting, `poll` after `Done`, no session for a registry) is [`Error::OperationMisuse`]
//! (`OPERATION_MISUSE`); every other error is about the registry, the network or the content.
//!
//! A transport failure is an input ([`Input::Failure`]), and the engine decides what follows:
//! a request that is safe to repeat is retried after the retry policy's backoff, a cut upload
//! is resumed from the offset the registry reports, a cut download is continued after the
//! backoff with `Range: bytes=N-` from the N bytes the host's sink holds
//! ([`Failure::received`]; from the start when it holds none, and the host empties the sink
//! when the blob is asked for without `Range`; one that stalled is continued so only when new
//! bytes came before the stall, else it is TIMEOUT at once, as any request that timed out),
//! and past the retry policy or the deadline the operation fails
//! with the coded error naming the host. The rule lives once, in [`GetBlob`], for the whole
//! operations and the single download alike.
//!
//! [`Failure::received`]: super::Failure::received
//! [`GetBlob`]: super::GetBlob
//!
//! [`GetManifest`]: super::GetManifest
//! [`PushBlob`]: super::PushBlob

use std::collections::VecDeque;
use std::fmt;

use super::http::{Body, Method, Request, ResponseBody};
use super::operations::{
    AddReferrer, BlobExists, DeleteManifest, FetchedManifest, GetBlob, GetManifest, ListReferrers,
    ListTags, ProbeReferrers, PushBlob, PutManifest, ResolveManifest, Resolved,
};
use super::operations::{CheckAuth, Look};
use super::session::{Event, Input, Session};
use crate::{Descriptor, Digest, Error, Reference};

/// The name of one task of a whole operation, unique within it. Hosts use it to route an
/// answer back with [`Operation::provide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.0)
    }
}

/// A request moving at least this many blob bytes (its body, or the blob it streams) is a large
/// transfer: at most [`Concurrency::large`] of them are in flight at once.
pub const LARGE_TRANSFER: u64 = 4 << 20;

/// How many requests of a whole operation the engine hands out before it waits for answers
/// (see the [module docs](self#how-many-requests-at-once)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    /// Requests in flight at once, of any kind.
    pub requests: usize,
    /// Of those, requests moving [`LARGE_TRANSFER`] bytes or more.
    pub large: usize,
}

impl Default for Concurrency {
    fn default() -> Self {
        Self {
            requests: 32,
            large: 4,
        }
    }
}

impl Concurrency {
    /// The shortest round trip (ms) from which a path counts as long: more large transfers go
    /// at once ([`Concurrency::for_round_trip`]).
    pub const LONG_ROUND_TRIP_MS: u64 = 50;

    /// Large transfers at once over a long path.
    pub const LARGE_LONG_PATH: usize = 8;

    /// The engine's rule (see the [module docs](self#how-many-requests-at-once)): with the
    /// shortest round trip measured on the registry at [`Concurrency::LONG_ROUND_TRIP_MS`] or
    /// more, [`Concurrency::LARGE_LONG_PATH`] large transfers at once; else (or before any
    /// round trip was measured) the default 4. Small requests: 32 either way.
    pub fn for_round_trip(round_trip_ms: Option<u64>) -> Self {
        match round_trip_ms {
            Some(ms) if ms >= Self::LONG_ROUND_TRIP_MS => Self {
                large: Self::LARGE_LONG_PATH,
                ..Self::default()
            },
            _ => Self::default(),
        }
    }

    /// Whether one more request, large or not, may go out with `requests` requests and
    /// `large` large ones in flight.
    pub fn allows(&self, requests: usize, large: usize, is_large: bool) -> bool {
        requests < self.requests && (!is_large || large < self.large)
    }

    /// How many transfers of blobs of `size` bytes go at once: [`Concurrency::large`] for large
    /// ones, else [`Concurrency::requests`] (for a host that runs transfers of its own, such as
    /// the CLI's early uploads).
    pub fn transfers(&self, size: u64) -> usize {
        match size >= LARGE_TRANSFER {
            true => self.large,
            false => self.requests,
        }
    }
}

/// What a whole operation asks of the host, one per [`Operation::poll`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per poll, moved once: boxing would only add a step
pub enum Action<T> {
    /// Send this request (on any connection, concurrently with other tasks' requests), then
    /// provide its response or transport failure for `task`.
    Send {
        /// The task to provide the answer for.
        task: TaskId,
        /// The request. The host does not follow redirects itself.
        request: Request,
        /// The blob whose bytes this request moves, when it moves any: the host streams a
        /// [`Body::Blob`] from its source for this blob (a file, bytes, a
        /// spool of a copy), or a [`ResponseBody::Stream`] into its sink for this blob (a
        /// temporary file; a sink is emptied each time the same blob is asked for again
        /// without `Range`, appended to on a 206 answer to a `Range` request, and started
        /// over on a 200 answer to one).
        blob: Option<Descriptor>,
        /// The registry of the session the request is for (a key of [`Sessions`]): the host
        /// sends it with that registry's transport and credentials, also when its URL names
        /// another host (a token realm, a redirect's target). An operation between two
        /// registries (a copy), or a layout and a registry, hands out requests of both.
        registry: String,
    },
    /// Wait this many milliseconds (a retry's backoff), then provide [`Input::Resume`] for
    /// `task`. Other tasks go on meanwhile.
    Wait {
        /// The task to resume.
        task: TaskId,
        /// How long to wait.
        ms: u64,
    },
    /// Nothing to start until a task in flight is answered: provide one, then poll again.
    Pending,
    /// The operation is over with this outcome. Polling again is a misuse.
    Done(T),
}

/// A whole operation, driven by the host loop of the [module docs](self).
pub trait Operation {
    /// What the operation ends with.
    type Output;

    /// The next action: every ready request is handed out, one per call, before `Pending`.
    /// `now_ms` is the host's clock (Unix milliseconds), the one [`Request::deadline_ms`]
    /// uses.
    ///
    /// # Errors
    /// The operation's failure (the registry's error code, `NETWORK_ERROR`, `TIMEOUT`,
    /// `LIMIT_EXCEEDED`, a title refused, …), or `OPERATION_MISUSE`; sticky.
    fn poll(&mut self, sessions: &mut Sessions, now_ms: u64)
    -> Result<Action<Self::Output>, Error>;

    /// The answer for `task`: [`Input::Response`] or [`Input::Failure`] after a
    /// [`Action::Send`], [`Input::Resume`] after an [`Action::Wait`].
    ///
    /// # Errors
    /// `OPERATION_MISUSE` for a task that is not waiting for this kind of answer, or the
    /// operation's earlier error; sticky.
    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error>;

    /// After the operation failed: the upload its error is about, when the engine gave up on
    /// a blob upload the network cut (or a timeout ended) after its upload session began, so
    /// that the caller may resume it later from its URL. `None` for any other failure, and
    /// before one.
    fn interrupted_upload(&self) -> Option<&InterruptedUpload> {
        None
    }
}

/// A blob upload a whole operation gave up on ([`Operation::interrupted_upload`]): the blob,
/// and the upload session's URL (the last `Location` the registry gave) to resume it from
/// with [`PushBlob::resume`](super::PushBlob::resume).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedUpload {
    /// The blob being uploaded.
    pub blob: Descriptor,
    /// Where its upload session goes on.
    pub upload_url: String,
}

/// The sessions a whole operation borrows, one per registry (`host[:port]`): the host's
/// client owns them (credentials, tokens, limits) and passes them to every
/// [`Operation::poll`]. A copy between two registries needs both; within one, one.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    sessions: Vec<Session>,
}

impl Sessions {
    /// No sessions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `session`, replacing one for the same registry.
    pub fn insert(&mut self, session: Session) {
        self.sessions.retain(|s| s.registry() != session.registry());
        self.sessions.push(session);
    }

    /// The session of `registry` (`host[:port]`).
    pub fn get(&self, registry: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.registry() == registry)
    }

    /// The session of `registry`, to change.
    pub fn get_mut(&mut self, registry: &str) -> Option<&mut Session> {
        self.sessions.iter_mut().find(|s| s.registry() == registry)
    }

    /// The registries there are sessions for.
    pub fn registries(&self) -> impl Iterator<Item = &str> {
        self.sessions.iter().map(Session::registry)
    }

    pub(crate) fn session(&self, registry: &str) -> Result<&Session, Error> {
        self.get(registry).ok_or_else(|| no_session(registry))
    }

    pub(crate) fn session_mut(&mut self, registry: &str) -> Result<&mut Session, Error> {
        self.get_mut(registry).ok_or_else(|| no_session(registry))
    }
}

impl From<Session> for Sessions {
    fn from(session: Session) -> Self {
        Self {
            sessions: vec![session],
        }
    }
}

fn no_session(registry: &str) -> Error {
    misuse(format!(
        "no session for the registry {registry} in the Sessions given to poll"
    ))
}

pub(crate) fn misuse(reason: impl Into<String>) -> Error {
    Error::OperationMisuse {
        reason: reason.into(),
    }
}

/// A single-request operation run as one task.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per task; boxing would buy nothing
pub(crate) enum Single {
    GetManifest(GetManifest),
    PutManifest(PutManifest),
    BlobExists(BlobExists),
    PushBlob(PushBlob),
    GetBlob(GetBlob),
    ListTags(ListTags),
    ListReferrers(ListReferrers),
    Resolve(ResolveManifest),
    Delete(DeleteManifest),
    AddReferrer(AddReferrer),
    RemoveReferrer(super::operations::RemoveReferrer),
    ProbeReferrers(ProbeReferrers),
    CheckAuth(CheckAuth),
    Look(Look),
}

/// What a task ended with.
#[derive(Debug, Clone)]
pub(crate) enum Output {
    Manifest(FetchedManifest),
    Put {
        digest: Digest,
        subject_processed: bool,
    },
    Exists(Option<u64>),
    /// A blob push: `true` when it was uploaded or mounted.
    Pushed(bool),
    /// A mount-only blob push whose mount was not taken ([`PushOptions::mount_only`]).
    ///
    /// [`PushOptions::mount_only`]: super::PushOptions::mount_only
    MountDeclined,
    Fetched,
    Tags(Vec<String>),
    Referrers(Vec<Descriptor>),
    Resolved(Resolved),
    Deleted,
    /// The referrers index written (`None`: nothing to change).
    ReferrersIndex(Option<Digest>),
    /// A probe of the referrers API answered (what it proved is in the session).
    Probed,
    /// The registry accepted the session's credentials.
    Checked,
    /// A probe's answer, whatever its status.
    Answer(super::http::Response),
}

impl Single {
    /// Whether the request the task has ready is out of date with what its session learnt
    /// since it was made ([`PushBlob`]: a mount refused, single-request uploads taken).
    fn outdated(&self, session: &Session) -> bool {
        matches!(self, Self::PushBlob(op) if op.outdated(session))
    }

    fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now: u64,
    ) -> Result<Event<Output>, Error> {
        fn map<T>(event: Event<T>, f: impl FnOnce(T) -> Output) -> Event<Output> {
            match event {
                Event::Send(r) => Event::Send(r),
                Event::Wait(ms) => Event::Wait(ms),
                Event::Done(v) => Event::Done(f(v)),
            }
        }
        Ok(match self {
            Self::GetManifest(op) => map(op.next(session, input, now)?, Output::Manifest),
            Self::PutManifest(op) => {
                let event = op.next(session, input, now)?;
                let subject_processed = op.subject_processed();
                map(event, |digest| Output::Put {
                    digest,
                    subject_processed,
                })
            }
            Self::BlobExists(op) => map(op.next(session, input, now)?, Output::Exists),
            Self::PushBlob(op) => {
                let event = op.next(session, input, now)?;
                let declined = op.mount_declined();
                map(event, |sent| match declined {
                    true => Output::MountDeclined,
                    false => Output::Pushed(sent),
                })
            }
            Self::GetBlob(op) => map(op.next(session, input, now)?, |()| Output::Fetched),
            Self::ListTags(op) => map(op.next(session, input, now)?, Output::Tags),
            Self::ListReferrers(op) => map(op.next(session, input, now)?, Output::Referrers),
            Self::Resolve(op) => map(op.next(session, input, now)?, Output::Resolved),
            Self::Delete(op) => map(op.next(session, input, now)?, |()| Output::Deleted),
            Self::AddReferrer(op) => map(op.next(session, input, now)?, Output::ReferrersIndex),
            Self::RemoveReferrer(op) => map(op.next(session, input, now)?, Output::ReferrersIndex),
            Self::ProbeReferrers(op) => map(op.next(session, input, now)?, |_| Output::Probed),
            Self::CheckAuth(op) => map(op.next(session, input, now)?, |()| Output::Checked),
            Self::Look(op) => map(op.next(session, input, now)?, Output::Answer),
        })
    }
}

#[derive(Debug, Clone)]
enum TaskState {
    /// To be stepped with this input.
    Step(Input),
    /// Its action is queued, not yet handed out.
    Queued,
    /// A request was handed out: waiting for its response or failure.
    Sent,
    /// A wait was handed out: waiting for the resume.
    Waiting,
}

/// A task: a single-request operation on one registry, for a purpose of the whole operation.
/// The purpose is kept apart, in the runner's [`Purposes`] under `slot`, so that the task table
/// is one type for every operation (its map code exists once, not once per purpose type).
#[derive(Debug, Clone)]
struct Task {
    registry: String,
    single: Single,
    /// Where [`Purposes`] holds what the task is for.
    slot: usize,
    blob: Option<Descriptor>,
    state: TaskState,
    /// The last request handed out was a cross-repository mount.
    mounting: bool,
    /// The request in flight is a large transfer ([`LARGE_TRANSFER`]).
    large: bool,
}

/// What a whole operation decides, stage by stage; [`Runner::poll`] drives it.
pub(crate) trait Stages {
    /// What a task is for (which blob, which document).
    type Purpose: Clone;
    /// The outcome.
    type Output;

    /// A task ended with `output`.
    fn done(
        &mut self,
        ctx: &mut Ctx<'_, Self::Purpose>,
        purpose: Self::Purpose,
        output: Output,
        mounted: bool,
    ) -> Result<(), Error>;

    /// No task is left: start the next stage, or end with the outcome.
    fn idle(&mut self, ctx: &mut Ctx<'_, Self::Purpose>) -> Result<Option<Self::Output>, Error>;

    /// A task failed with `error` (after the engine's own retries): the operation fails with
    /// it, unless its stages can do without that task's result.
    fn failed(
        &mut self,
        ctx: &mut Ctx<'_, Self::Purpose>,
        purpose: Self::Purpose,
        error: Error,
    ) -> Result<(), Error> {
        let _ = (ctx, purpose);
        Err(error)
    }
}

impl Task {
    /// The upload this task gives up on when it ends `cut` (a network failure or a timeout):
    /// a blob upload whose session began (the registry gave it a URL to go on from).
    fn interrupted_upload(&self, cut: bool) -> Option<InterruptedUpload> {
        let Single::PushBlob(push) = &self.single else {
            return None;
        };
        let upload_url = push.upload_url();
        if !cut || upload_url.is_empty() {
            return None;
        }
        Some(InterruptedUpload {
            blob: self.blob.clone()?,
            upload_url: upload_url.to_owned(),
        })
    }
}

/// What [`Stages`] use to start tasks.
pub(crate) struct Ctx<'a, P> {
    pub(crate) sessions: &'a mut Sessions,
    table: &'a mut Table,
    purposes: &'a mut Purposes<P>,
}

impl<P> Ctx<'_, P> {
    /// Starts a task on `registry`.
    pub(crate) fn start(
        &mut self,
        registry: &str,
        single: Single,
        purpose: P,
        blob: Option<Descriptor>,
    ) {
        let slot = self.purposes.put(purpose);
        self.table.start(registry, single, slot, blob);
    }

    /// Starts a blob download from `reference`'s repository ([`GetBlob`] continues it after a
    /// cut).
    pub(crate) fn download(
        &mut self,
        reference: &Reference,
        descriptor: &Descriptor,
        purpose: P,
    ) -> Result<(), Error> {
        let session = self.sessions.session(reference.registry())?;
        let get = GetBlob::new(session, reference, descriptor);
        self.start(
            reference.registry(),
            Single::GetBlob(get),
            purpose,
            Some(descriptor.clone()),
        );
        Ok(())
    }

    /// The session of `registry`.
    pub(crate) fn session(&self, registry: &str) -> Result<&Session, Error> {
        self.sessions.session(registry)
    }

    /// Whether no task is in flight or ready to step.
    pub(crate) fn idle(&self) -> bool {
        self.table.idle()
    }
}

/// The purposes of the tasks started and not ended, by slot (a slot is reused once its task
/// ended): the one part of the bookkeeping whose type depends on the operation.
#[derive(Debug, Clone)]
struct Purposes<P> {
    slots: Vec<Option<P>>,
    free: Vec<usize>,
}

impl<P> Purposes<P> {
    fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    fn put(&mut self, purpose: P) -> usize {
        if let Some(slot) = self.free.pop() {
            self.slots[slot] = Some(purpose);
            slot
        } else {
            self.slots.push(Some(purpose));
            self.slots.len() - 1
        }
    }

    fn take(&mut self, slot: usize) -> Result<P, Error> {
        let purpose = self
            .slots
            .get_mut(slot)
            .and_then(Option::take)
            .ok_or_else(|| misuse("lost task"))?;
        self.free.push(slot);
        Ok(purpose)
    }
}

/// The tasks in flight by id. Ids are handed out in order and a task ends in any order, so a
/// deque of the ids from the oldest task still in flight to the newest (ended ones empty, the
/// front trimmed) finds a task by subtraction: lighter in the wasm module than a map.
#[derive(Debug, Clone)]
struct Tasks {
    /// The id of `slots[0]`.
    first: u64,
    slots: VecDeque<Option<Box<Task>>>,
}

impl Tasks {
    fn new() -> Self {
        Self {
            first: 1,
            slots: VecDeque::new(),
        }
    }

    /// Adds the task of `id`, the id after the newest one's.
    fn push(&mut self, id: u64, task: Task) {
        debug_assert_eq!(id, self.first + self.slots.len() as u64);
        self.slots.push_back(Some(Box::new(task)));
    }

    fn at(&self, id: u64) -> Option<usize> {
        usize::try_from(id.checked_sub(self.first)?).ok()
    }

    fn get(&self, id: u64) -> Option<&Task> {
        self.slots.get(self.at(id)?)?.as_deref()
    }

    fn get_mut(&mut self, id: u64) -> Option<&mut Task> {
        let at = self.at(id)?;
        self.slots.get_mut(at)?.as_deref_mut()
    }

    fn remove(&mut self, id: u64) -> Option<Task> {
        let at = self.at(id)?;
        let task = self.slots.get_mut(at)?.take()?;
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
        Some(*task)
    }

    /// Whether no task is in flight (ended ones leave no slot behind at the front, so none
    /// at all once every task ended).
    fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// What [`Table::advance`] came to: an action to hand out, or a task's end for the
/// operation's [`Stages`].
#[allow(clippy::large_enum_variant)] // one per step, moved once, as [`Action`]
enum Step {
    Send {
        task: TaskId,
        request: Request,
        blob: Option<Descriptor>,
        registry: String,
    },
    Wait {
        task: TaskId,
        ms: u64,
    },
    Pending,
    /// A task ended with this output.
    Done {
        slot: usize,
        output: Output,
        mounted: bool,
    },
    /// A task failed (after the engine's own retries).
    Failed {
        slot: usize,
        error: Error,
        /// The upload the task gave up on, when it was one.
        upload: Option<InterruptedUpload>,
    },
    /// No task is left.
    Idle,
}

/// The task bookkeeping every whole operation shares: ids, the order actions are handed out
/// in, sticky failure, the operation's deadline. Not generic: one copy of this code serves
/// every operation.
#[derive(Debug, Clone)]
struct Table {
    tasks: Tasks,
    next: u64,
    /// Tasks to step, in the order they became ready.
    order: VecDeque<u64>,
    /// Actions decided, in the order they are handed out.
    outbox: VecDeque<(u64, Event<()>)>,
    failed: Option<Error>,
    finished: bool,
    started_ms: Option<u64>,
    /// The registry whose limits set the deadline.
    registry: String,
    concurrency: Concurrency,
    /// Requests handed out and not answered yet, and how many of them are large transfers.
    in_flight: usize,
    large_in_flight: usize,
    /// The upload the operation's error is about ([`Operation::interrupted_upload`]).
    interrupted: Option<InterruptedUpload>,
}

/// The runner of a whole operation: the shared [`Table`] and the purposes of its tasks.
#[derive(Debug, Clone)]
pub(crate) struct Runner<P> {
    table: Table,
    purposes: Purposes<P>,
}

impl<P: Clone> Runner<P> {
    /// A runner whose deadline is the one of `registry`'s session.
    pub(crate) fn new(registry: &str) -> Self {
        Self {
            table: Table::new(registry),
            purposes: Purposes::new(),
        }
    }

    /// [`Operation::provide`].
    pub(crate) fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.table.provide(task, input)
    }

    /// [`Operation::interrupted_upload`].
    pub(crate) fn interrupted_upload(&self) -> Option<&InterruptedUpload> {
        self.table.interrupted.as_ref()
    }

    /// [`Operation::poll`].
    pub(crate) fn poll<S: Stages<Purpose = P>>(
        &mut self,
        stages: &mut S,
        sessions: &mut Sessions,
        now: u64,
    ) -> Result<Action<S::Output>, Error> {
        self.table.may_poll()?;
        let result = self.step(stages, sessions, now);
        match &result {
            Ok(Action::Done(_)) => self.table.finished = true,
            Err(err) => self.table.failed = Some(err.clone()),
            Ok(_) => {}
        }
        result
    }

    fn step<S: Stages<Purpose = P>>(
        &mut self,
        stages: &mut S,
        sessions: &mut Sessions,
        now: u64,
    ) -> Result<Action<S::Output>, Error> {
        let deadline = self.table.deadline(sessions, now)?;
        loop {
            let step = self.table.advance(sessions, now, deadline)?;
            let mut ctx = Ctx {
                sessions,
                table: &mut self.table,
                purposes: &mut self.purposes,
            };
            match step {
                Step::Send {
                    task,
                    request,
                    blob,
                    registry,
                } => {
                    return Ok(Action::Send {
                        task,
                        request,
                        blob,
                        registry,
                    });
                }
                Step::Wait { task, ms } => return Ok(Action::Wait { task, ms }),
                Step::Pending => return Ok(Action::Pending),
                Step::Done {
                    slot,
                    output,
                    mounted,
                } => {
                    let purpose = ctx.purposes.take(slot)?;
                    stages.done(&mut ctx, purpose, output, mounted)?;
                }
                Step::Failed {
                    slot,
                    error,
                    upload,
                } => {
                    let purpose = ctx.purposes.take(slot)?;
                    if let Err(error) = stages.failed(&mut ctx, purpose, error) {
                        // The operation fails because of this task: with its upload, if any.
                        ctx.table.interrupted = upload;
                        return Err(error);
                    }
                }
                Step::Idle => {
                    if let Some(output) = stages.idle(&mut ctx)? {
                        return Ok(Action::Done(output));
                    }
                    if ctx.table.order.is_empty() {
                        return Err(misuse("the operation started nothing and did not end"));
                    }
                }
            }
        }
    }
}

impl Table {
    fn new(registry: &str) -> Self {
        Self {
            tasks: Tasks::new(),
            next: 0,
            order: VecDeque::new(),
            outbox: VecDeque::new(),
            failed: None,
            finished: false,
            started_ms: None,
            registry: registry.to_owned(),
            concurrency: Concurrency::default(),
            in_flight: 0,
            large_in_flight: 0,
            interrupted: None,
        }
    }

    fn start(&mut self, registry: &str, single: Single, slot: usize, blob: Option<Descriptor>) {
        self.next += 1;
        let id = self.next;
        self.tasks.push(
            id,
            Task {
                registry: registry.to_owned(),
                single,
                slot,
                blob,
                state: TaskState::Step(Input::Start),
                mounting: false,
                large: false,
            },
        );
        self.order.push_back(id);
    }

    fn idle(&self) -> bool {
        self.tasks.is_empty() && self.order.is_empty()
    }

    /// The earlier failure, or a misuse after `Done` (sticky from then on).
    fn may_poll(&mut self) -> Result<(), Error> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.finished {
            let err = misuse("poll after Done");
            self.failed = Some(err.clone());
            return Err(err);
        }
        Ok(())
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let result = self.accept(task, input);
        if let Err(err) = &result {
            self.failed = Some(err.clone());
        }
        result
    }

    fn accept(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        if self.finished {
            return Err(misuse(format!("provide for {task} after Done")));
        }
        let Some(entry) = self.tasks.get_mut(task.0) else {
            return Err(misuse(format!(
                "provide for {task}, which is not in flight"
            )));
        };
        let fits = matches!(
            (&entry.state, &input),
            (TaskState::Sent, Input::Response(_) | Input::Failure(_))
                | (TaskState::Waiting, Input::Resume)
        );
        if !fits {
            let expected = match entry.state {
                TaskState::Sent => "a response or failure",
                TaskState::Waiting => "a resume",
                _ => "nothing (its action was not handed out yet)",
            };
            return Err(misuse(format!(
                "provide of {} for {task}, which waits for {expected}",
                input_name(&input)
            )));
        }
        if matches!(entry.state, TaskState::Sent) {
            self.in_flight -= 1;
            if entry.large {
                self.large_in_flight -= 1;
            }
        }
        entry.state = TaskState::Step(input);
        self.order.push_back(task.0);
        Ok(())
    }

    fn deadline(&mut self, sessions: &Sessions, now: u64) -> Result<Option<u64>, Error> {
        let limits = *sessions.session(&self.registry)?.limits();
        let started = *self.started_ms.get_or_insert(now);
        let at = (limits.deadline_ms > 0).then(|| started.saturating_add(limits.deadline_ms));
        if let Some(at) = at.filter(|&at| now >= at) {
            return Err(Error::Timeout {
                host: self.registry.clone(),
                reason: format!(
                    "the operation's deadline of {} ms passed (Limits.deadline_ms) {} ms ago",
                    limits.deadline_ms,
                    now - at
                ),
                request: None,
            });
        }
        Ok(at)
    }

    /// Steps the ready tasks and hands out the next action the concurrency lets out; stops
    /// at a task's end, which the runner gives to the operation's [`Stages`] before asking
    /// again.
    fn advance(
        &mut self,
        sessions: &mut Sessions,
        now: u64,
        deadline: Option<u64>,
    ) -> Result<Step, Error> {
        loop {
            while let Some(id) = self.order.pop_front() {
                if let Some(end) = self.step_task(id, sessions, now, deadline)? {
                    return Ok(end);
                }
            }
            // The rule follows the round trips measured so far (answers just stepped).
            self.concurrency = sessions.session(&self.registry)?.concurrency();
            // The first action the concurrency lets out: a send waits while as many are in
            // flight as allowed (a large transfer while as many large ones are), a wait never.
            // Asked once per answer with hundreds of sends queued: when no send may go, only
            // the waits are looked at, and when any may, the first action is taken as it is.
            let (small, large) = (
                self.concurrency
                    .allows(self.in_flight, self.large_in_flight, false),
                self.concurrency
                    .allows(self.in_flight, self.large_in_flight, true),
            );
            let next = match (small, large) {
                (true, true) => (!self.outbox.is_empty()).then_some(0),
                (false, _) => self
                    .outbox
                    .iter()
                    .position(|(_, event)| !matches!(event, Event::Send(_))),
                (true, false) => self.outbox.iter().position(|(id, event)| match event {
                    Event::Send(request) => {
                        let blob = self.tasks.get(*id).and_then(|t| t.blob.as_ref());
                        !is_large(request, blob)
                    }
                    _ => true,
                }),
            };
            if let Some((id, event)) = next.and_then(|at| self.outbox.remove(at)) {
                let task = self
                    .tasks
                    .get_mut(id)
                    .ok_or_else(|| misuse("an action of a finished task"))?;
                if let Event::Send(_) = &event
                    && task.single.outdated(sessions.session(&task.registry)?)
                {
                    // The session learnt something since the request was made that changes it:
                    // the task starts over (a mount the registry refused since goes as a plain
                    // upload session, [`Session::note_mount_refused`]; a plain upload session's
                    // POST as a single request, [`Session::single_post`]).
                    task.state = TaskState::Step(Input::Start);
                    self.order.push_back(id);
                    continue;
                }
                return Ok(match event {
                    Event::Send(mut request) => {
                        task.state = TaskState::Sent;
                        task.large = is_large(&request, task.blob.as_ref());
                        self.in_flight += 1;
                        if task.large {
                            self.large_in_flight += 1;
                        }
                        task.mounting = is_mount(&request);
                        request.deadline_ms = match (request.deadline_ms, deadline) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                        let moves_blob = matches!(request.body, Body::Blob { .. })
                            || matches!(request.response_body, ResponseBody::Stream { .. });
                        Step::Send {
                            task: TaskId(id),
                            blob: task.blob.clone().filter(|_| moves_blob),
                            request,
                            registry: task.registry.clone(),
                        }
                    }
                    Event::Wait(ms) => {
                        task.state = TaskState::Waiting;
                        Step::Wait {
                            task: TaskId(id),
                            ms,
                        }
                    }
                    Event::Done(()) => return Err(misuse("a finished event in the outbox")),
                });
            }
            return Ok(if self.tasks.is_empty() {
                Step::Idle
            } else {
                Step::Pending
            });
        }
    }

    /// Steps task `id` if it is ready; its end, when it ended.
    fn step_task(
        &mut self,
        id: u64,
        sessions: &mut Sessions,
        now: u64,
        deadline: Option<u64>,
    ) -> Result<Option<Step>, Error> {
        let Some(task) = self.tasks.get_mut(id) else {
            return Ok(None);
        };
        let input = match std::mem::replace(&mut task.state, TaskState::Queued) {
            TaskState::Step(input) => input,
            other => {
                task.state = other;
                return Ok(None);
            }
        };
        let session = sessions.session_mut(&task.registry)?;
        match task.single.next(session, input, now) {
            Ok(Event::Send(request)) => self.outbox.push_back((id, Event::Send(request))),
            Ok(Event::Wait(ms)) => {
                // A task's own deadline starts with it: the operation's may come first.
                if let Some(at) = deadline.filter(|&at| now.saturating_add(ms) >= at) {
                    // A cut upload whose retry would come too late is given up on too.
                    self.interrupted = task.interrupted_upload(true);
                    return Err(Error::Timeout {
                        host: self.registry.clone(),
                        reason: format!(
                            "waiting {ms} ms to retry would pass the operation's deadline ({} ms from now; Limits.deadline_ms)",
                            at - now
                        ),
                        request: None,
                    });
                }
                self.outbox.push_back((id, Event::Wait(ms)));
            }
            Ok(Event::Done(output)) => {
                let task = self.tasks.remove(id).ok_or_else(|| misuse("lost task"))?;
                return Ok(Some(Step::Done {
                    slot: task.slot,
                    output,
                    mounted: task.mounting,
                }));
            }
            Err(error) => {
                let task = self.tasks.remove(id).ok_or_else(|| misuse("lost task"))?;
                let cut = matches!(error, Error::Network { .. } | Error::Timeout { .. });
                return Ok(Some(Step::Failed {
                    slot: task.slot,
                    upload: task.interrupted_upload(cut),
                    error,
                }));
            }
        }
        Ok(None)
    }
}

/// Whether `request` moves [`LARGE_TRANSFER`] blob bytes or more: its body, or the blob it
/// streams.
fn is_large(request: &Request, blob: Option<&Descriptor>) -> bool {
    let moved = match (&request.body, &request.response_body) {
        (Body::Blob { length, .. }, _) => *length,
        (_, ResponseBody::Stream { .. }) => blob.map_or(0, |b| b.size),
        _ => 0,
    };
    moved >= LARGE_TRANSFER
}

/// Whether `request` asks for a cross-repository mount.
fn is_mount(request: &Request) -> bool {
    request.method == Method::Post && request.url.contains("mount=")
}

fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Start => "Start",
        Input::Response(_) => "a response",
        Input::Resume => "a resume",
        Input::Failure(_) => "a failure",
    }
}

/// A request a dry run would make, as its plan lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    /// The method.
    pub method: Method,
    /// The URL.
    pub url: String,
    /// When and why it is made ("if the blob is missing", …).
    pub note: String,
}
