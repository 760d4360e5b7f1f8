"""A case's sandbox (its own HOME, TMPDIR, working and output directories, compared before
and after the run) and the record of every case's result for SECURITY.md's table."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from drivers import ROOT, walk

# Where the run's results go (report.py reads them); HOSTILE_RESULTS names another file, as for
# the run of the code before issue 9 (HOSTILE_PYTHONPATH pointing at that package).
RESULTS = Path(os.environ.get("HOSTILE_RESULTS", ROOT / ".cache" / "hostile-results.json"))
_results: list[dict[str, Any]] = []


def record_result(result: dict[str, Any]) -> None:
    _results.append(result)


def write_results() -> None:
    """Writes the results of the run (for report.py)."""
    if _results:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(_results, indent=1))


class Sandbox:
    """One case's directories: ``home``, ``tmp``, ``work`` (the working directory, with ``in``
    holding input files) and ``work/out`` (the only place a run may write), plus ``outside``
    (files a hostile layout links to)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.work = root / "work"
        self.out = self.work / "out"
        self.outside = root / "outside"
        for directory in (self.home, self.tmp, self.work / "in", self.out, self.outside):
            directory.mkdir(parents=True)
        (self.work / "in" / "hello.txt").write_bytes(b"hello hostile push\n")

    def env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "DOCKER_CONFIG": str(self.home / ".docker"),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "NO_COLOR": "1",
        }
        # A development aid: another copy of the Python package (e.g. while the shared tree
        # is mid-edit); unset in `make test-hostile`.
        if os.environ.get("HOSTILE_PYTHONPATH"):
            env["PYTHONPATH"] = os.environ["HOSTILE_PYTHONPATH"]
        return env

    def snapshot(self) -> dict[str, tuple[int, int, str]]:
        """Every path outside ``work/out`` (and the captured output): type, size, mtime."""
        found: dict[str, tuple[int, int, str]] = {}
        out = str(self.out)
        for entry in walk(self.root, skip=lambda path: path == out):
            relative = os.path.relpath(entry.path, self.root)
            if entry.path == out or (
                "/" not in relative and relative.endswith((".out", ".err", ".rusage"))
            ):
                continue
            st = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False):
                found[relative] = (0, 0, "dir")
            else:
                found[relative] = (st.st_size, st.st_mtime_ns, "file")
        return found

    def output_files(self) -> list[str]:
        return sorted(
            os.path.relpath(entry.path, self.out)
            for entry in walk(self.out)
            if not entry.is_dir(follow_symlinks=False)
        )

    def remove(self) -> None:
        """Deletes the sandbox (``rm -rf``: shutil and pytest recurse, and a hostile pull may
        have made directories thousands deep)."""
        subprocess.run(["rm", "-rf", "--", str(self.root)], check=False)
