"""Type stubs of the native module ocikit._ocikit (import these names from ``ocikit``)."""

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, final

from ocikit._pack import Packed

if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

__version__: str

def digest(data: Buffer, algorithm: str = "sha256") -> str:
    """The digest of ``data`` as ``"<algorithm>:<hex>"``.

    ``data`` is any C-contiguous buffer (bytes, bytearray, memoryview, mmap, array.array…),
    read without copying. Inputs of 16 KiB and more are hashed with the GIL released; as with
    hashlib, do not modify a buffer while it is being hashed.

    Raises:
        ValidationError: ``algorithm`` is not a digest algorithm (``DIGEST_INVALID``) or one
            ocikit cannot compute (``DIGEST_UNSUPPORTED``); ocikit computes sha256, sha512 and
            blake3.
        TypeError: ``data`` does not support the buffer protocol.
        BufferError: ``data`` is not C-contiguous.
    """

def verify(data: Buffer, digest: str | Digest, size: int | None = None) -> None:
    """Checks that ``data`` has the digest ``digest`` and, when given, the length ``size``.

    The size is checked first: it is free, and a wrong size means a wrong digest.

    Raises:
        DigestMismatchError: ``SIZE_MISMATCH`` or ``DIGEST_MISMATCH``.
        ValidationError: ``digest`` does not parse (``DIGEST_INVALID``), uses an algorithm
            ocikit cannot compute (``DIGEST_UNSUPPORTED``), or ``size`` is negative
            (``SIZE_INVALID``).
    """
@final
class Digest:
    """A parsed digest, ``algorithm:encoded``; immutable, hashable, picklable.

    Only valid digests exist: sha256, sha512 and blake3 digests are lowercase hex of the right
    length, and any other algorithm satisfies the image-spec grammar (``supported`` is then false).
    """

    @staticmethod
    def parse(text: str) -> Digest:
        """Parses ``"algorithm:encoded"``.

        Raises:
            ValidationError: ``DIGEST_INVALID``.
        """
    @property
    def algorithm(self) -> str:
        """The algorithm, e.g. ``"sha256"``."""
    @property
    def encoded(self) -> str:
        """The encoded part (lowercase hex for sha256, sha512 and blake3)."""
    @property
    def supported(self) -> bool:
        """Whether ocikit can compute and verify this digest (sha256, sha512, blake3)."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[[str], Digest], tuple[str]]: ...

@final
class Digester:
    """Incremental digest computation: ``update()`` as bytes arrive, ``finalize()`` at the end.

    Thread-safe: concurrent calls are serialised, as with hashlib objects.

    Raises:
        ValidationError: ``algorithm`` is not one ocikit can compute.
    """

    def __init__(self, algorithm: str = "sha256") -> None: ...
    def update(self, data: Buffer) -> None:
        """Feeds more content (any C-contiguous buffer, read without copying)."""
    def finalize(self) -> str:
        """The digest of everything fed so far; more content may follow."""
    def verify(self, digest: str | Digest, size: int | None = None) -> None:
        """Checks the content fed so far against ``digest`` and, when given, ``size``.

        Raises:
            DigestMismatchError: ``SIZE_MISMATCH`` or ``DIGEST_MISMATCH``.
            ValidationError: ``DIGEST_INVALID``, ``DIGEST_UNSUPPORTED`` or ``SIZE_INVALID``.
        """
    def copy(self) -> Digester:
        """An independent copy of the current state."""
    @property
    def size(self) -> int:
        """The number of bytes fed so far."""
    @property
    def algorithm(self) -> str:
        """``"sha256"``, ``"sha512"`` or ``"blake3"``."""

@final
class MediaType:
    """A media type name that satisfies RFC 6838 §4.2; immutable, hashable, picklable."""

    @staticmethod
    def parse(text: str) -> MediaType:
        """Parses a media type name such as ``application/vnd.oci.image.manifest.v1+json``.

        Parameters (``; charset=…``) are not part of a name and are rejected.

        Raises:
            ValidationError: ``MEDIA_TYPE_INVALID``.
        """
    @property
    def type(self) -> str:
        """The top-level type, e.g. ``"application"``."""
    @property
    def subtype(self) -> str:
        """The subtype, e.g. ``"vnd.oci.image.manifest.v1+json"``."""
    @property
    def tree(self) -> Literal["vnd", "prs", "x", ""]:
        """The registration tree; ``""`` is the standards tree."""
    @property
    def suffix(self) -> str | None:
        """The structured syntax suffix, e.g. ``"json"``, or ``None``."""
    @property
    def artifact(self) -> ArtifactMediaType | None:
        """The parts of an artifact type name, or ``None`` when the name does not follow the
        convention (``lint()`` says why)."""
    @property
    def is_spec_defined(self) -> bool:
        """Whether an OCI or Docker specification defines this type."""
    def lint(self, role: Literal["config", "layer"] | None = None) -> list[Finding]:
        """Warnings about the name against RFC 6838's SHOULDs and the artifact convention.

        ``role`` says where the type is used; ``None`` takes it from the name. A name that
        parsed is valid, so every finding is a warning.

        Raises:
            ValueError: ``role`` is not ``"config"``, ``"layer"`` or ``None``.
        """
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[[str], MediaType], tuple[str]]: ...

@final
class ArtifactMediaType:
    """The parts of a name that follows the artifact naming convention
    ``application/vnd.<org>.<objectType>[.<subType>…].(config|layer).<version>[+<format>]``."""

    @property
    def org(self) -> str:
        """The organisation that owns the name, e.g. ``"cncf"``."""
    @property
    def object_type(self) -> str:
        """What kind of thing the artifact is, e.g. ``"helm"``."""
    @property
    def sub_types(self) -> tuple[str, ...]:
        """Narrower kinds, e.g. ``("chart",)``."""
    @property
    def role(self) -> Literal["config", "layer"]:
        """Whether the name is a config type or a layer type."""
    @property
    def version(self) -> str | None:
        """The version segment, e.g. ``"v1"``, or ``None``."""
    @property
    def format(self) -> str | None:
        """What follows the version, e.g. ``"json"`` or ``"tar+gzip"``, or ``None``."""
    def to_dict(self) -> dict[str, Any]:
        """The parts with the JSON keys the other languages use: ``org``, ``objectType``,
        ``subTypes`` (a list), ``role``, ``version``, ``format``."""
    def __eq__(self, other: object) -> bool: ...

@final
class Finding:
    """One thing a lint or validation found."""

    @property
    def code(self) -> str:
        """The stable code, e.g. ``"MEDIA_TYPE_NO_VERSION"``."""
    @property
    def severity(self) -> Literal["error", "warning", "info"]:
        """``"error"`` breaks a MUST; ``"warning"`` a SHOULD or a convention; ``"info"`` (registry
        lints only) breaks nothing but is worth planning for."""
    @property
    def path(self) -> str:
        """JSON pointer to the offending value (``""`` for the whole input)."""
    @property
    def message(self) -> str:
        """A sentence for people."""
    @property
    def rule(self) -> str:
        """The rule broken, e.g. ``"RFC 6838 §4.2"``."""
    def to_dict(self) -> dict[str, str]:
        """The finding as a dict: ``code``, ``severity``, ``path``, ``message``, ``rule``."""
    def __eq__(self, other: object) -> bool: ...

Kind = Literal["manifest", "index", "descriptor", "config", "layout"]

@final
class Platform:
    """The platform an image runs on (the ``platform`` of an index entry); immutable,
    picklable. Equal platforms have equal fields."""

    def __init__(
        self,
        *,
        architecture: str,
        os: str,
        os_version: str | None = None,
        os_features: Sequence[str] | None = None,
        variant: str | None = None,
    ) -> None: ...
    @staticmethod
    def from_json(document: str | Buffer) -> Platform:
        """Reads a platform from JSON (str, bytes or any buffer).

        Raises:
            ValidationError: ``JSON_INVALID`` (also for a duplicate key) or ``FIELD_MISSING``.
        """
    def to_json(self) -> bytes:
        """The canonical JSON (image-spec Go field order, compact)."""
    @property
    def architecture(self) -> str:
        """The CPU architecture, as Go's ``GOARCH`` (e.g. ``"amd64"``)."""
    @property
    def os(self) -> str:
        """The operating system, as Go's ``GOOS`` (e.g. ``"linux"``)."""
    @property
    def os_version(self) -> str | None:
        """``os.version``, or ``None``."""
    @property
    def os_features(self) -> tuple[str, ...]:
        """``os.features``."""
    @property
    def variant(self) -> str | None:
        """The CPU variant (e.g. ``"v8"``), or ``None``."""
    @property
    def extra(self) -> dict[str, Any]:
        """Fields the image-spec does not define, as read (a new dict on each access)."""
    def __eq__(self, other: object) -> bool: ...
    def __reduce__(self) -> tuple[Callable[[bytes], Platform], tuple[bytes]]: ...

