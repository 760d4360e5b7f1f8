//! Directories as layers: a reproducible tar+gzip archive of a directory, as ORAS pushes one,
//! and its safe unpacking on pull.
//!
//! The core reads no file. To pack, the host lists the directory ([`TreeEntry`]: relative
//! path, kind, mode, mtime, size) and then gives each file's bytes in the order the
//! [`DirectoryPacker`] asks for them; it takes the gzip bytes out as they are made and, at the
//! end, the layer's [`Descriptor`] with its digests:
//!
//! ```text
//!   host                                           ocikit-core
//!   ────                                           ───────────
//!   list the directory   ── name, entries ──▶      DirectoryPacker::new (checks, sorts)
//!   loop: packer.next_file()?            ◀──       Some(entry): the next file to read
//!     read it in pieces  ── packer.write(piece) ──▶
//!     store / upload     ◀── packer.take_output()  gzip bytes so far
//!   packer.finish()?                     ◀──       the last bytes and the layer descriptor
//! ```
//!
//! To unpack, the host feeds the layer's bytes to an [`Unpacker`] and writes what it says
//! under a temporary directory, moving it into place only when [`UnpackEvent::End`] comes (an
//! error leaves nothing half-written where the user looks):
//!
//! ```text
//!   loop: for event in unpacker.feed(chunk)?   Entry(entry) → create it; Data(bytes) → append
//!   for event in unpacker.finish()?            the deferred links, then End(summary)
//! ```
//!
//! # The archive (what makes it reproducible)
//!
//! The same tree gives the same bytes, and so the same digests, on every machine and from
//! every language:
//!
//! - **Names**: every entry lies under the directory's name (`mydir/`, `mydir/a.txt`), as the
//!   ORAS CLI and oras-py write and expect; directories end in `/`. The name is the layer's
//!   title: usually one component, or a relative path (`a/b/`, `a/b/x`: no entry for `a/`).
//! - **Order**: paths sorted component by component, byte-wise (a directory comes right before
//!   its contents: `a/`, `a/b`, `a-b`), whatever order the host listed them in. Directories the
//!   host does not list but that hold listed entries are added.
//! - **Owners**: uid and gid 0, no user or group names, device numbers 0.
//! - **Modes**: files 0644, or 0755 when the given mode has any execute bit; directories 0755;
//!   symbolic links 0777. [`PackOptions::keep_modes`] keeps the given permission bits instead
//!   (never setuid, setgid or sticky bits, which unpacking refuses).
//! - **Times**: every mtime is [`Mtimes::Fixed`] (0 by default; a host passes
//!   `SOURCE_DATE_EPOCH` here when it is set), or each entry's own with [`Mtimes::Real`].
//!   Directories the host does not list get the fixed time (0 with real times).
//! - **Format**: POSIX ustar headers; a PAX extended header (named `././@PaxHeader`) only when
//!   a path does not fit ustar's name and prefix fields or is not ASCII, when a link target
//!   is longer than 100 bytes or not ASCII, or when a size or mtime needs more than 11 octal
//!   digits. The archive ends with two zero blocks and no further padding.
//! - **Links**: symbolic links are kept as links; their targets must be relative and stay
//!   inside the directory without passing through another link. Hard links and special files
//!   (devices, FIFOs, sockets) are not packed (the host refuses them, or gives a hard-linked
//!   file as a regular file).
//! - **Compression**: gzip (RFC 1952) with a fixed header (mtime 0, no name or comment, XFL 0,
//!   OS 255 "unknown", as Go's `compress/gzip` writes), deflate level 6, the tar fed to the
//!   compressor in 64 KiB pieces whatever pieces the host gives.
//!
//! The layer is `application/vnd.oci.image.layer.v1.tar+gzip`, titled with the directory's
//! name, annotated `io.deis.oras.content.digest` (the digest of the uncompressed tar) and
//! `io.deis.oras.content.unpack: "true"`.
//!
//! # Unpacking (what is refused)
//!
//! [`should_unpack`] says which pulled layers are directories. Their entries must lie under the
//! title's directory; absolute paths, `..`, links (symbolic or hard) leading outside it or
//! through another link, entries under a link, devices, FIFOs, other entry types, setuid and
//! setgid bits, and entries that appear twice are [`Error::ArchiveUnsafe`](crate::Error::ArchiveUnsafe) (a sticky bit is
//! dropped); an archive that is not gzip or not tar, or is cut short, is
//! [`Error::ArchiveInvalid`](crate::Error::ArchiveInvalid); an entry with a `.git` component is
//! [`Error::PathUnsafe`](crate::Error::PathUnsafe) unless allowed (the rule of pulled titles);
//! more bytes or entries than [`UnpackLimits`] allow, or a
//! compression ratio above its bound (a gzip bomb), is [`Error::LimitExceeded`](crate::Error::LimitExceeded); an
//! uncompressed tar whose digest is not the layer's `io.deis.oras.content.digest` is
//! [`Error::DigestMismatch`](crate::Error::DigestMismatch).

