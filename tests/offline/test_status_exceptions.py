"""BKD322: the project's own exception carries a 4xx that no handler of the app answers with (a
real FastAPI app's token dependency raised ``CustomException(..., status_code=401)`` with
handlers for ``HTTPException`` and ``Exception`` only: every bad token was a 500). Each shape
has a silent twin."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .trees import write_tree

MANIFEST = '[project]\nname = "shop"\ndependencies = ["fastapi"]\n'
ERRORS = (
    "from fastapi import status\n\n\n"
    "class AppError(Exception):\n"
    "    def __init__(self, message: str, status_code: int = status.HTTP_400_BAD_REQUEST):\n"
    "        self.message = message\n"
    "        self.status_code = status_code\n"
)
HANDLERS = (
    "from fastapi import HTTPException, Request\n"
    "from fastapi.responses import JSONResponse\n\n\n"
    "async def http_error(request: Request, exc: HTTPException):\n"
    "    return JSONResponse(\n"
    "        status_code=exc.status_code, content={'ok': False, 'message': exc.detail}\n"
    "    )\n\n\n"
    "async def any_error(request: Request, exc: Exception):\n"
    "    return JSONResponse(status_code=500, content={'ok': False, 'message': 'oops'})\n"
)
MAIN = (
    "from fastapi import FastAPI, HTTPException\n\n"
    "from shop.handlers import any_error, http_error\n"
    "from shop.routes import router\n\n"
    "app = FastAPI()\n\n"
    "app.add_exception_handler(HTTPException, http_error)\n"
    "app.add_exception_handler(Exception, any_error)\n\n"
    "app.include_router(router)\n"
)
AUTH = (
    "from fastapi import Header\n\n"
    "from shop.errors import AppError\n\n\n"
    "class Auth:\n"
    "    @staticmethod\n"
    "    def current_user(token: str = Header()):\n"
    "        if token != 'secret':\n"
    "            raise AppError('Token is invalid', status_code=401)\n"
    "        return {'name': 'ada'}\n\n"
    "    @staticmethod\n"
    "    def unused(token: str):\n"
    "        raise AppError('never on a request', status_code=401)\n"
)
ROUTES = (
    "from fastapi import APIRouter, Depends\n\n"
    "from shop.auth import Auth\n\n"
    "router = APIRouter()\n\n\n"
    "@router.get('/me')\n"
    "def me(user: dict = Depends(Auth.current_user)):\n"
    "    return user\n"
)


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD322"]


def _project(root: Path, **files: str) -> Path:
    tree = {
        "pyproject.toml": MANIFEST,
        "shop/__init__.py": "",
        "shop/errors.py": ERRORS,
        "shop/handlers.py": HANDLERS,
        "shop/main.py": MAIN,
        "shop/auth.py": AUTH,
        "shop/routes.py": ROUTES,
    }
    tree.update({f"shop/{k}.py": v for k, v in files.items()})
    return write_tree(root, tree)


def test_a_dependencys_401_through_a_class_no_handler_takes(tmp_path: Path) -> None:
    root = _project(tmp_path)
    found = _found(root)
    assert [(s.path, s.span.start.line) for s in found] == [(str(root / "shop/errors.py"), 3)]
    assert "`current_user` (auth.py:10)" in found[0].rationale
    assert "unused" not in found[0].rationale
    fixed = apply_suggestion(found[0])[str(root / "shop/main.py")]
    assert "from fastapi.responses import JSONResponse\n" in fixed
    assert "from shop.errors import AppError\n" in fixed
    assert (
        "app.add_exception_handler(Exception, any_error)\n\n\n"
        "@app.exception_handler(AppError)\n"
        "async def app_error_handler(request, exc):\n"
        "    return JSONResponse(\n"
        "        status_code=exc.status_code,\n"
        "        content={'ok': False, 'message': exc.message},\n"
        "    )\n\n\n"
        "app.include_router(router)\n"
    ) in fixed
    assert not _found(root)


def test_silent_when_handled_caught_framework_or_off_request(tmp_path: Path) -> None:
    handled = MAIN.replace(
        "app.add_exception_handler(Exception, any_error)\n",
        "app.add_exception_handler(Exception, any_error)\napp.add_exception_handler(AppError, any_error)\n",
    ).replace(
        "from shop.routes import router\n",
        "from shop.routes import router\nfrom shop.errors import AppError\n",
    )
    assert not _found(_project(tmp_path / "handled", main=handled))
    # a handler for a project base takes it too
    based = ERRORS.replace(
        "class AppError(Exception):", "class Base(Exception):\n    pass\n\n\nclass AppError(Base):"
    )
    base_main = handled.replace(
        "add_exception_handler(AppError", "add_exception_handler(Base"
    ).replace("import AppError", "import Base")
    assert not _found(_project(tmp_path / "base", errors=based, main=base_main))
    # Starlette's own HTTPException answers its status itself
    framework = ERRORS.replace(
        "from fastapi import status\n", "from fastapi import HTTPException, status\n"
    ).replace("class AppError(Exception):", "class AppError(HTTPException):")
    assert not _found(_project(tmp_path / "framework", errors=framework))
    # a route that catches it answers it
    caught = ROUTES + (
        "\n\n@router.get('/other')\n"
        "def other(token: str):\n"
        "    try:\n"
        "        return Auth.current_user(token)\n"
        "    except AppError as e:\n"
        "        return {'error': e.message}\n"
    )
    caught = caught.replace(
        "from shop.auth import Auth\n",
        "from shop.auth import Auth\nfrom shop.errors import AppError\n",
    )
    assert not _found(_project(tmp_path / "caught", routes=caught))
    # raised only where no request runs it, or with a 5xx
    off = ROUTES.replace("Depends(Auth.current_user)", "Depends()")
    assert not _found(_project(tmp_path / "off", routes=off))
    server = AUTH.replace("status_code=401)\n        return", "status_code=503)\n        return")
    assert not _found(_project(tmp_path / "server", auth=server))
    # two apps: which one the routes run under is not read
    two = MAIN + "admin = FastAPI()\n"
    assert not _found(_project(tmp_path / "two", main=two))


FLASK = (
    "from flask import Flask, jsonify\n\n\n"
    "class ApiError(Exception):\n"
    "    status_code = 400\n\n"
    "    def __init__(self, message):\n"
    "        super().__init__(message)\n"
    "        self.message = message\n\n\n"
    "app = Flask(__name__)\n\n\n"
    "@app.errorhandler(404)\n"
    "def not_found(error):\n"
    "    return jsonify({'error': error.description}), 404\n\n\n"
    "@app.route('/items/<int:pk>')\n"
    "def item(pk):\n"
    "    if pk > 10:\n"
    "        raise ApiError('no such item')\n"
    "    return jsonify({'pk': pk})\n"
)


def test_flask_class_attribute_status(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {"pyproject.toml": MANIFEST.replace("fastapi", "flask"), "app.py": FLASK},
    )
    found = _found(root)
    assert [s.span.start.line for s in found] == [3]
    fixed = apply_suggestion(found[0])[str(root / "app.py")]
    assert (
        "@app.errorhandler(ApiError)\n"
        "def api_error_handler(exc):\n"
        "    return jsonify({'error': exc.message}), exc.status_code\n"
    ) in fixed
    werkzeug = FLASK.replace(
        "from flask import Flask, jsonify\n",
        "from flask import Flask, jsonify\nfrom werkzeug.exceptions import HTTPException\n",
    ).replace("class ApiError(Exception):", "class ApiError(HTTPException):")
    root = write_tree(tmp_path / "wz", {"pyproject.toml": MANIFEST, "app.py": werkzeug})
    assert not _found(root)


def test_silent_when_a_loop_registers_handlers_for_classes_not_read(tmp_path: Path) -> None:
    """A real shipping API registered one handler per ``AppError.__subclasses__()``, in a
    project function the app's module calls with the app: which classes it takes is not
    read, so the app may answer every status already."""
    registry = (
        "from fastapi import FastAPI\n\n"
        "from shop.errors import AppError\n"
        "from shop.handlers import http_error\n\n\n"
        "def add_handlers(app: FastAPI):\n"
        "    for exception_class in [AppError, *AppError.__subclasses__()]:\n"
        "        app.add_exception_handler(exception_class, http_error)\n"
    )
    main = MAIN.replace(
        "app.include_router(router)\n",
        "add_handlers(app)\napp.include_router(router)\n",
    ).replace(
        "from shop.routes import router\n",
        "from shop.registry import add_handlers\nfrom shop.routes import router\n",
    )
    root = _project(tmp_path, registry=registry, main=main)
    assert _found(root) == []
    # the same project registering nothing in the loop is answered again
    (root / "shop/registry.py").write_text(
        registry.replace("exception_class, http_error", "HTTPException, http_error").replace(
            "from shop.handlers import http_error\n",
            "from fastapi import HTTPException\n\nfrom shop.handlers import http_error\n",
        )
    )
    assert len(_found(root)) == 1
