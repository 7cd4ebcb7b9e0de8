"""The project model of one workspace (design.md): what an analysis or the agent needs to know
about the project as a whole, built once and kept current. Its root, which files are sources,
the packages it declares, its schema (tables, indexes, relationships, session lifecycle), the
app-wide error handlers of its modules, and its own functions, which a route's calls are
followed into.

The facts are read by review/offline/ (project_files.py, schema.py, frameworks.py,
upstream_calls.py); this module gathers them per workspace and keeps them current: files by
their mtimes, open documents by their text. No LSP types here.
"""

from __future__ import annotations

import ast
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from ..textfile import read_utf8
from .offline.admin_reach import AdminReach
from .offline.admin_reads import admin_module
from .offline.admin_rows import model_accessors, only_admin_adds, user_model
from .offline.call_sites import Passed, call_passes
from .offline.decorator_bodies import mark_decorator_bodies
from .offline.django_views import url_view_names
from .offline.file_memo import FileMemo
from .offline.frameworks import (
    CallSite,
    ModuleFacts,
    Route,
    mark_registered,
    module_facts,
    url_routes,
    view_registrations,
)
from .offline.mentions import Mentions, mention_files
from .offline.none_callers import Site
from .offline.none_fallback_facts import NoneFallback
from .offline.none_fallbacks import none_fallback
from .offline.not_sources import DEFAULT_NOT_SOURCES
from .offline.object_ids import BSON_PACKAGES as _BSON
from .offline.object_ids import module_guarded_routes
from .offline.off_request import LineRange
from .offline.openapi_operations import (
    MAX_SPEC_BYTES,
    SPEC_SUFFIXES,
    named_handlers,
    operation_handlers,
    spec_files,
)
from .offline.passed_requests import takes_flask_request
from .offline.project_files import (
    declared_major,
    declared_packages,
    declared_version,
    is_not_a_source,
    project_root,
    workspace_root,
)
from .offline.pysource import Source, parse_source
from .offline.python_target import Version, target_python
from .offline.repository_sessions import built_per_request
from .offline.request_reach import COMMAND_FOLDERS, RequestReach
from .offline.route_paths import routes_reaching
from .offline.row_origins import class_makers, in_loop, reading_methods, row_lines
from .offline.schema import (
    MAX_SCHEMA_FILE_BYTES,
    Schema,
    SchemaCache,
    Table,
    schema_files,
    schema_of_file,
)
from .offline.server_handlers import handler_answers
from .offline.shared_fix import SharedHelper
from .offline.shared_helpers import shared_helper
from .offline.upstream_calls import UpstreamCalls, module_files
from .offline.url_patterns import UrlRoute
from .offline.view_helpers import mark_view_helpers

Function = ast.FunctionDef | ast.AsyncFunctionDef

# Words without which a module neither imports a framework nor registers an app-level handler:
# the rest are not parsed.
_HANDLER_WORDS = (
    "errorhandler",
    "error_handler",
    "exception_handler",
    "add_url_rule",
    "add_resource",
)


class ModuleSummary(NamedTuple):
    frameworks: frozenset[str]
    handled: frozenset[str]  # exceptions (and status codes) an app-level handler takes
    # (path, name): the views its ``add_url_rule`` calls register in other modules
    views: frozenset[tuple[str, str]] = frozenset()
    routed: frozenset[str] = frozenset()  # a urls.py: the functions it routes to
    # a urls.py: (path, name, pattern) of each view it routes to, by the module defining it
    routes: frozenset[tuple[str, str, UrlRoute]] = frozenset()


_NO_FACTS = ModuleSummary(frozenset(), frozenset())


