"""Blind planted set 10, after its measurement (shapes of our own): a Django generic view's
hooks are on the request path, a queryset modifier keeps the lookup's index evidence, a decoded
JSON body is client input, a client-chosen sort is checked, and ``get_user_model()`` is a model."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

GEO = """\
import httpx


def lookup(address):
    resp = httpx.get("https://geo.example/q", params={"q": address}, timeout=5)
    resp.raise_for_status()
    return resp.json().get("lat")
"""

CREATE = """\
import logging

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import CreateView

from .geo import lookup
from .models import Site

logger = logging.getLogger(__name__)


class OwnedCreate(LoginRequiredMixin, CreateView):
    model = Site


class SiteCreate(OwnedCreate):
    fields = ["address"]

    def form_valid(self, form):
        site = form.save(commit=False)
        site.lat = lookup(form.cleaned_data["address"])
        site.save()
        return redirect("/")
"""

CAUGHT = CREATE.replace(
    "from .geo import lookup\n", "import httpx\n\nfrom .geo import lookup\n"
).replace(
    '        site.lat = lookup(form.cleaned_data["address"])\n',
    "        try:\n"
    '            site.lat = lookup(form.cleaned_data["address"])\n'
    "        except httpx.HTTPError:\n"
    '            form.add_error(None, "The map service is down.")\n'
    "            return self.form_invalid(form)\n",
)

SITE = """\
from django.db import models


class Site(models.Model):
    address = models.CharField(max_length=200, unique=True)
    lat = models.FloatField(null=True)
"""


def _app(tmp_path: Path, files: dict[str, str], requirements: str = "django\nhttpx\n") -> Path:
    app = tmp_path / "app"
    app.mkdir()
    for name, text in files.items():
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text(requirements)
    return tmp_path


def test_form_valid_of_a_generic_view_answers_an_upstream_failure_with_the_form(
    tmp_path: Path,
) -> None:
    root = _app(tmp_path, {"models.py": SITE, "geo.py": GEO, "views.py": CREATE})
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]
    assert [(s.title, s.span.start.line + 1) for s in found] == [
        ("Tell the user when lookup() fails", 22)
    ]
    text = "".join(e.new_text for e in found[0].edits)
    assert "except httpx.HTTPError:" in text
    assert 'logger.exception("upstream request failed")' in text
    assert "return self.form_invalid(form)" in text


def test_form_valid_that_catches_the_upstream_failure_is_silent(tmp_path: Path) -> None:
    root = _app(tmp_path, {"models.py": SITE, "geo.py": GEO, "views.py": CAUGHT})
    assert [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"] == []


PAYMENT = """\
from django.db import models


class Payment(models.Model):
    gateway_ref = models.CharField(max_length=64, blank=True)
    paid = models.BooleanField(default=False)
"""

HOOK = """\
import json

from django.db import transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_POST

from .models import Payment


@require_POST
def paid(request):
    ref = json.loads(request.body)["ref"]
    with transaction.atomic():
        try:
            payment = Payment.objects.select_for_update().only("paid").get(gateway_ref=ref)
        except Payment.DoesNotExist:
            return HttpResponseNotFound()
        payment.paid = True
        payment.save()
    return HttpResponse("ok")
"""


def test_a_locked_lookup_still_needs_its_index(tmp_path: Path) -> None:
    root = _app(tmp_path, {"models.py": PAYMENT, "views.py": HOOK}, "django\n")
    found = collect([str(root)], ["index"])
    assert [(s.title, s.span.start.line + 1) for s in found] == [
        ("Add an index on payment (gateway_ref)", 15)
    ]


def test_a_locked_lookup_on_an_indexed_column_is_silent(tmp_path: Path) -> None:
    indexed = PAYMENT.replace("blank=True)", "blank=True, db_index=True)")
    root = _app(tmp_path, {"models.py": indexed, "views.py": HOOK}, "django\n")
    assert collect([str(root)], ["index"]) == []


QUOTE = """\
from django.db import models


