"""A griffe extension for the Python reference: the docstrings' reStructuredText habits become
Markdown, since mkdocstrings renders docstrings as Markdown — doctest examples become ```pycon
blocks (not nested quotes), a literal block's ``::`` a colon, and the Sphinx roles
(``:class:`Client```, ``:meth:`Client.push```, ``:exc:`OciError``` …) links or code instead
of the role's name as text.

A role naming a documented public object of ``ocikit`` (a name in ``ocikit.__all__``, or a
public member of one, with a docstring) becomes a cross-reference to its entry (mkdocs-autorefs;
an unresolved one fails the strict build); any other target (``ssl.SSLContext``, a private
helper, an attribute without a docstring) becomes code.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

def fence_doctests(text: str) -> str:
    """Puts each run of doctest lines (``>>>``, ``...`` and the output after them, up to a blank
    line) in a ```pycon fence, which Markdown would otherwise read as nested quotes."""
    out: list[str] = []
    in_example = False
    for line in text.split("\n"):
        starts = line.lstrip().startswith(">>>")
        if starts and not in_example:
            out.append("```pycon")
            in_example = True
        elif in_example and not line.strip():
            out.append("```")
            in_example = False
        out.append(line)
    if in_example:
        out.append("```")
    return "\n".join(out)


_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|data|attr|exc|mod|obj|const):`(~?)([^`]+)`")


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring of a package once it is loaded (its ``__all__``
    known)."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        public = {str(name) for name in pkg.exports or ()}
        seen: set[int] = set()

        def markdown(match: re.Match[str]) -> str:
            short, target = match.group(1) == "~", match.group(2).strip()
            path = target.removeprefix(f"{pkg.name}.")
            shown = path.rsplit(".", 1)[-1] if short else target
            parts = path.split(".")
            if parts[0] in public and len(parts) <= 2 and not any(p.startswith("_") for p in parts):
                try:
                    target_object = pkg[path]
                except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
                    target_object = None
                # The reference shows only what has a docstring (show_if_no_docstring: false).
                if target_object is not None and target_object.docstring is not None:
                    return f"[`{shown}`][{pkg.name}.{path}]"
            return f"`{shown}`"

        def visit(obj: griffe.Object) -> None:
            if id(obj) in seen:
                return
            seen.add(id(obj))
            if obj.docstring is not None:
                text = _ROLE.sub(markdown, obj.docstring.value)
                # reST's "text::" before an indented block: in Markdown the block is already
                # code, and the "::" would show.
                text = re.sub(r"::\n\n", ":\n\n", text)
                obj.docstring.value = fence_doctests(text)
            for member in obj.members.values():
                if not member.is_alias:
                    visit(member)  # type: ignore[arg-type]

        visit(pkg)
