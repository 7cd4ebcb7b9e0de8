from __future__ import annotations

from collections.abc import Iterator

import pytest

from subagent_lsp.review.anthropic_agent import _CACHE

from ..standin import StandIn

KEY = "sk-ant-test-0123456789abcdef"


@pytest.fixture()
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """The stand-in Messages API, with the SDK pointed at it and a test key in the environment."""
    server = StandIn().start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    _CACHE.clear()
    yield server
    server.stop()
