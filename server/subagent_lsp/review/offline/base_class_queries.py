"""The query a project's generic base class builds from what its caller passes: a Flask
controller's ``ArticleController(user_id).read(readed=False)`` over a base that turns keyword
arguments into ``getattr(self._db_cls, key) == value`` (and adds the owner's ``user_id``), a
FastAPI ``BaseCRUD``'s ``crud.fetch_all(filters=[("camera_id", cam)], order_by="created_at")``
over ``select(self.model).where(getattr(self.model, k) == v)``, a repository's
``find_one(**filter_by)`` over ``select(self.model).filter_by(**filter_by)`` reached through a
unit of work (``uow.users.find_one(email=e)``, or a service classmethod's
``uow.__dict__[cls.base_repository].find_one(**kwargs)``). No query is written anywhere with its
columns: the routes name them as strings or keywords, the base names none (three blind reviews
of real apps named these their hottest unindexed reads, missed).

The method is read as Python runs it, on what the call writes: its literal arguments (and a
list or dict the calling function binds once to a literal), the receiver built as the route
builds it (``__init__`` read on its constructor's arguments, else on unknown ones), its class
attributes along the project's bases, a repository a unit of work holds (the one class every
declaration of the attribute names, built as it is built; a parameter typed as such a unit of
work is one), ``self.``/``super()`` calls into other methods, loops over the literal filters,
``if``s decided by them. The result is the chain the base would have
written by hand, ``select(Detection).where(Detection.camera_id == cam)...``, for the ordinary
query reader, at the call. An ``if`` no literal decides counts as taken (as a query built step
by step does), unless it only raises. Anything else the reading does not follow -- a column
name that is no literal, a loop over an unknown list, a ``while`` -- gives nothing; so does a
query whose model is not the receiver's (a service method's own query is read where it is).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from .pysource import Source, dotted, method_of, own_nodes
from .receiver_classes import Located, class_attributes, local_bindings, module_bindings_of
from .upstream_calls import MAX_BASES_DEPTH, UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef
_MAX_STEPS = 600  # statements and expressions read for one call: a CRUD method is short
_MAX_CALLS = 8  # methods deep (``read`` -> ``_get`` -> ``_to_filters``)
_MAX_ITEMS = 32  # a literal list of filters, unrolled
# Decorators that leave a method doing what its body says.
_DECORATORS = {"staticmethod", "classmethod", "property", "abstractmethod", "cached_property"}
_TYPES = {"list": list, "tuple": tuple, "dict": dict, "set": set, "str": str, "int": int}
_CONVERSIONS = {"int": int, "str": str, "float": float, "bool": bool}
_STRING_TESTS = ("startswith", "endswith")


@dataclass
class Inlined:
    """What a call of a base class's method queries."""

    query: ast.Call  # the chain the base builds, written where the call is
    continued: bool  # the method hands the query back: the caller's chain goes on with it


@dataclass
class _Seq:
    items: list[Value]
    kind: str = "list"


@dataclass
class _Map:
    items: dict[str, Value] = field(default_factory=dict)


@dataclass
class _Obj:
    mro: list[Located]
    attrs: dict[str, Value] = field(default_factory=dict)


@dataclass
class _Super:
    obj: _Obj
    after: int  # the index in the receiver's classes of the class whose method calls it


Value = ast.expr | _Seq | _Map | _Obj | _Super
_Evaluator = Callable[[ast.expr], Value]


@dataclass
class _Frame:
    obj: _Obj | None
    index: int  # the class (in ``obj.mro``) defining the method read
    env: dict[str, Value]


class _Stop(Exception):
    """A construct the reading does not follow: the call gives no query."""


class _Raised(Exception):
    def __init__(self, kind: str = "") -> None:
        self.kind = kind  # the exception's class, when the reading knows it


