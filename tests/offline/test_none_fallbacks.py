"""BKD302 in a helper that makes a requests call and returns None for "no result", when every
caller goes on without one (none_fallbacks.py, none_callers.py).

The real shape (a Django + DRF delivery app, judged a must): a geocoder model method does
``requests.get``, ``raise_for_status()`` and reads ``response.json()["response"][...]``; a
selector returns None on its None, whose callers hand it to a distance function starting with
``if a is None or b is None: return 0``, four calls below the manager's orders page, and the
admin's ``save_model`` saves the order with or without coordinates. One geocoder failure was
a 500 on the whole page. Silent twins: a caller that answers the None with a 404, one that
reads it unchecked, a ``try`` for the failure in a caller or further up, a helper that never
returns None, a helper whose request is in a ``try`` already.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

REQUIREMENTS = "django\nrequests\n"

GEO = """\
from typing import NamedTuple

import requests
from django.conf import settings

GEOCODER = 'https://geo.example.com/search'


class Point(NamedTuple):
    lat: float
    lng: float


def lookup_point(address):
    params = {'q': address, 'key': settings.GEO_KEY}
    response = requests.get(GEOCODER, params=params, timeout=5)
    response.raise_for_status()
    matches = response.json()['features']
    if not matches:
        return None
    lng, lat = matches[0]['center']
    return Point(lat=lat, lng=lng)
"""

DISTANCES = """\
from .geo import Point, lookup_point


def shop_point(shop):
    if shop.lat is not None and shop.lng is not None:
        return Point(shop.lat, shop.lng)
    point = lookup_point(shop.address)
    if point is None:
        return None
    return point


def km_between(origin, target):
    if origin is None or target is None:
        return 0
    return abs(origin.lat - target.lat) * 111


def with_distances(home, shops):
    return [{'shop': shop, 'km': km_between(home, shop_point(shop))} for shop in shops]
"""

VIEWS = """\
from django.shortcuts import render

from .distances import shop_point, with_distances
from .models import Shop


def nearby(request):
    home = shop_point(Shop.objects.get(pk=request.GET['home']))
    rows = with_distances(home, Shop.objects.all())
    return render(request, 'nearby.html', {'rows': rows})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [path('nearby/', views.nearby, name='nearby')]
"""

MODELS = """\
from django.db import models


class Shop(models.Model):
    address = models.CharField(max_length=200)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
"""

ADMIN = """\
from django.contrib import admin

from .geo import lookup_point
from .models import Shop


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        point = lookup_point(obj.address)
        if point:
            obj.lat, obj.lng = point.lat, point.lng
        super().save_model(request, obj, form, change)
"""

FILES = {
    "shops/__init__.py": "",
    "shops/geo.py": GEO,
    "shops/distances.py": DISTANCES,
    "shops/views.py": VIEWS,
    "shops/urls.py": URLS,
    "shops/models.py": MODELS,
    "shops/admin.py": ADMIN,
}


def _write(root: Path, changed: dict[str, str] | None = None) -> Path:
    files = {"requirements.txt": REQUIREMENTS, **FILES, **(changed or {})}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _bkd302(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]


def _where(root: Path, found: list[Suggestion]) -> list[tuple[str, int, str]]:
    return [
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.title) for s in found
    ]


FIXED = """\
    params = {'q': address, 'key': settings.GEO_KEY}
    try:
        response = requests.get(GEOCODER, params=params, timeout=5)
        response.raise_for_status()
        matches = response.json()['features']
        if not matches:
            return None
        lng, lat = matches[0]['center']
    except (requests.RequestException, KeyError):  # its callers go on without it
        logging.getLogger(__name__).exception('lookup_point failed')
        return None
    return Point(lat=lat, lng=lng)
