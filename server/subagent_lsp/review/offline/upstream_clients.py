"""Which calls make an upstream HTTP request: a library's own functions (``requests.get``, a
bare ``get`` imported from requests) and the methods of the client objects an app builds
(``requests.Session()``, requests-oauthlib's ``OAuth2Session``, rauth's sessions, httpx's
``Client``, aiohttp's ``ClientSession``).

On real apps the OAuth login and the webhook both go through a session object, not through
``requests.post``: a client that waits forever, or whose failure is a 500, is the same defect.
A name counts as a client where the code binds it to one (``s = requests.Session()``,
``self.client = OAuth2Session(...)``, a class attribute, ``async with ... as session``), in
the function, class or module that binds it.
"""

from __future__ import annotations

import ast

from .pysource import WITHS, Source, dotted, imported_names

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
# requests-oauthlib's token calls are requests made by the session, with a ``timeout=``.
_OAUTH_VERBS = ("fetch_token", "refresh_token")

# Fully qualified constructor -> the library whose failures (and defaults) its calls have:
# requests-oauthlib's and rauth's sessions are ``requests.Session`` subclasses.
CLIENT_CLASSES = {
    "requests.Session": "requests",
    "requests.session": "requests",
    "requests.sessions.Session": "requests",
    "requests_oauthlib.OAuth2Session": "requests",
    "requests_oauthlib.OAuth1Session": "requests",
    "rauth.OAuth2Session": "requests",
    "rauth.OAuth1Session": "requests",
    "httpx.Client": "httpx",
    "httpx.AsyncClient": "httpx",
    "aiohttp.ClientSession": "aiohttp",
}
# rauth's services hand out sessions: ``service.get_auth_session(data=...)``.
_RAUTH_FACTORIES = ("get_auth_session", "get_session")
_MODULE = 0  # the scope key of module-level bindings


class Client:
    """A client object's library, and the call that built it (its ``raise_for_status=``).
    ``bounded``: its requests time out by default (rauth's sessions: 300 s, a timeout added to
    their calls was judged noise on a real app)."""

    __slots__ = ("bounded", "built", "library")

    def __init__(self, library: str, built: ast.Call, bounded: bool = False) -> None:
        self.library = library
        self.built = built
        self.bounded = bounded


def client_of(source: Source, node: ast.expr) -> Client | None:
    """The client ``node`` (a call's receiver) stands for, if the code built one."""
    if isinstance(node, ast.Call):
        return constructed(source, node)
    for call in bound_calls(source, node):
        client = constructed(source, call)
        if client is not None:
            return client
    return _typed_client(source, node)


def _typed_client(source: Source, node: ast.expr) -> Client | None:
    """A client the code is handed, not one it builds: a parameter typed ``httpx.Client``,
    or ``self.client`` set from one (``def __init__(self, client: httpx.Client)``) or declared
    so on the class. Its failures are the library's; how it was built (its timeout) is not
    known here, so it counts as bounded."""
    func = source.function_of(node)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    if isinstance(node, ast.Name):
        return _client_type(source, _annotation_of(func, node.id))
    if not (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ):
        return None
    owner = source.up().get(func)
    if not isinstance(owner, ast.ClassDef):
        return None
    for stmt in owner.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == node.attr
        ):
            return _client_type(source, stmt.annotation)
    for method in owner.body:
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for set_ in source.nodes_of(method):
            if (
                isinstance(set_, ast.Assign)
                and isinstance(set_.value, ast.Name)
                and any(dotted(t) == f"self.{node.attr}" for t in set_.targets)
            ):
                client = _client_type(source, _annotation_of(method, set_.value.id))
                if client is not None:
                    return client
    return None


