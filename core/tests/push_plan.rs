//! The round trips a push spares (the module docs of `ocikit_core::registry::whole::push`) and
//! the engine's concurrency, counted on the requests a real push makes against a layout served
//! in memory (tests/common): each rule has a test that fails without it.

mod common;

use ocikit_core::layout::layout_host;
use ocikit_core::pack::{File, Pack, Packed};
use ocikit_core::registry::{
    Action, BlobStatus, Concurrency, CopyArtifact, CopyOptions, Input, LARGE_TRANSFER,
    NEW_ARTIFACT_PROBES, Operation, Push, PushArtifactOptions, PushOutcome, Sessions,
};
use ocikit_core::{Error, MediaType, Reference};

use common::{Host, reference, sessions as new_sessions};

const DOCS: &str = "application/vnd.example.docs.v1";

/// An artifact of `count` files of `size` bytes each (`tag` makes their contents distinct from
/// another artifact's).
fn files(tag: &str, count: usize, size: usize) -> Packed {
    let mut pack = Pack::new().artifact_type(MediaType::parse(DOCS).expect("type"));
    for i in 0..count {
        let mut bytes = format!("{tag} {i}\n").into_bytes();
        bytes.resize(size.max(bytes.len()), b'.');
        pack = pack.file(File::from_bytes(format!("f{i}.txt"), bytes));
    }
    pack.build().expect("packs")
}

fn push_op(at: &Reference, packed: &Packed) -> Push {
    Push::new(
        at,
        "application/vnd.oci.image.manifest.v1+json",
        packed.manifest.bytes().to_vec(),
        PushArtifactOptions::default(),
    )
    .expect("push")
}

/// Pushes `packed` to `at` on `sessions` (kept between pushes, as a client keeps its session):
/// the outcome and the requests it sent.
fn push(
    host: &mut Host,
    sessions: &mut Sessions,
    at: &Reference,
    packed: &Packed,
) -> Result<(PushOutcome, Vec<String>), Error> {
    for blob in &packed.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let before = host.log.len();
    let outcome = host.drive(&mut push_op(at, packed), sessions)?;
    Ok((outcome, host.log[before..].to_vec()))
}

fn count(log: &[String], method: &str, path: &str) -> usize {
    log.iter()
        .filter(|l| l.starts_with(&format!("{method} ")) && l.contains(path))
        .count()
}

/// A layout served as distribution 2.8.2 answers uploads: no single-request upload (a `POST
/// ?digest=` opens an upload session, 202), so the request counts of the other rules are those
/// of the common registry.
fn layout() -> (Host, String) {
    let (mut host, layout) = taking();
    host.single_post_refused = true;
    (host, layout)
}

/// A layout served as it answers itself: it takes single-request uploads (201), as Quay and
/// go-containerregistry's registry do.
fn taking() -> (Host, String) {
    let layout = layout_host(1);
    let mut host = Host::default();
    host.add(&layout);
    (host, layout)
}

#[test]
fn blobs_the_session_put_in_the_repository_get_no_request() {
    let (mut host, layout) = layout();
    let mut sessions = new_sessions(&[&layout]);
    let packed = files("a", 3, 10);
    let at = reference(&format!("{layout}/docs:v1"));
    let (_, first) = push(&mut host, &mut sessions, &at, &packed).expect("push");
    assert_eq!(count(&first, "HEAD", "/blobs/"), 4, "{first:?}");
    // Again on the same session: every blob is known, only the manifest goes.
    let (outcome, again) = push(&mut host, &mut sessions, &at, &packed).expect("push");
    assert_eq!(again.len(), 1, "{again:?}");
    assert!(again[0].starts_with("PUT ") && again[0].contains("/manifests/v1"));
    assert!(
        outcome
            .blobs
            .iter()
            .all(|b| b.status == BlobStatus::Existed)
    );
    // A fresh session knows nothing: each blob is checked again.
    let (_, fresh) = push(&mut host, &mut new_sessions(&[&layout]), &at, &packed).expect("push");
    assert_eq!(count(&fresh, "HEAD", "/blobs/"), 4, "{fresh:?}");
}

