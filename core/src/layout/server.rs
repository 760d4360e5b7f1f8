//! A layout as a registry: [`LayoutServer`] answers the [`Request`]s the registry engine makes
//! (every whole operation — [`Push`](crate::registry::Push), [`Pull`](crate::registry::Pull),
//! [`CopyArtifact`](crate::registry::CopyArtifact), [`Discover`](crate::registry::Discover),
//! [`Delete`](crate::registry::Delete), [`TagsOf`](crate::registry::TagsOf) — and the single
//! requests) for a layout, by planning the file reads and writes that answer them. The host
//! carries the file steps out on whatever holds the layout (a directory, a tar in memory) and
//! gets back the [`Response`] a conformant OCI distribution registry with the referrers API
//! would give. So the operations need no change to work on layouts, and the hosts only move
//! bytes.
//!
//! A layout is routed by a pseudo registry host under the reserved `.invalid` top-level domain
//! (RFC 2606): [`layout_host`] makes one, [`is_layout_host`] recognises it. A layout is one
//! repository: the repository name in the URL is ignored.
//!
//! ```text
//!   host                                           LayoutServer (sans-IO)
//!   ────                                           ──────────────────────
//!   the engine's Action::Send { request, .. } for a layout host:
//!   let mut exchange = LayoutExchange::new(&request);
//!   let mut input = LayoutInput::Start;
//!   loop { match exchange.next(&mut server, input)? {
//!     Read { path, max }    ── read ≤ max + 1 bytes ─▶  input = Read(Some(bytes) | None)
//!     Stat { path }         ── size of the file ────▶  input = Stat(Some(size) | None)
//!     Write { path, bytes } ── temp file + rename ──▶  input = Written
//!     Receive { path, digest, size }
//!                           ── the request's blob body from the host's source into a temp
//!                              file, hashed        ─▶  input = Received { digest, size }
//!                              (what was hashed: the server compares; the temp file is
//!                              renamed to path only when its answer is 201, else deleted)
//!     Remove { path }       ── delete the file ─────▶  input = Written
//!     Respond { response, file } ── the answer; for a blob GET, stream `file` from its
//!                              offset into the sink (as a transport streams a body) and set
//!                              response.streamed; hand the response to the engine
//!   } }
//! ```
//!
//! Hosts read untrusted layouts: a `Read` or `Stat` opens only regular files reached through no
//! link leading out of the layout, and reads at most `max + 1` bytes (the server answers
//! `LIMIT_EXCEEDED` past `max`). A file step that fails locally (an I/O error) ends the
//! exchange: the host raises its own error and drops the exchange; nothing in the server
//! changed (the index in memory changes only once its `Write` is confirmed).
//!
//! **Concurrency.** The server keeps the layout's `index.json` in memory (read by the first
//! exchange that needs it) and plans a `Write` of the whole new index for each change. A host
//! that runs exchanges concurrently holds one lock per server from the `next` that returns a
//! `Write` of `index.json` until it has provided that write's `Written` (Python: a
//! `threading.Lock` around that step pair; JS is single-threaded): then no update is lost, as
//! each new index is planned from the last one written. Every other step may run concurrently.
//!
//! **Costs.** A manifest GET reads its document (at most 4 MiB); a HEAD by tag answers from
//! `index.json`. A PUT of a manifest stats each blob it references (a registry answers
//! `MANIFEST_BLOB_UNKNOWN` for a missing one), then writes the manifest and `index.json`. The
//! referrers API reads every manifest and index `index.json` lists (each once per server: a
//! document's subject is kept by digest, content never changes) — as oras-go's `oci.Store`
//! finds predecessors, but of the entries of `index.json` only: a pushed or copied referrer is
//! always an entry (untagged), so no graph walk is needed. Uploads are monolithic, in an upload
//! session's PUT or in one request (`POST ?digest=` with the blob, answered `201`): a chunked
//! `PATCH` is answered `UNSUPPORTED` (hosts drive layouts without a chunk size).

use std::collections::{HashMap, HashSet};

use super::{INDEX_FILE, Layout, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE, blob_path};
use crate::registry::http::{Body, Method, Request, Response};
use crate::registry::operations::MANIFEST_SIZE_MAX;
use crate::registry::walk::Successors;
use crate::{Descriptor, Digest, Error, Index, MediaType};

/// The suffix of every layout's pseudo registry host: `.oci-layout.invalid` (the `.invalid`
/// top-level domain is reserved by RFC 2606: no real registry can have such a name).
pub const LAYOUT_HOST_SUFFIX: &str = ".oci-layout.invalid";

/// The pseudo registry host of the layout numbered `id`: `layout-<id>.oci-layout.invalid`.
/// A host gives each open layout its own number and routes the requests of that host to it.
pub fn layout_host(id: u64) -> String {
    format!("layout-{id}{LAYOUT_HOST_SUFFIX}")
}

