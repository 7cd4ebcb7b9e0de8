"""BKD304 through a service function: a Django view hands the client's key to a project
function whose ``Model.objects.get(...)`` raises DoesNotExist, and nothing catches it. The
fix wraps the view's call (ObjectDoesNotExist -> Http404); each positive has clean twins."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = (
    "from django.db import models\n\n\n"
    "class Rental(models.Model):\n"
    "    code = models.CharField(max_length=20, unique=True)\n"
    "    returned = models.BooleanField(default=False)\n"
)
SERVICES = (
    "from .models import Rental\n\n\n"
    "def close_rental(code):\n"
    "    rental = Rental.objects.select_related().get(code=code)\n"
    "    rental.returned = True\n"
    "    rental.save()\n"
    "    return rental\n"
)
VIEWS = (
    "from django.http import JsonResponse\n\n"
    "from . import services\n\n\n"
    "def return_bike(request, code):\n"
    "    rental = services.close_rental(code)\n"
    '    return JsonResponse({"code": rental.code})\n'
)
URLS = (
    "from django.urls import path\n\n"
    "from . import views\n\n"
    'urlpatterns = [path("rentals/<str:code>/return", views.return_bike)]\n'
)


def _project(root: Path, **files: str) -> Path:
    texts = {
        "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["django"]\n',
        "shop/__init__.py": "",
        "shop/models.py": MODELS,
        "shop/services.py": SERVICES,
        "shop/views.py": VIEWS,
        "shop/urls.py": URLS,
    }
    texts.update({f"shop/{k}.py": v for k, v in files.items()})
    for rel, text in texts.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD304"]


def test_a_service_lookup_by_the_clients_key_answers_404_at_the_view(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (found,) = _found(root)
    assert found.code == "BKD304"
    assert found.title == "Answer 404 when services.close_rental() finds no Rental"
    assert found.path.endswith("views.py")
    new = apply_suggestion(found)[str(root / "shop" / "views.py")]
    ast.parse(new)
    assert "from django.core.exceptions import ObjectDoesNotExist\n" in new
    assert "from django.http import Http404, JsonResponse\n" in new
    assert (
        "    try:\n"
        "        rental = services.close_rental(code)\n"
        "    except ObjectDoesNotExist:\n"
        '        raise Http404("No Rental matches the request.")\n'
    ) in new
    assert _found(root) == []


def test_a_same_module_helper_counts_too(tmp_path: Path) -> None:
    views = (
        "from django.http import JsonResponse\n\n"
        "from .models import Rental\n\n\n"
        "def _close(code):\n"
        "    return Rental.objects.get(code=code)\n\n\n"
        "def return_bike(request, code):\n"
        "    rental = _close(code)\n"
        '    return JsonResponse({"code": rental.code})\n'
    )
    (found,) = _found(_project(tmp_path, views=views))
    assert found.title == "Answer 404 when _close() finds no Rental"


@pytest.mark.parametrize(
    "files",
    [
        # the service answers the miss itself (its None is BKD306's at the view)
        {
            "services": SERVICES.replace(
                "    rental = Rental.objects.select_related().get(code=code)\n",
                "    try:\n"
                "        rental = Rental.objects.select_related().get(code=code)\n"
                "    except Rental.DoesNotExist:\n"
                "        return None\n",
            )
        },
        # the view catches it around the call
        {
            "views": VIEWS.replace(
                "    rental = services.close_rental(code)\n",
                "    try:\n"
                "        rental = services.close_rental(code)\n"
                "    except Rental.DoesNotExist:\n"
                '        return JsonResponse({"error": "no such rental"}, status=404)\n',
            ).replace(
                "from . import services\n", "from . import services\nfrom .models import Rental\n"
            )
        },
        # the key is the server's own, not the client's
        {"views": VIEWS.replace("close_rental(code)", 'close_rental("HOUSE")')},
    ],
)
def test_a_handled_or_server_keyed_lookup_is_left_alone(
    tmp_path: Path, files: dict[str, str]
) -> None:
    assert _found(_project(tmp_path, **files)) == []
