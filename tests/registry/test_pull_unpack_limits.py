"""The bounds of a directory layer's unpacking on pull (``UnpackLimits``: uncompressed bytes,
entries, compression ratio) reach the core from ``Client.pull(unpack_limits=)``,
``AsyncClient.pull(unpack_limits=)`` and ``ocikit pull --unpack-max-size/-entries/-ratio``,
against docker-registry. Before, a pull always unpacked with the defaults: a directory past
one of them (here, highly compressible data past the ratio of 250) could not be pulled at all,
and a stricter bound could not be set."""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import ocikit
from conftest import Registry, chdir
from ocikit import Client, File, LimitExceededError, UnpackLimits, ValidationError

TYPE = "application/vnd.example.unpack-limits.v1"
FILES = 50  # files in the directory: with the directory itself, 51 entries


@dataclass
class Pushed:
    registry: Registry
    ref: str  # REGISTRY/REPOSITORY:TAG of the 50-file directory
    tar_size: int  # bytes of its uncompressed tar
    zeros_ref: str  # a directory of 17 MiB of zeros: a compression ratio past 250
    mixed_ref: str  # a.txt, the 50-file directory, z.txt


def _content(index: int) -> bytes:
    return f"file {index}\n".encode() * (index + 1)


@pytest.fixture(scope="module")
def pushed(registries: dict[str, Registry], tmp_path_factory: pytest.TempPathFactory) -> Pushed:
    registry = registries["open"]
    source = tmp_path_factory.mktemp("unpack-limits")
    data = source / "data"
    data.mkdir()
    for index in range(FILES):
        (data / f"f{index:02}.txt").write_bytes(_content(index))
    zeros = source / "zeros"
    zeros.mkdir()
    (zeros / "blank.img").write_bytes(bytes(17 << 20))
    ref = f"{registry.address}/unpack/limits:data"
    zeros_ref = f"{registry.address}/unpack/limits:zeros"
    with Client(registry.address, plain_http=True) as client:
        packed = ocikit.pack([File.from_directory(data)], artifact_type=TYPE)
        client.push(ref, packed)
        layer = packed.manifest.layers[0]
        blob = next(b for b in packed.blobs if b.descriptor.digest == layer.digest)
        assert blob.path is not None  # a directory is packed into a temporary file
        tar_size = len(gzip.decompress(Path(blob.path).read_bytes()))
        client.push(zeros_ref, ocikit.pack([File.from_directory(zeros)], artifact_type=TYPE))
        mixed = [File("a.txt", b"a\n"), File.from_directory(data), File("z.txt", b"z\n")]
        mixed_ref = f"{registry.address}/unpack/limits:mixed"
        client.push(mixed_ref, ocikit.pack(mixed, artifact_type=TYPE))
    return Pushed(registry, ref, tar_size, zeros_ref, mixed_ref)


def _pull(kind: str, ref: str, out: Path, **options: Any) -> ocikit.Pulled:
    address = ref.split("/", 1)[0]
    if kind == "sync":
        with Client(address, plain_http=True) as client:
            return client.pull(ref, out, **options)
    pytest.importorskip("httpx")  # the async extra (installed in CI)

    async def run() -> ocikit.Pulled:
        async with ocikit.AsyncClient(address, plain_http=True) as client:
            return await client.pull(ref, out, **options)

    return asyncio.run(run())