/// Whether `registry` (`host[:port]`, any case) is a layout's pseudo host.
pub fn is_layout_host(registry: &str) -> bool {
    let host = registry.to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default();
    host.strip_suffix(LAYOUT_HOST_SUFFIX)
        .and_then(|name| name.strip_prefix("layout-"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// The layout host a request's URL is for, when it is one.
pub fn request_layout_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    is_layout_host(host).then(|| host.to_ascii_lowercase())
}

/// What the server asks the host to do with the layout's files. Paths are relative to the
/// layout's root, `/`-separated, and only ever `oci-layout`, `index.json` or
/// `blobs/<algorithm>/<encoded>` of a parsed digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutStep {
    /// Read the whole file, at most `max + 1` bytes; provide [`LayoutInput::Read`].
    Read {
        /// The file.
        path: String,
        /// The most bytes it may have.
        max: u64,
    },
    /// The size of the file, or that it is absent; provide [`LayoutInput::Stat`].
    Stat {
        /// The file.
        path: String,
    },
    /// Replace the file with these bytes atomically (a temporary file in the same directory,
    /// then a rename; directories created as needed); provide [`LayoutInput::Written`].
    Write {
        /// The file.
        path: String,
        /// Its new content.
        bytes: Vec<u8>,
    },
    /// Write the request's blob body ([`Body::Blob`], streamed from the host's source for the
    /// action's blob) into a temporary file next to `path` while hashing it with `digest`'s
    /// algorithm (reading at most `size + 1` bytes); provide [`LayoutInput::Received`] with
    /// what was seen (the server compares it with `digest` and `size`), then rename the file to
    /// `path` when the next step answers `201 Created`, else delete it (a `400 DIGEST_INVALID`,
    /// as a registry answers an upload that does not match).
    Receive {
        /// The blob file.
        path: String,
        /// The digest the blob must have.
        digest: Digest,
        /// The size it must have.
        size: u64,
    },
    /// Delete the file (absent is fine); provide [`LayoutInput::Written`].
    Remove {
        /// The file.
        path: String,
    },
    /// The exchange is over: this is the registry's answer. With `file`, the response is a
    /// streamed blob (a 2xx answer to a GET whose [`ResponseBody`](crate::registry::ResponseBody)
    /// is `Stream`): the host streams the file from `offset` into its sink for the blob, as a
    /// transport streams a body (a 206 appends to what the sink holds, a 200 starts it over;
    /// at most the request's `Stream { max }` + 1 bytes), and sets
    /// [`Response::streamed`] to the digest and size of what the sink holds.
    Respond {
        /// The answer.
        response: Response,
        /// The blob file to stream, for a blob GET.
        file: Option<ServedFile>,
    },
}

/// A blob file a [`LayoutStep::Respond`] streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedFile {
    /// The file.
    pub path: String,
    /// The first byte to send (a `Range` request's start; 0 for the whole file).
    pub offset: u64,
    /// How many bytes to send (the file's size when it was looked at, less `offset`).
    pub length: u64,
}

/// What the host provides after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutInput {
    /// The first call.
    Start,
    /// After [`LayoutStep::Read`]: the bytes (at most `max + 1`), or `None` when absent.
    Read(Option<Vec<u8>>),
    /// After [`LayoutStep::Stat`]: the size, or `None` when absent.
    Stat(Option<u64>),
    /// After [`LayoutStep::Write`] or [`LayoutStep::Remove`]: done.
    Written,
    /// After [`LayoutStep::Receive`]: the digest (in the expected digest's algorithm) and
    /// size of the body received.
    Received {
        /// What the body hashed to.
        digest: Digest,
        /// Its size.
        size: u64,
    },
}

impl LayoutInput {
    fn name(&self) -> &'static str {
        match self {
            Self::Start => "Start",
            Self::Read(_) => "Read",
            Self::Stat(_) => "Stat",
            Self::Written => "Written",
            Self::Received { .. } => "Received",
        }
    }
}

/// A document's subject and how a referrers list shows it, kept by digest.
type Referring = Option<(Digest, Descriptor)>;

/// One layout served as a registry: its `index.json` in memory once read, what the referrers
/// API learnt about documents, and the open upload sessions. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct LayoutServer {
    /// `index.json`, once read; `None` before.
    layout: Option<Layout>,
    /// Whether `index.json` was absent when read (the layout is written from scratch).
    absent: bool,
    index_max: u64,
    /// What each document read for the referrers API refers to.
    documents: HashMap<Digest, Referring>,
    uploads: HashSet<String>,
    next_upload: u64,
}

impl Default for LayoutServer {
    fn default() -> Self {
        Self::new()
    }
}

/// The largest `index.json` read by default (4 MiB, the manifest limit of registries).
pub const INDEX_MAX: u64 = 4 * 1024 * 1024;

impl LayoutServer {
    /// A server that reads `index.json` (at most [`INDEX_MAX`] bytes) when first needed.
    pub fn new() -> Self {
        Self::with_index_max(INDEX_MAX)
    }

    /// A server that reads at most `index_max` bytes of `index.json` (`LIMIT_EXCEEDED` past).
    pub fn with_index_max(index_max: u64) -> Self {
        Self {
            layout: None,
            absent: false,
            index_max,
            documents: HashMap::new(),
            uploads: HashSet::new(),
            next_upload: 0,
        }
    }

    /// `index.json` as the server holds it, once read (`None` before any exchange read it).
    pub fn layout(&self) -> Option<&Layout> {
        self.layout.as_ref()
    }

    /// Forgets `index.json` and what was read of the layout, so the next exchange reads it
    /// again (after the layout changed behind the server's back).
    pub fn reload(&mut self) {
        self.layout = None;
        self.absent = false;
    }
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    /// `GET /v2/`.
    Base,
    Manifest(String),
    Blob(String),
    Uploads,
    Upload(String),
    Tags,
    Referrers(String),
    Unknown,
}

