"""Exceptions raised by ocikit.

Every error ocikit raises is an :class:`OciError` with a stable ``code`` (the codes listed in
``tests/vectors/error-codes.json``, shared with the JavaScript package) and a ``details`` dict
of structured values. The hierarchy is deliberately small; catch a class for the broad kind of
failure and look at ``code`` for the exact one::

    OciError                          any ocikit error
    ├── ValidationError (ValueError)  an input breaks a grammar or a rule, or names an
    │                                 algorithm ocikit cannot compute
    ├── DigestMismatchError           content is not what was expected: DIGEST_MISMATCH,
    │                                 or SIZE_MISMATCH (a wrong size is a wrong digest, and
    │                                 ocikit checks the size first because it is free)
    ├── RegistryError                 a registry answered with an error (``status``, ``errors``)
    │   └── AuthenticationError       401/403: missing or rejected credentials
    ├── NetworkError (ConnectionError)  NETWORK_ERROR: the connection to a registry failed
    │   │                             (refused, reset, unreachable, bad HTTP framing);
    │   │                             TLS_ERROR: the TLS handshake or certificate check failed
    │   └── UploadInterruptedError    an upload stopped half-way, with what it takes to resume it
    ├── OperationTimeoutError (TimeoutError)  TIMEOUT: a stall timeout or an operation's
    │                                 deadline passed
    ├── LimitExceededError            LIMIT_EXCEEDED: a registry or a layout sent more than a
    │                                 limit allows (``details`` name the limit and its value)
    └── PolicyError                   ocikit's security policy refused what a registry, a layout
                                      or a pulled title asked for: AUTH_REALM_REFUSED,
                                      LOCATION_REFUSED, PATH_UNSAFE

Codes without a more specific class raise :class:`OciError` itself.

Network failures are :class:`OciError` exceptions that are also the built-in
:class:`ConnectionError` or :class:`TimeoutError`, so code that catches :class:`OSError` keeps
working; their messages name the host. Failures of local files (a file to push that cannot be
read, an output directory that cannot be written) stay the standard library's :class:`OSError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "AuthenticationError",
    "DigestMismatchError",
    "LimitExceededError",
    "NetworkError",
    "OciError",
    "OperationTimeoutError",
    "PolicyError",
    "RegistryError",
    "UploadInterruptedError",
    "ValidationError",
]


class OciError(Exception):
    """The base class of every error ocikit raises.

    Attributes:
        code: the stable SCREAMING_SNAKE code, e.g. ``"DIGEST_INVALID"``.
        details: structured values of the error, e.g. ``{"value": ..., "reason": ...}``;
            sizes are ``int``.
        message: the human-readable message (also ``str(error)``).
    """

    code: str
    details: dict[str, Any]
    message: str

    def __init__(
        self, message: str, *, code: str, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = dict(details or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> Any:
        # Keyword-only arguments are not in self.args; without this, pickling (e.g. across
        # multiprocessing) would fail to rebuild the error.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[OciError], message: str, state: dict[str, Any]) -> OciError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ValidationError(OciError, ValueError):
    """An input breaks a grammar or a rule (a digest, a media type, a document, a size), or
    names a digest algorithm ocikit cannot compute (``DIGEST_UNSUPPORTED``).

    It is also a :class:`ValueError`, so code that validates arguments the usual Python way
    catches it.
    """


class DigestMismatchError(OciError):
    """Content does not match what its descriptor promises.

    ``code`` is ``DIGEST_MISMATCH`` (``details``: ``expected``, ``actual`` digests) or
    ``SIZE_MISMATCH`` (``details``: ``expected``, ``actual`` byte counts); for a layout a
    restore refuses as damaged, the damage's code with ``details``: ``path`` (the file).
    """


class RegistryError(OciError):
    """A registry answered a request with an error.

    Attributes:
        status: the HTTP status code, or ``None`` when the registry broke the protocol
            (``PROTOCOL_ERROR``) or sent an authentication challenge ocikit cannot use
            (``AUTH_INVALID``) rather than answering with an error status.
        errors: the ``errors`` array of the response body (distribution-spec error codes such
            as ``MANIFEST_UNKNOWN`` pass through unchanged), possibly empty.
    """

    status: int | None
    errors: list[dict[str, Any]]

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.status = status
        self.errors = [dict(e) for e in errors or ()]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"message={self.message!r})"
        )


class AuthenticationError(RegistryError):
    """The registry requires credentials, or rejected the ones given (401 or 403)."""


class NetworkError(OciError, ConnectionError):
    """The connection to a registry failed: ``NETWORK_ERROR`` (refused, reset, unreachable,
    a name that does not resolve, a response that breaks HTTP/1.1 framing or has a header over
    the limits) or ``TLS_ERROR`` (the TLS handshake or the certificate check failed).

    It is also a :class:`ConnectionError` (an :class:`OSError`). ``details`` has ``host`` and,
    when the transport said why, ``reason``; raised by a client's operation, also the request's
    ``method`` and ``url`` (without its query, where a presigned URL holds its signature).
    """


class OperationTimeoutError(OciError, TimeoutError):
    """``TIMEOUT``: no byte moved for the stall timeout, or an operation's deadline passed
    (see the ``timeout`` and ``stall_timeout`` of :class:`ocikit.Client`).

    It is also the built-in :class:`TimeoutError` (an :class:`OSError`). ``details`` has
    ``host`` and ``limit`` (``"stall_timeout"`` or ``"deadline"``) with ``seconds``.
    """


class LimitExceededError(OciError):
    """``LIMIT_EXCEEDED``: a registry or a layout sent more than a limit allows (a listing's
    entries or bytes, a layout's ``index.json`` size, a walk's depth or nodes). ``details``
    name the limit, the value and how to change it."""


class PolicyError(OciError):
    """ocikit's security policy refused what a registry, a layout or a pulled title asked
    for: ``AUTH_REALM_REFUSED`` (a token realm that may not receive credentials),
    ``LOCATION_REFUSED`` (a redirect or upload ``Location`` the client will not follow) or
    ``PATH_UNSAFE`` (a layout path that is a link leading out of the layout or not a regular
    file; a pulled title with a ``.git`` component; an existing file ``keep_old_files``
    protects) or ``ARCHIVE_UNSAFE`` (a directory layer's entry that would land outside its
    directory, a device file, a FIFO, a setuid or setgid bit, an entry written twice)."""


class UploadInterruptedError(NetworkError):
    """A blob upload stopped half-way because the registry could not be reached, and resuming
    it failed as often as the client's retry policy allows (code ``NETWORK_ERROR``).

    The registry keeps what it received under ``upload_url`` (for as long as it keeps
    unfinished uploads), so the upload can go on later from there::

        client.push_blob(error.reference, error.descriptor, source,
                         upload_url=error.upload_url)

    It is a :class:`NetworkError`, so a :class:`ConnectionError` (an :class:`OSError`) too:
    code that treats network failures alike needs no change. The original failure is
    ``__cause__``.

    Attributes:
        reference: ``registry/repository`` the blob was going to.
        descriptor: the blob's descriptor (``ocikit.Descriptor``).
        upload_url: the upload session's newest URL.
    """

    reference: str
    descriptor: Any
    upload_url: str

    def __init__(self, message: str, *, reference: str, descriptor: Any, upload_url: str):
        super().__init__(
            message,
            code="NETWORK_ERROR",
            details={"reference": reference, "upload_url": upload_url},
        )
        self.reference = reference
        self.descriptor = descriptor
        self.upload_url = upload_url

    def __reduce__(self) -> Any:
        return (
            _rebuild_interrupted,
            (str(self), self.reference, self.descriptor.to_json(), self.upload_url),
        )


def _rebuild_interrupted(
    message: str, reference: str, descriptor: bytes, upload_url: str
) -> UploadInterruptedError:
    from ocikit._ocikit import Descriptor

    return UploadInterruptedError(
        message,
        reference=reference,
        descriptor=Descriptor.from_json(descriptor),
        upload_url=upload_url,
    )


# The class raised for each core error code; the extension module reads this mapping (once)
# when it converts a core error. Codes not listed raise OciError, but every code in the
# "raised" list of tests/vectors/error-codes.json must be listed here (a test checks it), so
# that each new code gets a deliberate class.
_CLASSES: dict[str, type[OciError]] = {
    "JSON_INVALID": ValidationError,
    "FIELD_MISSING": ValidationError,
    "SCHEMA_VERSION_INVALID": ValidationError,
    "MEDIA_TYPE_INVALID": ValidationError,
    "MEDIA_TYPE_MISMATCH": ValidationError,
    "DIGEST_INVALID": ValidationError,
    "DIGEST_UNSUPPORTED": ValidationError,
    "SIZE_INVALID": ValidationError,
    "DATA_INVALID": ValidationError,
    "ARTIFACT_TYPE_REQUIRED": ValidationError,
    "ANNOTATION_INVALID": ValidationError,
    "URL_INVALID": ValidationError,
    "DISPLAY_NAME_INVALID": ValidationError,
    "LOGO_INVALID": ValidationError,
    "LOGO_UNSAFE": ValidationError,
    "LOGO_TOO_LARGE": ValidationError,
    "PULL_COMMAND_INVALID": ValidationError,
    "REFERENCE_INVALID": ValidationError,
    "OPTIONS_INVALID": ValidationError,
    "TEXT_INVALID": ValidationError,
    "DIGEST_MISMATCH": DigestMismatchError,
    "SIZE_MISMATCH": DigestMismatchError,
    # Registry operations ("registry" in error-codes.json).
    "AUTH_INVALID": AuthenticationError,
    "UNAUTHORIZED": AuthenticationError,
    "DENIED": AuthenticationError,
    "PROTOCOL_ERROR": RegistryError,
    "REGISTRY_ERROR": RegistryError,
    "NOT_FOUND": RegistryError,
    "BLOB_UNKNOWN": RegistryError,
    "BLOB_UPLOAD_INVALID": RegistryError,
    "BLOB_UPLOAD_UNKNOWN": RegistryError,
    "MANIFEST_BLOB_UNKNOWN": RegistryError,
    "MANIFEST_INVALID": RegistryError,
    "MANIFEST_UNKNOWN": RegistryError,
    "NAME_INVALID": RegistryError,
    "NAME_UNKNOWN": RegistryError,
    "UNSUPPORTED": RegistryError,
    "TOOMANYREQUESTS": RegistryError,
    # Transport failures, limits and the security policy (DESIGN.md, "Security policy").
    "NETWORK_ERROR": NetworkError,
    "TLS_ERROR": NetworkError,
    "TIMEOUT": OperationTimeoutError,
    "LIMIT_EXCEEDED": LimitExceededError,
    "AUTH_REALM_REFUSED": PolicyError,
    "LOCATION_REFUSED": PolicyError,
    "PATH_UNSAFE": PolicyError,
    "ARCHIVE_UNSAFE": PolicyError,
    "ARCHIVE_INVALID": ValidationError,
    # A host drove an operation wrongly: its own bug, not an input's or a registry's.
    "OPERATION_MISUSE": OciError,
}
