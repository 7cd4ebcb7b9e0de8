"""BKD333's fix: look each parent up before the write, one statement per key, and answer 404
naming the missing id the route's way; and the suggestion's words.

FastAPI: ``if db.get(Course, data.course_id) is None: raise HTTPException(status_code=404,
detail=...)`` (``Query.get`` before SQLAlchemy 1.4, the module's ``status`` names), or the
module's own answer to a missing row of that model. Flask: that own answer, else
Flask-SQLAlchemy's ``get_or_404`` (``db.get_or_404(Model, id, description=...)`` from its 3.0,
``Model.query.get_or_404(id)`` before, on a ``db.Model``), else ``abort(404, ...)`` after
``Session.get`` (1.4 on). A nullable key, and an update's field that may be left out, is looked
up only when given. Through a project function the lookup goes in the route, before its call:
the route answers HTTP. Laid out as ruff would, with the imports the module lacks (the parent's
model from where the module imports its other models); no fix where a name is taken by
something else or the module's ``except Exception`` would answer the 404 with a 500.
"""

from __future__ import annotations

import ast
import os

from ..suggestion import Edit
from .delete_children import listed
from .frameworks import ModuleFacts, Route, enclosing_statement
from .helper_creates import module_level
from .helper_rows import model_noun
from .parent_key_writes import KeyWrite
from .parent_keys import ParentKey
from .pyedits import LINE_LENGTH, ensure_imports, insert_before_line
from .pysource import Source, bound_as, dotted, imported_from, imported_names, string_quote
from .row_guards import app_guard
from .schema import Table
from .try_blocks import in_server_error_try, status_code

# Flask-SQLAlchemy's ``db.get_or_404(Model, id, description=...)`` came with 3.0.
_DB_GET_OR_404 = 3


def lookup_edits(facts: ModuleFacts, route: Route, create: KeyWrite) -> tuple[Edit, ...] | None:
    """The lookups before the write (or before the route's call reaching it), with the
    imports they need."""
    src = facts.source
    at = _before(create)
    stmt = at if isinstance(at, ast.stmt) else enclosing_statement(at, facts.up)
    if stmt is None or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    if in_server_error_try(stmt, facts.up) is not None:
        return None  # its ``except Exception`` would answer the 404 with a 500
    indent = src.indent_of(stmt.lineno - 1)
    lines: list[str] = []
    needed: list[tuple[str, str]] = []
    quote = string_quote(src, route.func)
    for key in create.site.keys:
        made = _lookup(facts, route, create, key, indent, quote)
        if made is None:
            return None
        text, imports = made
        lines.append(text)
        needed.extend(imports)
        model_import = _model_import(facts, key.parent_model)
        if model_import is None:
            return None
        needed.extend(model_import)
    return (
        *ensure_imports(src, list(dict.fromkeys(needed))),
        insert_before_line(src, stmt.lineno - 1, "\n".join(lines)),
    )


def _before(create: KeyWrite) -> ast.AST:
    """What the lookups go before: the route's call of the project function, else the site."""
    return create.at if create.at is not None else create.site.anchor


def shown(create: KeyWrite) -> ast.AST:
    """What the suggestion points at: a loop's ``data.dict(...).items()``, an assignment's
    target, else the site (or the route's call)."""
    at = _before(create)
    if isinstance(at, ast.For):
        return at.iter
    if isinstance(at, ast.Assign):
        return at.targets[0]
    return at


def title(create: KeyWrite) -> str:
    return f"Answer 404 when {listed([k.attribute for k in create.site.keys], 'or')} names no row"


def rationale(facts: ModuleFacts, route: Route, create: KeyWrite, enforced: str) -> str:
    site = create.site
    keys = site.keys
    plural = len(keys) > 1
    attrs = listed([k.attribute for k in keys])
    held = f"foreign key{'s' if plural else ''} to {listed([k.parent.name for k in keys])}"
    values = f"the client's {attrs}" if create.at is None else "them" if plural else "it"
    if site.update:
        does = f"writes {values} into {_a(site.model)}"
    else:
        does = f"makes {_a(site.model)} with {values}"
    if create.at is None:
        lead = f"`{route.func.name}` {does} ({held}) and commits"
    else:
        where = os.path.relpath(create.source.path, os.path.dirname(facts.source.path))
        lead = (
            f"`{route.func.name}` hands the client's {attrs} to `{dotted(create.at.func)}` "
            f"(in {where}), which {does} ({held}) and commits"
        )
    nouns = listed([model_noun(k.parent_model).lower() for k in keys], "or")
    change = "update" if site.update else "create"
    why = (
        f"{lead} without looking {'those rows' if plural else 'that row'} up: an id no row "
        f"has makes the commit raise IntegrityError on {enforced}, which enforces foreign "
        f"keys, a 500 where the client named {_a(nouns)} that does not exist. A lookup of "
        f"{'each' if plural else 'it'} before the {change} answers 404 naming the missing id."
    )
    optional = [k.attribute for k in keys if k.may_be_none]
    if optional:
        several = len(optional) > 1
        left = "may be left out" if site.update else "are nullable" if several else "is nullable"
        pronoun = "each" if several else "it"
        why += f" {listed(optional)} {left}: {pronoun} is looked up only when given."
    if create.duplicate is not None:
        why += (
            " The `except` around the commit answers the IntegrityError as a duplicate: an "
            "unknown id is a foreign-key violation, which it would report as a taken value."
        )
    return why


