//! Unpacking a directory layer safely: the host feeds the layer's bytes, the unpacker checks
//! every entry and says what to create (the rules: the module docs).

use std::io::{self, Write};

use flate2::write::MultiGzDecoder;

use super::paths::{self, Node, Nodes, unsafe_entry};
use super::tar::{self, PaxRecords, flag};
use super::{ANNOTATION_CONTENT_DIGEST, should_unpack};
use crate::annotations::TITLE;
use crate::digest::{Algorithm, Digester};
use crate::{Descriptor, Digest, Error};

/// Bounds on what unpacking one layer may produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    /// The most bytes the uncompressed tar may have (default 8 GiB).
    pub max_size: u64,
    /// The most entries the archive may have (default 100,000).
    pub max_entries: u64,
    /// The largest ratio of uncompressed to compressed bytes (default 250), checked once the
    /// tar is past 16 MiB: deflate reaches about 1,000 on zeros, a gzip bomb's ratio.
    pub max_ratio: u64,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        Self {
            max_size: 8 << 30,
            max_entries: 100_000,
            max_ratio: 250,
        }
    }
}

/// Uncompressed bytes below which the compression ratio is not checked.
const RATIO_FLOOR: u64 = 16 << 20;

/// One entry to create, its path relative to the output directory (`title/…`, no trailing
/// slash; the host creates missing parent directories as directories).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// Where the entry goes, under the output directory: the title's directory or a path
    /// inside it, `/`-separated, checked to stay there.
    pub path: String,
    /// What to create.
    pub data: EntryData,
    /// Permission bits to give it (`0o777` at most; directories always have `0o700`; setuid
    /// and setgid are refused and the sticky bit dropped). Symbolic links have none.
    pub mode: u32,
}

/// What an [`ArchiveEntry`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryData {
    /// A regular file of this size; its bytes follow as [`UnpackEvent::Data`].
    File {
        /// Its size in bytes.
        size: u64,
    },
    /// A directory (it may already exist).
    Directory,
    /// A symbolic link with this target (relative, checked to stay inside the title's
    /// directory). Links come after every other entry, when the archive has been read whole.
    Symlink {
        /// The target, as the link holds it.
        target: String,
    },
    /// A hard link to a file this archive created before (its path, like
    /// [`ArchiveEntry::path`]): link it, or copy it.
    HardLink {
        /// The earlier file.
        target: String,
    },
}

/// What the unpacker tells the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpackEvent {
    /// Create this entry.
    Entry(ArchiveEntry),
    /// The next bytes of the last file entry.
    Data(Vec<u8>),
    /// The archive is whole, checked and verified: move what was written into place.
    End(UnpackSummary),
}

/// What an unpacked archive held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackSummary {
    /// The digest of the uncompressed tar (verified against the layer's
    /// `io.deis.oras.content.digest` when it has one).
    pub content_digest: Digest,
    /// The size of the uncompressed tar.
    pub content_size: u64,
    /// How many entries were created.
    pub entries: u64,
}

/// A directory layer being unpacked: the host [`feed`](Self::feed)s its bytes in pieces, then
/// calls [`finish`](Self::finish), and creates what the events say, in order. Errors are
/// sticky: after one, every call returns it again.
#[derive(Debug)]
pub struct Unpacker {
    decoder: Option<MultiGzDecoder<TarReader>>,
    failed: Option<Error>,
}

impl Unpacker {
    /// An unpacker for the directory `title` (every entry must lie under it), verifying the
    /// uncompressed tar against `content_digest` when given.
    ///
    /// # Errors
    /// [`Error::ArchiveInvalid`] for a title that is not a relative path without `.` or `..`;
    /// [`Error::DigestUnsupported`] for a digest ocikit cannot compute.
    pub fn new(
        title: &str,
        content_digest: Option<Digest>,
        limits: UnpackLimits,
    ) -> Result<Self, Error> {
        let title = title.trim_end_matches('/');
        paths::components(title).map_err(|reason| Error::ArchiveInvalid {
            reason: format!("the title {title:?} {reason}"),
        })?;
        let algorithm = match &content_digest {
            Some(digest) => digest.algorithm().clone(),
            None => Algorithm::parse("sha256")?,
        };
        let reader = TarReader {
            title: title.to_owned(),
            expected: content_digest,
            digester: Digester::new(&algorithm)?,
            limits,
            compressed: 0,
            total: 0,
            parsed: 0,
            state: State::Header(Vec::with_capacity(tar::BLOCK)),
            extension: Extension::default(),
            nodes: Nodes::default(),
            links: Vec::new(),
            events: Vec::new(),
            entries: 0,
            allow_git: false,
            error: None,
        };
        Ok(Self {
            decoder: Some(MultiGzDecoder::new(reader)),
            failed: None,
        })
    }

