"""Inline suppressions: comments in an agent file that silence findings.

In the frontmatter (a YAML comment) or the body (an HTML comment):

- ``# subagent-lsp: ignore AGT020`` at the end of a line silences AGT020 on that line; on a line of
  its own it silences the next line. Several codes are separated by commas or spaces; no code
  silences every rule there.
- ``# subagent-lsp: ignore-file AGT015`` anywhere silences AGT015 in the whole file.

In JavaScript, TypeScript and Go the comment is ``// subagent-lsp: ignore BKD301``.
The spelling from before the rename, ``# agent-lsp: ignore``, still works.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lazyre import LazyPattern

_DIRECTIVE = LazyPattern(
    r"(?:#|//|<!--)\s*(?:sub)?agent-lsp:\s*(ignore-file|ignore)\b\s*([A-Za-z0-9_, ]*?)\s*(?:-->|$)"
)
MARK = "agent-lsp:"  # in both spellings: a cheap test before the regex
_CODE = LazyPattern(r"[A-Za-z]+\d+")
ALL = "*"


class Suppressions:
    __slots__ = ("file_codes", "line_codes")

    def __init__(self) -> None:
        self.file_codes: set[str] = set()
        self.line_codes: dict[int, set[str]] = {}

    def silences_at(self, code: str, line: int) -> bool:
        if ALL in self.file_codes or code in self.file_codes:
            return True
        codes = self.line_codes.get(line)
        return codes is not None and (ALL in codes or code in codes)


def find_suppressions(lines: Sequence[str]) -> Suppressions:
    found = Suppressions()
    for number, line in enumerate(lines):
        if MARK not in line:
            continue
        m = _DIRECTIVE.search(line)
        if m is None:
            continue
        codes = {c.upper() for c in _CODE.findall(m.group(2))} or {ALL}
        if m.group(1) == "ignore-file":
            found.file_codes |= codes
            continue
        own_line = not line[: m.start()].strip()
        target = number + 1 if own_line else number
        found.line_codes.setdefault(target, set()).update(codes)
    return found
