"""A row a DRF view's permission class has already proved: ``@permission_classes(
[IsTeamMemberPermission])`` on the view (or ``permission_classes = [...]`` in its class),
whose ``has_permission`` grants only when ``request.user in view.team.members.all()`` (or
``TeamMembers.objects.filter(team=view.team, user=request.user).exists()``). DRF runs it in
``initial()`` before any handler, so the view's ``TeamMembers.objects.get(team=self.team,
user=request.user)`` cannot raise DoesNotExist and a get_object_or_404 there is noise (held-out
round 33, six rows of one team app).

Strict by design. The permission's ``view.X`` / ``view.kwargs[k]`` / ``request.user`` are read
as the view's ``self.X`` / ``self.kwargs[k]`` (or the handler's URL parameter ``k``) /
``request.user`` (also ``self.user`` when the class only ever sets it to the user), and every
key of the view's lookup must be one the permission tested, to the same value as written.
Only ``has_permission`` counts: ``has_object_permission`` runs when the view calls
``get_object()``, not before the handler. A permission that grants on any path without the
check (``if request.method in SAFE_METHODS: return True``) proves nothing, nor does one the
view may skip (its own ``get_permissions``/``check_permissions``, an ``initial`` that never
calls ``super().initial``).

The same reading also says which project request helpers a permission denied the None of
(``request_helper_proved``, for BKD306): see that section."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from .django_views import request_attr
from .pysource import Source, dotted, imported_from
from .through_models import ClassResolver, through_relations
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef

# Methods that run before DRF checks the permissions, or decide whether it does.
_BEFORE = frozenset(
    {"__init__", "setup", "dispatch", "initialize_request", "perform_authentication"}
    | {"get_permissions", "check_permissions", "get_authenticators", "as_view"}
)
# A class view's methods DRF calls with the request and the URL's keywords.
_HANDLERS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options"}
    | {"list", "create", "retrieve", "update", "partial_update", "destroy"}
)
# Queryset steps between ``objects`` and the ``.get`` that drop no row the keys match.
_KEEPS_ROWS = frozenset(
    {"get", "filter", "all", "select_related", "prefetch_related", "only", "defer", "using"}
    | {"order_by", "select_for_update", "annotate"}
)
_LOCAL_HOPS = 3  # ``team = view.team`` then ``t = team``: an app's own aliasing, not a chain
_MAX_BASES = 4  # an app's own view hierarchy


@dataclass(frozen=True)
class _Proof:
    model: str  # as the permission's module (or, for a relation, the view's) writes it
    keys: tuple[tuple[str, str], ...]  # lookup -> the value in the view's terms
    # the model's class, when resolved: not part of what the proof says
    at: tuple[Source, ast.ClassDef] | None = field(default=None, compare=False, hash=False)


def proved_by_permission(
    upstream: UpstreamCalls | None, source: Source, call: ast.Call, model_node: ast.expr
) -> bool:
    """``call`` (``Model.objects[...].get(**keys)``, whose model ``model_node`` names) sits in
    a DRF view whose permission class has proved a ``Model`` row by those keys exists."""
    if upstream is None:
        return False
    func = source.function_of(call)
    if not isinstance(func, Function):
        return False
    resolve = _class_resolver(upstream)
    lineage, written = _view_permissions(resolve, source, func, call)
    if not written:
        return False
    wanted = _view_keys(source, lineage, func, call)
    if not wanted:
        return False
    model_at = resolve(source, model_node)
    relations = through_relations(resolve, *model_at) if model_at is not None else {}
    model = dotted(model_node).split(".")[-1]
    for node in written:
        found = resolve(source, node)
        if found is None:
            continue
        for proof in _proofs(resolve, *found, model, relations):
            if not _same_model(proof, model, model_at):
                continue
            if set(wanted.items()) <= set(proof.keys):
                return True
    return False


def _view_permissions(
    resolve: ClassResolver, source: Source, func: Function, call: ast.Call
) -> tuple[tuple[ast.ClassDef, ...], list[ast.expr]]:
    """The view's class lineage (empty for a function view) and the permission classes DRF
    checks before ``func`` reaches ``call`` (empty when none, or when they may not run)."""
    cls = source.up().get(func)
    lineage = _lineage(resolve, source, cls) if isinstance(cls, ast.ClassDef) else ()
    if lineage and not _permissions_run_first(lineage, func, call):
        return lineage, []
    return lineage, _permission_classes(lineage) if lineage else _function_permissions(func)


def _class_resolver(upstream: UpstreamCalls) -> ClassResolver:
    """A project class a name stands for, also through ``from .permissions import *`` (how
    real apps bring their permissions and models into a views module)."""

    def resolve(source: Source, node: ast.expr) -> tuple[Source, ast.ClassDef] | None:
        found = upstream.resolve_class(source, node)
        if found is not None or not isinstance(node, ast.Name):
            return found
        # the last ``import *`` binding a name wins; each module may itself import it
        for module, _ in reversed(imported_from(source, "*")):
            for path in upstream.module_files_of(source.path, module):
                loaded = upstream.loader(path)
                found = upstream.resolve_class(loaded, node) if loaded is not None else None
                if found is not None:
                    return found
        return None

    return resolve


def _same_model(proof: _Proof, model: str, model_at: tuple[Source, ast.ClassDef] | None) -> bool:
    if proof.model.split(".")[-1] != model:
        return False
    if proof.at is None or model_at is None:
        return True  # one side outside the project's reach: the name is all there is
    return proof.at[0].path == model_at[0].path and proof.at[1] is model_at[1]


def _lineage(
    resolve: ClassResolver, source: Source, view: ast.ClassDef
) -> tuple[ast.ClassDef, ...]:
    """The view class and its project bases, nearest first (``Unread(TeamScoped)``: the
    base's ``initial`` sets ``self.team`` and ``self.user``)."""
    out = [view]
    queue = [(source, view)]
    while queue and len(out) <= _MAX_BASES:
        at, cls = queue.pop(0)
        for base in cls.bases:
            found = resolve(at, base)
            if found is not None and all(found[1] is not c for c in out):
                out.append(found[1])
                queue.append(found)
    return tuple(out)


def _function_permissions(func: Function) -> list[ast.expr]:
    """``@permission_classes([...])`` on a function view: only under ``@api_view``, which
    is what reads it."""
    names = [_decorator_name(d) for d in func.decorator_list]
    if "api_view" not in names:
        return []
    return _decorated(func)


def _permission_classes(lineage: tuple[ast.ClassDef, ...]) -> list[ast.expr]:
    """The classes of the nearest ``@permission_classes([...])`` on the view or a project
    base, or ``permission_classes = [...]`` in one's body (the decorator, applied after the
    body, wins)."""
    for cls in lineage:
        found = _decorated(cls)
        for stmt in cls.body:
            if (
                not found
                and isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "permission_classes"
            ):
                found = list(_classes_in(stmt.value))
        if found:
            return found
    return []


def _decorated(owner: ast.ClassDef | Function) -> list[ast.expr]:
    for deco in owner.decorator_list:
        if _decorator_name(deco) == "permission_classes" and isinstance(deco, ast.Call):
            return list(_classes_in(deco.args[0])) if deco.args else []
    return []


def _decorator_name(deco: ast.expr) -> str:
    return dotted(deco.func if isinstance(deco, ast.Call) else deco).split(".")[-1]


def _classes_in(node: ast.expr) -> Iterator[ast.expr]:
    """Each class of a ``[A, B]`` / ``(A, B)``, and both sides of ``A & B`` (both must grant);
    an ``A | B`` proves neither side."""
    items = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    for item in items:
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.BitAnd):
            yield from _classes_in(ast.List(elts=[item.left, item.right], ctx=ast.Load()))
        elif isinstance(item, ast.Name | ast.Attribute):
            yield item


