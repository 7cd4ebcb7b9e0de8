"""Code only commands reach: a module, or a module-level function, that the project's commands,
CLI functions and scripts call and nothing a request runs does.

On a real app the Overpass download and the import's bulk updates sat in ``functions/`` and
``importer/`` modules that only management commands imported; a timeout or an index there was
judged noise, as in the command itself. The other way round, a webhook helper in a click
``cli.py`` that two endpoints import is on the request path, whatever module it lives in.

Read from the imports and names of the project's own modules, conservatively: a module no
project module imports is an entry point (a view module ``urls.py`` names by string, a model
module ``INSTALLED_APPS`` loads), and so is one a dotted string of the project names. Loading a
module runs its module-level code and registers its classes and decorated functions, so those
are as reached as the module. Only what commands reach and requests do not is off.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable, Sequence

from .off_request import WHOLE_MODULE, LineRange, builds_web_app, command_lines
from .pysource import IMPORTS, Source
from .upstream_calls import module_files

SourceLoader = Callable[[str], Source | None]

# The notSources folders whose modules are commands and scripts (the others hold tests and
# migrations, which call nothing of a request's either, but call nothing only commands do).
COMMAND_FOLDERS = ("**/management/commands/", "scripts/", "fabfile.py", "noxfile.py")

# A unit of a module: a top-level function or class by its name, the module-level code as
# ``""``, every unit as ``"*"``.
Unit = tuple[str, str]
_MODULE = ""
_ALL = "*"
_Function = ast.FunctionDef | ast.AsyncFunctionDef


class _Module:
    __slots__ = (
        "bindings",
        "commands",
        "definitions",
        "local",
        "main",
        "path",
        "refs",
        "strings",
        "web",
        "whole",
    )

    def __init__(self, path: str, source: Source) -> None:
        self.path = path
        commands, self.whole = command_lines(source)
        self.commands = commands
        self.web = builds_web_app(source)
        # name -> its top-level function or class
        self.definitions: dict[str, _Function | ast.ClassDef] = {}
        self.refs: dict[str, set[str]] = {_MODULE: set()}
        # name -> (module, imported name) of the module-level imports
        self.bindings: dict[str, list[tuple[str, str]]] = {}
        # a definition's name -> the imports inside it (``from importer.importer import
        # Importer`` in the body of a command-only function reaches no further than it)
        self.local: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self.main: list[LineRange] = []  # ``if __name__ == "__main__":`` blocks
        self.strings = frozenset(_dotted_strings(source))
        names, imports = _per_statement(source)
        for module in source.modules:
            for stmt in module.body:
                if isinstance(stmt, _Function | ast.ClassDef):
                    if stmt.name not in self.definitions:
                        self.definitions[stmt.name] = stmt
                        self.local[stmt.name] = _bindings(imports.get(id(stmt), ()))
                    self.refs.setdefault(stmt.name, set()).update(names.get(id(stmt), ()))
                    continue
                if isinstance(stmt, ast.Import | ast.ImportFrom):
                    for local, target in _bound(stmt):
                        self.bindings.setdefault(local, []).append(target)
                    continue
                if _main_guard(stmt):
                    self.main.append((stmt.lineno, stmt.end_lineno or stmt.lineno))
                    continue
                self.refs[_MODULE].update(names.get(id(stmt), ()))

    def loaded_units(self) -> Iterable[str]:
        """What loading the module runs or registers: its module-level code, its classes
        and its decorated functions (a route, a receiver, a task)."""
        yield _MODULE
        for name, node in self.definitions.items():
            # a CLI command is registered by loading its module, but run only from a shell
            if (isinstance(node, ast.ClassDef) or node.decorator_list) and not self.command(name):
                yield name

    def command(self, name: str) -> bool:
        node = self.definitions.get(name)
        return node is not None and any(a <= node.lineno <= b for a, b in self.commands)


class RequestReach:
    """Which units of the project's modules a request may run, and which only commands do."""

    def __init__(
        self,
        paths: Iterable[str],
        roots: Sequence[str],
        loader: SourceLoader,
        commands: Iterable[str] = (),
    ) -> None:
        self.roots = [os.path.abspath(r) for r in roots]
        self.modules: dict[str, _Module] = {}
        # Modules of the command folders (not sources, so never analysed): run as commands
        # whatever their shape.
        self.commands = {os.path.abspath(p) for p in commands}
        strings: set[str] = set()
        for path in map(os.path.abspath, [*paths, *commands]):
            source = loader(path)
            if source is None or not source.modules:
                continue
            # kept on the parse: a keystroke elsewhere re-reads only the spreading
            module: _Module | None = source.__dict__.get("_request_reach")
            if module is None or module.path != path:
                module = source.__dict__["_request_reach"] = _Module(path, source)
            self.modules[path] = module
            strings.update(module.strings)
        self._files: dict[tuple[str, str], list[str]] = {}
        self._imported = self._imported_modules()
        self.on = self._spread(self._on_seeds(strings), off=False)
        self.off = self._spread(self._off_seeds(), off=True)

    def off_lines(self, path: str) -> list[LineRange] | None:
        """The lines of ``path`` only off-request code reaches (None: not a module read)."""
        module = self.modules.get(path)
        if module is None:
            return None
        if not any((path, u) in self.on for u in module.refs) and (path, _MODULE) in self.off:
            return [WHOLE_MODULE]
        out = list(module.commands)
        if module.whole:
            out.extend(module.main)
        for name, node in module.definitions.items():
            unit = (path, name)
            if isinstance(node, _Function) and unit in self.off and unit not in self.on:
                out.append((node.lineno, node.end_lineno or node.lineno))
        return out

    def _on_seeds(self, strings: set[str]) -> list[Unit]:
        seeds: list[Unit] = []
        for path, module in self.modules.items():
            if module.whole or path in self.commands:
                continue
            named = self._dotted(path) in strings
            entry = (
                module.web or os.path.basename(path) == "__init__.py" or path not in self._imported
            )
            if named or entry:
                seeds.extend((path, u) for u in module.refs if not module.command(u))
        return seeds

    def _off_seeds(self) -> list[Unit]:
        seeds: list[Unit] = []
        for path, module in self.modules.items():
            if module.whole or path in self.commands:
                seeds.extend((path, u) for u in module.refs)
            else:
                seeds.extend((path, u) for u in module.refs if module.command(u))
        return seeds

    def _spread(self, seeds: list[Unit], off: bool) -> set[Unit]:
        seen: set[Unit] = set()
        loaded: set[str] = set()
        todo = list(seeds)
        while todo:
            unit = todo.pop()
            if unit in seen:
                continue
            path, name = unit
            module = self.modules.get(path)
            if module is None:
                continue
            if name == _ALL:
                todo.extend((path, u) for u in module.refs)
                continue
            if not off and (module.command(name) or (module.whole and name == _MODULE)):
                # a command is never a request's, whoever names it; nor is loading a module
                # of commands (a typer app a CLI entry point loads) and what it imports. A
                # helper of it a route calls still is.
                continue
            seen.add(unit)
            if path not in loaded:
                loaded.add(path)
                todo.extend((path, u) for u in module.loaded_units())
            for ref in module.refs.get(name, ()):
                todo.extend(self._targets(module, name, ref))
        return seen

    def _targets(self, module: _Module, unit: str, ref: str) -> Iterable[Unit]:
        if ref in module.definitions:
            yield module.path, ref
            return
        local = module.local.get(unit, {})
        for target in local.get(ref, module.bindings.get(ref, [])):
            yield from self._resolve(module.path, target)

    def _resolve(self, importer: str, target: tuple[str, str], depth: int = 0) -> Iterable[Unit]:
        name_of, name = target
        if name and not self._module_files(importer, name_of):
            # ``from ..commands import download_legal`` of a package without ``__init__.py``
            # (a namespace package): the name is its submodule
            joined = f"{name_of}{name}" if name_of.strip(".") == "" else f"{name_of}.{name}"
            yield from (
                (s, _ALL) for s in self._module_files(importer, joined) if s in self.modules
            )
            return
        for path in self._module_files(importer, name_of):
            other = self.modules.get(path)
            if other is None:
                continue
            if not name:  # ``import a.b``: anything of it
                yield path, _ALL
            elif name in other.definitions:
                yield path, name
            elif name in other.bindings and depth < 3:  # re-exported by a package
                yield path, _MODULE
                for again in other.bindings[name]:
                    yield from self._resolve(path, again, depth + 1)
            else:
                sub = list(self._module_files(importer, f"{name_of.rstrip('.')}.{name}"))
                if name_of.strip(".") == "" and name_of:  # ``from . import views``
                    sub = list(self._module_files(importer, f"{name_of}{name}"))
                yield path, _MODULE
                yield from ((s, _ALL) for s in sub if s in self.modules)

    def _module_files(self, importer: str, module: str) -> list[str]:
        key = (os.path.dirname(importer), module)  # the folder may decide (module_files)
        found = self._files.get(key)
        if found is None:
            found = self._files[key] = [
                os.path.abspath(p) for p in module_files(importer, module, self.roots)
            ]
        return found

    def _dotted(self, path: str) -> str:
        for root in self.roots:
            for base in (root, os.path.join(root, "src")):
                if path.startswith(base + os.sep):
                    rel = os.path.relpath(path, base)[: -len(".py")]
                    return rel.replace(os.sep, ".").removesuffix(".__init__")
        return ""

    def _imported_modules(self) -> set[str]:
        """The modules some other project module imports (the others are entry points)."""
        imported: set[str] = set()
        for path, module in self.modules.items():
            # the module's own imports once, then each unit's imports of its own
            targets = [*module.bindings.values()]
            for bindings in module.local.values():
                targets.extend(bindings.values())
            for group in targets:
                for target in group:
                    for file in self._import_files(path, target):
                        if file != path:
                            imported.add(file)
        return imported

    def _import_files(self, importer: str, target: tuple[str, str]) -> Iterable[str]:
        module, name = target
        yield from self._module_files(importer, module)
        if name:
            joined = f"{module}{name}" if module.strip(".") == "" else f"{module}.{name}"
            yield from self._module_files(importer, joined)