class Quote(models.Model):
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    seats = models.PositiveIntegerField(default=1)
"""

PRICE = """\
import json
from decimal import Decimal

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .models import Quote


@require_POST
def price(request):
    data = json.loads(request.body)
    if not isinstance(data, dict):
        return JsonResponse({"error": "object expected"}, status=400)
    quote = Quote()
    quote.amount = Decimal(data["amount"])
    quote.seats = int(data.get("seats", 1))
    quote.save()
    return JsonResponse({"id": quote.pk})
"""

PRICE_CHECKED = PRICE.replace(
    "    data = json.loads(request.body)\n",
    "    data = json.loads(request.body)\n    check_quote(data)\n",
).replace(
    "from .models import Quote\n", "from .checks import check_quote\nfrom .models import Quote\n"
)


def test_a_decoded_json_body_is_client_input_to_a_conversion(tmp_path: Path) -> None:
    root = _app(tmp_path, {"models.py": QUOTE, "views.py": PRICE}, "django\n")
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]
    assert sorted((s.title, s.span.start.line + 1) for s in found) == [
        ("Guard the conversion of `amount`", 16),
        ("Guard the conversion of `seats`", 17),
    ]
    text = "".join(e.new_text for s in found for e in s.edits)
    assert "except (KeyError, TypeError, ValueError, InvalidOperation):" in text
    assert "from decimal import Decimal, InvalidOperation" in text or "InvalidOperation" in text


def test_a_body_handed_to_a_project_validator_is_not_raw(tmp_path: Path) -> None:
    checks = "def check_quote(data):\n    return data\n"
    root = _app(
        tmp_path, {"models.py": QUOTE, "views.py": PRICE_CHECKED, "checks.py": checks}, "django\n"
    )
    assert [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"] == []


def test_a_guarded_conversion_of_the_body_is_silent(tmp_path: Path) -> None:
    guarded = PRICE.replace(
        "from decimal import Decimal\n", "from decimal import Decimal, InvalidOperation\n"
    ).replace(
        '    quote.amount = Decimal(data["amount"])\n    quote.seats = int(data.get("seats", 1))\n',
        "    try:\n"
        '        quote.amount = Decimal(data["amount"])\n'
        '        quote.seats = int(data.get("seats", 1))\n'
        "    except (KeyError, TypeError, ValueError, InvalidOperation):\n"
        '        return JsonResponse({"error": "bad quote"}, status=400)\n',
    )
    root = _app(tmp_path, {"models.py": QUOTE, "views.py": guarded}, "django\n")
    assert [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"] == []


PEOPLE = """\
from django.contrib.auth import get_user_model


def named(name):
    User = get_user_model()
    return User.objects.filter(username=name, is_active=True).first()
"""

HOSTS = """\
from django.contrib.auth import get_user_model
from django.http import JsonResponse

from .people import named


def host(request, name):
    user = get_user_model().objects.filter(username=name).first()
    return JsonResponse({"host": user.get_full_name()})


def helper_host(request, name):
    user = named(name)
    return JsonResponse({"host": user.get_full_name()})
"""


def test_get_user_model_rows_may_be_none(tmp_path: Path) -> None:
    root = _app(tmp_path, {"people.py": PEOPLE, "views.py": HOSTS}, "django\n")
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"]
    assert sorted(s.span.start.line + 1 for s in found) == [8, 13]
    text = "".join(e.new_text for s in found for e in s.edits)
    assert 'raise Http404("User not found")' in text
    assert "get_user_model()" not in text.replace("get_user_model().objects", "")


def test_get_user_model_rows_tested_for_none_are_silent(tmp_path: Path) -> None:
    tested = HOSTS.replace(
        '    return JsonResponse({"host": user.get_full_name()})\n',
        "    if user is None:\n"
        '        return JsonResponse({"error": "no such host"}, status=404)\n'
        '    return JsonResponse({"host": user.get_full_name()})\n',
    )
    root = _app(tmp_path, {"people.py": PEOPLE, "views.py": tested}, "django\n")
    assert [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"] == []
