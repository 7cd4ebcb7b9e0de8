"""The wrapper a project decorator puts around the project's routes: request-path code.

``@authorized_access_only("complaints")`` runs ``Department.query.filter_by(...).first()``
and reads ``department.is_public`` before the view runs; ``@author_required`` runs
``Review.objects.get(pk=review_id)`` on the POST's ``review-id``. A missing row there is a
500 before the view's own 404 can answer, and a bad request value fails the same way: the
wrapper (``def decorated_function(*args, **kwargs)``, of the decorator or of a decorator
factory's decorator) is a handler like the routes it wraps, and it answers (it returns the
route's response, or its own: ``abort(403)``, ``return redirect(...)``).

Precision first: only a decorator defined at the top level of the project's module, worn by
at least one route of the project (found through the files that name it), and all of its
routes of one framework, which is the wrapper's.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable

from .decorator_rows import wrappers
from .frameworks import ModuleFacts, Route, module_facts
from .pysource import Source
from .upstream_calls import UpstreamCalls

# (path, name) of a project decorator -> the frameworks of the routes that wear it
Worn = dict[tuple[str, str], frozenset[str]]


def mark_decorator_bodies(facts: ModuleFacts, users: Callable[[str], Iterable[Source]]) -> None:
    """Adds the wrappers of the module's decorators that routes wear to its routes;
    ``users(name)``: the project's modules that write ``name`` (this one among them)."""
    upstream = facts.upstream
    if upstream is None:
        return
    here = os.path.abspath(facts.source.path)
    for module in facts.source.modules:
        for deco in module.body:
            if not isinstance(deco, ast.FunctionDef | ast.AsyncFunctionDef) or not any(
                isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) for s in deco.body
            ):
                continue  # a decorator defines its wrapper (or its factory, the decorator)
            found = list(wrappers(deco))
            if not found:
                continue
            frameworks: set[str] = set()
            for other in users(deco.name):
                frameworks |= worn_decorators(other, upstream).get((here, deco.name), frozenset())
            if len(frameworks) != 1:
                continue
            framework = frameworks.pop()
            for wrapper, _ in found:
                if not facts.is_route(wrapper):
                    facts.routes.append(Route(wrapper, framework))


def worn_decorators(source: Source, upstream: UpstreamCalls) -> Worn:
    """The project functions the module's routes wear as decorators (``@name``,
    ``@name(...)``, ``@module.name``), read once per parse."""
    cached: Worn | None = source.__dict__.get("_worn_decorators")
    if cached is not None:
        return cached
    worn: dict[tuple[str, str], set[str]] = {}
    for route in module_facts(source, upstream).routes:
        for deco in route.func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            resolved = upstream.resolve(source, target)
            if resolved is not None:
                key = (os.path.abspath(resolved[0].path), resolved[1].name)
                worn.setdefault(key, set()).add(route.framework)
    out = {key: frozenset(names) for key, names in worn.items()}
    source.__dict__["_worn_decorators"] = out
    return out
