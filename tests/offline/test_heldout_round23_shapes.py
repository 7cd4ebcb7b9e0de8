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


TABLES = """\
import sqlalchemy as sa

metadata = sa.MetaData()

post = sa.Table(
    "post",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("wall_profile_id", sa.Integer, sa.ForeignKey("profile.id")),
    sa.Column("created_at", sa.DateTime),
    sa.Column("slug", sa.String(80)),
)
"""

CORE = """\
from databases import Database
from fastapi import FastAPI
from sqlalchemy import desc, select

from .tables import post

app = FastAPI()
db = Database("postgresql://localhost/app")


@app.get("/walls/{profile_id}/posts")
async def wall(profile_id: int):
    query = (
        select([post])
        .where(post.c.wall_profile_id == profile_id)
        .group_by(post.c.id)
        .order_by(desc(post.c.created_at))
        .limit(20)
    )
    return await db.fetch_all(query)


@app.get("/posts/{post_id}/raw")
async def raw(post_id: int):
    return await db.fetch_one(query="SELECT * FROM post WHERE slug = :c", values={"c": post_id})
"""


def test_core_selects_and_the_databases_librarys_sql_are_queries(tmp_path: Path) -> None:
    """SQLAlchemy Core ``select([post]).where(post.c.x == y)`` run by the ``databases``
    library, and its ``fetch_one(query="...")`` SQL (a real FastAPI app's every query)."""
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\ndatabases\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "tables.py").write_text(TABLES)
    (tmp_path / "api.py").write_text(CORE)
    found = collect([str(tmp_path)], ["index"])
    assert sorted((s.title, s.span.start.line + 1) for s in found) == [
        ("Add an index on post (slug)", 25),
        ("Add an index on post (wall_profile_id, created_at)", 14),
    ]