def _permissions_run_first(
    lineage: tuple[ast.ClassDef, ...], func: Function, call: ast.Call
) -> bool:
    """DRF's ``initial()`` checks the permissions before ``func`` reaches ``call``: no class
    of the view replaces how it picks or checks them, and each ``initial`` calls on."""
    if func.name in _BEFORE:
        return False
    for cls in lineage:
        methods = {s.name: s for s in cls.body if isinstance(s, Function)}
        if "get_permissions" in methods or "check_permissions" in methods:
            return False
        initial = methods.get("initial")
        if initial is None:
            continue
        supers = [
            node.lineno
            for node in ast.walk(initial)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "initial"
            and dotted(node.func.value) == "super()"
        ]
        if not supers:
            return False  # an ``initial`` that never calls DRF's skips the permissions
        if func is initial and call.lineno < min(supers):
            return False
    return True


# -- the view's side -----------------------------------------------------------------------


def _view_keys(
    source: Source, lineage: tuple[ast.ClassDef, ...], func: Function, call: ast.Call
) -> dict[str, str]:
    """The lookup of ``call`` (and of the ``.filter`` calls it chains on) in the permission's
    terms; empty when some value reads as nothing the permission could have seen."""
    keys: dict[str, str] = {}
    node: ast.expr = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in _KEEPS_ROWS:
            return {}  # ``exclude``, a custom manager's method: rows the permission did not see
        if node.func.attr in ("get", "filter"):
            if node.args or any(k.arg is None for k in node.keywords):
                return {}
            for k in node.keywords:
                value = _view_value(source, lineage, func, k.value, 0)
                if not value or keys.get(str(k.arg), value) != value:
                    return {}
                keys[str(k.arg)] = value
        node = node.func.value
    return keys


