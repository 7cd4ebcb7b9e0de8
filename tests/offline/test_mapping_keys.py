"""BKD213: a value the client sends looked up in the project's own dict literal, unchecked (a
blind review's miss on a real Django app: ``currency_symbol[currency]`` of a URL keyword, a
KeyError and a 500 for ``/success/jpy/``). The fix checks it right before the lookup and
answers the route's way: a URL's part 404, a query or body value 400, a FastAPI ``str``
parameter a ``Literal`` of the keys. Checked values, lookups in a ``try`` for KeyError, URL
patterns that only let the keys through, typed parameters, a defaultdict, a constant key and
a value that is not the client's stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

CONSTANTS = """\
PLAN_PRICES = {"basic": 5, "pro": 20}
TIER_NAMES = {"free": "Free", "team": "Team"}
"""

FORMS = """\
from django import forms


class DonationForm(forms.Form):
    currency = forms.ChoiceField(choices=[("gbp", "GBP"), ("eur", "EUR")])
"""

DJANGO_VIEWS = """\
from collections import defaultdict

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views import View

from . import constants
from .constants import PLAN_PRICES
from .forms import DonationForm

CURRENCY_SYMBOLS = {
    "gbp": "GBP",
    "eur": "EUR",
    "usd": "USD",
}


def receipt(request, currency, amount):
    context = {"amount": amount, "symbol": CURRENCY_SYMBOLS[currency]}
    return render(request, "receipt.html", context)


def local_receipt(request, currency):
    symbols = {"gbp": "GBP", "eur": "EUR"}
    return render(request, "receipt.html", {"symbol": symbols[currency]})


def plan(request):
    chosen = request.GET.get("plan", "basic")
    return JsonResponse({"price": PLAN_PRICES[chosen]})


def loose(request, currency):
    return JsonResponse({"symbol": CURRENCY_SYMBOLS[currency]})


class PriceView(View):
    def get(self, request, *args, **kwargs):
        return JsonResponse({"symbol": CURRENCY_SYMBOLS[self.kwargs["currency"]]})


def checked(request, currency):
    if currency not in CURRENCY_SYMBOLS:
        raise Http404("unknown currency")
    return JsonResponse({"symbol": CURRENCY_SYMBOLS[currency]})


def with_get(request, currency):
    return JsonResponse({"symbol": CURRENCY_SYMBOLS.get(currency, "")})


def caught(request, currency):
    try:
        symbol = CURRENCY_SYMBOLS[currency]
    except KeyError:
        raise Http404("unknown currency")
    return JsonResponse({"symbol": symbol})


def restricted(request, currency):
    return JsonResponse({"symbol": CURRENCY_SYMBOLS[currency]})


def numbered(request, pk):
    return JsonResponse({"symbol": CURRENCY_SYMBOLS[pk]})


def constant(request):
    return JsonResponse({"symbol": CURRENCY_SYMBOLS["gbp"]})


def tallied(request):
    counts = defaultdict(int)
    counts[request.GET.get("kind", "")] += 1
    return JsonResponse({"seen": counts[request.GET.get("kind", "")]})


def configured(request):
    return JsonResponse({"symbol": CURRENCY_SYMBOLS[settings.CURRENCY]})


def tier(request):
    chosen = request.GET.get("tier", "free")
    return JsonResponse({"tier": constants.TIER_NAMES[chosen]})


def donate(request):
    form = DonationForm(request.POST)
    if form.is_valid():
        return JsonResponse({"symbol": CURRENCY_SYMBOLS[request.POST["currency"]]})
    return JsonResponse({}, status=400)
"""

DJANGO_URLS = """\
from django.urls import path, re_path

from . import views

urlpatterns = [
    path("receipt/<str:currency>/<str:amount>/", views.receipt),
    path("local/<slug:currency>/", views.local_receipt),
    path("plan/", views.plan),
    re_path(r"^loose/(?P<currency>[a-z]{3})/$", views.loose),
    path("price/<currency>/", views.PriceView.as_view()),
    path("checked/<str:currency>/", views.checked),
    path("get/<str:currency>/", views.with_get),
    path("caught/<str:currency>/", views.caught),
    re_path(r"^restricted/(?P<currency>gbp|eur|usd)/$", views.restricted),
    path("n/<int:pk>/", views.numbered),
    path("constant/", views.constant),
    path("tallied/", views.tallied),
    path("configured/", views.configured),
    path("tier/", views.tier),
    path("donate/", views.donate),
]
"""

FLASK_APP = """\
from flask import Flask, abort, jsonify, request

app = Flask(__name__)

RATES = {"gbp": 1.0, "eur": 1.17}


class Labels:
    SIZES = {"s": "small", "m": "medium"}


