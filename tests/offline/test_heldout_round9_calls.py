"""Ninth held-out round, external calls (shapes reviewers found missed on real apps, reproduced
with fixtures of our own): a bare ``get`` imported from requests, ``urllib.request.urlopen``, a
``try`` whose ``except`` takes only a bad status, requests sessions (``requests.Session()``,
requests-oauthlib's and rauth's) and aiohttp sessions that raise on a bad status. Each has a
clean twin that stays silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK = '[project]\nname = "shop"\ndependencies = ["flask", "requests"]\n'
FASTAPI = '[project]\nname = "svc"\ndependencies = ["fastapi", "httpx", "aiohttp"]\n'
DJANGO = '[project]\nname = "site"\ndependencies = ["django", "requests-oauthlib", "rauth"]\n'


def _found(root: Path, files: dict[str, str], pyproject: str) -> list[Suggestion]:
    for rel, text in {"pyproject.toml": pyproject, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return collect([str(root)], ["error-handling"])


def _codes(found: list[Suggestion]) -> list[tuple[str, int]]:
    return sorted((s.code, s.span.start.line + 1) for s in found)


def _applied(suggestion: Suggestion) -> str:
    (new,) = apply_suggestion(suggestion).values()
    ast.parse(new)
    return new


BARE_GET = """\
from flask import Flask, jsonify
from requests import get

app = Flask(__name__)


@app.get("/advisories/<name>")
def advisory(name):
    text = get(f"https://lists.example.org/{name}.txt").text
    return jsonify(text=text)
"""


def test_a_bare_get_imported_from_requests_gets_a_timeout_and_a_502(tmp_path: Path) -> None:
    found = _found(tmp_path, {"shop/app.py": BARE_GET}, FLASK)
    assert _codes(found) == [("BKD301", 9), ("BKD302", 9)]
    timeout = next(s for s in found if s.code == "BKD301")
    assert 'get(f"https://lists.example.org/{name}.txt", timeout=10).text' in _applied(timeout)
    (tmp_path / "shop/app.py").write_text(BARE_GET, encoding="utf-8")
    answer = next(s for s in found if s.code == "BKD302")
    new = _applied(answer)
    # The module names requests only through ``get``: the handler's import is added.
    assert "import requests\n" in new
    assert "    except requests.RequestException:\n" in new
    assert '"upstream service unavailable"), 502' in new


def test_a_bare_get_with_a_timeout_inside_a_broad_try_is_silent(tmp_path: Path) -> None:
    clean = BARE_GET.replace(
        '    text = get(f"https://lists.example.org/{name}.txt").text\n',
        "    try:\n"
        '        text = get(f"https://lists.example.org/{name}.txt", timeout=5).text\n'
        "    except Exception:\n"
        '        text = ""\n',
    )
    assert _found(tmp_path, {"shop/app.py": clean}, FLASK) == []


URLOPEN = """\
import json
import urllib.request
from urllib.request import urlopen

from django.http import JsonResponse


def forward(request, hook_id):
    req = urllib.request.Request(f"https://hooks.example.com/{hook_id}", data=request.body)
    with urllib.request.urlopen(req) as response:
        status = response.status
    return JsonResponse({"status": status})


def template(request):
    with urlopen("https://templates.example.com/list.json") as response:
        return JsonResponse(json.loads(response.read()), safe=False)
"""


def test_urlopen_without_a_timeout_gets_one(tmp_path: Path) -> None:
    found = _found(tmp_path, {"site_app/views.py": URLOPEN}, DJANGO)
    assert _codes(found) == [("BKD301", 10), ("BKD301", 16)]
    assert [s.title for s in found] == [
        "Give the urllib.request.urlopen call a timeout",
        "Give the urlopen call a timeout",
    ]
    new = _applied(found[0])
    assert "with urllib.request.urlopen(req, timeout=10) as response:" in new
    (tmp_path / "site_app/views.py").write_text(URLOPEN, encoding="utf-8")
    assert 'urlopen("https://templates.example.com/list.json", timeout=10)' in _applied(found[1])


def test_urlopen_with_a_timeout_is_silent(tmp_path: Path) -> None:
    # ``timeout=`` or the third positional argument (``urlopen(url, data, timeout)``)
    clean = URLOPEN.replace("urlopen(req)", "urlopen(req, timeout=5)").replace(
        'list.json")', 'list.json", None, 5)'
    )
    assert _found(tmp_path, {"site_app/views.py": clean}, DJANGO) == []


STATUS_ONLY = """\
import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/repos")
def repos():
    try:
        resp = httpx.get("https://api.example.com/repos", timeout=10)
        resp.raise_for_status()
    except httpx.HTTPStatusError:
        return []
    return resp.json()
