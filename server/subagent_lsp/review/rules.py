"""The backend-developer's rules (BKD), in the same registry shape as the agent-file rules.

Each suggestion the offline engine makes carries one of these codes; the code can be selected,
ignored, re-rated and suppressed like an AGT rule. The examples are runnable: a test analyses
each one, checks that it triggers the rule, applies the suggestion's edits and checks that the
suggestion is gone.
"""

from __future__ import annotations

from ..definitions.findings import Severity
from ..registry import Example, Rule, table
from .rules_node_go import NODE_GO_RULES

INFO = Severity.INFORMATION

_FLASK = "from flask import Flask, jsonify, request\n\napp = Flask(__name__)\n\n\n"
_SQLITE_ORDERS = (
    "import sqlite3\n\n"
    'db = sqlite3.connect("shop.db")\n'
    'db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, email TEXT, total INTEGER)")\n\n\n'
)


def _rule(
    code: str, kind: str, name: str, summary: str, why: str, example: Example, fix: str
) -> Rule:
    return Rule(
        code,
        name,
        INFO,
        summary,
        why,
        example=example,
        fix=fix,
        applicability="unsafe",  # every suggestion is previewed before it is applied
        tags=frozenset({kind}),
        family="backend",
    )


# A FastAPI app over a SQLAlchemy ``notes`` table: the head of the examples of the rules that
# read a client's value against the model (BKD209, BKD214).
_FASTAPI_NOTES = (
    "from fastapi import FastAPI\n"
    "from sqlalchemy import select\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n\n"
    "app = FastAPI()\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class Note(Base):\n"
    '    __tablename__ = "notes"\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    title: Mapped[str] = mapped_column()\n\n\n"
)


