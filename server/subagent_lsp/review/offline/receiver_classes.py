"""The project class the receiver of a method call is an instance of, for every rule that follows
a call into the project (upstream requests, rows that may be missing).

Built where it is used (``OpenSubtitles().auth()``, ``subs = OpenSubtitles()`` earlier, ``self``),
or known only from its type or its injection, the way FastAPI apps and DI-style Flask apps get
their services:

- a parameter annotated with the class: ``svc: UserService``, ``UserService | None``,
  ``"UserService"``, ``Annotated[UserService, Depends()]``, a module's
  ``UserServiceDep = Annotated[...]``;
- a ``Depends(get_user_service)`` whose provider is a project function that returns or yields
  one (its return annotation, else what its ``return``/``yield`` builds);
- ``self.client`` that a method sets (``self.client = Client()``, or the typed ``client``
  parameter of ``__init__``), the class declares (``client: Client``, dataclass style) or a
  ``@property`` returns;
- a module-level instance (``mailer = Mailer()``), of this module or imported.

Only the project's own classes answer: a library's type (``Session``) is None, and so is a name
whose bindings name two different classes (one that names none, ``client = None``, says nothing).
What the text says (bindings, declarations) is kept on its parse; what it resolves to across
modules on this object, which lives as long as the resolver (rebuilt when a file changes).
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from .pysource import WITHS, Source, dotted, is_self, method_of, own_nodes
from .upstream_clients import CLIENT_CLASSES

Function = ast.FunctionDef | ast.AsyncFunctionDef
Located = tuple[Source, ast.ClassDef]
# What the class of a ``self.`` attribute is read from: the method that assigns it (None at
# class level) and the assigned value, the annotated assignment, or the ``@property``.
Declaration = tuple[Function | None, ast.AST]
_T = TypeVar("_T")

# FastAPI's (and fast-depends') markers: their argument is the provider called per request.
_PROVIDERS = ("Depends", "Security")
_GENERATORS = (
    "Generator",
    "Iterator",
    "Iterable",
    "AsyncGenerator",
    "AsyncIterator",
    "AsyncIterable",
)
_PROPERTIES = ("property", "cached_property")
_ALIAS_HOPS = 2  # ``UserServiceDep`` naming ``Annotated[...]``, and that naming a class
# Providers handing on another's instance, attributes holding one: a chain longer than this is
# no app's (and a generated one must not exhaust the stack).
_MAX_NESTED = 8


class Resolver(Protocol):
    """What a name of the project stands for (upstream_calls.UpstreamCalls)."""

    def resolve(self, source: Source, func: ast.expr) -> tuple[Source, Function] | None: ...

    def resolve_class(self, source: Source, func: ast.expr) -> Located | None: ...

    def outside_bases(self, source: Source, cls: ast.ClassDef) -> frozenset[str]: ...

    def named(
        self, source: Source, node: ast.expr, find: Callable[[Source, str], _T | None]
    ) -> tuple[Source, _T] | None: ...


class _Working(threading.local):
    def __init__(self) -> None:
        self.keys: set[tuple[str, ...]] = set()
        self.cuts = 0


class ReceiverClasses:
    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        # Asked for every method call of every route and of every function followed: what a
        # function returns, an attribute or a module-level name holds is worked out once.
        self._known: dict[tuple[str, ...], Located | None] = {}
        # The keys being worked out, per thread (the server analyses two documents at once
        # with one resolver): a cycle back into one ends there, and an answer reached through
        # a cut (a cycle, a chain too long) depends on where the search began: not kept.
        self._working = _Working()
        # Each rule asks of the same receivers (the calls of a route): one answer per node,
        # kept with the node itself so that its id cannot be another's later.
        self._answers: dict[tuple[int, int], tuple[Source, ast.expr, Located | None]] = {}

    def instance_of(self, source: Source, at: ast.AST, receiver: ast.expr) -> Located | None:
        """The class ``receiver``, read at ``at`` (its method call, its attribute) in
        ``source``, is an instance of (not a class named as the receiver: ``Settings.load()``
        is the caller's)."""
        key = (id(source), id(receiver))
        known = self._answers.get(key)
        if known is not None and known[0] is source and known[1] is receiver:
            return known[2]
        working = self._working
        outermost, cuts = not working.keys, working.cuts
        found = self._instance_of(source, at, receiver)
        if outermost and working.cuts == cuts:  # not an answer a cut made
            self._answers[key] = (source, receiver, found)
        return found

    def _instance_of(self, source: Source, at: ast.AST, receiver: ast.expr) -> Located | None:
        if isinstance(receiver, ast.Await):
            receiver = receiver.value
        if isinstance(receiver, ast.Call):  # ``OpenSubtitles().auth()``, ``get_client().send()``
            return self._provided(source, receiver.func)
        func = source.function_of(at)
        scope = func if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) else None
        if isinstance(receiver, ast.Attribute):
            if is_self(receiver.value) and scope is not None:
                owner = source.up().get(scope)
                if isinstance(owner, ast.ClassDef):
                    return self._attribute(source, owner, receiver.attr)
                return None
            if isinstance(receiver.value, ast.Name) and self._scope_of(
                source, scope, receiver.value
            ):
                return None  # ``services`` is a local here, not the module imported
            return self._module_instance(source, receiver)  # ``services.mailer``
        if not isinstance(receiver, ast.Name):
            return None
        if receiver.id == "self" and scope is not None:
            owner = source.up().get(scope)
            return (source, owner) if isinstance(owner, ast.ClassDef) else None
        return self._name(source, scope, receiver, True)

    def returned(self, source: Source, func: Function) -> Located | None:
        """The project class every value ``func`` returns (or yields) is an instance of."""
        key = ("returns", source.path, str(func.lineno), str(func.col_offset))
        return self._once(key, lambda: self._returns(source, func))

    def _once(self, key: tuple[str, ...], work: Callable[[], Located | None]) -> Located | None:
        if key in self._known:
            return self._known[key]
        working = self._working
        if key in working.keys or len(working.keys) >= _MAX_NESTED:
            working.cuts += 1
            return None
        cuts = working.cuts
        working.keys.add(key)
        try:
            found = work()
        finally:
            working.keys.discard(key)
        if cuts == working.cuts:
            self._known[key] = found
        return found

    def _returns(self, source: Source, func: Function) -> Located | None:
        nodes = own_nodes(func)
        generator = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in nodes)
        returns = _yielded(func.returns) if generator else func.returns
        declared = self._declared(source, returns) if returns is not None else None
        if declared is not None:
            return declared
        values = [
            n.value
            for n in nodes
            if isinstance(n, ast.Yield | ast.Return)
            and isinstance(n, ast.Yield) == generator
            and n.value is not None
        ]
        return _agreed([self._value(source, func, v, True) for v in values])

    def _name(
        self, source: Source, scope: Function | None, name: ast.Name, names: bool
    ) -> Located | None:
        """A name's class: by its bindings in the function that binds it (``scope`` or one
        around it, a blueprint factory's parameter), else as a module-level instance."""
        binder = self._scope_of(source, scope, name)
        if binder is not None:
            return self._local(source, binder, name.id, names)
        return self._module_instance(source, name)

    @staticmethod
    def _scope_of(source: Source, scope: Function | None, name: ast.Name) -> Function | None:
        """The innermost function, ``scope`` or one it is nested in, that binds ``name``."""
        up = source.up()
        node: ast.AST | None = scope
        while node is not None:
            if isinstance(node, Function) and name.id in local_bindings(source, node):
                return node
            node = up.get(node)
        return None

    def _local(self, source: Source, scope: Function, name: str, names: bool) -> Located | None:
        up = source.up()
        parameters = _parameters(scope)
        found: list[Located | None] = []
        for value in local_bindings(source, scope)[name]:
            if isinstance(value, ast.arg):
                found.append(self._parameter(source, scope, value) if value in parameters else None)
                continue
            parent = up.get(value)
            if isinstance(parent, ast.AnnAssign) and parent.value is value:
                found.append(
                    self._declared(source, parent.annotation)
                    or self._value(source, scope, value, names)
                )
            elif isinstance(parent, ast.Assign) and parent.value is value:
                found.append(self._value(source, scope, value, names))
            elif isinstance(parent, ast.withitem) and parent.optional_vars is value:
                found.append(self._entered(source, parent, up.get(parent)))
            else:
                found.append(None)  # a loop's, an ``except``'s: not known here
        return _agreed(found)

    def _entered(self, source: Source, item: ast.withitem, stmt: ast.AST | None) -> Located | None:
        """``async with HTTPClient() as client``: the class built, when entering it gives the
        object itself: its own ``__enter__`` returns ``self``, or it inherits one from a client
        library whose sessions do (httpx, requests, aiohttp)."""
        if not isinstance(item.context_expr, ast.Call):
            return None
        built = self._resolver.resolve_class(source, item.context_expr.func)
        if built is None:
            return None
        enter = method_of(
            built[1], "__aenter__" if isinstance(stmt, ast.AsyncWith) else "__enter__"
        )
        if enter is not None:
            returns = [n.value for n in own_nodes(enter) if isinstance(n, ast.Return)]
            return built if returns and all(r is not None and is_self(r) for r in returns) else None
        bases = self._resolver.outside_bases(*built)
        return built if any(b in CLIENT_CLASSES for b in bases) else None

    def _parameter(self, source: Source, func: Function, arg: ast.arg) -> Located | None:
        """What the provider of ``svc = Depends(get_user_service)`` gives (the object the
        route gets, a subclass of its annotation maybe), else ``svc: UserService``."""
        provider = _provider(_default(func, arg))
        provided = self._provided(source, provider) if provider is not None else None
        if provided is not None or arg.annotation is None:
            return provided
        return self._declared(source, arg.annotation)

    def _value(
        self, source: Source, scope: Function | None, value: ast.expr, names: bool
    ) -> Located | None:
        """What an assigned value builds: ``Client(...)``, ``make_client()`` of a project
        function that returns one, ``client or Client()``; a name only when ``names`` (one hop:
        ``client = Client()`` then ``self.client = client``)."""
        found: list[Located | None] = []
        for part in _alternatives(value):
            if isinstance(part, ast.Call):
                found.append(self._provided(source, part.func))
            elif isinstance(part, ast.Name) and names:
                found.append(self._name(source, scope, part, False))
            elif not _is_none_or_quoted(part):
                found.append(None)
        return _agreed(found)

    def _provided(self, source: Source, provider: ast.expr) -> Located | None:
        """What calling ``provider`` gives: an instance of a project class it names, or of the
        one a project function it names returns."""
        built = self._resolver.resolve_class(source, provider)
        if built is not None:
            return built
        func = self._resolver.resolve(source, provider)
        return self.returned(*func) if func is not None else None

    def _declared(self, source: Source, annotation: ast.expr, hops: int = 0) -> Located | None:
        """The project class an annotation names, ``Optional``/``| None``/quotes aside; of an
        ``Annotated[..., Depends(provider)]``, what the provider gives when that is known."""
        node = _unquoted(annotation)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            kept = [p for p in (node.left, node.right) if not _is_none_or_quoted(p)]
            return self._declared(source, kept[0], hops) if len(kept) == 1 else None
        if isinstance(node, ast.Subscript):
            head = dotted(node.value).rsplit(".", 1)[-1]
            items = _items(node)
            if head == "Annotated" and items:
                providers = (_provider(m) for m in items[1:])
                provider = next((p for p in providers if p is not None), None)
                provided = self._provided(source, provider) if provider is not None else None
                return provided or self._declared(source, items[0], hops)
            if head in ("Optional", "Union"):
                kept = [i for i in items if not _is_none_or_quoted(i)]
                return self._declared(source, kept[0], hops) if len(kept) == 1 else None
            return None
        if not isinstance(node, ast.Name | ast.Attribute):
            return None
        found = self._resolver.resolve_class(source, node)
        if found is not None or hops >= _ALIAS_HOPS:
            return found
        # ``svc: UserServiceDep`` of ``UserServiceDep = Annotated[UserService, Depends(...)]``
        alias = self._resolver.named(source, node, module_bindings_of)
        if alias is None:
            return None
        where, bound = alias
        return _agreed([self._declared(where, v, hops + 1) for v in map(_alias_type, bound) if v])

    def _module_instance(self, source: Source, node: ast.Name | ast.Attribute) -> Located | None:
        """``mailer`` of a module-level ``mailer = Mailer()`` (or ``mailer: Mailer``), here or
        imported; ``services.mailer`` of ``from app import services``."""
        return self._once(
            ("instance", source.path, dotted(node)), lambda: self._instance(source, node)
        )

    def _instance(self, source: Source, node: ast.Name | ast.Attribute) -> Located | None:
        bound = self._resolver.named(source, node, module_bindings_of)
        if bound is None:
            return None
        where, values = bound
        return _agreed([self._bound(where, None, v) for v in values])

    def _attribute(self, source: Source, cls: ast.ClassDef, attr: str) -> Located | None:
        """``self.client``'s class: what the class's methods assign it, declare it as, or its
        ``@property`` returns. The bases are not read."""
        key = ("attribute", source.path, str(cls.lineno), str(cls.col_offset), attr)
        declarations = class_attributes(source, cls).get(attr, [])
        return self._once(
            key, lambda: _agreed([self._bound(source, scope, n) for scope, n in declarations])
        )

    def _bound(self, source: Source, scope: Function | None, node: ast.AST) -> Located | None:
        """The class of one binding: an assigned value, an annotated assignment, a property."""
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return self.returned(source, node)
        if isinstance(node, ast.AnnAssign):
            declared = self._declared(source, node.annotation)
            if declared is not None or node.value is None:
                return declared
            node = node.value
        if not isinstance(node, ast.expr):
            return None
        # In a method, a name is its parameter or local (``self.client = client``); at module
        # level, no second hop.
        return self._value(source, scope, node, scope is not None)


