"""External calls behind the app's own plumbing (round-12 reviews of freight, nefarious and
fmn): a session factory with no default timeout, a ``get(*args, **kwargs)`` wrapper, a client
told ``timeout=None``, project classes whose constructor or method makes the request, the
``raise_for_status()`` a 502 must cover, and DRF views answering in DRF's idiom. Every fixture
is our own, written in the apps' shapes."""

from __future__ import annotations

import ast
import types
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "ship"\n'
    'dependencies = ["flask", "requests", "httpx", "django", "djangorestframework"]\n'
)

# freight/http.py's shape: one factory, thin verbs that pass every keyword on.
HTTP = (
    "import requests\n\n"
    'USER_AGENT = "ship"\n\n\n'
    "def build_session():\n"
    "    session = requests.Session()\n"
    '    session.headers.update({"User-Agent": USER_AGENT})\n'
    "    return session\n\n\n"
    "def get(*args, **kwargs):\n"
    "    session = build_session()\n"
    "    return session.get(*args, **kwargs)\n\n\n"
    "def post(*args, **kwargs):\n"
    "    session = build_session()\n"
    "    return session.post(*args, **kwargs)\n"
)
NOTIFIER = (
    "from ship import http\n\n\ndef notify(url, payload):\n    http.post(url, json=payload)\n"
)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path, code: str) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == code]


def _where(root: Path, found: list[Suggestion]) -> list[tuple[str, int]]:
    return [(Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1) for s in found]


def test_a_session_factory_gets_one_default_timeout(tmp_path: Path) -> None:
    root = _write(
        tmp_path, {"ship/__init__.py": "", "ship/http.py": HTTP, "ship/notify.py": NOTIFIER}
    )
    found = _found(root, "BKD301")
    assert _where(root, found) == [("ship/http.py", 7)]
    (suggestion,) = found
    assert suggestion.title == "Give the sessions build_session() builds a default timeout"
    assert "no session-wide timeout" in suggestion.rationale
    new = apply_suggestion(suggestion)[str(root / "ship" / "http.py")]
    ast.parse(new)
    assert "class TimeoutSession(requests.Session):" in new
    assert "    session = TimeoutSession()\n" in new
    assert _found(root, "BKD301") == []
    # The subclass does what it says on a session like requests' own, whose verbs call
    # ``self.request``: a default when the caller gives none, the caller's when it does.
    calls: list[dict[str, object]] = []

    class Session:
        def request(self, method: str, url: str, **kwargs: object) -> None:
            calls.append(kwargs)

        def get(self, url: str, **kwargs: object) -> None:
            self.request("GET", url, **kwargs)

    fake = types.ModuleType("requests")
    fake.Session = Session  # type: ignore[attr-defined]
    scope: dict[str, object] = {"requests": fake}
    tree = ast.parse(new)
    subclass = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    exec(compile(ast.Module([subclass], []), "http.py", "exec"), scope)
    session = scope["TimeoutSession"]()  # type: ignore[operator]
    session.get("https://example.com")
    session.get("https://example.com", timeout=3)
    assert calls == [{"timeout": 10}, {"timeout": 3}]


def test_a_factory_whose_wrappers_set_a_timeout_is_silent(tmp_path: Path) -> None:
    bounded = HTTP.replace(
        "    session = build_session()\n    return session.get",
        '    kwargs.setdefault("timeout", 5)\n    session = build_session()\n    return session.get',
    ).replace(
        "    session = build_session()\n    return session.post",
        '    kwargs.setdefault("timeout", 5)\n    session = build_session()\n    return session.post',
    )
    root = _write(
        tmp_path, {"ship/__init__.py": "", "ship/http.py": bounded, "ship/notify.py": NOTIFIER}
    )
    assert _found(root, "BKD301") == []


