"""Type stubs of the native module ocikit._ocikit (import these names from ``ocikit``)."""

import sys
from typing import Any, Callable, Literal, final

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
            ocikit cannot compute (``DIGEST_UNSUPPORTED``); ocikit computes sha256 and sha512.
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

    Only valid digests exist: sha256 and sha512 digests are lowercase hex of the right length,
    and any other algorithm satisfies the image-spec grammar (``supported`` is then false).
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
        """The encoded part (lowercase hex for sha256 and sha512)."""
    @property
    def supported(self) -> bool:
        """Whether ocikit can compute and verify this digest (sha256 and sha512)."""
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
        """``"sha256"`` or ``"sha512"``."""

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
    def severity(self) -> Literal["error", "warning"]:
        """``"error"`` breaks a MUST; ``"warning"`` a SHOULD or a convention."""
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
