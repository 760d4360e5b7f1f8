//! Packing a directory into a reproducible tar+gzip layer (the rules: the module docs).

use std::io::Write;

use flate2::{Compression, GzBuilder, write::GzEncoder};

use super::paths::{self, Node, Nodes, sort_key};
use super::tar::{self, HeaderFields, flag};
use super::{
    ANNOTATION_CONTENT_DIGEST, ANNOTATION_UNPACK, EntryKind, LAYER_MEDIA_TYPE, Mtimes, PackOptions,
    TreeEntry,
};
use crate::annotations::TITLE;
use crate::digest::{Algorithm, Digester};
use crate::{Descriptor, Digest, Error, MediaType};

/// The deflate level: one level, so that the bytes are the same everywhere.
const LEVEL: u32 = 6;
/// The tar is compressed in pieces of exactly this size, whatever pieces the host gives, so
/// that the compressed bytes cannot depend on how the host read its files.
const STAGE: usize = 64 * 1024;
/// gzip's OS byte: 255, "unknown" (Go's `compress/gzip` writes it too).
const OS_UNKNOWN: u8 = 255;

/// A directory being packed into a tar+gzip layer, one step at a time (see the module docs
/// for the host's loop). Errors are sticky: after one, every call returns it again.
#[derive(Debug)]
pub struct DirectoryPacker {
    name: String,
    /// The entries in archive order (sorted, implied directories added), without the root.
    entries: Vec<TreeEntry>,
    root_mode: u32,
    root_mtime: u64,
    options: PackOptions,
    /// The next entry whose header is not written yet; `None` before the root's header.
    next: Option<usize>,
    /// The file being written: its index and the bytes still expected.
    current: Option<(usize, u64)>,
    staging: Vec<u8>,
    encoder: Option<GzEncoder<Vec<u8>>>,
    tar: Digester,
    gzip: Digester,
    failed: Option<Error>,
}

/// A packed directory: the last gzip bytes and the layer's descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedDirectory {
    /// The gzip bytes not taken yet with [`DirectoryPacker::take_output`].
    pub output: Vec<u8>,
    /// The layer: `application/vnd.oci.image.layer.v1.tar+gzip`, the gzip's digest and size,
    /// the title and the two ORAS annotations.
    pub descriptor: Descriptor,
    /// The digest of the uncompressed tar (`io.deis.oras.content.digest`).
    pub content_digest: Digest,
    /// The size of the uncompressed tar.
    pub content_size: u64,
}

impl DirectoryPacker {
    /// Starts packing the directory `name` with `entries` (in any order).
    ///
    /// # Errors
    /// [`Error::ArchiveInvalid`] for a name that is not a portable relative path, or an
    /// entry path that is not a relative `/`-separated path without `.` or `..` components,
    /// appears twice or lies under a file; [`Error::ArchiveUnsafe`] for a symbolic link whose
    /// target is absolute, leads out of the directory or passes through another link.
    pub fn new(name: &str, entries: Vec<TreeEntry>, options: PackOptions) -> Result<Self, Error> {
        let invalid = |path: &str, reason: &str| Error::ArchiveInvalid {
            reason: format!("the entry {path:?} {reason}"),
        };
        // The name is the layer's title and every entry's prefix: a portable relative path
        // (ORAS titles `oras push ref a/b` "a/b"), without `.` or `..` components.
        crate::pack::check_title(name)
            .ok()
            .and_then(|()| paths::components(name).ok())
            .ok_or_else(|| Error::ArchiveInvalid {
                reason: format!("{name:?} is not a portable relative directory path"),
            })?;
        let fixed = match options.mtimes {
            Mtimes::Fixed(time) => time,
            Mtimes::Real => 0,
        };
        let mut root_mode = 0o755;
        let mut root_mtime = fixed;
        let mut nodes = Nodes::default();
        nodes
            .add(name, Node::Directory)
            .map_err(|reason| invalid(name, &reason))?;
        let mut listed = Vec::with_capacity(entries.len());
        for entry in entries {
            if entry.path.is_empty() || entry.path == "." {
                if entry.kind != EntryKind::Directory {
                    return Err(invalid("", "(the directory itself) must be a directory"));
                }
                root_mode = entry.mode;
                root_mtime = entry.mtime;
                continue;
            }
            paths::components(&entry.path).map_err(|reason| invalid(&entry.path, reason))?;
            let node = match entry.kind {
                EntryKind::File { .. } => Node::File,
                EntryKind::Directory => Node::Directory,
                EntryKind::Symlink { .. } => Node::Symlink,
            };
            let full = format!("{name}/{}", entry.path);
            if nodes.get(&full) == Some(Node::Directory) && node == Node::Directory {
                // Listed after one of its contents made it implied: keep the listed one.
                listed.retain(|e: &TreeEntry| e.path != entry.path);
            } else {
                nodes
                    .add(&full, node)
                    .map_err(|reason| invalid(&entry.path, &reason))?;
            }
            listed.push(entry);
        }
        for entry in &listed {
            if let EntryKind::Symlink { target } = &entry.kind {
                let full = format!("{name}/{}", entry.path);
                nodes
                    .check_link(name, &full, target)
                    .map_err(|reason| paths::unsafe_entry(&entry.path, reason))?;
            }
        }
        // Directories implied by listed entries but not listed themselves.
        let mut implied: Vec<TreeEntry> = Vec::new();
        {
            let have: std::collections::HashSet<&str> =
                listed.iter().map(|e| e.path.as_str()).collect();
            let mut seen = std::collections::HashSet::new();
            for entry in &listed {
                let mut end = 0;
                while let Some(slash) = entry.path[end..].find('/') {
                    let parent = &entry.path[..end + slash];
                    if !have.contains(parent) && seen.insert(parent.to_owned()) {
                        implied.push(TreeEntry {
                            path: parent.to_owned(),
                            kind: EntryKind::Directory,
                            mode: 0o755,
                            mtime: fixed,
                        });
                    }
                    end += slash + 1;
                }
            }
        }
        listed.extend(implied);
        listed.sort_by_cached_key(|entry| sort_key(&entry.path));
        let algorithm = Algorithm::parse("sha256")?;
        let encoder = GzBuilder::new()
            .operating_system(OS_UNKNOWN)
            .write(Vec::new(), Compression::new(LEVEL));
        Ok(Self {
            name: name.to_owned(),
            entries: listed,
            root_mode,
            root_mtime,
            options,
            next: None,
            current: None,
            staging: Vec::new(),
            encoder: Some(encoder),
            tar: Digester::new(&algorithm)?,
            gzip: Digester::new(&algorithm)?,
            failed: None,
        })
    }

