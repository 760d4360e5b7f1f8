//! A layout as one tar archive: [`layout_tar_pieces`] plans the archive of a layout's files,
//! the same bytes for the same files in every language (JS's `layoutTar` and `OciLayout`,
//! Python's `OciLayout("x.tar")`), and [`LayoutTarReader`] reads an untrusted one back as its
//! files. Both stream: the host copies the files' contents, so no side holds a whole archive;
//! [`write_layout_tar`] and [`read_layout_tar`] are the same two in memory.
//!
//! ```text
//! writing:  host ── (path, size) of every file ──▶ layout_tar_pieces ──▶ [TarPiece]
//!           for each piece: Bytes → write them; File { path, size } → copy the file's bytes
//! reading:  host ── piece of the archive ──▶ LayoutTarReader::feed ──▶ [LayoutTarEvent]
//!           File { path, size } → create it; Data(range) → append those bytes; FileEnd → close
//!           … then LayoutTarReader::finish (a cut archive is an error only it can see)
//! ```
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
//! [`Error::ArchiveUnsafe`] too (which copy a tool keeps differs; neither can be extracted).
//! A corrupt or cut archive is [`Error::ArchiveInvalid`]; more than `entries_max` entries is
//! [`Error::LimitExceeded`], as is a PAX header or GNU long name over 64 KiB (the only bytes
//! the reader holds besides one header block: files' contents pass through). Each entry is
//! judged by its header when the header arrives, so an archive both cut and unsafe is
//! [`Error::ArchiveUnsafe`] when the unsafe entry comes first.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::{INDEX_FILE, OCI_LAYOUT_FILE};
use crate::Error;
use crate::archive::paths::{components, sort_key};
use crate::archive::tar::{
    BLOCK, EXTENSION_MAX, HeaderFields, decode_header, encode_header, flag, is_zero_block,
    parse_pax,
};

/// The most entries [`read_layout_tar`] reads by default (as many as a directory layer).
pub const LAYOUT_TAR_ENTRIES_MAX: u64 = 100_000;

/// One piece of a layout tar planned by [`layout_tar_pieces`]: the archive is the pieces in
/// order, each [`TarPiece::File`] replaced by the file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TarPiece {
    /// Bytes of the archive itself: the previous file's padding, directory headers, a file's
    /// header, the two zero blocks that end the archive.
    Bytes(Vec<u8>),
    /// The content of a file, for the host to copy: exactly `size` bytes (the size its header
    /// declares; other bytes would make a corrupt archive).
    File {
        /// Its position among the files given.
        index: usize,
        /// Its path, as given.
        path: String,
        /// Its size, as given.
        size: u64,
    },
}

impl TarPiece {
    /// How many bytes of the archive the piece is.
    #[must_use]
    pub fn len(&self) -> u64 {
        match self {
            Self::Bytes(bytes) => bytes.len() as u64,
            Self::File { size, .. } => *size,
        }
    }