def test_a_pass_through_wrapper_defaults_the_timeout_it_forwards(tmp_path: Path) -> None:
    wrapper = (
        "import requests\n\n\ndef get(*args, **kwargs):\n    return requests.get(*args, **kwargs)\n"
    )
    root = _write(tmp_path, {"ship/__init__.py": "", "ship/http.py": wrapper})
    (suggestion,) = _found(root, "BKD301")
    new = apply_suggestion(suggestion)[str(root / "ship" / "http.py")]
    ast.parse(new)
    assert '    kwargs.setdefault("timeout", 10)\n    return requests.get(*args, **kwargs)' in new
    assert _found(root, "BKD301") == []


# fmn's backends/base.py shape: the timeout turned off explicitly before the client is built.
CLIENT = (
    "from httpx import AsyncClient\n\n\n"
    "class APIClient:\n"
    "    def __init__(self, base_url, **kwargs):\n"
    '        kwargs.setdefault("timeout", None)\n'
    "        self.client = AsyncClient(base_url=base_url, **kwargs)\n\n"
    "    async def get_user(self, name):\n"
    '        response = await self.client.get(f"/users/{name}/")\n'
    "        return response.json()\n"
)


def test_an_explicit_no_timeout_client_is_flagged(tmp_path: Path) -> None:
    root = _write(tmp_path, {"ship/__init__.py": "", "ship/backends.py": CLIENT})
    found = _found(root, "BKD301")
    assert _where(root, found) == [("ship/backends.py", 7)]
    assert found[0].title == "Give the AsyncClient client a timeout"
    new = apply_suggestion(found[0])[str(root / "ship" / "backends.py")]
    ast.parse(new)
    assert 'kwargs.setdefault("timeout", 10)' in new
    assert _found(root, "BKD301") == []


def test_timeout_none_on_a_client_and_a_call(tmp_path: Path) -> None:
    module = (
        "import httpx\nimport requests\n\n"
        "client = httpx.Client(timeout=None)\n\n\n"
        "def fetch(url, **kwargs):\n"
        '    kwargs["timeout"] = None\n'
        "    return requests.get(url, **kwargs)\n"
    )
    root = _write(tmp_path, {"ship/__init__.py": "", "ship/clients.py": module})
    found = _found(root, "BKD301")
    assert _where(root, found) == [("ship/clients.py", 4), ("ship/clients.py", 9)]
    for _ in found:
        suggestion = _found(root, "BKD301")[0]
        ast.parse(apply_suggestion(suggestion)[str(root / "ship" / "clients.py")])
    assert _found(root, "BKD301") == []


def test_a_bounded_client_is_silent(tmp_path: Path) -> None:
    bounded = CLIENT.replace(
        'kwargs.setdefault("timeout", None)', 'kwargs.setdefault("timeout", 5)'
    )
    root = _write(tmp_path, {"ship/__init__.py": "", "ship/backends.py": bounded})
    assert _found(root, "BKD301") == []


# nefarious's shapes: a search class whose constructor asks the indexer, a client class
# whose method logs in; routes in a DRF APIView.
SEARCH = (
    "import requests\n\n\n"
    "class SearchJobs:\n"
    "    ok = True\n\n"
    "    def __init__(self, query):\n"
    '        res = requests.get("https://jobs.example.com/search", params={"q": query}, '
    "timeout=30)\n"
    "        self.results = res.json() if res.ok else []\n"
)
SUBTITLES = (
    "import requests\n\n\n"
    "class Subtitles:\n"
    "    token = None\n\n"
    "    def login(self):\n"
    "        return self._post({})\n\n"
    "    def _post(self, data):\n"
    '        res = requests.post("https://subs.example.com/login", data=data, timeout=30)\n'
    "        return res.ok\n"
)
VIEWS = (
    "from rest_framework import status, views\n"
    "from rest_framework.response import Response\n\n"
    "from ship.search import SearchJobs\n"
    "from ship.subtitles import Subtitles\n\n\n"
    "class SearchView(views.APIView):\n"
    "    def get(self, request):\n"
    '        search = SearchJobs(request.query_params.get("q"))\n'
    "        return Response(search.results)\n\n\n"
    "class LoginView(views.APIView):\n"
    "    def post(self, request):\n"
    "        subs = Subtitles()\n"
    "        authed = subs.login()\n"
    '        return Response({"success": authed})\n\n\n'
    "class QuickLoginView(views.APIView):\n"
    "    def post(self, request):\n"
    '        return Response({"success": Subtitles().login()})\n'
)