mod pack;
pub(crate) mod paths;
pub(crate) mod tar;
mod unpack;

pub use pack::{DirectoryPacker, PackedDirectory};
pub use unpack::{ArchiveEntry, EntryData, UnpackEvent, UnpackLimits, UnpackSummary, Unpacker};

use crate::Descriptor;
use crate::annotations::TITLE;

/// The media type of a directory layer (a gzip-compressed tar).
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The annotation holding the digest of the uncompressed tar (ORAS).
pub const ANNOTATION_CONTENT_DIGEST: &str = "io.deis.oras.content.digest";
/// The annotation that asks pulls to unpack the layer (ORAS): `"true"`.
pub const ANNOTATION_UNPACK: &str = "io.deis.oras.content.unpack";

/// One entry of a directory as the host lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// The path relative to the directory, `/`-separated (`sub/a.txt`); `""` gives the
    /// directory's own mode and mtime.
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// Its permission bits as the file system gives them (`st_mode & 0o7777`).
    pub mode: u32,
    /// Its modification time, in seconds since the Unix epoch (used with [`Mtimes::Real`]).
    pub mtime: u64,
}

/// What a [`TreeEntry`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file of this many bytes.
    File {
        /// Its size in bytes: exactly this many must be given.
        size: u64,
    },
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink {
        /// The link's target, as the link holds it.
        target: String,
    },
}

/// Which modification times an archive records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mtimes {
    /// This time for every entry (seconds since the Unix epoch; `SOURCE_DATE_EPOCH`, or 0).
    Fixed(u64),
    /// Each entry's own.
    Real,
}

/// How a directory is archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackOptions {
    /// The modification times: fixed at 0 by default.
    pub mtimes: Mtimes,
    /// Keep each entry's permission bits (`mode & 0o777`) instead of normalising them.
    pub keep_modes: bool,
}

impl Default for PackOptions {
    fn default() -> Self {
        Self {
            mtimes: Mtimes::Fixed(0),
            keep_modes: false,
        }
    }
}

/// Whether a pulled layer is a directory to unpack: it says `io.deis.oras.content.unpack:
/// "true"` (the ORAS CLI's rule), or it is a titled `application/vnd.oci.image.layer.v1.tar+gzip`
/// without that annotation and its title does not name an archive file (`.tar.gz`, `.tgz`):
/// oras-py pushes directories so, without the annotation. `"false"` keeps the layer a file.
pub fn should_unpack(descriptor: &Descriptor) -> bool {
    let Some(title) = descriptor.annotations.get(TITLE) else {
        return false;
    };
    match descriptor
        .annotations
        .get(ANNOTATION_UNPACK)
        .map(String::as_str)
    {
        Some("true") => true,
        Some(_) => false,
        None => {
            let lower = title.to_ascii_lowercase();
            descriptor.media_type.as_str() == LAYER_MEDIA_TYPE
                && !lower.ends_with(".tar.gz")
                && !lower.ends_with(".tgz")
                && !lower.ends_with(".gz")
        }
    }
}