"""


def test_a_try_that_takes_only_a_bad_status_does_not_handle_the_call(tmp_path: Path) -> None:
    found = _found(tmp_path, {"svc/main.py": STATUS_ONLY}, FASTAPI)
    assert _codes(found) == [("BKD302", 10)]
    new = _applied(found[0])
    # One more ``except`` after the app's own, not a second ``try`` inside the first.
    assert (
        "    except httpx.HTTPStatusError:\n"
        "        return []\n"
        "    except httpx.HTTPError as exc:\n"
        "        raise HTTPException(" in new
    )
    assert new.count("try:") == 1
    assert "status_code=502" in new and "from fastapi import FastAPI, HTTPException" in new


def test_a_timeout_alone_does_not_cover_an_unreachable_host(tmp_path: Path) -> None:
    text = STATUS_ONLY.replace("except httpx.HTTPStatusError:", "except httpx.TimeoutException:")
    assert _codes(_found(tmp_path, {"svc/main.py": text}, FASTAPI)) == [("BKD302", 10)]


def test_a_request_error_handler_or_an_app_wide_one_covers_it(tmp_path: Path) -> None:
    covered = STATUS_ONLY.replace(
        "except httpx.HTTPStatusError:", "except (httpx.HTTPStatusError, httpx.RequestError):"
    )
    assert _found(tmp_path / "a", {"svc/main.py": covered}, FASTAPI) == []
    app_wide = STATUS_ONLY + (
        "\n\n@app.exception_handler(httpx.HTTPError)\n"
        "def upstream_failed(request, exc):\n"
        "    return None\n"
    )
    assert _found(tmp_path / "b", {"svc/main.py": app_wide}, FASTAPI) == []


REQUESTS_STATUS_ONLY = """\
import requests
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/rates")
def rates():
    try:
        resp = requests.get("https://rates.example.com/today", timeout=5)
        resp.raise_for_status()
    except requests.HTTPError:
        return jsonify(rates=[])
    return jsonify(rates=resp.json())
"""


def test_requests_http_error_alone_does_not_handle_the_call(tmp_path: Path) -> None:
    found = _found(tmp_path, {"shop/app.py": REQUESTS_STATUS_ONLY}, FLASK)
    assert _codes(found) == [("BKD302", 10)]
    assert "except requests.RequestException:" in _applied(found[0])
    clean = REQUESTS_STATUS_ONLY.replace(
        "except requests.HTTPError:", "except requests.RequestException:"
    )
    assert _found(tmp_path / "clean", {"shop/app.py": clean}, FLASK) == []
    # A timeout alone lets an unreachable host and the bad status out as 500s.
    timeout = REQUESTS_STATUS_ONLY.replace("except requests.HTTPError:", "except requests.Timeout:")
    assert _codes(_found(tmp_path / "timeout", {"shop/app.py": timeout}, FLASK)) == [("BKD302", 10)]


SESSIONS = """\
import requests
from flask import Flask, jsonify

app = Flask(__name__)
session = requests.Session()


@app.get("/stock/<sku>")
def stock(sku):
    try:
        data = session.get(f"https://stock.example.com/{sku}").json()
    except requests.RequestException:
        data = {}
    return jsonify(data)
"""


def test_a_requests_session_call_gets_a_timeout(tmp_path: Path) -> None:
    found = _found(tmp_path, {"shop/app.py": SESSIONS}, FLASK)
    assert _codes(found) == [("BKD301", 11)]
    assert 'session.get(f"https://stock.example.com/{sku}", timeout=10).json()' in _applied(
        found[0]
    )
    clean = SESSIONS.replace('{sku}")', '{sku}", timeout=5)')
    assert _found(tmp_path / "clean", {"shop/app.py": clean}, FLASK) == []


OAUTH = """\
from django.http import JsonResponse
from django.views import View
from rauth import OAuth2Service
from requests_oauthlib import OAuth2Session

