//! The layout tar vectors (tests/vectors/layout-tar/cases.json), which Python and JS check too:
//! the bytes the core writes for a layout's files, whatever their order, and the codes hostile
//! or broken tars end in; and the layout tar streamed both ways: [`LayoutTarReader`] fed an
//! archive in pieces of any size reads what [`read_layout_tar`] reads from the whole (the same
//! files, or the same error), for every vector and for hand-made archives with PAX and GNU
//! headers; [`layout_tar_pieces`] with the files' contents in place is [`write_layout_tar`]'s
//! archive.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ocikit_core::Error;
use ocikit_core::layout::{
    LAYOUT_TAR_ENTRIES_MAX, LayoutTarEvent, LayoutTarReader, TarPiece, layout_tar_pieces,
    read_layout_tar, write_layout_tar,
};
use serde_json::Value;

/// The piece sizes an archive is fed in (`usize::MAX`: all at once).
const PIECES: [usize; 6] = [1, 7, 512, 513, 4096, usize::MAX];

type Files = BTreeMap<String, Vec<u8>>;

/// A named list of files to write, in the order given.
type Case = (String, Vec<(String, Vec<u8>)>);

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

/// The files a reader gives when fed `tar` in pieces of `piece` bytes, as a host would write
/// them: a file begins, its bytes are appended, it ends.
fn stream(tar: &[u8], piece: usize, entries_max: u64) -> Result<Files, Error> {
    let mut reader = LayoutTarReader::new(entries_max);
    let mut files = Files::new();
    let mut open: Option<(String, u64, Vec<u8>)> = None;
    for chunk in tar.chunks(piece.min(tar.len()).max(1)) {
        for event in reader.feed(chunk)? {
            match event {
                LayoutTarEvent::File { path, size } => {
                    assert!(open.is_none(), "a file begins before the last one ended");
                    open = Some((path, size, Vec::new()));
                }
                LayoutTarEvent::Data(range) => {
                    assert!(!range.is_empty(), "no empty data");
                    open.as_mut()
                        .expect("data inside a file")
                        .2
                        .extend(&chunk[range]);
                }
                LayoutTarEvent::FileEnd => {
                    let (path, size, data) = open.take().expect("an end after a file");
                    assert_eq!(data.len() as u64, size, "{path}: the size announced");
                    assert!(files.insert(path, data).is_none(), "each file once");
                }
            }
        }
    }
    reader.finish()?;
    assert!(open.is_none(), "a file left open after a whole archive");
    Ok(files)
}

/// What [`read_layout_tar`] reads from the whole archive.
fn whole(tar: &[u8], entries_max: u64) -> Result<Files, Error> {
    Ok(read_layout_tar(tar, entries_max)?
        .into_iter()
        .map(|(path, range)| (path, tar[range].to_vec()))
        .collect())
}

/// The archive read in every piece size gives `whole`'s answer, which is returned.
fn read_every_way(tar: &[u8], entries_max: u64, name: &str) -> Result<Files, Error> {
    let expected = whole(tar, entries_max);
    for piece in PIECES {
        assert_eq!(
            stream(tar, piece, entries_max),
            expected,
            "{name}: fed {piece} bytes at a time"
        );
    }
    expected
}

fn written_cases() -> Vec<Case> {
    cases()["written"]
        .as_array()
        .expect("vector")
        .iter()
        .map(|case| {
            let files = case["files"]
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
            (case["name"].as_str().expect("vector").to_owned(), files)
        })
        .collect()
}

fn write(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    write_layout_tar(files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))).expect("written")
}

#[test]
fn written_vectors_stream_back_as_their_files() {
    for (name, files) in written_cases() {
        let tar = write(&files);
        let read = read_every_way(&tar, LAYOUT_TAR_ENTRIES_MAX, &name).expect("read");
        assert_eq!(read, files.into_iter().collect::<Files>(), "{name}");
    }
}

