"""Python-side behaviour of digest, verify, Digest and Digester: buffers, threads, types."""

from __future__ import annotations

import array
import copy
import hashlib
import mmap
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any, Callable

import pytest

import ocikit

EMPTY_JSON = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
ABC = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def sha256(data: Any) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# Buffers ------------------------------------------------------------------------------------


def _mmap_of(data: bytes, tmp_path: Any) -> mmap.mmap:
    path = tmp_path / "mapped"
    path.write_bytes(data)
    with open(path, "rb") as file:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


BUFFER_KINDS: dict[str, Callable[[bytes, Any], Any]] = {
    "bytes": lambda data, _: data,
    "bytearray": lambda data, _: bytearray(data),
    "memoryview": lambda data, _: memoryview(data),
    "memoryview-slice": lambda data, _: memoryview(b"xx" + data + b"yy")[2:-2],
    "readonly-memoryview-of-bytearray": lambda data, _: memoryview(bytearray(data)).toreadonly(),
    "array-B": lambda data, _: array.array("B", data),
    "mmap": _mmap_of,
}


@pytest.mark.parametrize("kind", BUFFER_KINDS)
@pytest.mark.parametrize("size", [2, 100_000])
def test_every_buffer_kind(kind: str, size: int, tmp_path: Any) -> None:
    data = (b"{}" * size)[:size]
    buffer = BUFFER_KINDS[kind](data, tmp_path)
    assert ocikit.digest(buffer) == sha256(data)
    digester = ocikit.Digester()
    digester.update(buffer)
    assert digester.finalize() == sha256(data)
    assert digester.size == size
    ocikit.verify(buffer, sha256(data), size)


def test_items_of_any_format_are_hashed_as_raw_bytes() -> None:
    # Like hashlib: the buffer's memory, whatever its item type.
    values = array.array("I", [1, 2, 3, 0xFFFFFFFF])
    assert ocikit.digest(values) == sha256(values)
    assert ocikit.digest(memoryview(values)) == sha256(values.tobytes())


def test_empty_buffers() -> None:
    for empty in (b"", bytearray(), memoryview(b""), array.array("B")):
        assert ocikit.digest(empty) == sha256(b"")


def test_anonymous_mmap() -> None:
    anonymous = mmap.mmap(-1, 4096)
    assert ocikit.digest(anonymous) == sha256(bytes(4096))


def test_non_contiguous_buffer_is_a_clear_buffer_error() -> None:
    strided = memoryview(b"abcdef")[::2]
    with pytest.raises(BufferError, match="C-contiguous"):
        ocikit.digest(strided)
    with pytest.raises(BufferError, match="C-contiguous"):
        ocikit.Digester().update(strided)
    # The advice in the message works.
    assert ocikit.digest(bytes(strided)) == sha256(b"ace")


@pytest.mark.parametrize("value", ["{}", 42, None, 1.5, ["{"], object()])
def test_non_buffers_are_type_errors(value: Any) -> None:
    with pytest.raises(TypeError):
        ocikit.digest(value)
    with pytest.raises(TypeError):
        ocikit.Digester().update(value)
    with pytest.raises(TypeError):
        ocikit.verify(value, EMPTY_JSON)


def test_algorithm_must_be_a_str() -> None:
    with pytest.raises(TypeError):
        ocikit.digest(b"", 256)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ocikit.Digester(None)  # type: ignore[arg-type]


def test_sha512() -> None:
    assert ocikit.digest(b"abc", "sha512") == "sha512:" + hashlib.sha512(b"abc").hexdigest()


# blake3 of b"abc" and of the BLAKE3 team's 102400-byte test input (bytes 0..250 repeating),
# from tests/vectors/tools/blake3_reference.py, which matches every official test vector.
BLAKE3_ABC = "blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
BLAKE3_102400 = "blake3:bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085"


def test_blake3() -> None:
    assert ocikit.digest(b"abc", "blake3") == BLAKE3_ABC
    official = bytes(i % 251 for i in range(102400))  # hashed with the GIL released
    assert ocikit.digest(official, algorithm="blake3") == BLAKE3_102400
    digester = ocikit.Digester("blake3")
    digester.update(official[:50000])
    clone = digester.copy()
    digester.update(memoryview(official)[50000:])
    assert (digester.algorithm, digester.size) == ("blake3", 102400)
    assert digester.finalize() == BLAKE3_102400
    assert repr(digester) == "Digester(algorithm='blake3', size=102400)"
    assert clone.size == 50000 and clone.finalize() == ocikit.digest(official[:50000], "blake3")
    digester.verify(BLAKE3_102400, 102400)
    ocikit.verify(b"abc", BLAKE3_ABC, 3)
    ocikit.verify(b"abc", ocikit.Digest.parse(BLAKE3_ABC))
    assert ocikit.Digest.parse(BLAKE3_ABC).supported