class Project:
    def __init__(
        self,
        root: str,
        schemas: SchemaCache | None = None,
        marked: bool | None = None,
        not_sources: Sequence[str] = DEFAULT_NOT_SOURCES,
    ) -> None:
        self.root = os.path.abspath(root)
        self.not_sources = tuple(not_sources)  # the notSources setting
        # A folder with a project marker (or the editor's workspace folder); else the root is
        # just where the file sits, and every folder on its path says whether it holds tests
        # (project_files.is_not_a_source).
        if marked is None:
            marked = project_root(os.path.join(self.root, "_")) == self.root
        self.marked = marked
        # Shared between the projects of one workspace (the server's folders): tables are
        # looked up by name across them, as before there was a project model.
        self.schemas = schemas if schemas is not None else SchemaCache()
        self._scanned = False
        # path -> (mtime, (frameworks, handled)) of every source module; open documents in
        # ``_texts`` stand for their files.
        self._module_facts = FileMemo(
            lambda path, text: _summary(path, text, self.root), MAX_SCHEMA_FILE_BYTES
        )
        self._walked: dict[str, ModuleSummary] | None = None
        self._handlers: frozenset[str] | None = None
        self._server_errors: tuple[object, object, frozenset[str]] | None = None
        self._views: dict[str, set[str]] | None = None
        # The handlers the OpenAPI specs' operations name (connexion), and each file's.
        self._operations: frozenset[str] | None = None
        self._spec_memo = FileMemo(operation_handlers, MAX_SPEC_BYTES)
        self._texts: dict[str, str] = {}
        self._sources: dict[str, tuple[float | str, Source]] = {}
        self._upstream: UpstreamCalls | None = None
        self._calls: dict[str, list[Passed] | None] = {}
        # BKD302's helpers: each one's shared fix, and the facts of the modules calling them.
        self._shared: dict[tuple[str, str, int], SharedHelper | None] = {}
        self._site_facts: dict[str, tuple[Source, ModuleFacts]] = {}
        # BKD302's helpers that return None for every caller, per function and as the calls
        # were followed when decided (none_fallbacks).
        self._none_fallbacks: tuple[
            UpstreamCalls | None, dict[tuple[str, str, int], tuple[Source, NoneFallback | None]]
        ] = (None, {})
        self._reach: RequestReach | None = None
        # BKD202's routes to guard, app-wide, as the calls were followed when counted.
        self._object_ids: tuple[UpstreamCalls, tuple[tuple[str, str], ...]] | None = None
        self._admin_reach: AdminReach | None = None
        self._quiet_reach: AdminReach | None = None  # the admin's or a command's code
        # The modules that may add rows (sources and commands), and per Django model whether
        # only the admin adds them.
        self._row_modules: list[tuple[Source, bool]] | None = None
        self._admin_rows: dict[tuple[str, str], bool] = {}
        self._mentions = Mentions(self.root, lambda: dict(self._texts), self.is_source)
        self._lock = threading.RLock()

    @classmethod
    def containing(cls, path: str, schemas: SchemaCache | None = None) -> Project:
        """The project a file belongs to (its nearest project root, else its own folder)."""
        return cls(workspace_root(path), schemas)

    def source_root(self) -> str | None:
        """The root that says which folders hold tests (None: every folder on a path does)."""
        return self.root if self.marked else None

    def is_source(self, path: str) -> bool:
        """Not a test, fixture or migration of this project (advice there is noise)."""
        return not is_not_a_source(path, self.source_root(), self.not_sources)

    def declared_packages(self) -> frozenset[str] | None:
        """What the project's manifests declare (None: it has none); cached by their mtimes."""
        return declared_packages(self.root)

    def declared_major(self, package: str) -> int | None:
        return declared_major(self.root, package)

    def target_python(self) -> Version:
        """The lowest Python the project says it runs on (edits must parse for it)."""
        return target_python(self.root)

    def schema(self) -> Schema:
        """Every table, index, relationship and session fact of the project, scanned once."""
        if not self._scanned:
            self.refresh()
        return self.schemas.schema()

    def refresh(self) -> None:
        """Re-read what changed on disk (files whose mtime moved)."""
        self.schemas.scan([self.root])
        self.forget(scanned=True)

    def forget(self, scanned: bool | None = None) -> None:
        """Facts derived from files are read again on their next use (``scanned``: whether
        the schema cache has been brought up to date meanwhile)."""
        if scanned is not None:
            self._scanned = scanned
        self._walked = None
        self._handlers = None
        self._views = None
        self._operations = None
        self._upstream = None
        self._calls = {}
        self._shared = {}
        self._site_facts = {}
        self._reach = None
        self._forget_admin()
        self._mentions.forget()

    def edited(self, path: str, text: str, own: Schema | None = None) -> None:
        """An open document's current text stands for its file (``own``: its schema, when the
        caller has already read it)."""
        path = os.path.abspath(path)
        self.schemas.set_schema(path, own if own is not None else schema_of_file(path, text))
        self.set_text(path, text)

    def set_text(self, path: str, text: str) -> None:
        """The text part of ``edited``, cheap enough for every keystroke (no parse): what
        following calls into the file and its app-wide handlers read."""
        path = os.path.abspath(path)
        before = self._texts.get(path)
        if before != text:
            self._texts[path] = text
            self._upstream = None
            self._calls = {}
            self._reach = None
            self._forget_admin()
            self._mentions.forget()
            if _mentions_handlers(text) or (before is not None and _mentions_handlers(before)):
                self._handlers = None
                self._views = None
            if path.endswith(SPEC_SUFFIXES):
                self._operations = None

    def closed(self, path: str) -> None:
        """The file on disk stands for itself again."""
        path = os.path.abspath(path)
        self.schemas.overrides.pop(path, None)
        if self._texts.pop(path, None) is not None:
            self._walked = None
            self._handlers = None
            self._views = None
            self._operations = None
            self._upstream = None
            self._calls = {}
            self._reach = None
            self._forget_admin()
            self._mentions.forget()

    def forget_calls(self) -> None:
        """Where calls lead is read again (a function changed somewhere)."""
        self._upstream = None
        self._calls = {}
        self._reach = None
        self._forget_admin()

    def _forget_admin(self) -> None:
        self._admin_reach = None
        self._quiet_reach = None
        self._row_modules = None
        self._admin_rows = {}

    def text(self, path: str) -> str | None:
        """A file's text as the project has it: an open document's, else the disk's."""
        path = os.path.abspath(path)
        text = self._texts.get(path)
        return text if text is not None else read_utf8(path)

    def source(self, path: str) -> Source | None:
        """A project module, parsed once per text (an open document's, else the file's)."""
        path = os.path.abspath(path)
        text = self._texts.get(path)
        stamp: float | str
        if text is not None:
            stamp = text
        else:
            try:
                stamp = os.stat(path).st_mtime
            except OSError:
                return None
        cached = self._sources.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if text is None:
            text = read_utf8(path)
            if text is None:
                return None
        parsed = parse_source(path, text)
        self._sources[path] = (stamp, parsed)
        return parsed

    def mentions(self, name: str) -> int:
        """How often the project's files (code, templates, configs) write ``name``."""
        return self._mentions.count(name)

    def mentioned_elsewhere(self, name: str, path: str) -> int | None:
        """How often every other file of the project (tests, docs and configs too) writes
        ``name``; None when one that may went unread."""
        return self._mentions.elsewhere(name, path)

    def call_passes(self, name: str) -> list[Passed] | None:
        """What each of the project's calls of ``name`` passes (see call_sites)."""
        if name not in self._calls:
            files = (p for p in mention_files(self.root, self.is_source) if p.endswith(".py"))
            self._calls[name] = call_passes(files, self.text, self.source, name)
        return self._calls[name]

    def upstream(self) -> UpstreamCalls:
        """Follows calls into the project's functions (verdicts kept until something changes)."""
        if self._upstream is None:
            self._upstream = UpstreamCalls([self.root], self.source)
        return self._upstream

    def shared_helper(self, source: Source, func: Function) -> SharedHelper | None:
        """The one BKD302 fix the project function ``func`` takes for every handler calling
        it (shared_helpers), kept until a function changes."""
        key = (os.path.abspath(source.path), func.name, func.lineno)
        with self._lock:
            if key not in self._shared:
                self._shared[key] = shared_helper(self.upstream(), self.handler_calls, source, func)
            return self._shared[key]

    def none_fallback(self, source: Source, func: Function) -> NoneFallback | None:
        """The BKD302 fix that returns None from the project function ``func`` for every
        caller (none_fallbacks), kept while the calls are followed as they were."""
        key = (os.path.abspath(source.path), func.name, func.lineno)
        upstream = self.upstream()
        with self._lock:
            kept, verdicts = self._none_fallbacks
            if kept is not upstream:
                verdicts = {}
                self._none_fallbacks = (upstream, verdicts)
            known = verdicts.get(key)
            if known is not None and known[0] is source:
                return known[1]
            found = none_fallback(
                self.call_sites,
                upstream,
                lambda package: declared_version(self.root, package),
                source,
                func,
            )
            verdicts[key] = (source, found)
            return found

    def handler_calls(self, source: Source, func: Function) -> list[CallSite] | None:
        """Every call of ``func`` in the project's sources, each in a handler that answers;
        None when one is not, or ``func``'s name is read where it is not called (a callback),
        or called where it does not resolve (callers unknown)."""
        sites = self.call_sites(source, func)
        if sites is None:
            return None
        out: list[CallSite] = []
        for site in sites:
            caller = site.facts.source.function_of(site.call)
            route = next((r for r in site.facts.routes if r.func is caller), None)
            if route is None or not route.answers:
                return None
            out.append(CallSite(site.facts, route, site.call))
        return out

    def call_sites(self, source: Source, func: Function) -> list[Site] | None:
        """Every call of ``func`` in the project's sources; None when ``func``'s name is read
        where it is not called (a callback), or called where it does not resolve (callers
        unknown)."""
        where = (os.path.abspath(source.path), func.name, func.lineno)
        upstream = self.upstream()
        sites: list[Site] = []
        for path in self._mentions.files_with(func.name):
            if not path.endswith(".py"):
                continue
            facts = self._facts_for_sites(path)
            if facts is None:
                return None
            src = facts.source
            for node in src.walk():
                if not (
                    (isinstance(node, ast.Name) and node.id == func.name)
                    or (isinstance(node, ast.Attribute) and node.attr == func.name)
                ) or not isinstance(node.ctx, ast.Load):
                    continue
                call = facts.up.get(node)
                if not isinstance(call, ast.Call) or call.func is not node:
                    return None  # handed on as a value: who calls it is not known
                target = upstream.callee(src, call)
                if target is None:
                    return None
                found, callee = target
                if (os.path.abspath(found.path), callee.name, callee.lineno) != where:
                    continue
                sites.append(Site(facts, call))
        return sites

    def routes_reaching(
        self, source: Source, func: Function, names: frozenset[str]
    ) -> list[CallSite]:
        """The route calls from which ``func`` runs, through its callers, with no handler of
        ``names`` on the way (route_paths)."""
        return routes_reaching(
            source, func, names, self._mentions.files_with, self._facts_for_sites, self.upstream()
        )

    def _facts_for_sites(self, path: str) -> ModuleFacts | None:
        """A caller module's facts, built once per parse of it."""
        source = self.source(path)
        if source is None or not source.modules:
            return None
        known = self._site_facts.get(path)
        if known is not None and known[0] is source:
            return known[1]
        facts = module_facts(source, self.upstream())
        self.complete(facts)
        facts.sessions = self.schema().sessions
        self._site_facts[path] = (source, facts)
        return facts

    def off_request_lines(self, path: str) -> list[LineRange] | None:
        """The lines of ``path`` only commands, CLI functions and scripts reach, none of the
        request path (request_reach.py); None for a file the project does not read."""
        with self._lock:
            if self._reach is None:
                paths, commands = [], []
                for p in schema_files(self.root):
                    if not p.endswith(".py"):
                        continue
                    if self.is_source(p):
                        paths.append(p)
                    elif is_not_a_source(p, self.source_root(), COMMAND_FOLDERS):
                        commands.append(p)  # not analysed, but what they call is theirs
                self._reach = RequestReach(paths, [self.root], self.source, commands)
            reach = self._reach
        return reach.off_lines(os.path.abspath(path))

    def admin_only(self, path: str, line: int) -> bool:
        """Whether the code at ``line`` (0-based) of ``path`` runs only for the admin: only the
        admin's code calls its function (admin_reach.py)."""
        with self._lock:
            if self._admin_reach is None:
                self._admin_reach = AdminReach(self._mentions.files_with, self.source, self.text)
            return self._admin_reach.only_admin(path, line)

    def admin_adds_only(self, table: Table) -> bool:
        """Whether only the admin site adds rows to the Django model of ``table`` (see
        admin_rows.py), or no request adds rows to the SQLAlchemy model of ``table`` (see
        row_origins.py): read once per model until a text changes."""
        model = table.model
        if table.origin == "sqlalchemy" and model:
            with self._lock:
                known = self._admin_rows.get((table.path, model))
                if known is None:
                    known = self._admin_rows[(table.path, model)] = self._no_request_rows(table)
                return known
        if table.origin != "django" or not model or user_model(table.bases):
            return False
        with self._lock:
            known = self._admin_rows.get((table.path, model))
            if known is None:
                source = self.source(table.path)
                keys = [c.name for c in table.columns.values() if c.references]
                accessors = (
                    model_accessors(source, table.class_line, model, keys) if source else None
                )
                known = accessors is not None and only_admin_adds(
                    model, accessors, self._rows_modules()
                )
                self._admin_rows[(table.path, model)] = known
            return known

    def _no_request_rows(self, table: Table) -> bool:
        """Every line of the project that may make a row of the model is off the request
        path -- an admin page, a function only the admin's code calls, a command, a seed --
        and there is one: rows made nowhere in sight come from code not read here."""
        found = False
        own = self.source(table.path)
        model = table.model or ""
        reads = reading_methods(own, table.class_line, model) if own else frozenset()
        makers = class_makers(own, table.class_line, model) if own else []
        for source, admin in self._rows_modules():
            for line in row_lines(source, model, table.name, reads):
                if source is own and any(a <= line <= b for a, b in makers):
                    continue  # the class's own maker: its calls (``Group.get_or_create``) count
                if admin:
                    found = True  # an admin or seed module: people typing rows, or a seed
                    continue
                if in_loop(source, line):
                    return False  # a command making rows in a loop: an import, a bot's log
                if self.is_source(source.path) and not self._off_request(source.path, line):
                    return False
                found = True
        return found

    def _off_request(self, path: str, line: int) -> bool:
        """The code at 0-based ``line`` runs for a command or the admin only: it is there, or
        in a function only their code calls (admin_reach.py, with commands' calls counted)."""
        with self._lock:
            if self._quiet_reach is None:
                self._quiet_reach = AdminReach(
                    self._mentions.files_with, self.source, self.text, also=self._command_line
                )
            return self._quiet_reach.only_admin(path, line)

    def _command_line(self, path: str, line: int) -> bool:
        """A command's call, once per run (in a loop it may make many rows: an import)."""
        source = self.source(path)
        if source is None or in_loop(source, line):
            return False
        if not self.is_source(path):
            return True  # a command or a script
        off = self.off_request_lines(path) or []
        return any(first <= line + 1 <= last for first, last in off)

    def _rows_modules(self) -> list[tuple[Source, bool]]:
        """Each module that may add rows (a source or a command: not a test, a migration or
        a fixture), with whether it is an admin module."""
        if self._row_modules is None:
            found: list[tuple[Source, bool]] = []
            for path in schema_files(self.root):
                if not path.endswith(".py"):
                    continue
                if not self.is_source(path) and not is_not_a_source(
                    path, self.source_root(), COMMAND_FOLDERS
                ):
                    continue
                source = self.source(path)
                if source is not None:
                    found.append((source, admin_module(path)))
            self._row_modules = found
        return self._row_modules

    def module(self, path: str, text: str) -> ModuleFacts | None:
        """One Python module's frameworks, routes and handlers, with the project's facts the
        analyses read beside them; None for a file that is not Python or does not parse."""
        if not path.endswith(".py"):
            return None
        source = parse_source(path, text)
        if not source.modules:
            return None
        facts = module_facts(source, self.upstream())
        self.complete(facts)
        facts.sessions = self.schema().sessions
        return facts

    def complete(self, facts: ModuleFacts) -> None:
        """Adds what the rest of the project says to one module's own facts (the caller adds
        the sessions of the schema it analyses under)."""
        facts.declared = self.declared_packages()
        facts.package_version = lambda package: declared_version(self.root, package)
        facts.handled |= self.app_error_handlers()
        mark_registered(facts, self.registered_views(facts.source.path))
        facts.upstream = self.upstream()
        facts.callers = self
        facts.shared = self.shared_helper
        facts.none_fallback = self.none_fallback
        facts.takes_request = self.takes_request
        facts.server_errors = self.server_error_handlers
        facts.built_per_request = lambda cls: built_per_request(
            self._mentions.files_with, self.source, cls
        )
        facts.writers = lambda name: self._writers(facts.source, name)
        facts.object_id_routes = self.object_id_routes
        facts.routes_reaching = self.routes_reaching
        if facts.maybe_views:
            routed = self.url_view_names()
            facts.routes.extend(Route(f, "django") for f in facts.maybe_views if f.name in routed)
        if "django" in facts.frameworks:
            facts.url_routes = self.url_routes(facts.source.path)
        mark_decorator_bodies(facts, lambda name: self._writers(facts.source, name))
        if "flask" in facts.frameworks:
            facts.flask_sqlalchemy_major = self.declared_major("flask_sqlalchemy")
            self._mark_operations(facts)
            mark_view_helpers(facts)  # once every request method of the module is known

    def object_id_routes(self) -> tuple[tuple[str, str], ...]:
        """(path, name) of every FastAPI route of the project that a malformed ObjectId
        makes a 500 in: counted once while nothing changes (every route module asks)."""
        upstream = self.upstream()
        with self._lock:
            if self._object_ids is None or self._object_ids[0] is not upstream:
                found: list[tuple[str, str]] = []
                declared = self.declared_packages()
                if declared is None or declared & _BSON:
                    for path in schema_files(self.root):
                        path = os.path.abspath(path)
                        text = self.text(path) if path.endswith(".py") else None
                        if text is None or "fastapi" not in text or not self.is_source(path):
                            continue
                        facts = self.module(path, text)
                        if facts is not None:
                            found.extend(module_guarded_routes(facts))
                self._object_ids = (upstream, tuple(found))
            return self._object_ids[1]

    def takes_request(self, source: Source, func: Function, param: str, caught: set[str]) -> bool:
        """Every project call of ``func`` hands Flask's request to ``param`` (passed_requests)."""
        owner = source.up().get(func)
        return takes_flask_request(
            self._mentions.files_with, self.source, func, owner, param, caught
        )

    def _writers(self, source: Source, name: str) -> Iterator[Source]:
        """The project's Python modules that write ``name`` (``source`` as it stands for its
        own path)."""
        own = os.path.abspath(source.path)
        for path in self._mentions.files_with(name):
            if path == own:
                yield source
            elif path.endswith(".py"):
                found = self.source(path)
                if found is not None:
                    yield found

    def _mark_operations(self, facts: ModuleFacts) -> None:
        """The functions and methods the project's OpenAPI spec routes to (connexion) are
        Flask handlers: connexion 2 runs on Flask; under connexion 3 (Starlette) only a module
        that reads Flask's own ``request`` is."""
        if "starlette" in facts.frameworks and "flask.request" not in facts.imports.values():
            return
        operations = self.operation_handlers()
        for func in named_handlers(facts.source, operations, self.root) if operations else []:
            if not facts.is_route(func):
                facts.routes.append(Route(func, "flask"))

    def operation_handlers(self) -> frozenset[str]:
        """The dotted handler names the operations of the project's OpenAPI/Swagger specs
        name (``operationId``, with its router controller)."""
        with self._lock:
            if self._operations is None:
                found: set[str] = set()
                texts = dict(self._texts)
                for path in spec_files(self.root, self.is_source):
                    path = os.path.abspath(path)
                    text = texts.get(path)
                    if text is not None:
                        found |= operation_handlers(path, text)
                    else:
                        found |= self._spec_memo.get(path) or frozenset()
                self._operations = frozenset(found)
            return self._operations

    def frameworks(self) -> frozenset[str]:
        """The web frameworks of the modules that register app-wide handlers or views."""
        return frozenset().union(*(f[0] for f in self._all_module_facts().values()))

    def app_error_handlers(self) -> frozenset[str]:
        """Exception names (and status codes) an app-level handler anywhere in the project
        takes: ``@app.errorhandler(...)``, ``app_errorhandler``, ``register_error_handler``,
        FastAPI's ``exception_handler``; a handler in ``app/__init__.py`` covers routes in
        other files."""
        if self._handlers is None:
            self._handlers = frozenset().union(*(f[1] for f in self._all_module_facts().values()))
        return self._handlers

    def server_error_handlers(self) -> frozenset[str]:
        """``Exception`` / ``BaseException`` when every app-level handler of it, wherever it is
        registered, answers only a 5xx (server_handlers); read again once the project
        changes."""
        upstream = self.upstream()
        handled = self.app_error_handlers()
        with self._lock:
            kept = self._server_errors
            if kept is not None and kept[0] is upstream and kept[1] is handled:
                return kept[2]
        broad = {"Exception", "BaseException"}
        verdicts: dict[str, bool] = {}
        if handled & broad:
            for path, summary in self._all_module_facts().items():
                if not summary.handled & broad:
                    continue
                source = self.source(path)
                if source is None:
                    continue
                for name, only in handler_answers(source, upstream).items():
                    if name in broad:
                        verdicts[name] = verdicts.get(name, True) and only
        found = frozenset(name for name, only in verdicts.items() if only)
        with self._lock:
            self._server_errors = (upstream, handled, found)
        return found

    def url_view_names(self) -> frozenset[str]:
        """Names of the functions the project's ``urls.py`` modules route to."""
        return frozenset().union(*(f.routed for f in self._all_module_facts().values()))

    def url_routes(self, path: str) -> dict[str, tuple[UrlRoute, ...]]:
        """The patterns the project's ``urls.py`` modules route to each view of ``path``
        (a function or a view class), by the view's name."""
        path = os.path.abspath(path)
        found: dict[str, list[UrlRoute]] = {}
        for summary in self._all_module_facts().values():
            for where, name, route in summary.routes:
                if where == path:
                    found.setdefault(name, []).append(route)
        return {name: tuple(routes) for name, routes in found.items()}

    def registered_views(self, path: str) -> set[str]:
        """The top-level functions and view classes of ``path`` that an ``add_url_rule`` in
        another module registers (``bp.add_url_rule("/", view_func=views.index)``)."""
        if self._views is None:
            views: dict[str, set[str]] = {}
            for summary in self._all_module_facts().values():
                for where, name in summary.views:
                    views.setdefault(where, set()).add(name)
            self._views = views
        return self._views.get(os.path.abspath(path), set())

    def _all_module_facts(self) -> dict[str, ModuleSummary]:
        """Every source module's (frameworks, handlers): walked once, then kept current by
        ``edited`` (a keystroke re-reads its own file only)."""
        # The server analyses open documents in worker threads while its event loop records
        # their new text: one walk at a time, over a snapshot of the texts.
        with self._lock:
            walked = self._walked
            if walked is None:
                walked = {}
                for path in schema_files(self.root):
                    path = os.path.abspath(path)
                    if path.endswith(".py") and self.is_source(path):
                        walked[path] = self._facts_of_file(path)
                self._walked = walked
            for path, text in list(self._texts.items()):
                if path.startswith(self.root + os.sep) and self.is_source(path):
                    walked[path] = _summary(path, text, self.root)
            return dict(walked)

    def _facts_of_file(self, path: str) -> ModuleSummary:
        return self._module_facts.get(path) or _NO_FACTS