def _view_value(
    source: Source, lineage: tuple[ast.ClassDef, ...], func: Function, node: ast.expr, hops: int
) -> str:
    view = bool(lineage)
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if view:
        # ``self``; a handler's next is the request, and the URL's keywords follow
        params = params[1:] if func.name in _HANDLERS else []
    request = params[0] if params else ""
    spread = func.args.kwarg.arg if func.args.kwarg is not None else None
    kwarg = _kwarg_key(node, "self.kwargs" if view else None) or _kwarg_key(node, spread)
    if kwarg:
        return f"view.kwargs[{kwarg!r}]"
    if isinstance(node, ast.Name):
        if node.id == request:
            return "request"
        if node.id in params[1:]:
            return f"view.kwargs[{node.id!r}]"  # a URL keyword the handler takes by name
        value = _single_value(source, func, node.id)
        if value is not None and hops < _LOCAL_HOPS:
            return _view_value(source, lineage, func, value, hops + 1)
        return ""
    written = dotted(node)
    if not written or "()" in written:
        return ""
    head, _, rest = written.partition(".")
    if head == request or request_attr(node).startswith("request."):
        return request_attr(node) if head != request else f"request.{rest}"
    if head == "self" and view and rest:
        attr, _, tail = rest.partition(".")
        user = _user_attribute(lineage, attr)
        if user:
            return f"{user}.{tail}" if tail else user
        return f"view.{rest}"
    return ""


def _user_attribute(lineage: tuple[ast.ClassDef, ...], attr: str) -> str:
    """``request.user`` when every ``self.<attr> = ...`` of the view's classes sets it to the
    signed-in user (``self.user = request.user`` in ``initial``)."""
    values = [
        node.value
        for cls in lineage
        for node in ast.walk(cls)
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Attribute) and dotted(t) == f"self.{attr}"
    ]
    if values and all(request_attr(v) == "request.user" for v in values):
        return "request.user"
    return ""


# -- the permission's side -----------------------------------------------------------------


def _proofs(
    resolve: ClassResolver,
    source: Source,
    permission: ast.ClassDef,
    model: str,
    relations: dict[str, tuple[str, str]],
) -> list[_Proof]:
    """The rows ``has_permission`` proves exist whenever it grants."""
    func = next(
        (s for s in permission.body if isinstance(s, Function) and s.name == "has_permission"),
        None,
    )
    if func is None or len(func.args.args) < 3:
        return []
    names = (func.args.args[1].arg, func.args.args[2].arg)  # request, view
    granted: list[list[tuple[ast.expr, bool]]] = []
    if not _grants(func.body, [], granted):
        return []
    if not granted:
        return []  # never grants: nothing runs after it
    per_return = [
        {
            p
            for cond in conds
            if (p := _proof_of(resolve, source, func, names, cond, model, relations))
        }
        for conds in granted
    ]
    common = set.intersection(*per_return)
    return list(common)


