"""Whether the DRF exception handler a Django project's settings name answers an error.

A handler named in ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` runs for every exception a view
raises, but only some answer a database error: DRF's own and drf-standardized-errors' turn
only DRF's exceptions (and Django's ``Http404``/``PermissionDenied``) into a 4xx, so a
ProtectedError still ends as a 500 under them (a judged app named the latter and BKD319 went
silent for a real 500). A project's own handler (or its drf-standardized-errors
``EXCEPTION_HANDLER_CLASS``) answers what its module names; one not read may answer anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .django_settings import project_folder, settings_files
from .file_memo import FileMemo
from .upstream_calls import module_files

# ``"EXCEPTION_HANDLER": "dotted.path"``: the path, or "" when the value is no literal
_NAMED = re.compile(
    r"""^[^#\n]*["']EXCEPTION_HANDLER(?:_CLASS)?["']\s*:\s*(?:["']([\w.]+)["'])?""",
    re.MULTILINE,
)
# Library handlers that answer no database error (read in their sources).
_ANSWER_NO_DB_ERRORS = frozenset(
    {
        "rest_framework.views.exception_handler",
        "drf_standardized_errors.handler.exception_handler",
    }
)
_WORD = re.compile(r"[A-Za-z_]\w*")

_handlers: FileMemo[tuple[str, ...]] = FileMemo(
    lambda _p, text: tuple(m.group(1) or "" for m in _NAMED.finditer(text)), 1 << 20
)
_words: FileMemo[frozenset[str]] = FileMemo(
    lambda _p, text: frozenset(_WORD.findall(text)), 1 << 20
)


def handler_may_answer(path: str, errors: Iterable[str]) -> bool:
    """A DRF exception handler of the project holding ``path`` may answer one of ``errors``
    (exception class names): a project handler whose module names one, or a handler not
    read. False with no handler set, or only library handlers that answer none."""
    root = project_folder(path)
    if root is None:
        return False
    wanted = set(errors)
    for settings in settings_files(root):
        for handler in _handlers.get(settings) or ():
            if handler in _ANSWER_NO_DB_ERRORS:
                continue
            module = handler.rpartition(".")[0]
            files = list(module_files(path, module, [root])) if module else []
            if not files:
                return True  # a value not a literal, or a library's handler not read
            if any(wanted & (_words.get(f) or frozenset()) for f in files):
                return True
    return False


# ``response.data["detail"]`` / ``.data.get("detail")``: a handler that reads the detail of
# DRF's answer as a dict. A ``ValidationError("text")``'s data is a list, so the handler
# itself raises on it (TypeError) and the request still ends as a 500 (a judged app).
_READS_DETAIL = re.compile(r"""\.data\s*(?:\[\s*["']detail["']\s*\]|\.get\(\s*["']detail["'])""")
_reads_detail: FileMemo[bool] = FileMemo(lambda _p, text: bool(_READS_DETAIL.search(text)), 1 << 20)


def handler_reads_detail(path: str) -> bool:
    """A project handler named in the settings of the project holding ``path`` reads
    ``response.data["detail"]``: a DRF error it answers must carry a dict with "detail"."""
    root = project_folder(path)
    if root is None:
        return False
    for settings in settings_files(root):
        for handler in _handlers.get(settings) or ():
            module = handler.rpartition(".")[0]
            if not module or handler in _ANSWER_NO_DB_ERRORS:
                continue
            if any(_reads_detail.get(f) for f in module_files(path, module, [root])):
                return True
    return False