def _annotation_of(func: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    args = func.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        if arg.arg == name:
            return arg.annotation
    return None


def _client_type(source: Source, annotation: ast.expr | None) -> Client | None:
    """The client class an annotation names (``httpx.Client``, ``Optional[Session]``,
    ``"httpx.AsyncClient"``, ``ClientSession | None``)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _client_type(source, annotation.left) or _client_type(source, annotation.right)
    if isinstance(annotation, ast.Subscript) and dotted(annotation.value).endswith("Optional"):
        return _client_type(source, annotation.slice)
    if not isinstance(annotation, ast.Name | ast.Attribute):
        return None
    written = dotted(annotation)
    head, _, rest = written.partition(".")
    target = imported_names(source).get(head)
    if target is None:
        return None
    library = CLIENT_CLASSES.get(f"{target}.{rest}" if rest else target)
    if library is None:
        return None
    # how it was built is not known here: a call of the class stands for it
    built = ast.Call(func=annotation, args=[], keywords=[])
    return Client(library, built, bounded=True)


def bound_calls(source: Source, node: ast.expr) -> list[ast.Call]:
    """The calls a name or ``self.x`` is bound to where ``node`` reads it: those of its
    function (or class) first, then the module's, each scope's in the order they are made."""
    name = dotted(node)
    if not name:
        return []
    bindings = _assigned_calls(source)
    return [c for scope in _scopes(source, node, name) for c in bindings.get((scope, name), [])]


# What every request and client above is imported from: a module importing none of them
# makes no request (asked of every call of every module).
_CLIENT_PACKAGES = frozenset(
    {"requests", "httpx", "rauth"} | {name.split(".")[0] for name in CLIENT_CLASSES}
)


def request_library(source: Source, call: ast.Call) -> tuple[str, Client | None] | None:
    """The library of a request ``call`` makes, with the client it goes through (if one)."""
    imports = imported_names(source)
    if not _imports_clients(source, imports):
        return None
    func = call.func
    picked = picked_verb(source, call)
    if picked is not None:
        return _target_library(source, picked.args[0], imports)
    if isinstance(func, ast.Name):
        # ``from requests import get`` then ``get(url)``
        module, _, verb = imports.get(func.id, "").rpartition(".")
        if module in ("requests", "httpx") and verb in HTTP_VERBS:
            return module, None
        return None
    if not isinstance(func, ast.Attribute):
        return None
    name = dotted(func)
    if "." in name:
        module = imports.get(name.rsplit(".", 1)[0], "")
        if module in ("requests", "httpx") and func.attr in HTTP_VERBS:
            return module, None
    client = client_of(source, func.value)
    if client is None:
        return None
    verbs = HTTP_VERBS + (_OAUTH_VERBS if client.library == "requests" else ())
    return (client.library, client) if func.attr in verbs else None


def _imports_clients(source: Source, imports: dict[str, str]) -> bool:
    known: bool | None = source.__dict__.get("_imports_clients")
    if known is None:
        known = source.__dict__["_imports_clients"] = any(
            v.split(".")[0] in _CLIENT_PACKAGES for v in imports.values()
        )
    return known


def picked_verb(source: Source, call: ast.Call) -> ast.Call | None:
    """The ``getattr(requests, method)`` that picks the verb of ``call`` at run time: called
    at once, or through the name the function binds it to (``req = getattr(requests, method)``
    then ``req(url)``). webcompat's GitHub proxy, its busiest request, is written so."""
    func = call.func
    if isinstance(func, ast.Call):
        return func if _verb_getattr(source, func) else None
    if not isinstance(func, ast.Name) or func.id in imported_names(source):
        return None
    bound = bound_calls(source, func)
    # every binding of the name in its scope is one: ``req`` is no other callable there
    if bound and all(_verb_getattr(source, b) for b in bound):
        return bound[0]
    return None


def written_request(source: Source, call: ast.Call) -> str:
    """How a title names the request: ``requests.get``, or the ``getattr(requests, method)``
    that picks its verb."""
    picked = picked_verb(source, call)
    return ast.unparse(picked) if picked is not None else dotted(call.func)


def _verb_getattr(source: Source, node: ast.Call) -> bool:
    """``getattr(requests, method)``, ``getattr(session, "post")``: the builtin, its name one
    of the verbs when written out (``getattr(requests, "codes")`` is no request)."""
    if not (
        isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and 2 <= len(node.args) <= 3
        and not node.keywords
        and "getattr" not in imported_names(source)
    ):
        return False
    name = node.args[1]
    if isinstance(name, ast.Constant):
        return isinstance(name.value, str) and name.value in HTTP_VERBS
    return not isinstance(name, ast.JoinedStr)  # ``getattr(requests, f"{x}_hook")``


def _target_library(
    source: Source, target: ast.expr, imports: dict[str, str]
) -> tuple[str, Client | None] | None:
    """The library of the object a verb is picked from: the module itself, or a client."""
    if isinstance(target, ast.Name) and imports.get(target.id) in ("requests", "httpx"):
        return imports[target.id], None
    client = client_of(source, target)
    return (client.library, client) if client is not None else None


def constructed(source: Source, call: ast.Call) -> Client | None:
    imports = imported_names(source)
    name = dotted(call.func)
    head, _, rest = name.partition(".")
    target = imports.get(head)
    if target is not None:
        qualified = f"{target}.{rest}" if rest else target
        library = CLIENT_CLASSES.get(qualified)
        if library is not None:
            return Client(library, call, bounded=qualified.startswith("rauth."))
    if (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in _RAUTH_FACTORIES
        and any(v.split(".")[0] == "rauth" for v in imports.values())
    ):
        return Client("requests", call, bounded=True)
    return None


def _assigned_calls(source: Source) -> dict[tuple[int, str], list[ast.Call]]:
    """Every ``name = call(...)`` (annotated, ``with call(...) as name``, ``self.name = ...``)
    by the scope that binds it: read once per parse, for every kind of client asked of it."""
    cached: dict[tuple[int, str], list[ast.Call]] | None = source.__dict__.get("_assigned_calls")
    if cached is not None:
        return cached
    found: dict[tuple[int, str], list[ast.Call]] = {}
    up = source.up()
    for node in source.walk():
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, WITHS):
            pairs = [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars]
        for target, value in pairs:
            if not isinstance(value, ast.Call):
                continue
            key = _binding_key(source, up, node, target)
            if key is not None:
                found.setdefault(key, []).append(value)
    source.__dict__["_assigned_calls"] = found  # whole: worker threads share the parse
    return found


