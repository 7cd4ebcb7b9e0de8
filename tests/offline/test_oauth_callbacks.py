"""BKD313: an OAuth callback whose refused sign-in (access denied, a stale state) is a 500.
Each true positive has a clean twin that stays silent; the shapes are gitmostwanted's (a
``None`` path already there), anitya's (``import flask``, a redirect home), open-assistant's
(FastAPI with the Starlette client) and a requests-oauthlib ``fetch_token``."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK_PYPROJECT = '[project]\nname = "site"\ndependencies = ["flask", "authlib"]\n'
# The client is registered in another module, as on gitmostwanted.
SERVICES = (
    "from authlib.integrations.flask_client import OAuth\n\n\n"
    "def instance(app):\n"
    "    return OAuth(app)\n"
)
NONE_PATH = (
    "from flask import Blueprint, redirect, session, url_for\n\n"
    "from site_app import app\n"
    "from site_app import services\n\n"
    "bp = Blueprint('auth', __name__)\n"
    "oauth = services.instance(app)\n\n\n"
    "@bp.route('/oauth/authorized')\n"
    "def authorized():\n"
    "    next_url = url_for('home')\n"
    "    resp = oauth.github.authorize_access_token()\n"
    "    if resp is None or 'access_token' not in resp:\n"
    "        return redirect(next_url)\n"
    "    session['token'] = resp['access_token']\n"
    "    return redirect(next_url)\n"
)


def _project(root: Path, pyproject: str, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": pyproject, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD313"]


def _flask(root: Path, view: str) -> Path:
    return _project(
        root,
        FLASK_PYPROJECT,
        {
            "site_app/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "site_app/services.py": SERVICES,
            "site_app/auth.py": view,
        },
    )


def test_the_views_own_none_path_takes_the_refusal(tmp_path: Path) -> None:
    root = _flask(tmp_path, NONE_PATH)
    (found,) = _found(root)
    assert found.title == "Handle a refused sign-in at oauth.github.authorize_access_token()"
    assert "`authorized`" in found.rationale and "setting `resp` to None" in found.rationale
    new = apply_suggestion(found)[str(root / "site_app" / "auth.py")]
    ast.parse(new)
    assert "from authlib.integrations.flask_client import OAuthError\n" in new
    assert (
        "    try:\n"
        "        resp = oauth.github.authorize_access_token()\n"
        "    except OAuthError:\n"
        "        resp = None\n"
        "    if resp is None"
    ) in new
    assert _found(root) == []  # applied, it is handled


def test_a_caught_refusal_is_left_alone(tmp_path: Path) -> None:
    caught = NONE_PATH.replace(
        "    resp = oauth.github.authorize_access_token()\n",
        "    try:\n"
        "        resp = oauth.github.authorize_access_token()\n"
        "    except Exception:\n"
        "        resp = None\n",
    )
    assert _found(_flask(tmp_path, caught)) == []


def test_an_app_wide_handler_covers_the_callback(tmp_path: Path) -> None:
    handler = NONE_PATH + (
        "\n\n@app.errorhandler(OAuthError)\n"
        "def oauth_failed(exc):\n"
        "    return redirect(url_for('home'))\n"
    )
    handler = "from authlib.integrations.flask_client import OAuthError\n" + handler
    assert _found(_flask(tmp_path, handler)) == []


HOME_REDIRECT = (
    "import flask\n\n"
    "from site_app import app\n"
    "from site_app import services\n\n"
    "oauth = services.instance(app)\n\n\n"
    "@app.route('/auth/<name>')\n"
    "def auth(name):\n"
    "    client = oauth.create_client(name)\n"
    "    token = client.authorize_access_token()\n"
    "    flask.session['user'] = token['userinfo']['email']\n"
    "    if flask.session.get('next_url'):\n"
    "        return flask.redirect(flask.session['next_url'])\n"
    "    return flask.redirect('/')\n"
)


def test_a_browser_view_flashes_and_goes_home_in_the_modules_idiom(tmp_path: Path) -> None:
    root = _flask(tmp_path, HOME_REDIRECT)
    (found,) = _found(root)
    new = apply_suggestion(found)[str(root / "site_app" / "auth.py")]
    ast.parse(new)
    # ``import flask``: no ``from flask import``; home, not the page that sent them to sign in.
    assert "from flask import" not in new
    assert (
        "    except OAuthError:\n"
        '        flask.flash("Sign-in failed or was cancelled.", "warning")\n'
        "        return flask.redirect('/')\n"
    ) in new


def test_a_project_without_authlib_is_not_read_as_one(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        '[project]\nname = "site"\ndependencies = ["flask"]\n',
        {
            "site_app/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "site_app/services.py": "def instance(app):\n    return app\n",
            "site_app/auth.py": NONE_PATH,
        },
    )
    assert _found(root) == []


FASTAPI = (
    "from authlib.integrations.starlette_client import OAuth\n"
    "from fastapi import FastAPI, Request\n\n"
    "app = FastAPI()\n"
    "oauth = OAuth()\n\n\n"
    "@app.get('/auth/callback')\n"
    "async def callback(request: Request):\n"
    "    token = await oauth.github.authorize_access_token(request)\n"
    "    return {'user': token['userinfo']['sub']}\n"
)
FASTAPI_PYPROJECT = '[project]\nname = "api"\ndependencies = ["fastapi", "authlib"]\n'


def test_fastapi_answers_400_with_the_starlette_clients_error(tmp_path: Path) -> None:
    root = _project(tmp_path, FASTAPI_PYPROJECT, {"main.py": FASTAPI})
    (found,) = _found(root)
    new = apply_suggestion(found)[str(root / "main.py")]
    ast.parse(new)
    assert "from authlib.integrations.starlette_client import OAuth, OAuthError\n" in new
    assert "    except OAuthError as exc:\n        raise HTTPException(status_code=400" in new
    assert _found(root) == []


def test_fastapi_exception_handler_for_it_is_enough(tmp_path: Path) -> None:
    handled = FASTAPI.replace(
        "oauth = OAuth()\n",
        "oauth = OAuth()\napp.add_exception_handler(OAuthError, lambda request, exc: None)\n",
    ).replace("import OAuth\n", "import OAuth, OAuthError\n")
    assert _found(_project(tmp_path, FASTAPI_PYPROJECT, {"main.py": handled})) == []


FETCH_TOKEN = (
    "from flask import Flask, jsonify, request\n"
    "from requests_oauthlib import OAuth2Session\n\n"
    "app = Flask(__name__)\n\n\n"
    "@app.get('/callback')\n"
    "def callback():\n"
    "    github = OAuth2Session('client-id', state=request.args.get('state'))\n"
    "    token = github.fetch_token(\n"
    "        'https://github.com/login/oauth/access_token',\n"
    "        client_secret='secret',\n"
    "        authorization_response=request.url,\n"
    "        timeout=10,\n"
    "    )\n"
    "    return jsonify(token_type=token['token_type'])\n"
)
REQUESTS_PYPROJECT = (
    '[project]\nname = "site"\ndependencies = ["flask", "requests-oauthlib", "requests"]\n'
)


def test_requests_oauthlib_fetch_token_catches_oauthlibs_error(tmp_path: Path) -> None:
    root = _project(tmp_path, REQUESTS_PYPROJECT, {"app.py": FETCH_TOKEN})
    (found,) = _found(root)
    assert "raises `OAuth2Error`" in found.rationale
    new = apply_suggestion(found)[str(root / "app.py")]
    ast.parse(new)
    assert "from oauthlib.oauth2 import OAuth2Error\n" in new
    assert "    except OAuth2Error:\n        return jsonify(error=" in new and "), 400\n" in new


def test_fetch_token_under_a_handler_of_oauthlibs_error_is_left_alone(tmp_path: Path) -> None:
    handled = (
        "from flask import Flask, jsonify, request\n"
        "from oauthlib.oauth2 import OAuth2Error\n"
        "from requests_oauthlib import OAuth2Session\n\n"
        "app = Flask(__name__)\n\n\n"
        "@app.get('/callback')\n"
        "def callback():\n"
        "    github = OAuth2Session('client-id', state=request.args.get('state'))\n"
        "    try:\n"
        "        token = github.fetch_token('https://github.com/token', timeout=10)\n"
        "    except OAuth2Error:\n"
        "        return jsonify(error='denied'), 400\n"
        "    return jsonify(token_type=token['token_type'])\n"
    )
    assert _found(_project(tmp_path, REQUESTS_PYPROJECT, {"app.py": handled})) == []


def test_a_token_exchange_gets_one_fix_not_a_502_beside_the_400(tmp_path: Path) -> None:
    # requests-oauthlib's fetch_token is a requests call too: BKD302's try and BKD313's would
    # wrap the same statement twice, and the combined edits collide.
    root = _project(tmp_path, REQUESTS_PYPROJECT, {"app.py": FETCH_TOKEN})
    line = FETCH_TOKEN.splitlines().index("    token = github.fetch_token(")
    on_call = [s for s in collect([str(root)], ["error-handling"]) if s.span.start.line == line]
    assert [s.code for s in on_call] == ["BKD313"]  # it has its timeout already
