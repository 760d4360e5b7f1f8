"""The exception hierarchy of ocikit.errors and how core errors arrive in Python."""

from __future__ import annotations

import pickle

import pytest

import ocikit
from ocikit import errors


def test_hierarchy() -> None:
    assert issubclass(ocikit.OciError, Exception)
    assert issubclass(ocikit.ValidationError, ocikit.OciError)
    assert issubclass(ocikit.ValidationError, ValueError)
    assert issubclass(ocikit.DigestMismatchError, ocikit.OciError)
    assert not issubclass(ocikit.DigestMismatchError, ValueError)
    assert issubclass(ocikit.RegistryError, ocikit.OciError)
    assert issubclass(ocikit.AuthenticationError, ocikit.RegistryError)
    assert ocikit.OciError is errors.OciError


@pytest.mark.parametrize(
    ("call", "cls", "code", "details"),
    [
        (
            lambda: ocikit.Digest.parse("sha256"),
            ocikit.ValidationError,
            "DIGEST_INVALID",
            {"value": "sha256", "reason": "missing ':' between algorithm and encoded part"},
        ),
        (
            lambda: ocikit.digest(b"", "sha384"),
            ocikit.ValidationError,
            "DIGEST_UNSUPPORTED",
            {"algorithm": "sha384"},
        ),
        (
            lambda: ocikit.MediaType.parse("text"),
            ocikit.ValidationError,
            "MEDIA_TYPE_INVALID",
            {"value": "text", "reason": "missing '/' between type and subtype"},
        ),
        (
            lambda: ocikit.verify(b"{}", "sha256:" + "0" * 64),
            ocikit.DigestMismatchError,
            "DIGEST_MISMATCH",
            {
                "expected": "sha256:" + "0" * 64,
                "actual": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            },
        ),
        (
            lambda: ocikit.verify(b"{}", "sha256:" + "0" * 64, 3),
            ocikit.DigestMismatchError,
            "SIZE_MISMATCH",
            {"expected": 3, "actual": 2},
        ),
    ],
    ids=[
        "DIGEST_INVALID",
        "DIGEST_UNSUPPORTED",
        "MEDIA_TYPE_INVALID",
        "DIGEST_MISMATCH",
        "SIZE_MISMATCH",
    ],
)
def test_core_errors_arrive_as_their_class(call, cls, code, details) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(cls) as raised:
        call()
    error = raised.value
    assert type(error) is cls
    assert error.code == code
    assert error.details == details
    assert str(error) == error.message and error.message
    assert repr(error) == f"{cls.__name__}(code={code!r}, message={error.message!r})"
    assert error.__traceback__ is not None


def test_sizes_in_details_are_ints() -> None:
    with pytest.raises(ocikit.DigestMismatchError) as raised:
        ocikit.verify(b"x" * 5, "sha256:" + "0" * 64, 1 << 40)
    assert raised.value.details == {"expected": 1 << 40, "actual": 5}
    assert all(type(value) is int for value in raised.value.details.values())


def test_errors_pickle() -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.Digest.parse("nope")
    clone = pickle.loads(pickle.dumps(raised.value))
    assert type(clone) is ocikit.ValidationError
    assert (clone.code, clone.details, str(clone)) == (
        raised.value.code,
        raised.value.details,
        str(raised.value),
    )
    registry = ocikit.AuthenticationError(
        "denied", code="UNAUTHORIZED", status=401, errors=[{"code": "UNAUTHORIZED"}]
    )
    clone = pickle.loads(pickle.dumps(registry))
    assert (clone.status, clone.errors, clone.code) == (
        401,
        [{"code": "UNAUTHORIZED"}],
        "UNAUTHORIZED",
    )


def test_registry_error_attributes() -> None:
    error = ocikit.RegistryError(
        "manifest unknown",
        code="MANIFEST_UNKNOWN",
        status=404,
        errors=[{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}],
    )
    assert error.status == 404
    assert error.errors[0]["code"] == "MANIFEST_UNKNOWN"
    assert error.details == {}
    assert repr(error) == (
        "RegistryError(code='MANIFEST_UNKNOWN', status=404, message='manifest unknown')"
    )


def test_errors_can_be_raised_from_python() -> None:
    with pytest.raises(ocikit.OciError) as raised:
        raise ocikit.OciError("custom", code="SOMETHING")
    assert raised.value.details == {}
    with pytest.raises(TypeError):
        ocikit.OciError("code is required")  # type: ignore[call-arg]