#[test]
fn a_blob_the_registry_lost_meanwhile_is_checked_and_sent_again() {
    let (mut host, layout) = layout();
    let mut sessions = new_sessions(&[&layout]);
    let packed = files("a", 2, 10);
    let at = reference(&format!("{layout}/docs:v1"));
    push(&mut host, &mut sessions, &at, &packed).expect("push");
    // The layout loses a blob the session saw there (a garbage collection, a delete).
    let lost = &packed.blobs[1].descriptor.digest;
    let path = format!("blobs/{}/{}", lost.algorithm(), lost.encoded());
    host.served
        .get_mut(&layout)
        .expect("layout")
        .files
        .0
        .remove(&path)
        .expect("the blob's file");
    let (outcome, log) = push(&mut host, &mut sessions, &at, &packed).expect("push");
    // The manifest PUT fails with MANIFEST_BLOB_UNKNOWN, every assumed blob is checked, the
    // lost one uploaded, and the manifest goes again.
    assert_eq!(count(&log, "PUT", "/manifests/v1"), 2, "{log:?}");
    assert_eq!(count(&log, "HEAD", "/blobs/"), 3, "{log:?}");
    assert_eq!(count(&log, "PUT", "/blobs/uploads/"), 1, "{log:?}");
    assert!(host.files(&layout).contains_key(&path));
    let statuses: Vec<_> = outcome.blobs.iter().map(|b| b.status).collect();
    assert_eq!(
        statuses,
        [
            BlobStatus::Existed,
            BlobStatus::Uploaded,
            BlobStatus::Existed
        ]
    );
}

#[test]
fn blobs_seen_in_another_repository_are_mounted_without_a_head() {
    let (mut host, layout) = layout();
    let mut sessions = new_sessions(&[&layout]);
    let packed = files("a", 3, 10);
    push(
        &mut host,
        &mut sessions,
        &reference(&format!("{layout}/one:v1")),
        &packed,
    )
    .expect("push");
    let (outcome, log) = push(
        &mut host,
        &mut sessions,
        &reference(&format!("{layout}/two:v1")),
        &packed,
    )
    .expect("push");
    assert_eq!(count(&log, "HEAD", "/blobs/"), 0, "{log:?}");
    assert_eq!(count(&log, "POST", "?mount="), 4, "{log:?}");
    assert!(log.iter().any(|l| l.contains("from=one")), "{log:?}");
    assert!(
        outcome
            .blobs
            .iter()
            .all(|b| b.status == BlobStatus::Mounted)
    );
}

#[test]
fn the_small_layers_of_a_new_artifact_go_without_a_head() {
    let (mut host, layout) = layout();
    let layers = NEW_ARTIFACT_PROBES + 12;
    let packed = files("a", layers, 100);
    let at = reference(&format!("{layout}/docs:v1"));
    let (outcome, log) =
        push(&mut host, &mut new_sessions(&[&layout]), &at, &packed).expect("push");
    // The config and the probes are checked; the other layers are uploaded at once.
    assert_eq!(
        count(&log, "HEAD", "/blobs/"),
        1 + NEW_ARTIFACT_PROBES,
        "{log:?}"
    );
    assert_eq!(count(&log, "POST", "/blobs/uploads/"), 1 + layers);
    assert_eq!(count(&log, "PUT", "/blobs/uploads/"), 1 + layers);
    assert_eq!(log.len(), 1 + NEW_ARTIFACT_PROBES + 2 * (1 + layers) + 1);
    assert!(
        outcome.blobs[1..]
            .iter()
            .all(|b| b.status == BlobStatus::Uploaded)
    );
}

#[test]
fn a_small_layer_sent_unchecked_that_the_repository_had_is_harmless() {
    let (mut host, layout) = layout();
    let layers = NEW_ARTIFACT_PROBES + 4;
    let at = reference(&format!("{layout}/docs:v1"));
    // Another artifact put the last layer there already.
    let packed = files("a", layers, 100);
    let last = packed.blobs.last().expect("layer");
    let mut pack = Pack::new().artifact_type(MediaType::parse(DOCS).expect("type"));
    pack = pack.file(File::from_bytes(
        format!("f{}.txt", layers - 1),
        last.bytes.clone().expect("bytes"),
    ));
    let earlier = pack.build().expect("packs");
    push(&mut host, &mut new_sessions(&[&layout]), &at, &earlier).expect("push");
    let (outcome, log) =
        push(&mut host, &mut new_sessions(&[&layout]), &at, &packed).expect("push");
    // Uploaded again, unchecked, and accepted: the artifact is whole.
    let digest = last.descriptor.digest.to_string();
    assert_eq!(count(&log, "HEAD", &digest), 0, "{log:?}");
    assert_eq!(
        count(&log, "PUT", &digest.replace(':', "%3A")),
        1,
        "{log:?}"
    );
    assert_eq!(
        outcome.blobs.last().expect("blob").status,
        BlobStatus::Uploaded
    );
}

#[test]
fn one_probe_that_finds_its_layer_has_every_layer_checked() {
    let (mut host, layout) = layout();
    let layers = NEW_ARTIFACT_PROBES + 4;
    let at = reference(&format!("{layout}/docs:v1"));
    let packed = files("a", layers, 100);
    let first = &packed.blobs[1];
    let earlier = Pack::new()
        .artifact_type(MediaType::parse(DOCS).expect("type"))
        .file(File::from_bytes(
            "f0.txt",
            first.bytes.clone().expect("bytes"),
        ))
        .build()
        .expect("packs");
    push(&mut host, &mut new_sessions(&[&layout]), &at, &earlier).expect("push");
    let (_, log) = push(&mut host, &mut new_sessions(&[&layout]), &at, &packed).expect("push");
    assert_eq!(count(&log, "HEAD", "/blobs/"), 1 + layers, "{log:?}");
    // The config and the first layer were there.
    assert_eq!(count(&log, "PUT", "/blobs/uploads/"), layers - 1, "{log:?}");
}