@final
class Descriptor:
    """A reference to content: media type, digest and size, with optional extras; immutable,
    picklable. Equal descriptors have equal fields.

    Built from keywords, media types and the digest are parsed and ``size`` must be an int64
    (``data`` is not checked against them here; :func:`validate` reports ``DATA_INVALID``).
    ``to_json()`` is always the canonical encoding.

    Raises:
        ValidationError: ``MEDIA_TYPE_INVALID``, ``DIGEST_INVALID`` or ``SIZE_INVALID``.
        TypeError: a field of the wrong type.
    """

    def __init__(
        self,
        *,
        media_type: str,
        digest: str | Digest,
        size: int,
        urls: Sequence[str] | None = None,
        annotations: Mapping[str, str] | None = None,
        data: Buffer | None = None,
        platform: Platform | None = None,
        artifact_type: str | None = None,
    ) -> None: ...
    @staticmethod
    def from_json(document: str | Buffer) -> Descriptor:
        """Reads a descriptor from JSON (str, bytes or any buffer); unknown fields are kept.

        Raises:
            ValidationError: the first rule the descriptor breaks (``JSON_INVALID``,
                ``FIELD_MISSING``, ``MEDIA_TYPE_INVALID``, ``DIGEST_INVALID``,
                ``SIZE_INVALID``, ``DATA_INVALID``); :func:`validate` reports all of them.
        """
    def to_json(self) -> bytes:
        """The canonical JSON (image-spec Go field order, compact, Go's escaping)."""
    @property
    def media_type(self) -> str:
        """The media type of the referenced content."""
    @property
    def digest(self) -> str:
        """The digest of the referenced content, ``"algorithm:encoded"``."""
    @property
    def size(self) -> int:
        """The size of the referenced content in bytes."""
    @property
    def urls(self) -> tuple[str, ...]:
        """URLs the content may be downloaded from."""
    @property
    def annotations(self) -> dict[str, str]:
        """The annotations (a new dict on each access)."""
    @property
    def data(self) -> bytes | None:
        """The embedded content, or ``None``."""
    @property
    def platform(self) -> Platform | None:
        """The platform (of a manifest in an index), or ``None``."""
    @property
    def artifact_type(self) -> str | None:
        """The artifact type of the referenced artifact, or ``None``."""
    @property
    def extra(self) -> dict[str, Any]:
        """Fields the image-spec does not define, as read (a new dict on each access)."""
    def __eq__(self, other: object) -> bool: ...
    def __reduce__(self) -> tuple[Callable[[bytes], Descriptor], tuple[bytes]]: ...

@final
class Manifest:
    """An image manifest with its exact bytes; immutable, hashable, picklable.

    Read with :meth:`from_json`, it keeps the bytes it was read from: ``digest``, ``size`` and
    ``to_json()`` are of those bytes, never of a re-encoding. Built from keywords, its bytes
    are the canonical encoding (the field order and escaping of Go's image-spec types, as ORAS
    writes). Two manifests are equal iff their bytes are.

    Raises:
        ValidationError: ``MEDIA_TYPE_INVALID`` for ``media_type`` or ``artifact_type``.
    """

    def __init__(
        self,
        *,
        config: Descriptor,
        layers: Sequence[Descriptor],
        artifact_type: str | None = None,
        subject: Descriptor | None = None,
        annotations: Mapping[str, str] | None = None,
        media_type: str | None = "application/vnd.oci.image.manifest.v1+json",
    ) -> None: ...
    @staticmethod
    def from_json(document: str | Buffer) -> Manifest:
        """Reads a manifest (str, bytes or any buffer), keeping its exact bytes and unknown
        fields.

        Raises:
            ValidationError: the first rule the document breaks (strict JSON without
                duplicate keys, required fields, field types and grammars, ``schemaVersion``
                2, ``MEDIA_TYPE_MISMATCH``); :func:`validate` reports all of them.
        """
    def to_json(self) -> bytes:
        """The exact bytes."""
    @property
    def digest(self) -> str:
        """The sha256 digest of the bytes."""
    @property
    def size(self) -> int:
        """The size of the bytes."""
    @property
    def descriptor(self) -> Descriptor:
        """The descriptor of this manifest, with its artifact type, as an index lists it."""
    @property
    def referrer_descriptor(self) -> Descriptor:
        """The descriptor of this manifest as a referrers list shows it (distribution-spec
        "Listing Referrers"): its artifact type (its config's media type when it has none) and
        its annotations."""
    @property
    def media_type(self) -> str | None:
        """``mediaType``, or ``None`` when the document has none."""
    @property
    def artifact_type(self) -> str | None:
        """The artifact type, or ``None``."""
    @property
    def config(self) -> Descriptor:
        """The config descriptor."""
    @property
    def layers(self) -> tuple[Descriptor, ...]:
        """The layer descriptors."""
    @property
    def subject(self) -> Descriptor | None:
        """The manifest this one refers to, or ``None``."""
    @property
    def annotations(self) -> dict[str, str]:
        """The annotations (a new dict on each access)."""
    @property
    def extra(self) -> dict[str, Any]:
        """Fields the image-spec does not define, as read (a new dict on each access)."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[[bytes], Manifest], tuple[bytes]]: ...

@final
class Index:
    """An image index with its exact bytes (see :class:`Manifest`): a list of manifests, for
    several platforms or as a collection; immutable, hashable, picklable.

    Raises:
        ValidationError: ``MEDIA_TYPE_INVALID`` for ``media_type`` or ``artifact_type``.
    """

    def __init__(
        self,
        *,
        manifests: Sequence[Descriptor],
        artifact_type: str | None = None,
        subject: Descriptor | None = None,
        annotations: Mapping[str, str] | None = None,
        media_type: str | None = "application/vnd.oci.image.index.v1+json",
    ) -> None: ...
    @staticmethod
    def from_json(document: str | Buffer) -> Index:
        """Reads an index (str, bytes or any buffer), keeping its exact bytes.

        Raises:
            ValidationError: the first rule the document breaks.
        """
    def to_json(self) -> bytes:
        """The exact bytes."""
    @property
    def digest(self) -> str:
        """The sha256 digest of the bytes."""
    @property
    def size(self) -> int:
        """The size of the bytes."""
    @property
    def descriptor(self) -> Descriptor:
        """The descriptor of this index, with its artifact type."""
    @property
    def media_type(self) -> str | None:
        """``mediaType``, or ``None`` when the document has none."""
    @property
    def artifact_type(self) -> str | None:
        """The artifact type of the collection, or ``None``."""
    @property
    def manifests(self) -> tuple[Descriptor, ...]:
        """The manifest descriptors."""
    @property
    def subject(self) -> Descriptor | None:
        """The manifest this index refers to, or ``None``."""
    @property
    def annotations(self) -> dict[str, str]:
        """The annotations (a new dict on each access)."""
    @property
    def extra(self) -> dict[str, Any]:
        """Fields the image-spec does not define, as read (a new dict on each access)."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[[bytes], Index], tuple[bytes]]: ...

ANNOTATION_KEYS: dict[str, str]
"""The annotation keys the image-spec predefines, by constant name (see ocikit.annotations)."""

def validate(document: str | Buffer, kind: Kind | None = None) -> Report:
    """Validates ``document`` (str, bytes or any buffer) as a ``kind`` of OCI document: every
    finding at once, each with its code, severity, JSON pointer and rule.

    ``kind`` is ``"manifest"``, ``"index"``, ``"descriptor"``, ``"config"``, ``"layout"`` (the
    ``oci-layout`` file), or ``None`` to tell the kind from the document. A document that is
    not JSON, or breaks any rule, gives a report with ``valid`` false: nothing is raised for a
    bad document. Documents of 16 KiB and more are validated with the GIL released.

    Raises:
        ValueError: ``kind`` is not one of the names above (a plain ValueError, not an
            OciError: the argument is wrong, not the document).
        ValidationError: ``TEXT_INVALID``: ``document`` or ``kind`` is a str with lone
            surrogates, which is not Unicode text (as for every str argument of ocikit).
        TypeError: ``document`` is neither a str nor a buffer.
    """
@final
class Report:
    """The outcome of :func:`validate`; immutable."""

    @property
    def valid(self) -> bool:
        """True iff no finding is an error."""
    @property
    def kind(self) -> Kind | None:
        """The kind validated against (given or detected), or ``None`` when the input is not
        JSON or its kind cannot be told."""
    @property
    def findings(self) -> tuple[Finding, ...]:
        """Everything found, in document order."""
    def to_dict(self) -> dict[str, Any]:
        """``{"valid": bool, "kind": str | None, "findings": [finding dicts]}``, the JSON shape
        the other languages and ``ocikit validate --format json`` use."""
    def __eq__(self, other: object) -> bool: ...

def lint_for_registry(
    document: str | Buffer | Manifest | Index | Packed | None,
    target: str,
    profile: str | None = None,
) -> RegistryLint:
    """Checks a manifest or index against what is known of a registry, before anything is sent:
    the static rules ``RQ001``… of the registry profiles (zero-byte blobs, media types with
    parameters, GitLab's media-type list, manifest size, blob limits, name depth and
    characters, ``:443``, Docker types on zot, index children, a missing ``mediaType``,
    gcr.io being read-only, …). Each finding names the fix and ends with the tags of its
    sources; :attr:`RegistryLint.sources` dates them.

    ``document``: the exact bytes (or str, or any buffer) of a manifest or index, or a
    :class:`Manifest`, :class:`Index` or :class:`Packed` — or ``None`` to check the target
    alone, before the document exists. ``target``: a reference
    (``"ghcr.io/owner/app:v1"``, whose name is checked too) or a registry host
    (``"ghcr.io"``). ``profile``: a profile name that overrides the one the host selects —
    ``"harbor"``, ``"zot"``, ``"distribution"``, ``"quay"``, ``"gitlab"`` for self-hosted
    registries, or a hosted one's (``"ghcr"``, ``"ecr"``, …; see :func:`registry_profile`).
    An unknown host gets the ``"generic"`` profile: portability warnings only.

    Raises:
        ValidationError: ``JSON_INVALID`` when the document is not a JSON object;
            ``REFERENCE_INVALID`` when ``target`` is neither a reference nor a host;
            ``OPTIONS_INVALID`` for an unknown profile name.
        TypeError: ``document`` is none of the types above.
    """
