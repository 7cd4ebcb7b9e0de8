"""BKD202 for a date built from a Django view's URL parts: the pattern checks digits, not the
calendar, so 2025-02-31 raises ValueError (a 500). Fixtures of our own, after a real feed
view by date whose sibling view already caught it."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.suggestion import Suggestion

VIEWS = """\
import datetime
from datetime import datetime as dt

from django.http import JsonResponse
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView


def feed_by_day(request, year, month, day):
    start = datetime.datetime(year=int(year), month=int(month), day=int(day))
    return JsonResponse({"start": start.isoformat()})


class DayView(APIView):
    def get(self, request, **kwargs):
        start = dt.strptime(kwargs["day"], "%Y-%m-%d").date()
        return Response({"start": start.isoformat()})


def guarded_by_day(request, year, month, day):
    try:
        start = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise NotFound("No such date.") from None
    return JsonResponse({"start": start.isoformat()})


def today(request):
    start = datetime.date(2024, 1, 1)
    return JsonResponse({"start": start.isoformat()})
"""

URLS = """\
from django.urls import path, re_path

from . import views

urlpatterns = [
    re_path(r"^feed/(?P<year>\\d{4})/(?P<month>\\d{2})/(?P<day>\\d{2})/$", views.feed_by_day),
    path("day/<str:day>/", views.DayView.as_view()),
    re_path(r"^guarded/(?P<year>\\d{4})/(?P<month>\\d{2})/(?P<day>\\d{2})/$", views.guarded_by_day),
    path("today/", views.today),
]
"""


def _app(tmp_path: Path) -> tuple[Path, list[Suggestion]]:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(URLS)
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    found = [s for s in collect([str(tmp_path)]) if s.code == "BKD202"]
    return app / "views.py", found


def _applied(s: Suggestion, path: Path) -> str:
    edits = [TextEdit(e.span, e.new_text) for e in s.edits if e.path == str(path)]
    return apply_edits(path.read_text(), edits)


def test_dates_from_url_parts_answer_404(tmp_path: Path) -> None:
    views, found = _app(tmp_path)
    # the guarded twin and the constant date are silent
    lines = {s.span.start.line + 1: s for s in found}
    assert sorted(lines) == [11, 17]
    assert "`year`, `month`, `day`" in lines[11].rationale
    text = _applied(lines[11], views)
    ast.parse(text)
    assert "from django.http import Http404, JsonResponse" in text
    assert (
        "    try:\n"
        "        start = datetime.datetime(year=int(year), month=int(month), day=int(day))\n"
        "    except ValueError:\n"
        '        raise Http404("No such date.") from None\n'
    ) in text
    day = _applied(lines[17], views)
    ast.parse(day)
    assert '            start = dt.strptime(kwargs["day"], "%Y-%m-%d").date()\n' in day
    assert "`day`" in lines[17].rationale
