"""``python -m ocikit.cli``: the ``ocikit`` command."""

from ocikit.cli import run

run()