#[test]
fn refused_vectors_are_refused_with_their_codes_in_every_piece_size() {
    for case in cases()["refused"].as_array().expect("vector") {
        let name = case["name"].as_str().expect("vector");
        let max = case["entriesMax"]
            .as_u64()
            .unwrap_or(LAYOUT_TAR_ENTRIES_MAX);
        let error = read_every_way(&b64(&case["tar"]), max, name).expect_err(name);
        assert_eq!(
            error.code(),
            case["code"].as_str().expect("vector"),
            "{name}"
        );
    }
}

#[test]
fn the_pieces_with_the_contents_in_place_are_the_written_archive() {
    let mut all = written_cases();
    // Sizes on and around block boundaries, and an empty file between others.
    all.push((
        "sizes around a block".to_owned(),
        [0usize, 1, 511, 512, 513, 1024, 3000]
            .iter()
            .enumerate()
            .map(|(i, &size)| (format!("blobs/sha256/{i:02}"), vec![b'a' + i as u8; size]))
            .chain([
                ("oci-layout".to_owned(), b"{}".to_vec()),
                ("index.json".to_owned(), b"{\"manifests\":[]}".to_vec()),
            ])
            .collect(),
    ));
    for (name, files) in all {
        let pieces = layout_tar_pieces(files.iter().map(|(p, b)| (p.as_str(), b.len() as u64)))
            .expect("planned");
        let mut tar = Vec::new();
        let mut copied = 0;
        for piece in &pieces {
            match piece {
                TarPiece::Bytes(bytes) => tar.extend_from_slice(bytes),
                TarPiece::File { index, path, size } => {
                    assert_eq!(
                        (path, *size),
                        (&files[*index].0, files[*index].1.len() as u64)
                    );
                    assert_ne!(*size, 0, "{name}: no piece for an empty file's content");
                    tar.extend_from_slice(&files[*index].1);
                    copied += 1;
                }
            }
        }
        assert_eq!(tar, write(&files), "{name}");
        assert_eq!(
            pieces.iter().map(TarPiece::len).sum::<u64>(),
            tar.len() as u64
        );
        assert_eq!(copied, files.iter().filter(|(_, b)| !b.is_empty()).count());
        // Bytes of the archive are never two pieces in a row: one write for each run.
        assert!(
            pieces
                .windows(2)
                .all(|w| !matches!(w, [TarPiece::Bytes(_), TarPiece::Bytes(_)]))
        );
    }
}

#[test]
fn the_plan_refuses_what_the_writer_refuses() {
    for path in ["../x", "/etc/passwd", "blobs//x", "blobs/./x", ""] {
        let error = layout_tar_pieces([(path, 0)]).expect_err("refused");
        assert_eq!(error.code(), "ARCHIVE_UNSAFE", "{path:?}");
    }
    let twice = layout_tar_pieces([("a", 1), ("b", 2), ("a", 3)]).expect_err("refused");
    assert_eq!(
        twice,
        Error::ArchiveUnsafe {
            path: "a".to_owned(),
            reason: "is given twice".to_owned()
        }
    );
}

// Hand-made archives: headers as other tools write them.

/// A ustar header block (`ustar\0` magic, `00` version), its checksum computed.
fn header(name: &str, typeflag: u8, size: u64) -> Vec<u8> {
    let mut block = vec![0u8; 512];
    block[..name.len()].copy_from_slice(name.as_bytes());
    block[100..108].copy_from_slice(b"0000644\0");
    block[108..116].copy_from_slice(b"0000000\0");
    block[116..124].copy_from_slice(b"0000000\0");
    block[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    block[136..148].copy_from_slice(b"00000000000\0");
    block[156] = typeflag;
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    block[148..156].copy_from_slice(b"        ");
    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    block
}

/// An entry: its header and its content padded to whole blocks.
fn entry(name: &str, typeflag: u8, data: &[u8]) -> Vec<u8> {
    let mut out = header(name, typeflag, data.len() as u64);
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
    out
}

fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let mut data = Vec::new();
    for (key, value) in records {
        let body = format!(" {key}={value}\n");
        let mut length = body.len() + 1;
        while format!("{length}{body}").len() != length {
            length += 1;
        }
        data.extend(format!("{length}{body}").into_bytes());
    }
    entry("PaxHeader", b'x', &data)
}

