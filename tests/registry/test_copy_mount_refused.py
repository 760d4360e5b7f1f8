"""A copy within one registry mounts each blob from the source repository, with no bytes at
hand. When the registry refuses the mount (404: mounts off, the token without pull on the
source), the blob is downloaded from the source and uploaded (the core's
``PushOptions.mount_only``): before, the engine went on with a plain upload of bytes the host
never fetched, and Python's ``Client.copy`` raised a bare ``KeyError`` (the CLI said
``INTERNAL_ERROR``). Against docker-registry behind the fault proxy, pulled back byte for
byte, in Python and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from fault_proxy import Fault, FaultProxy
from ocikit import Client, File, pack, cli

TYPE = "application/vnd.example.copy-mount.v1"
REFUSED = json.dumps({"errors": [{"code": "BLOB_UNKNOWN", "message": "mounts off"}]}).encode()


def _mounts_refused(proxy: FaultProxy) -> None:
    proxy.inject(
        Fault(
            method="POST",
            path=r"mount=",
            status=404,
            body=REFUSED,
            headers=[("Content-Type", "application/json")],
            times=None,
        )
    )


def test_client_copy_downloads_what_a_refused_mount_would_have_moved(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    files = [File("a.txt", b"first\n"), File("b.bin", bytes(range(256)) * 40)]
    with Client(proxy.address, plain_http=True) as client:
        client.push(f"{proxy.address}/mount/src:v1", pack(files, artifact_type=TYPE))
    _mounts_refused(proxy)
    before = len(proxy.log)
    with Client(proxy.address, plain_http=True) as client:  # a fresh session: no bytes held
        outcome = client.copy(f"{proxy.address}/mount/src:v1", f"{proxy.address}/mount/dst:v1")
        assert {b.status for b in outcome.blobs} == {"uploaded"}
        client.pull(f"{proxy.address}/mount/dst:v1", tmp_path / "out")
    sent = proxy.log[before:]
    assert [e.status for e in sent if "mount=" in e.path][:1] == [404]
    assert sum(e.method == "GET" and "/mount/src/blobs/" in e.path for e in sent) == 3
    for file in files:
        assert (tmp_path / "out" / file.name).read_bytes() == file.data


def test_cli_copy_too(proxy: FaultProxy, tmp_path: Path) -> None:
    with Client(proxy.address, plain_http=True) as client:
        client.push(
            f"{proxy.address}/mount/cli-src:v1",
            pack([File("c.txt", b"cli\n")], artifact_type=TYPE),
        )
    _mounts_refused(proxy)
    code = cli.main(
        [
            "copy",
            f"{proxy.address}/mount/cli-src:v1",
            f"{proxy.address}/mount/cli-dst:v1",
            "--plain-http",
        ]
    )
    assert code == 0
    with Client(proxy.address, plain_http=True) as client:
        client.pull(f"{proxy.address}/mount/cli-dst:v1", tmp_path / "cli")
    assert (tmp_path / "cli" / "c.txt").read_bytes() == b"cli\n"
