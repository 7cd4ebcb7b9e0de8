from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from subagent_lsp.lsp.textsync import apply_change, line_starts

CODEC = PositionCodec()


def change(l1: int, c1: int, l2: int, c2: int, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(l1, c1), types.Position(l2, c2)), text=text
    )


def test_lines_break_only_on_cr_lf() -> None:
    assert line_starts("a\r\nb\rc\nd\u2028e\x0cf") == [0, 3, 5, 7]


def test_utf16_positions_after_emoji() -> None:
    assert apply_change("a😀b\nx", change(0, 3, 0, 4, "B"), CODEC) == "a😀B\nx"


def test_edit_after_unicode_line_separator_and_crlf() -> None:
    text = "a\u2028b\r\nname: x\r\n"
    assert apply_change(text, change(1, 6, 1, 7, "y"), CODEC) == "a\u2028b\r\nname: y\r\n"
    assert apply_change(text, change(0, 3, 1, 0, ""), CODEC) == "a\u2028bname: x\r\n"


def test_positions_past_the_end_clamp_and_whole_document() -> None:
    assert apply_change("ab\ncd", change(0, 99, 5, 0, "!"), CODEC) == "ab!"
    assert apply_change("x", types.TextDocumentContentChangeWholeDocument(text="y"), CODEC) == "y"
    assert apply_change("abc", change(0, 2, 0, 1, ""), CODEC) == "ac"