def test_constructors_and_methods_of_project_classes_are_followed(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "ship/__init__.py": "",
            "ship/search.py": SEARCH,
            "ship/subtitles.py": SUBTITLES,
            "ship/views.py": VIEWS,
        },
    )
    found = _found(root, "BKD302")
    assert _where(root, found) == [
        ("ship/views.py", 10),
        ("ship/views.py", 17),
        ("ship/views.py", 23),
    ]
    assert [s.title for s in found] == [
        "Answer 502 when SearchJobs() fails",
        "Answer 502 when subs.login() fails",
        "Answer 502 when Subtitles().login() fails",
    ]
    assert "`SearchJobs()` makes an upstream request (`requests.get` in search.py)" in (
        found[0].rationale
    )
    assert "`Subtitles.login` -> `Subtitles._post` makes" in found[1].rationale
    assert "connection error or timeout raises" in found[0].rationale
    new = apply_suggestion(found[0])[str(root / "ship" / "views.py")]
    ast.parse(new)
    # DRF's own answer in a DRF view, with the names the module already binds.
    assert (
        "        except requests.RequestException:\n"
        '            return Response({"error": "upstream service unavailable"}, '
        "status=status.HTTP_502_BAD_GATEWAY)\n"
    ) in new
    assert "JsonResponse" not in new and "import requests\n" in new
    # One at a time, each on the file as the last one left it: then none is left.
    for _ in range(2):
        suggestion = _found(root, "BKD302")[0]
        ast.parse(apply_suggestion(suggestion)[str(root / "ship" / "views.py")])
    assert _found(root, "BKD302") == []


def test_a_class_that_handles_its_errors_is_silent(tmp_path: Path) -> None:
    handled = SEARCH.replace(
        '        res = requests.get("https://jobs.example.com/search", params={"q": query}, '
        "timeout=30)\n"
        "        self.results = res.json() if res.ok else []\n",
        "        try:\n"
        '            res = requests.get("https://jobs.example.com/search", timeout=30)\n'
        "            res.raise_for_status()\n"
        "        except requests.RequestException:\n"
        "            self.ok = False\n"
        "            return\n"
        "        self.results = res.json()\n",
    )
    only_search = VIEWS.split("\n\n\nclass LoginView")[0] + "\n"
    root = _write(
        tmp_path,
        {"ship/__init__.py": "", "ship/search.py": handled, "ship/views.py": only_search},
    )
    assert _found(root, "BKD302") == []


def test_the_502_covers_the_raise_for_status_that_follows(tmp_path: Path) -> None:
    routes = (
        "import requests\n"
        "from flask import Flask, jsonify\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.get("/rates")\n'
        "def rates():\n"
        '    response = requests.get("https://rates.example.com/today", timeout=5)\n'
        "    response.raise_for_status()\n"
        "    return jsonify(response.json())\n"
    )
    root = _write(tmp_path, {"app.py": routes})
    (suggestion,) = _found(root, "BKD302")
    assert "the bad status `raise_for_status()` raises" in suggestion.rationale
    new = apply_suggestion(suggestion)[str(root / "app.py")]
    ast.parse(new)
    assert (
        "    try:\n"
        '        response = requests.get("https://rates.example.com/today", timeout=5)\n'
        "        response.raise_for_status()\n"
        "    except requests.RequestException:\n"
    ) in new
    assert _found(root, "BKD302") == []