    /// The entries in the order they are archived (without the directory itself), directories
    /// the host did not list included.
    pub fn entries(&self) -> &[TreeEntry] {
        &self.entries
    }

    /// Ends the file being written (if any) and writes the headers up to the next file; returns
    /// that file, whose bytes [`write`](Self::write) takes next, or `None` when no file is left.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] when the file before was given fewer bytes than its size.
    pub fn next_file(&mut self) -> Result<Option<TreeEntry>, Error> {
        self.sticky(|this| this.advance())
    }

    /// Takes the next piece of the current file's bytes.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] when the file gets more bytes than its size;
    /// [`Error::OperationMisuse`] when no file is being written.
    pub fn write(&mut self, data: &[u8]) -> Result<(), Error> {
        self.sticky(|this| {
            let Some((index, remaining)) = this.current.as_mut() else {
                return Err(Error::OperationMisuse {
                    reason: "DirectoryPacker::write without a file (call next_file first)"
                        .to_owned(),
                });
            };
            let given = data.len() as u64;
            if given > *remaining {
                let size = match this.entries[*index].kind {
                    EntryKind::File { size } => size,
                    _ => 0,
                };
                return Err(Error::SizeMismatch {
                    expected: size,
                    actual: (size - *remaining).saturating_add(given),
                });
            }
            *remaining -= given;
            this.tar_bytes(data)
        })
    }

    /// The gzip bytes made so far and not taken yet.
    pub fn take_output(&mut self) -> Vec<u8> {
        let Some(encoder) = self.encoder.as_mut() else {
            return Vec::new();
        };
        let out = std::mem::take(encoder.get_mut());
        self.gzip.update(&out);
        out
    }

