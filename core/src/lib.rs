//! # ocikit-core
//!
//! The pure core of [ocikit](https://github.com/ocikit/ocikit), an SDK for authoring OCI registry
//! artifacts. Everything that needs thought lives here — digests, media types, manifests and
//! their canonical bytes, packing, validation, artifact types, image layouts, and the registry
//! protocol as state machines ([`registry`]) — and nothing here performs I/O:
//! no filesystem, network, clock, randomness or threads. The crate compiles unchanged for
//! `wasm32-unknown-unknown`, and the Python and JavaScript bindings are thin type conversions
//! around it, so every language gets the same answers, byte for byte.
//!
//! The host moves bytes; the core decides what they mean:
//!
//! ```text
//!   host (Python, JS, Rust app)                 ocikit-core
//!   ───────────────────────────                 ───────────
//!   read a chunk of a file      ── bytes ──▶    Digester::update
//!   …repeat until EOF…
//!   ask for the result          ◀── Digest ──   Digester::finalize
//! ```
//!
//! Whole registry operations (push, pull, copy, attach, discover, delete) are decided here too,
//! as state machines ([`registry::Operation`]) that hand the host requests to run, as many at
//! once as it likes, and take back what happened:
//!
//! ```text
//!   host (Python threads, asyncio, JS promises)       ocikit-core
//!   ───────────────────────────────────────────       ───────────
//!   op = Push::new(reference, media_type, bytes, options)?
//!   loop: match op.poll(&mut sessions, now_ms)? ◀──   Action
//!     Send { task, request, blob } ── start it ──▶    … later: op.provide(task, Input::Response(r)
//!                                                                             | Input::Failure(f))
//!     Wait { task, ms }            ── sleep ms ──▶    op.provide(task, Input::Resume)
//!     Pending                      ── block until a task in flight ends, provide it
//!     Done(outcome)                ◀── the result: the plan, what was sent, what was skipped
//! ```
//!
//! ```
//! use ocikit_core::{Digest, Digester, MediaType};
//!
//! let d = ocikit_core::digest::sha256(b"{}");
//! assert_eq!(d.to_string(),
//!     "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
//!
//! let mut streaming = Digester::new(d.algorithm()).unwrap();
//! streaming.update(b"{");
//! streaming.update(b"}");
//! assert_eq!(streaming.finalize(), d);
//! assert_eq!(Digest::parse(&d.to_string()).unwrap(), d);
//!
//! let mt = MediaType::parse("application/vnd.example.docsinmarkdown.config.v1+json").unwrap();
//! let name = mt.artifact().unwrap();
//! assert_eq!(name.object_type, "docsinmarkdown");
//! assert!(mt.lint(None).is_empty());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod annotations;
pub mod archive;
pub mod artifact_type;
pub mod descriptor;
pub mod digest;
mod error;
mod finding;
pub mod json;
pub mod layout;
pub mod manifest;
pub mod media_type;
pub mod pack;
pub mod profiles;
pub mod reference;
pub mod registry;
pub mod time;
pub mod validate;

pub use artifact_type::{ArtifactTypeDefinition, Catalog};
pub use descriptor::{Descriptor, Platform};
pub use digest::{Algorithm, Digest, Digester, verify};
pub use error::{Detail, Error, FailedRequest};
pub use finding::{Finding, Severity};
pub use manifest::{Document, Index, Manifest};
pub use media_type::{ArtifactMediaType, MediaType, Role, Tree};
pub use reference::Reference;
pub use validate::{Kind, Report, validate};
