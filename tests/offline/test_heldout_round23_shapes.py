"""Twenty-third held-out round, after its measurement (shapes of our own): a shebang atop a
Django app's modules is its house style, not a script (every view of a real app was skipped);
a script that boots Django itself still is one."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

VIEWS = """\
#!/usr/bin/env python3
#
# Copyright the project's authors.

from django.http import JsonResponse

from .models import Result


def result(request, name):
    row = Result.objects.filter(name=name).first()
    return JsonResponse({"status": row.status})
"""

SCRIPT = """\
#!/usr/bin/env python3
import django

django.setup()

from app.models import Result  # noqa: E402


def run():
    row = Result.objects.filter(name="nightly").first()
    print(row.status)
"""


def test_a_shebang_on_a_django_module_is_no_script(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "models.py").write_text(
        "#!/usr/bin/env python3\nfrom django.db import models\n\n\n"
        "class Result(models.Model):\n"
        "    name = models.CharField(max_length=80, unique=True)\n"
        "    status = models.CharField(max_length=20)\n"
    )
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(
        "#!/usr/bin/env python3\nfrom django.urls import path\n\nfrom . import views\n\n"
        'urlpatterns = [path("r/<str:name>", views.result)]\n'
    )
    (app / "nightly.py").write_text(SCRIPT)
    (tmp_path / "requirements.txt").write_text("django\n")
    found = collect([str(tmp_path)], ["error-handling"])
    assert [(Path(s.path).name, s.code, s.span.start.line + 1) for s in found] == [
        ("views.py", "BKD306", 11)
    ]