# Built once: tested of every node.
_ASSIGNS = ast.Assign | ast.AnnAssign


def local_bindings(source: Source, func: Function) -> dict[str, list[ast.AST]]:
    """Each name ``func`` binds and what binds it: the value assigned, the ``ast.arg`` of a
    parameter, else the binding node itself (a loop's target, an ``except ... as``, an
    import); asked for every call and attribute read in a route, so kept on the parse."""
    cache: dict[int, dict[str, list[ast.AST]]] = source.__dict__.setdefault(
        "_receiver_bindings", {}
    )
    found = cache.get(id(func))
    if found is not None:
        return found
    found = {}
    for n in source.nodes_of(func):
        if isinstance(n, _ASSIGNS) and n.value is not None:
            for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                if isinstance(t, ast.Name):
                    found.setdefault(t.id, []).append(n.value)
                else:  # ``a, b = ...``: neither is the value
                    _bind_names(found, t)
        elif isinstance(n, ast.arg):
            found.setdefault(n.arg, []).append(n)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            found.setdefault(n.name, []).append(n)
        elif isinstance(n, ast.alias):
            found.setdefault(n.asname or n.name.split(".")[0], []).append(n)
        else:
            for target in _other_targets(n):
                _bind_names(found, target)
    cache[id(func)] = found
    return found


