"""Index query shapes, round 27 (fixtures of our own, each a shape a blind review found on a
real app): a Django lookup that goes on from the model's own manager or queryset method
(``Case.objects.unmerged().filter(uprn=u)``, through a second local; ``Report.objects =
ReportQuerySet.as_manager()``). The indexed twin gets nothing, nor does the method's scope
alone (``Report.objects.open().order_by(...)``, a list of most rows)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _app(tmp_path: Path, requirements: str, files: dict[str, str]) -> list[Suggestion]:
    (tmp_path / "requirements.txt").write_text(requirements)
    (tmp_path / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return collect([str(tmp_path)], ["index"])


# 1. Django: a chain through the model's own manager method ---------------------------------

CASE_MODELS = """\
from django.db import models
from django.db.models import Q


class CaseManager(models.Manager):
    def unmerged(self):
        q = Q(merged_into__isnull=True)
        qs = self.filter(q).select_related("assigned")
        return qs


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed=False)


class Case(models.Model):
    uprn = models.CharField(max_length=20{uprn_index})
    closed = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)
    assigned = models.ForeignKey("self", null=True, related_name="+", on_delete=models.SET_NULL)

    objects = CaseManager()


class Report(models.Model):
    reference = models.CharField(max_length=20{reference_index})
    closed = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True{reference_index})

    objects = CaseQuerySet.as_manager()
"""

CASE_VIEWS = """\
from django.shortcuts import render

from .models import Case, Report


def merge_start(request, case_id):
    case = Case.objects.get(pk=case_id)
    qs = Case.objects.unmerged()
    same_uprn = qs.filter(uprn=case.uprn).exclude(id=case.id)
    return render(request, "merge.html", {"same": same_uprn})


def report(request, reference):
    found = Report.objects.open().filter(reference=reference).first()
    return render(request, "report.html", {"report": found})


def reports(request):
    # the queryset method's scope alone, sorted: a list of most rows, no lookup (nothing)
    return render(request, "reports.html", {"all": Report.objects.open().order_by("-created")})
"""


def _cases(tmp_path: Path, indexed: bool) -> list[Suggestion]:
    index = ", db_index=True" if indexed else ""
    models_text = CASE_MODELS.format(uprn_index=index, reference_index=index)
    files = {"models.py": models_text, "views.py": CASE_VIEWS}
    return _app(tmp_path, "django\n", files)


def test_manager_method_chain_is_the_models_query(tmp_path: Path) -> None:
    found = sorted(_cases(tmp_path, indexed=False), key=lambda s: s.span.start.line)
    assert [(s.code, s.span.start.line, s.title) for s in found] == [
        ("BKD101", 8, "Add an index on case (uprn)"),
        ("BKD101", 13, "Add an index on report (reference)"),
    ]
    assert "`Case.objects.unmerged().filter(uprn=case.uprn).exclude(id=case.id)`" in (
        found[0].rationale
    )
    uprn_line = CASE_MODELS.splitlines().index(
        "    uprn = models.CharField(max_length=20{uprn_index})"
    )
    [edit] = found[0].edits
    assert (edit.path.endswith("models.py"), edit.span.start.line) == (True, uprn_line)
    assert edit.new_text == ", db_index=True"
    # the queryset method's literal ``filter(closed=False)`` is read into the query
    assert "reads report by equality on closed, reference first" in found[1].rationale
    assert [e.new_text for e in found[1].edits] == [", db_index=True"]


def test_manager_method_chain_on_indexed_column_is_silent(tmp_path: Path) -> None:
    assert _cases(tmp_path, indexed=True) == []