/// Drives `op`, answering the oldest request once the engine waits: the most requests it had
/// out at once, and the most of them moving `LARGE_TRANSFER` bytes or more.
fn most_in_flight(host: &mut Host, op: &mut Push, sessions: &mut Sessions) -> (usize, usize) {
    let mut queue = Vec::new();
    let (mut most, mut most_large) = (0, 0);
    loop {
        match op.poll(sessions, 0).expect("poll") {
            Action::Send {
                task,
                request,
                blob,
                ..
            } => queue.push((task, request, blob)),
            Action::Wait { task, .. } => op.provide(task, Input::Resume).expect("resume"),
            Action::Pending => {
                most = most.max(queue.len());
                let large = queue
                    .iter()
                    .filter(|(_, r, _)| {
                        matches!(r.body, ocikit_core::registry::Body::Blob { length, .. } if length >= LARGE_TRANSFER)
                    })
                    .count();
                most_large = most_large.max(large);
                let (task, request, blob) = queue.remove(0);
                let response = host.send(&request, blob.as_ref()).expect("send");
                op.provide(task, Input::Response(response))
                    .expect("provide");
            }
            Action::Done(_) => return (most, most_large),
        }
    }
}

#[test]
fn the_engine_has_32_requests_out_at_once_4_of_them_large() {
    let concurrency = Concurrency::default();
    assert_eq!((concurrency.requests, concurrency.large), (32, 4));
    assert_eq!(concurrency.transfers(LARGE_TRANSFER), 4);
    assert_eq!(concurrency.transfers(4096), 32);
    let (mut host, layout) = layout();
    let at = reference(&format!("{layout}/docs:v1"));
    let small = files("s", 60, 100);
    for blob in &small.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let (most, _) = most_in_flight(
        &mut host,
        &mut push_op(&at, &small),
        &mut new_sessions(&[&layout]),
    );
    assert_eq!(most, 32);
    let large = files("l", 6, LARGE_TRANSFER as usize);
    for blob in &large.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let (most, most_large) = most_in_flight(
        &mut host,
        &mut push_op(&at, &large),
        &mut new_sessions(&[&layout]),
    );
    assert_eq!(most_large, 4);
    assert!(most <= 32);
}

/// A copy of a collection (an index of two artifacts) between two layouts, whose upload of
/// `held`'s bytes is answered only when nothing else is left: the requests in the order sent.
fn copy_holding(held: &ocikit_core::Digest) -> Vec<String> {
    let (mut host, from) = layout();
    let to = layout_host(2);
    host.add(&to);
    let one = files("one", 1, 10);
    let two = files("two", 1, 10);
    for packed in [&one, &two] {
        let at = reference(&format!("{from}/c@{}", packed.manifest.digest()));
        push(&mut host, &mut new_sessions(&[&from]), &at, packed).expect("push");
    }
    let index = ocikit_core::pack::index(
        vec![
            one.manifest.descriptor().clone(),
            two.manifest.descriptor().clone(),
        ],
        Some(MediaType::parse("application/vnd.example.bundle.v1").expect("type")),
        Default::default(),
        None,
    )
    .expect("index");
    let mut put = Push::new(
        &reference(&format!("{from}/c:all")),
        "application/vnd.oci.image.index.v1+json",
        index.bytes().to_vec(),
        PushArtifactOptions::default(),
    )
    .expect("push");
    host.drive(&mut put, &mut new_sessions(&[&from]))
        .expect("index");
    let mut copy = CopyArtifact::new(
        &reference(&format!("{from}/c:all")),
        &reference(&format!("{to}/c:all")),
        CopyOptions::default(),
    )
    .expect("copy");
    let mut sessions = new_sessions(&[&from, &to]);
    let before = host.log.len();
    let mut queue = Vec::new();
    loop {
        match copy.poll(&mut sessions, 0).expect("poll") {
            Action::Send {
                task,
                request,
                blob,
                ..
            } => queue.push((task, request, blob)),
            Action::Wait { task, .. } => copy.provide(task, Input::Resume).expect("resume"),
            Action::Pending => {
                let holds = |r: &ocikit_core::registry::Request| {
                    r.url.contains(&to)
                        && r.url.contains("/blobs/uploads/")
                        && r.url.contains(&held.encoded().to_string())
                };
                let next = queue.iter().position(|(_, r, _)| !holds(r)).unwrap_or(0);
                let (task, request, blob) = queue.remove(next);
                let response = host.send(&request, blob.as_ref()).expect("send");
                copy.provide(task, Input::Response(response))
                    .expect("provide");
            }
            Action::Done(_) => break,
        }
    }
    host.log[before..].to_vec()
}

