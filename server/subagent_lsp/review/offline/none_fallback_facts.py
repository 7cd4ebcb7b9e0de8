"""What a BKD302 None fallback is made of (none_fallbacks, none_callers): plain data, so the
module facts can name it without importing the analyses that build it."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .pysource import Source


@dataclass(frozen=True)
class NoneCallers:
    """(path, label) of each function calling the helper, and of each handler the way up
    from it reaches (a route, a method a framework runs)."""

    callers: tuple[tuple[str, str], ...]
    handlers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Run:
    """The request, the statements the ``try`` takes (first, last), and what it catches
    besides the library's own error."""

    request: ast.Call
    first: ast.stmt
    last: ast.stmt
    checks_status: bool
    keys: bool  # KeyError
    indexes: bool  # IndexError
    decodes: bool  # ValueError: the answer's JSON read by a requests older than 2.27


@dataclass(frozen=True)
class NoneFallback:
    source: Source
    run: Run
    callers: NoneCallers
