"""Code only the admin site reaches: a function or method whose every mention in the project
is in an administrator's code (an admin module, an admin view class, an admin action) or in a
function that is itself only the admin's.

Judged on a real app (a blind review of its index proposals), the queries of ``copy_event``
and ``migrate_gmail_account`` were noise: only the application admin's "deploy" button runs
them, through a model method that only the admin calls. They are what an administrator's own
reads are (admin_reads.py): a handful of people, now and then.

Read by name, conservatively. A mention anywhere else keeps a function on the public path: a
view, a URL conf, a template tag, a setting's string, a module-level registration. So does a
decorator that registers it (a route, a receiver, a task), a method a framework calls by its
name (``save``, ``clean``, ``get``), and an import under another name (its calls are not
found by this name). Comments and docstrings are no mentions; imports are none either.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable

from .admin_reads import admin_module, admin_read
from .pysource import Source, dotted

_Function = ast.FunctionDef | ast.AsyncFunctionDef
MAX_DEPTH = 6  # callers followed up from the query's function
# Decorators that leave a function called only by its callers.
_PLAIN_DECORATORS = frozenset(
    {"atomic", "staticmethod", "classmethod", "property", "cached_property", "cache", "lru_cache"}
)
# Methods a framework calls by their names (a model's, a form's, a view's, a serializer's,
# a command's): their callers are not in the project's text.
_HOOK = re.compile(
    r"^(__\w+__|save|delete|clean|full_clean|validate|dispatch|setup|get|post|put|patch|head"
    r"|options|create|update|list|retrieve|destroy|partial_update|form_valid|form_invalid"
    r"|natural_key|ready|handle|render|run|execute|has_\w*permission"
    r"|(get|to|perform|clean|validate|save|delete|on|process|handle)_\w+)$"
)
# What a template runs: a ``{{ ... }}`` or ``{% ... %}`` that names it.
_TEMPLATE = (".html", ".htm", ".jinja", ".jinja2", ".j2")
_TAG = r"\{[{%][^{}]*?\b{name}\b[^{}]*?[%}]\}"

FilesWith = Callable[[str], list[str]]
SourceOf = Callable[[str], Source | None]
TextOf = Callable[[str], str | None]


class AdminReach:
    """Which functions of the project only the admin's code calls (verdicts kept until the
    project forgets this object: a text changed)."""

    def __init__(
        self,
        files_with: FilesWith,
        source: SourceOf,
        text: TextOf,
        also: Callable[[str, int], bool] | None = None,
    ) -> None:
        """``also``: other code whose calls count as the admin's ((path, 0-based line): a
        command's, for the question whether any request reaches a function at all)."""
        self.files_with = files_with
        self.source = source
        self.text = text
        self.also = also
        self._verdicts: dict[tuple[str, int], bool] = {}

    def _accepted(self, source: Source, path: str, line: int) -> bool:
        return admin_read(source, path, line) or (self.also is not None and self.also(path, line))

    def only_admin(self, path: str, line: int) -> bool:
        """Whether the code at ``line`` (0-based) of ``path`` runs only for the admin: it is
        in a function that only the admin's code reaches."""
        path = os.path.abspath(path)
        source = self.source(path)
        if source is None or not source.modules:
            return False
        if self._accepted(source, path, line):
            return True
        function = _function_at(source, line)
        return function is not None and self._reached(path, source, function, frozenset())

    def _reached(
        self, path: str, source: Source, function: _Function, calling: frozenset[tuple[str, int]]
    ) -> bool:
        key = (path, function.lineno)
        if key in calling:
            return True  # a cycle: its entry from elsewhere decides
        if key not in self._verdicts:
            if len(calling) >= MAX_DEPTH:
                return False
            self._verdicts[key] = self._judged(path, source, function, calling | {key})
        return self._verdicts[key]

    def _judged(
        self, path: str, source: Source, function: _Function, calling: frozenset[tuple[str, int]]
    ) -> bool:
        if not _called_by_name(source, function):
            return False
        name = function.name
        mentioned = False
        for where in self.files_with(name):
            if not where.endswith(".py"):
                if self._runs_in_template(where, name):
                    return False
                continue
            other = self.source(where)
            if other is None or not other.modules:
                return False
            found = _mentions(other, name)
            if found is None:
                return False  # imported under another name: its calls are not found
            for node in found:
                line = node.lineno - 1  # type: ignore[attr-defined]
                owner = other.function_of(node)
                if owner is function:
                    continue  # it calls itself
                if (
                    isinstance(node, ast.Name)
                    and isinstance(owner, _Function)
                    and name in _local_names(other, owner)
                ):
                    continue  # a parameter or variable of that name, not this function
                mentioned = True
                if self._accepted(other, where, line):
                    continue
                if not isinstance(owner, _Function):
                    return False  # module or class level: registered, or run when loaded
                if not self._reached(where, other, owner, calling):
                    return False
        return mentioned

    def _runs_in_template(self, path: str, name: str) -> bool:
        """A template (not an admin one) that names it in a tag; a configuration naming it
        (an entry point, a dotted path) runs it too."""
        if not path.endswith(_TEMPLATE):
            return True
        if "admin" in os.path.normpath(path).split(os.sep)[:-1] or admin_module(path):
            return False
        text = self.text(path) or ""
        return re.search(_TAG.replace("{name}", re.escape(name)), text) is not None