#[test]
fn a_collection_s_manifest_goes_as_soon_as_its_blobs_are_in() {
    // Hold artifact two's file: artifact one's manifest is written while it is still on its
    // way, and two's right after it.
    let two = files("two", 1, 10);
    let held = two.blobs[1].descriptor.digest.clone();
    let log = copy_holding(&held);
    let to = layout_host(2);
    let upload = log
        .iter()
        .position(|l| l.starts_with("PUT ") && l.contains(&to) && l.contains(held.encoded()))
        .expect("the held upload");
    let one = files("one", 1, 10);
    let one_put = log
        .iter()
        .position(|l| {
            l.starts_with("PUT ")
                && l.contains(&to)
                && l.contains(&one.manifest.digest().to_string())
        })
        .expect("one's manifest");
    assert!(one_put < upload, "{log:#?}");
    let index_put = log
        .iter()
        .position(|l| l.starts_with("PUT ") && l.contains(&to) && l.contains("/manifests/all"))
        .expect("the index");
    assert!(index_put > upload, "children first: {log:#?}");
}

/// Drives `op` as a host on a path of `round_trip` ms would: each answer is provided, and the
/// next poll made, `round_trip` ms after its request was handed out (the oldest first). The
/// most large transfers the engine had out at once.
fn most_large_at(
    host: &mut Host,
    op: &mut Push,
    sessions: &mut Sessions,
    round_trip: u64,
) -> usize {
    let mut queue = Vec::new();
    let (mut now, mut most_large) = (0, 0);
    loop {
        match op.poll(sessions, now).expect("poll") {
            Action::Send {
                task,
                request,
                blob,
                ..
            } => queue.push((task, request, blob, now)),
            Action::Wait { task, .. } => op.provide(task, Input::Resume).expect("resume"),
            Action::Pending => {
                let large = queue
                    .iter()
                    .filter(|(_, r, _, _)| {
                        matches!(r.body, ocikit_core::registry::Body::Blob { length, .. } if length >= LARGE_TRANSFER)
                    })
                    .count();
                most_large = most_large.max(large);
                let (task, request, blob, sent) = queue.remove(0);
                now = now.max(sent + round_trip);
                let response = host.send(&request, blob.as_ref()).expect("send");
                op.provide(task, Input::Response(response))
                    .expect("provide");
            }
            Action::Done(_) => return most_large,
        }
    }
}

#[test]
fn a_long_round_trip_has_8_large_transfers_out_at_once_a_short_one_4() {
    assert_eq!(Concurrency::for_round_trip(None).large, 4);
    assert_eq!(Concurrency::for_round_trip(Some(49)).large, 4);
    assert_eq!(Concurrency::for_round_trip(Some(50)).large, 8);
    assert_eq!(Concurrency::for_round_trip(Some(80)).requests, 32);
    let (mut host, layout) = layout();
    let large = files("l", 10, LARGE_TRANSFER as usize);
    for blob in &large.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    // "far" (80 ms a round trip): the checks before the uploads measure it.
    let mut sessions = new_sessions(&[&layout]);
    let at = reference(&format!("{layout}/far:v1"));
    let most = most_large_at(&mut host, &mut push_op(&at, &large), &mut sessions, 80);
    assert_eq!(most, 8);
    let session = sessions.get(&layout).expect("session");
    assert_eq!(session.round_trip_ms(), Some(80));
    assert_eq!(session.concurrency().large, 8);
    // "region" (20 ms): 4, as on loopback (another registry: nothing to mount).
    let (mut host, layout) = self::layout();
    for blob in &large.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let mut sessions = new_sessions(&[&layout]);
    let at = reference(&format!("{layout}/region:v1"));
    let most = most_large_at(&mut host, &mut push_op(&at, &large), &mut sessions, 20);
    assert_eq!(most, 4);
    let session = sessions.get(&layout).expect("session");
    assert_eq!(session.round_trip_ms(), Some(20));
}

