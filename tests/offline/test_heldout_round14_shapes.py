"""Fourteenth held-out round, after its measurement (shapes of our own): a timeout added to a
call whose closing parenthesis has a line of its own leaves the file as ruff formats it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

APP = """\
import requests
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/busy")
def busy():
    reply = requests.get(
        "https://calendar.example.com/busy", params={"day": "today"}, auth=("u", "p")
    )
    return jsonify(reply.json())


@app.post("/event")
def event():
    reply = requests.post(
        "https://calendar.example.com/events",
        json={"title": "standup", "start": "09:00", "end": "09:15", "room": "blue"},
    )
    return jsonify(reply.json())
"""


def test_a_timeout_keeps_the_call_formatted(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "cal"\ndependencies = ["flask", "requests"]\n'
    )
    path = tmp_path / "app.py"
    path.write_text(APP)
    for _ in range(2):  # one at a time, each on the text the other left
        found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD301"]
        apply_suggestion(found[0])
    text = path.read_text()
    # too long with it on the arguments' line: one argument per line, then the timeout
    assert '        auth=("u", "p"),\n        timeout=10,\n    )' in text
    assert "        timeout=10,\n    )\n    return jsonify(reply.json())\n\n\n@app.post" in text
    assert text.count("timeout=10") == 2
    ruff = Path(sys.executable).with_name("ruff")
    check = subprocess.run(
        [str(ruff), "format", "--check", "--isolated", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


DJANGO_MODELS = """\
from django.db import models


class HashidAutoField(models.AutoField):
    pass


class Course(models.Model):
    id = HashidAutoField(primary_key=True)
    name = models.CharField(max_length=80)
"""
DJANGO_VIEWS = """\
from denied.decorators import authorize
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.generic import DetailView

from school.models import Course


def course_authorized(request, **kwargs):
    return Course.objects.filter(pk=kwargs["pk"]).exists()


@authorize(course_authorized)
def course_detail(request, pk):
    return HttpResponse(Course.objects.get(pk=pk).name)


@method_decorator(authorize(course_authorized), "dispatch")
class CourseView(DetailView):
    def get_object(self):
        return Course.objects.get(pk=self.kwargs["pk"])


def pick(request):
    course_id = request.GET.get("course")
    return HttpResponse(str(Course.objects.filter(pk=course_id).count()))
"""


def test_an_authorizer_decorator_and_a_text_primary_key(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "school"\ndependencies = ["django"]\n',
        "school/__init__.py": "",
        "school/models.py": DJANGO_MODELS,
        "school/views.py": DJANGO_VIEWS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [(s.code, s.span.start.line + 1) for s in collect([str(tmp_path)])]
    # the authorizer found the row before the view runs; a hashid is no integer to check
    assert [c for c in found if c[0] in ("BKD304", "BKD202")] == []


FASTAPI_APP = """\
from typing import Any

from fastapi import Depends, FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from panel.db import Alert, get_session

app = FastAPI()


class BaseCRUD:
    def __init__(self, session: AsyncSession, model: Any) -> None:
        self.session = session
        self.model = model


class AlertCRUD(BaseCRUD):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, Alert)

    async def close(self, alert: Alert) -> None:
        alert.closed = True
        await self.session.commit()


async def merge(alerts: AlertCRUD, alert: Alert) -> None:
    session = alerts.session
    session.add(alert)
    await session.commit()


@app.get("/alerts/{org}/count")
async def count(org: int, session: AsyncSession = Depends(get_session)):
    count_stmt: Any = select(func.count()).select_from(Alert).where(Alert.org == org)
    return {"count": int((await session.execute(count_stmt)).scalar_one())}
"""


def test_request_sessions_handed_on_and_a_counts_one_row(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "panel"\ndependencies = ["fastapi", "sqlalchemy"]\n',
        "panel/__init__.py": "",
        "panel/db.py": "Alert = get_session = None\n",
        "panel/main.py": FASTAPI_APP,
        "setup.py": "import requests\n\nrequests.get('https://example.com/ui.tar.gz')\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    # the session is the request's (given to the repository, or a parameter's), the count has
    # its one row, and setup.py is no request path
    assert [(s.code, s.path) for s in collect([str(tmp_path)], ["error-handling"])] == []
