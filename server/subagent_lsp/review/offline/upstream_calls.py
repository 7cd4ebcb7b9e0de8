"""Which of the project's own functions reach an upstream HTTP call (or a mail send, or an
SDK's API call) that nothing on the way catches.

On real apps the ``requests.post`` is rarely in the route: it sits in a ``services`` module the
route calls (``notify_slack(order)``), and its failure is the same 500 as a direct call. So a
route's call to a project function is followed, through the imports it names, into the module
that defines it, and on through that function's own calls, a few levels deep.

The request also hides in the project's own classes: a constructor that searches
(``SearchTorrents(media_type, query)``) or a method of a client wrapper (``OpenSubtitles()``
then ``.auth()``). A call to a project class follows its ``__init__``; a method call follows
the method of the class its receiver is an instance of (receiver_classes: built there, typed,
injected by ``Depends``, ``self.client``, a module-level instance), or names (``Cls.m()``).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from .mail_calls import MAIL, sends_mail
from .pysource import Source, dotted, imported_from, method_of, qualified
from .receiver_classes import Located, ReceiverClasses
from .sdk_calls import SDKS, sdk_library
from .try_blocks import caught
from .upstream_clients import raises_for_status, request_library, written_request
from .wrapped_clients import wrapper_catches

SourceLoader = Callable[[str], Source | None]

# The client libraries whose failures are an upstream's, with the base exception of each.
UPSTREAM_ERRORS = {
    "requests": "RequestException",
    "httpx": "HTTPError",
    "aiohttp": "ClientError",
    MAIL: "SMTPException",
}
# A handler for one of these covers a network failure too (``except requests.ConnectionError``
# is the app's own decision about which failures to answer). One for a bad status alone
# (``requests.HTTPError``, ``httpx.HTTPStatusError``) or for a timeout alone
# (``requests.Timeout``, ``httpx.TimeoutException``) leaves an unreachable host to raise out
# as a 500. requests' errors are OSErrors; httpx's and aiohttp's response errors are not.
_ALSO_HANDLED = {
    "requests": ("ConnectionError", "OSError", "IOError"),
    "httpx": ("RequestError", "TransportError"),
    "aiohttp": (),
    # smtplib's errors are OSErrors, and a refused or timed-out socket is one too.
    MAIL: ("OSError", "IOError", "ConnectionError", "ConnectionRefusedError", "TimeoutError"),
}


def handled_names(library: str) -> set[str]:
    sdk = SDKS.get(library)
    if sdk is not None:
        return set(sdk.handled)
    return {UPSTREAM_ERRORS[library], *_ALSO_HANDLED[library]}


# What a handler must name to take the error ``raise_for_status()`` raises (besides a broad
# one): ``except (httpx.ConnectError, httpx.TimeoutException)`` around ``client.get(...)``
# then ``.raise_for_status()`` lets the upstream's 503 out as this server's 500.
STATUS_HANDLED = {
    "requests": frozenset({"RequestException", "HTTPError", "OSError", "IOError"}),
    "httpx": frozenset({"HTTPError", "HTTPStatusError"}),
}


def upstream_caught(node: ast.AST, up: dict[ast.AST, ast.AST], library: str) -> bool:
    """The request ``node`` is inside a ``try`` that catches its network failure, and each
    ``raise_for_status()`` in the body of a ``try`` around it is caught as well."""
    if not caught(node, up, handled_names(library)):
        return False
    status = STATUS_HANDLED.get(library)
    if status is None:
        return True
    return all(caught(check, up, set(status)) for check in _status_checks_around(node, up))


def _status_checks_around(node: ast.AST, up: dict[ast.AST, ast.AST]) -> list[ast.Call]:
    """The ``raise_for_status()`` calls in the bodies of the ``try`` blocks around ``node``."""
    found: list[ast.Call] = []
    child, current = node, up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            found.extend(
                n
                for stmt in current.body
                for n in ast.walk(stmt)
                if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "raise_for_status"
            )
        child, current = current, up.get(current)
    return found


MAX_DEPTH = 3
# How many project classes deep a class's bases are followed (walle-web's resources have two
# between them and Flask-RESTful: ``UserAPI(SecurityResource)``, ``SecurityResource(ApiResource)``,
# ``ApiResource(Resource)``).
MAX_BASES_DEPTH = 5
# Packages re-exporting a name: an ``__init__`` of the modules beside it, rarely one more.
_REEXPORT_HOPS = 2
# How much of a request's text a Reach keeps (its URL and the names of its arguments).
_WRITTEN = 400

Function = ast.FunctionDef | ast.AsyncFunctionDef
Definition = Function | ast.ClassDef
_T = TypeVar("_T")


def upstream_library(source: Source, call: ast.Call) -> str | None:
    """``requests``/``httpx``/``aiohttp`` when ``call`` is a request whose failure raises:
    one of their functions, or a client object's (an aiohttp one when it raises on a bad
    status); mail's, or an SDK's (sdk_calls.py) for a send or an API call."""
    found = request_library(source, call)
    if found is None:
        return MAIL if sends_mail(source, call) else sdk_library(source, call)
    library, client = found
    if library == "aiohttp" and not raises_for_status(source, call, client):
        return None
    return library


class Reach:
    """A call that ends in an uncaught upstream request: the library, and the chain of
    functions (``notify_slack`` -> ``post_json``) down to the request itself."""

    __slots__ = (
        "at",
        "chain",
        "checks_status",
        "committed",
        "library",
        "origin",
        "path",
        "reads_keys",
        "request",
        "written",
    )

    def __init__(
        self,
        library: str,
        chain: tuple[str, ...],
        path: str,
        request: str,
        checks_status: bool = False,
        reads_keys: bool = False,
        committed: bool = False,
        at: ast.Call | None = None,
        written: str = "",
        origin: tuple[Source, Function] | None = None,
    ) -> None:
        self.library = library
        self.chain = chain
        self.path = path  # where the request is made
        self.request = request  # as written there: ``requests.post``
        # The function that makes it calls ``raise_for_status()``: a bad status raises too.
        self.checks_status = checks_status
        # It indexes the decoded body (``resp.json()["lat"]``): a KeyError when the upstream
        # answers without that key, which no RequestException handler catches.
        self.reads_keys = reads_keys
        # A function of the chain commits before it goes on to the request
        # (``update_status`` commits, then notifies): when the request fails the change is
        # already saved, so the caller must not answer as if it had failed.
        self.committed = committed
        # The call in the chain's first function that leads on to the request (the request
        # itself when that function makes it): where one except in that function goes.
        self.at = at
        # The request as written, arguments and all (``requests.post(SLACK_WEBHOOK, ...)``):
        # what says a call is a notification (best_effort.py).
        self.written = written
        # The function that makes the request (the chain's last), where a helper's one fix
        # goes (none_fallbacks).
        self.origin = origin


class UpstreamCalls:
    """Follows calls into the project's own modules; parsed sources and verdicts are cached
    (one instance per analysis run, or per project kept current by the caller)."""

    def __init__(self, roots: Sequence[str], loader: SourceLoader) -> None:
        self.roots = [os.path.abspath(r) for r in roots]
        self.loader = loader
        # Keyed by the depth a verdict was reached at too: a function searched deep down a
        # chain has less depth left, and its "nothing" must not stand for a search from a view
        # that calls it directly (dribdat's ``GetProjectData`` lost its 502 that way, as soon
        # as an earlier view reached it three calls down).
        self._verdicts: dict[tuple[str, str, int], Reach | None] = {}
        self._files: dict[tuple[str, str], list[str]] = {}
        self._bases: dict[tuple[str, str, int], frozenset[str]] = {}
        self._cuts = 0  # searches cut short by a call back into the chain being searched
        self._receivers = ReceiverClasses(self)
        # Asked by the route's own rule and by every search that reaches the same request.
        self._wrapped: dict[tuple[int, int], tuple[ast.Call, bool]] = {}
        # What a name stands for, asked of the same node by every rule that follows a call (a
        # run asked 18,000 times of 3,700 nodes): kept with the source, the node and the
        # reader, so that no id of theirs can be another's later.
        self._named: dict[tuple[int, int, int], tuple[Source, ast.expr, object, object]] = {}

    def reach(self, source: Source, call: ast.Call) -> Reach | None:
        """Where ``call`` (in ``source``) ends in an upstream request nothing catches."""
        target = self._callee(source, call)
        if target is None:
            return None
        return self._function_reach(*target, depth=1, seen=set())

    def _function_reach(
        self, source: Source, func: Function, depth: int, seen: set[tuple[str, str]]
    ) -> Reach | None:
        key = (source.path, f"{func.name}:{func.lineno}")
        if (*key, depth) in self._verdicts:
            return self._verdicts[(*key, depth)]
        if depth > MAX_DEPTH:
            return None
        if key in seen:
            self._cuts += 1
            return None
        cuts = self._cuts
        seen.add(key)
        found = self._search(source, func, depth, seen)
        seen.discard(key)  # the chain being searched, not every function searched before
        if found is not None or cuts == self._cuts:
            # A "nothing" that a recursion cut short depends on where the search came from.
            self._verdicts[(*key, depth)] = found
        return found

    def _search(
        self, source: Source, func: Function, depth: int, seen: set[tuple[str, str]]
    ) -> Reach | None:
        up = source.up()
        for node in source.nodes_of(func):
            if not isinstance(node, ast.Call) or source.function_of(node) is not func:
                continue
            library = upstream_library(source, node)
            if library is not None:
                if not upstream_caught(node, up, library) and not self.wrapped(
                    source, node, library
                ):
                    checks = any(
                        isinstance(n, ast.Attribute) and n.attr == "raise_for_status"
                        for n in source.nodes_of(func)
                    )
                    label = (_label(up, func),)
                    keys = library == "requests" and _reads_json_keys(source, func, up)
                    committed = _commits_before(source, func, node)
                    return Reach(
                        library,
                        label,
                        source.path,
                        written_request(source, node),
                        checks,
                        keys,
                        committed,
                        at=node,
                        written=source.text_of(node)[:_WRITTEN],
                        origin=(source, func),
                    )
                continue
            target = self._callee(source, node)
            if target is None:
                continue
            deeper = self._function_reach(*target, depth=depth + 1, seen=seen)
            if deeper is not None and not caught(node, up, handled_names(deeper.library)):
                chain = (_label(up, func), *deeper.chain)
                return Reach(
                    deeper.library,
                    chain,
                    deeper.path,
                    deeper.request,
                    deeper.checks_status,
                    deeper.reads_keys,
                    deeper.committed or _commits_before(source, func, node),
                    at=node,
                    written=deeper.written,
                    origin=deeper.origin,
                )
        return None

    def wrapped(self, source: Source, call: ast.Call, library: str) -> bool:
        """``call`` goes through the project's own subclass of the library's client whose
        ``request`` already catches its failure (wrapped_clients)."""
        if library not in UPSTREAM_ERRORS or library == MAIL:
            return False
        key = (id(source), id(call))
        known = self._wrapped.get(key)
        if known is None or known[0] is not call:
            known = self._wrapped[key] = (
                call,
                wrapper_catches(self, source, call, handled_names(library), library),
            )
        return known[1]

    def function_reach(self, source: Source, func: Function) -> Reach | None:
        """Where ``func`` itself ends in an upstream request nothing in it catches."""
        return self._function_reach(source, func, depth=1, seen=set())

    def callee(self, source: Source, call: ast.Call) -> tuple[Source, Function] | None:
        """The project function, constructor or method ``call`` runs."""
        return self._callee(source, call)

    def _callee(self, source: Source, call: ast.Call) -> tuple[Source, Function] | None:
        """The project function, constructor or method ``call`` runs."""
        found = self.resolve(source, call.func)
        if found is not None:
            return found
        built = self._class(source, call.func)
        if built is not None:
            return _method(*built, "__init__")
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        # ``Settings.load()``: a class or static method of the class the receiver names.
        owner = self.receiver_class(source, call, func.value) or self._class(source, func.value)
        return self._inherited(*owner, func.attr, 0) if owner is not None else None

    def _inherited(
        self, source: Source, cls: ast.ClassDef, name: str, depth: int
    ) -> tuple[Source, Function] | None:
        """The class's method, or the one a project base defines (the FastAPI template's
        ``CRUDUser(CRUDBase[User, ...])`` runs ``CRUDBase.create``)."""
        found = _method(source, cls, name)
        if found is not None or depth >= _MAX_BASE_HOPS:
            return found
        for base in cls.bases:
            named = base.value if isinstance(base, ast.Subscript) else base
            owner = self._class(source, named)
            inherited = self._inherited(*owner, name, depth + 1) if owner is not None else None
            if inherited is not None:
                return inherited
        return None

    def receiver_class(self, source: Source, at: ast.AST, receiver: ast.expr) -> Located | None:
        """The project class ``receiver`` (read at ``at``: its method call, its attribute) is
        an instance of: ``Cls()``, ``x = Cls()``, ``self``, a parameter typed or injected,
        ``self.client``, a module-level instance (receiver_classes)."""
        return self._receivers.instance_of(source, at, receiver)

    def resolve_class(self, source: Source, func: ast.expr) -> tuple[Source, ast.ClassDef] | None:
        """The project class a name in ``source`` stands for (``EventForm`` of ``.forms``)."""
        return self._class(source, func)

    def _class(self, source: Source, func: ast.expr) -> tuple[Source, ast.ClassDef] | None:
        found = self._definition(source, func)
        if found is not None and isinstance(found[1], ast.ClassDef):
            return found[0], found[1]
        return None

    def outside_bases(self, source: Source, cls: ast.ClassDef) -> frozenset[str]:
        """The classes outside the project ``cls`` derives from, as imported
        (``flask_restful.Resource``), through the project's own bases in any of its modules
        (``UserAPI(SecurityResource)`` of ``api.api``, there ``SecurityResource(ApiResource)``
        over ``Resource``). Kept per class: every module of the project asks of the same bases.
        """
        return self._outside_bases(source, cls, 0, set())[0]

    def _outside_bases(
        self, source: Source, cls: ast.ClassDef, depth: int, seen: set[tuple[str, str, int]]
    ) -> tuple[frozenset[str], bool]:
        """The bases, and whether the lineage was read whole: one cut short by the depth
        limit or by a cycle is not kept, as a shallower question would get more."""
        key = (source.path, cls.name, cls.lineno)
        known = self._bases.get(key)
        if known is not None:
            return known, True
        if depth > MAX_BASES_DEPTH or key in seen:
            return frozenset(), False
        seen.add(key)
        found: set[str] = set()
        whole = True
        for base in cls.bases:
            parent = self._class(source, base)
            if parent is not None and parent[1] is not cls:
                inherited, complete = self._outside_bases(*parent, depth + 1, seen)
                found |= inherited
                whole = whole and complete
                continue
            # outside the project, or ``class Resource(Resource)``'s own name for the import
            written = dotted(base)
            if written:
                found.add(qualified(source, written))
        seen.discard(key)
        out = frozenset(found)
        if whole:
            self._bases[key] = out
        return out, whole

    def resolve(self, source: Source, func: ast.expr) -> tuple[Source, Function] | None:
        """The project function a name in ``source`` stands for (a callee, a decorator): one
        of this module's own, or one imported (``from .services import notify``,
        ``from app import services`` + ``services.notify``)."""
        found = self._definition(source, func)
        if found is None or isinstance(found[1], ast.ClassDef):
            return None
        return found[0], found[1]

    def _definition(self, source: Source, func: ast.expr) -> tuple[Source, Definition] | None:
        """The top-level function or class of the project a name stands for."""
        return self.named(source, func, _top_level)

    def named(
        self, source: Source, node: ast.expr, find: Callable[[Source, str], _T | None]
    ) -> tuple[Source, _T] | None:
        """What ``find`` reads off the module that defines a name in ``source``: this one, or
        the project module it is imported from (``from .services import notify``,
        ``from app import services`` + ``services.notify``)."""
        key = (id(source), id(node), id(find))
        known = self._named.get(key)
        if known is not None and known[0] is source and known[1] is node and known[2] is find:
            return known[3]  # type: ignore[return-value]
        found = self._named_in(source, node, find)
        self._named[key] = (source, node, find, found)
        return found

    def _named_in(
        self, source: Source, node: ast.expr, find: Callable[[Source, str], _T | None]
    ) -> tuple[Source, _T] | None:
        if isinstance(node, ast.Name):
            own = find(source, node.id)
            if own is not None:
                return source, own
            for module, name in imported_from(source, node.id):
                found = self._found_in(source.path, module, name, find)
                if found is not None:
                    return found
            # ``from app.schemas.expense import *``: a name the module neither defines nor
            # imports by name may be one of the star's (a real app's routes import their
            # schemas so)
            for module, _star in imported_from(source, "*"):
                found = self._found_in(source.path, module, node.id, find)
                if found is not None:
                    return found
            return None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            for module, name in imported_from(source, node.value.id):
                # ``services`` is itself a module: ``from app import services``/``import x.y``;
                # ``from . import geocode`` is ``.geocode``, not ``..geocode`` (a level up).
                if not name:
                    dotted_module = module
                elif module.strip(".") == "":
                    dotted_module = f"{module}{name}"
                else:
                    dotted_module = f"{module}.{name}"
                found = self._found_in(source.path, dotted_module, node.attr, find)
                if found is not None:
                    return found
        return None

    def _found_in(
        self,
        importer: str,
        module: str,
        name: str,
        find: Callable[[Source, str], _T | None],
        hops: int = 0,
    ) -> tuple[Source, _T] | None:
        for path in self._module_files(importer, module):
            loaded = self.loader(path)
            if loaded is None:
                continue
            found = find(loaded, name)
            if found is not None:
                return loaded, found
            if hops >= _REEXPORT_HOPS:
                continue
            # A package's ``__init__`` re-exporting what its modules define (``from .article
            # import ArticleController``, ``from .crud_detection import *``): how real apps
            # hand their controllers and CRUD classes to the routes.
            for inner, original in [*imported_from(loaded, name), *imported_from(loaded, "*")]:
                wanted = name if original == "*" else original
                found_on = (
                    self._found_in(loaded.path, inner, wanted, find, hops + 1) if wanted else None
                )
                if found_on is not None:
                    return found_on
        return None

    def module_files_of(self, importer: str, module: str) -> Iterable[str]:
        """The project files an import of ``module`` from ``importer`` may load (asked for
        every call in every route: one look at the disk per folder and module)."""
        return self._module_files(importer, module)

    def _module_files(self, importer: str, module: str) -> Iterable[str]:
        # Per folder: where the roots have no such module, the importer's folder decides.
        key = (os.path.dirname(importer), module)
        found = self._files.get(key)
        if found is None:
            found = self._files[key] = list(module_files(importer, module, self.roots))
        return found


def module_files(importer: str, module: str, roots: Sequence[str]) -> Iterable[str]:
    """The project files an import of ``module`` (leading dots: relative) from ``importer``
    may load."""
    level = len(module) - len(module.lstrip("."))
    parts = [p for p in module.lstrip(".").split(".") if p]
    if level:
        base = os.path.dirname(os.path.abspath(importer))
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:
        bases = [b for r in roots for b in (r, os.path.join(r, "src"))]
    found = False
    for base in bases:
        for path in _candidates(base, parts):
            if _inside(path, roots) and os.path.isfile(path):
                found = True
                yield path
    if found or level or not parts:
        return
    # An app run from its own folder (``cd app && uvicorn main:app``) imports its modules from
    # there: ``from repository.cart import CartRepository`` in app/gateway/cart.py is
    # app/repository/cart.py. Read only when the roots have no such module, nearest folder
    # first, as that folder is the one on sys.path.
    folder = os.path.dirname(os.path.abspath(importer))
    while _inside(folder, roots):
        for path in _candidates(folder, parts):
            if os.path.isfile(path):
                yield path
                return
        folder = os.path.dirname(folder)


def _candidates(base: str, parts: list[str]) -> tuple[str, str]:
    stem = os.path.join(base, *parts) if parts else base
    return f"{stem}.py", os.path.join(stem, "__init__.py")


def _inside(path: str, roots: Sequence[str]) -> bool:
    return any(path.startswith(root + os.sep) for root in roots)


def _top_level(source: Source, name: str) -> Definition | None:
    found: dict[str, Definition] | None = source.__dict__.get("_top_level_definitions")
    if found is None:
        found = {}
        for module in source.modules:
            for node in module.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    found.setdefault(node.name, node)
        source.__dict__["_top_level_definitions"] = found
    return found.get(name)


_MAX_BASE_HOPS = 3  # an app's own class hierarchy, not a generated one


def _method(source: Source, cls: ast.ClassDef, name: str) -> tuple[Source, Function] | None:
    found = method_of(cls, name)
    return (source, found) if found is not None else None


def _label(up: dict[ast.AST, ast.AST], func: Function) -> str:
    """How a chain names a function: ``notify``, ``SearchTorrents()`` for a constructor,
    ``OpenSubtitles.auth`` for a method."""
    owner = up.get(func)
    if not isinstance(owner, ast.ClassDef):
        return func.name
    return f"{owner.name}()" if func.name == "__init__" else f"{owner.name}.{func.name}"


def _reads_json_keys(source: Source, func: Function, up: dict[ast.AST, ast.AST]) -> bool:
    """``resp.json()["lat"]`` or ``body = resp.json()`` then ``body["lat"]`` in ``func``,
    outside any handler of KeyError."""
    decoded = {
        dotted(t)
        for node in source.nodes_of(func)
        if isinstance(node, ast.Assign) and _decodes(node.value)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    return any(
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and (
            _decodes(node.value) or (isinstance(node.value, ast.Name) and node.value.id in decoded)
        )
        and not caught(node, up, {"KeyError", "LookupError"})
        for node in source.nodes_of(func)
    )


def _decodes(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "json"
        and not node.args
    )


def _commits_before(source: Source, func: Function, call: ast.Call) -> bool:
    """``db.session.commit()`` (a session's or a connection's) in ``func`` before ``call``."""
    at = (call.lineno, call.col_offset)
    for node in source.nodes_of(func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
            and not node.args
            and (node.lineno, node.col_offset) < at
            and source.function_of(node) is func
        ):
            continue
        last = dotted(node.func.value).rsplit(".", 1)[-1].lower()
        if "session" in last or last in ("db", "conn", "connection", "transaction"):
            return True
    return False