def _function_at(source: Source, line: int) -> _Function | None:
    """The innermost function or method the 0-based ``line`` is in."""
    best: _Function | None = None
    for node in source.functions():
        inside = node.lineno - 1 <= line <= (node.end_lineno or node.lineno) - 1
        if inside and (best is None or node.lineno >= best.lineno):
            best = node
    return best


def framework_method(source: Source, function: _Function) -> bool:
    """A method a framework calls by its name (``save_model``, ``clean``, ``get``)."""
    parent = source.up().get(function)
    return isinstance(parent, ast.ClassDef) and _HOOK.match(function.name) is not None


def _called_by_name(source: Source, function: _Function) -> bool:
    """Nothing but its callers runs it: no decorator registers it (``@atomic`` and the like
    aside, and Django's ``@admin.action``), and no framework calls a method of this name."""
    for decorator in function.decorator_list:
        name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if name.split(".")[-1] not in _PLAIN_DECORATORS and name != "admin.action":
            return False
    parent = source.up().get(function)
    return not (isinstance(parent, ast.ClassDef) and _HOOK.match(function.name))


def _local_names(source: Source, function: _Function) -> set[str]:
    """The names a function binds itself: its parameters and what it assigns."""
    cache: dict[int, set[str]] = source.__dict__.setdefault("_admin_locals", {})
    found = cache.get(id(function))
    if found is None:
        args = function.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        found = {a.arg for a in every if a is not None}
        found |= {
            n.id
            for n in source.nodes_of(function)
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
        }
        cache[id(function)] = found
    return found


def _mentions(source: Source, name: str) -> list[ast.AST] | None:
    """The nodes of ``source`` that name ``name``: a name, an attribute, a string that holds
    it as a word (not a docstring); None when an import binds it under another name."""
    cache: dict[str, list[ast.AST] | None] = source.__dict__.setdefault("_admin_mentions", {})
    if name in cache:
        return cache[name]
    found: list[ast.AST] = []
    word = re.compile(rf"\b{re.escape(name)}\b")
    up = source.up()
    renamed = False
    for node in source.walk():
        if isinstance(node, ast.Name) and node.id == name:
            if isinstance(node.ctx, ast.Load):  # an assignment binds the name, calls nothing
                found.append(node)
        elif isinstance(node, ast.Attribute) and node.attr == name:
            found.append(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if word.search(node.value) and not isinstance(up.get(node), ast.Expr):
                found.append(node)
        elif isinstance(node, ast.ImportFrom):
            renamed = renamed or any(
                a.name == name and a.asname not in (None, name) for a in node.names
            )
    cache[name] = None if renamed else found
    return cache[name]
