//! The `archive` target: the core's directory-layer `Unpacker` fed hostile bytes.

use std::io::Write;

use ocikit_core::archive::{EntryData, UnpackEvent, UnpackLimits, Unpacker};

/// Input: a flags byte, then the layer. Flags bit 0 set: the rest is the layer as it is (any
/// bytes as gzip); clear: the rest is a tar, gzip'd here first so that the tar reader is what
/// gets fuzzed. Bits 1–7 pick the size of the pieces fed. Never a panic; a refusal is a coded
/// error of the archive kind; what is accepted keeps every promise the host relies on: paths
/// under the title without `.`, `..` or empty components, modes without setuid/setgid bits,
/// file data only after a file entry and exactly its size, links after every other entry, and
/// `End` last, once.
pub fn archive(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let layer = if flags & 1 == 1 {
        rest.to_vec()
    } else {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(rest).expect("gzip into memory");
        encoder.finish().expect("gzip into memory")
    };
    let piece = usize::from(flags >> 1).max(1) * 37;
    let limits = UnpackLimits {
        max_size: 64 << 20,
        max_entries: 10_000,
        max_ratio: 250,
    };
    let mut unpacker = Unpacker::new("d", None, limits).expect("a valid title");
    let mut events = Vec::new();
    let mut failed = None;
    for chunk in layer.chunks(piece) {
        match unpacker.feed(chunk) {
            Ok(more) => events.extend(more),
            Err(error) => {
                failed = Some(error);
                break;
            }
        }
    }
    if failed.is_none() {
        match unpacker.finish() {
            Ok(more) => events.extend(more),
            Err(error) => failed = Some(error),
        }
    }
    if let Some(error) = failed {
        assert!(
            matches!(
                error.code(),
                "ARCHIVE_UNSAFE" | "ARCHIVE_INVALID" | "LIMIT_EXCEEDED" | "DIGEST_MISMATCH"
            ),
            "{error:?}"
        );
        // Sticky.
        assert_eq!(unpacker.feed(b"x").err(), Some(error));
        return;
    }
    let mut remaining: Option<u64> = None;
    let mut links_started = false;
    for (i, event) in events.iter().enumerate() {
        match event {
            UnpackEvent::Entry(entry) => {
                assert_eq!(
                    remaining.unwrap_or(0),
                    0,
                    "a file got fewer bytes than its size"
                );
                remaining = None;
                assert!(
                    entry.path == "d" || entry.path.starts_with("d/"),
                    "{}",
                    entry.path
                );
                for part in entry.path.split('/') {
                    assert!(
                        !part.is_empty() && part != "." && part != "..",
                        "{}",
                        entry.path
                    );
                    assert!(!part.contains(['\0', '\\']), "{}", entry.path);
                }
                assert_eq!(entry.mode & !0o777, 0, "mode {:o}", entry.mode);
                match &entry.data {
                    EntryData::File { size } => {
                        assert!(!links_started);
                        remaining = Some(*size);
                    }
                    EntryData::Symlink { target } => {
                        links_started = true;
                        assert!(!target.starts_with('/') && !target.is_empty(), "{target}");
                    }
                    EntryData::HardLink { target } => {
                        assert!(!links_started);
                        assert!(target.starts_with("d/"), "{target}");
                    }
                    EntryData::Directory => {
                        assert!(!links_started);
                        assert_eq!(entry.mode & 0o700, 0o700);
                    }
                }
            }
            UnpackEvent::Data(bytes) => {
                let left = remaining.as_mut().expect("data after a file entry");
                *left = left
                    .checked_sub(bytes.len() as u64)
                    .expect("no more than its size");
            }
            UnpackEvent::End(_) => assert_eq!(i, events.len() - 1, "End comes last"),
        }
    }
    assert!(matches!(events.last(), Some(UnpackEvent::End(_))));
}
