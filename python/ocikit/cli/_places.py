"""Where a command's reference points: a registry repository (reached with ORAS's registry
flags) or an OCI image layout directory or tar archive (``--oci-layout``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, cast

from ocikit import Client, Reference, Repository
from ocikit._http import StdlibTransport, Transport
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

    from ocikit import OciLayout  # imported where a layout is opened (not a pull's start)


class Place(NamedTuple):
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
        help=f"{verb} an OCI image layout directory or tar archive instead of a registry: the "
        "reference is DIR[:TAG|@DIGEST] or FILE.tar[:TAG|@DIGEST] (a tar is written back after "
        "each change)",
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
    from ocikit import OciLayout

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
    parser: argparse.ArgumentParser,
    *,
    transfers: bool = False,
    progress: bool = False,
    uploads: bool = True,
) -> None:
    """How to reach a registry (ORAS's flags); ``transfers`` adds the blob transfer flags
    (``--chunk-size`` only with ``uploads``), ``progress`` (implied by ``transfers``) the flag
    that turns the progress line off."""
    group = parser.add_argument_group("registry")
    group.add_argument(
        "--plain-http", action="store_true", help="use plain HTTP (a loopback test registry)"
    )
    group.add_argument("-u", "--username", help="the registry user name")
    group.add_argument(
        "-p",
        "--password",
        help="the password or personal access token (warned about: other users can see it; "
        "prefer --password-stdin)",
    )
    group.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    group.add_argument(
        "--identity-token",
        metavar="TOKEN",
        help="an OAuth2 identity (refresh) token to authenticate with, instead of a password",
    )
    group.add_argument(
        "--identity-token-stdin",
        action="store_true",
        help="read the identity token from stdin",
    )
    add_registry_config_flag(group)
    group.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="send this header with every request (repeatable)",
    )
    group.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDRESS[:PORT]",
        help="connect to ADDRESS (and PORT) when a URL names HOST:PORT, as curl's --resolve; "
        "the Host header and the TLS server name stay HOST (repeatable)",
    )
    group.add_argument(
        "-d",
        "--debug",
        action="store_true",
        help="print every request and response (headers, short text bodies) to stderr, "
        "credentials and tokens replaced by *****",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print one line per request to stderr: method, URL and status",
    )
    group.add_argument(
        "--ca-file",
        metavar="FILE",
        help="trust the certificate authorities in this PEM file for the registry's TLS "
        "certificate (as well as the system's)",
    )
    group.add_argument(
        "--cert-file",
        metavar="FILE",
        help="the client certificate (PEM) to present, for a registry that asks for one (mTLS)",
    )
    group.add_argument("--key-file", metavar="FILE", help="the private key (PEM) of --cert-file")
    group.add_argument(
        "--insecure",
        action="store_true",
        help="accept any TLS certificate, unverified (a test registry; ORAS's flag)",
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
            default=None,
            metavar="N",
            help="at most N requests at a time (default: as the engine decides from what is "
            "moved: up to 32, of which 4 move 4 MiB or more, 8 over a round trip of 50 ms or "
            "more)",
        )
    if transfers and uploads:
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


def add_distribution_spec_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--distribution-spec",
        choices=("v1.1-referrers-api", "v1.1-referrers-tag"),
        help="how the registry keeps referrers, instead of finding out: its referrers API, or "
        "the referrers tag schema (an index tagged sha256-<digest>, kept up to date by "
        "attach) — as ORAS's flag",
    )


def _apply_distribution_spec(args: argparse.Namespace, client: Client, registry: str) -> None:
    """``--distribution-spec``: the session's record of whether the registry serves the
    referrers API, which the engine otherwise learns by asking."""
    spec = getattr(args, "distribution_spec", None)
    if spec is not None:
        client.set_referrers_api(spec == "v1.1-referrers-api", registry)


def add_registry_config_flag(parser: Any) -> None:
    parser.add_argument(
        "--registry-config",
        metavar="FILE",
        help="the credentials file to read (and login/logout to write) instead of Docker's "
        "config.json (same format)",
    )


def read_password(args: argparse.Namespace) -> str | None:
    """``-p`` (with ORAS's warning), or the line ``--password-stdin`` reads (once per
    command: a copy opens two clients)."""
    if not hasattr(args, "password_read"):
        if args.password_stdin:
            if args.password is not None:
                raise UsageError("--password and --password-stdin cannot both be given")
            args.password_read = sys.stdin.readline().rstrip("\r\n")
        else:
            if args.password is not None:
                print(
                    "WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
                    file=sys.stderr,
                )
            args.password_read = args.password
    return cast(Optional[str], args.password_read)


def _identity_token(args: argparse.Namespace) -> str | None:
    if getattr(args, "identity_token_stdin", False):
        if args.identity_token is not None:
            raise UsageError("--identity-token and --identity-token-stdin cannot both be given")
        if not hasattr(args, "identity_token_read"):
            args.identity_token_read = sys.stdin.readline().strip()
        return cast(str, args.identity_token_read)
    return cast(Optional[str], getattr(args, "identity_token", None))


def credentials(args: argparse.Namespace) -> Any:
    """What the client authenticates with: an identity token, ``-u`` and a password, or
    ``"docker"`` (what the credentials file holds for the registry)."""
    token = _identity_token(args)
    if token is not None:
        if args.password is not None or args.password_stdin:
            raise UsageError("an identity token and a password cannot both be given")
        return {"refresh_token": token}
    if args.username is None:
        if args.password is not None or args.password_stdin:
            raise UsageError("-p/--password needs -u/--username")
        return "docker"
    password = read_password(args)
    if password is None:
        raise UsageError("-u/--username needs -p/--password, --password-stdin or --identity-token")
    return (args.username, password)


def registry_client(
    args: argparse.Namespace, registry: str, progress: ProgressLine | None = None
) -> Client:
    """A client for ``registry`` with the command's flags (see :func:`credentials`, and
    :func:`transport`); ``progress`` is told about blob transfers."""
    stall = args.stall_timeout
    client = Client(
        registry,
        plain_http=args.plain_http,
        credentials=credentials(args),
        concurrency=getattr(args, "concurrency", None),
        chunk_size=getattr(args, "chunk_size", None),
        on_progress=progress,
        transport=transport(args),
        timeout=args.timeout or None,
        stall_timeout=stall,
        registry_profile=getattr(args, "registry_profile", None),
        headers=[_header(text) for text in getattr(args, "header", ())],
    )
    _apply_distribution_spec(args, client, registry)
    return client


def transport(args: argparse.Namespace) -> Transport:
    """The transport the command's flags describe: ``--stall-timeout``, ``--ca-file``,
    ``--resolve``, and ``-d``/``-v`` logging its exchanges (``-H`` is the client's: the core
    sends those headers to the registry's origin only)."""
    sender: Transport = StdlibTransport(
        timeout=args.stall_timeout,
        ssl_context=_ssl_context(args),
        connect_to=dict(_resolve(text) for text in getattr(args, "resolve", ())),
    )
    if getattr(args, "debug", False) or getattr(args, "verbose", False):
        from ocikit.cli._transport import LoggingTransport

        sender = LoggingTransport(sender, sys.stderr, debug=args.debug)
    return sender


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _header(text: str) -> tuple[str, str]:
    """``-H 'Name: value'``."""
    name, sep, value = text.partition(":")
    if not sep or not _TOKEN.fullmatch(name.strip()) or any(c in value for c in "\r\n"):
        raise UsageError(f"-H {text!r} is not 'NAME: VALUE'")
    return name.strip(), value.strip()


def _resolve(text: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """``--resolve HOST:PORT:ADDRESS[:PORT]`` (an IPv6 address in brackets)."""
    shape = f"--resolve {text!r} is not HOST:PORT:ADDRESS[:PORT]"
    host, _, rest = text.partition(":")
    port, _, target = rest.partition(":")
    if target.startswith("["):
        address, _, tail = target[1:].partition("]")
        target_port = tail[1:] if tail.startswith(":") else (None if not tail else "x")
    else:
        address, _, maybe_port = target.partition(":")
        target_port = maybe_port or None
    if (
        not host
        or not address
        or not port.isdigit()
        or not (target_port is None or target_port.isdigit())
    ):
        raise UsageError(shape)
    return (host, int(port)), (address, int(target_port) if target_port else int(port))


def _ssl_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    """The TLS context the flags ask for, or ``None`` for the default: ``--ca-file`` (the
    system's authorities and the file's), ``--cert-file``/``--key-file`` (a client
    certificate), ``--insecure`` (no verification at all)."""
    ca_file = getattr(args, "ca_file", None)
    cert_file = getattr(args, "cert_file", None)
    key_file = getattr(args, "key_file", None)
    insecure = getattr(args, "insecure", False)
    if ca_file is None and cert_file is None and key_file is None and not insecure:
        return None
    if (cert_file is None) != (key_file is None):
        raise UsageError("--cert-file and --key-file go together")
    import ssl

    context = ssl.create_default_context()
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=ca_file)
        except ssl.SSLError as error:
            raise UsageError(f"--ca-file {ca_file}: not PEM certificates ({error})") from None
    if cert_file is not None:
        try:
            context.load_cert_chain(cert_file, key_file)
        except ssl.SSLError as error:
            raise UsageError(
                f"--cert-file {cert_file} --key-file {key_file}: not a PEM certificate and its "
                f"key ({error})"
            ) from None
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


def expect_blobs(client: Client, count: int) -> None:
    """Tells the client's progress line (if it draws one) that ``count`` blobs will move."""
    if isinstance(client.on_progress, ProgressLine):
        client.on_progress.expect(count)
