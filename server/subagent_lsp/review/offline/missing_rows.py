"""A row that may not exist, used as if it did: Flask-SQLAlchemy's ``.one()`` raises
NoResultFound and ``.first()`` gives None, and either becomes a 500 where a client asked for
something that is not there (a 404).

Only in Flask routes over Flask-SQLAlchemy queries (``Model.query...``,
``db.session.query(...)``), whose ``one_or_404`` / ``first_or_404`` answer 404 themselves;
``one_or_404`` needs Flask-SQLAlchemy 3, so ``.one()`` is left alone when the declared
version is older or unknown. ``.first()`` counts only when an attribute of its result is read
before anything tests it, there or in a project function it is handed to
(``serialize(product)``). Django views' ``Model.objects....first()`` count the same way.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .dict_rows import dict_row_suggestions
from .django_rows import DJANGO_CAUGHT, django_model, model_label, session_keyed
from .earlier_guards import preceding
from .form_choices import chosen_from_form
from .form_rows import keyed_by_django_form, validated_by_form
from .frameworks import ModuleFacts, Route, caught, fetched_by_decorator
from .helper_rows import children_of_client_row, helper_row_suggestions, keyed_by_client
from .known_rows import exists_checked, looked_up_again, row_implied, row_proven
from .one_rows import one_row_suggestions
from .pyedits import ensure_imports, insert_before_line, replace_node
from .pysource import dotted, own_nodes, single_binding
from .restful_rows import extension_guard
from .row_guards import app_guard, get_through, session_get
from .row_methods import resolve_call
from .row_uses import app_catches, fetched_row, is_aggregate, missing_row, read_unchecked, short
from .several_rows import found_several
from .token_rows import keyed_by_token

_CAUGHT = {"NoResultFound", "SQLAlchemyError", "HTTPException", "NotFound", "AttributeError"}


def missing_row_suggestions(
    facts: ModuleFacts, call: ast.Call, route: Route, flask_sqlalchemy_major: int | None
) -> list[Suggestion]:
    func = call.func
    if route.framework in ("django", "flask") and fetched_by_decorator(facts, route, call):
        # ``@organiser_only`` found the same event first, and 404s without it; a Flask
        # Resource's ``@auth_required`` did ``UserModel.query.filter_by(id=user_id).first()``
        return []
    if route.framework == "flask" and validated_by_form(facts, call):
        return []  # the form's ``validate_id`` refused an id with no such row
    if looked_up_again(facts, call):
        return []  # the same lookup, tested present before: the row is there
    if route.framework == "django" and keyed_by_django_form(facts, call):
        return []  # ``pk=data["product"].pk`` of a wizard's cleaned data: a found row
    # SQLAlchemy's own lookups in FastAPI, and the project's helpers that wrap one.
    through = helper_row_suggestions(facts, call, route)
    if through:
        return through
    # SQLAlchemy 2's ``.one()`` / ``.scalar_one()`` (in the route or a helper) and a
    # module-level registry's ``.get(key)``, each keyed by the client.
    raised = one_row_suggestions(facts, call, route) or dict_row_suggestions(facts, call, route)
    if raised:
        return raised
    if route.framework == "flask" and session_get(call):
        return _session_get_suggestion(facts, call, route, flask_sqlalchemy_major)
    if route.framework == "flask" and _query_get(call):
        return _query_get_suggestion(facts, call, route)
    if route.framework == "django" and isinstance(facts.up.get(call), ast.Subscript):
        return _django_first_by_index(facts, call, route)
    if route.framework == "django" and not call.args and not call.keywords:
        return _django_first(facts, call, route)
    if route.framework != "flask" or call.args or call.keywords:
        return []
    if not isinstance(func, ast.Attribute) or func.attr not in ("one", "first"):
        return []
    if not flask_sqlalchemy_query(func.value) or not facts.can_import("flask_sqlalchemy"):
        return []
    if func.attr == "first" and (row_implied(facts, call) or row_proven(facts, call)):
        # keyed by a loaded row's own column, its child row was found, the function made it,
        # or a helper's test or a checked lookup by the same key proved it there
        return []
    token = keyed_by_token(facts, call, route)
    if not (keyed_by_client(call, route) or children_of_client_row(call, route) or token):
        # ``Settings.query.first()`` (the one settings row), ``filter_by(id=1)`` of the
        # admin the setup flow seeds: a miss is the server's fault, and a 404 would hide it.
        return []
    direct = _direct_use(facts, call) if func.attr == "first" else None
    if caught(call, facts.up, _CAUGHT, client_error=True):
        return []
    # An app-wide handler of every exception still answers the TypeError with a 500; one of
    # a status (``errorhandler(500)`` / ``(404)``) renders a page but catches neither error.
    handled = (
        facts.handled & {"TypeError"}
        if direct
        else app_catches(facts, {"NoResultFound", "AttributeError", "UnmappedInstanceError"})
    )
    if handled:
        return []
    src = facts.source
    text = src.text_of(call)
    if func.attr == "one":
        if flask_sqlalchemy_major is None or flask_sqlalchemy_major < 3:
            return []
        if aggregate_only(func.value):
            return []  # ``query(func.count(...)).filter(...).one()``: always exactly one row
        why = f"`{short(text)}` raises NoResultFound when nothing matches: a 500"
    else:
        used = direct or _used_unchecked(facts, call, route)
        if used is None:
            return []
        why = f"`{short(text)}` gives None when nothing matches, and `{used}` then raises: a 500"
        if token:
            why += (
                " (the token's identity outlives its user: a deleted account's tokens stay "
                "valid until they expire)"
            )
    head = text[: text.rfind(".")]
    # Unpacked or subscripted where it is made: no name to test, the query answers 404 itself.
    guard = app_guard(facts, call, route) if func.attr == "first" and not direct else None
    own = guard is not None
    if guard is None and func.attr == "first" and not direct:
        guard = extension_guard(facts, call)  # ``abort(404, message=...)`` of Flask-RESTful's
    status = 404
    if guard is not None:
        # The module already answers a missing row its own way: the same check, here too.
        if token and _unauthorized(guard) != guard:
            guard, status = _unauthorized(guard), 401
        edit, answer = _guard_after(facts, call, guard)
        if status == 401:
            fix = (
                f"The module's own answer to a missing row, as a 401 (the token names no "
                f"user), `{answer}`, is added after it."
            )
        elif own:
            fix = f"The module's own answer to a missing row, `{answer}`, is added after it."
        else:
            fix = f"`{answer}` after it answers 404 as the module's other lookups do."
        fix += _left_uncommitted(facts, call, route)
    else:
        edit = replace_node(src, call, f"{head}.{func.attr}_or_404()")
        fix = f"Flask-SQLAlchemy's `{func.attr}_or_404()` answers 404 instead."
    return missing_row(
        src,
        call,
        f"Answer {status} when {func.attr}() finds no row",
        f"{why}. {fix}",
        (edit,),
    )


_DJANGO_CAUGHT = DJANGO_CAUGHT
# Lookups that match one row at most: ``get_object_or_404`` then cannot raise
# MultipleObjectsReturned where ``.first()`` picked one of several.
_UNIQUE_LOOKUPS = {"pk", "id", "pk__exact", "id__exact"}


def _django_first(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    """``Model.objects.filter(...).first()`` in a Django view, its attribute read unchecked."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "first":
        return []
    model = django_model(func.value) or _related_manager(facts, call)
    if model is None:
        return []
    if caught(call, facts.up, _DJANGO_CAUGHT, client_error=True) or _DJANGO_CAUGHT & route.handled:
        return []
    if facts.handled_by_app({"Http404", "404"}):
        return []
    if exists_checked(facts, call):
        return []  # ``if qs.exists():`` on the same queryset runs first
    if session_keyed(facts.source, call):
        return []  # ``id=request.session["cart_id"]``: an id the server stored, no client's
    if found_several(call, facts.up):
        return []  # in the ``except MultipleObjectsReturned`` of the same lookup's ``.get()``
    used = _used_unchecked(facts, call, route)
    if used is None:
        return []
    src = facts.source
    text = src.text_of(call)
    why = f"`{short(text)}` gives None when nothing matches, and `{used}` then raises: a 500"
    chain = func.value
    keys = {k.arg for k in chain.keywords} if isinstance(chain, ast.Call) else set()
    if (
        isinstance(chain, ast.Call)
        and isinstance(chain.func, ast.Attribute)
        and chain.func.attr == "filter"
        and dotted(chain.func.value) == f"{model}.objects"
        and not chain.args
        and None not in keys
        and keys & _UNIQUE_LOOKUPS
    ):
        args = ", ".join([model, *(src.text_of(k) for k in chain.keywords)])
        edits = [
            *ensure_imports(src, [("django.shortcuts", "get_object_or_404")]),
            replace_node(src, call, f"get_object_or_404({args})"),
        ]
        fix = "`get_object_or_404` answers 404 instead."
    else:
        name = model_label(model)
        if not name[:1].isupper():  # a related manager: say it by the row's local
            name = used.split(".", 1)[0].capitalize()
        guard = ("{name} is None", f'raise Http404("{name} not found")')
        edit, answer = _guard_after(facts, call, guard)
        edits = [*ensure_imports(src, [("django.http", "Http404")]), edit]
        fix = f"`{answer}` after it answers 404 instead."
    return missing_row(
        src,
        call,
        "Answer 404 when first() finds no row",
        f"{why}. {fix}",
        tuple(edits),
    )