def _grants(
    stmts: list[ast.stmt],
    holding: list[tuple[ast.expr, bool]],
    out: list[list[tuple[ast.expr, bool]]],
) -> bool:
    """Collect, for every ``return`` of a truthy value, the conditions true there; False when
    one sits where they are not followed (a loop, a ``try``). ``holding`` grows with each
    ``if`` that exits on the other branch."""
    for stmt in stmts:
        if isinstance(stmt, ast.Return):
            value = stmt.value
            if value is None or (isinstance(value, ast.Constant) and not value.value):
                return True
            extra = [] if isinstance(value, ast.Constant) else _conjuncts(value, True)
            out.append([*holding, *extra])
            return True
        if isinstance(stmt, ast.Raise):
            return True
        if isinstance(stmt, ast.If):
            body, orelse = _conjuncts(stmt.test, True), _conjuncts(stmt.test, False)
            body_exits = _exits(stmt.body)
            else_exits = _exits(stmt.orelse)
            if not _grants(stmt.body, [*holding, *body], out):
                return False
            if not _grants(stmt.orelse, [*holding, *orelse], out):
                return False
            if body_exits and else_exits:
                return True
            if body_exits:
                holding = [*holding, *orelse]
            elif else_exits:
                holding = [*holding, *body]
            continue
        if any(isinstance(n, ast.Return) for n in ast.walk(stmt)):
            return False
    return True


def _exits(stmts: list[ast.stmt]) -> bool:
    return bool(stmts) and isinstance(stmts[-1], ast.Return | ast.Raise)


