//! A copy within one registry mounts each blob from the source repository; the host has no
//! bytes of them. When the registry does not take a mount — it refuses it (404: mounts off),
//! or opens an upload session instead (202) — the blob is downloaded from the source, then
//! uploaded ([`PushOptions::mount_only`](ocikit_core::registry::PushOptions::mount_only)).
//! Before, the engine went on with a plain upload of bytes the host never had: Python's host
//! failed with a `KeyError`, JS's with `BLOB_UNKNOWN`.

mod common;

use ocikit_core::MediaType;
use ocikit_core::layout::layout_host;
use ocikit_core::pack::{File, Pack, Packed};
use ocikit_core::registry::{BlobStatus, CopyArtifact, CopyOptions, Push, PushArtifactOptions};

use common::{Host, reference, sessions};

/// Copies `packed`, pushed to `src` first, to `dst` of the same registry, with mounts answered
/// `mount_answer` (`None`: mounted) and a host holding none of the bytes (an upload from its
/// spool would panic): the requests of the copy, and each blob's status.
fn copied(packed: &Packed, mount_answer: Option<u16>) -> (Vec<String>, Vec<BlobStatus>) {
    let registry = layout_host(1);
    let mut host = Host::default();
    host.add(&registry);
    for blob in &packed.blobs {
        let bytes = blob.bytes.clone().expect("bytes");
        host.spool.insert(blob.descriptor.digest.clone(), bytes);
    }
    let mut push = Push::new(
        &reference(&format!("{registry}/src:v1")),
        "application/vnd.oci.image.manifest.v1+json",
        packed.manifest.bytes().to_vec(),
        PushArtifactOptions::default(),
    )
    .expect("push");
    host.drive(&mut push, &mut sessions(&[&registry]))
        .expect("pushed");
    host.spool.clear();
    host.mount_answer = mount_answer;
    // A layout has one store of blobs: `dst` is made to lack them.
    host.blobs_missing_in = Some("dst".to_owned());
    let before = host.log.len();
    let mut copy = CopyArtifact::new(
        &reference(&format!("{registry}/src:v1")),
        &reference(&format!("{registry}/dst:v1")),
        CopyOptions::default(),
    )
    .expect("copy");
    let outcome = host
        .drive(&mut copy, &mut sessions(&[&registry]))
        .expect("copied");
    // Every blob the layout holds is the source's, byte for byte.
    for blob in &packed.blobs {
        let digest = &blob.descriptor.digest;
        let path = format!("blobs/{}/{}", digest.algorithm(), digest.encoded());
        assert_eq!(
            host.files(&registry).get(&path),
            blob.bytes.as_ref(),
            "{path}"
        );
    }
    let statuses = outcome.blobs.iter().map(|b| b.status).collect();
    (host.log[before..].to_vec(), statuses)
}

fn two_files() -> Packed {
    Pack::new()
        .artifact_type(MediaType::parse("application/vnd.example.docs.v1").expect("type"))
        .file(File::from_bytes("a.txt", b"first".to_vec()))
        .file(File::from_bytes("b.txt", b"second".to_vec()))
        .build()
        .expect("packs")
}

fn count(log: &[String], method: &str, part: &str) -> usize {
    log.iter()
        .filter(|l| l.starts_with(&format!("{method} ")) && l.contains(part))
        .count()
}

/// Uploads into `dst`: closing PUTs, and single-request uploads (`POST ?digest=`) where the
/// layout server takes them.
fn uploads(log: &[String]) -> usize {
    count(log, "PUT", "/v2/dst/blobs/uploads/")
        + count(log, "POST", "/v2/dst/blobs/uploads/?digest=")
}

#[test]
fn a_refused_mount_downloads_the_blob_then_uploads_it() {
    let (log, statuses) = copied(&two_files(), Some(404));
    assert!(
        statuses.iter().all(|s| *s == BlobStatus::Uploaded),
        "{statuses:?}"
    );
    assert!(count(&log, "POST", "mount=") >= 1, "{log:#?}");
    assert_eq!(count(&log, "GET", "/v2/src/blobs/"), 3, "{log:#?}");
    assert_eq!(uploads(&log), 3, "{log:#?}");
    assert_eq!(count(&log, "PUT", "/v2/dst/manifests/v1"), 1, "{log:#?}");
}

#[test]
fn a_mount_answered_with_an_upload_session_downloads_the_blob_then_uploads_it() {
    let (log, statuses) = copied(&two_files(), Some(202));
    assert!(
        statuses.iter().all(|s| *s == BlobStatus::Uploaded),
        "{statuses:?}"
    );
    assert_eq!(count(&log, "POST", "mount="), 3, "{log:#?}");
    assert_eq!(count(&log, "GET", "/v2/src/blobs/"), 3, "{log:#?}");
    assert_eq!(uploads(&log), 3, "{log:#?}");
}

#[test]
fn a_mount_taken_moves_no_bytes() {
    let (log, statuses) = copied(&two_files(), None);
    assert!(
        statuses.iter().all(|s| *s == BlobStatus::Mounted),
        "{statuses:?}"
    );
    assert_eq!(count(&log, "GET", "/blobs/"), 0, "{log:#?}");
    assert_eq!(uploads(&log), 0, "{log:#?}");
}
