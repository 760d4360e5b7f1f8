"""ocikit: author OCI registry artifacts.

One Rust core computes digests, parses and lints media types, packs, validates and describes
manifests, and plans image layouts; this package is its Python face, and moves the bytes (files
on disk). Everything that needs thought happens in the core, so Python, JavaScript and Rust
give the same answers, byte for byte, and raise the same error codes.

>>> import ocikit
>>> ocikit.digest(b"{}")
'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
>>> packed = ocikit.pack(
...     [ocikit.File("hello.txt", b"hello\\n", media_type="text/plain")],
...     artifact_type="application/vnd.example.hello.config.v1+json",
... )
>>> ocikit.validate(packed.manifest.to_json()).valid
True
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from ocikit import annotations
from ocikit._files import digest_file
from ocikit._ocikit import (
    ArtifactMediaType,
    ArtifactTypeDefinition,
    CopyPlan,
    Description,
    Descriptor,
    Digest,
    Digester,
    Finding,
    GraphWalk,
    Index,
    Layout,
    LayoutServer,
    Limits,
    Manifest,
    MediaType,
    PlannedDocument,
    Platform,
    Reference,
    ReferrerWalk,
    RegistryLint,
    RegistrySession,
    Report,
    RetryPolicy,
    WalkLimits,
    WalkStep,
    __version__,
    artifact_types,
    check_logo,
    check_title,
    classify_tag,
    describe,
    digest,
    is_layout_host,
    layout_host,
    lint_for_registry,
    lookup_artifact_type,
    pull_commands,
    register_artifact_type,
    registry_profile,
    registry_rules,
    validate,
    verify,
    verify_layout,
)
from ocikit.errors import (
    AuthenticationError,
    DigestMismatchError,
    LimitExceededError,
    NetworkError,
    OciError,
    OperationTimeoutError,
    PolicyError,
    RegistryError,
    UploadInterruptedError,
    ValidationError,
)

if _TYPE_CHECKING:
    from ocikit._archive import UnpackLimits
    from ocikit._async import AsyncClient
    from ocikit._client import Client, Pulled, Referrer, TagsPage, login, logout
    from ocikit._collections import (
        BackedUp,
        Restored,
        backup,
        create_index,
        restore,
        update_index,
    )
    from ocikit._http import HttpxTransport, StdlibTransport
    from ocikit._layout import LayoutDocument, OciLayout
    from ocikit._pack import Blob, Config, File, Packed, pack, pack_index
    from ocikit._target import Repository, copy

# The registry client and what needs it (http.client, ssl, email's parser: about half of the
# package's import time) and packing (dataclasses, datetime, pathlib) are imported when first
# asked for, so that `ocikit digest` and other commands without them start quickly.
# AsyncClient also needs httpx (pip install 'ocikit[async]').
_LAZY = {
    "AsyncClient": "ocikit._async",
    "Client": "ocikit._client",
    "Pulled": "ocikit._client",
    "Referrer": "ocikit._client",
    "TagsPage": "ocikit._client",
    "login": "ocikit._client",
    "logout": "ocikit._client",
    "HttpxTransport": "ocikit._http",
    "StdlibTransport": "ocikit._http",
    "LayoutDocument": "ocikit._layout",
    "OciLayout": "ocikit._layout",
    "Repository": "ocikit._target",
    "copy": "ocikit._target",
    "Blob": "ocikit._pack",
    "Config": "ocikit._pack",
    "File": "ocikit._pack",
    "Packed": "ocikit._pack",
    "pack": "ocikit._pack",
    "pack_index": "ocikit._pack",
    "BackedUp": "ocikit._collections",
    "Restored": "ocikit._collections",
    "backup": "ocikit._collections",
    "create_index": "ocikit._collections",
    "restore": "ocikit._collections",
    "update_index": "ocikit._collections",
    "UnpackLimits": "ocikit._archive",
}

__all__ = [
    "ArtifactMediaType",
    "ArtifactTypeDefinition",
    "AsyncClient",
    "AuthenticationError",
    "BackedUp",
    "Blob",
    "Client",
    "Config",
    "CopyPlan",
    "Description",
    "Descriptor",
    "Digest",
    "DigestMismatchError",
    "Digester",
    "File",
    "Finding",
    "GraphWalk",
    "HttpxTransport",
    "Index",
    "Layout",
    "LayoutDocument",
    "LayoutServer",
    "LimitExceededError",
    "Limits",
    "Manifest",
    "MediaType",
    "NetworkError",
    "OciError",
    "OciLayout",
    "OperationTimeoutError",
    "Packed",
    "PlannedDocument",
    "Platform",
    "PolicyError",
    "Pulled",
    "Reference",
    "Referrer",
    "ReferrerWalk",
    "RegistryError",
    "RegistryLint",
    "RegistrySession",
    "Report",
    "Repository",
    "Restored",
    "RetryPolicy",
    "StdlibTransport",
    "TagsPage",
    "UnpackLimits",
    "UploadInterruptedError",
    "ValidationError",
    "WalkLimits",
    "WalkStep",
    "__version__",
    "annotations",
    "artifact_types",
    "backup",
    "check_logo",
    "check_title",
    "classify_tag",
    "copy",
    "create_index",
    "describe",
    "digest",
    "digest_file",
    "is_layout_host",
    "layout_host",
    "lint_for_registry",
    "login",
    "logout",
    "lookup_artifact_type",
    "pack",
    "pack_index",
    "pull_commands",
    "register_artifact_type",
    "registry_profile",
    "registry_rules",
    "restore",
    "update_index",
    "validate",
    "verify",
    "verify_layout",
]


def __getattr__(name: str) -> object:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        # ocikit._pack and the other private modules, as when the package imported them all.
        if name.startswith("_") and not name.startswith("__"):
            try:
                return importlib.import_module(f"ocikit.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"ocikit.{name}":
                    raise
        raise AttributeError(f"module 'ocikit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