    /// Whether the piece adds no bytes (an empty file's content).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The plan of a tar archive holding `files` (path relative to the layout's root, size in
/// bytes), in the archive's fixed order (see the module docs): headers and padding as bytes,
/// and where each file's content goes. Consecutive bytes come as one piece.
///
/// # Errors
/// [`Error::ArchiveUnsafe`] for a path that is absolute or has a `.`, `..` or empty
/// component, or a path given twice.
pub fn layout_tar_pieces<'a>(
    files: impl IntoIterator<Item = (&'a str, u64)>,
) -> Result<Vec<TarPiece>, Error> {
    // By rank (oci-layout, index.json, the rest), then path component by component.
    let mut sorted: BTreeMap<(u8, Vec<u8>), (usize, &str, u64)> = BTreeMap::new();
    for (index, (path, size)) in files.into_iter().enumerate() {
        components(path).map_err(|reason| unsafe_path(path, reason))?;
        let rank = match path {
            OCI_LAYOUT_FILE => 0,
            INDEX_FILE => 1,
            _ => 2,
        };
        if sorted
            .insert((rank, sort_key(path)), (index, path, size))
            .is_some()
        {
            return Err(unsafe_path(path, "is given twice"));
        }
    }
    let mut pieces = Vec::with_capacity(2 * sorted.len() + 1);
    let mut bytes = Vec::new();
    let mut directories: Vec<&str> = Vec::new();
    for (index, path, size) in sorted.into_values() {
        for (i, _) in path.match_indices('/') {
            let directory = &path[..=i];
            if !directories.contains(&directory) {
                directories.push(directory);
                bytes.extend(encode_header(&HeaderFields {
                    path: directory,
                    typeflag: flag::DIRECTORY,
                    mode: 0o755,
                    size: 0,
                    mtime: 0,
                    link: "",
                }));
            }
        }
        bytes.extend(encode_header(&HeaderFields {
            path,
            typeflag: flag::REGULAR,
            mode: 0o644,
            size,
            mtime: 0,
            link: "",
        }));
        if size > 0 {
            pieces.push(TarPiece::Bytes(std::mem::take(&mut bytes)));
            pieces.push(TarPiece::File {
                index,
                path: path.to_owned(),
                size,
            });
        }
        // The padding of the content to a whole block.
        let padding = size.next_multiple_of(BLOCK as u64) - size;
        bytes.resize(bytes.len() + usize::try_from(padding).unwrap_or(0), 0);
    }
    bytes.resize(bytes.len() + 2 * BLOCK, 0);
    pieces.push(TarPiece::Bytes(bytes));
    Ok(pieces)
}

/// The bytes of a tar archive holding `files` (path relative to the layout's root, content):
/// [`layout_tar_pieces`] with each file's content in its place.
///
/// # Errors
/// What [`layout_tar_pieces`] returns.
pub fn write_layout_tar<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, Error> {
    let files: Vec<(&str, &[u8])> = files.into_iter().collect();
    let pieces = layout_tar_pieces(
        files
            .iter()
            .map(|(path, bytes)| (*path, bytes.len() as u64)),
    )?;
    let size: u64 = pieces.iter().map(TarPiece::len).sum();
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    for piece in pieces {
        match piece {
            TarPiece::Bytes(bytes) => out.extend_from_slice(&bytes),
            TarPiece::File { index, .. } => out.extend_from_slice(files[index].1),
        }
    }
    Ok(out)
}

/// What a [`LayoutTarReader`] tells the host, in the archive's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutTarEvent {
    /// A regular file of the layout begins: its path (checked: relative, no `.`, `..` or empty
    /// component, no leading `./`) and size. Its content follows as [`Self::Data`], then
    /// [`Self::FileEnd`].
    File {
        /// The path, relative to the layout's root, `/`-separated.
        path: String,
        /// The content's size in bytes.
        size: u64,
    },
    /// The next bytes of the file: this range of the piece given to
    /// [`LayoutTarReader::feed`].
    Data(Range<usize>),
    /// The file's content is whole.
    FileEnd,
}

/// Where the reader is in the archive.
#[derive(Debug)]
enum ReadState {
    /// Collecting a header block.
    Header(Vec<u8>),
    /// Collecting a PAX header's or GNU long name's data (`kind` is its type flag, at most
    /// [`EXTENSION_MAX`] bytes), then skipping `padding`.
    Extension {
        kind: u8,
        data: Vec<u8>,
        size: usize,
        padding: u64,
    },
    /// An entry's content: passed on as [`LayoutTarEvent::Data`] (`emit`) or skipped, then
    /// `padding` bytes.
    Content {
        remaining: u64,
        padding: u64,
        emit: bool,
    },
    /// After the first zero block: what follows is not read (as tar does).
    End,
    /// [`LayoutTarReader::finish`] was called.
    Finished,
}

/// An untrusted layout tar being read: the host [`feed`](Self::feed)s its bytes in pieces of
/// any size, acts on the events in order, then calls [`finish`](Self::finish). It holds one
/// header block and at most one 64 KiB extended header besides the paths seen, never a file's
/// content. Errors are sticky: after one, every call returns it again.
#[derive(Debug)]
pub struct LayoutTarReader {
    entries_max: u64,
    entries: u64,
    state: ReadState,
    /// A GNU long name (`L`) waiting for its entry.
    long_name: Option<Vec<u8>>,
    /// A PAX `path` waiting for its entry.
    pax_path: Option<Vec<u8>>,
    /// A PAX `size` waiting for its regular file.
    pax_size: Option<u64>,
    /// The files' paths so far.
    files: BTreeSet<String>,
    /// A file lies under another file's path: the archive is refused at its end (naming the
    /// pair the whole list shows), and no more files are passed on meanwhile.
    nested: bool,
    failed: Option<Error>,
}