    /// Writes the entries left (no file may be left), the end of the archive and the gzip
    /// trailer, and returns the last bytes and the layer's descriptor.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] for a file given too few bytes; [`Error::OperationMisuse`] when
    /// a file was never given (every [`next_file`](Self::next_file) must be answered).
    pub fn finish(mut self) -> Result<PackedDirectory, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if let Some(file) = self.advance()? {
            return Err(Error::OperationMisuse {
                reason: format!("the file {:?} was not given to the packer", file.path),
            });
        }
        self.tar_bytes(&[0; 2 * tar::BLOCK])?;
        self.flush_stage(true)?;
        let encoder = self
            .encoder
            .take()
            .ok_or_else(|| misuse("finished twice"))?;
        let tail = encoder.finish().map_err(|e| misuse(&e.to_string()))?;
        self.gzip.update(&tail);
        let content_digest = self.tar.finalize();
        let mut descriptor = Descriptor::new(
            MediaType::known(LAYER_MEDIA_TYPE),
            self.gzip.finalize(),
            self.gzip.size(),
        );
        descriptor
            .annotations
            .insert(TITLE.to_owned(), self.name.clone());
        descriptor.annotations.insert(
            ANNOTATION_CONTENT_DIGEST.to_owned(),
            content_digest.to_string(),
        );
        descriptor
            .annotations
            .insert(ANNOTATION_UNPACK.to_owned(), "true".to_owned());
        Ok(PackedDirectory {
            output: tail,
            descriptor,
            content_digest,
            content_size: self.tar.size(),
        })
    }

    fn sticky<T>(&mut self, step: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        step(self).inspect_err(|error| self.failed = Some(error.clone()))
    }

    fn advance(&mut self) -> Result<Option<TreeEntry>, Error> {
        if let Some((index, remaining)) = self.current.take() {
            if remaining > 0 {
                let size = match self.entries[index].kind {
                    EntryKind::File { size } => size,
                    _ => 0,
                };
                return Err(Error::SizeMismatch {
                    expected: size,
                    actual: size - remaining,
                });
            }
            let padding =
                (tar::BLOCK - (size_of_file(&self.entries[index]) % 512) as usize) % tar::BLOCK;
            self.tar_bytes(&[0; tar::BLOCK][..padding])?;
        }
        let mut next = match self.next {
            Some(next) => next,
            None => {
                let root = format!("{}/", self.name);
                let mode = self.mode(self.root_mode, true);
                let mtime = self.mtime(self.root_mtime);
                self.header(&root, flag::DIRECTORY, mode, 0, mtime, "")?;
                0
            }
        };
        while let Some(entry) = self.entries.get(next).cloned() {
            next += 1;
            self.next = Some(next);
            let path = format!("{}/{}", self.name, entry.path);
            let mtime = self.mtime(entry.mtime);
            match &entry.kind {
                EntryKind::Directory => {
                    let mode = self.mode(entry.mode, true);
                    self.header(&format!("{path}/"), flag::DIRECTORY, mode, 0, mtime, "")?;
                }
                EntryKind::Symlink { target } => {
                    self.header(&path, flag::SYMLINK, 0o777, 0, mtime, target)?;
                }
                EntryKind::File { size } => {
                    let mode = self.mode(entry.mode, false);
                    self.header(&path, flag::REGULAR, mode, *size, mtime, "")?;
                    self.current = Some((next - 1, *size));
                    return Ok(Some(entry));
                }
            }
        }
        self.next = Some(next);
        Ok(None)
    }

    fn mode(&self, given: u32, directory: bool) -> u32 {
        if self.options.keep_modes {
            given & 0o777
        } else if directory || given & 0o111 != 0 {
            0o755
        } else {
            0o644
        }
    }

    fn mtime(&self, real: u64) -> u64 {
        match self.options.mtimes {
            Mtimes::Fixed(time) => time,
            Mtimes::Real => real,
        }
    }

    fn header(
        &mut self,
        path: &str,
        typeflag: u8,
        mode: u32,
        size: u64,
        mtime: u64,
        link: &str,
    ) -> Result<(), Error> {
        let bytes = tar::encode_header(&HeaderFields {
            path,
            typeflag,
            mode,
            size,
            mtime,
            link,
        });
        self.tar_bytes(&bytes)
    }

    fn tar_bytes(&mut self, data: &[u8]) -> Result<(), Error> {
        self.tar.update(data);
        self.staging.extend_from_slice(data);
        self.flush_stage(false)
    }

    /// Compresses the staged tar in pieces of exactly [`STAGE`] bytes (and, at the end, the
    /// rest).
    fn flush_stage(&mut self, all: bool) -> Result<(), Error> {
        let encoder = self.encoder.as_mut().ok_or_else(|| misuse("finished"))?;
        let mut start = 0;
        while self.staging.len() - start >= STAGE || (all && start < self.staging.len()) {
            let end = (start + STAGE).min(self.staging.len());
            encoder
                .write_all(&self.staging[start..end])
                .map_err(|e| misuse(&e.to_string()))?;
            start = end;
        }
        self.staging.drain(..start);
        Ok(())
    }
}

fn size_of_file(entry: &TreeEntry) -> u64 {
    match entry.kind {
        EntryKind::File { size } => size,
        _ => 0,
    }
}

fn misuse(reason: &str) -> Error {
    Error::OperationMisuse {
        reason: format!("directory packer: {reason}"),
    }
}
