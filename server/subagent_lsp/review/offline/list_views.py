"""The list a Django or DRF class view reads a page at a time, for BKD101's sorts.

DRF's generic list views (``ListAPIView``, ``ListCreateAPIView``, a ``ModelViewSet``'s list)
page their ``queryset`` when a pagination class with a page size applies: the view's own
``pagination_class``, or the settings' ``DEFAULT_PAGINATION_CLASS`` with ``PAGE_SIZE`` (DRF's
own classes page nothing without a size). Django's ``ListView`` pages it by ``paginate_by``.
Paged, the list is ``ORDER BY created_on DESC LIMIT 10``, which an index in that order answers
without sorting the table; unpaged, every row is read anyway. The view's code never calls a
paginator, so the query alone did not show it (two real DRF apps' feeds, sorted by their
``Meta.ordering``, were missed so).

Also read: the view's own default ``ordering``, which replaces the queryset's (DRF's
``OrderingFilter``, Django's ``ListView.ordering`` on its ``queryset`` attribute), and the
``filterset_fields`` that ``DjangoFilterBackend`` answers (``?post=3``: one post's comments,
a page at a time).

Only a view whose list queryset this is: the class's ``queryset`` attribute or its
``get_queryset``. Not paged (None or ``paged`` False) for anything not read as a literal: a
pagination class or size set by a name the settings do not spell out, a ``REST_FRAMEWORK``
built by a call or updated later, ``pagination_class = None``, and ``CursorPagination``, which
sorts by its own ``ordering``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from .django_settings import project_folder, settings_files
from .file_memo import FileMemo
from .pysource import Source, dotted, qualified

# DRF's classes whose list() pages the queryset (``ListModelMixin.list``).
_DRF_LISTS = frozenset(
    {"ListAPIView", "ListCreateAPIView", "ModelViewSet", "ReadOnlyModelViewSet"}
    | {"ListModelMixin"}
)
_DJANGO_LISTS = frozenset({"ListView", "BaseListView"})
# DRF's own pagination classes: their page size is the settings' PAGE_SIZE.
_DRF_PAGINATIONS = frozenset({"PageNumberPagination", "LimitOffsetPagination"})
_MAX_BASES = 4  # project base views followed within the module


@dataclass(frozen=True)
class PagedList:
    """What a list view does to its queryset: ``view`` names it (for the rationale)."""

    view: str
    paged: bool
    how: str  # how it pages: ``PAGE_SIZE = 10``, ``paginate_by = 20``, its pagination class
    ordering: tuple[tuple[str, bool], ...] | None  # the view's own default ordering
    ordering_from: str  # where that ordering is written (``CarList.ordering``)
    filters: tuple[str, ...]  # filterset_fields compared for equality (``?post=3``)
    # The list is one clients page through on purpose: a list-only view (``ListAPIView``,
    # Django's ``ListView``), or one that declares what to search, filter or sort it by, or
    # its own pagination. Not the list half of a bare ``ListCreateAPIView`` (a like's, a
    # contact message's) that the settings' default pagination pages with every other list.
    browsed: bool = True


def list_view_of(source: Source, node: ast.AST, up: dict[ast.AST, ast.AST]) -> PagedList | None:
    """The list view whose list ``node`` (a queryset chain) is: written as the class's
    ``queryset`` attribute or in its ``get_queryset``; None for anything else."""
    current: ast.AST | None = up.get(node)
    own_attribute = False
    while current is not None:
        parent = up.get(current)
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            if current.name != "get_queryset" or not isinstance(parent, ast.ClassDef):
                return None
            if not _returned(node, up, current):
                return None  # a lookup on the way (``profile = ...first()``), not the list
            return paged_list(source, parent, own_attribute=False)
        if isinstance(current, ast.ClassDef):
            return None
        if isinstance(parent, ast.ClassDef):
            targets = current.targets if isinstance(current, ast.Assign) else []
            if not any(isinstance(t, ast.Name) and t.id == "queryset" for t in targets):
                return None
            if not isinstance(current, ast.Assign) or _chain_top(node, up) is not current.value:
                return None  # a queryset inside the attribute's value (a Prefetch, a filter)
            own_attribute = True
            return paged_list(source, parent, own_attribute)
        current = parent
    return None


def _chain_top(node: ast.AST, up: dict[ast.AST, ast.AST]) -> ast.AST:
    """The whole method chain ``node`` is a link of (``X.objects.filter(...)`` of its
    ``X.objects``): up through attributes read off it and calls of them, not arguments."""
    current = node
    while True:
        parent = up.get(current)
        if (isinstance(parent, ast.Attribute) and parent.value is current) or (
            isinstance(parent, ast.Call) and parent.func is current
        ):
            current = parent
        else:
            return current


def _returned(node: ast.AST, up: dict[ast.AST, ast.AST], func: ast.AST) -> bool:
    """The chain is what ``get_queryset`` returns: in its ``return``, or bound to a local that
    a ``return`` gives back (narrowed or not: ``return queryset.filter(...)``)."""
    top = _chain_top(node, up)
    stmt = up.get(top)
    if isinstance(stmt, ast.Return):
        return True
    if not (
        isinstance(stmt, ast.Assign)
        and stmt.value is top
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return False
    name = stmt.targets[0].id
    for ret in ast.walk(func):
        if isinstance(ret, ast.Return) and ret.value is not None:
            root = ret.value
            while isinstance(root, ast.Call | ast.Attribute):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name) and root.id == name:
                return True
    return False


def paged_list(source: Source, cls: ast.ClassDef, own_attribute: bool) -> PagedList | None:
    """``cls`` read as a DRF or Django list view; ``own_attribute``: its list is the class's
    ``queryset`` attribute (or ``model``), which Django's ``ListView.ordering`` sorts."""
    chain = _classes(source, cls)
    if chain is None:
        return None
    kind, classes, creates = chain
    attrs: dict[str, ast.expr] = {}
    for c in reversed(classes):  # the view's own assignments win over its bases'
        for stmt in c.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name):
                    attrs[target.id] = stmt.value
    if kind == "django":
        return _django_list(cls, attrs, own_attribute)
    found = _drf_list(source, cls, attrs)
    browsed = not creates or bool(set(attrs) & _BROWSE_ATTRIBUTES)
    return replace(found, browsed=browsed)


