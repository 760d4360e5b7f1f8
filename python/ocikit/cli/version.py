"""``ocikit version``: the version, and what it runs on (ORAS's ``oras version``)."""

from __future__ import annotations

import argparse
import platform
import sys

from ocikit import __version__
from ocikit.cli._common import EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no arguments


def run(args: argparse.Namespace) -> int:
    del args
    print(f"Version:        {__version__}")
    print(f"Python version: {platform.python_implementation()} {platform.python_version()}")
    print(f"OS/Arch:        {sys.platform}/{platform.machine()}")
    return EXIT_OK
