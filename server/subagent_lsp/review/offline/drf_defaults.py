"""Whether a Django project's DRF settings let an anonymous client into a view that names no
``permission_classes`` (anonymous_by_default), or into one whose ``permission_classes`` admit
it (anonymous_admitted: only the authenticators are read, the view's list replaces the
default).

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

import ast
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
        # returns None without a header or cookie, unless told to check CSRF first (a 403)
        "dj_rest_auth.jwt_auth.JWTCookieAuthentication",
    }
)
_CSRF_ON_ANONYMOUS = "JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED"
# ``REST_FRAMEWORK = {`` is read; ``= get_config()``, ``.update(...)``, ``|=`` are not
_BUILT = re.compile(
    r"""^[^#\n]*\bREST_FRAMEWORK\b\s*(?:=(?!\s*(?:\{|dict\())|\.(?:update|setdefault)\(|\|=)""",
    re.MULTILINE,
)
_CLOSING = {"[": "]", "(": ")"}


def _open(_path: str, text: str, defaults: bool = True) -> bool:
    """What one module says: False when it may require more than AllowAny (``defaults``:
    the default permission classes count too)."""
    if "LoginRequiredMiddleware" in text or _CSRF_ON_ANONYMOUS in text or _BUILT.search(text):
        return False
    for match in _KEY.finditer(text) if defaults else ():
        names = _classes(text[match.end() :])
        if names is None or any(n.rsplit(".", 1)[-1] != "AllowAny" for n in names):
            return False
    for match in _AUTHENTICATION_KEY.finditer(text):
        names = _classes(text[match.end() :])
        if names is None or not set(names) <= _LETS_ANONYMOUS_IN:
            return False
    return True


def _classes(rest: str) -> list[str] | None:
    """The dotted class names of a ``[...]``/``(...)`` of strings at the start of ``rest``
    (an entry chosen by a condition gives each it may be); None for anything else (a name, a
    call, an entry that is no string)."""
    end = _closing(rest)
    if end < 0:
        return None
    try:
        value = ast.parse(rest[: end + 1].strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(value, ast.List | ast.Tuple):
        return None
    out: list[str] = []
    for entry in value.elts:
        names = _strings(entry)
        if names is None:
            return None
        out.extend(names)
    return out


def _closing(rest: str) -> int:
    """Where the bracket opening ``rest`` closes (strings and comments skipped); -1 if not."""
    if rest[:1] not in _CLOSING:
        return -1
    depth, quote, at = 0, "", 0
    while at < len(rest):
        char = rest[at]
        if quote:
            if char == "\\":
                at += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            newline = rest.find("\n", at)
            at = len(rest) if newline < 0 else newline
            continue
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    return -1


def _strings(node: ast.expr) -> list[str] | None:
    """A string, or a conditional of strings: each value it may be."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body), _strings(node.orelse)
        return None if body is None or orelse is None else [*body, *orelse]
    return None


_says_open: FileMemo[bool] = FileMemo(_open, 1 << 20)
_admits: FileMemo[bool] = FileMemo(lambda path, text: _open(path, text, defaults=False), 1 << 20)


def anonymous_by_default(path: str, writers: Callable[[str], Iterable[Source]] | None) -> bool:
    """The project holding ``path`` (a Django project: a ``manage.py`` above it, with its
    settings modules found) lets anonymous clients into a view with no permission classes."""
    return _reads_open(path, writers, defaults=True)


def anonymous_admitted(path: str, writers: Callable[[str], Iterable[Source]] | None) -> bool:
    """The project's authenticators leave a request without credentials anonymous, so a
    view whose own permission classes admit it runs for it."""
    return _reads_open(path, writers, defaults=False)


def _reads_open(
    path: str, writers: Callable[[str], Iterable[Source]] | None, defaults: bool
) -> bool:
    root = project_folder(path)
    if root is None:
        return False
    files = settings_files(root)
    if not files:
        return False
    memo = _says_open if defaults else _admits
    if not all(memo.get(f) for f in files):  # one unread may say anything
        return False
    names = (_SETTING, _AUTHENTICATION, "LoginRequiredMiddleware", _CSRF_ON_ANONYMOUS)
    others = [s for name in names for s in writers(name)] if writers else []
    return all(_open(s.path, s.text, defaults) for s in others)
