//! A test host for layouts held in memory: it only carries out a `LayoutServer`'s file steps
//! (and answers the engine's requests for ordinary hosts from a layout served there too), so
//! real whole operations run against layouts. Shared by tests/layout_server.rs and
//! tests/collections.rs (`mod common;`).

#![allow(dead_code)] // each test file uses part of it

use std::collections::{BTreeMap, HashMap};

use ocikit_core::layout::{
    INDEX_FILE, Layout, LayoutExchange, LayoutInput, LayoutServer, LayoutStep,
};
use ocikit_core::pack::{File, Pack, Packed};
use ocikit_core::registry::{
    Action, Body, Input, Operation, Push, PushArtifactOptions, Request, Response, ResponseBody,
    Session, Sessions,
};
use ocikit_core::{Algorithm, Descriptor, Digest, Digester, Error, MediaType, Reference};

/// A layout's files, in memory.
#[derive(Default)]
pub(crate) struct Files(pub(crate) BTreeMap<String, Vec<u8>>);

/// One layout (or a "registry" served by a layout server on an ordinary host name).
pub(crate) struct Served {
    pub(crate) server: LayoutServer,
    pub(crate) files: Files,
}

/// The test host: layouts by host, and the blobs it has to upload or has downloaded (a spool,
/// as the Python host's).
#[derive(Default)]
pub(crate) struct Host {
    pub(crate) served: HashMap<String, Served>,
    pub(crate) spool: HashMap<Digest, Vec<u8>>,
    /// Every request sent, `METHOD host path`.
    pub(crate) log: Vec<String>,
    /// Answer single-request uploads (`POST ?digest=` with the blob) as distribution 2.8.2
    /// does: the digest and the body are ignored and an upload session is opened (202).
    pub(crate) single_post_refused: bool,
    /// Answer cross-repository mounts (`POST ?mount=&from=`) with this status instead of
    /// mounting: 404 (mounts off, or the source unknown), or 202, an upload session instead
    /// (what distribution answers a mount it cannot do).
    pub(crate) mount_answer: Option<u16>,
    /// A repository whose blobs are all missing to a `HEAD` (a layout has one store of blobs
    /// for every repository): a copy into it finds nothing there.
    pub(crate) blobs_missing_in: Option<String>,
}

pub(crate) fn hash(algorithm: &Algorithm, bytes: &[u8]) -> Digest {
    let mut digester = Digester::new(algorithm).expect("algorithm");
    digester.update(bytes);
    digester.finalize()
}

impl Host {
    pub(crate) fn add(&mut self, host: &str) {
        self.served.insert(
            host.to_owned(),
            Served {
                server: LayoutServer::new(),
                files: Files::default(),
            },
        );
    }

    pub(crate) fn files(&self, host: &str) -> &BTreeMap<String, Vec<u8>> {
        &self.served[host].files.0
    }

    pub(crate) fn index(&self, host: &str) -> Layout {
        Layout::from_index_json(&self.files(host)[INDEX_FILE]).expect("index")
    }