def _bind_names(found: dict[str, list[ast.AST]], target: ast.AST) -> None:
    # The names stored to: ``a, *b``'s, not ``post``'s of ``post.views += 1``.
    for name in ast.walk(target):
        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
            found.setdefault(name.id, []).append(name)


# Built once: tested of every node.
_TARGETED = ast.For | ast.AsyncFor | ast.NamedExpr | ast.AugAssign


def _other_targets(node: ast.AST) -> list[ast.expr]:
    # A comprehension's target is its own scope's, not the function's.
    if isinstance(node, _TARGETED):
        return [node.target]
    if isinstance(node, WITHS):
        return [i.optional_vars for i in node.items if i.optional_vars is not None]
    return []


def module_bindings_of(source: Source, name: str) -> list[ast.AST] | None:
    """The module-level bindings of ``name``: each assigned value or annotated assignment,
    those of functions that declare it ``global`` too (None when it has none)."""
    table: dict[str, list[ast.AST]] | None = source.__dict__.get("_module_bindings")
    if table is None:
        table = {}
        module_level = [n for m in source.modules for n in own_nodes(m)]
        for node in module_level:
            _bind_module_name(table, node, None)
        for node in source.of(ast.Global):
            where = source.function_of(node)
            for inner in source.nodes_of(where) if where is not None else []:
                _bind_module_name(table, inner, set(node.names))
        source.__dict__["_module_bindings"] = table  # published whole
    return table.get(name)


