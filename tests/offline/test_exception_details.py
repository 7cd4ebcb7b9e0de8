"""BKD318: a FastAPI route's broad ``except`` answering a 5xx with the exception's text as its
detail. Each shape has a twin that must stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion
from tests.offline.trees import write_tree

from .applied import apply_suggestion

HEAD = (
    "from fastapi import FastAPI, HTTPException, status\n\n"
    "from .store import Store, load_report\n\n"
    "app = FastAPI()\n"
    "store = Store()\n\n\n"
)
ONLY = (
    '@app.get("/reports/{name}")\n'
    "def report(name: str) -> dict[str, str]:\n"
    "    try:\n"
    "        found = load_report(name)\n"
    '        return {"name": found}\n'
    "    except Exception as e:\n"
    "        raise HTTPException(status_code=500, detail=str(e))\n"
)
MORE = (
    '@app.post("/reports/{name}")\n'
    "def save(name: str) -> dict[str, str]:\n"
    "    try:\n"
    "        store.save(name)\n"
    "    except Exception as exc:\n"
    "        store.rollback()\n"
    "        raise HTTPException(\n"
    "            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,\n"
    '            detail=f"could not save: {exc}",\n'
    "        ) from exc\n"
    '    return {"name": name}\n'
)
STORE = (
    "class Store:\n"
    "    def save(self, name):\n        pass\n\n"
    "    def rollback(self):\n        pass\n\n\n"
    "def load_report(name):\n    return name\n"
)


def _write(root: Path, files: dict[str, str]) -> Path:
    base = {"pyproject.toml": '[project]\nname = "r"\n', "r/__init__.py": "", "r/store.py": STORE}
    return write_tree(root, {**base, **files})


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD318"]


def test_a_try_that_only_leaks_goes_and_a_busier_one_re_raises(tmp_path: Path) -> None:
    root = _write(tmp_path, {"r/main.py": HEAD + ONLY + "\n\n" + MORE})
    found = _found(root)
    assert [s.title for s in found] == [
        "Keep the exception's text out of report's 500",
        "Keep the exception's text out of save's 500",
    ]
    assert "removing the `try` lets it go" in found[0].rationale
    assert "re-raising it instead" in found[1].rationale
    path = str(root / "r" / "main.py")
    new = apply_suggestion(found[0])[path]
    ast.parse(new)
    assert (
        "def report(name: str) -> dict[str, str]:\n"
        "    found = load_report(name)\n"
        '    return {"name": found}\n'
    ) in new
    (left,) = _found(root)
    new = apply_suggestion(left)[path]
    ast.parse(new)
    assert "    except Exception as exc:\n        store.rollback()\n        raise\n" in new
    assert _found(root) == []


def test_a_try_that_lets_http_errors_through_goes_too(tmp_path: Path) -> None:
    through = (
        ONLY.replace("            raise HTTPException(status_code=404)\n", "")
        .replace(
            "    except Exception as e:\n",
            "    except HTTPException:\n        raise\n    except Exception as e:\n",
        )
        .replace(
            "        found = load_report(name)\n",
            "        found = load_report(name)\n"
            "        if not found:\n"
            "            raise HTTPException(status_code=404)\n",
        )
    )
    root = _write(tmp_path, {"r/main.py": HEAD + through})
    (found,) = _found(root)
    new = apply_suggestion(found)[str(root / "r" / "main.py")]
    ast.parse(new)
    assert "try" not in new and "            raise HTTPException(status_code=404)\n" not in new
    assert "        raise HTTPException(status_code=404)\n" in new
    assert _found(root) == []


def test_a_handler_that_logs_keeps_its_500_with_a_fixed_detail(tmp_path: Path) -> None:
    logged = ONLY.replace(
        "    except Exception as e:\n",
        '    except Exception as e:\n        logger.exception("report failed")\n',
    )
    head = HEAD.replace(
        "app = FastAPI()\n", "app = FastAPI()\nlogger = logging.getLogger(__name__)\n"
    )
    root = _write(tmp_path, {"r/main.py": "import logging\n\n" + head + logged})
    (found,) = _found(root)
    assert "logs the error already" in found.rationale
    new = apply_suggestion(found)[str(root / "r" / "main.py")]
    ast.parse(new)
    assert '        raise HTTPException(status_code=500, detail="Internal Server Error")\n' in new
    assert _found(root) == []


def test_client_errors_fixed_texts_own_404s_and_nested_trys_stay_silent(tmp_path: Path) -> None:
    client_error = ONLY.replace("status_code=500", "status_code=404")
    fixed_text = ONLY.replace("detail=str(e)", 'detail="report failed"')
    own_404 = ONLY.replace(
        "        found = load_report(name)\n",
        "        found = load_report(name)\n"
        "        if not found:\n"
        "            raise HTTPException(status_code=404)\n",
    )
    nested = (
        '@app.get("/reports/{name}")\n'
        "def report(name: str) -> dict[str, str]:\n"
        "    try:\n"
        "        try:\n"
        "            found = load_report(name)\n"
        "        except Exception as e:\n"
        "            raise HTTPException(status_code=500, detail=str(e))\n"
        "    except HTTPException:\n"
        '        return {"name": ""}\n'
        '    return {"name": found}\n'
    )
    files = {
        "r/client_error.py": HEAD + client_error,
        "r/fixed_text.py": HEAD + fixed_text,
        "r/own_404.py": HEAD + own_404,
        "r/nested.py": HEAD + nested,
        "tests/test_main.py": HEAD.replace("from .store", "from r.store") + ONLY,
    }
    for text in files.values():
        ast.parse(text)
    assert _found(_write(tmp_path, files)) == []
