"""The ``ocikit`` command.

Each subcommand is a function ``_cmd_<name>(args) -> int`` registered in ``_COMMANDS`` with
the function that adds its arguments; adding one is adding a pair there. Exit status: 0 when
everything succeeded, 1 when a file could not be read or a registry could not be reached
(``error[NETWORK_ERROR]``, ``error[TLS_ERROR]``, ``error[TIMEOUT]``), 2 when an input was
rejected (printed as ``error[CODE]: message``) or the command line was wrong — except
``validate``, whose status is the verdict: 0 valid, 1 invalid, 2 a usage or I/O error. No
failure prints a traceback: one ocikit did not foresee is ``error[INTERNAL_ERROR]: …``
(status 1).

Text a registry or a layout supplied (error messages, tags, artifact types, titles) is stripped
of control characters before it is printed (:func:`_clean`), so that it cannot move the
cursor, rewrite the terminal's title or forge lines.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import io
import json
import os
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, cast

from ocikit import (
    ArtifactTypeDefinition,
    Client,
    Config,
    Descriptor,
    File,
    MediaType,
    NetworkError,
    OciError,
    OperationTimeoutError,
    OciLayout,
    Reference,
    Referrer,
    Report,
    Repository,
    UploadInterruptedError,
    __version__,
    annotations,
    artifact_types,
    copy,
    login,
    logout,
    validate,
    verify,
)
from ocikit._files import _digest_path, _feed
from ocikit._http import _DEADLINE, StdlibTransport
from ocikit._ocikit import _UNKNOWN_CONFIG_TYPE, Digester
from ocikit._pack import Packed, _each, _pack_files
from ocikit._progress import ProgressLine
from ocikit._target import Target

if TYPE_CHECKING:
    import ssl

EXIT_OK = 0
EXIT_IO = 1
EXIT_INVALID = 2

# `ocikit validate` and `ocikit types --check` report a verdict.
EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        # Text a terminal's encoding cannot show is escaped, never an error.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # `push` takes files after options too (`push DIR a.txt --artifact-type T b.txt`), as
        # ORAS does; argparse leaves the ones after an option over.
        if not hasattr(args, "files") or any(arg.startswith("-") for arg in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.files.extend(extra)
    try:
        status: int = _within_timeout(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`ocikit … | head`): send the rest of the output nowhere, as the
        # Python documentation recommends, so that the interpreter does not fail at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_IO
    except KeyboardInterrupt:
        return 130
    except OciError as error:
        return _report(error)
    except Exception as error:  # noqa: BLE001 - the last resort: never a traceback
        return _internal(error)
    return status


def _within_timeout(args: argparse.Namespace) -> int:
    """Runs the command; ``--timeout`` is the deadline of all of its registry work (every
    client, every transfer), not of each request."""
    seconds = getattr(args, "timeout", None)
    if not seconds:
        return cast(int, args.run(args))
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        return cast(int, args.run(args))
    finally:
        _DEADLINE.reset(token)


def _internal(error: BaseException) -> int:
    """Prints a failure ocikit did not foresee as one coded line, without a traceback (set
    ``OCIKIT_TRACEBACK=1`` to see it)."""
    if os.environ.get("OCIKIT_TRACEBACK"):
        import traceback

        traceback.print_exception(error)
    reason = _clean(str(error), newlines=False)[:500]
    print(
        f"error[INTERNAL_ERROR]: ocikit failed unexpectedly ({type(error).__name__}: {reason}); "
        "please report it",
        file=sys.stderr,
    )
    return EXIT_IO


# ESC sequences (CSI … final byte, OSC/DCS/APC/PM/SOS … BEL or ST, and ESC + one character),
# then every other control character: C0 but for \t and \n, DEL and C1.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[ -~]?"  # ESC and one character
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # the 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean(text: str, *, newlines: bool = True) -> str:
    """``text`` without escape sequences or control characters (C0 but for tab and, with
    ``newlines``, line feed; DEL; C1): what a registry sends may not drive the terminal."""
    text = _ESCAPES.sub("", text)
    return (_CONTROLS if newlines else _CONTROLS_AND_NEWLINES).sub("", text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocikit",
        description="Author OCI registry artifacts: digests, media types, manifests.",
    )
    parser.add_argument("--version", action="version", version=f"ocikit {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, help_text, add_arguments, run in _COMMANDS:
        command = commands.add_parser(name, help=help_text, description=help_text)
        add_arguments(command)
        command.set_defaults(run=run)
    return parser


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )


def _report(error: OciError) -> int:
    """Prints ``error[CODE]: message`` (cleaned); status 1 for a registry that could not be
    reached, else 2."""
    print(f"error[{_clean(error.code, newlines=False)}]: {_clean(str(error))}", file=sys.stderr)
    if isinstance(error, (NetworkError, OperationTimeoutError)):
        return EXIT_IO
    return EXIT_INVALID


class _UsageError(Exception):
    """Arguments that cannot be run: printed as ``error: message``, exit status 2."""


def _os_error(error: OSError) -> str:
    """``path: reason`` for an OSError, without Python's ``[Errno N]`` prefix (cleaned: a path
    may come from a pulled title)."""
    reason = error.strerror or str(error)
    text = f"{error.filename}: {reason}" if error.filename is not None else reason
    return _clean(text)


def _print_json(value: Any) -> None:
    # JSON escapes C0 itself; DEL and C1 (0x9b is a CSI to some terminals) are escaped too.
    text = json.dumps(value, indent=2, ensure_ascii=False)
    sys.stdout.write(re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


# ocikit digest ------------------------------------------------------------------------------


def _add_digest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to hash; - is stdin")
    parser.add_argument(
        "--algorithm",
        choices=("sha256", "sha512", "blake3"),
        default="sha256",
        help="digest algorithm (default: sha256)",
    )
    _add_format(parser)


def _cmd_digest(args: argparse.Namespace) -> int:
    status = EXIT_OK
    results = []
    for path in args.files:
        try:
            digester = (
                _digest_stdin(args.algorithm) if path == "-" else _digest_path(path, args.algorithm)
            )
        except OSError as error:
            print(f"error: {path}: {error.strerror or error}", file=sys.stderr)
            status = max(status, EXIT_IO)
            continue
        except OciError as error:
            status = max(status, _report(error))
            continue
        result = {"path": path, "digest": digester.finalize(), "size": digester.size}
        if args.format == "json":
            results.append(result)
        else:
            print(f"{result['digest']}  {result['size']}  {path}")
    if args.format == "json":
        _print_json(results)
    return status


def _digest_stdin(algorithm: str) -> Digester:
    digester = Digester(algorithm)
    # Typed as BinaryIO, but at run time a BufferedReader, which has readinto().
    _feed(digester, cast(io.BufferedReader, sys.stdin.buffer))
    return digester


# ocikit media-type --------------------------------------------------------------------------


def _add_media_type_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("media_types", nargs="+", metavar="TYPE", help="media type names")
    parser.add_argument(
        "--role",
        choices=("config", "layer"),
        help="where the types are used (default: read from the name)",
    )
    _add_format(parser)


def _cmd_media_type(args: argparse.Namespace) -> int:
    status = EXIT_OK
    results = []
    printed = False
    for text in args.media_types:
        try:
            media_type = MediaType.parse(text)
        except OciError as error:
            status = max(status, _report(error))
            continue
        findings = media_type.lint(args.role)
        if args.format == "json":
            results.append(_media_type_json(media_type, findings))
        else:
            if printed:
                print()
            _print_media_type(media_type, findings)
            printed = True
    if args.format == "json":
        _print_json(results)
    return status


def _media_type_json(media_type: MediaType, findings: list[Any]) -> dict[str, Any]:
    artifact = media_type.artifact
    return {
        "mediaType": str(media_type),
        "type": media_type.type,
        "subtype": media_type.subtype,
        "tree": media_type.tree,
        "suffix": media_type.suffix,
        "specDefined": media_type.is_spec_defined,
        "artifact": artifact.to_dict() if artifact else None,
        "findings": [finding.to_dict() for finding in findings],
    }


def _print_media_type(media_type: MediaType, findings: list[Any]) -> None:
    rows = [
        ("tree", media_type.tree or "(standards)"),
        ("suffix", media_type.suffix or "-"),
    ]
    if media_type.is_spec_defined:
        rows.append(("defined by", "the OCI or Docker specification"))
    artifact = media_type.artifact
    if artifact is not None:
        rows += [
            ("org", artifact.org),
            ("objectType", artifact.object_type),
            ("subTypes", ", ".join(artifact.sub_types) or "-"),
            ("role", artifact.role),
            ("version", artifact.version or "-"),
            ("format", artifact.format or "-"),
        ]
    print(media_type)
    for label, value in rows:
        print(f"  {label + ':':<12}{value}")
    for finding in findings:
        print(f"  {finding.severity}[{finding.code}]: {finding.message}")


# ocikit push ---------------------------------------------------------------------------------


def _add_push_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="REF[,TAG…]",
        help="REGISTRY/REPOSITORY[:TAG[,TAG…]], or with --oci-layout DIR[:TAG[,TAG…]] (an image "
        "layout directory, created if missing)",
    )
    _add_pack_arguments(parser)
    parser.add_argument(
        "--oci-layout",
        action="store_true",
        help="push to an OCI image layout directory instead of a registry",
    )
    parser.add_argument(
        "--image-spec",
        choices=("v1.1", "v1.0"),
        help="the image-spec version to pack for (default v1.1)",
    )
    _add_remote_arguments(parser, transfers=True)
    _add_format(parser)


def _add_pack_arguments(parser: argparse.ArgumentParser) -> None:
    """The packing flags ``push`` and ``attach`` share (ORAS's)."""
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE[:TYPE]",
        help="files to pack as layers, each with an optional media type (default "
        "application/vnd.oci.image.layer.v1.tar); the title is the path as given",
    )
    parser.add_argument("--artifact-type", metavar="TYPE", help="the artifact type")
    parser.add_argument(
        "--config",
        metavar="FILE[:TYPE]",
        help=f"a config file (default type {_UNKNOWN_CONFIG_TYPE}); without --artifact-type "
        "it selects image-spec v1.0, as in ORAS",
    )
    parser.add_argument(
        "-a",
        "--annotation",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a manifest annotation (repeatable)",
    )
    parser.add_argument(
        "--annotation-file",
        metavar="FILE",
        help='a JSON file of annotations: {"$manifest": {…}, "$config": {…}, "FILE": {…}}',
    )
    parser.add_argument("--export-manifest", metavar="FILE", help="also write the manifest here")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (every blob and the manifest, the requests) and send nothing",
    )