def _lookup(
    facts: ModuleFacts,
    route: Route,
    create: KeyWrite,
    key: ParentKey,
    indent: str,
    quote: str,
) -> tuple[str, list[tuple[str, str]]] | None:
    """The statement looking ``key``'s parent up (at ``indent``), answering 404 without it."""
    value = key.value
    other = "'" if quote == '"' else '"'
    if quote in value:
        quote, other = other, quote
        if quote in value:
            return None
    label = key.parent_model
    message = f"f{quote}{model_noun(label)} {{{value}}} not found{quote}"
    session = create.session
    awaited = "await " if create.awaited else ""
    model = key.parent_model
    if route.framework == "fastapi":
        version = facts.package_version("sqlalchemy") if facts.package_version else None
        got = (
            f"{awaited}{session}.query({model}).get({value})"
            if version is not None and version < (1, 4) and not awaited
            else f"{awaited}{session}.get({model}, {value})"
        )
        answer, needed = _fastapi_answer(facts, route, model, message)
        if answer is None:
            return None
        return _if(indent, key, f"{got} is None", answer), needed
    # Flask: the module's own answer to a missing row of the model, else Flask-SQLAlchemy's
    # ``get_or_404``, else ``abort(404)``
    own = _module_guard(facts, route, model)
    flask_db = _flask_sqlalchemy_db(facts, session)
    if flask_db is not None and not awaited:
        major = facts.flask_sqlalchemy_major
        newer = major is not None and major >= _DB_GET_OR_404
        if not newer and not _query_model(key.parent):
            return None
        if own is not None:
            got = (
                f"{flask_db}.session.get({model}, {value})"
                if newer
                else f"{model}.query.get({value})"
            )
            return _if(indent, key, f"{got} is None", own), []
        if newer:
            text = f"{flask_db}.get_or_404({model}, {value}, description={message})"
        else:
            text = f"{model}.query.get_or_404({value})"  # Flask-SQLAlchemy 2's, on every model
        if key.may_be_none:
            return f"{indent}if {value} is not None:\n{_laid_out(indent + '    ', text)}", []
        return _laid_out(indent, text), []
    version = facts.package_version("sqlalchemy") if facts.package_version else None
    if version is not None and version < (1, 4):
        return None  # no ``Session.get`` before 1.4
    got = f"{awaited}{session}.get({model}, {value})"
    if own is not None:
        return _if(indent, key, f"{got} is None", own), []
    bound = bound_as(facts.imports, "flask.abort")
    if bound is None and "abort" in facts.imports:
        return None  # another ``abort`` (Flask-RESTful's) takes other arguments
    answer = f"{bound or 'abort'}(404, description={message})"
    return _if(indent, key, f"{got} is None", answer), [] if bound else [("flask", "abort")]


def _if(indent: str, key: ParentKey, test: str, answer: str) -> str:
    """``if <test>:`` + the answer, as ruff would lay them out."""
    if key.may_be_none:
        test = f"{key.value} is not None and {test}"
    head = f"{indent}if {test}:"
    if len(head) > LINE_LENGTH and key.may_be_none:
        first, _, second = test.partition(" and ")
        head = f"{indent}if (\n{indent}    {first}\n{indent}    and {second}\n{indent}):"
    return f"{head}\n{_laid_out(indent + '    ', answer)}"


