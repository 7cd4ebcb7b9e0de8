"""Code no request runs: management commands, CLI commands and standalone scripts.

An index for a query only a nightly command makes, or a timeout on a release script's
download, was judged noise on real apps: a backend reviewer's advice is about the request
path. Read from the code (base classes, decorators, a ``__main__`` guard), not from file
names; folder names that say it (``scripts/``, ``e2e/``) are the notSources setting's.
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted, imported_names

# Django's command bases (``class Command(BaseCommand)``); flask_script's ``Command`` is
# matched by where it is imported from, a bare ``Command`` name says too little.
_COMMAND_BASES = frozenset({"BaseCommand", "LabelCommand", "AppCommand"})
_CLI_PACKAGES = ("click", "flask_script", "typer")
# ``@group.command()``, ``@app.cli.command()``, ``@manager.command``, ``@click.option``...
_CLI_DECORATORS = frozenset({"command", "group", "option", "argument", "with_appcontext"})
# A module that builds or serves a web app is not a script, whatever it runs as ``__main__``.
_APP_FACTORIES = frozenset(
    {"Flask", "FastAPI", "Starlette", "Quart", "Sanic", "Application", "get_wsgi_application"}
)
_ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "api_route", "websocket"}
)

# Words one of the shapes above needs in the text: a module without any is not walked.
_MARKERS = (
    "Command",
    "click",
    "typer",
    "command",
    "group",
    "option",
    "argument",
    "with_appcontext",
    "__main__",
    "argv",
)

_WEB_PACKAGES = frozenset({"django", "rest_framework", "flask", "fastapi", "starlette"})

LineRange = tuple[int, int]  # 1-based, inclusive
WHOLE_MODULE: LineRange = (1, 1 << 30)


def off_request_lines(source: Source) -> list[LineRange]:
    """The lines of ``source`` that no request runs: the whole module (a command module or a
    script with no web app in it), or only its command classes and functions."""
    commands, whole = command_lines(source)
    return [WHOLE_MODULE] if whole else commands


def builds_web_app(source: Source) -> bool:
    """The module makes the web app (``FastAPI(...)``, ``Flask(__name__)``) or declares routes:
    where requests come in, whoever else imports it."""
    # Asked of every module of a project: the text says first whether a factory can be there.
    factory = any(f"{name}(" in source.text for name in _APP_FACTORIES)
    if any(_route_decorator(d) for f in source.functions() for d in f.decorator_list):
        return True
    return factory and any(
        dotted(c.func).rsplit(".", 1)[-1] in _APP_FACTORIES for c in source.of(ast.Call)
    )


def command_lines(source: Source) -> tuple[list[LineRange], bool]:
    """The command classes and functions of ``source``, and whether the module as a whole is
    a command module or a script (no web app in it)."""
    # ``#!/usr/bin/env python3``: written to be run from a shell (a loader's helper module
    # with only functions in it was judged script code on a real app).
    shebang = source.text.startswith("#!") and "python" in source.text.split("\n", 1)[0]
    if not source.modules or not (shebang or any(word in source.text for word in _MARKERS)):
        return [], False  # no command base, CLI decorator or script guard can be in it
    imports = imported_names(source)
    commands: list[LineRange] = []
    web = False
    # A shebang on a module of the web framework's own (views, serializers, urls) is a house
    # style, not a script (a real Django app writes one atop every module, and every one was
    # skipped); a script that boots the framework says so with ``django.setup()``.
    framework = any(v.split(".")[0] in _WEB_PACKAGES for v in imports.values())
    script = shebang and not (framework and "setup()" not in source.text)
    for node in source.walk():
        if isinstance(node, ast.ClassDef) and _command_class(node, imports):
            commands.append(_lines(node))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if any(_cli_decorator(d, imports) for d in node.decorator_list):
                commands.append(_lines(node))
            elif any(_route_decorator(d) for d in node.decorator_list):
                web = True
        elif isinstance(node, ast.Call):
            if dotted(node.func).rsplit(".", 1)[-1] in _APP_FACTORIES:
                web = True
        elif _script_marker(node):
            script = True
    return commands, not web and bool(commands or script)


# ``@app.task``, ``@shared_task``, ``@periodic_task(...)``, ``@dramatiq.actor``: the function
# runs in a worker, on a schedule or a queue. A query only it makes is no request's cost (an
# hourly task's range on a poll table was judged noise), but a hung call still pins the
# worker, so only index analysis skips these (a timeout there was judged worth having).
_TASK_DECORATORS = frozenset({"task", "shared_task", "periodic_task", "actor", "job"})
_TASK_PACKAGES = ("celery", "huey", "dramatiq", "rq", "django_rq")


# A task library's own worker classes (``class Consumer(dramatiq.Consumer)``, a dramatiq
# ``Middleware``'s boot hooks): the queue's bookkeeping, which runs in the worker, polling or at
# its boot. An index for a query of theirs on the app's queue tables was judged noise.
_WORKER_BASES = frozenset({"Consumer", "Middleware", "Worker"})


def background_task_lines(source: Source) -> list[LineRange]:
    """The lines of the functions ``source`` registers as background tasks, and of the worker
    classes it derives from a task library's."""
    text = source.text
    if not source.modules or not any(w in text for w in ("task", "actor", "job", *_WORKER_BASES)):
        return []
    imports = imported_names(source)
    return [
        _lines(node)
        for node in source.walk()
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and any(_task_decorator(d, imports) for d in node.decorator_list)
        )
        or (isinstance(node, ast.ClassDef) and any(_worker_base(b, imports) for b in node.bases))
    ]