def _handled(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Runs a command, printing its failure: ``error: …`` for a usage error (status 2) or an
    I/O error (status 1), ``error[CODE]: …`` for an ocikit error (status 2)."""

    def handled(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except _UsageError as error:
            print(f"error: {_clean(str(error))}", file=sys.stderr)
            return EXIT_INVALID
        except UploadInterruptedError as error:
            return _interrupted(args, error, "FILE")
        except OciError as error:
            return _report(error)
        except OSError as error:
            print(f"error: {_os_error(error)}", file=sys.stderr)
            return EXIT_IO

    handled.__doc__ = run.__doc__
    return handled


def _interrupted(args: argparse.Namespace, error: UploadInterruptedError, file: str) -> int:
    """Prints an interrupted upload's error and how to go on with it: ``blob push
    --upload-url`` with ``file``, then the command again (the blobs the registry has are not
    sent again)."""
    _report(error)
    flags = " --plain-http" if args.plain_http else ""
    if getattr(args, "username", None):
        flags += f" -u {shlex.quote(args.username)} --password-stdin"
    target = shlex.quote(f"{error.reference}@{error.descriptor.digest}")
    print(
        "hint: the registry keeps the part it received; send the rest with\n"
        f"  ocikit blob push {target} {shlex.quote(file)} --upload-url "
        f"{_clean(shlex.quote(error.upload_url), newlines=False)}{flags}\n"
        "then run this command again",
        file=sys.stderr,
    )
    return EXIT_IO


def _interrupted_file(packed: Packed | None, error: UploadInterruptedError) -> str:
    """The file whose upload ``error`` interrupted, as the hint should name it."""
    for blob in packed.blobs if packed is not None else ():
        if blob.descriptor.digest == error.descriptor.digest and blob.path is not None:
            return os.fspath(blob.path)
    return "FILE"


_EMPTY_DIGEST = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class _EarlyUploads:
    """Uploads each large file as soon as it is hashed, while the others are still being
    hashed, ``concurrency`` at a time, so that hashing and uploading overlap (hashing 1 GiB
    takes about half a second of both cores here). The push that follows finds these blobs in
    the repository with one HEAD each. Small files are left to the push: for them the extra
    HEAD would cost more than the overlap saves.

    On leaving, it waits for the uploads and raises the first failure; when the block itself
    failed, uploads not yet started are cancelled."""

    MIN_SIZE = 16 << 20

    def __init__(self, client: Client, reference: Reference, concurrency: int) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self._client = client
        self._reference = reference
        self._pool = ThreadPoolExecutor(max(1, concurrency))
        self._context = contextvars.copy_context()
        self._started: list[Future[bool]] = []

    def add(self, file: File) -> None:
        """Starts the upload of ``file`` if it is large (called from the hashing threads)."""
        if file.path is None or file.digest is None or (file.size or 0) < self.MIN_SIZE:
            return
        descriptor = Descriptor(
            media_type="application/octet-stream", digest=file.digest, size=file.size or 0
        )
        # In a copy of the command's context: its deadline holds on the upload threads too.
        run = self._context.copy().run
        self._started.append(
            self._pool.submit(run, self._client.push_blob, self._reference, descriptor, file.path)
        )

    def __enter__(self) -> _EarlyUploads:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=error is not None)
        if error is None:
            for started in self._started:
                started.result()


@contextlib.contextmanager
def _transfer_client(args: argparse.Namespace, registry: str, verb: str) -> Iterator[Client]:
    """A client for a transfer command, whose transfers draw a progress line (``verb``
    first) when stderr is a terminal, unless ``--no-progress``. The line is ended on the way
    out, before any error is printed."""
    if getattr(args, "no_progress", True) or not sys.stderr.isatty():
        with _client(args, registry) as client:
            yield client
        return
    with ProgressLine(sys.stderr, verb) as line, _client(args, registry, line) as client:
        yield client


def _print_plan(
    args: argparse.Namespace,
    blobs: Sequence[Any],
    manifests: Sequence[tuple[Descriptor, Sequence[str]]],
    requests: Sequence[Any],
) -> None:
    """A dry run's plan: the blobs, the manifests (with their tags) and the requests."""
    if getattr(args, "format", None) == "json":
        _print_json(
            {
                "blobs": [
                    {**_descriptor_json(_plain(b.descriptor)), "status": b.status}
                    for b in blobs
                ],
                "manifests": [
                    {**_descriptor_json(_plain(d)), "tags": list(tags)} for d, tags in manifests
                ],
                "requests": [
                    {"method": r.method, "url": r.url, "note": r.note} for r in requests
                ],
            }
        )
        return
    print("Dry run: nothing was sent.")
    for blob in blobs:
        d = blob.descriptor
        print(f"Blob {d.digest} {d.size} bytes {_clean(d.media_type)} ({blob.status})")
    for d, tags in manifests:
        tagged = f" tags: {', '.join(tags)}" if tags else ""
        print(f"Manifest {d.digest} {d.size} bytes {_clean(d.media_type)}{tagged}")
    print("Requests:")
    for r in requests:
        print(f"  {r.method} {_clean(r.url)}" + (f"  # {_clean(r.note)}" if r.note else ""))


@_handled
def _cmd_push(args: argparse.Namespace) -> int:
    if args.oci_layout and args.dry_run:
        raise _UsageError("--dry-run plans a push to a registry, not to a layout")
    if not args.oci_layout:
        return _push_remote(args)
    raw, *extra_tags = args.target.split(",")
    path, tag = _split_reference(raw)
    tags = ([tag] if tag else []) + extra_tags
    if not path or "" in extra_tags:
        raise _UsageError(f"{args.target!r} is not DIR[:TAG[,TAG…]]")
    packed = _pack_arguments(args, args.image_spec)
    layout = OciLayout(path)
    layout.write(packed, tags[0] if tags else None)
    for extra in tags[1:]:
        layout.tag(packed.digest, extra)
    if args.export_manifest:
        Path(args.export_manifest).write_bytes(packed.manifest.to_json())
    _print_pushed(args, raw, path, tags, packed)
    return EXIT_OK


def _push_remote(args: argparse.Namespace) -> int:
    raw, *extra_tags = args.target.split(",")
    reference = _remote_reference(raw)
    if "" in extra_tags:
        raise _UsageError(f"{args.target!r} is not REGISTRY/REPOSITORY[:TAG[,TAG…]]")
    packed: Packed | None = None
    if args.dry_run:
        # The core's plan: no connection is opened.
        packed = _pack_arguments(args, args.image_spec)
        with _client(args, reference.registry) as client:
            plan = client.push(reference, packed, dry_run=True)
        _print_plan(args, plan.blobs, [(plan.descriptor, plan.tags)], plan.planned)
        return EXIT_OK
    try:
        with _transfer_client(args, reference.registry, "Uploading") as client:
            with _EarlyUploads(client, reference, args.concurrency) as early:
                packed = _pack_arguments(args, args.image_spec, hashed=early.add)
            client.push(reference, packed)
            for extra in extra_tags:
                client.push_manifest(
                    f"{reference.registry}/{reference.repository}:{extra}", packed.manifest
                )
    except UploadInterruptedError as error:
        return _interrupted(args, error, _interrupted_file(packed, error))
    assert packed is not None
    if args.export_manifest:
        Path(args.export_manifest).write_bytes(packed.manifest.to_json())
    name = f"{reference.registry}/{reference.repository}"
    tags = ([reference.tag] if reference.tag else []) + extra_tags
    if args.format == "json":
        _print_pushed(args, raw, name, tags, packed)
        return EXIT_OK
    print(f"Pushed [registry] {raw}")
    for tag in extra_tags:
        print(f"Tagged {tag}")
    if packed.manifest.artifact_type:
        print(f"ArtifactType: {packed.manifest.artifact_type}")
    print(f"Digest: {packed.digest}")
    return EXIT_OK


def _pack_arguments(
    args: argparse.Namespace,
    image_spec: str | None,
    subject: Descriptor | None = None,
    hashed: Callable[[File], None] | None = None,
) -> Packed:
    """The artifact the packing flags describe; ``hashed`` is called with each file as soon as
    it is hashed (on the hashing thread)."""
    if args.config is not None and args.artifact_type is None:
        # ORAS: the v1.1 artifact guidance wants an artifact type; a config without one means
        # an image-spec v1.0 artifact unless v1.1 was asked for explicitly.
        if image_spec == "v1.1":
            raise _UsageError(
                "missing artifact type for OCI image-spec v1.1 artifacts: set one with "
                "--artifact-type, or use --image-spec v1.0"
            )
        image_spec = "v1.0"
    sections = _annotation_sections(args)
    manifest_annotations = sections.get("$manifest", {})

    created = None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch and annotations.CREATED not in manifest_annotations:
        if not epoch.isascii() or not epoch.isdigit():
            raise _UsageError(f"SOURCE_DATE_EPOCH must be whole seconds, not {epoch!r}")
        created = int(epoch)

    config = None
    if args.config is not None:
        config_path, config_type = _split_file_reference(args.config)
        config = Config(config_type or _UNKNOWN_CONFIG_TYPE, Path(config_path).read_bytes())
    references = [_split_file_reference(reference) for reference in args.files]
    for file_path, _ in references:
        if os.path.isdir(file_path):
            raise _UsageError(
                f"{file_path} is a directory; pushing directories is not supported yet "
                "(archive it first, e.g. tar -czf dir.tar.gz dir)"
            )


    def packed(files: list[File]) -> Packed:
        return _pack_files(
            files,
            artifact_type=args.artifact_type,
            config=config,
            config_annotations=sections.get("$config"),
            annotations=manifest_annotations,
            image_spec=image_spec or "v1.1",
            created=created,
            subject=subject,
            cli_defaults=True,
        )

    def hash_file(reference: tuple[str, str]) -> File:
        file = File.from_path(
            reference[0],
            media_type=reference[1] or None,
            name=_title(reference[0]),
            annotations=sections.get(reference[0]),
        )
        if hashed is not None:
            hashed(file)
        return file

    if hashed is not None:
        # Files may leave as soon as they are hashed: check every other argument first (media
        # types, annotations, titles), with the files as if empty, so that a mistake costs no
        # upload.
        packed(
            [
                File.from_digest(
                    _title(path), _EMPTY_DIGEST, 0, media_type or None, sections.get(path)
                )
                for path, media_type in references
            ]
        )
    return packed(_each(hash_file, references))  # one per CPU at a time, like File.from_paths


def _print_pushed(
    args: argparse.Namespace, raw: str, path: str, tags: list[str], packed: Packed
) -> None:
    manifest = packed.manifest
    if args.format == "json":
        _print_json(
            {
                "reference": f"{path}@{manifest.digest}",
                "mediaType": manifest.media_type,
                "digest": manifest.digest,
                "size": manifest.size,
                "annotations": manifest.annotations,
                "artifactType": manifest.artifact_type or manifest.config.media_type,
                "referenceAsTags": [f"{path}:{tag}" for tag in tags],
            }
        )
        return
    print(f"Pushed [oci-layout] {raw}")
    for tag in tags[1:]:
        print(f"Tagged {tag}")
    if manifest.artifact_type:
        print(f"ArtifactType: {manifest.artifact_type}")
    print(f"Digest: {manifest.digest}")


def _split_reference(raw: str) -> tuple[str, str]:
    """``DIR[:TAG]`` as ORAS splits it: at the last ``:`` (never a drive letter's)."""
    at = raw.rfind(":")
    if at < 0 or (at == 1 and raw[0].isalpha() and raw[2:3] in ("\\", "/") and os.name == "nt"):
        return raw, ""
    return raw[:at], raw[at + 1 :]


def _split_file_reference(reference: str) -> tuple[str, str]:
    """``FILE[:TYPE]`` as ORAS's fileref.Parse splits it: at the last ``:``, then ``\\x`` in
    the path stands for ``x`` (``hi\\:txt:`` is the file ``hi:txt`` with the default type)."""
    if os.name == "nt":
        at = reference.rfind(":")
        if at < 0 or at == 1:
            path, media_type = reference, ""
        else:
            path, media_type = reference[:at], reference[at + 1 :]
    else:
        at = reference.rfind(":")
        path, media_type = (reference, "") if at < 0 else (reference[:at], reference[at + 1 :])
        path = _unescape(path)
    if not path:
        raise _UsageError(f"found empty file path in {reference!r}")
    return path, media_type


def _unescape(path: str) -> str:
    out = []
    i = 0
    while i < len(path):
        if path[i] == "\\":
            out.append(path[i + 1 : i + 2])
            i += 2
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def _title(path: str) -> str:
    """The layer title ORAS gives a file: its path cleaned, with forward slashes."""
    name = os.path.normpath(path)
    return name if os.path.isabs(name) else name.replace(os.sep, "/")


def _annotation_sections(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """The annotations of ``--annotation-file`` or of the ``--annotation`` flags (ORAS takes one
    or the other), by section: ``$manifest``, ``$config``, or a file argument."""
    if args.annotation_file is not None and args.annotation:
        raise _UsageError("--annotation and --annotation-file cannot both be given")
    if args.annotation_file is None:
        flags: dict[str, str] = {}
        for item in args.annotation:
            key, sep, value = item.partition("=")
            if not sep:
                raise _UsageError(f'annotation {item!r} is not "key=value"')
            if key in flags:
                raise _UsageError(f"duplicate annotation key {key!r}")
            flags[key] = value
        return {"$manifest": flags} if flags else {}
    try:
        document = json.loads(Path(args.annotation_file).read_bytes())
    except ValueError as error:
        raise _UsageError(f"{args.annotation_file} is not JSON: {error}") from error
    shape = 'an object of sections, {"$manifest": {"key": "value"}, …}'
    if not isinstance(document, dict):
        raise _UsageError(f"{args.annotation_file} must be {shape}")
    sections: dict[str, dict[str, str]] = {}
    for section, values in document.items():
        values = {} if values is None else values
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise _UsageError(
                f"{args.annotation_file}: section {section!r} must map keys to strings"
            )
        sections[section] = values
    return sections


# ocikit pull ---------------------------------------------------------------------------------


def _add_pull_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="REF",
        help="REGISTRY/REPOSITORY:TAG or @DIGEST, or with --oci-layout DIR:TAG or DIR@DIGEST",
    )
    _add_layout_flag(parser, "pull from")
    parser.add_argument(
        "-o",
        "--output",
        default=".",
        metavar="DIR",
        help="where to write the files (default: the current directory)",
    )
    parser.add_argument(
        "-k",
        "--keep-old-files",
        action="store_true",
        help="do not replace existing files: an existing file is an error, found before "
        "anything is written (as in ORAS)",
    )
    parser.add_argument(
        "--allow-git-paths",
        action="store_true",
        help="write titles with a .git path component too (refused by default: git would run "
        "what a pulled .git/config says)",
    )
    _add_remote_arguments(parser, transfers=True)


@_handled
def _cmd_pull(args: argparse.Namespace) -> int:
    with _open(args, args.source, layout=args.oci_layout, verb="Downloading") as place:
        pulled = place.target.pull(
            place.need(args.source),
            args.output,
            keep_old_files=args.keep_old_files,
            allow_git=args.allow_git_paths,
        )
    output = Path(args.output).resolve()
    for path in pulled.files:
        print(f"Pulled {_clean(path.relative_to(output).as_posix(), newlines=False)}")
    if not pulled.files:
        print("Skipped pulling layers without file name in org.opencontainers.image.title")
    print(f"Pulled [{place.kind}] {args.source}")
    print(f"Digest: {pulled.manifest.digest}")
    return EXIT_OK


# Registry and layout commands ----------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """What a command's reference names: a repository of a registry or an image layout
    directory (``target``), the tag or digest it gives (``reference``), and how to show it
    (``name``, ``kind`` as in ORAS's ``[registry]``/``[oci-layout]``)."""

    target: Target
    reference: str | None
    name: str
    kind: str

    def need(self, text: str) -> str:
        """The tag or digest; a layout reference without one is a usage error."""
        if self.reference is None:
            raise _UsageError(f"{text!r} names no tag or digest: give DIR:TAG or DIR@DIGEST")
        return self.reference


def _add_layout_flag(parser: argparse.ArgumentParser, verb: str = "use") -> None:
    parser.add_argument(
        "--oci-layout",
        action="store_true",
        help=f"{verb} an OCI image layout directory instead of a registry: the reference is "
        "DIR[:TAG|@DIGEST]",
    )


def _split_layout_reference(text: str) -> tuple[str, str]:
    """``DIR[:TAG|@DIGEST]`` as ORAS splits it: at the last ``@``, else at the last ``:``."""
    at = text.rfind("@")
    if at >= 0:
        return text[:at], text[at + 1 :]
    return _split_reference(text)


def _open_layout(text: str, *, create: bool) -> tuple[OciLayout, str]:
    path, reference = _split_layout_reference(text)
    if not path:
        raise _UsageError(f"{text!r} is not DIR[:TAG|@DIGEST]")
    return OciLayout(path, create=create), reference


@contextlib.contextmanager
def _open(
    args: argparse.Namespace,
    text: str,
    *,
    layout: bool,
    create: bool = False,
    verb: str | None = None,
) -> Iterator[_Place]:
    """The place ``text`` names: with ``layout``, the layout ``DIR[:TAG|@DIGEST]`` (created
    when missing with ``create``), else the registry repository ``REGISTRY/REPOSITORY[:TAG]
    [@DIGEST]`` through a client with the command's flags (one that draws progress, ``verb``
    first, for transfer commands)."""
    if layout:
        opened, reference = _open_layout(text, create=create)
        yield _Place(opened, reference or None, os.fspath(opened.path), "oci-layout")
        return
    parsed = _remote_reference(text)
    opener = (
        _client(args, parsed.registry)
        if verb is None
        else _transfer_client(args, parsed.registry, verb)
    )
    with opener as client:
        repository = Repository(client, parsed)
        yield _Place(repository, parsed.digest or parsed.target, repository.name, "registry")




def _add_remote_arguments(
    parser: argparse.ArgumentParser, *, transfers: bool = False, progress: bool = False
) -> None:
    """How to reach a registry (ORAS's flags); ``transfers`` adds the blob transfer flags,
    ``progress`` (implied by ``transfers``) the flag that turns the progress line off."""
    group = parser.add_argument_group("registry")
    group.add_argument(
        "--plain-http", action="store_true", help="use plain HTTP (a loopback test registry)"
    )
    group.add_argument("-u", "--username", help="the registry user name")
    group.add_argument("-p", "--password", help="the password or personal access token")
    group.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    group.add_argument(
        "--ca-file",
        metavar="FILE",
        help="trust the certificate authorities in this PEM file for the registry's TLS "
        "certificate (as well as the system's)",
    )
    group.add_argument(
        "--timeout",
        type=_seconds,
        default=3600.0,
        metavar="SECONDS",
        help="the deadline of the whole command's registry work (default 3600; 0: none); "
        "when it passes, the request under way stops, however slowly bytes arrive",
    )
    group.add_argument(
        "--stall-timeout",
        type=_positive_seconds,
        default=30.0,
        metavar="SECONDS",
        help="fail when no byte moves for this long: connect, send or receive (default 30)",
    )
    if transfers:
        group.add_argument(
            "--concurrency",
            type=_positive,
            default=4,
            metavar="N",
            help="blob transfers at a time (default 4)",
        )
        group.add_argument(
            "--chunk-size",
            type=_positive,
            metavar="BYTES",
            help="upload blobs in chunks of this many bytes (default: one request per blob)",
        )
    if transfers or progress:
        group.add_argument(
            "--no-progress",
            "--no-tty",
            dest="no_progress",
            action="store_true",
            help="do not draw the progress line (drawn only when stderr is a terminal)",
        )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more seconds")
    return value


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 seconds")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        if args.password is not None:
            raise _UsageError("--password and --password-stdin cannot both be given")
        return sys.stdin.readline().rstrip("\r\n")
    return cast(Optional[str], args.password)


def _client(
    args: argparse.Namespace, registry: str, progress: ProgressLine | None = None
) -> Client:
    """A client for ``registry`` with the command's flags: ``-u``/``-p`` credentials, else
    those Docker's config.json holds; ``progress`` is told about blob transfers."""
    password = _password(args)
    credentials: Any = "docker"
    if args.username is not None:
        if password is None:
            raise _UsageError("-u/--username needs -p/--password or --password-stdin")
        credentials = (args.username, password)
    elif password is not None:
        raise _UsageError("-p/--password needs -u/--username")
    stall = args.stall_timeout
    return Client(
        registry,
        plain_http=args.plain_http,
        credentials=credentials,
        concurrency=getattr(args, "concurrency", 4),
        chunk_size=getattr(args, "chunk_size", None),
        on_progress=progress,
        transport=StdlibTransport(timeout=stall, ssl_context=_ssl_context(args)),
        timeout=args.timeout or None,
        stall_timeout=stall,
    )


def _ssl_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    """The TLS context ``--ca-file`` asks for (the system's authorities and the file's), or
    ``None`` for the default."""
    if getattr(args, "ca_file", None) is None:
        return None
    import ssl

    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=args.ca_file)
    except ssl.SSLError as error:
        raise _UsageError(f"--ca-file {args.ca_file}: not PEM certificates ({error})") from None
    return context


def _remote_reference(text: str) -> Reference:
    """``REGISTRY/REPOSITORY[:TAG][@DIGEST]`` (the first component is the registry, as in
    ORAS)."""
    return Reference.parse(text)


def _plain(descriptor: Descriptor) -> Descriptor:
    """What a reference resolves to: media type, digest and size (without the annotations,
    such as the tag, of a layout's ``index.json`` entry), as a subject names it."""
    return Descriptor(
        media_type=descriptor.media_type, digest=descriptor.digest, size=descriptor.size
    )


def _descriptor_json(descriptor: Descriptor) -> Any:
    return json.loads(descriptor.to_json())


# ocikit attach


def _add_attach_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "subject", metavar="REF", help="the artifact to attach to (with --oci-layout DIR:TAG "
        "or DIR@DIGEST)"
    )  # fmt: skip
    _add_pack_arguments(parser)
    _add_layout_flag(parser, "attach in")
    _add_remote_arguments(parser, transfers=True)
    _add_format(parser)