#[derive(Debug, Clone)]
enum Phase {
    Begin,
    /// Waiting for `index.json`.
    LoadIndex,
    /// Waiting for a manifest's bytes.
    GetDocument {
        listed: Option<Descriptor>,
        digest: Digest,
    },
    /// Waiting for the size of a blob a pushed manifest references.
    PutChildren {
        put: Box<PutDocument>,
        children: Vec<Digest>,
    },
    /// Waiting for the `oci-layout` file of a new layout.
    PutMarker {
        put: Box<PutDocument>,
    },
    /// Waiting for the manifest's blob.
    PutBlob {
        put: Box<PutDocument>,
    },
    /// Waiting for `index.json` with the manifest.
    PutIndex {
        put: Box<PutDocument>,
        pending: Layout,
    },
    /// Waiting for the size of the manifest to delete (not listed in `index.json`).
    DeleteStat {
        digest: Digest,
    },
    /// Waiting for `index.json` without the manifest.
    DeleteIndex {
        digest: Digest,
        pending: Layout,
    },
    /// Waiting for the manifest's blob to go.
    DeleteBlob,
    /// Waiting for a listed document's bytes: `entries` are the documents `index.json`
    /// listed when the listing began (each once, in order), `found` what the first of them
    /// refer to.
    Referrers {
        subject: Digest,
        filter: Option<String>,
        entries: Vec<Descriptor>,
        found: Vec<Referring>,
    },
    /// Waiting for `index.json`, forgotten ([`LayoutServer::reload`]) while a manifest was
    /// being pushed.
    PutReload {
        put: Box<PutDocument>,
    },
    /// Waiting for a blob's size.
    BlobStat {
        digest: Digest,
        head: bool,
    },
    /// Waiting for the size of a blob to mount.
    MountStat {
        digest: Digest,
    },
    /// Waiting for a received blob.
    Receive {
        id: String,
        digest: Digest,
        size: u64,
    },
    /// Waiting for a blob written from bytes.
    ReceiveBytes {
        id: String,
        digest: Digest,
    },
    Done,
}

/// A manifest being pushed.
#[derive(Debug, Clone)]
struct PutDocument {
    descriptor: Descriptor,
    bytes: Vec<u8>,
    tag: Option<String>,
    subject: Option<Digest>,
}

/// The answer to one request, worked out step by step with a [`LayoutServer`] (see the
/// [module docs](self)).
#[derive(Debug, Clone)]
pub struct LayoutExchange {
    method: Method,
    /// The repository name in the URL (echoed in answers).
    name: String,
    route: Route,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
    phase: Phase,
}

