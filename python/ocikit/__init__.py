"""ocikit: author OCI registry artifacts.

One Rust core computes digests, parses and lints media types and (as the roadmap lands) builds,
validates and transfers manifests; this package is its Python face. Everything that needs
thought happens in the core, so Python, JavaScript and Rust give the same answers and raise the
same error codes.

>>> import ocikit
>>> ocikit.digest(b"{}")
'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
"""

from ocikit._files import digest_file
from ocikit._ocikit import (
    ArtifactMediaType,
    Digest,
    Digester,
    Finding,
    MediaType,
    __version__,
    digest,
    verify,
)
from ocikit.errors import (
    AuthenticationError,
    DigestMismatchError,
    OciError,
    RegistryError,
    ValidationError,
)

__all__ = [
    "ArtifactMediaType",
    "AuthenticationError",
    "Digest",
    "DigestMismatchError",
    "Digester",
    "Finding",
    "MediaType",
    "OciError",
    "RegistryError",
    "ValidationError",
    "__version__",
    "digest",
    "digest_file",
    "verify",
]