@_handled
def _cmd_attach(args: argparse.Namespace) -> int:
    if args.artifact_type is None:
        raise _UsageError("attach needs --artifact-type")
    packed: Packed | None = None
    try:
        with _open(args, args.subject, layout=args.oci_layout, verb="Uploading") as place:
            subject = _plain(place.target.resolve(place.need(args.subject)))
            packed = _pack_arguments(args, "v1.1", subject=subject)
            if args.dry_run:
                if not isinstance(place.target, Repository):
                    raise _UsageError("--dry-run plans an attach in a registry, not in a layout")
                # Only the subject was read; the plan sends nothing.
                plan = place.target.client.attach(
                    place.target.reference(packed.digest), packed, dry_run=True
                )
                _print_plan(args, plan.blobs, [(plan.descriptor, plan.tags)], plan.planned)
                return EXIT_OK
            place.target.attach(packed)
    except UploadInterruptedError as error:
        return _interrupted(args, error, _interrupted_file(packed, error) if packed else "FILE")
    if args.export_manifest:
        Path(args.export_manifest).write_bytes(packed.manifest.to_json())
    if args.format == "json":
        _print_json(
            {
                "reference": f"{place.name}@{packed.digest}",
                "mediaType": packed.manifest.media_type,
                "digest": packed.digest,
                "size": packed.size,
                "artifactType": packed.manifest.artifact_type,
                "subject": _descriptor_json(subject),
            }
        )
        return EXIT_OK
    print(f"Attached to [{place.kind}] {place.name}@{subject.digest}")
    print(f"Digest: {packed.digest}")
    return EXIT_OK