    /// An unpacker for a pulled layer: its title and `io.deis.oras.content.digest`.
    ///
    /// # Errors
    /// [`Error::ArchiveInvalid`] for a layer [`should_unpack`] does not take as a directory;
    /// [`Error::DigestInvalid`] for a content digest that is not one; what [`new`](Self::new)
    /// returns.
    pub fn for_layer(descriptor: &Descriptor, limits: UnpackLimits) -> Result<Self, Error> {
        if !should_unpack(descriptor) {
            return Err(Error::ArchiveInvalid {
                reason: "the layer is not a directory (no title, or not to be unpacked)".to_owned(),
            });
        }
        let title = descriptor
            .annotations
            .get(TITLE)
            .map(String::as_str)
            .unwrap_or_default();
        let digest = descriptor
            .annotations
            .get(ANNOTATION_CONTENT_DIGEST)
            .map(|text| Digest::parse(text))
            .transpose()?;
        Self::new(title, digest, limits)
    }

    /// Allows entries with a `.git` path component (refused by default with
    /// [`Error::PathUnsafe`], the rule of pulled titles: a `.git/config` or `.git/hooks/…`
    /// written by a pull would make the next `git` command there run what the artifact says).
    #[must_use]
    pub fn allow_git_paths(mut self, allow: bool) -> Self {
        if let Some(decoder) = self.decoder.as_mut() {
            decoder.get_mut().allow_git = allow;
        }
        self
    }

    /// Takes the next piece of the layer's (compressed) bytes and returns what to create.
    ///
    /// # Errors
    /// [`Error::ArchiveUnsafe`], [`Error::ArchiveInvalid`], [`Error::LimitExceeded`] (see the
    /// module docs); [`Error::OperationMisuse`] after [`finish`](Self::finish).
    pub fn feed(&mut self, mut data: &[u8]) -> Result<Vec<UnpackEvent>, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let Some(decoder) = self.decoder.as_mut() else {
            return Err(self.fail(Error::OperationMisuse {
                reason: "Unpacker::feed after finish".to_owned(),
            }));
        };
        decoder.get_mut().compressed += data.len() as u64;
        while !data.is_empty() {
            match decoder.write(data) {
                Ok(0) => {
                    return Err(self.fail(invalid("the gzip stream does not take more bytes")));
                }
                Ok(n) => data = &data[n..],
                Err(error) => {
                    let error = decoder
                        .get_mut()
                        .error
                        .take()
                        .unwrap_or_else(|| gzip_error(&error));
                    return Err(self.fail(error));
                }
            }
        }
        Ok(std::mem::take(&mut decoder.get_mut().events))
    }

    /// Ends the layer's bytes: checks the gzip trailer and the end of the archive, returns the
    /// events left (the symbolic links), then verifies the content digest and ends with
    /// [`UnpackEvent::End`].
    ///
    /// # Errors
    /// [`Error::ArchiveInvalid`] for a cut or corrupt stream; [`Error::ArchiveUnsafe`] for a
    /// link that leads out; [`Error::DigestMismatch`] when the tar is not the one annotated.
    pub fn finish(&mut self) -> Result<Vec<UnpackEvent>, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let Some(mut decoder) = self.decoder.take() else {
            return Err(self.fail(Error::OperationMisuse {
                reason: "Unpacker::finish called twice".to_owned(),
            }));
        };
        if let Err(error) = decoder.try_finish() {
            let error = decoder
                .get_mut()
                .error
                .take()
                .unwrap_or_else(|| gzip_error(&error));
            return Err(self.fail(error));
        }
        let reader = decoder.get_mut();
        match reader.end() {
            Ok(events) => Ok(events),
            Err(error) => Err(self.fail(error)),
        }
    }

    fn fail(&mut self, error: Error) -> Error {
        self.decoder = None;
        self.failed = Some(error.clone());
        error
    }
}

fn gzip_error(error: &io::Error) -> Error {
    invalid(&format!("not a whole gzip stream ({error})"))
}

fn invalid(reason: &str) -> Error {
    Error::ArchiveInvalid {
        reason: reason.to_owned(),
    }
}