def _per_statement(
    source: Source,
) -> tuple[dict[int, set[str]], dict[int, list[ast.Import | ast.ImportFrom]]]:
    """The names each top-level statement reads or binds, and the imports inside it, from the
    parse's one traversal (a statement's nodes follow it there): walking every statement again
    was a fifth of the reach graph's time."""
    tops = {id(stmt) for module in source.modules for stmt in module.body}
    names: dict[int, set[str]] = {}
    imports: dict[int, list[ast.Import | ast.ImportFrom]] = {}
    current: set[str] | None = None
    top = 0
    for node in source.walk():
        if id(node) in tops:
            top = id(node)
            current = names[top] = set()
        elif isinstance(node, ast.Module):
            current = None
        if current is None:
            continue
        if isinstance(node, ast.Name):
            current.add(node.id)
        elif isinstance(node, IMPORTS) and id(node) != top:
            imports.setdefault(top, []).append(node)
    return names, imports


def _bindings(
    imports: Iterable[ast.Import | ast.ImportFrom],
) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for stmt in imports:
        for local, target in _bound(stmt):
            out.setdefault(local, []).append(target)
    return out


def _bound(stmt: ast.Import | ast.ImportFrom) -> Iterable[tuple[str, tuple[str, str]]]:
    if isinstance(stmt, ast.ImportFrom):
        module = "." * stmt.level + (stmt.module or "")
        for alias in stmt.names:
            if alias.name != "*":
                yield alias.asname or alias.name, (module, alias.name)
        return
    for alias in stmt.names:
        # ``import a.b``: binds ``a``, loads ``a.b`` (taken as all of it)
        yield alias.asname or alias.name.split(".")[0], (alias.name, "")


def _main_guard(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _dotted_strings(source: Source) -> Iterable[str]:
    """``"mainapp.functions.tasks"``, ``"app.views.index"``: a module named by a string (a
    setting, a lazy import) is loaded by something the imports do not show; every prefix of
    the string is yielded, a module's name among them."""
    for node in source.of(ast.Constant):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if "." in value and " " not in value and len(value) < 200:
                parts = value.split(".")
                for i in range(1, len(parts) + 1):
                    yield ".".join(parts[:i])