# ocikit discover


def _add_discover_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="REF", help="the artifact whose referrers to list")
    parser.add_argument("--artifact-type", metavar="TYPE", help="only referrers of this type")
    parser.add_argument(
        "--depth",
        type=_positive,
        metavar="N",
        help="levels of referrers to follow (default all)",
    )
    parser.add_argument(
        "--format",
        choices=("tree", "table", "json"),
        default="tree",
        help="output format (default: tree)",
    )
    _add_layout_flag(parser, "discover in")
    _add_remote_arguments(parser)


@_handled
def _cmd_discover(args: argparse.Namespace) -> int:
    with _open(args, args.target, layout=args.oci_layout) as place:
        root = _plain(place.target.resolve(place.need(args.target)))
        tree = place.target.discover(root.digest, args.artifact_type, args.depth)
    name = place.name
    if args.format == "json":
        _print_json(
            {
                "reference": f"{name}@{root.digest}",
                **_descriptor_json(root),
                "referrers": [_referrer_json(name, node) for node in tree],
            }
        )
    elif args.format == "table":
        rows = [("Digest", "Artifact Type", "Subject")]
        pending = [(node, root.digest) for node in tree]
        while pending:
            node, parent = pending.pop(0)
            artifact_type = _clean(node.descriptor.artifact_type or "-", newlines=False)
            rows.append((node.descriptor.digest, artifact_type, parent))
            pending += [(child, node.descriptor.digest) for child in node.referrers]
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        for digest, artifact_type, parent in rows:
            print(f"{digest:<{widths[0]}}  {artifact_type:<{widths[1]}}  {parent}")
    else:
        print(f"{name}@{root.digest}")
        _print_tree(tree, "")
    return EXIT_OK


