"""A Django project that sends mail over SMTP with no ``EMAIL_TIMEOUT``: the SMTP backend
then connects with no timeout, so a mail server that takes the connection and stalls holds
the worker of every request that sends mail. One setting bounds them all, so the advice goes
in the settings module, once, and not at each send (volontulo's judge: "one settings line
fixes all the mail sites").

The per-view BKD302 on a send stays: a timeout turns the hang into a raise (``socket.timeout``,
an OSError), which is still a 500 where nothing catches it, as a refused connection is.

The setting belongs where the mail server is configured: a settings module that assigns
``EMAIL_HOST`` itself. One that star-imports another settings module inherits the base's
(``from .base import *`` then a second ``EMAIL_HOST``), so the base gets the line; a backend
other than SMTP (console, file, an API's) ignores it, and a project whose settings set it
anywhere, or whose code sends no mail, is left alone.
"""

from __future__ import annotations

import ast
import functools
import os
import re

from ..suggestion import Suggestion
from .django_settings import Setting, project_folder, settings_files
from .file_memo import FileMemo
from .frameworks import ModuleFacts
from .not_sources import is_not_a_source
from .project_tree import files_under
from .pyedits import insert_before_line

DEFAULT_TIMEOUT = 10
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_EMAIL_TIMEOUT = Setting(r"^[^#\n]*\bEMAIL_TIMEOUT\b")
_EMAIL_HOST = Setting(r"^EMAIL_HOST\s*=")
_SENDS = re.compile(
    r"^\s*from\s+django\.core\.mail\s+import\s+[^\n]*\b"
    r"(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|EmailMultiAlternatives)\b",
    re.MULTILINE,
)
_SENDERS: FileMemo[bool] = FileMemo(lambda _p, text: bool(_SENDS.search(text)), 1 << 20)
_MAX_FILES = 3000


def mail_timeout_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    if "EMAIL_HOST" not in src.text:
        return []
    root = project_folder(src.path)
    if root is None or os.path.abspath(src.path) not in settings_files(root):
        return []
    if len(src.modules) != 1:
        return []  # a settings module that does not parse whole is not edited
    tree = src.modules[0]
    email = [s for s in tree.body if _assigned(s).startswith("EMAIL_")]
    if not any(_assigned(s) == "EMAIL_HOST" for s in email) or not _smtp_backend(email):
        return []
    if _inherits_mail(tree, root, src.path) or _EMAIL_TIMEOUT.set_for(src.path):
        return []
    senders = _mail_senders(root)
    if not senders:
        return []
    last = email[-1]
    where = ", ".join(os.path.relpath(p, root) for p in senders[:3])
    more = f" and {len(senders) - 3} more" if len(senders) > 3 else ""
    return [
        Suggestion(
            "BKD301",
            "error-handling",
            src.path,
            src.span(last),
            "Give the SMTP connection a timeout (EMAIL_TIMEOUT)",
            "Django's SMTP backend connects with no timeout unless `EMAIL_TIMEOUT` is set: a "
            "mail server that takes the connection and stalls holds the worker of every "
            f"request that sends mail (the project sends it from {where}{more}). "
            f"`EMAIL_TIMEOUT = {DEFAULT_TIMEOUT}` (seconds) bounds every send at once; a send "
            "that runs out raises `socket.timeout` (an OSError), as a refused connection does.",
            (
                insert_before_line(
                    src, last.end_lineno or last.lineno, f"EMAIL_TIMEOUT = {DEFAULT_TIMEOUT}"
                ),
            ),
        )
    ]


def _assigned(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign):
        target = stmt.target
    else:
        return ""
    return target.id if isinstance(target, ast.Name) else ""


def _smtp_backend(email: list[ast.stmt]) -> bool:
    """No ``EMAIL_BACKEND`` here, or the SMTP one (a value read from the environment may
    be it)."""
    for stmt in email:
        if _assigned(stmt) == "EMAIL_BACKEND":
            value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Constant) and value.value != _SMTP_BACKEND:
                return False
    return True


def _inherits_mail(tree: ast.Module, root: str, path: str) -> bool:
    """``from .base import *`` of a settings module that configures the mail server itself:
    that base is where the setting goes."""
    settings = settings_files(root)
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            base = _module_file(stmt, path, settings)
            if base is not None and _EMAIL_HOST.set_in(base):
                return True
    return False


def _module_file(stmt: ast.ImportFrom, path: str, settings: tuple[str, ...]) -> str | None:
    """The settings module a star import names: ``.base`` beside the importer (``..base``
    a folder up), ``pyarweb.settings.base`` by the end of its path."""
    parts = (stmt.module or "").split(".") if stmt.module else []
    if stmt.level:
        folder = os.path.dirname(os.path.abspath(path))
        for _ in range(stmt.level - 1):
            folder = os.path.dirname(folder)
        stem = os.path.join(folder, *parts)
        wanted = (stem + ".py", os.path.join(stem, "__init__.py"))
        return next((p for p in settings if p in wanted), None)
    tail = os.path.join(*parts) if parts else ""
    if not tail:
        return None
    ends = (os.sep + tail + ".py", os.sep + os.path.join(tail, "__init__.py"))
    return next((p for p in settings if p.endswith(ends)), None)


@functools.lru_cache(maxsize=16)
def _python_files(root: str) -> tuple[str, ...]:
    found: list[str] = []
    for path in files_under(root, (".py",)):
        found.append(path)
        if len(found) > _MAX_FILES:
            break
    return tuple(found)


def _mail_senders(root: str) -> list[str]:
    """The project's modules that send mail through Django's (tests and settings aside)."""
    settings = set(settings_files(root))
    return [
        p
        for p in _python_files(root)
        if p not in settings and not is_not_a_source(p, root) and _SENDERS.get(p)
    ]
