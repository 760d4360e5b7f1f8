"""The packing flags ``push`` and ``attach`` share (ORAS's): files with media types, config,
annotations, and the upload of large files while the others are still being hashed."""

from __future__ import annotations

import argparse
import contextvars
import dataclasses
import json
import os
import threading
from pathlib import Path
from typing import Callable

from ocikit import (
    Client,
    Config,
    Descriptor,
    File,
    Reference,
    UploadInterruptedError,
    annotations as annotation_keys,
)
from ocikit._ocikit import _UNKNOWN_CONFIG_TYPE, transfers_at_once
from ocikit._pack import Packed, _each, _pack_files
from ocikit._target import Target
from ocikit.cli._common import UsageError


def add_pack_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument(
        "--disable-path-validation",
        action="store_true",
        help="take absolute paths and paths with '..' too, titled as given (refused by "
        "default: a pull cannot write them; ORAS's flag)",
    )


def interrupted_file(packed: Packed | None, error: UploadInterruptedError) -> str:
    """The file whose upload ``error`` interrupted, as the hint should name it."""
    for blob in packed.blobs if packed is not None else ():
        if blob.descriptor.digest == error.descriptor.digest and blob.path is not None:
            return os.fspath(blob.path)
    return "FILE"


_EMPTY_DIGEST = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class EarlyUploads:
    """Uploads each large file as soon as it is hashed, while the others are still being
    hashed, as many at a time as the engine runs large transfers on the registry (its rule
    follows the round trip measured so far: ``transfers_at_once`` with the client's session;
    capped by the client's ``concurrency``), so that hashing and uploading overlap (hashing
    1 GiB takes about half a second of both cores here). The uploads go through the client's
    session, which remembers each blob it put in the repository: the push that follows sends
    no request for them (the core's push plan, rule 1). Small files are left to the push.

    On leaving, it waits for the uploads and raises the first failure; when the block itself
    failed, uploads not yet started are cancelled."""

    MIN_SIZE = 16 << 20
    # How often a waiting upload asks the engine again while none ends (the first answers of
    # the uploads under way measure the round trip, which may let more go at once).
    _RECHECK = 0.02

    def __init__(self, client: Client, reference: Reference) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self._client = client
        self._reference = reference
        self._session = client._session(reference.registry)
        # Threads (started as uploads are added) up to the most requests the engine ever has
        # in flight; the gate keeps to what it allows large transfers now.
        most = transfers_at_once(0)
        if client.concurrency is not None:
            most = min(most, client.concurrency)
        self._pool = ThreadPoolExecutor(most)
        self._gate = threading.Condition()
        self._running = 0
        self._context = contextvars.copy_context()
        self._started: list[Future[bool]] = []

    def _at_once(self) -> int:
        at_once = transfers_at_once(self.MIN_SIZE, self._session)
        if self._client.concurrency is not None:
            at_once = min(at_once, self._client.concurrency)
        return at_once

    def _upload(self, descriptor: Descriptor, path: str) -> bool:
        with self._gate:
            while self._running >= self._at_once():
                self._gate.wait(self._RECHECK)
            self._running += 1
        try:
            return self._client.push_blob(self._reference, descriptor, path)
        finally:
            with self._gate:
                self._running -= 1
                self._gate.notify()

    def add(self, file: File) -> None:
        """Starts the upload of ``file`` if it is large (called from the hashing threads)."""
        if file.path is None or file.digest is None or (file.size or 0) < self.MIN_SIZE:
            return
        descriptor = Descriptor(
            media_type="application/octet-stream", digest=file.digest, size=file.size or 0
        )
        # In a copy of the command's context: its deadline holds on the upload threads too.
        run = self._context.copy().run
        self._started.append(self._pool.submit(run, self._upload, descriptor, file.path))

    def __enter__(self) -> EarlyUploads:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=error is not None)
        if error is None:
            for started in self._started:
                started.result()


def pack_arguments(
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
            raise UsageError(
                "missing artifact type for OCI image-spec v1.1 artifacts: set one with "
                "--artifact-type, or use --image-spec v1.0"
            )
        image_spec = "v1.0"
    sections = _annotation_sections(args)
    manifest_annotations = sections.get("$manifest", {})

    created = None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch and annotation_keys.CREATED not in manifest_annotations:
        if not epoch.isascii() or not epoch.isdigit():
            raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds, not {epoch!r}")
        created = int(epoch)

    config = None
    if args.config is not None:
        config_path, config_type = _split_file_reference(args.config)
        config = Config(config_type or _UNKNOWN_CONFIG_TYPE, Path(config_path).read_bytes())
    references = [_split_file_reference(reference) for reference in args.files]

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
            disable_path_validation=args.disable_path_validation,
        )

    def hash_file(reference: tuple[str, str]) -> File:
        if os.path.isdir(reference[0]):
            # A directory is one reproducible tar+gzip layer, unpacked on pull (as ORAS does).
            file = File.from_directory(
                reference[0], name=_title(reference[0]), annotations=sections.get(reference[0])
            )
            if reference[1]:
                file = dataclasses.replace(file, media_type=reference[1])
        else:
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
        raise UsageError(f"found empty file path in {reference!r}")
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
        raise UsageError("--annotation and --annotation-file cannot both be given")
    if args.annotation_file is None:
        flags: dict[str, str] = {}
        for item in args.annotation:
            key, sep, value = item.partition("=")
            if not sep:
                raise UsageError(f'annotation {item!r} is not "key=value"')
            if key in flags:
                raise UsageError(f"duplicate annotation key {key!r}")
            flags[key] = value
        return {"$manifest": flags} if flags else {}
    try:
        document = json.loads(Path(args.annotation_file).read_bytes())
    except ValueError as error:
        raise UsageError(f"{args.annotation_file} is not JSON: {error}") from error
    shape = 'an object of sections, {"$manifest": {"key": "value"}, …}'
    if not isinstance(document, dict):
        raise UsageError(f"{args.annotation_file} must be {shape}")
    sections: dict[str, dict[str, str]] = {}
    for section, values in document.items():
        values = {} if values is None else values
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise UsageError(
                f"{args.annotation_file}: section {section!r} must map keys to strings"
            )
        sections[section] = values
    return sections


def push_as_given(target: Target, packed: Packed, tag: str | None) -> None:
    """``--disable-path-validation``: the blobs one by one, then the manifest as it is (a
    whole push applies pull's title rule before any request; a manifest pushed as it is, as
    ``oras manifest push`` does, is not checked)."""
    for blob in packed.blobs:
        source = blob.path if blob.path is not None else blob.data
        if source is None:
            raise UsageError(f"{blob.descriptor.digest} has neither bytes nor a file to push")
        target.push_blob(blob.descriptor, source)
    target.push_manifest(packed.manifest, tag)
