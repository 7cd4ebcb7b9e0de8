"""The request handlers a project's OpenAPI/Swagger spec names (connexion's routing): each
operation's ``operationId: pkg.module.function`` or ``pkg.module.SomeView.method``, or a short
id under an ``x-openapi-router-controller`` (``x-swagger-router-controller``) that carries the
module. Such a handler has no ``@route`` and no ``add_url_rule``, and a MethodView's method may
have any name (``post_feedback``): without the spec they are not seen as routes.

Read from the text, not a YAML parse: the spec files are found by a word (``operationId``) and
their keys by a line regex, with the indentation telling which mapping a controller belongs to.
A JSON spec is parsed with the standard library. Odd text yields nothing, never an error.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator

from .project_tree import files_under
from .pysource import Source

SPEC_SUFFIXES = (".yml", ".yaml", ".json")
MAX_SPEC_FILES = 1000  # YAML/JSON files looked at per project
MAX_SPEC_BYTES = 1_000_000
_CONTROLLER_KEYS = ("x-openapi-router-controller", "x-swagger-router-controller")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
# A line's leading spaces and list dashes: what follows is a key of the item's mapping.
_ITEM = re.compile(r"^(?: *-(?=\s))* *")
# A value that opens a block scalar (``description: |``): the lines below it are text.
_BLOCK = re.compile(r"[|>][0-9+-]*\s*\Z")
# The ``key: value`` a line starts with (the value up to a comment).
_KEY = re.compile(r"""(["']?)([\w\-]+)\1\s*:(?:\s+([^#]*))?""")


def spec_files(root: str, is_source: Callable[[str], bool]) -> Iterator[str]:
    """The project's YAML and JSON files (the same folders the schema scan skips), bounded."""
    count = 0
    for path in files_under(root, SPEC_SUFFIXES):
        if is_source(path):
            count += 1
            if count > MAX_SPEC_FILES:
                return
            yield path


def operation_handlers(path: str, text: str) -> frozenset[str]:
    """The dotted handler names one spec file's operations name (none for any other file)."""
    if "operationId" not in text:
        return frozenset()
    try:
        if path.endswith(".json"):
            return frozenset(_json_handlers(text))
        return frozenset(_yaml_handlers(text))
    except Exception:  # a shape nobody foresaw costs this file only
        return frozenset()


def _name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().strip("\"'").strip()
    return value if _NAME.match(value) else None


def _full(operation: str, controller: str | None) -> str:
    # connexion: with a router controller the function is ``controller.operationId``
    return f"{controller}.{operation}" if controller else operation


class _Mapping:
    """One YAML mapping being read: its keys' indent, its controller, the ids under it that no
    controller has claimed yet (a controller may follow the operation's keys it applies to)."""

    def __init__(self, indent: int) -> None:
        self.indent = indent
        self.controller: str | None = None
        self.ids: list[str] = []


def _yaml_handlers(text: str) -> Iterator[str]:
    stack = [_Mapping(-1)]

    def close(top: _Mapping) -> Iterator[str]:
        if top.controller is not None:
            yield from (_full(i, top.controller) for i in top.ids)
        else:
            stack[-1].ids.extend(top.ids)  # up to the mapping that holds it

    block = -1  # a block scalar's key indent: its deeper lines are text, not keys
    for line in text.splitlines():
        # Every line's indent opens or closes mappings (a path's ``/items/{id}:`` key too), so
        # a controller stays with the path or operation it is written under.
        body = _ITEM.sub("", line, count=1).rstrip()
        if not body or body.startswith("#"):
            continue
        indent = len(line.rstrip()) - len(body)
        if block >= 0:
            if indent > block:
                continue
            block = -1
        while stack[-1].indent > indent:
            yield from close(stack.pop())
        if stack[-1].indent < indent:
            stack.append(_Mapping(indent))
        match = _KEY.match(body)
        if match is None:
            continue
        key, value = match.group(2), match.group(3)
        if value is not None and _BLOCK.match(value):
            block = indent
        if key == "operationId":
            name = _name(value)
            if name is not None:
                stack[-1].ids.append(name)
        elif key in _CONTROLLER_KEYS:
            stack[-1].controller = _name(value)
    while len(stack) > 1:
        yield from close(stack.pop())
    yield from (_full(i, stack[0].controller) for i in stack[0].ids)


def _json_handlers(text: str) -> Iterator[str]:
    try:
        spec = json.loads(text)
    except (ValueError, RecursionError):
        # not JSON after all (or a fragment): the ids alone, without controllers
        for value in re.findall(r'"operationId"\s*:\s*"([^"]*)"', text):
            name = _name(value)
            if name is not None:
                yield name
        return
    todo: list[tuple[object, str | None]] = [(spec, None)]
    while todo:
        node, controller = todo.pop()
        if isinstance(node, list):
            todo.extend((item, controller) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        for key in _CONTROLLER_KEYS:
            controller = _name(node.get(key)) or controller
        operation = _name(node.get("operationId"))
        if operation is not None:
            yield _full(operation, controller)
        todo.extend((value, controller) for value in node.values())


def named_handlers(
    source: Source, handlers: Iterable[str], root: str
) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The top-level functions and top-level classes' methods of ``source`` the dotted names
    point at: ``...Class.method`` by its class and method, ``pkg.module.function`` by its name
    when the module part is this file's (or a package folder above it, which may re-export)."""
    wanted = set(handlers)
    if not wanted:
        return []
    path = os.path.splitext(os.path.abspath(source.path))[0]
    rel = os.path.relpath(path, root)
    parts = set((path if rel.startswith("..") else rel).split(os.sep))
    methods: set[tuple[str, str]] = set()
    functions: set[str] = set()
    for name in wanted:
        dotted = name.split(".")
        if len(dotted) >= 3:
            methods.add((dotted[-2], dotted[-1]))
        if len(dotted) >= 2 and dotted[-2] in parts:
            functions.add(dotted[-1])
    out: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for module in source.modules:
        for node in module.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in functions:
                out.append(node)
            elif isinstance(node, ast.ClassDef):
                out.extend(
                    f
                    for f in node.body
                    if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                    and (node.name, f.name) in methods
                )
    return out