"""


def test_the_geocoder_helper_returns_none_when_its_request_fails(tmp_path: Path) -> None:
    root = _write(tmp_path)
    found = _bkd302(root)
    assert _where(root, found) == [
        ("shops/geo.py", 16, "Return None from lookup_point when its request fails")
    ]
    (fix,) = found
    assert (
        "a connection error, a timeout, a bad status (its `raise_for_status()`) or an answer "
        "without a key it reads (a KeyError) raises through its callers as a 500 in "
        "`ShopAdmin.save_model` in admin.py and `nearby` in views.py"
    ) in fix.rationale
    assert "callers (`ShopAdmin.save_model` in admin.py and `shop_point` in distances.py)" in (
        fix.rationale
    )
    text = apply_suggestion(fix)[str(root / "shops/geo.py")]
    assert text.startswith("import logging\nfrom typing import NamedTuple\n")
    assert FIXED in text
    compile(text, "geo.py", "exec")
    assert _bkd302(root) == []  # and no 502 in the view is left to add


def test_an_unchecked_index_into_the_answer_is_caught_too(tmp_path: Path) -> None:
    geo = GEO.replace("    if not matches:\n        return None\n", "").replace(
        "    lng, lat = matches[0]['center']\n",
        "    if matches[0]['score'] < 0.5:\n        return None\n"
        "    lng, lat = matches[0]['center']\n",
    )
    root = _write(tmp_path, {"shops/geo.py": geo})
    (fix,) = _bkd302(root)
    assert "an empty list it indexes (an IndexError)" in fix.rationale
    text = apply_suggestion(fix)[str(root / "shops/geo.py")]
    assert "    except (requests.RequestException, KeyError, IndexError):" in text
    compile(text, "geo.py", "exec")


@pytest.mark.parametrize(
    "answer",
    [
        "raise Http404('No such address')",
        "return HttpResponseNotFound('No such address')",
        "raise LookupError('No such address')",
    ],
)
def test_a_caller_that_answers_the_none_with_an_error_keeps_the_502(
    tmp_path: Path, answer: str
) -> None:
    # "no such address" for a geocoder that is down would be a lie: the view answers 502
    views = VIEWS + (
        "\n\ndef locate(request):\n"
        "    point = lookup_point(request.GET['address'])\n"
        "    if point is None:\n"
        f"        {answer}\n"
        "    return render(request, 'point.html', {'point': point})\n"
    )
    views = views.replace(
        "from django.shortcuts import render\n",
        "from django.http import Http404, HttpResponseNotFound\n"
        "from django.shortcuts import render\n",
    ).replace("from .distances import", "from .geo import lookup_point\nfrom .distances import")
    urls = URLS.replace("]", ", path('locate/', views.locate)]")
    root = _write(tmp_path, {"shops/views.py": views, "shops/urls.py": urls})
    # each view keeps its own 502, as the helper's None is not the fix for all of them
    assert _where(root, _bkd302(root)) == [
        ("shops/views.py", 10, "Answer 502 when shop_point() fails"),
        ("shops/views.py", 11, "Answer 502 when with_distances() fails"),
        ("shops/views.py", 16, "Answer 502 when lookup_point() fails"),
    ]


def test_a_caller_reading_the_value_unchecked_is_no_caller_that_takes_a_none(
    tmp_path: Path,
) -> None:
    admin = ADMIN.replace(
        "        if point:\n            obj.lat, obj.lng = point.lat, point.lng\n",
        "        obj.lat, obj.lng = point.lat, point.lng\n",
    )
    root = _write(tmp_path, {"shops/admin.py": admin})
    assert not [s for s in _bkd302(root) if s.title.startswith("Return None")]


def test_a_false_verdict_a_caller_answers_as_an_error_is_followed(tmp_path: Path) -> None:
    # ``address_ok`` answers False for no point, and its form raises on that: a geocoder that
    # is down would be "no such address"
    forms = (
        "from django import forms\n\n"
        "from .geo import lookup_point\n\n\n"
        "def address_ok(address):\n"
        "    point = lookup_point(address)\n"
        "    if point is None:\n"
        "        return False\n"
        "    return True\n\n\n"
        "class ShopForm(forms.Form):\n"
        "    address = forms.CharField()\n\n"
        "    def clean_address(self):\n"
        "        address = self.cleaned_data['address']\n"
        "        if not address_ok(address):\n"
        "            raise forms.ValidationError('No such address')\n"
        "        return address\n"
    )
    root = _write(tmp_path, {"shops/forms.py": forms})
    assert not [s for s in _bkd302(root) if s.title.startswith("Return None")]


def test_a_caller_that_ignores_the_result_counts_on_the_exception(tmp_path: Path) -> None:
    # ``lookup_point(obj.address)`` as a statement: its failure is what stops the save
    admin = ADMIN.replace(
        "        point = lookup_point(obj.address)\n"
        "        if point:\n            obj.lat, obj.lng = point.lat, point.lng\n",
        "        lookup_point(obj.address)\n",
    )
    root = _write(tmp_path, {"shops/admin.py": admin})
    assert not [s for s in _bkd302(root) if s.title.startswith("Return None")]


def test_a_none_read_after_a_test_that_lets_it_through_is_unchecked(tmp_path: Path) -> None:
    admin = ADMIN.replace(
        "        if point:\n            obj.lat, obj.lng = point.lat, point.lng\n",
        "        if not point:\n            form.add_error(None, 'Not found')\n"
        "        obj.lat = point.lat\n",
    )
    root = _write(tmp_path, {"shops/admin.py": admin})
    assert not [s for s in _bkd302(root) if s.title.startswith("Return None")]


def test_a_try_in_a_caller_or_further_up_already_answers_it(tmp_path: Path) -> None:
    caught_here = ADMIN.replace(
        "        point = lookup_point(obj.address)\n",
        "        try:\n"
        "            point = lookup_point(obj.address)\n"
        "        except requests.RequestException:\n"
        "            point = None\n",
    ).replace("from django.contrib", "import requests\nfrom django.contrib")
    root = _write(tmp_path / "caller", {"shops/admin.py": caught_here})
    assert [t for _, _, t in _where(root, _bkd302(root))] == [
        "Answer 502 when shop_point() fails",
        "Answer 502 when with_distances() fails",
    ]
    caught_above = VIEWS.replace(
        "    rows = with_distances(home, Shop.objects.all())\n",
        "    try:\n"
        "        rows = with_distances(home, Shop.objects.all())\n"
        "    except Exception:\n"
        "        rows = []\n",
    )
    root = _write(tmp_path / "above", {"shops/views.py": caught_above})
    assert not [s for s in _bkd302(root) if s.title.startswith("Return None")]


def test_a_helper_that_never_returns_none_is_left_to_the_502(tmp_path: Path) -> None:
    geo = GEO.replace("    if not matches:\n        return None\n", "")
    root = _write(tmp_path, {"shops/geo.py": geo})
    assert not [s for s in _bkd302(root) if s.title.startswith("Return None")]


def test_a_request_in_a_try_of_its_own_is_clean(tmp_path: Path) -> None:
    geo = GEO.replace(
        "    response = requests.get(GEOCODER, params=params, timeout=5)\n"
        "    response.raise_for_status()\n",
        "    try:\n"
        "        response = requests.get(GEOCODER, params=params, timeout=5)\n"
        "        response.raise_for_status()\n"
        "    except requests.RequestException:\n"
        "        return None\n",
    )
    root = _write(tmp_path, {"shops/geo.py": geo})
    assert _bkd302(root) == []
