//! Directory archives: the reproducibility vectors of `tests/vectors/archive/trees.json`
//! (the same digests Python and JS must get), round trips through the unpacker, and the
//! hostile archives of `tests/vectors/archive/hostile.json`, each ending in its code.

use std::path::PathBuf;

use ocikit_core::archive::{
    self, DirectoryPacker, EntryData, EntryKind, Mtimes, PackOptions, TreeEntry, UnpackEvent,
    UnpackLimits, Unpacker,
};
use ocikit_core::{Digest, Error};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/archive")
}

fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn content(entry: &Value) -> Vec<u8> {
    if let Some(text) = entry["content"].as_str() {
        return text.as_bytes().to_vec();
    }
    let repeat = &entry["repeat"];
    let text = repeat["text"].as_str().expect("repeat.text");
    let times = repeat["times"].as_u64().expect("repeat.times");
    text.repeat(usize::try_from(times).expect("times"))
        .into_bytes()
}

fn tree_entries(case: &Value) -> Vec<(TreeEntry, Vec<u8>)> {
    case["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let data = if e["kind"] == "file" {
                content(e)
            } else {
                Vec::new()
            };
            let kind = match e["kind"].as_str().expect("kind") {
                "file" => EntryKind::File {
                    size: data.len() as u64,
                },
                "directory" => EntryKind::Directory,
                "symlink" => EntryKind::Symlink {
                    target: e["target"].as_str().expect("target").to_owned(),
                },
                other => panic!("kind {other}"),
            };
            let entry = TreeEntry {
                path: e["path"].as_str().expect("path").to_owned(),
                kind,
                mode: u32::try_from(e["mode"].as_u64().expect("mode")).expect("mode"),
                mtime: e["mtime"].as_u64().expect("mtime"),
            };
            (entry, data)
        })
        .collect()
}

fn options(case: &Value) -> PackOptions {
    let o = &case["options"];
    PackOptions {
        mtimes: match &o["mtimes"] {
            Value::String(s) if s == "real" => Mtimes::Real,
            v => Mtimes::Fixed(v.as_u64().unwrap_or(0)),
        },
        keep_modes: o["keepModes"].as_bool().unwrap_or(false),
    }
}

/// Packs a case, giving each file's bytes in pieces of `piece` bytes.
fn pack(case: &Value, piece: usize) -> Result<(Vec<u8>, archive::PackedDirectory), Error> {
    let listed = tree_entries(case);
    let mut packer = DirectoryPacker::new(
        case["directory"].as_str().expect("directory"),
        listed.iter().map(|(e, _)| e.clone()).collect(),
        options(case),
    )?;
    let mut out = Vec::new();
    while let Some(file) = packer.next_file()? {
        let (_, data) = listed
            .iter()
            .find(|(e, _)| e.path == file.path)
            .expect("a listed file");
        for chunk in data.chunks(piece) {
            packer.write(chunk)?;
            out.extend(packer.take_output());
        }
    }
    let packed = packer.finish()?;
    out.extend_from_slice(&packed.output);
    Ok((out, packed))
}

/// Unpacks `layer` fed in pieces, returning the events (data joined per file) or the error.
fn unpack(
    layer: &[u8],
    title: &str,
    digest: Option<Digest>,
    limits: UnpackLimits,
    piece: usize,
) -> Result<Vec<UnpackEvent>, Error> {
    let mut unpacker = Unpacker::new(title, digest, limits)?;
    let mut events = Vec::new();
    for chunk in layer.chunks(piece) {
        events.extend(unpacker.feed(chunk)?);
    }
    events.extend(unpacker.finish()?);
    // Errors are sticky, and the unpacker ends once.
    assert!(unpacker.finish().is_err());
    Ok(events)
}