impl LayoutExchange {
    /// The exchange that answers `request` (a request the engine made for a layout host).
    pub fn new(request: &Request) -> Self {
        let (name, route, query) = parse_url(&request.url);
        Self {
            method: request.method,
            name,
            route,
            query,
            headers: request.headers.clone(),
            body: request.body.clone(),
            phase: Phase::Begin,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The next step, given the host's answer to the last one (first [`LayoutInput::Start`]).
    ///
    /// # Errors
    /// What the layout's files make impossible to answer as a registry would: `index.json`
    /// over the limit (`LIMIT_EXCEEDED`) or not a valid index (its validation code), a stored
    /// document over 4 MiB (`LIMIT_EXCEEDED`) or not matching the digest it is stored under
    /// (`DIGEST_MISMATCH`); `OPERATION_MISUSE` for an input that does not answer the last
    /// step, or a step after the answer.
    pub fn next(
        &mut self,
        server: &mut LayoutServer,
        input: LayoutInput,
    ) -> Result<LayoutStep, Error> {
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        let step = self.advance(server, phase, input);
        if step.is_err() {
            self.phase = Phase::Done;
        }
        step
    }

    fn advance(
        &mut self,
        server: &mut LayoutServer,
        phase: Phase,
        input: LayoutInput,
    ) -> Result<LayoutStep, Error> {
        match (phase, input) {
            (Phase::Begin, LayoutInput::Start) => self.begin(server),
            (Phase::LoadIndex, LayoutInput::Read(bytes)) => {
                if server.layout.is_none() {
                    load_index(server, bytes)?;
                }
                self.route_request(server)
            }
            (Phase::GetDocument { listed, digest }, LayoutInput::Read(bytes)) => {
                self.document_read(listed, &digest, bytes)
            }
            (Phase::PutChildren { put, mut children }, LayoutInput::Stat(size)) => {
                let Some(child) = children.pop() else {
                    return Err(misuse("a Stat nobody asked for"));
                };
                if size.is_none() {
                    return Ok(self.error(
                        400,
                        "MANIFEST_BLOB_UNKNOWN",
                        &format!("{child}, referenced by the manifest, is not in the layout"),
                    ));
                }
                self.put_children(server, put, children)
            }
            (Phase::PutMarker { put }, LayoutInput::Written) => Ok(self.put_blob(put)),
            (Phase::PutBlob { put }, LayoutInput::Written) => self.put_index(server, put),
            (Phase::PutIndex { put, pending }, LayoutInput::Written) => {
                server.layout = Some(pending);
                server.absent = false;
                let digest = put.descriptor.digest.to_string();
                let mut response = self.response(201);
                response.headers.extend([
                    (
                        "Location".to_owned(),
                        format!("/v2/{}/manifests/{digest}", self.name),
                    ),
                    ("Docker-Content-Digest".to_owned(), digest),
                ]);
                if let Some(subject) = &put.subject {
                    response
                        .headers
                        .push(("OCI-Subject".to_owned(), subject.to_string()));
                }
                Ok(respond(response))
            }
            (Phase::DeleteStat { digest }, LayoutInput::Stat(size)) => match size {
                None => Ok(self.manifest_unknown(&digest.to_string())),
                Some(_) => {
                    self.phase = Phase::DeleteBlob;
                    server.documents.remove(&digest);
                    Ok(LayoutStep::Remove {
                        path: blob_path(&digest),
                    })
                }
            },
            (Phase::DeleteIndex { digest, pending }, LayoutInput::Written) => {
                server.layout = Some(pending);
                server.documents.remove(&digest);
                self.phase = Phase::DeleteBlob;
                Ok(LayoutStep::Remove {
                    path: blob_path(&digest),
                })
            }
            (Phase::DeleteBlob, LayoutInput::Written) => Ok(respond(self.response(202))),
            (
                Phase::Referrers {
                    subject,
                    filter,
                    entries,
                    mut found,
                },
                LayoutInput::Read(bytes),
            ) => {
                let Some(entry) = entries.get(found.len()).cloned() else {
                    return Err(misuse("a Read nobody asked for"));
                };
                let referring = match bytes {
                    None => None,
                    Some(bytes) => {
                        let path = blob_path(&entry.digest);
                        check_max(&path, bytes.len() as u64, MANIFEST_SIZE_MAX)?;
                        check_stored(&entry.digest, &bytes)?;
                        referring(entry.media_type.as_str(), &bytes)
                    }
                };
                server.documents.insert(entry.digest, referring.clone());
                found.push(referring);
                self.referrers(server, subject, filter, entries, found)
            }
            (Phase::PutReload { put }, LayoutInput::Read(bytes)) => {
                if server.layout.is_none() {
                    load_index(server, bytes)?;
                }
                self.put_index(server, put)
            }
            (Phase::BlobStat { digest, head }, LayoutInput::Stat(size)) => {
                Ok(self.blob_answer(&digest, head, size))
            }
            (Phase::MountStat { digest }, LayoutInput::Stat(size)) => match size {
                Some(_) => {
                    let mut response = self.response(201);
                    response.headers.extend([
                        (
                            "Location".to_owned(),
                            format!("/v2/{}/blobs/{digest}", self.name),
                        ),
                        ("Docker-Content-Digest".to_owned(), digest.to_string()),
                    ]);
                    Ok(respond(response))
                }
                None => Ok(self.start_upload(server)),
            },
            (Phase::Receive { id, digest, size }, LayoutInput::Received { digest: d, size: s }) => {
                if d != digest || s != size {
                    return Ok(self.error(
                        400,
                        "DIGEST_INVALID",
                        &format!(
                            "the upload is {s} bytes of {d}, not {size} bytes of {digest}; nothing was stored"
                        ),
                    ));
                }
                Ok(self.uploaded(server, &id, &digest))
            }
            (Phase::ReceiveBytes { id, digest }, LayoutInput::Written) => {
                Ok(self.uploaded(server, &id, &digest))
            }
            (Phase::Done, input) => Err(misuse(format!(
                "{} after the exchange answered",
                input.name()
            ))),
            (phase, input) => Err(misuse(format!(
                "{} does not answer the last step ({})",
                input.name(),
                phase_wants(&phase)
            ))),
        }
    }

    fn begin(&mut self, server: &mut LayoutServer) -> Result<LayoutStep, Error> {
        let needs_index = matches!(
            self.route,
            Route::Manifest(_) | Route::Tags | Route::Referrers(_)
        );
        if needs_index && server.layout.is_none() {
            self.phase = Phase::LoadIndex;
            return Ok(LayoutStep::Read {
                path: INDEX_FILE.to_owned(),
                max: server.index_max,
            });
        }
        self.route_request(server)
    }

    fn route_request(&mut self, server: &mut LayoutServer) -> Result<LayoutStep, Error> {
        let method = self.method;
        let route = self.route.clone();
        match (route, method) {
            (Route::Base, Method::Get | Method::Head) => {
                let mut response = self.response(200);
                if method == Method::Get {
                    response.body = b"{}".to_vec();
                }
                Ok(respond(response))
            }
            (Route::Manifest(target), Method::Get | Method::Head) => {
                self.get_manifest(server, &target, method == Method::Head)
            }
            (Route::Manifest(target), Method::Put) => self.put_manifest(server, &target),
            (Route::Manifest(target), Method::Delete) => self.delete_manifest(server, &target),
            (Route::Blob(target), Method::Get | Method::Head) => {
                let Ok(digest) = Digest::parse(&target) else {
                    return Ok(self.digest_invalid(&target));
                };
                self.phase = Phase::BlobStat {
                    digest: digest.clone(),
                    head: method == Method::Head,
                };
                Ok(LayoutStep::Stat {
                    path: blob_path(&digest),
                })
            }
            (Route::Uploads, Method::Post) => match self.query("mount").map(str::to_owned) {
                Some(mount) => {
                    let Ok(digest) = Digest::parse(&mount) else {
                        return Ok(self.digest_invalid(&mount));
                    };
                    self.phase = Phase::MountStat {
                        digest: digest.clone(),
                    };
                    Ok(LayoutStep::Stat {
                        path: blob_path(&digest),
                    })
                }
                // A single-request upload (distribution-spec: `POST ?digest=` with the blob as
                // body): taken, as its closing PUT would be (201), in an upload of its own.
                None if self.query("digest").is_some() && self.body != Body::Empty => {
                    let id = self.new_upload(server);
                    self.upload(server, &id, Method::Put)
                }
                None => Ok(self.start_upload(server)),
            },
            (Route::Upload(id), method) => self.upload(server, &id, method),
            (Route::Tags, Method::Get) => Ok(self.tags(server)),
            (Route::Referrers(target), Method::Get) => {
                let Ok(subject) = Digest::parse(&target) else {
                    return Ok(self.digest_invalid(&target));
                };
                let filter = self.query("artifactType").map(str::to_owned);
                let layout = server.layout.as_ref().ok_or_else(|| misuse("no index"))?;
                let mut seen = HashSet::new();
                let entries: Vec<Descriptor> = layout
                    .manifests()
                    .iter()
                    .filter(|d| {
                        crate::registry::operations::is_manifest_type(d.media_type.as_str())
                            && d.size <= MANIFEST_SIZE_MAX
                            && d.digest.is_supported()
                            && seen.insert(d.digest.clone())
                    })
                    .cloned()
                    .collect();
                self.referrers(server, subject, filter, entries, Vec::new())
            }
            (Route::Unknown, _) => Ok(self.error(
                404,
                "UNSUPPORTED",
                "an OCI layout answers the manifest, blob, upload, tag and referrers routes only",
            )),
            (_, method) => Ok(self.error(
                405,
                "UNSUPPORTED",
                &format!("{method} is not supported on this route by an OCI layout"),
            )),
        }
    }

    fn get_manifest(
        &mut self,
        server: &LayoutServer,
        target: &str,
        head: bool,
    ) -> Result<LayoutStep, Error> {
        let layout = server.layout.as_ref().ok_or_else(|| misuse("no index"))?;
        let digest = Digest::parse(target).ok();
        if digest.is_none() && target.contains(':') {
            return Ok(self.digest_invalid(target));
        }
        let listed = match &digest {
            Some(digest) => layout
                .manifests()
                .iter()
                .find(|d| &d.digest == digest)
                .cloned(),
            None => layout.resolve(target).cloned(),
        };
        if head && let Some(entry) = &listed {
            // A registry answers HEAD from what it knows: the index entry.
            let mut response = self.response(200);
            response.headers = vec![
                ("Content-Type".to_owned(), entry.media_type.to_string()),
                ("Content-Length".to_owned(), entry.size.to_string()),
                ("Docker-Content-Digest".to_owned(), entry.digest.to_string()),
            ];
            return Ok(respond(response));
        }
        let digest = match (&listed, digest) {
            (Some(entry), _) => entry.digest.clone(),
            (None, Some(digest)) => digest,
            (None, None) => return Ok(self.manifest_unknown(target)),
        };
        if !digest.is_supported() {
            return Ok(self.manifest_unknown(target));
        }
        if listed.as_ref().is_some_and(|d| d.size > MANIFEST_SIZE_MAX) {
            return Err(too_big(&blob_path(&digest), listed.map_or(0, |d| d.size)));
        }
        self.phase = Phase::GetDocument {
            listed,
            digest: digest.clone(),
        };
        Ok(LayoutStep::Read {
            path: blob_path(&digest),
            max: MANIFEST_SIZE_MAX,
        })
    }

    fn document_read(
        &mut self,
        listed: Option<Descriptor>,
        digest: &Digest,
        bytes: Option<Vec<u8>>,
    ) -> Result<LayoutStep, Error> {
        let path = blob_path(digest);
        let Some(bytes) = bytes else {
            return Ok(match &listed {
                Some(_) => self.error(
                    404,
                    "MANIFEST_UNKNOWN",
                    &format!("index.json lists {digest}, but {path} is missing"),
                ),
                None => self.manifest_unknown(&digest.to_string()),
            });
        };
        check_max(&path, bytes.len() as u64, MANIFEST_SIZE_MAX)?;
        check_stored(digest, &bytes)?;
        let given = listed
            .as_ref()
            .map(|d| d.media_type.to_string())
            .unwrap_or_default();
        let media_type = match Successors::read(&given, &bytes) {
            Ok(successors) => crate::registry::whole::document_type(&given, &successors),
            // A blob that is not a document is no manifest of the repository.
            Err(_) if listed.is_none() => return Ok(self.manifest_unknown(&digest.to_string())),
            Err(_) => MediaType::parse(&given)?,
        };
        let mut response = self.response(200);
        response.headers = vec![
            ("Content-Type".to_owned(), media_type.to_string()),
            ("Content-Length".to_owned(), bytes.len().to_string()),
            ("Docker-Content-Digest".to_owned(), digest.to_string()),
        ];
        if self.method == Method::Get {
            response.body = bytes;
        }
        Ok(respond(response))
    }

    fn put_manifest(
        &mut self,
        server: &mut LayoutServer,
        target: &str,
    ) -> Result<LayoutStep, Error> {
        let bytes = match &self.body {
            Body::Bytes(bytes) => bytes.clone(),
            Body::Empty => Vec::new(),
            Body::Blob { .. } => {
                return Ok(self.error(
                    400,
                    "MANIFEST_INVALID",
                    "a manifest is sent as bytes, not streamed",
                ));
            }
        };
        if bytes.len() as u64 > MANIFEST_SIZE_MAX {
            return Ok(self.error(
                413,
                "SIZE_INVALID",
                &format!(
                    "the manifest is {} bytes, over the {MANIFEST_SIZE_MAX} byte limit",
                    bytes.len()
                ),
            ));
        }
        let content_type = self
            .header("Content-Type")
            .and_then(|t| t.split(';').next())
            .unwrap_or_default()
            .trim()
            .to_owned();
        let successors = match Successors::read(&content_type, &bytes) {
            Ok(successors) => successors,
            Err(err) => return Ok(self.error(400, "MANIFEST_INVALID", &err.to_string())),
        };
        let (digest, tag) = match Digest::parse(target) {
            Ok(digest) => {
                let actual = crate::digest::compute(digest.algorithm(), &bytes)?;
                if actual != digest {
                    return Ok(self.error(
                        400,
                        "DIGEST_INVALID",
                        &format!("the manifest's digest is {actual}, not {digest}"),
                    ));
                }
                (digest, None)
            }
            Err(_) if target.contains(':') || !super::is_ref_name(target) => {
                return Ok(self.error(
                    400,
                    "TAG_INVALID",
                    &format!("{target:?} is not a tag an OCI layout can hold"),
                ));
            }
            Err(_) => (crate::digest::sha256(&bytes), Some(target.to_owned())),
        };
        let media_type = crate::registry::whole::document_type(&content_type, &successors);
        let mut descriptor = Descriptor::new(media_type, digest, bytes.len() as u64);
        descriptor.artifact_type = artifact_type(&bytes);
        let mut seen = HashSet::new();
        let mut children: Vec<Digest> = successors
            .children
            .iter()
            .filter(|d| d.data.is_none() && seen.insert(d.digest.clone()))
            .map(|d| d.digest.clone())
            .collect();
        children.reverse(); // popped from the end: in document order
        let put = Box::new(PutDocument {
            descriptor,
            bytes,
            tag,
            subject: successors.subject.map(|s| s.digest),
        });
        self.put_children(server, put, children)
    }

    fn put_children(
        &mut self,
        server: &LayoutServer,
        put: Box<PutDocument>,
        children: Vec<Digest>,
    ) -> Result<LayoutStep, Error> {
        if let Some(child) = children.last() {
            if !child.is_supported() {
                return Ok(self.error(
                    400,
                    "MANIFEST_BLOB_UNKNOWN",
                    &format!("{child} uses a digest algorithm the layout cannot hold"),
                ));
            }
            let path = blob_path(child);
            self.phase = Phase::PutChildren { put, children };
            return Ok(LayoutStep::Stat { path });
        }
        if server.absent {
            self.phase = Phase::PutMarker { put };
            return Ok(LayoutStep::Write {
                path: OCI_LAYOUT_FILE.to_owned(),
                bytes: OCI_LAYOUT_CONTENT.to_vec(),
            });
        }
        Ok(self.put_blob(put))
    }

    fn put_blob(&mut self, put: Box<PutDocument>) -> LayoutStep {
        let step = LayoutStep::Write {
            path: blob_path(&put.descriptor.digest),
            bytes: put.bytes.clone(),
        };
        self.phase = Phase::PutBlob { put };
        step
    }

    fn put_index(
        &mut self,
        server: &LayoutServer,
        put: Box<PutDocument>,
    ) -> Result<LayoutStep, Error> {
        let Some(mut pending) = server.layout.clone() else {
            // Forgotten since this exchange began: read it again, then add to it.
            self.phase = Phase::PutReload { put };
            return Ok(LayoutStep::Read {
                path: INDEX_FILE.to_owned(),
                max: server.index_max,
            });
        };
        pending.add(put.descriptor.clone(), put.tag.as_deref())?;
        let bytes = pending.index_json();
        self.phase = Phase::PutIndex { put, pending };
        Ok(LayoutStep::Write {
            path: INDEX_FILE.to_owned(),
            bytes,
        })
    }

    fn delete_manifest(
        &mut self,
        server: &LayoutServer,
        target: &str,
    ) -> Result<LayoutStep, Error> {
        let layout = server.layout.as_ref().ok_or_else(|| misuse("no index"))?;
        let digest = match Digest::parse(target) {
            Ok(digest) if digest.is_supported() => digest,
            Ok(_) => return Ok(self.manifest_unknown(target)),
            // A tag: registries delete by digest (the engine resolves tags first).
            Err(_) => match layout.resolve(target) {
                Some(entry) => entry.digest.clone(),
                None => return Ok(self.manifest_unknown(target)),
            },
        };
        let kept: Vec<Descriptor> = layout
            .manifests()
            .iter()
            .filter(|d| d.digest != digest)
            .cloned()
            .collect();
        if kept.len() == layout.manifests().len() {
            // Not listed: a child of an index, maybe.
            self.phase = Phase::DeleteStat {
                digest: digest.clone(),
            };
            return Ok(LayoutStep::Stat {
                path: blob_path(&digest),
            });
        }
        let pending = Layout::from_entries(kept);
        let bytes = pending.index_json();
        self.phase = Phase::DeleteIndex { digest, pending };
        Ok(LayoutStep::Write {
            path: INDEX_FILE.to_owned(),
            bytes,
        })
    }

    fn referrers(
        &mut self,
        server: &LayoutServer,
        subject: Digest,
        filter: Option<String>,
        entries: Vec<Descriptor>,
        mut found: Vec<Referring>,
    ) -> Result<LayoutStep, Error> {
        // The documents already read need no step.
        while let Some(entry) = entries.get(found.len()) {
            match server.documents.get(&entry.digest) {
                Some(known) => found.push(known.clone()),
                None => {
                    let path = blob_path(&entry.digest);
                    self.phase = Phase::Referrers {
                        subject,
                        filter,
                        entries,
                        found,
                    };
                    return Ok(LayoutStep::Read {
                        path,
                        max: MANIFEST_SIZE_MAX,
                    });
                }
            }
        }
        let manifests: Vec<Descriptor> = found
            .into_iter()
            .flatten()
            .filter(|(of, _)| of == &subject)
            .map(|(_, descriptor)| descriptor)
            .filter(|d| {
                filter.as_deref().is_none_or(|wanted| {
                    d.artifact_type
                        .as_ref()
                        .is_some_and(|t| t.as_str() == wanted)
                })
            })
            .collect();
        let body = Index::new(manifests).to_json();
        let mut response = self.response(200);
        response.headers = vec![
            (
                "Content-Type".to_owned(),
                crate::media_type::oci::IMAGE_INDEX.to_owned(),
            ),
            ("Content-Length".to_owned(), body.len().to_string()),
        ];
        if filter.is_some() {
            response
                .headers
                .push(("OCI-Filters-Applied".to_owned(), "artifactType".to_owned()));
        }
        response.body = body;
        Ok(respond(response))
    }

    fn tags(&mut self, server: &LayoutServer) -> LayoutStep {
        let Some(layout) = server.layout.as_ref().filter(|_| !server.absent) else {
            return self.error(
                404,
                "NAME_UNKNOWN",
                "the layout has no index.json (no repository)",
            );
        };
        let mut tags: Vec<&str> = layout.tags();
        tags.sort_unstable();
        tags.dedup();
        if let Some(last) = self.query("last") {
            tags.retain(|t| *t > last);
        }
        let page = self.query("n").and_then(|n| n.parse::<usize>().ok());
        let mut link = None;
        if let Some(n) = page {
            if tags.len() > n {
                tags.truncate(n);
                if let Some(last) = tags.last() {
                    link = Some(format!(
                        "</v2/{}/tags/list?n={n}&last={}>; rel=\"next\"",
                        self.name,
                        crate::registry::http::encode_query(last)
                    ));
                }
            }
        }
        let body = serde_json::json!({ "name": self.name, "tags": tags }).to_string();
        let mut response = self.response(200);
        response.headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("Content-Length".to_owned(), body.len().to_string()),
        ];
        if let Some(link) = link {
            response.headers.push(("Link".to_owned(), link));
        }
        response.body = body.into_bytes();
        respond(response)
    }

    fn blob_answer(&mut self, digest: &Digest, head: bool, size: Option<u64>) -> LayoutStep {
        let Some(size) = size else {
            if head {
                return respond(self.response(404));
            }
            return self.error(
                404,
                "BLOB_UNKNOWN",
                &format!("{digest} is not in the layout"),
            );
        };
        let mut headers = vec![
            (
                "Content-Type".to_owned(),
                "application/octet-stream".to_owned(),
            ),
            ("Docker-Content-Digest".to_owned(), digest.to_string()),
        ];
        let from = self
            .header("Range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .filter(|_| !head);
        let mut status = 200;
        let mut offset = 0;
        match from {
            Some(from) if from > 0 && from >= size => {
                let mut response = self.error_response(
                    416,
                    "BLOB_UNKNOWN",
                    &format!("the blob has {size} bytes: no range from {from}"),
                );
                response
                    .headers
                    .push(("Content-Range".to_owned(), format!("bytes */{size}")));
                return respond(response);
            }
            Some(from) if from > 0 => {
                status = 206;
                offset = from;
                headers.push((
                    "Content-Range".to_owned(),
                    format!("bytes {from}-{}/{size}", size - 1),
                ));
            }
            _ => {}
        }
        headers.push(("Content-Length".to_owned(), (size - offset).to_string()));
        let mut response = self.response(status);
        response.headers = headers;
        let file = (!head).then(|| ServedFile {
            path: blob_path(digest),
            offset,
            length: size - offset,
        });
        LayoutStep::Respond { response, file }
    }

    /// A new upload's id, known to the server until its closing PUT.
    fn new_upload(&mut self, server: &mut LayoutServer) -> String {
        server.next_upload += 1;
        let id = format!("upload-{}", server.next_upload);
        server.uploads.insert(id.clone());
        id
    }

    fn start_upload(&mut self, server: &mut LayoutServer) -> LayoutStep {
        let id = self.new_upload(server);
        let mut response = self.response(202);
        response.headers = vec![
            (
                "Location".to_owned(),
                format!("/v2/{}/blobs/uploads/{id}", self.name),
            ),
            ("Docker-Upload-UUID".to_owned(), id),
            ("Range".to_owned(), "0-0".to_owned()),
            ("Content-Length".to_owned(), "0".to_owned()),
        ];
        respond(response)
    }

    fn upload(
        &mut self,
        server: &mut LayoutServer,
        id: &str,
        method: Method,
    ) -> Result<LayoutStep, Error> {
        if !server.uploads.contains(id) {
            return Ok(self.error(
                404,
                "BLOB_UPLOAD_UNKNOWN",
                &format!("no upload {id} in this layout"),
            ));
        }
        match method {
            Method::Put => {}
            Method::Patch => {
                return Ok(self.error(
                    405,
                    "UNSUPPORTED",
                    "an OCI layout takes monolithic uploads only: drive it without a chunk size",
                ));
            }
            Method::Get => {
                let mut response = self.response(204);
                response.headers = vec![
                    (
                        "Location".to_owned(),
                        format!("/v2/{}/blobs/uploads/{id}", self.name),
                    ),
                    ("Range".to_owned(), "0-0".to_owned()),
                ];
                return Ok(respond(response));
            }
            Method::Delete => {
                server.uploads.remove(id);
                return Ok(respond(self.response(204)));
            }
            _ => {
                return Ok(self.error(
                    405,
                    "UNSUPPORTED",
                    &format!("{method} is not supported on an upload"),
                ));
            }
        }
        let Some(wanted) = self.query("digest").map(str::to_owned) else {
            return Ok(self.error(400, "DIGEST_INVALID", "the closing PUT has no digest"));
        };
        let digest = match Digest::parse(&wanted) {
            Ok(digest) if digest.is_supported() => digest,
            _ => return Ok(self.digest_invalid(&wanted)),
        };
        match self.body.clone() {
            Body::Blob { offset: 0, length } => {
                self.phase = Phase::Receive {
                    id: id.to_owned(),
                    digest: digest.clone(),
                    size: length,
                };
                Ok(LayoutStep::Receive {
                    path: blob_path(&digest),
                    digest,
                    size: length,
                })
            }
            Body::Blob { offset, .. } => Ok(self.error(
                416,
                "BLOB_UPLOAD_INVALID",
                &format!("a layout's upload starts at byte 0, not {offset}"),
            )),
            body => {
                let bytes = match body {
                    Body::Bytes(bytes) => bytes,
                    _ => Vec::new(),
                };
                let actual = crate::digest::compute(digest.algorithm(), &bytes)?;
                if actual != digest {
                    return Ok(self.error(
                        400,
                        "DIGEST_INVALID",
                        &format!("the upload's digest is {actual}, not {digest}"),
                    ));
                }
                self.phase = Phase::ReceiveBytes {
                    id: id.to_owned(),
                    digest: digest.clone(),
                };
                Ok(LayoutStep::Write {
                    path: blob_path(&digest),
                    bytes,
                })
            }
        }
    }

    fn uploaded(&mut self, server: &mut LayoutServer, id: &str, digest: &Digest) -> LayoutStep {
        server.uploads.remove(id);
        let mut response = self.response(201);
        response.headers = vec![
            (
                "Location".to_owned(),
                format!("/v2/{}/blobs/{digest}", self.name),
            ),
            ("Docker-Content-Digest".to_owned(), digest.to_string()),
            ("Content-Length".to_owned(), "0".to_owned()),
        ];
        respond(response)
    }

    fn response(&self, status: u16) -> Response {
        Response {
            status,
            ..Response::default()
        }
    }

    fn error_response(&self, status: u16, code: &str, message: &str) -> Response {
        let mut response = self.response(status);
        if self.method != Method::Head {
            let body = serde_json::json!({
                "errors": [{ "code": code, "message": message }]
            })
            .to_string();
            response.headers = vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Content-Length".to_owned(), body.len().to_string()),
            ];
            response.body = body.into_bytes();
        }
        response
    }

    fn error(&mut self, status: u16, code: &str, message: &str) -> LayoutStep {
        self.phase = Phase::Done;
        respond(self.error_response(status, code, message))
    }

    fn manifest_unknown(&mut self, target: &str) -> LayoutStep {
        self.error(
            404,
            "MANIFEST_UNKNOWN",
            &format!("{target} is not a tag or manifest digest of the layout"),
        )
    }

    fn digest_invalid(&mut self, value: &str) -> LayoutStep {
        self.error(
            400,
            "DIGEST_INVALID",
            &format!("{value:?} is not a digest the layout can hold"),
        )
    }
}

impl Layout {
    /// A layout of these `index.json` entries, as they are.
    fn from_entries(manifests: Vec<Descriptor>) -> Self {
        let mut layout = Self::new();
        layout.index.manifests = manifests;
        layout
    }
}

/// Takes `index.json` as read (`None`: absent, an empty layout to write from scratch).
fn load_index(server: &mut LayoutServer, bytes: Option<Vec<u8>>) -> Result<(), Error> {
    match bytes {
        None => {
            server.layout = Some(Layout::new());
            server.absent = true;
        }
        Some(bytes) => {
            check_max(INDEX_FILE, bytes.len() as u64, server.index_max)?;
            server.layout = Some(Layout::from_index_json(&bytes)?);
            server.absent = false;
        }
    }
    Ok(())
}

fn respond(response: Response) -> LayoutStep {
    LayoutStep::Respond {
        response,
        file: None,
    }
}

fn misuse(reason: impl Into<String>) -> Error {
    Error::OperationMisuse {
        reason: format!("layout exchange: {}", reason.into()),
    }
}

fn phase_wants(phase: &Phase) -> &'static str {
    match phase {
        Phase::Begin => "Start",
        Phase::LoadIndex
        | Phase::GetDocument { .. }
        | Phase::Referrers { .. }
        | Phase::PutReload { .. } => "Read",
        Phase::PutChildren { .. }
        | Phase::DeleteStat { .. }
        | Phase::BlobStat { .. }
        | Phase::MountStat { .. } => "Stat",
        Phase::Receive { .. } => "Received",
        Phase::PutMarker { .. }
        | Phase::PutBlob { .. }
        | Phase::PutIndex { .. }
        | Phase::DeleteIndex { .. }
        | Phase::DeleteBlob
        | Phase::ReceiveBytes { .. } => "Written",
        Phase::Done => "nothing",
    }
}