# What a DRF list view declares for its clients to page through it by.
_BROWSE_ATTRIBUTES = frozenset(
    {"filter_backends", "search_fields", "ordering_fields", "filterset_fields"}
    | {"filterset_class", "filter_fields", "ordering", "pagination_class"}
)
# DRF's classes that create rows as well as list them.
_DRF_CREATES = frozenset({"ListCreateAPIView", "ModelViewSet", "CreateModelMixin"})


def _classes(source: Source, cls: ast.ClassDef) -> tuple[str, list[ast.ClassDef], bool] | None:
    """The view and its bases defined in the same module; the kind of list its framework
    bases make (drf | django), None when no base is one of their list views; and whether
    it creates rows too."""
    module_classes = {
        n.name: n for m in source.modules for n in m.body if isinstance(n, ast.ClassDef)
    }
    classes, todo, kinds, creates = [cls], [cls], set(), False
    while todo and len(classes) <= _MAX_BASES:
        current = todo.pop(0)
        for base in current.bases:
            written = dotted(base)
            local = module_classes.get(written)
            if local is not None and local not in classes:
                classes.append(local)
                todo.append(local)
                continue
            full = qualified(source, written) if written else ""
            last = full.rsplit(".", 1)[-1]
            if full.startswith("rest_framework.") and last in _DRF_LISTS | _DRF_CREATES:
                creates = creates or last in _DRF_CREATES
                if last in _DRF_LISTS:
                    kinds.add("drf")
            elif full.startswith("django.views.") and last in _DJANGO_LISTS:
                kinds.add("django")
    if len(kinds) != 1:
        return None
    return kinds.pop(), classes, creates


def _django_list(cls: ast.ClassDef, attrs: dict[str, ast.expr], own: bool) -> PagedList:
    size = attrs.get("paginate_by")
    paged = size is not None and not _falsy(size)
    how = f"paginate_by = {ast.unparse(size)}" if size is not None and paged else ""
    ordering = _ordering(attrs.get("ordering")) if own else None
    return PagedList(cls.name, paged, how, ordering, f"{cls.name}.ordering", ())


def _drf_list(source: Source, cls: ast.ClassDef, attrs: dict[str, ast.expr]) -> PagedList:
    settings = drf_settings(source.path)
    paged, how = _drf_paged(source, attrs, settings)
    backends = _backends(source, attrs.get("filter_backends"), settings)
    ordering = None
    if "OrderingFilter" in backends:
        ordering = _ordering(attrs.get("ordering"))
    filters: tuple[str, ...] = ()
    if "DjangoFilterBackend" in backends:
        filters = _filterset_fields(attrs.get("filterset_fields"))
    return PagedList(cls.name, paged, how, ordering, f"{cls.name}.ordering", filters)


def _drf_paged(
    source: Source, attrs: dict[str, ast.expr], settings: DrfSettings | None
) -> tuple[bool, str]:
    page_size = settings.page_size if settings is not None else ""
    if "pagination_class" in attrs:
        value = attrs["pagination_class"]
        if _falsy(value):
            return False, ""
        written = dotted(value)
        if not written:
            return False, ""
        last = qualified(source, written).rsplit(".", 1)[-1]
        if "Cursor" in last:
            return False, ""
        if last in _DRF_PAGINATIONS:
            return bool(page_size), f"{last}, PAGE_SIZE = {page_size}" if page_size else ""
        return True, f"pagination_class = {written}"  # the project's own: it sets its size
    if settings is None or not settings.pagination:
        return False, ""
    last = settings.pagination.rsplit(".", 1)[-1]
    if "Cursor" in last:
        return False, ""
    if settings.pagination.startswith("rest_framework.") and not page_size:
        return False, ""
    size = f", PAGE_SIZE = {page_size}" if page_size else ""
    return True, f"the settings' {last}{size}"


