"""An ocikit-written OCI layout survives skopeo: layout → registry → layout, unchanged.

skopeo (containers/image) is an independent implementation of image-layout.md and of the
registry protocol; Debian's docker-registry is CNCF distribution 2.8.2.
"""

from __future__ import annotations

import json
import pathlib

from conftest import run

import ocikit


def test_layout_round_trips_through_a_registry(tmp_path: pathlib.Path, skopeo: str, registry: str, ocikit_cli: str) -> None:
    (tmp_path / "overview.md").write_text("# Overview\n\nDocs in markdown.\n")
    (tmp_path / "description.md").write_text("# Description\n" + "text " * 2000)
    run(ocikit_cli, "push", "--oci-layout", "out:v1",
        "--artifact-type", "application/vnd.stevelasker.docsinmarkdown.config.v1+json",
        "--annotation", "org.opencontainers.image.description=<docs> & more",
        "overview.md:application/vnd.stevelasker.docsinmarkdown.overview.layer.v1+md",
        "description.md:application/vnd.stevelasker.docsinmarkdown.description.layer.v1+md",
        cwd=tmp_path)
    source = ocikit.OciLayout(tmp_path / "out")
    assert source.verify().valid
    manifest = source.manifest("v1")

    run(skopeo, "copy", "--dest-tls-verify=false", f"oci:{tmp_path / 'out'}:v1", f"docker://{registry}/docs/markdown:v1")
    run(skopeo, "copy", "--src-tls-verify=false", f"docker://{registry}/docs/markdown:v1", f"oci:{tmp_path / 'back'}:v1")

    back = ocikit.OciLayout(tmp_path / "back")
    report = back.verify()
    assert report.valid, report.findings
    returned = back.manifest("v1")
    assert returned.to_json() == manifest.to_json()
    assert returned.digest == manifest.digest
    for descriptor in (returned.config, *returned.layers):
        assert back.read_blob(descriptor.digest) == source.read_blob(descriptor.digest)

    # The registry serves the very bytes ocikit wrote, under the digest ocikit computed.
    inspect = run(skopeo, "inspect", "--raw", "--tls-verify=false", f"docker://{registry}/docs/markdown:v1")
    assert inspect.stdout.encode() == manifest.to_json()
    assert json.loads(inspect.stdout)["artifactType"] == "application/vnd.stevelasker.docsinmarkdown.config.v1+json"