def _left(out: Path) -> list[str]:
    """Everything under ``out`` (temporary files and directories included)."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) if out.exists() else []


HOSTS = ["sync", "async"]


@pytest.mark.parametrize("kind", HOSTS)
def test_a_lower_entry_bound_refuses_the_directory_and_leaves_nothing(
    kind: str, pushed: Pushed, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with pytest.raises(LimitExceededError) as raised:
        _pull(kind, pushed.ref, out, unpack_limits=UnpackLimits(max_entries=10))
    assert raised.value.code == "LIMIT_EXCEEDED"
    assert raised.value.details["setting"] == "UnpackLimits.max_entries"
    assert raised.value.details["max"] == 10
    assert _left(out) == []


@pytest.mark.parametrize("kind", HOSTS)
def test_a_refused_directory_leaves_the_other_files_of_the_pull_unwritten(
    kind: str, pushed: Pushed, tmp_path: Path
) -> None:
    """A pull writes all its files or none ("a failed pull writes none"): a file layer before
    the refused directory layer is not left in place (it was: renamed before the unpacking)."""
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    (out / "data" / "mine.txt").write_bytes(b"mine")
    with pytest.raises(LimitExceededError):
        _pull(kind, pushed.mixed_ref, out, unpack_limits=UnpackLimits(max_entries=10))
    assert _left(out) == ["data", "data/mine.txt"]
    assert (out / "data" / "mine.txt").read_bytes() == b"mine"
    pulled = _pull(kind, pushed.mixed_ref, out, unpack_limits=UnpackLimits(max_entries=51))
    assert [p.name for p in pulled.files] == ["a.txt", "data", "z.txt"]
    assert (out / "a.txt").read_bytes() == b"a\n" and (out / "z.txt").read_bytes() == b"z\n"
    assert not (out / "data" / "mine.txt").exists()  # the directory replaces the one there
    assert len(list((out / "data").iterdir())) == FILES


@pytest.mark.parametrize("kind", HOSTS)
def test_the_defaults_unpack_the_directory(kind: str, pushed: Pushed, tmp_path: Path) -> None:
    out = tmp_path / "out"
    pulled = _pull(kind, pushed.ref, out)
    assert pulled.files == (out / "data",)
    assert len(list((out / "data").iterdir())) == FILES
    assert (out / "data" / "f07.txt").read_bytes() == _content(7)


@pytest.mark.parametrize("kind", HOSTS)
def test_the_entry_and_size_bounds_are_the_ones_given(
    kind: str, pushed: Pushed, tmp_path: Path
) -> None:
    """One under the layer's entries (51) refuses it, exactly them pulls it; a size bound under
    its tar's bytes refuses it, one over them pulls it: the bounds reach the core as given.
    (Not the tar's exact size: the core's early check of an entry's declared size also counts
    the bytes after its header that came in the same decompressed piece, so a tar of exactly
    max_size bytes can be refused; reported, the core's to fix.)"""
    entries = FILES + 1
    refusals = [
        (UnpackLimits(max_entries=entries - 1), "UnpackLimits.max_entries"),
        (UnpackLimits(max_size=pushed.tar_size - 1), "UnpackLimits.max_size"),
    ]
    for number, (limits, setting) in enumerate(refusals):
        out = tmp_path / f"refused-{number}"
        with pytest.raises(LimitExceededError) as raised:
            _pull(kind, pushed.ref, out, unpack_limits=limits)
        assert raised.value.details["setting"] == setting
        assert _left(out) == []
    out = tmp_path / "pulled"
    limits = UnpackLimits(max_entries=entries, max_size=2 * pushed.tar_size)
    _pull(kind, pushed.ref, out, unpack_limits=limits)
    assert len(list((out / "data").iterdir())) == FILES


@pytest.mark.parametrize("kind", HOSTS)
def test_a_raised_ratio_pulls_a_directory_the_default_refuses(
    kind: str, pushed: Pushed, tmp_path: Path
) -> None:
    """17 MiB of zeros compresses about 1,000 to 1: past the default ratio of 250, the layer
    could not be pulled at all before; a raised bound pulls it."""
    with pytest.raises(LimitExceededError) as raised:
        _pull(kind, pushed.zeros_ref, tmp_path / "default")
    assert raised.value.details["setting"] == "UnpackLimits.max_ratio"
    assert _left(tmp_path / "default") == []
    out = tmp_path / "raised"
    _pull(kind, pushed.zeros_ref, out, unpack_limits=UnpackLimits(max_ratio=5000))
    assert (out / "zeros" / "blank.img").stat().st_size == 17 << 20


@pytest.mark.parametrize("kind", HOSTS)
def test_unpack_limits_of_another_type_is_a_type_error(
    kind: str, pushed: Pushed, tmp_path: Path
) -> None:
    with pytest.raises(TypeError, match="UnpackLimits or None, not 'dict'"):
        _pull(kind, pushed.ref, tmp_path / "out", unpack_limits={"max_entries": 10})
    assert not (tmp_path / "out").exists()


def test_a_bound_out_of_range_is_options_invalid() -> None:
    for bounds in (
        {"max_entries": -1},
        {"max_size": 2**64},
        {"max_ratio": "250"},
        {"max_size": True},
    ):
        with pytest.raises(ValidationError) as raised:
            UnpackLimits(**bounds)
        assert raised.value.code == "OPTIONS_INVALID"


def test_the_cli_flags_set_the_bounds(ocikit: Any, pushed: Pushed, tmp_path: Path) -> None:
    registry = ["--plain-http"]
    refused = ocikit("pull", pushed.ref, "-o", str(tmp_path / "a"), "--unpack-max-entries", "10",
                     *registry, check=False)  # fmt: skip
    assert refused.status == 2
    assert refused.err.startswith("error[LIMIT_EXCEEDED]: entries of an unpacked archive")
    assert "hint: to pull it, raise the bound with --unpack-max-entries N" in refused.err
    assert _left(tmp_path / "a") == []

    refused = ocikit("pull", pushed.ref, "-o", str(tmp_path / "b"), "--unpack-max-size", "1KiB",
                     *registry, check=False)  # fmt: skip
    assert refused.status == 2 and "--unpack-max-size SIZE" in refused.err
    assert _left(tmp_path / "b") == []

    pulled = ocikit("pull", pushed.ref, "-o", str(tmp_path / "c"), "--unpack-max-entries", "51",
                    "--unpack-max-size", str(2 * pushed.tar_size), *registry)  # fmt: skip
    assert "Pulled data\n" in pulled.out
    assert len(list((tmp_path / "c" / "data").iterdir())) == FILES

    refused = ocikit("pull", pushed.zeros_ref, "-o", str(tmp_path / "d"), *registry, check=False)
    assert refused.status == 2 and "--unpack-max-ratio N" in refused.err
    ocikit("pull", pushed.zeros_ref, "-o", str(tmp_path / "d"), "--unpack-max-ratio", "5000",
           *registry)  # fmt: skip
    assert (tmp_path / "d" / "zeros" / "blank.img").stat().st_size == 17 << 20


def test_the_cli_flags_reach_a_layout_pull(ocikit: Any, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    for index in range(FILES):
        (tmp_path / "data" / f"f{index:02}.txt").write_bytes(_content(index))
    with chdir(tmp_path):
        ocikit("push", "--oci-layout", "layout:v1", "data")
        refused = ocikit("pull", "--oci-layout", "layout:v1", "-o", "out",
                         "--unpack-max-entries", "10", check=False)  # fmt: skip
        assert refused.status == 2 and refused.err.startswith("error[LIMIT_EXCEEDED]")
        assert _left(tmp_path / "out") == []
        ocikit("pull", "--oci-layout", "layout:v1", "-o", "out", "--unpack-max-entries", "51")
    assert len(list((tmp_path / "out" / "data").iterdir())) == FILES


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        (
            "--unpack-max-size",
            "20GB",
            "'20GB' is not a size: give bytes, or a whole number with KiB",
        ),
        ("--unpack-max-size", "0", "'0' must be from 1 byte"),
        ("--unpack-max-size", "99999999TiB", "'99999999TiB' must be from 1 byte to 2**64 - 1"),
        ("--unpack-max-entries", "many", "'many' is not a whole number"),
        ("--unpack-max-entries", "0", "'0' must be at least 1"),
        ("--unpack-max-ratio", "-3", "'-3' must be at least 1"),
    ],
)
def test_a_bad_flag_value_is_a_usage_error(
    ocikit: Any, capsys: pytest.CaptureFixture[str], flag: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as usage:  # argparse: a usage error, status 2
        ocikit("pull", "127.0.0.1:9/none:v1", f"{flag}={value}")
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert f"ocikit pull: error: argument {flag}: {message}" in err


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1", 1),
        ("512B", 512),
        ("4KiB", 4096),
        ("20GiB", 20 << 30),
        ("1tib", 1 << 40),
        ("8 MiB", 8 << 20),
    ],
)
def test_sizes_the_cli_takes(text: str, size: int) -> None:
    from ocikit.cli.pull import size as parse

    assert parse(text) == size
