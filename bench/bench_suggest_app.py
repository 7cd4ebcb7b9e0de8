"""``subagent-lsp suggest`` on a whole app: CPU seconds of the command, start to end (issue #15's
bar: a 5,000-line app in under 1 s of CPU).

Run: ``.venv/bin/python bench/bench_suggest_app.py [APP] [RUNS]``. Without APP, an app of at
least 5,000 lines of Python is made in a temporary folder: the bundled Python examples (Flask,
FastAPI, Django, raw SQL) copied into packages until it has that many lines, each package with
its own table names so the schema grows with it. Each run is a new process (interpreter start,
imports, the project scan and every file's analysis) after one warm-up run (bytecode cached,
as after installing); the median of RUNS (default 5) is shown, with the user+system CPU of the
child.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "backend"
PYTHON_APPS = ("flask_shop", "fastapi_notes", "django_blog", "raw_sql")


DJANGO_URLS = """from django.urls import path

from . import views

urlpatterns = [
    path("posts/<slug:slug>/", views.post_detail),
    path("posts/", views.published),
    path("search/", views.search),
    path("new/", views.create_post),
]
"""


def make_app(into: Path, lines: int = 5000) -> int:
    (into / "pyproject.toml").write_text(
        '[project]\nname = "bench"\ndependencies = ["flask", "flask-sqlalchemy", "fastapi", '
        '"sqlalchemy", "django", "requests", "pydantic"]\n'
    )
    total, copy = 0, 0
    while total < lines:
        for app in PYTHON_APPS:
            package = into / f"{app}_{copy}"
            shutil.copytree(EXAMPLES / app, package)
            (package / "__init__.py").write_text("")
            if app == "django_blog":
                # Routed, as in a real project: views nothing routes are dead code, which the
                # reviewer leaves alone, and the app would be lighter than the one it stands for.
                (package / "urls.py").write_text(DJANGO_URLS)
            for path in package.rglob("*"):
                if path.suffix in (".py", ".sql"):
                    text = path.read_text()
                    # Table names of their own, so 4 x N packages define 4 x N schemas.
                    text = re.sub(
                        r"__tablename__ = \"(\w+)\"", rf'__tablename__ = "\1_{copy}"', text
                    )
                    path.write_text(text)
                    if path.suffix == ".py":
                        total += text.count("\n")
        copy += 1
    return total


# As installed: bytecode cached (a user's first run writes it; the warm-up run does here).
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "SUBAGENT_LSP_POSTGRES": "off",
    "PYTHONPATH": str(ROOT / "server"),
}


def cpu_of_one_run(app: Path) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "subagent_lsp", "suggest", "--format", "json", str(app)],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"suggest failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, done.stdout.count('"code"')


def main() -> None:
    args = sys.argv[1:]
    runs = int(args[1]) if len(args) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        if args and args[0] != "-":
            app = Path(args[0])
            lines = sum(
                p.read_text(errors="replace").count("\n")
                for p in app.rglob("*.py")
                if ".venv" not in p.parts and "node_modules" not in p.parts
            )
        else:
            app = Path(tmp) / "app"
            app.mkdir()
            lines = make_app(app)
        cpu_of_one_run(app)  # warm-up: writes the bytecode caches
        samples = [cpu_of_one_run(app) for _ in range(runs)]
        cpu = statistics.median(s[0] for s in samples)
        print(
            f"suggest on {app.name}: {lines} lines of Python, {samples[0][1]} suggestions; "
            f"CPU median {cpu:.2f} s (min {min(s[0] for s in samples):.2f}, "
            f"max {max(s[0] for s in samples):.2f}) over {runs} runs"
        )


if __name__ == "__main__":
    main()