def _mentions_handlers(text: str) -> bool:
    return any(word in text for word in _HANDLER_WORDS)


def _summary(path: str, text: str, root: str) -> ModuleSummary:
    # Only a module that registers handlers or views, or a urls.py, has anything to say here:
    # the others (most of a project) are not parsed for it.
    if not (_mentions_handlers(text) or os.path.basename(path) == "urls.py"):
        return _NO_FACTS
    source = parse_source(path, text)
    if not source.modules:
        return _NO_FACTS
    facts = module_facts(source)
    is_urls = os.path.basename(path) == "urls.py"
    routed = url_view_names(source) if is_urls else frozenset()
    routes = frozenset(
        (os.path.abspath(where) if module else os.path.abspath(path), name, route)
        for (module, name), route in (url_routes(source) if is_urls else ())
        for where in (module_files(path, module, [root]) if module else [path])
    )
    views = frozenset(
        (os.path.abspath(where), name)
        for module, name in view_registrations(source)
        if module
        for where in module_files(path, module, [root])
    )
    return ModuleSummary(
        frozenset(facts.frameworks), frozenset(facts.handled), views, routed, routes
    )


class Projects:
    """The projects of a workspace, one per root a file belongs to, over one schema cache."""

    def __init__(
        self,
        schemas: SchemaCache | None = None,
        folders: Callable[[], list[str]] | None = None,
        not_sources: Sequence[str] = DEFAULT_NOT_SOURCES,
    ) -> None:
        self.schemas = schemas if schemas is not None else SchemaCache()
        self.folders = folders  # the editor's workspace folders, as it last said
        self.not_sources = tuple(not_sources)
        self._by_root: dict[str, Project] = {}

    def set_not_sources(self, patterns: Sequence[str]) -> bool:
        """The notSources setting changed (True) or not (False)."""
        patterns = tuple(patterns)
        if patterns == self.not_sources:
            return False
        self.not_sources = patterns
        for project in list(self._by_root.values()):
            project.not_sources = patterns
            project.forget()
        return True

    def of(self, path: str) -> Project:
        """The project of a file: its nearest folder with a project marker, else the
        workspace folder it is in, else its own folder."""
        root = project_root(path)
        marked = None
        if root is None:
            path = os.path.abspath(path)
            inside = [
                os.path.abspath(f)
                for f in (self.folders() if self.folders is not None else [])
                if path.startswith(os.path.abspath(f) + os.sep)
            ]
            root = max(inside, key=len) if inside else workspace_root(path)
            marked = bool(inside) or None
        project = self._by_root.get(root)
        if project is None:
            project = self._by_root[root] = Project(root, self.schemas, marked, self.not_sources)
            project.forget(scanned=True)  # the workspace's scan covers it (see scan)
        return project

    def scan(self, roots: Iterable[str]) -> None:
        """Reads the schema of every root once; the projects' other facts are re-read on
        their next use."""
        self.schemas.scan(roots)
        for project in list(self._by_root.values()):
            project.forget()

    def edited(self, path: str, text: str, own: Schema | None = None) -> None:
        self.of(path).edited(path, text, own)
        self._forget_calls(path)

    def set_text(self, path: str, text: str) -> None:
        self.of(path).set_text(path, text)
        self._forget_calls(path)

    def closed(self, path: str) -> None:
        self.of(path).closed(path)
        self._forget_calls(path)

    def _forget_calls(self, path: str) -> None:
        # A helper in one project may be called from another's route (a monorepo's roots).
        for project in list(self._by_root.values()):
            project.forget_calls()
