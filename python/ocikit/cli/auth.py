"""``ocikit login`` and ``ocikit logout``."""

from __future__ import annotations

import argparse

from ocikit import login, logout
from ocikit.cli._common import EXIT_OK, UsageError, handled
from ocikit.cli._places import add_remote_arguments, read_password


def add_login_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("registry", metavar="REGISTRY", help="host[:port]")
    add_remote_arguments(parser)


@handled
def run_login(args: argparse.Namespace) -> int:
    password = read_password(args)
    if args.username is None or password is None:
        raise UsageError("login needs -u/--username and -p/--password or --password-stdin")
    login(
        args.registry,
        args.username,
        password,
        plain_http=args.plain_http,
        timeout=args.stall_timeout,
    )
    print("Login Succeeded")
    return EXIT_OK


def add_logout_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("registry", metavar="REGISTRY", help="host[:port]")


@handled
def run_logout(args: argparse.Namespace) -> int:
    if logout(args.registry):
        print(f"Removed login credentials for {args.registry}")
    else:
        print(f"Not logged in to {args.registry}")
    return EXIT_OK
