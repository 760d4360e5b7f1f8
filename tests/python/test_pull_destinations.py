"""Where a pull writes each file (``ocikit._calls._destinations``): titles are checked one
directory at a time (one resolve per directory, an ``lstat`` per file), and must come out as
resolving each path whole would: the same destinations, the same refusals."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ocikit import _calls
from ocikit.errors import OciError


class _File:
    def __init__(self, path: str) -> None:
        self.path = path


def _whole(root: Path, title: str, keep_old_files: bool = False) -> Any:
    """What resolving ``title`` whole gives: its destination, or its error's code and text."""
    root = root.resolve()
    name_max, path_max = _calls._name_limits(root)
    try:
        destination = _calls._destination(root, title, name_max, path_max)
    except OciError as error:
        return (error.code, str(error))
    if keep_old_files and os.path.lexists(destination):
        return ("PATH_UNSAFE", "exists")
    return destination


def _by_directory(root: Path, title: str, keep_old_files: bool = False) -> Any:
    try:
        return _calls._destinations(root, [_File(title)], keep_old_files=keep_old_files)[0]
    except OciError as error:
        return (error.code, "exists" if "keep-old-files" in str(error) else str(error))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (out / "sub" / "away").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (out / "sub" / "down").symlink_to("deeper", target_is_directory=True)
    (out / "escape.txt").symlink_to(tmp_path / "elsewhere" / "x.txt")
    (out / "sub" / "inside.txt").symlink_to("deeper/y.txt")
    (out / "kept.txt").write_bytes(b"mine")
    return out


TITLES = [
    "a.txt",
    "sub/b.txt",
    "sub/deeper/c.txt",
    "sub/down/d.txt",  # a link to a directory inside
    "sub/away/e.txt",  # a link to a directory outside
    "escape.txt",  # the file's own name is a link leading out
    "sub/inside.txt",  # the file's own name is a link leading inside
    "sub/./f.txt",
    ".",
    "sub/.",
    "n" * 300,  # a name too long
    "/".join(["d" * 200] * 25) + "/g.txt",  # a path too long
    "kept.txt",
]


@pytest.mark.parametrize("title", TITLES)
def test_a_title_goes_where_resolving_it_whole_says(out: Path, title: str) -> None:
    assert _by_directory(out, title) == _whole(out, title)


def test_links_leading_out_are_refused_and_inside_followed(out: Path) -> None:
    for title in ("escape.txt", "sub/away/e.txt"):
        code, text = _by_directory(out, title)
        assert code == "ANNOTATION_INVALID" and "outside" in text
    assert _by_directory(out, "sub/inside.txt") == out.resolve() / "sub" / "deeper" / "y.txt"
    assert _by_directory(out, "sub/down/d.txt") == out.resolve() / "sub" / "deeper" / "d.txt"


def test_keep_old_files_refuses_an_existing_file(out: Path) -> None:
    assert _by_directory(out, "kept.txt", keep_old_files=True) == ("PATH_UNSAFE", "exists")
    assert _by_directory(out, "new.txt", keep_old_files=True) == out.resolve() / "new.txt"


def test_many_titles_of_a_few_directories(out: Path) -> None:
    titles = [f"sub/deeper/{i}.bin" for i in range(50)] + [f"{i}.bin" for i in range(50)]
    placed = _calls._destinations(out, [_File(t) for t in titles])
    assert placed == [_whole(out, t) for t in titles]