@final
class RegistryLint:
    """The outcome of :func:`lint_for_registry`; immutable."""

    @property
    def ok(self) -> bool:
        """True iff no finding is an error (the registry is not known to refuse the push)."""
    @property
    def profile(self) -> str:
        """The name of the profile checked against (``"ghcr"``, ``"generic"``, …)."""
    @property
    def host(self) -> str:
        """The registry host checked."""
    @property
    def findings(self) -> tuple[Finding, ...]:
        """Everything found, by rule code; each finding's ``rule`` is the rule's label with its
        source tags, e.g. ``"RQ001 zero-byte-blob [S35,S36,S30]"``."""
    @property
    def sources(self) -> list[dict[str, str]]:
        """The sources the findings cite, each ``{"tag", "cite", "date"}``, in tag order."""
    def to_dict(self) -> dict[str, Any]:
        """``{"ok", "profile", "host", "findings": [finding dicts], "sources": [...]}``, the JSON
        shape of the JS API and ``ocikit validate --registry HOST --format json``."""
    def __eq__(self, other: object) -> bool: ...

def registry_profile(name_or_host: str | None = None) -> Any:
    """A registry profile as a dict — ``name``, ``title``, ``hosts``, ``referrers_api`` and
    ``oci_subject`` (``True``, ``False``, or ``None`` when unknown), ``manifest_max``,
    ``blob_max`` (bytes or ``None``), ``facts`` (each ``topic``, ``text``, ``sources`` as
    ``{"tag", "cite", "date"}``, ``as_of``, ``confidence``) — by profile name or registry host
    (a host no profile matches gets ``"generic"``). Without an argument: the list of profile
    names."""

def registry_rules() -> list[dict[str, Any]]:
    """Every registry-quirk rule ``RQ001``…``RQ029``: ``code``, ``name``, ``static`` (run by
    :func:`lint_for_registry`; the others need a probe or a transfer plan), ``severity`` (the
    worst it has), ``trigger``, ``sources``, ``confidence``."""

def _pack(
    files: Sequence[
        tuple[str, str | None, Buffer | tuple[str | Digest, int], Mapping[str, str] | None]
    ],
    *,
    artifact_type: str | None = None,
    config: tuple[str, Buffer | tuple[str | Digest, int]] | None = None,
    config_annotations: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    subject: Descriptor | None = None,
    image_spec: str = "v1.1",
    created: str | int | None = None,
    embed_data_up_to: int | None = None,
    cli_defaults: bool = False,
    disable_path_validation: bool = False,
) -> tuple[Manifest, list[tuple[Descriptor, bytes | None]]]:
    """The core's packing (use :func:`ocikit.pack`): files are ``(name, media_type, content,
    annotations)``, content is a buffer or a ``(digest, size)`` tuple; ``created`` is RFC 3339
    or Unix seconds (formatted by the core); ``disable_path_validation`` writes titles
    unchecked."""

def _pack_index(
    manifests: Sequence[Descriptor],
    *,
    artifact_type: str | None = None,
    annotations: Mapping[str, str] | None = None,
    subject: Descriptor | None = None,
) -> Index:
    """The core's index building (use :func:`ocikit.pack_index`)."""

def _index_platform_config(media_type: str, manifest: Buffer) -> Descriptor | None:
    """The config a host reads for a collection child's platform (an image manifest's, at
    most 4 MiB, not the empty one), or ``None``; ``MEDIA_TYPE_MISMATCH`` for a document that
    is not a manifest or an index (use :func:`ocikit.create_index`)."""