def _referrer_json(name: str, node: Referrer) -> Any:
    return {
        "reference": f"{name}@{node.descriptor.digest}",
        **_descriptor_json(node.descriptor),
        "referrers": [_referrer_json(name, child) for child in node.referrers],
    }


def _print_tree(nodes: Sequence[Referrer], indent: str) -> None:
    """ORAS's tree: referrers grouped by artifact type under their subject."""
    groups: dict[str, list[Referrer]] = {}
    for node in nodes:
        artifact_type = _clean(node.descriptor.artifact_type or "<unknown>", newlines=False)
        groups.setdefault(artifact_type, []).append(node)
    for g, (artifact_type, members) in enumerate(groups.items()):
        last_group = g == len(groups) - 1
        print(f"{indent}{'└── ' if last_group else '├── '}{artifact_type}")
        inner = indent + ("    " if last_group else "│   ")
        for m, node in enumerate(members):
            last = m == len(members) - 1
            print(f"{inner}{'└── ' if last else '├── '}{node.descriptor.digest}")
            _print_tree(node.referrers, inner + ("    " if last else "│   "))


# ocikit tag / resolve / copy


def _add_tag_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="REF", help="the manifest to tag")
    parser.add_argument("tags", nargs="+", metavar="TAG", help="the new tags")
    _add_layout_flag(parser, "tag in")
    _add_remote_arguments(parser)


