"""Markdown structure the checks share: which lines are prose and which are fenced code.

A fence closes only with the same character and at least as many of them (CommonMark), so a
block opened with four backticks may show three-backtick lines inside it."""

from __future__ import annotations

from ..lazyre import LazyPattern
from ..records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

FENCE = LazyPattern(r"^ {0,3}(`{3,}|~{3,})")
# Prose ends at a fence however deep it is indented: a fence inside a list item is code, and so
# are the lines of an indented block (held-out: shell variables in ```bash blocks nested in
# numbered steps were read as prose).
_ANY_FENCE = LazyPattern(r"^\s*(`{3,}|~{3,})")


def outside_fences(lines: list[str], start: int = 0) -> Iterator[tuple[int, str]]:
    """(line number, text) of the lines from ``start`` that are not fenced code (nor a fence)."""
    fence: str | None = None
    match = _ANY_FENCE.compiled().match  # hot: every body line of every file passes here
    for line_no in range(start, len(lines)):
        text = lines[line_no]
        m = match(text) if ("``" in text or "~~" in text) else None
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield line_no, text