service = OAuth2Service(client_id="id", client_secret="s", base_url="https://id.example.com/")


class Login(View):
    consumer = OAuth2Session("client-id", redirect_uri="https://app.example.com/cb")

    def post(self, request):
        token = self.consumer.fetch_token("https://osm.example.com/token", code="c")
        return JsonResponse(token)


class Comments:
    def __init__(self, token):
        self.client = OAuth2Session("client-id", token=token)

    def post_comment(self, text):
        return self.client.request("POST", "https://osm.example.com/comment", data=text)


def callback(request):
    session = service.get_auth_session(data={"code": "c"})
    return JsonResponse(session.get("oauth2/userinfo").json())
"""


def test_oauth_sessions_get_a_timeout(tmp_path: Path) -> None:
    found = _found(tmp_path, {"site_app/views.py": OAUTH}, DJANGO)
    # requests itself is not declared (requests-oauthlib brings it): no 502 handler that
    # would import it.
    # rauth's sessions (``service.get_auth_session``) time out by themselves, after 300 s:
    # a timeout on their calls was judged noise on a real app (round 23)
    # The token exchange raising on a refused sign-in is BKD313's (its own tests).
    found = [s for s in found if s.code != "BKD313"]
    assert _codes(found) == [("BKD301", 13), ("BKD301", 22)]
    texts = []
    for suggestion in found:
        texts.append(_applied(suggestion))
        (tmp_path / "site_app/views.py").write_text(OAUTH, encoding="utf-8")
    assert 'fetch_token("https://osm.example.com/token", code="c", timeout=10)' in texts[0]
    assert "data=text, timeout=10)" in texts[1]


def test_oauth_sessions_with_a_timeout_are_silent(tmp_path: Path) -> None:
    clean = (
        OAUTH.replace('code="c")', 'code="c", timeout=5)')
        .replace("data=text)", "data=text, timeout=5)")
        .replace('"oauth2/userinfo")', '"oauth2/userinfo", timeout=5)')
    )
    found = _found(tmp_path, {"site_app/views.py": clean}, DJANGO)
    assert [s.code for s in found if s.code != "BKD313"] == []  # a refusal is BKD313's


AIOHTTP = """\
import aiohttp
from fastapi import FastAPI

app = FastAPI()


@app.get("/callback/chat")
async def callback(code: str):
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        async with session.post("https://chat.example.com/token", data={"code": code}) as resp:
            token = await resp.json()
    return {"token": token["access_token"]}
"""


def test_an_aiohttp_session_that_raises_on_a_bad_status_answers_502(tmp_path: Path) -> None:
    found = _found(tmp_path, {"svc/main.py": AIOHTTP}, FASTAPI)
    assert _codes(found) == [("BKD302", 10)]
    new = _applied(found[0])
    assert "        try:\n            async with session.post(" in new
    assert "        except aiohttp.ClientError as exc:\n" in new and "status_code=502" in new


def test_aiohttp_without_raise_for_status_or_handled_is_silent(tmp_path: Path) -> None:
    quiet = AIOHTTP.replace(
        "aiohttp.ClientSession(raise_for_status=True)", "aiohttp.ClientSession()"
    )
    assert _found(tmp_path / "a", {"svc/main.py": quiet}, FASTAPI) == []
    handled = AIOHTTP.replace(
        '    return {"token": token["access_token"]}\n',
        "",
    ).replace(
        "    async with aiohttp.ClientSession(raise_for_status=True) as session:\n"
        '        async with session.post("https://chat.example.com/token", data={"code": code}) as resp:\n'
        "            token = await resp.json()\n",
        "    try:\n"
        "        async with aiohttp.ClientSession(raise_for_status=True) as session:\n"
        '            async with session.post("https://chat.example.com/token") as resp:\n'
        "                token = await resp.json()\n"
        "    except aiohttp.ClientError:\n"
        "        return {}\n"
        '    return {"token": token["access_token"]}\n',
    )
    assert "except aiohttp.ClientError" in handled
    assert _found(tmp_path / "b", {"svc/main.py": handled}, FASTAPI) == []