# The queryset methods a ``[0]`` may end: each gives the rows, of which there may be none.
QUERYSET_ROWS = frozenset(
    {"filter", "exclude", "order_by", "all", "select_related", "prefetch_related"}
)
QUERYSET_ROWS |= {"only", "defer", "using", "select_for_update"}


def _django_first_by_index(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    """``image = LeafletImage.objects.filter(legacy_image_key=key)[0]`` in a Django view:
    IndexError (a 500) when the client's key matches nothing (judged on a real app). The
    queryset's ``.first()`` and a 404 when it is None keep the view's meaning."""
    func = call.func
    sub = facts.up[call]
    if not (isinstance(func, ast.Attribute) and func.attr in QUERYSET_ROWS):
        return []
    if not (isinstance(sub, ast.Subscript) and sub.value is call):
        return []
    if not (isinstance(sub.slice, ast.Constant) and sub.slice.value == 0):
        return []
    assign = facts.up.get(sub)
    if not (
        isinstance(assign, ast.Assign)
        and assign.value is sub
        and len(assign.targets) == 1
        and isinstance(assign.targets[0], ast.Name)
    ):
        return []
    model = django_model(call)
    if model is None or not keyed_by_client(call, route):
        return []
    if caught(sub, facts.up, {"IndexError", "LookupError", "Http404"}, client_error=True):
        return []
    if {"IndexError", "LookupError"} & route.handled or facts.handled_by_app({"IndexError"}):
        return []
    src = facts.source
    name = assign.targets[0].id
    model_name = model_label(model)
    line = (assign.end_lineno or assign.lineno) - 1
    indent = src.indent_of(assign.lineno - 1)
    answer = f'raise Http404("{model_name} not found")'
    edits = [
        *ensure_imports(src, [("django.http", "Http404")]),
        replace_node(src, sub, f"{src.text_of(call)}.first()"),
        insert_before_line(src, line + 1, f"{indent}if {name} is None:\n{indent}    {answer}"),
    ]
    return missing_row(
        src,
        call,
        "Answer 404 when the queryset has no row",
        f"`{short(src.text_of(sub))}` raises IndexError when nothing matches the client's "
        f"key: a 500. `.first()` and `{answer}` when it is None answer 404 instead.",
        tuple(edits),
    )


def _related_manager(facts: ModuleFacts, call: ast.Call) -> str | None:
    """``appointment.invoices.filter(...).first()`` on a row the view fetched: the related
    manager as written (its model's name is not in the code)."""
    node = call.func.value  # type: ignore[attr-defined]
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
        return None
    if node.value.id == "self" or not fetched_row(facts, call, node.value.id):
        return None
    return dotted(node)


def _query_get(call: ast.Call) -> bool:
    """``Project.query.get(id)`` (Flask-SQLAlchemy's legacy lookup by primary key): None
    when no row has that key."""
    return get_through(call, "query", 1) and call.func.value.value.id[:1].isupper()  # type: ignore[attr-defined]


def _query_get_suggestion(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    """``template = Project.query.get(form.template.data)`` then ``template.longtext``: the
    query's own ``get_or_404`` (Flask-SQLAlchemy 2 and 3 alike) answers 404."""
    if not facts.can_import("flask_sqlalchemy"):
        return []
    if caught(call, facts.up, _CAUGHT, client_error=True) or app_catches(facts, {"AttributeError"}):
        return []
    if not keyed_by_client(call, route) or chosen_from_form(facts, call, route):
        return []  # ``Project.query.get(event.project_id)``: the row's own reference
    if facts.upstream is not None and resolve_call(facts.upstream, facts.source, call):
        # The model's query class defines its own ``get`` (helper_rows reads it): the
        # library's ``get_or_404`` would call that one with other arguments.
        return []
    used = _used_unchecked(facts, call, route)
    if used is None:
        return []
    src = facts.source
    assert isinstance(call.func, ast.Attribute)
    head = src.text_of(call.func.value)
    return missing_row(
        src,
        call,
        "Answer 404 when query.get() finds no row",
        f"`{short(src.text_of(call))}` gives None when no row has that key, and `{used}` "
        f"then raises: a 500. Flask-SQLAlchemy's `{head}.get_or_404()` answers 404 instead.",
        (replace_node(src, call, f"{head}.get_or_404({src.text_of(call.args[0])})"),),
    )


def _session_get_suggestion(
    facts: ModuleFacts, call: ast.Call, route: Route, flask_sqlalchemy_major: int | None
) -> list[Suggestion]:
    if not facts.can_import("flask_sqlalchemy"):
        return []
    if caught(call, facts.up, _CAUGHT, client_error=True) or app_catches(facts, {"AttributeError"}):
        return []
    if not keyed_by_client(call, route):
        return []  # ``db.session.get(Text, book.current_tx_id)``: the row's own reference
    if chosen_from_form(facts, call, route):
        return []  # a validated SelectField's value: one of the rows the view offered
    used = _used_unchecked(facts, call, route)
    if used is None:
        return []
    src = facts.source
    assert isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Attribute)
    db = src.text_of(call.func.value.value)
    model, key = (src.text_of(a) for a in call.args)
    why = (
        f"`{short(src.text_of(call))}` gives None when no row has that key, and `{used}` "
        "then raises: a 500"
    )
    if flask_sqlalchemy_major is not None and flask_sqlalchemy_major >= 3:
        edit = replace_node(src, call, f"{db}.get_or_404({model}, {key})")
        fix = f"Flask-SQLAlchemy's `{db}.get_or_404()` answers 404 instead."
    else:
        guard = app_guard(facts, call, route)
        if guard is None and facts.imports.get("abort") == "flask.abort":
            guard = ("{name} is None", "abort(404)")
        if guard is None:
            return []
        edit, answer = _guard_after(facts, call, guard)
        fix = f"The module's own answer to a missing row, `{answer}`, is added after it."
    return missing_row(
        src,
        call,
        "Answer 404 when session.get() finds no row",
        f"{why}. {fix}",
        (edit,),
    )


def _left_uncommitted(facts: ModuleFacts, call: ast.Call, route: Route) -> str:
    """A sentence for a row's column set before the lookup (``user.no_of_books = ... - 1``)
    that the check, inserted after the lookup, does not move: aborting raises before the
    route's ``commit()`` below, which is what would write it."""
    stmt = facts.up.get(call)
    if not isinstance(stmt, ast.stmt):
        return ""
    changed = next(
        (
            s
            for s in preceding(stmt, facts.up)
            if isinstance(s, ast.Assign | ast.AugAssign) and _row_column(s)
        ),
        None,
    )
    end = stmt.end_lineno or stmt.lineno
    commit = next(
        (
            n
            for n in own_nodes(route.func)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "commit"
            and n.lineno > end
        ),
        None,
    )
    if changed is None or commit is None:
        return ""
    target = changed.targets[0] if isinstance(changed, ast.Assign) else changed.target
    return (
        f" The change of `{facts.source.text_of(target)}` above it stays where it is: the "
        f"abort comes before `{facts.source.text_of(commit.func)}()`, so it is never written."
    )


def _unauthorized(guard: tuple[str, str]) -> tuple[str, str]:
    """The module's ``abort(404, ...)`` as a 401 for a token's user that is gone: the
    client's credentials name no one (a reviewer's 401/403 for a real app's decorator)."""
    test, answer = guard
    head, sep, rest = answer.partition("(404")
    if sep and head.split(".")[-1] == "abort" and rest[:1] in (",", ")"):
        return test, f"{head}(401{rest}"
    return guard


def _row_column(stmt: ast.Assign | ast.AugAssign) -> bool:
    """``user.no_of_books = ...``: a column of a local (a row), not ``self.x``."""
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    return (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id not in ("self", "cls")
    )


def _guard_after(facts: ModuleFacts, call: ast.Call, guard: tuple[str, str]) -> tuple[Edit, str]:
    """The guard's test and answer, inserted after the assignment of ``call``'s row."""
    src = facts.source
    assign = facts.up[call]
    name = single_binding(assign)
    assert isinstance(assign, ast.Assign | ast.AnnAssign) and name is not None
    line = (assign.end_lineno or assign.lineno) - 1
    indent = src.indent_of(assign.lineno - 1)
    test, answer = guard
    text = f"{indent}if {test.format(name=name)}:\n{indent}    {answer}"
    return insert_before_line(src, line + 1, text), answer


def flask_sqlalchemy_query(node: ast.expr) -> bool:
    """The chain starts at ``Model.query`` or ``db.session.query(...)``."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "query" and dotted(node.func.value).endswith("session"):
            return True
        node = node.func.value
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "query"
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
    )


def _direct_use(facts: ModuleFacts, call: ast.Call) -> str | None:
    """``a, b = q.first()`` / ``q.first()[1]``: the row used where it is made, a TypeError
    on None."""
    parent = facts.up.get(call)
    if isinstance(parent, ast.Subscript) and parent.value is call:
        return f"first()[{facts.source.text_of(parent.slice)}]"
    if isinstance(parent, ast.Assign) and any(
        isinstance(t, ast.Tuple | ast.List) for t in parent.targets
    ):
        return "unpacking it"
    return None


def _used_unchecked(facts: ModuleFacts, call: ast.Call, route: Route) -> str | None:
    """``page = ....first()`` then ``page.entries`` with no test of ``page`` in the function
    before it (``if page``, ``if page is None``, ``assert page``, ``page and ...``); annotated
    too (``page: Page = ....first()``)."""
    assign = facts.up.get(call)
    name = single_binding(assign) if assign is not None else None
    if name is None:
        return None
    assert isinstance(assign, ast.Assign | ast.AnnAssign)
    return read_unchecked(facts, route.func, name, assign.end_lineno or 0, helpers=True)


def aggregate_only(query: ast.expr) -> bool:
    """A query selecting only aggregates, with no GROUP BY (``db.session.query(func.count(
    Episode.id), func.coalesce(func.sum(Episode.seconds), 0)).filter(...)``): it gives one
    row whatever matches, so ``.one()`` on it cannot fail."""
    node: ast.expr = query
    selected: list[ast.expr] = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "group_by":
            return False
        if node.func.attr in ("query", "with_entities"):
            selected = list(node.args)
        node = node.func.value
    return bool(selected) and all(is_aggregate(arg) for arg in selected)