#[test]
fn trees_give_the_vector_bytes_in_any_pieces() {
    let doc = load("trees.json");
    let mut wrong = Vec::new();
    for case in doc["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let (bytes, packed) = pack(case, 7).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (again, _) = pack(case, 1 << 20).expect("packs");
        assert_eq!(
            bytes, again,
            "{name}: the pieces the host gives change nothing"
        );
        let gzip = ocikit_core::digest::sha256(&bytes);
        assert_eq!(packed.descriptor.digest, gzip, "{name}");
        assert_eq!(packed.descriptor.size, bytes.len() as u64, "{name}");
        let actual = serde_json::json!({
            "tar": {"digest": packed.content_digest.to_string(), "size": packed.content_size},
            "gzip": {"digest": gzip.to_string(), "size": bytes.len()},
        });
        if (&case["tar"], &case["gzip"]) != (&actual["tar"], &actual["gzip"]) {
            wrong.push(format!("{name}: actual {actual}"));
        }
        // gzip header: magic, deflate, no flags, mtime 0, XFL 0, OS 255.
        assert_eq!(
            &bytes[..10],
            &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255],
            "{name}"
        );
        let annotations = &packed.descriptor.annotations;
        assert_eq!(
            annotations.get(archive::ANNOTATION_CONTENT_DIGEST),
            Some(&packed.content_digest.to_string())
        );
        assert_eq!(
            annotations
                .get(archive::ANNOTATION_UNPACK)
                .map(String::as_str),
            Some("true")
        );
        assert_eq!(
            annotations
                .get(ocikit_core::annotations::TITLE)
                .map(String::as_str),
            case["directory"].as_str()
        );
        assert_eq!(
            packed.descriptor.media_type.as_str(),
            archive::LAYER_MEDIA_TYPE
        );
        assert!(archive::should_unpack(&packed.descriptor));
    }
    assert!(
        wrong.is_empty(),
        "not the vector bytes:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn trees_round_trip_through_the_unpacker() {
    let doc = load("trees.json");
    for case in doc["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let dir = case["directory"].as_str().expect("directory");
        let (bytes, packed) = pack(case, 4096).expect("packs");
        let events = unpack(
            &bytes,
            dir,
            Some(packed.content_digest.clone()),
            UnpackLimits::default(),
            13,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut links = Vec::new();
        let mut modes = Vec::new();
        for event in &events {
            match event {
                UnpackEvent::Entry(entry) => {
                    modes.push((entry.path.clone(), entry.mode));
                    match &entry.data {
                        EntryData::File { .. } => files.push((entry.path.clone(), Vec::new())),
                        EntryData::Symlink { target } => {
                            links.push((entry.path.clone(), target.clone()));
                        }
                        EntryData::Directory => {}
                        EntryData::HardLink { .. } => panic!("{name}: no hard links packed"),
                    }
                }
                UnpackEvent::Data(data) => files.last_mut().expect("a file").1.extend(data),
                UnpackEvent::End(summary) => {
                    assert_eq!(summary.content_digest, packed.content_digest);
                    assert_eq!(summary.content_size, packed.content_size);
                }
            }
        }
        assert!(matches!(events.last(), Some(UnpackEvent::End(_))), "{name}");
        for (entry, data) in tree_entries(case) {
            let path = format!("{dir}/{}", entry.path);
            match entry.kind {
                EntryKind::File { .. } => {
                    let got = files.iter().find(|(p, _)| *p == path);
                    assert_eq!(got.map(|(_, d)| d), Some(&data), "{name}: {path}");
                    let mode = modes.iter().find(|(p, _)| *p == path).map(|(_, m)| *m);
                    let keep = case["options"]["keepModes"].as_bool().unwrap_or(false);
                    let expected = if keep {
                        entry.mode & 0o777
                    } else if entry.mode & 0o111 != 0 {
                        0o755
                    } else {
                        0o644
                    };
                    assert_eq!(mode, Some(expected), "{name}: {path}");
                }
                EntryKind::Symlink { target } => {
                    assert!(links.contains(&(path, target)), "{name}");
                }
                EntryKind::Directory => {}
            }
        }
    }
}

#[test]
fn refused_listings_end_in_their_codes() {
    let doc = load("trees.json");
    for case in doc["refused"].as_array().expect("refused") {
        let name = case["name"].as_str().expect("name");
        let code = case["code"].as_str().expect("code");
        match pack(case, 1024) {
            Ok(_) => panic!("{name}: packed"),
            Err(error) => assert_eq!(error.code(), code, "{name}: {error}"),
        }
    }
}

#[test]
fn hostile_archives_end_in_their_codes() {
    let doc = load("hostile.json");
    for case in doc["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let bytes = std::fs::read(vectors_dir().join(case["file"].as_str().expect("file")))
            .expect("archive");
        let digest = case["contentDigest"]
            .as_str()
            .map(|d| Digest::parse(d).expect("digest"));
        let title = case["title"].as_str().expect("title");
        for piece in [1 << 16, 511] {
            let result = unpack(
                &bytes,
                title,
                digest.clone(),
                UnpackLimits::default(),
                piece,
            );
            match result {
                Ok(_) => panic!("{name}: unpacked"),
                Err(error) => assert_eq!(
                    error.code(),
                    case["code"].as_str().expect("code"),
                    "{name}: {error}"
                ),
            }
        }
    }
}

#[test]
fn a_bomb_stops_before_its_bytes_are_made() {
    let doc = load("hostile.json");
    let case = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == "gzip bomb")
        .expect("the bomb case");
    let bytes =
        std::fs::read(vectors_dir().join(case["file"].as_str().expect("file"))).expect("archive");
    let mut unpacker = Unpacker::new("d", None, UnpackLimits::default()).expect("an unpacker");
    let mut data = 0u64;
    let mut error = None;
    for chunk in bytes.chunks(4096) {
        match unpacker.feed(chunk) {
            Ok(events) => {
                for event in events {
                    if let UnpackEvent::Data(d) = event {
                        data += d.len() as u64;
                    }
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let error = error.expect("the bomb is refused while it is fed");
    assert_eq!(error.code(), "LIMIT_EXCEEDED");
    assert!(data <= 17 << 20, "gave {data} bytes before refusing");
    // Sticky: the next call says the same.
    assert_eq!(unpacker.feed(b"x").err(), Some(error));
}

#[test]
fn limits_on_size_and_entries_are_the_callers() {
    let doc = load("trees.json");
    let case = &doc["cases"][0];
    let (bytes, _) = pack(case, 4096).expect("packs");
    let small = UnpackLimits {
        max_size: 4096,
        ..UnpackLimits::default()
    };
    let error = unpack(&bytes, "mydir", None, small, 4096).expect_err("too big");
    assert_eq!(error.code(), "LIMIT_EXCEEDED");
    assert!(error.to_string().contains("max_size"), "{error}");
    let few = UnpackLimits {
        max_entries: 3,
        ..UnpackLimits::default()
    };
    let error = unpack(&bytes, "mydir", None, few, 4096).expect_err("too many");
    assert_eq!(error.code(), "LIMIT_EXCEEDED");
}

#[test]
fn a_size_bound_of_exactly_the_archive_is_enough() {
    // max_size bounds the bytes of the tar: a bound of exactly its length passes and one byte
    // less is refused, however the layer is fed (an entry's size was checked against what had
    // arrived, including bytes after its header in the same piece, so the exact bound failed).
    let doc = load("trees.json");
    for case in doc["cases"].as_array().expect("cases").iter().take(4) {
        let (bytes, _) = pack(case, 4096).expect("packs");
        let mut tar = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut tar)
            .expect("gunzips");
        let bound = |max_size| UnpackLimits {
            max_size,
            ..UnpackLimits::default()
        };
        let name = case["name"].as_str().expect("name");
        let title = case["directory"].as_str().expect("directory");
        for piece in [1, 7, 512, 4096, bytes.len()] {
            unpack(&bytes, title, None, bound(tar.len() as u64), piece)
                .unwrap_or_else(|e| panic!("{name}, pieces of {piece}: {e}"));
            let error = unpack(&bytes, title, None, bound(tar.len() as u64 - 1), piece)
                .expect_err("one byte under the archive");
            assert_eq!(error.code(), "LIMIT_EXCEEDED", "{name}, pieces of {piece}");
        }
    }
}

#[test]
fn a_content_digest_that_differs_is_a_mismatch_and_a_title_must_match() {
    let doc = load("trees.json");
    let case = &doc["cases"][0];
    let (bytes, _) = pack(case, 4096).expect("packs");
    let wrong = ocikit_core::digest::sha256(b"another tar");
    let error =
        unpack(&bytes, "mydir", Some(wrong), UnpackLimits::default(), 999).expect_err("mismatch");
    assert_eq!(error.code(), "DIGEST_MISMATCH");
    let error = unpack(&bytes, "other", None, UnpackLimits::default(), 999).expect_err("outside");
    assert_eq!(error.code(), "ARCHIVE_UNSAFE");
}

#[test]
fn the_packer_checks_sizes_and_its_callers_order() {
    let entries = vec![TreeEntry {
        path: "f".to_owned(),
        kind: EntryKind::File { size: 3 },
        mode: 0o644,
        mtime: 0,
    }];
    let mut packer =
        DirectoryPacker::new("d", entries.clone(), PackOptions::default()).expect("a packer");
    assert_eq!(
        packer.write(b"x").expect_err("no file yet").code(),
        "OPERATION_MISUSE"
    );
    let mut packer =
        DirectoryPacker::new("d", entries.clone(), PackOptions::default()).expect("a packer");
    packer.next_file().expect("next").expect("the file");
    let error = packer.write(b"four").expect_err("too long");
    assert_eq!(error.code(), "SIZE_MISMATCH");
    assert_eq!(packer.next_file().expect_err("sticky"), error);
    let mut packer =
        DirectoryPacker::new("d", entries.clone(), PackOptions::default()).expect("a packer");
    packer.next_file().expect("next").expect("the file");
    packer.write(b"ab").expect("two bytes");
    assert_eq!(
        packer.next_file().expect_err("too short").code(),
        "SIZE_MISMATCH"
    );
    let packer = DirectoryPacker::new("d", entries, PackOptions::default()).expect("a packer");
    assert_eq!(
        packer.finish().expect_err("file never given").code(),
        "OPERATION_MISUSE"
    );
}

#[test]
fn a_layer_says_whether_to_unpack() {
    use ocikit_core::{Descriptor, MediaType};
    let mut layer = Descriptor::new(
        MediaType::parse(archive::LAYER_MEDIA_TYPE).expect("type"),
        ocikit_core::digest::sha256(b""),
        0,
    );
    assert!(!archive::should_unpack(&layer), "no title");
    layer
        .annotations
        .insert(ocikit_core::annotations::TITLE.to_owned(), "dir".to_owned());
    assert!(
        archive::should_unpack(&layer),
        "oras-py's directories have no annotation"
    );
    layer
        .annotations
        .insert(archive::ANNOTATION_UNPACK.to_owned(), "false".to_owned());
    assert!(!archive::should_unpack(&layer));
    layer.annotations.remove(archive::ANNOTATION_UNPACK);
    layer.annotations.insert(
        ocikit_core::annotations::TITLE.to_owned(),
        "backup.tar.gz".to_owned(),
    );
    assert!(
        !archive::should_unpack(&layer),
        "an archive file stays a file"
    );
    layer.media_type = MediaType::parse("application/vnd.oci.image.layer.v1.tar").expect("type");
    layer
        .annotations
        .insert(archive::ANNOTATION_UNPACK.to_owned(), "true".to_owned());
    assert!(
        archive::should_unpack(&layer),
        "the ORAS annotation decides"
    );
}

#[test]
fn garbage_is_a_coded_error_never_a_panic() {
    let doc = load("trees.json");
    let (bytes, _) = pack(&doc["cases"][0], 4096).expect("packs");
    // Every truncation and a flipped byte at many offsets end in a code (or, for a flip in
    // file data that the gzip CRC catches, ARCHIVE_INVALID).
    for cut in (0..bytes.len()).step_by(37) {
        let result = unpack(&bytes[..cut], "mydir", None, UnpackLimits::default(), 64);
        assert!(result.is_err(), "cut at {cut} unpacked");
    }
    for at in (0..bytes.len()).step_by(11) {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x5a;
        if let Err(error) = unpack(&flipped, "mydir", None, UnpackLimits::default(), 64) {
            assert!(
                ["ARCHIVE_INVALID", "ARCHIVE_UNSAFE", "LIMIT_EXCEEDED"].contains(&error.code()),
                "{error}"
            );
        }
    }
}

#[test]
fn git_paths_are_refused_unless_allowed() {
    let bytes = std::fs::read(vectors_dir().join("hostile/git-config.tar.gz")).expect("archive");
    let unpacker = Unpacker::new("d", None, UnpackLimits::default()).expect("an unpacker");
    let mut unpacker = unpacker.allow_git_paths(true);
    let mut events = unpacker.feed(&bytes).expect("allowed");
    events.extend(unpacker.finish().expect("whole"));
    assert!(events.iter().any(|e| matches!(
        e,
        UnpackEvent::Entry(entry) if entry.path == "d/.git/config"
    )));
}

#[test]
fn the_new_codes_are_listed() {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(vectors_dir().join("../error-codes.json")).expect("codes"),
    )
    .expect("json");
    let raised: Vec<&str> = doc["raised"]
        .as_array()
        .expect("raised")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    for error in [
        Error::ArchiveUnsafe {
            path: String::new(),
            reason: String::new(),
        },
        Error::ArchiveInvalid {
            reason: String::new(),
        },
    ] {
        assert!(raised.contains(&error.code()), "{}", error.code());
        assert!(!error.to_string().is_empty());
    }
}
