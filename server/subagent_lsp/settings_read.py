"""Reading settings values: each setting by the reader of its shape (settings_model.py declares
both, settings_table.py carries them here without pydantic). A bad value, a bad entry of a table
and an unknown key are each one problem, and what is bad keeps its default; nothing here stops.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .definitions.findings import Severity
from .definitions.rules import RULES
from .definitions.spec import DEFAULT_GLOBS, Kind
from .definitions.suggest import closest
from .definitions.versions import parse_version
from .records import TYPE_CHECKING
from .review.rules import BACKEND_RULES
from .settings_table import SPECS, Spec

if TYPE_CHECKING:
    pass

# Agent-file rules and the backend-developer's codes: both can be selected, ignored or re-rated.
ALL_CODES: tuple[str, ...] = (*RULES, *BACKEND_RULES)
SPECS_BY_KEY: dict[str, Spec] = {spec.key: spec for spec in SPECS}
KNOWN_KEYS = tuple(SPECS_BY_KEY)
# VS Code's getConfiguration() nests dotted keys: "trace.server" arrives as {"trace": {...}}.
_GROUPS = frozenset(key.split(".")[0] for key in KNOWN_KEYS if "." in key)


class Problem(str):
    """A problem message that also knows which setting it is about: the path of keys within our
    table (empty: the table itself). It reads as the plain message (the LSP, which has no file,
    shows it as it is); load_config_file puts the file and line of the setting in front."""

    keys: tuple[str, ...]

    def __new__(cls, text: str, *keys: str) -> Problem:
        self = super().__new__(cls, text)
        self.keys = keys
        return self


class _Default:
    """A reader's answer when the setting keeps its default: a bad value (reported), or an
    empty one (``""``: the default, as VS Code writes it)."""


DEFAULT = _Default()
if TYPE_CHECKING:
    from typing import Any

    Reader = Callable[[object, Spec, str, list[str]], Any]


def _bad(problems: list[str], text: str, *keys: str) -> _Default:
    problems.append(Problem(text, *keys))
    return DEFAULT


def _text(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    return (
        value if isinstance(value, str) else _bad(problems, f"{where} must be a string.", spec.key)
    )


def _flag(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    if isinstance(value, bool):
        return value
    return _bad(problems, f"{where} must be true or false.", spec.key)


def _within(value: float, spec: Spec) -> bool:
    low = -math.inf if spec.minimum is None else spec.minimum
    high = math.inf if spec.maximum is None else spec.maximum
    return low <= value <= high


def _number(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    # bool is an int to Python, not a number to a user.
    if isinstance(value, int | float) and not isinstance(value, bool) and _within(value, spec):
        return float(value)
    return _bad(
        problems, f"{where} must be a number from {spec.minimum:g} to {spec.maximum:g}.", spec.key
    )


def _integer(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    if isinstance(value, int) and not isinstance(value, bool) and _within(value, spec):
        return value
    return _bad(
        problems,
        f"{where} must be a whole number from {spec.minimum:g} to {spec.maximum:g}.",
        spec.key,
    )


def _listed(value: object) -> object:
    """One pattern or code may be written without the list around it; ``""`` is none."""
    if value == "":
        return []
    return [value] if isinstance(value, str) else value


def _patterns(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    items = _listed(value)
    if isinstance(items, list) and all(isinstance(p, str) for p in items):
        return tuple(items)
    return _bad(problems, f"{where} must be a list of patterns.", spec.key)


def _codes(raw: object, where: str, problems: list[str], keys: tuple[str, ...]) -> list[str] | None:
    """Rule codes or prefixes; None for "no restriction" (an empty list: VS Code's default, and
    an empty selection silencing every rule helps nobody). A code no rule has is reported and
    left out; the others stay."""
    items = _listed(raw)
    if not isinstance(items, list) or not all(isinstance(c, str) for c in items):
        problems.append(Problem(f"{where} must be a list of rule codes or prefixes.", *keys))
        return None
    out = []
    for code in items:
        code = code.strip().upper()
        if not any(r.startswith(code) for r in ALL_CODES):
            problems.append(Problem(f"{where}: no rule code starts with {code!r}.", *keys))
            continue
        out.append(code)
    return out or None


def _prefixes(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    return _codes(value, where, problems, (spec.key,))


def _version(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    if not isinstance(value, str):
        return _bad(
            problems,
            f"{where} must be a version such as 2.1.238; using the latest known.",
            spec.key,
        )
    if not value.strip():
        return DEFAULT
    try:
        return parse_version(value)
    except ValueError as err:
        return _bad(problems, f"{where}: {err}; using the latest known.", spec.key)


def _date(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    # A bare TOML date (today = 2026-01-02) arrives as a date.
    import datetime as dt  # only when a date is there to read

    text = value.isoformat() if isinstance(value, dt.date) else value
    if text == "":
        return DEFAULT
    try:
        if isinstance(text, str):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    return _bad(problems, f"{where}: {value!r} is not a date (YYYY-MM-DD).", spec.key)


def _severity(value: object) -> Severity | str | None:
    if isinstance(value, str) and value.strip().lower() in ("off", "none", "ignore"):
        return None
    if isinstance(value, str):
        try:
            return Severity.parse(value)
        except KeyError:
            pass
    return f"{value!r} is not a severity (error, warning, information, hint or off)"


def _severities(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    """Rule code -> severity; ``false`` turns the rule off, ``true`` keeps its default."""
    if not isinstance(value, Mapping):
        return _bad(problems, f"{where} must map rule codes to severities.", spec.key)
    out: dict[str, Severity | None] = {}
    for key, severity in value.items():
        code = str(key).upper()
        if code not in ALL_CODES:
            problems.append(Problem(f"{where}: unknown rule {code}.", spec.key, str(key)))
        elif severity is False:
            out[code] = None
        elif severity is not True:
            parsed = _severity(severity)
            if isinstance(parsed, str):
                problems.append(Problem(f"{where}.{code}: {parsed}.", spec.key, str(key)))
            else:
                out[code] = parsed
    return out


def _globs(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    """Kind -> patterns, over the built-in patterns of the kinds not given."""
    if not isinstance(value, Mapping):
        return _bad(problems, f"{where} must map kinds to lists of patterns.", spec.key)
    by_kind: dict[Kind, tuple[str, ...]] = dict(DEFAULT_GLOBS)
    for name, patterns in value.items():
        try:
            kind = Kind(name)
        except ValueError:
            problems.append(Problem(f"{where}: unknown kind {name!r}.", spec.key, name))
            continue
        items = _listed(patterns)
        if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
            problems.append(Problem(f"{where}.{name} must be a list of patterns.", spec.key, name))
            continue
        by_kind[kind] = tuple(items)
    return by_kind


def _path_prefixes(value: object, spec: Spec, where: str, problems: list[str]) -> object:
    """Path pattern -> the rules silenced there."""
    if not isinstance(value, Mapping):
        return _bad(problems, f"{where} must map path patterns to rule codes.", spec.key)
    out: dict[str, frozenset[str]] = {}
    for pattern, codes in value.items():
        keys = (spec.key, str(pattern))
        parsed = _codes(codes, f"{where}.{pattern}", problems, keys)
        if parsed:
            out[str(pattern)] = frozenset(r for r in RULES if any(r.startswith(c) for c in parsed))
    return out


# One reader per shape of settings_model.py: the value, or DEFAULT after saying what is wrong.
READERS: dict[str, Reader] = {
    "text": _text,
    "flag": _flag,
    "number": _number,
    "integer": _integer,
    "patterns": _patterns,
    "prefixes": _prefixes,
    "version": _version,
    "date": _date,
    "severities": _severities,
    "globs": _globs,
    "path-prefixes": _path_prefixes,
}


def read_values(raw: Mapping[str, object], source: str, problems: list[str]) -> dict[str, Any]:
    """Each setting of ``raw`` read by its shape's reader: key -> value, for the good ones. An
    unknown key, a bad value and a bad entry of a table are each one problem, never fatal; a
    null is the same as the key not being there. The client's own keys are accepted, not read."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        spec = SPECS_BY_KEY.get(key)
        if spec is None:
            if key not in _GROUPS:
                guess = closest(str(key), KNOWN_KEYS)
                hint = f" (did you mean {guess}?)" if guess else ""
                problems.append(
                    Problem(f"{source}: unknown setting {key!r}{hint}; ignored.", str(key))
                )
            continue
        if value is None or spec.client:
            continue
        read = READERS[spec.shape](value, spec, f"{source}.{key}", problems)
        if read is not DEFAULT:
            values[key] = read
    return values