/// Where the tar reader is in the stream.
#[derive(Debug)]
enum State {
    /// Collecting a header block.
    Header(Vec<u8>),
    /// Collecting an extended header's data (`kind` is its type flag), then its padding.
    Extension { kind: u8, data: Vec<u8>, size: u64 },
    /// Passing on a file's bytes (`emit`) or skipping them, then `padding` bytes.
    Data {
        remaining: u64,
        padding: u64,
        emit: bool,
    },
    /// After the first zero block: the rest must be zeros.
    End,
}

/// Extended header values waiting for the entry they describe.
#[derive(Debug, Default)]
struct Extension {
    pax: Option<PaxRecords>,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
}

/// The decompressed side: parses the tar as the bytes come and queues events.
#[derive(Debug)]
struct TarReader {
    title: String,
    expected: Option<Digest>,
    digester: Digester,
    limits: UnpackLimits,
    compressed: u64,
    total: u64,
    /// Bytes of the tar up to the end of the header being decoded: an entry's size is checked
    /// against what is left of `max_size` after them (`total` already counts the rest of the
    /// piece, which may be the entry's own data).
    parsed: u64,
    state: State,
    extension: Extension,
    nodes: Nodes,
    /// Symbolic links (path, target), created last.
    links: Vec<(String, String)>,
    events: Vec<UnpackEvent>,
    entries: u64,
    /// Whether entries may have a `.git` component.
    allow_git: bool,
    /// The error that stopped the stream (the decoder only passes on an `io::Error`).
    error: Option<Error>,
}

