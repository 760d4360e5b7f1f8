"""Packing artifacts: files, a type, a config and annotations into an image manifest.

The core builds the manifest (``ocikit._ocikit._pack``: the ORAS ``PackManifest`` rules, byte
for byte); this module is the host side of it: it reads and hashes files given by path, turns
``File`` and ``Config`` objects into the core's arguments and the result into ``Packed``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import PurePath
from types import MappingProxyType
from typing import Any, Optional, TypeVar, Union, cast

from ocikit._files import StrPath, _digest_path
from ocikit._ocikit import Descriptor, Index, Manifest, _pack, _pack_index
from ocikit.errors import ValidationError

__all__ = ["Blob", "Config", "File", "Packed", "pack", "pack_index"]

Created = Union[str, datetime, int]
"""An RFC 3339 string, a timezone-aware datetime, or whole seconds since the Unix epoch."""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_EMPTY: Mapping[str, str] = MappingProxyType({})
_T = TypeVar("_T")


def _frozen_annotations(annotations: Mapping[str, str] | None) -> Mapping[str, str]:
    if not annotations:
        return _EMPTY
    return MappingProxyType(dict(annotations))


def _frozen_bytes(data: Any) -> bytes:
    # bytes are kept as given (no copy); other buffers are copied once, so that a frozen
    # object cannot change under a manifest that describes it.
    return data if isinstance(data, bytes) else bytes(memoryview(data))


@dataclass(frozen=True)
class File:
    """A file to pack as one layer.

    Give its bytes (``File(name, data)``), the digest and size of content you upload yourself
    (:meth:`from_digest`), a path on disk (:meth:`from_path`: hashed now, in bounded memory,
    and read again by whoever writes or uploads the blob), or a directory
    (:meth:`from_directory`: one reproducible tar+gzip layer, unpacked again on pull).

    ``name`` becomes the layer's ``org.opencontainers.image.title``, so it must be a portable
    relative path (``ocikit pull`` writes the file back under it); a ``title`` in
    ``annotations`` overrides it, as in ORAS. ``media_type`` defaults to ORAS's
    ``application/vnd.oci.image.layer.v1.tar``.
    """

    name: str
    data: Optional[bytes]
    media_type: Optional[str] = None
    annotations: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    digest: Optional[str] = None
    """The content's digest, for files made by :meth:`from_digest` and :meth:`from_path`."""
    size: Optional[int] = None
    """The content's size, for files made by :meth:`from_digest` and :meth:`from_path`."""
    path: Optional[str] = None
    """Where the content is, for files made by :meth:`from_path`."""

    def __post_init__(self) -> None:
        if self.data is None:
            if self.digest is None or self.size is None:
                raise ValueError("a File needs data, or a digest and a size (File.from_digest)")
        else:
            if self.digest is not None or self.size is not None or self.path is not None:
                raise ValueError("give a File its data or its digest and size, not both")
            object.__setattr__(self, "data", _frozen_bytes(self.data))
        object.__setattr__(self, "annotations", _frozen_annotations(self.annotations))

    @classmethod
    def from_digest(
        cls,
        name: str,
        digest: str,
        size: int,
        media_type: str | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> File:
        """A file whose content you hashed and will upload yourself."""
        return cls(
            name, None, media_type, _frozen_annotations(annotations), digest=digest, size=size
        )

    @classmethod
    def from_path(
        cls,
        path: StrPath,
        media_type: str | None = None,
        name: str | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> File:
        """The file at ``path``, hashed now in 1 MiB pieces (memory stays bounded).

        ``name`` defaults to the file's base name. The bytes are not kept: ``Packed.blobs``
        lists the path, and :meth:`OciLayout.write` copies the file from there, checking it
        still has this digest.

        Raises:
            OSError: the file cannot be read.
        """
        digester = _digest_path(path, "sha256")
        return cls(
            PurePath(path).name if name is None else name,
            None,
            media_type,
            _frozen_annotations(annotations),
            digest=digester.finalize(),
            size=digester.size,
            path=os.fspath(path),
        )

    @classmethod
    def from_directory(
        cls,
        path: StrPath,
        *,
        name: str | None = None,
        keep_modes: bool = False,
        mtime: int | str | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> File:
        """The directory at ``path`` as one layer, as the ORAS CLI pushes a directory: a
        reproducible tar+gzip (``application/vnd.oci.image.layer.v1.tar+gzip``) titled ``name``
        (default: the directory's name), annotated ``io.deis.oras.content.digest`` (the digest
        of the uncompressed tar) and ``io.deis.oras.content.unpack: "true"``, so that
        ``pull`` (ocikit's, the ORAS CLI's, oras-py's) unpacks it.

        The same tree gives the same bytes, hence digests, on every machine and in every
        language: entries sorted, owners 0 without names, modes 0644 / 0755 (``keep_modes``
        keeps the permission bits), every mtime fixed (``mtime``: seconds, ``"real"`` for the
        files' own, or ``None``: ``SOURCE_DATE_EPOCH`` when set, else 0). Symbolic links stay
        links and must lead inside the directory. The archive is written to a temporary file
        (removed when the interpreter exits) that ``Packed.blobs`` lists as the blob's path.

        Raises:
            PolicyError: ``ARCHIVE_UNSAFE`` for a link leading out of the directory, or a FIFO,
                socket or device in it.
            ValidationError: ``ARCHIVE_INVALID`` for a name that is not a portable relative
                path; ``OPTIONS_INVALID`` for a bad ``mtime``.
            OSError: the directory cannot be read.
        """
        from ocikit._archive import DIRECTORY_MEDIA_TYPE, TITLE, pack_directory_to_file

        layer, spool = pack_directory_to_file(path, name=name, keep_modes=keep_modes, mtime=mtime)
        merged = {key: value for key, value in layer.annotations.items() if key != TITLE}
        merged.update(annotations or {})
        return cls(
            layer.annotations[TITLE],
            None,
            DIRECTORY_MEDIA_TYPE,
            _frozen_annotations(merged),
            digest=layer.digest,
            size=layer.size,
            path=spool,
        )

    @classmethod
    def from_paths(
        cls,
        paths: Iterable[StrPath],
        media_type: str | None = None,
        *,
        concurrency: int | None = None,
    ) -> list[File]:
        """The files at ``paths``, in order, as :meth:`from_path` makes them (named by their base
        names), hashed ``concurrency`` at a time (default: one per CPU) — hashing releases the
        GIL, so several large files hash in the time of the largest.

        Raises:
            OSError: a file cannot be read.
        """
        return _each(lambda path: cls.from_path(path, media_type), paths, concurrency)


def _each(
    function: Callable[[_T], File], items: Iterable[_T], concurrency: int | None = None
) -> list[File]:
    """``function`` applied to each of ``items``, ``concurrency`` at a time (default: one per
    CPU), the results in order; the first error is raised once all are done."""
    items = list(items)
    workers = min(len(items), concurrency or os.cpu_count() or 1)
    if workers <= 1:
        return [function(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(function, items))


@dataclass(frozen=True)
class Config:
    """A config blob: its media type and bytes (instead of the empty config ``{}``)."""

    media_type: str
    data: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", _frozen_bytes(self.data))


@dataclass(frozen=True)
class Blob:
    """A blob a packed manifest references: its descriptor, and its bytes or the path of a
    file that holds them (neither for :meth:`File.from_digest` content)."""

    descriptor: Descriptor
    data: Optional[bytes] = None
    path: Optional[str] = None


@dataclass(frozen=True)
class Packed:
    """The result of :func:`pack`: the manifest with its exact bytes, and every blob it
    references (config first, each once)."""

    manifest: Manifest
    blobs: tuple[Blob, ...]

    @property
    def digest(self) -> str:
        """The manifest's digest."""
        return self.manifest.digest

    @property
    def size(self) -> int:
        """The size of the manifest's bytes."""
        return self.manifest.size

    @property
    def descriptor(self) -> Descriptor:
        """The manifest's descriptor, with its artifact type (what an index or the referrers
        API lists)."""
        return self.manifest.descriptor


Subject = Union[Descriptor, Manifest, Index, Packed]


def _descriptor_of(value: Subject) -> Descriptor:
    if isinstance(value, Descriptor):
        return value
    if isinstance(value, (Manifest, Index, Packed)):
        return value.descriptor
    raise TypeError(
        f"expected a Descriptor, Manifest, Index or Packed, not {type(value).__name__!r}"
    )


def _format_created(created: Created) -> str | int:
    """``created`` as the core takes it: an RFC 3339 str, or Unix seconds it formats itself.
    A datetime is its instant in whole seconds (rounded down), which the core writes in UTC as
    Go's ``time.RFC3339`` does (ORAS's form): the same bytes as JS's ``Date`` for the instant."""
    if not isinstance(created, datetime):
        return created
    if created.utcoffset() is None:
        raise ValueError("created must be a timezone-aware datetime (RFC 3339 needs an offset)")
    return (created - _EPOCH) // timedelta(seconds=1)


def pack(
    files: Iterable[File],
    *,
    artifact_type: str | None = None,
    config: Config | None = None,
    config_annotations: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    subject: Subject | None = None,
    image_spec: str = "v1.1",
    created: Created | None = None,
    embed_data_up_to: int | None = None,
) -> Packed:
    """Packs ``files`` into an artifact manifest, as ORAS does, byte for byte.

    Args:
        files: the layers, in order.
        artifact_type: the artifact's type. With image-spec v1.1 it is the manifest's
            ``artifactType`` (required unless ``config`` is given); with v1.0 it is the
            media type of the config ``{}``.
        config: a config blob instead of the empty one.
        config_annotations: annotations of the config descriptor (ORAS's ``$config``).
        annotations: manifest annotations (ORAS's ``$manifest``).
        subject: the manifest this artifact refers to (a signature's or SBOM's image); a
            Descriptor, or a Manifest, Index or Packed whose descriptor is used. v1.1 only.
        image_spec: ``"v1.1"`` (default) or ``"v1.0"``.
        created: ``org.opencontainers.image.created``: an RFC 3339 string (kept as given),
            an aware datetime or Unix seconds (e.g. ``int(os.environ["SOURCE_DATE_EPOCH"])``),
            both written in UTC to the second as ORAS writes it (``2024-01-02T03:04:05Z``,
            as JS writes a ``Date``).
            Without it (and without that annotation) packing is deterministic.
        embed_data_up_to: embed blobs of at most this many bytes in their descriptors'
            ``data`` field.

    Raises:
        ValidationError: ``ARTIFACT_TYPE_REQUIRED``, ``OPTIONS_INVALID`` (a subject or an
            artifact type with a config under v1.0, an ``image_spec`` other than ``"v1.1"`` and
            ``"v1.0"``, a negative ``embed_data_up_to``), ``ANNOTATION_INVALID`` (a title that
            is not a portable relative path, a created that is not RFC 3339),
            ``MEDIA_TYPE_INVALID``, ``DIGEST_INVALID``, ``SIZE_INVALID``.
        ValueError: ``created`` is a naive datetime.
    """
    return _pack_files(
        files,
        artifact_type=artifact_type,
        config=config,
        config_annotations=config_annotations,
        annotations=annotations,
        subject=subject,
        image_spec=image_spec,
        created=created,
        embed_data_up_to=embed_data_up_to,
    )


def _pack_files(
    files: Iterable[File],
    *,
    artifact_type: str | None = None,
    config: Config | None = None,
    config_annotations: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    subject: Subject | None = None,
    image_spec: str = "v1.1",
    created: Created | None = None,
    embed_data_up_to: int | None = None,
    cli_defaults: bool = False,
    disable_path_validation: bool = False,
) -> Packed:
    """:func:`pack`, plus ``cli_defaults``: the ORAS CLI's default artifact type
    (``application/vnd.unknown.artifact.v1``) when v1.1 has neither a type nor a config, and
    ``disable_path_validation``: titles written as given, absolute or with ``..`` (ORAS's
    ``push --disable-path-validation``). Only the ``ocikit`` command uses them; the library
    asks for a type, and for titles a pull can write."""
    files = list(files)
    for file in files:
        if not isinstance(file, File):
            raise TypeError(f"files must be ocikit.File objects, not {type(file).__name__!r}")
    # Options are checked here so that a bad one is a coded error (a ValueError too), not
    # pyo3's OverflowError or a bare ValueError from the extension.
    if image_spec not in ("v1.1", "v1.0"):
        reason = f"image_spec must be 'v1.1' or 'v1.0', not {image_spec!r}"
        raise ValidationError(reason, code="OPTIONS_INVALID", details={"reason": reason})
    if embed_data_up_to is not None:
        if embed_data_up_to < 0:
            reason = "embed_data_up_to must not be negative"
            raise ValidationError(reason, code="OPTIONS_INVALID", details={"reason": reason})
        embed_data_up_to = min(embed_data_up_to, 2**64 - 1)  # no blob is larger: embed all
    manifest, blobs = _pack(
        [
            (
                file.name,
                file.media_type,
                # A File without data has its digest and size (File checks that).
                file.data
                if file.data is not None
                else cast("tuple[str, int]", (file.digest, file.size)),
                dict(file.annotations),
            )
            for file in files
        ],
        artifact_type=artifact_type,
        config=None if config is None else (config.media_type, config.data),
        config_annotations=None if config_annotations is None else dict(config_annotations),
        annotations=None if annotations is None else dict(annotations),
        subject=None if subject is None else _descriptor_of(subject),
        image_spec=image_spec,
        created=None if created is None else _format_created(created),
        embed_data_up_to=embed_data_up_to,
        cli_defaults=cli_defaults,
        disable_path_validation=disable_path_validation,
    )
    paths = {file.digest: file.path for file in files if file.path is not None}
    return Packed(
        manifest,
        tuple(
            Blob(descriptor, data, None if data is not None else paths.get(descriptor.digest))
            for descriptor, data in blobs
        ),
    )


def pack_index(
    manifests: Iterable[Subject],
    *,
    artifact_type: str | None = None,
    annotations: Mapping[str, str] | None = None,
    subject: Subject | None = None,
) -> Index:
    """Builds an image index over manifests: a multi-platform image (descriptors with
    ``platform``) or an artifact collection (``artifact_type`` names what the collection is,
    as CNAB bundles do).

    ``manifests`` are Descriptors, or Manifests, Indexes or Packed results whose descriptors
    are used.

    Raises:
        ValidationError: ``ANNOTATION_INVALID`` (a created that is not RFC 3339),
            ``MEDIA_TYPE_INVALID``.
    """
    return _pack_index(
        [_descriptor_of(manifest) for manifest in manifests],
        artifact_type=artifact_type,
        annotations=None if annotations is None else dict(annotations),
        subject=None if subject is None else _descriptor_of(subject),
    )