def _index_create(
    children: Sequence[tuple[str, Buffer, Buffer | None]],
    *,
    artifact_type: str | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Index:
    """The core's collection over fetched children ``(media_type, bytes, config bytes or
    None)``, in their order (use :func:`ocikit.create_index`)."""

def _backup_tags(
    reference: str, listed: Sequence[str] | None = None, *, layout: str | None = None
) -> tuple[str, list[str] | None]:
    """The core's choice of what a backup (``layout`` None) or a restore of the layout named
    ``layout`` copies for ``reference`` (``REGISTRY/REPOSITORY[:TAG[,TAG…]]``), given the tags
    ``listed`` (None: not listed yet): ``(repository, tags)``, or ``(repository, None)`` when
    the repository's tags must be listed first (use :func:`ocikit.backup`)."""

def _restorable(report: Report, layout: str) -> None:
    """Nothing, or the core's refusal of a restore from the layout named ``layout`` whose
    verification is ``report``: an ``OciError`` with the first error finding's code
    (``DIGEST_MISMATCH``, ``SIZE_MISMATCH``, ``BLOB_MISSING``, …) and ``details["path"]``
    (use :func:`ocikit.restore`)."""

def _restored(reference: str, expected: Digest | str, served: Digest | str) -> None:
    """Nothing, or the core's ``DIGEST_MISMATCH`` when the tag ``reference`` a restore copied
    names ``served`` at the destination rather than ``expected``, the layout's digest (use
    :func:`ocikit.restore`)."""

def _index_update(
    media_type: str,
    index: Buffer,
    *,
    add: Sequence[tuple[str, Buffer, Buffer | None]] = (),
    remove: Sequence[str | Digest] = (),
    merge: Sequence[tuple[str, Buffer, Buffer | None]] = (),
    artifact_type: str | None = None,
    set_artifact_type: bool = False,
    annotations: Mapping[str, str] | None = None,
) -> Index:
    """The core's update of an index: ``remove`` digests go (each must be listed), ``add``
    children are appended, the artifact type is replaced when ``set_artifact_type``,
    ``annotations`` are set (use :func:`ocikit.update_index`)."""

_UNKNOWN_CONFIG_TYPE: str

# Directory layers (ocikit._archive drives these; File.from_directory is the public API).
_DIRECTORY_MEDIA_TYPE: str

def should_unpack(descriptor: Descriptor) -> bool:
    """Whether a pulled layer is a directory to unpack: ``io.deis.oras.content.unpack: "true"``
    (the ORAS CLI's rule), or a titled ``application/vnd.oci.image.layer.v1.tar+gzip`` layer
    without that annotation whose title does not name an archive file (oras-py's directories)."""

class _DirectoryPacker:
    """A directory being packed into a reproducible tar+gzip layer, one step at a time."""

    def __init__(
        self,
        name: str,
        entries: list[tuple[str, str, int, int, int | str | None]],
        *,
        mtime: int | None,
        keep_modes: bool,
    ) -> None: ...
    def next_file(self) -> tuple[str, int] | None: ...
    def write(self, data: Buffer) -> None: ...
    def take_output(self) -> bytes: ...
    def finish(self) -> tuple[bytes, Descriptor, str, int]: ...

class _Unpacker:
    """A directory layer being unpacked: ``feed`` its bytes, then ``finish``; each returns the
    events to apply (``("file", path, mode, size)``, ``("data", bytes)``, ``("directory",
    path, mode)``, ``("symlink", path, target)``, ``("hardlink", path, target)``, and last
    ``("end", content_digest, content_size, entries)``)."""

    def __init__(
        self,
        title: str,
        content_digest: str | None = None,
        *,
        max_size: int | None = None,
        max_entries: int | None = None,
        max_ratio: int | None = None,
        allow_git: bool = False,
    ) -> None: ...
    @staticmethod
    def for_layer(
        descriptor: Descriptor,
        *,
        max_size: int | None = None,
        max_entries: int | None = None,
        max_ratio: int | None = None,
        allow_git: bool = False,
    ) -> _Unpacker: ...
    def feed(self, data: Buffer) -> list[tuple[Any, ...]]: ...
    def finish(self) -> list[tuple[Any, ...]]: ...

def check_title(title: str, *, allow_git: bool = False) -> None:
    """Checks that ``title`` can be written back as a file by a pull: a relative path without
    ``..`` that stays inside the target directory and that every OS can create (no characters
    or device names Windows rejects), and unless ``allow_git``, without a ``.git`` component
    (any case, or ``git~1``), where git would run what a pulled ``.git/config`` says.

    Raises:
        ValidationError: ``ANNOTATION_INVALID``, saying why.
        PolicyError: ``PATH_UNSAFE`` for a ``.git`` component.
    """
@final
class ArtifactTypeDefinition:
    """An artifact type: its media type, display name, description, layer types and SVG logo;
    immutable, picklable. Made from its JSON definition, checked by the core."""

    @staticmethod
    def from_json(document: str | Buffer) -> ArtifactTypeDefinition:
        """Reads and checks a definition: ``{"artifactType", "displayName", "description",
        "aliases", "layerMediaTypes", "url", "logo"}``.

        Raises:
            ValidationError: ``JSON_INVALID``, ``FIELD_MISSING``, ``MEDIA_TYPE_INVALID``,
                ``DISPLAY_NAME_INVALID``, ``LOGO_INVALID``, ``LOGO_UNSAFE``,
                ``LOGO_TOO_LARGE``, ``PULL_COMMAND_INVALID`` (``details["path"]`` points at
                the template).
        """
    def to_json(self) -> bytes:
        """The definition as JSON."""
    @property
    def artifact_type(self) -> str:
        """The artifact type (``artifactType``, or ``config.mediaType`` for v1.0 artifacts)."""
    @property
    def aliases(self) -> tuple[str, ...]:
        """Other media types that name the same type."""
    @property
    def display_name(self) -> str:
        """A short name for people, e.g. ``"Helm chart"``."""
    @property
    def description(self) -> str:
        """One or two sentences about the type."""
    @property
    def layer_media_types(self) -> tuple[str, ...]:
        """The media types of the type's layers."""
    @property
    def url(self) -> str | None:
        """Where the type is documented, or ``None``."""
    @property
    def logo(self) -> str | None:
        """The SVG logo (checked safe to show in a page), or ``None``."""
    @property
    def dark_logo(self) -> str | None:
        """The logo for a dark background, or ``None`` (``logo`` serves both)."""
    @property
    def pull_commands(self) -> tuple[str, ...]:
        """Commands that fetch an artifact of the type, as templates with ``{reference}``,
        ``{registry}``, ``{repository}``, ``{tag}`` and ``{digest}`` (see :func:`pull_commands`)."""
    def __eq__(self, other: object) -> bool: ...
    def __reduce__(self) -> tuple[Callable[[bytes], ArtifactTypeDefinition], tuple[bytes]]: ...

@final
class Description:
    """What :func:`describe` found; immutable."""

    @property
    def artifact_type(self) -> str:
        """The manifest's artifact type."""
    @property
    def source(self) -> Literal["artifactType", "config.mediaType", "layers"]:
        """Where the type came from: ``artifactType``, else the config's media type; ``layers``
        for an image manifest whose layers all belong to one other type (cosign's tag-schema
        signatures, attestations and SBOMs)."""
    @property
    def definition(self) -> ArtifactTypeDefinition | None:
        """The catalog's definition of the type, or ``None`` when it is not in the catalog."""
    def __eq__(self, other: object) -> bool: ...

def artifact_types() -> tuple[ArtifactTypeDefinition, ...]:
    """The artifact type catalog: the built-in definitions, then the registered ones."""

def register_artifact_type(definition: ArtifactTypeDefinition) -> None:
    """Adds ``definition`` to the process-wide catalog (thread-safe), replacing a definition
    of the same artifact type."""

def describe(manifest: Manifest) -> Description:
    """Which artifact type ``manifest`` is (its ``artifactType``, else its config media type),
    with the catalog's definition of it (display name, logo…)."""

def lookup_artifact_type(media_type: str) -> ArtifactTypeDefinition | None:
    """The catalog's definition of an artifact type or one of its aliases (registered ones
    first), or ``None``."""

def classify_tag(
    tag: str,
) -> tuple[Literal["tag", "referrers", "signature", "attestation", "sbom"], str | None]:
    """What a tag is for, by its name: ``(kind, subject)``; ``referrers`` is a referrers tag
    schema index (``sha256-<hex>``), ``signature``/``attestation``/``sbom`` cosign's
    ``sha256-<hex>.sig``/``.att``/``.sbom``; ``subject`` the sha256 digest the name spells."""

def pull_commands(reference: str, artifact_type: str | None = None) -> tuple[str, ...]:
    """The commands that fetch ``reference``: the type's pull command templates filled in
    (those needing a tag or digest the reference lacks left out), or ``oras pull <reference>``.

    Raises:
        ValidationError: ``REFERENCE_INVALID``.
    """

def check_logo(svg: str) -> None:
    """Checks that ``svg`` is a logo safe to show in a page: well-formed SVG with an ``<svg>``
    root and a ``viewBox``; no scripts, event handlers, animation, foreign objects or external
    references; at most 16 KiB.

    Raises:
        ValidationError: ``LOGO_INVALID``, ``LOGO_UNSAFE`` or ``LOGO_TOO_LARGE``.
    """
@final
class Reference:
    """A registry reference, ``registry/repository[:tag][@digest]``; immutable, hashable,
    picklable."""

    @staticmethod
    def parse(text: str) -> Reference:
        """Parses a reference; the first component is always the registry, as ORAS reads it.

        Raises:
            ValidationError: ``REFERENCE_INVALID`` naming the broken part, or
                ``DIGEST_INVALID``.
        """
    @staticmethod
    def parse_relative(text: str, registry: str) -> Reference:
        """Parses a reference that may be relative to ``registry`` (``"py/app:v1"`` is
        ``registry/py/app:v1``): the first component names a registry only when it looks like
        a host (a ``.`` or ``:``, or ``localhost``) or is ``registry`` itself.

        Raises:
            ValidationError: ``REFERENCE_INVALID``, as :meth:`parse`.
        """
    @property
    def registry(self) -> str:
        """The registry host, with its port if it has one."""
    @property
    def repository(self) -> str:
        """The repository path."""
    @property
    def tag(self) -> str | None:
        """The tag, or ``None``."""
    @property
    def digest(self) -> str | None:
        """The digest, or ``None``."""
    @property
    def target(self) -> str:
        """What to ask the registry for: the digest, else the tag, else ``"latest"``."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[[str], Reference], tuple[str]]: ...

@final
class Layout:
    """The ``index.json`` of an OCI image layout: its entries and their tags
    (``org.opencontainers.image.ref.name``). It plans what to write and reads and writes
    nothing; :class:`ocikit.OciLayout` is a layout directory on disk."""

    OCI_LAYOUT_CONTENT: bytes
    """The content of the ``oci-layout`` file ocikit writes."""
    MAX_DOCUMENT_BYTES: int
    """Manifests and indexes larger than this many bytes are not read into memory."""

    def __init__(self) -> None: ...
    @staticmethod
    def from_index_json(data: Buffer) -> Layout:
        """Reads an existing ``index.json``.

        Raises:
            ValidationError: it is not a valid image index.
        """
    def add(self, descriptor: Descriptor, tag: str | None = None) -> None:
        """Adds a manifest or index descriptor, tagged when ``tag`` is given. A tag names one
        entry: tagging moves it from any other entry. An untagged entry is added once per
        digest.

        Raises:
            ValidationError: ``REFERENCE_INVALID`` for a tag outside the ``ref.name`` grammar.
        """
    def resolve(self, reference: str) -> Descriptor | None:
        """The entry a tag or a digest names, or ``None``."""
    def resolved(self, reference: str, found: Descriptor) -> Descriptor:
        """What resolving ``reference`` in the layout gives once its server found ``found``:
        the entry for it when it names the same digest (with its tag and artifact type), else
        ``found``."""
    @property
    def tags(self) -> tuple[str, ...]:
        """The tags, in index order."""
    @property
    def manifests(self) -> tuple[Descriptor, ...]:
        """The entries of ``index.json``."""
    def index_json(self) -> bytes:
        """The bytes of ``index.json``."""
    @staticmethod
    def blob_path(digest: str | Digest) -> str:
        """The path of a blob inside a layout, ``blobs/<algorithm>/<encoded>``.

        Raises:
            ValidationError: ``DIGEST_INVALID``.
        """

def verify_layout(
    read: Callable[[str], Buffer | None],
    digest: Callable[[str, str], tuple[str, int] | None],
) -> Report:
    """Verifies an image layout held anywhere (a directory, a tar archive, a dict) through two
    callables: ``read(path)`` returns the bytes of a small file (``oci-layout``,
    ``index.json``, a manifest) or ``None`` if absent; ``digest(path, algorithm)`` returns a
    blob's ``(digest, size)``, streaming it, or ``None`` if absent.

    Checks ``oci-layout``, ``index.json`` and every blob reachable from it: present, of the
    right size and digest, and (manifests and indexes) valid. Finding paths are
    ``file#json-pointer``.

    Raises:
        Exception: whatever ``read`` or ``digest`` raised, as soon as verification returns.
    """

def layout_host(id: int) -> str:
    """The pseudo registry host of the layout numbered ``id``: ``layout-<id>.oci-layout.invalid``
    (the ``.invalid`` top-level domain is reserved: no real registry has such a name). A host
    routes the engine's requests for that host to the layout's :class:`LayoutServer`."""

def is_layout_host(registry: str) -> bool:
    """Whether ``registry`` (``host[:port]``) is a layout's pseudo host."""

def _layout_reference(base: str, text: str, index_json: Callable[[], Buffer | None]) -> str:
    """The engine's reference for ``text``, a tag or digest of the layout whose pseudo
    repository is ``base`` (``<host>/<repository>``): ``base:<tag>``, ``base@<digest>``, else
    ``base@<digest>`` of the ``index.json`` entry whose ``ref.name`` is ``text`` (skopeo's
    ``example.com/app:1.0``), else ``base:<text>`` (the reference grammar refuses it).
    ``index_json()`` gives the file's bytes, or ``None`` when there is none; it is called only
    for a text that is neither a tag nor a digest.

    Raises:
        ValidationError: ``index.json`` is not a valid image index.
        Exception: whatever ``index_json`` raised.
    """

def write_layout_tar(files: list[tuple[str, bytes]]) -> bytes:
    """The bytes of the layout tar holding ``files`` (``(path, content)`` pairs), in the core's
    fixed order — ``oci-layout``, ``index.json``, then the rest by path — whatever order they
    come in, with reproducible headers (owner 0, mtime 0, modes 0644/0755): the bytes JS's
    ``layoutTar`` and ``OciLayout.toTar()`` give for the same files.

    Raises:
        OciError: ``ARCHIVE_UNSAFE`` for a path that is absolute, has a ``.``, ``..`` or empty
            component, or is given twice.
    """

def read_layout_tar(data: bytes, entries_max: int = 100_000) -> list[tuple[str, bytes]]:
    """The regular files of an untrusted layout tar, ``[(path, content)]`` sorted by path (a
    leading ``./`` removed; directories skipped).

    Raises:
        OciError: ``ARCHIVE_UNSAFE`` for a symbolic or hard link, a device, a FIFO, an absolute
            name, a ``..`` component or a file that appears twice; ``ARCHIVE_INVALID`` for a
            corrupt or cut archive; ``LIMIT_EXCEEDED`` past ``entries_max`` entries.
    """

def layout_tar_pieces(files: list[tuple[str, int]]) -> list[bytes | tuple[int, str, int]]:
    """The plan of the layout tar holding ``files`` (``(path, size)`` pairs), in the archive's
    order: ``bytes`` to write as they are (headers, padding, the two end blocks), and
    ``(index, path, size)`` where the content of the ``index``-th file given goes — exactly
    ``size`` bytes. Joined, they are :func:`write_layout_tar`'s bytes for the same files, so a
    host copies each file from disk instead of holding the archive.

    Raises:
        OciError: ``ARCHIVE_UNSAFE`` for a path that is absolute, has a ``.``, ``..`` or empty
            component, or is given twice.
    """
@final
class _LayoutTarReader:
    """An untrusted layout tar being read in pieces (the rules of :func:`read_layout_tar`):
    ``feed`` its bytes, act on the events in order, then ``finish``. The events are
    ``("file", path, size)`` (a regular file begins), ``("data", bytes)`` (its next bytes) and
    ``("file_end",)``. It holds one header block and at most a 64 KiB extended header, never
    a file's content. Errors are sticky.

    Raises:
        OciError: from ``feed``/``finish``: ``ARCHIVE_UNSAFE``, ``ARCHIVE_INVALID`` (a cut
            archive: from ``finish``), ``LIMIT_EXCEEDED`` (past ``entries_max`` entries, or an
            extended header over 64 KiB).
    """

    def __init__(self, entries_max: int = 100_000) -> None: ...
    def feed(self, data: Buffer) -> list[tuple[Any, ...]]: ...
    def finish(self) -> None: ...

@final
class LayoutServer:
    """An OCI image layout served as a registry (the core's ``LayoutServer``): it answers the
    requests every whole operation (``Push``, ``Pull``, ``CopyArtifact`` with a layout on either
    side, ``Discover``, ``Delete``, ``TagsOf``) and the single requests make for the layout's
    :func:`layout_host`, as a registry with the referrers API would (a layout is one repository:
    the name in the URL is ignored; a chunked PATCH is answered ``UNSUPPORTED``). The host only
    carries out the file steps of each :class:`LayoutExchange` (``ocikit.OciLayout`` on a
    directory).

    The layout's session should be told ``set_referrers_api(True)``: the layout serves the
    referrers API, so no referrers-tag request is planned (dry runs) or made (``Delete``'s
    upkeep); ``ocikit.OciLayout`` does so.

    It keeps ``index.json`` in memory once read (at most ``index_max`` bytes:
    ``LIMIT_EXCEEDED`` past it) and plans a ``"write"`` of the whole new index for each change,
    applied once ``written()`` confirms it. Exchanges may run on several threads, provided the
    host holds one lock from the step that returns a ``"write"`` of ``index.json`` until it has
    called ``written()`` for it. The referrers API reads each document ``index.json`` lists once
    per server."""

    def __init__(self, index_max: int = 4194304) -> None: ...
    def reload(self) -> None:
        """Forgets ``index.json`` (read again by the next exchange that needs it)."""
    def exchange(self, request: Request) -> LayoutExchange:
        """The exchange that answers ``request`` (one the engine made for this layout's host)."""

@final
class LayoutExchange:
    """One request's answer, step by step: :meth:`start`, then after each step the method that
    reports its result, until a ``"respond"`` step. Each returns the next :class:`LayoutStep`.

    Raises (each method):
        LimitExceededError: ``index.json`` or a stored document over its limit.
        ValidationError: ``index.json`` is not a valid image index.
        DigestMismatchError: a stored document does not match its digest.
        OciError: ``OPERATION_MISUSE`` for a result that does not answer the last step.
    """

    def start(self) -> LayoutStep: ...
    def read(self, data: Buffer | None) -> LayoutStep:
        """After ``"read"``: the file's bytes (at most ``max + 1``), or ``None`` when absent."""
    def stat(self, size: int | None) -> LayoutStep:
        """After ``"stat"``: the file's size, or ``None`` when absent."""
    def written(self) -> LayoutStep:
        """After ``"write"`` or ``"remove"``."""
    def received(self, digest: str | Digest, size: int) -> LayoutStep:
        """After ``"receive"``: the digest and size of the body received."""

@final
class LayoutStep:
    """A file step of a :class:`LayoutExchange`. ``kind`` is ``"read"`` (read ``path``, at most
    ``max + 1`` bytes), ``"stat"`` (its size), ``"write"`` (replace ``path`` with ``data``
    atomically), ``"receive"`` (the request's blob body into a temporary file, hashed; renamed
    to ``path`` only when it is ``size`` bytes of ``digest``), ``"remove"`` (delete ``path``) or
    ``"respond"`` (the answer ``response``; with ``file`` = ``(path, offset, length)``, a
    streamed blob: stream that part of the file into the sink as a transport streams a body,
    and answer with ``streamed`` set). Paths are relative to the layout's root."""

    @property
    def kind(self) -> Literal["read", "stat", "write", "receive", "remove", "respond"]: ...
    @property
    def path(self) -> str | None: ...
    @property
    def max(self) -> int | None: ...
    @property
    def data(self) -> bytes | None: ...
    @property
    def digest(self) -> str | None: ...
    @property
    def size(self) -> int | None: ...
    @property
    def response(self) -> Response | None: ...
    @property
    def file(self) -> tuple[str, int, int] | None: ...

# The registry engine ------------------------------------------------------------------------
#
# Sans-IO: an operation describes each HTTP request (``Event.kind == "send"``), the host sends it
# and feeds the ``Response`` back; ``"wait"`` asks the host to sleep ``ms`` then feed
# ``"resume"``; ``"done"`` carries the result. ``ocikit.Client`` is the host ocikit ships.

RegistryCredentials = tuple[str, str] | Mapping[str, str]

@final
class RetryPolicy:
    """How often and how long the engine retries requests that failed in ways that may pass
    (408, 429, 5xx other than 501 and 505): ``max_retries`` attempts after the first, waiting
    ``base_delay_ms`` before the first retry and twice as long before each next one, or what
    ``Retry-After`` asks when that is longer, never more than ``max_delay_ms``. Arguments left
    out keep the defaults (4 retries, 250 ms, 30 s).

    Only requests that can be sent again are retried (not ``POST``; a failed ``PATCH`` of an
    upload chunk is resumed from the offset the registry reports instead).
    """

    def __init__(
        self,
        *,
        max_retries: int | None = None,
        base_delay_ms: int | None = None,
        max_delay_ms: int | None = None,
    ) -> None: ...
    @property
    def max_retries(self) -> int:
        """Attempts after the first."""
    @property
    def base_delay_ms(self) -> int:
        """The first wait, in milliseconds; each later one doubles."""
    @property
    def max_delay_ms(self) -> int:
        """No wait is longer than this, whatever ``Retry-After`` says."""
    def delay_ms(
        self, status: int, attempt: int, retry_after: str | None = None, now_ms: int = 0
    ) -> int | None:
        """The wait before retry number ``attempt`` (1-based) after ``status``, or ``None`` to
        give up; ``retry_after`` is the header's value, ``now_ms`` the Unix time in milliseconds
        (for an HTTP-date)."""
    def __eq__(self, other: object) -> bool: ...

@final
class Limits:
    """The bounds every operation on a session keeps to; arguments left out keep the defaults:
    ``stall_timeout_ms`` (30 s without a byte moving; 0 = never), ``request_timeout_ms`` (60 s
    for a request whose body is captured whole: a manifest, a token, a tag page, an error;
    0 = none), ``deadline_ms`` (1 hour per operation from its first step; 0 = none),
    ``retry_after_max_ms`` (60 s: a longer ``Retry-After`` fails at once with
    ``TOOMANYREQUESTS``), ``list_entries_max`` (100 000 tags or referrers in one listing) and
    ``list_bytes_max`` (32 MiB over all the pages of one listing; more is ``LIMIT_EXCEEDED``).
    A bound that is not a whole number from 0 to 2**64 - 1 raises ``ValidationError``
    (``OPTIONS_INVALID``, naming the field) when the object is made.
    """

    def __init__(
        self,
        *,
        stall_timeout_ms: int | None = None,
        request_timeout_ms: int | None = None,
        deadline_ms: int | None = None,
        retry_after_max_ms: int | None = None,
        list_entries_max: int | None = None,
        list_bytes_max: int | None = None,
    ) -> None: ...
    @property
    def stall_timeout_ms(self) -> int:
        """No byte moving for this long fails a transfer, in milliseconds (0 = never)."""
    @property
    def request_timeout_ms(self) -> int:
        """The time limit of a request whose body is captured whole, in milliseconds."""
    @property
    def deadline_ms(self) -> int:
        """The time limit of one operation from its first step, in milliseconds (0 = none)."""
    @property
    def retry_after_max_ms(self) -> int:
        """The longest ``Retry-After`` waited for, in milliseconds."""
    @property
    def list_entries_max(self) -> int:
        """The most tags or referrers in one listing."""
    @property
    def list_bytes_max(self) -> int:
        """The most bytes of all the pages of one listing."""
    def __eq__(self, other: object) -> bool: ...

@final
class ProbeRegistry:
    """The registry doctor (the core's): probes ``registry`` with reads only (``GET /v2/`` and
    the credentials; with ``reference``, a manifest that exists there, its referrers API and
    tag-list pagination) and decides what each answer proves. A whole operation: ``poll`` and
    ``provide`` as ``Push``; done with a dict (``registry``, ``profile``, ``probes``).

    Raises:
        ValidationError: an unknown ``profile`` (``OPTIONS_INVALID``), a reference on another
            registry (``OPERATION_MISUSE``).
    """

    def __init__(
        self, registry: str, reference: Reference | str | None = None, *, profile: str | None = None
    ) -> None: ...
    def poll(self, sessions: _Sessions, now_ms: int) -> Action: ...
    def provide(self, task: int, input: _Input) -> None: ...

class RegistrySession:
    """A registry, the credentials for it, and the tokens it issued (cached by scope until they
    expire). Thread-safe: operations on several threads may share one session.

    ``credentials``: ``(username, password)``, or a dict with ``username`` and ``password``,
    ``refresh_token`` (an OAuth2 identity token) or ``access_token`` (sent as is). The repr never
    shows secrets.

    ``profile``: a registry profile's name (``"ghcr"``, ``"ecr"``, ``"quay"``, …) the engine
    adapts to: chunks within the registry's limits, one PUT where chunking is broken, the tag
    page size capped.

    ``headers``: ``(name, value)`` pairs sent after the engine's own headers with every request
    to the registry's origin and to the token realm it names (ORAS's ``-H``), never to another
    origin such as a storage backend a blob download is redirected to.

    Raises:
        TypeError, ValueError: credentials or headers of another shape.
        ValidationError: an unknown profile name, a header name that is not an HTTP token, a
            value that is not printable ASCII, or one of the exchange's own headers (``Host``,
            ``Content-Length``, ``Transfer-Encoding``, ``Connection``): ``OPTIONS_INVALID``.
    """

    def __init__(
        self,
        registry: str,
        *,
        plain_http: bool = False,
        credentials: RegistryCredentials | None = None,
        retry_policy: RetryPolicy | None = None,
        limits: Limits | None = None,
        profile: str | None = None,
        headers: Sequence[tuple[str, str]] | None = None,
    ) -> None: ...
    @property
    def registry(self) -> str:
        """The registry, ``host[:port]``."""
    @property
    def round_trip_ms(self) -> int | None:
        """The shortest round trip measured on the registry (ms; ``None`` before any): from
        50 ms, 8 large transfers go at once instead of 4."""
    @property
    def plain_http(self) -> bool:
        """Whether the registry is reached over plain HTTP."""
    @property
    def retry_policy(self) -> RetryPolicy:
        """How requests that may pass are retried (the default policy unless one was given)."""
    @property
    def limits(self) -> Limits:
        """The bounds every operation on this session keeps to."""
    @property
    def base(self) -> str:
        """``scheme://host[:port]``."""
    @property
    def referrers_api(self) -> bool | None:
        """Whether the registry serves the referrers API: ``None`` until an operation finds out."""
    def set_referrers_api(self, supported: bool) -> None:
        """Records whether the registry serves the referrers API."""

@final
class Request:
    """An HTTP request to send exactly as described; the host adds only ``Host`` and
    ``Content-Length`` and follows no redirects (the engine does)."""

    @property
    def method(self) -> Literal["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"]:
        """The method."""
    @property
    def url(self) -> str:
        """The absolute URL."""
    @property
    def headers(self) -> list[tuple[str, str]]:
        """The headers, in order."""
    def header(self, name: str) -> str | None:
        """The value of a header (case-insensitive), or ``None``."""
    @property
    def body(self) -> bytes | tuple[int, int] | None:
        """``None``, the bytes to send, or ``(offset, length)`` of the blob being uploaded."""
    @property
    def stream(self) -> bool:
        """Whether a 2xx body is streamed to the destination while hashed (report
        ``streamed=(digest, size)``) instead of read whole."""
    @property
    def capture_max(self) -> int:
        """The most bytes of a captured body to read (read one more: the engine reports a body
        over the limit); for a streamed request, the limit of an error body."""
    @property
    def stream_max(self) -> int | None:
        """For a streamed request, the bytes still expected: read at most ``stream_max + 1`` of
        a 2xx body, stop there and report the size seen (the engine answers ``SIZE_MISMATCH``
        and does not retry it); ``None`` for a captured body."""
    @property
    def timeout_ms(self) -> int:
        """The stall timeout: when no byte moves for this long, stop and feed
        ``Failure("timeout", …)``; 0 = none."""
    @property
    def deadline_ms(self) -> int | None:
        """The absolute time (Unix ms, the clock of ``now_ms``) by which the exchange must be
        over, or ``None``; past it, stop and feed ``Failure("timeout", …)``."""

@final
class Response:
    """A response to feed back: ``headers`` as ``(name, value)`` pairs or a mapping, the
    captured ``body``, and for a streamed body its ``(digest, size)``."""

    def __init__(
        self,
        status: int,
        headers: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        body: Buffer | None = None,
        streamed: tuple[str | Digest, int] | None = None,
    ) -> None: ...
    @property
    def status(self) -> int:
        """The status code."""
    @property
    def headers(self) -> list[tuple[str, str]]:
        """The headers as given."""
    @property
    def body(self) -> bytes:
        """The captured body."""
    @property
    def streamed(self) -> tuple[str, int] | None:
        """``(digest, size)`` of a streamed body."""

@final
class Failure:
    """A transport failure to feed an operation instead of a response: ``kind`` is
    ``"network"`` (refused, reset, unreachable, not HTTP), ``"tls"`` (handshake, certificate) or
    ``"timeout"`` (the request's ``timeout_ms`` or ``deadline_ms`` passed); ``message`` is the
    host's description. The operation raises ``NETWORK_ERROR``, ``TLS_ERROR`` or ``TIMEOUT``
    naming the host, or retries what is safe to repeat (asks to ``"wait"`` then resends), and a
    ``PushBlob`` resumes a cut upload. For a download (a streamed body), ``received`` is how
    many bytes of the blob the host's sink holds after the cut, counted from its first byte
    (what it held before a ``Range`` request plus what arrived): a ``network`` cut is continued
    after the backoff with ``Range: bytes=<received>-`` (on 206 the sink appends, on 200 it
    starts over), or from the start when ``received`` is ``None`` or 0 (the sink is emptied when
    the blob is asked for without ``Range``). A ``timeout`` (stall) is continued so only when new
    bytes arrived before it; with none it is ``TIMEOUT`` at once.

    Raises:
        ValueError: another ``kind``.
        OverflowError: a negative ``received``.
    """

    def __init__(
        self,
        kind: Literal["network", "tls", "timeout", "blocked"],
        message: str,
        *,
        received: int | None = None,
    ) -> None: ...
    @property
    def kind(self) -> Literal["network", "tls", "timeout", "blocked"]:
        """The kind of failure (``"blocked"``: a browser's fetch failed, which may be an answer
        it hid for want of CORS headers; a Python host never reports it)."""
    @property
    def message(self) -> str:
        """The host's description."""
    @property
    def received(self) -> int | None:
        """For a cut download: the bytes of the blob the host's sink holds, or ``None``."""

# What `next` takes: the response to the last request, a transport failure, "resume" after a
# wait, or None first.
OperationInput = Response | Failure | Literal["resume"] | None

@final
class Page:
    """One page of a listing driven with ``next_page``: ``items`` (``str`` tags, or referrers'
    ``Descriptor``), and whether it is the ``last``; if not, call ``next_page(session, None,
    now_ms)`` again for the next page."""

    @property
    def items(self) -> list[Any]:
        """The entries of this page."""
    @property
    def last(self) -> bool:
        """Whether this is the last page."""
    @property
    def next(self) -> str | None:
        """For a page of names (tags, repositories) that is not the last: the ``last`` that
        asks for the page after it (its last entry), for a caller that lists a page at a time
        across requests. ``None`` after the last page, for an empty page, and for referrers,
        whose pages follow the registry's ``Link`` alone."""

@final
class Event:
    """What an operation asks of the host next."""

    @property
    def kind(self) -> Literal["send", "wait", "done"]:
        """``"send"``, ``"wait"`` or ``"done"``."""
    @property
    def request(self) -> Request | None:
        """The request to send (``"send"``)."""
    @property
    def ms(self) -> int | None:
        """Milliseconds to wait (``"wait"``)."""
    @property
    def value(self) -> Any:
        """The operation's result (``"done"``)."""

@final
class FetchedManifest:
    """A manifest as fetched."""

    @property
    def media_type(self) -> str:
        """``Content-Type`` as served, without parameters; from a registry that sends none,
        the document's own ``mediaType``, else the type its shape gives (an index with
        ``manifests``, else an image manifest); empty for bytes that are not a JSON object."""
    @property
    def data(self) -> bytes:
        """The exact bytes."""
    @property
    def digest(self) -> str:
        """Their digest (checked against the reference and ``Docker-Content-Digest``)."""

@final
class Resolved:
    """What resolving a reference tells."""

    @property
    def media_type(self) -> str:
        """``Content-Type`` as served to the HEAD; without one, the fetched document's type
        (:attr:`FetchedManifest.media_type`: a GET follows)."""
    @property
    def digest(self) -> str:
        """The manifest's digest."""
    @property
    def size(self) -> int:
        """The manifest's size."""

@final
class GetManifest:
    """GET a manifest by tag or digest (at most ``max_size`` bytes, default 4 MiB); done with a
    ``FetchedManifest``."""

    def __init__(
        self, session: RegistrySession, reference: str | Reference, *, max_size: int | None = None
    ) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (``input``: ``None`` first, then the ``Response`` to the last request,
        or ``"resume"`` after a wait; ``now_ms``: Unix time in milliseconds).

        Raises:
            RegistryError: e.g. ``MANIFEST_UNKNOWN``, ``UNAUTHORIZED``.
            DigestMismatchError: the bytes do not match the digest asked for.
            ValidationError: ``SIZE_INVALID`` over the size limit.
        """

@final
class PutManifest:
    """PUT a manifest's exact bytes under the reference's tag (or its digest); done with the
    digest."""

    def __init__(
        self, session: RegistrySession, reference: str | Reference, media_type: str, data: Buffer
    ) -> None: ...
    @property
    def subject_processed(self) -> bool:
        """After the PUT: whether the registry indexed the subject (``OCI-Subject``); when a
        manifest with a subject was pushed and this is false, run ``AddReferrer``."""
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class BlobExists:
    """HEAD a blob; done with its size, or ``None`` when absent."""

    def __init__(
        self, session: RegistrySession, reference: str | Reference, digest: str | Digest
    ) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class PushBlob:
    """Upload a blob (skipped when present, mounted from ``mount_from`` when possible,
    monolithic or in ``chunk_size`` chunks); done with ``True`` when sent or mounted, ``False``
    when the repository had it. Request bodies are ``(offset, length)`` ranges of the blob.

    ``content_size``: the size of the content the host has (a buffer's length, a file's size);
    another size than the descriptor's fails the first step with ``SIZE_MISMATCH`` before any
    request."""

    def __init__(
        self,
        session: RegistrySession,
        reference: str | Reference,
        descriptor: Descriptor,
        *,
        mount_from: str | None = None,
        chunk_size: int | None = None,
        content_size: int | None = None,
    ) -> None: ...
    @staticmethod
    def resume(
        session: RegistrySession,
        reference: str | Reference,
        descriptor: Descriptor,
        upload_url: str,
        chunk_size: int,
        *,
        content_size: int | None = None,
    ) -> PushBlob:
        """Resumes an interrupted upload at ``upload_url``: asks the registry how much it has,
        then sends the rest in chunks.

        Raises:
            ValueError: ``chunk_size`` is 0.
        """
    @property
    def upload_url(self) -> str:
        """The newest upload URL (``""`` before the upload session starts)."""
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class GetBlob:
    """GET a blob, streamed by the host while hashed; done with ``None`` once the reported
    digest and size match. With ``have``, asks for the rest (``Range``) of a download whose
    first ``have`` bytes the host has (append on 206, start over on 200)."""

    def __init__(
        self,
        session: RegistrySession,
        reference: str | Reference,
        descriptor: Descriptor,
        *,
        have: int = 0,
    ) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class ResolveManifest:
    """Resolve a tag or digest (HEAD, else GET); done with a ``Resolved``."""

    def __init__(self, session: RegistrySession, reference: str | Reference) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class CheckAuth:
    """``GET /v2/`` with the session's credentials, as ``docker login`` checks them; done with
    ``None``, or raises ``AuthenticationError`` (``UNAUTHORIZED``)."""

    def __init__(self, session: RegistrySession) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class DeleteManifest:
    """DELETE a manifest by digest; done with ``None``."""

    def __init__(
        self, session: RegistrySession, reference: str | Reference, digest: str | Digest
    ) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class DeleteBlob:
    """DELETE a blob by digest (``oras blob delete``); done with ``None``."""

    def __init__(
        self, session: RegistrySession, reference: str | Reference, digest: str | Digest
    ) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

@final
class ListRepositories:
    """List a registry's repositories, ``GET /v2/_catalog`` (``page_size`` per page), following
    pagination; done with a ``list[str]`` (``next``), or with each ``Page`` (``next_page``).
    Its token has the catalog's scope, ``registry:catalog:*``. Raises ``LIMIT_EXCEEDED``
    past the session's listing limits."""

    def __init__(self, session: RegistrySession, *, page_size: int | None = None) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""
    def next_page(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step, done with a ``Page`` of names; after a page that is not the last,
        call again with ``None``."""

@final
class ListTags:
    """List a repository's tags (``page_size`` per page), following pagination; done with a
    ``list[str]`` (``next``), or with each ``Page`` (``next_page``). Raises ``LIMIT_EXCEEDED``
    past the session's ``list_entries_max`` / ``list_bytes_max``."""

    def __init__(
        self,
        session: RegistrySession,
        reference: str | Reference,
        *,
        page_size: int | None = None,
        last: str | None = None,
    ) -> None:
        """``last``: start after this tag (distribution-spec's ``last`` query parameter); a
        value that is not a tag is ``REFERENCE_INVALID``."""
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""
    def next_page(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step, done with a ``Page`` of tags; after a page that is not the last,
        call again with ``None``."""

@final
class ListReferrers:
    """List what refers to ``subject`` (referrers API, or the tag schema on 404), optionally
    of one ``artifact_type``; done with a ``list[Descriptor]`` (``next``), or with each
    ``Page`` (``next_page``). Raises ``LIMIT_EXCEEDED`` past the session's listing limits."""

    def __init__(
        self,
        session: RegistrySession,
        reference: str | Reference,
        subject: str | Digest,
        *,
        artifact_type: str | None = None,
    ) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""
    def next_page(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step, done with a ``Page`` of ``Descriptor``; after a page that is not the
        last, call again with ``None``."""

@final
class AddReferrer:
    """Add ``referrer`` to the referrers tag of ``subject`` (registries without the referrers
    API); done with the new index's digest, or ``None`` when it was already listed."""

    def __init__(
        self,
        session: RegistrySession,
        reference: str | Reference,
        subject: str | Digest,
        referrer: Descriptor,
    ) -> None: ...
    def next(self, session: RegistrySession, input: OperationInput, now_ms: int) -> Event:
        """The next step (see ``GetManifest.next``)."""

def referrers_tag(subject: str | Digest) -> str:
    """The referrers tag schema's tag for ``subject``: ``<alg>-<encoded>``."""

# Graph walks (core registry::walk): the host fetches, the core decides ----------------------

@final
class WalkLimits:
    """The bounds of a walk; going over one raises ``LIMIT_EXCEEDED`` naming it. A bound that
    is not a whole number (``max_depth`` up to 2**32 - 1, the others up to 2**64 - 1) raises
    ``ValidationError`` (``OPTIONS_INVALID``, naming the field) when the object is made."""

    def __init__(
        self,
        *,
        max_depth: int | None = None,
        max_nodes: int | None = None,
        max_bytes: int | None = None,
    ) -> None: ...
    @property
    def max_depth(self) -> int:
        """Levels of manifests, indexes and referrers below the root (default 32)."""
    @property
    def max_nodes(self) -> int:
        """Distinct digests a walk may reach (default 10 000)."""
    @property
    def max_bytes(self) -> int:
        """Bytes of documents a copy's walk holds (default 256 MiB)."""

@final
class WalkStep:
    """What a ``GraphWalk`` asks: fetch a document, or list its referrers."""

    @property
    def kind(self) -> Literal["fetch", "referrers"]: ...
    @property
    def descriptor(self) -> Descriptor: ...

@final
class PlannedDocument:
    """A manifest or index of a ``CopyPlan``: descriptor, exact bytes, subject."""

    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def data(self) -> bytes: ...
    @property
    def subject(self) -> Descriptor | None: ...
    @property
    def referrer_descriptor(self) -> Descriptor:
        """Its entry in a referrers listing of its subject (artifact type, annotations)."""

@final
class CopyPlan:
    """What a finished ``GraphWalk`` found, in the order to write it."""

    @property
    def roots(self) -> tuple[Descriptor, ...]: ...
    @property
    def blobs(self) -> tuple[Descriptor, ...]:
        """Every blob, each once; independent of each other."""
    @property
    def manifests(self) -> tuple[tuple[PlannedDocument, ...], ...]:
        """The documents in waves: a wave may be written concurrently once every earlier wave
        is written (an index after its manifests, a referrer after its subject)."""

@final
class GraphWalk:
    """The walk of a copy from ``roots``: every document and blob, each digest once, with
    ``referrers`` what refers to each document too, within ``limits``.

    ``next_batch()`` gives the steps to perform (independent; empty when none is left); feed
    results back with ``provide_document`` / ``provide_referrers``; ``finish()`` gives the plan.
    A failed walk raises the same error on every later call.
    """

    def __init__(
        self,
        roots: Descriptor | Sequence[Descriptor],
        *,
        referrers: bool = False,
        limits: WalkLimits | None = None,
    ) -> None: ...
    @staticmethod
    def from_fetched(
        served: str,
        digest: str | Digest,
        data: Buffer,
        *,
        referrers: bool = False,
        limits: WalkLimits | None = None,
    ) -> GraphWalk:
        """A walk from a root already fetched (a GET by tag), provided at once: ``served`` is
        its Content-Type as served; a type that is not a manifest type gives way to what the
        document says it is."""
    def next_batch(self) -> list[WalkStep]: ...
    def provide_document(self, digest: str | Digest, data: Buffer) -> None:
        """Raises ``DIGEST_MISMATCH``, ``SIZE_MISMATCH``, ``JSON_INVALID``,
        ``LIMIT_EXCEEDED``, ``PROTOCOL_ERROR`` (a referrer whose subject is not the listed one,
        or a step not asked for)."""
    def provide_referrers(self, subject: str | Digest, referrers: Sequence[Descriptor]) -> None: ...
    def provide_missing(self, digest: str | Digest) -> None:
        """A document asked for that the host does not have, where a partial graph is
        expected (a layout): the walk goes on without it and the plan leaves it out."""
    @property
    def is_done(self) -> bool: ...
    def finish(self) -> CopyPlan: ...

@final
class Referrer:
    """One node of a discover tree: an artifact that refers to its parent, and what refers to
    it in turn."""

    def __init__(
        self, descriptor: Descriptor, referrers: Sequence[Referrer] | None = None
    ) -> None: ...
    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def referrers(self) -> tuple[Referrer, ...]: ...

@final
class ReferrerWalk:
    """The walk of a discover from ``subject``: each digest once, ``depth`` levels down (all
    when ``None``), within ``limits``. ``next_batch()`` gives the digests whose referrers to
    list; ``provide`` each listing; ``finish()`` gives the tree."""

    def __init__(
        self, subject: str | Digest, *, depth: int | None = None, limits: WalkLimits | None = None
    ) -> None: ...
    def next_batch(self) -> list[str]: ...
    def provide(self, subject: str | Digest, referrers: Sequence[Descriptor]) -> None: ...
    @property
    def is_done(self) -> bool: ...
    def finish(self) -> list[Referrer]: ...

def is_index_type(media_type: str) -> bool:
    """Whether ``media_type`` is an index (OCI image index, Docker manifest list)."""

def is_manifest_type(media_type: str) -> bool:
    """Whether ``media_type`` is a manifest or index type ocikit reads (OCI and Docker)."""

# ---- Whole operations (bindings-python/src/operation.rs): push, pull, copy, discover,
# delete, the tags of a digest. One object per operation, driven by the same loop:
#
#     action = op.poll(sessions, now_ms)   # "send" | "wait" | "pending" | "done"
#     op.provide(action.task, response | failure | "resume")
#
# ``poll`` and ``provide`` may be called from any thread or asyncio task.

_Sessions = RegistrySession | Sequence[RegistrySession]
_Input = Response | Failure | Literal["resume"]

@final
class Action:
    """What a whole operation asks of the host: ``"send"`` (send ``request``; when ``blob`` is
    set the request moves that blob's bytes — from its source for a body ``(offset, length)``,
    into its sink when ``request.stream`` — then ``provide(task, Response | Failure)``),
    ``"wait"`` (after ``ms``, ``provide(task, "resume")``), ``"pending"`` (nothing to start
    until a request in flight ends) or ``"done"`` (``value`` is the outcome)."""

    @property
    def kind(self) -> Literal["send", "wait", "pending", "done"]: ...
    @property
    def task(self) -> int | None: ...
    @property
    def request(self) -> Request | None: ...
    @property
    def blob(self) -> Descriptor | None: ...
    @property
    def registry(self) -> str | None:
        """The registry of the session the request is for (``"send"``): send it with that
        registry's transport, also when its URL names another host (a token realm, a
        redirect's target)."""
    @property
    def ms(self) -> int | None: ...
    @property
    def value(self) -> Any: ...

@final
class PlannedRequest:
    """A request a dry run would make."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def note(self) -> str: ...

@final
class BlobOutcome:
    """A blob of a push or copy and what happened to it."""

    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def status(self) -> Literal["uploaded", "existed", "mounted", "planned"]: ...

@final
class PushOutcome:
    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def blobs(self) -> tuple[BlobOutcome, ...]: ...
    @property
    def referrers_tag(self) -> tuple[str, str | None] | None:
        """``(tag, digest of the index written or None)`` when the push kept the subject's
        referrers tag (a registry without the referrers API)."""
    @property
    def planned(self) -> tuple[PlannedRequest, ...]:
        """A dry run: the requests it would make (nothing was sent)."""

@final
class Push:
    """Push (attach, with a subject) the exact ``manifest`` bytes and their blobs. Titles pull
    would refuse (duplicates, ``..``, …) raise ``ANNOTATION_INVALID`` here, before any
    request."""

    def __init__(
        self,
        reference: str | Reference,
        media_type: str,
        manifest: bytes,
        *,
        tags: Sequence[str] | None = None,
        mount_from: str | None = None,
        chunk_size: int | None = None,
        dry_run: bool = False,
        manifest_only: bool = False,
    ) -> None:
        """``manifest_only``: the document as it is (``push_manifest``, as ``oras manifest
        push``): no blob is checked or uploaded and the title rule is not applied; the PUT
        under each tag and the referrers-tag upkeep stay."""
    def poll(self, sessions: _Sessions, now_ms: int) -> Action: ...
    def provide(self, task: int, input: _Input) -> None: ...
    def interrupted_upload(self) -> tuple[Descriptor, str] | None:
        """After the operation failed: ``(blob, upload_url)`` of the blob upload its error is
        about (the engine gave up on it after the network cut it), else ``None``."""

@final
class PulledFile:
    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def path(self) -> str:
        """The checked relative path (the layer's title)."""

@final
class PullOutcome:
    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def manifest(self) -> bytes: ...
    @property
    def files(self) -> tuple[PulledFile, ...]: ...
    @property
    def downloads(self) -> tuple[Descriptor, ...]:
        """The blobs downloaded into their sinks, each digest once."""
    @property
    def children(self) -> tuple[PulledFile, ...]:
        """For a collection (an index): each child read, its folder as ``path`` (a nested
        index's children in folders within its folder); empty for a manifest."""

@final
class Pull:
    """Pull: the manifest, the pull plan (every title checked), one download per digest."""

    def __init__(self, reference: str | Reference, *, allow_git: bool = False) -> None: ...
    def poll(self, sessions: _Sessions, now_ms: int) -> Action: ...
    def provide(self, task: int, input: _Input) -> None: ...
    @property
    def files(self) -> tuple[PulledFile, ...] | None:
        """The pull plan once the manifest is read, before any blob is asked for."""

@final
class DiscoverOutcome:
    @property
    def subject(self) -> Descriptor: ...
    @property
    def referrers(self) -> list[Referrer]: ...

@final
class Discover:
    def __init__(
        self,
        reference: str | Reference,
        *,
        artifact_type: str | None = None,
        depth: int | None = None,
        limits: WalkLimits | None = None,
    ) -> None: ...
    def poll(self, sessions: _Sessions, now_ms: int) -> Action: ...
    def provide(self, task: int, input: _Input) -> None: ...

@final
class DeleteOutcome:
    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def subject(self) -> Descriptor | None: ...
    @property
    def referrers_tag(self) -> tuple[str, str | None] | None: ...

@final
class Delete:
    """Delete a manifest whole: tag → digest, DELETE by digest, and a referrer removed from its
    subject's referrers tag on a registry without the referrers API."""

    def __init__(self, reference: str | Reference) -> None: ...
    def poll(self, sessions: _Sessions, now_ms: int) -> Action: ...
    def provide(self, task: int, input: _Input) -> None: ...

@final
class TagsOfOutcome:
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def unchecked(self) -> int: ...

@final
class TagsOf:
    """The tags of a repository that point at ``digest`` (at most ``max`` resolved)."""

    def __init__(
        self, reference: str | Reference, digest: str | Digest, *, max: int = 1000
    ) -> None: ...
    def poll(self, sessions: _Sessions, now_ms: int) -> Action: ...
    def provide(self, task: int, input: _Input) -> None: ...

@final
class CopyOutcome:
    @property
    def descriptor(self) -> Descriptor: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def blobs(self) -> tuple[BlobOutcome, ...]: ...
    @property
    def manifests(self) -> tuple[Descriptor, ...]: ...
    @property
    def referrers_tags(self) -> list[tuple[str, str | None]]: ...
    @property
    def planned(self) -> tuple[PlannedRequest, ...]: ...

@final
class CopyArtifact:
    """Copy ``source`` and everything it references (with ``referrers``) to ``destination``;
    ``poll`` needs the sessions of both registries. Blobs between registries go through the
    host's spool: a download into the sink of a blob, then an upload from it."""

    def __init__(
        self,
        source: str | Reference,
        destination: str | Reference,
        *,
        referrers: bool = False,
        limits: WalkLimits | None = None,
        tags: Sequence[str] | None = None,
        chunk_size: int | None = None,
        dry_run: bool = False,
    ) -> None: ...
    def poll(self, sessions: _Sessions, now_ms: int) -> Action: ...
    def provide(self, task: int, input: _Input) -> None: ...
    def interrupted_upload(self) -> tuple[Descriptor, str] | None:
        """As :meth:`Push.interrupted_upload`."""

def transfers_at_once(size: int, session: RegistrySession | None = None) -> int:
    """How many transfers of blobs of ``size`` bytes the engine runs at once (32, or from
    4 MiB 4, or 8 once the shortest round trip measured on ``session``'s registry is 50 ms or
    more), for a host that starts transfers of its own (the CLI's early uploads)."""

def plan_files(layers: Sequence[Descriptor], *, allow_git: bool = False) -> list[PulledFile]:
    """The pull plan's title rule (push applies it too): ``ANNOTATION_INVALID`` for a refused
    title, two titles for one file, a file/directory clash; ``PATH_UNSAFE`` for ``.git``;
    ``LIMIT_EXCEEDED`` when the titled files add up to more than 250 times their distinct
    blobs' bytes and 64 MiB (one blob under many titles is written once per title)."""
