"""``ocikit login`` and ``ocikit logout``: credentials checked against a registry and kept in
Docker's ``config.json`` (or ``--registry-config FILE``), where ORAS, Docker and skopeo find
them too."""

from __future__ import annotations

import argparse
import sys

from ocikit import logout
from ocikit._credentials import store_credentials
from ocikit.cli._common import EXIT_OK, UsageError, handled
from ocikit.cli._places import (
    add_registry_config_flag,
    add_remote_arguments,
    read_password,
    registry_client,
)


def add_login_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("registry", metavar="REGISTRY", help="host[:port]")
    parser.epilog = (
        "On a terminal, a missing user name or password is asked for (the password is not "
        "echoed), as ORAS does."
    )
    add_remote_arguments(parser)


@handled
def run_login(args: argparse.Namespace) -> int:
    if args.identity_token is not None or args.identity_token_stdin:
        raise UsageError("login checks and saves -u/--username and a password, not a token")
    password = read_password(args)
    if args.username is None or password is None:
        if not sys.stdin.isatty():
            raise UsageError(
                "login needs -u/--username and -p/--password or --password-stdin "
                "(or a terminal to ask for them)"
            )
        import getpass

        if args.username is None:
            args.username = input("Username: ").strip()
        if password is None:
            password = getpass.getpass("Password: ")
        args.password_read = password
    with registry_client(args, args.registry) as client:
        client.check_auth()
    store_credentials(args.registry, args.username, password)
    print("Login Succeeded")
    return EXIT_OK


def add_logout_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("registry", metavar="REGISTRY", help="host[:port]")
    add_registry_config_flag(parser)


@handled
def run_logout(args: argparse.Namespace) -> int:
    if logout(args.registry):
        print(f"Removed login credentials for {args.registry}")
    else:
        print(f"Not logged in to {args.registry}")
    return EXIT_OK
