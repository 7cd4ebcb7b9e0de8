"""Open documents' text, kept by applying the client's incremental changes ourselves.

pygls's own store splits lines with ``str.splitlines``, which also breaks on form feeds, U+2028
and friends; LSP breaks lines only on CR, LF and CRLF. A document holding such a character
would drift from the editor's copy after the first edit on a later line, so the server keeps
its own copy with LSP's line rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in _BREAK.finditer(text))
    return starts


def offset_of(text: str, starts: Sequence[int], pos: types.Position, codec: PositionCodec) -> int:
    """Character offset of an LSP position; positions past a line's end clamp to it."""
    if pos.line >= len(starts):
        return len(text)
    begin = starts[pos.line]
    end = starts[pos.line + 1] if pos.line + 1 < len(starts) else len(text)
    line = text[begin:end].rstrip("\r\n")
    if line.isascii():
        return begin + min(pos.character, len(line))
    units = 0
    for column, char in enumerate(line):
        if units >= pos.character:
            return begin + column
        units += codec.client_num_units(char)
    return begin + len(line)


def apply_change(
    text: str, change: types.TextDocumentContentChangeEvent, codec: PositionCodec
) -> str:
    if isinstance(change, types.TextDocumentContentChangeWholeDocument):
        return change.text
    starts = line_starts(text)
    a = offset_of(text, starts, change.range.start, codec)
    b = offset_of(text, starts, change.range.end, codec)
    if b < a:
        a, b = b, a
    return text[:a] + change.text + text[b:]