class _Returned(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class BaseClassQueries:
    """Reads calls of the project's generic CRUD methods; one per analysis (the classes'
    bases are kept for the file's calls)."""

    def __init__(self, upstream: UpstreamCalls, models: Iterable[str]) -> None:
        self.upstream = upstream
        self.models = frozenset(models)
        self._mros: dict[tuple[str, int], list[Located]] = {}
        self._held: dict[tuple[str, int, str], Located | None] = {}

    def query_of(self, source: Source, call: ast.Call) -> Inlined | None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        located = self.upstream.receiver_class(source, call, func.value)
        named_class = False
        holder: Located | None = None
        if located is None and isinstance(func.value, ast.Attribute):
            # ``uow.users.find_one(email=e)``: the repository a unit of work holds
            holder = self.upstream.receiver_class(source, call, func.value.value)
            located = self.held(holder, func.value.attr) if holder is not None else None
        if located is None and isinstance(func.value, ast.Name | ast.Attribute):
            # ``UserService.get_one(uow=uow, email=e)``: a classmethod of the class named
            located = self.upstream.resolve_class(source, func.value)
            named_class = located is not None
        if located is None:
            return None
        mro = self.mro(located)
        found = _lookup(mro, func.attr, 0)
        if found is None or not _plain(found[1]):
            return None
        if named_class and not _on_class(found[1]):
            return None
        if not any(_generic(*c) for c in mro) and not _hands_on_keywords(found[1]):
            return None
        reading = _Reading(self, source)
        try:
            return reading.call_site(mro, found, call, func.value, named_class, holder)
        except (_Stop, _Raised, _Returned, _Break, _Continue, RecursionError):
            return None

    def held(self, owner: Located, attr: str) -> Located | None:
        key = (owner[0].path, owner[1].lineno, attr)
        if key not in self._held:
            self._held[key] = self._held_class(owner, attr)
        return self._held[key]

    def _held_class(self, owner: Located, attr: str) -> Located | None:
        """The generic repository class an instance attribute of ``owner``'s class holds: what
        every declaration along its bases names (``users: UserRepository``, ``self.users =
        UserRepository(session)`` in ``__aenter__``). None when one names anything else or
        nothing known (a guess would put another model's columns in the query), or when the
        class reads no model it holds (a service, a client: their calls are read where they
        are written)."""
        classes: list[Located] = []
        for where, cls in self.mro(owner):
            for _, node in class_attributes(where, cls).get(attr, []):
                named = _declared_class(node)
                if named is None:
                    if isinstance(node, ast.Constant) and node.value is None:
                        continue  # ``users = None`` until the session opens
                    return None
                found = self.upstream.resolve_class(where, named)
                if found is None:
                    return None
                classes.append(found)
        if not classes or len({id(c[1]) for c in classes}) != 1:
            return None
        held = classes[0]
        return held if any(_generic(*c) for c in self.mro(held)) else None

    def mro(self, located: Located) -> list[Located]:
        key = (located[0].path, located[1].lineno)
        known = self._mros.get(key)
        if known is None:
            known = self._mros[key] = []
            self._linearize(located, known, 0)
        return known

    def _linearize(self, located: Located, out: list[Located], depth: int) -> None:
        if depth > MAX_BASES_DEPTH or any(c[1] is located[1] for c in out):
            return
        out.append(located)
        source, cls = located
        for base in cls.bases:
            named = base.value if isinstance(base, ast.Subscript) else base  # ``Base[Model]``
            parent = self.upstream.resolve_class(source, named)
            if parent is not None:
                self._linearize(parent, out, depth + 1)


class _Reading:
    """One call read: the steps taken and the values the receiver's attributes gave."""

    def __init__(self, queries: BaseClassQueries, source: Source) -> None:
        self._queries = queries
        self._source = source
        self._steps = 0
        self._depth = 0
        self._executed: list[ast.Call] = []
        self._receivers: set[int] = set()  # ids of the models read off the receiver

    def call_site(
        self,
        mro: list[Located],
        found: tuple[int, Function],
        call: ast.Call,
        receiver: ast.expr,
        named_class: bool = False,
        holder: Located | None = None,
    ) -> Inlined | None:
        scope = self._source.function_of(call)
        func = scope if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef) else None
        obj: Value
        if named_class:  # a class named as the receiver is no instance: no ``__init__`` ran
            obj = _Obj(mro)
        elif holder is not None and isinstance(receiver, ast.Attribute):
            # the repository as its holder builds it (``SqlRepository(Member, session)``)
            obj = self._attribute(_Obj(self._queries.mro(holder)), receiver.attr)
        else:
            obj = self._receiver(mro, func, receiver)
        if not isinstance(obj, _Obj):
            return None
        args, kwargs = self._arguments(call, lambda e: _caller_value(self._source, func, e))
        result = self._invoke(obj, *found, args, kwargs)
        if isinstance(result, ast.Call) and self._from_receiver(result):
            return Inlined(_written_at(result, call), True)
        executed = {id(q): q for q in self._executed if self._from_receiver(q)}
        if len(executed) == 1:
            return Inlined(_written_at(next(iter(executed.values())), call), False)
        return None

    def _from_receiver(self, query: ast.Call) -> bool:
        """The query reads the receiver's model: by its entity (``select(self.model)``) or its
        columns (``getattr(self._db_cls, key) == value``); a method's own query of a model it
        names is read where it is written."""
        entity = _entity(query)
        if entity is None:
            return False
        return id(entity) in self._receivers or any(
            isinstance(n, ast.Attribute) and id(n.value) in self._receivers for n in ast.walk(query)
        )

    # The receiver and its construction

    def _receiver(self, mro: list[Located], func: Function | None, receiver: ast.expr) -> _Obj:
        """The receiver, its ``__init__`` read on the arguments the call that built it passes
        (``ArticleController(current_user.id)``, ``art = ArticleController(...)`` before,
        ``crud = CRUDItem(Item)`` at module level), else on unknown ones."""
        obj = _Obj(mro)
        built = self._construction(func, receiver)
        if built is not None:
            # ``make_controller(user)``: a factory's arguments are not its ``__init__``'s
            made = self._queries.upstream.resolve_class(built[0], built[2].func)
            built = built if made is not None and made[1] is mro[0][1] else None
        init = _lookup(mro, "__init__", 0)
        if init is None:
            return obj
        if built is None:
            self._invoke(obj, *init, [], {}, unknown_missing=True)
            return obj
        where, scope, construction = built
        args, kwargs = self._arguments(construction, lambda e: _caller_value(where, scope, e))
        self._invoke(obj, *init, args, kwargs)
        return obj

    def _construction(
        self, func: Function | None, receiver: ast.expr
    ) -> tuple[Source, Function | None, ast.Call] | None:
        if isinstance(receiver, ast.Call):
            return self._source, func, receiver
        if isinstance(receiver, ast.Name) and func is not None:
            bound = local_bindings(self._source, func).get(receiver.id)
            if bound is not None:
                if len(bound) == 1 and isinstance(bound[0], ast.Call):
                    return self._source, func, bound[0]
                return None
        if isinstance(receiver, ast.Name | ast.Attribute):
            named = self._queries.upstream.named(self._source, receiver, module_bindings_of)
            if named is not None and len(named[1]) == 1:
                bound_to = named[1][0]
                value = bound_to.value if isinstance(bound_to, ast.AnnAssign) else bound_to
                if isinstance(value, ast.Call):
                    return named[0], None, value
        return None

    # Calls

    def _arguments(
        self, call: ast.Call, value_of: _Evaluator
    ) -> tuple[list[Value], dict[str, Value]]:
        args: list[Value] = []
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                args.extend(_items(value_of(arg.value)))
            else:
                args.append(value_of(arg))
        kwargs: dict[str, Value] = {}
        for kw in call.keywords:
            value = value_of(kw.value)
            if kw.arg is not None:
                kwargs[kw.arg] = value
            elif isinstance(value, _Map):
                kwargs.update(value.items)
            else:
                raise _Stop  # ``**filters`` of keys the reading cannot see
        return args, kwargs

    def _invoke(
        self,
        obj: _Obj | None,
        index: int,
        method: Function,
        args: list[Value],
        kwargs: dict[str, Value],
        unknown_missing: bool = False,
    ) -> Value:
        if self._depth >= _MAX_CALLS:
            raise _Stop
        env = _bound(method, obj, args, kwargs, unknown_missing)
        if obj is not None:
            self._typed_parameters(method, obj.mro[index][0], env)
        self._depth += 1
        try:
            self._run(method.body, _Frame(obj, index, env))
        except _Returned as returned:
            return returned.value
        finally:
            self._depth -= 1
        return ast.Constant(None)

    def _typed_parameters(self, method: Function, where: Source, env: dict[str, Value]) -> None:
        """``uow: UnitOfWork``: a parameter whose class holds generic repositories is an
        instance of it, so that ``uow.users`` (or ``uow.__dict__[cls.repo]``) reads the
        repository's model. Only such classes: a parameter typed as a model or a service
        stays the caller's value (``user.id`` is the caller's user's id)."""
        a = method.args
        for param in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
            value = env.get(param.arg)
            if param.annotation is None or not isinstance(value, ast.Name | ast.Attribute):
                continue
            named = _annotated_class(param.annotation)
            found = self._queries.upstream.resolve_class(where, named) if named else None
            if found is not None and self._holds_repositories(found):
                env[param.arg] = _Obj(self._queries.mro(found))

    def _holds_repositories(self, located: Located) -> bool:
        return any(
            self._queries.held(located, attr) is not None
            for where, cls in self._queries.mro(located)
            for attr in class_attributes(where, cls)
        )

    def _method_call(
        self, obj: _Obj, start: int, name: str, call: ast.Call, frame: _Frame
    ) -> Value | None:
        found = _lookup(obj.mro, name, start)
        if found is None:
            return None
        if not _plain(found[1]):
            raise _Stop
        args, kwargs = self._arguments(call, lambda e: self._eval(e, frame))
        return self._invoke(obj, *found, args, kwargs)

    # Statements

    def _run(self, body: list[ast.stmt], frame: _Frame) -> None:
        for stmt in body:
            self._tick()
            self._statement(stmt, frame)

    def _statement(self, stmt: ast.stmt, frame: _Frame) -> None:
        if isinstance(stmt, ast.Expr):
            self._eval(stmt.value, frame)
        elif isinstance(stmt, ast.Assign):
            value = self._eval(stmt.value, frame)
            for target in stmt.targets:
                self._assign(target, value, frame)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self._assign(stmt.target, self._eval(stmt.value, frame), frame)
        elif isinstance(stmt, ast.If):
            self._if(stmt, frame)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            self._for(stmt, frame)
        elif isinstance(stmt, ast.Return):
            value = self._eval(stmt.value, frame) if stmt.value else ast.Constant(None)
            raise _Returned(value)
        elif isinstance(stmt, ast.Raise):
            raise _Raised
        elif isinstance(stmt, ast.Try):
            self._try(stmt, frame)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                value = self._eval(item.context_expr, frame)
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, _opaque(value), frame)
            self._run(stmt.body, frame)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            for alias in stmt.names:  # a method's own import: a name like a module's
                name = alias.asname or alias.name.split(".")[0]
                frame.env[name] = ast.Name(name, ast.Load())
        elif isinstance(stmt, ast.Break):
            raise _Break
        elif isinstance(stmt, ast.Continue):
            raise _Continue
        elif not isinstance(stmt, ast.Pass | ast.Assert):
            raise _Stop  # a ``while``, ``del``, a nested ``def``...: not followed

    def _if(self, stmt: ast.If, frame: _Frame) -> None:
        truth = _truth(self._eval(stmt.test, frame))
        if truth is None:
            # Undecided: the branch that only raises is the error path; else the step is taken
            truth = not _raises(stmt.body)
        self._run(stmt.body if truth else stmt.orelse, frame)

    def _for(self, stmt: ast.For | ast.AsyncFor, frame: _Frame) -> None:
        items = _items(self._eval(stmt.iter, frame))
        if len(items) > _MAX_ITEMS:
            raise _Stop
        for item in items:
            self._assign(stmt.target, item, frame)
            try:
                self._run(stmt.body, frame)
            except _Break:
                return
            except _Continue:
                continue
        self._run(stmt.orelse, frame)

    def _try(self, stmt: ast.Try, frame: _Frame) -> None:
        try:
            self._run(stmt.body, frame)
        except _Raised as raised:
            handler = next((h for h in stmt.handlers if _catches(h, raised.kind)), None)
            if handler is None:
                raise
            self._run(handler.body, frame)
        else:
            self._run(stmt.orelse, frame)
        self._run(stmt.finalbody, frame)

    def _assign(self, target: ast.expr, value: Value, frame: _Frame) -> None:
        if isinstance(target, ast.Name):
            frame.env[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            items = _items(value)
            if len(items) != len(target.elts) or any(
                isinstance(e, ast.Starred) for e in target.elts
            ):
                raise _Stop
            for element, item in zip(target.elts, items, strict=True):
                self._assign(element, item, frame)
        elif isinstance(target, ast.Subscript):
            container = self._eval(target.value, frame)
            key = self._eval(target.slice, frame)
            if isinstance(container, _Map) and _is_str(key):
                container.items[key.value] = value  # type: ignore[union-attr]
            elif isinstance(container, _Seq | _Map | _Obj | _Super):
                raise _Stop
            # an item of another object (a row's, a response's): not the query's
        elif isinstance(target, ast.Attribute):
            owner = self._eval(target.value, frame)
            if isinstance(owner, _Obj):
                owner.attrs[target.attr] = value
            # an attribute of another object (a row's): not the query's
        else:
            raise _Stop

    # Expressions

    def _eval(self, node: ast.expr, frame: _Frame) -> Value:
        self._tick()
        if isinstance(node, ast.Constant):
            return node
        if isinstance(node, ast.Name):
            return frame.env.get(node.id, node)
        if isinstance(node, ast.Attribute):
            return self._attribute(self._eval(node.value, frame), node.attr)
        if isinstance(node, ast.Call):
            return self._call(node, frame)
        if isinstance(node, ast.Await):
            return self._eval(node.value, frame)
        if isinstance(node, ast.Compare):
            return self._compare(node, frame)
        if isinstance(node, ast.BoolOp):
            return self._bool(node, frame)
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, frame)
            if isinstance(node.op, ast.Not):
                truth = _truth(operand)
                return ast.Constant(not truth) if truth is not None else _opaque(operand)
            if (
                isinstance(node.op, ast.USub)
                and isinstance(operand, ast.Constant)
                and isinstance(operand.value, int | float)
                and not isinstance(operand.value, bool)
            ):
                return ast.Constant(-operand.value)
            return ast.UnaryOp(node.op, _opaque(operand))
        if isinstance(node, ast.Subscript):
            return self._subscript(node, frame)
        if isinstance(node, ast.IfExp):
            truth = _truth(self._eval(node.test, frame))
            return self._eval(node.body if truth in (True, None) else node.orelse, frame)
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            kind = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set"}[type(node)]
            items: list[Value] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    items.extend(_items(self._eval(element.value, frame)))
                else:
                    items.append(self._eval(element, frame))
            return _Seq(items, kind)
        if isinstance(node, ast.Dict):
            out = _Map()
            for key, value in zip(node.keys, node.values, strict=True):
                evaluated = self._eval(value, frame)
                if key is None and isinstance(evaluated, _Map):
                    out.items.update(evaluated.items)
                    continue
                name = self._eval(key, frame) if key is not None else None
                if not _is_str(name):
                    raise _Stop
                out.items[name.value] = evaluated  # type: ignore[union-attr]
            return out
        if isinstance(node, ast.BinOp):
            return ast.BinOp(
                _opaque(self._eval(node.left, frame)),
                node.op,
                _opaque(self._eval(node.right, frame)),
            )
        if isinstance(node, ast.ListComp | ast.GeneratorExp):
            unrolled = self._comprehension(node, frame)
            if unrolled is not None:
                return unrolled
        return ast.Name("_", ast.Load())  # a comprehension, a lambda...: some value

    def _comprehension(self, node: ast.ListComp | ast.GeneratorExp, frame: _Frame) -> Value | None:
        """``[getattr(self.model, k) == v for k, v in filters.items()]``: one element per item
        of a list or the keyword arguments the reading holds, for ``where(*...)``. Only over a
        name or its ``items()``/``keys()``/``values()`` (nothing else runs to find the items)
        and with one ``for``; else it is some value (None)."""
        if len(node.generators) != 1:
            return None
        loop = node.generators[0]
        source = loop.iter
        if (
            isinstance(source, ast.Call)
            and isinstance(source.func, ast.Attribute)
            and source.func.attr in ("items", "keys", "values")
            and not source.args
            and isinstance(source.func.value, ast.Name)
        ) or isinstance(source, ast.Name):
            iterated = self._eval(source, frame)
        else:
            return None
        if loop.is_async or not isinstance(iterated, _Seq | _Map):
            return None
        items = _items(iterated)
        if len(items) > _MAX_ITEMS:
            raise _Stop
        out: list[Value] = []
        inner = _Frame(frame.obj, frame.index, dict(frame.env))
        for item in items:
            self._assign(loop.target, item, inner)
            # (an ``if v is not None`` no literal decides keeps the element, as an ``if``
            # statement's step is taken)
            if all(_truth(self._eval(t, inner)) is not False for t in loop.ifs):
                out.append(self._eval(node.elt, inner))
        return _Seq(out)

    def _attribute(self, owner: Value, name: str) -> Value:
        if isinstance(owner, _Obj):
            known = owner.attrs.get(name)
            value = known if known is not None else self._class_attribute(owner, name)
            if isinstance(value, ast.Name) and value.id in self._queries.models:
                self._receivers.add(id(value))
            return value
        if isinstance(owner, _Super | _Seq | _Map):
            raise _Stop
        return ast.Attribute(owner, name, ast.Load())

    def _class_attribute(self, obj: _Obj, name: str) -> Value:
        for index, (_, cls) in enumerate(obj.mro):
            for stmt in cls.body:
                value = _class_level(stmt, name)
                if value is not None:
                    return value
                if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == name:
                    if not any(dotted(d).endswith("property") for d in stmt.decorator_list):
                        raise _Stop  # a bound method handed on, not called
                    return self._invoke(obj, index, stmt, [], {})
        held = self._queries.held(obj.mro[0], name)
        if held is not None:
            # ``self.users = UserRepository(self.session)`` where the unit of work opens:
            # the repository, built on a session the reading does not need to know
            repository = _Obj(self._queries.mro(held))
            init = _lookup(repository.mro, "__init__", 0)
            if init is not None:
                built = _built(obj.mro, name)
                if built is None:
                    self._invoke(repository, *init, [], {}, unknown_missing=True)
                else:  # ``SqlRepository(Member, self.session)``: the model its caller hands
                    args, kwargs = self._arguments(built, lambda e: _caller_value(None, None, e))
                    self._invoke(repository, *init, args, kwargs)
            obj.attrs[name] = repository
            return repository
        return ast.Attribute(ast.Name("self", ast.Load()), name, ast.Load())

    def _call(self, node: ast.Call, frame: _Frame) -> Value:
        func = node.func
        value_of: _Evaluator = lambda e: self._eval(e, frame)  # noqa: E731
        callee: Value
        if isinstance(func, ast.Name) and func.id not in frame.env:
            if func.id == "super" and not node.args and frame.obj is not None:
                return _Super(frame.obj, frame.index)
            args, kwargs = self._arguments(node, value_of)
            builtin = self._builtin(func.id, args, kwargs)
            if builtin is not None:
                return builtin
            return self._opaque_call(func, args, kwargs)
        if isinstance(func, ast.Attribute):
            owner = self._eval(func.value, frame)
            if isinstance(owner, _Obj | _Super):
                obj = owner if isinstance(owner, _Obj) else owner.obj
                start = 0 if isinstance(owner, _Obj) else owner.after + 1
                called = self._method_call(obj, start, func.attr, node, frame)
                if called is not None:
                    return called
                if isinstance(owner, _Super):
                    return ast.Constant(None)  # ``super().__init__()`` of a class outside
            else:
                handled = _container_method(owner, func.attr, node, value_of)
                if handled is not None:
                    return handled
            callee = self._attribute(owner, func.attr)
        else:
            callee = self._eval(func, frame)
        args, kwargs = self._arguments(node, value_of)
        return self._opaque_call(callee, args, kwargs)

    def _opaque_call(self, callee: Value, args: list[Value], kwargs: dict[str, Value]) -> Value:
        """A call of something outside the reading (``session.exec(statement)``, ``desc(c)``):
        written out; a query handed to it is one the method runs."""
        for value in [*args, *kwargs.values()]:
            if isinstance(value, ast.Call) and _is_query(value):
                self._executed.append(value)
        return ast.Call(
            _opaque(callee),
            [_opaque(a) for a in args],
            [ast.keyword(k, _opaque(v)) for k, v in kwargs.items()],
        )

    def _builtin(self, name: str, values: list[Value], kwargs: dict[str, Value]) -> Value | None:
        if kwargs:
            return None
        if name == "getattr" and len(values) in (2, 3):
            if not _is_str(values[1]):
                raise _Stop  # a column named by something no literal says
            return self._attribute(values[0], values[1].value)  # type: ignore[union-attr]
        if name == "isinstance" and len(values) == 2:
            return _isinstance(values[0], values[1])
        if name == "len" and len(values) == 1 and isinstance(values[0], _Seq | _Map):
            return ast.Constant(len(values[0].items))
        if name in ("list", "tuple", "set", "dict") and len(values) <= 1:
            if not values:
                return _Map() if name == "dict" else _Seq([], name)
            if isinstance(values[0], _Map) and name == "dict":
                return _Map(dict(values[0].items))
            if isinstance(values[0], _Seq | _Map) and name != "dict":
                return _Seq(list(_items(values[0])), name)
            return None
        if name in _CONVERSIONS and len(values) == 1 and isinstance(values[0], ast.Constant):
            try:
                return ast.Constant(_CONVERSIONS[name](values[0].value))
            except (TypeError, ValueError) as error:
                raise _Raised(type(error).__name__) from error  # ``int(None)``'s TypeError
        return None

    def _compare(self, node: ast.Compare, frame: _Frame) -> Value:
        left = self._eval(node.left, frame)
        rights = [self._eval(c, frame) for c in node.comparators]
        if (
            len(rights) == 1
            and isinstance(left, ast.Constant)
            and isinstance(rights[0], ast.Constant)
        ):
            folded = _folded_compare(left.value, node.ops[0], rights[0].value)
            if folded is not None:
                return ast.Constant(folded)
        if len(rights) == 1 and isinstance(node.ops[0], ast.In | ast.NotIn):
            inside = _membership(left, rights[0])
            if inside is not None:
                return ast.Constant(inside == isinstance(node.ops[0], ast.In))
        return ast.Compare(_opaque(left), node.ops, [_opaque(r) for r in rights])

    def _bool(self, node: ast.BoolOp, frame: _Frame) -> Value:
        """``a and b``: its value where each operand decides (``a or b`` likewise)."""
        stop_at = isinstance(node.op, ast.Or)
        undecided = False
        value: Value = ast.Constant(None)
        for operand in node.values:
            value = self._eval(operand, frame)
            truth = _truth(value)
            if truth is None:
                undecided = True
            elif truth == stop_at:
                return value
        return ast.Name("_", ast.Load()) if undecided else value

    def _subscript(self, node: ast.Subscript, frame: _Frame) -> Value:
        if isinstance(node.value, ast.Attribute) and node.value.attr == "__dict__":
            # ``uow.__dict__[cls.base_repository]``: the attribute the key names
            owner = self._eval(node.value.value, frame)
            if isinstance(owner, _Obj):
                key = self._eval(node.slice, frame)
                if not _is_str(key):
                    raise _Stop
                return self._attribute(owner, key.value)  # type: ignore[union-attr]
        container = self._eval(node.value, frame)
        if isinstance(node.slice, ast.Slice):
            bounds = [
                self._eval(b, frame) if b is not None else ast.Constant(None)
                for b in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            if (
                isinstance(container, ast.Constant)
                and isinstance(container.value, str)
                and all(isinstance(b, ast.Constant) for b in bounds)
            ):
                lower, upper, step = (b.value for b in bounds)  # type: ignore[union-attr]
                try:
                    return ast.Constant(container.value[slice(lower, upper, step)])
                except (TypeError, ValueError) as error:
                    raise _Stop from error
            raise _Stop
        key = self._eval(node.slice, frame)
        if isinstance(container, _Seq) and isinstance(key, ast.Constant):
            if isinstance(key.value, int) and -len(container.items) <= key.value < len(
                container.items
            ):
                return container.items[key.value]
            raise _Stop
        if isinstance(container, _Map) and _is_str(key):
            if key.value not in container.items:  # type: ignore[union-attr]
                raise _Stop
            return container.items[key.value]  # type: ignore[union-attr]
        if isinstance(container, _Seq | _Map | _Obj | _Super):
            raise _Stop
        return ast.Subscript(container, _opaque(key), ast.Load())

    def _tick(self) -> None:
        self._steps += 1
        if self._steps > _MAX_STEPS:
            raise _Stop


def _caller_value(source: Source | None, func: Function | None, node: ast.expr) -> Value:
    """What an argument the caller writes is: a literal (``[("camera_id", cam)]``, a list
    the caller binds once to one and never changes), else itself, whose value is the
    caller's to know."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        kind = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set"}[type(node)]
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return node
        return _Seq([_caller_value(source, func, e) for e in node.elts], kind)
    if isinstance(node, ast.Dict):
        if not all(_is_str(k) for k in node.keys):
            return node
        return _Map(
            {
                k.value: _caller_value(source, func, v)  # type: ignore[union-attr]
                for k, v in zip(node.keys, node.values, strict=True)
            }
        )
    if isinstance(node, ast.Name) and source is not None and func is not None:
        bound = local_bindings(source, func).get(node.id, [])
        if (
            len(bound) == 1
            and isinstance(bound[0], ast.List | ast.Tuple | ast.Dict)
            and not _changed(source, func, node.id)
        ):
            return _caller_value(source, func, bound[0])
    return node


def _changed(source: Source, func: Function, name: str) -> bool:
    """The caller's list may change after it is built: a method called on it, an item set."""
    return any(
        isinstance(n, ast.Attribute | ast.Subscript)
        and isinstance(n.value, ast.Name)
        and n.value.id == name
        for n in source.nodes_of(func)
    )


def _bound(
    method: Function,
    obj: _Obj | None,
    args: list[Value],
    kwargs: dict[str, Value],
    unknown_missing: bool,
) -> dict[str, Value]:
    """The method's parameters bound as Python binds them to the call's arguments."""
    a = method.args
    positional = [p.arg for p in (*a.posonlyargs, *a.args)]
    defaults = dict(zip(reversed(positional), reversed(a.defaults), strict=False))
    defaults.update(
        (p.arg, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is not None
    )
    static = any(dotted(d) == "staticmethod" for d in method.decorator_list)
    env: dict[str, Value] = {}
    if not static:
        if not positional or obj is None:
            raise _Stop
        env[positional[0]] = obj
        positional = positional[1:]
    if len(args) > len(positional) and a.vararg is None:
        raise _Stop
    env.update(zip(positional, args, strict=False))
    if a.vararg is not None:
        env[a.vararg.arg] = _Seq(args[len(positional) :], "tuple")
    rest = _Map()
    names = {*positional, *(p.arg for p in a.kwonlyargs)}
    for key, value in kwargs.items():
        if key in env and key in names:
            raise _Stop
        if key in names:
            env[key] = value
        elif a.kwarg is not None:
            rest.items[key] = value
        else:
            raise _Stop
    if a.kwarg is not None:
        env[a.kwarg.arg] = rest
    for name in names - env.keys():
        if unknown_missing:
            env[name] = ast.Name(name, ast.Load())
        elif name in defaults:
            env[name] = _caller_value(None, None, defaults[name])
        else:
            raise _Stop  # the call would fail
    return env


def _generic(source: Source, cls: ast.ClassDef) -> bool:
    """The class queries a model its instance holds (``select(self.model)``,
    ``self._db_cls.query``, ``getattr(self.model, name)``): what makes a call of its methods
    worth reading (a service's own queries are read where they are written). Kept on the
    parse: asked for every method call whose receiver is a project class."""
    cache: dict[int, bool] = source.__dict__.setdefault("_generic_classes", {})
    known = cache.get(id(cls))
    if known is None:
        known = cache[id(cls)] = any(_reads_held_model(n) for n in ast.walk(cls))
    return known


def _built(mro: list[Located], attr: str) -> ast.Call | None:
    """The one call that builds an instance attribute (``self.members =
    MemberRepository(self.session)``), None when none or several do."""
    calls = [
        node
        for where, cls in mro
        for _, node in class_attributes(where, cls).get(attr, [])
        if isinstance(node, ast.Call)
    ]
    return calls[0] if len(calls) == 1 else None


def _hands_on_keywords(method: Function) -> bool:
    """``async def get_one(cls, uow, **kwargs): ... repo.get_one(**kwargs)``: a service
    method handing its keyword arguments on to a call, a repository's maybe."""
    rest = method.args.kwarg
    return rest is not None and any(
        isinstance(n, ast.keyword)
        and n.arg is None
        and isinstance(n.value, ast.Name)
        and n.value.id == rest.arg
        for n in own_nodes(method)
    )


def _on_class(method: Function) -> bool:
    return any(
        dotted(d).rsplit(".", 1)[-1] in ("classmethod", "staticmethod")
        for d in method.decorator_list
    )


def _declared_class(node: ast.AST) -> ast.expr | None:
    """The class expression a declaration names: an annotation's (``users: UserRepository``),
    else what an assignment calls (``UserRepository(session)``)."""
    if isinstance(node, ast.AnnAssign):
        named = _annotated_class(node.annotation)
        return named if named is not None or node.value is None else _declared_class(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
        return node.func
    return None


def _annotated_class(annotation: ast.expr) -> ast.expr | None:
    """``UserRepository`` of ``UserRepository``, ``UserRepository | None``,
    ``Optional[UserRepository]``; None for anything else."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        kept = [
            p
            for p in (annotation.left, annotation.right)
            if not (isinstance(p, ast.Constant) and p.value is None)
        ]
        annotation = kept[0] if len(kept) == 1 else annotation
    if (
        isinstance(annotation, ast.Subscript)
        and dotted(annotation.value).rsplit(".", 1)[-1] == "Optional"
    ):
        annotation = annotation.slice
    return annotation if isinstance(annotation, ast.Name | ast.Attribute) else None


def _reads_held_model(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "query":
        return _held(node.value)
    if isinstance(node, ast.Call) and node.args:
        name = dotted(node.func).rsplit(".", 1)[-1]
        return name in ("getattr", "select", "query") and _held(node.args[0])
    return False


def _held(node: ast.expr) -> bool:
    """``self.model`` / ``cls._db_cls``."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    )


def _lookup(mro: list[Located], name: str, start: int) -> tuple[int, Function] | None:
    for index in range(start, len(mro)):
        method = method_of(mro[index][1], name)
        if method is not None:
            return index, method
    return None


def _plain(method: Function) -> bool:
    """No decorator that changes what the method does with its arguments."""
    return all(dotted(d).rsplit(".", 1)[-1] in _DECORATORS for d in method.decorator_list)


def _class_level(stmt: ast.stmt, name: str) -> ast.expr | None:
    if isinstance(stmt, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in stmt.targets
    ):
        return stmt.value
    if (
        isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and stmt.target.id == name
        and stmt.value is not None
    ):
        return stmt.value
    return None


def _container_method(
    owner: Value, name: str, node: ast.Call, value_of: Callable[[ast.expr], Value]
) -> Value | None:
    """``filters.items()``, ``db_filters.add(x)``, ``key.endswith("__gt")``: what a call on
    a value the reading holds gives (None: a call of something else)."""
    if isinstance(owner, ast.Constant) and isinstance(owner.value, str):
        if name in _STRING_TESTS and len(node.args) == 1 and not node.keywords:
            suffix = value_of(node.args[0])
            if _is_str(suffix):
                test = owner.value.startswith if name == "startswith" else owner.value.endswith
                return ast.Constant(test(suffix.value))  # type: ignore[union-attr]
        return None
    if isinstance(owner, _Seq):
        if name in ("append", "add") and len(node.args) == 1:
            owner.items.append(value_of(node.args[0]))
            return ast.Constant(None)
        if name == "extend" and len(node.args) == 1:
            owner.items.extend(_items(value_of(node.args[0])))
            return ast.Constant(None)
        raise _Stop
    if isinstance(owner, _Map):
        args = [value_of(a) for a in node.args]
        if name == "items" and not args:
            return _Seq([_Seq([ast.Constant(k), v], "tuple") for k, v in owner.items.items()])
        if name == "keys" and not args:
            return _Seq([ast.Constant(k) for k in owner.items])
        if name == "values" and not args:
            return _Seq(list(owner.items.values()))
        if name in ("get", "pop") and 1 <= len(args) <= 2 and _is_str(args[0]):
            key = args[0].value  # type: ignore[union-attr]
            default = args[1] if len(args) == 2 else ast.Constant(None)
            if name == "pop":
                return owner.items.pop(key, default)
            return owner.items.get(key, default)
        if name == "setdefault" and len(args) == 2 and _is_str(args[0]):
            return owner.items.setdefault(args[0].value, args[1])  # type: ignore[union-attr]
        if name == "update" and len(args) <= 1:
            for other in args:
                if not isinstance(other, _Map):
                    raise _Stop
                owner.items.update(other.items)
            for kw in node.keywords:
                if kw.arg is None:
                    raise _Stop
                owner.items[kw.arg] = value_of(kw.value)
            return ast.Constant(None)
        if name == "copy" and not args:
            return _Map(dict(owner.items))
        raise _Stop
    return None


def _items(value: Value) -> list[Value]:
    if isinstance(value, _Seq):
        return list(value.items)
    if isinstance(value, _Map):
        return [ast.Constant(k) for k in value.items]
    raise _Stop  # a list the reading cannot see


def _truth(value: Value) -> bool | None:
    if isinstance(value, ast.Constant):
        return bool(value.value)
    if isinstance(value, _Seq | _Map):
        return bool(value.items)
    if isinstance(value, _Obj | _Super):
        return True
    return None


def _isinstance(value: Value, kinds: Value) -> Value:
    names = [dotted(k) for k in (kinds.items if isinstance(kinds, _Seq) else [kinds])]  # type: ignore[arg-type]
    if not names or not all(n in _TYPES for n in names):
        return ast.Name("_", ast.Load())
    if isinstance(value, _Seq):
        return ast.Constant(value.kind in names)
    if isinstance(value, _Map):
        return ast.Constant("dict" in names)
    if isinstance(value, ast.Constant):
        return ast.Constant(any(isinstance(value.value, _TYPES[n]) for n in names))
    return ast.Name("_", ast.Load())


def _membership(left: Value, right: Value) -> bool | None:
    if isinstance(right, _Map) and _is_str(left):
        return left.value in right.items  # type: ignore[union-attr]
    if isinstance(right, _Seq) and isinstance(left, ast.Constant):
        items = right.items
        if all(isinstance(i, ast.Constant) for i in items):
            return left.value in [i.value for i in items]  # type: ignore[union-attr]
    return None


def _folded_compare(left: object, op: ast.cmpop, right: object) -> bool | None:
    try:
        if isinstance(op, ast.Eq):
            return left == right
        if isinstance(op, ast.NotEq):
            return left != right
        if isinstance(op, ast.Is):
            return left is right or (left is None and right is None)
        if isinstance(op, ast.IsNot):
            return not (left is right or (left is None and right is None))
    except Exception:  # an odd constant's comparison: undecided
        return None
    return None


def _is_str(value: Value | None) -> bool:
    return isinstance(value, ast.Constant) and isinstance(value.value, str)


def _opaque(value: Value) -> ast.expr:
    """A value as the expression it stands for in the query written out."""
    if isinstance(value, ast.expr):
        return value
    if isinstance(value, _Seq):
        elts = [_opaque(i) for i in value.items]
        if value.kind == "tuple":
            return ast.Tuple(elts, ast.Load())
        return ast.Set(elts) if value.kind == "set" and elts else ast.List(elts, ast.Load())
    if isinstance(value, _Map):
        return ast.Dict(
            [ast.Constant(k) for k in value.items], [_opaque(v) for v in value.items.values()]
        )
    if isinstance(value, _Obj):
        return ast.Name("self", ast.Load())
    raise _Stop


def _chain_root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    return node


def _entity(value: Value) -> ast.expr | None:
    """The model a query chain reads: ``select(M)``'s, ``session.query(M)``'s, ``M.query``'s."""
    if not isinstance(value, ast.Call):
        return None
    current: ast.expr = value
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
        if current.func.attr in ("query", "select") and current.args:
            return current.args[0]
        current = current.func.value
    if isinstance(current, ast.Call) and dotted(current.func).split(".")[-1] == "select":
        return current.args[0] if current.args else None
    if isinstance(current, ast.Attribute) and current.attr == "query":
        return current.value
    return None


def _is_query(value: Value) -> bool:
    return isinstance(value, ast.Call) and _entity(value) is not None


def _written_at(query: ast.Call, call: ast.Call) -> ast.Call:
    """The query, a copy every node of which stands where the call is written (its parts come
    from the base's module: their own places mean nothing in the caller's)."""
    return cast(ast.Call, _copied(query, call))


def _copied(node: ast.AST, at: ast.AST) -> ast.AST:
    """``node`` rebuilt field by field (not ``deepcopy``: the parse's caches on each node
    would be copied too), placed at ``at``."""
    fields = {}
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            value = _copied(value, at)
        elif isinstance(value, list):
            value = [_copied(v, at) if isinstance(v, ast.AST) else v for v in value]
        fields[name] = value
    out = type(node)(**fields)
    if isinstance(out, ast.expr | ast.keyword):
        out.lineno, out.col_offset = at.lineno, at.col_offset  # type: ignore[attr-defined]
        out.end_lineno = at.end_lineno  # type: ignore[attr-defined]
        out.end_col_offset = at.end_col_offset  # type: ignore[attr-defined]
    return out


def _catches(handler: ast.ExceptHandler, kind: str) -> bool:
    if handler.type is None or not kind:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(dotted(n).rsplit(".", 1)[-1] in (kind, "Exception", "BaseException") for n in names)


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, ast.Raise) for s in body)