/// Pushes `packed` to `at`, answering every mount with `refusal` as a registry that refuses
/// them does: the requests sent. Each request is answered as soon as it is handed out, or,
/// with `waves`, only once the engine has handed out all it may (the oldest first), as a host
/// with every request in flight at once.
fn push_refusing_mounts(
    host: &mut Host,
    sessions: &mut Sessions,
    at: &Reference,
    packed: &Packed,
    refusal: u16,
    waves: bool,
) -> Vec<String> {
    let mut op = push_op(at, packed);
    let mut log = Vec::new();
    let mut queue = Vec::new();
    loop {
        match op.poll(sessions, 0).expect("poll") {
            Action::Send {
                task,
                request,
                blob,
                ..
            } => {
                log.push(format!("{} {}", request.method, request.url));
                queue.push((task, request, blob));
                if waves {
                    continue;
                }
            }
            Action::Wait { task, .. } => {
                op.provide(task, Input::Resume).expect("resume");
                continue;
            }
            Action::Pending => {}
            Action::Done(outcome) => {
                assert!(
                    outcome
                        .blobs
                        .iter()
                        .all(|b| b.status != BlobStatus::Mounted)
                );
                return log;
            }
        }
        let (task, request, blob) = queue.remove(0);
        let response = if request.url.contains("mount=") {
            ocikit_core::registry::Response {
                status: refusal,
                headers: Vec::new(),
                body: Vec::new(),
                streamed: None,
            }
        } else {
            host.send(&request, blob.as_ref()).expect("send")
        };
        op.provide(task, Input::Response(response))
            .expect("provide");
    }
}

#[test]
fn a_registry_that_refused_a_mount_is_not_asked_again_in_the_session() {
    for refusal in [401, 403, 404, 405] {
        let (mut host, layout) = layout();
        let mut sessions = new_sessions(&[&layout]);
        let packed = files("a", 6, 10);
        push(
            &mut host,
            &mut sessions,
            &reference(&format!("{layout}/one:v1")),
            &packed,
        )
        .expect("push");
        // Seven blobs seen in "one": the first mount is refused (and falls back to a plain
        // upload session); the six others, planned as mounts too, get plain upload sessions
        // (they used to be tried and refused one by one).
        let log = push_refusing_mounts(
            &mut host,
            &mut sessions,
            &reference(&format!("{layout}/two:v1")),
            &packed,
            refusal,
            false,
        );
        assert_eq!(count(&log, "POST", "mount="), 1, "{refusal}: {log:?}");
        assert_eq!(
            count(&log, "POST", "/blobs/uploads/"),
            8,
            "{refusal}: {log:?}"
        );
        // The next push of the session tries no mount (it used to try seven again, from "one"
        // or "two"): each blob is checked (a layout holds every blob of its repositories).
        let log = push_refusing_mounts(
            &mut host,
            &mut sessions,
            &reference(&format!("{layout}/three:v1")),
            &packed,
            refusal,
            false,
        );
        assert_eq!(count(&log, "POST", "mount="), 0, "{refusal}: {log:?}");
        assert_eq!(count(&log, "HEAD", "/blobs/"), 7, "{refusal}: {log:?}");
        assert!(!sessions.get(&layout).expect("session").mounts_allowed());
    }
}

#[test]
fn mounts_planned_behind_the_first_wave_go_as_plain_uploads_after_a_refusal() {
    let (mut host, layout) = layout();
    let mut sessions = new_sessions(&[&layout]);
    let packed = files("a", 40, 10);
    push(
        &mut host,
        &mut sessions,
        &reference(&format!("{layout}/one:v1")),
        &packed,
    )
    .expect("push");
    // 41 blobs to mount: the 32 the engine hands out at once are mounts (each refused, each
    // then a plain upload session); the 9 planned behind them go as plain upload sessions
    // once the first refusal is in (they used to be 9 more refused mounts).
    let log = push_refusing_mounts(
        &mut host,
        &mut sessions,
        &reference(&format!("{layout}/two:v1")),
        &packed,
        403,
        true,
    );
    assert_eq!(count(&log, "POST", "mount="), 32, "{log:?}");
    assert_eq!(count(&log, "POST", "/blobs/uploads/"), 32 + 41, "{log:?}");
}

/// The single-request uploads of `log` (`POST …/blobs/uploads/?digest=`).
fn single_posts(log: &[String]) -> usize {
    count(log, "POST", "/blobs/uploads/?digest=")
}

