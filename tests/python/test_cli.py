"""The ``ocikit`` console script, run as users run it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import ocikit

HELM = "application/vnd.cncf.helm.chart.config.v1+json"


def run(cli: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli), *args], input=stdin.decode(), capture_output=True, text=True, timeout=60
    )


def test_version(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ocikit {ocikit.__version__}"


def test_no_command_is_a_usage_error(ocikit_cli: Path) -> None:
    result = run(ocikit_cli)
    assert result.returncode == 2
    assert "usage: ocikit" in result.stderr


def test_help_lists_commands(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "--help")
    assert result.returncode == 0
    assert "digest" in result.stdout and "media-type" in result.stdout


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "a.md", tmp_path / "empty"]
    paths[0].write_bytes(b"# Overview\n")
    paths[1].write_bytes(b"")
    return paths


def test_digest_text(ocikit_cli: Path, files: list[Path]) -> None:
    result = run(ocikit_cli, "digest", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{ocikit.digest(b'# Overview' + bytes([10]))}  11  {files[0]}",
        f"{ocikit.digest(b'')}  0  {files[1]}",
    ]
    assert result.stderr == ""


def test_digest_json_sha512(ocikit_cli: Path, files: list[Path]) -> None:
    result = run(ocikit_cli, "digest", "--algorithm", "sha512", "--format", "json", str(files[0]))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "path": str(files[0]),
            "digest": ocikit.digest(files[0].read_bytes(), "sha512"),
            "size": 11,
        }
    ]


def test_digest_stdin(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "digest", "-", stdin=b"{}")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{ocikit.digest(b'{}')}  2  -\n"


def test_digest_missing_file(ocikit_cli: Path, files: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = run(ocikit_cli, "digest", str(missing), str(files[0]))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {missing}: ")
    # The other files are still hashed.
    assert result.stdout.startswith(ocikit.digest(files[0].read_bytes()))


def test_digest_unknown_algorithm_is_a_usage_error(ocikit_cli: Path, files: list[Path]) -> None:
    result = run(ocikit_cli, "digest", "--algorithm", "md5", str(files[0]))
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_media_type_text(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", HELM, "text/plain")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(HELM + "\n")
    for line in (
        "tree:       vnd",
        "org:        cncf",
        "objectType: helm",
        "subTypes:   chart",
        "role:       config",
        "version:    v1",
        "format:     json",
    ):
        assert f"  {line}\n" in out
    assert "\n\ntext/plain\n" in out
    assert "warning[MEDIA_TYPE_NOT_VENDOR]: " in out


def test_media_type_role(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "--role", "layer", HELM)
    assert result.returncode == 0
    assert "warning[MEDIA_TYPE_ROLE_MISMATCH]: " in result.stdout


def test_media_type_json(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "--format", "json", "--role", "config", HELM)
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)
    assert report == {
        "mediaType": HELM,
        "type": "application",
        "subtype": HELM.split("/")[1],
        "tree": "vnd",
        "suffix": "json",
        "specDefined": False,
        "artifact": {
            "org": "cncf",
            "objectType": "helm",
            "subTypes": ["chart"],
            "role": "config",
            "version": "v1",
            "format": "json",
        },
        "findings": [],
    }


def test_media_type_json_findings(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "--format", "json", "text/plain")
    [report] = json.loads(result.stdout)
    assert report["artifact"] is None
    assert [f["code"] for f in report["findings"]] == ["MEDIA_TYPE_NOT_VENDOR"]
    assert report["findings"][0]["severity"] == "warning"


def test_media_type_invalid(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "text/plain; charset=utf-8", HELM)
    assert result.returncode == 2
    assert result.stderr.startswith("error[MEDIA_TYPE_INVALID]: ")
    assert "parameters are not allowed" in result.stderr
    assert result.stdout.startswith(HELM)  # the valid one is still reported


def test_main_is_callable_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from ocikit.cli import main

    assert main(["media-type", "application/vnd.oci.empty.v1+json"]) == 0
    out = capsys.readouterr().out
    assert "defined by:" in out


# ocikit validate -----------------------------------------------------------------------------

VALID_MANIFEST = ocikit.Manifest(
    config=ocikit.Descriptor(
        media_type="application/vnd.oci.empty.v1+json",
        digest="sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        size=2,
        data=b"{}",
    ),
    layers=[],
    artifact_type="application/vnd.example.docs.config.v1+json",
).to_json()


def test_validate_valid_with_warning(ocikit_cli: Path, tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(VALID_MANIFEST)
    result = run(ocikit_cli, "validate", str(path))
    assert result.returncode == 0, result.stderr
    finding = ocikit.validate(VALID_MANIFEST).findings[0]
    assert result.stdout.splitlines() == [
        f"warning LAYERS_EMPTY /layers: {finding.message} ({finding.rule})",
        f"{path}: valid manifest (0 errors, 1 warning)",
    ]


def test_validate_invalid_json_output(ocikit_cli: Path) -> None:
    document = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}'
    result = run(ocikit_cli, "validate", "--format", "json", "-", stdin=document)
    assert result.returncode == 1
    output = json.loads(result.stdout)
    assert output == {"file": "-", **ocikit.validate(document).to_dict()}
    assert [f["code"] for f in output["findings"]] == ["FIELD_MISSING"]


def test_validate_kind_and_root_path(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "validate", "--kind", "layout", "-", stdin=b"[]")
    assert result.returncode == 1
    assert result.stdout.startswith("error JSON_INVALID (document): ")
    assert result.stdout.splitlines()[-1] == "-: invalid layout (1 error, 0 warnings)"
    result = run(ocikit_cli, "validate", "-", stdin=b"not json")
    assert result.stdout.splitlines()[-1] == "-: invalid document (1 error, 0 warnings)"


def test_validate_usage_and_io_errors(ocikit_cli: Path, tmp_path: Path) -> None:
    result = run(ocikit_cli, "validate", str(tmp_path / "missing.json"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'missing.json'}: ")
    result = run(ocikit_cli, "validate", "--kind", "image", "-")
    assert result.returncode == 2 and "invalid choice" in result.stderr


# ocikit types --------------------------------------------------------------------------------


def _builtin_types() -> list[ocikit.ArtifactTypeDefinition]:
    # Other tests register types in this process; the built-in ones come first.
    return [d for d in ocikit.artifact_types() if ".example." not in d.artifact_type]


def test_types_lists_the_catalog(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "types")
    assert result.returncode == 0, result.stderr
    for definition in _builtin_types():
        assert f"{definition.display_name}  " in result.stdout
        assert definition.artifact_type in result.stdout
        for layer_type in definition.layer_media_types:
            assert f"layer {layer_type}" in result.stdout


def test_types_json(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "types", "--format", "json")
    assert result.returncode == 0
    listed = json.loads(result.stdout)
    assert listed == [json.loads(d.to_json()) for d in _builtin_types()]
    assert len(listed) >= 12


def test_types_check(ocikit_cli: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "artifactType": "application/vnd.example.thing.config.v1+json",
                "displayName": "Thing",
                "layerMediaTypes": ["application/vnd.example.thing.layer"],
            }
        )
    )
    result = run(ocikit_cli, "types", "--check", str(good))
    assert result.returncode == 0, result.stderr
    assert "warning[MEDIA_TYPE_NO_VERSION]" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        f"{good}: valid artifact type definition of "
        "application/vnd.example.thing.config.v1+json (Thing)"
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "artifactType": "application/vnd.example.thing.config.v1+json",
                "displayName": "Thing",
                "logo": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
                "<script>alert(1)</script></svg>",
            }
        )
    )
    result = run(ocikit_cli, "types", "--check", str(bad), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "LOGO_UNSAFE"
    result = run(ocikit_cli, "types", "--check", str(tmp_path / "missing.json"))
    assert result.returncode == 2


# ocikit push and pull ------------------------------------------------------------------------


def _in(path: Path, cli: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    environment.update(env or {})
    return subprocess.run(
        [str(cli), *args], cwd=path, capture_output=True, text=True, timeout=60, env=environment
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_bytes(b"# A\n")
    (tmp_path / "b.txt").write_bytes(b"b")
    return tmp_path


def test_push_defaults_and_files_after_options(ocikit_cli: Path, work: Path) -> None:
    result = _in(
        work, ocikit_cli, "push", "--oci-layout", "out:v1,v2", "./docs/a.md:text/markdown",
        "-a", "com.example.k=v=w", "b.txt", "--export-manifest", "m.json",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Pushed [oci-layout] out:v1",
        "Tagged v2",
        "ArtifactType: application/vnd.unknown.artifact.v1",
        f"Digest: {ocikit.digest((work / 'm.json').read_bytes())}",
    ]
    manifest = ocikit.Manifest.from_json((work / "m.json").read_bytes())
    assert manifest.annotations == {"com.example.k": "v=w"}  # no created unless asked for
    assert [(l.media_type, l.annotations[ocikit.annotations.TITLE]) for l in manifest.layers] == [
        ("text/markdown", "docs/a.md"),
        ("application/vnd.oci.image.layer.v1.tar", "b.txt"),
    ]
    layout = ocikit.OciLayout(work / "out", create=False)
    assert layout.tags == ("v1", "v2")
    assert layout.verify().valid


def test_push_source_date_epoch(ocikit_cli: Path, work: Path) -> None:
    args = ("push", "--oci-layout", "out:t", "b.txt", "--format", "json")
    result = _in(work, ocikit_cli, *args, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["annotations"] == {ocikit.annotations.CREATED: "2023-11-14T22:13:20Z"}
    assert output["referenceAsTags"] == ["out:t"]
    assert output["reference"] == f"out@{output['digest']}"
    # An explicit created wins over SOURCE_DATE_EPOCH.
    explicit = ("-a", f"{ocikit.annotations.CREATED}=2020-01-01T00:00:00Z")
    result = _in(work, ocikit_cli, *args, *explicit, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert json.loads(result.stdout)["annotations"][ocikit.annotations.CREATED].startswith("2020")
    result = _in(work, ocikit_cli, *args, env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.returncode == 2 and "SOURCE_DATE_EPOCH" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("push", "registry.example.com/a:v1", "b.txt", "-p", "pw"), "needs -u/--username"),
        (("push", "--oci-layout", "out", "-a", "novalue", "b.txt"), "key=value"),
        (("push", "--oci-layout", "out", "-a", "k.a=1", "-a", "k.a=2"), "duplicate"),
        (
            ("push", "--oci-layout", "out", "--config", "b.txt", "--image-spec", "v1.1"),
            "missing artifact type",
        ),
        (("push", "--oci-layout", "out", ":text/plain"), "empty file path"),
        (("push", "--oci-layout", "out", "-a", "k.a=1", "--annotation-file", "b.txt"), "both"),
        (("push", "--oci-layout", "out", "--annotation-file", "b.txt"), "not JSON"),
    ],
)
def test_push_usage_errors(ocikit_cli: Path, work: Path, args: tuple[str, ...], message: str) -> None:
    result = _in(work, ocikit_cli, *args)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert not (work / "out").exists()


def test_push_core_errors_have_codes(ocikit_cli: Path, work: Path) -> None:
    result = _in(work, ocikit_cli, "push", "--oci-layout", "out", "b.txt:not a type")
    assert result.returncode == 2
    assert result.stderr.startswith("error[MEDIA_TYPE_INVALID]: ")
    result = _in(work, ocikit_cli, "push", "--oci-layout", "out", str(work / "b.txt"))
    assert result.stderr.startswith("error[ANNOTATION_INVALID]: ")  # absolute title
    result = _in(work, ocikit_cli, "push", "--oci-layout", "out:bad tag", "b.txt")
    assert result.stderr.startswith("error[REFERENCE_INVALID]: ")
    result = _in(work, ocikit_cli, "push", "--oci-layout", "out", "missing.txt")
    assert result.returncode == 1 and result.stderr.startswith("error: missing.txt: ")


def test_push_config_selects_v1_0(ocikit_cli: Path, work: Path) -> None:
    (work / "config.json").write_bytes(b'{"k":"v"}')
    result = _in(
        work, ocikit_cli, "push", "--oci-layout", "out", "--config", "config.json",
        "--export-manifest", "m.json",
    )
    assert result.returncode == 0, result.stderr
    manifest = ocikit.Manifest.from_json((work / "m.json").read_bytes())
    # ORAS: a config without an artifact type means image-spec v1.0 (no empty layer added).
    assert manifest.layers == () and manifest.artifact_type is None
    assert manifest.config.media_type == "application/vnd.unknown.config.v1+json"


def test_pull_writes_titles(ocikit_cli: Path, work: Path) -> None:
    assert _in(work, ocikit_cli, "push", "--oci-layout", "out:v1", "docs/a.md", "b.txt").returncode == 0
    result = _in(work, ocikit_cli, "pull", "--oci-layout", "out:v1", "-o", "restored")
    assert result.returncode == 0, result.stderr
    assert (work / "restored" / "docs" / "a.md").read_bytes() == b"# A\n"
    assert (work / "restored" / "b.txt").read_bytes() == b"b"
    assert result.stdout.splitlines()[:2] == ["Pulled docs/a.md", "Pulled b.txt"]
    result = _in(work, ocikit_cli, "pull", "--oci-layout", "out:nope", "-o", "restored")
    assert result.returncode == 2 and result.stderr.startswith("error[MANIFEST_UNKNOWN]: ")


def test_pull_refuses_unsafe_titles(ocikit_cli: Path, work: Path) -> None:
    # A layout written by another tool, with a title that climbs out of the output directory.
    layout = ocikit.OciLayout(work / "evil")
    layer = ocikit.Descriptor(
        media_type="text/plain",
        digest=ocikit.digest(b"x"),
        size=1,
        annotations={ocikit.annotations.TITLE: "../escaped.txt"},
    )
    layout.write_blob(layer, b"x")
    manifest = ocikit.Manifest(
        config=ocikit.Descriptor(
            media_type="application/vnd.oci.empty.v1+json",
            digest="sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            size=2,
            data=b"{}",
        ),
        layers=[layer],
        artifact_type="application/vnd.example.evil.config.v1+json",
    )
    layout.write_blob(manifest.config, b"{}")
    layout.write(manifest, "v1")
    result = _in(work, ocikit_cli, "pull", "--oci-layout", "evil:v1", "-o", "out")
    assert result.returncode == 2
    assert result.stderr.startswith("error[ANNOTATION_INVALID]: ")
    assert not (work / "escaped.txt").exists()
    # A symlink inside the output directory cannot lead a file out of it either.
    through_link = ocikit.Descriptor(
        media_type="text/plain",
        digest=layer.digest,
        size=1,
        annotations={ocikit.annotations.TITLE: "link/x.txt"},
    )
    second = ocikit.Manifest(
        config=manifest.config, layers=[through_link], artifact_type=manifest.artifact_type
    )
    layout.write(second, "v2")
    (work / "outside").mkdir()
    (work / "out2").mkdir()
    (work / "out2" / "link").symlink_to(work / "outside", target_is_directory=True)
    result = _in(work, ocikit_cli, "pull", "--oci-layout", "evil:v2", "-o", "out2")
    assert result.returncode == 2
    assert "outside" in result.stderr
    assert not list((work / "outside").iterdir())
