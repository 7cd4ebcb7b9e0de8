"""Top-level functions nothing in the project names: helpers left from an old version, a module
of utilities nobody imports. Advice placed in them was rejected on real apps every round.

A function is dead only when every sign says so, and live when one is unsure: its name is
written nowhere else in its file nor in any other file of the project (code of any language,
tests, templates, configs, docs; strings too, so a Celery or route registry naming it keeps
it), nor is a part of it that a computed name may complete (``f"handle_{kind}"``); it has no
decorator; its name is no entry point a framework calls by convention (``main``,
``lambda_handler``, ``create_app``, ``test_*``, gunicorn's hooks); its module is no package
``__init__`` nor one a framework loads by its file name, and neither it nor the project
looks functions up by reflection (``globals()``, ``inspect.getmembers``). In JS/TS and Go an
exported function is an API: only the module's own (``function`` without ``export``, a Go
name in lower case) may be dead.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .mentions import words_of
from .pysource import Source
from .treesitter import Tree, parse, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

Elsewhere = Callable[[str], int | None]  # a word -> how often the other files write it

_ENTRY_NAMES = frozenset(
    {"main", "handler", "lambda_handler", "create_app", "make_app", "app", "application",
     "setup", "teardown", "ready", "receiver", "run", "cli", "init", "includeme",
     "load_tests", "upgrade", "downgrade", "setup_module", "teardown_module",
     "setup_function", "teardown_function", "on_starting", "on_reload", "when_ready",
     "pre_fork", "post_fork", "post_worker_init", "worker_int", "worker_abort", "pre_exec",
     "pre_request", "post_request", "child_exit", "worker_exit", "nworkers_changed",
     "on_exit", "default"}
)  # fmt: skip
_ENTRY_PREFIXES = ("test", "Test", "pytest_", "task_")
# Modules a framework or tool loads by their file name and calls by convention.
_ENTRY_FILES = frozenset(
    {"__init__.py", "__main__.py", "conftest.py", "setup.py", "manage.py", "main.py",
     "wsgi.py", "asgi.py", "lambda_function.py", "handler.py", "fabfile.py", "noxfile.py",
     "dodo.py", "gunicorn.conf.py", "gunicorn_config.py", "gunicorn_conf.py"}
)  # fmt: skip
_REFLECTION = re.compile(
    r"\b(?:globals|locals|vars)\s*\(|sys\.modules|__getattr__|getmembers|isfunction"
)
_PROJECT_REFLECTION = ("getmembers", "isfunction")


def unreferenced_functions(source: Source, elsewhere: Elsewhere) -> list[tuple[int, int]]:
    """0-based line ranges of the module's dead top-level functions (see the module doc)."""
    name = os.path.basename(source.path)
    if name in _ENTRY_FILES or _REFLECTION.search(source.text):
        return []
    # A module no other file names may be run by its path (a script, a plugin, a handler a
    # deploy config outside the project names) or be a fragment under review: unsure.
    if not elsewhere(name.removesuffix(".py")):
        return []
    spans: list[tuple[str, int, int]] = []
    for module in source.modules:
        for node in module.body:
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and not node.decorator_list
                and not node.name.startswith("__")
                and not _entry_point(node.name)
            ):
                spans.append((node.name, node.lineno - 1, (node.end_lineno or node.lineno) - 1))
    return _unnamed(spans, source.lines, elsewhere)


def unreferenced_foreign(path: str, text: str, elsewhere: Elsewhere) -> list[tuple[int, int]]:
    """The same for a JS/TS or Go file: its top-level functions it does not export."""
    tree = parse(path, text)
    if tree is None or _REFLECTION.search(text):
        return []
    spans = [(name, node.start_point[0], node.end_point[0]) for name, node in _own_functions(tree)]
    return _unnamed(spans, text.split("\n"), elsewhere)


def _own_functions(tree: Tree) -> Iterator[tuple[str, Node]]:
    for node in tree.root.named_children:
        if node.type not in ("function_declaration", "generator_function_declaration"):
            continue  # an ``export_statement`` wraps an exported one
        name = text_of(node.child_by_field_name("name"))
        if not name or _entry_point(name):
            continue
        if tree.language == "go" and not name[0].islower():
            continue
        yield name, node


def _entry_point(name: str) -> bool:
    return name in _ENTRY_NAMES or name.startswith(_ENTRY_PREFIXES)


def _unnamed(
    spans: list[tuple[str, int, int]], lines: list[str], elsewhere: Elsewhere
) -> list[tuple[int, int]]:
    if not spans or any(elsewhere(word) != 0 for word in _PROJECT_REFLECTION):
        return []

    own = words_of("\n".join(lines))
    out: list[tuple[int, int]] = []
    for name, first, last in spans:
        inside = words_of("\n".join(lines[first : last + 1]))
        if all(own[w] - inside[w] <= 0 and elsewhere(w) == 0 for w in _words_naming(name)):
            out.append((first, last))
    return out


def _words_naming(name: str) -> list[str]:
    """``name`` and the parts a computed name may complete: ``handle_`` and ``_order`` of
    ``handle_order`` (``f"handle_{kind}"``), ``handle`` of ``handleOrder``."""
    out = [name]
    for at, char in enumerate(name):
        if at == 0:
            continue
        if char == "_" and name[:at].strip("_"):
            out += [name[: at + 1], name[at:]]
        elif char.isupper() and name[at - 1].islower():
            out.append(name[:at])
    return out