def test_blake3_mismatch_and_invalid() -> None:
    with pytest.raises(ocikit.DigestMismatchError) as raised:
        ocikit.verify(b"abd", BLAKE3_ABC)
    assert raised.value.code == "DIGEST_MISMATCH"
    actual = ocikit.digest(b"abd", "blake3")
    assert raised.value.details == {"expected": BLAKE3_ABC, "actual": actual}
    # A sha256 digester checked against a blake3 digest: a mismatch, not an error of another kind.
    sha = ocikit.Digester()
    sha.update(b"abc")
    with pytest.raises(ocikit.DigestMismatchError):
        sha.verify(BLAKE3_ABC)
    uppercase = "blake3:" + BLAKE3_ABC.removeprefix("blake3:").upper()
    for wrong in (uppercase, BLAKE3_ABC[:-1], BLAKE3_ABC + "0"):
        with pytest.raises(ocikit.ValidationError) as invalid:
            ocikit.verify(b"abc", wrong)
        assert invalid.value.code == "DIGEST_INVALID"
    with pytest.raises(ocikit.ValidationError) as unsupported:
        ocikit.Digester("BLAKE3")
    assert unsupported.value.code == "DIGEST_INVALID"


def test_cli_digest_blake3(ocikit_cli: Any, tmp_path: Any) -> None:
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    result = subprocess.run(
        [str(ocikit_cli), "digest", "--algorithm", "blake3", str(path), "-"],
        input=b"abc",
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"{BLAKE3_ABC}  3  {path}\n{BLAKE3_ABC}  3  -\n"


# Zero copy ----------------------------------------------------------------------------------

# Runs in a fresh interpreter so that its peak RSS says what digesting costs. A copy of the
# 64 MiB input anywhere (Python or Rust) would raise the peak by 64 MiB.
NO_COPY_PROBE = textwrap.dedent(
    """
    import resource, sys, tracemalloc
    import ocikit

    SIZE = 64 << 20
    data = bytearray(SIZE)
    data[::4096] = b"x" * (SIZE // 4096)  # touch every page, so it is resident
    frozen = bytes(data)
    view = memoryview(data)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    for buffer in (data, frozen, view, view[1:]):
        ocikit.digest(buffer)
        try:
            ocikit.verify(buffer, "sha256:" + "0" * 64)
        except ocikit.DigestMismatchError:
            pass
        digester = ocikit.Digester()
        digester.update(buffer)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline  # KiB on Linux
    print(python_peak, growth * 1024)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
def test_large_buffers_are_not_copied() -> None:
    out = subprocess.run(
        [sys.executable, "-c", NO_COPY_PROBE], capture_output=True, text=True, check=True
    ).stdout
    python_peak, rss_growth = map(int, out.split())
    assert python_peak < 1 << 20, f"Python allocated {python_peak} bytes while hashing"
    assert rss_growth < 16 << 20, f"peak RSS grew by {rss_growth} bytes while hashing 64 MiB"


# The GIL ------------------------------------------------------------------------------------


def _longest_stall_while(work: Callable[[], None]) -> tuple[float, float]:
    """Runs ``work`` while another Python thread counts; returns (the longest pause of the
    counting thread during the work, how long the work took), in seconds."""
    stop = threading.Event()
    counted = threading.Event()
    longest = [0.0]

    def count() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            longest[0] = max(longest[0], now - last)
            last = now
            counted.set()

    counter = threading.Thread(target=count)
    counter.start()
    counted.wait()
    longest[0] = 0.0
    begin = time.perf_counter()
    work()
    duration = time.perf_counter() - begin
    stop.set()
    counter.join()
    return longest[0], duration


@pytest.fixture
def short_switch_interval() -> Any:
    # The waiting thread asks for the GIL every 1 ms; a digest that kept the GIL would then
    # show up as one stall as long as itself.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    yield
    sys.setswitchinterval(previous)


@pytest.fixture(scope="module")
def large() -> bytes:
    return b"\x5a" * (128 << 20)  # hashing it takes about 0.1 s


def _verify_mismatch(data: bytes) -> None:
    with pytest.raises(ocikit.DigestMismatchError):
        ocikit.verify(data, EMPTY_JSON)


@pytest.mark.parametrize(
    "work",
    [ocikit.digest, lambda data: ocikit.Digester().update(data), _verify_mismatch],
    ids=["digest", "Digester.update", "verify"],
)
def test_large_inputs_release_the_gil(
    work: Callable[[bytes], None], large: bytes, short_switch_interval: Any
) -> None:
    longest, duration = _longest_stall_while(lambda: work(large))
    assert duration > 0.03, "the input is too small to tell"
    # Holding the GIL would stall the counting loop for the whole call.
    assert longest < duration / 2, f"stalled {longest:.3f}s of a {duration:.3f}s digest"


def test_threads_hash_concurrently() -> None:
    data = bytes(range(256)) * (1 << 16)  # 16 MiB
    expected = sha256(data)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(ocikit.digest(data))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_shared_digester_serialises_concurrent_updates() -> None:
    # Every thread feeds the same chunk, so any interleaving gives the same content.
    chunk = bytes(range(256)) * 256  # 64 KiB: each update releases the GIL
    threads, rounds = 4, 50
    digester = ocikit.Digester()
    errors: list[BaseException] = []

    def feed() -> None:
        try:
            for _ in range(rounds):
                digester.update(chunk)
                digester.size  # noqa: B018 - reads while others write
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=feed) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert digester.size == len(chunk) * threads * rounds
    assert digester.finalize() == sha256(chunk * threads * rounds)


# Digester -----------------------------------------------------------------------------------


def test_finalize_does_not_consume() -> None:
    digester = ocikit.Digester()
    digester.update(b"{")
    first = digester.finalize()
    assert first == digester.finalize() == sha256(b"{")
    digester.update(b"}")
    assert digester.finalize() == EMPTY_JSON
    assert digester.size == 2


def test_copy_is_independent() -> None:
    digester = ocikit.Digester("sha512")
    digester.update(b"{")
    clone = digester.copy()
    clone.update(b"}")
    assert digester.size == 1 and clone.size == 2
    assert clone.finalize() == ocikit.digest(b"{}", "sha512")
    assert clone.algorithm == "sha512"


def test_digester_repr_and_defaults() -> None:
    digester = ocikit.Digester()
    digester.update(b"abc")
    assert digester.algorithm == "sha256"
    assert repr(digester) == "Digester(algorithm='sha256', size=3)"
    assert ocikit.Digester(algorithm="sha512").algorithm == "sha512"


def test_digester_verify() -> None:
    digester = ocikit.Digester()
    digester.update(b"abc")
    digester.verify(ABC)
    digester.verify(ABC, 3)
    with pytest.raises(ocikit.DigestMismatchError) as raised:
        digester.verify(ABC, 4)
    assert raised.value.code == "SIZE_MISMATCH"
    assert raised.value.details == {"expected": 4, "actual": 3}
    with pytest.raises(ocikit.DigestMismatchError) as raised:
        digester.verify(EMPTY_JSON)
    assert raised.value.code == "DIGEST_MISMATCH"
    assert raised.value.details == {"expected": EMPTY_JSON, "actual": ABC}


def test_digester_is_not_subclassable_or_mutable() -> None:
    digester = ocikit.Digester()
    with pytest.raises(AttributeError):
        digester.size = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        type("Sub", (ocikit.Digester,), {})


# verify -------------------------------------------------------------------------------------


def test_verify_accepts_a_digest_object() -> None:
    ocikit.verify(b"abc", ocikit.Digest.parse(ABC), 3)


def test_verify_size_checks_come_first() -> None:
    with pytest.raises(ocikit.DigestMismatchError) as raised:
        ocikit.verify(b"abc", EMPTY_JSON, 2)
    assert raised.value.code == "SIZE_MISMATCH"


@pytest.mark.parametrize("size", [-1, 1 << 64, -(1 << 70)])
def test_verify_rejects_sizes_out_of_range(size: int) -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.verify(b"abc", ABC, size)
    assert raised.value.code == "SIZE_INVALID"
    assert raised.value.details == {"value": str(size)}


@pytest.mark.parametrize("size", ["3", 3.0, b"3"])
def test_verify_size_must_be_an_int(size: Any) -> None:
    with pytest.raises(TypeError, match="size must be an int"):
        ocikit.verify(b"abc", ABC, size)


@pytest.mark.parametrize("digest", [b"sha256:00", 5, None])
def test_verify_digest_must_be_str_or_digest(digest: Any) -> None:
    with pytest.raises(TypeError, match="digest must be a str or an ocikit.Digest"):
        ocikit.verify(b"abc", digest)


def test_verify_unsupported_and_invalid_digests() -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.verify(b"abc", "sha384:abc")
    assert raised.value.code == "DIGEST_UNSUPPORTED"
    assert raised.value.details == {"algorithm": "sha384"}
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.verify(b"abc", "sha256:abc")
    assert raised.value.code == "DIGEST_INVALID"


# Digest -------------------------------------------------------------------------------------


def test_digest_value_semantics() -> None:
    a = ocikit.Digest.parse(ABC)
    b = ocikit.Digest.parse(ABC)
    c = ocikit.Digest.parse(EMPTY_JSON)
    assert a == b and a != c and hash(a) == hash(b)
    assert a != ABC  # a Digest is not its string
    assert len({a, b, c}) == 2
    assert repr(a) == f"Digest('{ABC}')"
    assert str(a) == ABC
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.deepcopy(a) == a


def test_digest_is_frozen() -> None:
    digest = ocikit.Digest.parse(ABC)
    with pytest.raises(AttributeError):
        digest.algorithm = "sha512"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ocikit.Digest()  # type: ignore[call-arg]


def test_unregistered_algorithm_parses_unsupported() -> None:
    digest = ocikit.Digest.parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")
    assert digest.algorithm == "multihash+base58"
    assert digest.supported is False