def _bind_module_name(
    table: dict[str, list[ast.AST]], node: ast.AST, only: set[str] | None
) -> None:
    if isinstance(node, ast.Assign):
        for t in node.targets:
            if isinstance(t, ast.Name) and (only is None or t.id in only):
                table.setdefault(t.id, []).append(node.value)
    elif (
        isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and (only is None or node.target.id in only)
    ):
        table.setdefault(node.target.id, []).append(node)


def class_attributes(source: Source, cls: ast.ClassDef) -> dict[str, list[Declaration]]:
    """Each attribute the class declares (``client: Client``, ``client = Client()``), its
    methods assign to ``self`` or its ``@property`` methods give; kept on the parse."""
    cache: dict[int, dict[str, list[Declaration]]] = source.__dict__.setdefault(
        "_class_attributes", {}
    )
    found = cache.get(id(cls))
    if found is not None:
        return found
    found = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            found.setdefault(stmt.target.id, []).append((None, stmt))
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    found.setdefault(t.id, []).append((None, stmt.value))
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if any(dotted(d).rsplit(".", 1)[-1] in _PROPERTIES for d in stmt.decorator_list):
                found.setdefault(stmt.name, []).append((stmt, stmt))
                continue
            for n in source.nodes_of(stmt):
                if isinstance(n, ast.Assign):
                    for t in n.targets:
                        if isinstance(t, ast.Attribute) and is_self(t.value):
                            found.setdefault(t.attr, []).append((stmt, n.value))
                elif (
                    isinstance(n, ast.AnnAssign)
                    and isinstance(n.target, ast.Attribute)
                    and is_self(n.target.value)
                ):
                    found.setdefault(n.target.attr, []).append((stmt, n))
    cache[id(cls)] = found
    return found