@app.get("/rates")
def rate():
    currency = request.args.get("currency", "gbp")
    return jsonify(rate=RATES[currency])


@app.get("/rates/<currency>")
def rate_of(currency):
    return jsonify(rate=RATES[currency], again=RATES[currency])


@app.post("/sizes")
def size():
    data = request.get_json()
    return jsonify(size=Labels.SIZES[data["size"]])


@app.get("/only/<any(gbp, eur):currency>")
def only(currency):
    return jsonify(rate=RATES[currency])


@app.get("/safe")
def safe():
    currency = request.args.get("currency", "gbp")
    if currency not in RATES:
        abort(400)
    return jsonify(rate=RATES[currency])


@app.get("/got")
def got():
    currency = request.args.get("currency", "gbp")
    if RATES.get(currency) is None:
        abort(400)
    return jsonify(rate=RATES[currency])


@app.get("/other")
def other():
    currency = request.args.get("currency", "all")
    return jsonify(rate=RATES[currency])


@app.get("/wider/<any(gbp, jpy):currency>")
def wider(currency):
    return jsonify(rate=RATES[currency])
"""

FASTAPI_APP = """\
from enum import Enum
from typing import Literal

from fastapi import FastAPI

app = FastAPI()

RATES = {"gbp": 1.0, "eur": 1.17}


class Currency(str, Enum):
    gbp = "gbp"
    eur = "eur"


@app.get("/rates/{currency}")
def rate(currency: str):
    return {"rate": RATES[currency]}


@app.get("/convert")
def convert(amount: float, currency: str = "gbp"):
    return {"amount": amount * RATES[currency]}


@app.get("/maybe")
def maybe(currency: str | None = None):
    return {"rate": RATES[currency]}


@app.get("/special")
def special(currency: str = "gbp"):
    if currency == "all":
        return RATES
    return {"rate": RATES[currency]}


@app.get("/typed")
def typed(currency: Literal["gbp", "eur"] = "gbp"):
    return {"rate": RATES[currency]}


@app.get("/enum")
def enum(currency: Currency = Currency.gbp):
    return {"rate": RATES[currency]}