def _laid_out(indent: str, stmt: str) -> str:
    """A one-call statement (``raise HTTPException(...)``, ``db.get_or_404(...)``) at
    ``indent`` as ruff writes it: on one line, else its arguments on one line of their own,
    else one per line with a trailing comma."""
    line = f"{indent}{stmt}"
    if len(line) <= LINE_LENGTH or not stmt.endswith(")") or "(" not in stmt:
        return line
    call, _, args = stmt.partition("(")
    inner = f"{indent}    {args[:-1]}"
    if len(inner) <= LINE_LENGTH:
        return f"{indent}{call}(\n{inner}\n{indent})"
    each = "".join(f"{indent}    {p.strip()},\n" for p in _split_arguments(args[:-1]))
    return f"{indent}{call}(\n{each}{indent})"


def _split_arguments(text: str) -> list[str]:
    """``status_code=404, detail=f"..."`` -> its two arguments (commas in strings kept)."""
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except SyntaxError:
        return [text]
    assert isinstance(call, ast.Call)
    return [ast.get_source_segment(f"f({text})", n) or "" for n in [*call.args, *call.keywords]]


def _fastapi_answer(
    facts: ModuleFacts, route: Route, model: str, message: str
) -> tuple[str | None, list[tuple[str, str]]]:
    """``raise HTTPException(status_code=404, detail=...)`` as the module names them (or its
    own answer to a missing row of the model)."""
    own = _module_guard(facts, route, model)
    if own is not None:
        return own, []
    exception = bound_as(facts.imports, "fastapi.HTTPException") or bound_as(
        facts.imports, "starlette.exceptions.HTTPException"
    )
    needed: list[tuple[str, str]] = []
    if exception is None:
        if "HTTPException" in facts.imports:
            return None, []
        exception, needed = "HTTPException", [("fastapi", "HTTPException")]
    status = bound_as(facts.imports, "fastapi.status") or bound_as(
        facts.imports, "starlette.status"
    )
    code = f"{status}.HTTP_404_NOT_FOUND" if status else "404"
    return f"raise {exception}(status_code={code}, detail={message})", needed


def _module_guard(facts: ModuleFacts, route: Route, model: str) -> str | None:
    """The module's own answer after another lookup of ``model`` finds nothing (``if not
    course: abort(404, message="...")``, row_guards), where it is a 404."""
    probe = ast.parse(f"db.session.get({model}, key)", mode="eval").body
    assert isinstance(probe, ast.Call)
    found = app_guard(facts, probe, route)
    if found is None:
        return None
    written = ast.parse(found[1]).body[0]
    codes = {status_code(n) for n in ast.walk(written) if isinstance(n, ast.expr)}
    return found[1] if 404 in codes else None


def _flask_sqlalchemy_db(facts: ModuleFacts, session: str) -> str | None:
    """``db`` of ``db.session``, the module's Flask-SQLAlchemy object."""
    owner, _, attr = session.rpartition(".")
    if attr != "session" or "." in owner or not owner or not facts.can_import("flask_sqlalchemy"):
        return None
    return owner if module_level(facts.source, owner) else None


def _query_model(table: Table) -> bool:
    """A Flask-SQLAlchemy model (``class Course(db.Model)``), which has ``Course.query``."""
    return any(b.rsplit(".", 1)[-1] == "Model" for b in table.base_exprs)


def _model_import(facts: ModuleFacts, model: str) -> list[tuple[str, str]] | None:
    """What the module must import to name ``model``: nothing where it binds it, else from
    a module it imports models from that binds it too (``from app.models import ...``), or
    the parent's own module beside one of them; None where neither is known."""
    src = facts.source
    if _binds(src, model):
        return []
    upstream = facts.upstream
    schema = facts.schema
    if upstream is None or schema is None:
        return None
    parent = schema.table_for_model(model)
    if parent is None:
        return None
    modules = {
        module
        for local in imported_names(src)
        if local in schema.models
        for module, _name in imported_from(src, local)
    }
    for module in sorted(modules):
        for path in upstream.module_files_of(src.path, module):
            loaded = upstream.loader(path)
            if loaded is not None and _binds(loaded, model):
                return [(module, model)]
    for module in sorted(modules):
        for path in upstream.module_files_of(src.path, module):
            if os.path.dirname(path) == os.path.dirname(parent.path) and path.endswith(".py"):
                if os.path.basename(path) == "__init__.py":
                    continue
                stem = os.path.splitext(os.path.basename(parent.path))[0]
                head = module.rpartition(".")[0]
                dots = module[: len(module) - len(module.lstrip("."))]
                sibling = f"{head}.{stem}" if head else f"{dots}{stem}"
                return [(sibling, model)]
    return None


def _binds(source: Source, name: str) -> bool:
    """The module imports ``name`` or defines it as a top-level class."""
    return name in imported_names(source) or any(
        isinstance(n, ast.ClassDef) and n.name == name for m in source.modules for n in m.body
    )


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
