"""Issue 16's measure: which of sixteen well-known credential formats redaction strips, one test
per format, each on its own line of backend code. It needs only ``redact`` from context.py, so
it runs on older trees too (the figure before this change: 9 of 16)."""

from __future__ import annotations

import pytest

from subagent_lsp.review.context import redact

from .secret_samples import FORMATS, HELD_OUT


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_of_the_sixteen_formats_is_stripped(name: str) -> None:
    value, line = FORMATS[name]
    sent = redact(line).text
    # No piece of it survives either (a prefix kept and the rest cut would still leak the key).
    assert value not in sent and value[-12:] not in sent, sent
    assert "[REDACTED" in sent


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_formats_no_detector_was_written_against_are_stripped(name: str) -> None:
    value, line = HELD_OUT[name]
    sent = redact(line).text
    assert value not in sent and value[-12:] not in sent, sent
