"""The common frontmatter, composed without loading PyYAML: one ``key: value`` per line.

Importing PyYAML costs ~20 ms, more than the rest of a ``check FILE`` start-up, and most agent
files hold only flat single-line entries. For those, and only those, this module builds the node
tree PyYAML's libyaml composer would give (same values, styles and marks; the scalars are resolved
by yamltree's own YAML 1.2 resolver either way). Anything outside the narrow shape below returns
None and goes to PyYAML: this is a recogniser of one easy case, not a YAML parser.
tests/test_yamlfast.py checks it against PyYAML on generated text.

The shape: each line is blank, a ``#`` comment at column 0, or a plain key at column 0, ``:``,
spaces, then one value on that line: a plain scalar that cannot be read as anything but one
(no indicator first, no ``: ``, no tab), or a quoted one without escapes, each optionally
followed by a comment.
"""

from __future__ import annotations

_KEY_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_KEY_CHARS = _KEY_START | frozenset("0123456789-")
# A plain scalar may not start with an indicator (or a blank).
_PLAIN_FIRST_BAD = frozenset("-?:,[]{}#&*!|>'\"%@` ")


def _printable(text: str) -> bool:
    """No character the YAML reader rejects or reads as a line break, and no BOM: ASCII from
    space to ``~``, or from U+00A0 up, less surrogates, U+2028/U+2029 and U+FEFF/FFFE/FFFF."""
    if text.isprintable():  # C speed; Python's printable is a subset of YAML's, without BOM
        return True
    if text.isascii():  # then isprintable() is exactly " " to "~"
        return False
    for ch in text:
        if ch < " " or "~" < ch < "\xa0":
            return False
        if ch in "\u2028\u2029\ufeff\ufffe\uffff" or "\ud800" <= ch <= "\udfff":
            return False
    return True


def _value(line: str, start: int) -> tuple[str, str | None, int] | None:
    """(value, style, end column) of the value starting at ``start``, or None if unsure."""
    first = line[start]
    if first in "\"'":
        close = line.find(first, start + 1)
        if close < 0 or (first == '"' and "\\" in line[start:close]):
            return None
        rest = line[close + 1 :].lstrip(" ")
        if rest and not (rest.startswith("#") and line[close + 1] == " "):
            return None
        return line[start + 1 : close], first, close + 1
    if first in _PLAIN_FIRST_BAD:
        return None
    end = line.find(" #", start)
    text = (line[start:] if end < 0 else line[start:end]).rstrip(" ")
    if ": " in text or text.endswith(":"):
        return None
    return text, None, start + len(text)


# (line, key, value's start column, value's end column, value as written, quote style or None)
Entry = tuple[int, str, int, int, str, "str | None"]


def compose_simple(text: str) -> tuple[list[Entry], int] | None:
    """The entries of ``text`` if it has the simple shape, else None. The int is the line the
    mapping ends on (libyaml ends a block mapping at column 0 of the line after its last)."""
    if "\t" in text or "\r" in text:
        return None
    lines = text.split("\n")
    entries: list[Entry] = []
    for number, line in enumerate(lines):
        if not line.strip(" ") or line.startswith("#"):
            continue
        if line[0] not in _KEY_START:
            return None
        colon = line.find(":")
        if colon < 0 or not _KEY_CHARS.issuperset(line[1:colon]):
            return None
        start = colon + 1
        while start < len(line) and line[start] == " ":
            start += 1
        if start == colon + 1 or start == len(line):
            return None  # `key:value` is one plain scalar; `key:` alone has an empty value
        value = _value(line, start)
        if value is None:
            return None
        raw, style, end = value
        entries.append((number, line[:colon], start, end, raw, style))
    if not entries or not _printable(text.replace("\n", "")):
        return None
    end_line = len(lines) if lines[-1] else len(lines) - 1
    return entries, end_line
