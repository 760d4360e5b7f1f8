"""Where a command's reference points: a registry repository (reached with ORAS's registry
flags) or an OCI image layout directory (``--oci-layout``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, cast

from ocikit import Client, OciLayout, Reference, Repository
from ocikit._http import StdlibTransport
from ocikit._progress import ProgressLine
from ocikit._target import Target
from ocikit.cli._common import (
    UsageError,
    positive,
    positive_seconds,
    seconds,
    split_reference,
)

if TYPE_CHECKING:
    import ssl


@dataclass(frozen=True)
class Place:
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
            raise UsageError(f"{text!r} names no tag or digest: give DIR:TAG or DIR@DIGEST")
        return self.reference


def add_layout_flag(parser: argparse.ArgumentParser, verb: str = "use") -> None:
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
    return split_reference(text)


def open_layout(text: str, *, create: bool) -> tuple[OciLayout, str]:
    path, reference = _split_layout_reference(text)
    if not path:
        raise UsageError(f"{text!r} is not DIR[:TAG|@DIGEST]")
    return OciLayout(path, create=create), reference


@contextlib.contextmanager
def open_place(
    args: argparse.Namespace,
    text: str,
    *,
    layout: bool,
    create: bool = False,
    verb: str | None = None,
) -> Iterator[Place]:
    """The place ``text`` names: with ``layout``, the layout ``DIR[:TAG|@DIGEST]`` (created
    when missing with ``create``), else the registry repository ``REGISTRY/REPOSITORY[:TAG]
    [@DIGEST]`` through a client with the command's flags (one that draws progress, ``verb``
    first, for transfer commands)."""
    if layout:
        opened, reference = open_layout(text, create=create)
        yield Place(opened, reference or None, os.fspath(opened.path), "oci-layout")
        return
    parsed = remote_reference(text)
    opener = (
        registry_client(args, parsed.registry)
        if verb is None
        else transfer_client(args, parsed.registry, verb)
    )
    with opener as client:
        repository = Repository(client, parsed)
        yield Place(repository, parsed.digest or parsed.target, repository.name, "registry")


def add_remote_arguments(
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
        type=seconds,
        default=3600.0,
        metavar="SECONDS",
        help="the deadline of the whole command's registry work (default 3600; 0: none); "
        "when it passes, the request under way stops, however slowly bytes arrive",
    )
    group.add_argument(
        "--stall-timeout",
        type=positive_seconds,
        default=30.0,
        metavar="SECONDS",
        help="fail when no byte moves for this long: connect, send or receive (default 30)",
    )
    if transfers:
        group.add_argument(
            "--concurrency",
            type=positive,
            default=4,
            metavar="N",
            help="blob transfers at a time (default 4)",
        )
        group.add_argument(
            "--chunk-size",
            type=positive,
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


def read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        if args.password is not None:
            raise UsageError("--password and --password-stdin cannot both be given")
        return sys.stdin.readline().rstrip("\r\n")
    return cast(Optional[str], args.password)


def registry_client(
    args: argparse.Namespace, registry: str, progress: ProgressLine | None = None
) -> Client:
    """A client for ``registry`` with the command's flags: ``-u``/``-p`` credentials, else
    those Docker's config.json holds; ``progress`` is told about blob transfers."""
    password = read_password(args)
    credentials: Any = "docker"
    if args.username is not None:
        if password is None:
            raise UsageError("-u/--username needs -p/--password or --password-stdin")
        credentials = (args.username, password)
    elif password is not None:
        raise UsageError("-p/--password needs -u/--username")
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
        raise UsageError(f"--ca-file {args.ca_file}: not PEM certificates ({error})") from None
    return context


def remote_reference(text: str) -> Reference:
    """``REGISTRY/REPOSITORY[:TAG][@DIGEST]`` (the first component is the registry, as in
    ORAS)."""
    return Reference.parse(text)


@contextlib.contextmanager
def transfer_client(args: argparse.Namespace, registry: str, verb: str) -> Iterator[Client]:
    """A client for a transfer command, whose transfers draw a progress line (``verb``
    first) when stderr is a terminal, unless ``--no-progress``. The line is ended on the way
    out, before any error is printed."""
    if getattr(args, "no_progress", True) or not sys.stderr.isatty():
        with registry_client(args, registry) as client:
            yield client
        return
    with ProgressLine(sys.stderr, verb) as line, registry_client(args, registry, line) as client:
        yield client
