//! A layout as one tar archive: [`write_layout_tar`] gives the archive of a layout's files,
//! the same bytes for the same files in every language (JS's `layoutTar` and `OciLayout`,
//! Python's `OciLayout("x.tar")`), and [`read_layout_tar`] reads an untrusted one back as its
//! files.
//!
//! # The archive
//!
//! - **Order**: `oci-layout`, `index.json`, then every other file sorted by path (component by
//!   component, byte-wise); each directory (`blobs/`, `blobs/sha256/`) comes right before its
//!   first file. The order files are given in does not matter.
//! - **Headers**: the reproducible ustar headers of directory layers ([`crate::archive`]):
//!   owner 0:0 without names, mtime 0, files 0644, directories 0755, a PAX header only for a
//!   path ustar cannot hold (a layout's paths always fit). Two zero blocks end the archive.
//!
//! # Reading (the archive comes from anyone)
//!
//! Regular files are the layout's files; directories are skipped. Symbolic and hard links,
//! devices, FIFOs, sparse files and unknown entry types are [`Error::ArchiveUnsafe`], as are
//! absolute names and names with a `..`, `.` or empty component (a leading `./` is allowed);
//! a file that appears twice, or one under another file's path (`a` and `a/b`), is
//! [`Error::ArchiveUnsafe`] too (which copy a tool keeps differs; neither can be extracted). A corrupt or cut archive is [`Error::ArchiveInvalid`]; more than `entries_max`
//! entries is [`Error::LimitExceeded`]. The whole archive is in memory: its size is the
//! host's bound to set before reading it.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{INDEX_FILE, OCI_LAYOUT_FILE};
use crate::Error;
use crate::archive::paths::{components, sort_key};
use crate::archive::tar::{
    BLOCK, HeaderFields, decode_header, encode_header, flag, is_zero_block, parse_pax,
};

/// A file to write: its path and content.
type File<'a> = (&'a str, &'a [u8]);

/// The most entries [`read_layout_tar`] reads by default (as many as a directory layer).
pub const LAYOUT_TAR_ENTRIES_MAX: u64 = 100_000;

