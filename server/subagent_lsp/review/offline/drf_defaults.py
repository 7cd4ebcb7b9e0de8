"""Whether a Django project's DRF settings let an anonymous client into a view that names no
``permission_classes``.

DRF's own default is ``AllowAny``: a project whose ``REST_FRAMEWORK`` sets no
``DEFAULT_PERMISSION_CLASSES`` (or sets ``AllowAny``, or an empty list) runs such a view for
anyone, and ``request.user`` is then ``AnonymousUser`` (a real shop's settings set only the
token authentication). Anything else, or anything not read as a literal, counts as closed:
``DEFAULT_PERMISSION_CLASSES`` bound to a name, a ``REST_FRAMEWORK`` built by a call or
updated later, Django's ``LoginRequiredMiddleware``, and a ``DEFAULT_AUTHENTICATION_CLASSES``
naming a class not known to leave a request without credentials anonymous (a project's own
may refuse it with a 401 before any view runs). The settings are the project's settings
modules (django_settings), and every project module that writes the setting's name (a
settings package's own helper module, a ``local_settings`` outside the folder searched).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .django_settings import project_folder, settings_files
from .file_memo import FileMemo
from .pysource import Source

_SETTING = "DEFAULT_PERMISSION_CLASSES"
_AUTHENTICATION = "DEFAULT_AUTHENTICATION_CLASSES"
# ``"DEFAULT_PERMISSION_CLASSES": [...]`` / ``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] =``
_KEY = re.compile(rf"""^[^#\n]*["']{_SETTING}["']\s*\]?\s*[:=]\s*""", re.MULTILINE)
_AUTHENTICATION_KEY = re.compile(
    rf"""^[^#\n]*["']{_AUTHENTICATION}["']\s*\]?\s*[:=]\s*""", re.MULTILINE
)
# Authentication classes that leave a request without credentials anonymous (they return
# None): DRF's own and the common token libraries'. A project's own may refuse it instead
# (a real app's Firebase authentication raised "auth token not provided"): not read.
_LETS_ANONYMOUS_IN = frozenset(
    {
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication",
        "knox.auth.TokenAuthentication",
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
    }
)
_STRING = re.compile(r"""["']([\w.]*)["']""")
# ``REST_FRAMEWORK = {`` is read; ``= get_config()``, ``.update(...)``, ``|=`` are not
_BUILT = re.compile(
    r"""^[^#\n]*\bREST_FRAMEWORK\b\s*(?:=(?!\s*(?:\{|dict\())|\.(?:update|setdefault)\(|\|=)""",
    re.MULTILINE,
)
_CLOSING = {"[": "]", "(": ")"}


def _open(_path: str, text: str) -> bool:
    """What one module says: False when it may require more than AllowAny."""
    if "LoginRequiredMiddleware" in text or _BUILT.search(text):
        return False
    for match in _KEY.finditer(text):
        names = _classes(text[match.end() :])
        if names is None or any(n.rsplit(".", 1)[-1] != "AllowAny" for n in names):
            return False
    for match in _AUTHENTICATION_KEY.finditer(text):
        names = _classes(text[match.end() :])
        if names is None or not set(names) <= _LETS_ANONYMOUS_IN:
            return False
    return True


def _classes(rest: str) -> list[str] | None:
    """The dotted class names of a ``[...]``/``(...)`` of strings at the start of ``rest``;
    None for anything else (a name, a call, an entry that is no string)."""
    closing = _CLOSING.get(rest[:1])
    end = rest.find(closing) if closing else -1
    if end < 0:
        return None
    value = rest[1:end]
    left = _STRING.sub("", value).replace(",", "")
    if re.sub(r"#[^\n]*", "", left).strip():
        return None
    return _STRING.findall(value)


_says_open: FileMemo[bool] = FileMemo(_open, 1 << 20)


def anonymous_by_default(path: str, writers: Callable[[str], Iterable[Source]] | None) -> bool:
    """The project holding ``path`` (a Django project: a ``manage.py`` above it, with its
    settings modules found) lets anonymous clients into a view with no permission classes."""
    root = project_folder(path)
    if root is None:
        return False
    files = settings_files(root)
    if not files:
        return False
    if not all(_says_open.get(f) for f in files):  # one unread may say anything
        return False
    names = (_SETTING, _AUTHENTICATION, "LoginRequiredMiddleware")
    others = [s for name in names for s in writers(name)] if writers else []
    return all(_open(s.path, s.text) for s in others)