# A route kept for the test suite (``POST /test/cleanup``, ``/e2e/seed``, ``def seed_users``):
# production traffic never pays for its queries, and its raw DELETEs were cited as the
# evidence for indexes a real app's requests did not need (judged noise).
_TEST_WORDS = frozenset({"test", "tests", "testing", "e2e", "seed", "debug"})
_TEST_NAME_WORDS = frozenset({"test", "tests", "seed", "e2e"})


def suite_route_lines(source: Source) -> tuple[list[LineRange], list[LineRange]]:
    """The routes of ``source`` kept for tests (by their path, their name or a settings guard),
    and of those, the ones a settings guard closes in production (``if not
    settings.enable_test_endpoints: raise HTTPException(404)`` first): nothing there is a
    user's, so no rule speaks of it; an unguarded test route still answers whoever calls it."""
    lowered = source.text.lower()
    if not source.modules or not any(w in lowered for w in _TEST_WORDS):
        return [], []
    routes: list[LineRange] = []
    guarded: list[LineRange] = []
    for node in source.functions():
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        paths = [_route_path(d) for d in node.decorator_list if _route_decorator(d)]
        if not paths:
            continue
        closed = _suite_guard(node)
        if closed or _suite_name(node.name) or any(_suite_path(p) for p in paths):
            routes.append(_lines(node))
            if closed:
                guarded.append(_lines(node))
    return routes, guarded


def _route_path(node: ast.expr) -> str:
    first = node.args[0] if isinstance(node, ast.Call) and node.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def _suite_path(path: str) -> bool:
    """A segment says it: ``/test/cleanup``, ``/e2e-seed``; ``/tests/{test_id}`` is a resource
    (an exam app's tests), not the suite's."""
    segments = [s for s in path.lower().split("/") if s]
    for i, segment in enumerate(segments):
        words = set(segment.replace("-", "_").split("_"))
        if not words & _TEST_WORDS:
            continue
        following = segments[i + 1] if i + 1 < len(segments) else ""
        if words & {"test", "tests"} and following.startswith(("{", "<", ":")):
            continue
        return True
    return False


def _suite_name(name: str) -> bool:
    words = [w for w in name.lower().split("_") if w]
    return bool(words) and (words[0] in _TEST_NAME_WORDS or words[-1] in _TEST_NAME_WORDS)