def _conjuncts(test: ast.expr, truth: bool) -> list[tuple[ast.expr, bool]]:
    """What ``test`` being ``truth`` says of its parts: ``a and b`` true says both are,
    ``a or b`` false says neither is, ``not a`` flips."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _conjuncts(test.operand, not truth)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And if truth else ast.Or):
        return [c for v in test.values for c in _conjuncts(v, truth)]
    if (
        truth
        and isinstance(test, ast.IfExp)
        and isinstance(test.orelse, ast.Constant)
        and not test.orelse.value
    ):
        # ``return True if session and session.user.is_active else False``
        body = [] if isinstance(test.body, ast.Constant) else _conjuncts(test.body, True)
        return [*_conjuncts(test.test, True), *body]
    return [(test, truth)]


def _proof_of(
    resolve: ClassResolver,
    source: Source,
    func: Function,
    names: tuple[str, str],
    cond: tuple[ast.expr, bool],
    model: str,
    relations: dict[str, tuple[str, str]],
) -> _Proof | None:
    test, truth = cond
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        member = isinstance(test.ops[0], ast.In) if truth else isinstance(test.ops[0], ast.NotIn)
        if not member:
            return None
        # ``request.user in team.members.all()``: the through model's row
        right = test.comparators[0]
        if isinstance(right, ast.Call) and dotted(right.func).endswith(".all") and not right.args:
            right = right.func.value  # type: ignore[attr-defined]
        if not isinstance(right, ast.Attribute) or right.attr not in relations:
            return None
        owner_key, member_key = relations[right.attr]
        owner = _permission_value(source, func, names, right.value, 0)
        who = _permission_value(source, func, names, test.left, 0)
        if not owner or not who:
            return None
        return _Proof(model, tuple(sorted({owner_key: owner, member_key: who}.items())))
    if truth and isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        if test.func.attr != "exists" or test.args:
            return None
        return _exists_proof(resolve, source, func, names, test.func.value)
    return None


def _exists_proof(
    resolve: ClassResolver, source: Source, func: Function, names: tuple[str, str], node: ast.expr
) -> _Proof | None:
    """``Model.objects.filter(k=v)[.filter(...)]`` of an ``.exists()``."""
    keys: dict[str, str] = {}
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr != "filter" or node.args or any(k.arg is None for k in node.keywords):
            return None
        for k in node.keywords:
            value = _permission_value(source, func, names, k.value, 0)
            if not value:
                continue  # a key the view cannot name still narrows: the rest still hold
            keys[str(k.arg)] = value
        node = node.func.value
    if not (isinstance(node, ast.Attribute) and node.attr == "objects" and keys):
        return None
    at = resolve(source, node.value)
    return _Proof(dotted(node.value), tuple(sorted(keys.items())), at)


def _permission_value(
    source: Source, func: Function, names: tuple[str, str], node: ast.expr, hops: int
) -> str:
    request, view = names
    kwarg = _kwarg_key(node, f"{view}.kwargs")
    if kwarg:
        return f"view.kwargs[{kwarg!r}]"
    if isinstance(node, ast.Name) and node.id not in names:
        value = _single_value(source, func, node.id)
        if value is not None and hops < _LOCAL_HOPS:
            return _permission_value(source, func, names, value, hops + 1)
        return ""
    written = dotted(node)
    if not written or "()" in written:
        return ""
    head, _, rest = written.partition(".")
    if head == request:
        return f"request.{rest}" if rest else "request"
    if head == view and rest:
        return f"view.{rest}"
    return ""


# -- a request helper the permission tested ------------------------------------------------
#
# ``@permission_classes([HasSessionActive])`` whose ``has_permission`` denies unless
# ``get_active_session(request)`` is truthy: the view's own ``get_active_session(request).user``
# cannot meet None, nor can ``get_request_user(request)`` when its None comes only from that
# helper (held-out round 33, a Django API). An ``A or B`` of two such helpers
# (``HasSessionOrTokenActive``) counts for each: None of one then needs a client authenticated
# the other way whom the view sent down the wrong branch (a mislabelled header), which is the
# app's 401 question, not a missing row the client named: a 404 there would be wrong anyway.

_Key = tuple[str, int]  # a project function: its file and line


def request_helper_proved(
    upstream: UpstreamCalls | None,
    source: Source,
    call: ast.Call,
    helper_source: Source,
    helper: Function,
) -> bool:
    """``call`` (``helper(request)``) sits in a DRF view, or in a module function only DRF
    views call with their request, whose permission denied unless ``helper(request)`` (or
    every project helper whose result ``helper`` returns in place of None) was truthy."""
    if upstream is None or len(call.args) != 1 or call.keywords:
        return False
    func = source.function_of(call)
    if not isinstance(func, Function) or not isinstance(call.args[0], ast.Name):
        return False
    resolve = _class_resolver(upstream)
    views = _views_handing(source, func, call, call.args[0].id)
    if not views:
        return False
    for view, at in views:
        tested = _tested_helpers(resolve, upstream, source, view, at)
        key = (helper_source.path, helper.lineno)
        if key not in tested and not _backed_by(upstream, helper_source, helper, tested):
            return False
    return True


def _views_handing(
    source: Source, func: Function, call: ast.Call, request: str
) -> list[tuple[Function, ast.Call]]:
    """The view ``func`` is with ``request`` its request, or else, when ``func`` is a module
    function taking it first, each view calling it (every mention of its name a call handing
    the view's request): the views whose permissions ran before ``call``."""
    if _request_param(source, func) == request:
        return [(func, call)]
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if params[:1] != [request] or not isinstance(source.up().get(func), ast.Module):
        return []
    out = []
    for node in source.walk():
        if not (isinstance(node, ast.Name) and node.id == func.name):
            continue
        parent = source.up().get(node)
        caller = source.function_of(node)
        if not (isinstance(parent, ast.Call) and parent.func is node and parent.args):
            return []  # handed on uncalled: it may run anywhere
        first = parent.args[0]
        if not isinstance(caller, Function) or not isinstance(first, ast.Name):
            return []
        if _request_param(source, caller) != first.id:
            return []
        out.append((caller, parent))
    return out


def _request_param(source: Source, func: Function) -> str:
    """The request parameter of a DRF view: an ``@api_view`` function's first, a class
    view's handler's second; "" for anything else."""
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if isinstance(source.up().get(func), ast.ClassDef):
        return params[1] if func.name in _HANDLERS and len(params) > 1 else ""
    names = [_decorator_name(d) for d in func.decorator_list]
    return params[0] if "api_view" in names and params else ""


def _tested_helpers(
    resolve: ClassResolver, upstream: UpstreamCalls, source: Source, view: Function, at: ast.Call
) -> set[_Key]:
    """The project helpers some permission of ``view`` called with the request and denied
    unless the result was truthy (each alternative of an ``or`` of them counts)."""
    _, written = _view_permissions(resolve, source, view, at)
    out: set[_Key] = set()
    for node in written:
        found = resolve(source, node)
        if found is not None:
            out |= _helpers_required(upstream, *found)
    return out


def _helpers_required(
    upstream: UpstreamCalls, source: Source, permission: ast.ClassDef
) -> set[_Key]:
    func = next(
        (s for s in permission.body if isinstance(s, Function) and s.name == "has_permission"),
        None,
    )
    if func is None or len(func.args.args) < 2:
        return set()
    request = func.args.args[1].arg
    granted: list[list[tuple[ast.expr, bool]]] = []
    if not _grants(func.body, [], granted) or not granted:
        return set()
    per_return = [
        {k for cond in conds for k in _truthy_helpers(upstream, source, func, request, cond)}
        for conds in granted
    ]
    return set.intersection(*per_return)


def _truthy_helpers(
    upstream: UpstreamCalls,
    source: Source,
    func: Function,
    request: str,
    cond: tuple[ast.expr, bool],
) -> set[_Key]:
    """The helpers ``cond`` holding says gave a truthy value: ``session``, ``session is not
    None``, ``not session is None``; of ``a or b``, those of each side when both name some."""
    test, truth = cond
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        right = test.comparators[0]
        if not (isinstance(right, ast.Constant) and right.value is None):
            return set()
        op = test.ops[0]
        if not (isinstance(op, ast.IsNot) if truth else isinstance(op, ast.Is)):
            return set()
        test, truth = test.left, True
    if not truth:
        return set()
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        sides = [
            {
                k
                for c in _conjuncts(v, True)
                for k in _truthy_helpers(upstream, source, func, request, c)
            }
            for v in test.values
        ]
        return set().union(*sides) if all(sides) else set()
    key = _helper_called(upstream, source, func, request, test, 0)
    return {key} if key is not None else set()


def _helper_called(
    upstream: UpstreamCalls, source: Source, func: Function, request: str, node: ast.expr, hops: int
) -> _Key | None:
    """The project function ``node`` is the result of calling with ``request`` alone, read
    through a local bound once (``session = get_active_session(request)``)."""
    if isinstance(node, ast.Name) and hops < _LOCAL_HOPS:
        value = _single_value(source, func, node.id)
        return _helper_called(upstream, source, func, request, value, hops + 1) if value else None
    if not (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == request
    ):
        return None
    found = upstream.resolve(source, node.func)
    return (found[0].path, found[1].lineno) if found is not None else None


def _backed_by(
    upstream: UpstreamCalls, source: Source, helper: Function, tested: set[_Key]
) -> bool:
    """Every value ``helper`` returns other than None is one of the ``tested`` helpers'
    results called with its own first parameter (the request), or an attribute of one:
    ``if session is not None: return session.user`` ... ``return None``. Its None then comes
    only where those results were None, which the permission denied."""
    params = [a.arg for a in [*helper.args.posonlyargs, *helper.args.args]]
    if not params or not tested:
        return False
    values = [
        n.value
        for n in source.nodes_of(helper)
        if isinstance(n, ast.Return) and source.function_of(n) is helper
        if n.value is not None and not (isinstance(n.value, ast.Constant) and n.value.value is None)
    ]
    if not values:
        return False
    for value in values:
        while isinstance(value, ast.Attribute):
            value = value.value  # ``session.user``: a field of the helper's row
        if _helper_called(upstream, source, helper, params[0], value, 0) not in tested:
            return False
    return True


# -- shared --------------------------------------------------------------------------------


def _kwarg_key(node: ast.expr, mapping: str | None) -> str:
    """``self.kwargs["team_pk"]`` / ``self.kwargs.get("team_pk")`` -> ``team_pk``."""
    if not mapping:
        return ""
    if isinstance(node, ast.Subscript) and dotted(node.value) == mapping:
        key = node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and dotted(node.func.value) == mapping
        and len(node.args) == 1
    ):
        key = node.args[0]
    else:
        return ""
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""


def _single_value(source: Source, func: Function, name: str) -> ast.expr | None:
    """The one value a local is ever bound to in ``func`` (``team = view.team``)."""
    values: list[ast.expr] = []
    for node in source.nodes_of(func):
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                if len(node.targets) != 1:
                    return None
                values.append(node.value)
        elif (
            isinstance(node, ast.Name)
            and node.id == name
            and isinstance(node.ctx, ast.Store)
            and not isinstance(source.up().get(node), ast.Assign)
        ):
            return None  # a loop or ``with`` target, an augmented assignment
    return values[0] if len(values) == 1 else None
