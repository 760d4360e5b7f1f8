"""ORAS-style argument handling of the ``ocikit`` command against tests/vectors/cli/
arguments.json: FILE[:TYPE], REF:TAG1,TAG2, titles, annotation flags and files (issue 13)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ocikit.cli._common import UsageError, split_tags
from ocikit.cli._packing import _annotation_sections, _split_file_reference, _title

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "cli" / "arguments.json").read_text("utf-8")
)


def _ids(cases: list[dict[str, Any]], key: str) -> list[str]:
    return [str(case[key]) for case in cases]


@pytest.mark.skipif(os.name == "nt", reason="Windows paths are split differently")
@pytest.mark.parametrize(
    "case", VECTORS["file_references"], ids=_ids(VECTORS["file_references"], "input")
)
def test_file_references(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(UsageError) as raised:
            _split_file_reference(case["input"])
        assert str(raised.value).startswith(case["error"])
    else:
        assert _split_file_reference(case["input"]) == (case["path"], case["media_type"])


@pytest.mark.parametrize("case", VECTORS["targets"], ids=_ids(VECTORS["targets"], "input"))
def test_targets(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(UsageError) as raised:
            split_tags(case["input"], "REF[:TAG[,TAG…]]")
        assert str(raised.value) == case["error"]
    else:
        assert split_tags(case["input"], "REF[:TAG[,TAG…]]") == (case["reference"], case["tags"])


@pytest.mark.parametrize("case", VECTORS["titles"], ids=_ids(VECTORS["titles"], "path"))
def test_titles(case: dict[str, Any]) -> None:
    assert _title(case["path"]) == case["title"]


@pytest.mark.parametrize(
    "case", VECTORS["annotation_flags"], ids=_ids(VECTORS["annotation_flags"], "flags")
)
def test_annotation_flags(case: dict[str, Any]) -> None:
    args = argparse.Namespace(annotation=case["flags"], annotation_file=None)
    if "error" in case:
        with pytest.raises(UsageError) as raised:
            _annotation_sections(args)
        assert str(raised.value) == case["error"]
    else:
        assert _annotation_sections(args) == case["sections"]


@pytest.mark.parametrize(
    "case", VECTORS["annotation_files"], ids=_ids(VECTORS["annotation_files"], "text")
)
def test_annotation_files(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    path.write_text(case["text"])
    args = argparse.Namespace(annotation=[], annotation_file=str(path))
    if "error" in case:
        with pytest.raises(UsageError) as raised:
            _annotation_sections(args)
        assert str(raised.value).startswith(case["error"].replace("FILE", str(path)))
    else:
        assert _annotation_sections(args) == case["sections"]


def test_annotation_flags_and_file_exclude_each_other(tmp_path: Path) -> None:
    args = argparse.Namespace(annotation=["k=v"], annotation_file=str(tmp_path / "a.json"))
    with pytest.raises(UsageError, match="cannot both be given"):
        _annotation_sections(args)
