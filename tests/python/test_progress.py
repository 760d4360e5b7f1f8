"""The progress line of the ``ocikit`` command, the retry policy and the interrupted-upload
error — without a registry (tests/registry runs them against real ones)."""

from __future__ import annotations

import io
import pickle

import pytest

import ocikit
from ocikit import Descriptor, RetryPolicy, UploadInterruptedError
from ocikit._progress import ProgressLine, format_bytes


def _descriptor(size: int, n: int = 0) -> Descriptor:
    return Descriptor(media_type="application/octet-stream", digest=ocikit.digest(b"%d" % n),
                      size=size)  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (3 << 20, "3.0 MiB"), (5 << 40, "5.0 TiB")],
)
def test_format_bytes(count: int, text: str) -> None:
    assert format_bytes(count) == text


def test_progress_line_draws_in_place_at_most_every_interval() -> None:
    stream, clock = io.StringIO(), Clock()
    line = ProgressLine(stream, "Uploading", interval=1.0, clock=clock)
    big, small = _descriptor(4 << 20, 1), _descriptor(1024, 2)
    line(big, 0, big.size)  # the first report draws at once
    line(small, 0, small.size)
    clock.now += 0.5
    line(big, 1 << 20, big.size)  # too soon: not drawn
    assert stream.getvalue().count("\r") == 1
    clock.now += 0.5
    line(big, 2 << 20, big.size)
    assert stream.getvalue().count("\r") == 2
    last = stream.getvalue().split("\r")[-1]
    assert last.startswith("Uploading 0/2 blobs [")
    assert last.endswith(" 50%  2.0 MiB / 4.0 MiB  2.0 MiB/s")
    line(big, big.size, big.size)
    line(small, small.size, small.size)
    line.close()
    final = stream.getvalue().split("\r")[-1]
    assert final.startswith("Uploading 2/2 blobs [" + "#" * 10)
    assert final.endswith("100%  4.0 MiB / 4.0 MiB  4.0 MiB/s\n")
    assert all(len(drawn.rstrip("\n")) <= 79 for drawn in stream.getvalue().split("\r"))
    line.close()  # once ended, a second close adds nothing
    assert stream.getvalue().endswith("MiB/s\n")


def test_progress_line_wipes_a_longer_previous_line() -> None:
    stream, clock = io.StringIO(), Clock()
    line = ProgressLine(stream, "Downloading", interval=0, clock=clock)
    blob = _descriptor(2 << 30)
    clock.now += 1
    line(blob, 1 << 30, blob.size)
    first = stream.getvalue().split("\r")[-1]
    clock.now += 1
    line(blob, 2, blob.size)  # went back: a resumed transfer
    second = stream.getvalue().split("\r")[-1]
    assert len(second) >= len(first)


def test_progress_line_without_reports_writes_nothing() -> None:
    stream = io.StringIO()
    with ProgressLine(stream, "Copying"):
        pass
    assert stream.getvalue() == ""


def test_retry_policy() -> None:
    policy = RetryPolicy()
    assert policy == RetryPolicy(max_retries=4, base_delay_ms=250, max_delay_ms=30_000)
    assert repr(policy) == "RetryPolicy(max_retries=4, base_delay_ms=250, max_delay_ms=30000)"
    fast = RetryPolicy(max_retries=2, base_delay_ms=10, max_delay_ms=15)
    assert [fast.delay_ms(503, attempt) for attempt in (1, 2, 3)] == [10, 15, None]
    assert fast.delay_ms(404, 1) is None  # not worth retrying
    assert policy.delay_ms(429, 1, "2") == 2000  # Retry-After, when longer than the backoff
    assert fast.delay_ms(429, 1, "2") == 15  # … up to max_delay_ms
    session = ocikit.RegistrySession("example.com", retry_policy=fast)
    assert session.retry_policy == fast
    assert ocikit.RegistrySession("example.com").retry_policy == policy
    assert (
        ocikit.Client("example.com", retry_policy=fast)._session("example.com").retry_policy == fast
    )
    with pytest.raises(TypeError):
        RetryPolicy(3)  # type: ignore[misc]


def test_upload_interrupted_error() -> None:
    descriptor = _descriptor(10)
    error = UploadInterruptedError(
        "interrupted", reference="r.example/repo", descriptor=descriptor,
        upload_url="https://r.example/v2/repo/blobs/uploads/1?_state=x",
    )  # fmt: skip
    assert isinstance(error, ConnectionError) and isinstance(error, OSError)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.reference, copy.descriptor, copy.upload_url) == (
        "interrupted", error.reference, descriptor, error.upload_url,
    )  # fmt: skip
