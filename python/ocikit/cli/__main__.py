"""``python -m ocikit.cli``: the ``ocikit`` command."""

import sys

from ocikit.cli import main

sys.exit(main())