impl Write for TarReader {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.take(buf) {
            Ok(()) => Ok(buf.len()),
            Err(error) => {
                self.error = Some(error);
                Err(io::Error::other("archive refused"))
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TarReader {
    fn take(&mut self, mut buf: &[u8]) -> Result<(), Error> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.digester.update(buf);
        let start = self.total;
        let length = buf.len();
        self.total += length as u64;
        if self.total > self.limits.max_size {
            return Err(limit(
                "bytes of an unpacked archive",
                self.limits.max_size,
                self.total,
                "max_size",
            ));
        }
        if self.total > RATIO_FLOOR && self.total / self.compressed.max(1) > self.limits.max_ratio {
            return Err(limit(
                "compression ratio of an archive (uncompressed / compressed bytes)",
                self.limits.max_ratio,
                self.total / self.compressed.max(1),
                "max_ratio",
            ));
        }
        while !buf.is_empty() {
            match &mut self.state {
                State::Header(block) => {
                    let n = (tar::BLOCK - block.len()).min(buf.len());
                    block.extend_from_slice(&buf[..n]);
                    buf = &buf[n..];
                    if block.len() == tar::BLOCK {
                        let full: [u8; tar::BLOCK] = block
                            .as_slice()
                            .try_into()
                            .map_err(|_| invalid("a header block"))?;
                        block.clear();
                        self.parsed = start + (length - buf.len()) as u64;
                        self.header(&full)?;
                    }
                }
                State::Extension { kind, data, size } => {
                    let padded = size.next_multiple_of(tar::BLOCK as u64);
                    let have = data.len() as u64;
                    let n =
                        usize::try_from((padded - have).min(buf.len() as u64)).unwrap_or(buf.len());
                    data.extend_from_slice(&buf[..n]);
                    buf = &buf[n..];
                    if data.len() as u64 == padded {
                        let (kind, size) = (*kind, *size);
                        let mut data = std::mem::take(data);
                        data.truncate(usize::try_from(size).unwrap_or(data.len()));
                        self.state = State::Header(Vec::with_capacity(tar::BLOCK));
                        self.extension_done(kind, data)?;
                    }
                }
                State::Data {
                    remaining,
                    padding,
                    emit,
                } => {
                    if *remaining > 0 {
                        let n = usize::try_from((*remaining).min(buf.len() as u64))
                            .unwrap_or(buf.len());
                        if *emit {
                            self.events.push(UnpackEvent::Data(buf[..n].to_vec()));
                        }
                        *remaining -= n as u64;
                        buf = &buf[n..];
                    } else {
                        let n =
                            usize::try_from((*padding).min(buf.len() as u64)).unwrap_or(buf.len());
                        *padding -= n as u64;
                        buf = &buf[n..];
                    }
                    if let State::Data {
                        remaining: 0,
                        padding: 0,
                        ..
                    } = self.state
                    {
                        self.state = State::Header(Vec::with_capacity(tar::BLOCK));
                    }
                }
                State::End => {
                    if !tar::is_zero_block(buf) {
                        return Err(invalid("the archive has data after its end"));
                    }
                    buf = &[];
                }
            }
        }
        Ok(())
    }

    fn header(&mut self, block: &[u8; tar::BLOCK]) -> Result<(), Error> {
        if tar::is_zero_block(block) {
            if self.extension.pax.is_some()
                || self.extension.long_name.is_some()
                || self.extension.long_link.is_some()
            {
                return Err(invalid("an extended header without its entry"));
            }
            self.state = State::End;
            return Ok(());
        }
        let raw = tar::decode_header(block)?;
        let size = self
            .extension
            .pax
            .as_ref()
            .and_then(|pax| pax.size)
            .filter(|_| !is_extension(raw.typeflag))
            .unwrap_or(raw.size);
        if size > self.limits.max_size.saturating_sub(self.parsed) {
            return Err(limit(
                "bytes of an unpacked archive",
                self.limits.max_size,
                self.parsed.saturating_add(size),
                "max_size",
            ));
        }
        if is_extension(raw.typeflag) {
            if size > tar::EXTENSION_MAX {
                return Err(limit(
                    "bytes of a tar extended header",
                    tar::EXTENSION_MAX,
                    size,
                    "(fixed)",
                ));
            }
            if size == 0 {
                return self.extension_done(raw.typeflag, Vec::new());
            }
            self.state = State::Extension {
                kind: raw.typeflag,
                data: Vec::new(),
                size,
            };
            return Ok(());
        }
        let extension = std::mem::take(&mut self.extension);
        let name = extension
            .pax
            .as_ref()
            .and_then(|pax| pax.path.clone())
            .or(extension.long_name)
            .unwrap_or(raw.name);
        let link = extension
            .pax
            .and_then(|pax| pax.linkpath)
            .or(extension.long_link)
            .unwrap_or(raw.link);
        let name = String::from_utf8(name).map_err(|_| invalid("an entry's path is not UTF-8"))?;
        let old_directory = raw.typeflag == flag::REGULAR_OLD && name.ends_with('/');
        let path = self.entry_path(&name)?;
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(limit(
                "entries of an unpacked archive",
                self.limits.max_entries,
                self.entries,
                "max_entries",
            ));
        }
        let mode = u32::try_from(raw.mode & 0o7777).unwrap_or(0);
        if mode & 0o6000 != 0 {
            return Err(unsafe_entry(
                &path,
                format!("has the setuid or setgid bit (mode {mode:04o})"),
            ));
        }
        let mode = mode & 0o777;
        let padding = size
            .checked_next_multiple_of(tar::BLOCK as u64)
            .ok_or_else(|| invalid("an entry's size is too large"))?
            - size;
        let text = |bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(|_| invalid("a link target is not UTF-8"))
        };
        let (data, node) = match raw.typeflag {
            _ if old_directory => (EntryData::Directory, Node::Directory),
            flag::REGULAR | flag::REGULAR_OLD | flag::CONTIGUOUS => {
                (EntryData::File { size }, Node::File)
            }
            flag::DIRECTORY => (EntryData::Directory, Node::Directory),
            flag::SYMLINK => (
                EntryData::Symlink {
                    target: text(link)?,
                },
                Node::Symlink,
            ),
            flag::HARD_LINK => {
                let target = text(link)?;
                let target = self.entry_path(&target).map_err(|_| {
                    unsafe_entry(
                        &path,
                        format!("is a hard link to {target:?}, outside {:?}", self.title),
                    )
                })?;
                if self.nodes.get(&target) != Some(Node::File) {
                    return Err(unsafe_entry(
                        &path,
                        format!(
                            "is a hard link to {target:?}, which is not a file the archive made before"
                        ),
                    ));
                }
                (EntryData::HardLink { target }, Node::File)
            }
            flag::CHAR_DEVICE | flag::BLOCK_DEVICE => {
                return Err(unsafe_entry(&path, "is a device file"));
            }
            flag::FIFO => return Err(unsafe_entry(&path, "is a FIFO")),
            other => {
                return Err(unsafe_entry(
                    &path,
                    format!(
                        "has the entry type {:?}, which is not a file, directory or link",
                        char::from(other)
                    ),
                ));
            }
        };
        if path == self.title && node != Node::Directory {
            return Err(unsafe_entry(
                &path,
                "is the title's directory but not a directory",
            ));
        }
        self.nodes
            .add(&path, node)
            .map_err(|reason| unsafe_entry(&path, reason))?;
        let emit = matches!(data, EntryData::File { .. });
        match data {
            EntryData::Symlink { target } => self.links.push((path, target)),
            data => {
                let mode = match data {
                    EntryData::Directory => mode | 0o700,
                    _ => mode,
                };
                self.events
                    .push(UnpackEvent::Entry(ArchiveEntry { path, data, mode }));
            }
        }
        self.state = if size + padding == 0 {
            State::Header(Vec::with_capacity(tar::BLOCK))
        } else {
            State::Data {
                remaining: size,
                padding,
                emit,
            }
        };
        Ok(())
    }