def _agreed(found: list[Located | None]) -> Located | None:
    """The one class the known answers name (unknown ones aside), else None."""
    known = [f for f in found if f is not None]
    if not known or len({id(f[1]) for f in known}) != 1:
        return None
    return known[0]


def _is_none_or_quoted(node: ast.expr) -> bool:
    """``None``, or ``"None"`` (a part of a quoted annotation)."""
    return isinstance(node, ast.Constant) and node.value in (None, "None")


def _alternatives(value: ast.expr) -> list[ast.expr]:
    """The values an expression may give: ``a or b``'s, ``a if c else b``'s, ``await a``'s."""
    if isinstance(value, ast.Await):
        return _alternatives(value.value)
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
        return [v for part in value.values for v in _alternatives(part)]
    if isinstance(value, ast.IfExp):
        return [*_alternatives(value.body), *_alternatives(value.orelse)]
    return [value]


def _unquoted(annotation: ast.expr) -> ast.expr:
    """``"UserService"`` -> the expression it spells (kept on the node: its text never
    changes); anything else as it is."""
    if not (isinstance(annotation, ast.Constant) and isinstance(annotation.value, str)):
        return annotation
    parsed: ast.expr | None = annotation.__dict__.get("_unquoted")
    if parsed is None:
        try:
            parsed = ast.parse(annotation.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            parsed = ast.Constant(None)
        annotation.__dict__["_unquoted"] = parsed
    return parsed


def _items(node: ast.Subscript) -> list[ast.expr]:
    return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]


def _yielded(returns: ast.expr | None) -> ast.expr | None:
    """``Generator[UserService, None, None]`` / ``Iterator[UserService]`` -> UserService."""
    node = _unquoted(returns) if returns is not None else None
    if isinstance(node, ast.Subscript) and dotted(node.value).rsplit(".", 1)[-1] in _GENERATORS:
        items = _items(node)
        return items[0] if items else None
    return None


def _alias_type(bound: ast.AST) -> ast.expr | None:
    """The type a module-level name aliases: ``X = Annotated[...]``'s, ``X: TypeAlias = Y``'s
    (a call builds an instance: no type)."""
    value = bound.value if isinstance(bound, ast.AnnAssign) else bound
    if isinstance(value, ast.Subscript | ast.Name | ast.Attribute | ast.Constant):
        return value
    return None


def _provider(default: ast.expr | None) -> ast.expr | None:
    """``get_user_service`` of ``Depends(get_user_service)`` (``Depends()`` has none: the
    annotation's class is called)."""
    if not (
        isinstance(default, ast.Call) and dotted(default.func).rsplit(".", 1)[-1] in _PROVIDERS
    ):
        return None
    if default.args:
        return default.args[0]
    return next((k.value for k in default.keywords if k.arg == "dependency"), None)


def _parameters(func: Function) -> list[ast.arg]:
    a = func.args
    return [*a.posonlyargs, *a.args, *a.kwonlyargs]


def _default(func: Function, arg: ast.arg) -> ast.expr | None:
    a = func.args
    positional = [*a.posonlyargs, *a.args]
    if arg in positional:
        at = positional.index(arg) - (len(positional) - len(a.defaults))
        return a.defaults[at] if at >= 0 else None
    if arg in a.kwonlyargs:
        return a.kw_defaults[a.kwonlyargs.index(arg)]
    return None
