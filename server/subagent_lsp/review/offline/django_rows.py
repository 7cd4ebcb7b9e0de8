"""Django's shapes of a row that may be None, for the helper path of helper_rows: a project
function, a model's classmethod or a manager method that returns ``X.objects....first()``
(or ``.last()``), and what a Django view's client sends. ``request.user`` is the signed-in
user the session names, not the client's choice: a lookup keyed by it alone is the server's
own row, as FastAPI's dependency-injected user is."""

from __future__ import annotations

import ast

from .pysource import Source, dotted
from .several_rows import found_several

Function = ast.FunctionDef | ast.AsyncFunctionDef

# What a Django view or its app may already answer a missing row with.
DJANGO_CAUGHT = {"Http404", "ObjectDoesNotExist", "DoesNotExist", "AttributeError"}
# A queryset's methods that give one row or None.
_MAYBE_ONE = ("first", "last")


def django_model(node: ast.expr) -> str | None:
    """``Ticket.objects.select_related(...).filter(...)`` -> Ticket (``models.Ticket`` too)."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
        return None
    model = dotted(node.value)
    if model.rsplit(".", 1)[-1] == USER_MODEL:
        # ``get_user_model().objects``: the project's user model (AUTH_USER_MODEL, else
        # django.contrib.auth's User), a model like any other; the call is how code names it.
        return model
    if not model or "(" in model or not model.rsplit(".", 1)[-1][:1].isupper():
        return None
    return model


USER_MODEL = "get_user_model()"


def model_label(model: str) -> str:
    """How a message names the model: ``models.Ticket`` -> Ticket, ``get_user_model()`` ->
    User."""
    name = model.rsplit(".", 1)[-1]
    return "User" if name == USER_MODEL else name


def django_row(source: Source, func: Function, value: ast.expr) -> str | None:
    """The model (or "" when the code does not name it) when ``value``, in ``func``, is a
    queryset's ``.first()`` / ``.last()``: ``Application.objects.filter(...).first()``, a
    classmethod's ``cls.objects....first()``, a manager's ``self.filter(...).first()``."""
    if not isinstance(value, ast.Call) or value.args or value.keywords:
        return None
    if not (isinstance(value.func, ast.Attribute) and value.func.attr in _MAYBE_ONE):
        return None
    if found_several(value, source.up()):
        return None  # the ``except MultipleObjectsReturned`` of the same ``.get()``
    chain = value.func.value
    model = django_model(chain)
    if model is not None:
        return model_label(model)
    root = chain
    while isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute):
        root = root.func.value
    owner = source.up().get(func)
    if not isinstance(owner, ast.ClassDef):
        return None
    if (
        isinstance(root, ast.Attribute)
        and root.attr == "objects"
        and isinstance(root.value, ast.Name)
        and root.value.id == "cls"
    ):
        return owner.name
    # ``self.filter(...)`` / ``self.get_queryset().filter(...)`` of a manager or queryset
    # class: its model is whichever one it is attached to.
    manager = any(dotted(b).endswith(("Manager", "QuerySet")) for b in owner.bases)
    if manager and isinstance(root, ast.Name) and root.id == "self" and root is not chain:
        return ""
    return None


def signed_in_user(node: ast.Name, up: dict[ast.AST, ast.AST]) -> bool:
    """``request.user`` (and what is read off it): the session's user, not client input;
    ``request.session`` too (``request.session["cart_id"]``): what the server stored there
    itself. A cookie names the session, never its values, and a stale id in it (a cart since
    deleted) is the server's state, for which a 404 to the client was judged noise."""
    parent = up.get(node)
    return (
        node.id == "request"
        and isinstance(parent, ast.Attribute)
        and parent.value is node
        and parent.attr in _SERVER_KEPT
    )


# What a request carries that the server itself put there: the signed-in user, the session.
_SERVER_KEPT = ("user", "session")


def session_read(node: ast.AST) -> bool:
    """``request.session["cart_id"]``, ``.get("cart_id")``, ``.pop(...)`` (``self.request``'s
    too): a value the server stored in the session (signed_in_user)."""
    if isinstance(node, ast.Subscript):
        node = node.value
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "pop")
    ):
        node = node.func.value
    else:
        return False
    name = dotted(node)
    return name == "request.session" or name.endswith(".request.session")


def view_input(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """A class-based view's ``self.kwargs`` / ``self.args`` (the URL's values) or
    ``self.request.GET`` and the like; not ``self.request.user`` or ``.session``."""
    if not (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ):
        return False
    if node.attr in ("kwargs", "args"):
        return True
    parent = up.get(node)
    kept = isinstance(parent, ast.Attribute) and parent.attr in _SERVER_KEPT
    return node.attr == "request" and isinstance(parent, ast.Attribute) and not kept


def django_answer(label: str) -> tuple[str, tuple[str, str]]:
    """The 404 a Django view raises for a missing row, and its import."""
    return f'raise Http404("{label} not found")', ("django.http", "Http404")


def session_keyed(source: Source, call: ast.Call) -> bool:
    """Every value the queryset chain of ``call`` (``Cart.objects.filter(id=...).first()``)
    is filtered by is read from the session, there or through a local of the function bound
    to such a read (``cart_id = request.session.get("cart_id")``)."""
    func = source.function_of(call)
    bound = {
        t.id
        for n in (source.nodes_of(func) if func is not None else [])
        if isinstance(n, ast.Assign) and session_read(n.value)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    values: list[ast.expr] = []
    node: ast.expr = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        values += [*node.args, *(k.value for k in node.keywords)]
        node = node.func.value
    return bool(values) and all(
        session_read(v) or (isinstance(v, ast.Name) and v.id in bound) for v in values
    )