fn end() -> Vec<u8> {
    vec![0; 1024]
}

fn archive(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn files(list: &[(&str, &[u8])]) -> Files {
    list.iter()
        .map(|(p, b)| ((*p).to_owned(), b.to_vec()))
        .collect()
}

#[test]
fn other_tools_headers_are_read_in_every_piece_size() {
    let long = format!("blobs/sha256/{}", "c".repeat(150));
    let cases: Vec<(&str, Vec<u8>, Files)> = vec![
        ("empty archive", Vec::new(), Files::new()),
        ("only the end blocks", end(), Files::new()),
        (
            "leading ./ and directories",
            archive(&[
                entry("./", b'5', b""),
                entry("./blobs/", b'5', b""),
                entry("./blobs/a", b'0', b"hello"),
                end(),
            ]),
            files(&[("blobs/a", b"hello")]),
        ),
        (
            "no end blocks, the last entry whole",
            archive(&[entry("a", b'0', b"x"), entry("b", 0, &[7; 600])]),
            files(&[("a", b"x"), ("b", &[7; 600])]),
        ),
        (
            "a PAX path and size",
            archive(&[
                pax(&[("path", &long), ("size", "3"), ("mtime", "1.5")]),
                entry("short", b'0', b"abc"),
                end(),
            ]),
            files(&[(long.as_str(), b"abc")]),
        ),
        (
            "a GNU long name with its NUL",
            archive(&[
                entry("././@LongLink", b'L', format!("{long}\0").as_bytes()),
                entry("short", b'0', b"abc"),
                end(),
            ]),
            files(&[(long.as_str(), b"abc")]),
        ),
        (
            "a global PAX header and a long link name are skipped",
            archive(&[
                entry("g", b'g', b"11 a=bcdef\n"),
                entry("././@LongLink", b'K', b"target"),
                entry("f", b'0', b"1"),
                end(),
            ]),
            files(&[("f", b"1")]),
        ),
        (
            "bytes after the end are not read",
            archive(&[entry("f", b'0', b"1"), end(), b"garbage".to_vec()]),
            files(&[("f", b"1")]),
        ),
        (
            "an empty file between others",
            archive(&[
                entry("a", b'0', b""),
                entry("b", b'0', b"2"),
                entry("c", b'0', b""),
            ]),
            files(&[("a", b""), ("b", b"2"), ("c", b"")]),
        ),
    ];
    for (name, tar, expected) in cases {
        assert_eq!(
            read_every_way(&tar, LAYOUT_TAR_ENTRIES_MAX, name),
            Ok(expected),
            "{name}"
        );
    }
}

#[test]
fn hand_made_refusals_in_every_piece_size() {
    let nested = |first: &str, second: &str| {
        archive(&[
            entry(first, b'0', b"1"),
            entry("c", b'0', b"3"),
            entry(second, b'0', b"2"),
            end(),
        ])
    };
    let under_a = Error::ArchiveUnsafe {
        path: "a/b".to_owned(),
        reason: "lies under a, which is a file of the archive".to_owned(),
    };
    let cases: Vec<(&str, Vec<u8>, Result<(), Error>)> = vec![
        (
            "a file then one under it",
            nested("a", "a/b"),
            Err(under_a.clone()),
        ),
        (
            "a file then the one above it",
            nested("a/b", "a"),
            Err(under_a.clone()),
        ),
        (
            "a file under another, the archive without end blocks",
            archive(&[entry("a/b", b'0', b"1"), entry("a", b'0', b"2")]),
            Err(under_a),
        ),
        (
            "a file under another, then a link: the link is named",
            archive(&[
                entry("a", b'0', b"1"),
                entry("a/b", b'0', b"2"),
                entry("l", b'2', b""),
                end(),
            ]),
            Err(Error::ArchiveUnsafe {
                path: "l".to_owned(),
                reason: "a symbolic link (a layout tar holds regular files only)".to_owned(),
            }),
        ),
        (
            "a file twice, the second with ./",
            archive(&[entry("a", b'0', b"1"), entry("./a", b'0', b"2"), end()]),
            Err(Error::ArchiveUnsafe {
                path: "./a".to_owned(),
                reason: "appears twice (tools differ on which copy they keep)".to_owned(),
            }),
        ),
        (
            "a directory with '..'",
            archive(&[entry("blobs/../", b'5', b""), end()]),
            Err(Error::ArchiveUnsafe {
                path: "blobs/../".to_owned(),
                reason: "climbs out with '..'".to_owned(),
            }),
        ),
        (
            "a PAX path with '..'",
            archive(&[pax(&[("path", "../x")]), entry("x", b'0', b"1"), end()]),
            Err(Error::ArchiveUnsafe {
                path: "../x".to_owned(),
                reason: "climbs out with '..'".to_owned(),
            }),
        ),
        (
            "a sparse file",
            archive(&[
                pax(&[("GNU.sparse.map", "0,1")]),
                entry("x", b'0', b"1"),
                end(),
            ]),
            Err(Error::ArchiveUnsafe {
                path: String::new(),
                reason: "a sparse file (GNU.sparse PAX records), which ocikit does not unpack"
                    .to_owned(),
            }),
        ),
        (
            "cut in a header",
            archive(&[entry("a", b'0', b"1"), vec![1; 100]]),
            Err(invalid("the archive is cut short in a header")),
        ),
        (
            "cut in a file's padding",
            entry("a", b'0', b"1")[..600].to_vec(),
            Err(invalid("the archive is cut short in a header")),
        ),
        (
            "cut in a file's content",
            entry("a", b'0', &[1; 1000])[..800].to_vec(),
            Err(invalid("the archive is cut short in an entry's content")),
        ),
        (
            "cut after a PAX header",
            pax(&[("path", "x")]),
            Err(invalid("the archive is cut short in a header")),
        ),
        (
            "cut after a GNU long name",
            entry("././@LongLink", b'L', b"x"),
            Err(invalid("the archive is cut short in a header")),
        ),
        (
            "cut in a PAX header",
            pax(&[("path", "x")])[..515].to_vec(),
            Err(invalid("the archive is cut short in an entry's content")),
        ),
        (
            "a GNU long name past 64 KiB",
            archive(&[
                entry("././@LongLink", b'L', &vec![b'a'; 65 * 1024]),
                entry("x", b'0', b""),
            ]),
            Err(Error::LimitExceeded {
                limit: "bytes of a tar extended header".to_owned(),
                max: 64 * 1024,
                value: 65 * 1024,
                setting: "(fixed)".to_owned(),
            }),
        ),
        (
            "a name that is not UTF-8",
            archive(&[
                {
                    let mut block = header("x", b'0', 0);
                    block[0] = 0xff;
                    let sum: u32 = block
                        .iter()
                        .enumerate()
                        .map(|(i, &b)| {
                            if (148..156).contains(&i) {
                                32
                            } else {
                                u32::from(b)
                            }
                        })
                        .sum();
                    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
                    block
                },
                end(),
            ]),
            Err(invalid("an entry's name is not UTF-8")),
        ),
    ];
    for (name, tar, expected) in cases {
        assert_eq!(
            read_every_way(&tar, LAYOUT_TAR_ENTRIES_MAX, name).map(|_| ()),
            expected,
            "{name}"
        );
    }
}

fn invalid(reason: &str) -> Error {
    Error::ArchiveInvalid {
        reason: format!("not a layout tar: {reason}"),
    }
}

#[test]
fn the_entry_bound_counts_every_header() {
    let tar = archive(&[
        entry("d/", b'5', b""),
        entry("d/a", b'0', b"1"),
        entry("d/b", b'0', b"2"),
        end(),
    ]);
    assert!(read_every_way(&tar, 3, "three entries").is_ok());
    let error = read_every_way(&tar, 2, "three entries, two allowed").expect_err("refused");
    assert_eq!(
        error,
        Error::LimitExceeded {
            limit: "entries of a layout tar".to_owned(),
            max: 2,
            value: 3,
            setting: "OciLayout.MAX_TAR_ENTRIES".to_owned(),
        }
    );
}

#[test]
fn errors_are_sticky_and_finish_ends_the_reader() {
    let mut reader = LayoutTarReader::new(LAYOUT_TAR_ENTRIES_MAX);
    let bad = entry("l", b'2', b"");
    let error = reader.feed(&bad).expect_err("a link");
    assert_eq!(reader.feed(&end()), Err(error.clone()));
    assert_eq!(reader.finish(), Err(error));

    let mut reader = LayoutTarReader::new(LAYOUT_TAR_ENTRIES_MAX);
    reader.feed(&end()).expect("an empty archive");
    reader.finish().expect("whole");
    assert_eq!(
        reader.finish().map_err(|e| e.code()),
        Err("OPERATION_MISUSE")
    );
    assert_eq!(
        reader.feed(b"").map_err(|e| e.code()),
        Err("OPERATION_MISUSE")
    );
}

#[test]
fn a_file_under_another_is_not_passed_on() {
    // `a/b` was created; `a` cannot be, so the host is never told to (the archive is refused
    // at its end).
    let tar = archive(&[
        entry("a/b", b'0', b"1"),
        entry("a", b'0', b"2"),
        entry("z", b'0', b"3"),
        end(),
    ]);
    let mut reader = LayoutTarReader::new(LAYOUT_TAR_ENTRIES_MAX);
    let mut paths = Vec::new();
    let mut result = Ok(Vec::new());
    for block in tar.chunks(512) {
        result = reader.feed(block);
        match &result {
            Ok(events) => paths.extend(events.iter().filter_map(|event| match event {
                LayoutTarEvent::File { path, .. } => Some(path.clone()),
                _ => None,
            })),
            Err(_) => break,
        }
    }
    assert_eq!(paths, ["a/b"]);
    assert_eq!(
        result.map(|_| ()).map_err(|e| e.code()),
        Err("ARCHIVE_UNSAFE")
    );
}

#[test]
fn a_large_file_passes_through_without_being_held() {
    // 64 MiB declared, fed in 1 MiB pieces of the same buffer: the reader gives ranges of
    // each piece, so nothing grows with the file.
    let size: u64 = 64 << 20;
    let mut reader = LayoutTarReader::new(LAYOUT_TAR_ENTRIES_MAX);
    let events = reader.feed(&header("blob", b'0', size)).expect("header");
    assert_eq!(
        events,
        [LayoutTarEvent::File {
            path: "blob".to_owned(),
            size
        }]
    );
    let piece = vec![0x5a; 1 << 20];
    let mut seen = 0u64;
    let mut ended = false;
    for _ in 0..64 {
        for event in reader.feed(&piece).expect("content") {
            match event {
                LayoutTarEvent::Data(range) => seen += range.len() as u64,
                LayoutTarEvent::FileEnd => ended = true,
                LayoutTarEvent::File { .. } => panic!("one file"),
            }
        }
    }
    assert_eq!((seen, ended), (size, true));
    assert_eq!(reader.feed(&end()), Ok(Vec::new()));
    reader.finish().expect("whole");
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
