"""What every ``ocikit`` command shares: exit statuses, printing (cleaned of control
characters, JSON), how failures are reported, and argument types.

Text a registry or a layout supplied (error messages, tags, artifact types, titles) is stripped
of control characters before it is printed (:func:`clean`), so that it cannot move the cursor,
rewrite the terminal's title or forge lines.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, Callable

from ocikit import (
    Descriptor,
    NetworkError,
    OciError,
    OperationTimeoutError,
    UploadInterruptedError,
)

EXIT_OK = 0
EXIT_IO = 1
EXIT_INVALID = 2

# `ocikit validate` and `ocikit types --check` report a verdict.
EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_USAGE = 2


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


# Unicode's bidirectional formatting characters (Bidi_Control: ALM, LRM, RLM, the embeddings,
# overrides and isolates), for a character class: a terminal that follows them shows text in
# another order than it is written ("Trojan Source", CVE-2021-42574), so a tag or a title could
# pass for another.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# What print_json escapes besides what JSON escapes itself: DEL, C1, and those.
_JSON_ESCAPED = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}]")


def escaped(found: re.Match[str]) -> str:
    """The character ``found`` as a JSON escape, ``\\uXXXX`` (readable, never acted on)."""
    return f"\\u{ord(found.group()):04x}"


def clean(text: str, *, newlines: bool = True) -> str:
    """``text`` without escape sequences or control characters (C0 but for tab and, with
    ``newlines``, line feed; DEL; C1), and with bidirectional formatting characters shown as
    ``\\uXXXX``: what a registry sends may not drive the terminal, nor reorder what it
    shows."""
    text = _ESCAPES.sub("", text)
    text = (_CONTROLS if newlines else _CONTROLS_AND_NEWLINES).sub("", text)
    return _BIDI.sub(escaped, text)


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )


def print_error(error: OciError) -> int:
    """Prints ``error[CODE]: message`` (cleaned), and a ``hint:`` line when there is one to
    give; status 1 for a registry that could not be reached, else 2."""
    message = str(error)
    request = re.search(_REQUEST, message)
    if error.code == "TLS_ERROR" and re.search(_PLAIN_HTTP_ANSWER, message) and request:
        # OpenSSL's "wrong version number" means the server answered in plain HTTP.
        host = request.group(2).split("/", 3)[2]
        message = f"{host} answered in plain HTTP, not HTTPS ({request.group(0)})"
    print(f"error[{clean(error.code, newlines=False)}]: {clean(message)}", file=sys.stderr)
    hint = _hint(error)
    if hint is not None:
        print(f"hint: {clean(hint)}", file=sys.stderr)
    if isinstance(error, (NetworkError, OperationTimeoutError)):
        return EXIT_IO
    return EXIT_INVALID


# Patterns for error messages only, searched with re.search (compiled on first use, then from
# re's cache): compiling them at import cost every command's start about 0.6 ms.
# What a TLS client reads when the server answers in plain HTTP (OpenSSL's wording).
_PLAIN_HTTP_ANSWER = r"WRONG_VERSION_NUMBER|wrong version number|record layer failure"
# What a TLS client reads when the server wanted a client certificate it did not get.
_CLIENT_CERTIFICATE_WANTED = r"ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_REQUIRED"
# The request an error message names: "HEAD https://HOST/v2/… failed".
_REQUEST = r"\b(GET|HEAD|PUT|POST|PATCH|DELETE) (https?://[^\s,)]+)"
# The host of the URL an error message names: "… (GET http://HOST/v2/…)".
_URL_HOST = r"https?://([^/\s)]+)"


def _hint(error: OciError) -> str | None:
    """What to do about ``error``, when the error itself does not say."""
    message = str(error)
    details = error.details if isinstance(error.details, dict) else {}
    found = re.search(_URL_HOST, message)
    host = str(details.get("host") or (found.group(1) if found else "REGISTRY"))
    if error.code == "UNAUTHORIZED":
        return (
            f"the registry wants credentials: log in with `ocikit login {host}`, or pass "
            "-u USER --password-stdin (or --identity-token)"
        )
    if error.code == "TLS_ERROR" and re.search(_CLIENT_CERTIFICATE_WANTED, message):
        return (
            "the registry asks for a client certificate: give --cert-file FILE and --key-file FILE"
        )
    if error.code == "TLS_ERROR" and "CERTIFICATE_VERIFY_FAILED" in message:
        return (
            "trust the registry's certificate authority with --ca-file FILE, or (a test "
            "registry) skip verification with --insecure"
        )
    if error.code == "TLS_ERROR" and re.search(_PLAIN_HTTP_ANSWER, message):
        return "a registry without TLS (on this machine, a test registry) needs --plain-http"
    flag = _LIMIT_FLAGS.get(str(details.get("setting")))
    if error.code == "LIMIT_EXCEEDED" and flag is not None:
        return f"to pull it, raise the bound with {flag}"
    return None


# The flag that sets a bound a LIMIT_EXCEEDED names (its `setting`), where a command has one:
# `ocikit pull`'s, for a directory layer.
_LIMIT_FLAGS = {
    "UnpackLimits.max_size": "--unpack-max-size SIZE",
    "UnpackLimits.max_entries": "--unpack-max-entries N",
    "UnpackLimits.max_ratio": "--unpack-max-ratio N",
}


class UsageError(Exception):
    """Arguments that cannot be run: printed as ``error: message``, exit status 2."""


def os_error(error: OSError) -> str:
    """``path: reason`` for an OSError, without Python's ``[Errno N]`` prefix (cleaned: a path
    may come from a pulled title)."""
    reason = error.strerror or str(error)
    text = f"{error.filename}: {reason}" if error.filename is not None else reason
    return clean(text)


def print_json(value: Any) -> None:
    # JSON escapes C0 itself; DEL, C1 (0x9b is a CSI to some terminals) and the bidirectional
    # formatting characters are escaped too (the same text to a JSON reader).
    import json  # here, not at the top: most commands print no JSON (start-up time)

    text = json.dumps(value, indent=2, ensure_ascii=False)
    sys.stdout.write(_JSON_ESCAPED.sub(escaped, text))
    sys.stdout.write("\n")


def handled(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Runs a command, printing its failure: ``error: …`` for a usage error (status 2) or an
    I/O error (status 1), ``error[CODE]: …`` for an ocikit error (status 2)."""

    def handled(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except UsageError as error:
            print(f"error: {clean(str(error))}", file=sys.stderr)
            return EXIT_INVALID
        except UploadInterruptedError as error:
            return interrupted(args, error, "FILE")
        except OciError as error:
            return print_error(error)
        except OSError as error:
            print(f"error: {os_error(error)}", file=sys.stderr)
            return EXIT_IO

    handled.__doc__ = run.__doc__
    return handled


def run_subcommand(args: argparse.Namespace) -> int:
    return handled(args.subcommand)(args)


def interrupted(args: argparse.Namespace, error: UploadInterruptedError, file: str) -> int:
    """Prints an interrupted upload's error and how to go on with it: ``blob push
    --upload-url`` with ``file``, then the command again (the blobs the registry has are not
    sent again)."""
    import shlex

    print_error(error)
    flags = " --plain-http" if args.plain_http else ""
    if getattr(args, "username", None):
        flags += f" -u {shlex.quote(args.username)} --password-stdin"
    target = shlex.quote(f"{error.reference}@{error.descriptor.digest}")
    print(
        "hint: the registry keeps the part it received; send the rest with\n"
        f"  ocikit blob push {target} {shlex.quote(file)} --upload-url "
        f"{clean(shlex.quote(error.upload_url), newlines=False)}{flags}\n"
        "then run this command again",
        file=sys.stderr,
    )
    return EXIT_IO


def print_plan(
    args: argparse.Namespace,
    blobs: Sequence[Any],
    manifests: Sequence[tuple[Descriptor, Sequence[str]]],
    requests: Sequence[Any],
    extra: dict[str, Any] | None = None,
) -> None:
    """A dry run's plan: the blobs, the manifests (with their tags) and the requests (and, in
    JSON, the ``extra`` keys: a registry lint)."""
    if getattr(args, "format", None) == "json":
        print_json(
            {
                **(extra or {}),
                "blobs": [
                    {**descriptor_json(plain(b.descriptor)), "status": b.status} for b in blobs
                ],
                "manifests": [
                    {**descriptor_json(plain(d)), "tags": list(tags)} for d, tags in manifests
                ],
                "requests": [{"method": r.method, "url": r.url, "note": r.note} for r in requests],
            }
        )
        return
    print("Dry run: nothing was sent.")
    for blob in blobs:
        d = blob.descriptor
        print(f"Blob {d.digest} {d.size} bytes {clean(d.media_type)} ({blob.status})")
    for d, tags in manifests:
        tagged = f" tags: {', '.join(tags)}" if tags else ""
        print(f"Manifest {d.digest} {d.size} bytes {clean(d.media_type)}{tagged}")
    print("Requests:")
    for r in requests:
        print(f"  {r.method} {clean(r.url)}" + (f"  # {clean(r.note)}" if r.note else ""))


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more seconds")
    return value


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 seconds")
    return value


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def plain(descriptor: Descriptor) -> Descriptor:
    """What a reference resolves to: media type, digest and size (without the annotations,
    such as the tag, of a layout's ``index.json`` entry), as a subject names it."""
    return Descriptor(
        media_type=descriptor.media_type, digest=descriptor.digest, size=descriptor.size
    )


def descriptor_json(descriptor: Descriptor) -> Any:
    import json

    return json.loads(descriptor.to_json())


def confirm(what: str, command: str) -> None:
    """ORAS's confirmation of a delete from a registry: asked on a terminal, refused when
    stdin is not one (``-f/--force`` skips it)."""
    if not sys.stdin.isatty():
        raise OciError(
            f"{command} asks for confirmation and stdin is not a terminal: pass -f/--force "
            "to delete without it",
            code="OPTIONS_INVALID",
            details={"option": "--force"},
        )
    sys.stderr.write(f"Are you sure you want to delete {what}? [y/N] ")
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise OciError(
            f"{command} cancelled: nothing was deleted",
            code="OPTIONS_INVALID",
            details={"option": "--force", "reason": "not confirmed"},
        )


def split_tags(text: str, shape: str) -> tuple[str, list[str]]:
    """ORAS's ``REF:TAG1,TAG2,…``: the reference with its first tag, and the other tags (an
    empty one is a usage error naming ``shape``)."""
    raw, *extra = text.split(",")
    if "" in extra:
        raise UsageError(f"{text!r} is not {shape}")
    return raw, extra


def split_reference(raw: str) -> tuple[str, str]:
    """``DIR[:TAG]`` as ORAS splits it: at the last ``:`` (never a drive letter's)."""
    at = raw.rfind(":")
    if at < 0 or (at == 1 and raw[0].isalpha() and raw[2:3] in ("\\", "/") and os.name == "nt"):
        return raw, ""
    return raw[:at], raw[at + 1 :]