"""


def _project(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD213"]


def _lines(found: list[Suggestion]) -> list[tuple[str, int]]:
    return [(Path(s.path).name, s.span.start.line + 1) for s in found]


def _applied_parses(suggestion: Suggestion) -> dict[str, str]:
    changed = apply_suggestion(suggestion)
    for text in changed.values():
        ast.parse(text)
    return changed


@pytest.fixture
def django_found(tmp_path: Path) -> tuple[Path, list[Suggestion]]:
    _project(
        tmp_path,
        {
            "requirements.txt": "django\n",
            "shop/__init__.py": "",
            "shop/constants.py": CONSTANTS,
            "shop/forms.py": FORMS,
            "shop/views.py": DJANGO_VIEWS,
            "shop/urls.py": DJANGO_URLS,
        },
    )
    return tmp_path / "shop" / "views.py", _found(tmp_path)


def test_django_url_keywords_and_query_values(
    django_found: tuple[Path, list[Suggestion]],
) -> None:
    views, found = django_found
    assert _lines(found) == [
        ("views.py", 20),  # receipt: ``<str:currency>``
        ("views.py", 26),  # local_receipt: a dict literal of the view's own
        ("views.py", 31),  # plan: a query value, the dict imported from constants.py
        ("views.py", 35),  # loose: ``(?P<currency>[a-z]{3})`` lets any three letters in
        ("views.py", 40),  # PriceView: ``self.kwargs["currency"]``
        ("views.py", 85),  # tier: ``constants.TIER_NAMES``, of the module imported
    ]
    receipt, local, plan, _, view, tier = found
    assert receipt.title == "Answer 404 for a `currency` that `CURRENCY_SYMBOLS` does not hold"
    assert [e.new_text for e in receipt.edits] == [
        '    if currency not in CURRENCY_SYMBOLS:\n        raise Http404("unknown currency")\n'
    ]
    assert receipt.edits[0].span.start.line + 1 == 20  # right before the lookup's statement
    assert [e.new_text for e in local.edits] == [
        '    if currency not in symbols:\n        raise Http404("unknown currency")\n'
    ]
    assert plan.title == "Answer 400 for a `plan` that `PLAN_PRICES` does not hold"
    assert [e.new_text for e in plan.edits] == [
        "from django.http import Http404, HttpResponseBadRequest, JsonResponse",
        '    if chosen not in PLAN_PRICES:\n        return HttpResponseBadRequest("unknown plan")\n',
    ]
    assert [e.new_text for e in view.edits][-1] == (
        '        if self.kwargs["currency"] not in CURRENCY_SYMBOLS:\n'
        '            raise Http404("unknown currency")\n'
    )
    assert [e.new_text for e in tier.edits][-1] == (
        "    if chosen not in constants.TIER_NAMES:\n"
        '        return HttpResponseBadRequest("unknown tier")\n'
    )
    text = _applied_parses(plan)[str(views)]
    assert "    if chosen not in PLAN_PRICES:\n" in text


def test_django_local_lookup_fix_applies(django_found: tuple[Path, list[Suggestion]]) -> None:
    views, found = django_found
    text = _applied_parses(found[1])[str(views)]
    assert (
        '    symbols = {"gbp": "GBP", "eur": "EUR"}\n'
        "    if currency not in symbols:\n"
        '        raise Http404("unknown currency")\n'
        '    return render(request, "receipt.html", {"symbol": symbols[currency]})\n'
    ) in text


def test_flask_query_body_and_url_values(tmp_path: Path) -> None:
    _project(tmp_path, {"requirements.txt": "flask\n", "app.py": FLASK_APP})
    found = _found(tmp_path)
    # ``only`` (an ``any(...)`` of keys), ``safe`` (checked), ``got`` (the dict's ``.get``)
    # and ``other`` (a default that is no key) are silent; ``rate_of``'s second lookup is covered by its first one's check
    # ``wider``'s ``any(...)`` lets ``jpy`` in, which RATES does not hold
    assert _lines(found) == [("app.py", 15), ("app.py", 20), ("app.py", 26), ("app.py", 58)]
    query, url, body, _ = found
    assert [e.new_text for e in query.edits] == [
        "    if currency not in RATES:\n        abort(400)\n"
    ]
    assert query.edits[0].span.start.line + 1 == 15
    assert [e.new_text for e in url.edits] == [
        "    if currency not in RATES:\n        abort(404)\n"
    ]
    assert body.title == "Answer 400 for a `size` that `Labels.SIZES` does not hold"
    assert [e.new_text for e in body.edits] == [
        '    if data["size"] not in Labels.SIZES:\n        abort(400)\n'
    ]
    text = _applied_parses(url)[str(tmp_path / "app.py")]
    assert (
        "def rate_of(currency):\n"
        "    if currency not in RATES:\n"
        "        abort(404)\n"
        "    return jsonify(rate=RATES[currency], again=RATES[currency])\n"
    ) in text


def test_fastapi_text_parameters_become_literals(tmp_path: Path) -> None:
    _project(tmp_path, {"requirements.txt": "fastapi\n", "main.py": FASTAPI_APP})
    found = _found(tmp_path)
    # ``typed`` (a Literal) and ``enum`` (an enum) are typed already
    assert _lines(found) == [("main.py", 18), ("main.py", 23), ("main.py", 28), ("main.py", 35)]
    path, query, maybe, special = found
    assert path.title == "Allow only the keys of `RATES` as `currency`"
    assert [e.new_text for e in path.edits] == ['Literal["gbp", "eur"]']
    assert "`currency: Literal[...]` of its keys makes FastAPI answer 422" in path.rationale
    assert [e.new_text for e in query.edits] == ['Literal["gbp", "eur"]']
    # may be None, or has a value of its own: checked instead, answered 400
    assert [e.new_text for e in maybe.edits] == [
        "from fastapi import FastAPI, HTTPException",
        "    if currency not in RATES:\n"
        '        raise HTTPException(status_code=400, detail="unknown currency")\n',
    ]
    assert [e.new_text for e in special.edits][-1] == (
        "    if currency not in RATES:\n"
        '        raise HTTPException(status_code=400, detail="unknown currency")\n'
    )
    text = _applied_parses(path)[str(tmp_path / "main.py")]
    assert 'def rate(currency: Literal["gbp", "eur"]):\n' in text


def test_nothing_without_a_project_dict_or_client_value(tmp_path: Path) -> None:
    _project(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "app.py": (
                "from flask import Flask, jsonify, request\n\n"
                "from .registry import REGISTRY\n\n"
                "app = Flask(__name__)\n"
                'NAMES = {"a": 1}\n'
                "CACHE = {}\n\n\n"
                "def remember(key, value):\n"
                "    NAMES[key] = value\n\n\n"
                '@app.get("/names")\n'
                "def names():\n"
                '    key = request.args.get("key", "a")\n'
                "    return jsonify(name=NAMES[key], cached=CACHE[key], known=REGISTRY[key])\n"
            ),
            "registry.py": "REGISTRY = dict(zip('ab', 'xy'))\n",
        },
    )
    # NAMES is changed by the module, CACHE is empty (filled later), REGISTRY is no literal
    assert _found(tmp_path) == []
