"""What the server writes to the editor's output channel."""

from __future__ import annotations

import logging

from subagent_lsp.lsp.server import _LateCancels


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("pygls.protocol.json_rpc", logging.WARNING, "x", 1, message, (), None)


def test_late_cancels_are_not_shown_but_other_warnings_are() -> None:
    late = _LateCancels()
    assert not late.filter(_record('Cancel notification for unknown message id "48"'))
    assert late.filter(_record("Failed to handle request 7"))
