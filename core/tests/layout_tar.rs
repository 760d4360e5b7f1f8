//! The layout tar vectors (tests/vectors/layout-tar/cases.json), which Python and JS check too:
//! the bytes the core writes for a layout's files, whatever their order, and the codes hostile
//! or broken tars end in.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ocikit_core::layout::{LAYOUT_TAR_ENTRIES_MAX, read_layout_tar, write_layout_tar};
use serde_json::Value;

fn cases() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/layout-tar/cases.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector")).expect("vector")
}

fn b64(value: &Value) -> Vec<u8> {
    STANDARD
        .decode(value.as_str().expect("vector"))
        .expect("vector")
}

#[test]
fn written_layouts_have_the_vectors_bytes() {
    let cases = cases();
    for case in cases["written"].as_array().expect("vector") {
        let files: Vec<(String, Vec<u8>)> = case["files"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().expect("vector").to_owned(),
                    b64(&f["data"]),
                )
            })
            .collect();
        let tar = write_layout_tar(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
            .expect("vector");
        let digest = ocikit_core::digest::sha256(&tar).to_string();
        assert_eq!(
            digest,
            case["digest"].as_str().expect("vector"),
            "{}",
            case["name"]
        );
        assert_eq!(tar.len() as u64, case["size"].as_u64().expect("vector"));
        let reversed =
            write_layout_tar(files.iter().rev().map(|(p, b)| (p.as_str(), b.as_slice())))
                .expect("vector");
        assert_eq!(
            reversed, tar,
            "{}: the order given does not matter",
            case["name"]
        );
        let read = read_layout_tar(&tar, LAYOUT_TAR_ENTRIES_MAX).expect("vector");
        assert_eq!(read.len(), files.len());
        for (path, bytes) in &files {
            assert_eq!(&tar[read[path].clone()], bytes.as_slice());
        }
    }
}

#[test]
fn refused_tars_have_the_vectors_codes() {
    let cases = cases();
    for case in cases["refused"].as_array().expect("vector") {
        let max = case["entriesMax"]
            .as_u64()
            .unwrap_or(LAYOUT_TAR_ENTRIES_MAX);
        let error = read_layout_tar(&b64(&case["tar"]), max).expect_err("refused");
        assert_eq!(
            error.code(),
            case["code"].as_str().expect("vector"),
            "{}",
            case["name"]
        );
    }
}

#[test]
fn paths_that_leave_the_layout_are_not_written() {
    for path in ["../x", "/etc/passwd", "blobs//x", "blobs/./x"] {
        let error = write_layout_tar([(path, &b""[..])]).expect_err("refused");
        assert_eq!(error.code(), "ARCHIVE_UNSAFE", "{path}");
    }
    let twice = write_layout_tar([("a", &b"1"[..]), ("a", &b"2"[..])]).expect_err("refused");
    assert_eq!(twice.code(), "ARCHIVE_UNSAFE");
}