BACKEND_RULES = table(
    _rule(
        "BKD101",
        "index",
        "missing-index",
        "A query filters or sorts on columns no index serves (proven on the app's planner).",
        "Without an index the database reads the whole table on every call; the plan before and "
        "after is in the suggestion: PostgreSQL's EXPLAIN costs for a PostgreSQL app (a "
        "throwaway local cluster with synthetic rows), SQLite's EXPLAIN QUERY PLAN otherwise "
        "(and for an OR of equalities on different columns, `a = ? OR b = ?`, which wants an "
        "index on each side: SQLite's MULTI-INDEX OR, PostgreSQL's BitmapOr). Relationship "
        "walks count as queries: a lazy load, a response model or a marshmallow schema "
        "dumping a to-many relationship, `Model.relationship.any()` (an EXISTS per row); "
        "through an association table whose composite key `(a_id, b_id)` serves `a_id` alone, "
        "the walk from `b`'s side wants an index on `b_id`. A Django or DRF list view's sort "
        "(its `Meta.ordering`, `order_by()` or the view's `ordering`) counts when the view "
        "pages it (DRF's pagination with a page size, `ListView.paginate_by`): `ORDER BY "
        "created_on DESC LIMIT 10` wants an index on `created_on`, one led by the foreign key "
        "when `filterset_fields` filters the list by it; unpaged lists, bare `ListCreateAPIView` "
        "lists of a whole table and sorts after an aggregate `annotate()` (a GROUP BY) get none.",
        Example(
            path="store.py",
            text=_SQLITE_ORDERS
            + "def by_email(email):\n"
            + '    sql = "SELECT * FROM orders WHERE email = ?"\n'
            + "    return db.execute(sql, (email,)).fetchall()\n",
        ),
        "Create the index the suggestion proposes (next to the table's DDL, or in the model).",
    ),
    _rule(
        "BKD103",
        "index",
        "filter-in-python",
        "Every row of a table is loaded to keep, in Python, the few a comparison picks: `[u "
        "for u in User.query.all() if u.email == email]` (also over a local bound to the "
        "rows, or a project function that returns them).",
        "The database reads and sends the whole table on each call, and no index can serve a "
        "filter it never sees: the cost grows with the table. Read for Flask-SQLAlchemy's "
        "`Model.query.all()`, conditions that compare the row's columns with `==`, and a "
        "comprehension that keeps the row itself.",
        Example(
            path="app.py",
            text="from flask import Flask, request\n"
            + "from flask_sqlalchemy import SQLAlchemy\n\n"
            + "app = Flask(__name__)\n"
            + "db = SQLAlchemy(app)\n\n\n"
            + "class User(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    email = db.Column(db.String(120))\n\n\n"
            + '@app.post("/users")\n'
            + "def register():\n"
            + '    email = request.form["email"]\n'
            + "    taken = [u for u in User.query.all() if u.email == email]\n"
            + "    if taken:\n"
            + '        return {"error": "email taken"}, 409\n'
            + '    return {"ok": True}, 201\n',
        ),
        "Hand the comparison to the query: `User.query.filter_by(email=email).all()`.",
    ),
    _rule(
        "BKD201",
        "validation",
        "unvalidated-json",
        "Request JSON is used without a schema.",
        "A missing or mistyped field becomes a KeyError or a bad row instead of a 400.",
        Example(
            path="app.py",
            text=_FLASK
            + '@app.post("/orders")\n'
            + "def create_order():\n"
            + "    data = request.get_json()\n"
            + '    return jsonify({"total": data["total"]}), 201\n',
        ),
        "Validate the body with a model (pydantic) and answer 400 on errors.",
    ),
    _rule(
        "BKD202",
        "validation",
        "unguarded-conversion",
        "A request value is converted without handling missing or bad input.",
        "`int('abc')` raises: the client gets a 500 for its own mistake. So does a FastAPI "
        "id declared `str` and used as a UUID (compared with a UUID column, looked up by a "
        "UUID primary key, passed to `uuid.UUID()`): a malformed one fails in the driver (a "
        "DataError on PostgreSQL) or in `UUID()`; typed `uuid.UUID`, FastAPI answers 422. "
        "A Flask URL part with no converter (`/books/<book_id>`, Flask-RESTful's "
        "`add_resource` too) used only as a model's integer key (`filter_by(id=book_id)`, "
        "`get_or_404(book_id)`) is the same on PostgreSQL (SQLite and MySQL find no row): "
        "`<int:book_id>` makes Flask answer 404. "
        "Base64 or UTF-8 decoding of what the client sent raises ValueErrors too "
        "(binascii.Error, UnicodeDecodeError), and `int(x)` under `except TypeError` is "
        "not caught.",
        Example(
            path="app.py",
            text=_FLASK
            + '@app.get("/orders")\n'
            + "def orders():\n"
            + '    page = int(request.args.get("page", 1))\n'
            + '    return jsonify({"page": page})\n',
        ),
        "Convert inside a try and answer 400 (or use the framework's typed parameters: "
        "`<int:...>` in a Flask rule).",
    ),
    _rule(
        "BKD203",
        "validation",
        "untyped-body",
        "A FastAPI body is a plain dict/Any: nothing is validated.",
        "FastAPI validates what it knows the shape of; `dict` lets anything through.",
        Example(
            path="main.py",
            text="from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
            + '@app.post("/notes")\n'
            + "def create_note(payload: dict):\n"
            + '    return {"title": payload["title"]}\n',
        ),
        "Declare a pydantic model for the body.",
    ),
    _rule(
        "BKD204",
        "validation",
        "raw-request-json",
        "`await request.json()` bypasses FastAPI's validation (its keys read raw, or the body "
        "handed to a project model: `Schema(**data)`, `Schema.model_validate(data)`).",
        "The body is neither parsed safely nor documented in the OpenAPI schema: a body that "
        "is not JSON raises JSONDecodeError, a JSON array raises TypeError at `**data`, and a "
        "value the model refuses raises ValidationError, which is no RequestValidationError: "
        "each a 500 where FastAPI would answer 422. Silent where a `try` or an app-wide "
        "handler catches them, and for a SQLModel table (which does not validate).",
        Example(
            path="main.py",
            text="from fastapi import FastAPI, Request\n\napp = FastAPI()\n\n\n"
            + '@app.post("/import")\n'
            + "async def import_notes(request: Request):\n"
            + "    data = await request.json()\n"
            + '    return {"folder": data["folder"]}\n',
        ),
        "Take the body as a typed parameter (a pydantic model; the project's model itself, "
        "named as the app names its others, where the body went to one).",
    ),
    _rule(
        "BKD205",
        "validation",
        "unchecked-query-key",
        "`request.GET[...]`/`request.POST[...]` (DRF: `request.query_params[...]`) raises on a "
        "missing key (500).",
        "A missing parameter is the client's mistake: it deserves a 400, not a server error.",
        Example(
            path="views.py",
            text="from django.http import JsonResponse\n\n\n"
            + "def search(request):\n"
            + '    term = request.GET["q"]\n'
            + '    return JsonResponse({"q": term})\n',
        ),
        "Use `.get()` and answer 400 when the value is missing.",
    ),
    _rule(
        "BKD207",
        "validation",
        "mass-assignment",
        "Every key of a raw request body is set on a model row (a setattr loop, `Model(**body)`).",
        "The client chooses the attributes: it can set a primary or foreign key, an owner or an "
        "admin flag that the endpoint never meant to expose; a key the model lacks is a 500.",
        Example(
            path="views.py",
            text="from flask import Flask, request\n"
            + "from flask_sqlalchemy import SQLAlchemy\n\n"
            + "app = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\n"
            + "class Note(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    title = db.Column(db.String(80))\n\n\n"
            + '@app.patch("/notes/<int:note_id>")\n'
            + "def edit_note(note_id):\n"
            + "    note = Note.query.get_or_404(note_id)\n"
            + "    data = request.get_json()\n"
            + "    for key, value in data.items():\n"
            + "        setattr(note, key, value)\n"
            + "    db.session.commit()\n"
            + '    return {"id": note.id}\n',
        ),
        "Set only the fields of an explicit allow-list (or validate the body with the app's "
        "schema or serializer first).",
    ),
    _rule(
        "BKD208",
        "validation",
        "assert-on-request-input",
        "`assert` checks what the client sent: a 500 when it fails, nothing under `python -O`.",
        "A failing assert raises AssertionError, which the framework answers with a 500 for the "
        "client's own mistake; and an optimised interpreter strips asserts, so the check is gone "
        "where it matters. Asserts on internal values (a row's state) are not flagged.",
        Example(
            path="app.py",
            text=_FLASK
            + '@app.get("/orders")\n'
            + "def orders():\n"
            + '    status = request.args.get("status", "open")\n'
            + '    assert status in ("open", "closed")\n'
            + '    return jsonify({"status": status})\n',
        ),
        "Keep the condition and answer 400 as the module does (`abort(400)`, a JSON 400, DRF's "
        "`ValidationError`, Django's `HttpResponseBadRequest`/`BadRequest`, FastAPI's "
        "`HTTPException`).",
    ),
    _rule(
        "BKD209",
        "validation",
        "client-named-attribute",
        "`getattr(Model, name)` of a name the client sends (`?field=...`) with no allow-list.",
        "An unknown name raises AttributeError (a 500), and the client reaches any attribute of "
        "the class (`?field=metadata`, `?field=__table__`), not only the columns meant to be "
        "offered. A name that picks the sort column is BKD212's.",
        Example(
            path="main.py",
            text=_FASTAPI_NOTES
            + '@app.get("/notes")\n'
            + 'def notes(field: str = "title", value: str = ""):\n'
            + "    with Session() as session:\n"
            + "        rows = session.scalars(select(Note).where(getattr(Note, field) == value))\n"
            + "        return [n.title for n in rows]\n",
        ),
        "Type the parameter as a `Literal[...]` of the columns offered (FastAPI answers 422 to "
        "anything else), or check it against an allow-list and answer 400.",
    ),
    _rule(
        "BKD210",
        "validation",
        "unhandled-model-validation",
        "A Flask view parses the request body with a pydantic model, or a FastAPI route builds "
        "a project model from its own parameters (`ProductCreate(name=name)` of `Form(...)` "
        "fields) whose fields check more than the parameters declare, or takes the model "
        "through a classmethod dependency that builds it (`Depends(Model.as_form)`, "
        "`return cls(...)`) and the model has such a field or a validator that raises, and "
        "nothing answers its `ValidationError`.",
        "The client's bad body raises ValidationError, which Flask answers with a 500; FastAPI "
        "validates its own parameters, Flask does not. FastAPI answers only its own "
        "RequestValidationError with 422: a bound (`Field(min_length=3)`, `ge=0`), a "
        "constrained type or a validator checked in the handler or in a dependency is a 500. "
        "A validator that only rewrites values, or one of a field whose parameter is already "
        "an `EmailStr`, is not counted.",
        Example(
            path="app.py",
            text="from flask import Flask, request\n"
            + "from pydantic import BaseModel\n\n"
            + "app = Flask(__name__)\n\n\n"
            + "class NewOrg(BaseModel):\n"
            + "    slug: str\n\n\n"
            + '@app.post("/orgs")\n'
            + "def create_org():\n"
            + "    body = NewOrg.model_validate(request.json)\n"
            + '    return {"slug": body.slug}, 201\n',
        ),
        "Catch `ValidationError` and answer 400 with its errors (FastAPI: raise `HTTPException` "
        "with 422 and the errors, or take the model as the form, `Annotated[Model, Form()]`, "
        "from FastAPI 0.113; in the classmethod dependency, raise `RequestValidationError` "
        "with them), or register one handler for it app-wide.",
    ),
    _rule(
        "BKD211",
        "validation",
        "unbounded-positive-input",
        "A FastAPI body field or query parameter named for a count or a price (`quantity`, "
        "`price`, `nights`, `amount_paid`, `fee_per_month`, ...) is typed but unbounded, and "
        "the handler computes or stores it (a `Form(...)` parameter of the classmethod a route "
        "takes its model through, `Depends(Model.as_form)`, included); "
        "or such a field of a Django form, DRF serializer or WTForms form has no bound; or "
        "any number's bound is written under a name FastAPI and pydantic ignore (`lte=`, "
        "`min=`).",
        "The type is checked, the sign is not: `-3` copies or a negative price becomes a refund "
        "or a stock level below zero. Limits (`max_count`), offsets and response models are "
        "not flagged, nor fields with any bound or a validator (a form's `clean_<name>`, or a "
        "form-wide `clean` that reads it), nor a form that adjusts a value either way; a page "
        "size or offset that reaches a query is BKD214's.",
        Example(
            path="main.py",
            text="from fastapi import FastAPI\nfrom pydantic import BaseModel\n\n"
            + "app = FastAPI()\n\n\n"
            + "class OrderIn(BaseModel):\n"
            + "    quantity: int\n\n\n"
            + '@app.post("/orders")\n'
            + "def create_order(body: OrderIn):\n"
            + '    return {"total": 5 * body.quantity}\n',
        ),
        "Bound it as its name implies: `Field(gt=0)` / `Field(ge=0)` on the model, "
        "`Query(gt=0)` on a query parameter, `Form(..., ge=0)` on the classmethod's parameter "
        "(and its model's `Field`, if any: on the model alone it would be a 500), "
        "`min_value=1` / `min_value=0` on a form or serializer field, `NumberRange(min=1)` in a "
        "WTForms field's validators; a misnamed bound gets its name (`lte=100` is `le=100`).",
    ),
    _rule(
        "BKD212",
        "validation",
        "unchecked-sort-key",
        "A request value picks the sort column with no allow-list: `order_by(getattr(Model, "
        "sort))`, `order_by(text(sort))`, `order_by(sort)` (SQLAlchemy's or a Django queryset's), "
        "or `ORDER BY {sort}` in raw SQL.",
        "`getattr` of an unknown name is an AttributeError (a 500) and reaches any attribute of "
        "the class; `text(sort)` and an interpolated ORDER BY run whatever the client sends "
        "(SQL injection); a plain string is SQL text SQLAlchemy resolves (a 500 on an unknown "
        "name, raw SQL before 1.4); Django's `order_by(ordering)` raises FieldError (a 500) on an "
        "unknown field and sorts by a related one (`seller__password`), an oracle for its "
        "values. Each item of a FastAPI `List[str]` parameter is the client's too. Values "
        "already checked (`in` an allow-list, a dict lookup, an enum or `Literal` type, a "
        "`pattern`) are not flagged (a check that lets the value through, `if col not in "
        "ALLOWED: pass` or only a log line, checks nothing), nor a model or table the "
        "schema does not know (for Django, one with a base from another package), nor DRF's "
        "`OrderingFilter` (its `ordering_fields` are the allow-list).",
        Example(
            path="app.py",
            text="from flask import Flask, request\n"
            + "from flask_sqlalchemy import SQLAlchemy\n\n"
            + "app = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\n"
            + "class Post(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    title = db.Column(db.String(80))\n"
            + "    created_at = db.Column(db.DateTime)\n\n\n"
            + '@app.get("/posts")\n'
            + "def posts():\n"
            + '    sort = request.args.get("sort", "created_at")\n'
            + "    rows = Post.query.order_by(getattr(Post, sort)).all()\n"
            + '    return {"titles": [p.title for p in rows]}\n',
        ),
        "Check the value against an allow-list of the model's columns (a constant the "
        "suggestion writes, sorted; trim it to the columns meant to be offered) and answer 400 "
        "as the module does (`abort(400)` or a JSON 400, FastAPI's `HTTPException`, Django's "
        "`HttpResponseBadRequest`, DRF's `ValidationError`; a Django key less its leading `-`); "
        "a FastAPI "
        "`str` parameter becomes a `Literal[...]` of them (FastAPI answers 422); a check that "
        "does nothing gets the 400 in place of its `pass`.",
    ),
    _rule(
        "BKD213",
        "validation",
        "unchecked-mapping-key",
        "A value the client sends (a part of the URL, a query or body value) is looked up in "
        "the project's own dict literal (`CURRENCY_SYMBOLS[currency]`) with nothing checking "
        "that the dict holds it.",
        "A value the dict does not hold raises KeyError: a 500 where the client asked for "
        "something that does not exist (a 404) or sent a value the endpoint does not offer (a "
        "400). A value checked first (`in`/`not in`, the dict's `.get`, a form's "
        "`is_valid()`), a lookup inside a `try` for KeyError, a `Literal` or enum type, and a "
        "URL pattern that only lets the dict's keys through (`(?P<currency>gbp|eur)`, Flask's "
        "`any(...)`) are not flagged, nor a `defaultdict` or a dict the module changes. A "
        "FastAPI `int` parameter used as an index of a list the code makes (`PLANS[plan_id]`) "
        "is the same mistake: IndexError past the end, an entry from the end for a negative "
        "number; it is flagged unless compared first or declared with bounds.",
        Example(
            path="app.py",
            text="from flask import Flask, jsonify\n\napp = Flask(__name__)\n"
            + 'CURRENCY_NAMES = {"gbp": "pound", "eur": "euro", "usd": "dollar"}\n\n\n'
            + '@app.get("/prices/<currency>")\n'
            + "def price(currency):\n"
            + '    return jsonify({"currency": CURRENCY_NAMES[currency]})\n',
        ),
        "Check the value right before the lookup and answer as the route does: a URL's part "
        "with a 404 (Flask's `abort(404)`, Django's `raise Http404`, FastAPI's "
        "`HTTPException(404)`), a query or body value with a 400; a FastAPI `str` parameter "
        "becomes a `Literal[...]` of the keys (FastAPI answers 422 to anything else).",
    ),
    _rule(
        "BKD214",
        "validation",
        "unbounded-page-size",
        "A page size or offset the client sends (`limit: int = 50`, `offset: int = 0`, a "
        "pagination model's fields, Flask's `request.args.get(\"limit\", 20, type=int)`) "
        "reaches `.limit()`/`.offset()`, Flask-SQLAlchemy's `paginate(per_page=...)`, a "
        "`[offset : offset + limit]` slice or a raw SQL statement's `LIMIT %s` / `LIMIT $1` / "
        "f-string `LIMIT {limit}` as its value, with no bound (a helper's read returned to the "
        "route counts, as does a floor alone on a page size).",
        "The type is checked, the range is not: on PostgreSQL a negative LIMIT or OFFSET is an "
        "error (a 500), and `?limit=1000000000` reads the whole table into one response. The "
        "value is followed into the project functions the route hands it to, a few calls deep "
        "(a CRUD helper; a service's method, then its repository's). Values with a bound (`le`, "
        "`conint`, `PositiveInt`, a validator; `ge` too, except on a page size, which a floor "
        "does not cap), compared or clamped in the code on both sides (`min(max(limit, 1), "
        "MAX_LIMIT)`), or that reach no query are not flagged; a clamp from above only (`if "
        "limit > 50: limit = 50`, `min(limit, 50)`) leaves a negative value through, so the "
        "value gets its floor.",
        Example(
            path="main.py",
            text=_FASTAPI_NOTES
            + '@app.get("/notes")\n'
            + "def notes(limit: int = 50, offset: int = 0):\n"
            + "    with Session() as session:\n"
            + "        rows = session.scalars(select(Note).limit(limit).offset(offset))\n"
            + "        return [n.title for n in rows]\n",
        ),
        "FastAPI: `Query(50, ge=1, le=100)` for a page size and `Query(0, ge=0)` for an offset "
        "(`ge=1` for a page counted from one), the parameter's other `Query` arguments kept, "
        "`Annotated[int, Query(...)]` where the module writes its parameters so, `Field(...)` "
        "on a pagination model. The cap is the app's own constant (`MAX_LIMIT`, "
        "`MAX_PAGE_SIZE`) when it has one, else 100 for a default of at most 100, else the "
        "default itself, or the code's own clamp from above (`le=50` for `if limit > 50: limit "
        "= 50` in a service); a size whose default is None (every row) gets `ge=1` only. Flask: "
        "the read is clamped, `min(max(..., 1), 100)` (`max(..., 1)` beside a helper's own cap).",
    ),
    _rule(
        "BKD216",
        "validation",
        "query-model-exclude-unset",
        "`model_dump(exclude_unset=True)` (or `.dict(...)`) of a pydantic model FastAPI builds "
        "from the query (`data: ProductUpdate = Depends()`), or that an `as_form` classmethod "
        "builds from its `Form(None)` parameters (`Depends(ProductUpdate.as_form)`, "
        "`return cls(name=name, ...)`), its every value written (`setattr` in a loop).",
        "FastAPI passes the model every query parameter, defaults included, so every field is "
        "set: `exclude_unset` drops nothing, and a partial update writes NULL over each field "
        "the client left out (an IntegrityError on a NOT NULL column, a 500, or a value "
        "erased); the classmethod passes every field explicitly, so the same holds. Only for "
        "`Depends()` with no argument of a model whose fields are required or default to "
        "None, or a classmethod whose parameters all default to None (in the route or the "
        "function it hands the model to, not a loop that skips None itself); a body model is "
        "left alone.",
        Example(
            path="main.py",
            text="from typing import Optional\n\n"
            + "from fastapi import Depends, FastAPI\n"
            + "from pydantic import BaseModel\n\n"
            + "app = FastAPI()\n"
            + "ROWS: dict[int, dict] = {}\n\n\n"
            + "class ItemUpdate(BaseModel):\n"
            + "    name: Optional[str] = None\n"
            + "    price: Optional[int] = None\n\n\n"
            + '@app.patch("/items/{item_id}")\n'
            + "def update(item_id: int, data: ItemUpdate = Depends()):\n"
            + "    ROWS[item_id].update(data.model_dump(exclude_unset=True))\n"
            + "    return ROWS[item_id]\n",
        ),
        "`exclude_none=True` (a query parameter cannot send a null, nor a form field: only one "
        'left out is None); a `del fields["key"]` of the dump becomes `fields.pop("key", None)`.',
    ),
    _rule(
        "BKD217",
        "validation",
        "explicit-null-over-not-null",
        "A FastAPI partial update dumps its body model with `exclude_unset=True` and writes the "
        "items onto a row, and every field that defaults to None (`Optional[str] = None`) "
        "lands on a NOT NULL column.",
        'The client may send `{"name": null}` as well as leave the field out: '
        "`exclude_unset` drops only what was left out, and the explicit null is written, an "
        "IntegrityError at commit (a 500). Silent when any such field's column is nullable "
        "(a client may mean to clear it), and for a model FastAPI builds from the query "
        "(BKD216).",
        Example(
            path="main.py",
            text="from typing import Optional\n\n"
            + "from fastapi import Depends, FastAPI\n"
            + "from pydantic import BaseModel\n"
            + "from sqlalchemy import String\n"
            + "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n\n"
            + "app = FastAPI()\n\n\n"
            + "def get_db() -> Session: ...\n\n\n"
            + "class Base(DeclarativeBase):\n"
            + "    pass\n\n\n"
            + "class User(Base):\n"
            + '    __tablename__ = "users"\n'
            + "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            + "    name: Mapped[str] = mapped_column(String(80))\n\n\n"
            + "class UserUpdate(BaseModel):\n"
            + "    name: Optional[str] = None\n\n\n"
            + '@app.patch("/users/{user_id}")\n'
            + "def update(user_id: int, body: UserUpdate, db: Session = Depends(get_db)):\n"
            + "    user = db.get(User, user_id)\n"
            + "    for key, value in body.model_dump(exclude_unset=True).items():\n"
            + "        setattr(user, key, value)\n"
            + "    db.commit()\n"
            + '    return {"id": user.id}\n',
        ),
        "Add `exclude_none=True` beside `exclude_unset=True`: none of these columns can hold a "
        "null.",
    ),
    _rule(
        "BKD215",
        "validation",
        "input-longer-than-column",
        "A FastAPI body field is a `str` with no `max_length`, and the app writes it to a column "
        "that has a length (`String(50)`, `VARCHAR(50)`, SQLModel's `Field(max_length=50)`, a "
        "DDL's `varchar(50)` written by a raw `INSERT`/`UPDATE`), on PostgreSQL or MySQL.",
        "PostgreSQL refuses a longer value (DataError, value too long for the column) and so "
        "does MySQL in its default strict mode: a 500 that an IntegrityError handler does not "
        "catch. The field must reach the column by its own name: `Model(**body.model_dump())`, "
        "`Model(name=body.name)`, `row.name = body.name`, a `setattr` loop over the dump, "
        "`Model.model_validate(body)`, or a raw `INSERT INTO t (a) VALUES (%s)` / `UPDATE t SET "
        "a = %s` given `body.name` (or the field's value handed on alone) for the placeholder, "
        "in the route or in a project function it hands the body to, two calls deep (a generic "
        "CRUD's `self.model(...)` and nested models included). An app on SQLite (which stores "
        "the value whole), a field with any `max_length`, `pattern`, `constr` or a validator "
        "of it or of the whole model, a column with no length (`Text`) or one a later "
        "migration alters, a route that catches the driver's error, and a value the code "
        "measures, slices or compares are not flagged. Django needs nothing: ModelForms "
        "and DRF ModelSerializers take `max_length` from the model.",
        Example(
            path="main.py",
            files={"requirements.txt": "fastapi\nsqlalchemy\npsycopg2-binary\n"},
            text="from fastapi import FastAPI\n"
            + "from pydantic import BaseModel\n"
            + "from sqlalchemy import Column, Integer, String\n"
            + "from sqlalchemy.orm import Session, declarative_base\n\n"
            + "app = FastAPI()\n"
            + "Base = declarative_base()\n\n\n"
            + "class Product(Base):\n"
            + '    __tablename__ = "products"\n'
            + "    id = Column(Integer, primary_key=True)\n"
            + "    name = Column(String(50), nullable=False)\n\n\n"
            + "class ProductIn(BaseModel):\n"
            + "    name: str\n\n\n"
            + '@app.post("/products")\n'
            + "def create_product(body: ProductIn):\n"
            + "    with Session() as db:\n"
            + "        db.add(Product(**body.model_dump()))\n"
            + "        db.commit()\n",
        ),
        "`Field(max_length=N)` on the model's field, N the column's length (its `Field` keeps "
        "its other arguments; `Annotated[str, Field(...)]` where the module writes its fields "
        "so): FastAPI answers 422 instead. One suggestion per field of a model.",
    ),
    _rule(
        "BKD301",
        "error-handling",
        "http-without-timeout",
        "An HTTP call without a timeout can hang the worker forever.",
        "requests and httpx wait indefinitely by default; one slow upstream stalls the server. "
        "A call in a branch on a parameter that every caller in the project leaves at its "
        "default is never made, and is left alone. A verb picked at run time "
        "(`getattr(requests, method)(url)`) is a request too. A Django project that sends mail "
        "over SMTP with no `EMAIL_TIMEOUT` is told once, in the settings module that configures "
        "the mail server.",
        Example(
            path="client.py",
            text="import requests\n\n\n"
            + "def rates():\n"
            + '    return requests.get("https://rates.example.com/latest").json()\n',
        ),
        "Pass a timeout (the suggestion adds one).",
    ),
    _rule(
        "BKD302",
        "error-handling",
        "http-errors-unhandled",
        "An upstream failure (an HTTP request, a mail send, an SDK call to AWS, GitHub or Stripe) "
        "becomes a 500 instead of a 502.",
        "A failing dependency is not this server's bug; clients and monitors should see a 502. "
        "A `try` that takes only part of what the call raises (`except requests.Timeout`, "
        "`except httpx.RequestError` around a `raise_for_status()`, `except "
        "requests.ConnectionError` around a call with a timeout, whose `ReadTimeout` is no "
        "ConnectionError) lets the rest out as a 500, and so does an upstream's JSON read "
        "with no look at its status (an error page is a JSONDecodeError, an error answer a "
        "KeyError).",
        Example(
            path="app.py",
            text="import requests\n"
            + _FLASK
            + '@app.get("/rates")\n'
            + "def rates():\n"
            + '    data = requests.get("https://rates.example.com/latest", timeout=5).json()\n'
            + "    return jsonify(data)\n",
        ),
        "Catch the client library's (or SDK's) errors and answer 502; call "
        "`raise_for_status()` in that `try` before reading the answer's JSON. Where a 502 would be "
        "wrong, log the failure and go on: a best-effort notification (a webhook, Slack or "
        "Discord ping, a `notify` helper) whose result nothing reads, or a call a page view "
        "makes after it has saved its work (the action succeeded; an error page would have the "
        "user repeat it). A project helper that several handlers call gets the one `except` "
        "itself (Flask's `abort(502)`, FastAPI's `HTTPException`, or the log) instead of one "
        'per caller. A helper that returns None for "no result" (a geocoder\'s '
        "`fetch_coordinates`), whose callers all go on without one, catches the failure "
        "(and the `KeyError` of reading the answer) itself, logs it and returns that None: "
        "a page that shows a distance for every order then still renders when the geocoder "
        "is down. Mail a signal receiver sends (Django's `@receiver(post_save, ...)` or "
        '`signal.connect(func)`, SQLAlchemy\'s `@event.listens_for(Model, "after_insert")`) '
        "fails the request that sent the signal: the send is logged and the request goes on.",
    ),
    _rule(
        "BKD303",
        "error-handling",
        "commit-without-rollback",
        "A failed commit leaves the session (or DB-API connection) unusable without a rollback.",
        "After an IntegrityError every later query on that session fails until it is rolled "
        "back; a DB-API connection's reads see writes that were never committed. In Django, an "
        "IntegrityError caught inside a transaction (`ATOMIC_REQUESTS`, `atomic()`) without a "
        "savepoint breaks the transaction for the rest of the request.",
        Example(
            path="main.py",
            text="from fastapi import FastAPI\n"
            + "from sqlalchemy.orm import Session\n\n"
            + "app = FastAPI()\n\n\n"
            + "def get_session() -> Session:\n"
            + "    raise NotImplementedError\n\n\n"
            + '@app.post("/notes/{note_id}/archive")\n'
            + "def archive(note_id: int):\n"
            + "    session = get_session()\n"
            + "    session.commit()\n"
            + '    return {"id": note_id}\n',
        ),
        "Roll back when the commit fails (or use a session context manager); in Django, wrap "
        "the write in its own `transaction.atomic()` savepoint.",
    ),
    _rule(
        "BKD304",
        "error-handling",
        "get-without-404",
        "`objects.get` raises DoesNotExist (a 500) when nothing matches, in the view or in a "
        "project function the view hands the client's key to.",
        "A missing object is a 404 for the client, not a crash. Through a service function the "
        "fix is at the view's call (ObjectDoesNotExist answered 404), so the service stays free "
        "of HTTP.",
        Example(
            path="views.py",
            text="from django.http import JsonResponse\n\nfrom .models import Post\n\n\n"
            + "def post_detail(request, slug):\n"
            + "    post = Post.objects.get(slug=slug)\n"
            + '    return JsonResponse({"title": post.slug})\n',
        ),
        "Use `get_object_or_404`; around a service call, catch `ObjectDoesNotExist` and raise "
        "`Http404`.",
    ),
    _rule(
        "BKD305",
        "error-handling",
        "json-body-unhandled",
        "`json.loads` of a request body (or of the bytes a local holds, "
        "`raw = await request.body()`) raises on malformed input (a 500); so does a webhook "
        'service\'s decode of its delivery (`json.loads(request.form["payload"])`) in a '
        "function every call hands Flask's `request` to.",
        "Malformed JSON from a client is a 400.",
        Example(
            path="views.py",
            text="import json\n\nfrom django.http import JsonResponse\n\n\n"
            + "def create_post(request):\n"
            + "    data = json.loads(request.body)\n"
            + '    return JsonResponse({"slug": data.get("slug")}, status=201)\n',
        ),
        "Catch `json.JSONDecodeError` and answer 400.",
    ),
    _rule(
        "BKD306",
        "error-handling",
        "missing-row-500",
        "A `.first()` row (Flask-SQLAlchemy, Django), a MongoDB `find_one()` document or a "
        "DB-API `fetchone()` row is used unchecked, or `.one()` is unhandled; so is the result "
        "of a model method, property or project helper that provably may return None (`return "
        "None`, `except DoesNotExist: return None`, `x if x else None`, a returned `.first()` "
        "or `find_one()`), in the route or in a service or repository it hands the client's "
        "id to; and a Django view's read through a `null=True` ForeignKey "
        "(`product.category.id`) of the rows it loads itself. Also the link rows of a row the "
        "client names (`filter_by(user_id=user.id, book_id=book.id)`) and the user a JWT's "
        "identity names (`get_jwt_identity()`), whose account may be gone.",
        "A row the client names that does not exist is a 404, not an AttributeError or a "
        "NoResultFound (a 500); a token's user that is gone is a 401. Not a row that must be "
        "there: the `.first()` of several in an `except MultipleObjectsReturned` of the same "
        "lookup, or one the view's decorator found by the same values before calling it "
        "(a Django lookup, or Flask-SQLAlchemy's `filter_by(...).first()` / `.get()`).",
        Example(
            path="views.py",
            text="from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\n"
            + "app = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\n"
            + "class Post(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    slug = db.Column(db.String(80), unique=True)\n\n\n"
            + '@app.route("/posts/<slug>")\n'
            + "def post_detail(slug):\n"
            + "    post = Post.query.filter_by(slug=slug).first()\n"
            + '    return {"slug": post.slug}\n',
        ),
        "Use Flask-SQLAlchemy's `first_or_404()` / `one_or_404()`, or the module's own check "
        "after the lookup (`if not row: abort(404, message=...)`).",
    ),
    _rule(
        "BKD310",
        "error-handling",
        "returned-http-error",
        "A handler returns an HTTP error (`HTTPException`, `Http404`) instead of raising it.",
        "FastAPI serialises a returned exception as the body of a 200 (or fails on it, a 500, "
        "when the route has a response model); Django answers 500 for a view that returns no "
        "response. The client never gets the error the code names.",
        Example(
            path="api.py",
            text="from fastapi import FastAPI, HTTPException\n\napp = FastAPI()\n"
            + 'USERS = {"ada": 1}\n\n\n'
            + '@app.get("/users/{name}")\n'
            + "def user(name: str) -> dict[str, int]:\n"
            + "    if name not in USERS:\n"
            + '        return HTTPException(status_code=404, detail="no such user")\n'
            + '    return {"id": USERS[name]}\n',
        ),
        "`raise` it.",
    ),
    _rule(
        "BKD311",
        "error-handling",
        "except-or",
        "`except (A or B):` catches A alone (`or` is evaluated first, to A).",
        "B's error goes through the handler meant for it, a 500 the code meant to answer.",
        Example(
            path="views.py",
            text="from django.http import Http404, JsonResponse\n\n"
            + "from .models import Hacker, Mentor\n\n\n"
            + "def profile(request, pk, kind):\n"
            + "    model = Hacker if kind == 'hacker' else Mentor\n"
            + "    try:\n"
            + "        person = model.objects.get(pk=pk)\n"
            + "    except (Hacker.DoesNotExist or Mentor.DoesNotExist):\n"
            + '        raise Http404("no such person")\n'
            + '    return JsonResponse({"id": person.pk})\n',
        ),
        "Catch a tuple: `except (A, B):`.",
    ),
    _rule(
        "BKD320",
        "error-handling",
        "except-instance",
        "`except A():` calls the exception class: the handler is an instance, not a class.",
        "When an exception reaches the clause Python raises `TypeError: catching classes that "
        "do not inherit from BaseException is not allowed` instead, so the handler never runs: "
        "the 404 it meant is a 500. A call of a function returning classes "
        "(`except get_errors():`) is left alone.",
        Example(
            path="views.py",
            text="from django.http import Http404, JsonResponse\n\n"
            + "from .models import FriendRequest\n\n\n"
            + "def friend_request(request, pk):\n"
            + "    try:\n"
            + "        row = FriendRequest.objects.get(pk=pk, to_user=request.user)\n"
            + "    except FriendRequest.DoesNotExist():\n"
            + '        raise Http404("no such friend request")\n'
            + '    return JsonResponse({"id": row.pk})\n',
        ),
        "Drop the call's parentheses: `except A:`.",
    ),
    _rule(
        "BKD321",
        "error-handling",
        "except-wrong-model",
        "The except names another model's DoesNotExist than the lookups in its try raise.",
        "`try: Task.objects.get(pk=pk) except Board.DoesNotExist:` (a handler copied from a "
        "neighbouring lookup): the Task's miss gets past the handler and the client gets a 500 "
        "where the handler meant its own answer. So too where a project manager method the "
        "try calls catches the miss itself and raises a builtin exception instead (`except "
        "self.model.DoesNotExist: raise ValueError(...)`). Left alone: a try that looks the "
        "caught model up, a lookup whose model is unknown (a related manager), a call into "
        "project code or an unknown method, a reverse one-to-one to the caught model read, a "
        "handler of `ObjectDoesNotExist` or anything broader, and one that carries on with a "
        "default (`place = ''`), which the looked-up row's miss must not become.",
        Example(
            path="views.py",
            files={
                "models.py": "from django.db import models\n\n\n"
                + "class Board(models.Model):\n"
                + "    name = models.CharField(max_length=80)\n\n\n"
                + "class Task(models.Model):\n"
                + "    board = models.ForeignKey(Board, on_delete=models.CASCADE)\n"
            },
            text="from django.http import Http404, JsonResponse\n\n"
            + "from .models import Board, Task\n\n\n"
            + "def task(request, pk):\n"
            + "    try:\n"
            + '        row = Task.objects.select_related("board").get(pk=pk)\n'
            + "    except Board.DoesNotExist:\n"
            + '        raise Http404("no such task")\n'
            + '    return JsonResponse({"id": row.pk, "board": row.board_id})\n',
        ),
        "Add the raised class to the handler: `except (Board.DoesNotExist, Task.DoesNotExist):`.",
    ),
    _rule(
        "BKD323",
        "error-handling",
        "single-row-list-response",
        "A FastAPI route declares `response_model=List[X]` and returns one ORM row "
        "(`.first()`, `.one()`, `.get(id)`, `session.get(Model, id)`).",
        "FastAPI validates the answer against the response model, and one model object is no "
        "list: every request that finds a row is a 500 (a ResponseValidationError). Only where "
        "the returned value is provably one row of a model of the schema (a query of that "
        "model ended by `.first()`, `.one()`, `.one_or_none()`, `.scalar_one()`, "
        "`.scalar_one_or_none()` or `.get(id)`, returned as it is or through a local bound "
        "once to it); a query of columns, a join's rows or an `execute(...).first()` Row is "
        "left alone.",
        Example(
            path="main.py",
            text=_FASTAPI_NOTES.replace(
                "from fastapi import FastAPI\n",
                "from fastapi import FastAPI\nfrom pydantic import BaseModel\n",
            )
            + "class NoteOut(BaseModel):\n    title: str\n\n\n"
            + '@app.get("/notes/titled/{title}", response_model=list[NoteOut])\n'
            + "def titled(title: str):\n"
            + "    with Session() as session:\n"
            + "        return session.scalars(select(Note).where(Note.title == title)).first()\n",
        ),
        "A `.first()` the route only returns becomes `.all()`, the list the model promises; "
        "otherwise (`.one()`, `.get()`, a row the route reads further) the response model "
        "narrows to the item's (`response_model=X`).",
    ),
    _rule(
        "BKD322",
        "error-handling",
        "unhandled-status-exception",
        "The project's own exception carries a 4xx (`status_code=401`) that no handler of the "
        "app answers with.",
        "FastAPI and Flask answer their own `HTTPException` with its status, but know nothing of "
        "a `status_code` on a class of the project: raised in a route, a dependency or what they "
        "call, it reaches the app's `Exception` handler (or none) and the client's expired "
        "token is a 500. Reported once, at the class, when the project makes one app. Left "
        "alone: a class over Starlette's, werkzeug's or DRF's own exceptions, one a handler "
        "takes (itself or a project base), one some `except` of the project names.",
        Example(
            path="main.py",
            text="from fastapi import Depends, FastAPI, Header, HTTPException\n"
            + "from fastapi.responses import JSONResponse\n\n\n"
            + "class AuthError(Exception):\n"
            + "    def __init__(self, message: str, status_code: int = 401):\n"
            + "        self.message = message\n"
            + "        self.status_code = status_code\n\n\n"
            + "app = FastAPI()\n\n\n"
            + "@app.exception_handler(HTTPException)\n"
            + "async def http_error(request, exc):\n"
            + "    return JSONResponse(\n"
            + '        status_code=exc.status_code, content={"error": exc.detail}\n'
            + "    )\n"
            + "\n\n"
            + "def current_user(token: str = Header()):\n"
            + '    if token != "secret":\n'
            + '        raise AuthError("invalid token")\n'
            + '    return {"name": "ada"}\n\n\n'
            + '@app.get("/me")\n'
            + "def me(user: dict = Depends(current_user)):\n"
            + "    return user\n",
        ),
        "Register a handler for the class next to the app's others, answering its status in "
        "their shape.",
    ),
    _rule(
        "BKD324",
        "error-handling",
        "model-validation-in-save",
        "A DRF serializer's `create()`/`update()` runs a project model's own validation "
        "(`route.clean()`, or a save whose `save()` runs `self.full_clean()`) that raises "
        "Django's `ValidationError`.",
        "DRF turns Django's ValidationError into a 400 only inside `is_valid()`; raised in "
        "`create()` or `update()` (`serializer.save()`, after validation) it reaches DRF's "
        "exception handler, which does not know the class: the client's invalid data is a "
        "500. Only for a model of the project whose `clean()` raises it; silent when a `try` "
        "around the call catches it, when the serializer's `validate()` runs the model's "
        "`clean()` already, when the serializer overrides `save()`, and when the settings name "
        "a DRF exception handler that may answer it.",
        Example(
            path="api.py",
            text="from django.core.exceptions import ValidationError\n"
            + "from django.db import models\n"
            + "from rest_framework import serializers\n\n\n"
            + "class Route(models.Model):\n"
            + "    source = models.CharField(max_length=40)\n"
            + "    destination = models.CharField(max_length=40)\n\n"
            + "    def clean(self):\n"
            + "        if self.source == self.destination:\n"
            + '            raise ValidationError("A route needs two places.")\n\n\n'
            + "class RouteSerializer(serializers.ModelSerializer):\n"
            + "    class Meta:\n"
            + "        model = Route\n"
            + '        fields = ("id", "source", "destination")\n\n'
            + "    def create(self, validated_data):\n"
            + "        route = Route(**validated_data)\n"
            + "        route.clean()\n"
            + "        route.save()\n"
            + "        return route\n",
        ),
        "Override the serializer's `save()` (it runs both create and update): catch Django's "
        "ValidationError and raise DRF's with `serializers.as_serializer_error(exc)`, the "
        "answer `is_valid()` gives; or run the check in `validate()`.",
    ),
    _rule(
        "BKD325",
        "error-handling",
        "abort-arguments",
        "A framework's `abort` is called with arguments its signature refuses: Flask-RESTful's "
        '`abort(401, "text")` (a positional message), Flask\'s `abort("text", 403)` (the '
        'message first) or `abort(400, message="text")` (a keyword werkzeug\'s errors do not '
        "take).",
        "Flask-RESTful's `abort(http_status_code, **kwargs)` raises TypeError for a second "
        "positional argument; Flask's `abort(code, *args, **kwargs)` looks `code` up among "
        "werkzeug's HTTP errors (LookupError for a text) and hands the rest to the error's "
        "class, which takes `description` and `response`. Either way the 4xx the code meant "
        "is a 500. The `abort` is the one the module imports: Flask-RESTX's takes the message "
        "positionally, and a project's own `abort` is left alone.",
        Example(
            path="api.py",
            text="from flask_restful import Resource, abort, reqparse\n\n\n"
            + "class SignUp(Resource):\n"
            + "    def post(self):\n"
            + "        parser = reqparse.RequestParser()\n"
            + '        parser.add_argument("password", type=str, required=True)\n'
            + "        data = parser.parse_args()\n"
            + '        if len(data["password"]) < 6:\n'
            + '            abort(400, "Password too short")\n'
            + '        return {"message": "ok"}, 201\n',
        ),
        'Name the arguments as the signature wants: `abort(400, message="...")` for '
        'Flask-RESTful, the status first or `description="..."` for Flask.',
    ),
    _rule(
        "BKD326",
        "error-handling",
        "delete-list",
        "`session.delete(rows)` is given a list: a query's `.all()` (`Model.query...all()`, "
        "`session.query(...).all()`, `session.scalars(...).all()`), a list comprehension or "
        "`list(...)`, bound to the name in the function or written inline.",
        "SQLAlchemy's `Session.delete()` takes one mapped instance; a list raises "
        "`UnmappedInstanceError` (\"Class 'builtins.list' is not mapped\"), so the request is "
        "a 500 and none of the rows is deleted. Only for a session by its name (`db.session`, "
        "`session`) or a parameter typed `Session`, in a project that declares SQLAlchemy, "
        "and a name every binding of which in the function makes a list.",
        Example(
            path="views.py",
            text="from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\n"
            + "app = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\n"
            + "class Note(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    owner_id = db.Column(db.Integer)\n\n\n"
            + '@app.route("/users/<int:user_id>/notes", methods=["DELETE"])\n'
            + "def delete_notes(user_id):\n"
            + "    notes = Note.query.filter_by(owner_id=user_id).all()\n"
            + "    db.session.delete(notes)\n"
            + "    db.session.commit()\n"
            + '    return {"deleted": True}\n',
        ),
        "Delete each row in a loop (`for note in notes: db.session.delete(note)`), which keeps "
        "the ORM's cascades.",
    ),
    _rule(
        "BKD329",
        "error-handling",
        "non-validation-error-in-serializer",
        "A DRF serializer's `validate()`/`validate_<field>()`/`create()`/`update()` raises an "
        'exception DRF does not answer (`raise ValueError("Passwords must be the same!")`).',
        "DRF's exception handler answers only its `APIException` classes (`serializers."
        "ValidationError` among them), Django's `Http404` and `PermissionDenied`, and "
        "`is_valid()` gathers only a ValidationError into its 400: the client's invalid input "
        "is a 500. Read on the builtin classes a check raises for bad input (`ValueError`, "
        "`TypeError`, `KeyError`, `LookupError`, `IndexError`, `Exception`) and on a project "
        "class derived only from them, raised with one message or none; silent when a `try` "
        "of the method, or one around a view's `is_valid()`/`save()`, catches it, and when "
        "the settings name a DRF exception handler that may answer it.",
        Example(
            path="serializers.py",
            text="from django.contrib.auth.models import User\n"
            + "from rest_framework import serializers\n\n\n"
            + "class SignUpSerializer(serializers.ModelSerializer):\n"
            + "    password2 = serializers.CharField(write_only=True)\n\n"
            + "    class Meta:\n"
            + "        model = User\n"
            + '        fields = ["username", "password", "password2"]\n\n'
            + "    def validate(self, attrs):\n"
            + '        if attrs["password"] != attrs.pop("password2"):\n'
            + '            raise ValueError("Passwords must be the same!")\n'
            + "        return attrs\n",
        ),
        "Raise DRF's `ValidationError` with the same message, named as the module imports it "
        "(`serializers.ValidationError`).",
    ),
    _rule(
        "BKD327",
        "error-handling",
        "anonymous-user-reaches-view",
        "A DRF class view names no `permission_classes` and the settings let anyone in by "
        "default, or its own `permission_classes` admit anonymous clients (AllowAny, a project "
        "class with `has_object_permission` and no `has_permission`), and the view uses "
        "`request.user` as a signed-in user (`request.user.auth_token`, "
        "`filter(user=self.request.user)`, `serializer.save(owner=self.request.user)` in "
        "`perform_create`, a `get_object()` returning it).",
        "With no `DEFAULT_PERMISSION_CLASSES` (or only AllowAny) DRF runs the view for "
        "anonymous clients, and `request.user` is Django's AnonymousUser: an attribute it lacks "
        "raises AttributeError, `check_password()`/`save()` NotImplementedError, a lookup by it "
        "TypeError, a create with it ValueError; each such request is a 500 where DRF would "
        "answer 401/403. A permission class that decides only per object admits every request "
        "too (BasePermission's `has_permission` is True): its `has_object_permission` runs only "
        "in `get_object()`, so a create, a list or a handler reaches the user unchecked (a "
        "generic view's retrieve, update and destroy do not: silent there). Silent when a class "
        "of the view decides its permissions or authenticators otherwise (a class with "
        "`has_permission` or not resolved, a map of them, `get_permissions`, `initial`, "
        "`dispatch`, an unknown decorator), tests `is_authenticated`, derives from a class "
        "other than DRF's own views and mixins, or has project subclasses; when a `try` "
        "catches the failure, a `urls.py` wraps its `as_view()`, or the settings' "
        "authentication classes are not known to let a request without credentials through.",
        Example(
            path="accounts/views.py",
            text="from rest_framework.response import Response\n"
            + "from rest_framework.views import APIView\n\n\n"
            + "class LogOutView(APIView):\n"
            + "    def post(self, request):\n"
            + "        request.user.auth_token.delete()\n"
            + "        return Response(status=204)\n",
            files={
                "manage.py": "import sys\n",
                "accounts/__init__.py": "",
                "config/__init__.py": "",
                "config/settings.py": "REST_FRAMEWORK = {\n"
                + '    "DEFAULT_AUTHENTICATION_CLASSES": [\n'
                + '        "rest_framework.authentication.TokenAuthentication",\n'
                + "    ],\n"
                + "}\n",
                "requirements.txt": "django\ndjangorestframework\n",
            },
        ),
        "Add `permission_classes = [IsAuthenticated]` to the view (imported from "
        "`rest_framework.permissions` as the module imports DRF's permissions); to a list that "
        "admits anonymous clients, put `IsAuthenticatedOrReadOnly` first when every use is in "
        "a method only writes run (`perform_create`, `post`), else `IsAuthenticated`.",
    ),
    _rule(
        "BKD328",
        "error-handling",
        "permission-map-never-read",
        "A DRF view sets a map of permission classes (`permission_classes_by_action = "
        '{"update": (IsStaff,)}`) that neither it, its bases nor any module of the project '
        "reads.",
        "DRF picks a view's permissions only from `permission_classes`, in "
        "`get_permissions()`: an unread map does nothing, and every action runs with the "
        "default permissions (AllowAny unless the settings say otherwise), so the classes it "
        "names never apply. Only for a view over DRF's own classes (a library's mixin may "
        "read the map), with no `get_permissions`/`check_permissions`, and keys that are a "
        "viewset's actions or HTTP methods.",
        Example(
            path="shop/views.py",
            text="from rest_framework import viewsets\n"
            + "from rest_framework.permissions import IsAdminUser, IsAuthenticated\n\n"
            + "from .models import Order\n"
            + "from .serializers import OrderSerializer\n\n\n"
            + "class OrderViewSet(viewsets.ModelViewSet):\n"
            + "    queryset = Order.objects.all()\n"
            + "    serializer_class = OrderSerializer\n"
            + "    permission_classes_by_action = {\n"
            + '        "list": (IsAuthenticated,),\n'
            + '        "destroy": (IsAdminUser,),\n'
            + "    }\n",
        ),
        "Add a `get_permissions()` that looks the action (or the HTTP method) up in the map "
        "and falls back to `permission_classes`: `return [p() for p in "
        "self.permission_classes_by_action.get(self.action, self.permission_classes)]`.",
    ),
    _rule(
        "BKD312",
        "error-handling",
        "broad-except-hides-4xx",
        "A broad `except` around code that raises the framework's 4xx (`abort(404)`, "
        "`get_or_404`, `HTTPException(status_code=403)`, a module's "
        "`HTTP_400_BAD_REQUEST_EXCEPTION`, DRF's `serializer.is_valid(raise_exception=True)`, "
        "`self.get_object()`, `raise NotFound(...)`) takes the client's error for a failure.",
        "The client's unknown id or bad request is answered with the handler's 5xx (often with "
        "the exception's text); a 404 is also caught where it is logged as the server's error "
        "or served as if the row were there (a redirect, a carried-on request). A handler that "
        "already answers a 4xx and logs nothing is left alone: a 400 for a 404 changes only the "
        "number. So is a lookup of a row the view's decorator has already found, and a handler "
        "that re-raises (`except HTTPException: raise` first, `if isinstance(e, "
        "HTTPException): raise`), or one for the raised class first (`except "
        "ValidationError:`).",
        Example(
            path="api.py",
            text="from fastapi import FastAPI, HTTPException\n\napp = FastAPI()\n"
            + "SHIPMENTS: dict[int, dict[str, str]] = {}\n\n\n"
            + '@app.get("/shipments/{shipment_id}")\n'
            + "def read(shipment_id: int) -> dict[str, str]:\n"
            + "    try:\n"
            + "        if shipment_id not in SHIPMENTS:\n"
            + '            raise HTTPException(status_code=404, detail="no such shipment")\n'
            + "        return SHIPMENTS[shipment_id]\n"
            + "    except Exception as exc:\n"
            + "        raise HTTPException(status_code=502, detail=str(exc))\n",
        ),
        "Let the HTTP error through first: `except HTTPException: raise` (in a Django or DRF "
        "view the classes raised: `except (ValidationError, Http404): raise`).",
    ),
    _rule(
        "BKD313",
        "error-handling",
        "oauth-callback-error-unhandled",
        "An OAuth callback's token exchange (authlib's `authorize_access_token()`, "
        "requests-oauthlib's `fetch_token()`) raises on a refused sign-in and nothing catches it.",
        "A user who presses Cancel at the provider, or follows a stale callback whose state no "
        "longer matches the session, makes the library raise `OAuthError` / `OAuth2Error`: the "
        "user gets a 500 for their own choice. An enclosing `try`, an app-wide handler for it "
        "or for `Exception` silences the rule.",
        Example(
            path="auth.py",
            text="from authlib.integrations.flask_client import OAuth\n"
            + "from flask import Flask, redirect, session, url_for\n\n"
            + "app = Flask(__name__)\n"
            + "oauth = OAuth(app)\n"
            + 'oauth.register("github")\n\n\n'
            + '@app.route("/oauth/callback")\n'
            + "def callback():\n"
            + "    token = oauth.github.authorize_access_token()\n"
            + '    session["token"] = token["access_token"]\n'
            + '    return redirect(url_for("callback"))\n',
        ),
        "Catch the library's error and answer as the view does: flash and redirect in a browser "
        "view (or take its own path for a missing token), 400 elsewhere.",
    ),
    _rule(
        "BKD315",
        "error-handling",
        "duplicate-create-unhandled",
        "A route makes a row whose unique column holds the client's value (`User(email=...)`) "
        "and commits with no answer for a duplicate, itself or in a CRUD function it hands "
        "the body to.",
        "A value another row already holds makes the commit raise IntegrityError: a 500 for "
        "what is the client's conflict (a second sign-up with the same e-mail). Only for a "
        "column the schema makes unique and a value read from the request (trimmed or recased "
        "on the way, or the whole body model dumped into the row). The route's call is "
        "followed one or two steps into the project's functions it passes the body (or a "
        "field of it) to, where the create and its commit are read the same way: a generic "
        "helper makes the model the route passes it (`create_item(db, UserModel, item)`) or "
        "the CRUD class is made for (`CRUDBase[User, ...]`, `CRUDUser(User)`), of the body or "
        "of what a converter copied from it; a row the route builds whole "
        "(`User.model_validate(body)`, `from_orm`) counts wherever it is committed. A "
        "handler of the driver's class (`except sqlite3.IntegrityError`, psycopg2's, "
        "pymysql's) around a SQLAlchemy commit never runs, since SQLAlchemy wraps it in "
        "`sqlalchemy.exc.IntegrityError`: it is reported too, to catch SQLAlchemy's. Silent when "
        "the commit (or the call) is caught, the route or the function looks the value up "
        "first (a query by the column, or a call named for it), or an app-wide handler "
        "answers IntegrityError. On Django, a value the view sets after the form or "
        "serializer validated (`form.instance.event_id = ...` in `form_valid`, "
        "`serializer.save(owner=...)` in `perform_create`) into a unique field or "
        "`unique_together` group escapes their unique checks and is read the same way.",
        Example(
            path="main.py",
            text="from fastapi import Depends, FastAPI\n"
            + "from pydantic import BaseModel\n"
            + "from sqlalchemy import String\n"
            + "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n\n"
            + "app = FastAPI()\n\n\n"
            + "class Base(DeclarativeBase):\n    pass\n\n\n"
            + "class Customer(Base):\n"
            + '    __tablename__ = "customers"\n'
            + "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            + "    email: Mapped[str] = mapped_column(String(255), unique=True)\n\n\n"
            + "class CustomerIn(BaseModel):\n    email: str\n\n\n"
            + "def get_db():\n    raise NotImplementedError\n\n\n"
            + '@app.post("/customers")\n'
            + "def create_customer(body: CustomerIn, db: Session = Depends(get_db)):\n"
            + "    customer = Customer(email=body.email.lower())\n"
            + "    db.add(customer)\n"
            + "    db.commit()\n"
            + '    return {"id": customer.id}\n',
        ),
        "Catch IntegrityError around the commit (around the route's call, for a create in a "
        "CRUD function: the route answers HTTP), roll the session back and answer 409 "
        "(FastAPI's `HTTPException`, Flask's `abort` where the module uses it, else a JSON 409).",
    ),
    _rule(
        "BKD314",
        "error-handling",
        "unique-update-unhandled",
        "An update writes a unique column from the client's input and commits with no answer "
        "for a duplicate, where the module's create route answers one (it catches "
        "IntegrityError, or looks the value up first).",
        "A value another row already holds makes the commit raise IntegrityError: the create "
        "answers it (a 409 or a 400), the update gives a 500 for the same mistake. Only for "
        "a column the schema makes unique and a value read from the request; silent when the "
        "update catches the error, looks the value up first, or an app-wide handler answers "
        "IntegrityError.",
        Example(
            path="app.py",
            text="from flask import Flask, jsonify, request\n"
            + "from flask_sqlalchemy import SQLAlchemy\n"
            + "from sqlalchemy.exc import IntegrityError\n\n"
            + "app = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\n"
            + "class User(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    email = db.Column(db.String(120), unique=True)\n\n\n"
            + '@app.post("/users")\n'
            + "def create_user():\n"
            + '    user = User(email=request.json["email"])\n'
            + "    db.session.add(user)\n"
            + "    try:\n"
            + "        db.session.commit()\n"
            + "    except IntegrityError:\n"
            + "        db.session.rollback()\n"
            + '        return jsonify({"error": "email taken"}), 409\n'
            + '    return jsonify({"id": user.id}), 201\n\n\n'
            + '@app.patch("/users/<int:user_id>")\n'
            + "def update_user(user_id):\n"
            + "    user = User.query.get_or_404(user_id)\n"
            + '    user.email = request.json["email"]\n'
            + "    db.session.commit()\n"
            + '    return jsonify({"id": user.id})\n',
        ),
        "Wrap the update's commit as the create's is: the same `except`, a rollback, the "
        "same answer (its status and helper).",
    ),
    _rule(
        "BKD319",
        "error-handling",
        "protected-delete-unhandled",
        "A DRF view deletes with DRF's own destroy (`ModelViewSet`, `DestroyAPIView`) rows of "
        "a model another model's ForeignKey protects (`on_delete=models.PROTECT` or "
        "`RESTRICT`).",
        "Deleting a row that is still referenced raises ProtectedError (RestrictedError), "
        "which DRF's exception handler does not answer: the client gets a 500 for a conflict "
        "with the rows that point at it. Only for a model the schema shows protected; silent "
        "when the view (or a base in its module) overrides `destroy`, `perform_destroy` or "
        "`delete`, when `http_method_names` leaves DELETE out, when a base comes from another "
        "module, and when the settings name a DRF `EXCEPTION_HANDLER` that may answer it (the "
        "project's own whose module names the error, or one not read; DRF's own and "
        "drf-standardized-errors' answer no database error).",
        Example(
            path="api.py",
            text="from django.db import models\n"
            + "from rest_framework import serializers, viewsets\n\n\n"
            + "class Status(models.Model):\n"
            + "    name = models.CharField(max_length=40)\n\n\n"
            + "class Project(models.Model):\n"
            + "    status = models.ForeignKey(Status, on_delete=models.PROTECT)\n\n\n"
            + "class StatusSerializer(serializers.ModelSerializer):\n"
            + "    class Meta:\n"
            + "        model = Status\n"
            + '        fields = "__all__"\n\n\n'
            + "class StatusViewSet(viewsets.ModelViewSet):\n"
            + "    queryset = Status.objects.all()\n"
            + "    serializer_class = StatusSerializer\n",
        ),
        "Override `destroy`: call DRF's, catch the error and answer 409 with DRF's `Response` "
        "(the module's `status.HTTP_409_CONFLICT` where it imports `status`). Where a view of "
        "the project already catches it in `perform_destroy` and raises its own exception "
        "(`raise ValidationError({...}) from error`), the same `perform_destroy` instead.",
    ),
    _rule(
        "BKD330",
        "error-handling",
        "delete-parent-without-cascade",
        "A route deletes a SQLAlchemy or SQLModel row (`session.delete(parent)` and a commit, "
        "itself or in a repository it calls) that another table's foreign key still holds, "
        "and nothing deletes those rows with it; or a Django `ForeignKey(Parent, "
        "on_delete=models.DO_NOTHING)` to a model a view deletes (DRF's destroy, "
        "`.delete()` on a Parent row).",
        "Deleting a parent that has children raises IntegrityError, a 500: when the parent's "
        "relationship to them has no delete cascade, SQLAlchemy sets their NOT NULL key to "
        "NULL (any database); when the parent has no relationship to them, a database that "
        "enforces foreign keys (PostgreSQL, MySQL) refuses the delete. Silent for a key whose "
        "`ondelete` (in the model or a migration) deletes or detaches the rows, a "
        "relationship that cascades or leaves it to the database (`passive_deletes`), a "
        "nullable key SQLAlchemy may clear, an association table, a function that deletes, "
        "walks or tests the children first, a `try` around the delete or any call on the way "
        "from the route, an app-wide handler for the error, a function no route reaches, and "
        "a SQLite app's second case (SQLite enforces no foreign key unless told to). Django's "
        "DO_NOTHING leaves the children in place, and the constraint `migrate` made refuses "
        "the delete when it commits (on SQLite too: Django turns its foreign keys on); silent "
        "for `db_constraint=False`, a key no migration of the app makes a foreign key, a "
        "migration's own SQL on the table, an unmanaged model, a self-reference, a parent "
        "with its own `delete` or a `pre_delete` receiver, a view that names the children, a "
        "`try` that catches IntegrityError, and a DRF exception handler or middleware that "
        "may answer it.",
        Example(
            path="app.py",
            text="from flask import Flask\n"
            + "from flask_sqlalchemy import SQLAlchemy\n\n"
            + "app = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\n"
            + "class Order(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + '    lines = db.relationship("OrderLine", backref="order")\n\n\n'
            + "class OrderLine(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    order_id = db.Column(\n"
            + '        db.Integer, db.ForeignKey("order.id"), nullable=False\n'
            + "    )\n\n\n"
            + '@app.delete("/orders/<int:order_id>")\n'
            + "def delete_order(order_id):\n"
            + "    order = db.get_or_404(Order, order_id)\n"
            + "    db.session.delete(order)\n"
            + "    db.session.commit()\n"
            + '    return "", 204\n',
        ),
        "Where the parent's relationship holds the children, give it the delete cascade "
        "(SQLAlchemy's `cascade=\"all, delete-orphan\"`, SQLModel's `cascade_delete=True` from "
        "0.0.21, else `sa_relationship_kwargs`); else catch IntegrityError around the delete "
        "and its commit, roll back and answer 409 (FastAPI's `HTTPException`, Flask's "
        "`abort`). For Django's DO_NOTHING: `on_delete=models.CASCADE` (the children go with "
        "their parent), or `SET_NULL` for a key that is `null=True` already, then "
        "`makemigrations`.",
    ),
    _rule(
        "BKD331",
        "error-handling",
        "catch-all-handler-hides-http-errors",
        "A Flask app's handler for `Exception` answers every error it takes with a 500, and "
        "nothing lets werkzeug's HTTP errors through (`@app.errorhandler(Exception)` returning "
        "`(body, 500)`).",
        "Since Flask 1.0 a handler for `Exception` takes HTTP errors too: Flask picks the most "
        "specific handler along the error's classes. An unknown URL's 404, a wrong method's "
        "405, an `abort(403)` and a malformed JSON body's 400 become 500s. Silent when the "
        "handler looks at the error's class or code, re-raises, or the project registers a "
        "handler for `HTTPException`.",
        Example(
            path="errors.py",
            text="from flask import Flask, jsonify\n\n"
            + "app = Flask(__name__)\n\n\n"
            + "@app.errorhandler(Exception)\n"
            + "def server_error(e):\n"
            + '    return jsonify({"error": "internal error"}), 500\n',
        ),
        "Let HTTP errors through first, as Flask's documentation does: `if isinstance(e, "
        "HTTPException): return e` (werkzeug's, which Flask installs).",
    ),
    _rule(
        "BKD332",
        "error-handling",
        "query-tested-as-row",
        "A SQLAlchemy query still being built is tested as if it were its row: `car = "
        "Car.query.filter_by(id=car_id)` then `if not car:` (or `car is None`).",
        "A Query has no truth of its own and is always true: the missing-row branch never "
        "runs, and the code goes on as if the row were there (a real app's delete went on to "
        "remove rows of a car the user did not own). A chain that ends in `first()`, `all()` "
        "or `one_or_none()` is a row or a list and is left alone.",
        Example(
            path="cars.py",
            text="from flask import Flask, abort\n"
            + "from flask_sqlalchemy import SQLAlchemy\n\n"
            + "app = Flask(__name__)\n"
            + "db = SQLAlchemy(app)\n\n\n"
            + "class Car(db.Model):\n"
            + "    id = db.Column(db.Integer, primary_key=True)\n"
            + "    owner_id = db.Column(db.Integer, nullable=False)\n\n\n"
            + '@app.delete("/cars/<int:car_id>")\n'
            + "def delete_car(car_id):\n"
            + "    car = Car.query.filter_by(id=car_id, owner_id=1)\n"
            + "    if not car:\n"
            + "        abort(404)\n"
            + "    car.delete()\n"
            + "    db.session.commit()\n"
            + '    return "", 204\n',
        ),
        "Ask the query for its row: `if car.first() is None:`.",
    ),
    _rule(
        "BKD334",
        "error-handling",
        "undefined-name",
        "A function reads a global name its module never imports, assigns or defines, while "
        "other modules of the project import it (`logger.error(e)` with no `logger` in the "
        "module).",
        "The line raises NameError, a 500, each time it runs, often on an error path tests "
        "do not reach. Scopes are Python's own (`symtable`); silent for modules that bind "
        "names dynamically (`import *`, `globals()`, `exec`, a module `__getattr__`), for `_`, "
        "for names read only in annotations, and when the project imports the name from more "
        "than one place or not at all.",
        Example(
            path="routes.py",
            text="from flask import Flask\n\n"
            + "app = Flask(__name__)\n\n\n"
            + '@app.post("/reset")\n'
            + "def reset():\n"
            + "    try:\n"
            + "        return send_reset()\n"
            + "    except RuntimeError as e:\n"
            + "        logger.error(e)\n"
            + '        return {"error": "try again"}, 503\n',
            files={
                "log.py": 'import logging\n\nlogger = logging.getLogger("app")\n',
                "mail.py": "from log import logger\n\n\n"
                + "def send_reset():\n"
                + '    logger.info("sent")\n'
                + '    return {"ok": True}\n',
            },
        ),
        "Import it as the project's other modules do (`from app.core.logging import logger`).",
    ),
    _rule(
        "BKD335",
        "error-handling",
        "tuple-used-as-row",
        "A project function that returns a pair on every path (`return customer, None` / "
        '`return None, "not found"`) is bound to one name whose attributes the caller then '
        "reads (`customer.to_dict()`).",
        "A tuple has no such attribute: every call raises AttributeError, a 500 even when the "
        "function succeeded, and a test of the name never sees the failure the pair reports. "
        "Read only for functions that cannot run off their end and whose every `return` gives "
        "a tuple of one length.",
        Example(
            path="routes.py",
            text="from flask import Flask\n\n"
            + "from service import update_customer\n\n"
            + "app = Flask(__name__)\n\n\n"
            + '@app.put("/customers/<int:customer_id>")\n'
            + "def update(customer_id):\n"
            + "    customer = update_customer(customer_id)\n"
            + "    if not customer:\n"
            + '        return {"error": "not found"}, 404\n'
            + "    return customer.to_dict()\n",
            files={
                "service.py": "class Customer:\n"
                + "    def to_dict(self):\n"
                + "        return {}\n\n\n"
                + "def update_customer(customer_id):\n"
                + "    if customer_id < 1:\n"
                + '        return None, "not found"\n'
                + "    return Customer(), None\n",
            },
        ),
        "Unpack the pair as the function's other callers do: `customer, error = "
        "update_customer(...)`.",
    ),
    _rule(
        "BKD336",
        "error-handling",
        "missing-exception-attribute",
        "An `except` reads an attribute its exception class never has: `except "
        "UserValidationError as exc: ... exc.errors` where the project's class sets no "
        "`errors`.",
        "The handler meant to answer the failure raises AttributeError itself, a 500 in place "
        "of its answer. Read only for the project's own classes over Python's exceptions, "
        "whose lineage assigns the attribute nowhere (class attributes, methods, `self.x = "
        "...`), and for reads the exception's text can stand in for.",
        Example(
            path="routes.py",
            text="from flask import Flask\n\n"
            + "app = Flask(__name__)\n\n\n"
            + "class AddressError(Exception):\n"
            + "    pass\n\n\n"
            + "def save(data):\n"
            + '    raise AddressError("street is required")\n\n\n'
            + '@app.put("/address")\n'
            + "def address():\n"
            + "    try:\n"
            + "        save({})\n"
            + "    except AddressError as exc:\n"
            + '        return {"errors": exc.errors}, 400\n'
            + '    return {"ok": True}\n',
        ),
        "Read the exception's text, `str(exc)`, or give the class the attribute where it is "
        "raised.",
    ),
    _rule(
        "BKD333",
        "error-handling",
        "unchecked-foreign-key",
        "A route makes (or updates) a SQLAlchemy or SQLModel row whose foreign key takes the "
        "client's id (`Student(**body.model_dump())` of a body with `course_id`, "
        '`Trip(car_id=payload["car_id"])`, a `setattr` loop over the body, `row.car_id = '
        "...`), itself or in a CRUD function it hands the body to, and nothing looks the row "
        "it names up first.",
        "On a database that enforces foreign keys (PostgreSQL, MySQL's InnoDB; SQLite only with "
        "`PRAGMA foreign_keys=ON`) an id no row has makes the commit raise IntegrityError: a "
        "500 where the client named a parent that does not exist, and an `except "
        'IntegrityError` that answers "already exists" reports it as a duplicate. Only for a '
        "key the schema declares to a model's primary key, and a value the client sent (a "
        "body field, a URL part, the request's JSON); silent when the value is handed to any "
        "call before the write (a lookup, a helper), a dependency or decorator of the route "
        "reads the parent's model, the commit is caught (but for a duplicate's answer), an "
        "app-wide handler may answer the error, in a view that answers pages, and on a "
        "database not known to enforce foreign keys.",
        Example(
            path="main.py",
            files={"requirements.txt": "fastapi\nsqlalchemy>=2\npsycopg2-binary\n"},
            text="from fastapi import Depends, FastAPI\n"
            + "from pydantic import BaseModel\n"
            + "from sqlalchemy import ForeignKey\n"
            + "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n\n"
            + "app = FastAPI()\n\n\n"
            + "class Base(DeclarativeBase):\n    pass\n\n\n"
            + "class Course(Base):\n"
            + '    __tablename__ = "courses"\n'
            + "    id: Mapped[int] = mapped_column(primary_key=True)\n\n\n"
            + "class Student(Base):\n"
            + '    __tablename__ = "students"\n'
            + "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            + '    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))\n\n\n'
            + "class StudentIn(BaseModel):\n    course_id: int\n\n\n"
            + "def get_db():\n    raise NotImplementedError\n\n\n"
            + '@app.post("/students")\n'
            + "def create_student(body: StudentIn, db: Session = Depends(get_db)):\n"
            + "    student = Student(**body.model_dump())\n"
            + "    db.add(student)\n"
            + "    db.commit()\n"
            + '    return {"id": student.id}\n',
        ),
        "Look each parent up before the write, one statement per key, and answer 404 naming "
        "the missing id: FastAPI's `if db.get(Course, body.course_id) is None: raise "
        "HTTPException(status_code=404, ...)`; in Flask the module's own answer to a missing "
        "row of that model, else Flask-SQLAlchemy's `db.get_or_404(Course, id, "
        "description=...)` (`Course.query.get_or_404(id)` before 3.0), else `abort(404)`. A "
        "nullable key (or an update's field that may be left out) is looked up only when "
        "given. Through a CRUD function the lookup goes in the route, before the call.",
    ),
    _rule(
        "BKD316",
        "error-handling",
        "failure-answered-as-success",
        "A route's broad `except` answers a failed write or upstream call with a 2xx "
        '(`except Exception: log.debug(...)` then `return "ok"`).',
        "A webhook's sender (Stripe, GitHub, Slack) reads only the status: a 200 for a failed "
        "delivery is never sent again, and the error went to a log level nobody reads. An API "
        "client is told its change was made. Only where the `try` does real work (a database "
        "write, an upstream call; in a receiver, the project's handler of the event) and the "
        "answer is a success: silent when the handler re-raises, answers 4xx/5xx, sets a "
        "fallback value or does work of its own (a toggle's `except: Like.objects.create(...)`"
        ", the other branch of a `.get()`), when the `try` calls out after a write it made, "
        "when, outside a receiver, it logs at warning or above or its answer names the error, "
        "and for a best-effort notification or a follow-up after the route's own save. A "
        "FastAPI answer made as the project's pydantic model (`return Result(success=False, "
        "message=str(e))`) goes out with the route's 2xx whatever its body says: silent where "
        "the handler sets the model's status field (`code=500`) or `response.status_code`; a "
        "`status_code=500` that is no field of the model is dropped by pydantic.",
        Example(
            path="hooks.py",
            text="import logging\n\n"
            + "import stripe\n"
            + _FLASK
            + "log = logging.getLogger(__name__)\n\n\n"
            + "def fulfil(event):\n"
            + "    raise NotImplementedError\n\n\n"
            + '@app.post("/webhooks/stripe")\n'
            + "def stripe_webhook():\n"
            + "    try:\n"
            + "        event = stripe.Webhook.construct_event(\n"
            + '            request.data, request.headers["Stripe-Signature"], "whsec_test"\n'
            + "        )\n"
            + "        fulfil(event)\n"
            + "    except Exception as exc:\n"
            + '        log.debug("webhook failed: %s", exc)\n'
            + "    return jsonify(received=True)\n",
        ),
        "Log with the module's `logger.exception(...)` and answer 500 (Flask's `return ..., "
        "500`, FastAPI's `HTTPException(status_code=500)`, Django's `status=500`) so the "
        "sender retries and the error log hears of it.",
    ),
    _rule(
        "BKD317",
        "error-handling",
        "identity-filter",
        "A SQLAlchemy condition tests a mapped column with Python's `is` "
        "(`.filter(Model.col is None)`).",
        "`Model.col` is the mapped attribute, never None, True or False itself: Python decides "
        "the test before SQLAlchemy sees it, so the query says `WHERE false` (no row, ever) or, "
        "for `is not`, drops the condition (every row). Nothing raises. In `filter`, `where`, "
        "`having`, `and_`, `or_` and `not_`; `filter_by` takes keywords and is not affected.",
        Example(
            path="tasks.py",
            text="from sqlalchemy import select\n"
            + "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n\n\n"
            + "class Base(DeclarativeBase):\n    pass\n\n\n"
            + "class Task(Base):\n"
            + '    __tablename__ = "tasks"\n'
            + "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            + "    owner_id: Mapped[int | None] = mapped_column()\n\n\n"
            + "def unassigned(session: Session) -> list[Task]:\n"
            + "    return list(session.scalars(select(Task).where(Task.owner_id is None)))\n",
        ),
        "The column's own test: `Model.col.is_(None)` / `.is_not(None)` (`.isnot` where the "
        "project allows a SQLAlchemy older than 1.4).",
    ),
    _rule(
        "BKD318",
        "error-handling",
        "exception-text-in-500",
        "A FastAPI route's broad `except` answers a 5xx whose detail is the exception's text "
        "(`raise HTTPException(status_code=500, detail=str(e))`).",
        "The client reads the server's internals (a failed query with its values, file paths, "
        "upstream addresses) and nothing logs the failure: an HTTPException is an answer, "
        "not an error. Only 5xx answers are read (a 4xx's text tells the client its mistake); "
        "silent when the `try` raises an HTTPException of its own (BKD312) or sits in "
        "another `try`.",
        Example(
            path="main.py",
            text="from fastapi import FastAPI, HTTPException\n\n"
            + "app = FastAPI()\n"
            + 'REPORTS = {"daily": "ok"}\n\n\n'
            + '@app.get("/reports/{name}")\n'
            + "def report(name: str) -> dict[str, str]:\n"
            + "    try:\n"
            + '        return {"status": REPORTS[name]}\n'
            + "    except Exception as e:\n"
            + "        raise HTTPException(status_code=500, detail=str(e))\n",
        ),
        "Let the exception go (drop a `try` that only does this, else re-raise): FastAPI logs "
        "the traceback and answers a plain 500. A handler that logs the error keeps its 500 "
        "with a fixed detail.",
    ),
)

# Node and Go: their own rules join the table (one registry, one code space).
BACKEND_RULES.update(NODE_GO_RULES)