@_handled
def _cmd_tag(args: argparse.Namespace) -> int:
    with _open(args, args.source, layout=args.oci_layout) as place:
        reference = place.need(args.source)
        for tag in args.tags:
            place.target.tag(reference, tag)
            print(f"Tagged {tag}")
    return EXIT_OK


def _add_resolve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="REF", help="the tag or digest to resolve")
    parser.add_argument(
        "--full-reference",
        action="store_true",
        help="print REGISTRY/REPOSITORY@DIGEST (DIR@DIGEST for a layout)",
    )
    _add_layout_flag(parser, "resolve in")
    _add_remote_arguments(parser)


@_handled
def _cmd_resolve(args: argparse.Namespace) -> int:
    with _open(args, args.target, layout=args.oci_layout) as place:
        descriptor = place.target.resolve(place.need(args.target))
    if args.full_reference:
        print(f"{place.name}@{descriptor.digest}")
    else:
        print(descriptor.digest)
    return EXIT_OK


def _add_copy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SRC", help="the artifact to copy")
    parser.add_argument("destination", metavar="DST", help="where to copy it")
    parser.add_argument(
        "-r",
        "--recursive",
        action="store_true",
        help="copy its referrers too, recursively",
    )
    parser.add_argument(
        "--from-oci-layout",
        action="store_true",
        help="copy from an OCI image layout directory: SRC is DIR:TAG or DIR@DIGEST",
    )
    parser.add_argument(
        "--to-oci-layout",
        action="store_true",
        help="copy to an OCI image layout directory (created if missing): DST is "
        "DIR[:TAG|@DIGEST]",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="read the source and print the plan (blobs, manifests, requests); write nothing",
    )
    _add_remote_arguments(parser, transfers=True)


@_handled
def _cmd_copy(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        progress: ProgressLine | None = None
        source: Client | OciLayout
        destination: Client | OciLayout
        if args.from_oci_layout:
            source, src_ref = _open_layout(args.source, create=False)
            if not src_ref:
                raise _UsageError(
                    f"{args.source!r} names no tag or digest: give DIR:TAG or DIR@DIGEST"
                )
        else:
            src = _remote_reference(args.source)
            source = stack.enter_context(_transfer_client(args, src.registry, "Copying"))
            progress = cast(Optional[ProgressLine], source.on_progress)
            src_ref = args.source
        dst_ref: str | None
        if args.to_oci_layout:
            destination, dst_ref = _open_layout(args.destination, create=True)
            dst_ref = dst_ref or None
        else:
            dst = _remote_reference(args.destination)
            dst_ref = args.destination
            if isinstance(source, Client) and source.registry == dst.registry:
                destination = source
            elif isinstance(source, Client):
                destination = stack.enter_context(_client(args, dst.registry, progress))
            else:
                destination = stack.enter_context(
                    _transfer_client(args, dst.registry, "Copying")
                )
        if args.dry_run:
            if not isinstance(source, Client) or not isinstance(destination, Client):
                raise _UsageError("--dry-run plans a copy between registries, not with a layout")
            assert dst_ref is not None
            plan = source.copy(
                src_ref, dst_ref, referrers=args.recursive, destination=destination,
                dry_run=True,
            )  # fmt: skip
            manifests = [(d, plan.tags if d.digest == plan.descriptor.digest else ()) for d in plan.manifests]
            _print_plan(args, plan.blobs, manifests, plan.planned)
            return EXIT_OK
        copied = copy(source, src_ref, destination, dst_ref, referrers=args.recursive)
    kinds = [
        "oci-layout" if layout else "registry"
        for layout in (args.from_oci_layout, args.to_oci_layout)
    ]
    print(f"Copied [{kinds[0]}] {args.source} => [{kinds[1]}] {args.destination}")
    print(f"Digest: {copied.digest}")
    return EXIT_OK


# ocikit manifest fetch|push|delete, blob fetch|push, repo tags


def _add_manifest_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    fetch = commands.add_parser("fetch", help="print a manifest (its exact bytes)")
    fetch.add_argument("target", metavar="REF")
    fetch.add_argument("-o", "--output", metavar="FILE", help="write it here instead")
    fetch.add_argument("--descriptor", action="store_true", help="print its descriptor instead")
    _add_layout_flag(fetch, "fetch from")
    _add_remote_arguments(fetch)
    fetch.set_defaults(subcommand=_manifest_fetch)
    push = commands.add_parser("push", help="upload a manifest file (its exact bytes)")
    push.add_argument("target", metavar="REF")
    push.add_argument("file", metavar="FILE", help="the manifest; - is stdin")
    push.add_argument("--media-type", metavar="TYPE", help="default: the mediaType inside")
    _add_layout_flag(push, "push to")
    _add_remote_arguments(push)
    push.set_defaults(subcommand=_manifest_push)
    delete = commands.add_parser("delete", help="delete a manifest")
    delete.add_argument("target", metavar="REF")
    delete.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="never prompt (without it, deleting from a registry asks on a terminal and is "
        "refused when stdin is not one, as ORAS does)",
    )
    _add_layout_flag(delete, "delete from")
    _add_remote_arguments(delete)
    delete.set_defaults(subcommand=_manifest_delete)


