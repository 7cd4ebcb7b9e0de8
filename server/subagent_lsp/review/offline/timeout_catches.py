"""A timeout that the handler around a request does not take. requests' ``ReadTimeout`` is
not a ``ConnectionError`` (its ``ConnectTimeout`` is), so ``except (HTTPError,
ConnectionError)`` around a call with a timeout lets a slow upstream's read timeout out. The
author meant that ``try`` to take the upstream's failures, and a timeout that BKD301 adds
raises one it never sees: on webcompat, the read timeout of the bugbug call would still have
been a 500 after its timeout was added.

Only requests' own ``ConnectionError`` counts (``requests.ConnectionError``, one imported
from ``requests.exceptions``): the builtin of that name takes none of requests' errors, and
missing all of them is another rule's finding.
"""

from __future__ import annotations

import ast

from ...definitions.findings import Span
from ..suggestion import Edit
from .pyedits import ensure_imports, replace_node
from .pysource import Source, dotted, imported_names, qualified_name
from .try_blocks import handlers_around, innermost_try

_CONNECTION = frozenset({"requests.ConnectionError", "requests.exceptions.ConnectionError"})
# Handler names that take a ReadTimeout: requests' (by their last part, as handlers_around
# gives them) and the builtins it derives from.
_TAKE_TIMEOUT = frozenset(
    {"Timeout", "ReadTimeout", "RequestException", "OSError", "IOError", "Exception"}
    | {"BaseException"}
)


def read_timeout_missed(
    source: Source, call: ast.Call, up: dict[ast.AST, ast.AST]
) -> tuple[ast.ExceptHandler, ast.expr] | None:
    """The handler of the ``try`` around ``call`` that names requests' ``ConnectionError``
    (and the name itself) when no handler around the call in its function takes a timeout."""
    block = innermost_try(call, up)
    if block is None or handlers_around(call, up) & _TAKE_TIMEOUT:
        return None
    imports = imported_names(source)
    for handler in block.handlers:
        types = _types(handler)
        for t in types:
            if qualified_name(imports, dotted(t)) in _CONNECTION:
                return handler, t
    return None


def widen_handler(source: Source, handler: ast.ExceptHandler, named: ast.expr) -> list[Edit]:
    """``except (HTTPError, ConnectionError, Timeout)``: the timeout's class beside the
    ``ConnectionError``, spelt as that one is (``requests.Timeout`` or an import of it from
    the same module)."""
    written = dotted(named)
    imports = imported_names(source)
    head = written.rpartition(".")[0]
    edits: list[Edit] = []
    if head:
        timeout = f"{head}.Timeout"
    else:
        module = qualified_name(imports, written).rpartition(".")[0]
        bound = imports.get("Timeout")
        if bound is not None and bound not in (f"{module}.Timeout", "requests.Timeout"):
            return []  # ``Timeout`` is some other class here
        timeout = "Timeout"
        if bound is None:
            edits.extend(ensure_imports(source, [(module, "Timeout")]))
    kind = handler.type
    assert kind is not None  # it names ConnectionError
    if isinstance(kind, ast.Tuple):
        end = source.end(kind.elts[-1])
        edits.append(Edit(source.path, Span(end, end), f", {timeout}"))
    else:
        edits.append(replace_node(source, kind, f"({source.text_of(kind)}, {timeout})"))
    return edits


def _types(handler: ast.ExceptHandler) -> list[ast.expr]:
    if handler.type is None:
        return []
    return list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]
