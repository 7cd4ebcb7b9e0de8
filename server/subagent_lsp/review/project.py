"""The project model of one workspace (design.md): what an analysis or the agent needs to know
about the project as a whole, built once and kept current. Its root, which files are sources,
the packages it declares, its schema (tables, indexes, relationships, session lifecycle) and the
frameworks and app-wide error handlers of its modules.

A thin facade on purpose: the facts are read by review/offline/ (project_files.py, schema.py,
frameworks.py), which other work is extending (more languages, PostgreSQL); this module only
gathers them per workspace. No LSP types here.
"""

from __future__ import annotations

import os

from ..textfile import read_utf8
from .offline.frameworks import ModuleFacts, module_facts
from .offline.project_files import declared_packages, is_not_a_source, workspace_root
from .offline.pysource import parse_source
from .offline.schema import MAX_SCHEMA_FILE_BYTES, Schema, SchemaCache, schema_files, schema_of_file

# Words without which a module neither imports a framework nor registers an app-level handler:
# the rest are not parsed.
_WORDS = ("flask", "fastapi", "django", "starlette", "errorhandler", "exception_handler")


class Project:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.schemas = SchemaCache()
        self._scanned = False
        self._handlers: tuple[frozenset[str], frozenset[str]] | None = None

    @classmethod
    def containing(cls, path: str) -> Project:
        """The project a file belongs to (its nearest project root, else its own folder)."""
        return cls(workspace_root(path))

    def is_source(self, path: str) -> bool:
        """Not a test, fixture or migration of this project (advice there is noise)."""
        return not is_not_a_source(path, self.root)

    def declared_packages(self) -> frozenset[str] | None:
        """What the project's manifests declare (None: it has none); cached by their mtimes."""
        return declared_packages(self.root)

    def schema(self) -> Schema:
        """Every table, index, relationship and session fact of the project, scanned once."""
        if not self._scanned:
            self.refresh()
        return self.schemas.schema()

    def refresh(self) -> None:
        """Re-read what changed on disk (files whose mtime moved)."""
        self.schemas.scan([self.root])
        self._scanned = True
        self._handlers = None

    def edited(self, path: str, text: str) -> None:
        """An open document's current text stands for its file."""
        self.schemas.set_schema(path, schema_of_file(path, text))

    def module(self, path: str, text: str) -> ModuleFacts | None:
        """One Python module's frameworks, routes and handlers, with the project's facts the
        analyses read beside them (session lifecycle, declared packages), as the engine fills
        them in; None for a file that is not Python or does not parse."""
        if not path.endswith(".py"):
            return None
        source = parse_source(path, text)
        if not source.modules:
            return None
        facts = module_facts(source)
        facts.sessions = self.schema().sessions
        facts.declared = self.declared_packages()
        return facts

    def frameworks(self) -> frozenset[str]:
        """The web frameworks any module of the project imports."""
        return self._app_handlers()[0]

    def app_error_handlers(self) -> frozenset[str]:
        """Exception names (and status codes) an app-level handler anywhere in the project
        takes: ``@app.errorhandler(...)``, ``register_error_handler``, FastAPI's
        ``exception_handler``; a handler in ``app/__init__.py`` covers routes in other files."""
        return self._app_handlers()[1]

    def _app_handlers(self) -> tuple[frozenset[str], frozenset[str]]:
        if self._handlers is None:
            frameworks: set[str] = set()
            handled: set[str] = set()
            for path in schema_files(self.root):
                if not path.endswith(".py") or not self.is_source(path):
                    continue
                try:
                    if os.path.getsize(path) > MAX_SCHEMA_FILE_BYTES:
                        continue
                except OSError:
                    continue
                text = read_utf8(path)
                if text is None or not any(word in text for word in _WORDS):
                    continue
                source = parse_source(path, text)
                if source.modules:
                    facts = module_facts(source)
                    frameworks |= facts.frameworks
                    handled |= facts.handled
            self._handlers = (frozenset(frameworks), frozenset(handled))
        return self._handlers