    /// Answers one request of the engine by running the server's file steps.
    pub(crate) fn send(
        &mut self,
        request: &Request,
        blob: Option<&Descriptor>,
    ) -> Result<Response, Error> {
        let host = request.url.split('/').nth(2).expect("host").to_owned();
        let path = request.url.splitn(4, '/').nth(3).unwrap_or_default();
        self.log.push(format!("{} {host} /{path}", request.method));
        if let Some(repository) = &self.blobs_missing_in {
            if request.method == ocikit_core::registry::Method::Head
                && path.starts_with(&format!("v2/{repository}/blobs/"))
            {
                return Ok(Response {
                    status: 404,
                    ..Response::default()
                });
            }
        }
        let plain;
        let is_mount =
            request.method == ocikit_core::registry::Method::Post && request.url.contains("mount=");
        let request = if let Some(status) = self.mount_answer.filter(|_| is_mount) {
            if status != 202 {
                return Ok(Response {
                    status,
                    ..Response::default()
                });
            }
            let mut opened = request.clone();
            opened.url = request.url.split('?').next().unwrap_or_default().to_owned();
            plain = opened;
            &plain
        } else if self.single_post_refused
            && request.method == ocikit_core::registry::Method::Post
            && request.url.contains("digest=")
        {
            let mut ignored = request.clone();
            ignored.url = request.url.split('?').next().unwrap_or_default().to_owned();
            ignored.body = Body::Empty;
            plain = ignored;
            &plain
        } else {
            request
        };
        let served = self.served.get_mut(&host).expect("a served host");
        let mut exchange = LayoutExchange::new(request);
        let mut input = LayoutInput::Start;
        loop {
            match exchange.next(&mut served.server, input)? {
                LayoutStep::Read { path, max } => {
                    input = LayoutInput::Read(served.files.0.get(&path).map(|bytes| {
                        bytes[..bytes.len().min(usize::try_from(max + 1).expect("max"))].to_vec()
                    }));
                }
                LayoutStep::Stat { path } => {
                    input = LayoutInput::Stat(served.files.0.get(&path).map(|b| b.len() as u64));
                }
                LayoutStep::Write { path, bytes } => {
                    served.files.0.insert(path, bytes);
                    input = LayoutInput::Written;
                }
                LayoutStep::Remove { path } => {
                    served.files.0.remove(&path);
                    input = LayoutInput::Written;
                }
                LayoutStep::Receive { path, digest, size } => {
                    let Body::Blob { offset, length } = request.body else {
                        panic!("Receive of a request without a blob body");
                    };
                    let blob = blob.expect("the blob of an upload");
                    let source = &self.spool[&blob.digest];
                    let body = source[offset as usize..(offset + length) as usize].to_vec();
                    let seen = hash(digest.algorithm(), &body);
                    let seen_size = body.len() as u64;
                    if seen == digest && seen_size == size {
                        served.files.0.insert(path, body);
                    }
                    input = LayoutInput::Received {
                        digest: seen,
                        size: seen_size,
                    };
                }
                LayoutStep::Respond { mut response, file } => {
                    if let Some(file) = file {
                        let ResponseBody::Stream { max } = request.response_body else {
                            panic!("a file for a request that does not stream");
                        };
                        let blob = blob.expect("the blob of a download");
                        let bytes = &served.files.0[&file.path];
                        let end = bytes.len().min((file.offset + max + 1) as usize);
                        let body = &bytes[file.offset as usize..end];
                        let sink = self.spool.entry(blob.digest.clone()).or_default();
                        if response.status != 206 {
                            sink.clear();
                        }
                        sink.extend_from_slice(body);
                        response.streamed =
                            Some((hash(blob.digest.algorithm(), sink), sink.len() as u64));
                    }
                    return Ok(response);
                }
            }
        }
    }

    /// Drives a whole operation to its end, answering requests in the order they were sent.
    pub(crate) fn drive<O: Operation>(
        &mut self,
        op: &mut O,
        sessions: &mut Sessions,
    ) -> Result<O::Output, Error> {
        self.drive_in(op, sessions, false)
    }

    /// Drives a whole operation to its end answering the request sent last first, as a host
    /// whose connections answer out of order would: an outcome must not depend on it.
    pub(crate) fn drive_last_first<O: Operation>(
        &mut self,
        op: &mut O,
        sessions: &mut Sessions,
    ) -> Result<O::Output, Error> {
        self.drive_in(op, sessions, true)
    }

    fn drive_in<O: Operation>(
        &mut self,
        op: &mut O,
        sessions: &mut Sessions,
        last_first: bool,
    ) -> Result<O::Output, Error> {
        let mut queue = Vec::new();
        loop {
            match op.poll(sessions, 0)? {
                Action::Send {
                    task,
                    request,
                    blob,
                    ..
                } => queue.push((task, request, blob)),
                Action::Wait { task, .. } => op.provide(task, Input::Resume)?,
                Action::Pending => {
                    let next = if last_first { queue.len() - 1 } else { 0 };
                    let (task, request, blob) = queue.remove(next);
                    let response = self.send(&request, blob.as_ref())?;
                    op.provide(task, Input::Response(response))?;
                }
                Action::Done(outcome) => return Ok(outcome),
            }
        }
    }
}

pub(crate) fn sessions(hosts: &[&str]) -> Sessions {
    let mut sessions = Sessions::new();
    for host in hosts {
        sessions.insert(Session::new(host, false, None));
    }
    sessions
}

pub(crate) fn reference(text: &str) -> Reference {
    Reference::parse(text).expect("reference")
}

pub(crate) fn packed(text: &str, subject: Option<Descriptor>, artifact_type: &str) -> Packed {
    let mut pack = Pack::new()
        .artifact_type(MediaType::parse(artifact_type).expect("type"))
        .file(File::from_bytes("a.txt", text.as_bytes().to_vec()));
    if let Some(subject) = subject {
        pack = pack.subject(subject);
    }
    pack.build().expect("packs")
}

pub(crate) fn push(
    host: &mut Host,
    reference: &Reference,
    packed: &Packed,
) -> Result<Descriptor, Error> {
    for blob in &packed.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let mut push = Push::new(
        reference,
        packed.manifest.value().media_type.as_ref().map_or(
            "application/vnd.oci.image.manifest.v1+json",
            MediaType::as_str,
        ),
        packed.manifest.bytes().to_vec(),
        PushArtifactOptions::default(),
    )?;
    let mut sessions = sessions(&[reference.registry()]);
    Ok(host.drive(&mut push, &mut sessions)?.descriptor)
}