#[test]
fn uploads_go_in_one_request_where_the_registry_takes_them() {
    // Ten blobs (the config and nine layers) of a first push, then ten new layers of a second
    // push on the same session, to a registry that takes single-request uploads and to one
    // that does not (distribution 2.8.2).
    let mut totals = Vec::new();
    for taken in [true, false] {
        let (mut host, layout) = if taken { taking() } else { layout() };
        let mut sessions = new_sessions(&[&layout]);
        let at = reference(&format!("{layout}/docs:v1"));
        let (_, first) = push(&mut host, &mut sessions, &at, &files("a", 9, 100)).expect("push");
        // One probe, with the first blob to upload: the other uploads were handed out before
        // its answer, the usual way (no other body goes twice).
        assert_eq!(single_posts(&first), 1, "{first:?}");
        let session = sessions.get(&layout).expect("session");
        assert_eq!(session.single_post(), Some(taken));
        // Ten new layers (the empty config is known in the repository).
        let (outcome, second) =
            push(&mut host, &mut sessions, &at, &files("b", 10, 100)).expect("push");
        assert!(
            outcome.blobs[1..]
                .iter()
                .all(|b| b.status == BlobStatus::Uploaded)
        );
        let uploads = count(&second, "PUT", "/blobs/uploads/");
        if taken {
            // Each blob in one POST: ten requests fewer than POST and PUT.
            assert_eq!(single_posts(&second), 10, "{second:?}");
            assert_eq!(uploads, 0, "{second:?}");
        } else {
            // Never probed again: POST and PUT for each blob.
            assert_eq!(single_posts(&second), 0, "{second:?}");
            assert_eq!(count(&second, "POST", "/blobs/uploads/"), 10, "{second:?}");
            assert_eq!(uploads, 10, "{second:?}");
        }
        // Whichever way, the artifact is whole in the layout.
        let index = host.index(&layout);
        assert!(!index.manifests().is_empty());
        totals.push((first.len(), second.len()));
    }
    // The probe costs no request where it is refused: 9 HEAD, 10 POST (one the probe), 10 PUT
    // (one into the probe's upload session), the manifest: as before. The second one to the taking
    // registry has ten requests fewer: 8 HEAD (the new artifact's probes), 10 POST and the
    // manifest, against 8 HEAD, 10 POST, 10 PUT and the manifest.
    assert_eq!(totals[1].0, 30, "{totals:?}");
    assert_eq!(totals[0].0, 29, "{totals:?}"); // the probe was taken: no PUT for its blob
    assert_eq!((totals[0].1, totals[1].1), (19, 29), "{totals:?}");
}

/// Pushes `packed`, answering the oldest request once the engine waits: each request handed
/// out (`METHOD url`) with the blob bytes it carries, and `answered METHOD url` when its answer
/// is provided.
fn push_logging_bodies(
    host: &mut Host,
    sessions: &mut Sessions,
    at: &Reference,
    packed: &Packed,
) -> Vec<(String, u64)> {
    for blob in &packed.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let mut op = push_op(at, packed);
    let mut sent = Vec::new();
    let mut queue = Vec::new();
    loop {
        match op.poll(sessions, 0).expect("poll") {
            Action::Send {
                task,
                request,
                blob,
                ..
            } => {
                let length = match request.body {
                    ocikit_core::registry::Body::Blob { length, .. } => length,
                    _ => 0,
                };
                sent.push((format!("{} {}", request.method, request.url), length));
                queue.push((task, request, blob));
            }
            Action::Wait { task, .. } => op.provide(task, Input::Resume).expect("resume"),
            Action::Pending => {
                let (task, request, blob) = queue.remove(0);
                sent.push((format!("answered {} {}", request.method, request.url), 0));
                let response = host.send(&request, blob.as_ref()).expect("send");
                op.provide(task, Input::Response(response))
                    .expect("provide");
            }
            Action::Done(_) => return sent,
        }
    }
}

#[test]
fn a_refusing_registry_is_probed_once_with_a_small_blob_whose_upload_goes_on() {
    use ocikit_core::registry::SINGLE_POST_PROBE_MAX;
    let (mut host, layout) = layout();
    let mut sessions = new_sessions(&[&layout]);
    // Large layers and a small config: only the config may probe.
    let large = files("l", 3, SINGLE_POST_PROBE_MAX as usize + 1);
    let at = reference(&format!("{layout}/docs:v1"));
    let sent = push_logging_bodies(&mut host, &mut sessions, &at, &large);
    let probes: Vec<_> = sent
        .iter()
        .filter(|(r, _)| r.contains("?digest=") && r.starts_with("POST "))
        .collect();
    assert_eq!(probes.len(), 1, "{sent:#?}");
    let config = &large.blobs[0].descriptor;
    assert!(
        probes[0]
            .0
            .contains(&config.digest.to_string().replace(':', "%3A"))
    );
    assert_eq!(probes[0].1, config.size);
    assert!(config.size <= SINGLE_POST_PROBE_MAX);
    // Refused with an upload session (202): the config goes on with its PUT into that session,
    // no other POST. The bytes sent twice are the probe's, once.
    let posts = sent.iter().filter(|(r, _)| r.starts_with("POST ")).count();
    assert_eq!(posts, 4, "{sent:#?}");
    let body_bytes: u64 = sent.iter().map(|(_, l)| l).sum();
    let blob_bytes: u64 = large.blobs.iter().map(|b| b.descriptor.size).sum();
    assert_eq!(body_bytes, blob_bytes + config.size);
    assert_eq!(
        sessions.get(&layout).expect("session").single_post(),
        Some(false)
    );
    // Later pushes of the session never probe again.
    let sent = push_logging_bodies(&mut host, &mut sessions, &at, &files("s", 12, 100));
    assert!(
        !sent
            .iter()
            .any(|(r, _)| r.contains("?digest=") && r.starts_with("POST ")),
        "{sent:#?}"
    );
    // (The empty config is known in the repository: only the layers go.)
    let body_bytes: u64 = sent.iter().map(|(_, l)| l).sum();
    let layers = files("s", 12, 100);
    let layer_bytes: u64 = layers.blobs[1..].iter().map(|b| b.descriptor.size).sum();
    assert_eq!(body_bytes, layer_bytes);
}