def _cmd_subcommand(args: argparse.Namespace) -> int:
    return cast(int, _handled(args.subcommand)(args))


def _manifest_fetch(args: argparse.Namespace) -> int:
    with _open(args, args.target, layout=args.oci_layout) as place:
        fetched = place.target.fetch(place.need(args.target))
    if args.descriptor:
        _print_json(
            {
                "mediaType": fetched.media_type,
                "digest": fetched.digest,
                "size": len(fetched.data),
            }
        )
    elif args.output:
        Path(args.output).write_bytes(fetched.data)
    else:
        data = fetched.data
        if sys.stdout.isatty():
            # The exact bytes go to a file or a pipe; a terminal gets them with control
            # characters escaped (\u001b: a JSON escape, still readable, never acted on).
            text = data.decode("utf-8", "replace")
            data = _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode()
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return EXIT_OK


# What a terminal would act on, in a document shown on it: C0 but tab and line feed, DEL, C1.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _manifest_push(args: argparse.Namespace) -> int:
    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    with _open(args, args.target, layout=args.oci_layout, create=True) as place:
        reference = place.reference
        tag = None
        if reference is not None and ":" in reference:
            verify(data, reference)  # pushed by digest: the bytes must have it
        else:
            tag = reference
        descriptor = place.target.push_manifest(data, tag, args.media_type)
    print(f"Pushed [{place.kind}] {args.target}")
    print(f"Digest: {descriptor.digest}")
    return EXIT_OK


def _manifest_delete(args: argparse.Namespace) -> int:
    with _open(args, args.target, layout=args.oci_layout) as place:
        if isinstance(place.target, Repository) and not args.force:
            _confirm_delete(place.target, place.need(args.target))
        place.target.delete_manifest(place.need(args.target))
    print(f"Deleted [{place.kind}] {args.target}")
    return EXIT_OK


def _confirm_delete(repository: Repository, reference: str) -> None:
    """ORAS's confirmation of a registry delete: asked on a terminal, naming the other tags
    that point at the manifest (they go with it); refused when stdin is not a terminal."""
    if not sys.stdin.isatty():
        raise OciError(
            "manifest delete asks for confirmation and stdin is not a terminal: pass -f/--force "
            "to delete without it",
            code="OPTIONS_INVALID",
            details={"option": "--force"},
        )
    target = repository.reference(reference)
    digest = repository.client.resolve(target).digest
    tags = repository.client.tags_of(target, digest)
    others = [tag for tag in tags.tags if tag != target.tag]
    name = _clean(f"{repository.name}@{digest}")
    if others:
        more = f" and {tags.unchecked} more unchecked" if tags.unchecked else ""
        shown = ", ".join(_clean(tag) for tag in others)
        print(f"These tags point at the same manifest and go with it: {shown}{more}", file=sys.stderr)
    sys.stderr.write(
        f"Are you sure you want to delete the manifest {name} and all tags associated with it? "
        "[y/N] "
    )
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise OciError(
            "manifest delete cancelled: nothing was deleted",
            code="OPTIONS_INVALID",
            details={"option": "--force", "reason": "not confirmed"},
        )


def _add_blob_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    fetch = commands.add_parser("fetch", help="download a blob")
    fetch.add_argument("target", metavar="REF@DIGEST")
    fetch.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="where to write it; - is stdout",
    )
    _add_layout_flag(fetch, "fetch from")
    _add_remote_arguments(fetch, progress=True)
    fetch.set_defaults(subcommand=_blob_fetch)
    push = commands.add_parser("push", help="upload a file as a blob")
    push.add_argument(
        "target", metavar="REF", help="REGISTRY/REPOSITORY[@DIGEST], or with --oci-layout "
        "DIR[@DIGEST]"
    )  # fmt: skip
    push.add_argument("file", metavar="FILE")
    push.add_argument(
        "--media-type",
        default="application/octet-stream",
        metavar="TYPE",
        help="the media type of the printed descriptor (default application/octet-stream)",
    )
    push.add_argument("--descriptor", action="store_true", help="print the descriptor")
    push.add_argument(
        "--upload-url",
        metavar="URL",
        help="resume the interrupted upload at URL (what the failed command printed) instead "
        "of starting one",
    )
    _add_layout_flag(push, "push to")
    _add_remote_arguments(push, transfers=True)
    push.set_defaults(subcommand=_blob_push)


def _blob_fetch(args: argparse.Namespace) -> int:
    with _open(args, args.target, layout=args.oci_layout, verb="Downloading") as place:
        digest = place.reference
        if digest is None or ":" not in digest:
            raise _UsageError(f"{args.target!r} names no blob: give REF@DIGEST")
        size = place.target.blob_size(digest)
        if size is None:
            raise OciError(
                f"{args.target} is not in the {'layout' if args.oci_layout else 'repository'}",
                code="BLOB_UNKNOWN",
                details={"digest": digest},
            )
        descriptor = Descriptor(media_type="application/octet-stream", digest=digest, size=size)
        if args.output == "-":
            # Through a temporary file, verified, then copied: memory stays bounded however
            # large the blob, and nothing unverified reaches stdout.
            with tempfile.TemporaryDirectory(prefix="ocikit-") as directory:
                spool = os.path.join(directory, "blob")
                place.target.fetch_blob(descriptor, spool)
                sys.stdout.flush()
                with open(spool, "rb") as file:
                    while piece := file.read(1 << 20):
                        sys.stdout.buffer.write(piece)
                sys.stdout.buffer.flush()
        else:
            place.target.fetch_blob(descriptor, args.output)
    return EXIT_OK


def _blob_push(args: argparse.Namespace) -> int:
    if args.upload_url is not None and args.oci_layout:
        raise _UsageError("--upload-url resumes an upload to a registry, not to a layout")
    digester = _digest_path(args.file, "sha256")
    digest = digester.finalize()
    with _open(args, args.target, layout=args.oci_layout, create=True, verb="Uploading") as place:
        named = place.reference
        if named is not None and ":" in named and named != digest:
            raise OciError(
                f"{args.file} has the digest {digest}, not {named}",
                code="DIGEST_MISMATCH",
                details={"expected": named, "actual": digest},
            )
        descriptor = Descriptor(media_type=args.media_type, digest=digest, size=digester.size)
        if isinstance(place.target, Repository):
            place.target.client.push_blob(
                place.name, descriptor, args.file, upload_url=args.upload_url
            )
        else:
            place.target.push_blob(descriptor, args.file)
    if args.descriptor:
        _print_json(_descriptor_json(descriptor))
    else:
        print(f"Pushed [{place.kind}] {place.name}@{digest}")
        print(f"Digest: {digest}")
    return EXIT_OK