fn too_big(path: &str, value: u64) -> Error {
    Error::LimitExceeded {
        limit: format!("bytes of {path} in an OCI layout"),
        max: MANIFEST_SIZE_MAX,
        value,
        setting: "the 4 MiB manifest limit of registries".into(),
    }
}

fn check_max(path: &str, len: u64, max: u64) -> Result<(), Error> {
    if len > max {
        return Err(Error::LimitExceeded {
            limit: format!("bytes of {path} in an OCI layout"),
            max,
            value: len,
            setting: if path == INDEX_FILE {
                "the layout server's index limit (OciLayout.MAX_INDEX_BYTES)".into()
            } else {
                "the 4 MiB manifest limit of registries".into()
            },
        });
    }
    Ok(())
}

/// A stored document must be what its name says.
fn check_stored(digest: &Digest, bytes: &[u8]) -> Result<(), Error> {
    let actual = crate::digest::compute(digest.algorithm(), bytes)?;
    if &actual != digest {
        return Err(Error::DigestMismatch {
            expected: digest.clone(),
            actual,
        });
    }
    Ok(())
}

/// The subject of a document and its referrers-list descriptor, if it has a subject.
fn referring(media_type: &str, bytes: &[u8]) -> Referring {
    let successors = Successors::read(media_type, bytes).ok()?;
    let subject = successors.subject?;
    let descriptor = crate::registry::referrer_descriptor(media_type, bytes).ok()?;
    Some((subject.digest, descriptor))
}