def _suite_guard(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The first statement (after the docstring) raises or returns unless a setting named for
    tests is on: ``if not getattr(settings, "enable_test_endpoints", False): raise ...``."""
    body = func.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    first = body[0] if body else None
    if not isinstance(first, ast.If) or first.orelse or len(first.body) != 1:
        return False
    if not isinstance(first.body[0], ast.Raise | ast.Return):
        return False
    test = first.test
    if not (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)):
        return False
    named = ast.unparse(test.operand).lower()
    return any(w in named for w in ("test", "e2e", "debug", "seed"))


def _worker_base(node: ast.expr, imports: dict[str, str]) -> bool:
    name = dotted(node)
    if not name or name.rsplit(".", 1)[-1] not in _WORKER_BASES:
        return False
    root = name.split(".")[0]
    return imports.get(root, root).split(".")[0] in _TASK_PACKAGES


def _task_decorator(node: ast.expr, imports: dict[str, str]) -> bool:
    name = dotted(node.func if isinstance(node, ast.Call) else node)
    last = name.rsplit(".", 1)[-1] if name else ""
    if last not in _TASK_DECORATORS:
        return False
    if "." in name:  # ``@app.task``, ``@celery.task``, ``@huey.periodic_task``
        return last != "job" or name.split(".")[0] in ("rq", "django_rq")
    return imports.get(name, "").split(".")[0] in _TASK_PACKAGES  # ``@shared_task``


def is_off_request(ranges: list[LineRange], line: int) -> bool:
    """Whether 0-based ``line`` falls in one of ``ranges``."""
    return any(a <= line + 1 <= b for a, b in ranges)


def _lines(node: ast.stmt) -> LineRange:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return first, node.end_lineno or node.lineno


def _command_class(node: ast.ClassDef, imports: dict[str, str]) -> bool:
    for base in node.bases:
        name = dotted(base)
        if name.rsplit(".", 1)[-1] in _COMMAND_BASES:
            return True
        if imports.get(name.split(".")[0], "").startswith("flask_script"):
            return True
    return False


def _cli_decorator(node: ast.expr, imports: dict[str, str]) -> bool:
    name = dotted(node.func if isinstance(node, ast.Call) else node)
    if not name:
        return False
    root = imports.get(name.split(".")[0], "")
    if root.split(".")[0] in _CLI_PACKAGES:
        return True
    # ``@<group>.command`` on a click group, ``@app.cli.command``, ``@manager.command``.
    return "." in name and name.rsplit(".", 1)[-1] in _CLI_DECORATORS - {"option", "argument"}


def _route_decorator(node: ast.expr) -> bool:
    name = dotted(node.func if isinstance(node, ast.Call) else node)
    return "." in name and name.rsplit(".", 1)[-1] in _ROUTE_DECORATORS


def _script_marker(node: ast.AST) -> bool:
    """``if __name__ == "__main__":`` or a read of ``sys.argv``: run from a shell."""
    if isinstance(node, ast.Attribute):
        return dotted(node) == "sys.argv"
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def worker_kind(source: Source, func: ast.AST, up: dict[ast.AST, ast.AST]) -> str | None:
    """ "task" when ``func`` (or a function around it) is registered as a background task,
    "thread" when this module starts one of them as a thread (``Thread(target=f)``), None
    otherwise (taken for request code): what happens to a session left broken there differs
    (no request teardown ever comes to a worker)."""
    names: list[str] = []
    imports: dict[str, str] | None = None
    current: ast.AST | None = func
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            if current.decorator_list:
                imports = imports if imports is not None else imported_names(source)
                if any(_task_decorator(d, imports) for d in current.decorator_list):
                    return "task"
            names.append(current.name)
        current = up.get(current)
    if "Thread" not in source.text or not names:
        return None
    for node in source.of(ast.Call):
        if not isinstance(node, ast.Call) or dotted(node.func).rsplit(".", 1)[-1] != "Thread":
            continue
        for kw in node.keywords:
            if kw.arg == "target" and dotted(kw.value).rsplit(".", 1)[-1] in names:
                return "thread"
    return None