def _add_repo_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    tags = commands.add_parser("tags", help="list a repository's (or a layout's) tags")
    tags.add_argument("target", metavar="REGISTRY/REPOSITORY", help="or with --oci-layout DIR")
    _add_layout_flag(tags, "list the tags of")
    _add_remote_arguments(tags)
    tags.set_defaults(subcommand=_repo_tags)


def _repo_tags(args: argparse.Namespace) -> int:
    with _open(args, args.target, layout=args.oci_layout) as place:
        target = place.target
        # A registry's tags page by page (Client.iter_tags), printed as they come.
        tags = (
            target.client.iter_tags(target.name)
            if isinstance(target, Repository)
            else target.list_tags()
        )
        for tag in tags:
            print(_clean(tag, newlines=False))
    return EXIT_OK


# ocikit login / logout


def _add_login_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("registry", metavar="REGISTRY", help="host[:port]")
    _add_remote_arguments(parser)


@_handled
def _cmd_login(args: argparse.Namespace) -> int:
    password = _password(args)
    if args.username is None or password is None:
        raise _UsageError("login needs -u/--username and -p/--password or --password-stdin")
    login(
        args.registry,
        args.username,
        password,
        plain_http=args.plain_http,
        timeout=args.stall_timeout,
    )
    print("Login Succeeded")
    return EXIT_OK


def _add_logout_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("registry", metavar="REGISTRY", help="host[:port]")


@_handled
def _cmd_logout(args: argparse.Namespace) -> int:
    if logout(args.registry):
        print(f"Removed login credentials for {args.registry}")
    else:
        print(f"Not logged in to {args.registry}")
    return EXIT_OK


# ocikit validate -----------------------------------------------------------------------------


def _add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the document to validate; - is stdin")
    parser.add_argument(
        "--kind",
        choices=("manifest", "index", "descriptor", "config", "layout"),
        help="what the document is (default: tell from its content)",
    )
    _add_format(parser)


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        document = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        print(f"error: {_os_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    report = validate(document, args.kind)
    if args.format == "json":
        _print_json({"file": args.file, **report.to_dict()})
    else:
        _print_report(args.file, report)
    return EXIT_VALID if report.valid else EXIT_NOT_VALID


def _print_report(name: str, report: Report) -> None:
    for finding in report.findings:
        print(
            f"{finding.severity} {finding.code} {_clean(finding.path or '(document)')}: "
            f"{_clean(finding.message)} ({finding.rule})"
        )
    errors = sum(finding.severity == "error" for finding in report.findings)
    warnings = len(report.findings) - errors
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    verdict = "valid" if report.valid else "invalid"
    print(f"{name}: {verdict} {report.kind or 'document'} ({counts})")


# ocikit types --------------------------------------------------------------------------------


def _add_types_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        metavar="DEFINITION",
        help="check an artifact type definition file instead of listing the catalog "
        "(exit status 0 valid, 1 invalid, 2 unreadable)",
    )
    _add_format(parser)


def _cmd_types(args: argparse.Namespace) -> int:
    if args.check is not None:
        return _check_definition(args)
    definitions = artifact_types()
    if args.format == "json":
        _print_json([json.loads(definition.to_json()) for definition in definitions])
        return EXIT_OK
    width = max(len(definition.display_name) for definition in definitions)
    for definition in definitions:
        print(f"{definition.display_name:<{width}}  {definition.artifact_type}")
        for layer_type in definition.layer_media_types:
            print(f"{'':<{width}}    layer {layer_type}")
    return EXIT_OK


def _check_definition(args: argparse.Namespace) -> int:
    try:
        data = Path(args.check).read_bytes()
    except OSError as error:
        print(f"error: {_os_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        definition = ArtifactTypeDefinition.from_json(data)
    except OciError as error:
        if args.format == "json":
            _print_json(
                {
                    "file": args.check,
                    "valid": False,
                    "error": {"code": error.code, "message": error.message},
                    "findings": [],
                }
            )
        else:
            print(f"error[{error.code}]: {error}")
            print(f"{args.check}: invalid artifact type definition")
        return EXIT_NOT_VALID
    # The definition is valid; the naming convention's lints are advice on top.
    findings = MediaType.parse(definition.artifact_type).lint("config") + [
        finding
        for layer_type in definition.layer_media_types
        for finding in MediaType.parse(layer_type).lint("layer")
    ]
    if args.format == "json":
        _print_json(
            {
                "file": args.check,
                "valid": True,
                "error": None,
                "findings": [finding.to_dict() for finding in findings],
            }
        )
    else:
        for finding in findings:
            print(f"{finding.severity}[{finding.code}]: {finding.message}")
        print(
            f"{args.check}: valid artifact type definition of {definition.artifact_type} "
            f"({definition.display_name})"
        )
    return EXIT_VALID


_Command = tuple[
    str,
    str,
    Callable[[argparse.ArgumentParser], None],
    Callable[[argparse.Namespace], int],
]

_COMMANDS: list[_Command] = [
    (
        "digest",
        "print the digest and size of files",
        _add_digest_arguments,
        _cmd_digest,
    ),
    (
        "media-type",
        "parse and lint media type names against RFC 6838 and the artifact naming convention",
        _add_media_type_arguments,
        _cmd_media_type,
    ),
    (
        "push",
        "pack files into an artifact and push it to a registry or an OCI image layout "
        "(ORAS's flags)",
        _add_push_arguments,
        _cmd_push,
    ),
    (
        "pull",
        "write the files of an artifact in a registry or an OCI image layout to a directory",
        _add_pull_arguments,
        _cmd_pull,
    ),
    (
        "attach",
        "push an artifact that refers to another (a signature, an SBOM…)",
        _add_attach_arguments,
        _cmd_attach,
    ),
    (
        "discover",
        "show what refers to an artifact",
        _add_discover_arguments,
        _cmd_discover,
    ),
    ("tag", "tag a manifest", _add_tag_arguments, _cmd_tag),
    ("resolve", "print the digest of a tag", _add_resolve_arguments, _cmd_resolve),
    (
        "copy",
        "copy an artifact between repositories or registries",
        _add_copy_arguments,
        _cmd_copy,
    ),
    (
        "manifest",
        "fetch, push or delete manifests",
        _add_manifest_arguments,
        _cmd_subcommand,
    ),
    ("blob", "fetch or push blobs", _add_blob_arguments, _cmd_subcommand),
    ("repo", "list a repository's tags", _add_repo_arguments, _cmd_subcommand),
    ("login", "check and save registry credentials", _add_login_arguments, _cmd_login),
    ("logout", "forget saved registry credentials", _add_logout_arguments, _cmd_logout),
    (
        "validate",
        "validate a manifest, index, descriptor, config or oci-layout file",
        _add_validate_arguments,
        _cmd_validate,
    ),
    (
        "types",
        "list the artifact type catalog, or check an artifact type definition",
        _add_types_arguments,
        _cmd_types,
    ),
]


if __name__ == "__main__":
    sys.exit(main())