#[test]
fn large_blobs_never_probe_but_go_in_one_request_once_the_registry_took_one() {
    use ocikit_core::registry::SINGLE_POST_PROBE_MAX;
    let (mut host, layout) = taking();
    let mut sessions = new_sessions(&[&layout]);
    let at = reference(&format!("{layout}/docs:v1"));
    // Not known yet: the small config probes, the large layers (handed out before its answer)
    // go the usual way.
    let large = files("l", 2, LARGE_TRANSFER as usize);
    let sent = push_logging_bodies(&mut host, &mut sessions, &at, &large);
    let singles: Vec<_> = sent
        .iter()
        .filter(|(r, _)| r.contains("?digest=") && r.starts_with("POST "))
        .collect();
    assert_eq!(singles.len(), 1, "{sent:#?}");
    assert!(singles[0].1 <= SINGLE_POST_PROBE_MAX);
    // Taken: the next large blobs each go in one POST with their bytes (the empty config is
    // known in the repository).
    let more = files("m", 2, LARGE_TRANSFER as usize);
    let sent = push_logging_bodies(&mut host, &mut sessions, &at, &more);
    let singles: Vec<_> = sent
        .iter()
        .filter(|(r, _)| r.contains("?digest=") && r.starts_with("POST "))
        .collect();
    assert_eq!(singles.len(), 2, "{sent:#?}");
    assert!(singles.iter().filter(|(_, l)| *l == LARGE_TRANSFER).count() == 2);
    assert_eq!(
        count(
            &sent.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
            "PUT",
            "/blobs/uploads/"
        ),
        0
    );
}

#[test]
fn uploads_waiting_for_their_turn_go_in_one_request_once_the_probe_is_taken() {
    // 60 small layers of a new artifact: after the probes (HEAD), the 60 uploads are planned at
    // once, 32 go out; one probes. Once it is taken, the plain upload sessions still waiting
    // for their turn go as single requests instead (the engine starts them over).
    let (mut host, layout) = taking();
    let mut sessions = new_sessions(&[&layout]);
    let packed = files("a", 60, 100);
    let at = reference(&format!("{layout}/docs:v1"));
    let sent = push_logging_bodies(&mut host, &mut sessions, &at, &packed);
    let log: Vec<String> = sent.iter().map(|(r, _)| r.clone()).collect();
    let singles = single_posts(&log);
    let plain = count(&log, "PUT", "/blobs/uploads/");
    assert_eq!(singles + plain, 61, "{log:#?}");
    assert!(singles > 20, "{singles} single POSTs: {log:#?}");
    // One probe at a time: no other single POST is handed out before the probe is answered.
    let answered = sent
        .iter()
        .position(|(r, _)| r.starts_with("answered POST ") && r.contains("?digest="))
        .expect("the probe answered");
    let before = sent[..answered]
        .iter()
        .filter(|(r, _)| r.starts_with("POST ") && r.contains("?digest="))
        .count();
    assert_eq!(before, 1, "{sent:#?}");
}

#[test]
fn a_dry_run_plans_one_request_per_upload_where_the_session_knows_the_registry_takes_it() {
    let (_, layout) = taking();
    let packed = files("a", 2, 100);
    let at = reference(&format!("{layout}/docs:v1"));
    let plan = |single: Option<bool>| {
        let mut sessions = new_sessions(&[&layout]);
        if let Some(taken) = single {
            sessions
                .get_mut(&layout)
                .expect("session")
                .set_single_post(taken);
        }
        let mut op = Push::new(
            &at,
            "application/vnd.oci.image.manifest.v1+json",
            packed.manifest.bytes().to_vec(),
            PushArtifactOptions {
                dry_run: true,
                ..PushArtifactOptions::default()
            },
        )
        .expect("push");
        let Action::Done(outcome) = op.poll(&mut sessions, 0).expect("poll") else {
            panic!("a dry run ends at once");
        };
        outcome
            .planned
            .iter()
            .map(|p| format!("{} {}", p.method, p.url))
            .collect::<Vec<_>>()
    };
    let taken = plan(Some(true));
    assert_eq!(
        count(&taken, "POST", "/blobs/uploads/?digest="),
        3,
        "{taken:#?}"
    );
    assert_eq!(count(&taken, "PUT", "/blobs/uploads/"), 0, "{taken:#?}");
    for unknown_or_refused in [None, Some(false)] {
        let usual = plan(unknown_or_refused);
        assert_eq!(count(&usual, "PUT", "/blobs/uploads/"), 3, "{usual:#?}");
        assert_eq!(taken.len() + 3, usual.len());
    }
}

