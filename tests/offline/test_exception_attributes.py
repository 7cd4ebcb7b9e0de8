"""BKD336: an ``except`` reads an attribute its project exception class never sets (a real
users API's ``errors=exc.errors`` over ``class UserMongoValidationErrorException(Exception):
pass``: the handler itself raised, a 500; blind round r39). Silent twins: the class sets it
(in ``__init__``, as a class attribute, as a method), an attribute every exception has
(``args``), a library's class, and a read the code goes on into (``exc.errors["name"]``)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion
from .trees import write_tree

ERRORS = """\
class PlainError(Exception):
    pass


class FieldsError(PlainError):
    def __init__(self, errors):
        super().__init__("invalid")
        self.errors = errors


class CodedError(Exception):
    code = 400

    def detail(self):
        return "bad"
"""

ROUTES = """\
from flask import Flask
from werkzeug.exceptions import HTTPException

from .errors import CodedError, FieldsError, PlainError

app = Flask(__name__)


def run():
    raise PlainError("street is required")


@app.put("/address")
def address():
    try:
        run()
    except FieldsError as exc:
        return {"errors": exc.errors}, 400
    except PlainError as exc:
        return {"errors": exc.errors, "args": exc.args}, 400
    except CodedError as exc:
        return {"detail": exc.detail(), "code": exc.code}, 400
    except HTTPException as exc:
        return {"errors": exc.errors}, 400
    return {"ok": True}


@app.put("/again")
def again():
    try:
        run()
    except PlainError as err:
        return {"name": err.errors["name"]}, 400
    return {"ok": True}
"""


def test_an_attribute_the_exception_class_never_has(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "shop/__init__.py": "",
            "shop/errors.py": ERRORS,
            "shop/routes.py": ROUTES,
        },
    )
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD336"]
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (20, "Read `PlainError`'s text, not its missing `errors`")
    ]
    text = apply_suggestion(found[0])[str(root / "shop/routes.py")]
    ast.parse(text)
    assert '        return {"errors": str(exc), "args": exc.args}, 400\n' in text
