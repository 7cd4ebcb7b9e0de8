"""Every offline test fails on an analysis that crashed: the engine logs the exception and
gives no suggestion, which a test asserting "nothing is suggested" would take for silence."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_analysis_failed(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.ERROR, logger="subagent_lsp")
    yield
    failed = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith("subagent_lsp.review")
    ]
    assert not failed, f"an analysis failed: {failed}"