impl LayoutTarReader {
    /// A reader that refuses more than `entries_max` entries ([`LAYOUT_TAR_ENTRIES_MAX`] is
    /// the usual bound).
    #[must_use]
    pub fn new(entries_max: u64) -> Self {
        Self {
            entries_max,
            entries: 0,
            state: ReadState::Header(Vec::with_capacity(BLOCK)),
            long_name: None,
            pax_path: None,
            pax_size: None,
            files: BTreeSet::new(),
            nested: false,
            failed: None,
        }
    }

    /// Takes the next piece of the archive and returns what it holds: files beginning, their
    /// bytes (ranges of `data`) and their ends. Bytes after the archive's end block are not
    /// read.
    ///
    /// # Errors
    /// [`Error::ArchiveUnsafe`], [`Error::ArchiveInvalid`], [`Error::LimitExceeded`] (see the
    /// module docs); [`Error::OperationMisuse`] after [`finish`](Self::finish).
    pub fn feed(&mut self, data: &[u8]) -> Result<Vec<LayoutTarEvent>, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let mut events = Vec::new();
        match self.take(data, &mut events) {
            Ok(()) => Ok(events),
            Err(error) => {
                self.failed = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Ends the archive: checks it is not cut short (an archive may end at an entry's end
    /// without its zero blocks) and that no file lies under another file's path.
    ///
    /// # Errors
    /// [`Error::ArchiveInvalid`] for a cut archive; [`Error::ArchiveUnsafe`] for a file under
    /// another; [`Error::OperationMisuse`] when called twice.
    pub fn finish(&mut self) -> Result<(), Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = match std::mem::replace(&mut self.state, ReadState::Finished) {
            // An archive may end without its zero blocks, at an entry's end.
            ReadState::Header(block)
                if block.is_empty() && self.long_name.is_none() && self.pax_path.is_none() =>
            {
                self.check_nested()
            }
            ReadState::Content {
                remaining: 0,
                padding: 0,
                ..
            } if self.long_name.is_none() && self.pax_path.is_none() => self.check_nested(),
            ReadState::Header(_) | ReadState::Content { remaining: 0, .. } => {
                Err(invalid("the archive is cut short in a header"))
            }
            ReadState::Extension { .. } | ReadState::Content { .. } => {
                Err(invalid("the archive is cut short in an entry's content"))
            }
            ReadState::End => Ok(()),
            ReadState::Finished => Err(Error::OperationMisuse {
                reason: "LayoutTarReader::finish called twice".to_owned(),
            }),
        };
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }

    fn take(&mut self, data: &[u8], events: &mut Vec<LayoutTarEvent>) -> Result<(), Error> {
        let mut at = 0;
        while at < data.len() {
            let rest = &data[at..];
            match &mut self.state {
                ReadState::Header(block) => {
                    let n = (BLOCK - block.len()).min(rest.len());
                    block.extend_from_slice(&rest[..n]);
                    at += n;
                    if block.len() == BLOCK {
                        let full: [u8; BLOCK] = block
                            .as_slice()
                            .try_into()
                            .map_err(|_| invalid("a header block"))?;
                        block.clear();
                        self.header(&full, events)?;
                    }
                }
                ReadState::Extension {
                    kind,
                    data: extension,
                    size,
                    padding,
                } => {
                    let n = (*size - extension.len()).min(rest.len());
                    extension.extend_from_slice(&rest[..n]);
                    at += n;
                    if extension.len() == *size {
                        let (kind, padding) = (*kind, *padding);
                        let extension = std::mem::take(extension);
                        self.state = ReadState::Content {
                            remaining: 0,
                            padding,
                            emit: false,
                        };
                        self.extension(kind, extension)?;
                    }
                }
                ReadState::Content {
                    remaining,
                    padding,
                    emit,
                } => {
                    if *remaining > 0 {
                        let n = usize::try_from(*remaining)
                            .unwrap_or(usize::MAX)
                            .min(rest.len());
                        if *emit {
                            events.push(LayoutTarEvent::Data(at..at + n));
                        }
                        *remaining -= n as u64;
                        at += n;
                        if *remaining == 0 && *emit {
                            events.push(LayoutTarEvent::FileEnd);
                            *emit = false;
                        }
                    } else {
                        let n = usize::try_from(*padding)
                            .unwrap_or(usize::MAX)
                            .min(rest.len());
                        *padding -= n as u64;
                        at += n;
                    }
                    if let ReadState::Content {
                        remaining: 0,
                        padding: 0,
                        ..
                    } = self.state
                    {
                        self.state = ReadState::Header(Vec::with_capacity(BLOCK));
                    }
                }
                ReadState::End => at = data.len(),
                ReadState::Finished => {
                    return Err(Error::OperationMisuse {
                        reason: "LayoutTarReader::feed after finish".to_owned(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Acts on one header block.
    fn header(
        &mut self,
        block: &[u8; BLOCK],
        events: &mut Vec<LayoutTarEvent>,
    ) -> Result<(), Error> {
        if is_zero_block(block) {
            self.state = ReadState::End;
            return self.check_nested();
        }
        let header = decode_header(block)?;
        self.entries += 1;
        if self.entries > self.entries_max {
            return Err(Error::LimitExceeded {
                limit: "entries of a layout tar".to_owned(),
                max: self.entries_max,
                value: self.entries,
                setting: "OciLayout.MAX_TAR_ENTRIES".to_owned(),
            });
        }
        let regular = matches!(
            header.typeflag,
            flag::REGULAR | flag::REGULAR_OLD | flag::CONTIGUOUS
        );
        let size = if regular { self.pax_size.take() } else { None }.unwrap_or(header.size);
        let padding = size
            .checked_next_multiple_of(BLOCK as u64)
            .ok_or_else(|| invalid("the archive is cut short in an entry's content"))?
            - size;
        let skip = ReadState::Content {
            remaining: size,
            padding,
            emit: false,
        };
        match header.typeflag {
            flag::PAX_LOCAL | flag::GNU_LONG_NAME => {
                // Held until its entry comes: bounded, as in directory layers.
                if size > EXTENSION_MAX {
                    return Err(Error::LimitExceeded {
                        limit: "bytes of a tar extended header".to_owned(),
                        max: EXTENSION_MAX,
                        value: size,
                        setting: "(fixed)".to_owned(),
                    });
                }
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                self.state = ReadState::Extension {
                    kind: header.typeflag,
                    data: Vec::with_capacity(size),
                    size,
                    padding,
                };
                if size == 0 {
                    self.state = ReadState::Content {
                        remaining: 0,
                        padding,
                        emit: false,
                    };
                    self.extension(header.typeflag, Vec::new())?;
                }
                return Ok(());
            }
            flag::PAX_GLOBAL | flag::GNU_LONG_LINK => {
                self.state = skip;
                return Ok(());
            }
            _ => {}
        }
        let name = self
            .pax_path
            .take()
            .or(self.long_name.take())
            .unwrap_or(header.name);
        self.pax_size = None;
        let name = String::from_utf8(name).map_err(|_| invalid("an entry's name is not UTF-8"))?;
        let mut path = name.as_str();
        while let Some(rest) = path.strip_prefix("./") {
            path = rest;
        }
        let refused = match header.typeflag {
            _ if regular => None,
            flag::DIRECTORY => {
                let directory = path.trim_end_matches('/');
                if !directory.is_empty() && directory != "." {
                    components(directory).map_err(|reason| unsafe_path(&name, reason))?;
                }
                self.state = skip;
                return Ok(());
            }
            flag::SYMLINK => Some("a symbolic link (a layout tar holds regular files only)"),
            flag::HARD_LINK => Some("a hard link (a layout tar holds regular files only)"),
            flag::CHAR_DEVICE | flag::BLOCK_DEVICE => Some("a device"),
            flag::FIFO => Some("a FIFO"),
            _ => Some("an entry type a layout tar does not hold"),
        };
        if let Some(reason) = refused {
            return Err(unsafe_path(&name, reason));
        }
        components(path).map_err(|reason| unsafe_path(&name, reason))?;
        if self.files.contains(path) {
            return Err(unsafe_path(
                &name,
                "appears twice (tools differ on which copy they keep)",
            ));
        }
        // A file under another's path cannot be extracted; the archive is refused at its end,
        // and the host is not asked to create the second of the two.
        self.nested = self.nested || self.is_nested(path);
        self.files.insert(path.to_owned());
        let emit = !self.nested;
        if emit {
            events.push(LayoutTarEvent::File {
                path: path.to_owned(),
                size,
            });
            if size == 0 {
                events.push(LayoutTarEvent::FileEnd);
            }
        }
        self.state = ReadState::Content {
            remaining: size,
            padding,
            emit: emit && size > 0,
        };
        if size == 0 && padding == 0 {
            self.state = ReadState::Header(Vec::with_capacity(BLOCK));
        }
        Ok(())
    }

    /// Takes a PAX header's or GNU long name's data.
    fn extension(&mut self, kind: u8, data: Vec<u8>) -> Result<(), Error> {
        if kind == flag::PAX_LOCAL {
            let records = parse_pax(&data)?;
            self.pax_path = records.path;
            self.pax_size = records.size;
        } else {
            let mut name = data;
            while name.last() == Some(&0) {
                name.pop();
            }
            self.long_name = Some(name);
        }
        if let ReadState::Content {
            remaining: 0,
            padding: 0,
            ..
        } = self.state
        {
            self.state = ReadState::Header(Vec::with_capacity(BLOCK));
        }
        Ok(())
    }

    /// Whether `path` lies under a file seen before, or a file seen before lies under it.
    fn is_nested(&self, path: &str) -> bool {
        let under = format!("{path}/");
        path.match_indices('/')
            .any(|(i, _)| self.files.contains(&path[..i]))
            || self
                .files
                .range(under.clone()..)
                .next()
                .is_some_and(|other| other.starts_with(&under))
    }

    /// Refuses a file that is also a directory of another (`a` and `a/b`), naming the first
    /// such pair by path.
    fn check_nested(&self) -> Result<(), Error> {
        if !self.nested {
            return Ok(());
        }
        for path in &self.files {
            let under = format!("{path}/");
            if let Some(other) = self.files.range(under.clone()..).next()
                && other.starts_with(&under)
            {
                return Err(unsafe_path(
                    other,
                    &format!("lies under {path}, which is a file of the archive"),
                ));
            }
        }
        Ok(())
    }
}

/// The regular files of a layout tar held in memory: each path (without a leading `./`) and
/// where its content lies in `bytes` (an empty range for an empty file), sorted by path —
/// [`LayoutTarReader`] fed the whole archive at once.
///
/// # Errors
/// See the module docs: [`Error::ArchiveUnsafe`], [`Error::ArchiveInvalid`],
/// [`Error::LimitExceeded`] past `entries_max` entries.
pub fn read_layout_tar(
    bytes: &[u8],
    entries_max: u64,
) -> Result<BTreeMap<String, Range<usize>>, Error> {
    let mut reader = LayoutTarReader::new(entries_max);
    let mut files = BTreeMap::new();
    let mut current: Option<(String, Range<usize>)> = None;
    for event in reader.feed(bytes)? {
        match event {
            LayoutTarEvent::File { path, .. } => current = Some((path, 0..0)),
            LayoutTarEvent::Data(range) => {
                if let Some((_, content)) = current.as_mut() {
                    // One piece fed: the file's bytes are one run of `bytes`.
                    *content = if content.end == 0 {
                        range
                    } else {
                        content.start..range.end
                    };
                }
            }
            LayoutTarEvent::FileEnd => {
                if let Some((path, content)) = current.take() {
                    files.insert(path, content);
                }
            }
        }
    }
    reader.finish()?;
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
