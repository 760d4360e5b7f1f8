"""The public surface: ocikit.__all__, and the .pyi stub matching the native module."""

from __future__ import annotations

import ast
import inspect
import types
from pathlib import Path

import ocikit
from ocikit import _ocikit

STUB = Path(ocikit.__file__).with_name("_ocikit.pyi")


def _stub() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def _stub_names(body: list[ast.stmt]) -> set[str]:
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _public(names: list[str]) -> set[str]:
    return {name for name in names if not name.startswith("_")}


def _not_dunder(names: list[str]) -> set[str]:
    """Public names and the private ones the Python package calls (``_pack``…), which the
    stub types too."""
    return {name for name in names if not (name.startswith("__") and name.endswith("__"))}


# Aliases the stub declares for its own annotations; not module attributes.
STUB_ONLY = {"Kind", "OperationInput", "RegistryCredentials", "_Input", "_Sessions"}


def test_all_is_complete_and_resolves() -> None:
    assert sorted(ocikit.__all__) == ocikit.__all__
    for name in ocikit.__all__:
        assert hasattr(ocikit, name), name
    exported = {
        name
        for name, value in vars(ocikit).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert exported <= set(ocikit.__all__)


def test_stub_lists_every_name_of_the_native_module() -> None:
    runtime = _not_dunder(dir(_ocikit)) | {"__version__"}
    stubbed = _stub_names(_stub().body) | {
        node.targets[0].id
        for node in _stub().body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert stubbed - STUB_ONLY == runtime


def test_every_exported_name_is_typed() -> None:
    stub_names = _stub_names(_stub().body)
    for name in ocikit.__all__:
        value = getattr(ocikit, name)
        if (
            getattr(value, "__module__", None) in ("ocikit", "ocikit._ocikit")
            or name == "__version__"
        ):
            assert name in stub_names, f"{name} is missing from {STUB.name}"
        else:  # defined in Python: the source carries the annotations
            assert inspect.getmodule(value).__name__.startswith("ocikit."), name


def test_stub_classes_match_the_runtime_classes() -> None:
    for node in _stub().body:
        if not isinstance(node, ast.ClassDef):
            continue
        runtime = getattr(_ocikit, node.name)
        stubbed = {
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
        } | {
            item.target.id
            for item in node.body
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
        }
        assert stubbed == _public(dir(runtime)), node.name


def test_public_api_has_docstrings() -> None:
    for name in ocikit.__all__:
        value = getattr(ocikit, name)
        if callable(value):
            assert inspect.getdoc(value), f"{name} has no docstring"
            for attribute, member in vars(value).items() if isinstance(value, type) else ():
                # Constants and dataclass field defaults are values, not documented members.
                if not attribute.startswith("_") and not isinstance(
                    member, (str, int, bytes, type(None))
                ):
                    assert inspect.getdoc(member), f"{name}.{attribute} has no docstring"


def test_py_typed_marker_is_shipped() -> None:
    assert Path(ocikit.__file__).with_name("py.typed").exists()
