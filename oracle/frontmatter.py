"""What a file says, read independently of the checker under test (nothing from server/).

Only used to compare what Claude Code did with what was written: strict YAML (PyYAML's safe
loader, duplicate keys noted) and, when that fails, an imitation of Claude Code's quoting retry so
that the written ``tools`` and ``model`` can still be compared. The verdict never depends on this
imitation being exact: whether a file loaded, and how, is observed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^-{3,}[ \t]*\r?$", re.M)
_SPECIAL = re.compile(r": |[{}\[\]*&#!|>%@`]")
_KEY_LINE = re.compile(r"^(?P<indent>[ ]*)(?P<key>[A-Za-z_][\w-]*):[ \t]+(?P<value>\S.*?)[ \t]*$")


@dataclass
class Written:
    has_frontmatter: bool
    strict_ok: bool = False
    strict_error: str | None = None
    duplicate_keys: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None  # strict, else the retry imitation, else None
    via_retry: bool = False
    body_first_line: str = ""
    front: str = ""  # the frontmatter's raw text

    def raw_value(self, key: str) -> str | None:
        """The text after ``key:`` on its line, as typed (None when there is no such line)."""
        for line in self.front.splitlines():
            if line.startswith(f"{key}:"):
                return line[len(key) + 1 :].strip()
        return None

    def get(self, key: str) -> Any:
        return None if self.data is None else self.data.get(key)


class _DupLoader(yaml.SafeLoader):
    duplicates: list[str]


def _construct_mapping(loader: _DupLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            if key in seen:
                loader.duplicates.append(str(key))
            seen.add(key)
        except TypeError:
            pass
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_DupLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load(text: str) -> tuple[Any, list[str]]:
    loader = _DupLoader(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def split(text: str) -> tuple[str, str] | None:
    """(frontmatter, body), or None when the file does not open with a ``---`` line."""
    text = text.removeprefix("\ufeff")
    m = _OPEN.match(text)
    if m is None:
        return None
    rest = text[m.end() :]
    close = _CLOSE.search(rest)
    if close is None:
        return None
    end = close.end()
    body = rest[end:].lstrip("\r\n")
    return rest[: close.start()], body


def _flow_list(value: str) -> bool:
    if not (value.startswith("[") and value.rstrip().endswith("]")):
        return False
    try:
        return isinstance(yaml.safe_load(value), list)
    except yaml.YAMLError:
        return False


def retry_text(front: str) -> str:
    """Claude Code's second attempt, imitated: quote ``key: value`` lines whose value holds
    ``: `` or one of ``{}[]*&#!|>%@` `` (a whole flow list such as ``[Read, Edit]`` is left as it
    is: fixtures yaml-retry-tools-*); leading tabs become spaces."""
    out: list[str] = []
    for line in front.splitlines():
        stripped = line.lstrip("\t")
        if len(stripped) != len(line):
            line = "  " * (len(line) - len(stripped)) + stripped
        m = _KEY_LINE.match(line)
        if (
            m
            and _SPECIAL.search(m.group("value"))
            and m.group("value")[0] not in "\"'"
            and not _flow_list(m.group("value"))
        ):
            value = m.group("value").replace("\\", "\\\\").replace('"', '\\"')
            line = f'{m.group("indent")}{m.group("key")}: "{value}"'
        out.append(line)
    return "\n".join(out) + "\n"


def read(text: str) -> Written:
    parts = split(text)
    if parts is None:
        first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        return Written(has_frontmatter=False, body_first_line=first)
    front, body = parts
    first = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    written = Written(has_frontmatter=True, body_first_line=first, front=front)
    try:
        data, dups = _load(front)
        written.strict_ok = True
        written.duplicate_keys = dups
        written.data = data if isinstance(data, dict) else None
        if data is not None and not isinstance(data, dict):
            written.strict_error = f"frontmatter is a {type(data).__name__}, not a mapping"
        return written
    except yaml.YAMLError as err:
        written.strict_error = " ".join(str(err).split())
    try:
        data, dups = _load(retry_text(front))
    except yaml.YAMLError:
        return written
    if isinstance(data, dict):
        written.data = data
        written.duplicate_keys = dups
        written.via_retry = True
    return written


def split_tools(value: Any) -> list[str] | None:
    """A ``tools`` value as entries: a YAML list, or a comma-separated string (commas inside
    parentheses, as in ``Agent(a, b)``, do not split)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if not isinstance(value, str):
        return [str(value)]
    out: list[str] = []
    depth = 0
    current = ""
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    out.append(current.strip())
    return [t for t in out if t]


def tool_base(entry: str) -> str:
    """``Bash(git *)`` -> ``Bash``; ``Agent(a, b)`` -> ``Agent``."""
    return entry.split("(", 1)[0].strip()