    fn extension_done(&mut self, kind: u8, data: Vec<u8>) -> Result<(), Error> {
        let slot = match kind {
            flag::PAX_GLOBAL => return Ok(()), // comments and defaults: nothing ocikit uses
            flag::PAX_LOCAL => {
                let records = tar::parse_pax(&data)?;
                if self.extension.pax.replace(records).is_some() {
                    return Err(invalid("two PAX headers for one entry"));
                }
                return Ok(());
            }
            flag::GNU_LONG_NAME => &mut self.extension.long_name,
            _ => &mut self.extension.long_link,
        };
        let mut data = data;
        if let Some(end) = data.iter().position(|&b| b == 0) {
            data.truncate(end);
        }
        if slot.replace(data).is_some() {
            return Err(invalid("two GNU long names for one entry"));
        }
        Ok(())
    }

    /// An entry's name as a path under the output directory: `./` prefixes, empty and `.`
    /// components dropped; absolute, `..`, NUL and `\` refused; it must lie under the title.
    fn entry_path(&self, name: &str) -> Result<String, Error> {
        if name.starts_with('/') {
            return Err(unsafe_entry(name, "is an absolute path"));
        }
        let parts: Vec<&str> = name
            .split('/')
            .filter(|part| !part.is_empty() && *part != ".")
            .collect();
        let path = parts.join("/");
        paths::components(&path).map_err(|reason| unsafe_entry(name, reason))?;
        if !self.allow_git
            && path
                .split('/')
                .any(|c| c.eq_ignore_ascii_case(".git") || c.eq_ignore_ascii_case("git~1"))
        {
            return Err(Error::PathUnsafe {
                path: path.clone(),
                reason: "an unpacked entry may not be written into a .git directory, where git \
                         would run what it says (allow .git paths explicitly to unpack them)"
                    .to_owned(),
            });
        }
        if path != self.title && !path.starts_with(&format!("{}/", self.title)) {
            return Err(unsafe_entry(
                name,
                format!("lies outside the directory {:?}", self.title),
            ));
        }
        Ok(path)
    }

    /// After the whole stream: the archive must have ended; links are checked and given; the
    /// content digest is verified.
    fn end(&mut self) -> Result<Vec<UnpackEvent>, Error> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        match &self.state {
            State::End => {}
            State::Header(block) if block.is_empty() && self.entries > 0 => {}
            _ => return Err(invalid("the archive is cut short")),
        }
        let mut events = std::mem::take(&mut self.events);
        for (path, target) in std::mem::take(&mut self.links) {
            self.nodes
                .check_link(&self.title, &path, &target)
                .map_err(|reason| unsafe_entry(&path, reason))?;
            events.push(UnpackEvent::Entry(ArchiveEntry {
                path,
                data: EntryData::Symlink { target },
                mode: 0o777,
            }));
        }
        let actual = self.digester.finalize();
        if let Some(expected) = &self.expected
            && *expected != actual
        {
            return Err(Error::DigestMismatch {
                expected: expected.clone(),
                actual,
            });
        }
        events.push(UnpackEvent::End(UnpackSummary {
            content_digest: actual,
            content_size: self.total,
            entries: self.entries,
        }));
        Ok(events)
    }
}

fn is_extension(typeflag: u8) -> bool {
    matches!(
        typeflag,
        flag::PAX_LOCAL | flag::PAX_GLOBAL | flag::GNU_LONG_NAME | flag::GNU_LONG_LINK
    )
}

fn limit(what: &str, max: u64, value: u64, setting: &str) -> Error {
    Error::LimitExceeded {
        limit: what.to_owned(),
        max,
        value,
        setting: format!("UnpackLimits.{setting}"),
    }
}
