"""What a route's URL lets through for one of its parts.

Django's ``path("success/<str:currency>/", views.success)`` hands the view any text as
``currency``, ``<int:pk>`` a number; ``re_path(r"^(?P<currency>gbp|eur)/$", ...)`` only those
two words, ``(?P<currency>[a-z]{3})`` any text again. Flask's rule ``/<currency>`` takes any
text, ``/<any(gbp, eur):currency>`` only those. A converter the project registers itself may
let through anything or nothing: what it takes is not known here.

The patterns themselves are read off a ``urls.py`` by frameworks.url_routes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class UrlPart:
    """What one part of the URL may hold: ``text``, a ``number``, ``only`` the ``values``
    listed, or ``other`` (a UUID, a project's own converter)."""

    kind: str
    values: frozenset[str] = frozenset()


class UrlRoute(NamedTuple):
    """One pattern a ``urls.py`` routes to a view: its text, and whether it is a regular
    expression (``re_path``, the old ``url``)."""

    route: str
    regex: bool


TEXT = UrlPart("text")
_NUMBER = UrlPart("number")
_OTHER = UrlPart("other")
_DJANGO_CONVERTERS = {"str": TEXT, "slug": TEXT, "path": TEXT, "int": _NUMBER, "uuid": _OTHER}
_FLASK_CONVERTERS = {
    "default": TEXT,
    "string": TEXT,
    "path": TEXT,
    "int": _NUMBER,
    "float": _NUMBER,
    "uuid": _OTHER,
}
# ``<name>``, ``<int:name>``, Flask's ``<any(a, b):name>`` / ``<string(length=2):name>``.
_PART = re.compile(r"<(?:(\w+)(?:\((.*?)\))?:)?(\w+)>")
_WORD = re.compile(r"[\w-]+")


def django_part(routes: tuple[UrlRoute, ...], name: str) -> UrlPart | None:
    """What the patterns routing to a view let through as its ``name`` keyword: the most
    open of them (any one is a way in); None when none of them names it."""
    parts = [_django_part(r, name) for r in routes]
    return _widest([p for p in parts if p is not None])


def flask_part(rules: list[str], name: str) -> UrlPart | None:
    """The same for a Flask view's rules (``@app.route("/<currency>")``)."""
    parts = []
    for rule in rules:
        for converter, args, part in _PART.findall(rule):
            if part == name:
                parts.append(_flask_converter(converter, args))
    return _widest(parts)


def _widest(parts: list[UrlPart]) -> UrlPart | None:
    if not parts:
        return None
    for kind in ("other", "text", "number"):
        if any(p.kind == kind for p in parts):
            return UrlPart(kind)
    return UrlPart("only", frozenset().union(*(p.values for p in parts)))


def _django_part(route: UrlRoute, name: str) -> UrlPart | None:
    if not route.regex:
        for converter, args, part in _PART.findall(route.route):
            if part == name and not args:
                return _DJANGO_CONVERTERS.get(converter or "str", _OTHER)
        return None
    body = _group(route.route, name)
    if body is None:
        return None
    words = _alternatives(body)
    return UrlPart("only", frozenset(words)) if words else TEXT


def _flask_converter(converter: str, args: str) -> UrlPart:
    if converter == "any":
        words = [w.strip().strip("'\"") for w in args.split(",")]
        if words and all(_WORD.fullmatch(w) for w in words):
            return UrlPart("only", frozenset(words))
        return _OTHER
    return _FLASK_CONVERTERS.get(converter or "default", _OTHER)


def _group(regex: str, name: str) -> str | None:
    """The body of the named group ``(?P<name>...)`` (None: no such group, or one that does
    not close)."""
    opening = f"(?P<{name}>"
    start = regex.find(opening)
    if start < 0:
        return None
    depth, at, in_class = 1, start + len(opening), False
    body_start = at
    while at < len(regex):
        char = regex[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return regex[body_start:at]
        at += 1
    return None


def _alternatives(body: str) -> list[str]:
    """``gbp|eur|usd`` (or ``(?:gbp|eur)``) -> its words; [] for any other expression."""
    if body.startswith("(?:") and body.endswith(")") and body.count("(") == 1:
        body = body[3:-1]
    words = body.split("|")
    return words if all(_WORD.fullmatch(w) for w in words) else []