def _backends(source: Source, value: ast.expr | None, settings: DrfSettings | None) -> set[str]:
    """The last names of the filter backends that run for the view."""
    if value is None:
        return set(settings.filter_backends) if settings is not None else set()
    if not isinstance(value, ast.List | ast.Tuple):
        return set()
    return {qualified(source, dotted(e)).rsplit(".", 1)[-1] for e in value.elts if dotted(e)}


def _filterset_fields(value: ast.expr | None) -> tuple[str, ...]:
    """The plain fields of ``filterset_fields`` matched for equality: a list's names, a dict's
    keys whose lookups include ``exact``; not a path through a relation (``owner__profile``)."""
    names: list[str] = []
    if isinstance(value, ast.List | ast.Tuple):
        names = [
            e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    elif isinstance(value, ast.Dict):
        for key, lookups in zip(value.keys, value.values, strict=True):
            exact = isinstance(lookups, ast.List | ast.Tuple) and any(
                isinstance(e, ast.Constant) and e.value == "exact" for e in lookups.elts
            )
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and exact:
                names.append(key.value)
    return tuple(n for n in names if n.isidentifier() and "__" not in n)


def _ordering(value: ast.expr | None) -> tuple[tuple[str, bool], ...] | None:
    """``ordering = ["-created_on"]`` (or one string) of plain fields; None for anything else."""
    if value is None:
        return None
    elts = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
    out: list[tuple[str, bool]] = []
    for e in elts:
        if not (isinstance(e, ast.Constant) and isinstance(e.value, str)):
            return None
        name = e.value.lstrip("-")
        if not name.isidentifier() or "__" in name:
            return None
        out.append((name, e.value.startswith("-")))
    return tuple(out) or None


def _falsy(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and not value.value


@dataclass(frozen=True)
class DrfSettings:
    pagination: str  # DEFAULT_PAGINATION_CLASS, dotted ('' when not set)
    page_size: str  # PAGE_SIZE as written ('' when not set, or None)
    filter_backends: tuple[str, ...]  # DEFAULT_FILTER_BACKENDS, by their last names
    unread: bool = False  # REST_FRAMEWORK built in a way not read here


def _read(_path: str, text: str) -> DrfSettings:
    """What one settings module's ``REST_FRAMEWORK`` says of pages and filters."""
    if "REST_FRAMEWORK" not in text:
        return DrfSettings("", "", ())
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return DrfSettings("", "", (), unread=True)
    values: dict[str, ast.expr] = {}
    unread = False
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and target.id == "REST_FRAMEWORK":
                    if not isinstance(stmt.value, ast.Dict):
                        unread = True
                        continue
                    for key, value in zip(stmt.value.keys, stmt.value.values, strict=True):
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            values[key.value] = value
                        else:
                            unread = True  # ``**BASE``: keys not read here
                elif (
                    isinstance(target, ast.Subscript)
                    and dotted(target.value) == "REST_FRAMEWORK"
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    values[target.slice.value] = stmt.value
        elif isinstance(stmt, ast.Call) and dotted(stmt.func) in (
            "REST_FRAMEWORK.update",
            "REST_FRAMEWORK.setdefault",
        ):
            unread = True
    pagination = values.get("DEFAULT_PAGINATION_CLASS")
    size = values.get("PAGE_SIZE")
    backends = values.get("DEFAULT_FILTER_BACKENDS")
    named = ""
    if isinstance(pagination, ast.Constant) and isinstance(pagination.value, str):
        named = pagination.value
    elif pagination is not None and not _falsy(pagination):
        unread = True
    written = "" if size is None or _falsy(size) else ast.unparse(size)
    listed: tuple[str, ...] = ()
    if isinstance(backends, ast.List | ast.Tuple):
        listed = tuple(
            e.value.rsplit(".", 1)[-1]
            for e in backends.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
    return DrfSettings(named, written, listed, unread)


_settings_of: FileMemo[DrfSettings] = FileMemo(_read, 1 << 20)


def drf_settings(path: str) -> DrfSettings | None:
    """The DRF settings of the Django project holding ``path``, its settings modules taken
    together (a base module's pagination, a production module's size); None when there are
    none, or one builds ``REST_FRAMEWORK`` in a way not read here."""
    root = project_folder(path)
    if root is None:
        return None
    read = [s for s in map(_settings_of.get, settings_files(root)) if s is not None]
    if not read or any(s.unread for s in read):
        return None
    pagination = next((s.pagination for s in read if s.pagination), "")
    size = next((s.page_size for s in read if s.page_size), "")
    backends = tuple(b for s in read for b in s.filter_backends)
    return DrfSettings(pagination, size, backends)
