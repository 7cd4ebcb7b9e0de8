"""BKD334: a function reads a global its module never binds while the project's other modules
import it (a real shipping API's password reset called ``logger.error(e)`` with no ``logger``
in the module; blind round r39). Silent twins: a name bound later in the module, a star
import, ``_``, a name read only in an annotation, a statement that reads another unbound name
no import gives (a real library route's ``validate_book(data)`` had no ``data`` either), and a
name the project imports from two places."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion
from .trees import write_tree

TREE = {
    "requirements.txt": "flask\n",
    "app/__init__.py": "",
    "app/log.py": 'import logging\n\nlogger = logging.getLogger("app")\n',
    "app/checks.py": "def check_book(data):\n    return None\n",
    "app/other_checks.py": "def check_user(data):\n    return None\n",
    "app/mail.py": (
        "from app.checks import check_book\n"
        "from app.log import logger\n"
        "from app.other_checks import check_user\n\n\n"
        "def send(data):\n"
        "    logger.info(check_book(data), check_user(data))\n"
    ),
    "app/more.py": "from app.checks import check_user\n\nVALUE = check_user\n",
    "app/routes.py": (
        "from __future__ import annotations\n\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/reset")\n'
        "def reset():\n"
        "    try:\n"
        "        return later()\n"
        "    except RuntimeError as e:\n"
        "        logger.error(e)\n"
        '        return {"error": _("try again")}, 503\n\n\n'
        '@app.post("/books")\n'
        "def books(body: Payload):\n"
        "    if request.args.get('bad'):\n"
        "        return check_book(payload), 400\n"
        "    return check_user(body)\n\n\n"
        "def later():\n"
        '    return {"ok": True}\n'
    ),
    "app/starred.py": ('from app.log import *\n\n\ndef ping():\n    logger.info("ping")\n'),
}


def test_an_unbound_global_the_project_imports_elsewhere(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD334"]
    assert [(Path(s.path).name, s.span.start.line + 1, s.title) for s in found] == [
        ("routes.py", 13, "Import `logger` where `reset` uses it"),
    ]
    assert "NameError" in found[0].rationale and "`app.log`" in found[0].rationale
    text = apply_suggestion(found[0])[str(root / "app/routes.py")]
    ast.parse(text)
    assert "from app.log import logger\n" in text
    assert not [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD334"]