/// Pushes `packed` on `sessions` at `now`, answering the oldest request once the engine waits,
/// or, with `drop_at_probe`, drops the push as soon as it hands out a single POST (the host
/// gave up on the operation): the requests handed out.
fn push_at(
    host: &mut Host,
    sessions: &mut Sessions,
    at: &Reference,
    packed: &Packed,
    now: u64,
    drop_at_probe: bool,
) -> Vec<String> {
    for blob in &packed.blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let mut op = push_op(at, packed);
    let mut sent = Vec::new();
    let mut queue = Vec::new();
    loop {
        match op.poll(sessions, now).expect("poll") {
            Action::Send {
                task,
                request,
                blob,
                ..
            } => {
                let line = format!("{} {}", request.method, request.url);
                let single = line.starts_with("POST ") && line.contains("?digest=");
                sent.push(line);
                if single && drop_at_probe {
                    return sent;
                }
                queue.push((task, request, blob));
            }
            Action::Wait { task, .. } => op.provide(task, Input::Resume).expect("resume"),
            Action::Pending => {
                let (task, request, blob) = queue.remove(0);
                let response = host.send(&request, blob.as_ref()).expect("send");
                op.provide(task, Input::Response(response))
                    .expect("provide");
            }
            Action::Done(_) => return sent,
        }
    }
}

#[test]
fn a_probe_whose_push_was_dropped_holds_off_other_probes_for_a_minute_only() {
    let (mut host, layout) = taking();
    let mut sessions = new_sessions(&[&layout]);
    let at = reference(&format!("{layout}/docs:v1"));
    let sent = push_at(&mut host, &mut sessions, &at, &files("a", 2, 100), 0, true);
    assert_eq!(single_posts(&sent), 1, "{sent:#?}");
    // The answer never comes: within the minute another push does not probe (the probe may
    // still be on its way), and its uploads go the usual way.
    let sent = push_at(
        &mut host,
        &mut sessions,
        &at,
        &files("b", 2, 100),
        59_999,
        false,
    );
    assert_eq!(single_posts(&sent), 0, "{sent:#?}");
    assert_eq!(sessions.get(&layout).expect("session").single_post(), None);
    // A minute on, the probe is taken for abandoned: the next push probes, and learns.
    let sent = push_at(
        &mut host,
        &mut sessions,
        &at,
        &files("c", 2, 100),
        60_000,
        false,
    );
    assert_eq!(single_posts(&sent), 1, "{sent:#?}");
    assert_eq!(
        sessions.get(&layout).expect("session").single_post(),
        Some(true)
    );
}

#[test]
fn chunked_uploads_and_mounts_keep_their_own_requests_where_single_posts_are_taken() {
    use ocikit_core::registry::{Event, PushBlob, PushOptions, Response, Session};
    let mut session = Session::new("registry.example", false, None);
    session.set_single_post(true);
    let at = reference("registry.example/docs");
    let packed = files("a", 1, 100);
    let descriptor = &packed.blobs[1].descriptor;
    let not_found = || {
        Input::Response(Response {
            status: 404,
            headers: Vec::new(),
            body: Vec::new(),
            streamed: None,
        })
    };
    let first_upload_request = |options: PushOptions, session: &mut Session| {
        let mut push = PushBlob::with_options(session, &at, descriptor, options);
        let Ok(Event::Send(head)) = push.next(session, Input::Start, 0) else {
            panic!("a HEAD first");
        };
        assert_eq!(head.method.as_str(), "HEAD");
        let Ok(Event::Send(request)) = push.next(session, not_found(), 0) else {
            panic!("an upload request");
        };
        (request.method.as_str().to_owned(), request.url)
    };
    // Whole: one POST with the bytes.
    let (method, url) = first_upload_request(PushOptions::default(), &mut session);
    assert_eq!(method, "POST");
    assert!(url.contains("/blobs/uploads/?digest="), "{url}");
    // Chunks asked for: an upload session for the PATCHes, as before.
    let chunked = PushOptions {
        chunk_size: Some(32),
        ..PushOptions::default()
    };
    let (method, url) = first_upload_request(chunked, &mut session);
    assert_eq!(method, "POST");
    assert!(url.ends_with("/blobs/uploads/"), "{url}");
    // A mount: no body, as before.
    let mount = PushOptions {
        mount_from: Some("base".to_owned()),
        ..PushOptions::default()
    };
    let (_, url) = first_upload_request(mount, &mut session);
    assert!(url.contains("?mount=") && !url.contains("digest="), "{url}");
}