/// The bytes of a tar archive holding `files` (path relative to the layout's root, content),
/// in the archive's fixed order (see the module docs).
///
/// # Errors
/// [`Error::ArchiveUnsafe`] for a path that is absolute or has a `.`, `..` or empty
/// component, or a path given twice.
pub fn write_layout_tar<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, Error> {
    // By rank (oci-layout, index.json, the rest), then path component by component.
    let mut sorted: BTreeMap<(u8, Vec<u8>), File<'_>> = BTreeMap::new();
    for (path, bytes) in files {
        components(path).map_err(|reason| unsafe_path(path, reason))?;
        let rank = match path {
            OCI_LAYOUT_FILE => 0,
            INDEX_FILE => 1,
            _ => 2,
        };
        if sorted
            .insert((rank, sort_key(path)), (path, bytes))
            .is_some()
        {
            return Err(unsafe_path(path, "is given twice"));
        }
    }
    let size: usize = sorted.values().map(|(_, b)| b.len() + 2 * BLOCK).sum();
    let mut out = Vec::with_capacity(size + 2 * BLOCK);
    let mut directories: Vec<&str> = Vec::new();
    for (path, bytes) in sorted.into_values() {
        for (i, _) in path.match_indices('/') {
            let directory = &path[..=i];
            if !directories.contains(&directory) {
                directories.push(directory);
                out.extend(encode_header(&HeaderFields {
                    path: directory,
                    typeflag: flag::DIRECTORY,
                    mode: 0o755,
                    size: 0,
                    mtime: 0,
                    link: "",
                }));
            }
        }
        out.extend(encode_header(&HeaderFields {
            path,
            typeflag: flag::REGULAR,
            mode: 0o644,
            size: bytes.len() as u64,
            mtime: 0,
            link: "",
        }));
        out.extend_from_slice(bytes);
        out.resize(out.len().next_multiple_of(BLOCK), 0);
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    Ok(out)
}

/// The regular files of a layout tar: each path (without a leading `./`) and where its
/// content lies in `bytes`, sorted by path.
///
/// # Errors
/// See the module docs: [`Error::ArchiveUnsafe`], [`Error::ArchiveInvalid`],
/// [`Error::LimitExceeded`] past `entries_max` entries.
pub fn read_layout_tar(
    bytes: &[u8],
    entries_max: u64,
) -> Result<BTreeMap<String, Range<usize>>, Error> {
    let mut files = BTreeMap::new();
    let mut offset = 0usize;
    let mut entries = 0u64;
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax_path: Option<Vec<u8>> = None;
    let mut pax_size: Option<u64> = None;
    loop {
        let Some(block) = bytes.get(offset..offset + BLOCK) else {
            if offset == bytes.len() && long_name.is_none() && pax_path.is_none() {
                break; // ends without the zero blocks, at an entry's end
            }
            return Err(invalid("the archive is cut short in a header"));
        };
        if is_zero_block(block) {
            break;
        }
        let header = decode_header(block.try_into().expect("a block"))?;
        offset += BLOCK;
        entries += 1;
        if entries > entries_max {
            return Err(Error::LimitExceeded {
                limit: "entries of a layout tar".to_owned(),
                max: entries_max,
                value: entries,
                setting: "OciLayout.MAX_TAR_ENTRIES".to_owned(),
            });
        }
        let size = match header.typeflag {
            flag::REGULAR | flag::REGULAR_OLD | flag::CONTIGUOUS => pax_size.take(),
            _ => None,
        }
        .unwrap_or(header.size);
        let data = usize::try_from(size)
            .ok()
            .and_then(|size| Some(offset..offset.checked_add(size)?))
            .filter(|range| range.end <= bytes.len())
            .ok_or_else(|| invalid("the archive is cut short in an entry's content"))?;
        offset = data.end.next_multiple_of(BLOCK);
        match header.typeflag {
            flag::PAX_LOCAL => {
                let records = parse_pax(&bytes[data])?;
                pax_path = records.path;
                pax_size = records.size;
                continue;
            }
            flag::PAX_GLOBAL | flag::GNU_LONG_LINK => continue,
            flag::GNU_LONG_NAME => {
                let mut name = bytes[data].to_vec();
                while name.last() == Some(&0) {
                    name.pop();
                }
                long_name = Some(name);
                continue;
            }
            _ => {}
        }
        let name = pax_path.take().or(long_name.take()).unwrap_or(header.name);
        pax_size = None;
        let name = String::from_utf8(name).map_err(|_| invalid("an entry's name is not UTF-8"))?;
        let mut path = name.as_str();
        while let Some(rest) = path.strip_prefix("./") {
            path = rest;
        }
        let kind = match header.typeflag {
            flag::REGULAR | flag::REGULAR_OLD | flag::CONTIGUOUS => None,
            flag::DIRECTORY => Some(None),
            flag::SYMLINK => Some(Some(
                "a symbolic link (a layout tar holds regular files only)",
            )),
            flag::HARD_LINK => Some(Some("a hard link (a layout tar holds regular files only)")),
            flag::CHAR_DEVICE | flag::BLOCK_DEVICE => Some(Some("a device")),
            flag::FIFO => Some(Some("a FIFO")),
            _ => Some(Some("an entry type a layout tar does not hold")),
        };
        match kind {
            Some(Some(reason)) => return Err(unsafe_path(&name, reason)),
            Some(None) => {
                let directory = path.trim_end_matches('/');
                if !directory.is_empty() && directory != "." {
                    components(directory).map_err(|reason| unsafe_path(&name, reason))?;
                }
            }
            None => {
                components(path).map_err(|reason| unsafe_path(&name, reason))?;
                if files.insert(path.to_owned(), data).is_some() {
                    return Err(unsafe_path(
                        &name,
                        "appears twice (tools differ on which copy they keep)",
                    ));
                }
            }
        }
    }
    // A file that is also a directory of another (`a` and `a/b`) cannot be extracted.
    for path in files.keys() {
        let under = format!("{path}/");
        if let Some((other, _)) = files.range(under.clone()..).next()
            && other.starts_with(&under)
        {
            return Err(unsafe_path(
                other,
                &format!("lies under {path}, which is a file of the archive"),
            ));
        }
    }
    Ok(files)
}

fn unsafe_path(path: &str, reason: &str) -> Error {
    Error::ArchiveUnsafe {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

fn invalid(reason: &str) -> Error {
    Error::ArchiveInvalid {
        reason: format!("not a layout tar: {reason}"),
    }
}