def _binding_key(
    source: Source, up: dict[ast.AST, ast.AST], stmt: ast.AST, target: ast.expr
) -> tuple[int, str] | None:
    name = dotted(target)
    if not name:
        return None
    func = source.function_of(stmt)
    if name.startswith("self."):
        owner = up.get(func) if func is not None else None
        return (id(owner), name) if isinstance(owner, ast.ClassDef) else None
    if not isinstance(target, ast.Name):
        return None
    if func is None:
        owner = up.get(stmt)
        if isinstance(owner, ast.ClassDef):  # a class attribute, used as ``self.consumer``
            return id(owner), f"self.{name}"
        return _MODULE, name
    return id(func), name


def _scopes(source: Source, node: ast.AST, name: str) -> list[int]:
    func = source.function_of(node)
    if name.startswith("self."):
        owner = source.up().get(func) if func is not None else None
        return [id(owner)] if isinstance(owner, ast.ClassDef) else []
    return [id(func), _MODULE] if func is not None else [_MODULE]


def raises_for_status(source: Source, call: ast.Call, client: Client | None) -> bool:
    """An aiohttp request raises on a bad status only when asked: ``raise_for_status=True``
    on the session or the call, or ``resp.raise_for_status()`` in the same function."""
    for keywords in (call.keywords, client.built.keywords if client is not None else []):
        for k in keywords:
            if k.arg == "raise_for_status" and not (
                isinstance(k.value, ast.Constant) and not k.value.value
            ):
                return True
    func = source.function_of(call)
    nodes = source.nodes_of(func) if func is not None else []
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "raise_for_status"
        for n in nodes
    )
