"""What the project's calls of a function pass: the keyword names and how many positional
arguments each call writes (``get_environment(db, namespace=ns, name=n)`` -> 1 positional,
{namespace, name}). An optional filter of a list (filter_lists) is read with the other
filters its callers pass together, and not at all when no caller passes it: expanding
``if key: filters.append(M.key == key)`` into a variant of its own made indexes for calls no
one writes (a judge found two on a real app)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable

from .pysource import Source, dotted

# One call: its positional count and its keyword names.
Passed = tuple[int, frozenset[str]]
# A function's name -> what each of the project's calls of it passes; None when a call
# passes ``*args``/``**kwargs`` or none is found (the callers are then unknown).
CallsOf = Callable[[str], list[Passed] | None]


def call_passes(
    files: Iterable[str],
    text_of: Callable[[str], str | None],
    source_of: Callable[[str], Source | None],
    name: str,
) -> list[Passed] | None:
    written = re.compile(rf"\b{re.escape(name)}\s*\(")
    out: list[Passed] = []
    for path in files:
        text = text_of(path)
        if not text or not written.search(text):
            continue
        source = source_of(path)
        if source is None:
            return None  # a caller we cannot read
        for node in source.of(ast.Call):
            if not isinstance(node, ast.Call) or dotted(node.func).split(".")[-1] != name:
                continue
            if any(isinstance(a, ast.Starred) for a in node.args):
                return None
            if any(k.arg is None for k in node.keywords):
                return None
            passed = frozenset(
                k.arg
                for k in node.keywords
                if k.arg and not (isinstance(k.value, ast.Constant) and k.value.value is None)
            )
            out.append((len(node.args), passed))
    return out or None
