"""`ocikit push --oci-layout` writes the same manifest bytes as `oras push --oci-layout`.

Both tools get the same files and flags, with the creation time given explicitly (ORAS would
otherwise stamp the current time; ocikit adds none unless asked). The golden vectors in
tests/vectors/pack/ were recorded from ORAS too; this test re-runs ORAS live, so it proves the
recordings are real and still current, and it covers the CLI paths (annotation files, file
references, titles) end to end.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from conftest import ROOT, run

CREATED = "2025-06-01T12:00:00Z"

# name: (files {path: content}, push arguments after the target, annotation file or None)
CASES = {
    "typed files, v1.1": (
        {"overview.md": "# Overview\n", "description.md": "# Description\nMore.\n"},
        ["--artifact-type", "application/vnd.stevelasker.docsinmarkdown.config.v1+json",
         "overview.md:application/vnd.stevelasker.docsinmarkdown.overview.layer.v1+md",
         "description.md:application/vnd.stevelasker.docsinmarkdown.description.layer.v1+md"],
        None,
    ),
    "annotations with <>& and non-ASCII text": (
        {"notes.txt": "grüße 世界\n"},
        ["--artifact-type", "application/vnd.example.notes.config.v1+json",
         "--annotation", "com.example.html=<b>bold</b> & more",
         "--annotation", "com.example.text=ünïcödé “quotes” — \u2028 sep",
         "notes.txt:application/vnd.example.notes.layer.v1+txt"],
        None,
    ),
    "default media type and nested title": (
        {"docs/guide/intro.md": "# Intro\n", "data.bin": "\x00\x01\x02"},
        ["--artifact-type", "application/vnd.example.docs.config.v1+json", "docs/guide/intro.md", "data.bin"],
        None,
    ),
    "no files": (
        {},
        ["--artifact-type", "application/vnd.example.marker.config.v1+json"],
        None,
    ),
    "no artifact type (ORAS's unknown type)": (
        {"a.txt": "a"},
        ["a.txt:text/plain"],
        None,
    ),
    "custom config": (
        {"config.json": '{"k":"v"}', "thing.bin": "thing"},
        ["--config", "config.json:application/vnd.example.thing.config.v1+json", "thing.bin:application/vnd.example.thing.layer.v1"],
        None,
    ),
    "image-spec v1.0": (
        {"legacy.txt": "legacy\n"},
        ["--image-spec", "v1.0", "--artifact-type", "application/vnd.example.legacy.config.v1+json", "legacy.txt:application/vnd.example.legacy.layer.v1+txt"],
        None,
    ),
    "image-spec v1.0 with a config file": (
        {"config.json": "{}", "x.bin": "x"},
        ["--image-spec", "v1.0", "--config", "config.json:application/vnd.example.legacy.config.v1+json", "x.bin"],
        None,
    ),
    "annotation file with $manifest, $config and per-file sections": (
        {"a.md": "# A\n", "b.md": "# B\n"},
        ["--artifact-type", "application/vnd.example.docs.config.v1+json", "a.md:application/vnd.example.docs.layer.v1+md", "b.md"],
        {"$manifest": {"org.opencontainers.image.source": "https://example.com/r?a=1&b=2"},
         "$config": {"com.example.schema": "none"},
         "a.md": {"com.example.lang": "en"},
         "b.md": {"org.opencontainers.image.title": "renamed.md"}},
    ),
}


def push(tool: str, work: pathlib.Path, layout: str, arguments: list[str], annotation_file: dict | None) -> bytes:
    args = [tool, "push", "--oci-layout", f"{layout}:v1", "--export-manifest", f"{layout}.json"]
    if annotation_file is None:
        args += ["--annotation", f"org.opencontainers.image.created={CREATED}"]
    else:
        # ORAS takes --annotation or --annotation-file, not both: the time goes in the file.
        manifest_section = {**annotation_file.get("$manifest", {}), "org.opencontainers.image.created": CREATED}
        (work / "annotations.json").write_text(json.dumps({**annotation_file, "$manifest": manifest_section}))
        args += ["--annotation-file", "annotations.json"]
    run(*args, *arguments, cwd=work)
    exported = (work / f"{layout}.json").read_bytes()
    # The manifest is also in the layout, tagged v1, under its digest.
    index = json.loads((work / layout / "index.json").read_text())
    [entry] = [m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "v1"]
    algorithm, encoded = entry["digest"].split(":")
    assert (work / layout / "blobs" / algorithm / encoded).read_bytes() == exported
    return exported


@pytest.mark.parametrize("name", CASES)
def test_push_writes_the_bytes_oras_writes(name: str, tmp_path: pathlib.Path, oras: str, ocikit_cli: str) -> None:
    files, arguments, annotation_file = CASES[name]
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content.encode())
    expected = push(oras, tmp_path, "oras-layout", arguments, annotation_file)
    actual = push(ocikit_cli, tmp_path, "ocikit-layout", arguments, annotation_file)
    assert actual == expected
    # And every blob ORAS stored, ocikit stored with the same bytes.
    for blob in (tmp_path / "oras-layout" / "blobs" / "sha256").iterdir():
        assert (tmp_path / "ocikit-layout" / "blobs" / "sha256" / blob.name).read_bytes() == blob.read_bytes()


def test_golden_pack_vectors_are_what_oras_writes_today(tmp_path: pathlib.Path, oras: str) -> None:
    """Re-records every tests/vectors/pack case with the pinned ORAS and compares."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_pack_vectors", ROOT / "tests/vectors/tools/make_pack_vectors.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recorded = {p.stem: json.loads(p.read_text()) for p in (ROOT / "tests/vectors/pack").glob("*.json")}
    assert set(recorded) == {case["name"] for case in module.CASES}
    for case in module.CASES:
        work = tmp_path / case["name"]
        work.mkdir()
        manifest = module.run_oras(oras, case, work)
        assert manifest.decode() == recorded[case["name"]]["manifest"], case["name"]