/// A document's own `artifactType`, for its `index.json` entry.
fn artifact_type(bytes: &[u8]) -> Option<MediaType> {
    let value = crate::json::parse_strict(bytes).ok()?;
    value
        .get("artifactType")
        .and_then(serde_json::Value::as_str)
        .and_then(|t| MediaType::parse(t).ok())
}

/// The repository name, the route and the decoded query of a request URL.
fn parse_url(url: &str) -> (String, Route, Vec<(String, String)>) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_and_query = rest.find('/').map_or("/", |at| &rest[at..]);
    let path_and_query = path_and_query.split('#').next().unwrap_or_default();
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect();
    let Some(api) = path.strip_prefix("/v2/") else {
        return (String::new(), Route::Unknown, query);
    };
    if api.is_empty() {
        return (String::new(), Route::Base, query);
    }
    let segments: Vec<&str> = api.split('/').collect();
    let n = segments.len();
    let name = |end: usize| segments[..end].join("/");
    let (name, route) = if n >= 3 && segments[n - 2] == "tags" && segments[n - 1] == "list" {
        (name(n - 2), Route::Tags)
    } else if n >= 4 && segments[n - 3] == "blobs" && segments[n - 2] == "uploads" {
        let id = decode(segments[n - 1]);
        let route = if id.is_empty() {
            Route::Uploads
        } else {
            Route::Upload(id)
        };
        (name(n - 3), route)
    } else if n >= 3 {
        let target = decode(segments[n - 1]);
        let route = match segments[n - 2] {
            "manifests" => Route::Manifest(target),
            "blobs" => Route::Blob(target),
            "referrers" => Route::Referrers(target),
            _ => Route::Unknown,
        };
        (name(n - 2), route)
    } else {
        (String::new(), Route::Unknown)
    };
    if name.is_empty() {
        return (name, Route::Unknown, query);
    }
    (name, route, query)
}

/// Percent-decodes a URL component (`+` stays `+`); invalid escapes stay as they are.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
